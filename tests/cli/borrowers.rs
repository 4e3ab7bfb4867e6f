//! Decisions across a borrower's loans: a policy that reads `borrower.loans` and decides
//! `per borrower`, held to a plain re-statement of it over the sample's multi-loan borrowers.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{arrears, copy_shipped, money, sample_loans, temp, write};

const AS_OF: &str = "2026-11-20";

const POLICY: &str = r#"policy households "one plan per borrower"
use schema "loan-v1.schema"
let overdue "days overdue" =
  if oldest_unpaid_due_date is present and oldest_unpaid_due_date < as_of
  then as_of - oldest_unpaid_due_date
  else 0 days
let late_loans "loans over 30 days late" = count(borrower.loans where overdue > 30 days)
let exposure "all the borrower owes" = sum(borrower.principal_outstanding)
let refuses_somewhere "refuses on some loan" = any(borrower.loans where willingness = refuses)
let week_contacts "contacts in the last 7 days, every loan" =
  count(borrower.contacts where on > as_of - 7 days and on <= as_of)
let worst "the worst overdue" = max(borrower.overdue)
actions call, visit, sue, pause
decision plan "one contact plan per borrower" per borrower: first match, gives action
  rule P1 when week_contacts >= 7 then pause
  rule P2 when refuses_somewhere and exposure > 500000 then sue
  rule P3 when late_loans >= 2 then visit
  rule P4 when worst is present and worst > 90 days then visit
  rule P5 otherwise then call
decision size "the loan, weighed with the borrower's": first match, gives one of big, small
  rule S1 when exposure > 1000000 and overdue > 0 days then big
  rule S2 otherwise then small
"#;

fn date(value: &Value) -> Option<NaiveDate> {
    value
        .as_str()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// The policy above, restated: each borrower's loans (a loan without a borrower alone),
/// then each loan's record.
fn restated(loans: &[Value]) -> BTreeMap<String, (String, String)> {
    let as_of = date(&Value::from(AS_OF)).unwrap();
    let overdue = |loan: &Value| match date(&loan["oldest_unpaid_due_date"]) {
        Some(due) if due < as_of => (as_of - due).num_days(),
        _ => 0,
    };
    let mut borrowers: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for loan in loans {
        let who = loan["borrower_id"]
            .as_str()
            .map_or_else(|| format!("alone {}", loan["loan_id"]), str::to_owned);
        borrowers.entry(who).or_default().push(loan);
    }
    let mut records = BTreeMap::new();
    for group in borrowers.values() {
        let late = group.iter().filter(|l| overdue(l) > 30).count();
        let exposure: Decimal = group
            .iter()
            .map(|l| money(&l["principal_outstanding"]))
            .sum();
        let refuses = group.iter().any(|l| l["willingness"] == "refuses");
        let week = group
            .iter()
            .flat_map(|l| l["contacts"].as_array().unwrap())
            .filter_map(|c| date(&c["on"]))
            .filter(|on| *on > as_of - chrono::Days::new(7) && *on <= as_of)
            .count();
        let worst = group.iter().map(|l| overdue(l)).max().unwrap();
        let plan = if week >= 7 {
            "pause"
        } else if refuses && exposure > Decimal::from(500_000) {
            "sue"
        } else if late >= 2 || worst > 90 {
            "visit"
        } else {
            "call"
        };
        for loan in group {
            let size = if exposure > Decimal::from(1_000_000) && overdue(loan) > 0 {
                "big"
            } else {
                "small"
            };
            records.insert(
                loan["loan_id"].as_str().unwrap().to_owned(),
                (plan.to_owned(), size.to_owned()),
            );
        }
    }
    records
}

fn jsonl(loans: &[Value]) -> String {
    loans.iter().map(|l| format!("{l}\n")).collect()
}

/// The sample, each borrower's loans next to each other (sorted by borrower, stably).
fn sorted_sample() -> Vec<Value> {
    let mut loans = sample_loans();
    loans.sort_by(|a, b| a["borrower_id"].as_str().cmp(&b["borrower_id"].as_str()));
    loans
}

fn decided(stdout: &str) -> BTreeMap<String, (String, String)> {
    stdout
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            (
                record["loan_id"].as_str().unwrap().to_owned(),
                (
                    record["plan"].as_str().unwrap().to_owned(),
                    record["size"].as_str().unwrap().to_owned(),
                ),
            )
        })
        .collect()
}

