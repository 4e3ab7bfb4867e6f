//! One loan's trace for a person to read (`arrears explain`).

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::eval::{Evaluation, Read, Trace};
use crate::program::HitPolicy;
use crate::program::Program;
use crate::program::{Kind, kind_of, source_name, to_text};

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

/// The explanation of one loan's outcome, as plain text.
pub fn explain_text(
    program: &Program,
    key: &str,
    evaluation: &Evaluation,
    trace: &Trace,
    as_of: NaiveDate,
) -> String {
    let mut out = String::new();
    let policy = program.name.as_deref().unwrap_or("policy");
    let _ = writeln!(
        out,
        "loan {key}, evaluated on {} by {policy}",
        as_of.format("%Y-%m-%d")
    );

    if !trace.derived.is_empty() {
        let _ = writeln!(out, "\nderived values");
        for derived in &trace.derived {
            let Some(def) = program.derived.get(derived.derived.index()) else {
                continue;
            };
            let value = to_text(program, Kind::Derived(&def.ty), &derived.value);
            let _ = writeln!(out, "  {} = {value}", def.named.name);
            let _ = writeln!(out, "      from {}", reads_text(program, &derived.reads));
        }
    }

    for decision in &trace.decisions {
        let Some(def) = program.decisions.get(decision.decision.index()) else {
            continue;
        };
        let outcome = evaluation
            .outcome(decision.decision)
            .map(|outcome| program.outcome_text(decision.decision, outcome))
            .unwrap_or_default();
        let hit = if def.hit == HitPolicy::Unique {
            "unique match"
        } else if def.hit == HitPolicy::First {
            "first match"
        } else {
            "every match"
        };
        let _ = writeln!(out, "\ndecision {} ({hit}) → {outcome}", def.named.name);
        for rule in &decision.rules {
            let Some(rule_def) = def.rules.get(rule.rule.index()) else {
                continue;
            };
            let label = rule_def
                .named
                .label
                .as_deref()
                .map(|l| format!(" \"{l}\""))
                .unwrap_or_default();
            let verdict = match (rule.matched, rule.outcome) {
                (true, Some(v)) => {
                    format!("matched → {}", program.outcome_name(decision.decision, v))
                }
                (true, None) => "matched → nothing".to_owned(),
                (false, _) => "no".to_owned(),
            };
            let _ = writeln!(out, "  {}{label}: {verdict}", rule_def.named.name);
            let _ = writeln!(out, "      {}", reads_text(program, &rule.reads));
        }
    }

    if !trace.guards.is_empty() {
        let _ = writeln!(out, "\nguards");
        for guard in &trace.guards {
            let Some(def) = program.guards.get(guard.guard.index()) else {
                continue;
            };
            let label = def
                .named
                .label
                .as_deref()
                .map(|l| format!(" \"{l}\""))
                .unwrap_or_default();
            let verdict = if guard.fired {
                "applies"
            } else {
                "does not apply"
            };
            let _ = writeln!(out, "  {}{label}: {verdict}", def.named.name);
            if let Some(basis) = &def.basis {
                let _ = writeln!(out, "      per {basis}");
            }
            let _ = writeln!(out, "      {}", reads_text(program, &guard.reads));
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
            let guard = program.guards.get(g.index());
            let name = guard.map_or("", |g| g.named.name.as_str());
            let why = guard
                .and_then(|g| g.named.label.as_deref())
                .map(|l| format!(": {l}"))
                .unwrap_or_default();
            format!("{} (by {name}{why})", program.action_name(*a))
        }))
    );
    out
}
