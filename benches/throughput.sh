#!/usr/bin/env bash
# Throughput and peak memory of `arrears run` on generated books, one size and format at a time.
# Not part of the tests: it takes minutes and needs a few GB of disk under $BENCH_DIR.
#
#   benches/throughput.sh [COUNT] [FORMATS...]      e.g. benches/throughput.sh 1000000 jsonl csv
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
shift || true
formats=${*:-jsonl csv yaml}
dir=${BENCH_DIR:-/tmp/arrears-bench}/$count
cargo build --release --quiet
if [ ! -f "$dir/retail-sample.jsonl" ]; then
  cargo run --release --quiet --example gen_sample -- "$count" 7 "$dir"
fi
for format in $formats; do
  /usr/bin/time -f "$format: %e s wall, %M KB peak RSS" \
    target/release/arrears run policies/retail.policy "$dir/retail-sample.$format" \
      --as-of 2026-11-20 -o "$dir/out-$format.jsonl" 2>&1 | grep -v '^read '
done
for format in $formats; do
  cmp -s "$dir/out-jsonl.jsonl" "$dir/out-$format.jsonl" || echo "MISMATCH: $format differs from jsonl"
done
