//! What a policy change does to a portfolio: for every loan, the outcome under the old policy
//! and under the new one; the loans that change, with their amounts; and, per decision and for
//! the action list, the full matrix of outcome before × outcome after, with loan counts and
//! amounts per currency, whose cells add up to the whole portfolio.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::compile::Program;
use crate::eval::{DecisionOutcome, Evaluation, Loan};
use crate::schema::FieldType;
use crate::value::Value;

/// One loan whose outcome changes.
#[derive(Debug, Clone)]
pub struct ChangedLoan {
    /// The loan's key.
    pub loan_id: String,
    /// The amount involved (the `--amount` field), and its currency.
    pub amount: Decimal,
    /// The currency (`--currency` field), or empty when the schema has none.
    pub currency: String,
    /// `(decision, before, after)` for each decision whose outcome changed.
    pub decisions: Vec<(String, String, String)>,
    /// Actions the new policy adds.
    pub added: Vec<String>,
    /// Actions the new policy removes.
    pub removed: Vec<String>,
}

/// Loans and amount per currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// How many loans.
    pub loans: u64,
    /// Their amounts, per currency.
    pub amounts: BTreeMap<String, Decimal>,
    /// How many of them are in each currency.
    pub counts: BTreeMap<String, u64>,
}

impl Tally {
    /// Counts one more loan of `amount` in `currency`.
    pub fn add(&mut self, currency: &str, amount: Decimal) {
        self.loans += 1;
        *self.amounts.entry(currency.to_owned()).or_default() += amount;
        *self.counts.entry(currency.to_owned()).or_default() += 1;
    }
}

/// The transitions of one decision (or of the action list): `(before, after)` → tally.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// The decision's name, or `actions`.
    pub name: String,
    /// Every cell, in sorted order; the diagonal holds the loans that did not change here.
    pub cells: BTreeMap<(String, String), Tally>,
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub struct Impact {
    /// Loans compared (accepted by both policies' schemas).
    pub compared: Tally,
    /// Of those, the loans whose outcome changed.
    pub changed: Tally,
    /// The changed loans, in portfolio order.
    pub loans: Vec<ChangedLoan>,
    /// One matrix per decision (in the old policy's order, then decisions only the new one has),
    /// then one for the action list.
    pub matrices: Vec<Matrix>,
}

/// How to read the amount and currency of a loan.
#[derive(Debug, Clone, Copy)]
pub struct AmountFields {
    amount: usize,
    currency: Option<usize>,
}

impl AmountFields {
    /// Finds the fields in `program`'s schema; the amount must be money, the currency text.
    pub fn find(program: &Program, amount: &str, currency: &str) -> Result<AmountFields, String> {
        let schema = program.schema();
        let amount_slot = schema
            .slot(amount)
            .ok_or_else(|| format!("the schema has no field `{amount}` to sum"))?;
        if schema.fields.get(amount_slot).map(|f| &f.ty) != Some(&FieldType::Money) {
            return Err(format!("`{amount}` is not a money field"));
        }
        let currency = schema
            .slot(currency)
            .filter(|slot| schema.fields.get(*slot).map(|f| &f.ty) == Some(&FieldType::Text));
        Ok(AmountFields {
            amount: amount_slot,
            currency,
        })
    }

    /// The loan's amount and currency.
    pub(crate) fn read(&self, loan: &Loan) -> (Decimal, String) {
        let amount = match loan.fields.get(self.amount) {
            Some(Value::Money(m)) => *m,
            _ => Decimal::ZERO,
        };
        let currency = match self.currency.and_then(|slot| loan.fields.get(slot)) {
            Some(Value::Text(t)) => t.to_string(),
            _ => String::new(),
        };
        (amount, currency)
    }
}

