//! The plain yardstick for `arrears run`: the reference retail policy written by hand as
//! straight-line Rust the first way that comes to mind — serde into structs of owned strings
//! and lists, `format!` for the output — writing the same JSON Lines as
//! `arrears run policies/retail.policy`. `examples/baseline_retail.rs` is the tight program.
//!
//! `cargo run --release --example baseline_retail_serde -- PORTFOLIO.jsonl AS_OF THREADS [parse-only]`
//! writes the decisions to standard output; with `parse-only` it reads and deserializes every
//! loan the same way but writes only its id, which measures what reading alone costs.
//! Used by `benches/throughput.sh`; not part of arrears.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark yardstick, kept as plain as the fastest hand-written program would be"
)]

use std::io::{BufRead, BufWriter, Write};

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Deserialize)]
struct Promise {
    due_on: String,
    kept: bool,
}

#[derive(Deserialize)]
struct Contact {
    on: String,
}

#[derive(Deserialize)]
struct Loan {
    loan_id: String,
    product: String,
    principal_outstanding: serde_json::Number,
    oldest_unpaid_due_date: Option<String>,
    collateral_value: Option<serde_json::Number>,
    has_guarantor: bool,
    has_assets: bool,
    willingness: String,
    ability: String,
    operating_status: String,
    restructured: bool,
    deceased: bool,
    bankrupt: bool,
    in_dispute: bool,
    public_official: bool,
    do_not_contact: bool,
    promises: Vec<Promise>,
    contacts: Vec<Contact>,
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

fn decide(loan: &Loan, as_of: NaiveDate) -> String {
    let principal: Decimal = loan.principal_outstanding.to_string().parse().unwrap();
    let collateral: Option<Decimal> = loan
        .collateral_value
        .as_ref()
        .map(|n| n.to_string().parse().unwrap());
    let overdue = match loan
        .oldest_unpaid_due_date
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(date)
    {
        Some(d) if d < as_of => (as_of - d).num_days(),
        _ => 0,
    };
    let window = as_of - chrono::Days::new(90);
    let broken = loan
        .promises
        .iter()
        .filter(|p| {
            !p.kept && {
                let d = date(&p.due_on);
                d >= window && d < as_of
            }
        })
        .count();
    let week = as_of - chrono::Days::new(7);
    let contacts: Vec<NaiveDate> = loan.contacts.iter().map(|c| date(&c.on)).collect();
    let contacts_7d = contacts
        .iter()
        .filter(|d| **d > week && **d <= as_of)
        .count();
    let last_contact = contacts.iter().max().copied();
    let status = loan.operating_status.as_str();
    let classification = if status == "loss" || overdue > 360 {
        "loss"
    } else if overdue > 270 {
        "doubtful"
    } else if overdue > 90 || loan.restructured {
        "substandard"
    } else if overdue > 0 {
        "special_mention"
    } else {
        "normal"
    };
    let willing = loan.willingness == "willing";
    let treatment: Option<&str> = if loan.deceased {
        Some("estate_claim")
    } else if loan.bankrupt {
        Some("bankruptcy_claim")
    } else if loan.in_dispute {
        Some("hold_review")
    } else if status == "fraud_suspected" {
        Some("fraud_referral")
    } else if overdue == 0 {
        None
    } else if overdue > 360 && (status == "ceased" || status == "loss") {
        Some("write_off_review")
    } else if overdue > 90 && loan.willingness == "refuses" && loan.has_assets {
        Some("litigation")
    } else if overdue > 90 && collateral.is_some_and(|c| c >= principal) {
        Some("collateral_disposal")
    } else if overdue > 180 && !loan.has_assets {
        Some("outsource_agency")
    } else if overdue > 30 && willing && loan.ability == "temporary_hardship" {
        Some("installment_plan")
    } else if overdue > 30 && willing {
        let digest = Sha256::digest(format!("visit-2026Q4:{}", loan.loan_id).as_bytes());
        let bucket = u64::from_be_bytes(digest[..8].try_into().unwrap()) % 100;
        Some(if bucket < 10 {
            "phone_escalation"
        } else {
            "onsite_visit"
        })
    } else if overdue > 30 && loan.has_guarantor {
        Some("guarantor_contact")
    } else if broken >= 2 {
        Some("demand_letter")
    } else if overdue > 30 {
        Some("onsite_visit")
    } else if overdue >= 7 {
        Some("demand_letter")
    } else if overdue >= 4 && loan.product == "sme" {
        Some("site_check")
    } else if loan.product == "card" {
        Some("sms_reminder")
    } else {
        Some("phone_reminder")
    };
    let mut extras = Vec::new();
    if principal >= Decimal::new(100_000_000, 2) && overdue > 30 {
        extras.push("senior_review");
    }
    if loan.public_official && overdue > 90 {
        extras.push("refer_discipline");
    }
    if overdue > 90 && last_contact.is_none_or(|d| (as_of - d).num_days() > 730) {
        extras.push("limitation_renewal");
    }
    if treatment == Some("litigation") && loan.has_guarantor {
        extras.push("guarantor_notice");
    }
    let remote = |a: &str| matches!(a, "phone_reminder" | "sms_reminder" | "phone_escalation");
    let visit = |a: &str| matches!(a, "onsite_visit" | "site_check");
    let (mut actions, mut vetoed) = (Vec::new(), Vec::new());
    for action in treatment.into_iter().chain(extras.iter().copied()) {
        if contacts_7d >= 7 && remote(action) {
            vetoed.push((action, "G1"));
        } else if loan.do_not_contact && (remote(action) || visit(action)) {
            vetoed.push((action, "G2"));
        } else {
            actions.push(action);
        }
    }
    let quoted = |items: &[&str]| {
        items
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut line = String::with_capacity(192);
    line.push_str("{\"loan_id\":");
    line.push_str(&serde_json::to_string(&loan.loan_id).unwrap());
    line.push_str(&format!(
        ",\"classification\":\"{classification}\",\"treatment\":"
    ));
    match treatment {
        Some(t) => line.push_str(&format!("\"{t}\"")),
        None => line.push_str("null"),
    }
    line.push_str(&format!(
        ",\"extras\":[{}],\"actions\":[{}],\"vetoed\":[",
        quoted(&extras),
        quoted(&actions)
    ));
    let vetoes: Vec<String> = vetoed
        .iter()
        .map(|(a, g)| format!("{{\"action\":\"{a}\",\"guard\":\"{g}\"}}"))
        .collect();
    line.push_str(&vetoes.join(","));
    line.push_str("]}\n");
    line
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("PORTFOLIO.jsonl");
    let as_of = date(&args.next().expect("AS_OF"));
    let threads: usize = args.next().map_or(1, |t| t.parse().unwrap());
    let parse_only = args.next().as_deref() == Some("parse-only");
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .unwrap();
    let mut lines =
        std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path).unwrap()).lines();
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    loop {
        let chunk: Vec<String> = lines.by_ref().take(8192).map(Result::unwrap).collect();
        if chunk.is_empty() {
            break;
        }
        let decided: Vec<String> = chunk
            .par_iter()
            .map(|line| {
                let loan = serde_json::from_str::<Loan>(line).unwrap();
                if parse_only {
                    format!("{}\n", loan.loan_id)
                } else {
                    decide(&loan, as_of)
                }
            })
            .collect();
        for line in decided {
            out.write_all(line.as_bytes()).unwrap();
        }
    }
    out.flush().unwrap();
}
