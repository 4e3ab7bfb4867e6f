#!/usr/bin/env bash
# Fuzzes the policy pipeline (parse, check, analyse, format, decide) and the portfolio readers
# (JSON Lines, CSV, YAML) with cargo-fuzz, both targets at once, for SECONDS each (default 600).
# Needs a nightly toolchain and `cargo install cargo-fuzz`; not part of CI.
#
#   scripts/fuzz.sh [SECONDS]
#
# Seeds come from the shipped policies, the golden and analysis fixtures, and the hostile-input
# corpus. A crash is saved under fuzz/artifacts/TARGET/; copy it into tests/fuzz-found/TARGET/
# once fixed, where `cargo test` replays it (tests/cli/fuzz_found.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
work=${FUZZ_DIR:-/tmp/arrears-fuzz}
mkdir -p "$work/policy" "$work/portfolio"
cp policies/*.policy policies/*.schema tests/golden/check/*.policy tests/analysis/*.policy \
  tests/fuzz-found/policy/* "$work/policy/" 2>/dev/null || true
cp tests/inputs/*.jsonl tests/inputs/*.csv tests/inputs/*.yaml tests/golden/data/* \
  tests/fuzz-found/portfolio/* "$work/portfolio/" 2>/dev/null || true
head -c 4000 examples/portfolios/retail-sample.jsonl > "$work/portfolio/sample-head.jsonl"
head -c 4000 examples/portfolios/retail-sample.yaml > "$work/portfolio/sample-head.yaml"
cd fuzz
for target in policy portfolio; do
  cargo +nightly fuzz run "$target" "$work/$target" -O -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1 \
    > "$work/$target.log" 2>&1 &
done
status=0
wait || status=$?
for target in policy portfolio; do
  echo "== $target"
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY|panicked|Done" "$work/$target.log" || true
done
exit "$status"
