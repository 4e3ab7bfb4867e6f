//! Running the real binary, in a temporary folder, always with an explicit `--as-of`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run of `arrears` printed and returned.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `arrears` with `args` in the repository root.
pub fn arrears(args: &[&str]) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_arrears"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the arrears binary runs");
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh temporary folder, removed when dropped.
pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// Writes `text` to `dir/name` and returns the path as a string.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path.to_string_lossy().into_owned()
}

/// The path of the shipped reference schema, for test policies that `use` it by absolute path.
pub fn schema_path() -> String {
    root()
        .join("policies/loan-v1.schema")
        .to_string_lossy()
        .into_owned()
}
