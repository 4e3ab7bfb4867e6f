//! Every diagnostic code is drawn by a fixture of its own (`tests/codes/`), at the place the
//! fixture says, and every `explain-code` example draws its own code.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{arrears, root, temp};

/// The one code no input may draw: it reports a bug in arrears.
const INTERNAL: &str = "E901";

/// A code of the table as `arrears explain-code` prints it: id and example.
struct Listed {
    id: String,
    example: String,
}

/// Every code `arrears explain-code` lists, with its example.
fn listed_codes() -> Vec<Listed> {
    let outcome = arrears(&["explain-code"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let mut codes: Vec<Listed> = Vec::new();
    let mut in_example = false;
    for line in outcome.stdout.lines() {
        if !line.starts_with(' ') {
            let id = line.split(' ').next().unwrap_or_default().to_owned();
            codes.push(Listed {
                id,
                example: String::new(),
            });
            in_example = false;
        } else if line == "  example:" {
            in_example = true;
        } else if in_example && let Some(code) = codes.last_mut() {
            code.example
                .push_str(line.strip_prefix("    ").unwrap_or(line));
            code.example.push('\n');
        }
    }
    assert!(codes.len() > 30, "explain-code lists the whole table");
    codes
}

/// What a fixture's `# expect` line says.
#[derive(Debug)]
struct Expected {
    code: String,
    /// The file (for a place in another file), line and column.
    place: Option<(Option<PathBuf>, u64, Option<u64>)>,
    field: Option<String>,
}

fn expectation(fixture: &Path) -> Expected {
    let text = std::fs::read_to_string(fixture).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("# expect "))
        .unwrap_or_else(|| panic!("{} has no `# expect` line", fixture.display()));
    let mut words = line.split_whitespace();
    let code = words.next().unwrap().to_owned();
    let (mut place, mut field) = (None, None);
    while let Some(word) = words.next() {
        match word {
            "at" => {
                let at = words.next().unwrap();
                let mut parts: Vec<&str> = at.rsplitn(3, ':').collect();
                parts.reverse();
                place = Some(match parts.as_slice() {
                    [line] => (None, line.parse().unwrap(), None),
                    [line, column] => (None, line.parse().unwrap(), Some(column.parse().unwrap())),
                    [file, line, column] => (
                        Some(fixture.parent().unwrap().join(file)),
                        line.parse().unwrap(),
                        Some(column.parse().unwrap()),
                    ),
                    _ => panic!("bad place `{at}` in {}", fixture.display()),
                });
            }
            "field" => field = Some(words.next().unwrap().to_owned()),
            other => panic!("unknown word `{other}` in {}", fixture.display()),
        }
    }
    Expected { code, place, field }
}

/// The same file however its path is spelt.
fn same_file(a: &Path, b: &Path) -> bool {
    std::fs::canonicalize(root().join(a)).unwrap() == std::fs::canonicalize(root().join(b)).unwrap()
}

/// The diagnostics `arrears check` reports for `path`, as JSON objects.
fn check_json(path: &str) -> Vec<Value> {
    let outcome = arrears(&["check", path, "--error-format", "json"]);
    outcome
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The mutants of the policy a test file tests that every test still passes.
fn surviving_mutants(tests: &str) -> Vec<Value> {
    let outcome = arrears(&["test", tests, "--mutants", "--format", "json"]);
    let report: Value = serde_json::from_str(&outcome.stdout).unwrap();
    report["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["mutants"].as_array().unwrap().clone())
        .filter(|m| m["verdict"] == "survived")
        .collect()
}

/// Runs the retail policy over a portfolio; returns its rejected rows and standard error.
fn run_rows(portfolio: &str) -> (Vec<Value>, String) {
    let dir = temp();
    let rejects = dir.path().join("rejects.jsonl");
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        portfolio,
        "--as-of",
        "2026-11-20",
        "--rejects",
        &rejects.to_string_lossy(),
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let rows = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (rows, outcome.stderr)
}

fn fixtures() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(root().join("tests/codes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "policy" || e == "yaml"))
        .collect();
    found.sort();
    found
}

#[test]
fn every_fixture_draws_its_code_at_the_place_it_names() {
    for fixture in fixtures() {
        let expected = expectation(&fixture);
        let relative = fixture.strip_prefix(root()).unwrap().to_owned();
        let path = relative.to_string_lossy().into_owned();
        assert_eq!(
            fixture.file_stem().unwrap().to_string_lossy(),
            expected.code,
            "{path}: a fixture is named after its code"
        );
        if path.ends_with(".policy") {
            let diagnostics = check_json(&path);
            let (file, line, column) = expected.place.clone().unwrap();
            let file = file.unwrap_or_else(|| fixture.clone());
            let hit = diagnostics.iter().any(|d| {
                d["code"] == expected.code.as_str()
                    && same_file(Path::new(d["file"].as_str().unwrap()), &file)
                    && d["line"] == line
                    && column.is_none_or(|c| d["column"] == c)
            });
            assert!(hit, "{path}: expected {expected:?}, got {diagnostics:#?}");
        } else if std::fs::read_to_string(&fixture)
            .unwrap()
            .lines()
            .any(|l| l.starts_with("policy:"))
        {
            // A policy's test file: the code is a surviving mutant of the policy it tests.
            let (file, line, column) = expected.place.clone().unwrap();
            let file = file.unwrap_or_else(|| fixture.clone());
            let hit = surviving_mutants(&path).iter().any(|m| {
                same_file(Path::new(m["place"]["file"].as_str().unwrap()), &file)
                    && m["place"]["line"] == line
                    && column.is_none_or(|c| m["place"]["column"] == c)
            });
            assert!(hit, "{path}: expected {expected:?}");
        } else if expected.code.starts_with('W') {
            let (_, stderr) = run_rows(&path);
            let field = expected.field.as_deref().unwrap();
            assert!(
                stderr.contains(&format!("warning[{}]", expected.code))
                    && stderr.contains(&format!("`{field}`")),
                "{path}: {stderr}"
            );
        } else {
            let (rows, _) = run_rows(&path);
            let line = expected.place.as_ref().map(|p| p.1);
            let hit = rows.iter().any(|r| {
                r["code"] == expected.code.as_str()
                    && line.is_none_or(|l| r["line"] == l)
                    && expected.field.as_deref().is_none_or(|f| r["field"] == f)
            });
            assert!(hit, "{path}: expected {expected:?}, got {rows:#?}");
        }
    }
}

#[test]
fn every_code_of_the_table_has_a_fixture() {
    let fixtures: Vec<String> = fixtures()
        .iter()
        .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let missing: Vec<String> = listed_codes()
        .into_iter()
        .map(|c| c.id)
        .filter(|id| id != INTERNAL && !fixtures.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixture in tests/codes: {missing:?}"
    );
}

/// What a policy example is read after (see `CodeInfo::example`).
const PRELUDE: &str = r#"let overdue "days overdue" =
  if oldest_unpaid_due_date is present and oldest_unpaid_due_date < as_of
  then as_of - oldest_unpaid_due_date
  else 0 days
actions visit, letter, dispose, phone_reminder, estate_claim
kind visits: visit
guard G0 "reads the prelude's value and kind, so they are not unused" when overdue > 3650 days
  forbid visits
"#;

/// The codes `arrears check` reports for the prelude followed by `example`, in a folder
/// holding the reference schema and the shared guardrails module.
fn policy_example_codes(dir: &Path, example: &str) -> Vec<String> {
    crate::support::copy_shipped(dir, &["loan-v1.schema", "guardrails.policy"]);
    let mut text = String::new();
    if !example.starts_with("use schema") {
        text.push_str("use schema \"loan-v1.schema\"\n");
    }
    text.push_str(PRELUDE);
    if example.starts_with("rule") {
        text.push_str("decision example: first match, gives action\n");
    }
    text.push_str(example);
    let path = crate::support::write(dir, "example.policy", &text);
    check_json(&path)
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

/// The codes `arrears test --mutants` reports for the prelude followed by `example` (rules of
/// a decision), tested by one case: the first sample loan, expecting what the policy decides.
fn mutant_example_codes(dir: &Path, example: &str) -> Vec<String> {
    policy_example_codes(dir, example);
    let mut loan: serde_json::Map<String, Value> =
        serde_json::from_value(crate::support::sample_loans().remove(0)).unwrap();
    loan.insert("oldest_unpaid_due_date".into(), "2026-10-01".into());
    let run = arrears(&[
        "explain",
        &dir.join("example.policy").to_string_lossy(),
        &crate::support::write(
            dir,
            "loan.jsonl",
            &format!("{}\n", Value::Object(loan.clone())),
        ),
        "--loan",
        loan["loan_id"].as_str().unwrap(),
        "--as-of",
        "2026-11-20",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let decided = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("decision example (first match) → "))
        .unwrap()
        .to_owned();
    let tests = format!(
        "policy: example.policy\nas_of: 2026-11-20\ncases:\n  - name: one loan\n    loan: {}\n    expect:\n      example: {decided}\n",
        Value::Object(loan)
    );
    let path = crate::support::write(dir, "example.tests.yaml", &tests);
    surviving_mutants(&path)
        .iter()
        .map(|_| "W601".to_owned())
        .collect()
}

/// The codes the retail policy's run reports for a row example read after a loan `L1`.
fn row_example_codes(dir: &Path, example: &str) -> Vec<String> {
    let mut base: serde_json::Map<String, Value> =
        serde_json::from_value(crate::support::sample_loans().remove(0)).unwrap();
    base.insert("loan_id".into(), "L1".into());
    // Everything after the example's comment mark is for people.
    let row = example
        .split_once("  #")
        .map_or(example, |(row, _)| row)
        .trim();
    let second = match serde_json::from_str::<serde_json::Map<String, Value>>(row) {
        Ok(fields) => {
            let mut merged = base.clone();
            merged.insert("loan_id".into(), "L2".into());
            for (name, value) in fields {
                if value.is_null() {
                    merged.remove(&name);
                } else {
                    merged.insert(name, value);
                }
            }
            Value::Object(merged).to_string()
        }
        Err(_) => row.to_owned(),
    };
    let text = format!("{}\n{second}\n", Value::Object(base));
    let path = crate::support::write(dir, "rows.jsonl", &text);
    let (rows, stderr) = run_rows(&path);
    let mut codes: Vec<String> = rows
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect();
    codes.extend(
        stderr
            .lines()
            .filter_map(|l| l.strip_prefix("warning[")?.split(']').next())
            .map(str::to_owned),
    );
    codes
}

#[test]
fn each_explain_code_example_draws_its_own_code() {
    let nothing = policy_example_codes(temp().path(), "");
    for code in listed_codes() {
        if code.id == INTERNAL {
            continue;
        }
        let dir = temp();
        let example = code.example.trim_end();
        let drawn = if code.id == "W601" {
            mutant_example_codes(dir.path(), example)
        } else if example.starts_with('{') {
            row_example_codes(dir.path(), example)
        } else {
            assert!(
                !nothing.contains(&code.id),
                "the prelude alone draws {}",
                code.id
            );
            policy_example_codes(dir.path(), example)
        };
        assert!(
            drawn.contains(&code.id),
            "the example of {} draws {drawn:?}:\n{example}",
            code.id
        );
    }
}

#[test]
fn a_schema_that_cannot_be_had_is_reported_once_where_it_is_named() {
    // Checking on without the schema used to add "the policy does not say which loan schema it
    // reads" at line 1, beside the real problem.
    for (fixture, code) in [
        ("tests/codes/E211.policy", "E211"),
        ("tests/codes/E210.policy", "E210"),
    ] {
        let codes: Vec<(String, u64)> = check_json(fixture)
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_owned(),
                    d["line"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(codes, [(code.to_owned(), 3)], "{fixture}");
    }
}
