#!/usr/bin/env bash
# Throughput and peak memory of `arrears run` against the hand-written programs, on one generated
# book in JSON Lines, CSV and Parquet:
#
#   * the tight yardstick (examples/baseline_retail.rs: borrowed text, lists folded while
#     parsed, bytes out, nothing allocated per loan), read-only and deciding, 1 and 2 threads;
#   * the plain one (examples/baseline_retail_serde.rs: owned strings and lists, format!), 1 thread;
#   * arrears on each format, 1 and 2 worker threads.
#
# Every decision output must be byte-identical to arrears' on JSON Lines with one thread; the
# script says MISMATCH otherwise. Each figure is the best of RUNS runs (the programs
# interleaved, so a slow spell of the machine falls on all of them); peak RSS is the largest
# seen. Each ratio is worked out within each round, from the two programs' runs of that
# round, and printed as the median over the rounds with the lowest and highest beside it: on
# a shared machine the best-of figures of two programs can come from different spells, and
# two whole runs of this script gave 0.78x and 0.91x for the same pair of builds. Every
# other round runs the programs in reverse order, so a machine slowing down or speeding up
# over a round does not favour the programs that come first. Not part of the tests: it takes
# minutes and needs disk under $BENCH_DIR (1M loans ≈ 2.9 GB with the YAML copy the generator
# writes, 10M ≈ 29 GB; the YAML is deleted at once).
#
#   benches/throughput.sh [COUNT] [RUNS] [FORMATS]   e.g. benches/throughput.sh 1000000 3 "jsonl csv parquet"
#
# `arrears --threads 1` means one worker thread; the reading thread and the writing thread run
# beside it, so CPU time (user + sys) is printed next to wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
runs=${2:-3}
formats=${3:-jsonl csv parquet}
dir=${BENCH_DIR:-/tmp/arrears-bench}/$count
cargo build --release --quiet
cargo build --release --quiet --example baseline_retail --example baseline_retail_serde \
  --example gen_sample --example to_parquet
if [ ! -f "$dir/retail-sample.jsonl" ]; then
  target/release/examples/gen_sample "$count" 7 "$dir"
  rm -f "$dir/retail-sample.yaml"
fi
if [[ " $formats " == *" parquet "* && ! -f "$dir/retail-sample.parquet" ]]; then
  target/release/examples/to_parquet policies/retail.policy "$dir/retail-sample.jsonl" "$dir/retail-sample.parquet"
fi
jsonl="$dir/retail-sample.jsonl"
tight=target/release/examples/baseline_retail
plain=target/release/examples/baseline_retail_serde
arrears() { target/release/arrears run policies/retail.policy "$1" --as-of 2026-11-20 --threads "$2" --quiet; }

# name|output file|command, in the order printed
jobs=(
  "tight yardstick, read only, 1 thread|ids|$tight $jsonl 2026-11-20 1 parse-only"
  "tight yardstick, 1 thread|tight-1|$tight $jsonl 2026-11-20 1"
  "tight yardstick, 2 threads|tight-2|$tight $jsonl 2026-11-20 2"
  "plain yardstick, 1 thread|plain-1|$plain $jsonl 2026-11-20 1"
)
for format in $formats; do
  for threads in 1 2; do
    jobs+=("arrears $format, $threads thread(s)|arrears-$format-$threads|arrears $dir/retail-sample.$format $threads")
  done
done

declare -A best cpu peak walls
for round in $(seq "$runs"); do
  order=("${jobs[@]}")
  if [ $((round % 2)) = 0 ]; then
    order=()
    for ((i = ${#jobs[@]} - 1; i >= 0; i--)); do order+=("${jobs[$i]}"); done
  fi
  for job in "${order[@]}"; do
    IFS='|' read -r name out command <<< "$job"
    start=$(date +%s.%N)
    # shellcheck disable=SC2086 # the command is words on purpose
    /usr/bin/time -f "%M %U %S" -o "$dir/time" bash -c "$(declare -f arrears); $command" > "$dir/$out" 2>/dev/null
    end=$(date +%s.%N)
    read -r kb user sys < "$dir/time"
    wall=$(echo "$end - $start" | bc -l)
    walls[$name,$round]=$wall
    if [ -z "${best[$name]:-}" ] || [ "$(echo "$wall < ${best[$name]}" | bc)" = 1 ]; then
      best[$name]=$wall
      cpu[$name]=$(echo "$user + $sys" | bc -l)
    fi
    if [ -z "${peak[$name]:-}" ] || [ "$kb" -gt "${peak[$name]}" ]; then peak[$name]=$kb; fi
  done
done

echo "$count loans, best of $runs run(s):"
for job in "${jobs[@]}"; do
  IFS='|' read -r name _ _ <<< "$job"
  printf '  %-40s %7.2f s wall %7.2f s CPU %9.0f loans/s  peak RSS %4d MB\n' "$name" "${best[$name]}" \
    "${cpu[$name]}" "$(echo "$count / ${best[$name]}" | bc -l)" "$((peak[$name] / 1024))"
done
reference="$dir/arrears-jsonl-1"
for out in "$dir"/tight-* "$dir"/plain-* "$dir"/arrears-*; do
  cmp -s "$reference" "$out" || echo "MISMATCH: $out differs from $reference"
done
echo "outputs compared: every decision file is byte-identical unless a MISMATCH line says otherwise"
# The throughput of $2 over $3's, round by round: the median, then the lowest and highest.
ratio() {
  local round ratios=()
  for round in $(seq "$runs"); do
    ratios+=("$(echo "${walls[$3,$round]} / ${walls[$2,$round]}" | bc -l)")
  done
  mapfile -t ratios < <(printf '%s\n' "${ratios[@]}" | sort -g)
  local n=${#ratios[@]} median
  if [ $((n % 2)) = 1 ]; then
    median=${ratios[$((n / 2))]}
  else
    median=$(echo "(${ratios[$((n / 2 - 1))]} + ${ratios[$((n / 2))]}) / 2" | bc -l)
  fi
  printf '  %-52s %.2fx  (%.2f-%.2f)\n' "$1" "$median" "${ratios[0]}" "${ratios[$((n - 1))]}"
}
echo "ratios (throughput of the first over the second; median of the $runs rounds, lowest-highest):"
ratio "arrears / tight yardstick, 1 thread" "arrears jsonl, 1 thread(s)" "tight yardstick, 1 thread"
ratio "arrears / tight yardstick, 2 threads" "arrears jsonl, 2 thread(s)" "tight yardstick, 2 threads"
ratio "arrears / plain yardstick, 1 thread" "arrears jsonl, 1 thread(s)" "plain yardstick, 1 thread"
ratio "arrears 2 threads / 1 thread (JSON Lines)" "arrears jsonl, 2 thread(s)" "arrears jsonl, 1 thread(s)"
for format in $formats; do
  [ "$format" = jsonl ] && continue
  for threads in 1 2; do
    ratio "arrears $format / JSON Lines, $threads thread(s)" "arrears $format, $threads thread(s)" "arrears jsonl, $threads thread(s)"
  done
done
