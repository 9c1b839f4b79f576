#!/usr/bin/env bash
# The PostgreSQL sink's cost on a history: `fieldpulse run` over the same reports
# with and without `--postgres` (a local PostgreSQL 15 with its default settings,
# fsync on), each in a new consumer group, in the same run. Each is timed from
# process start until everything is consumed, then SIGTERM; the drain waits until
# every output is acknowledged and the offsets are committed, so the total is the
# time until the table holds everything.
#
#   bench/e2e/postgres.sh [N] [DAYS]   (default 300000 reports over 456 days, ~15 months)
#
# The history: one `fieldpulse simulate --out` per event day (--now at 10:00 CST
# of the day, seed = day number, 1% malformed, 1% resent), so every day of the
# period has its reports and the roster's villages and cadres spread over them.
# Environment: FP_BUILD_DIR (default build/release), FP_BENCH_PARTITIONS (64),
# FP_BENCH_ROSTER (data/zhanjiang-roster.json: 1,600 villages, 1,235 cadres),
# FP_BENCH_LAST_DAY (the history's last day, default 2026-11-30), FP_BENCH_REPORTS
# (a file to keep the history in across runs; made when missing), FP_PG_BIN
# (/usr/lib/postgresql/15/bin).
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${1:-300000}
DAYS=${2:-456}
BUILD=${FP_BUILD_DIR:-build/release}
PARTITIONS=${FP_BENCH_PARTITIONS:-64}
ROSTER=${FP_BENCH_ROSTER:-data/zhanjiang-roster.json}
LAST_DAY=${FP_BENCH_LAST_DAY:-2026-11-30}
PG_BIN=${FP_PG_BIN:-/usr/lib/postgresql/15/bin}
FP=$BUILD/app/fieldpulse
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}"
if [[ ! -x $FP ]]; then
  echo "build first: cmake -S . -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release -DFP_ARCH=native && cmake --build $BUILD --target fieldpulse" >&2
  exit 2
fi

work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
summary_field() { curl -s "http://127.0.0.1:$1/v1/summary" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v s="$2" '$1 == s { print $2 }'; }
# PostgreSQL refuses to run as root: then the server runs as the postgres user.
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

REPORTS=${FP_BENCH_REPORTS:-$work/reports.ndjson}
if [[ -s $REPORTS ]]; then
  echo "== history: $REPORTS (kept from an earlier run)"
else
  echo "== history: $N reports over $DAYS event days ending $LAST_DAY"
  per_day=$((N / DAYS))
  last_s=$(date -u -d "$LAST_DAY 02:00" +%s)  # 10:00 CST
  : >"$REPORTS.part"
  for ((d = 0; d < DAYS; d++)); do
    count=$per_day
    ((d == DAYS - 1)) && count=$((N - per_day * (DAYS - 1)))
    day=$(date -u -d "@$((last_s - (DAYS - 1 - d) * 86400))" +%Y-%m-%dT%H:%M:%SZ)
    "$FP" simulate --out - --roster "$ROSTER" --count "$count" --seed "$((d + 1))" --now "$day" \
      --bad 0.01 --dup 0.01 >>"$REPORTS.part" 2>/dev/null
  done
  mv "$REPORTS.part" "$REPORTS"
fi
N=$(wc -l <"$REPORTS")
echo "   $N reports, $(du -m "$REPORTS" | cut -f1) MB"

echo "== broker: 1 broker, $PARTITIONS partitions; load"
# A state topic per group: a group's checkpoints are its own.
"$FP" broker --brokers 1 --partitions "$PARTITIONS" --topic "state-pg:$PARTITIONS" \
  --bootstrap-file "$work/bs" \
  >/dev/null 2>"$work/broker.log" &
pids+=($!)
for _ in $(seq 200); do [[ -s $work/bs ]] && break; sleep 0.05; done
BS=$(cat "$work/bs")
"$FP" produce --brokers "$BS" "$REPORTS" >/dev/null 2>"$work/produce.log"

