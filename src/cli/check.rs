//! `arrears check POLICY...`: every problem in every file, in one run.

use std::path::PathBuf;

use super::{ExitCode, Output, summary_line};
use arrears::Diagnostics;
use arrears::{LoadError, check_schema_file, load_policy};

/// Arguments of `arrears check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Policy files (`.policy`) or schema files (`.schema`).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// `--deny warnings`: treat warnings (analysis findings among them) as errors.
    #[arg(long, value_name = "warnings", value_parser = ["warnings"])]
    deny: Option<String>,
    /// Write the loan that shows each finding (an unreachable rule, a gap, an overlap) into
    /// this folder, whole, as the finding's help names it: ready for `arrears explain`.
    #[arg(long, value_name = "DIR")]
    witnesses: Option<PathBuf>,
}

/// Writes each witness loan to `dir` as a one-record JSON Lines file.
fn write_witnesses(
    dir: &std::path::Path,
    witnesses: &[arrears::Witness],
    out: &Output,
    lang: arrears::Lang,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    for witness in witnesses {
        let path = dir.join(&witness.file_name);
        super::atomic::write_whole(&path, format!("{}\n", witness.record).as_bytes())?;
    }
    if !witnesses.is_empty() {
        let dir = dir.display().to_string();
        let count = witnesses.len();
        out.note(&lang.text(
            "check-witnesses",
            &[("count", count.into()), ("dir", (&dir).into())],
        ));
    }
    Ok(())
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let lang = out.lang_for_files(&args.paths);
    let mut all = Diagnostics::default();
    let mut failed = false;
    for path in &args.paths {
        let is_schema = path.extension().is_some_and(|e| e == "schema");
        let result = if is_schema {
            check_schema_file(path)
        } else {
            match load_policy(path) {
                Ok(loaded) => {
                    // The analysis runs here, not on every load: `run` should not pay for it.
                    let mut warnings = loaded.warnings;
                    let findings = arrears::analyze(&loaded.program, &loaded.source);
                    warnings.extend(findings.diagnostics);
                    warnings.sort();
                    if let Some(dir) = &args.witnesses
                        && let Err(message) = write_witnesses(dir, &findings.witnesses, out, lang)
                    {
                        out.note(&format!("error: {message}"));
                        failed = true;
                    }
                    Ok(warnings)
                }
                Err(error) => match error {
                    LoadError::Invalid(diagnostics) => Ok(diagnostics),
                    unreadable => Err(unreadable),
                },
            }
        };
        match result {
            Ok(diagnostics) => {
                out.diagnostics(&diagnostics);
                all.extend(diagnostics);
            }
            Err(LoadError::Unreadable { path, reason }) => {
                out.note(&format!(
                    "error: cannot read `{}`: {reason}",
                    path.display()
                ));
                failed = true;
            }
            Err(LoadError::Invalid(diagnostics)) => all.extend(diagnostics),
        }
    }
    if failed {
        return ExitCode::Failure;
    }
    let files = args.paths.len();
    if all.is_empty() {
        out.note(&lang.text("check-clean", &[("files", files.into())]));
        return ExitCode::Clean;
    }
    let summary = summary_line(&all, lang);
    out.note(&lang.text(
        "check-summary",
        &[("files", files.into()), ("summary", summary.into())],
    ));
    if all.has_errors() || (args.deny.is_some() && all.warning_count() > 0) {
        ExitCode::Problems
    } else {
        ExitCode::Clean
    }
}
