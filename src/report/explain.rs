//! One loan's trace for a person to read (`arrears explain`).

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::eval::{Evaluation, Read, TestTrace, Trace};
use crate::lang::{Lang, tr};
use crate::program::HitPolicy;
use crate::program::Program;
use crate::program::{kind_of, source_name, to_text};

fn reads_text(program: &Program, reads: &[Read], lang: Lang) -> String {
    if reads.is_empty() {
        return tr!(lang, "explain-reads-nothing");
    }
    reads
        .iter()
        .map(|r| {
            format!(
                "{} = {}",
                source_name(program, r.source),
                to_text(program, kind_of(program, r.source), &r.value)
            )
        })
        .collect::<Vec<_>>()
        .join(&tr!(lang, "list-separator"))
}

/// The lines saying which tests settled a condition: `✗ overdue = 1 day, needs > 90 days`.
/// With no tests (an `otherwise` rule), what it read.
fn tests_text(program: &Program, tests: &[TestTrace], reads: &[Read], lang: Lang) -> Vec<String> {
    if tests.is_empty() {
        // A rule without a condition: `otherwise`.
        return vec![if reads.is_empty() {
            tr!(lang, "explain-otherwise")
        } else {
            let reads = reads_text(program, reads, lang);
            tr!(lang, "explain-otherwise-reads", reads = reads)
        }];
    }
    tests
        .iter()
        .map(|t| {
            let mark = if t.holds { "✓" } else { "✗" };
            // `needs = refuses` reads better as `needs refuses`.
            let needs = t.needs.text(lang);
            let needs = needs.strip_prefix("= ").unwrap_or(&needs);
            match t.subject {
                Some(source) => {
                    let name = source_name(program, source);
                    let had = match &t.value {
                        crate::value::Value::Missing => {
                            tr!(lang, "explain-is-missing", name = name)
                        }
                        value => format!(
                            "{name} = {}",
                            to_text(program, kind_of(program, source), value)
                        ),
                    };
                    tr!(lang, "explain-test", mark = mark, had = had, needs = needs)
                }
                None => {
                    let value = to_text(program, crate::program::Kind::Plain, &t.value);
                    tr!(
                        lang,
                        "explain-test-unnamed",
                        mark = mark,
                        test = &t.test,
                        value = value,
                        needs = needs
                    )
                }
            }
        })
        .collect()
}

/// A rule's or guard's line: `C4 "over 90 days": matched → substandard`.
fn item_line(name: &str, label: &str, verdict: &str, lang: Lang) -> String {
    tr!(
        lang,
        "explain-item",
        name = name,
        label = label,
        verdict = verdict
    )
}

