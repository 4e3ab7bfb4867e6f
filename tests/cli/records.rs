//! The decision record has one definition, `arrears::decision_record`; the hand-tuned writer
//! `run` uses for speed (`arrears::render_jsonl` without a trace) must give the same bytes, for
//! every shipped policy, over the sample and over generated loans whose texts need escaping.

use arrears::{Loaded, decision_record, load_policy, loan_from_json, render_jsonl};
use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::Value as Json;

use std::sync::LazyLock;

use crate::support::root;

/// The shipped policies that decide loans (modules are included by them), each with the
/// sample portfolio written for its schema; loaded once.
fn cases() -> &'static [(Loaded, Vec<Json>)] {
    static CASES: LazyLock<Vec<(Loaded, Vec<Json>)>> = LazyLock::new(|| {
        let read = |name: &str| -> Vec<Json> {
            std::fs::read_to_string(root().join("examples/portfolios").join(name))
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        [
            ("retail", "retail-sample.jsonl"),
            ("小微企业催收", "retail-sample.jsonl"),
            ("limitation", "retail-sample.jsonl"),
            ("催收示例", "催收示例.jsonl"),
        ]
        .iter()
        .map(|(policy, sample)| {
            let path = root().join(format!("policies/{policy}.policy"));
            (load_policy(&path).unwrap(), read(sample))
        })
        .collect()
    });
    &CASES
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

/// Both writers' bytes for `loan` (JSON) under `loaded`; `None` when the row is rejected.
fn both(loaded: &Loaded, loan: &Json) -> Option<(String, String)> {
    let program = &loaded.program;
    let (key, loan) = loan_from_json(&loan.to_string(), program.schema()).ok()?;
    let evaluation = program.evaluate(&loan, as_of());
    let fast = render_jsonl(program, &key, &evaluation, None);
    let reference = format!(
        "{}\n",
        Json::Object(decision_record(program, &key, &evaluation, None))
    );
    Some((fast, reference))
}

#[test]
fn the_fast_writer_gives_the_reference_records_bytes_over_the_sample() {
    for (loaded, loans) in cases() {
        let mut compared = 0;
        for loan in loans {
            if let Some((fast, reference)) = both(loaded, loan) {
                assert_eq!(fast, reference);
                compared += 1;
            }
        }
        assert_eq!(compared, loans.len(), "every sample loan is read");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_fast_writer_gives_the_reference_records_bytes_over_generated_loans(
        index in 0usize..3000,
        key in "\\PC{0,12}|[\"\\\\\u{0}-\u{1f}\u{7f}\u{2028}\u{2029}]{1,6}",
        days_overdue in -30i64..2000,
        willingness in prop::sample::select(vec!["willing", "hesitant", "refuses", "unknown"]),
        flags in prop::collection::vec(any::<bool>(), 6),
    ) {
        let (_, retail_sample) = &cases()[0];
        let mut loan = retail_sample[index % retail_sample.len()].clone();
        loan["loan_id"] = Json::String(key);
        let due = as_of() - chrono::Duration::days(days_overdue);
        loan["oldest_unpaid_due_date"] = Json::String(due.format("%Y-%m-%d").to_string());
        loan["willingness"] = Json::String(willingness.to_owned());
        for (field, flag) in ["has_guarantor", "has_assets", "deceased", "bankrupt", "in_dispute", "do_not_contact"]
            .iter()
            .zip(flags)
        {
            loan[*field] = Json::Bool(flag);
        }
        for (loaded, _) in &cases()[..3] {
            if let Some((fast, reference)) = both(loaded, &loan) {
                prop_assert_eq!(fast, reference);
            }
        }
    }
}
