//! `arrears run` and `arrears explain` on the shipped policy and sample.

use serde_json::Value;

use crate::support::{arrears, temp};

use crate::support::SAMPLE_JSONL as SAMPLE;

#[test]
fn jsonl_csv_and_yaml_portfolios_give_identical_decisions() {
    let jsonl = arrears(&[
        "run",
        "policies/retail.policy",
        SAMPLE,
        "--as-of",
        "2026-11-20",
    ]);
    assert_eq!(jsonl.code, 0, "{}", jsonl.stderr);
    assert_eq!(jsonl.stdout.lines().count(), 3000);
    for other in [
        "examples/portfolios/retail-sample.csv",
        "examples/portfolios/retail-sample.yaml",
    ] {
        let outcome = arrears(&[
            "run",
            "policies/retail.policy",
            other,
            "--as-of",
            "2026-11-20",
        ]);
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
        assert!(
            outcome.stdout == jsonl.stdout,
            "{other} decides differently"
        );
        assert_eq!(
            outcome.stderr,
            "read 3000 loans = decided 3000 + rejected 0\n"
        );
    }
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let one = arrears(&[
        "run",
        "policies/retail.policy",
        SAMPLE,
        "--as-of",
        "2026-11-20",
        "--threads",
        "1",
        "--trace",
    ]);
    let two = arrears(&[
        "run",
        "policies/retail.policy",
        SAMPLE,
        "--as-of",
        "2026-11-20",
        "--threads",
        "2",
        "--trace",
    ]);
    let four = arrears(&[
        "run",
        "policies/retail.policy",
        SAMPLE,
        "--as-of",
        "2026-11-20",
        "--threads",
        "4",
        "--trace",
    ]);
    assert!(one.stdout == two.stdout && two.stdout == four.stdout);
    assert!(one.stdout.starts_with("{\"loan_id\":\"L00001\""));
}

#[test]
fn as_of_is_required_and_checked() {
    let missing = arrears(&["run", "policies/retail.policy", SAMPLE]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("--as-of"), "{}", missing.stderr);
    let bad = arrears(&[
        "run",
        "policies/retail.policy",
        SAMPLE,
        "--as-of",
        "2026-02-30",
    ]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("is not a date"), "{}", bad.stderr);
}

#[test]
fn broken_rows_are_rejected_precisely_and_the_counts_reconcile_in_every_format() {
    for format in ["jsonl", "csv", "yaml"] {
        let portfolio = format!("tests/golden/data/broken.{format}");
        let dir = temp();
        let output = dir.path().join("decisions.jsonl");
        let output = output.to_str().unwrap();
        let outcome = arrears(&[
            "run",
            "policies/retail.policy",
            &portfolio,
            "--as-of",
            "2026-11-20",
            "-o",
            output,
        ]);
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
        assert!(
            outcome
                .stderr
                .ends_with("read 11 loans = decided 2 + rejected 9\n"),
            "{format}: {}",
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains("ignored: `branch`"),
            "{format}: unknown fields are named once"
        );
        let decided: Vec<Value> = std::fs::read_to_string(output)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(decided.len(), 2);
        assert_eq!(
            decided[0]["treatment"], "litigation",
            "the first L1 is kept and decided"
        );
        let rejects = std::fs::read_to_string(dir.path().join("decisions.rejects.jsonl")).unwrap();
        let rejects: Vec<Value> = rejects
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rejects.len(), 9);
        let codes: Vec<&str> = rejects
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert!(
            codes.contains(&"E501") && codes.contains(&"E503") && codes.contains(&"E504"),
            "{codes:?}"
        );
        let bad_date = rejects.iter().find(|r| r["loan_id"] == "L3").unwrap();
        assert_eq!(bad_date["field"], "oldest_unpaid_due_date");
        assert_eq!(bad_date["value"], "2026-02-30");
        assert!(
            bad_date["line"].as_u64().is_some(),
            "{format}: the line is known"
        );
        assert_eq!(bad_date["file"], portfolio);
        // The n-th loan of the file, whatever line it is on: blank lines are not loans.
        assert_eq!(bad_date["record"], 3, "{format}");
        let promise = rejects.iter().find(|r| r["loan_id"] == "L8").unwrap();
        assert_eq!(promise["field"], "promises[0].due_on");
        assert_eq!(
            promise["record"], 9,
            "{format}: after a blank line and a repeated key"
        );
        let strict = arrears(&[
            "run",
            "policies/retail.policy",
            &portfolio,
            "--as-of",
            "2026-11-20",
            "-o",
            output,
            "--strict",
        ]);
        assert_eq!(strict.code, 1);
    }
}