/// The explanation of one loan's outcome, as plain text in `lang`: the policy's own names
/// stay as written, the words around them are translated.
pub fn explain_text(
    program: &Program,
    key: &str,
    evaluation: &Evaluation,
    trace: &Trace,
    as_of: NaiveDate,
    lang: Lang,
) -> String {
    let mut out = String::new();
    let policy = program
        .name()
        .map_or_else(|| tr!(lang, "explain-policy"), str::to_owned);
    let date = as_of.format("%Y-%m-%d").to_string();
    let _ = writeln!(
        out,
        "{}",
        tr!(
            lang,
            "explain-header",
            key = key,
            date = date,
            policy = policy
        )
    );

    if let Some(borrower) = &trace.borrower {
        let loans = borrower.loans.join(&tr!(lang, "list-separator"));
        let count = borrower.loans.len();
        let _ = writeln!(
            out,
            "\n{}",
            tr!(lang, "explain-borrower", count = count, loans = loans)
        );
        let plain = |value| to_text(program, crate::program::Kind::Plain, value);
        for value in &borrower.values {
            let text = program.borrower_value_text(value.value);
            let _ = writeln!(out, "  {text} = {}", plain(&value.result));
            let parts = borrower
                .loans
                .iter()
                .zip(&value.per_loan)
                .map(|(key, part)| format!("{key}: {}", plain(part)))
                .collect::<Vec<_>>()
                .join(&tr!(lang, "list-separator"));
            let _ = writeln!(out, "      {}", tr!(lang, "explain-by-loan", parts = parts));
        }
    }

    if !trace.derived.is_empty() {
        let _ = writeln!(out, "\n{}", tr!(lang, "explain-derived"));
        for derived in &trace.derived {
            let value = program.value_text(derived.derived, &derived.value);
            let name = program.value_name(derived.derived);
            let _ = writeln!(out, "  {name} = {value}");
            let reads = reads_text(program, &derived.reads, lang);
            let _ = writeln!(out, "      {}", tr!(lang, "explain-from", reads = reads));
        }
    }

    let quoted = |label: Option<&str>| label.map(|l| format!(" \"{l}\"")).unwrap_or_default();
    for decision in &trace.decisions {
        let id = decision.decision;
        let outcome = evaluation
            .outcome(id)
            .map(|outcome| program.outcome_text_in(id, outcome, lang))
            .unwrap_or_default();
        let hit = match program.hit_policy(id) {
            Some(HitPolicy::Unique) => tr!(lang, "hit-unique"),
            Some(HitPolicy::First) => tr!(lang, "hit-first"),
            _ => tr!(lang, "hit-every"),
        };
        let name = program.decision_name(id);
        let line = tr!(
            lang,
            "explain-decision",
            name = name,
            hit = hit,
            outcome = outcome
        );
        let _ = writeln!(out, "\n{line}");
        if let Some(leader) = &decision.per_borrower
            && decision.rules.is_empty()
        {
            let _ = writeln!(
                out,
                "  {}",
                tr!(lang, "explain-per-borrower", loan = leader.as_str())
            );
        }
        for rule in &decision.rules {
            let label = quoted(program.rule_label(id, rule.rule));
            let verdict = match (rule.matched, rule.outcome) {
                (true, Some(v)) => {
                    tr!(
                        lang,
                        "explain-matched",
                        outcome = program.outcome_name(id, v)
                    )
                }
                (true, None) => tr!(lang, "explain-matched-nothing"),
                (false, _) => tr!(lang, "explain-not-matched"),
            };
            let name = program.rule_name(id, rule.rule);
            let _ = writeln!(out, "  {}", item_line(name, &label, &verdict, lang));
            for line in tests_text(program, &rule.tests, &rule.reads, lang) {
                let _ = writeln!(out, "      {line}");
            }
        }
    }

    if !trace.guards.is_empty() {
        let _ = writeln!(out, "\n{}", tr!(lang, "explain-guards"));
        for guard in &trace.guards {
            let label = quoted(program.guard_reason(guard.guard));
            let verdict = if guard.fired {
                tr!(lang, "explain-applies")
            } else {
                tr!(lang, "explain-does-not-apply")
            };
            let name = program.guard_name(guard.guard);
            let _ = writeln!(out, "  {}", item_line(name, &label, &verdict, lang));
            if let Some(basis) = program.guard_basis(guard.guard) {
                let _ = writeln!(out, "      {}", tr!(lang, "explain-per", basis = basis));
            }
            for line in tests_text(program, &guard.tests, &guard.reads, lang) {
                let _ = writeln!(out, "      {line}");
            }
        }
    }

    let names = |list: Vec<String>| {
        if list.is_empty() {
            tr!(lang, "none")
        } else {
            list.join(&tr!(lang, "list-separator"))
        }
    };
    let actions = names(
        evaluation
            .actions
            .iter()
            .map(|a| program.action_name(*a).to_owned())
            .collect(),
    );
    let _ = writeln!(out, "\n{}", tr!(lang, "explain-actions", list = actions));
    let vetoed = names(
        evaluation
            .vetoed
            .iter()
            .map(|(a, g)| {
                let why = program
                    .guard_reason(*g)
                    .map(|reason| tr!(lang, "explain-vetoed-why", reason = reason))
                    .unwrap_or_default();
                tr!(
                    lang,
                    "explain-vetoed-by",
                    action = program.action_name(*a),
                    guard = program.guard_name(*g),
                    why = why
                )
            })
            .collect(),
    );
    let _ = writeln!(out, "{}", tr!(lang, "explain-vetoed", list = vetoed));
    capacity_lines(&mut out, program, evaluation, lang);
    out
}

/// Each capacity the loan claimed: its rank in its group, and whether it was taken or queued
/// (with its place, and what it got instead).
fn capacity_lines(out: &mut String, program: &Program, evaluation: &Evaluation, lang: Lang) {
    for claimed in &evaluation.capacity {
        let capacity = program.capacity_name(claimed.capacity);
        let group = match (&claimed.group, program.capacity_group(claimed.capacity)) {
            (Some(group), Some(by)) => tr!(
                lang,
                "explain-capacity-group",
                by = by,
                group = group.as_str()
            ),
            (None, Some(by)) => tr!(lang, "explain-capacity-no-group", by = by),
            (_, None) => tr!(lang, "explain-capacity-book"),
        };
        let priority = program.capacity_priority(claimed.capacity);
        let order = if priority.is_empty() {
            tr!(lang, "explain-capacity-by-key")
        } else {
            tr!(lang, "explain-capacity-order", order = priority)
        };
        let rank = tr!(
            lang,
            "explain-capacity-rank",
            capacity = capacity,
            rank = claimed.rank,
            demand = claimed.demand,
            group = group,
            order = order,
            limit = u64::from(claimed.limit)
        );
        let _ = writeln!(out, "\n{rank}");
        let verdict = match &claimed.queued {
            None => tr!(lang, "explain-capacity-taken"),
            Some(queued) => {
                let actions: Vec<&str> = queued
                    .actions
                    .iter()
                    .map(|a| program.action_name(*a))
                    .collect();
                let instead = match queued.instead {
                    crate::program::Fallback::None => tr!(lang, "explain-capacity-nothing-instead"),
                    crate::program::Fallback::Given(a) => {
                        tr!(
                            lang,
                            "explain-capacity-instead",
                            action = program.action_name(a)
                        )
                    }
                    crate::program::Fallback::AlreadyGiven(a) => tr!(
                        lang,
                        "explain-capacity-already",
                        action = program.action_name(a)
                    ),
                    crate::program::Fallback::Forbidden(a, g) => tr!(
                        lang,
                        "explain-capacity-forbidden",
                        action = program.action_name(a),
                        guard = program.guard_name(g)
                    ),
                };
                tr!(
                    lang,
                    "explain-capacity-queued",
                    actions = actions.join(&tr!(lang, "list-separator")),
                    place = queued.place,
                    instead = instead
                )
            }
        };
        let _ = writeln!(out, "  {verdict}");
    }
}
