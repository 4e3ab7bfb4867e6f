//! Nothing costs more than its size: hostile shapes at the sizes that once took minutes must
//! finish well inside a generous bound. The bound is kept by `timeout` (coreutils), not by a
//! clock in the test: a quadratic path at these sizes runs for minutes and is killed, a linear
//! one ends in a second or two even in a debug build. `benches/costs.sh` prints the doubling
//! series in release builds.

use std::path::Path;
use std::process::Command;

use crate::support::{root, temp, write};

#[path = "../../examples/gen_policy.rs"]
mod gen_policy;

/// Seconds any one shape may take here (debug build, a loaded CI machine).
const BOUND_SECONDS: &str = "60";

/// Runs the retail policy over `portfolio` under `timeout`; returns standard error, and fails
/// the test when the bound is hit.
fn run_bounded(portfolio: &Path) -> String {
    let output = Command::new("timeout")
        .args([BOUND_SECONDS, env!("CARGO_BIN_EXE_arrears"), "run"])
        .arg(root().join("policies/retail.policy"))
        .arg(portfolio)
        .args(["--as-of", "2026-11-20", "--quiet"])
        .output()
        .expect("timeout runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_ne!(
        output.status.code(),
        Some(124),
        "{} took more than {BOUND_SECONDS} s",
        portfolio.display()
    );
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    stderr
}

fn first_sample_loan() -> serde_json::Map<String, serde_json::Value> {
    serde_json::from_value(crate::support::sample_loans().remove(0)).unwrap()
}

#[test]
fn a_record_with_200000_unknown_fields_is_read_in_linear_time_and_warned_about_once() {
    let dir = temp();
    let mut loan = first_sample_loan();
    for n in 0..200_000 {
        loan.insert(format!("x{n}"), serde_json::Value::from(n));
    }
    let text = format!("{}\n", serde_json::Value::Object(loan));
    let path = write(dir.path(), "fields.jsonl", &text);
    let stderr = run_bounded(Path::new(&path));
    let warning = stderr
        .lines()
        .find(|l| l.starts_with("warning[W506]"))
        .unwrap();
    assert!(
        warning.contains("`x0`, `x1`") && warning.ends_with("`x19` … and 199,980 more"),
        "{warning}"
    );
    assert!(
        stderr.contains("read 1 loan = decided 1 + rejected 0"),
        "{stderr}"
    );
}

#[test]
fn a_csv_file_of_50_rows_and_50000_unknown_columns_is_read_in_linear_time() {
    let dir = temp();
    let sample =
        std::fs::read_to_string(root().join("examples/portfolios/retail-sample.csv")).unwrap();
    let mut lines = sample.lines();
    let header = lines.next().unwrap();
    let extra: Vec<String> = (0..50_000).map(|n| format!("c{n}")).collect();
    let ones = vec!["1"; extra.len()].join(",");
    let mut text = format!("{header},{}\n", extra.join(","));
    for row in lines.take(50) {
        text.push_str(&format!("{row},{ones}\n"));
    }
    let path = write(dir.path(), "columns.csv", &text);
    let stderr = run_bounded(Path::new(&path));
    assert!(stderr.contains("… and 49,980 more"), "{stderr}");
    assert!(
        stderr.contains("read 50 loans = decided 50 + rejected 0"),
        "{stderr}"
    );
}

#[test]
fn a_yaml_record_with_50000_unknown_keys_is_read_in_linear_time() {
    let dir = temp();
    let first = crate::support::first_yaml_record();
    let mut text = format!("{first}\n");
    for n in 0..50_000 {
        text.push_str(&format!("  k{n}: {n}\n"));
    }
    let path = write(dir.path(), "keys.yaml", &text);
    let stderr = run_bounded(Path::new(&path));
    assert!(stderr.contains("… and 49,980 more"), "{stderr}");
}

