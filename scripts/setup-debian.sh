#!/usr/bin/env bash
# Installs the Debian 12 packages flexhil needs — only those missing, so a machine that has
# them all is not touched (no apt-get update, no network). Run as root (or with sudo).
#   setup-debian.sh        build and tests (make test): all but the packages marked `bench`
#   setup-debian.sh demo   without the packages marked `test` or `bench` (make demo)
#   setup-debian.sh bench  everything, benchmark baselines included (make bench)
# The test and bench profiles also need node and npm (tests/sdk, Microsoft's Node.js device SDK):
# Debian's `nodejs` and `npm` only when the command is missing (a NodeSource nodejs bundles npm and
# conflicts with Debian's), then tests/sdk's npm packages (setup-node-sdk.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
profile=${1:-test}
mapfile -t packages < <(sed 's/#.*//' "$here/debian-packages.txt" |
  awk -v profile="$profile" 'NF && !(profile == "demo" && $2 == "test") && !(profile != "bench" && $2 == "bench") {print $1}')
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
node_sdk=0
if [ "$profile" != demo ]; then
  node_sdk=1
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  [ "$node_sdk" = 0 ] || bash "$here/setup-node-sdk.sh"
  exit 0
fi
echo "flexhil: installing missing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "error: not root and no sudo; install these packages first: ${missing[*]}" >&2; exit 2
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# Package scripts must not start system services (mosquitto on 1883) on a test machine.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod 755 "$policy" && created_policy=1
fi
cleanup() { [ "$created_policy" = 1 ] && $sudo rm -f "$policy"; return 0; }
trap cleanup EXIT
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "flexhil: packages installed"
[ "$node_sdk" = 0 ] || bash "$here/setup-node-sdk.sh"
