//! The yardstick for `arrears run`: the reference retail policy written by hand as tight,
//! straight-line Rust, writing the same JSON Lines as `arrears run policies/retail.policy`
//! (compare the outputs: they must be identical).
//!
//! It is what a careful engineer would write to beat a policy engine at its own game: the file
//! is read in large blocks and cut at line ends with memchr; serde_json deserializes each line
//! into a struct of *borrowed* text (`&str` into the block, exact numbers as borrowed raw
//! JSON); the promise and contact lists are folded into the counts the policy needs while they
//! are parsed, so nothing is collected; and each decision is written as bytes into a buffer per
//! batch of lines. In the steady state it allocates nothing per loan. It validates only the
//! fields the policy reads, and only as far as serde's types do: a row arrears rejects may pass
//! here, which is the engine's handicap, not the yardstick's.
//!
//! `cargo run --release --example baseline_retail -- PORTFOLIO.jsonl AS_OF THREADS [parse-only]`
//! writes the decisions to standard output; with `parse-only` it reads and deserializes every
//! loan the same way but writes only its id, which measures what reading alone costs.
//! `examples/baseline_retail_serde.rs` is the plainer program (owned strings and lists).
//! Used by `benches/throughput.sh`; not part of arrears.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::panic,
    reason = "a benchmark yardstick, kept as plain as the fastest hand-written program would be"
)]

use std::fmt;
use std::io::{Read, Write};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

/// The day the book is decided on, set once before any line is read (the list visitors need it
/// while they parse).
static AS_OF: OnceLock<NaiveDate> = OnceLock::new();

fn as_of() -> NaiveDate {
    *AS_OF.get().unwrap()
}

/// `YYYY-MM-DD` as days since the common era, without chrono's format machinery.
fn day(text: &str) -> i32 {
    let b = text.as_bytes();
    assert!(
        b.len() == 10 && b[4] == b'-' && b[7] == b'-',
        "a date: {text}"
    );
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d.wrapping_sub(b'0')))
    };
    NaiveDate::from_ymd_opt(digits(0..4) as i32, digits(5..7), digits(8..10))
        .expect("a calendar date")
        .num_days_from_ce()
}

/// The promises, folded as they are read: how many were broken in the 90 days before the day.
#[derive(Default)]
struct Broken(u32);

/// The contacts, folded as they are read: how many in the last 7 days, and the latest.
#[derive(Default)]
struct Contacts {
    last_week: u32,
    latest: Option<i32>,
}

impl<'de> Deserialize<'de> for Broken {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fold;
        impl<'de> Visitor<'de> for Fold {
            type Value = Broken;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of promises")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Broken, A::Error> {
                let today = as_of().num_days_from_ce();
                let mut broken = 0;
                while let Some(p) = seq.next_element::<Promise<'de>>()? {
                    let due = day(p.due_on);
                    if !p.kept && due >= today - 90 && due < today {
                        broken += 1;
                    }
                }
                Ok(Broken(broken))
            }
        }
        d.deserialize_seq(Fold)
    }
}

impl<'de> Deserialize<'de> for Contacts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fold;
        impl<'de> Visitor<'de> for Fold {
            type Value = Contacts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of contacts")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Contacts, A::Error> {
                let today = as_of().num_days_from_ce();
                let mut folded = Contacts::default();
                while let Some(c) = seq.next_element::<Contact<'de>>()? {
                    let on = day(c.on);
                    if on > today - 7 && on <= today {
                        folded.last_week += 1;
                    }
                    folded.latest = folded.latest.max(Some(on));
                }
                Ok(folded)
            }
        }
        d.deserialize_seq(Fold)
    }
}

#[derive(Deserialize)]
struct Promise<'a> {
    due_on: &'a str,
    kept: bool,
}

#[derive(Deserialize)]
struct Contact<'a> {
    on: &'a str,
}

#[derive(Deserialize)]
struct Loan<'a> {
    loan_id: &'a str,
    product: &'a str,
    #[serde(borrow)]
    principal_outstanding: &'a RawValue,
    oldest_unpaid_due_date: Option<&'a str>,
    #[serde(borrow)]
    collateral_value: Option<&'a RawValue>,
    has_guarantor: bool,
    has_assets: bool,
    willingness: &'a str,
    ability: &'a str,
    operating_status: &'a str,
    restructured: bool,
    deceased: bool,
    bankrupt: bool,
    in_dispute: bool,
    public_official: bool,
    do_not_contact: bool,
    promises: Broken,
    contacts: Contacts,
}

fn money(raw: &RawValue) -> Decimal {
    Decimal::from_str_exact(raw.get()).expect("an amount")
}

/// Appends `items` as a JSON array of strings.
fn list(out: &mut Vec<u8>, items: &[&str]) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(item.as_bytes());
        out.push(b'"');
    }
    out.push(b']');
}

/// Appends `text` as a JSON string (the key is the only text copied from the input).
fn string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out.push(b'"');
}

