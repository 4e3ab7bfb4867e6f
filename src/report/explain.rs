//! One loan's trace for a person to read (`arrears explain`).

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::eval::{Evaluation, Read, TestTrace, Trace};
use crate::program::HitPolicy;
use crate::program::Program;
use crate::program::{kind_of, source_name, to_text};

fn reads_text(program: &Program, reads: &[Read]) -> String {
    if reads.is_empty() {
        return "(reads nothing)".into();
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
        .join(", ")
}

/// The lines saying which tests settled a condition: `✗ overdue = 1 day, needs > 90 days`.
/// With no tests (an `otherwise` rule), what it read.
fn tests_text(program: &Program, tests: &[TestTrace], reads: &[Read]) -> Vec<String> {
    if tests.is_empty() {
        // A rule without a condition: `otherwise`.
        return vec![if reads.is_empty() {
            "otherwise: no other rule matched".to_owned()
        } else {
            format!(
                "otherwise: no other rule matched; {}",
                reads_text(program, reads)
            )
        }];
    }
    tests
        .iter()
        .map(|t| {
            let mark = if t.holds { "✓" } else { "✗" };
            // `needs = refuses` reads better as `needs refuses`.
            let needs = t.needs.strip_prefix("= ").unwrap_or(&t.needs);
            match t.subject {
                Some(source) => {
                    let name = source_name(program, source);
                    let had = match &t.value {
                        crate::value::Value::Missing => format!("{name} is missing"),
                        value => format!(
                            "{name} = {}",
                            to_text(program, kind_of(program, source), value)
                        ),
                    };
                    format!("{mark} {had}, needs {needs}")
                }
                None => format!(
                    "{mark} {}: {}, needs {needs}",
                    t.test,
                    to_text(program, crate::program::Kind::Plain, &t.value)
                ),
            }
        })
        .collect()
}

/// The explanation of one loan's outcome, as plain text.
pub fn explain_text(
    program: &Program,
    key: &str,
    evaluation: &Evaluation,
    trace: &Trace,
    as_of: NaiveDate,
) -> String {
    let mut out = String::new();
    let policy = program.name().unwrap_or("policy");
    let _ = writeln!(
        out,
        "loan {key}, evaluated on {} by {policy}",
        as_of.format("%Y-%m-%d")
    );

    if !trace.derived.is_empty() {
        let _ = writeln!(out, "\nderived values");
        for derived in &trace.derived {
            let value = program.value_text(derived.derived, &derived.value);
            let name = program.value_name(derived.derived);
            let _ = writeln!(out, "  {name} = {value}");
            let _ = writeln!(out, "      from {}", reads_text(program, &derived.reads));
        }
    }

    let quoted = |label: Option<&str>| label.map(|l| format!(" \"{l}\"")).unwrap_or_default();
    for decision in &trace.decisions {
        let id = decision.decision;
        let outcome = evaluation
            .outcome(id)
            .map(|outcome| program.outcome_text(id, outcome))
            .unwrap_or_default();
        let hit = match program.hit_policy(id) {
            Some(HitPolicy::Unique) => "unique match",
            Some(HitPolicy::First) => "first match",
            _ => "every match",
        };
        let name = program.decision_name(id);
        let _ = writeln!(out, "\ndecision {name} ({hit}) → {outcome}");
        for rule in &decision.rules {
            let label = quoted(program.rule_label(id, rule.rule));
            let verdict = match (rule.matched, rule.outcome) {
                (true, Some(v)) => format!("matched → {}", program.outcome_name(id, v)),
                (true, None) => "matched → nothing".to_owned(),
                (false, _) => "no".to_owned(),
            };
            let rule_name = program.rule_name(id, rule.rule);
            let _ = writeln!(out, "  {rule_name}{label}: {verdict}");
            for line in tests_text(program, &rule.tests, &rule.reads) {
                let _ = writeln!(out, "      {line}");
            }
        }
    }

    if !trace.guards.is_empty() {
        let _ = writeln!(out, "\nguards");
        for guard in &trace.guards {
            let label = quoted(program.guard_reason(guard.guard));
            let verdict = if guard.fired {
                "applies"
            } else {
                "does not apply"
            };
            let name = program.guard_name(guard.guard);
            let _ = writeln!(out, "  {name}{label}: {verdict}");
            if let Some(basis) = program.guard_basis(guard.guard) {
                let _ = writeln!(out, "      per {basis}");
            }
            for line in tests_text(program, &guard.tests, &guard.reads) {
                let _ = writeln!(out, "      {line}");
            }
        }
    }

    let names = |actions: &mut dyn Iterator<Item = String>| {
        let list: Vec<String> = actions.collect();
        if list.is_empty() {
            "none".to_owned()
        } else {
            list.join(", ")
        }
    };
    let _ = writeln!(
        out,
        "\nactions: {}",
        names(
            &mut evaluation
                .actions
                .iter()
                .map(|a| program.action_name(*a).to_owned())
        )
    );
    let _ = writeln!(
        out,
        "vetoed:  {}",
        names(&mut evaluation.vetoed.iter().map(|(a, g)| {
            let name = program.guard_name(*g);
            let why = program
                .guard_reason(*g)
                .map(|l| format!(": {l}"))
                .unwrap_or_default();
            format!("{} (by {name}{why})", program.action_name(*a))
        }))
    );
    out
}
