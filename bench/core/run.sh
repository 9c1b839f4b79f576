#!/bin/sh
# Runs bench_core and prints each stage's reports/s and the full core's share of
# the raw simdjson parse ceiling measured in the same run.
# Usage: bench/core/run.sh [BUILD_DIR]   (a Release build; default build-release)
set -eu
build=${1:-build-release}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$build/bench/core/bench_core" --benchmark_format=json --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true >"$out"
python3 - "$out" <<'PY'
import json, sys
rows = {b["run_name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]
        if b.get("aggregate_name") == "median"}
for name, b in rows.items():
    print(f"{name:22} {b['items_per_second']/1e6:7.3f} M reports/s "
          f"{b['bytes_per_second']/1e6:8.1f} MB/s")
ratio = rows["BM_ProcessingCore"]["items_per_second"] / rows["BM_RawParse"]["items_per_second"]
print(f"full core / raw parse ceiling: {ratio:.1%}")
PY