#[test]
fn an_in_list_of_20000_ids_costs_a_lookup_and_decides_as_the_list_says() {
    let dir = temp();
    let loans = crate::support::sample_loans();
    // Every third sample loan, and ids that are in no portfolio, 20,000 in all.
    let mut ids: Vec<String> = loans
        .iter()
        .step_by(3)
        .map(|l| l["loan_id"].as_str().unwrap().to_owned())
        .collect();
    let listed: std::collections::BTreeSet<String> = ids.iter().cloned().collect();
    ids.extend((ids.len()..20_000).map(|n| format!("GONE-{n}")));
    let list = ids
        .iter()
        .map(|id| format!("\"{id}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let policy = crate::support::retail_variant(
        dir.path(),
        "  rule T1 \"deceased\" when deceased then estate_claim",
        &format!(
            "  rule T0 \"under negotiation\" when loan_id in [{list}] then hold_review\n  rule T1 \"deceased\" when deceased then estate_claim"
        ),
    );
    let check = Command::new("timeout")
        .args([
            BOUND_SECONDS,
            env!("CARGO_BIN_EXE_arrears"),
            "check",
            &policy,
        ])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let output = Command::new("timeout")
        .args([BOUND_SECONDS, env!("CARGO_BIN_EXE_arrears"), "run", &policy])
        .arg(root().join("examples/portfolios/retail-sample.jsonl"))
        .args(["--as-of", "2026-11-20", "--trace"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut held = 0;
    for line in stdout.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = record["loan_id"].as_str().unwrap();
        let treatment = crate::support::traced_decision(&record, "treatment");
        let t0 = &treatment["rules"][0];
        assert_eq!(t0["rule"], "T0");
        assert_eq!(t0["matched"], listed.contains(id), "{id}");
        if listed.contains(id) {
            assert_eq!(record["treatment"], "hold_review", "{id}");
            held += 1;
        }
    }
    assert_eq!(held, listed.len());
}

#[test]
fn a_yaml_value_nested_40000_deep_is_refused_at_once_with_its_place() {
    let dir = temp();
    let first = crate::support::first_yaml_record();
    let deep = "{a: ".repeat(40_000);
    let text = format!("{first}\n  notes: {deep}1{}\n", "}".repeat(40_000));
    let path = write(dir.path(), "deep.yaml", &text);
    let output = Command::new("timeout")
        .args([BOUND_SECONDS, env!("CARGO_BIN_EXE_arrears"), "run"])
        .arg(root().join("policies/retail.policy"))
        .arg(&path)
        .args(["--as-of", "2026-11-20"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = first.lines().count() + 1;
    assert!(
        stderr.contains(&format!(
            "line {line}, column 266: a value is nested more than 64 brackets deep"
        )),
        "{stderr}"
    );
}

/// The findings `arrears check --error-format json` reports for `policy`, as (code, rule or
/// other first quoted name), under the bound.
fn findings_bounded(policy: &str) -> Vec<(String, String)> {
    let output = Command::new("timeout")
        .args([
            BOUND_SECONDS,
            env!("CARGO_BIN_EXE_arrears"),
            "check",
            policy,
            "--error-format",
            "json",
        ])
        .output()
        .unwrap();
    assert_ne!(
        output.status.code(),
        Some(124),
        "took more than {BOUND_SECONDS} s"
    );
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| {
            let d: serde_json::Value = serde_json::from_str(l).unwrap();
            let message = d["message"].as_str().unwrap();
            let name = message.split('`').nth(1).unwrap_or_default();
            (d["code"].as_str().unwrap().to_owned(), name.to_owned())
        })
        .collect()
}

#[test]
fn a_2000_rule_policy_is_analysed_whole_within_the_bound() {
    let dir = temp();
    crate::support::copy_shipped(dir.path(), &["loan-v1.schema"]);
    let policy = write(dir.path(), "big.policy", &gen_policy::policy(2_000, 5, 1));
    let findings = findings_bounded(&policy);
    // Every question was settled: nothing was given up at the analysis' limits.
    assert!(
        !findings.iter().any(|(code, _)| code == "W409"),
        "{findings:?}"
    );
    // `D0R6` (`overdue < 396 days`) and `D0R3` (`overdue >= 284 days`) take every loan, so no
    // rule after them fires. The depth-first search this replaced ran out of budget on some of
    // them and reported nothing there.
    let text = std::fs::read_to_string(&policy).unwrap();
    assert!(text.contains("rule D0R3 when overdue >= 284 days then"));
    assert!(text.contains("rule D0R6 when overdue < 396 days then"));
    let unreachable: Vec<&str> = findings
        .iter()
        .filter(|(code, _)| code == "W402" || code == "W403")
        .map(|(_, rule)| rule.as_str())
        .filter(|rule| rule.starts_with("D0R"))
        .collect();
    let d0_rules = text
        .lines()
        .filter(|l| l.starts_with("  rule D0R") && !l.contains(" otherwise "))
        .count();
    for r in 7..d0_rules {
        assert!(
            unreachable.contains(&format!("D0R{r}").as_str()),
            "D0R{r} is not reported: {unreachable:?}"
        );
    }
}
