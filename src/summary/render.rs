//! The dry-run report: human tables, JSON (schema `arrears.report/1`, documented in
//! ARCHITECTURE.md), CSV in long format, and one self-contained HTML file with inline SVG charts.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde_json::{Map, Value as Json, json};

use crate::summary::{Rows, Summary};
use crate::tally::{Tally, amounts, grouped};
use crate::value::counted;
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
pub fn reconciliation_line(summary: &Summary) -> String {
    let rejected = rejected_total(summary);
    let balanced = summary.read == summary.decided.loans + rejected;
    let tables_ok = partitions(summary).iter().all(|(_, ok)| *ok);
    format!(
        "{} read = {} decided + {} rejected; principal {} {}",
        grouped(Decimal::from(summary.read)),
        grouped(Decimal::from(summary.decided.loans)),
        grouped(Decimal::from(rejected)),
        amounts(&summary.decided.amounts),
        if balanced && tables_ok {
            "reconciled in every table"
        } else {
            "DOES NOT RECONCILE: please report this"
        }
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

fn share_text(part: &Tally, whole: &Tally) -> String {
    shares(part, whole)
        .iter()
        .map(|(c, p)| {
            if c.is_empty() {
                format!("{p} % of principal")
            } else {
                format!("{p} % of {c} principal")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn table(out: &mut String, title: &str, rows: &Rows) {
    let _ = writeln!(out, "\n{title}");
    // Columns line up on screen: a Chinese character takes two columns.
    let width = rows
        .iter()
        .map(|(k, _)| UnicodeWidthStr::width(k.as_str()))
        .max()
        .unwrap_or(0)
        .max(6);
    for (key, tally) in rows {
        let pad = " ".repeat(width.saturating_sub(UnicodeWidthStr::width(key.as_str())));
        let noun = if tally.loans == 1 { "loan " } else { "loans" };
        let _ = writeln!(
            out,
            "  {key}{pad}  {:>9} {noun}  {}",
            grouped(Decimal::from(tally.loans)),
            amounts(&tally.amounts)
        );
    }
}

/// The human report.
pub fn summary_text(heading: &ReportHeading<'_>, summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "dry run of {} on {} as of {}\n",
        heading.policy, heading.portfolio, heading.as_of
    );
    let _ = writeln!(out, "{}", reconciliation_line(summary));
    let _ = writeln!(
        out,
        "overdue: {}, {} ({})",
        counted(summary.overdue.loans, "loan"),
        amounts(&summary.overdue.amounts),
        share_text(&summary.overdue, &summary.decided)
    );
    if let Some(npl) = &summary.non_performing {
        let _ = writeln!(
            out,
            "non-performing: {}, {} (NPL ratio {})",
            counted(npl.loans, "loan"),
            amounts(&npl.amounts),
            share_text(npl, &summary.decided)
        );
    }
    table(
        &mut out,
        "loans per action (a loan with several actions counts under each)",
        &summary.by_action,
    );
    table(
        &mut out,
        "loans per primary action (the first action; each loan once)",
        &summary.by_primary_action,
    );
    for (decision, rows) in &summary.by_decision {
        table(&mut out, &format!("loans per {decision}"), rows);
    }
    table(&mut out, "loans per overdue bucket", &summary.by_bucket);
    let _ = writeln!(out, "\noverdue bucket × primary action");
    for (bucket, rows) in &summary.bucket_action {
        let cells: Vec<String> = rows
            .iter()
            .map(|(a, t)| format!("{a} {}", t.loans))
            .collect();
        let _ = writeln!(
            out,
            "  {bucket}: {}",
            if cells.is_empty() {
                "—".to_owned()
            } else {
                cells.join(", ")
            }
        );
    }
    for (guard, rows) in &summary.vetoed {
        table(&mut out, &format!("vetoed by {guard}"), rows);
    }
    if summary.vetoed.is_empty() {
        let _ = writeln!(out, "\nvetoed: none");
    }
    for experiment in &summary.experiments {
        let _ = writeln!(out, "\nexperiment {}", experiment.name);
        for (arm, tally, mix) in &experiment.arms {
            let _ = writeln!(
                out,
                "  {} = {arm}: {}, {}",
                experiment.name,
                counted(tally.loans, "loan"),
                amounts(&tally.amounts)
            );
            let cells: Vec<String> = mix
                .iter()
                .map(|(a, t)| format!("{a} {}", t.loans))
                .collect();
            let _ = writeln!(out, "      {}", cells.join(", "));
        }
    }
    let _ = writeln!(out, "\nrejected rows");
    if summary.rejected.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for (code, rows, reason) in &summary.rejected {
        let _ = writeln!(out, "  {code}  {rows:>7}  e.g. {reason}");
    }
    out
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
    })
    .to_string();
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

fn html_table(out: &mut String, title: &str, rows: &Rows) {
    let _ = write!(
        out,
        "<h3>{}</h3><table><tr><th></th><th>loans</th><th>amount</th></tr>",
        escape(title)
    );
    for (key, tally) in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            escape(key),
            grouped(Decimal::from(tally.loans)),
            escape(&amounts(&tally.amounts))
        );
    }
    out.push_str("</table>");
}

/// Horizontal bars: one per row, length by loans.
fn bar_chart(rows: &Rows, title: &str) -> String {
    let max = rows.iter().map(|(_, t)| t.loans).max().unwrap_or(1).max(1);
    let height = 24 * rows.len() + 40;
    let mut svg = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='760' height='{height}' role='img' aria-label='{}'>",
        escape(title)
    );
    let _ = write!(svg, "<text x='0' y='16' class='t'>{}</text>", escape(title));
    for (index, (key, tally)) in rows.iter().enumerate() {
        let y = 30 + index * 24;
        let width = (tally.loans * 480 / max).max(1);
        let color = PALETTE.get(index % PALETTE.len()).unwrap_or(&"#2f6db5");
        let _ = write!(
            svg,
            "<text x='0' y='{}' class='l'>{}</text><rect x='200' y='{y}' width='{width}' height='18' fill='{color}'/><text x='{}' y='{}' class='l'>{}</text>",
            y + 14,
            escape(key),
            205 + width,
            y + 14,
            tally.loans
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Buckets down, actions across, shade by loans.
fn heat_map(summary: &Summary) -> String {
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
    let mut svg = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' aria-label='overdue bucket by action'>"
    );
    for (i, action) in actions.iter().enumerate() {
        let x = left + i * cell + cell / 2;
        let _ = write!(
            svg,
            "<text transform='translate({x},{}) rotate(-60)' class='l'>{}</text>",
            top - 6,
            escape(action)
        );
    }
    for (row, (bucket, rows)) in summary.bucket_action.iter().enumerate() {
        let y = top + row * 30;
        let _ = write!(
            svg,
            "<text x='0' y='{}' class='l'>{}</text>",
            y + 19,
            escape(bucket)
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
fn arms_chart(summary: &Summary) -> String {
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
        let _ = write!(
            out,
            "<svg xmlns='http://www.w3.org/2000/svg' width='760' height='{height}' role='img' aria-label='arms of {}'>",
            escape(&experiment.name)
        );
        let _ = write!(
            out,
            "<text x='0' y='16' class='t'>{}: share of each arm's loans per primary action</text>",
            escape(&experiment.name)
        );
        for (i, action) in actions.iter().enumerate() {
            let y = 36 + i * 30;
            let _ = write!(
                out,
                "<text x='0' y='{}' class='l'>{}</text>",
                y + 12,
                escape(action)
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

/// One self-contained HTML page: no scripts, no network; tables and inline SVG charts.
pub fn summary_html(heading: &ReportHeading<'_>, summary: &Summary) -> String {
    let mut out = String::from(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>arrears dry run</title><style>",
    );
    out.push_str("body{font:14px system-ui,'Noto Sans CJK SC',sans-serif;margin:24px;color:#222;max-width:1100px}");
    out.push_str("table{border-collapse:collapse;margin:8px 0 16px}td,th{border-bottom:1px solid #ddd;padding:3px 10px;text-align:left}");
    out.push_str(".n{text-align:right;font-variant-numeric:tabular-nums}.t{font:bold 14px sans-serif}.l{font:12px sans-serif}");
    out.push_str(".s{font:11px sans-serif}.c{font:12px sans-serif;text-anchor:middle}.ok{color:#2d7a3a}.bad{color:#b00}");
    out.push_str("section{display:flex;flex-wrap:wrap;gap:24px}</style></head><body>");
    let _ = write!(
        out,
        "<h1>Dry run of {}</h1><p>{} as of {}</p>",
        escape(heading.policy),
        escape(heading.portfolio),
        escape(heading.as_of)
    );
    let line = reconciliation_line(summary);
    let class = if line.contains("DOES NOT") {
        "bad"
    } else {
        "ok"
    };
    let _ = write!(out, "<p class={class}><b>{}</b></p>", escape(&line));
    let _ = write!(
        out,
        "<p>Overdue: {} loans ({}).",
        grouped(Decimal::from(summary.overdue.loans)),
        escape(&share_text(&summary.overdue, &summary.decided))
    );
    if let Some(npl) = &summary.non_performing {
        let _ = write!(
            out,
            " NPL ratio: {}.",
            escape(&share_text(npl, &summary.decided))
        );
    }
    out.push_str("</p><h2>Action mix</h2>");
    out.push_str(&bar_chart(
        &summary.by_primary_action,
        "loans per primary action",
    ));
    out.push_str("<h2>Overdue bucket × primary action</h2>");
    out.push_str(&heat_map(summary));
    if !summary.experiments.is_empty() {
        out.push_str("<h2>Experiments</h2>");
        out.push_str(&arms_chart(summary));
    }
    out.push_str("<h2>Tables</h2><section><div>");
    html_table(&mut out, "per primary action", &summary.by_primary_action);
    html_table(
        &mut out,
        "per action (a loan with several counts under each)",
        &summary.by_action,
    );
    html_table(&mut out, "per overdue bucket", &summary.by_bucket);
    out.push_str("</div><div>");
    for (decision, rows) in &summary.by_decision {
        html_table(&mut out, &format!("per {decision}"), rows);
    }
    for (guard, rows) in &summary.vetoed {
        html_table(&mut out, &format!("vetoed by {guard}"), rows);
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
    html_table(&mut out, "rejected rows per code", &rejected);
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
        table(&mut out, "t", &rows);
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
