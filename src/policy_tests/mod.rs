//! Running a policy's own test cases: each a loan (only the fields that matter, the rest from a
//! named default), an evaluation date and the expected outcome, in whole or in part. A failing
//! case keeps the side-by-side of expected and actual values and the trace of the rules tried;
//! coverage lists the rules no case made fire and the guards no case saw veto. A guard that
//! forbids none of this policy's actions (a module's guard over a kind the policy fills with
//! `nothing`) cannot veto; it is covered when some case sees it apply.

mod file;
pub mod mutants;
pub mod render;

use std::path::Path;

use chrono::NaiveDate;

use crate::diag::did_you_mean;
use crate::eval::{DecisionOutcome, Evaluation, Trace};
use crate::input::{Raw, RawRecord, convert};
use crate::lang::{Lang, Text, text};
use crate::load::{LoadError, load_policy};
use crate::program::{GuardId, OutcomeId, Program};
use crate::report::explain_text;

/// The result of one test file.
#[derive(Debug)]
pub struct FileReport {
    /// The test file, as named.
    pub file: String,
    /// The policy it tests, as a path.
    pub policy: String,
    /// Why the file could not be run at all, if it could not.
    pub error: Option<String>,
    /// Each case, in file order.
    pub cases: Vec<CaseReport>,
    /// Rule and guard coverage of this file's cases: `(name, covered)`, in policy order.
    pub coverage: Vec<(String, bool)>,
    /// The language its failures are explained in.
    pub lang: Lang,
}

/// One test case's result.
#[derive(Debug)]
pub struct CaseReport {
    /// The case's name.
    pub name: String,
    /// Its line in the test file, when known.
    pub line: Option<u64>,
    /// What happened.
    pub result: CaseResult,
}

/// Passed, failed (with why), or could not be run (a mistake in the case itself).
#[derive(Debug)]
pub enum CaseResult {
    /// Every expectation held.
    Passed,
    /// Some did not.
    Failed {
        /// Each expectation that did not hold.
        mismatches: Vec<Mismatch>,
        /// The explanation of the loan's outcome, as `arrears explain` prints it.
        trace: String,
    },
    /// The case is wrong: an unknown field, value, decision or rule name; a bad date.
    Invalid(Text),
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// What was checked (`treatment`, `actions`).
    pub what: String,
    /// What the case expected.
    pub expected: String,
    /// What the policy did.
    pub actual: String,
}

/// Runs one test file, explaining failures in `lang`; without one, in Chinese for a policy
/// written with Chinese names and in English otherwise.
pub fn run_file(path: &Path, lang: Option<Lang>) -> FileReport {
    let name = path.display().to_string();
    let mut report = FileReport {
        file: name,
        policy: String::new(),
        error: None,
        cases: Vec::new(),
        coverage: Vec::new(),
        lang: lang.unwrap_or_default(),
    };
    let Prepared {
        policy_path,
        mut program,
        spec,
    } = match prepare(path) {
        Ok(prepared) => prepared,
        Err((policy, error)) => {
            report.policy = policy;
            report.error = Some(error);
            return report;
        }
    };
    report.policy = policy_path.display().to_string();
    report.lang = lang.unwrap_or(if program.written_in_chinese() {
        Lang::Zh
    } else {
        Lang::En
    });
    program.speak(report.lang);
    let mut covered = Coverage::new(&program);
    for (index, case) in spec.cases.iter().enumerate() {
        let result = run_case(
            &program,
            &spec,
            case,
            index as u64 + 1,
            &report.file,
            &mut covered,
            report.lang,
        );
        report.cases.push(CaseReport {
            name: case.name.clone(),
            line: case.line,
            result,
        });
    }
    report.coverage = covered.items(&program);
    report
}

/// A test file read with its policy: what running its cases needs.
pub(crate) struct Prepared {
    pub(crate) policy_path: std::path::PathBuf,
    pub(crate) program: Program,
    pub(crate) spec: file::TestFile,
}

