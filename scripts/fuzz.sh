#!/usr/bin/env bash
# Builds the converters' libFuzzer targets with clang under ASan + UBSan (build-fuzz/) and runs
# each for SECONDS (default 60), starting from a copy of its seed corpus (the adapter's testdata).
# Prints executions and the outcome per target; a crash or sanitizer report fails the script and
# leaves the input in build-fuzz/<target>-crash-*.   Usage: scripts/fuzz.sh [SECONDS] [TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
lpr_install_deps
# libFuzzer and the sanitizers come with clang; the build and test packages above are not enough.
LPR_BUILD_PACKAGES=(clang libclang-rt-14-dev)
LPR_PEER_PACKAGES=()
lpr_install_deps
seconds="${1:-60}"
only="${2:-}"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DLPR_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target lpr_fuzzers
status=0
printf '%-34s %8s %12s %10s  %s\n' target seconds executions exec/s result
while read -r name corpus; do
  [ -z "$name" ] && continue
  [ -n "$only" ] && [ "$name" != "$only" ] && continue
  work="build-fuzz/corpus/$name"
  mkdir -p "$work"
  find "$corpus" -maxdepth 1 -type f ! -name '*.md' -exec cp -n {} "$work/" \;
  log="build-fuzz/$name.log"
  result=ok
  if ! "build-fuzz/bin/$name" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 \
    -max_len=262144 -artifact_prefix="build-fuzz/$name-" "$work" >"$log" 2>&1; then
    result="FAILED (see $log)"
    status=1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  printf '%-34s %8s %12s %10s  %s\n' "$name" "$seconds" "$execs" "$((execs / seconds))" "$result"
done <build-fuzz/fuzzers.txt
exit $status
