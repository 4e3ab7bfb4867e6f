#!/usr/bin/env bash
# Instructions per loan of `arrears run`, counted by valgrind's callgrind: the same figure on
# any day and under any load, where wall time on a shared machine drifts by 15 % within
# minutes. Use it to compare two builds of a change to the hot path; confirm with
# `benches/throughput.sh` side by side.
#
# Each format's book is the first COUNT loans of the generated sample (written once under
# $BENCH_DIR); one worker. The run's start-up (loading the policy, starting threads) is
# measured on a one-loan book and taken off, so the figure is the cost of a loan alone.
#
#   benches/instructions.sh [COUNT] [BINARY...]   e.g. benches/instructions.sh 20000 /tmp/old/arrears target/release/arrears
#
# Without a BINARY it counts this checkout's release build. Needs valgrind; takes about a
# minute per binary at 20,000 loans.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-20000}
shift || true
bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
  cargo build --release --quiet
  bins=(target/release/arrears)
fi
cargo build --release --quiet --example gen_sample --example to_parquet
dir=${BENCH_DIR:-/tmp/arrears-instructions}/$count
if [ ! -f "$dir/retail-sample.jsonl" ]; then
  target/release/examples/gen_sample "$count" 7 "$dir"
  rm -f "$dir/retail-sample.yaml"
fi
if [ ! -f "$dir/retail-sample.parquet" ]; then
  target/release/examples/to_parquet policies/retail.policy "$dir/retail-sample.jsonl" "$dir/retail-sample.parquet"
fi
one="$dir/one"
mkdir -p "$one"
head -1 "$dir/retail-sample.jsonl" > "$one/retail-sample.jsonl"
head -2 "$dir/retail-sample.csv" > "$one/retail-sample.csv"
target/release/examples/to_parquet policies/retail.policy "$one/retail-sample.jsonl" "$one/retail-sample.parquet"

# Instructions of one run of BINARY over FILE.
instructions() {
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$1" run policies/retail.policy "$2" \
    --as-of 2026-11-20 --threads 1 --quiet 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  rm -f "$out"
}

printf '%-40s %-8s %18s\n' binary format 'instructions/loan'
for bin in "${bins[@]}"; do
  for format in jsonl csv parquet; do
    whole=$(instructions "$bin" "$dir/retail-sample.$format")
    start=$(instructions "$bin" "$one/retail-sample.$format")
    printf '%-40s %-8s %18d\n' "$bin" "$format" $(((whole - start) / (count - 1)))
  done
done