/// Reads the test file at `path` and loads the policy it names; on failure, the policy's path
/// (as far as known) and why.
fn prepare(path: &Path) -> Result<Prepared, (String, String)> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| (String::new(), format!("cannot read the test file: {error}")))?;
    let policy = file::policy_of(&text).map_err(|error| {
        (
            String::new(),
            format!("the test file must name its policy (`policy: retail.policy`): {error}"),
        )
    })?;
    let policy_path = normalize(&path.parent().unwrap_or(Path::new("")).join(&policy));
    let shown = policy_path.display().to_string();
    let program = match load_policy(&policy_path) {
        Ok(loaded) => loaded.program,
        Err(LoadError::Unreadable { reason, .. }) => {
            return Err((
                shown.clone(),
                format!("cannot read the policy `{shown}`: {reason}"),
            ));
        }
        Err(LoadError::Invalid(diagnostics)) => {
            return Err((
                shown.clone(),
                format!(
                    "the policy `{shown}` has {} error(s); `arrears check {shown}` shows them",
                    diagnostics.error_count()
                ),
            ));
        }
    };
    let spec = file::read(&text, &program.schema.fields).map_err(|error| {
        (
            shown.clone(),
            format!("the test file cannot be read: {error}"),
        )
    })?;
    Ok(Prepared {
        policy_path,
        program,
        spec,
    })
}

