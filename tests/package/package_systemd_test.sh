#!/usr/bin/env bash
# The Debian package under a real systemd: builds the .deb, boots a fresh Debian 12 root
# (debootstrap) with systemd-nspawn, installs the package with apt and checks the service:
# healthy with no plugins, reads reach a real mosquitto on the host, reload / restart /
# watchdog / upgrade lose no read, purge leaves only what Debian keeps.
# Usage: package_systemd_test.sh SOURCE_DIR WORK_DIR    (needs root and deb.debian.org)
set -euo pipefail

src=$(realpath "$1")
work=$(realpath -m "$2")
here=$(dirname "$(realpath "$0")")
. "$here/package_test_lib.sh"

[ "$(id -u)" -eq 0 ] || fail "must run as root (debootstrap, systemd-nspawn); CI runs it as root"
for tool in debootstrap systemd-nspawn nsenter dpkg-buildpackage dpkg-deb lintian mosquitto \
  mosquitto_sub curl; do
  command -v "$tool" >/dev/null || fail "$tool missing: scripts/deps.sh lists its package"
done

rm -rf "$work"
mkdir -p "$work"
trap cleanup EXIT

step "build the package and debootstrap a Debian 12 root, side by side"
# For working on this test only: LPR_PACKAGE_DEB (a built .deb) and LPR_PACKAGE_BASE_ROOT (a
# debootstrapped root to copy) skip those steps. CI sets neither.
if [ -n "${LPR_PACKAGE_DEB:-}" ]; then
  mkdir -p "$work/deb" && cp "$LPR_PACKAGE_DEB" "$work/deb/"
  build_pid=
else
  "$src/packaging/build-deb.sh" "$work/deb" >"$work/deb.log" 2>&1 &
  build_pid=$!
fi
if [ -n "${LPR_PACKAGE_BASE_ROOT:-}" ]; then
  cp -a "$LPR_PACKAGE_BASE_ROOT" "$work/root"
  boot_pid=
else
  # man-db: systemd-analyze verify runs `man` for the unit's Documentation=.
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libsystemd0,man-db \
    bookworm "$work/root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 &
  boot_pid=$!
fi
if [ -n "$build_pid" ]; then
  wait "$build_pid" || { tail -40 "$work/deb.log"; fail "package build (log: $work/deb.log)"; }
  echo "package built; lintian clean at warning level"
fi
if [ -n "$boot_pid" ]; then
  wait "$boot_pid" || { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
fi
deb=$(ls "$work"/deb/lpr-gateway_*.deb)
deb_v2=$(repack_with_version "$deb" "$(dpkg-deb -f "$deb" Version)+upgrade1" "$work/deb-v2")

http_port=$(free_port)
mqtt_port=$(free_port)
start_broker "$mqtt_port"
# Only the test's port before the package exists: the first start is the packaged default.
mkdir -p "$work/root/etc/lpr-gateway/conf.d" "$work/root/root/debs"
cp "$deb" "$deb_v2" "$work/root/root/debs/"
printf 'http.address = 127.0.0.1\nhttp.port = %s\n' "$http_port" \
  >"$work/root/etc/lpr-gateway/conf.d/50-test-port.properties"

step "boot the root under systemd-nspawn and install with apt"
boot_container
in_ct apt-get update -q >"$work/apt.log" 2>&1 || fail "apt-get update in the container"
in_ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "/root/debs/$(basename "$deb")" >>"$work/apt.log" 2>&1 ||
  { tail -30 "$work/apt.log"; fail "apt install of the package"; }

step "no plugins: the service is active and healthy"
expect_active
health=$(curl -fsS "http://127.0.0.1:$http_port/healthz") || fail "/healthz does not answer"
echo "$health" | grep -q '"status":"ok"' || fail "/healthz: $health"
[ "$(in_ct stat -c %a /etc/default/lpr-gateway)" = 600 ] || fail "/etc/default/lpr-gateway not 0600"
in_ct id lpr-gateway >/dev/null || fail "no system user lpr-gateway"
[ "$(in_ct stat -c %U /var/lib/lpr-gateway)" = lpr-gateway ] || fail "state dir owner"

step "lpr-ocr and the plate models are installed"
# A file that is no image: lpr-ocr loads the packaged models (it exits 1 without them) and
# answers the file with an error line.
# nsenter passes this shell's environment on: LPR_MODEL_DIR must not point lpr-ocr elsewhere.
ocr_out=$(in_ct env -u LPR_MODEL_DIR sh -c \
  'echo no-image >/root/not-an-image.jpg && lpr-ocr /root/not-an-image.jpg' 2>&1) ||
  fail "lpr-ocr with the packaged models: $ocr_out"
echo "$ocr_out" | grep -q '"error"' || fail "lpr-ocr printed: $ocr_out"

step "systemd-analyze verify and security"
verify_out=$(in_ct systemd-analyze verify lpr-gateway.service 2>&1) ||
  fail "systemd-analyze verify: $verify_out"
[ -z "$verify_out" ] || fail "systemd-analyze verify printed: $verify_out"
exposure=$(in_ct systemd-analyze security lpr-gateway.service 2>&1 | sed -n 's/.*exposure level for lpr-gateway.service: \([0-9.]*\).*/\1/p')
echo "security exposure: $exposure"
awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 3.0) }' || fail "exposure '$exposure' > 3.0"