#[test]
fn a_borrower_level_policy_agrees_with_its_restatement_on_every_loan() {
    let dir = temp();
    copy_shipped(dir.path(), &["loan-v1.schema"]);
    let policy = write(dir.path(), "households.policy", POLICY);
    let loans = sorted_sample();
    let book = write(dir.path(), "sorted.jsonl", &jsonl(&loans));
    let checked = arrears(&["check", &policy]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let run = arrears(&[
            "run",
            &policy,
            &book,
            "--as-of",
            AS_OF,
            "--threads",
            threads,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        outputs.push(run.stdout);
    }
    assert_eq!(outputs[0], outputs[1], "the same on one thread and two");
    let expected = restated(&loans);
    let got = decided(&outputs[0]);
    assert_eq!(got.len(), loans.len());
    for (key, want) in &expected {
        assert_eq!(got.get(key), Some(want), "loan {key}");
    }
    // The sample has borrowers of several loans, and they do get plans of their own.
    let multi = loans
        .iter()
        .filter(|l| {
            loans
                .iter()
                .filter(|m| m["borrower_id"] == l["borrower_id"])
                .count()
                > 1
        })
        .count();
    assert!(multi > 1000, "{multi} loans share their borrower");
    let plans: std::collections::BTreeSet<&String> = got.values().map(|(p, _)| p).collect();
    assert_eq!(plans.len(), 4, "{plans:?}");
    // Output order is input order.
    let order: Vec<&str> = outputs[0]
        .lines()
        .map(|l| l.split('"').nth(3).unwrap())
        .collect();
    let input: Vec<&str> = loans
        .iter()
        .map(|l| l["loan_id"].as_str().unwrap())
        .collect();
    assert_eq!(order, input);
}

#[test]
fn a_borrower_is_decided_on_the_loans_read_and_traced_once() {
    let dir = temp();
    copy_shipped(dir.path(), &["loan-v1.schema"]);
    let policy = write(dir.path(), "households.policy", POLICY);
    // Borrower B: three loans, the middle one broken (a bad amount), so B is decided on two.
    let mut loans: Vec<Value> = sorted_sample()
        .into_iter()
        .filter(|l| l["borrower_id"] == "B00001")
        .collect();
    assert_eq!(loans.len(), 3, "the sample's B00001 holds three loans");
    loans[1]["principal_outstanding"] = Value::from("12,5");
    let book = write(dir.path(), "b.jsonl", &jsonl(&loans));
    let run = arrears(&["run", &policy, &book, "--as-of", AS_OF, "--trace"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("read 3 loans = decided 2 + rejected 1"),
        "{}",
        run.stderr
    );
    let records: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let read_keys = vec![loans[0]["loan_id"].clone(), loans[2]["loan_id"].clone()];
    let kept: Vec<Value> = vec![loans[0].clone(), loans[2].clone()];
    let expected = restated(&kept);
    for record in &records {
        let trace = &record["trace"];
        // The record says which loans were read for its borrower.
        assert_eq!(trace["borrower"]["loans"], Value::from(read_keys.clone()));
        let key = record["loan_id"].as_str().unwrap();
        assert_eq!(record["plan"].as_str().unwrap(), expected[key].0);
        let exposure = &trace["borrower"]["values"][1];
        assert_eq!(exposure["value"], "sum(borrower.principal_outstanding)");
        let parts: Decimal = exposure["by_loan"]
            .as_object()
            .unwrap()
            .values()
            .map(money)
            .sum();
        assert_eq!(money(&exposure["result"]), parts);
    }
    // The plan's rules are traced on the borrower's first loan; the other points at it.
    let plan = |r: &Value| r["trace"]["decisions"][0].clone();
    assert_eq!(plan(&records[0])["per_borrower"], read_keys[0]);
    assert!(!plan(&records[0])["rules"].as_array().unwrap().is_empty());
    assert_eq!(plan(&records[1])["per_borrower"], read_keys[0]);
    assert!(plan(&records[1])["rules"].as_array().unwrap().is_empty());
}

#[test]
fn a_book_said_to_be_sorted_but_not_is_refused_with_the_borrower_named() {
    let dir = temp();
    copy_shipped(dir.path(), &["loan-v1.schema"]);
    let policy = write(dir.path(), "households.policy", POLICY);
    // The sample as shipped: a borrower's loans lie scattered within blocks of 100.
    let run = arrears(&[
        "run",
        &policy,
        crate::support::SAMPLE_JSONL,
        "--as-of",
        AS_OF,
        "--borrowers",
        "sorted",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "the loans of borrower `B00001` are not next to each other: it appears again at row 4"
        ),
        "{}",
        run.stderr
    );
    // A policy that reads no borrower runs on it as before.
    let retail = arrears(&[
        "run",
        "policies/retail.policy",
        crate::support::SAMPLE_JSONL,
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(retail.code, 0, "{}", retail.stderr);
}

#[test]
fn check_explains_what_a_borrower_value_cannot_do() {
    let dir = temp();
    copy_shipped(dir.path(), &["loan-v1.schema"]);
    let cases = [
        (
            "let n = count(borrower.loans where plan = call)",
            "reads each loan alone, before anything is decided",
        ),
        ("let n = borrower.loans", "cannot be read by itself"),
        ("let n = sum(borrower.loans)", "needs a value of each loan"),
        (
            "let n = count(borrower.principal_outstanding)",
            "needs loans or records to look at",
        ),
    ];
    for (line, says) in cases {
        let text = POLICY.replace(
            "actions call,",
            &format!("{line}\nguard G when n = 1 forbid sue\nactions call,"),
        );
        let policy = write(dir.path(), "bad.policy", &text);
        let checked = arrears(&["check", &policy, "--error-format", "plain"]);
        assert_eq!(checked.code, 1, "{line}: {}", checked.stderr);
        let all = format!("{}{}", checked.stdout, checked.stderr);
        assert!(
            all.contains("E215") || all.contains("E208"),
            "{line}: {all}"
        );
        assert!(all.contains(says), "{line}: {all}");
    }
    // A schema without `borrowers by` has no borrowers to read.
    let schema = std::fs::read_to_string(dir.path().join("loan-v1.schema"))
        .unwrap()
        .replace(", borrowers by borrower_id", "");
    write(dir.path(), "loan-v1.schema", &schema);
    let policy = write(dir.path(), "households.policy", POLICY);
    let checked = arrears(&["check", &policy, "--error-format", "plain"]);
    assert_eq!(checked.code, 1);
    let all = format!("{}{}", checked.stdout, checked.stderr);
    assert!(
        all.contains("does not say which field identifies a loan's borrower"),
        "{all}"
    );
}

#[test]
fn an_unsorted_book_is_decided_as_its_sorted_copy_in_its_own_order() {
    let dir = temp();
    copy_shipped(dir.path(), &["loan-v1.schema"]);
    let policy = write(dir.path(), "households.policy", POLICY);
    let sorted = write(dir.path(), "sorted.jsonl", &jsonl(&sorted_sample()));
    // A repeated key and a broken row among the shipped, unsorted sample's loans.
    let mut loans = sample_loans();
    let repeat = loans[7].clone();
    loans.insert(40, repeat);
    loans[90]["principal_outstanding"] = Value::from("lots");
    let unsorted = write(dir.path(), "unsorted.jsonl", &jsonl(&loans));
    let by_key = |stdout: &str| -> BTreeMap<String, String> {
        stdout
            .lines()
            .map(|l| {
                let record: Value = serde_json::from_str(l).unwrap();
                (record["loan_id"].as_str().unwrap().to_owned(), l.to_owned())
            })
            .collect()
    };
    let sorted_run = arrears(&[
        "run",
        &policy,
        &sorted,
        "--as-of",
        AS_OF,
        "--borrowers",
        "sorted",
        "--trace",
    ]);
    assert_eq!(sorted_run.code, 0, "{}", sorted_run.stderr);
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let run = arrears(&[
            "run",
            &policy,
            &unsorted,
            "--as-of",
            AS_OF,
            "--trace",
            "--threads",
            threads,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr
                .contains("read 3001 loans = decided 2999 + rejected 2"),
            "{}",
            run.stderr
        );
        outputs.push(run.stdout);
    }
    assert_eq!(outputs[0], outputs[1], "the same on one thread and two");
    // In the unsorted book's own order ...
    let order: Vec<String> = outputs[0]
        .lines()
        .map(|l| {
            let record: Value = serde_json::from_str(l).unwrap();
            record["loan_id"].as_str().unwrap().to_owned()
        })
        .collect();
    let expected_order: Vec<String> = loans
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != 40 && *index != 90)
        .map(|(_, loan)| loan["loan_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(order, expected_order);
    // ... and each loan's record, trace included, as from the sorted copy, but for the
    // borrower that lost its broken loan.
    let broken_borrower = &loans[90]["borrower_id"];
    let (from_sorted, from_unsorted) = (by_key(&sorted_run.stdout), by_key(&outputs[0]));
    let mut compared = 0;
    for loan in loans
        .iter()
        .filter(|l| &l["borrower_id"] != broken_borrower)
    {
        let key = loan["loan_id"].as_str().unwrap();
        assert_eq!(from_unsorted.get(key), from_sorted.get(key), "loan {key}");
        compared += 1;
    }
    assert!(compared > 2990, "{compared}");
}

#[test]
fn report_counts_borrowers_and_explain_shows_each_loans_part() {
    let dir = temp();
    copy_shipped(dir.path(), &["loan-v1.schema"]);
    let policy = write(dir.path(), "households.policy", POLICY);
    let loans = sorted_sample();
    let sorted = write(dir.path(), "sorted.jsonl", &jsonl(&loans));
    let distinct: std::collections::BTreeSet<&str> = loans
        .iter()
        .map(|l| l["borrower_id"].as_str().unwrap())
        .collect();
    let expected = restated(&loans);
    let mut reports = Vec::new();
    for (book, order) in [
        (sorted.as_str(), "sorted"),
        (crate::support::SAMPLE_JSONL, "unsorted"),
    ] {
        let report = arrears(&[
            "report",
            &policy,
            book,
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--borrowers",
            order,
        ]);
        assert_eq!(report.code, 0, "{}", report.stderr);
        let mut json: Value = serde_json::from_str(&report.stdout).unwrap();
        assert_eq!(json["borrowers"], distinct.len());
        // Each borrower once under its plan, and the plans add up to the borrowers.
        let rows = json["tables"]["borrower_decisions"][0]["rows"].clone();
        let total: u64 = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["borrowers"].as_u64().unwrap())
            .sum();
        assert_eq!(total, distinct.len() as u64);
        let sue = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == "sue")
            .map(|r| r["borrowers"].as_u64().unwrap());
        let restated_sue: std::collections::BTreeSet<&str> = loans
            .iter()
            .filter(|l| expected[l["loan_id"].as_str().unwrap()].0 == "sue")
            .map(|l| l["borrower_id"].as_str().unwrap())
            .collect();
        assert_eq!(sue, Some(restated_sue.len() as u64));
        json.as_object_mut().unwrap().remove("portfolio");
        reports.push(json);
    }
    assert_eq!(
        reports[0], reports[1],
        "sorted and unsorted books report alike"
    );
    // Explain a borrower's second loan: the values with every loan's part, and the plan
    // pointing at the loan it was decided with.
    let explain = arrears(&[
        "explain",
        &policy,
        crate::support::SAMPLE_JSONL,
        "--as-of",
        AS_OF,
        "--loan",
        "L00004",
    ]);
    assert_eq!(explain.code, 0, "{}", explain.stderr);
    let text = explain.stdout;
    assert!(
        text.contains("the borrower's loans read (3): L00001, L00004, L00036"),
        "{text}"
    );
    assert!(
        text.contains("sum(borrower.principal_outstanding) = "),
        "{text}"
    );
    assert!(text.contains("by loan: L00001: "), "{text}");
    assert!(
        text.contains("decided once for the borrower, with loan L00001"),
        "{text}"
    );
    let plan = &expected["L00004"].0;
    assert!(
        text.contains(&format!("decision plan (first match) → {plan}")),
        "{text}"
    );
}

#[test]
fn diff_refuses_a_borrower_level_policy_rather_than_deciding_its_loans_alone() {
    let diff = arrears(&[
        "diff",
        "policies/retail.policy",
        "policies/小微企业催收.policy",
        crate::support::SAMPLE_JSONL,
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(diff.code, 2, "{}", diff.stderr);
    assert!(
        diff.stderr.contains("reads a borrower's loans together")
            && diff.stderr.contains("小微企业催收.policy"),
        "{}",
        diff.stderr
    );
}
