#!/usr/bin/env bash
# End-to-end benchmark of `fieldpulse run` (Release build with -DFP_ARCH=native, so
# simdjson uses its SIMD kernels rather than its generic fallback): loads a simulated
# history of N reports (15 months of event days, the whole roster) into an embedded
# broker, times the pipeline from its first to its last report, and compares it with
# ceilings measured on the same topic in the same run: a bare librdkafka consumer (with
# and without simdjson parsing) and `bench_rows`, which also produces a row per new
# aggregate block. Then measures processing latency at a steady rate.
#
#   bench/e2e/run.sh [N]      (default 1000000, ~260 MB)
#
# Environment: FP_BUILD_DIR (default build/release), FP_BENCH_FROM and FP_BENCH_TO (the
# history's event days, default 2018-05-01 and 2019-07-31; the same day twice gives the
# old one-day shape), FP_BENCH_PARTITIONS (default 128;
# the embedded broker keeps only ~5 MiB per partition, so N/partitions must stay well
# under that), FP_BENCH_ROSTER, FP_BENCH_RATE (steady rate of the latency phase, 20000),
# FP_BENCH_LATENCY_SECONDS (10), FP_BENCH_LATENCY_PARTITIONS (partitions of the second
# latency phase's topic, 16), FP_BENCH_RUN_ARGS (extra `fieldpulse run` flags).
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${1:-1000000}
BUILD=${FP_BUILD_DIR:-build/release}
PARTITIONS=${FP_BENCH_PARTITIONS:-128}
ROSTER=${FP_BENCH_ROSTER:-data/zhanjiang-roster.json}
RATE=${FP_BENCH_RATE:-20000}
LATENCY_SECONDS=${FP_BENCH_LATENCY_SECONDS:-10}
LATENCY_PARTITIONS=${FP_BENCH_LATENCY_PARTITIONS:-16}
RUN_ARGS=${FP_BENCH_RUN_ARGS:-}
FROM=${FP_BENCH_FROM:-2018-05-01}
TO=${FP_BENCH_TO:-2019-07-31}
FP=$BUILD/app/fieldpulse
# Run as deployed (deploy/systemd/fieldpulse.service.in): glibc's heap on huge pages.
# The ceiling readers get the same setting.
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}"
BC=$BUILD/bench/e2e/bench_consume
BR=$BUILD/bench/e2e/bench_rows
if [[ ! -x $FP || ! -x $BC || ! -x $BR ]]; then
  echo "build first: cmake -S . -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release -DFP_ARCH=native -DFP_SANITIZE=OFF && cmake --build $BUILD --target fieldpulse bench_consume bench_rows" >&2
  exit 2
fi

# shellcheck source=bench/e2e/common.sh
source bench/e2e/common.sh

# Starts `fieldpulse run`; sets RUN_PID and RUN_PORT.
start_run() {
  "$FP" run --brokers "$BS" --roster "$ROSTER" --http 127.0.0.1:0 --group bench \
    $RUN_ARGS >"$work/run.out" 2>>"$work/run.log" &
  RUN_PID=$!
  pids+=("$RUN_PID")
  RUN_PORT=
  for _ in $(seq 600); do
    RUN_PORT=$(sed -n 's|^fieldpulse: serving http://.*:\([0-9]*\)/$|\1|p' "$work/run.out")
    [[ -n $RUN_PORT ]] && return
    sleep 0.05
  done
  echo "fieldpulse run did not start; see $work/run.log" >&2
  exit 1
}

stop_run() {
  local t0 t1
  t0=$(now)
  kill -TERM "$RUN_PID"
  wait "$RUN_PID" || { echo "fieldpulse run exited $?" >&2; exit 1; }
  t1=$(now)
  DRAIN_S=$(elapsed "$t0" "$t1")
}

echo "== broker: 1 broker, $PARTITIONS partitions per topic"
"$FP" broker --brokers 1 --partitions "$PARTITIONS" --bootstrap-file "$work/bs" \
  >/dev/null 2>"$work/broker.log" &
pids+=($!)
for _ in $(seq 200); do [[ -s $work/bs ]] && break; sleep 0.05; done
BS=$(cat "$work/bs")

echo "== load: a history of $N simulated reports, event days $FROM..$TO (3% late, 1% malformed, 1% resent)"
t0=$(now)
"$FP" simulate --brokers "$BS" --roster "$ROSTER" --count "$N" --seed 1 --bad 0.01 --dup 0.01 \
  --from "$FROM" --to "$TO" >/dev/null 2>"$work/simulate.log"
