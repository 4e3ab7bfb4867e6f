//! Micro-benchmarks of the engine's three steps, on the shipped retail policy and sample:
//! loading a policy (parse, check, compile), reading a loan from a JSON line, and deciding a
//! loan (with and without its trace). `cargo bench --bench engine`.
//!
//! Whole-book throughput against the hand-written baseline is `benches/throughput.sh`; the
//! static analysis on a large generated policy is `benches/analysis.sh`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark: a failure to set up should stop it loudly"
)]

use std::hint::black_box;
use std::path::Path;

use arrears::load_policy_text;
use arrears::loan_from_json;
use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn engine(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let policy_path = root.join("policies/retail.policy");
    let policy_text = std::fs::read_to_string(&policy_path).unwrap();
    let sample = std::fs::read_to_string(root.join("examples/portfolios/retail-sample.jsonl"))
        .expect("the bundled sample portfolio");
    let lines: Vec<&str> = sample.lines().take(1000).collect();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();

    c.bench_function("load retail.policy (parse, check, compile)", |b| {
        b.iter(|| load_policy_text(&policy_path, black_box(policy_text.clone())).unwrap())
    });

    let program = load_policy_text(&policy_path, policy_text.clone())
        .unwrap()
        .program;
    let schema = program.schema();
    let mut group = c.benchmark_group("per loan");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("read JSON line into a loan", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(loan_from_json(black_box(line), schema).unwrap());
            }
        })
    });
    let loans: Vec<_> = lines
        .iter()
        .map(|line| loan_from_json(line, schema).unwrap().1)
        .collect();
    group.bench_function("decide", |b| {
        b.iter(|| {
            for loan in &loans {
                black_box(program.evaluate(black_box(loan), as_of));
            }
        })
    });
    let decider = program.decider(as_of);
    group.bench_function("decide with the run's plan", |b| {
        b.iter(|| {
            for loan in &loans {
                black_box(decider.evaluate(black_box(loan)));
            }
        })
    });
    group.bench_function("decide with trace", |b| {
        b.iter(|| {
            for loan in &loans {
                black_box(program.evaluate_traced(black_box(loan), as_of));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
