#!/usr/bin/env bash
# Restart-to-ready after a crash: N simulated reports stream into an embedded broker
# while one `fieldpulse run` processes them (checkpoints every second); once
# everything is consumed and checkpointed it is killed with SIGKILL, restarted in
# the same group, and timed from exec until GET /readyz answers 200.
#
#   bench/e2e/restart.sh [N] [INSTANCE_ID]   (default 1000000; INSTANCE_ID empty:
#                                             dynamic membership, else kafka.instance_id)
#
# Environment: FP_BUILD_DIR (default build/release), FP_BENCH_PARTITIONS (6),
# FP_BENCH_RATE (reports/s while loading, 40000: the embedded broker keeps only
# ~5 MiB per partition, so the pipeline must keep up), FP_BENCH_RUN_ARGS.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${1:-1000000}
INSTANCE=${2:-}
BUILD=${FP_BUILD_DIR:-build/release}
PARTITIONS=${FP_BENCH_PARTITIONS:-6}
RATE=${FP_BENCH_RATE:-40000}
RUN_ARGS=${FP_BENCH_RUN_ARGS:-}
FP=$BUILD/app/fieldpulse
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}"
[[ -x $FP ]] || { echo "build first: cmake --build $BUILD --target fieldpulse" >&2; exit 2; }

# shellcheck source=bench/e2e/common.sh
source bench/e2e/common.sh

"$FP" broker --partitions "$PARTITIONS" --bootstrap-file "$work/bootstrap" \
  >/dev/null 2>"$work/broker.log" </dev/null &
pids+=($!)
for _ in $(seq 100); do [[ -s $work/bootstrap ]] && break; sleep 0.1; done
BS=$(cat "$work/bootstrap")

run_args=(run --brokers "$BS" --http 127.0.0.1:0 --group restart
  --set checkpoint.interval_ms=1000)
[[ -n $INSTANCE ]] && run_args+=(--set "kafka.instance_id=$INSTANCE")
# shellcheck disable=SC2206
run_args+=($RUN_ARGS)

# Starts `fieldpulse run`; sets RUN_PID and RUN_PORT.
start_run() {
  : >"$work/run.out"
  "$FP" "${run_args[@]}" >"$work/run.out" 2>>"$work/run.log" &
  RUN_PID=$!
  pids+=("$RUN_PID")
  RUN_PORT=
  for _ in $(seq 6000); do
    RUN_PORT=$(sed -n 's|^fieldpulse: serving http://.*:\([0-9]*\)/$|\1|p' "$work/run.out")
    [[ -n $RUN_PORT ]] && return
    sleep 0.01
  done
  echo "run did not start" >&2
  exit 1
}

start_run
"$FP" simulate --brokers "$BS" --count "$N" --rate "$RATE" --seed 7 --bad 0.01 --dup 0.01 \
  >/dev/null 2>>"$work/simulate.log"
until [[ $(summary_field "$RUN_PORT" consumed) == "$N" ]]; do sleep 0.2; done
# A few checkpoint intervals (FP_BENCH_SETTLE s): everything consumed is checkpointed.
sleep "${FP_BENCH_SETTLE:-3}"
kill -9 "$RUN_PID"
wait "$RUN_PID" 2>/dev/null || true

start=$(now)
echo "[$(date '+%F %T.%3N')] restart.sh: restarting" >>"$work/run.log"
start_run
until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$RUN_PORT/readyz") == 200 ]]; do
  sleep 0.05
done
ready=$(now)
echo "restart to /readyz 200: $(elapsed "$start" "$ready") s" \
  "(N=$N, $PARTITIONS partitions, instance_id='${INSTANCE}', consumed after restart:" \
  "$(summary_field "$RUN_PORT" consumed))"
# Where the time went: the restart, the assignment (group join), readiness.
grep -E 'restarting|assigned [0-9]+ partition' "$work/run.log" | tail -2 >&2 || true
echo "[$(date -d "@$ready" '+%F %T.%3N')] ready" >&2
