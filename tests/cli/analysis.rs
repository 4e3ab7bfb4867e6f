//! Static analysis: each fixture in `tests/analysis/` plants one kind of problem; planting each
//! kind into a copy of the retail policy is found, and its witness loan, completed with the
//! documented defaults and run through `arrears run`, shows exactly what the finding claims.

use serde_json::{Value, json};

use crate::support::{arrears, retail_variant, root, temp, write};

#[test]
fn each_fixture_reports_its_planted_problem() {
    insta::glob!("../../tests/analysis", "*.policy", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let expected = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .expect("each fixture says what it expects");
        let relative = path
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let outcome = arrears(&["check", "--error-format", "plain", &relative]);
        assert_eq!(outcome.code, 0, "findings are warnings: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains(expected),
            "{relative} must report {expected}:\n{}",
            outcome.stderr
        );
        assert_eq!(arrears(&["check", "--deny", "warnings", &relative]).code, 1);
        insta::assert_snapshot!(outcome.stderr);
    });
}

#[test]
fn the_shipped_policies_have_no_findings() {
    let outcome = arrears(&[
        "check",
        "--deny",
        "warnings",
        "policies/retail.policy",
        "policies/催收示例.policy",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
}

/// The witness in a finding's advice: the JSON of the fields that matter, and its date.
fn witness(help: &str) -> (Value, String) {
    let start = help.find("{\"").expect("a witness");
    let end = help[start..].find("} on ").expect("a witness date") + start + 1;
    let loan: Value = serde_json::from_str(&help[start..end]).unwrap();
    let date = help[end + 4..end + 14].to_owned();
    (loan, date)
}

/// The witness completed with the defaults the advice names: false, the first choice, empty
/// lists, no optional values (and amounts of 1000.00, texts `W`).
fn complete(fields: &Value) -> Value {
    let mut loan = json!({
        "loan_id": "W-1", "borrower": "W", "product": "mortgage", "currency": "W",
        "principal_outstanding": "1000.00", "oldest_unpaid_due_date": null, "collateral_value": null,
        "has_guarantor": false, "has_assets": false, "willingness": "willing", "ability": "able",
        "operating_status": "normal", "restructured": false, "deceased": false, "bankrupt": false,
        "in_dispute": false, "public_official": false, "do_not_contact": false, "region": "W",
        "promises": [], "contacts": [],
    });
    for (key, value) in fields.as_object().unwrap() {
        loan[key] = value.clone();
    }
    loan
}

/// Plants a change into a copy of the retail policy; returns the findings (JSON diagnostics)
/// and the copy's path.
fn plant(dir: &std::path::Path, from: &str, to: &str) -> (Vec<Value>, String) {
    let path = retail_variant(dir, from, to);
    let outcome = arrears(&["check", "--error-format", "json", &path]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    (
        outcome
            .stdout
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
        path,
    )
}

fn run_witness(dir: &std::path::Path, policy: &str, finding: &Value) -> Value {
    let (fields, as_of) = witness(finding["suggestions"][0].as_str().unwrap());
    let loans = write(dir, "witness.jsonl", &format!("{}\n", complete(&fields)));
    let outcome = arrears(&["run", policy, &loans, "--as-of", &as_of, "--trace"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    serde_json::from_str(outcome.stdout.lines().next().unwrap()).unwrap()
}

#[test]
fn a_shadowed_rule_planted_in_the_retail_policy_is_found_with_its_witness() {
    let dir = temp();
    let (found, policy) = plant(
        dir.path(),
        "  rule T16 \"small business\"",
        "  rule T15b \"ten days\" when overdue >= 10 days then site_check\n  rule T16 \"small business\"",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["code"], "W402");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("`T15b` can never fire")
    );
    let record = run_witness(dir.path(), &policy, &found[0]);
    // The witness meets T15b's condition, and an earlier rule decides it.
    assert!(record["trace"]["derived"][0]["value"].as_i64().unwrap() >= 10);
    assert_ne!(record["treatment"], "site_check");
}

#[test]
fn a_gap_planted_in_the_retail_policy_is_found_with_its_witness() {
    let dir = temp();
    let (found, policy) = plant(
        dir.path(),
        "  rule T18 \"early\" otherwise then phone_reminder\n",
        "",
    );
    let gap = found.iter().find(|d| d["code"] == "W404").expect("a gap");
    let record = run_witness(dir.path(), &policy, gap);
    let treatment = crate::support::traced_decision(&record, "treatment");
    assert!(
        treatment["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["matched"] == false),
        "no rule matches the witness"
    );
    assert!(record["treatment"].is_null());
}

#[test]
fn an_overlap_planted_in_the_retail_policy_is_found_with_its_witness() {
    let dir = temp();
    let (found, policy) = plant(
        dir.path(),
        "decision classification \"five-tier risk class\": first match,",
        "decision classification \"five-tier risk class\": unique match,",
    );
    let overlap = found
        .iter()
        .find(|d| d["code"] == "W405")
        .expect("an overlap");
    let record = run_witness(dir.path(), &policy, overlap);
    let classification = crate::support::traced_decision(&record, "classification");
    assert_eq!(
        classification["rules"].as_array().unwrap().last().unwrap()["matched"],
        true
    );
}

#[test]
fn never_true_conditions_dead_guards_and_unused_values_planted_in_the_retail_policy_are_found() {
    let dir = temp();
    let (found, _) = plant(
        dir.path(),
        "when overdue >= 4 days and product = sme",
        "when overdue >= 4 days and overdue < 2 days and product = sme",
    );
    assert!(
        found
            .iter()
            .any(|d| d["code"] == "W403" && d["message"].as_str().unwrap().contains("`T16`")),
        "{found:?}"
    );
    let (found, _) = plant(
        dir.path(),
        "when do_not_contact forbid contact",
        "when do_not_contact and overdue > 10 days and overdue < 5 days forbid contact",
    );
    assert!(found.iter().any(|d| d["code"] == "W406"), "{found:?}");
    let (found, _) = plant(
        dir.path(),
        "let last_contact",
        "let spare = overdue > 5 days\n\nlet last_contact",
    );
    assert!(
        found
            .iter()
            .any(|d| d["code"] == "W407" && d["message"] == "`spare` is never read"),
        "{found:?}"
    );
}

#[test]
fn an_unreachable_rule_names_the_fewest_earlier_rules_that_take_its_loans() {
    // T14 (`overdue > 30 days`) alone takes every loan of T15 moved to 31 days; thirteen rules
    // above share some of its loans, and naming them all used to bury the one that matters.
    let dir = temp();
    let (found, _) = plant(
        dir.path(),
        "rule T15 \"a week or more\" when overdue >= 7 days",
        "rule T15 \"a week or more\" when overdue >= 31 days",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0]["message"],
        "rule `T15` can never fire: every loan it matches is taken first by `T14`"
    );
    let pointed: Vec<&str> = found[0]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(pointed, ["never fires", "takes its loans"]);
}

#[test]
fn a_rule_that_never_fires_is_not_named_as_taking_loans() {
    // T15b holds every loan of T15c, but T14 takes all of T15b's first: T14 is named.
    let dir = temp();
    let (found, _) = plant(
        dir.path(),
        "  rule T16 \"small business\"",
        "  rule T15b when overdue >= 40 days then site_check\n  rule T15c when overdue >= 50 days then site_check\n  rule T16 \"small business\"",
    );
    let messages: Vec<&str> = found
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .contains(&"rule `T15c` can never fire: every loan it matches is taken first by `T14`"),
        "{messages:?}"
    );
}

#[test]
fn otherwise_in_a_unique_match_decision_overlaps_no_rule() {
    let dir = temp();
    let (found, _) = plant(
        dir.path(),
        "decision classification \"five-tier risk class\": first match,",
        "decision classification \"five-tier risk class\": unique match,",
    );
    let overlaps: Vec<&str> = found
        .iter()
        .filter(|d| d["code"] == "W405")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    // C1 … C6 pairwise: the real overlaps of the five-tier ladder; C7 is `otherwise`.
    assert_eq!(overlaps.len(), 15, "{overlaps:?}");
    assert!(!overlaps.iter().any(|m| m.contains("`C7`")), "{overlaps:?}");
}
