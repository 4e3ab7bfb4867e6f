//! Writes a large synthetic policy over the reference schema, to measure the analysis:
//! `cargo run --release --example gen_policy -- RULES DECISIONS SEED > big.policy`
//! (the schema file `loan-v1.schema` must sit beside the output). `tests/cli/costs.rs` includes
//! this file for [`policy`].

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    reason = "a one-shot generator"
)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const ENUMS: &[(&str, &[&str])] = &[
    (
        "willingness",
        &["willing", "hesitant", "refuses", "unknown"],
    ),
    (
        "ability",
        &[
            "able",
            "temporary_hardship",
            "long_term_inability",
            "unknown",
        ],
    ),
    ("product", &["mortgage", "consumer", "sme", "card"]),
    (
        "operating_status",
        &["normal", "difficulty", "ceased", "fraud_suspected", "loss"],
    ),
];
const FLAGS: &[&str] = &[
    "has_assets",
    "has_guarantor",
    "restructured",
    "public_official",
    "in_dispute",
];

fn atom(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..6) {
        0 | 1 => format!(
            "overdue {} {} days",
            ["<", "<=", ">", ">="][rng.random_range(0..4)],
            rng.random_range(0..400)
        ),
        2 => {
            let (field, values) = ENUMS[rng.random_range(0..ENUMS.len())];
            let n = rng.random_range(1..=2);
            let chosen: Vec<&str> = (0..n)
                .map(|_| values[rng.random_range(0..values.len())])
                .collect();
            format!("{field} in [{}]", chosen.join(", "))
        }
        3 => {
            let flag = FLAGS[rng.random_range(0..FLAGS.len())];
            if rng.random_bool(0.5) {
                flag.to_owned()
            } else {
                format!("not {flag}")
            }
        }
        4 => format!(
            "principal_outstanding >= {}.00",
            rng.random_range(1..200) * 10_000
        ),
        _ => "collateral_value is present and collateral_value >= principal_outstanding".to_owned(),
    }
}

#[allow(dead_code, reason = "the tests include this file for `policy` alone")]
fn main() {
    let mut args = std::env::args().skip(1);
    let rules: usize = args.next().map_or(500, |a| a.parse().unwrap());
    let decisions: usize = args.next().map_or(5, |a| a.parse().unwrap());
    let seed: u64 = args.next().map_or(1, |a| a.parse().unwrap());
    print!("{}", policy(rules, decisions, seed));
}

/// A policy of `rules` random rules in `decisions` first-match decisions, each ending with
/// `otherwise`; the same arguments give the same text.
pub(crate) fn policy(rules: usize, decisions: usize, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = String::from("use schema \"loan-v1.schema\"\n\n");
    out.push_str("let overdue = if oldest_unpaid_due_date is present and oldest_unpaid_due_date < as_of then as_of - oldest_unpaid_due_date else 0 days\n\n");
    out.push_str("actions a0, a1, a2, a3, a4, a5, a6, a7\n");
    let per = rules / decisions;
    for d in 0..decisions {
        out.push_str(&format!("\ndecision d{d}: first match, gives action\n"));
        for r in 0..per {
            let atoms: Vec<String> = (0..rng.random_range(1..=3))
                .map(|_| atom(&mut rng))
                .collect();
            if r + 1 == per {
                out.push_str(&format!(
                    "  rule D{d}R{r} otherwise then a{}\n",
                    rng.random_range(0..8)
                ));
            } else {
                out.push_str(&format!(
                    "  rule D{d}R{r} when {} then a{}\n",
                    atoms.join(" and "),
                    rng.random_range(0..8)
                ));
            }
        }
    }
    out
}
