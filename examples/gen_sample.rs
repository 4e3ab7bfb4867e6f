//! Writes the bundled sample portfolio, `examples/portfolios/retail-sample.{jsonl,csv,yaml}`:
//! synthetic loans over the reference schema, the same three times in three formats.
//!
//! Seeded, so it is remade byte for byte:
//! `cargo run --example gen_sample [-- COUNT [SEED [DIR [grouped]]]]`. Large books (the throughput bench
//! writes 1M and 10M loans) are generated and written in batches, so memory stays small;
//! above 1M loans the YAML copy is left out (nobody reads a 6 GB YAML file).
//! Dates are spread around the sample's evaluation date, 2026-11-20, so that every rule of
//! `policies/retail.policy` fires for some loans.
//!
//! The fields added to the schema after v1 (contact times, rest days, emergency contacts,
//! why a business stopped, the dates that interrupt the limitation period) are drawn from a
//! second random stream per loan, so the v1 fields stay what they always were.
//!
//! Borrowers (`borrower_id`) come from a third stream, block by block of 100 loans: the
//! block's loans are shuffled and dealt out to borrowers, two in three of whom hold one loan
//! and one in three two to four, so about 60 % of loans share their borrower with another
//! and a borrower's loans lie scattered within their block, as in a book ordered by loan id.
//! The borrower's id is `B` and the number of its first loan; its loans share the first
//! loan's name (`borrower`), the only v1 field that changes.
//!
//! With `next` among the arguments it also writes `retail-sample-next.jsonl`: the same book a
//! month later (2026-12-20), for `arrears report --previous`. From a fourth stream, per loan:
//! about 3 % are closed (left out); an overdue loan cures (repays what was due, and a little
//! principal) with a chance that falls with how late it is (35 % a month or less, 20 % up to
//! two months, 12 % up to three, 5 % after), pays one instalment and stays where it is (15 %),
//! or pays nothing and rolls a month later; a current loan falls 1–30 days behind one time in
//! ten. One loan in a hundred is new.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "a one-shot generator: any failure should stop it loudly"
)]

use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write as _};
use std::path::Path;

use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const AS_OF: &str = "2026-11-20";
const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
const GIVEN: &[&str] = &[
    "小明", "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋",
];
const REGIONS: &[&str] = &[
    "北京", "上海", "广东", "浙江", "江苏", "四川", "湖北", "山东",
];