fn decide(loan: &Loan<'_>, out: &mut Vec<u8>) {
    let today = as_of().num_days_from_ce();
    let principal = money(loan.principal_outstanding);
    let collateral = loan.collateral_value.map(money);
    let overdue = match loan
        .oldest_unpaid_due_date
        .filter(|d| !d.is_empty())
        .map(day)
    {
        Some(d) if d < today => today - d,
        _ => 0,
    };
    let status = loan.operating_status;
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
        let digest = Sha256::new()
            .chain_update(b"visit-2026Q4:")
            .chain_update(loan.loan_id.as_bytes())
            .finalize();
        let bucket = u64::from_be_bytes(digest[..8].try_into().unwrap()) % 100;
        Some(if bucket < 10 {
            "phone_escalation"
        } else {
            "onsite_visit"
        })
    } else if overdue > 30 && loan.has_guarantor {
        Some("guarantor_contact")
    } else if loan.promises.0 >= 2 {
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
    let mut extras: [&str; 4] = [""; 4];
    let mut n_extras = 0;
    let mut extra = |a: &'static str| {
        extras[n_extras] = a;
        n_extras += 1;
    };
    if principal >= Decimal::new(100_000_000, 2) && overdue > 30 {
        extra("senior_review");
    }
    if loan.public_official && overdue > 90 {
        extra("refer_discipline");
    }
    if overdue > 90 && loan.contacts.latest.is_none_or(|d| today - d > 730) {
        extra("limitation_renewal");
    }
    if treatment == Some("litigation") && loan.has_guarantor {
        extra("guarantor_notice");
    }
    let extras = &extras[..n_extras];
    let remote = |a: &str| matches!(a, "phone_reminder" | "sms_reminder" | "phone_escalation");
    let visit = |a: &str| matches!(a, "onsite_visit" | "site_check");
    let (mut actions, mut n_actions) = ([""; 5], 0);
    let (mut vetoed, mut n_vetoed) = ([("", ""); 5], 0);
    for action in treatment.into_iter().chain(extras.iter().copied()) {
        if loan.contacts.last_week >= 7 && remote(action) {
            vetoed[n_vetoed] = (action, "G1");
            n_vetoed += 1;
        } else if loan.do_not_contact && (remote(action) || visit(action)) {
            vetoed[n_vetoed] = (action, "G2");
            n_vetoed += 1;
        } else {
            actions[n_actions] = action;
            n_actions += 1;
        }
    }
    out.extend_from_slice(b"{\"loan_id\":");
    string(out, loan.loan_id);
    out.extend_from_slice(b",\"classification\":\"");
    out.extend_from_slice(classification.as_bytes());
    out.extend_from_slice(b"\",\"treatment\":");
    match treatment {
        Some(t) => {
            out.push(b'"');
            out.extend_from_slice(t.as_bytes());
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"extras\":");
    list(out, extras);
    out.extend_from_slice(b",\"actions\":");
    list(out, &actions[..n_actions]);
    out.extend_from_slice(b",\"vetoed\":[");
    for (i, (action, guard)) in vetoed[..n_vetoed].iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"action\":\"");
        out.extend_from_slice(action.as_bytes());
        out.extend_from_slice(b"\",\"guard\":\"");
        out.extend_from_slice(guard.as_bytes());
        out.extend_from_slice(b"\"}");
    }
    out.extend_from_slice(b"]}\n");
}

/// Decides the lines of `block` (whole lines only) into one buffer.
fn decide_lines(block: &[u8], parse_only: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(block.len() / 4);
    for line in block.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let text = std::str::from_utf8(line).expect("UTF-8");
        let loan: Loan<'_> = serde_json::from_str(text).expect("a loan");
        if parse_only {
            out.extend_from_slice(loan.loan_id.as_bytes());
            out.push(b'\n');
        } else {
            decide(&loan, &mut out);
        }
    }
    out
}

/// Bytes read at once; the workers share each block out in pieces of about `PIECE` bytes.
const BLOCK: usize = 8 << 20;
const PIECE: usize = 256 << 10;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("PORTFOLIO.jsonl");
    let day = NaiveDate::parse_from_str(&args.next().expect("AS_OF"), "%Y-%m-%d").unwrap();
    AS_OF.set(day).unwrap();
    let threads: usize = args.next().map_or(1, |t| t.parse().unwrap());
    let parse_only = args.next().as_deref() == Some("parse-only");
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .unwrap();
    let mut file = std::fs::File::open(path).unwrap();
    let mut out = std::io::stdout().lock();
    let mut block = vec![0u8; BLOCK];
    let mut filled = 0;
    loop {
        let read = file.read(&mut block[filled..]).unwrap();
        filled += read;
        let whole = if read == 0 {
            filled
        } else {
            match memchr::memrchr(b'\n', &block[..filled]) {
                Some(end) => end + 1,
                None if filled == block.len() => panic!("a line longer than the block"),
                None => continue,
            }
        };
        if read != 0 && filled < block.len() {
            continue; // fill the block before sharing it out
        }
        // Cut the whole lines into pieces at line ends, decide the pieces in parallel.
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < whole {
            let end = (start + PIECE).min(whole);
            let end = match memchr::memchr(b'\n', &block[end.saturating_sub(1)..whole]) {
                Some(at) => end.saturating_sub(1) + at + 1,
                None => whole,
            };
            pieces.push(start..end);
            start = end;
        }
        let decided: Vec<Vec<u8>> = pieces
            .par_iter()
            .map(|range| decide_lines(&block[range.clone()], parse_only))
            .collect();
        for bytes in decided {
            out.write_all(&bytes).unwrap();
        }
        if read == 0 {
            break;
        }
        block.copy_within(whole..filled, 0);
        filled -= whole;
    }
    out.flush().unwrap();
}
