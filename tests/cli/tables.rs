//! Decision tables: a table decides as the rules it stands for, its cells are checked where
//! they are written, its gaps and overlaps are found by row, and `fmt` lines it up.

use serde_json::Value;

use crate::support::{SAMPLE_JSONL, arrears, root, temp, write};

/// The head of a policy over the reference schema, with `overdue`.
const HEAD: &str = "use schema \"loan-v1.schema\"\nlet overdue = if oldest_unpaid_due_date is present and oldest_unpaid_due_date < as_of then as_of - oldest_unpaid_due_date else 0 days\nactions visit, letter, call, sue\n";

fn policy(dir: &std::path::Path, name: &str, body: &str) -> String {
    crate::support::copy_shipped(dir, &["loan-v1.schema"]);
    write(dir, name, &format!("{HEAD}{body}"))
}

fn check_json(path: &str) -> Vec<Value> {
    let outcome = arrears(&["check", "--error-format", "json", path]);
    outcome
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const TABLE: &str = "decision treatment: first match, gives action
  table when overdue > 28 days
  | row | operating_status   | willingness       | has_guarantor | overdue            | action |
  | M1  | normal             | willing, hesitant | -             | -                  | call   |
  | M2  | normal             | refuses, unknown  | yes           | -                  | letter |
  | M3  | normal             | refuses, unknown  | no            | [29 days..90 days] | visit  |
  | M4  | normal             | refuses, unknown  | no            | > 90 days          | sue    |
  | M5  | difficulty, ceased | -                 | -             | -                  | visit  |
  | M6  | -                  | -                 | -             | -                  | nothing |
";

const RULES: &str = "decision treatment: first match, gives action
  rule M1 when overdue > 28 days and operating_status = normal and willingness in [willing, hesitant] then call
  rule M2 when overdue > 28 days and operating_status = normal and willingness in [refuses, unknown] and has_guarantor then letter
  rule M3 when overdue > 28 days and operating_status = normal and willingness in [refuses, unknown] and not has_guarantor and overdue >= 29 days and overdue <= 90 days then visit
  rule M4 when overdue > 28 days and operating_status = normal and willingness in [refuses, unknown] and not has_guarantor and overdue > 90 days then sue
  rule M5 when overdue > 28 days and operating_status in [difficulty, ceased] then visit
  rule M6 when overdue > 28 days then nothing
";

#[test]
fn a_table_decides_every_loan_as_the_rules_it_stands_for() {
    let dir = temp();
    let table = policy(dir.path(), "table.policy", TABLE);
    let rules = policy(dir.path(), "rules.policy", RULES);
    let outcome = arrears(&[
        "diff",
        &rules,
        &table,
        SAMPLE_JSONL,
        "--as-of",
        "2026-11-20",
        "--format",
        "json",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let diff: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(diff["changed"]["loans"], 0, "{}", outcome.stdout);
    assert_eq!(diff["compared"]["loans"], 3000);
}

#[test]
fn a_wrong_choice_in_a_cell_is_reported_at_the_cell() {
    let dir = temp();
    let path = policy(
        dir.path(),
        "p.policy",
        &TABLE.replace(
            "| M2  | normal             | refuses, unknown ",
            "| M2  | normal             | refuse, unknown  ",
        ),
    );
    let found = check_json(&path);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["code"], "E202");
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["column"].as_u64()),
        (Some(8), Some(32))
    );
    assert_eq!(found[0]["suggestions"][0], "did you mean `refuses`?");
}

#[test]
fn rows_of_the_wrong_width_or_outside_a_table_are_refused_with_their_line() {
    let dir = temp();
    let short = policy(
        dir.path(),
        "short.policy",
        &TABLE.replace("| M5  | difficulty, ceased | -                 | -             | -                  | visit  |", "| M5 | difficulty | visit |"),
    );
    let found = check_json(&short);
    assert_eq!(
        found[0]["message"],
        "this row has 3 cells, but the table's heading has 6"
    );
    assert_eq!(found[0]["line"], 11);
    let stray = policy(
        dir.path(),
        "stray.policy",
        "decision treatment: first match, gives action\n  rule R1 otherwise then call\n  | M1 | normal | call |\n",
    );
    let found = check_json(&stray);
    assert_eq!(
        found[0]["message"],
        "this table row has no `table` above it"
    );
}

