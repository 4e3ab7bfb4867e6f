//! `arrears test`: the shipped policy's own cases pass with full coverage; broken cases are
//! reported side by side, with their trace, in human, JUnit and JSON form.

use serde_json::Value;

use crate::support::arrears;

#[test]
fn the_retail_policy_passes_its_own_tests_with_full_coverage() {
    let outcome = arrears(&["test", "policies/", "--min-coverage", "100"]);
    assert_eq!(outcome.code, 0, "{}\n{}", outcome.stdout, outcome.stderr);
    assert!(
        outcome
            .stdout
            .contains("31 of 31 rules and guards (100.0 %)"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.ends_with("0 failed, 0 invalid\n"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn a_broken_expectation_fails_with_a_side_by_side_and_its_trace() {
    let outcome = arrears(&["test", "tests/golden/policy-tests/broken.tests.yaml"]);
    assert_eq!(outcome.code, 1);
    insta::assert_snapshot!(outcome.stdout);
}

#[test]
fn junit_and_json_reports_carry_the_same_results() {
    let junit = arrears(&[
        "test",
        "tests/golden/policy-tests/broken.tests.yaml",
        "--format",
        "junit",
    ]);
    assert_eq!(junit.code, 1);
    assert!(junit.stdout.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"arrears\" tests=\"4\" failures=\"1\" errors=\"3\">"));
    assert!(junit.stdout.contains("<failure message=\"treatment: expected litigation, got onsite_visit; actions: expected include [litigation], got [onsite_visit]\">"));
    let json = arrears(&[
        "test",
        "tests/golden/policy-tests/broken.tests.yaml",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        (
            report["passed"].as_u64(),
            report["failed"].as_u64(),
            report["invalid"].as_u64()
        ),
        (Some(0), Some(1), Some(3))
    );
    assert_eq!(
        report["files"][0]["cases"][0]["mismatches"][0]["expected"],
        "litigation"
    );
    assert_eq!(report["files"][0]["cases"][0]["line"], 30);
    assert_eq!(
        report["coverage"][0]["uncovered"].as_array().unwrap().len(),
        27
    );
}

#[test]
fn coverage_below_the_minimum_fails() {
    let outcome = arrears(&[
        "test",
        "tests/golden/policy-tests/broken.tests.yaml",
        "--min-coverage",
        "50",
    ]);
    assert_eq!(outcome.code, 1);
    assert!(
        outcome
            .stderr
            .contains("is 12.9 %, below the required 50 %"),
        "{}",
        outcome.stderr
    );
    assert_eq!(arrears(&["test", "no/such/folder"]).code, 2);
}

/// The retail policy and its tests in a temporary folder, with `edit` made to the tests.
fn retail_with_tests(dir: &std::path::Path, edit: impl Fn(&str) -> String) -> String {
    crate::support::copy_shipped(
        dir,
        &["retail.policy", "loan-v1.schema", "guardrails.policy"],
    );
    let tests =
        std::fs::read_to_string(crate::support::root().join("policies/retail.tests.yaml")).unwrap();
    crate::support::write(dir, "retail.tests.yaml", &edit(&tests))
}

/// The shipped retail tests without the case that pins C4's `> 90 days`.
fn without_c4_boundary(text: &str) -> String {
    let start = text.find("  - name: \"C4 boundary").unwrap();
    let end = start + 10 + text[start + 10..].find("  - name:").unwrap();
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn mutants_find_an_unpinned_boundary_and_its_suggested_case_pins_it() {
    let dir = crate::support::temp();
    // Without the case at exactly 90 days, `overdue > 90 days` of C4 could move unnoticed.
    let tests = retail_with_tests(dir.path(), without_c4_boundary);
    let outcome = arrears(&["test", &tests, "--mutants"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let c4 = "no test notices `overdue > 90 days`: 90 days → 89 days";
    assert!(outcome.stdout.contains(c4), "{}", outcome.stdout);
    // The suggested case: a loan exactly 90 days overdue, still special mention.
    let cases = outcome
        .stdout
        .split("\ncases that catch the surviving changes to ")
        .nth(1)
        .and_then(|rest| rest.split_once('\n'))
        .map(|(_, cases)| {
            cases
                .split("\nmutants of")
                .next()
                .unwrap()
                .trim_start_matches('\n')
        })
        .unwrap();
    let suggested = "  - name: \"C4 pinned: catches `overdue > 90 days`: 90 days → 89 days\"\n    loan: {\"oldest_unpaid_due_date\":\"2026-08-22\"}\n    expect:\n      classification: special_mention\n";
    assert!(cases.contains(suggested), "{cases}");
    // Pasted, every case passes and the C4 mutants die.
    let pasted = format!("{}{cases}", std::fs::read_to_string(&tests).unwrap());
    std::fs::write(&tests, pasted).unwrap();
    let again = arrears(&["test", &tests, "--mutants", "--format", "json"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let report: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    let mutants = report["mutants"][0]["mutants"].as_array().unwrap();
    let c4_mutants: Vec<&serde_json::Value> = mutants
        .iter()
        .filter(|m| {
            m["place"]["line"] == 60
                && m["change"]
                    .as_str()
                    .unwrap()
                    .starts_with("`overdue > 90 days`")
        })
        .collect();
    assert_eq!(c4_mutants.len(), 3, "{c4_mutants:?}");
    assert!(
        c4_mutants.iter().all(|m| m["verdict"] == "killed"),
        "{c4_mutants:?}"
    );
}

#[test]
fn a_mutation_score_below_the_minimum_fails() {
    let dir = crate::support::temp();
    let shipped = retail_with_tests(dir.path(), str::to_owned);
    let held = arrears(&["test", &shipped, "--mutants", "--min-score", "100"]);
    assert_eq!(held.code, 0, "{}", held.stderr);
    let tests = retail_with_tests(dir.path(), without_c4_boundary);
    let outcome = arrears(&["test", &tests, "--mutants", "--min-score", "100"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("below the required 100 %"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stdout.contains("equivalent"), "{}", outcome.stdout);
    // JUnit: the mutants are one more suite, survivors failures and equivalents skipped.
    let junit = arrears(&["test", &tests, "--mutants", "--format", "junit"]);
    assert_eq!(junit.code, 0, "{}", junit.stderr);
    assert!(
        junit.stdout.contains("<testsuite name=\"mutants of "),
        "{}",
        junit.stdout
    );
    assert!(
        junit.stdout.contains("<skipped message="),
        "{}",
        junit.stdout
    );
    assert!(
        junit.stdout.trim_end().ends_with("</testsuites>"),
        "{}",
        junit.stdout
    );
}
