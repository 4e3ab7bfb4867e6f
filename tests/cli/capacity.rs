//! Capacity and priority, and roll rates: `arrears run` and `arrears report` held to plain
//! re-statements over the shipped sample (and its second snapshot a month later).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{arrears, money, retail_variant, root, sample_loans, temp};

const AS_OF: &str = "2026-11-20";

/// Added to the retail policy: visits ordered by a yes/no (so most places are ties, broken
/// by key) with a fallback that guards G1 and G2 forbid to some loans; suits over the whole
/// book by size, without a fallback.
const CAPACITIES: &str = "
capacity onsite_visit \"field officers\": 12 per region per day
  priority by has_assets desc
  else phone_escalation
capacity litigation: 7 per day
  priority by principal_outstanding desc
";

fn date(value: &Value) -> Option<NaiveDate> {
    value
        .as_str()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

fn records(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a record"))
        .collect()
}

fn names(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A queued claim: capacity, group, rank, place in the queue, the fallback given.
type QueuedClaim = (String, Option<String>, u64, u64, Option<String>);

/// A claim's place: capacity, group, rank, demand.
type Place<'a> = (&'a str, Option<String>, u64, u64);

/// What the re-statement expects of one loan's claim.
#[derive(Debug, PartialEq)]
struct Expected {
    actions: Vec<String>,
    queued: Vec<QueuedClaim>,
}

#[test]
fn capacities_queue_the_loans_a_restatement_queues_the_same_on_any_thread_count() {
    let dir = temp();
    let policy = retail_variant(
        dir.path(),
        "guard G2 \"borrower asked for no contact\" when do_not_contact forbid contact",
        &format!(
            "guard G2 \"borrower asked for no contact\" when do_not_contact forbid contact\n{CAPACITIES}"
        ),
    );
    let sample = root().join("examples/portfolios/retail-sample.jsonl");
    let sample = sample.to_str().expect("a UTF-8 path");
    let run = |threads: &str| {
        let outcome = arrears(&[
            "run",
            &policy,
            sample,
            "--as-of",
            AS_OF,
            "--threads",
            threads,
        ]);
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
        outcome.stdout
    };
    let (one, two) = (run("1"), run("2"));
    assert_eq!(
        one, two,
        "the allocation does not depend on the thread count"
    );
    let limited = records(&one);

    // The same policy without capacities gives each loan's actions before the pass.
    let plain = arrears(&[
        "run",
        &root().join("policies/retail.policy").to_string_lossy(),
        sample,
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    let plain = records(&plain.stdout);
    let loans = sample_loans();
    assert_eq!(loans.len(), plain.len());

    // The re-statement: per region, the loans given a visit, those with assets first, then
    // by loan id; the first 12 keep it. Suits: the 7 largest balances of the book.
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date");
    let mut visits: BTreeMap<String, Vec<(bool, String)>> = BTreeMap::new();
    let mut suits: Vec<(Decimal, String)> = Vec::new();
    for (loan, record) in loans.iter().zip(&plain) {
        let id = loan["loan_id"].as_str().expect("an id").to_owned();
        let actions = names(&record["actions"]);
        if actions.iter().any(|a| a == "onsite_visit") {
            let region = loan["region"].as_str().expect("a region").to_owned();
            let assets = loan["has_assets"].as_bool().expect("yes/no");
            visits.entry(region).or_default().push((assets, id.clone()));
        }
        if actions.iter().any(|a| a == "litigation") {
            suits.push((money(&loan["principal_outstanding"]), id));
        }
    }
    // (capacity, group, rank, demand) per loan id.
    let mut places: BTreeMap<String, Vec<Place<'_>>> = BTreeMap::new();
    for (region, mut claims) in visits {
        claims.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let demand = claims.len() as u64;
        for (rank, (_, id)) in claims.into_iter().enumerate() {
            places.entry(id).or_default().push((
                "onsite_visit",
                Some(region.clone()),
                rank as u64 + 1,
                demand,
            ));
        }
    }
    suits.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let demand = suits.len() as u64;
    for (rank, (_, id)) in suits.into_iter().enumerate() {
        places
            .entry(id)
            .or_default()
            .push(("litigation", None, rank as u64 + 1, demand));
    }
    let mut queued_visits = 0;
    let mut forbidden_fallbacks = 0;
    for ((loan, before), after) in loans.iter().zip(&plain).zip(&limited) {
        let id = loan["loan_id"].as_str().expect("an id");
        let mut actions = names(&before["actions"]);
        let mut queued = Vec::new();
        let contacts_7d = loan["contacts"].as_array().map_or(0, |contacts| {
            contacts
                .iter()
                .filter_map(|c| date(&c["on"]))
                .filter(|on| *on > as_of - chrono::Days::new(7) && *on <= as_of)
                .count()
        });
        // G1 and G2 forbid phone_escalation (a remote contact) to these loans.
        let forbidden = contacts_7d >= 7 || loan["do_not_contact"].as_bool() == Some(true);
        let mut claims = places.remove(id).unwrap_or_default();
        // Capacities apply in policy order: visits, then suits.
        claims.sort_by_key(|c| c.0 != "onsite_visit");
        for (capacity, group, rank, _) in claims {
            let limit = if capacity == "onsite_visit" { 12 } else { 7 };
            if rank <= limit {
                continue;
            }
            let at = actions.iter().position(|a| a == capacity).expect("claimed");
            actions.remove(at);
            let instead = if capacity == "onsite_visit" {
                queued_visits += 1;
                if forbidden {
                    forbidden_fallbacks += 1;
                    None
                } else {
                    if !actions.iter().any(|a| a == "phone_escalation") {
                        actions.insert(at, "phone_escalation".to_owned());
                    }
                    Some("phone_escalation".to_owned())
                }
            } else {
                None
            };
            queued.push((capacity.to_owned(), group, rank, rank - limit, instead));
        }
        let expected = Expected { actions, queued };
        let got = Expected {
            actions: names(&after["actions"]),
            queued: after["queued"]
                .as_array()
                .expect("a queued list")
                .iter()
                .map(|q| {
                    (
                        q["capacity"].as_str().unwrap_or_default().to_owned(),
                        q["group"].as_str().map(str::to_owned),
                        q["rank"].as_u64().unwrap_or_default(),
                        q["place"].as_u64().unwrap_or_default(),
                        q["instead"].as_str().map(str::to_owned),
                    )
                })
                .collect(),
        };
        assert_eq!(got, expected, "loan {id}");
    }
    assert!(
        queued_visits > 100,
        "the sample queues visits: {queued_visits}"
    );
    assert!(
        forbidden_fallbacks > 0,
        "some fallbacks are forbidden by a guard"
    );

    // The report's tables count the same: per group, claimed = taken + queued.
    let report = arrears(&[
        "report", &policy, sample, "--as-of", AS_OF, "--format", "json",
    ]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    let report: Value = serde_json::from_str(&report.stdout).expect("JSON");
    let tables = report["tables"]["capacities"]
        .as_array()
        .expect("capacities");
    assert_eq!(tables.len(), 2);
    let mut queued_in_report = 0;
    for group in tables[0]["groups"].as_array().expect("groups") {
        let demand = group["demand"]["loans"].as_u64().expect("demand");
        let taken = group["taken"].as_u64().expect("taken");
        let queued = group["queued"]["loans"].as_u64().expect("queued");
        assert_eq!(demand, taken + queued);
        assert_eq!(taken, demand.min(12));
        queued_in_report += queued;
    }
    assert_eq!(queued_in_report, queued_visits);
    let suits = &tables[1]["groups"][0];
    assert_eq!(suits["group"], Value::Null);
    assert_eq!(suits["taken"], 7);
}

#[test]
fn a_capacity_that_cannot_be_applied_is_refused_with_its_reason() {
    let cases = [
        (
            "capacity onsite_visit: 0 per region per day",
            "would queue every loan",
        ),
        (
            "capacity onsite_visit: 5 per day\ncapacity visits: 5 per day",
            "already limited",
        ),
        (
            "capacity onsite_visit: 5 per day else litigation\ncapacity litigation: 2 per day",
            "would wait in another queue",
        ),
        ("capacity onsite_visit: 5 per day else visits", "is a kind"),
        (
            "capacity onsite_visit: 5 per principal_outstanding per day",
            "cannot group loans",
        ),
        (
            "capacity onsite_visit: 5 per day priority by region",
            "cannot order loans",
        ),
        ("capacity onsite_vist: 5 per day", "onsite_visit"),
        ("capacity onsite_visit: 5 per regoin per day", "region"),
    ];
    for (statement, expected) in cases {
        let dir = temp();
        let policy = retail_variant(dir.path(), "guard G1", &format!("{statement}\nguard G1"));
        let outcome = arrears(&["check", &policy]);
        assert_eq!(outcome.code, 1, "{statement}: {}", outcome.stderr);
        let all = format!("{}{}", outcome.stdout, outcome.stderr);
        assert!(all.contains(expected), "{statement}: {all}");
    }
}

#[test]
fn a_value_read_only_by_a_capacity_is_not_unused() {
    let dir = temp();
    let policy = retail_variant(
        dir.path(),
        "guard G1",
        "let size \"the balance\" = principal_outstanding\n\
         capacity onsite_visit: 5 per day\n  priority by size desc\nguard G1",
    );
    let outcome = arrears(&["check", &policy, "--deny", "warnings"]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
}

/// The overdue bucket of a loan on `as_of`, as the report cuts them (30, 60, 90, 180).
fn bucket(loan: &Value, as_of: NaiveDate) -> usize {
    let days = date(&loan["oldest_unpaid_due_date"])
        .filter(|due| *due < as_of)
        .map_or(0, |due| (as_of - due).num_days());
    match days {
        0 => 0,
        1..=30 => 1,
        31..=60 => 2,
        61..=90 => 3,
        91..=180 => 4,
        _ => 5,
    }
}

#[test]
fn the_roll_matrix_is_the_two_books_joined_by_key_and_reconciles_to_both() {
    let portfolios = root().join("examples/portfolios");
    let next = portfolios.join("retail-sample-next.jsonl");
    let outcome = arrears(&[
        "report",
        &root().join("policies/retail.policy").to_string_lossy(),
        &next.to_string_lossy(),
        "--as-of",
        "2026-12-20",
        "--previous",
        &portfolios.join("retail-sample.jsonl").to_string_lossy(),
        "--previous-as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let report: Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    let roll = &report["roll"];

    // The re-statement: each book's buckets by loan id, joined.
    let before: BTreeMap<String, (usize, Decimal)> = sample_loans()
        .iter()
        .map(|l| {
            let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date");
            (
                l["loan_id"].as_str().expect("id").to_owned(),
                (bucket(l, as_of), money(&l["principal_outstanding"])),
            )
        })
        .collect();
    let text = std::fs::read_to_string(&next).expect("the second snapshot");
    let after: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a line"))
        .collect();
    let later = NaiveDate::from_ymd_opt(2026, 12, 20).expect("a date");
    let names = [
        "current",
        "M1 (1–30)",
        "M2 (31–60)",
        "M3 (61–90)",
        "M4–M6 (91–180)",
        "M7+ (over 180)",
    ];
    let mut cells: BTreeMap<(String, String), (u64, Decimal)> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for loan in &after {
        let id = loan["loan_id"].as_str().expect("id");
        seen.insert(id.to_owned());
        let to = names[bucket(loan, later)].to_owned();
        let (from, amount) = match before.get(id) {
            Some((b, amount)) => (names[*b].to_owned(), *amount),
            None => ("new".to_owned(), Decimal::ZERO),
        };
        let cell = cells.entry((from, to)).or_default();
        cell.0 += 1;
        cell.1 += amount;
    }
    for (id, (b, amount)) in &before {
        if !seen.contains(id) {
            let cell = cells
                .entry((names[*b].to_owned(), "closed".to_owned()))
                .or_default();
            cell.0 += 1;
            cell.1 += *amount;
        }
    }
    let mut got: BTreeMap<(String, String), (u64, Decimal)> = BTreeMap::new();
    for cell in roll["cells"].as_array().expect("cells") {
        let key = (
            cell["from"].as_str().expect("from").to_owned(),
            cell["to"].as_str().expect("to").to_owned(),
        );
        let loans = cell["before"]["loans"]
            .as_u64()
            .expect("loans")
            .max(cell["after"]["loans"].as_u64().expect("loans"));
        let amount = cell["before"]["by_currency"]["CNY"]["amount"]
            .as_str()
            .map_or(Decimal::ZERO, |a| a.parse().expect("an amount"));
        got.insert(key, (loans, amount));
    }
    assert_eq!(got, cells);
    assert_eq!(roll["previous"]["loans"], before.len() as u64);
    assert_eq!(roll["current"]["loans"], after.len() as u64);
    assert!(cells.keys().any(|(f, _)| f == "new"), "some loans are new");
    assert!(
        cells.keys().any(|(_, t)| t == "closed"),
        "some loans closed"
    );
    // Each bucket's movements add up to the loans it held.
    for row in roll["by_bucket"].as_array().expect("by bucket") {
        let parts: u64 = ["cured", "improved", "stayed", "rolled_forward", "closed"]
            .iter()
            .map(|m| row[m]["loans"].as_u64().expect("loans"))
            .sum();
        assert_eq!(parts, row["loans"].as_u64().expect("loans"));
    }
}

#[test]
fn diff_shows_the_loans_a_larger_capacity_takes_and_explain_gives_a_loans_rank() {
    let dir = temp();
    let with = |limit: u32| {
        format!(
            "guard G2 \"borrower asked for no contact\" when do_not_contact forbid contact\n\
             capacity onsite_visit: {limit} per region per day\n  priority by principal_outstanding desc\n  else demand_letter\n"
        )
    };
    let small = retail_variant(
        dir.path(),
        "guard G2 \"borrower asked for no contact\" when do_not_contact forbid contact",
        &with(20),
    );
    let small_path = dir.path().join("small.policy");
    std::fs::rename(&small, &small_path).expect("rename");
    let large = retail_variant(
        dir.path(),
        "guard G2 \"borrower asked for no contact\" when do_not_contact forbid contact",
        &with(30),
    );
    let sample = root().join("examples/portfolios/retail-sample.jsonl");
    let (small, sample) = (small_path.to_string_lossy(), sample.to_string_lossy());

    // The report of the smaller capacity says how many loans each region asked for.
    let report = arrears(&[
        "report", &small, &sample, "--as-of", AS_OF, "--format", "json",
    ]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    let report: Value = serde_json::from_str(&report.stdout).expect("JSON");
    let moved: u64 = report["tables"]["capacities"][0]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            let demand = g["demand"]["loans"].as_u64().expect("demand");
            demand.min(30) - demand.min(20)
        })
        .sum();
    assert!(moved > 0);

    let diff = arrears(&[
        "diff", &small, &large, &sample, "--as-of", AS_OF, "--format", "json",
    ]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let diff: Value = serde_json::from_str(&diff.stdout).expect("JSON");
    let changed = diff["loans"].as_array().expect("changed loans");
    assert_eq!(
        changed.len() as u64,
        moved,
        "each extra place takes one queued loan"
    );
    for loan in changed {
        assert_eq!(
            loan["actions_added"],
            serde_json::json!(["onsite_visit"]),
            "{loan}"
        );
    }

    // Explain: the loan ranked first in its region, and one queued.
    let records = arrears(&["run", &small, &sample, "--as-of", AS_OF]);
    let queued = records
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a record"))
        .find(|r| r["queued"].as_array().is_some_and(|q| !q.is_empty()))
        .expect("a queued loan");
    let id = queued["loan_id"].as_str().expect("an id");
    let place = queued["queued"][0]["place"].as_u64().expect("a place");
    let explained = arrears(&["explain", &small, &sample, "--as-of", AS_OF, "--loan", id]);
    assert_eq!(explained.code, 0, "{}", explained.stderr);
    assert!(
        explained
            .stdout
            .contains(&format!("queued, place {place} in the queue")),
        "{}",
        explained.stdout
    );
    assert!(
        explained
            .stdout
            .contains("capacity for onsite_visit: this loan is number")
    );
}
