//! Shared modules (`include`, open kinds, guard bases), schema aliases, times of day, date
//! functions and deadlines, through the real binary and the policies that ship.

use crate::support::{arrears, root, temp, write};

/// A schema with an alias for a field and a choice, a time field and a list with a time.
const SCHEMA: &str = r#"schema s "test" keyed by id
  field id: text
  field status (状态): one of open (未结), closed (已结)
  field due: optional date
  field call_at: optional time
  field calls: list of { on: date, at: optional time }
"#;

const MODULE: &str = r#"module shared "shared guards"
use schema "s.schema"
kind contact "contact with the borrower"
guard Quiet "no calls at night" per "house rule 7" when call_at is present and (call_at >= 22:00 or call_at < 08:00) forbid contact
"#;

fn policy(extra: &str) -> String {
    format!(
        r#"policy p "test"
use schema "s.schema"
include "shared.policy"
actions call, letter
{extra}
deadline pay_by "pay by" = if due is present then add_months(due, 1) else missing
decision d: first match, gives action
  rule R1 when 状态 = 未结 and weekday(as_of) = 5 then call
  rule R2 otherwise then letter
"#
    )
}

#[test]
fn a_policy_includes_a_module_and_its_guard_vetoes_with_its_basis() {
    let dir = temp();
    write(dir.path(), "s.schema", SCHEMA);
    write(dir.path(), "shared.policy", MODULE);
    let path = write(dir.path(), "p.policy", &policy("kind contact: call"));
    let loans = write(
        dir.path(),
        "l.jsonl",
        concat!(
            r#"{"id":"A","status":"open","due":"2024-01-31","call_at":"22:00","calls":[{"on":"2026-11-19","at":"09:15"}]}"#,
            "\n",
            r#"{"id":"B","状态":"open","call_at":"21:59","calls":[{"on":"2026-11-19"}]}"#,
            "\n",
            r#"{"id":"C","status":"已结","calls":[]}"#,
            "\n",
            r#"{"id":"D","status":"open","call_at":"25:00","calls":[]}"#,
            "\n"
        ),
    );
    let checked = arrears(&["check", &path]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    // 2026-11-20 is a Friday: `weekday(as_of) = 5`.
    let run = arrears(&["run", &path, &loans, "--as-of", "2026-11-20", "--trace"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3, "D is rejected: {}", run.stderr);
    assert!(run.stderr.contains("`call_at`") && run.stderr.contains("HH:MM"));
    // A: 22:00 is night; the veto names the module's guard, its reason and basis in the trace.
    assert_eq!(records[0]["actions"], serde_json::json!([]));
    assert_eq!(records[0]["vetoed"][0]["guard"], "Quiet");
    let guard = &records[0]["trace"]["guards"][0];
    assert_eq!(guard["reason"], "no calls at night");
    assert_eq!(guard["basis"], "house rule 7");
    // add_months keeps the month's last day: 2024-01-31 + 1 month = 2024-02-29.
    assert_eq!(records[0]["deadlines"]["pay_by"], "2024-02-29");
    // B: the key given by its Chinese name; 21:59 is not night; no due date, no deadline.
    assert_eq!(records[1]["actions"], serde_json::json!(["call"]));
    assert_eq!(records[1]["deadlines"]["pay_by"], serde_json::Value::Null);
    // C: the choice given by its Chinese name.
    assert_eq!(records[2]["d"], "letter");
}

#[test]
fn include_mistakes_are_placed_errors() {
    let dir = temp();
    write(dir.path(), "s.schema", SCHEMA);
    write(dir.path(), "shared.policy", MODULE);
    write(
        dir.path(),
        "other.schema",
        &SCHEMA.replace("schema s", "schema t"),
    );
    // The open kind never filled: refused, pointing into the module.
    let unfilled = write(dir.path(), "p.policy", &policy(""));
    let outcome = arrears(&["check", &unfilled, "--error-format", "plain"]);
    assert_eq!(outcome.code, 1);
    assert!(outcome.stdout.contains("E214") || outcome.stderr.contains("E214"));
    let all = format!("{}{}", outcome.stdout, outcome.stderr);
    assert!(all.contains("shared.policy:3"), "{all}");
    assert!(all.contains("kind contact: ACTION"), "{all}");
    // A missing module, a policy included as a module, a module on another schema.
    for (text, expected) in [
        (
            policy("kind contact: call").replace("shared.policy", "nope.policy"),
            "cannot read",
        ),
        (
            policy("kind contact: call").replace("shared.policy", "p2.policy"),
            "is not a module",
        ),
        (
            policy("kind contact: call").replace("shared.policy", "m2.policy"),
            "not the policy's",
        ),
    ] {
        write(dir.path(), "p2.policy", &policy("kind contact: call"));
        write(
            dir.path(),
            "m2.policy",
            &MODULE.replace("s.schema", "other.schema"),
        );
        let path = write(dir.path(), "q.policy", &text);
        // The test policy writes `状态 = 未结`; its English messages are asked for.
        let outcome = arrears(&["check", &path, "--error-format", "plain", "--lang", "en"]);
        let all = format!("{}{}", outcome.stdout, outcome.stderr);
        assert_eq!(outcome.code, 1, "{all}");
        assert!(all.contains("E213") && all.contains(expected), "{all}");
    }
    // A module is checked on its own, but not run.
    let module = dir.path().join("shared.policy");
    let module = module.to_str().unwrap();
    assert_eq!(arrears(&["check", module]).code, 0);
    let loans = write(dir.path(), "l.jsonl", "");
    let run = arrears(&["run", module, &loans, "--as-of", "2026-11-20"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is a module"), "{}", run.stderr);
}

#[test]
fn missing_may_only_be_the_else_of_an_if() {
    let dir = temp();
    write(dir.path(), "s.schema", SCHEMA);
    write(dir.path(), "shared.policy", MODULE);
    let path = write(
        dir.path(),
        "p.policy",
        &policy("kind contact: call\nlet bad = missing"),
    );
    // The policy writes `状态 = 未结`: it is answered in Chinese unless English is asked for.
    let outcome = arrears(&["check", &path, "--error-format", "plain", "--lang", "en"]);
    let all = format!("{}{}", outcome.stdout, outcome.stderr);
    assert_eq!(outcome.code, 1);
    assert!(
        all.contains("`missing` can only be the `else` of an `if`"),
        "{all}"
    );
    let chinese = arrears(&["check", &path, "--error-format", "plain"]);
    assert!(
        chinese
            .stderr
            .contains("`missing` 只能用作 `if` 的 `else` 分支"),
        "{}",
        chinese.stderr
    );
}

/// The shipped Chinese SME matrix and the limitation calendar over the shipped sample: every
/// loan decided, the deadlines file sorted soonest first and within the window, and a BOM
/// CSV that is the same table as the plain one.
#[test]
fn the_shipped_field_policies_run_over_the_sample() {
    let dir = temp();
    let sample = "examples/portfolios/retail-sample.jsonl";
    for policy in ["policies/小微企业催收.policy", "policies/limitation.policy"] {
        let out = dir.path().join("out.jsonl");
        let run = arrears(&[
            "run",
            policy,
            sample,
            "--as-of",
            "2026-11-20",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        // Both are written in Chinese, and so is their tally.
        assert!(
            run.stderr
                .contains("读取 3000 笔 = 已决策 3000 笔 + 拒收 0 笔"),
            "{}",
            run.stderr
        );
    }
    let deadlines = dir.path().join("deadlines.csv");
    let run = arrears(&[
        "run",
        "policies/limitation.policy",
        sample,
        "--as-of",
        "2026-11-20",
        "--format",
        "csv",
        "--bom",
        "-o",
        dir.path().join("out.csv").to_str().unwrap(),
        "--deadlines",
        deadlines.to_str().unwrap(),
        "--within",
        "90",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let csv = std::fs::read(dir.path().join("out.csv")).unwrap();
    assert!(csv.starts_with("\u{FEFF}loan_id,".as_bytes()));
    assert!(String::from_utf8(csv).is_ok());
    let text = std::fs::read_to_string(&deadlines).unwrap();
    let text = text
        .strip_prefix('\u{FEFF}')
        .expect("--bom applies to the deadlines too");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("loan_id,deadline,label,date,days_left,actions")
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    assert!(!rows.is_empty());
    let days: Vec<i64> = rows.iter().map(|r| r[4].parse().unwrap()).collect();
    assert!(
        days.windows(2).all(|w| w[0] <= w[1]),
        "sorted soonest first"
    );
    assert!(days.iter().all(|d| *d <= 90));
    // The records carry the same deadlines the list shows.
    let plain = dir.path().join("plain.jsonl");
    arrears(&[
        "run",
        "policies/limitation.policy",
        sample,
        "--as-of",
        "2026-11-20",
        "-o",
        plain.to_str().unwrap(),
    ]);
    let records = std::fs::read_to_string(&plain).unwrap();
    let first = &rows[0];
    let record: serde_json::Value = records
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| r["loan_id"] == first[0].as_str())
        .unwrap();
    assert_eq!(record["deadlines"][&first[1]], first[3].as_str());
    assert!(root().join("policies/guardrails.policy").exists());
}
