//! The hostile-input corpus (`tests/inputs/`): every file runs through the real binary, which
//! must never crash, and every row read must end up decided or rejected. One snapshot records
//! what arrears does with each case: the documentation of record for issue-style questions
//! such as "what happens to `2025-02-30`?".

use std::fmt::Write as _;
use std::path::Path;

use crate::support::{arrears, root, temp};

/// Runs `file` through `arrears run`; returns a description for the snapshot.
fn run_case(file: &Path, dir: &Path) -> String {
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let relative = file
        .strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let output = dir.join(format!("{name}.out"));
    let rejects = dir.join(format!("{name}.rejects.jsonl"));
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        &relative,
        "--as-of",
        "2026-11-20",
        "--quiet",
        "--format",
        "csv",
        "--output",
        &output.to_string_lossy(),
        "--rejects",
        &rejects.to_string_lossy(),
    ]);
    assert!(
        outcome.code == 0 || outcome.code == 2,
        "{name}: exit {} (101 is a crash, -1 a signal)\n{}",
        outcome.code,
        outcome.stderr
    );
    let mut description = format!("## {name}\n");
    if outcome.code == 2 {
        // Refused whole: nothing may be left under the output's name.
        assert!(!output.exists(), "{name}: a refused file left an output");
        let _ = writeln!(description, "refused: {}", outcome.stderr.trim());
        return description;
    }
    let tally = outcome
        .stderr
        .lines()
        .find(|l| l.starts_with("read "))
        .unwrap_or_else(|| panic!("{name}: no tally\n{}", outcome.stderr));
    let numbers: Vec<u64> = tally
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let [read, decided, rejected] = numbers[..] else {
        panic!("{name}: tally `{tally}`")
    };
    assert_eq!(read, decided + rejected, "{name}: {tally}");
    let written = std::fs::read_to_string(&output).unwrap();
    // The header, then one row a loan (a cell may hold a quoted newline, so count records).
    let records = csv::Reader::from_reader(written.as_bytes())
        .records()
        .count() as u64;
    assert_eq!(records, decided, "{name}: decision rows");
    let rejects = std::fs::read_to_string(&rejects).unwrap_or_default();
    assert_eq!(
        rejects.lines().count() as u64,
        rejected,
        "{name}: rejected rows"
    );
    let _ = writeln!(description, "{tally}");
    for line in rejects.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let field = |key: &str| match &row[key] {
            serde_json::Value::Null => "-".to_owned(),
            serde_json::Value::String(s) if s.chars().count() > 100 => {
                format!("{}…", s.chars().take(100).collect::<String>())
            }
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let _ = writeln!(
            description,
            "- line {} {} field {} value {}: {}",
            field("line"),
            field("code"),
            field("field"),
            field("value"),
            field("reason"),
        );
    }
    for warning in outcome.stderr.lines().filter(|l| l.starts_with("warning")) {
        let _ = writeln!(description, "{warning}");
    }
    description
}

#[test]
fn every_hostile_input_is_decided_or_rejected_and_nothing_crashes() {
    let dir = temp();
    let mut files: Vec<_> = std::fs::read_dir(root().join("tests/inputs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e != "md"))
        .collect();
    files.sort();
    assert!(files.len() >= 25, "the corpus is all there");
    let report: String = files
        .iter()
        .map(|file| run_case(file, dir.path()))
        .collect();
    insta::assert_snapshot!(report);
}

#[test]
fn a_10_mb_line_is_one_loan() {
    let dir = temp();
    let sample =
        std::fs::read_to_string(root().join("examples/portfolios/retail-sample.jsonl")).unwrap();
    let first = sample.lines().next().unwrap();
    let long = first.replacen(
        "\"borrower\":\"",
        &format!("\"borrower\":\"{}", "长".repeat(3_500_000)),
        1,
    );
    assert!(long.len() > 10_000_000);
    let path = dir.path().join("long.jsonl");
    std::fs::write(
        &path,
        format!("{long}\n{}\n", sample.lines().nth(1).unwrap()),
    )
    .unwrap();
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        &path.to_string_lossy(),
        "--as-of",
        "2026-11-20",
        "--quiet",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("read 2 loans = decided 2 + rejected 0"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn csv_output_cannot_run_a_formula_in_a_spreadsheet() {
    let dir = temp();
    let output = dir.path().join("out.csv");
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        "tests/inputs/formula-cells.csv",
        "--as-of",
        "2026-11-20",
        "--format",
        "csv",
        "--quiet",
        "--output",
        &output.to_string_lossy(),
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let written = std::fs::read_to_string(&output).unwrap();
    let mut reader = csv::Reader::from_reader(written.as_bytes());
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[0], "'=HYPERLINK(\"http://evil\")");
}