t1=$(now)
echo "   loaded in $(elapsed "$t0" "$t1") s"
read -r held lost < <("$BC" --brokers "$BS" --watermarks || true)
echo "   broker holds $held messages; partitions that dropped their oldest data: $lost"
if [[ $held != "$N" || $lost != 0 ]]; then
  echo "retention exceeded: use more partitions (FP_BENCH_PARTITIONS) or a smaller N" >&2
  exit 1
fi

echo "== ceiling: bare librdkafka consumer (tuned fetch, prefetch holds the whole topic)"
# Output: messages, seconds and rate from start, MB/s, seconds and rate from the first message.
read -r _ _ _ bare_mb _ bare_rate _ < <("$BC" --brokers "$BS" --count "$N")
echo "   consume:        $bare_rate msg/s from the first message ($bare_mb MB/s)"
read -r _ _ _ parse_mb _ parse_rate _ < <("$BC" --brokers "$BS" --count "$N" --parse)
echo "   consume+parse:  $parse_rate msg/s from the first message ($parse_mb MB/s)"
# The same reader as a member of a new consumer group, like `fieldpulse run`: the
# group's first join waits out the broker's initial rebalance delay (3 s by default
# on Kafka, and in the embedded broker).
read -r _ gparse_s gparse_rate _ _ _ _ < <("$BC" --brokers "$BS" --count "$N" --parse --group "bench-$$")
echo "   consume+parse in a new group: $gparse_rate msg/s from start ($gparse_s s, group join included)"
# Output: reports, seconds to the last consumed, seconds until every row is acknowledged,
# reports/s over the latter, rows, rows per report.
read -r _ _ rows_s rows_rate rows_rows rows_per_report < <("$BR" --brokers "$BS" --count "$N")
echo "   consume+parse+produce a row per new block: $rows_rate reports/s from the first report until all rows are acknowledged ($rows_s s; $rows_rows rows, $rows_per_report a report)"

echo "== fieldpulse run: from start until all $N are consumed"
t0=$(now)
start_run
first=
while :; do
  consumed=$(summary_field "$RUN_PORT" consumed)
  if [[ -z $first && ${consumed:-0} -gt 0 ]]; then first=$(now); fi
  [[ ${consumed:-0} -ge $N ]] && break
  if ! kill -0 "$RUN_PID" 2>/dev/null; then echo "fieldpulse run died; see $work/run.log" >&2; exit 1; fi
  sleep 0.05
done
t1=$(now)
run_s=$(elapsed "$t0" "$t1")
join_s=$(elapsed "$t0" "$first")
work_s=$(elapsed "$first" "$t1")
hwm_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$RUN_PID/status")
stop_run
run_rate=$(rate "$N" "$run_s")
work_rate=$(rate "$N" "$work_s")
echo "   $run_rate msg/s from process start ($run_s s, of which $join_s s group join and restore)"
echo "   $work_rate msg/s from the first processed batch ($work_s s)"
echo "   drain (SIGTERM to exit 0, with checkpoints of $PARTITIONS partitions): $DRAIN_S s"
# Everything consumed and acknowledged: every output and checkpoint written and
# the offsets committed, which `run` does by its drain at the latest.
done_s=$(awk -v a="$run_s" -v b="$DRAIN_S" 'BEGIN { printf "%.2f", a + b }')
done_rate=$(rate "$N" "$done_s")
echo "   $done_rate msg/s from process start until all is acknowledged and committed ($done_s s)"
echo "   peak RSS (VmHWM): $((hwm_kb / 1024)) MB"
read -r rows rows_lost < <("$BC" --brokers "$BS" --topic field-progress --watermarks || true)
rows_ratio=$(awk -v r="$rows" -v n="$N" 'BEGIN { printf "%.3f", r / n }')
echo "   field-progress rows written: $rows ($rows_ratio a report; partitions that dropped data: $rows_lost)"

