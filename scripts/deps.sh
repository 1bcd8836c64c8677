#!/usr/bin/env bash
# The Debian 12 packages lpr-gateway needs to build, test and run its demo; sourced by
# scripts/demo.sh, scripts/test.sh and .ci/run. Installs only what is missing.
# libsystemd-dev: sd_notify for the Type=notify service; debhelper, dpkg-dev, lintian: the
# Debian package (packaging/build-deb.sh). python3-onnx: the build rewrites the plate models for
# OpenCV 4.6 (gateway/ocr/make_cv46_models.py).
LPR_BUILD_PACKAGES=(build-essential cmake ninja-build pkg-config
  libpoco-dev libpaho-mqttpp-dev libpaho-mqtt-dev libsqlite3-dev
  libgtest-dev libgmock-dev libopencv-dev libmodbus-dev libgpiod-dev
  libsystemd-dev libhowardhinnant-date-dev debhelper dpkg-dev lintian python3-onnx)
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

# The original plate models the build rewrites (gateway/ocr/lpr_models.cmake checks their sha256):
# $LPR_MODEL_DIR, else ../shared/models beside the checkout, else downloaded once into
# build/model-originals from the addresses the README names.
lpr_models() {
  local dir="${LPR_MODEL_DIR:-$PWD/../shared/models}"
  local names=(cct_xs_v2_global.onnx yolo-v9-t-416-license-plates-end2end1.onnx)
  local urls=(
    https://github.com/ankandrew/fast-plate-ocr/releases/download/arg-plates/cct_xs_v2_global.onnx
    https://github.com/agusibrahim/fast-alpr-rs/raw/9a4e03d/models/yolo-v9-t-416-license-plates-end2end1.onnx)
  if [ ! -f "$dir/${names[0]}" ] || [ ! -f "$dir/${names[1]}" ]; then
    dir="$PWD/build/model-originals"
    mkdir -p "$dir"
    for i in 0 1; do
      [ -f "$dir/${names[$i]}" ] && continue
      echo "downloading plate model ${names[$i]}"
      curl -fsSL -o "$dir/${names[$i]}.part" "${urls[$i]}" &&
        mv "$dir/${names[$i]}.part" "$dir/${names[$i]}" ||
        echo "cannot download ${urls[$i]}: put the original models in a folder and set" \
          "LPR_MODEL_DIR to it (README: Models: download and licences)" >&2
    done
  fi
  # A shell variable, not exported: at run time LPR_MODEL_DIR names the rewritten models
  # (lpr-ocr), so the originals' folder must not leak into the tests' environment.
  LPR_MODEL_ORIGINALS="$(realpath "$dir")"
}

lpr_build() {
  local dir="${1:-build}"
  lpr_models
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLPR_MODEL_DIR="$LPR_MODEL_ORIGINALS" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}
