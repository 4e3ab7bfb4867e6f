//! The dry-run report: human tables, JSON (schema `arrears.report/1`, documented in
//! ARCHITECTURE.md), CSV in long format, and one self-contained HTML file with inline SVG charts.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde_json::{Map, Value as Json, json};

use crate::lang::{Lang, tr};
use crate::summary::roll::{Cell, Movement, Movements, RollRates};
use crate::summary::{CapacityTable, Rows, Summary};
use crate::tally::{Tally, amounts_in, grouped};
use unicode_width::UnicodeWidthStr;

/// What the report is about.
pub struct ReportHeading<'a> {
    /// The policy file.
    pub policy: &'a str,
    /// The portfolio file.
    pub portfolio: &'a str,
    /// The evaluation date.
    pub as_of: &'a str,
}

/// True when `rows` add up to `total`, loans and every currency's amount.
fn reconciles(rows: &Rows, total: &Tally) -> bool {
    let mut sum = Tally::default();
    for (_, t) in rows {
        sum.loans += t.loans;
        for (c, a) in &t.amounts {
            *sum.amounts.entry(c.clone()).or_default() += *a;
        }
    }
    sum.loans == total.loans && sum.amounts == total.amounts
}

/// `n loans` in `lang`, the count grouped in thousands.
fn loans(lang: Lang, count: u64) -> String {
    let shown = grouped(Decimal::from(count));
    tr!(lang, "loans", count = count, shown = shown)
}

/// `1,769 borrowers hold the 3,000 loans decided`, for a policy that reads borrowers.
fn borrowers_line(summary: &Summary, lang: Lang) -> Option<String> {
    let borrowers = summary.borrowers?;
    Some(tr!(
        lang,
        "report-borrowers",
        borrowers = tr!(
            lang,
            "borrowers-count",
            count = borrowers,
            shown = grouped(Decimal::from(borrowers))
        ),
        loans = loans(lang, summary.decided.loans)
    ))
}

/// Whether every count reconciles: read = decided + rejected, and every partition adds up.
fn reconciled(summary: &Summary) -> bool {
    summary.read == summary.decided.loans + rejected_total(summary)
        && partitions(summary).iter().all(|(_, ok)| *ok)
}

/// Every table that partitions the portfolio, by name, and whether it adds up.
fn partitions(summary: &Summary) -> Vec<(String, bool)> {
    let total = &summary.decided;
    let mut checks = vec![
        (
            "primary actions".to_owned(),
            reconciles(&summary.by_primary_action, total),
        ),
        (
            "overdue buckets".to_owned(),
            reconciles(&summary.by_bucket, total),
        ),
    ];
    let cells: Rows = summary
        .bucket_action
        .iter()
        .flat_map(|(_, rows)| rows.iter().cloned())
        .collect();
    checks.push(("bucket × action".to_owned(), reconciles(&cells, total)));
    for (decision, rows) in &summary.by_decision {
        checks.push((decision.clone(), reconciles(rows, total)));
    }
    for experiment in &summary.experiments {
        let arms: Rows = experiment
            .arms
            .iter()
            .map(|(arm, t, _)| (arm.clone(), t.clone()))
            .collect();
        checks.push((experiment.name.clone(), reconciles(&arms, total)));
    }
    checks
}

fn rejected_total(summary: &Summary) -> u64 {
    summary.rejected.iter().map(|(_, n, _)| n).sum()
}

/// `20,000 read = 19,996 decided + 4 rejected; principal 1,234.00 CNY reconciled`.
pub fn reconciliation_line(summary: &Summary, lang: Lang) -> String {
    let verdict = if reconciled(summary) {
        tr!(lang, "report-reconciled")
    } else {
        tr!(lang, "report-not-reconciled")
    };
    tr!(
        lang,
        "report-reconciliation",
        read = grouped(Decimal::from(summary.read)),
        decided = grouped(Decimal::from(summary.decided.loans)),
        rejected = grouped(Decimal::from(rejected_total(summary))),
        principal = amounts_in(&summary.decided.amounts, lang),
        verdict = verdict
    )
}

/// `part` as a percentage of `whole`, per currency, to one decimal place.
fn shares(part: &Tally, whole: &Tally) -> BTreeMap<String, String> {
    whole
        .amounts
        .iter()
        .map(|(currency, total)| {
            let value = part.amounts.get(currency).copied().unwrap_or_default();
            let percent = if total.is_zero() {
                Decimal::ZERO
            } else {
                (value * Decimal::ONE_HUNDRED / *total).round_dp(1)
            };
            (currency.clone(), format!("{percent:.1}"))
        })
        .collect()
}

fn share_text(part: &Tally, whole: &Tally, lang: Lang) -> String {
    shares(part, whole)
        .iter()
        .map(|(c, p)| {
            match (c.as_str(), lang) {
                ("", _) => tr!(lang, "report-share", percent = p),
                // A Chinese reader calls yuan 人民币, not by its code.
                ("CNY" | "RMB", Lang::Zh) => {
                    tr!(lang, "report-share-of", percent = p, currency = "人民币")
                }
                (c, _) => tr!(lang, "report-share-of", percent = p, currency = c),
            }
        })
        .collect::<Vec<_>>()
        .join(&tr!(lang, "list-separator-strong"))
}

/// How many columns `text` takes on screen: a Chinese character takes two.
fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

