#!/usr/bin/env bash
# Throughput and peak memory of `arrears run` against the hand-written baseline
# (examples/baseline_retail.rs) on one generated book: the baseline's read-only pass (parse and
# deserialize, write ids), the baseline, and arrears with 1 and 2 worker threads. Checks that
# every decision output is byte-identical and prints the ratio arrears/baseline.
# Not part of the tests: it takes minutes and needs disk under $BENCH_DIR (1M loans ≈ 1.1 GB
# of JSONL and CSV, 10M ≈ 11 GB).
#
#   benches/throughput.sh [COUNT] [FORMAT]      e.g. benches/throughput.sh 1000000 jsonl
#
# `arrears --threads 1` means one worker thread; the file is cut into chunks on a reading
# thread beside it, so CPU time (user + sys) is printed next to wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
format=${2:-jsonl}
dir=${BENCH_DIR:-/tmp/arrears-bench}/$count
cargo build --release --quiet
cargo build --release --quiet --example baseline_retail --example gen_sample
if [ ! -f "$dir/retail-sample.$format" ]; then
  target/release/examples/gen_sample "$count" 7 "$dir"
fi
input="$dir/retail-sample.$format"
declare -A rate
measure() { # key, name, output file, command...
  local key=$1 name=$2 out=$3; shift 3
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$dir/rss" "$@" > "$out" 2>/dev/null
  end=$(date +%s.%N)
  read -r rss user sys < "$dir/rss"
  rate[$key]=$(python3 -c "print($count/($end-$start))")
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]:<24} {s:7.2f} s wall {float(sys.argv[6])+float(sys.argv[7]):7.2f} s CPU {int(sys.argv[4])/s:>9,.0f} loans/s  peak RSS {int(sys.argv[5])//1024} MB')" \
    "$start" "$end" "$name" "$count" "$rss" "$user" "$sys"
}
if [ "$format" = jsonl ]; then
  measure parse "baseline, parse only" "$dir/ids" target/release/examples/baseline_retail "$input" 2026-11-20 1 parse-only
  measure base1 "baseline, 1 thread" "$dir/base-1" target/release/examples/baseline_retail "$input" 2026-11-20 1
  measure base2 "baseline, 2 threads" "$dir/base-2" target/release/examples/baseline_retail "$input" 2026-11-20 2
fi
measure arrears1 "arrears, 1 thread" "$dir/arrears-1" target/release/arrears run policies/retail.policy "$input" --as-of 2026-11-20 --threads 1 --quiet
measure arrears2 "arrears, 2 threads" "$dir/arrears-2" target/release/arrears run policies/retail.policy "$input" --as-of 2026-11-20 --threads 2 --quiet
for out in "$dir"/base-* "$dir/arrears-2"; do
  [ -f "$out" ] && { cmp -s "$dir/arrears-1" "$out" || echo "MISMATCH: $out differs from arrears-1"; }
done
echo "outputs compared"
python3 -c "import sys; a1,a2=float(sys.argv[1]),float(sys.argv[2]); print(f'arrears 2 threads / 1 thread: {a2/a1:.2f}x')" "${rate[arrears1]}" "${rate[arrears2]}"
if [ "$format" = jsonl ]; then
  python3 -c "import sys; a1,a2,b1,b2=map(float,sys.argv[1:]); print(f'arrears / baseline: {a1/b1:.2f} (1 thread), {a2/b2:.2f} (2 threads)')" \
    "${rate[arrears1]}" "${rate[arrears2]}" "${rate[base1]}" "${rate[base2]}"
fi
