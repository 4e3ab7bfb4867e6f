//! The results of `arrears test`: for people, for CI servers (JUnit XML) and for programs (JSON).

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use crate::lang::{Lang, tr};

use serde_json::json;

use super::{CaseResult, FileReport};

/// Rule and guard coverage of one policy over every test file that tests it.
#[derive(Debug, Clone)]
pub struct PolicyCoverage {
    /// The policy's path.
    pub policy: String,
    /// `(rule or guard, covered)`, in policy order.
    pub items: Vec<(String, bool)>,
}

impl PolicyCoverage {
    /// Merges each file's coverage into one entry per policy, in first-seen order.
    pub fn merge(files: &[FileReport]) -> Vec<PolicyCoverage> {
        let mut merged: Vec<PolicyCoverage> = Vec::new();
        for file in files.iter().filter(|f| !f.coverage.is_empty()) {
            match merged.iter_mut().find(|c| c.policy == file.policy) {
                Some(entry) => {
                    for ((_, covered), (_, more)) in entry.items.iter_mut().zip(&file.coverage) {
                        *covered |= *more;
                    }
                }
                None => merged.push(PolicyCoverage {
                    policy: file.policy.clone(),
                    items: file.coverage.clone(),
                }),
            }
        }
        merged
    }

    /// Covered items, total items.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.items.iter().filter(|(_, c)| *c).count(),
            self.items.len(),
        )
    }

    /// Coverage in tenths of a percent, rounded down (integer arithmetic: no floats here).
    pub fn permille(&self) -> usize {
        let (covered, total) = self.counts();
        (covered * 1000).checked_div(total).unwrap_or(1000)
    }

    /// The names never covered.
    pub fn uncovered(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter(|(_, c)| !*c)
            .map(|(n, _)| n.as_str())
            .collect()
    }
}

/// `97.1 %`
pub fn percent(permille: usize) -> String {
    format!("{}.{} %", permille / 10, permille % 10)
}

/// Passed, failed, invalid (including files that could not run).
pub fn tally(files: &[FileReport]) -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for file in files {
        if file.error.is_some() {
            counts.2 += 1;
        }
        for case in &file.cases {
            match case.result {
                CaseResult::Passed => counts.0 += 1,
                CaseResult::Failed { .. } => counts.1 += 1,
                CaseResult::Invalid(_) => counts.2 += 1,
            }
        }
    }
    counts
}

fn place(file: &FileReport, line: Option<u64>) -> String {
    match line {
        Some(line) => format!("{}:{line}", file.file),
        None => file.file.clone(),
    }
}

/// `text` padded with spaces to `columns` columns on screen (a Chinese character takes two).
fn padded(text: &str, columns: usize) -> String {
    let width = UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(columns.saturating_sub(width)))
}

