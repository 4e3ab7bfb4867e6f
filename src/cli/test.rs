//! `arrears test [PATHS...]`: run policies' own test cases, report failures and coverage.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{ExitCode, Output};
use arrears::policy_tests::mutants::{run_mutants, suggested_cases, survivors};
use arrears::policy_tests::render::{PolicyCoverage, human, json_report, junit, percent, tally};
use arrears::policy_tests::render::{
    junit_with_mutants, mutants_json, mutants_summary, score_permille,
};
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
    /// Also run each policy's tests against small changes to it (a threshold moved by one,
    /// `>` for `>=`, a rule removed …) and report the changes no test notices, each with a
    /// test case that would.
    #[arg(long)]
    mutants: bool,
    /// With `--mutants`: fail when a policy's mutation score is below this percentage.
    #[arg(long, requires = "mutants", value_parser = clap::value_parser!(u16).range(0..=100))]
    min_score: Option<u16>,
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
    let reports: Vec<_> = files.iter().map(|f| run_file(f, out.lang)).collect();
    let coverage = PolicyCoverage::merge(&reports);
    // Without a language asked for: Chinese when every policy tested is written in Chinese.
    let lang = out.lang.unwrap_or(
        if !reports.is_empty() && reports.iter().all(|r| r.lang == arrears::Lang::Zh) {
            arrears::Lang::Zh
        } else {
            arrears::Lang::En
        },
    );
    let (_, failed, invalid) = tally(&reports);
    let mut ok = failed == 0 && invalid == 0;
    // Mutants tell nothing about tests that already fail: they run only when all pass.
    let mutants: Vec<_> = if args.mutants && ok {
        files.iter().map(|f| run_mutants(f)).collect()
    } else {
        Vec::new()
    };
    if args.mutants && !ok {
        out.note(&lang.text("mutants-not-run-failing", &[]));
    }
    let mut text = match args.format {
        TestFormat::Human => human(&reports, &coverage, lang),
        TestFormat::Junit => junit(&reports),
        TestFormat::Json => json_report(&reports, &coverage),
    };
    if !mutants.is_empty() {
        match args.format {
            TestFormat::Human => {
                let mut rendered = Vec::new();
                for report in &mutants {
                    let _ = arrears::render_all(
                        survivors(report).iter(),
                        arrears::ErrorFormat::Plain,
                        false,
                        lang,
                        &mut rendered,
                    );
                }
                text.push('\n');
                text.push_str(&String::from_utf8_lossy(&rendered));
                for report in &mutants {
                    let cases = suggested_cases(report);
                    if !cases.is_empty() {
                        let heading = lang.text(
                            "mutants-cases",
                            &[
                                ("policy", (&report.policy).into()),
                                ("file", (&report.file).into()),
                            ],
                        );
                        text.push_str(&format!("\n{heading}\n\n{cases}"));
                    }
                }
                text.push('\n');
                text.push_str(&mutants_summary(&mutants, lang));
            }
            TestFormat::Json => {
                // One JSON object: the test report with the mutants beside it.
                if let Ok(serde_json::Value::Object(mut object)) =
                    serde_json::from_str::<serde_json::Value>(&text)
                    && let serde_json::Value::Object(mut with) = mutants_json(&mutants)
                    && let Some(list) = with.remove("mutants")
                {
                    object.insert("mutants".into(), list);
                    text = format!("{}\n", serde_json::Value::Object(object));
                }
            }
            TestFormat::Junit => {
                text = junit_with_mutants(&reports, &mutants);
                out.note(mutants_summary(&mutants, lang).trim_end());
            }
        }
    }
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if let Some(min) = args.min_score {
        for report in &mutants {
            if report.error.is_some() || score_permille(report) < usize::from(min) * 10 {
                out.note(&lang.text(
                    "mutants-below",
                    &[
                        ("policy", (&report.policy).into()),
                        ("score", percent(score_permille(report)).into()),
                        ("min", u64::from(min).into()),
                    ],
                ));
                ok = false;
            }
        }
    }
    if let Some(min) = args.min_coverage {
        for policy in &coverage {
            if policy.permille() < usize::from(min) * 10 {
                out.note(&lang.text(
                    "coverage-below",
                    &[
                        ("policy", (&policy.policy).into()),
                        ("coverage", percent(policy.permille()).into()),
                        ("min", u64::from(min).into()),
                    ],
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
