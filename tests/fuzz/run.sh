#!/usr/bin/env bash
# Builds the fuzz targets (report reader; the gateway's NDJSON splitting) with clang (build/fuzz) and runs each for SECONDS
# (default 60) from the seed corpus in tests/data/corpus. The corpus is copied to a temporary
# directory, so new inputs never land in the repository. Exits non-zero on any crash, leak,
# sanitizer report or broken invariant; the reproducer is left in build/fuzz/artifacts/.
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${FP_FUZZ_BUILD_DIR:-$root/build/fuzz}"
cxx="${FP_FUZZ_CXX:-clang++-14}"

generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

cmake -S "$root" -B "$build" "${generator[@]}" "${launcher[@]}" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFP_FUZZ=ON -DFP_TESTS=OFF -DFP_BENCH=OFF -DFP_SANITIZE=OFF >/dev/null
cmake --build "$build" --target report_reader_fuzz ndjson_split_fuzz -j "${FP_FUZZ_JOBS:-2}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$build/artifacts"
cp "$root"/tests/data/corpus/* "$work/corpus/"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# libFuzzer's progress lines go to a log; on failure the log's tail is shown.
log="$build/fuzz.log"
status=0
"$build/tests/fuzz/report_reader_fuzz" "$work/corpus" \
  -dict="$root/tests/fuzz/report.dict" \
  -max_total_time="$seconds" -max_len=70000 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  tail -n 80 "$log"
  echo "fuzz: report_reader_fuzz failed (exit $status); reproducer in $build/artifacts/" >&2
  exit "$status"
fi
grep -E '^(Done|stat::)' "$log" || true
echo "fuzz: report_reader_fuzz ran ${seconds}s with no crash, leak or sanitizer report"

# The gateway's NDJSON body splitting, from the same corpus joined into bodies.
mkdir -p "$work/bodies"
cat "$root"/tests/data/corpus/* >"$work/bodies/all"
"$build/tests/fuzz/ndjson_split_fuzz" "$work/bodies" -max_total_time="$seconds" \
  -max_len=70000 -artifact_prefix="$build/artifacts/" >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  tail -n 80 "$log"
  echo "fuzz: ndjson_split_fuzz failed (exit $status); reproducer in $build/artifacts/" >&2
  exit "$status"
fi
echo "fuzz: ndjson_split_fuzz ran ${seconds}s with no crash or sanitizer report"
