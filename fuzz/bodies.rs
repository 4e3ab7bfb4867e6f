//! The bodies of the fuzz targets (`fuzz/fuzz_targets`, run by `scripts/fuzz.sh`), included
//! by them and by `tests/cli/fuzz_found.rs`, so that `cargo test` replays every input fuzzing
//! ever found (`tests/fuzz-found/`) through the very same code. They use only arrears' public
//! API.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;

use arrears::{InputFormat, Schema, SourceFile, loan_from_json, read_portfolio};

/// The repository: the package's own folder in `cargo test`, its parent in the fuzz crate.
fn repository() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if here.join("policies").is_dir() {
        here
    } else {
        here.join("..")
    }
}

/// The first lines of the bundled sample, to decide with whatever policy was fuzzed.
fn sample_lines() -> &'static [String] {
    static LINES: OnceLock<Vec<String>> = OnceLock::new();
    LINES.get_or_init(|| {
        std::fs::read_to_string(repository().join("examples/portfolios/retail-sample.jsonl"))
            .unwrap_or_default()
            .lines()
            .take(40)
            .map(str::to_owned)
            .collect()
    })
}

fn retail_schema() -> Option<&'static Schema> {
    static SCHEMA: OnceLock<Option<Schema>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            arrears::load_policy(&repository().join("policies/retail.policy"))
                .ok()
                .map(|loaded| loaded.program.schema().clone())
        })
        .as_ref()
}

/// Any text as a policy beside the shipped schema: parse, check, compile, analyse, format, and
/// decide the sample's first loans (with traces). Errors are expected; panics are bugs.
pub(crate) fn policy(text: &str) {
    let path: &Path = &repository().join("policies/fuzzed.policy");
    if let Ok(loaded) = arrears::load_policy_text(path, text.to_owned()) {
        let _ = arrears::analyze(&loaded.program, &loaded.source).diagnostics;
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default();
        for line in sample_lines() {
            if let Ok((_, loan)) = loan_from_json(line, loaded.program.schema()) {
                let _ = loaded.program.evaluate_traced(&loan, as_of);
            }
        }
    }
    let _ = arrears::format_source(&SourceFile::new("fuzzed.policy", text));
}

/// Any bytes as a portfolio in each format, against the reference schema. Every record read
/// must come out as a loan or a rejection; panics are bugs.
pub(crate) fn portfolio(bytes: &[u8]) {
    let Some(schema) = retail_schema() else {
        return;
    };
    for format in [InputFormat::Jsonl, InputFormat::Csv, InputFormat::Yaml] {
        let reader = std::io::Cursor::new(bytes.to_vec());
        let _ = read_portfolio(reader, "fuzzed", format, schema);
    }
}
