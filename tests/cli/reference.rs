//! `policies/retail.policy` must give, for every loan, exactly what the reference page
//! (`../shared/reference/retail-policy.md`) says. This file re-states that page as plain Rust,
//! written from the page and not from the policy, and compares it with the real binary over
//! the shipped sample and over boundary loans built here: every threshold at, one below and
//! one above; leap days; month ends; missing dates; empty and present lists.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::{arrears, temp, write};

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn money(value: &Value) -> Option<Decimal> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.parse().unwrap()),
        Value::Number(n) => Some(n.to_string().parse().unwrap()),
        other => panic!("not money: {other}"),
    }
}

/// The reference page, for one loan given as its JSON object.
fn expected(loan: &Value, as_of: NaiveDate) -> Value {
    let flag = |name: &str| loan[name].as_bool().unwrap();
    let text = |name: &str| loan[name].as_str().unwrap().to_owned();
    let id = text("loan_id");
    let principal = money(&loan["principal_outstanding"]).unwrap();
    let collateral = money(&loan["collateral_value"]);
    let due = loan["oldest_unpaid_due_date"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(date);
    let status = text("operating_status");
    let willingness = text("willingness");
    let ability = text("ability");
    let product = text("product");

    // Derived values, as the page defines them.
    let overdue = match due {
        Some(d) if d < as_of => (as_of - d).num_days(),
        _ => 0,
    };
    let promises = loan["promises"].as_array().unwrap();
    let broken_promises_90d = promises
        .iter()
        .filter(|p| {
            let due_on = date(p["due_on"].as_str().unwrap());
            !p["kept"].as_bool().unwrap() && due_on >= as_of - Days::new(90) && due_on < as_of
        })
        .count();
    let contacts: Vec<NaiveDate> = loan["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| date(c["on"].as_str().unwrap()))
        .collect();
    let contacts_7d = contacts
        .iter()
        .filter(|on| **on > as_of - Days::new(7) && **on <= as_of)
        .count();
    let last_contact = contacts.iter().max().copied();
    let digest = Sha256::digest(format!("visit-2026Q4:{id}").as_bytes());
    let challenger = u64::from_be_bytes(digest[..8].try_into().unwrap()) % 100 < 10;

    let classification = if status == "loss" || overdue > 360 {
        "loss"
    } else if overdue > 270 {
        "doubtful"
    } else if overdue > 90 || flag("restructured") {
        "substandard"
    } else if overdue > 0 {
        "special_mention"
    } else {
        "normal"
    };

    let treatment: Option<&str> = if flag("deceased") {
        Some("estate_claim")
    } else if flag("bankrupt") {
        Some("bankruptcy_claim")
    } else if flag("in_dispute") {
        Some("hold_review")
    } else if status == "fraud_suspected" {
        Some("fraud_referral")
    } else if overdue == 0 {
        None
    } else if overdue > 360 && (status == "ceased" || status == "loss") {
        Some("write_off_review")
    } else if overdue > 90 && willingness == "refuses" && flag("has_assets") {
        Some("litigation")
    } else if overdue > 90 && collateral.is_some_and(|c| c >= principal) {
        Some("collateral_disposal")
    } else if overdue > 180 && !flag("has_assets") {
        Some("outsource_agency")
    } else if overdue > 30 && willingness == "willing" && ability == "temporary_hardship" {
        Some("installment_plan")
    } else if overdue > 30 && willingness == "willing" {
        Some(if challenger {
            "phone_escalation"
        } else {
            "onsite_visit"
        })
    } else if overdue > 30 && flag("has_guarantor") {
        Some("guarantor_contact")
    } else if broken_promises_90d >= 2 {
        Some("demand_letter")
    } else if overdue > 30 {
        Some("onsite_visit")
    } else if overdue >= 7 {
        Some("demand_letter")
    } else if overdue >= 4 && product == "sme" {
        Some("site_check")
    } else if product == "card" {
        Some("sms_reminder")
    } else {
        Some("phone_reminder")
    };

    let mut extras = Vec::new();
    if principal >= Decimal::new(100_000_000, 2) && overdue > 30 {
        extras.push("senior_review");
    }
    if flag("public_official") && overdue > 90 {
        extras.push("refer_discipline");
    }
    if overdue > 90 && last_contact.is_none_or(|last| (as_of - last).num_days() > 730) {
        extras.push("limitation_renewal");
    }
    if treatment == Some("litigation") && flag("has_guarantor") {
        extras.push("guarantor_notice");
    }

    let remote: BTreeSet<&str> = ["phone_reminder", "sms_reminder", "phone_escalation"].into();
    let visits: BTreeSet<&str> = ["onsite_visit", "site_check"].into();
    let mut actions = Vec::new();
    let mut vetoed = Vec::new();
    for action in treatment.into_iter().chain(extras.iter().copied()) {
        if contacts_7d >= 7 && remote.contains(action) {
            vetoed.push(json!({"action": action, "guard": "G1"}));
        } else if flag("do_not_contact") && (remote.contains(action) || visits.contains(action)) {
            vetoed.push(json!({"action": action, "guard": "G2"}));
        } else {
            actions.push(action);
        }
    }
    json!({
        "loan_id": id,
        "classification": classification,
        "treatment": treatment,
        "extras": extras,
        "actions": actions,
        "vetoed": vetoed,
    })
}

/// Runs the shipped policy over `portfolio` and compares every record with the page.
fn compare(portfolio_path: &str, loans: &[Value], as_of: &str) {
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        portfolio_path,
        "--as-of",
        as_of,
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    assert_eq!(lines.len(), loans.len(), "one record per loan");
    let as_of = date(as_of);
    let mut mismatches = Vec::new();
    for (line, loan) in lines.iter().zip(loans) {
        let actual: Value = serde_json::from_str(line).unwrap();
        let want = expected(loan, as_of);
        if actual != want {
            mismatches.push(format!(
                "loan {}\n  want {want}\n  got  {actual}",
                loan["loan_id"]
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} loans differ:\n{}",
        mismatches.len(),
        loans.len(),
        mismatches[..mismatches.len().min(5)].join("\n")
    );
}

#[test]
fn the_shipped_sample_matches_the_reference_page() {
    let text = std::fs::read_to_string(
        crate::support::root().join("examples/portfolios/retail-sample.jsonl"),
    )
    .unwrap();
    let loans: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(loans.len() >= 1000);
    compare(
        "examples/portfolios/retail-sample.jsonl",
        &loans,
        "2026-11-20",
    );
}

/// A loan with every field at a quiet default, changed by `set`.
fn base(id: &str, set: &[(&str, Value)]) -> Value {
    let mut loan = json!({
        "loan_id": id, "borrower": "王小明", "product": "consumer", "currency": "CNY",
        "principal_outstanding": "50000.00", "oldest_unpaid_due_date": null, "collateral_value": null,
        "has_guarantor": false, "has_assets": false, "willingness": "unknown", "ability": "unknown",
        "operating_status": "normal", "restructured": false, "deceased": false, "bankrupt": false,
        "in_dispute": false, "public_official": false, "do_not_contact": false, "region": "北京",
        "promises": [], "contacts": [],
    });
    for (name, value) in set {
        loan[*name] = value.clone();
    }
    loan
}

/// Boundary loans for one evaluation date.
fn boundary_loans(as_of: NaiveDate) -> Vec<Value> {
    let ago = |days: i64| {
        let d = if days >= 0 {
            as_of - Days::new(days as u64)
        } else {
            as_of + Days::new((-days) as u64)
        };
        Value::String(d.to_string())
    };
    let mut loans = Vec::new();
    let mut n = 0;
    let mut add = |set: Vec<(&str, Value)>| {
        n += 1;
        loans.push(base(&format!("B{n:04}"), &set));
    };
    // Every overdue threshold, at, below and above, across the kinds of borrower that change
    // the treatment ladder.
    let thresholds = [
        0i64, 1, 3, 4, 5, 6, 7, 8, 29, 30, 31, 89, 90, 91, 179, 180, 181, 269, 270, 271, 359, 360,
        361, 1000,
    ];
    let profiles: Vec<Vec<(&str, Value)>> = vec![
        vec![],
        vec![("product", json!("sme"))],
        vec![("product", json!("card"))],
        vec![("willingness", json!("willing"))],
        vec![
            ("willingness", json!("willing")),
            ("ability", json!("temporary_hardship")),
        ],
        vec![
            ("willingness", json!("refuses")),
            ("has_assets", json!(true)),
        ],
        vec![
            ("willingness", json!("refuses")),
            ("has_assets", json!(true)),
            ("has_guarantor", json!(true)),
        ],
        vec![("has_guarantor", json!(true))],
        vec![("has_assets", json!(true))],
        vec![("operating_status", json!("ceased"))],
        vec![("operating_status", json!("loss"))],
        vec![("restructured", json!(true))],
        vec![("public_official", json!(true))],
        vec![("principal_outstanding", json!("1000000.00"))],
        vec![("principal_outstanding", json!(999999.99))],
        vec![("principal_outstanding", json!("1000000.01"))],
        vec![("collateral_value", json!("50000.00"))],
        vec![("collateral_value", json!("49999.99"))],
        vec![("collateral_value", json!(50000.01))],
        vec![
            ("do_not_contact", json!(true)),
            ("willingness", json!("willing")),
        ],
        vec![("do_not_contact", json!(true)), ("product", json!("sme"))],
    ];
    for days in thresholds {
        for profile in &profiles {
            let mut set = profile.clone();
            set.push(("oldest_unpaid_due_date", ago(days)));
            add(set);
        }
    }
    // The exceptional borrowers come first whatever else holds.
    for flag in ["deceased", "bankrupt", "in_dispute"] {
        for days in [0, 45, 400] {
            add(vec![
                (flag, json!(true)),
                ("oldest_unpaid_due_date", ago(days)),
                ("willingness", json!("refuses")),
            ]);
        }
    }
    for days in [0, 45, 400] {
        add(vec![
            ("operating_status", json!("fraud_suspected")),
            ("oldest_unpaid_due_date", ago(days)),
        ]);
    }
    // Missing, future and today's due dates.
    add(vec![("oldest_unpaid_due_date", Value::Null)]);
    add(vec![("oldest_unpaid_due_date", json!(""))]);
    add(vec![("oldest_unpaid_due_date", ago(-1))]);
    add(vec![("oldest_unpaid_due_date", ago(-400))]);
    // Broken promises: the window is [as_of - 90, as_of).
    for (days, kept) in [
        (90, false),
        (91, false),
        (0, false),
        (1, false),
        (89, false),
        (30, true),
    ] {
        for second in [None, Some(10)] {
            let mut promises = vec![json!({"due_on": ago(days), "amount": "100.00", "kept": kept})];
            if let Some(second) = second {
                promises.push(json!({"due_on": ago(second), "amount": 250.5, "kept": false}));
            }
            add(vec![
                ("oldest_unpaid_due_date", ago(20)),
                ("promises", Value::Array(promises)),
            ]);
        }
    }
    // Contacts in the last 7 days: the window is (as_of - 7, as_of]; later ones never count.
    for (count, day) in [(7, 0), (7, 6), (7, 7), (6, 0), (8, 3), (7, -1)] {
        let contacts: Vec<Value> = (0..count)
            .map(|_| json!({"on": ago(day), "channel": "phone"}))
            .collect();
        // Two days overdue gives a phone or SMS reminder (remote contact, which G1 forbids);
        // 45 days and willing gives a visit or, for challengers, an escalated call.
        let profiles = [
            vec![("oldest_unpaid_due_date", ago(2))],
            vec![
                ("oldest_unpaid_due_date", ago(2)),
                ("product", json!("card")),
            ],
            vec![
                ("oldest_unpaid_due_date", ago(45)),
                ("willingness", json!("willing")),
            ],
        ];
        for mut set in profiles {
            set.push(("contacts", Value::Array(contacts.clone())));
            add(set.clone());
            set.push(("do_not_contact", json!(true)));
            add(set);
        }
    }
    // Limitation: last contact more than 730 days ago, or none; a later contact's gap is negative.
    for last in [729, 730, 731, 2000, -5] {
        add(vec![
            ("oldest_unpaid_due_date", ago(120)),
            (
                "contacts",
                json!([{"on": ago(last), "channel": "letter"}, {"on": ago(last + 3), "channel": "sms"}]),
            ),
        ]);
    }
    add(vec![
        ("oldest_unpaid_due_date", ago(120)),
        ("contacts", json!([])),
    ]);
    // Challenger and champion loans alike reach rule T11.
    for i in 0..60 {
        add(vec![
            ("oldest_unpaid_due_date", ago(40 + i)),
            ("willingness", json!("willing")),
        ]);
    }
    loans
}

#[test]
fn boundary_loans_match_the_reference_page_on_ordinary_and_leap_dates() {
    let dir = temp();
    // An ordinary day, a leap day, the day after a leap day, a month end, a year end.
    for as_of in [
        "2026-11-20",
        "2028-02-29",
        "2024-03-01",
        "2025-01-31",
        "2026-12-31",
    ] {
        let loans = boundary_loans(date(as_of));
        let text: String = loans.iter().map(|l| format!("{l}\n")).collect();
        let path = write(dir.path(), &format!("boundary-{as_of}.jsonl"), &text);
        compare(&path, &loans, as_of);
    }
}

#[test]
fn leap_days_count_as_calendar_days() {
    let dir = temp();
    let loans = vec![
        base("LEAP1", &[("oldest_unpaid_due_date", json!("2024-02-29"))]),
        base("LEAP2", &[("oldest_unpaid_due_date", json!("2023-12-02"))]),
    ];
    let text: String = loans.iter().map(|l| format!("{l}\n")).collect();
    let path = write(dir.path(), "leap.jsonl", &text);
    // 2024-02-29 → 2024-05-30 is 91 days (substandard); 2023-12-02 → 2024-03-01 is exactly 90
    // days, because 2024 has a 29 February (special mention, not substandard).
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        &path,
        "--as-of",
        "2024-05-30",
        "--trace",
    ]);
    let first: Value = serde_json::from_str(outcome.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["classification"], "substandard");
    assert_eq!(first["trace"]["derived"][0]["value"], 91);
    let outcome = arrears(&[
        "run",
        "policies/retail.policy",
        &path,
        "--as-of",
        "2024-03-01",
    ]);
    let second: Value = serde_json::from_str(outcome.stdout.lines().nth(1).unwrap()).unwrap();
    assert_eq!(second["classification"], "special_mention");
    compare(&path, &loans, "2024-03-01");
}
