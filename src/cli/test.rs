//! `arrears test [PATHS...]`: run policies' own test cases, report failures and coverage.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{ExitCode, Output};
use arrears::policy_tests::render::{PolicyCoverage, human, json_report, junit, percent, tally};
use arrears::policy_tests::run_file;

/// How `arrears test` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum TestFormat {
    /// For people: each case, failures side by side with their trace, coverage.
    Human,
    /// JUnit XML, which every CI server reads.
    Junit,
    /// One JSON object.
    Json,
}

/// Arguments of `arrears test`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Test files (`*.tests.yaml`) or folders to search for them.
    #[arg(default_value = "policies")]
    paths: Vec<PathBuf>,
    /// How to report.
    #[arg(long, value_enum, default_value = "human")]
    format: TestFormat,
    /// Fail when a policy's rule and guard coverage is below this percentage.
    #[arg(long, value_parser = clap::value_parser!(u16).range(0..=100))]
    min_coverage: Option<u16>,
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let mut files = Vec::new();
    for path in &args.paths {
        let is_test_file = |p: &Path| p.to_string_lossy().ends_with(".tests.yaml");
        if let Err(error) = super::files_under(path, &is_test_file, &mut files) {
            out.note(&format!("error: {error}"));
            return ExitCode::Failure;
        }
    }
    if files.is_empty() {
        let paths: Vec<String> = args
            .paths
            .iter()
            .map(|p| format!("`{}`", p.display()))
            .collect();
        out.note(&format!(
            "error: no test files (`*.tests.yaml`) under {}",
            paths.join(", ")
        ));
        return ExitCode::Failure;
    }
    let reports: Vec<_> = files.iter().map(|f| run_file(f)).collect();
    let coverage = PolicyCoverage::merge(&reports);
    let text = match args.format {
        TestFormat::Human => human(&reports, &coverage),
        TestFormat::Junit => junit(&reports),
        TestFormat::Json => json_report(&reports, &coverage),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let (_, failed, invalid) = tally(&reports);
    let mut ok = failed == 0 && invalid == 0;
    if let Some(min) = args.min_coverage {
        for policy in &coverage {
            if policy.permille() < usize::from(min) * 10 {
                out.note(&format!(
                    "coverage of {} is {}, below the required {min} %",
                    policy.policy,
                    percent(policy.permille())
                ));
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::Clean
    } else {
        ExitCode::Problems
    }
}