/// `a/b/../c` as `a/c`, without touching the file system, so reports name the policy the way
/// a person would write it.
fn normalize(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

/// Which rules fired and which guards vetoed, over all cases of a file.
struct Coverage {
    rules: Vec<Vec<bool>>,
    guards: Vec<bool>,
    /// For each guard, true when it forbids none of the policy's actions.
    forbids_nothing: Vec<bool>,
}

impl Coverage {
    fn new(program: &Program) -> Coverage {
        Coverage {
            rules: program
                .decisions()
                .map(|d| vec![false; program.rules(d).len()])
                .collect(),
            guards: vec![false; program.guards().len()],
            forbids_nothing: program
                .guards()
                .map(|g| program.guard_forbids(g).is_empty())
                .collect(),
        }
    }

    fn record(&mut self, evaluation: &Evaluation, trace: &Trace) {
        for decision in &trace.decisions {
            for rule in decision.rules.iter().filter(|r| r.matched) {
                if let Some(slot) = self
                    .rules
                    .get_mut(decision.decision.index())
                    .and_then(|rules| rules.get_mut(rule.rule.index()))
                {
                    *slot = true;
                }
            }
        }
        for (_, guard) in &evaluation.vetoed {
            if let Some(slot) = self.guards.get_mut(guard.index()) {
                *slot = true;
            }
        }
        for guard in trace.guards.iter().filter(|g| g.fired) {
            if self.forbids_nothing.get(guard.guard.index()) == Some(&true)
                && let Some(slot) = self.guards.get_mut(guard.guard.index())
            {
                *slot = true;
            }
        }
    }

    fn items(&self, program: &Program) -> Vec<(String, bool)> {
        let mut items = Vec::new();
        for (decision, fired) in program.decisions().zip(&self.rules) {
            for (rule, fired) in program.rules(decision).zip(fired) {
                items.push((program.rule_name(decision, rule).to_owned(), *fired));
            }
        }
        for (guard, vetoed) in program.guards().zip(&self.guards) {
            items.push((program.guard_name(guard).to_owned(), *vetoed));
        }
        items
    }
}

fn merge<'a>(base: &Raw<'a>, over: &Raw<'a>) -> Raw<'a> {
    match (base, over) {
        (Raw::Map(base), Raw::Map(over)) => {
            let mut merged = base.clone();
            for (key, value) in over {
                match merged.iter_mut().find(|(k, _)| k == key) {
                    Some(slot) => slot.1 = value.clone(),
                    None => merged.push((key.clone(), value.clone())),
                }
            }
            Raw::Map(merged)
        }
        (_, over) => over.clone(),
    }
}

fn run_case(
    program: &Program,
    spec: &file::TestFile,
    case: &file::CaseSpec,
    number: u64,
    file_name: &str,
    coverage: &mut Coverage,
    lang: Lang,
) -> CaseResult {
    let (key, loan, as_of) = match case_loan(program, spec, case, number, file_name) {
        Ok(loan) => loan,
        Err(invalid) => return invalid,
    };
    let (evaluation, trace) = if case.borrower_loans.is_empty() {
        program.evaluate_traced(&loan, as_of)
    } else {
        // Decided among the borrower's loans, the case's own first.
        let others = match borrower_loans(program, spec, case, number, file_name) {
            Ok(others) => others,
            Err(invalid) => return invalid,
        };
        let each: Vec<&crate::value::Loan> = std::iter::once(&loan).chain(others.iter()).collect();
        let mut borrower = program.borrower_context(&each, as_of, true);
        program.evaluate_traced_in(&loan, &mut borrower, as_of)
    };
    coverage.record(&evaluation, &trace);
    let mut mismatches = Vec::new();
    for (what, expected) in &case.expect {
        match expect(program, &evaluation, &trace, what, expected) {
            Ok(None) => {}
            Ok(Some(mismatch)) => mismatches.push(mismatch),
            Err(problem) => return CaseResult::Invalid(problem),
        }
    }
    if mismatches.is_empty() {
        CaseResult::Passed
    } else {
        CaseResult::Failed {
            mismatches,
            trace: explain_text(program, &key, &evaluation, &trace, as_of, lang),
        }
    }
}

/// The loan a case describes (its key and fields), with its evaluation date; `Invalid` when
/// the case is wrong.
fn case_loan(
    program: &Program,
    spec: &file::TestFile,
    case: &file::CaseSpec,
    number: u64,
    file_name: &str,
) -> Result<(String, crate::value::Loan, NaiveDate), CaseResult> {
    let default_name = case.given.as_deref().unwrap_or("base");
    let base = match spec.defaults.iter().find(|(name, _)| name == default_name) {
        Some((_, Ok(raw))) => raw.clone(),
        Some((_, Err(error))) => {
            return Err(CaseResult::Invalid(text!(
                "case-default-not-record",
                name = default_name,
                error = error
            )));
        }
        None if case.given.is_some() => {
            let names: Vec<&str> = spec.defaults.iter().map(|(n, _)| n.as_str()).collect();
            let hint = hint(did_you_mean(default_name, names.iter().copied()));
            return Err(CaseResult::Invalid(text!(
                "case-no-default",
                name = default_name,
                hint = hint
            )));
        }
        None => Raw::Map(Vec::new()),
    };
    let loan_raw = match &case.loan {
        Some(Ok(raw)) => merge(&base, raw),
        Some(Err(error)) => {
            return Err(CaseResult::Invalid(text!(
                "case-loan-not-record",
                error = error
            )));
        }
        None => base,
    };
    let (key, loan) = record_loan(program, loan_raw, case.line, file_name, number)?;
    let Some(as_of_text) = case.as_of.as_ref().or(spec.as_of.as_ref()) else {
        return Err(CaseResult::Invalid(text!("case-no-as-of")));
    };
    let Ok(as_of) = NaiveDate::parse_from_str(as_of_text, "%Y-%m-%d") else {
        return Err(CaseResult::Invalid(text!(
            "case-bad-as-of",
            date = as_of_text
        )));
    };
    Ok((key, loan, as_of))
}

/// A case's `borrower_loans`, each over the case's default.
fn borrower_loans(
    program: &Program,
    spec: &file::TestFile,
    case: &file::CaseSpec,
    number: u64,
    file_name: &str,
) -> Result<Vec<crate::value::Loan>, CaseResult> {
    let default_name = case.given.as_deref().unwrap_or("base");
    let base = match spec.defaults.iter().find(|(name, _)| name == default_name) {
        Some((_, Ok(raw))) => raw.clone(),
        _ => Raw::Map(Vec::new()),
    };
    case.borrower_loans
        .iter()
        .map(|other| match other {
            Ok(raw) => record_loan(program, merge(&base, raw), case.line, file_name, number)
                .map(|(_, loan)| loan),
            Err(error) => Err(CaseResult::Invalid(text!(
                "case-loan-not-record",
                error = error
            ))),
        })
        .collect()
}

/// The loan of the default a case starts from (`given`, or `base`), when it is a valid loan on
/// its own.
fn default_loan(
    program: &Program,
    spec: &file::TestFile,
    case: &file::CaseSpec,
    file_name: &str,
) -> Option<crate::value::Loan> {
    let default_name = case.given.as_deref().unwrap_or("base");
    let (_, raw) = spec
        .defaults
        .iter()
        .find(|(name, _)| name == default_name)?;
    let raw = raw.as_ref().ok()?.clone();
    record_loan(program, raw, None, file_name, 0)
        .ok()
        .map(|(_, loan)| loan)
}

/// The field names the default a case starts from is written with.
fn default_names(spec: &file::TestFile, case: &file::CaseSpec) -> Vec<String> {
    let default_name = case.given.as_deref().unwrap_or("base");
    match spec.defaults.iter().find(|(name, _)| name == default_name) {
        Some((_, Ok(Raw::Map(entries)))) => {
            entries.iter().map(|(key, _)| key.to_string()).collect()
        }
        _ => Vec::new(),
    }
}

/// A test loan from its merged fields: its key and loan, or why it is not one.
fn record_loan(
    program: &Program,
    raw: Raw<'static>,
    line: Option<u64>,
    file_name: &str,
    number: u64,
) -> Result<(String, crate::value::Loan), CaseResult> {
    let mut unknown = crate::input::UnknownFields::default();
    let loan = convert(
        RawRecord { line, raw: Ok(raw) },
        &program.schema,
        file_name,
        number,
        &mut unknown,
    );
    if let Some(field) = unknown.names().first() {
        let names = program.schema.fields.iter().map(|f| f.name.as_str());
        let hint = hint(did_you_mean(field, names));
        return Err(CaseResult::Invalid(text!(
            "case-unknown-field",
            field = field,
            hint = hint
        )));
    }
    loan.map_err(|rejected| {
        let reason = rejected.said;
        CaseResult::Invalid(match (rejected.field, rejected.value) {
            (Some(field), Some(value)) => text!(
                "case-loan-invalid-field-value",
                field = field,
                value = value,
                reason = reason
            ),
            (Some(field), None) => text!("case-loan-invalid-field", field = field, reason = reason),
            (None, Some(value)) => text!("case-loan-invalid-value", value = value, reason = reason),
            (None, None) => text!("case-loan-invalid", reason = reason),
        })
    })
}

/// ` (did you mean `x`?)` after a name, or nothing.
fn hint(suggestion: Option<&str>) -> Text {
    match suggestion {
        Some(name) => text!("case-hint", name = name),
        None => Text::Verbatim(String::new()),
    }
}

/// A list as people read it.
fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// An expected name, or a list of them, as written.
fn names(value: &serde_norway::Value) -> Option<Vec<String>> {
    match value {
        serde_norway::Value::Sequence(items) => items.iter().map(scalar).collect(),
        other => scalar(other).map(|s| vec![s]),
    }
}

fn scalar(value: &serde_norway::Value) -> Option<String> {
    match value {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Null => Some("nothing".into()),
        serde_norway::Value::Bool(b) => Some(b.to_string()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Makes sure every name in `expected` is one of `known`, for a case that would otherwise
/// fail for a typo in itself.
fn known_names(expected: &[String], known: &[&str], what: Text) -> Result<(), Text> {
    for name in expected {
        if name != "nothing" && !known.contains(&name.as_str()) {
            let hint = hint(did_you_mean(name, known.iter().copied()));
            return Err(text!(
                "case-unknown-name",
                name = name,
                what = what,
                hint = hint
            ));
        }
    }
    Ok(())
}

/// A list expectation: exactly these, in order, or `{include: [...], exclude: [...]}`.
fn list_expectation(
    what: &str,
    expected: &serde_norway::Value,
    actual: &[String],
    known: &[&str],
    kind: Text,
) -> Result<Option<Mismatch>, Text> {
    let mismatch = |expected: String| {
        Some(Mismatch {
            what: what.to_owned(),
            expected,
            actual: list(actual),
        })
    };
    if let serde_norway::Value::Mapping(map) = expected {
        let mut wanted = Vec::new();
        let mut failed = false;
        for (key, value) in map {
            let key = scalar(key).unwrap_or_default();
            let items = names(value)
                .ok_or_else(|| text!("case-list-of-names-at", what = what, key = &key))?;
            known_names(&items, known, kind.clone())?;
            match key.as_str() {
                "include" => failed |= !items.iter().all(|i| actual.contains(i)),
                "exclude" => failed |= items.iter().any(|i| actual.contains(i)),
                other => {
                    return Err(text!("case-include-exclude", what = what, other = other));
                }
            }
            wanted.push(format!("{key} {}", list(&items)));
        }
        return Ok(if failed {
            mismatch(wanted.join(", "))
        } else {
            None
        });
    }
    let items = names(expected).ok_or_else(|| text!("case-list-of-names", what = what))?;
    known_names(&items, known, kind)?;
    Ok(if items.as_slice() == actual {
        None
    } else {
        mismatch(list(&items))
    })
}

fn expect(
    program: &Program,
    evaluation: &Evaluation,
    trace: &Trace,
    what: &str,
    expected: &serde_norway::Value,
) -> Result<Option<Mismatch>, Text> {
    let actions: Vec<&str> = program.actions().map(|a| program.action_name(a)).collect();
    if let Some(id) = program.decision_named(what) {
        let known = program.outcome_names(id);
        let outcome_of = |v: &OutcomeId| program.outcome_name(id, *v).to_owned();
        return match (program.hit_policy(id), evaluation.outcome(id)) {
            (Some(hit), Some(DecisionOutcome::First { rule, value })) if hit.one_rule_decides() => {
                let want = scalar(expected).ok_or_else(|| {
                    let example = known.first().unwrap_or(&"nothing");
                    text!("case-one-outcome", what = what, example = *example)
                })?;
                known_names(
                    std::slice::from_ref(&want),
                    &known,
                    text!("case-an-outcome-of", what = what),
                )?;
                let actual = program.outcome_text(
                    id,
                    &DecisionOutcome::First {
                        rule: *rule,
                        value: *value,
                    },
                );
                let same = actual == want || (want == "nothing" && value.is_none());
                Ok((!same).then(|| Mismatch {
                    what: what.to_owned(),
                    expected: want,
                    actual,
                }))
            }
            (_, Some(DecisionOutcome::Collect { hits })) => {
                let actual: Vec<String> = hits.iter().map(|(_, v)| outcome_of(v)).collect();
                list_expectation(
                    what,
                    expected,
                    &actual,
                    &known,
                    text!("case-an-outcome-of", what = what),
                )
            }
            _ => Err(text!("case-unreadable", what = what)),
        };
    }
    match what {
        "actions" => {
            let actual: Vec<String> = evaluation
                .actions
                .iter()
                .map(|a| program.action_name(*a).to_owned())
                .collect();
            list_expectation(
                what,
                expected,
                &actual,
                &actions,
                text!("case-a-declared-action"),
            )
        }
        "vetoed" => {
            let guard_name = |g: &GuardId| program.guard_name(*g);
            let actual: Vec<String> = evaluation
                .vetoed
                .iter()
                .map(|(a, g)| format!("{} by {}", program.action_name(*a), guard_name(g)))
                .collect();
            let items = match expected {
                serde_norway::Value::Sequence(items) => items,
                _ => return Err(text!("case-vetoed-list")),
            };
            let mut want = Vec::new();
            let mut same = items.len() == actual.len();
            for (index, item) in items.iter().enumerate() {
                let (action, guard) = match item {
                    serde_norway::Value::Mapping(map) => (
                        map.get("action")
                            .and_then(scalar)
                            .ok_or_else(|| text!("case-vetoed-action"))?,
                        map.get("guard").and_then(scalar),
                    ),
                    other => (
                        scalar(other).ok_or_else(|| text!("case-vetoed-names"))?,
                        None,
                    ),
                };
                known_names(
                    std::slice::from_ref(&action),
                    &actions,
                    text!("case-a-declared-action"),
                )?;
                let matches = evaluation.vetoed.get(index).is_some_and(|(a, g)| {
                    program.action_name(*a) == action
                        && guard.as_deref().is_none_or(|want| want == guard_name(g))
                });
                same &= matches;
                want.push(match guard {
                    Some(guard) => format!("{action} by {guard}"),
                    None => action,
                });
            }
            Ok((!same).then(|| Mismatch {
                what: what.into(),
                expected: list(&want),
                actual: list(&actual),
            }))
        }
        "fired" => {
            let want = names(expected).ok_or_else(|| text!("case-fired-list"))?;
            let mut fired: Vec<String> = Vec::new();
            for decision in &trace.decisions {
                for rule in decision.rules.iter().filter(|r| r.matched) {
                    fired.push(program.rule_name(decision.decision, rule.rule).to_owned());
                }
            }
            for guard in trace.guards.iter().filter(|g| g.fired) {
                fired.push(program.guard_name(guard.guard).to_owned());
            }
            let all: Vec<&str> = program
                .decisions()
                .flat_map(|d| program.rules(d).map(move |r| program.rule_name(d, r)))
                .chain(program.guards().map(|g| program.guard_name(g)))
                .collect();
            known_names(&want, &all, text!("case-a-rule-or-guard"))?;
            let missing = want.iter().any(|w| !fired.contains(w));
            Ok(missing.then(|| Mismatch {
                what: what.into(),
                expected: format!("include {}", list(&want)),
                actual: list(&fired),
            }))
        }
        other => {
            let mut keys: Vec<&str> = program
                .decisions
                .iter()
                .map(|d| d.named.name.as_str())
                .collect();
            keys.extend(["actions", "vetoed", "fired"]);
            let hint = hint(did_you_mean(other, keys.iter().copied()));
            Err(text!(
                "case-cannot-expect",
                other = other,
                hint = hint,
                keys = keys.join(", ")
            ))
        }
    }
}
