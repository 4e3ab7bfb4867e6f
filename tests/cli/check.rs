//! `arrears check`: clean policies pass; broken ones get every problem, placed and explained.

use crate::support::arrears;

#[test]
fn shipped_policies_and_schema_are_clean() {
    let outcome = arrears(&[
        "check",
        "policies/retail.policy",
        "policies/loan-v1.schema",
        "policies/催收示例.policy",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(outcome.stderr, "checked 3 files: no problems\n");
}

#[test]
fn golden_diagnostics() {
    insta::glob!("../golden/check", "*.policy", |path| {
        let relative = path
            .strip_prefix(crate::support::root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let outcome = arrears(&["check", "--error-format", "plain", &relative]);
        assert_eq!(outcome.code, 1, "{relative} must fail the check");
        insta::assert_snapshot!(outcome.stderr);
    });
}

#[test]
fn a_misspelt_field_a_type_error_and_a_syntax_error_are_reported_together() {
    let outcome = arrears(&[
        "check",
        "--error-format",
        "json",
        "tests/golden/check/three-mistakes.policy",
    ]);
    assert_eq!(outcome.code, 1);
    let found: Vec<serde_json::Value> = outcome
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let codes: Vec<&str> = found.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["E201", "E203", "E101"], "{}", outcome.stderr);
    // The JSON goes to standard output, to be piped; standard error keeps the summary only.
    assert_eq!(
        outcome.stderr.trim(),
        "checked 1 file: 3 errors, 0 warnings"
    );
    assert_eq!(
        found[0]["suggestions"][0],
        "did you mean `principal_outstanding`?"
    );
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["column"].as_u64()),
        (Some(10), Some(32))
    );
    assert_eq!(
        found[1]["message"],
        "cannot compare a money amount with a date"
    );
    assert_eq!(
        found[1]["labels"].as_array().unwrap().len(),
        2,
        "both sides are labelled"
    );
    assert_eq!(found[2]["message"], "expected `then`, found `than`");
}

#[test]
fn github_format_annotates_the_line() {
    let outcome = arrears(&[
        "check",
        "--error-format",
        "github",
        "tests/golden/check/three-mistakes.policy",
    ]);
    // GitHub reads workflow commands from standard output.
    let first = outcome.stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "::error file=tests/golden/check/three-mistakes.policy,line=10,col=32,endLine=10,endColumn=52,title=E201 unknown-name::unknown name `principal_outstandng`%0Ahelp: did you mean `principal_outstanding`?"
    );
}

#[test]
fn exit_codes_tell_policy_errors_from_tool_failures() {
    assert_eq!(arrears(&["check", "no/such.policy"]).code, 2);
    assert_eq!(
        arrears(&["check", "--no-such-flag", "policies/retail.policy"]).code,
        2
    );
    assert_eq!(
        arrears(&["check", "tests/golden/check/cycle.policy"]).code,
        1
    );
    assert_eq!(arrears(&["check", "policies/retail.policy"]).code, 0);
}

#[test]
fn the_readme_tour_policy_checks_clean() {
    let readme = std::fs::read_to_string(crate::support::root().join("README.md")).unwrap();
    let tour = readme
        .split("## A short tour of the language")
        .nth(1)
        .unwrap();
    let policy = tour.split("```").nth(1).unwrap();
    let dir = crate::support::temp();
    let schema =
        std::fs::read_to_string(crate::support::root().join("policies/loan-v1.schema")).unwrap();
    crate::support::write(dir.path(), "loan-v1.schema", &schema);
    let path = crate::support::write(dir.path(), "tour.policy", policy);
    let outcome = arrears(&["check", &path]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
}

#[test]
fn every_code_is_documented_with_an_example() {
    let all = arrears(&["explain-code"]);
    assert_eq!(all.code, 0);
    assert_eq!(
        all.stdout
            .lines()
            .filter(|l| l.starts_with('E') || l.starts_with('W'))
            .count(),
        arrears::CODES.len()
    );
    assert_eq!(
        all.stdout.matches("  example:").count(),
        arrears::CODES.len()
    );
    let one = arrears(&["explain-code", "unknown-name"]);
    assert!(
        one.stdout.starts_with("E201 unknown-name\n"),
        "{}",
        one.stdout
    );
    assert_eq!(arrears(&["explain-code", "E999"]).code, 2);
}

#[test]
fn a_misspelt_field_compared_with_its_choices_is_one_error_not_one_per_choice() {
    let dir = crate::support::temp();
    crate::support::copy_shipped(dir.path(), &["loan-v1.schema"]);
    let policy = crate::support::write(
        dir.path(),
        "p.policy",
        "use schema \"loan-v1.schema\"\nactions visit\ndecision d: first match, gives action\n  rule A when willingnes = willing then visit\n  rule B when refuses = willingnes then visit\n  rule C when willingnes in [willing, refuses] then visit\n  rule D otherwise then visit\n",
    );
    let outcome = arrears(&["check", "--error-format", "json", &policy]);
    let messages: Vec<String> = outcome
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["message"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        messages, ["unknown name `willingnes`"; 3],
        "{}",
        outcome.stdout
    );
}

#[test]
fn a_chinese_field_typed_with_a_character_of_the_same_sound_gets_the_field_suggested() {
    let dir = crate::support::temp();
    crate::support::copy_shipped(dir.path(), &["loan-v1.schema", "guardrails.policy"]);
    let text = std::fs::read_to_string(crate::support::root().join("policies/小微企业催收.policy"))
        .unwrap()
        .replacen("能还 and 还款意愿 = 拒绝", "能还 and 还款意原 = 拒绝", 1);
    let policy = crate::support::write(dir.path(), "p.policy", &text);
    let found = |lang: &str| -> Vec<serde_json::Value> {
        let outcome = arrears(&["check", "--error-format", "json", "--lang", lang, &policy]);
        outcome
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let english = found("en");
    assert_eq!(english.len(), 1, "{english:?}");
    assert_eq!(english[0]["message"], "unknown name `还款意原`");
    assert_eq!(english[0]["suggestions"][0], "did you mean `还款意愿`?");
    // In Chinese, the same keys and code; the words are Chinese.
    let chinese = found("zh");
    assert_eq!(chinese[0]["code"], "E201");
    assert_eq!(chinese[0]["message"], "未知名称 `还款意原`");
    assert_eq!(chinese[0]["suggestions"][0], "是否想写 `还款意愿`？");
}

#[test]
fn a_field_called_missing_is_read_where_the_word_is_not_an_ifs_branch() {
    let dir = crate::support::temp();
    let policy = crate::support::write(
        dir.path(),
        "p.policy",
        "schema s keyed by id\n  field id: text\n  field missing: bool\n  field amount: optional money\nlet a = if amount is present then amount else missing\nactions visit, call\ndecision d: first match, gives action\n  rule A when missing then visit\n  rule B when a is present and a > 5.00 then call\n  rule C otherwise then nothing\n",
    );
    let check = arrears(&["check", &policy]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let book = crate::support::write(
        dir.path(),
        "book.csv",
        "id,missing,amount\nL1,true,\nL2,false,9.00\nL3,false,\n",
    );
    let run = arrears(&["run", &policy, &book, "--as-of", "2026-01-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let decided: Vec<String> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["d"].to_string())
        .collect();
    assert_eq!(decided, ["\"visit\"", "\"call\"", "null"]);
}
