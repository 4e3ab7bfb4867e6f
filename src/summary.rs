//! What a policy would do to a portfolio, in numbers: loans and amounts per action, per decision
//! outcome, per overdue bucket and bucket × action, vetoes per guard, rejected rows per reason,
//! the overdue rate and NPL ratio, and each experiment's arms. Amounts are exact and kept per
//! currency; every table that partitions the portfolio adds up to its totals.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::check::Ty;
use crate::compile::Program;
use crate::eval::{DecisionOutcome, eval_expr};
use crate::impact::{AmountFields, Tally};
use crate::input::Portfolio;
use crate::ir::Expr;
use crate::value::Value;

/// What to sum and how to bucket.
#[derive(Debug, Clone)]
pub struct SummaryOptions {
    /// The money field to total.
    pub amount: String,
    /// The text field holding the currency.
    pub currency: String,
    /// The derived value holding days overdue.
    pub overdue: String,
    /// Upper edges of the overdue buckets after `current`, in days (default 30, 60, 90, 180).
    pub edges: Vec<i64>,
    /// The decision that classifies loans, for the NPL ratio.
    pub classification: String,
    /// Its values that count as non-performing.
    pub non_performing: Vec<String>,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            amount: "principal_outstanding".into(),
            currency: "currency".into(),
            overdue: "overdue".into(),
            edges: vec![30, 60, 90, 180],
            classification: "classification".into(),
            non_performing: vec!["substandard".into(), "doubtful".into(), "loss".into()],
        }
    }
}

/// The rows of one table, in a meaningful order.
pub type Rows = Vec<(String, Tally)>;

/// One experiment's arms.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// The derived value that assigns the arm (`challenger`).
    pub name: String,
    /// `(arm, loans and amounts, action mix)`.
    pub arms: Vec<(String, Tally, Rows)>,
}

/// The whole summary.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Rows read.
    pub read: u64,
    /// Loans decided, with their amounts.
    pub decided: Tally,
    /// Rejected rows per code: `(code, rows, one reason as an example)`.
    pub rejected: Vec<(String, u64, String)>,
    /// Per surviving action (a loan with two actions counts under each); `(no action)` last.
    pub by_action: Rows,
    /// Per primary action (the first surviving action): partitions the portfolio.
    pub by_primary_action: Rows,
    /// Per decision, per outcome: each partitions the portfolio.
    pub by_decision: Vec<(String, Rows)>,
    /// Per overdue bucket.
    pub by_bucket: Rows,
    /// Per bucket, per primary action.
    pub bucket_action: Vec<(String, Rows)>,
    /// Per guard, per action it vetoed.
    pub vetoed: Vec<(String, Rows)>,
    /// Loans and amounts more than 0 days overdue.
    pub overdue: Tally,
    /// Loans and amounts in non-performing classes, when the policy classifies.
    pub non_performing: Option<Tally>,
    /// Every experiment bucket the policy uses.
    pub experiments: Vec<Experiment>,
    /// The bucket labels, in order.
    pub buckets: Vec<String>,
}

/// The bucket labels for `edges`: `current`, then the industry's M1.. names for the default
/// edges, or `1–30 days` style names for others.
pub fn bucket_labels(edges: &[i64]) -> Vec<String> {
    let mut labels = vec!["current".to_owned()];
    if edges == [30, 60, 90, 180] {
        labels.extend(
            [
                "M1 (1–30)",
                "M2 (31–60)",
                "M3 (61–90)",
                "M4–M6 (91–180)",
                "M7+ (over 180)",
            ]
            .map(String::from),
        );
        return labels;
    }
    let mut low = 1;
    for edge in edges {
        labels.push(format!("{low}–{edge} days"));
        low = edge + 1;
    }
    labels.push(format!("over {}", low - 1));
    labels
}

/// One arm of an experiment while counting: its loans, and its loans per primary action.
type ArmTally = (Tally, BTreeMap<String, Tally>);

/// Per loan, what the tables need.
struct Facts {
    currency: String,
    amount: Decimal,
    bucket: usize,
    actions: Vec<String>,
    outcomes: Vec<String>,
    vetoed: Vec<(String, String)>,
    arms: Vec<String>,
    overdue: bool,
}