/// One decision's outcome as text: a name, `nothing`, or a list `a + b`.
fn outcome_text(program: &Program, decision: usize, outcome: Option<&DecisionOutcome>) -> String {
    match outcome {
        None => "(no such decision)".to_owned(),
        Some(DecisionOutcome::First { value: Some(v), .. }) => {
            program.outcome_name(decision, *v).to_owned()
        }
        Some(DecisionOutcome::First { value: None, .. }) => "nothing".to_owned(),
        Some(DecisionOutcome::Collect { hits }) if hits.is_empty() => "none".to_owned(),
        Some(DecisionOutcome::Collect { hits }) => hits
            .iter()
            .map(|(_, v)| program.outcome_name(decision, *v))
            .collect::<Vec<_>>()
            .join(" + "),
    }
}

fn actions_text(program: &Program, evaluation: &Evaluation) -> Vec<String> {
    evaluation
        .actions
        .iter()
        .map(|a| program.action_name(*a).to_owned())
        .collect()
}

fn joined(actions: &[String]) -> String {
    if actions.is_empty() {
        "none".to_owned()
    } else {
        actions.join(" + ")
    }
}

/// Compares `old` and `new` over `loans`, each `(key, old loan, new loan)` (the same row read
/// against each policy's schema).
pub fn compare<'l>(
    old: &Program,
    new: &Program,
    loans: impl Iterator<Item = (&'l str, &'l Loan, &'l Loan)>,
    as_of: NaiveDate,
    fields: AmountFields,
) -> Impact {
    // Decisions by name: the old policy's, then any only the new one has.
    let mut names: Vec<String> = old.decision_names().map(str::to_owned).collect();
    names.extend(
        new.decision_names()
            .filter(|n| !names.iter().any(|m| m == n))
            .map(str::to_owned)
            .collect::<Vec<_>>(),
    );
    let index_in = |program: &Program, name: &str| program.decision_names().position(|n| n == name);
    let mut matrices: Vec<Matrix> = names
        .iter()
        .cloned()
        .chain(std::iter::once("actions".to_owned()))
        .map(|name| Matrix {
            name,
            cells: BTreeMap::new(),
        })
        .collect();
    let mut impact = Impact {
        compared: Tally::default(),
        changed: Tally::default(),
        loans: Vec::new(),
        matrices: Vec::new(),
    };
    for (key, old_loan, new_loan) in loans {
        let before = old.evaluate(old_loan, as_of);
        let after = new.evaluate(new_loan, as_of);
        let (amount, currency) = fields.read(old_loan);
        impact.compared.add(&currency, amount);
        let mut decisions = Vec::new();
        for (name, matrix) in names.iter().zip(matrices.iter_mut()) {
            let was = index_in(old, name).map_or("(no such decision)".to_owned(), |i| {
                outcome_text(old, i, before.outcomes.get(i))
            });
            let now = index_in(new, name).map_or("(no such decision)".to_owned(), |i| {
                outcome_text(new, i, after.outcomes.get(i))
            });
            matrix
                .cells
                .entry((was.clone(), now.clone()))
                .or_default()
                .add(&currency, amount);
            if was != now {
                decisions.push((name.clone(), was, now));
            }
        }
        let (was, now) = (actions_text(old, &before), actions_text(new, &after));
        if let Some(matrix) = matrices.last_mut() {
            matrix
                .cells
                .entry((joined(&was), joined(&now)))
                .or_default()
                .add(&currency, amount);
        }
        let vetoed = |program: &Program, e: &Evaluation| -> Vec<String> {
            e.vetoed
                .iter()
                .map(|(a, g)| {
                    format!(
                        "{}/{}",
                        program.action_name(*a),
                        program.guards.get(*g).map_or("", |g| g.named.name.as_str())
                    )
                })
                .collect()
        };
        if decisions.is_empty() && was == now && vetoed(old, &before) == vetoed(new, &after) {
            continue;
        }
        impact.changed.add(&currency, amount);
        impact.loans.push(ChangedLoan {
            loan_id: key.to_owned(),
            amount,
            currency,
            decisions,
            added: now.iter().filter(|a| !was.contains(a)).cloned().collect(),
            removed: was.iter().filter(|a| !now.contains(a)).cloned().collect(),
        });
    }
    impact.matrices = matrices;
    impact
}
