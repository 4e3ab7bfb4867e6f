//! The impact of a policy change, for people (text), for pull requests (Markdown) and for
//! programs (JSON, with every changed loan and every matrix cell).

use std::fmt::Write as _;

use serde_json::json;

use crate::impact::{Impact, Matrix};
use crate::tally::{Tally, amounts, grouped};

/// What the report is about, for its heading.
pub struct ImpactHeading<'a> {
    /// The policy before the change.
    pub old: &'a str,
    /// The policy after the change.
    pub new: &'a str,
    /// The portfolio.
    pub portfolio: &'a str,
    /// The evaluation date.
    pub as_of: &'a str,
    /// Rows read, and rows rejected by either policy's schema.
    pub read: u64,
    /// Rows that could not be compared.
    pub rejected: u64,
}

fn changed_cells(matrix: &Matrix) -> Vec<(&(String, String), &Tally)> {
    matrix
        .cells
        .iter()
        .filter(|((before, after), _)| before != after)
        .collect()
}

fn totals_line(heading: &ImpactHeading<'_>, impact: &Impact) -> String {
    format!(
        "read {} = compared {} + rejected {}; of those compared, {} unchanged and {} changed",
        heading.read,
        impact.compared.loans,
        heading.rejected,
        impact.compared.loans - impact.changed.loans,
        impact.changed.loans
    )
}

/// Plain text: every changed loan, then the transitions of each decision.
pub fn impact_text(heading: &ImpactHeading<'_>, impact: &Impact) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "impact of {} (was {}) on {} as of {}",
        heading.new, heading.old, heading.portfolio, heading.as_of
    );
    let _ = writeln!(
        out,
        "\n{} of {} loans change outcome, involving {} of {}",
        impact.changed.loans,
        impact.compared.loans,
        amounts(&impact.changed.amounts),
        amounts(&impact.compared.amounts)
    );
    if !impact.loans.is_empty() {
        let _ = writeln!(out);
    }
    for loan in &impact.loans {
        let amount = if loan.currency.is_empty() {
            grouped(loan.amount)
        } else {
            format!("{} {}", loan.currency, grouped(loan.amount))
        };
        let _ = writeln!(out, "{}  ({amount})", loan.loan_id);
        for (decision, before, after) in &loan.decisions {
            let _ = writeln!(out, "  {decision}: {before} → {after}");
        }
        if !loan.added.is_empty() || !loan.removed.is_empty() {
            let mut parts: Vec<String> = loan.added.iter().map(|a| format!("+{a}")).collect();
            parts.extend(loan.removed.iter().map(|a| format!("-{a}")));
            let _ = writeln!(out, "  actions: {}", parts.join(" "));
        }
    }
    for matrix in &impact.matrices {
        let cells = changed_cells(matrix);
        if cells.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\ntransitions of {}", matrix.name);
        for ((before, after), tally) in cells {
            let _ = writeln!(
                out,
                "  {before} → {after}: {} loans, {}",
                tally.loans,
                amounts(&tally.amounts)
            );
        }
    }
    let _ = writeln!(out, "\n{}", totals_line(heading, impact));
    out
}

fn markdown_escape(text: &str) -> String {
    text.replace('|', "\\|")
}

/// Markdown for a pull-request comment: the summary, each decision's changed transitions as a
/// table, and the first `limit` changed loans.
pub fn impact_markdown(heading: &ImpactHeading<'_>, impact: &Impact, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Policy impact: `{}`\n",
        markdown_escape(heading.new)
    );
    let _ = writeln!(
        out,
        "Compared with `{}` on `{}` as of {}: **{} of {} loans change outcome**, involving {} of {}.\n",
        markdown_escape(heading.old),
        markdown_escape(heading.portfolio),
        heading.as_of,
        impact.changed.loans,
        impact.compared.loans,
        amounts(&impact.changed.amounts),
        amounts(&impact.compared.amounts)
    );
    for matrix in &impact.matrices {
        let cells = changed_cells(matrix);
        if cells.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "#### {}\n\n| before | after | loans | amount |\n| --- | --- | ---: | ---: |",
            matrix.name
        );
        for ((before, after), tally) in cells {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                markdown_escape(before),
                markdown_escape(after),
                tally.loans,
                amounts(&tally.amounts)
            );
        }
        let _ = writeln!(out);
    }
    if !impact.loans.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Changed loans</summary>\n\n| loan | amount | changes | actions |\n| --- | ---: | --- | --- |"
        );
        for loan in impact.loans.iter().take(limit) {
            let changes: Vec<String> = loan
                .decisions
                .iter()
                .map(|(d, b, a)| format!("{d}: {b} → {a}"))
                .collect();
            let mut actions: Vec<String> = loan.added.iter().map(|a| format!("+{a}")).collect();
            actions.extend(loan.removed.iter().map(|a| format!("-{a}")));
            let _ = writeln!(
                out,
                "| {} | {} {} | {} | {} |",
                markdown_escape(&loan.loan_id),
                loan.currency,
                grouped(loan.amount),
                markdown_escape(&changes.join("; ")),
                actions.join(" ")
            );
        }
        if impact.loans.len() > limit {
            let _ = writeln!(
                out,
                "\n… and {} more (`--format json` lists them all).",
                impact.loans.len() - limit
            );
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    let _ = writeln!(out, "{}", totals_line(heading, impact));
    out
}

/// Everything, as one JSON object.
pub fn impact_json(heading: &ImpactHeading<'_>, impact: &Impact) -> String {
    let loans: Vec<serde_json::Value> = impact
        .loans
        .iter()
        .map(|loan| {
            json!({
                "loan_id": loan.loan_id,
                "amount": loan.amount.to_string(),
                "currency": loan.currency,
                "decisions": loan.decisions.iter().map(|(d, b, a)| json!({"decision": d, "before": b, "after": a})).collect::<Vec<_>>(),
                "actions_added": loan.added,
                "actions_removed": loan.removed,
            })
        })
        .collect();
    let matrices: Vec<serde_json::Value> = impact
        .matrices
        .iter()
        .map(|m| {
            json!({
                "name": m.name,
                "cells": m.cells.iter().map(|((b, a), t)| {
                    let mut cell = json!({"before": b, "after": a});
                    if let (Some(cell), serde_json::Value::Object(t)) = (cell.as_object_mut(), Tally::json(t)) {
                        cell.extend(t);
                    }
                    cell
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut text = json!({
        "schema": "arrears.diff/1",
        "old": heading.old, "new": heading.new, "portfolio": heading.portfolio, "as_of": heading.as_of,
        "read": heading.read, "rejected": heading.rejected,
        "compared": Tally::json(&impact.compared), "changed": Tally::json(&impact.changed),
        "loans": loans, "transitions": matrices,
    })
    .to_string();
    text.push('\n');
    text
}