fn table(out: &mut String, title: &str, rows: &Rows, lang: Lang) {
    let _ = writeln!(out, "\n{title}");
    // Columns line up on screen: a Chinese character takes two columns.
    let keys: Vec<String> = rows.iter().map(|(k, _)| key_words(k, lang)).collect();
    let column = keys.iter().map(|k| width(k)).max().unwrap_or(0).max(6);
    // The unit after the count, padded to the widest form (`loans`), so amounts line up.
    let units: Vec<String> = rows
        .iter()
        .map(|(_, t)| tr!(lang, "loans-unit", count = t.loans))
        .collect();
    let unit_column = units.iter().map(|u| width(u)).max().unwrap_or(0).max(5);
    for ((key, unit), (_, tally)) in keys.iter().zip(&units).zip(rows) {
        let pad = " ".repeat(column.saturating_sub(width(key)));
        let unit_pad = " ".repeat(unit_column.saturating_sub(width(unit)));
        let _ = writeln!(
            out,
            "  {key}{pad}  {:>9} {unit}{unit_pad}  {}",
            grouped(Decimal::from(tally.loans)),
            amounts_in(&tally.amounts, lang)
        );
    }
}

/// A row's key as a reader of `lang` reads it: bucket names translated, the policy's own
/// names as written.
fn key_words(key: &str, lang: Lang) -> String {
    crate::summary::key_words(key, lang).unwrap_or_else(|| key.to_owned())
}

/// The human report, in `lang`.
pub fn summary_text(heading: &ReportHeading<'_>, summary: &Summary, lang: Lang) -> String {
    let mut out = String::new();
    let title = tr!(
        lang,
        "report-title",
        policy = heading.policy,
        portfolio = heading.portfolio,
        date = heading.as_of
    );
    let _ = writeln!(out, "{title}\n");
    let _ = writeln!(out, "{}", reconciliation_line(summary, lang));
    if let Some(line) = borrowers_line(summary, lang) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(
        out,
        "{}",
        tr!(
            lang,
            "report-overdue",
            loans = loans(lang, summary.overdue.loans),
            principal = amounts_in(&summary.overdue.amounts, lang),
            share = share_text(&summary.overdue, &summary.decided, lang)
        )
    );
    if let Some(npl) = &summary.non_performing {
        let _ = writeln!(
            out,
            "{}",
            tr!(
                lang,
                "report-non-performing",
                loans = loans(lang, npl.loans),
                principal = amounts_in(&npl.amounts, lang),
                share = share_text(npl, &summary.decided, lang)
            )
        );
    }
    for (decision, rows) in &summary.by_borrower_decision {
        let _ = writeln!(
            out,
            "\n{}",
            tr!(
                lang,
                "report-borrower-decision",
                decision = decision.as_str()
            )
        );
        let column = rows
            .iter()
            .map(|(k, _)| width(&key_words(k, lang)))
            .max()
            .unwrap_or(0)
            .max(6);
        for (key, count) in rows {
            let key = key_words(key, lang);
            let pad = " ".repeat(column.saturating_sub(width(&key)));
            let shown = grouped(Decimal::from(*count));
            let _ = writeln!(
                out,
                "  {key}{pad}  {}",
                tr!(lang, "borrowers-count", count = *count, shown = shown)
            );
        }
    }
    table(
        &mut out,
        &tr!(lang, "report-per-action-long"),
        &summary.by_action,
        lang,
    );
    table(
        &mut out,
        &tr!(lang, "report-per-primary-action-long"),
        &summary.by_primary_action,
        lang,
    );
    for (decision, rows) in &summary.by_decision {
        let title = tr!(lang, "report-per-decision-long", decision = decision);
        table(&mut out, &title, rows, lang);
    }
    table(
        &mut out,
        &tr!(lang, "report-per-bucket-long"),
        &summary.by_bucket,
        lang,
    );
    let _ = writeln!(out, "\n{}", tr!(lang, "report-bucket-action"));
    let separator = tr!(lang, "list-separator");
    for (bucket, rows) in &summary.bucket_action {
        let cells: Vec<String> = rows
            .iter()
            .map(|(a, t)| format!("{} {}", key_words(a, lang), t.loans))
            .collect();
        let cells = if cells.is_empty() {
            "—".to_owned()
        } else {
            cells.join(&separator)
        };
        let line = tr!(
            lang,
            "report-row",
            key = key_words(bucket, lang),
            cells = cells
        );
        let _ = writeln!(out, "  {line}");
    }
    for (guard, rows) in &summary.vetoed {
        table(
            &mut out,
            &tr!(lang, "report-vetoed-by", guard = guard),
            rows,
            lang,
        );
    }
    if summary.vetoed.is_empty() {
        let _ = writeln!(out, "\n{}", tr!(lang, "report-vetoed-none"));
    }
    for experiment in &summary.experiments {
        let name = &experiment.name;
        let _ = writeln!(out, "\n{}", tr!(lang, "report-experiment", name = name));
        for (arm, tally, mix) in &experiment.arms {
            let line = tr!(
                lang,
                "report-arm",
                name = name,
                arm = arm,
                loans = loans(lang, tally.loans),
                principal = amounts_in(&tally.amounts, lang)
            );
            let _ = writeln!(out, "  {line}");
            let cells: Vec<String> = mix
                .iter()
                .map(|(a, t)| format!("{} {}", key_words(a, lang), t.loans))
                .collect();
            let _ = writeln!(out, "      {}", cells.join(&separator));
        }
    }
    capacity_text(&mut out, summary, lang);
    roll_text(&mut out, summary, lang);
    let _ = writeln!(out, "\n{}", tr!(lang, "report-rejected"));
    if summary.rejected.is_empty() {
        let _ = writeln!(out, "  {}", tr!(lang, "none"));
    }
    for (code, rows, reason) in &summary.rejected {
        let example = tr!(lang, "report-example", reason = reason);
        let _ = writeln!(out, "  {code}  {rows:>7}  {example}");
    }
    out
}

