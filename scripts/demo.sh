#!/usr/bin/env bash
# Runs the gateway on the bundled demo config (etc/demo): installs what is missing, builds,
# starts a local mosquitto on 127.0.0.1:1883 unless one already listens there and a simulated
# 2N device on 127.0.0.1:8443, then runs the gateway in the foreground on http://127.0.0.1:8080.
# Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
lpr_install_deps
lpr_build build

run=demo-run
# Every demo starts from an empty store: the README's curl re-sends the same lprUuid, which a
# kept store would rightly take as a duplicate and not publish again.
rm -rf "$run/state"
mkdir -p "$run"
broker_pid=""
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null
  true
}
trap cleanup EXIT
if ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
  cat > "$run/mosquitto.conf" <<CONF
listener 1883 127.0.0.1
allow_anonymous true
persistence false
# Without it the broker's small PUBACKs wait on Nagle's algorithm (~30 ms per batch at load).
set_tcp_nodelay true
CONF
  [ "$(id -u)" -eq 0 ] && sed -i '1i user root' "$run/mosquitto.conf"
  mosquitto -c "$run/mosquitto.conf" >"$run/mosquitto.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null && break; sleep 0.1; done
  echo "demo: started mosquitto on 127.0.0.1:1883 (log: $run/mosquitto.log)"
else
  echo "demo: using the MQTT broker already listening on 127.0.0.1:1883"
fi
# A simulated 2N device for the gateway to forward to (HTTPS + Digest, its own certificate).
build/bin/lpr-2n-simulator --port 8443 --user demo --password demo \
  --users etc/demo/users.json >"$run/2n-simulator.log" 2>&1 &
sim_pid=$!
for _ in $(seq 50); do grep -q '^sha256=' "$run/2n-simulator.log" 2>/dev/null && break; sleep 0.1; done
fingerprint=$(sed -n 's/^sha256=//p' "$run/2n-simulator.log")
[ -n "$fingerprint" ] || { echo "demo: the 2N simulator did not start:"; cat "$run/2n-simulator.log"; exit 1; }
echo "demo: simulated 2N device on https://127.0.0.1:8443 (log: $run/2n-simulator.log)"


echo "demo: gateway on http://127.0.0.1:8080 — post a read with the curl from README.md"
build/bin/lpr-gateway --config etc/demo/lpr-gateway.properties \
  --define "plugin.door2n.tls.fingerprint_sha256=$fingerprint"