echo "== PostgreSQL: $("$PG_BIN/postgres" --version), default settings"
mkdir -p "$work/pg" && chown postgres "$work/pg" 2>/dev/null || true
as_pg "$PG_BIN/initdb" -D "$work/pg/data" -U postgres -A trust >/dev/null
PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "$PG_BIN/postgres" -D "$work/pg/data" -k "$work/pg" -c listen_addresses=127.0.0.1 \
  -c port="$PG_PORT" >"$work/pg.log" 2>&1 &
pids+=($!)
URI="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
for _ in $(seq 600); do as_pg "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.05; done

# Runs `fieldpulse run` in group $1 with flags $2.. until all N are consumed, then
# drains; sets RUN_S (start to all consumed), DRAIN_S, TOTAL_S, REDONE (1 when the
# drain ended with outputs unacknowledged), and from the PostgreSQL sink's last log
# line WRITES (rows acknowledged), UPSERTED (of them, distinct keys per transaction)
# and TRANSACTIONS.
measure() {
  local group=$1 t0 t1 t2 port=
  shift
  t0=$(now)
  "$FP" run --brokers "$BS" --roster "$ROSTER" --http 127.0.0.1:0 --group "$group" "$@" \
    >"$work/$group.out" 2>"$work/$group.log" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 600); do
    port=$(sed -n 's|^fieldpulse: serving http://.*:\([0-9]*\)/$|\1|p' "$work/$group.out")
    [[ -n $port ]] && break
    sleep 0.05
  done
  while [[ $(summary_field "$port" consumed) -lt $N ]]; do
    kill -0 "$pid" 2>/dev/null || { echo "fieldpulse run died:" >&2; tail -20 "$work/$group.log" >&2; exit 1; }
    sleep 0.05
  done
  t1=$(now)
  kill -TERM "$pid"
  wait "$pid" || { echo "fieldpulse run exited $?" >&2; cat "$work/$group.log" >&2; exit 1; }
  t2=$(now)
  RUN_S=$(elapsed "$t0" "$t1")
  DRAIN_S=$(elapsed "$t1" "$t2")
  TOTAL_S=$(elapsed "$t0" "$t2")
  REDONE=0
  grep -q "will be redone" "$work/$group.log" && REDONE=1
  read -r WRITES UPSERTED TRANSACTIONS < <(sed -n \
    's/.*postgres sink: \([0-9]*\) rows acknowledged.* \([0-9]*\) upserted in \([0-9]*\) transactions.*/\1 \2 \3/p' \
    "$work/$group.log" | tail -1) || true
}

echo "== fieldpulse run without --postgres"
measure bench-plain
plain_total=$TOTAL_S
echo "   consumed in $RUN_S s, drained in $DRAIN_S s: $(rate "$N" "$TOTAL_S") reports/s until all is committed"

echo "== fieldpulse run with --postgres"
measure bench-pg --postgres "$URI" --set kafka.topics.state=state-pg
pg_total=$TOTAL_S
rows=$(as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atc "SELECT count(*) FROM progress")
echo "   consumed in $RUN_S s, drained in $DRAIN_S s: $(rate "$N" "$TOTAL_S") reports/s until all is committed"
echo "   table: $rows rows; rows acknowledged: ${WRITES:-?} ($(rate "${WRITES:-0}" "$TOTAL_S") rows/s over the run), upserted after coalescing: ${UPSERTED:-?} in ${TRANSACTIONS:-?} transactions"
if [[ $REDONE == 1 ]]; then
  echo "   the drain ended before PostgreSQL acknowledged everything: the total is a lower bound"
fi

echo "== result (N=$N over $DAYS days)"
echo "   with / without --postgres = $(awk -v a="$plain_total" -v b="$pg_total" 'BEGIN { printf "%.2f", a / b }')   (goal >= 0.5)"
