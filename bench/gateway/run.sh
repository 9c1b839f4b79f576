#!/usr/bin/env bash
# The report gateway's throughput on a programme's history: NDJSON batches of up to
# 100 reports (one cadre's each, as a phone sends them) from 8 keep-alive clients into
# `fieldpulse gateway` and on to `fieldpulse broker`, as reports/s acknowledged and a
# ratio to `fieldpulse produce` sending the same reports in the same run (the ceiling:
# the same producer settings without HTTP, checks or receipts). Then the p99 request
# latency with the load paced at PACED reports/s.
#
# Usage: bench/gateway/run.sh [BUILD_DIR (build/release)] [COUNT (200000)] [PACED (5000)]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build/release}"
count="${2:-200000}"
paced="${3:-5000}"
bin="$build/app/fieldpulse"
load="$build/bench/gateway/bench_gateway_load"
source "$root/bench/e2e/common.sh"
export GLIBC_TUNABLES=glibc.malloc.hugetlb=1

"$bin" simulate --out "$work/reports.ndjson" --from 2018-05-01 --to 2019-07-31 \
  --count "$count" --seed 7 2>/dev/null
"$load" tokens "$work/reports.ndjson" "$work/tokens.tsv" "$work/tokens.map"
echo "history: $count reports 2018-05-01..2019-07-31, $(wc -l <"$work/tokens.map") cadres (one token each)"

"$bin" broker --partitions 6 --topic ceiling:6 --bootstrap-file "$work/bootstrap" \
  >"$work/broker.out" 2>"$work/broker.err" &
pids+=($!)
for _ in $(seq 100); do [[ -s $work/bootstrap ]] && break; sleep 0.1; done
brokers=$(cat "$work/bootstrap")

"$bin" produce --brokers "$brokers" --topic ceiling "$work/reports.ndjson" 2>"$work/produce.log"
ceiling=$(sed -n 's/.*(\([0-9]*\) reports\/s).*/\1/p' "$work/produce.log")
echo "ceiling: fieldpulse produce  $ceiling reports/s"

"$bin" gateway --brokers "$brokers" --tokens "$work/tokens.tsv" --http 127.0.0.1:0 \
  --token-rate 1000000 --token-burst 1000000 >"$work/gateway.out" 2>"$work/gateway.err" &
pids+=($!)
for _ in $(seq 100); do grep -q serving "$work/gateway.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)\/$/\1/p' "$work/gateway.out")

full=$("$load" load "$port" "$work/reports.ndjson" "$work/tokens.map" 8 100)
rate_full=$(sed -n 's/.*reports_per_s \([0-9]*\).*/\1/p' <<<"$full")
echo "gateway, 8 clients, as fast as answered: $full"
echo "ratio gateway / produce: $(ratio "$rate_full" "$ceiling")"

head -n $((paced * 10)) "$work/reports.ndjson" >"$work/paced.ndjson"
echo "gateway, 8 clients, paced at $paced reports/s (10 s): $("$load" load "$port" \
  "$work/paced.ndjson" "$work/tokens.map" 8 100 "$paced")"
