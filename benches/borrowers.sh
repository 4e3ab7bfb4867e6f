#!/usr/bin/env bash
# Borrower-level decisions at scale: `arrears run` of the SME policy (its contact plan is made
# per borrower, its guardrails count contacts per borrower) against the per-loan retail policy,
# on the same generated book, with wall time and peak RSS (GNU time's "Maximum resident set
# size").
#
#   benches/borrowers.sh [COUNT [THREADS]]     default 1000000 loans, all cores
#
# Two books of COUNT loans (seed 7), the same loans in two orders: as generated (a borrower's
# loans scattered within blocks of 100, as in a book ordered by loan id) for
# `--borrowers unsorted`, and grouped by borrower for `--borrowers sorted`. Each is made in
# $BENCH_DIR (default /tmp/arrears-borrowers/COUNT), measured, and deleted unless KEEP=1 (at
# 10M loans a book is 10 GB); their CSV copies are never kept. The spill folder of an
# unsorted run goes to $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
threads=${2:-}
dir=${BENCH_DIR:-/tmp/arrears-borrowers/$count}
cargo build --release --quiet --bin arrears --example gen_sample
target=$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target/release/arrears"
thread_args=()
[ -n "$threads" ] && thread_args=(--threads "$threads")
measure() {
  local label=$1
  shift
  local log
  log=$(mktemp)
  /usr/bin/time -v "$bin" run "$@" --as-of 2026-11-20 --quiet "${thread_args[@]}" \
    > "$dir/out.jsonl" 2> "$log"
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  local read
  read=$(grep -v "^\s" "$log" | grep -v "Command being timed" | head -1 || true)
  printf '%-44s wall %8s  peak RSS %6d MB  %s  sha256 %s\n' "$label" "$wall" $((rss / 1024)) \
    "$read" "$(sha256sum "$dir/out.jsonl" | cut -c1-12)"
  rm -f "$log"
}
book() {
  local order=$1
  if [ ! -s "$dir/$order/retail-sample.jsonl" ]; then
    mkdir -p "$dir/$order"
    local extra=()
    [ "$order" = grouped ] && extra=(grouped)
    "$target/release/examples/gen_sample" "$count" 7 "$dir/$order" "${extra[@]}" 2> /dev/null
    rm -f "$dir/$order/retail-sample.csv" "$dir/$order/retail-sample.yaml"
  fi
  echo "$dir/$order/retail-sample.jsonl"
}
done_with() {
  [ "${KEEP:-0}" = 1 ] || rm -rf "${dir:?}/$1"
}
echo "arrears run, $count loans, threads: ${threads:-all cores}"
scattered=$(book scattered)
measure "retail (per loan), scattered book" policies/retail.policy "$scattered"
measure "SME (per borrower), scattered, unsorted" policies/小微企业催收.policy "$scattered" \
  --borrowers unsorted
done_with scattered
grouped=$(book grouped)
measure "retail (per loan), grouped book" policies/retail.policy "$grouped"
measure "SME (per borrower), grouped, sorted" policies/小微企业催收.policy "$grouped" \
  --borrowers sorted
measure "SME (per borrower), grouped, unsorted" policies/小微企业催收.policy "$grouped" \
  --borrowers unsorted
done_with grouped
rm -f "$dir/out.jsonl"