/// The human report, in `lang`.
pub fn human(files: &[FileReport], coverage: &[PolicyCoverage], lang: Lang) -> String {
    let mut out = String::new();
    // The status words in one column: `ok      `, `FAIL    `, `INVALID `.
    let statuses = [
        tr!(lang, "test-ok"),
        tr!(lang, "test-fail"),
        tr!(lang, "test-invalid"),
    ];
    let status_column = statuses
        .iter()
        .map(|s| UnicodeWidthStr::width(s.as_str()) + 1)
        .max()
        .unwrap_or(0)
        .max(8);
    let [ok, fail, invalid] = statuses.map(|s| padded(&s, status_column));
    let indent = " ".repeat(status_column + 2);
    for file in files {
        let policy = if file.policy.is_empty() {
            "?"
        } else {
            &file.policy
        };
        let _ = writeln!(
            out,
            "{}",
            tr!(lang, "test-file", file = &file.file, policy = policy)
        );
        if let Some(error) = &file.error {
            let _ = writeln!(out, "  {}", tr!(lang, "test-file-error", error = error));
        }
        for case in &file.cases {
            match &case.result {
                CaseResult::Passed => {
                    let _ = writeln!(out, "  {ok}{}", case.name);
                }
                CaseResult::Invalid(reason) => {
                    let _ = writeln!(
                        out,
                        "  {invalid}{}  ({})",
                        case.name,
                        place(file, case.line)
                    );
                    let _ = writeln!(out, "{indent}{}", reason.in_lang(lang));
                }
                CaseResult::Failed { mismatches, trace } => {
                    let _ = writeln!(out, "  {fail}{}  ({})", case.name, place(file, case.line));
                    let (expected, actual) = (tr!(lang, "test-expected"), tr!(lang, "test-actual"));
                    let rows: Vec<[&str; 3]> =
                        std::iter::once(["", expected.as_str(), actual.as_str()])
                            .chain(
                                mismatches.iter().map(|m| {
                                    [m.what.as_str(), m.expected.as_str(), m.actual.as_str()]
                                }),
                            )
                            .collect();
                    let width = |column: usize| {
                        rows.iter()
                            .filter_map(|r| r.get(column))
                            .map(|cell| UnicodeWidthStr::width(*cell))
                            .max()
                            .unwrap_or(0)
                    };
                    let (w0, w1) = (width(0), width(1));
                    for [what, expected, actual] in &rows {
                        let _ = writeln!(
                            out,
                            "{indent}{}  {}  {actual}",
                            padded(what, w0),
                            padded(expected, w1)
                        );
                    }
                    let _ = writeln!(out, "{indent}{}", tr!(lang, "test-why"));
                    for line in trace.lines() {
                        let _ = writeln!(
                            out,
                            "{}",
                            if line.is_empty() {
                                String::new()
                            } else {
                                format!("{indent}  {line}")
                            }
                        );
                    }
                }
            }
        }
    }
    for policy in coverage {
        let (covered, total) = policy.counts();
        let line = tr!(
            lang,
            "test-coverage",
            policy = &policy.policy,
            covered = covered,
            total = total,
            percent = percent(policy.permille())
        );
        let _ = writeln!(out, "\n{line}");
        let uncovered = policy.uncovered();
        if !uncovered.is_empty() {
            let list = uncovered.join(&tr!(lang, "list-separator"));
            let _ = writeln!(out, "  {}", tr!(lang, "test-never-fired", list = list));
        }
    }
    let (passed, failed, invalid) = tally(files);
    let totals = tr!(
        lang,
        "test-totals",
        passed = passed,
        failed = failed,
        invalid = invalid
    );
    let _ = writeln!(out, "\n{totals}");
    out
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters; a test name never needs them.
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML report: one `testsuite` per test file, one `testcase` per case.
pub fn junit(files: &[FileReport]) -> String {
    let (passed, failed, invalid) = tally(files);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"arrears\" tests=\"{}\" failures=\"{failed}\" errors=\"{invalid}\">",
        passed + failed + invalid
    );
    for file in files {
        let (p, f, i) = tally(std::slice::from_ref(file));
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" errors=\"{i}\">",
            xml_escape(&file.file),
            p + f + i
        );
        if let Some(error) = &file.error {
            let _ = writeln!(
                out,
                "    <testcase name=\"(file)\" classname=\"{}\">",
                xml_escape(&file.file)
            );
            let _ = writeln!(out, "      <error message=\"{}\"/>", xml_escape(error));
            let _ = writeln!(out, "    </testcase>");
        }
        for case in &file.cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml_escape(&case.name),
                xml_escape(&file.file)
            );
            match &case.result {
                CaseResult::Passed => {
                    let _ = writeln!(out, "/>");
                }
                CaseResult::Invalid(reason) => {
                    let _ = writeln!(
                        out,
                        ">\n      <error message=\"{}\"/>\n    </testcase>",
                        xml_escape(&reason.in_lang(Lang::En))
                    );
                }
                CaseResult::Failed { mismatches, trace } => {
                    let summary: Vec<String> = mismatches
                        .iter()
                        .map(|m| format!("{}: expected {}, got {}", m.what, m.expected, m.actual))
                        .collect();
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml_escape(&summary.join("; ")),
                        xml_escape(&format!("{}\n\n{trace}", summary.join("\n")))
                    );
                }
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The JSON report.
pub fn json_report(files: &[FileReport], coverage: &[PolicyCoverage]) -> String {
    let (passed, failed, invalid) = tally(files);
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|file| {
            let cases: Vec<serde_json::Value> = file
                .cases
                .iter()
                .map(|case| match &case.result {
                    CaseResult::Passed => json!({"name": case.name, "line": case.line, "status": "passed"}),
                    CaseResult::Invalid(reason) => {
                        json!({"name": case.name, "line": case.line, "status": "invalid", "reason": reason.in_lang(Lang::En)})
                    }
                    CaseResult::Failed { mismatches, trace } => json!({
                        "name": case.name, "line": case.line, "status": "failed",
                        "mismatches": mismatches.iter().map(|m| json!({"what": m.what, "expected": m.expected, "actual": m.actual})).collect::<Vec<_>>(),
                        "trace": trace,
                    }),
                })
                .collect();
            json!({"file": file.file, "policy": file.policy, "error": file.error, "cases": cases})
        })
        .collect();
    let coverage: Vec<serde_json::Value> = coverage
        .iter()
        .map(|c| {
            let (covered, total) = c.counts();
            json!({"policy": c.policy, "covered": covered, "total": total, "percent": percent(c.permille()).trim_end_matches(" %"), "uncovered": c.uncovered()})
        })
        .collect();
    let mut text = json!({"passed": passed, "failed": failed, "invalid": invalid, "files": files, "coverage": coverage}).to_string();
    text.push('\n');
    text
}

