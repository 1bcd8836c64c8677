#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (or one area: scripts/test.sh -L mqtt).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
lpr_install_deps
lpr_build build
ctest --test-dir build --output-on-failure -j 2 --timeout 300 "$@"