step "a camera and MQTT configured: reads arrive on the broker"
cat >"$work/root/etc/lpr-gateway/conf.d/60-test-plugins.properties" <<EOF
plugin.cam.type = source_2n_lpr
plugin.cam.auth = basic
plugin.cam.username = cam
plugin.cam.password = \${system.env.LPR_TEST_CAMERA_PASSWORD}
plugin.bms.type = sink_mqtt
plugin.bms.broker = tcp://127.0.0.1:$mqtt_port
EOF
echo "LPR_TEST_CAMERA_PASSWORD=s3cret" >>"$work/root/etc/default/lpr-gateway"
in_ct systemctl restart lpr-gateway || fail "restart with plugins"
expect_active
post_read PK0001 || fail "read PK0001 not accepted"
expect_delivered PK0001

step "reads posted across systemctl reload and restart all arrive"
post_reads_in_background PR 120
wait_posted 20 && in_ct systemctl reload lpr-gateway || fail "reload"
wait_until 10 journal_has "reloaded" || fail "no reload in the journal"
pid_before=$(in_ct systemctl show -p MainPID --value lpr-gateway)
wait_posted 50 && in_ct systemctl restart lpr-gateway || fail "restart"
wait "$poster_pid" || fail "a read was never accepted (see $work/posted)"
expect_active
[ "$(in_ct systemctl show -p MainPID --value lpr-gateway)" != "$pid_before" ] ||
  fail "restart did not replace the process"
echo "posts refused while restarting, then resent: $(wc -l <"$work/resent")"
expect_delivered $(cat "$work/posted")

step "the watchdog restarts a hung gateway (SIGSTOP)"
old_pid=$(in_ct systemctl show -p MainPID --value lpr-gateway)
restarts=$(in_ct systemctl show -p NRestarts --value lpr-gateway)
in_ct kill -STOP "$old_pid"
wait_until 40 watchdog_restarted "$old_pid" "$restarts" ||
  fail "no restart within 40 s after SIGSTOP (WatchdogSec=10s)"
wait_until 10 journal_has "watchdog timeout" || fail "the restart was not the watchdog's"
expect_active
post_read PW0001 || fail "read after the watchdog restart"
expect_delivered PW0001

step "upgrade: reads queued while the broker is down are delivered after apt install"
stop_broker
for i in 1 2 3 4 5; do post_read "PU000$i" || fail "read PU000$i not accepted"; done
pid_before=$(in_ct systemctl show -p MainPID --value lpr-gateway)
in_ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "/root/debs/$(basename "$deb_v2")" >>"$work/apt.log" 2>&1 || fail "apt install of the upgrade"
[ "$(in_ct dpkg-query -W -f '${Version}' lpr-gateway)" = "$(dpkg-deb -f "$deb_v2" Version)" ] ||
  fail "not upgraded"
expect_active
[ "$(in_ct systemctl show -p MainPID --value lpr-gateway)" != "$pid_before" ] ||
  fail "the upgrade did not restart the service"
start_broker "$mqtt_port"
expect_delivered PU0001 PU0002 PU0003 PU0004 PU0005

step "apt purge removes everything but the system user and group"
rm -f "$work"/root/etc/lpr-gateway/conf.d/*-test-*.properties
in_ct env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q lpr-gateway >>"$work/apt.log" 2>&1 ||
  fail "apt purge"
for path in /etc/lpr-gateway /etc/default/lpr-gateway /var/lib/lpr-gateway /usr/bin/lpr-gateway \
  /lib/systemd/system/lpr-gateway.service \
  /etc/systemd/system/multi-user.target.wants/lpr-gateway.service \
  /usr/share/man/man8/lpr-gateway.8.gz /usr/share/doc/lpr-gateway; do
  in_ct test ! -e "$path" || fail "$path left after purge"
done
state=$(in_ct systemctl is-active lpr-gateway || true)
[ "$state" = inactive ] || fail "service $state after purge"
in_ct id lpr-gateway >/dev/null || fail "system user removed (Debian keeps it)"

echo "PASS"
passed=1