/// One line per policy: how many mutants were made, killed, proven equivalent and survived,
/// and the score (killed over the mutants not proven equivalent).
pub fn mutants_summary(reports: &[super::mutants::MutantReport], lang: Lang) -> String {
    let mut out = String::new();
    for report in reports {
        if let Some(error) = &report.error {
            let line = tr!(
                lang,
                "mutants-not-run",
                policy = &report.policy,
                error = error
            );
            let _ = writeln!(out, "{line}");
            continue;
        }
        let (killed, counted) = report.score();
        let equivalent = report.mutants.len() - counted;
        let line = tr!(
            lang,
            "mutants-summary",
            policy = &report.policy,
            made = report.mutants.len(),
            killed = killed,
            equivalent = equivalent,
            survived = counted - killed,
            score = percent(score_permille(report))
        );
        let _ = writeln!(out, "{line}");
    }
    out
}

/// A policy's mutation score in tenths of a percent (1000 when every counted mutant dies, or
/// none counts).
pub fn score_permille(report: &super::mutants::MutantReport) -> usize {
    let (killed, counted) = report.score();
    (killed * 1000).checked_div(counted).unwrap_or(1000)
}

/// The mutants as JSON: per policy, the counts, the score and each mutant with its place and
/// verdict (`killed`, `equivalent` with `why`, `survived` with a `suggestion` when found).
pub fn mutants_json(reports: &[super::mutants::MutantReport]) -> serde_json::Value {
    use super::mutants::Verdict;
    let policies: Vec<serde_json::Value> = reports
        .iter()
        .map(|report| {
            let mutants: Vec<serde_json::Value> = report
                .mutants
                .iter()
                .map(|m| {
                    let place = report.source.as_ref().and_then(|s| s.file(m.place.file)).map(|file| {
                        let at = file.line_col(m.place.start);
                        serde_json::json!({"file": file.name(), "line": at.line, "column": at.column})
                    });
                    let (verdict, why, suggestion) = match &m.verdict {
                        Verdict::Killed => ("killed", None, None),
                        Verdict::Equivalent(why) => ("equivalent", Some(why.clone()), None),
                        Verdict::Survived { suggestion } => ("survived", None, suggestion.clone()),
                    };
                    let mut object = serde_json::Map::new();
                    object.insert("change".into(), m.change.clone().into());
                    object.insert("place".into(), place.into());
                    object.insert("verdict".into(), verdict.into());
                    if let Some(why) = why {
                        object.insert("why".into(), why.into());
                    }
                    if verdict == "survived" {
                        object.insert("suggestion".into(), suggestion.into());
                    }
                    serde_json::Value::Object(object)
                })
                .collect();
            let (killed, counted) = report.score();
            serde_json::json!({
                "tests": report.file,
                "policy": report.policy,
                "error": report.error,
                "made": report.mutants.len(),
                "killed": killed,
                "equivalent": report.mutants.len() - counted,
                "survived": counted - killed,
                "score": percent(score_permille(report)),
                "mutants": mutants,
            })
        })
        .collect();
    serde_json::json!({ "mutants": policies })
}

/// `junit`'s document with one more test suite per policy's mutants: a test case per mutant,
/// a survivor a failure (its suggested case in the text), an equivalent one skipped.
pub fn junit_with_mutants(
    files: &[FileReport],
    mutants: &[super::mutants::MutantReport],
) -> String {
    use super::mutants::Verdict;
    let mut out = junit(files);
    let mut suites = String::new();
    for report in mutants {
        let (killed, counted) = report.score();
        let _ = writeln!(
            suites,
            "  <testsuite name=\"mutants of {}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            xml_escape(&report.policy),
            report.mutants.len(),
            counted - killed,
            report.mutants.len() - counted
        );
        for mutant in &report.mutants {
            let _ = write!(
                suites,
                "    <testcase name=\"{}\" classname=\"mutants of {}\"",
                xml_escape(&mutant.change),
                xml_escape(&report.policy)
            );
            match &mutant.verdict {
                Verdict::Killed => {
                    let _ = writeln!(suites, "/>");
                }
                Verdict::Equivalent(why) => {
                    let _ = writeln!(
                        suites,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml_escape(why)
                    );
                }
                Verdict::Survived { suggestion } => {
                    let _ = writeln!(
                        suites,
                        ">\n      <failure message=\"no test notices this change\">{}</failure>\n    </testcase>",
                        xml_escape(
                            suggestion
                                .as_deref()
                                .unwrap_or("no loan near the test cases' tells the two apart")
                        )
                    );
                }
            }
        }
        let _ = writeln!(suites, "  </testsuite>");
    }
    if let Some(at) = out.rfind("</testsuites>") {
        out.insert_str(at, &suites);
    }
    out
}
