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
