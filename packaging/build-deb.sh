#!/usr/bin/env bash
# Builds lpr-gateway_<version>_<arch>.deb from this checkout and checks it with lintian.
# dpkg-buildpackage wants debian/ at the top of the source: the tracked (and new, not ignored)
# files are staged in OUTDIR/src with packaging/debian as debian/, so the checkout stays clean.
# Usage: packaging/build-deb.sh [OUTDIR]     (default: build/deb; the .deb lands there)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$src/build/deb}")
stage="$out/src"

rm -rf "$stage" "$out"/lpr-gateway*_*
mkdir -p "$stage"
git -C "$src" ls-files -z --cached --others --exclude-standard |
  (cd "$src" && tar --null --ignore-failed-read -T - -cf -) | tar -C "$stage" -xf -
cp -a "$src/packaging/debian" "$stage/debian"

# The build reads the original plate models (gateway/ocr) from LPR_MODEL_DIR; the staged copy
# has no ../shared beside it, so the default is resolved against this checkout.
export LPR_MODEL_DIR="$(realpath -m "${LPR_MODEL_DIR:-$src/../shared/models}")"

# Two jobs at most: the edge-box build machines and CI runners have two cores.
(cd "$stage" && DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b)

# Suppressed, with the reason (also in README):
#  non-standard-file-perm on etc/default/lpr-gateway: 0600 on purpose, it holds the secrets.
changes=$(ls "$out"/lpr-gateway_*.changes)
lintian --fail-on error,warning --suppress-tags non-standard-file-perm "$changes"
ls "$out"/lpr-gateway_*.deb
