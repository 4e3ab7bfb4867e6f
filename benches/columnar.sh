#!/usr/bin/env bash
# Loans/s from Parquet and from JSON Lines, on one and two threads, with peak memory.
#
#   benches/columnar.sh BOOK.jsonl [RUNS]   (written as Parquet beside it by examples/to_parquet)
#
# Both must write the same decisions; the script checks that before timing. Each figure is the
# best of RUNS runs (3 by default), the two formats' runs interleaved so that a slow spell of
# the machine falls on both; peak RSS is the largest seen.
set -euo pipefail
cd "$(dirname "$0")/.."
book=$1
runs=${2:-3}
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
declare -A best peak
for _ in $(seq "$runs"); do
  for threads in 1 2; do
    for file in "$book" "$parquet"; do
      /usr/bin/time -f "%e %M" -o /tmp/columnar.time target/release/arrears run policies/retail.policy "$file" \
        --as-of 2026-11-20 -q --threads "$threads" > /dev/null 2>&1
      read -r seconds kb < /tmp/columnar.time
      key="$(basename "$file") $threads"
      if [ -z "${best[$key]:-}" ] || [ "$(echo "$seconds < ${best[$key]}" | bc)" = 1 ]; then best[$key]=$seconds; fi
      if [ -z "${peak[$key]:-}" ] || [ "$kb" -gt "${peak[$key]}" ]; then peak[$key]=$kb; fi
    done
  done
done
for threads in 1 2; do
  for file in "$book" "$parquet"; do
    key="$(basename "$file") $threads"
    printf '%s, %d thread(s): %.2f s, %.0f loans/s, peak RSS %d MB\n' "$(basename "$file")" "$threads" \
      "${best[$key]}" "$(echo "$loans / ${best[$key]}" | bc -l)" "$((peak[$key] / 1024))"
  done
  j="${best[$(basename "$book") $threads]}"; p="${best[$(basename "$parquet") $threads]}"
  printf '  Parquet / JSON Lines, %d thread(s): %.2f×\n' "$threads" "$(echo "$j / $p" | bc -l)"
done
