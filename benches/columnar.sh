#!/usr/bin/env bash
# Loans/s from Parquet and from JSON Lines, on one and two threads, with peak memory.
#
#   benches/columnar.sh BOOK.jsonl   (written as Parquet beside it by examples/to_parquet)
#
# Both runs must write the same decisions; the script checks that before timing.
set -euo pipefail
cd "$(dirname "$0")/.."
book=$1
parquet="${book%.jsonl}.parquet"
cargo build --release --quiet --example to_parquet
cargo build --release --quiet
[ -f "$parquet" ] || target/release/examples/to_parquet policies/retail.policy "$book" "$parquet"
run() { target/release/arrears run policies/retail.policy "$1" --as-of 2026-11-20 -q --threads "$2"; }
if [ "$(run "$book" 2 | sha256sum)" != "$(run "$parquet" 2 | sha256sum)" ]; then
  echo "Parquet and JSON Lines decide differently" >&2
  exit 1
fi
loans=$(wc -l < "$book")
for file in "$book" "$parquet"; do
  for threads in 1 2; do
    /usr/bin/time -f "%e %M" -o /tmp/columnar.time target/release/arrears run policies/retail.policy "$file" \
      --as-of 2026-11-20 -q --threads "$threads" > /dev/null 2>&1
    read -r seconds kb < /tmp/columnar.time
    printf '%s, %d thread(s): %.2f s, %.0f loans/s, peak RSS %d MB\n' \
      "$(basename "$file")" "$threads" "$seconds" "$(echo "$loans / $seconds" | bc -l)" "$((kb / 1024))"
  done
done
