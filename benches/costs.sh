#!/usr/bin/env bash
# Time against size for each hostile shape, doubling the size at each step: a reader or check
# linear in its input shows each step taking about twice the one before, a quadratic one four
# times. Release build; inputs are generated under $BENCH_DIR (default /tmp/arrears-costs).
# Not part of the tests (`tests/cli/costs.rs` holds the same shapes to a generous bound).
#
#   benches/costs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-/tmp/arrears-costs}
mkdir -p "$dir"
cargo build --release --quiet
bin=target/release/arrears
python3 - "$dir" <<'PY'
import json, sys
out = sys.argv[1]
base = json.loads(open('examples/portfolios/retail-sample.jsonl').readline())
for n in (25000, 50000, 100000, 200000):
    d = dict(base)
    d.update({f'x{i}': i for i in range(n)})
    open(f'{out}/fields-{n}.jsonl', 'w').write(json.dumps(d) + '\n')
lines = open('examples/portfolios/retail-sample.csv').read().split('\n')
for n in (6250, 12500, 25000, 50000):
    with open(f'{out}/columns-{n}.csv', 'w') as f:
        f.write(lines[0] + ',' + ','.join(f'c{i}' for i in range(n)) + '\n')
        ones = ','.join('1' for _ in range(n))
        for row in lines[1:51]:
            f.write(row + ',' + ones + '\n')
first = open('examples/portfolios/retail-sample.yaml').read().split('\n- loan_id: L00002')[0]
for n in (12500, 25000, 50000, 100000):
    with open(f'{out}/keys-{n}.yaml', 'w') as f:
        f.write(first + '\n' + ''.join(f'  k{i}: {i}\n' for i in range(n)))
for n in (20000, 40000, 80000, 160000):
    with open(f'{out}/deep-{n}.yaml', 'w') as f:
        f.write(first + '\n  notes: ' + '{a: ' * n + '1' + '}' * n + '\n')
products = ['mortgage', 'consumer', 'sme', 'card']
wills = ['willing', 'hesitant', 'refuses', 'unknown']
for buckets in (47, 94, 188):
    rows = ['use schema "loan-v1.schema"',
            'let overdue = if oldest_unpaid_due_date is present and oldest_unpaid_due_date < as_of then as_of - oldest_unpaid_due_date else 0 days',
            'actions a0, a1, a2, a3', '', 'decision t: unique match, gives action', '  table',
            '  | row | product | willingness | overdue | action |']
    n = 0
    for p in products:
        for w in wills:
            for b in range(buckets):
                cell = f'[{b * 2} days..{b * 2 + 1} days]' if b < buckets - 1 else f'>= {b * 2} days'
                rows.append(f'  | R{n} | {p} | {w} | {cell} | a{n % 4} |')
                n += 1
    open(f'{out}/table-{n}.policy', 'w').write('\n'.join(rows) + '\n')
import random
random.seed(7)
policy = open('policies/retail.policy').read()
for n in (2500, 5000, 10000, 20000):
    ids = ', '.join(f'"L{i:05d}"' for i in sorted(random.sample(range(1, 1000001), n)))
    rule = f'  rule T0 "under negotiation" when loan_id in [{ids}] then hold_review\n'
    anchor = '  rule T1 "deceased"'
    open(f'{out}/in-{n}.policy', 'w').write(policy.replace(anchor, rule + anchor, 1))
PY
cp policies/loan-v1.schema "$dir/"
cargo build --release --quiet --example gen_policy
for n in 625 1250 2500 5000 10000; do
  target/release/examples/gen_policy "$n" 5 1 > "$dir/rules-$n.policy"
done
if [ ! -f "$dir/book-200k.jsonl" ]; then
  cargo build --release --quiet --example gen_sample
  target/release/examples/gen_sample 200000 7 "$dir/book" > /dev/null
  mv "$dir/book/retail-sample.jsonl" "$dir/book-200k.jsonl"
fi
step() { # label, file
  local start end
  start=$(date +%s.%N)
  "$bin" run policies/retail.policy "$2" --as-of 2026-11-20 --quiet > /dev/null 2>&1 || true
  end=$(date +%s.%N)
  python3 -c "import sys; print(f'{sys.argv[1]:<34} {float(sys.argv[3])-float(sys.argv[2]):7.2f} s')" "$1" "$start" "$end"
}
for n in 25000 50000 100000 200000; do step "JSON Lines, $n unknown fields" "$dir/fields-$n.jsonl"; done
for n in 6250 12500 25000 50000; do step "CSV, 50 rows × $n columns" "$dir/columns-$n.csv"; done
for n in 12500 25000 50000 100000; do step "YAML, $n unknown keys" "$dir/keys-$n.yaml"; done
for n in 20000 40000 80000 160000; do step "YAML, nested $n deep (refused)" "$dir/deep-$n.yaml"; done
timed() { # label, command...
  local label=$1 start end; shift
  start=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; end=$(date +%s.%N)
  python3 -c "import sys; print(f'{sys.argv[1]:<34} {float(sys.argv[3])-float(sys.argv[2]):7.2f} s')" "$label" "$start" "$end"
}
timed "run, plain retail policy, 200k" "$bin" run policies/retail.policy "$dir/book-200k.jsonl" --as-of 2026-11-20 --quiet
for n in 2500 5000 10000 20000; do
  timed "run, in-list of $n ids, 200k" "$bin" run "$dir/in-$n.policy" "$dir/book-200k.jsonl" --as-of 2026-11-20 --quiet
  timed "check, in-list of $n ids" "$bin" check "$dir/in-$n.policy"
done
for n in 625 1250 2500 5000 10000; do
  timed "check, $n generated rules" "$bin" check "$dir/rules-$n.policy"
done
for n in 752 1504 3008; do
  timed "check, unique table of $n rows" "$bin" check "$dir/table-$n.policy"
done
