#!/usr/bin/env bash
# The capacity pass at scale: `arrears run` of the retail policy without and with capacities
# (visits limited per region, suits over the whole book, both with a priority), and of the SME
# policy (per-borrower decisions and its field team's capacity, on the grouped book), with
# wall time and peak RSS (GNU time's "Maximum resident set size"), and how many loans the
# capacities queued.
#
#   benches/capacity.sh [COUNT [THREADS]]     default 1000000 loans, all cores
#
# The book (seed 7) is made in $BENCH_DIR (default /tmp/arrears-capacity/COUNT), grouped by
# borrower so the SME policy can be run `--borrowers sorted`, and deleted unless KEEP=1.
# A run with capacities reads the book twice: once to rank the claims, once to write.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
threads=${2:-}
dir=${BENCH_DIR:-/tmp/arrears-capacity/$count}
cargo build --release --quiet --bin arrears --example gen_sample
target=$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target/release/arrears"
thread_args=()
[ -n "$threads" ] && thread_args=(--threads "$threads")
mkdir -p "$dir"
if [ ! -s "$dir/retail-sample.jsonl" ]; then
  "$target/release/examples/gen_sample" "$count" 7 "$dir" grouped 2> /dev/null
  rm -f "$dir/retail-sample.csv" "$dir/retail-sample.yaml"
fi
book="$dir/retail-sample.jsonl"
# The retail policy with capacities, beside a copy of its schema.
cp policies/loan-v1.schema "$dir/"
cp policies/retail.policy "$dir/capacity.policy"
cat >> "$dir/capacity.policy" <<'POLICY'

capacity onsite_visit "field officers' visits": 2000 per region per day
  priority by principal_outstanding desc, overdue desc
  else phone_escalation
capacity litigation "the legal team's filings": 500 per day
  priority by principal_outstanding desc
POLICY
measure() {
  local label=$1
  shift
  local log
  log=$(mktemp)
  /usr/bin/time -v "$bin" run "$@" --as-of 2026-11-20 --quiet "${thread_args[@]}" \
    > "$dir/out.jsonl" 2> "$log"
  local wall rss queued
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  queued=$(grep -c '"queued":\[{' "$dir/out.jsonl" || true)
  printf '%-46s wall %8s  peak RSS %6d MB  queued %8d  sha256 %s\n' "$label" "$wall" \
    $((rss / 1024)) "$queued" "$(sha256sum "$dir/out.jsonl" | cut -c1-12)"
  rm -f "$log"
}
echo "arrears run, $count loans, threads: ${threads:-all cores}"
measure "retail, no capacity" policies/retail.policy "$book"
measure "retail with capacities (visits, suits)" "$dir/capacity.policy" "$book"
measure "SME with its field team's capacity, sorted" policies/小微企业催收.policy "$book" \
  --borrowers sorted
rm -f "$dir/out.jsonl"
[ "${KEEP:-0}" = 1 ] || rm -rf "${dir:?}"
