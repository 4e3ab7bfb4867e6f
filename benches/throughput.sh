#!/usr/bin/env bash
# Throughput and peak memory of `arrears run` against the hand-written baseline
# (examples/baseline_retail.rs) on one generated book, 1 and 2 threads; checks every output is
# byte-identical. Not part of the tests: it takes minutes and needs a few GB under $BENCH_DIR.
#
#   benches/throughput.sh [COUNT] [FORMAT]      e.g. benches/throughput.sh 1000000 jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
format=${2:-jsonl}
dir=${BENCH_DIR:-/tmp/arrears-bench}/$count
cargo build --release --quiet
cargo build --release --quiet --example baseline_retail --example gen_sample
if [ ! -f "$dir/retail-sample.jsonl" ]; then
  target/release/examples/gen_sample "$count" 7 "$dir"
fi
input="$dir/retail-sample.$format"
measure() { # name, output file, command...
  local name=$1 out=$2; shift 2
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$dir/rss" "$@" > "$out" 2>/dev/null
  end=$(date +%s.%N)
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]:<22} {s:7.2f} s  {int(sys.argv[4])/s:>9,.0f} loans/s  peak RSS {int(sys.argv[5])//1024} MB')" \
    "$start" "$end" "$name" "$count" "$(cat "$dir/rss")"
}
if [ "$format" = jsonl ]; then
  measure "baseline, 1 thread" "$dir/base-1" target/release/examples/baseline_retail "$input" 2026-11-20 1
  measure "baseline, 2 threads" "$dir/base-2" target/release/examples/baseline_retail "$input" 2026-11-20 2
fi
measure "arrears, 1 thread" "$dir/arrears-1" target/release/arrears run policies/retail.policy "$input" --as-of 2026-11-20 --threads 1 --quiet
measure "arrears, 2 threads" "$dir/arrears-2" target/release/arrears run policies/retail.policy "$input" --as-of 2026-11-20 --threads 2 --quiet
for out in "$dir"/base-* "$dir/arrears-2"; do
  [ -f "$out" ] && { cmp -s "$dir/arrears-1" "$out" || echo "MISMATCH: $out differs from arrears-1"; }
done
echo "outputs compared"
