#!/usr/bin/env bash
# The PostgreSQL sink's cost on a history: `fieldpulse run` over the same reports
# with and without `--postgres` (a local PostgreSQL 15 with its default settings,
# fsync on), each in a new consumer group, in the same run. Each is timed from
# process start until everything is consumed, then SIGTERM; the drain waits until
# every output is acknowledged and the offsets are committed, so the total is the
# time until the table holds everything.
#
#   bench/e2e/postgres.sh [N]   (default 300000 reports)
#
# The history: `fieldpulse simulate --from FROM --to TO` (15 months by default,
# 3% late, 1% malformed, 1% resent), the roster's villages and cadres spread over it.
# Environment: FP_BUILD_DIR (default build/release), FP_BENCH_PARTITIONS (64),
# FP_BENCH_ROSTER (data/zhanjiang-roster.json: 1,600 villages, 1,235 cadres),
# FP_BENCH_FROM and FP_BENCH_TO (default 2018-05-01..2019-07-31), FP_BENCH_REPORTS
# (a file to keep the history in across runs; made when missing), FP_PG_BIN
# (/usr/lib/postgresql/15/bin).
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${1:-300000}
BUILD=${FP_BUILD_DIR:-build/release}
PARTITIONS=${FP_BENCH_PARTITIONS:-64}
ROSTER=${FP_BENCH_ROSTER:-data/zhanjiang-roster.json}
FROM=${FP_BENCH_FROM:-2018-05-01}
TO=${FP_BENCH_TO:-2019-07-31}
PG_BIN=${FP_PG_BIN:-/usr/lib/postgresql/15/bin}
FP=$BUILD/app/fieldpulse
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}"
if [[ ! -x $FP ]]; then
  echo "build first: cmake -S . -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release -DFP_ARCH=native && cmake --build $BUILD --target fieldpulse" >&2
  exit 2
fi

# shellcheck source=bench/e2e/common.sh
source bench/e2e/common.sh
chmod 755 "$work"  # the postgres user writes its data directory in it

# PostgreSQL refuses to run as root: then the server runs as the postgres user.
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

REPORTS=${FP_BENCH_REPORTS:-$work/reports.ndjson}
if [[ -s $REPORTS ]]; then
  echo "== history: $REPORTS (kept from an earlier run)"
else
  echo "== history: $N reports, event days $FROM..$TO"
  "$FP" simulate --out "$REPORTS.part" --roster "$ROSTER" --count "$N" --seed 1 \
    --from "$FROM" --to "$TO" --bad 0.01 --dup 0.01 2>/dev/null
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

echo "== result (N=$N, event days $FROM..$TO)"
echo "   with / without --postgres = $(awk -v a="$plain_total" -v b="$pg_total" 'BEGIN { printf "%.2f", a / b }')   (goal >= 0.5)"
