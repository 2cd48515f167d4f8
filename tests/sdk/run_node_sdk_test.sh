#!/usr/bin/env bash
# test_node_sdk: one `flexhil hub` (one MQTTS port, one WebSocket port, ephemeral, 127.0.0.1) with a
# SAS and an X.509 device per transport, then Microsoft's Node.js device SDK against it
# (device_sdk.test.js). Usage: run_node_sdk_test.sh <path to flexhil>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
flexhil=${1:?usage: run_node_sdk_test.sh <path to flexhil>}
hub_name=sdkhub
wait_s=30

fail() { echo "test_node_sdk: FAIL: $*" >&2; exit 1; }

# Missing packages are a broken set-up, not a reason to skip: the SDK cases are the only tests
# with Microsoft's own client.
command -v node >/dev/null || fail "node is not installed: run 'make setup' (scripts/setup-node-sdk.sh)"
for p in azure-iot-device azure-iot-device-mqtt; do
  [ -f "$here/node_modules/$p/package.json" ] ||
    fail "$here/node_modules/$p is missing: run 'make setup' (it runs npm ci in tests/sdk)"
done
# scripts/setup-node-sdk.sh writes the stamp after a complete `npm ci` of this lock file.
[ "$here/node_modules/.flexhil-npm-ci" -nt "$here/package-lock.json" ] ||
  fail "tests/sdk/node_modules was not installed by 'npm ci' from the current package-lock.json: run 'make setup'"
[ -x "$flexhil" ] || fail "no flexhil binary at $flexhil"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flexhil-node-sdk.XXXXXX")
hub_pid=""
cleanup() {
  local status=$?
  if [ -n "$hub_pid" ] && kill -0 "$hub_pid" 2>/dev/null; then
    # Ctrl-C is how the hub stops mosquitto with it; SIGKILL only if it does not.
    kill -INT "$hub_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$hub_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$hub_pid" 2>/dev/null || true
    wait "$hub_pid" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -f "$tmp/hub.out" ]; then
    echo "--- last lines of flexhil hub's output ($tmp/hub.out) ---" >&2
    tail -n 60 "$tmp/hub.out" >&2
  fi
  if [ "${FLEXHIL_KEEP_TEST_DIRS:-}" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The registry: the X.509 device as `flexhil certs device --registry-block` writes it, a second
# X.509 device registered by its certificate file, and a SAS device per transport (a device id has
# one connection at a time). Every device starts with the same twin, which the cases read back.
mkdir -p "$tmp/certs" "$tmp/stranger"
registry="$tmp/certs/devices.toml"
"$flexhil" certs device --id NodeX509 --self-signed --out "$tmp/certs" --registry-block --hub "$hub_name" \
  >"$registry" 2>"$tmp/certs.log" || fail "flexhil certs device: $(cat "$tmp/certs.log")"
"$flexhil" certs device --id NodeX509Ws --self-signed --out "$tmp/certs" >>"$tmp/certs.log" 2>&1 ||
  fail "flexhil certs device: $(cat "$tmp/certs.log")"
# Same CN as a registered device, not registered itself: the thumbprint refusal.
"$flexhil" certs device --id NodeX509 --self-signed --out "$tmp/stranger" >>"$tmp/certs.log" 2>&1 ||
  fail "flexhil certs device (stranger): $(cat "$tmp/certs.log")"
new_key() { head -c 32 /dev/urandom | base64 -w0; }
sas_key=$(new_key); ws_key=$(new_key); wrong_key=$(new_key)
twin=$'[device.twin.desired]\ninterval = 20\n[device.twin.reported]\nfirmware = "1.0"\n'
{
  echo "$twin"  # for NodeX509, the last [[device]] of the block
  printf '[[device]]\nid = "NodeX509Ws"\nauth = "x509-selfsigned"\ncertificate = "NodeX509Ws.crt"\n%s\n' "$twin"
  printf '[[device]]\nid = "NodeSas"\nauth = "sas"\nprimary_key = "%s"\n%s\n' "$sas_key" "$twin"
  printf '[[device]]\nid = "NodeSasWs"\nauth = "sas"\nprimary_key = "%s"\n%s\n' "$ws_key" "$twin"
} >>"$registry"

run="$tmp/run"
"$flexhil" hub --registry "$registry" --out "$run" --pki "$tmp/pki" --port 0 --ws-port 0 >"$tmp/hub.out" 2>&1 &
hub_pid=$!
for ((i = 0; i < wait_s * 10; i++)); do
  grep -q 'Press Ctrl-C' "$tmp/hub.out" && break
  kill -0 "$hub_pid" 2>/dev/null || fail "flexhil hub exited before it was ready"
  sleep 0.1
done
grep -q 'Press Ctrl-C' "$tmp/hub.out" || fail "flexhil hub not ready after ${wait_s} s"
mqtts_port=$(sed -n 's/^ *MQTTS port *\([0-9][0-9]*\).*/\1/p' "$tmp/hub.out")
ws_port=$(sed -n 's/^ *WebSocket *\([0-9][0-9]*\).*/\1/p' "$tmp/hub.out")
[ -n "$mqtts_port" ] && [ -n "$ws_port" ] || fail "no MQTTS/WebSocket port in the hub's banner"

cat >"$tmp/setup.json" <<EOF
{
  "flexhil": "$flexhil",
  "run": "$run",
  "events": "$run/capture.jsonl",
  "console": "$tmp/hub.out",
  "ca": "$run/ca.crt",
  "hubHost": "$hub_name.azure-devices.net",
  "wrongKey": "$wrong_key",
  "devices": [
    { "id": "NodeSas", "auth": "sas", "transport": "Mqtt", "key": "$sas_key" },
    { "id": "NodeSasWs", "auth": "sas", "transport": "MqttWs", "key": "$ws_key" },
    { "id": "NodeX509", "auth": "x509", "transport": "Mqtt", "cert": "$tmp/certs/NodeX509.crt", "keyFile": "$tmp/certs/NodeX509.key" },
    { "id": "NodeX509Ws", "auth": "x509", "transport": "MqttWs", "cert": "$tmp/certs/NodeX509Ws.crt", "keyFile": "$tmp/certs/NodeX509Ws.key" }
  ],
  "stranger": { "cert": "$tmp/stranger/NodeX509.crt", "keyFile": "$tmp/stranger/NodeX509.key" }
}
EOF

export FLEXHIL_SDK_SETUP="$tmp/setup.json" FLEXHIL_SDK_HUB_HOST="$hub_name.azure-devices.net"
export FLEXHIL_SDK_MQTTS_PORT="$mqtts_port" FLEXHIL_SDK_WS_PORT="$ws_port"
# Every wait inside has its own 30 s limit; this one only catches a wedged node.
timeout --kill-after=5 150 node --require "$here/redirect.js" --test-reporter=spec "$here/device_sdk.test.js"
