#!/usr/bin/env bash
# `make demo-hub`: the impersonated hub alone. Makes a PKI and a device
# registry, starts `flexhil hub`, connects the demo device once with its registered X.509
# certificate (accepted), once with an unregistered certificate (refused in the TLS handshake)
# and once as a SAS device with a wrong key (refused, CONNACK 5), and prints each verdict.
# Usage: scripts/demo-hub.sh <build dir>
set -euo pipefail

BUILD_DIR="$(cd "${1:-build}" && pwd)"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FLEXHIL="$BUILD_DIR/harness/flexhil"
DEVICE="$BUILD_DIR/broker/demo/flexhil-demo-device"
for exe in "$FLEXHIL" "$DEVICE"; do
  [ -x "$exe" ] || { echo "demo: $exe is missing; build first (make build)" >&2; exit 3; }
done

OUT="$ROOT/reports/demo-hub/$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$(mktemp -d /tmp/flexhil-demo-XXXXXX)"
mkdir -p "$OUT"
HUB_LOG="$OUT/hub.out"
HUB_PID=""

cleanup() {
  if [ -n "$HUB_PID" ] && kill -0 "$HUB_PID" 2>/dev/null; then
    kill -INT "$HUB_PID" 2>/dev/null || true   # the hub stops mosquitto itself
    wait "$HUB_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== flexhil demo: PKI and device registry in $WORK"
"$FLEXHIL" certs device --id DemoFlexy --self-signed --out "$WORK/pki" >/dev/null
"$FLEXHIL" certs device --id DemoStranger --self-signed --out "$WORK/stranger" >/dev/null
SAS_KEY="$(head -c 32 /dev/urandom | base64)"
WRONG_KEY="$(head -c 32 /dev/urandom | base64)"
cat >"$WORK/devices.toml" <<TOML
hub = "flexhildemo"

[[device]]
id = "DemoFlexy"
auth = "x509-selfsigned"
certificate = "pki/DemoFlexy.crt"

[[device]]
id = "DemoSas"
auth = "sas"
primary_key = "$SAS_KEY"
TOML

echo "== starting the hub (flexhil hub), output in $HUB_LOG"
"$FLEXHIL" hub --registry "$WORK/devices.toml" --x509-port 0 --sas-port 0 --out "$OUT" --pki "$WORK/hub-pki" \
  >"$HUB_LOG" 2>&1 &
HUB_PID=$!
for _ in $(seq 1 150); do
  grep -q "Press Ctrl-C" "$HUB_LOG" 2>/dev/null && break
  kill -0 "$HUB_PID" 2>/dev/null || break
  sleep 0.2
done
if ! grep -q "Press Ctrl-C" "$HUB_LOG"; then
  echo "demo: the hub did not become ready:" >&2
  cat "$HUB_LOG" >&2
  exit 3
fi
sed -n '1,/Press Ctrl-C/p' "$HUB_LOG"
X509_PORT="$(awk '/X.509 port/{print $3; exit}' "$HUB_LOG")"
SAS_PORT="$(awk '/SAS port/{print $3; exit}' "$HUB_LOG")"
CA="$OUT/ca.crt"

verdicts() { grep -E '^[0-9:]{8} (connect|tls_failure) ' "$HUB_LOG" || true; }
# Waits until the hub has printed more than $1 verdict lines (the audit stream is asynchronous).
wait_verdicts() {
  for _ in $(seq 1 50); do
    [ "$(verdicts | wc -l)" -gt "$1" ] && return 0
    sleep 0.1
  done
}

run_device() {  # title, then flexhil-demo-device arguments
  local title="$1"; shift
  local before; before="$(verdicts | wc -l)"
  echo
  echo "== $title"
  local rc=0
  "$DEVICE" --hub flexhildemo "$@" --ca "$CA" || rc=$?
  wait_verdicts "$before"
  echo "   hub verdict: $(verdicts | tail -n +"$((before + 1))" | head -1)"
  return 0
}

run_device "registered X.509 device (expected: accepted)" \
  --port "$X509_PORT" --device DemoFlexy --cert "$WORK/pki/DemoFlexy.crt" --key "$WORK/pki/DemoFlexy.key"
run_device "unregistered certificate (expected: refused in the TLS handshake)" \
  --port "$X509_PORT" --device DemoStranger --cert "$WORK/stranger/DemoStranger.crt" --key "$WORK/stranger/DemoStranger.key"
WRONG_TOKEN="$("$FLEXHIL" certs sas --hub flexhildemo --device DemoSas --key "$WRONG_KEY" --ttl 1h)"
run_device "SAS device with a wrong key (expected: refused, CONNACK 5)" \
  --port "$SAS_PORT" --device DemoSas --sas "$WRONG_TOKEN"

kill -INT "$HUB_PID"
wait "$HUB_PID" || true
HUB_PID=""
echo
echo "== all verdicts"
verdicts
echo
echo "capture: $OUT/capture.jsonl   hub output: $HUB_LOG   broker log: $OUT/broker.log"

ACCEPTED="$(verdicts | grep -c 'connect DemoFlexy x509 accepted' || true)"
TLS_REFUSED="$(verdicts | grep -c 'tls_failure' || true)"
SAS_REFUSED="$(verdicts | grep -c 'connect DemoSas sas refused' || true)"
if [ "$ACCEPTED" -ge 1 ] && [ "$TLS_REFUSED" -ge 1 ] && [ "$SAS_REFUSED" -ge 1 ]; then
  echo "demo: OK (1 accepted, 2 refused as expected)"
  exit 0
fi
echo "demo: unexpected verdicts (see $HUB_LOG)" >&2
exit 1