# Sends RATE reports/s for LATENCY_SECONDS to the broker $BS while the instance on
# $RUN_PORT and a bare consumer (the floor) read them; sets P50, P99, WITHIN_50MS
# (share of reports applied within 50 ms) and BARE_P50, BARE_P99, BARE_MAX (ms).
measure_latency() {
  local before count
  for _ in $(seq 1200); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$RUN_PORT/readyz") == 200 ]] && break
    sleep 0.05
  done
  before=$(summary_field "$RUN_PORT" consumed)
  count=$((RATE * LATENCY_SECONDS))
  "$BC" --brokers "$BS" --count "$count" --latency >"$work/bare-latency" 2>"$work/bare-ready" &
  local bare_pid=$!
  pids+=("$bare_pid")
  for _ in $(seq 600); do grep -q ready "$work/bare-ready" && break; sleep 0.05; done
  "$FP" simulate --brokers "$BS" --roster "$ROSTER" --rate "$RATE" --count "$count" --seed 2 \
    >/dev/null 2>"$work/simulate2.log"
  wait "$bare_pid" || true
  read -r BARE_P50 BARE_P99 BARE_MAX <"$work/bare-latency"
  while [[ $(summary_field "$RUN_PORT" consumed) -lt $((before + count)) ]]; do sleep 0.05; done
  # Bucket bounds of the histogram: the smallest bound holding 50% / 99%, and
  # the share at 50 ms. (The instance saw only these reports since it started.)
  read -r P50 P99 WITHIN_50MS < <(curl -s "http://127.0.0.1:$RUN_PORT/metrics" | awk '
    /^fieldpulse_processing_latency_seconds_bucket/ {
      le = $0; sub(/.*le="/, "", le); sub(/".*/, "", le); n++; bound[n] = le; cum[n] = $NF }
    /^fieldpulse_processing_latency_seconds_count/ { total = $NF }
    END {
      for (i = 1; i <= n; i++) if (cum[i] >= 0.5 * total) { p50 = bound[i]; break }
      for (i = 1; i <= n; i++) if (cum[i] >= 0.99 * total) { p99 = bound[i]; break }
      for (i = 1; i <= n; i++) if (bound[i] == "0.05") w = 100 * cum[i] / total
      printf "%s %s %.1f%%\n", p50, p99, w }')
}

echo "== latency: a restarted instance at a steady $RATE reports/s for $LATENCY_SECONDS s ($PARTITIONS partitions)"
start_run
measure_latency
stop_run
echo "   latency (Kafka timestamp to applied): p50 <= ${P50}s, p99 <= ${P99}s, ${WITHIN_50MS} within 50 ms"
echo "   bare consumer, same messages (Kafka timestamp to received): p50 ${BARE_P50} ms, p99 ${BARE_P99} ms, max ${BARE_MAX} ms"
wide_p99=$P99 wide_within=$WITHIN_50MS wide_bare_p99=$BARE_P99

# The 1M-report topic needs PARTITIONS only because the embedded broker keeps
# ~5 MiB a partition; a topic sized for 20,000 reports/s (~7 MB/s) has far fewer,
# and with hundreds of mostly empty partitions the embedded broker and
# librdkafka spend their time on per-partition fetch work (docs/operations.md).
echo "== latency: a fresh broker with $LATENCY_PARTITIONS partitions, a new instance, the same rate"
kill "${pids[0]}" 2>/dev/null || true
rm -f "$work/bs2"
"$FP" broker --brokers 1 --partitions "$LATENCY_PARTITIONS" --bootstrap-file "$work/bs2" \
  >/dev/null 2>"$work/broker2.log" &
pids+=($!)
for _ in $(seq 200); do [[ -s $work/bs2 ]] && break; sleep 0.05; done
BS=$(cat "$work/bs2")
start_run
measure_latency
stop_run
echo "   latency (Kafka timestamp to applied): p50 <= ${P50}s, p99 <= ${P99}s, ${WITHIN_50MS} within 50 ms"
echo "   bare consumer, same messages (Kafka timestamp to received): p50 ${BARE_P50} ms, p99 ${BARE_P99} ms, max ${BARE_MAX} ms"

echo "== result (N=$N, event days $FROM..$TO)"
echo "   run: $work_rate reports/s from its first to its last report, peak RSS $((hwm_kb / 1024)) MB, $rows_ratio field-progress rows a report"
echo "   run / consume+parse+produce rows = $(ratio "$work_rate" "$rows_rate") from the first report   (reader: $rows_per_report rows a report)"
echo "   run / consume+parse = $(ratio "$work_rate" "$parse_rate") from the first batch, $(ratio "$run_rate" "$gparse_rate") from start against the group reader   (goal >= 80%)"
echo "   run / consume+parse = $(ratio "$done_rate" "$gparse_rate") from start until all is acknowledged and committed, against the group reader"
echo "   run / bare consume  = $(ratio "$work_rate" "$bare_rate") from the first batch   (goal >= 50%)"
echo "   RSS $((hwm_kb / 1024)) MB (goal <= 300)"
echo "   p99 <= ${P99}s with $LATENCY_PARTITIONS partitions, <= ${wide_p99}s with $PARTITIONS (bare consumer ${wide_bare_p99} ms); within 50 ms: ${WITHIN_50MS}, ${wide_within}   (goal p99 <= 0.05)"