#[test]
fn rejected_rows_go_to_stderr_when_decisions_go_to_stdout() {
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        "tests/golden/data/broken.jsonl",
        "--as-of",
        "2026-11-20",
    ]);
    assert_eq!(outcome.stdout.lines().count(), 2);
    insta::assert_snapshot!(outcome.stderr);
}

#[test]
fn csv_output_has_the_same_columns() {
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        "tests/golden/data/broken.jsonl",
        "--as-of",
        "2026-11-20",
        "--format",
        "csv",
    ]);
    let mut lines = outcome.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("loan_id,classification,treatment,extras,actions,vetoed")
    );
    assert_eq!(
        lines.next(),
        Some(
            r#"L1,substandard,litigation,"[""limitation_renewal"",""guarantor_notice""]","[""litigation"",""limitation_renewal"",""guarantor_notice""]",[]"#
        )
    );
}

#[test]
fn a_trace_names_every_rule_tried_and_every_value_read() {
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        "tests/golden/data/broken.jsonl",
        "--as-of",
        "2026-11-20",
        "--trace",
    ]);
    let first: Value = serde_json::from_str(outcome.stdout.lines().next().unwrap()).unwrap();
    insta::assert_json_snapshot!(first);
}

#[test]
fn explain_tells_one_loans_story() {
    let outcome = arrears(&[
        "explain",
        "policies/retail.policy",
        SAMPLE,
        "--as-of",
        "2026-11-20",
        "--loan",
        "L00002",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    insta::assert_snapshot!(outcome.stdout);
    // A policy written in Chinese is explained in Chinese unless asked otherwise; its English
    // explanation names its own words as written.
    let explain_chinese = |lang: &[&str]| {
        let mut args = vec![
            "explain",
            "policies/催收示例.policy",
            "examples/portfolios/催收示例.jsonl",
            "--as-of",
            "2026-11-20",
            "--loan",
            "甲005",
        ];
        args.extend(lang);
        arrears(&args).stdout
    };
    insta::assert_snapshot!(
        "explain_chinese_policy_in_english",
        explain_chinese(&["--lang", "en"])
    );
    let chinese = explain_chinese(&[]);
    assert_eq!(chinese, explain_chinese(&["--lang", "zh"]));
    insta::assert_snapshot!("explain_chinese_policy_in_chinese", chinese);
    let unknown = arrears(&[
        "explain",
        "policies/retail.policy",
        SAMPLE,
        "--as-of",
        "2026-11-20",
        "--loan",
        "NOPE",
    ]);
    assert_eq!(unknown.code, 2);
    let rejected = arrears(&[
        "explain",
        "policies/retail.policy",
        "tests/golden/data/broken.jsonl",
        "--as-of",
        "2026-11-20",
        "--loan",
        "L3",
    ]);
    assert_eq!(rejected.code, 1);
    assert!(
        rejected.stderr.contains("2026-02-30"),
        "{}",
        rejected.stderr
    );
}

#[test]
fn a_failed_run_leaves_no_output_under_its_name() {
    let dir = crate::support::temp();
    let output = dir.path().join("decisions.jsonl");
    // The rejects file cannot be created: the run fails after the output was started.
    let rejects = dir.path().join("no such folder").join("rejects.jsonl");
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        "examples/portfolios/retail-sample.jsonl",
        "--as-of",
        "2026-11-20",
        "--quiet",
        "--output",
        &output.to_string_lossy(),
        "--rejects",
        &rejects.to_string_lossy(),
    ]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_killed_run_never_leaves_a_half_written_output() {
    let dir = crate::support::temp();
    let output = dir.path().join("decisions.jsonl");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_arrears"))
        .args([
            "run",
            "policies/retail.policy",
            "examples/portfolios/retail-sample.jsonl",
            "--as-of",
            "2026-11-20",
            "--quiet",
            "--trace",
            "--threads",
            "1",
            "--output",
        ])
        .arg(&output)
        .current_dir(crate::support::root())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(30));
    let _ = child.kill();
    let status = child.wait().unwrap();
    if status.success() {
        // It finished before the kill: then the output is whole.
        let text = std::fs::read_to_string(&output).unwrap();
        assert_eq!(text.lines().count(), 3000);
    } else {
        assert!(!output.exists(), "a killed run left `{}`", output.display());
    }
}

/// Runs the retail policy over `portfolio` into `dir/out.jsonl`; returns the manifest.
fn run_with_manifest(dir: &std::path::Path, portfolio: &str, threads: &str) -> serde_json::Value {
    let output = dir.join("out.jsonl");
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        portfolio,
        "--as-of",
        "2026-11-20",
        "--quiet",
        "--threads",
        threads,
        "--output",
        &output.to_string_lossy(),
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let text = std::fs::read_to_string(dir.join("out.manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_manifest_fingerprints_inputs_and_outputs_and_proves_runs_identical() {
    let (a, b, c) = (
        crate::support::temp(),
        crate::support::temp(),
        crate::support::temp(),
    );
    let one = run_with_manifest(a.path(), "examples/portfolios/retail-sample.jsonl", "1");
    let two = run_with_manifest(b.path(), "examples/portfolios/retail-sample.jsonl", "2");
    let csv = run_with_manifest(c.path(), "examples/portfolios/retail-sample.csv", "2");
    // Every fingerprint is the SHA-256 of the bytes it names.
    let sha = |path: &std::path::Path| {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(std::fs::read(path).unwrap());
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let root = crate::support::root();
    assert_eq!(
        one["policy"]["sha256"],
        sha(&root.join("policies/retail.policy"))
    );
    assert_eq!(
        one["schema"]["sha256"],
        sha(&root.join("policies/loan-v1.schema"))
    );
    assert_eq!(
        one["portfolio"]["sha256"],
        sha(&root.join("examples/portfolios/retail-sample.jsonl"))
    );
    assert_eq!(
        one["outputs"]["decisions"]["sha256"],
        sha(&a.path().join("out.jsonl"))
    );
    assert_eq!(one["as_of"], "2026-11-20");
    assert_eq!(one["counts"]["read"], 3000);
    // One thread or two, JSON Lines or CSV in: the same decisions, to the byte.
    let without_paths = |mut manifest: serde_json::Value| {
        for output in ["decisions", "rejects"] {
            manifest["outputs"][output]["path"] = serde_json::Value::Null;
        }
        manifest
    };
    assert_eq!(without_paths(one.clone()), without_paths(two));
    assert_eq!(
        one["outputs"]["decisions"]["sha256"],
        csv["outputs"]["decisions"]["sha256"]
    );
    assert_ne!(one["portfolio"]["sha256"], csv["portfolio"]["sha256"]);
}

#[test]
fn a_manifest_asked_for_with_decisions_on_standard_output_still_fingerprints_the_book() {
    // The book is hashed only when a manifest is written: `--manifest` alone must count.
    let dir = crate::support::temp();
    let manifest = dir.path().join("run.json");
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        "examples/portfolios/retail-sample.csv",
        "--as-of",
        "2026-11-20",
        "--quiet",
        "--manifest",
        &manifest.to_string_lossy(),
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    use sha2::Digest as _;
    let book = std::fs::read(crate::support::root().join("examples/portfolios/retail-sample.csv"));
    let digest = sha2::Sha256::digest(book.unwrap());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(manifest["portfolio"]["sha256"], hex);
}

#[test]
fn redact_keeps_names_out_of_traces_and_rejects_but_keeps_the_reasons() {
    let dir = crate::support::temp();
    // A rule that reads a borrower's name, so the trace would show it.
    let policy = crate::support::retail_variant(
        dir.path(),
        "when product = card then",
        "when product = card and borrower != \"nobody\" then",
    );
    let portfolio = crate::support::write(
        dir.path(),
        "p.jsonl",
        &format!(
            "{}\n{{\"loan_id\":\"BAD\",\"borrower\":\"   \"}}\n",
            std::fs::read_to_string(
                crate::support::root().join("examples/portfolios/retail-sample.jsonl")
            )
            .unwrap()
            .lines()
            .take(200)
            .collect::<Vec<_>>()
            .join("\n")
        ),
    );
    let names: Vec<String> = crate::support::sample_loans()
        .iter()
        .take(200)
        .map(|loan| loan["borrower"].as_str().unwrap().to_owned())
        .collect();
    let run = |redact: bool| {
        let rejects = dir.path().join(format!("rejects-{redact}.jsonl"));
        let mut args = vec![
            "run",
            &policy,
            &portfolio,
            "--as-of",
            "2026-11-20",
            "--quiet",
            "--trace",
        ];
        let rejects_arg = rejects.to_string_lossy().into_owned();
        args.extend(["--rejects", &rejects_arg]);
        if redact {
            args.push("--redact");
        }
        let outcome = arrears(&args);
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
        (outcome.stdout, std::fs::read_to_string(rejects).unwrap())
    };
    let (plain, plain_rejects) = run(false);
    assert!(
        names.iter().any(|name| plain.contains(name.as_str())),
        "the trace shows names"
    );
    assert!(
        plain_rejects.contains("\"value\":\"   \""),
        "{plain_rejects}"
    );
    let (redacted, redacted_rejects) = run(true);
    for name in &names {
        assert!(
            !redacted.contains(name.as_str()),
            "`{name}` leaked into a redacted trace"
        );
    }
    assert!(redacted.contains("[redacted]"));
    assert!(
        redacted_rejects.contains("\"value\":\"[redacted]\""),
        "{redacted_rejects}"
    );
    // Only the text is hidden: the decisions are the same.
    let decisions = |out: &str| -> Vec<serde_json::Value> {
        out.lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("trace");
                v
            })
            .collect()
    };
    assert_eq!(decisions(&plain), decisions(&redacted));
}

#[test]
fn the_manifest_lists_every_policy_file_read_each_with_its_own_digest() {
    let dir = crate::support::temp();
    let output = dir.path().join("out.jsonl");
    let outcome = arrears(&[
        "run",
        "policies/小微企业催收.policy",
        "examples/portfolios/retail-sample.jsonl",
        "--as-of",
        "2026-11-20",
        "--output",
        &output.to_string_lossy(),
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out.manifest.json")).unwrap(),
    )
    .unwrap();
    let root = crate::support::root();
    let file = |path: &str| {
        use sha2::Digest as _;
        let bytes = std::fs::read(root.join(path)).unwrap();
        let digest = sha2::Sha256::digest(&bytes);
        serde_json::json!({
            "path": path,
            "bytes": bytes.len(),
            "sha256": digest.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        })
    };
    assert_eq!(manifest["policy"], file("policies/小微企业催收.policy"));
    assert_eq!(manifest["schema"], file("policies/loan-v1.schema"));
    assert_eq!(
        manifest["modules"],
        serde_json::json!([file("policies/guardrails.policy")])
    );
}

#[test]
fn explain_stops_at_its_loan_and_says_plainly_when_the_id_is_not_in_the_file() {
    // The portfolio is a pipe: the loan asked for, then 200,000 more (about 140 MB). An
    // `explain` that stops at its loan closes the pipe while the writer is still writing (it
    // reads at most a few chunks of 8,192 lines ahead); one that read the whole book would let
    // the writer finish.
    let dir = crate::support::temp();
    let fifo = dir.path().join("book.jsonl");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let sample = std::fs::read_to_string(
        crate::support::root().join("examples/portfolios/retail-sample.jsonl"),
    )
    .unwrap();
    let lines: Vec<String> = sample.lines().map(str::to_owned).collect();
    let path = fifo.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write as _;
        let mut pipe = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        for line in lines.iter().cycle().take(200_001) {
            if writeln!(pipe, "{line}").is_err() {
                return true;
            }
        }
        pipe.flush().is_err()
    });
    let found = arrears(&[
        "explain",
        "policies/retail.policy",
        &fifo.to_string_lossy(),
        "--as-of",
        "2026-11-20",
        "--loan",
        "L00001",
    ]);
    assert_eq!(found.code, 0, "{}", found.stderr);
    assert!(found.stdout.starts_with("loan L00001"), "{}", found.stdout);
    assert!(
        writer.join().unwrap(),
        "explain read on after its loan until the writer finished"
    );
    let missing = arrears(&[
        "explain",
        "policies/retail.policy",
        "examples/portfolios/retail-sample.jsonl",
        "--as-of",
        "2026-11-20",
        "--loan",
        "NOPE",
    ]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains(
            "no loan `NOPE` in `examples/portfolios/retail-sample.jsonl`: every row was read and none has this id"
        ),
        "{}",
        missing.stderr
    );
}

#[test]
fn explain_shows_the_test_that_settled_every_rule_of_the_retail_policy() {
    // L00006 reaches the last treatment rule and L00007 the last class: between them every
    // rule and guard of the retail policy is tried.
    let mut text = String::new();
    for loan in ["L00006", "L00007"] {
        let outcome = arrears(&[
            "explain",
            "policies/retail.policy",
            SAMPLE,
            "--as-of",
            "2026-11-20",
            "--loan",
            loan,
        ]);
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
        text.push_str(&outcome.stdout);
    }
    let policy =
        std::fs::read_to_string(crate::support::root().join("policies/retail.policy")).unwrap();
    for line in policy.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (Some(&("rule" | "guard")), Some(name)) = (words.first(), words.get(1)) else {
            continue;
        };
        // The rule's line in the explanation, then what settled it.
        let at = text
            .lines()
            .position(|l| l.starts_with(&format!("  {name} ")))
            .unwrap_or_else(|| panic!("{name} is not explained"));
        let next = text.lines().nth(at + 1).unwrap().trim_start();
        assert!(
            next.starts_with('✗') || next.starts_with('✓') || next.starts_with("otherwise"),
            "{name}: {next}"
        );
    }
    insta::assert_snapshot!(text);
}