fn add(rows: &mut BTreeMap<String, Tally>, key: &str, currency: &str, amount: Decimal) {
    rows.entry(key.to_owned())
        .or_default()
        .add(currency, amount);
}

/// Rows in `order` first, then any others in sorted order.
fn ordered(mut rows: BTreeMap<String, Tally>, order: &[String]) -> Rows {
    let mut out = Vec::new();
    for key in order {
        if let Some(tally) = rows.remove(key) {
            out.push((key.clone(), tally));
        }
    }
    out.extend(rows);
    out
}

/// Summarises what `program` does to `portfolio` on `as_of`.
pub fn summarize(
    program: &Program,
    portfolio: &Portfolio,
    as_of: NaiveDate,
    options: &SummaryOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Summary, String> {
    let fields = AmountFields::find(program, &options.amount, &options.currency)?;
    let overdue = program
        .derived
        .iter()
        .position(|d| d.named.name == options.overdue && d.ty == Ty::Days)
        .ok_or_else(|| {
            format!(
                "the policy has no value `{}` counting days overdue; name it with --overdue",
                options.overdue
            )
        })?;
    let experiments: Vec<usize> = program
        .derived
        .iter()
        .enumerate()
        .filter(|(_, d)| d.ty == Ty::Bool && uses_bucket(&d.expr))
        .map(|(i, _)| i)
        .collect();
    let buckets = bucket_labels(&options.edges);
    let facts: Vec<Option<Facts>> = portfolio
        .rows
        .par_iter()
        .map(|row| {
            progress(1);
            let (_, loan) = row.result.as_ref().ok()?;
            let evaluation = program.evaluate(loan, as_of);
            let (amount, currency) = fields.read(loan);
            let days = match eval_expr(program, loan, as_of, &Expr::Derived(overdue)) {
                Value::Days(n) => n,
                _ => 0,
            };
            let bucket = if days <= 0 {
                0
            } else {
                1 + options
                    .edges
                    .iter()
                    .take_while(|edge| days > **edge)
                    .count()
            };
            let outcomes = evaluation
                .outcomes
                .iter()
                .enumerate()
                .map(|(d, outcome)| match outcome {
                    DecisionOutcome::First { value: Some(v), .. } => {
                        program.outcome_name(d, *v).to_owned()
                    }
                    DecisionOutcome::First { value: None, .. } => "nothing".to_owned(),
                    DecisionOutcome::Collect { hits } if hits.is_empty() => "none".to_owned(),
                    DecisionOutcome::Collect { hits } => hits
                        .iter()
                        .map(|(_, v)| program.outcome_name(d, *v))
                        .collect::<Vec<_>>()
                        .join(" + "),
                })
                .collect();
            let guard = |g: &usize| {
                program
                    .guards
                    .get(*g)
                    .map_or(String::new(), |g| g.named.name.clone())
            };
            Some(Facts {
                currency,
                amount,
                bucket,
                actions: evaluation
                    .actions
                    .iter()
                    .map(|a| program.action_name(*a).to_owned())
                    .collect(),
                outcomes,
                vetoed: evaluation
                    .vetoed
                    .iter()
                    .map(|(a, g)| (guard(g), program.action_name(*a).to_owned()))
                    .collect(),
                arms: experiments
                    .iter()
                    .map(
                        |i| match eval_expr(program, loan, as_of, &Expr::Derived(*i)) {
                            Value::Bool(true) => "true".to_owned(),
                            _ => "false".to_owned(),
                        },
                    )
                    .collect(),
                overdue: days > 0,
            })
        })
        .collect();

    let none = "(no action)".to_owned();
    let action_order: Vec<String> = program
        .actions
        .iter()
        .map(|a| a.name.clone())
        .chain(std::iter::once(none.clone()))
        .collect();
    let mut summary = Summary {
        read: portfolio.rows.len() as u64,
        buckets: buckets.clone(),
        ..Summary::default()
    };
    let (mut by_action, mut by_primary, mut by_bucket) =
        (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut by_decision: Vec<BTreeMap<String, Tally>> =
        vec![BTreeMap::new(); program.decisions.len()];
    let mut bucket_action: Vec<BTreeMap<String, Tally>> = vec![BTreeMap::new(); buckets.len()];
    let mut vetoed: BTreeMap<String, BTreeMap<String, Tally>> = BTreeMap::new();
    // Per experiment, per arm: the arm's loans, and its action mix.
    let mut arms: Vec<BTreeMap<String, ArmTally>> = vec![BTreeMap::new(); experiments.len()];
    let classification = program
        .decision_names()
        .position(|n| n == options.classification);
    let mut npl = Tally::default();
    for fact in facts.iter().flatten() {
        let (c, a) = (fact.currency.as_str(), fact.amount);
        let one = |t: &mut Tally| t.add(c, a);
        one(&mut summary.decided);
        let primary = fact.actions.first().unwrap_or(&none);
        add(&mut by_primary, primary, c, a);
        if fact.actions.is_empty() {
            add(&mut by_action, &none, c, a);
        }
        for action in &fact.actions {
            add(&mut by_action, action, c, a);
        }
        for (table, outcome) in by_decision.iter_mut().zip(&fact.outcomes) {
            add(table, outcome, c, a);
        }
        if let Some(label) = buckets.get(fact.bucket) {
            add(&mut by_bucket, label, c, a);
        }
        if let Some(table) = bucket_action.get_mut(fact.bucket) {
            add(table, primary, c, a);
        }
        for (guard, action) in &fact.vetoed {
            add(vetoed.entry(guard.clone()).or_default(), action, c, a);
        }
        for (table, arm) in arms.iter_mut().zip(&fact.arms) {
            let (tally, mix) = table.entry(arm.clone()).or_default();
            one(tally);
            add(mix, primary, c, a);
        }
        if fact.overdue {
            one(&mut summary.overdue);
        }
        if let Some(index) = classification
            && fact
                .outcomes
                .get(index)
                .is_some_and(|o| options.non_performing.contains(o))
        {
            one(&mut npl);
        }
    }
    summary.non_performing = classification.map(|_| npl);
    summary.by_action = ordered(by_action, &action_order);
    summary.by_primary_action = ordered(by_primary, &action_order);
    summary.by_bucket = ordered(by_bucket, &buckets);
    summary.bucket_action = buckets
        .iter()
        .cloned()
        .zip(bucket_action)
        .map(|(b, rows)| (b, ordered(rows, &action_order)))
        .collect();
    summary.by_decision = program
        .decisions
        .iter()
        .zip(by_decision)
        .map(|(d, rows)| {
            let order: Vec<String> = match &d.gives {
                crate::check::Gives::Values(values) => values.clone(),
                crate::check::Gives::Actions => action_order.clone(),
            };
            (d.named.name.clone(), ordered(rows, &order))
        })
        .collect();
    let guard_order: Vec<String> = program
        .guards
        .iter()
        .map(|g| g.named.name.clone())
        .collect();
    summary.vetoed = guard_order
        .iter()
        .filter_map(|g| {
            vetoed
                .remove(g)
                .map(|rows| (g.clone(), ordered(rows, &action_order)))
        })
        .collect();
    summary.experiments = experiments
        .iter()
        .zip(arms)
        .filter_map(|(i, table)| {
            let name = program.derived.get(*i)?.named.name.clone();
            let arms = table
                .into_iter()
                .rev()
                .map(|(arm, (tally, mix))| (arm, tally, ordered(mix, &action_order)))
                .collect();
            Some(Experiment { name, arms })
        })
        .collect();
    let mut rejected: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for row in &portfolio.rows {
        if let Err(r) = &row.result {
            let entry = rejected
                .entry(r.code.id.to_owned())
                .or_insert((0, r.reason.clone()));
            entry.0 += 1;
        }
    }
    summary.rejected = rejected
        .into_iter()
        .map(|(code, (n, reason))| (code, n, reason))
        .collect();
    Ok(summary)
}

fn uses_bucket(expr: &Expr) -> bool {
    let mut found = matches!(expr, Expr::Bucket { .. });
    expr.for_each_child(&mut |child| found |= uses_bucket(child));
    found
}
