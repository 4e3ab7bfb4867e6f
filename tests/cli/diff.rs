//! `arrears diff`: exactly the loans a change moves, with amounts that reconcile.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{arrears, money, retail_variant, sample_loans, temp};

use crate::support::SAMPLE_JSONL as SAMPLE;

fn overdue(loan: &Value, as_of: NaiveDate) -> i64 {
    match loan["oldest_unpaid_due_date"]
        .as_str()
        .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap())
    {
        Some(due) if due < as_of => (as_of - due).num_days(),
        _ => 0,
    }
}

#[test]
fn moving_a_threshold_from_90_to_60_days_moves_exactly_the_loans_in_between() {
    let dir = temp();
    let changed = retail_variant(
        dir.path(),
        "when overdue > 90 days then substandard",
        "when overdue > 60 days then substandard",
    );
    let outcome = arrears(&[
        "diff",
        "policies/retail.policy",
        &changed,
        SAMPLE,
        "--as-of",
        "2026-11-20",
        "--format",
        "json",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let report: Value = serde_json::from_str(&outcome.stdout).unwrap();

    // Worked out from the data alone: overdue in (60, 90], and not already classified by an
    // earlier rule (reported as loss) or by C5's restructuring.
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let loans = sample_loans();
    let expected: Vec<&str> = loans
        .iter()
        .filter(|l| (61..=90).contains(&overdue(l, as_of)))
        .filter(|l| l["operating_status"] != "loss" && l["restructured"] == false)
        .map(|l| l["loan_id"].as_str().unwrap())
        .collect();
    let listed: Vec<&str> = report["loans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["loan_id"].as_str().unwrap())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(listed, expected);
    for loan in report["loans"].as_array().unwrap() {
        assert_eq!(
            loan["decisions"],
            serde_json::json!([{"decision": "classification", "before": "special_mention", "after": "substandard"}])
        );
    }

    // Money: the changed loans' principal is the sum over exactly those loans, and every
    // matrix's cells add up to the whole portfolio.
    let principal = |ids: &[&str]| -> Decimal {
        loans
            .iter()
            .filter(|l| ids.contains(&l["loan_id"].as_str().unwrap()))
            .map(|l| money(&l["principal_outstanding"]))
            .sum()
    };
    let all_ids: Vec<&str> = loans
        .iter()
        .map(|l| l["loan_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        money(&report["changed"]["by_currency"]["CNY"]["amount"]),
        principal(&expected)
    );
    assert_eq!(
        money(&report["compared"]["by_currency"]["CNY"]["amount"]),
        principal(&all_ids)
    );
    assert_eq!(report["schema"], "arrears.diff/1");
    assert_eq!(report["compared"]["loans"], 3000);
    assert_eq!(report["compared"]["by_currency"]["CNY"]["loans"], 3000);
    for matrix in report["transitions"].as_array().unwrap() {
        let cells = matrix["cells"].as_array().unwrap();
        let loans_in_cells: u64 = cells.iter().map(|c| c["loans"].as_u64().unwrap()).sum();
        let amount_in_cells: Decimal = cells
            .iter()
            .map(|c| money(&c["by_currency"]["CNY"]["amount"]))
            .sum();
        assert_eq!(loans_in_cells, 3000, "{}", matrix["name"]);
        assert_eq!(amount_in_cells, principal(&all_ids), "{}", matrix["name"]);
    }
}

#[test]
fn a_treatment_change_shows_actions_added_and_removed() {
    let dir = temp();
    let changed = retail_variant(
        dir.path(),
        "when overdue > 90 days and willingness = refuses and has_assets",
        "when overdue > 60 days and willingness = refuses and has_assets",
    );
    let outcome = arrears(&[
        "diff",
        "policies/retail.policy",
        &changed,
        SAMPLE,
        "--as-of",
        "2026-11-20",
    ]);
    assert_eq!(outcome.code, 0);
    // The temporary folder's name changes every run; the snapshot must not.
    insta::assert_snapshot!(
        outcome
            .stdout
            .replace(dir.path().to_str().unwrap(), "[tmp]")
    );
    let fail = arrears(&[
        "diff",
        "policies/retail.policy",
        &changed,
        SAMPLE,
        "--as-of",
        "2026-11-20",
        "--fail-on-change",
        "--format",
        "markdown",
    ]);
    assert_eq!(fail.code, 1);
    assert!(fail.stdout.contains("| before | after | loans | amount |"));
    let same = arrears(&[
        "diff",
        "policies/retail.policy",
        "policies/retail.policy",
        SAMPLE,
        "--as-of",
        "2026-11-20",
        "--fail-on-change",
    ]);
    assert_eq!(same.code, 0);
    assert!(
        same.stdout.contains("0 of 3000 loans change outcome"),
        "{}",
        same.stdout
    );
}
