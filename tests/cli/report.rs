//! `arrears report`: totals that match an independent sum of `arrears run`'s output, in every
//! format, and an HTML page that needs nothing from the network.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{arrears, money, sample_loans, temp};

use crate::support::SAMPLE_JSONL as SAMPLE;

/// `arrears report --format json` of `policy` over the sample.
fn report_json(policy: &str) -> Value {
    let report = arrears(&[
        "report",
        policy,
        SAMPLE,
        "--as-of",
        "2026-11-20",
        "--format",
        "json",
    ]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    serde_json::from_str(&report.stdout).unwrap()
}

#[test]
fn report_totals_match_an_independent_sum_of_the_run_output() {
    let report = report_json("policies/retail.policy");
    assert_eq!(report["schema"], "arrears.report/1");
    assert_eq!(report["reconciled"], true);

    // Independently: principal per loan from the portfolio, outcomes from `arrears run`.
    let principal: BTreeMap<String, Decimal> = sample_loans()
        .into_iter()
        .map(|l| {
            (
                l["loan_id"].as_str().unwrap().to_owned(),
                money(&l["principal_outstanding"]),
            )
        })
        .collect();
    let run = arrears(&[
        "run",
        "policies/retail.policy",
        SAMPLE,
        "--as-of",
        "2026-11-20",
    ]);
    let records: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut by_primary: BTreeMap<String, (u64, Decimal)> = BTreeMap::new();
    let mut by_class: BTreeMap<String, (u64, Decimal)> = BTreeMap::new();
    let mut by_action: BTreeMap<String, (u64, Decimal)> = BTreeMap::new();
    for record in &records {
        let amount = principal[record["loan_id"].as_str().unwrap()];
        let actions: Vec<&str> = record["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let primary = actions.first().copied().unwrap_or("(no action)");
        for (table, key) in [
            (&mut by_primary, primary),
            (&mut by_class, record["classification"].as_str().unwrap()),
        ] {
            let entry = table.entry(key.to_owned()).or_default();
            entry.0 += 1;
            entry.1 += amount;
        }
        for action in if actions.is_empty() {
            vec!["(no action)"]
        } else {
            actions
        } {
            let entry = by_action.entry(action.to_owned()).or_default();
            entry.0 += 1;
            entry.1 += amount;
        }
    }
    let table = |rows: &Value| -> BTreeMap<String, (u64, Decimal)> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["key"].as_str().unwrap().to_owned(),
                    (
                        r["loans"].as_u64().unwrap(),
                        money(&r["by_currency"]["CNY"]["amount"]),
                    ),
                )
            })
            .collect()
    };
    assert_eq!(table(&report["tables"]["primary_actions"]), by_primary);
    assert_eq!(table(&report["tables"]["actions"]), by_action);
    assert_eq!(
        table(&report["tables"]["decisions"]["classification"]),
        by_class
    );
    let total: Decimal = principal.values().copied().sum();
    assert_eq!(
        money(&report["decided"]["by_currency"]["CNY"]["amount"]),
        total
    );
    // The NPL ratio is the share of principal classified substandard, doubtful or loss.
    let npl: Decimal = ["substandard", "doubtful", "loss"]
        .iter()
        .map(|c| by_class.get(*c).map_or(Decimal::ZERO, |e| e.1))
        .sum();
    assert_eq!(
        report["npl_ratio_percent"]["CNY"],
        format!("{:.1}", (npl * Decimal::ONE_HUNDRED / total).round_dp(1))
    );
    // Amounts are strings with two decimals, never floats.
    assert!(
        report["decided"]["by_currency"]["CNY"]["amount"]
            .as_str()
            .unwrap()
            .split('.')
            .nth(1)
            .unwrap()
            .len()
            == 2
    );
}

#[test]
fn rejected_rows_are_counted_per_reason_and_the_report_still_reconciles() {
    let outcome = arrears(&[
        "report",
        "policies/retail.policy",
        "tests/golden/data/broken.jsonl",
        "--as-of",
        "2026-11-20",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome.stdout.contains(
            "11 read = 2 decided + 9 rejected; principal CNY 250,001.00 reconciled in every table"
        ),
        "{}",
        outcome.stdout
    );
    insta::assert_snapshot!(outcome.stdout);
}

#[test]
fn csv_long_format_and_html_page() {
    let dir = temp();
    let html = dir.path().join("report.html");
    let csv = arrears(&[
        "report",
        "policies/retail.policy",
        SAMPLE,
        "--as-of",
        "2026-11-20",
        "--format",
        "csv",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let mut lines = csv.stdout.lines();
    assert_eq!(lines.next(), Some("table,group,key,currency,loans,amount"));
    let primary: Decimal = csv
        .stdout
        .lines()
        .filter(|l| l.starts_with("primary_actions,"))
        .map(|l| l.rsplit(',').next().unwrap().parse::<Decimal>().unwrap())
        .sum();
    let decided: Decimal = csv
        .stdout
        .lines()
        .find(|l| l.starts_with("total,,decided,"))
        .unwrap()
        .rsplit(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(primary, decided);
    let page = std::fs::read_to_string(html).unwrap();
    assert_eq!(
        page.matches("<svg").count(),
        3,
        "action mix, heat map, one experiment"
    );
    for forbidden in ["<script", "src=", "href=", "@import", "url("] {
        assert!(
            !page.contains(forbidden),
            "the page must stand alone: found {forbidden}"
        );
    }
}

#[test]
fn bucket_edges_are_configurable_and_checked() {
    let outcome = arrears(&[
        "report",
        "policies/retail.policy",
        SAMPLE,
        "--as-of",
        "2026-11-20",
        "--buckets",
        "7,30",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(
        report["buckets"],
        serde_json::json!(["current", "1–7 days", "8–30 days", "over 30"])
    );
    assert_eq!(
        arrears(&[
            "report",
            "policies/retail.policy",
            SAMPLE,
            "--as-of",
            "2026-11-20",
            "--buckets",
            "30,7"
        ])
        .code,
        2
    );
}

#[test]
fn report_takes_values_from_the_loans_own_evaluation_so_it_agrees_with_run() {
    // The experiment's arm reads a decision: report must see the decision's outcome for the
    // loan, exactly as `run` does while deciding.
    let dir = temp();
    let policy = crate::support::retail_variant(
        dir.path(),
        "bucket(\"visit-2026Q4\", loan_id) < 10",
        "bucket(\"visit-2026Q4\", loan_id) < 10 and classification != loss",
    );
    let report = report_json(&policy);
    let run = arrears(&["run", &policy, SAMPLE, "--as-of", "2026-11-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Independently: the bucket as the README defines it, the class from `run`.
    let bucket = |key: &str| {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(format!("visit-2026Q4:{key}"));
        u64::from_be_bytes(digest[..8].try_into().unwrap()) % 100
    };
    let mut in_arm = 0u64;
    let mut lost_in_bucket = 0u64;
    for line in run.stdout.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        let key = record["loan_id"].as_str().unwrap();
        if bucket(key) < 10 {
            if record["classification"] == "loss" {
                lost_in_bucket += 1;
            } else {
                in_arm += 1;
            }
        }
    }
    assert!(
        lost_in_bucket > 0,
        "the sample has lost loans in the bucket"
    );
    let arms = &report["tables"]["experiments"][0]["arms"];
    let arm = arms
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["arm"] == "true")
        .unwrap();
    assert_eq!(arm["loans"], in_arm, "{arms}");
}
