#!/usr/bin/env bash
# Time `arrears check` (parse, check and the static analysis) on a generated policy of RULES
# rules across DECISIONS decisions. Not part of the tests.
#
#   benches/analysis.sh [RULES] [DECISIONS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
rules=${1:-500}; decisions=${2:-5}; seed=${3:-1}
dir=${BENCH_DIR:-/tmp/arrears-bench}/analysis
mkdir -p "$dir"
cp policies/loan-v1.schema "$dir/"
cargo build --release --quiet --example gen_policy
cargo build --release --quiet
target/release/examples/gen_policy "$rules" "$decisions" "$seed" > "$dir/big.policy"
for run in 1 2 3; do
  /usr/bin/time -f "run $run: %e s wall, %M KB peak RSS" target/release/arrears check "$dir/big.policy" 2>&1 \
    | grep -E '^(run|checked)'
done