/// A capacity's heading: what it limits, how much, by what, in what order, and the fallback.
fn capacity_heading(table: &CapacityTable, lang: Lang) -> String {
    let group = match &table.group_by {
        Some(group) => tr!(lang, "report-capacity-per", group = group.as_str()),
        None => tr!(lang, "report-capacity-book"),
    };
    let order = if table.priority.is_empty() {
        tr!(lang, "report-capacity-by-key")
    } else {
        tr!(
            lang,
            "report-capacity-order",
            order = table.priority.as_str()
        )
    };
    let fallback = match &table.fallback {
        Some(action) => tr!(lang, "report-capacity-fallback", action = action.as_str()),
        None => tr!(lang, "report-capacity-no-fallback"),
    };
    tr!(
        lang,
        "report-capacity",
        name = table.name.as_str(),
        limit = u64::from(table.limit),
        group = group,
        order = order,
        fallback = fallback
    )
}

/// A capacity group's name as shown: the whole book, or loans without a value.
fn group_words(table: &CapacityTable, group: Option<&str>, lang: Lang) -> String {
    match (group, &table.group_by) {
        (Some(group), _) => group.to_owned(),
        (None, Some(_)) => tr!(lang, "report-capacity-no-group"),
        (None, None) => tr!(lang, "report-capacity-all"),
    }
}

/// Per capacity, per group: the limit, the loans that claimed it, those it took, those
/// queued and the money they carry, and how many got the fallback.
fn capacity_text(out: &mut String, summary: &Summary, lang: Lang) {
    for table in &summary.capacities {
        let _ = writeln!(out, "\n{}", capacity_heading(table, lang));
        let header = [
            tr!(lang, "report-capacity-group"),
            tr!(lang, "report-capacity-limit"),
            tr!(lang, "report-capacity-demand"),
            tr!(lang, "report-capacity-taken"),
            tr!(lang, "report-capacity-queued"),
            tr!(lang, "report-capacity-instead"),
            tr!(lang, "report-capacity-queued-amount"),
        ];
        let mut rows: Vec<[String; 7]> = vec![header];
        for group in &table.groups {
            let taken = group.demand.loans - group.queued.loans;
            rows.push([
                group_words(table, group.group.as_deref(), lang),
                grouped(Decimal::from(table.limit)),
                grouped(Decimal::from(group.demand.loans)),
                grouped(Decimal::from(taken)),
                grouped(Decimal::from(group.queued.loans)),
                grouped(Decimal::from(group.fallback_given)),
                amounts_in(&group.queued.amounts, lang),
            ]);
        }
        if table.groups.is_empty() {
            let _ = writeln!(out, "  {}", tr!(lang, "report-capacity-unclaimed"));
            continue;
        }
        let rows: Vec<Vec<String>> = rows.into_iter().map(Vec::from).collect();
        aligned(out, &rows);
    }
}

