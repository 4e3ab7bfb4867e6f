//! `arrears fmt [--check] PATHS...`: rewrite policies and schemas in the canonical layout.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{ExitCode, Output, summary_line};
use arrears::SourceFile;
use arrears::format_source;

/// Arguments of `arrears fmt`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Files, or folders to search for `.policy` and `.schema` files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Change nothing: print a diff of each file that is not formatted, and exit 1 if any.
    #[arg(long)]
    check: bool,
}

fn is_policy_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "policy" || e == "schema")
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let mut found = Vec::new();
    for path in &args.paths {
        if let Err(error) = super::files_under(path, &is_policy_file, &mut found) {
            out.note(&format!("error: {error}"));
            return ExitCode::Failure;
        }
    }
    let (mut unformatted, mut broken) = (0_usize, 0_usize);
    let lang = out.lang_for_files(&found);
    for path in &found {
        let text = match arrears::Files::read(&arrears::DiskFiles, path) {
            Ok(text) => text,
            Err(error) => {
                out.note(&format!("error: cannot read `{}`: {error}", path.display()));
                return ExitCode::Failure;
            }
        };
        let source = SourceFile::new(path.display().to_string(), text.clone());
        let formatted = match format_source(&source) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                out.diagnostics(&diagnostics);
                let summary = summary_line(&diagnostics, out.lang_for_diagnostics(&diagnostics));
                out.note(&lang.text(
                    "fmt-not-formatted",
                    &[
                        ("path", path.display().to_string().into()),
                        ("summary", summary.into()),
                    ],
                ));
                broken += 1;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        unformatted += 1;
        if args.check {
            let name = path.display().to_string();
            let diff = similar::TextDiff::from_lines(&text, &formatted)
                .unified_diff()
                .header(&name, &format!("{name} (formatted)"))
                .to_string();
            let _ = std::io::stdout().lock().write_all(diff.as_bytes());
        } else if let Err(message) = super::atomic::write_whole(path, formatted.as_bytes()) {
            out.note(&format!("error: {message}"));
            return ExitCode::Failure;
        } else {
            out.note(&lang.text(
                "fmt-formatted",
                &[("path", path.display().to_string().into())],
            ));
        }
    }
    let total = found.len();
    if args.check {
        out.note(&lang.text(
            "fmt-would-reformat",
            &[("count", unformatted.into()), ("total", total.into())],
        ));
    }
    if broken > 0 || (args.check && unformatted > 0) {
        ExitCode::Problems
    } else {
        ExitCode::Clean
    }
}