#[test]
fn overlapping_rows_of_a_unique_table_and_a_gap_are_found_by_row() {
    let dir = temp();
    let path = policy(
        dir.path(),
        "p.policy",
        &TABLE
            .replace("first match", "unique match")
            .replace("| M6  | -                  | -                 | -             | -                  | nothing |\n", "")
            .replace("| M4  | normal             | refuses, unknown  | no            | > 90 days ", "| M4  | normal             | refuses, unknown  | no            | > 80 days "),
    );
    let found = check_json(&path);
    let messages: Vec<&str> = found
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"rules `M3` and `M4` both match some loans, but `unique match` promises one rule per loan"),
        "{messages:?}"
    );
    assert!(
        messages
            .contains(&"decision `treatment` decides nothing for some loans: no rule matches them"),
        "{messages:?}"
    );
}

#[test]
fn the_sme_matrix_is_a_table_and_still_checks_clean() {
    let outcome = arrears(&["check", "policies/小微企业催收.policy"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("没有问题"), "{}", outcome.stderr);
    let text = std::fs::read_to_string(root().join("policies/小微企业催收.policy")).unwrap();
    assert!(text.contains("  table when 小微逾期\n"));
    // A planted gap: without 正3, loans of that cell match no row.
    let dir = temp();
    crate::support::copy_shipped(dir.path(), &["loan-v1.schema", "guardrails.policy"]);
    let planted: String = text
        .lines()
        .filter(|l| !l.contains("| 正3 |"))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = write(dir.path(), "gap.policy", &planted);
    let found = check_json(&path);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["code"], "W404");
    // Its witness, written whole in the policy's own names, is taken by `explain` as written
    // and falls through every row.
    let witnesses = dir.path().join("witnesses");
    let outcome = arrears(&["check", &path, "--witnesses", witnesses.to_str().unwrap()]);
    assert!(
        outcome.stderr.contains("已将 1 笔见证贷款写入"),
        "{}",
        outcome.stderr
    );
    let file = witnesses.join("W404-一户一策.jsonl");
    let record: Value =
        serde_json::from_str(std::fs::read_to_string(&file).unwrap().trim()).unwrap();
    assert_eq!(record["经营状况"], "正常经营", "{record}");
    assert_eq!(record["还款意愿"], "拒绝", "{record}");
    let explained = arrears(&[
        "explain",
        &path,
        file.to_str().unwrap(),
        "--loan",
        "W-1",
        "--as-of",
        "2026-06-30",
    ]);
    assert_eq!(explained.code, 0, "{}", explained.stderr);
    assert!(
        explained
            .stdout
            .contains("决策 一户一策（唯一命中）→ 无规则命中"),
        "{}",
        explained.stdout
    );
}

#[test]
fn explain_names_the_row_and_the_cell_that_failed() {
    let dir = temp();
    let path = policy(dir.path(), "p.policy", TABLE);
    let outcome = arrears(&[
        "explain",
        &path,
        SAMPLE_JSONL,
        "--as-of",
        "2026-11-20",
        "--loan",
        "L00002",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    // L00002: 1,333 days overdue, normal, refuses, with a guarantor.
    assert!(
        outcome
            .stdout
            .contains("  M1: no\n      ✗ willingness = refuses, needs one of willing, hesitant\n"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("  M2: matched → letter\n      ✓ overdue = 1333 days, needs > 28 days\n      ✓ operating_status = normal, needs normal\n      ✓ willingness = refuses, needs one of refuses, unknown\n      ✓ has_guarantor = true, needs true\n"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn a_mistake_in_a_column_heading_is_reported_once_not_once_per_row() {
    let dir = temp();
    let path = policy(
        dir.path(),
        "p.policy",
        &TABLE.replace(
            "| row | operating_status   |",
            "| row | operating_statu    |",
        ),
    );
    let found = check_json(&path);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["message"], "unknown name `operating_statu`");
    assert_eq!(found[0]["line"], 6);
}
