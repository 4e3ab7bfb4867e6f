//! Hostile policies: whatever the text, arrears answers with a placed error or a clean check,
//! never a crash (exit 101) or a stack overflow (a signal, no exit code).

use crate::support::{arrears, temp, write};

const HEAD: &str = "policy p \"p\"\nuse schema \"loan-v1.schema\"\n";

/// Checks `body` under a policy header beside the shipped schema; returns exit code and stderr.
fn check(body: &str) -> (i32, String) {
    let dir = temp();
    crate::support::copy_shipped(dir.path(), &["loan-v1.schema"]);
    let policy = write(dir.path(), "p.policy", &format!("{HEAD}{body}\n"));
    let outcome = arrears(&["check", "--error-format", "json", &policy]);
    (outcome.code, outcome.stdout)
}

#[test]
fn deep_nesting_and_long_chains_are_refused_with_e104_not_a_stack_overflow() {
    let parens = format!(
        "let x \"x\" = {}1{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let sums = format!("let x \"x\" = 1{}", " + 1".repeat(10_000));
    let ands = format!(
        "let x \"x\" = has_assets{}",
        " and has_assets".repeat(10_000)
    );
    let ors = format!(
        "let x \"x\" = has_assets{}",
        " or has_assets".repeat(10_000)
    );
    let ifs = format!(
        "let x \"x\" = {}1{}",
        "if has_assets then 1 else ".repeat(10_000),
        ""
    );
    for body in [parens, sums, ands, ors, ifs] {
        let (code, stderr) = check(&body);
        assert_eq!(code, 1, "{}", stderr.get(..300).unwrap_or(&stderr));
        assert!(
            stderr.contains("E104"),
            "{}",
            stderr.get(..300).unwrap_or(&stderr)
        );
    }
}

