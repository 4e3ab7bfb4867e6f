//! Running the real binary, in a temporary folder, always with an explicit `--as-of`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The shipped sample book, as JSON Lines.
pub(crate) const SAMPLE_JSONL: &str = "examples/portfolios/retail-sample.jsonl";

/// What a run of `arrears` printed and returned.
pub(crate) struct Outcome {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs `arrears` with `args` in the repository root.
pub(crate) fn arrears(args: &[&str]) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_arrears"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        // The language comes from `--lang` or the policy, never from the machine running
        // the tests.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .output()
        .expect("the arrears binary runs");
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh temporary folder, removed when dropped.
pub(crate) fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// Writes `text` to `dir/name` and returns the path as a string.
pub(crate) fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path.to_string_lossy().into_owned()
}

/// The shipped retail policy with the first `from` replaced by `to`, written into `dir` beside a
/// copy of its schema; returns the policy's path.
pub(crate) fn retail_variant(dir: &Path, from: &str, to: &str) -> String {
    let policy =
        std::fs::read_to_string(root().join("policies/retail.policy")).expect("the retail policy");
    assert!(policy.contains(from), "the retail policy has no `{from}`");
    let schema =
        std::fs::read_to_string(root().join("policies/loan-v1.schema")).expect("the schema");
    write(dir, "loan-v1.schema", &schema);
    write(dir, "changed.policy", &policy.replacen(from, to, 1))
}

/// Copies the shipped `policies/` files `names` into `dir`, for a policy written there that
/// reads them (`use schema "loan-v1.schema"`, `include "guardrails.policy"`).
pub(crate) fn copy_shipped(dir: &Path, names: &[&str]) {
    for name in names {
        std::fs::copy(root().join("policies").join(name), dir.join(name))
            .unwrap_or_else(|e| panic!("cannot copy policies/{name}: {e}"));
    }
}

/// The shipped sample portfolio's loans, as JSON objects, in file order.
pub(crate) fn sample_loans() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(root().join("examples/portfolios/retail-sample.jsonl"))
        .expect("the sample");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// An amount written as a JSON string or number, exactly.
pub(crate) fn money(value: &serde_json::Value) -> rust_decimal::Decimal {
    let text = value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned);
    text.parse().expect("an amount")
}

/// The trace of decision `name` in a decision record written with `--trace`.
pub(crate) fn traced_decision<'r>(
    record: &'r serde_json::Value,
    name: &str,
) -> &'r serde_json::Value {
    record["trace"]["decisions"]
        .as_array()
        .expect("a traced record")
        .iter()
        .find(|d| d["decision"] == name)
        .expect("the decision is traced")
}

/// The first record of the bundled YAML sample, as its text (comment line included).
pub(crate) fn first_yaml_record() -> String {
    let sample = std::fs::read_to_string(root().join("examples/portfolios/retail-sample.yaml"))
        .expect("the YAML sample");
    sample
        .split("\n- loan_id: L00002")
        .next()
        .unwrap_or_default()
        .to_owned()
}
