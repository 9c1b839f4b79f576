# Sourced by the end-to-end benchmark scripts: a work directory and the child
# processes it cleans up on exit, and the arithmetic and HTTP reads they share.
# FP_BENCH_KEEP=1 keeps the work directory (logs) for a look afterwards.
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n ${FP_BENCH_KEEP:-} ]]; then echo "logs in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
# summary_field PORT NAME: a number from /v1/summary ("consumed", "accepted", ...).
summary_field() { curl -s "http://127.0.0.1:$1/v1/summary" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
# metric PORT SERIES: one sample from /metrics.
metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v s="$2" '$1 == s { print $2 }'; }