#[derive(Clone)]
struct Loan {
    id: String,
    borrower: String,
    borrower_id: String,
    product: &'static str,
    principal: String,
    due: Option<NaiveDate>,
    collateral: Option<String>,
    flags: [(&'static str, bool); 8],
    willingness: &'static str,
    ability: &'static str,
    status: &'static str,
    region: &'static str,
    promises: Vec<(NaiveDate, String, bool)>,
    contacts: Vec<(NaiveDate, &'static str)>,
    /// The time of day of each contact, when recorded.
    contact_times: Vec<Option<String>>,
    /// The later fields, each as its JSON text (`null` when missing).
    extra: Vec<(&'static str, String)>,
}

/// A time of day `HH:MM`, a few at night (22:00–07:59).
fn time_of_day(rng: &mut ChaCha8Rng) -> String {
    let hour = if rng.random_bool(0.06) {
        *pick(rng, &[22, 23, 0, 6, 7])
    } else {
        rng.random_range(8..22)
    };
    format!("{hour:02}:{:02}", rng.random_range(0..60))
}

fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

/// An optional date `back` to `forward` days around `from`, as JSON.
fn date_near(
    rng: &mut ChaCha8Rng,
    chance: f64,
    from: NaiveDate,
    back: u64,
    forward: u64,
) -> String {
    if !rng.random_bool(chance) {
        return "null".into();
    }
    let offset = rng.random_range(0..=back + forward);
    let date = if offset <= back {
        from - Days::new(back - offset)
    } else {
        from + Days::new(offset - back)
    };
    quoted(&date.to_string())
}

/// The fields added after v1, from their own random stream so the v1 fields do not move.
fn extend(loan: &mut Loan, seed: u64, index: usize, as_of: NaiveDate) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_0000_0000 ^ index as u64);
    let rng = &mut rng;
    loan.contact_times = loan
        .contacts
        .iter()
        .map(|_| rng.random_bool(0.8).then(|| time_of_day(rng)))
        .collect();
    // `yes` in percent: true that often, false up to 62 %, missing otherwise.
    let flag = |rng: &mut ChaCha8Rng, yes: u32| -> String {
        match rng.random_range(0..100u32) {
            n if n < yes => "true".into(),
            n if n < 62 => "false".into(),
            _ => "null".into(),
        }
    };
    let stop_reason = if loan.status == "ceased" {
        quoted(weighted(
            rng,
            &[
                ("government_policy", 30),
                ("market", 40),
                ("management", 20),
                ("other", 10),
            ],
        ))
    } else {
        "null".into()
    };
    let lawyer = flag(rng, 2);
    let written = flag(rng, 2);
    let next_contact = if rng.random_bool(0.7) {
        quoted(&time_of_day(rng))
    } else {
        "null".into()
    };
    let rest_days = match rng.random_range(0..100) {
        0..10 => r#"[{"weekday":6},{"weekday":7}]"#.to_owned(),
        10..15 => r#"[{"weekday":7}]"#.to_owned(),
        _ => "[]".to_owned(),
    };
    let emergency: Vec<String> = (0..rng.random_range(0..3))
        .map(|_| {
            format!(
                r#"{{"relation":"{}"}}"#,
                pick(rng, &["配偶", "父母", "子女", "朋友"])
            )
        })
        .collect();
    let guarantor = loan.flags[0].1;
    let (matured, demand, acknowledged, paid, sued) = match loan.due {
        Some(due) if due < as_of => {
            let overdue = (as_of - due).num_days().max(1) as u64;
            (
                date_near(rng, 0.3, due, 0, 720),
                date_near(rng, 0.35, as_of, overdue, 0),
                date_near(rng, 0.12, as_of, overdue, 0),
                date_near(rng, 0.25, as_of, overdue, 0),
                if overdue > 365 {
                    date_near(rng, 0.05, as_of, overdue - 180, 0)
                } else {
                    "null".into()
                },
            )
        }
        _ => (
            "null".into(),
            "null".into(),
            "null".into(),
            "null".into(),
            "null".into(),
        ),
    };
    let (guarantee_ends, guarantor_demanded) = match loan.due {
        Some(due) if guarantor && due < as_of => (
            date_near(rng, 0.3, due, 0, 900),
            date_near(rng, 0.3, as_of, (as_of - due).num_days().max(1) as u64, 0),
        ),
        _ => ("null".into(), "null".into()),
    };
    loan.extra = vec![
        ("stop_reason", stop_reason),
        ("represented_by_lawyer", lawyer),
        ("written_stop_request", written),
        ("next_contact_at", next_contact),
        ("rest_days", rest_days),
        ("emergency_contacts", format!("[{}]", emergency.join(","))),
        ("matured_on", matured),
        ("demand_served_on", demand),
        ("acknowledged_on", acknowledged),
        ("last_payment_on", paid),
        ("lawsuit_filed_on", sued),
        ("guarantee_ends_on", guarantee_ends),
        ("guarantor_demanded_on", guarantor_demanded),
    ];
}

/// The CSV cell for a field's JSON text: empty for null, a string's text, else the JSON.
fn csv_cell(json: &str) -> String {
    if json == "null" {
        String::new()
    } else if let Some(text) = json.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        text.to_owned()
    } else {
        json.to_owned()
    }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn weighted(rng: &mut ChaCha8Rng, items: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (item, weight) in items {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    items[0].0
}

fn amount(rng: &mut ChaCha8Rng, low: u64, high: u64) -> String {
    let cents = rng.random_range(low * 100..high * 100);
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn loan(rng: &mut ChaCha8Rng, index: usize, as_of: NaiveDate) -> Loan {
    let overdue: u64 = match rng.random_range(0..100) {
        0..25 => 0,
        25..30 => rng.random_range(1..4),
        30..35 => rng.random_range(4..7),
        35..50 => rng.random_range(7..31),
        50..65 => rng.random_range(31..91),
        65..75 => rng.random_range(91..181),
        75..83 => rng.random_range(181..271),
        83..90 => rng.random_range(271..361),
        _ => rng.random_range(361..1500),
    };
    let due = match (overdue, rng.random_range(0..3)) {
        (0, 0) => None,
        (0, 1) => Some(as_of + Days::new(rng.random_range(0..40))),
        (days, _) => Some(as_of - Days::new(days)),
    };
    let principal = if rng.random_bool(0.05) {
        amount(rng, 1_000_000, 5_000_000)
    } else {
        amount(rng, 1_000, 999_999)
    };
    let collateral = rng.random_bool(0.4).then(|| amount(rng, 10_000, 3_000_000));
    let promises = (0..rng.random_range(0..5))
        .map(|_| {
            (
                as_of - Days::new(rng.random_range(0..200)),
                amount(rng, 100, 20_000),
                rng.random_bool(0.4),
            )
        })
        .collect();
    let burst = rng.random_bool(0.04);
    let mut contacts: Vec<(NaiveDate, &'static str)> = (0..rng.random_range(0..6))
        .map(|_| {
            let when = if rng.random_bool(0.05) {
                as_of + Days::new(rng.random_range(1..10))
            } else {
                as_of - Days::new(rng.random_range(0..1200))
            };
            (when, *pick(rng, &["phone", "sms", "visit", "letter"]))
        })
        .collect();
    if burst {
        contacts.extend(
            (0..rng.random_range(7..10))
                .map(|_| (as_of - Days::new(rng.random_range(0..7)), "phone")),
        );
    }
    Loan {
        id: format!("L{:05}", index + 1),
        borrower: format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN)),
        borrower_id: format!("B{:05}", index + 1),
        product: weighted(
            rng,
            &[
                ("mortgage", 20),
                ("consumer", 35),
                ("sme", 20),
                ("card", 25),
            ],
        ),
        principal,
        due,
        collateral,
        flags: [
            ("has_guarantor", rng.random_bool(0.3)),
            ("has_assets", rng.random_bool(0.4)),
            ("restructured", rng.random_bool(0.06)),
            ("deceased", rng.random_bool(0.01)),
            ("bankrupt", rng.random_bool(0.01)),
            ("in_dispute", rng.random_bool(0.02)),
            ("public_official", rng.random_bool(0.03)),
            ("do_not_contact", rng.random_bool(0.04)),
        ],
        willingness: weighted(
            rng,
            &[
                ("willing", 35),
                ("hesitant", 25),
                ("refuses", 25),
                ("unknown", 15),
            ],
        ),
        ability: weighted(
            rng,
            &[
                ("able", 40),
                ("temporary_hardship", 30),
                ("long_term_inability", 15),
                ("unknown", 15),
            ],
        ),
        status: weighted(
            rng,
            &[
                ("normal", 60),
                ("difficulty", 20),
                ("ceased", 10),
                ("fraud_suspected", 3),
                ("loss", 7),
            ],
        ),
        region: REGIONS[rng.random_range(0..REGIONS.len())],
        promises,
        contacts,
        contact_times: Vec::new(),
        extra: Vec::new(),
    }
}

fn json_lists(loan: &Loan) -> (String, String) {
    let promises: Vec<String> = loan
        .promises
        .iter()
        .map(|(due, amount, kept)| {
            format!(r#"{{"due_on":"{due}","amount":{amount},"kept":{kept}}}"#)
        })
        .collect();
    let contacts: Vec<String> = loan
        .contacts
        .iter()
        .zip(&loan.contact_times)
        .map(|((on, channel), at)| match at {
            Some(at) => format!(r#"{{"on":"{on}","channel":"{channel}","at":"{at}"}}"#),
            None => format!(r#"{{"on":"{on}","channel":"{channel}"}}"#),
        })
        .collect();
    (
        format!("[{}]", promises.join(",")),
        format!("[{}]", contacts.join(",")),
    )
}

fn jsonl(loans: &[Loan]) -> String {
    let mut out = String::new();
    for loan in loans {
        let (promises, contacts) = json_lists(loan);
        let due = loan.due.map_or("null".to_owned(), |d| format!("\"{d}\""));
        // Money as JSON numbers here (read exactly, never through a float) ...
        let collateral = loan.collateral.clone().unwrap_or_else(|| "null".into());
        let _ = write!(
            out,
            r#"{{"loan_id":"{}","borrower":"{}","borrower_id":"{}","product":"{}","currency":"CNY","principal_outstanding":{},"oldest_unpaid_due_date":{due},"collateral_value":{collateral}"#,
            loan.id, loan.borrower, loan.borrower_id, loan.product, loan.principal
        );
        for (name, value) in &loan.flags {
            let _ = write!(out, r#","{name}":{value}"#);
        }
        let _ = write!(
            out,
            r#","willingness":"{}","ability":"{}","operating_status":"{}","region":"{}","promises":{promises},"contacts":{contacts}"#,
            loan.willingness, loan.ability, loan.status, loan.region
        );
        for (name, value) in &loan.extra {
            let _ = write!(out, r#","{name}":{value}"#);
        }
        let _ = writeln!(out, "}}");
    }
    out
}

fn csv(loans: &[Loan], with_header: bool) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "loan_id",
        "borrower",
        "borrower_id",
        "product",
        "currency",
        "principal_outstanding",
        "oldest_unpaid_due_date",
        "collateral_value",
    ];
    header.extend(loans[0].flags.iter().map(|(name, _)| *name));
    header.extend([
        "willingness",
        "ability",
        "operating_status",
        "region",
        "promises",
        "contacts",
    ]);
    header.extend(loans[0].extra.iter().map(|(name, _)| *name));
    if with_header {
        writer.write_record(&header).unwrap();
    }
    for loan in loans {
        let (promises, contacts) = json_lists(loan);
        let mut row = vec![
            loan.id.clone(),
            loan.borrower.clone(),
            loan.borrower_id.clone(),
            loan.product.into(),
            "CNY".into(),
            loan.principal.clone(),
            loan.due.map(|d| d.to_string()).unwrap_or_default(),
            loan.collateral.clone().unwrap_or_default(),
        ];
        row.extend(loan.flags.iter().map(|(_, v)| v.to_string()));
        row.extend([
            loan.willingness.into(),
            loan.ability.into(),
            loan.status.into(),
            loan.region.into(),
            promises,
            contacts,
        ]);
        row.extend(loan.extra.iter().map(|(_, json)| csv_cell(json)));
        writer.write_record(&row).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

fn yaml(loans: &[Loan], with_header: bool) -> String {
    // Written by hand to keep amounts as plain, unquoted YAML numbers: the reader must take
    // them exactly as written.
    let mut out = String::new();
    if with_header {
        out.push_str(
            "# Sample portfolio (see examples/gen_sample.rs); evaluate with --as-of 2026-11-20\n",
        );
    }
    for loan in loans {
        let _ = writeln!(out, "- loan_id: {}", loan.id);
        let _ = writeln!(out, "  borrower: {}", loan.borrower);
        let _ = writeln!(out, "  borrower_id: {}", loan.borrower_id);
        let _ = writeln!(out, "  product: {}", loan.product);
        let _ = writeln!(out, "  currency: CNY");
        let _ = writeln!(out, "  principal_outstanding: {}", loan.principal);
        let _ = writeln!(
            out,
            "  oldest_unpaid_due_date: {}",
            loan.due.map_or("null".into(), |d| d.to_string())
        );
        let _ = writeln!(
            out,
            "  collateral_value: {}",
            loan.collateral.as_deref().unwrap_or("~")
        );
        for (name, value) in &loan.flags {
            let _ = writeln!(out, "  {name}: {value}");
        }
        let _ = writeln!(out, "  willingness: {}", loan.willingness);
        let _ = writeln!(out, "  ability: {}", loan.ability);
        let _ = writeln!(out, "  operating_status: {}", loan.status);
        let _ = writeln!(out, "  region: {}", loan.region);
        let promises: Vec<String> = loan
            .promises
            .iter()
            .map(|(d, a, k)| format!("{{due_on: {d}, amount: {a}, kept: {k}}}"))
            .collect();
        let _ = writeln!(out, "  promises: [{}]", promises.join(", "));
        let contacts: Vec<String> = loan
            .contacts
            .iter()
            .zip(&loan.contact_times)
            .map(|((on, c), at)| match at {
                Some(at) => format!("{{on: {on}, channel: {c}, at: \"{at}\"}}"),
                None => format!("{{on: {on}, channel: {c}}}"),
            })
            .collect();
        let _ = writeln!(out, "  contacts: [{}]", contacts.join(", "));
        for (name, json) in &loan.extra {
            // JSON is YAML: strings stay quoted, lists stay flow lists.
            let _ = writeln!(out, "  {name}: {json}");
        }
    }
    out
}

/// The date of the second snapshot (`next`).
const NEXT_AS_OF: &str = "2026-12-20";

fn create_in(dir: &str, name: &str) -> BufWriter<fs::File> {
    fs::create_dir_all(dir).unwrap();
    BufWriter::new(fs::File::create(Path::new(dir).join(name)).unwrap())
}

/// An amount in cents, from its text.
fn cents(text: &str) -> u64 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    whole.parse::<u64>().unwrap() * 100 + fraction.parse::<u64>().unwrap()
}

/// The loans of one batch a month later (see the file's header): closed ones left out, the
/// rest moved, and one new loan in a hundred (numbered after the book's `count`).
fn a_month_later(
    loans: &[Loan],
    seed: u64,
    start: usize,
    count: usize,
    next_as_of: NaiveDate,
) -> Vec<Loan> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4e_0000_0000_0000 ^ start as u64);
    let month = Days::new(30);
    let mut later = Vec::with_capacity(loans.len());
    for loan in loans {
        if rng.random_range(0..100) < 3 {
            continue;
        }
        let mut loan = loan.clone();
        let overdue_then = loan
            .due
            .filter(|due| *due + month < next_as_of)
            .map_or(0, |due| (next_as_of - month - due).num_days());
        if overdue_then <= 0 {
            // Current a month ago: usually still current, sometimes 1–30 days behind.
            loan.due = if rng.random_range(0..10) == 0 {
                Some(next_as_of - Days::new(rng.random_range(1..31)))
            } else if rng.random_bool(0.5) {
                Some(next_as_of + Days::new(rng.random_range(0..40)))
            } else {
                None
            };
        } else {
            let cure = match overdue_then {
                ..=30 => 35,
                31..=60 => 20,
                61..=90 => 12,
                _ => 5,
            };
            let roll = rng.random_range(0..100);
            if roll < cure {
                loan.due = rng
                    .random_bool(0.5)
                    .then(|| next_as_of + Days::new(rng.random_range(1..30)));
                let left = cents(&loan.principal) * rng.random_range(90..99) / 100;
                loan.principal = format!("{}.{:02}", left / 100, left % 100);
            } else if roll < cure + 15 {
                // One instalment paid: the oldest unpaid date moves a month on.
                loan.due = loan.due.map(|due| due + month);
            }
            // Otherwise nothing was paid: the same due date, a month later.
        }
        later.push(loan);
    }
    for i in 0..loans.len() / 100 {
        let index = count + start / 100 + i;
        let mut loan = loan(&mut rng, index, next_as_of);
        extend(&mut loan, seed, index, next_as_of);
        loan.borrower_id = loan.id.replacen('L', "B", 1);
        later.push(loan);
    }
    later
}

/// Loans per block that borrowers are dealt from; a batch holds whole blocks.
const BLOCK: usize = 100;

/// Deals the loans `start..end` (whole blocks, but for the book's last) out to borrowers:
/// each loan gets the index of its borrower's first loan, and shares that loan's name.
fn deal_borrowers(loans: &mut [Loan], start: usize, seed: u64) {
    for (block_index, block) in loans.chunks_mut(BLOCK).enumerate() {
        let first = start + block_index * BLOCK;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xb0_0000_0000_0000 ^ first as u64);
        let mut order: Vec<usize> = (0..block.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let mut rest = order.as_slice();
        while !rest.is_empty() {
            let held = if rng.random_range(0..3) != 0 {
                1
            } else {
                rng.random_range(2..=4)
            };
            let (members, after) = rest.split_at(held.min(rest.len()));
            rest = after;
            let Some(&head) = members.iter().min() else {
                continue;
            };
            let (id, name) = (
                block[head].id.replacen('L', "B", 1),
                block[head].borrower.clone(),
            );
            for &member in members {
                block[member].borrower_id = id.clone();
                block[member].borrower = name.clone();
            }
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .map_or(3000, |a| a.parse().expect("COUNT is a number"));
    let seed: u64 = args
        .next()
        .map_or(20261120, |a| a.parse().expect("SEED is a number"));
    let out_dir = args.next().unwrap_or_else(|| "examples/portfolios".into());
    // `grouped`: each borrower's loans next to each other (as `ORDER BY borrower_id` would
    // leave them), the same loans otherwise; for the sorted path of a borrower-level policy.
    let rest: Vec<String> = args.collect();
    let grouped = rest.iter().any(|a| a == "grouped");
    let next = rest.iter().any(|a| a == "next");
    let next_as_of = NaiveDate::parse_from_str(NEXT_AS_OF, "%Y-%m-%d").unwrap();
    let mut next_file = next.then(|| create_in(&out_dir, "retail-sample-next.jsonl"));
    let as_of = NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dir = Path::new(&out_dir);
    fs::create_dir_all(dir).unwrap();
    let create = |name: &str| BufWriter::new(fs::File::create(dir.join(name)).unwrap());
    let mut jsonl_file = create("retail-sample.jsonl");
    let mut csv_file = create("retail-sample.csv");
    let mut yaml_file = (count <= 1_000_000).then(|| create("retail-sample.yaml"));
    const BATCH: usize = 100_000;
    const _: () = assert!(BATCH.is_multiple_of(BLOCK), "a batch holds whole blocks");
    for start in (0..count).step_by(BATCH) {
        let loans: Vec<Loan> = (start..count.min(start + BATCH))
            .map(|i| {
                let mut loan = loan(&mut rng, i, as_of);
                extend(&mut loan, seed, i, as_of);
                loan
            })
            .collect();
        let mut loans = loans;
        deal_borrowers(&mut loans, start, seed);
        if grouped {
            // Borrowers never cross a block, so grouping within blocks groups the book.
            for block in loans.chunks_mut(BLOCK) {
                block.sort_by(|a, b| a.borrower_id.cmp(&b.borrower_id));
            }
        }
        let first = start == 0;
        if let Some(file) = next_file.as_mut() {
            let later = a_month_later(&loans, seed, start, count, next_as_of);
            file.write_all(jsonl(&later).as_bytes()).unwrap();
        }
        jsonl_file.write_all(jsonl(&loans).as_bytes()).unwrap();
        csv_file.write_all(csv(&loans, first).as_bytes()).unwrap();
        if let Some(file) = yaml_file.as_mut() {
            file.write_all(yaml(&loans, first).as_bytes()).unwrap();
        }
    }
    jsonl_file.flush().unwrap();
    if let Some(mut file) = next_file {
        file.flush().unwrap();
    }
    csv_file.flush().unwrap();
    if let Some(mut file) = yaml_file {
        file.flush().unwrap();
    }
    eprintln!("wrote {count} loans (seed {seed}) to {}", dir.display());
}
