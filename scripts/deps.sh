#!/usr/bin/env bash
# The Debian 12 packages lpr-gateway needs to build, test and run its demo; sourced by
# scripts/demo.sh, scripts/test.sh and .ci/run. Installs only what is missing.
# libsystemd-dev: sd_notify for the Type=notify service; debhelper, dpkg-dev, lintian: the
# Debian package (packaging/build-deb.sh). python3-onnx: the build rewrites the plate models for
# OpenCV 4.6 (gateway/ocr/make_cv46_models.py).
LPR_BUILD_PACKAGES=(build-essential cmake ninja-build pkg-config
  libpoco-dev libpaho-mqttpp-dev libpaho-mqtt-dev libsqlite3-dev
  libgtest-dev libgmock-dev libopencv-dev libmodbus-dev libgpiod-dev
  libsystemd-dev debhelper dpkg-dev lintian python3-onnx)
# python3-jsonschema: the tests validate published MQTT messages against their JSON Schema.
# socat: a serial line (pty pair) for the Modbus RTU tests; tzdata: proc_authorize's
# time_zone = system and its test read the zone rules.
# debootstrap, systemd-container: the package test boots a Debian 12 root under systemd-nspawn.
# ffmpeg, python3-gi, gir1.2-gst-rtsp-server-1.0, gstreamer1.0-*: the rtsp tests make a clip
# and serve it from a real RTSP server; source_rtsp reads it through OpenCV's GStreamer backend.
LPR_PEER_PACKAGES=(mosquitto mosquitto-clients openssl curl python3-jsonschema socat tzdata
  debootstrap systemd-container ffmpeg python3-gi gir1.2-gst-rtsp-server-1.0
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-libav)

lpr_install_deps() {
  local missing=()
  for p in "${LPR_BUILD_PACKAGES[@]}" "${LPR_PEER_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
}

lpr_build() {
  local dir="${1:-build}"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}
