//! The impact of a policy change, for people (text), for pull requests (Markdown) and for
//! programs (JSON, with every changed loan and every matrix cell).

use std::fmt::Write as _;

use serde_json::json;

use crate::impact::{Impact, Matrix};
use crate::lang::{Lang, tr};
use crate::program::Program;
use crate::tally::{Tally, amounts_in, grouped};

/// An outcome for a person reading `lang`.
fn outcome(text: &str, lang: Lang) -> String {
    Program::outcome_words(text, lang)
}

/// One loan's amount: `CNY 1,234.00`, or in Chinese `1,234.00元`.
fn loan_amount(currency: &str, amount: rust_decimal::Decimal, lang: Lang) -> String {
    let mut one = std::collections::BTreeMap::new();
    one.insert(currency.to_owned(), amount);
    amounts_in(&one, lang)
}

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

fn totals_line(heading: &ImpactHeading<'_>, impact: &Impact, lang: Lang) -> String {
    tr!(
        lang,
        "diff-totals",
        read = heading.read,
        compared = impact.compared.loans,
        rejected = heading.rejected,
        unchanged = impact.compared.loans - impact.changed.loans,
        changed = impact.changed.loans
    )
}

/// Plain text: every changed loan, then the transitions of each decision.
pub fn impact_text(heading: &ImpactHeading<'_>, impact: &Impact, lang: Lang) -> String {
    let mut out = String::new();
    let title = tr!(
        lang,
        "diff-title",
        new = heading.new,
        old = heading.old,
        portfolio = heading.portfolio,
        date = heading.as_of
    );
    let _ = writeln!(out, "{title}");
    let changed = tr!(
        lang,
        "diff-changed",
        changed = impact.changed.loans,
        compared = impact.compared.loans,
        changed_amount = amounts_in(&impact.changed.amounts, lang),
        compared_amount = amounts_in(&impact.compared.amounts, lang)
    );
    let _ = writeln!(out, "\n{changed}");
    if !impact.loans.is_empty() {
        let _ = writeln!(out);
    }
    for loan in &impact.loans {
        let amount = loan_amount(&loan.currency, loan.amount, lang);
        let line = tr!(lang, "diff-loan", loan = &loan.loan_id, amount = amount);
        let _ = writeln!(out, "{line}");
        for (decision, before, after) in &loan.decisions {
            let (before, after) = (outcome(before, lang), outcome(after, lang));
            let line = tr!(
                lang,
                "diff-decision",
                decision = decision,
                before = before,
                after = after
            );
            let _ = writeln!(out, "  {line}");
        }
        if !loan.added.is_empty() || !loan.removed.is_empty() {
            let mut parts: Vec<String> = loan.added.iter().map(|a| format!("+{a}")).collect();
            parts.extend(loan.removed.iter().map(|a| format!("-{a}")));
            let line = tr!(lang, "diff-actions", list = parts.join(" "));
            let _ = writeln!(out, "  {line}");
        }
    }
    for (index, matrix) in impact.matrices.iter().enumerate() {
        let cells = changed_cells(matrix);
        if cells.is_empty() {
            continue;
        }
        let title = tr!(
            lang,
            "diff-transitions",
            name = matrix_name(impact, index, lang)
        );
        let _ = writeln!(out, "\n{title}");
        for ((before, after), tally) in cells {
            let line = tr!(
                lang,
                "diff-transition",
                before = outcome(before, lang),
                after = outcome(after, lang),
                loans = tally.loans,
                amount = amounts_in(&tally.amounts, lang)
            );
            let _ = writeln!(out, "  {line}");
        }
    }
    let _ = writeln!(out, "\n{}", totals_line(heading, impact, lang));
    out
}

/// A matrix's name for a person reading `lang`: a decision's name as written; the last matrix,
/// of the action lists, `actions` translated.
fn matrix_name(impact: &Impact, index: usize, lang: Lang) -> String {
    match impact.matrices.get(index) {
        Some(_) if index + 1 == impact.matrices.len() => tr!(lang, "diff-actions-matrix"),
        Some(matrix) => matrix.name.clone(),
        None => String::new(),
    }
}

fn markdown_escape(text: &str) -> String {
    text.replace('|', "\\|")
}

/// Markdown for a pull-request comment: the summary, each decision's changed transitions as a
/// table, and the first `limit` changed loans.
pub fn impact_markdown(
    heading: &ImpactHeading<'_>,
    impact: &Impact,
    limit: usize,
    lang: Lang,
) -> String {
    let mut out = String::new();
    let title = tr!(lang, "diff-md-title", new = markdown_escape(heading.new));
    let _ = writeln!(out, "{title}\n");
    let summary = tr!(
        lang,
        "diff-md-summary",
        old = markdown_escape(heading.old),
        portfolio = markdown_escape(heading.portfolio),
        date = heading.as_of,
        changed = impact.changed.loans,
        compared = impact.compared.loans,
        changed_amount = amounts_in(&impact.changed.amounts, lang),
        compared_amount = amounts_in(&impact.compared.amounts, lang)
    );
    let _ = writeln!(out, "{summary}\n");
    for (index, matrix) in impact.matrices.iter().enumerate() {
        let cells = changed_cells(matrix);
        if cells.is_empty() {
            continue;
        }
        let header = tr!(lang, "diff-md-matrix-header");
        let _ = writeln!(
            out,
            "#### {}\n\n{header}\n| --- | --- | ---: | ---: |",
            matrix_name(impact, index, lang)
        );
        for ((before, after), tally) in cells {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                markdown_escape(&outcome(before, lang)),
                markdown_escape(&outcome(after, lang)),
                tally.loans,
                amounts_in(&tally.amounts, lang)
            );
        }
        let _ = writeln!(out);
    }
    if !impact.loans.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n\n{}\n| --- | ---: | --- | --- |",
            tr!(lang, "diff-md-changed-loans"),
            tr!(lang, "diff-md-loans-header")
        );
        for loan in impact.loans.iter().take(limit) {
            let changes: Vec<String> = loan
                .decisions
                .iter()
                .map(|(d, b, a)| {
                    let (before, after) = (outcome(b, lang), outcome(a, lang));
                    tr!(
                        lang,
                        "diff-decision",
                        decision = d,
                        before = before,
                        after = after
                    )
                })
                .collect();
            let mut actions: Vec<String> = loan.added.iter().map(|a| format!("+{a}")).collect();
            actions.extend(loan.removed.iter().map(|a| format!("-{a}")));
            let amount = match lang {
                // As it always read: the currency, then the amount, even when none is given.
                Lang::En => format!("{} {}", loan.currency, grouped(loan.amount)),
                Lang::Zh => loan_amount(&loan.currency, loan.amount, lang),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                markdown_escape(&loan.loan_id),
                amount,
                markdown_escape(&changes.join(&tr!(lang, "list-separator-strong"))),
                actions.join(" ")
            );
        }
        if impact.loans.len() > limit {
            let more = tr!(lang, "diff-md-more", count = impact.loans.len() - limit);
            let _ = writeln!(out, "\n{more}");
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    let _ = writeln!(out, "{}", totals_line(heading, impact, lang));
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
