# Helpers of package_systemd_test.sh: the container, the broker on the host, the camera posts.
# Expects $work; sets leader (the container's systemd), broker_pid, sub_pid, poster_pid.

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

step() { echo "== $(date +%T) $*"; }

# Polls `cmd` every 0.2 s until it succeeds or `seconds` pass.
wait_until() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Runs a command inside the container (all its namespaces, so its PIDs and paths).
in_ct() { nsenter -t "$leader" -a "$@"; }

# A persistent session (-c, fixed id, QoS 1) and broker persistence: messages published while
# the subscriber or the broker is down still reach the subscriber once both are back.
start_broker() {
  local port=$1 dir="$work/broker"
  mkdir -p "$dir"
  cat >"$dir/mosquitto.conf" <<EOF
user root
per_listener_settings true
persistence true
persistence_location $dir/
log_dest file $dir/mosquitto.log
listener $port 127.0.0.1
allow_anonymous true
EOF
  mosquitto -c "$dir/mosquitto.conf" &
  broker_pid=$!
  wait_until 10 port_open "$port" || fail "mosquitto did not listen on $port"
  mosquitto_sub -h 127.0.0.1 -p "$port" -t 'lpr/#' -q 1 -c -i lpr-package-test -v \
    >>"$work/mqtt.txt" 2>>"$work/mosquitto_sub.err" &
  sub_pid=$!
  wait_until 10 grep -q "New client connected.*lpr-package-test" "$dir/mosquitto.log" ||
    fail "subscriber did not connect"
}

stop_broker() {
  if [ -n "${sub_pid:-}" ]; then
    kill "$sub_pid" 2>/dev/null || true
    wait "$sub_pid" 2>/dev/null || true
    sub_pid=
  fi
  if [ -n "${broker_pid:-}" ]; then
    kill "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
    broker_pid=
  fi
}

container_up() {
  leader=$(pgrep -P "$nspawn_pid" | head -1)
  [ -n "$leader" ] && in_ct true 2>/dev/null
}

boot_container() {
  systemd-nspawn -D "$work/root" --boot --machine="lprpkg$$" --register=no --keep-unit -q \
    </dev/null >"$work/nspawn.log" 2>&1 &
  nspawn_pid=$!
  wait_until 30 container_up || fail "systemd-nspawn did not start (log: $work/nspawn.log)"
  # systemctl talks to PID 1 over this socket; it appears once systemd is up.
  wait_until 30 in_ct test -S /run/systemd/private || fail "no systemd in the container"
  local state
  state=$(timeout 60 nsenter -t "$leader" -a systemctl is-system-running --wait || true)
  case "$state" in
    running | degraded) echo "container systemd: $state" ;;
    *) fail "container systemd did not finish booting: '$state'" ;;
  esac
}

# journald writes what PID 1 logs a moment later: callers poll this.
journal_has() { in_ct journalctl -u lpr-gateway -q --no-pager | grep -qi "$1"; }

is_active() { [ "$(in_ct systemctl is-active lpr-gateway 2>/dev/null)" = active ]; }

expect_active() {
  wait_until 30 is_active || {
    in_ct journalctl -u lpr-gateway -n 40 --no-pager || true
    fail "lpr-gateway not active"
  }
}

# The camera's retry key: the same lprUuid for the same plate (6 characters).
plate_uuid() { echo "00000000-0000-4000-8000-$(printf '%s' "$1" | od -An -tx1 | tr -d ' \n')"; }

post_once() {
  curl -sS -m 5 -u cam:s3cret -H 'Content-Type: application/json' \
    -d "{\"lprUuid\":\"$(plate_uuid "$1")\",\"lprID\":1,\"accessPoint\":0,\"plateText\":\"$1\",\"lprDir\":2}" \
    "http://127.0.0.1:$http_port/api/lpr/licenseplate" 2>/dev/null | grep -q '"success":true'
}

# As a camera does: the same read again until the gateway says it has it (20 s at most).
# Each refused attempt is noted in $work/resent.
post_read() {
  post_once "$1" && return 0
  echo "$1" >>"$work/resent"
  wait_until 20 post_once "$1"
}

# PREFIX0001 … PREFIX<count>, one after the other; each accepted plate goes to $work/posted.
post_reads_in_background() {
  local prefix=$1 count=$2
  : >"$work/posted"
  : >"$work/resent"
  (
    for i in $(seq 1 "$count"); do
      plate=$(printf '%s%04d' "$prefix" "$i")
      post_read "$plate" || exit 1
      echo "$plate" >>"$work/posted"
    done
  ) &
  poster_pid=$!
}

posted_at_least() { [ "$(wc -l <"$work/posted")" -ge "$1" ]; }
wait_posted() { wait_until 60 posted_at_least "$1"; }

all_delivered() {
  local plate
  for plate in "$@"; do
    grep -q "\"$plate\"" "$work/mqtt.txt" || return 1
  done
}

expect_delivered() {
  wait_until 60 all_delivered "$@" || {
    local plate missing=()
    for plate in "$@"; do grep -q "\"$plate\"" "$work/mqtt.txt" || missing+=("$plate"); done
    fail "not on the broker: ${missing[*]}"
  }
  echo "delivered: $# read(s)"
}

watchdog_restarted() {
  local pid
  pid=$(in_ct systemctl show -p MainPID --value lpr-gateway)
  [ "$(in_ct systemctl show -p NRestarts --value lpr-gateway)" -gt "$2" ] && [ "$pid" != 0 ] &&
    [ "$pid" != "$1" ] && is_active
}

# The same files under a higher version: what apt sees as an upgrade.
repack_with_version() {
  local deb=$1 version=$2 dir=$3
  rm -rf "$dir"
  mkdir -p "$dir"
  dpkg-deb -R "$deb" "$dir/tree"
  sed -i "s/^Version: .*/Version: $version/" "$dir/tree/DEBIAN/control"
  local out
  out="$dir/lpr-gateway_${version}_$(dpkg-deb -f "$deb" Architecture).deb"
  dpkg-deb -Zxz -b "$dir/tree" "$out" >/dev/null
  echo "$out"
}

cleanup() {
  local rc=$?
  if [ -n "${poster_pid:-}" ]; then kill "$poster_pid" 2>/dev/null || true; fi
  if [ -n "${leader:-}" ]; then
    if [ "${passed:-0}" != 1 ]; then
      echo "--- journal of lpr-gateway in the container:"
      in_ct journalctl -u lpr-gateway -n 80 --no-pager 2>/dev/null || true
    fi
    in_ct systemctl poweroff 2>/dev/null || true
    wait_until 30 eval '! kill -0 "$nspawn_pid" 2>/dev/null' || kill "$nspawn_pid" 2>/dev/null || true
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  stop_broker
  # The root is 300+ MB: kept for a look after a failure only.
  if [ "${passed:-0}" = 1 ]; then rm -rf "$work/root" "$work/deb/src"; fi
  exit "$rc"
}