#[test]
fn chains_up_to_the_limit_are_checked_as_usual() {
    let (code, stderr) = check(&format!(
        "let x \"x\" = 1{}\ndecision d \"d\": first match, gives one of a, b\n  rule R1 \"r\" when x > 3 then a\n  rule R2 \"r\" otherwise then b",
        " + 1".repeat(200)
    ));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn huge_literals_long_names_and_cycles_get_placed_errors() {
    let cases = [
        (format!("let x \"x\" = {}", "9".repeat(5_000)), Some("E")),
        (format!("let x \"x\" = principal_outstanding > {}.00", "9".repeat(40)), Some("E")),
        (format!("let x \"x\" = {} days", "9".repeat(30)), Some("E")),
        // A 10,000-character name is a name: accepted (and reported unused).
        (format!("let {} \"x\" = 1", "x".repeat(10_000)), None),
        (format!("let x \"{}\" = 1", "说".repeat(100_000)), None),
        (
            "decision a \"a\": first match, gives one of p, q\n  rule R1 \"r\" when b = p then p\n  rule R2 \"r\" otherwise then q\ndecision b \"b\": first match, gives one of p, q\n  rule S1 \"r\" when a = p then p\n  rule S2 \"r\" otherwise then q".to_owned(),
            Some("E"),
        ),
    ];
    for (body, error) in cases {
        let (code, stderr) = check(&body);
        let shown = stderr.get(..400).unwrap_or(&stderr);
        match error {
            Some(_) => {
                assert_eq!(code, 1, "{shown}");
                assert!(stderr.contains("\"severity\":\"error\""), "{shown}");
            }
            None => assert_eq!(code, 0, "{shown}"),
        }
    }
}

#[test]
fn a_policy_that_is_not_utf8_is_refused_with_its_line_and_column() {
    let dir = temp();
    let path = dir.path().join("gbk.policy");
    std::fs::write(&path, b"policy p \"p\"\nlet \xc4\xe3 = 1\n").unwrap();
    let outcome = arrears(&["check", &path.to_string_lossy()]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("line 2, column 5 is not valid UTF-8"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_very_long_policy_is_checked_in_one_piece() {
    // 5,000 derived values, each from the fields, and a decision reading the last.
    let mut body = String::new();
    for n in 0..5_000 {
        body.push_str(&format!(
            "let v{n} \"v\" = principal_outstanding + {n}.00\n"
        ));
    }
    body.push_str(
        "decision d \"d\": first match, gives one of a, b\n  rule R1 \"r\" when v4999 > 3.00 then a\n  rule R2 \"r\" otherwise then b",
    );
    let (code, stderr) = check(&body);
    assert_eq!(code, 0, "{}", stderr.get(..400).unwrap_or(&stderr));
}

#[test]
fn values_built_on_values_too_deeply_are_refused_with_e104_not_a_stack_overflow() {
    let rule = "decision d \"d\": first match, gives one of a, b\n  rule R1 \"r\" when {last} > 3 then a\n  rule R2 \"r\" otherwise then b";
    // 5,000 values each built on the one before, in file order and in reverse.
    let mut forward = String::from("let v0 \"v\" = 1\n");
    let mut reverse = String::new();
    for n in 1..5_000 {
        forward.push_str(&format!("let v{n} \"v\" = v{} + 1\n", n - 1));
        reverse.push_str(&format!("let v{} \"v\" = v{n} + 1\n", n - 1));
    }
    reverse.push_str("let v4999 \"v\" = 1\n");
    // Fewer values, each a long sum: deep once written out.
    let mut wide = String::from("let v0 \"v\" = 1\n");
    for n in 1..64 {
        wide.push_str(&format!(
            "let v{n} \"v\" = v{}{}\n",
            n - 1,
            " + 1".repeat(250)
        ));
    }
    for (body, last) in [(forward, "v4999"), (reverse, "v0"), (wide, "v63")] {
        let (code, stderr) = check(&format!("{body}{}", rule.replace("{last}", last)));
        let shown = stderr.get(..400).unwrap_or(&stderr);
        assert_eq!(code, 1, "{shown}");
        assert!(stderr.contains("E104"), "{shown}");
    }
}

#[test]
fn values_built_on_values_within_the_limit_are_decided_with_traces() {
    let dir = temp();
    crate::support::copy_shipped(dir.path(), &["loan-v1.schema"]);
    let mut body = String::from("let v0 \"v\" = 1\n");
    for n in 1..60 {
        body.push_str(&format!(
            "let v{n} \"v\" = v{}{}\n",
            n - 1,
            " + 1".repeat(15)
        ));
    }
    body.push_str("decision d \"d\": first match, gives one of a, b\n  rule R1 \"r\" when v59 > 3 then a\n  rule R2 \"r\" otherwise then b\n");
    let policy = write(dir.path(), "p.policy", &format!("{HEAD}{body}"));
    let outcome = arrears(&[
        "run",
        &policy,
        "examples/portfolios/retail-sample.jsonl",
        "--as-of",
        "2026-11-20",
        "--quiet",
        "--trace",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("decided 3000"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_chain_of_decisions_each_reading_the_last_is_analysed_quickly() {
    // Before the analysis bounded how deeply it writes decisions out, 25 such decisions took
    // 15 s and 50 did not finish; the time doubled with each one.
    let mut body = String::from(
        "decision d0 \"d\": first match, gives one of a, b\n  rule A0 \"r\" when has_assets then a\n  rule B0 \"r\" otherwise then b\n",
    );
    for n in 1..300 {
        body.push_str(&format!(
            "decision d{n} \"d\": first match, gives one of a, b\n  rule A{n} \"r\" when d{} = a then a\n  rule B{n} \"r\" otherwise then b\n",
            n - 1
        ));
    }
    // A regression shows as this test never finishing.
    let (code, stderr) = check(&body);
    assert_eq!(code, 0, "{}", stderr.get(..400).unwrap_or(&stderr));
}