/// The capacities as JSON (`tables.capacities`).
fn capacities_json(summary: &Summary) -> Json {
    Json::Array(
        summary
            .capacities
            .iter()
            .map(|table| {
                json!({
                    "capacity": table.name,
                    "limit": table.limit,
                    "per": table.group_by,
                    "priority": table.priority,
                    "instead": table.fallback,
                    "groups": table.groups.iter().map(|g| json!({
                        "group": g.group,
                        "demand": Tally::json(&g.demand),
                        "taken": g.demand.loans - g.queued.loans,
                        "queued": Tally::json(&g.queued),
                        "given_instead": g.fallback_given,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// Per capacity, per group: a bar of the loans it took and, beyond it, of those queued,
/// with the limit, the demand and the money queued in a table beside.
fn capacity_html(out: &mut String, summary: &Summary, lang: Lang) {
    if summary.capacities.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<h2>{}</h2>",
        escape(&tr!(lang, "report-html-capacities"))
    );
    for table in &summary.capacities {
        let _ = write!(
            out,
            "<h3>{}</h3><table class=capacity><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr>",
            escape(&capacity_heading(table, lang)),
            escape(&tr!(lang, "report-capacity-group")),
            escape(&tr!(lang, "report-capacity-limit")),
            escape(&tr!(lang, "report-capacity-demand")),
            escape(&tr!(lang, "report-capacity-taken")),
            escape(&tr!(lang, "report-capacity-queued")),
            escape(&tr!(lang, "report-capacity-instead")),
            escape(&tr!(lang, "report-capacity-queued-amount")),
        );
        let widest = table
            .groups
            .iter()
            .map(|g| g.demand.loans)
            .max()
            .unwrap_or(0)
            .max(1);
        for group in &table.groups {
            let taken = group.demand.loans - group.queued.loans;
            // Bar lengths in whole pixels out of 240, from exact counts.
            let px = |n: u64| n.saturating_mul(240) / widest;
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td><svg width=250 height=14 role=img aria-label='{}'><rect x=0 y=2 width={} height=10 fill='#4a7fb5'/><rect x={} y=2 width={} height=10 fill='#d9822b'/></svg></td></tr>",
                escape(&group_words(table, group.group.as_deref(), lang)),
                grouped(Decimal::from(table.limit)),
                grouped(Decimal::from(group.demand.loans)),
                grouped(Decimal::from(taken)),
                grouped(Decimal::from(group.queued.loans)),
                grouped(Decimal::from(group.fallback_given)),
                escape(&amounts_in(&group.queued.amounts, lang)),
                escape(&tr!(
                    lang,
                    "report-capacity-bar",
                    taken = taken,
                    queued = group.queued.loans
                )),
                px(taken),
                px(taken),
                px(group.queued.loans),
            );
        }
        out.push_str("</table>");
    }
    let _ = write!(
        out,
        "<p class=l><span style='color:#4a7fb5'>■</span> {} <span style='color:#d9822b'>■</span> {}</p>",
        escape(&tr!(lang, "report-capacity-taken")),
        escape(&tr!(lang, "report-capacity-queued"))
    );
}

/// The alpha of shade `tenth` (0 to 10), as text: `0.00` to `0.60`, computed in decimals.
fn shade_alpha(tenth: u64) -> String {
    (Decimal::from(tenth) * Decimal::new(6, 2))
        .round_dp(2)
        .to_string()
}

/// A share of `part` in `whole` with one decimal, or `–` of nothing.
fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".to_owned();
    }
    let share = Decimal::from(part) * Decimal::from(100) / Decimal::from(whole);
    format!("{:.1}%", share.round_dp(1))
}

/// The matrix's rows and columns: the buckets, then `new` (rows) or `closed` (columns).
fn roll_axis(roll: &RollRates, lang: Lang, last: String) -> Vec<(Option<usize>, String)> {
    roll.buckets
        .iter()
        .enumerate()
        .map(|(i, b)| (Some(i), key_words(b, lang)))
        .chain(std::iter::once((None, last)))
        .collect()
}

/// Lines of aligned cells: the first column left, the others right.
fn aligned(out: &mut String, rows: &[Vec<String>]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| width(cell))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from(" ");
        for (column, cell) in row.iter().enumerate() {
            let pad = " ".repeat(
                widths
                    .get(column)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(width(cell)),
            );
            if column == 0 {
                let _ = write!(line, " {cell}{pad}");
            } else {
                let _ = write!(line, "  {pad}{cell}");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// Rows of movements: loans, then each movement's loans and share of them.
fn movement_rows(rows: &[(String, Movements)], lang: Lang) -> Vec<Vec<String>> {
    let mut out = vec![
        std::iter::once(String::new())
            .chain(std::iter::once(tr!(lang, "roll-loans")))
            .chain(Movement::ALL.iter().map(|m| movement_words(*m, lang)))
            .collect::<Vec<_>>(),
    ];
    for (key, movements) in rows {
        let total: u64 = movements.values().map(|t| t.loans).sum();
        let mut row = vec![key_words(key, lang), grouped(Decimal::from(total))];
        for movement in Movement::ALL {
            let n = movements.get(&movement).map_or(0, |t| t.loans);
            row.push(format!(
                "{} ({})",
                grouped(Decimal::from(n)),
                percent(n, total)
            ));
        }
        out.push(row);
    }
    out
}

fn movement_words(movement: Movement, lang: Lang) -> String {
    match movement {
        Movement::Cured => tr!(lang, "roll-cured"),
        Movement::Improved => tr!(lang, "roll-improved"),
        Movement::Stayed => tr!(lang, "roll-stayed"),
        Movement::RolledForward => tr!(lang, "roll-rolled-forward"),
        Movement::Closed => tr!(lang, "roll-closed"),
    }
}

/// The roll from the earlier snapshot: the bucket matrix in loans, then cures and
/// roll-forwards per bucket, per action given then and per experiment arm.
fn roll_text(out: &mut String, summary: &Summary, lang: Lang) {
    let Some(roll) = &summary.roll else {
        return;
    };
    let _ = writeln!(
        out,
        "\n{}",
        tr!(
            lang,
            "roll-title",
            date = roll.previous_as_of.as_str(),
            before = loans(lang, roll.totals.0.loans),
            after = loans(lang, roll.totals.1.loans)
        )
    );
    let rows = roll_axis(roll, lang, tr!(lang, "roll-new"));
    let columns = roll_axis(roll, lang, tr!(lang, "roll-closed"));
    let mut table = vec![
        std::iter::once(tr!(lang, "roll-from-to"))
            .chain(columns.iter().map(|(_, c)| c.clone()))
            .chain(std::iter::once(tr!(lang, "roll-total")))
            .collect::<Vec<_>>(),
    ];
    for (from, name) in &rows {
        let mut row = vec![name.clone()];
        let mut total = 0;
        for (to, _) in &columns {
            let n = roll
                .cells
                .iter()
                .find(|(f, t, _)| f == from && t == to)
                .map_or(0, |(_, _, cell)| cell.before.loans.max(cell.after.loans));
            total += n;
            row.push(grouped(Decimal::from(n)));
        }
        row.push(grouped(Decimal::from(total)));
        table.push(row);
    }
    aligned(out, &table);
    let _ = writeln!(out, "\n{}", tr!(lang, "roll-per-bucket"));
    aligned(out, &movement_rows(&roll.by_bucket, lang));
    let _ = writeln!(
        out,
        "\n{}",
        tr!(lang, "roll-per-action", date = roll.previous_as_of.as_str())
    );
    aligned(out, &movement_rows(&roll.by_action, lang));
    for (name, arms) in &roll.by_arm {
        let _ = writeln!(out, "\n{}", tr!(lang, "roll-per-arm", name = name.as_str()));
        aligned(out, &movement_rows(arms, lang));
    }
}

fn movements_json(rows: &[(String, Movements)]) -> Json {
    Json::Array(
        rows.iter()
            .map(|(key, movements)| {
                let total: u64 = movements.values().map(|t| t.loans).sum();
                let mut object = Map::new();
                object.insert("key".into(), key.clone().into());
                object.insert("loans".into(), total.into());
                for movement in Movement::ALL {
                    let tally = movements.get(&movement).cloned().unwrap_or_default();
                    object.insert(movement.name().into(), Tally::json(&tally));
                }
                Json::Object(object)
            })
            .collect(),
    )
}

/// The roll as JSON (`roll`): every cell with its loans and amounts at both dates.
fn roll_json(roll: &RollRates) -> Json {
    let bucket = |b: &Option<usize>| b.and_then(|i| roll.buckets.get(i)).cloned();
    json!({
        "previous_as_of": roll.previous_as_of,
        "previous": Tally::json(&roll.totals.0),
        "current": Tally::json(&roll.totals.1),
        "cells": roll.cells.iter().map(|(from, to, cell)| json!({
            "from": bucket(from).map_or(Json::String("new".into()), Json::String),
            "to": bucket(to).map_or(Json::String("closed".into()), Json::String),
            "before": Tally::json(&cell.before),
            "after": Tally::json(&cell.after),
        })).collect::<Vec<_>>(),
        "by_bucket": movements_json(&roll.by_bucket),
        "by_action": movements_json(&roll.by_action),
        "by_arm": roll.by_arm.iter().map(|(name, arms)| json!({"name": name, "arms": movements_json(arms)})).collect::<Vec<_>>(),
    })
}

/// The roll as HTML: the matrix shaded by share of its row, then the movement tables with a
/// stacked bar each.
fn roll_html(out: &mut String, summary: &Summary, lang: Lang) {
    let Some(roll) = &summary.roll else {
        return;
    };
    let _ = write!(
        out,
        "<h2>{}</h2><table class=roll><tr><th>{}</th>",
        escape(&tr!(
            lang,
            "roll-title",
            date = roll.previous_as_of.as_str(),
            before = loans(lang, roll.totals.0.loans),
            after = loans(lang, roll.totals.1.loans)
        )),
        escape(&tr!(lang, "roll-from-to"))
    );
    let rows = roll_axis(roll, lang, tr!(lang, "roll-new"));
    let columns = roll_axis(roll, lang, tr!(lang, "roll-closed"));
    for (_, name) in &columns {
        let _ = write!(out, "<th class=n>{}</th>", escape(name));
    }
    out.push_str("</tr>");
    for (from, name) in &rows {
        let _ = write!(out, "<tr><th>{}</th>", escape(name));
        let cells: Vec<Option<&Cell>> = columns
            .iter()
            .map(|(to, _)| {
                roll.cells
                    .iter()
                    .find(|(f, t, _)| f == from && t == to)
                    .map(|(_, _, cell)| cell)
            })
            .collect();
        let count = |cell: &Option<&Cell>| cell.map_or(0, |c| c.before.loans.max(c.after.loans));
        let total: u64 = cells.iter().map(count).sum();
        for cell in &cells {
            let n = count(cell);
            // Shade by the share of the row, in whole steps of 1/10, from exact counts.
            let tenths = (n * 10).checked_div(total).unwrap_or(0);
            let amount = cell.map_or(String::new(), |c| {
                let tally = if c.before.loans > 0 {
                    &c.before
                } else {
                    &c.after
                };
                amounts_in(&tally.amounts, lang)
            });
            let _ = write!(
                out,
                "<td class='n r{tenths}' title='{}'>{}</td>",
                escape(&amount),
                grouped(Decimal::from(n))
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    let mut movement_table = |title: String, rows: &[(String, Movements)]| {
        let _ = write!(
            out,
            "<h3>{}</h3><table><tr><th></th><th class=n>{}</th>",
            escape(&title),
            escape(&tr!(lang, "roll-loans"))
        );
        for movement in Movement::ALL {
            let _ = write!(
                out,
                "<th class=n>{}</th>",
                escape(&movement_words(movement, lang))
            );
        }
        out.push_str("<th></th></tr>");
        for (key, movements) in rows {
            let total: u64 = movements.values().map(|t| t.loans).sum();
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=n>{}</td>",
                escape(&key_words(key, lang)),
                grouped(Decimal::from(total))
            );
            let mut bar = String::new();
            let mut x = 0;
            for movement in Movement::ALL {
                let n = movements.get(&movement).map_or(0, |t| t.loans);
                let _ = write!(
                    out,
                    "<td class=n>{} <span class=s>{}</span></td>",
                    grouped(Decimal::from(n)),
                    percent(n, total)
                );
                let w = (n * 200).checked_div(total).unwrap_or(0);
                let _ = write!(
                    bar,
                    "<rect x={x} y=2 width={w} height=10 class=m{}/>",
                    movement as u8
                );
                x += w;
            }
            let _ = write!(
                out,
                "<td><svg width=200 height=14 role=img aria-label='{}'>{bar}</svg></td></tr>",
                escape(&key_words(key, lang))
            );
        }
        out.push_str("</table>");
    };
    movement_table(tr!(lang, "roll-per-bucket"), &roll.by_bucket);
    movement_table(
        tr!(lang, "roll-per-action", date = roll.previous_as_of.as_str()),
        &roll.by_action,
    );
    for (name, arms) in &roll.by_arm {
        movement_table(tr!(lang, "roll-per-arm", name = name.as_str()), arms);
    }
    let legend: Vec<String> = Movement::ALL
        .iter()
        .map(|m| {
            format!(
                "<span class=k{}>■</span> {}",
                *m as u8,
                escape(&movement_words(*m, lang))
            )
        })
        .collect();
    let _ = write!(out, "<p class=l>{}</p>", legend.join(" "));
}

fn rows_json(rows: &Rows) -> Json {
    Json::Array(
        rows.iter()
            .map(|(key, tally)| {
                let mut row = json!({"key": key});
                if let (Some(row), Json::Object(t)) = (row.as_object_mut(), Tally::json(tally)) {
                    row.extend(t);
                }
                row
            })
            .collect(),
    )
}

/// The JSON report (schema `arrears.report/1`).
pub fn summary_json(heading: &ReportHeading<'_>, summary: &Summary) -> String {
    let mut text = json!({
        "schema": "arrears.report/1",
        "policy": heading.policy, "portfolio": heading.portfolio, "as_of": heading.as_of,
        "read": summary.read,
        "decided": Tally::json(&summary.decided),
        "rejected": summary.rejected.iter().map(|(code, rows, reason)| json!({"code": code, "rows": rows, "example": reason})).collect::<Vec<_>>(),
        "reconciled": partitions(summary).iter().all(|(_, ok)| *ok) && summary.read == summary.decided.loans + rejected_total(summary),
        "overdue": Tally::json(&summary.overdue),
        "overdue_rate_percent": shares(&summary.overdue, &summary.decided),
        "non_performing": summary.non_performing.as_ref().map(Tally::json),
        "npl_ratio_percent": summary.non_performing.as_ref().map(|npl| shares(npl, &summary.decided)),
        "buckets": summary.buckets,
        "tables": {
            "actions": rows_json(&summary.by_action),
            "primary_actions": rows_json(&summary.by_primary_action),
            "decisions": summary.by_decision.iter().map(|(d, rows)| (d.clone(), rows_json(rows))).collect::<Map<String, Json>>(),
            "buckets": rows_json(&summary.by_bucket),
            "bucket_actions": summary.bucket_action.iter().map(|(b, rows)| json!({"bucket": b, "rows": rows_json(rows)})).collect::<Vec<_>>(),
            "vetoed": summary.vetoed.iter().map(|(g, rows)| json!({"guard": g, "rows": rows_json(rows)})).collect::<Vec<_>>(),
            "experiments": summary.experiments.iter().map(|e| json!({
                "name": e.name,
                "arms": e.arms.iter().map(|(arm, tally, mix)| {
                    let mut object = json!({"arm": arm, "actions": rows_json(mix)});
                    if let (Some(o), Json::Object(t)) = (object.as_object_mut(), Tally::json(tally)) {
                        o.extend(t);
                    }
                    object
                }).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        },
    });
    // Only for a policy with capacities, so every other report stays as it was.
    if !summary.capacities.is_empty()
        && let Some(Json::Object(tables)) = text.get_mut("tables")
    {
        tables.insert("capacities".into(), capacities_json(summary));
    }
    if let (Some(roll), Some(object)) = (&summary.roll, text.as_object_mut()) {
        object.insert("roll".into(), roll_json(roll));
    }
    // Only for a policy that reads borrowers, so every other report stays as it was.
    if let (Some(borrowers), Some(object)) = (summary.borrowers, text.as_object_mut()) {
        object.insert("borrowers".into(), json!(borrowers));
        let decisions: Vec<Json> = summary
            .by_borrower_decision
            .iter()
            .map(|(name, rows)| {
                let rows: Vec<Json> = rows
                    .iter()
                    .map(|(key, n)| json!({"key": key, "borrowers": n}))
                    .collect();
                json!({"name": name, "rows": rows})
            })
            .collect();
        if let Some(Json::Object(tables)) = object.get_mut("tables") {
            tables.insert("borrower_decisions".into(), Json::Array(decisions));
        }
    }
    let mut text = text.to_string();
    text.push('\n');
    text
}

/// Every table in one CSV, long format: `table,group,key,currency,loans,amount`.
pub fn summary_csv(summary: &Summary) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["table", "group", "key", "currency", "loans", "amount"]);
    let mut rows = |table: &str, group: &str, rows: &Rows| {
        for (key, tally) in rows {
            for (currency, amount) in &tally.amounts {
                let loans = tally.counts.get(currency).copied().unwrap_or(0).to_string();
                let _ = writer.write_record(
                    [table, group, key, currency, &loans, &format!("{amount:.2}")]
                        .map(crate::report::spreadsheet_safe)
                        .iter()
                        .map(|cell| cell.as_bytes()),
                );
            }
        }
    };
    rows(
        "total",
        "",
        &vec![("decided".to_owned(), summary.decided.clone())],
    );
    rows(
        "total",
        "",
        &vec![("overdue".to_owned(), summary.overdue.clone())],
    );
    if let Some(npl) = &summary.non_performing {
        rows(
            "total",
            "",
            &vec![("non_performing".to_owned(), npl.clone())],
        );
    }
    rows("actions", "", &summary.by_action);
    rows("primary_actions", "", &summary.by_primary_action);
    for (decision, r) in &summary.by_decision {
        rows("decision", decision, r);
    }
    rows("buckets", "", &summary.by_bucket);
    for (bucket, r) in &summary.bucket_action {
        rows("bucket_actions", bucket, r);
    }
    for (guard, r) in &summary.vetoed {
        rows("vetoed", guard, r);
    }
    for experiment in &summary.experiments {
        for (arm, tally, mix) in &experiment.arms {
            rows(
                "experiment_arms",
                &experiment.name,
                &vec![(arm.clone(), tally.clone())],
            );
            rows(
                "experiment_actions",
                &format!("{}={arm}", experiment.name),
                mix,
            );
        }
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const PALETTE: &[&str] = &[
    "#2f6db5", "#e07b39", "#4a9a5b", "#c0504d", "#8064a2", "#4bacc6", "#9b8b3b", "#d36fa0",
];

fn html_table(out: &mut String, title: &str, rows: &Rows, lang: Lang) {
    let _ = write!(
        out,
        "<h3>{}</h3><table><tr><th></th><th>{}</th><th>{}</th></tr>",
        escape(title),
        escape(&tr!(lang, "report-column-loans")),
        escape(&tr!(lang, "report-column-amount"))
    );
    for (key, tally) in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            escape(&key_words(key, lang)),
            grouped(Decimal::from(tally.loans)),
            escape(&amounts_in(&tally.amounts, lang))
        );
    }
    out.push_str("</table>");
}

/// The opening tag of a chart `width` by `height` pixels, read aloud as `label`. Its
/// `viewBox` lets the page's style scale it down to a narrow page.
fn svg_open(width: usize, height: usize, label: &str) -> String {
    format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}' role='img' aria-label='{}'>",
        escape(label)
    )
}

/// Horizontal bars: one per row, length by loans.
fn bar_chart(rows: &Rows, title: &str, lang: Lang) -> String {
    let max = rows.iter().map(|(_, t)| t.loans).max().unwrap_or(1).max(1);
    let height = 24 * rows.len() + 40;
    let mut svg = svg_open(760, height, title);
    let _ = write!(svg, "<text x='0' y='16' class='t'>{}</text>", escape(title));
    for (index, (key, tally)) in rows.iter().enumerate() {
        let y = 30 + index * 24;
        let width = (tally.loans * 480 / max).max(1);
        let color = PALETTE.get(index % PALETTE.len()).unwrap_or(&"#2f6db5");
        let _ = write!(
            svg,
            "<text x='0' y='{}' class='l'>{}</text><rect x='200' y='{y}' width='{width}' height='18' fill='{color}'/><text x='{}' y='{}' class='l'>{}</text>",
            y + 14,
            escape(&key_words(key, lang)),
            205 + width,
            y + 14,
            tally.loans
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Buckets down, actions across, shade by loans.
fn heat_map(summary: &Summary, lang: Lang) -> String {
    // Columns in the policy's action order, as in the tables.
    let actions: Vec<String> = summary
        .by_primary_action
        .iter()
        .map(|(a, _)| a.clone())
        .collect();
    let max = summary
        .bucket_action
        .iter()
        .flat_map(|(_, r)| r.iter().map(|(_, t)| t.loans))
        .max()
        .unwrap_or(1)
        .max(1);
    let (cell, left, top) = (46, 120, 130);
    let width = left + cell * actions.len() + 10;
    let height = top + 30 * summary.bucket_action.len() + 10;
    let mut svg = svg_open(width, height, &tr!(lang, "report-heat-map-label"));
    for (i, action) in actions.iter().enumerate() {
        let x = left + i * cell + cell / 2;
        let _ = write!(
            svg,
            "<text transform='translate({x},{}) rotate(-60)' class='l'>{}</text>",
            top - 6,
            escape(&key_words(action, lang))
        );
    }
    for (row, (bucket, rows)) in summary.bucket_action.iter().enumerate() {
        let y = top + row * 30;
        let _ = write!(
            svg,
            "<text x='0' y='{}' class='l'>{}</text>",
            y + 19,
            escape(&key_words(bucket, lang))
        );
        for (i, action) in actions.iter().enumerate() {
            let loans = rows
                .iter()
                .find(|(a, _)| a == action)
                .map_or(0, |(_, t)| t.loans);
            // Lightness from 97 % (none) to 35 % (the busiest cell), in whole steps.
            let lightness = 97 - (loans * 62 / max);
            let x = left + i * cell;
            let _ = write!(
                svg,
                "<rect x='{x}' y='{y}' width='{}' height='28' fill='hsl(212,60%,{lightness}%)'/>",
                cell - 2
            );
            if loans > 0 {
                let ink = if lightness < 60 { "#fff" } else { "#222" };
                let _ = write!(
                    svg,
                    "<text x='{}' y='{}' class='c' fill='{ink}'>{loans}</text>",
                    x + cell / 2,
                    y + 19
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Per experiment: each arm's action mix, as shares of the arm's loans, side by side.
fn arms_chart(summary: &Summary, lang: Lang) -> String {
    let mut out = String::new();
    for experiment in &summary.experiments {
        let actions: Vec<String> = summary
            .by_primary_action
            .iter()
            .map(|(a, _)| a.clone())
            .filter(|a| {
                experiment
                    .arms
                    .iter()
                    .any(|(_, _, mix)| mix.iter().any(|(m, _)| m == a))
            })
            .collect();
        let height = 40 + actions.len() * 30 + 20;
        let title = tr!(lang, "report-arms-chart", name = &experiment.name);
        let label = tr!(lang, "report-arms-label", name = &experiment.name);
        out.push_str(&svg_open(760, height, &label));
        let _ = write!(
            out,
            "<text x='0' y='16' class='t'>{}</text>",
            escape(&title)
        );
        for (i, action) in actions.iter().enumerate() {
            let y = 36 + i * 30;
            let _ = write!(
                out,
                "<text x='0' y='{}' class='l'>{}</text>",
                y + 12,
                escape(&key_words(action, lang))
            );
            for (a, (arm, tally, mix)) in experiment.arms.iter().enumerate() {
                let loans = mix
                    .iter()
                    .find(|(m, _)| m == action)
                    .map_or(0, |(_, t)| t.loans);
                let permille = (loans * 1000).checked_div(tally.loans).unwrap_or(0);
                let width = (permille * 480 / 1000).max(1);
                let color = PALETTE.get(a % PALETTE.len()).unwrap_or(&"#2f6db5");
                let bar_y = y + a * 13;
                let _ = write!(
                    out,
                    "<rect x='200' y='{bar_y}' width='{width}' height='12' fill='{color}'><title>{} = {}</title></rect><text x='{}' y='{}' class='s'>{}.{} % ({})</text>",
                    escape(&experiment.name),
                    escape(arm),
                    205 + width,
                    bar_y + 10,
                    permille / 10,
                    permille % 10,
                    escape(arm)
                );
            }
        }
        out.push_str("</svg>");
    }
    out
}

/// The font stack of the page and its charts: the system's, then the CJK faces of Linux,
/// macOS and Windows, so Chinese names render wherever the report is opened.
const FONTS: &str =
    "system-ui,'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif";

/// One self-contained HTML page in `lang`: no scripts, no network; tables and inline SVG charts.
pub fn summary_html(heading: &ReportHeading<'_>, summary: &Summary, lang: Lang) -> String {
    let html_lang = match lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang='{html_lang}'><head><meta charset='utf-8'><title>{}</title><style>",
        escape(&tr!(lang, "report-html-title"))
    );
    let _ = write!(
        out,
        "body{{font:14px {FONTS};margin:24px;color:#222;max-width:1100px}}"
    );
    out.push_str("table{border-collapse:collapse;margin:8px 0 16px}td,th{border-bottom:1px solid #ddd;padding:3px 10px;text-align:left}");
    // A chart scales down to a narrow page (the workbench's dry-run pane) instead of running
    // out of it.
    out.push_str("svg[viewBox]{max-width:100%;height:auto}");
    let _ = write!(
        out,
        ".n{{text-align:right;font-variant-numeric:tabular-nums}}.t{{font:bold 14px {FONTS}}}.l{{font:12px {FONTS}}}"
    );
    let _ = write!(
        out,
        ".s{{font:11px {FONTS}}}.c{{font:12px {FONTS};text-anchor:middle}}.ok{{color:#2d7a3a}}.bad{{color:#b00}}"
    );
    // The roll matrix's shades (share of the row, in tenths) and the movements' colours.
    for tenth in 0..=10 {
        let _ = write!(
            out,
            ".r{tenth}{{background:rgba(74,127,181,{})}}",
            shade_alpha(tenth)
        );
    }
    for (index, colour) in ["#2d7a3a", "#8fbf6a", "#bbbbbb", "#d9822b", "#777777"]
        .iter()
        .enumerate()
    {
        let _ = write!(out, ".m{index}{{fill:{colour}}}.k{index}{{color:{colour}}}");
    }
    out.push_str("section{display:flex;flex-wrap:wrap;gap:24px}</style></head><body>");
    let _ = write!(
        out,
        "<h1>{}</h1><p>{}</p>",
        escape(&tr!(lang, "report-html-heading", policy = heading.policy)),
        escape(&tr!(
            lang,
            "report-html-subheading",
            portfolio = heading.portfolio,
            date = heading.as_of
        ))
    );
    let class = if reconciled(summary) { "ok" } else { "bad" };
    let line = reconciliation_line(summary, lang);
    let _ = write!(out, "<p class={class}><b>{}</b></p>", escape(&line));
    if let Some(line) = borrowers_line(summary, lang) {
        let _ = write!(out, "<p>{}</p>", escape(&line));
    }
    for (decision, rows) in &summary.by_borrower_decision {
        let _ = write!(
            out,
            "<h2>{}</h2><table>",
            escape(&tr!(
                lang,
                "report-borrower-decision",
                decision = decision.as_str()
            ))
        );
        for (key, count) in rows {
            let shown = grouped(Decimal::from(*count));
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=n>{}</td></tr>",
                escape(&key_words(key, lang)),
                escape(&tr!(lang, "borrowers-count", count = *count, shown = shown))
            );
        }
        out.push_str("</table>");
    }
    let overdue = tr!(
        lang,
        "report-html-overdue",
        loans = grouped(Decimal::from(summary.overdue.loans)),
        share = share_text(&summary.overdue, &summary.decided, lang)
    );
    let _ = write!(out, "<p>{}", escape(&overdue));
    if let Some(npl) = &summary.non_performing {
        let ratio = share_text(npl, &summary.decided, lang);
        let ratio = tr!(lang, "report-html-npl", share = ratio);
        let _ = write!(out, "{}", escape(&ratio));
    }
    let _ = write!(
        out,
        "</p><h2>{}</h2>",
        escape(&tr!(lang, "report-html-action-mix"))
    );
    out.push_str(&bar_chart(
        &summary.by_primary_action,
        &tr!(lang, "report-per-primary-action-chart"),
        lang,
    ));
    let _ = write!(
        out,
        "<h2>{}</h2>",
        escape(&tr!(lang, "report-html-bucket-action"))
    );
    out.push_str(&heat_map(summary, lang));
    if !summary.experiments.is_empty() {
        let _ = write!(
            out,
            "<h2>{}</h2>",
            escape(&tr!(lang, "report-html-experiments"))
        );
        out.push_str(&arms_chart(summary, lang));
    }
    capacity_html(&mut out, summary, lang);
    roll_html(&mut out, summary, lang);
    let _ = write!(
        out,
        "<h2>{}</h2><section><div>",
        escape(&tr!(lang, "report-html-tables"))
    );
    html_table(
        &mut out,
        &tr!(lang, "report-per-primary-action"),
        &summary.by_primary_action,
        lang,
    );
    html_table(
        &mut out,
        &tr!(lang, "report-per-action"),
        &summary.by_action,
        lang,
    );
    html_table(
        &mut out,
        &tr!(lang, "report-per-bucket"),
        &summary.by_bucket,
        lang,
    );
    out.push_str("</div><div>");
    for (decision, rows) in &summary.by_decision {
        let title = tr!(lang, "report-per-decision", decision = decision);
        html_table(&mut out, &title, rows, lang);
    }
    for (guard, rows) in &summary.vetoed {
        let title = tr!(lang, "report-vetoed-by", guard = guard);
        html_table(&mut out, &title, rows, lang);
    }
    let rejected: Rows = summary
        .rejected
        .iter()
        .map(|(code, n, _)| {
            (
                code.clone(),
                Tally {
                    loans: *n,
                    ..Tally::default()
                },
            )
        })
        .collect();
    html_table(
        &mut out,
        &tr!(lang, "report-rejected-per-code"),
        &rejected,
        lang,
    );
    out.push_str("</div></section></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_columns_line_up_on_screen_with_chinese_keys_and_one_loan_is_singular() {
        let tally = |loans| Tally {
            loans,
            ..Tally::default()
        };
        let rows = vec![
            ("上门催收".to_owned(), tally(1)),
            ("sms".to_owned(), tally(12)),
        ];
        let mut out = String::new();
        table(&mut out, "t", &rows, Lang::En);
        let lines: Vec<&str> = out.lines().skip(2).collect();
        // 上门催收 takes eight columns on screen, as `sms` and its five spaces of padding do.
        assert_eq!(
            lines,
            [
                "  上门催收          1 loan   0",
                "  sms              12 loans  0"
            ]
        );
    }
}
