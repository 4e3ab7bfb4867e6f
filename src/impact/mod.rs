//! What a policy change does to a portfolio: for every loan, the outcome under the old policy
//! and under the new one; the loans that change, with their amounts; and, per decision and for
//! the action list, the full matrix of outcome before × outcome after, with loan counts and
//! amounts per currency, whose cells add up to the whole portfolio.

pub mod render;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::eval::Evaluation;
use crate::program::{DecisionId, Program};
pub use crate::tally::{AmountFields, Tally};
use crate::value::Loan;

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

/// Two policies compared loan by loan: the decisions' names matched once, shared by the worker
/// threads, which compare each loan ([`Comparison::loan`]); the results are then added to an
/// [`Impact`] in input order ([`Comparison::add`]).
#[derive(Debug)]
pub struct Comparison<'p> {
    old: &'p Program,
    new: &'p Program,
    as_of: NaiveDate,
    fields: AmountFields,
    /// Decisions by name: the old policy's, then any only the new one has; with each one's
    /// index in the old and in the new policy.
    names: Vec<(String, Option<DecisionId>, Option<DecisionId>)>,
    /// Each policy's capacities, ranked over the same book (see [`Comparison::with_allocations`]).
    allocations: (
        Option<&'p crate::capacity::Allocation>,
        Option<&'p crate::capacity::Allocation>,
    ),
}

/// One loan under both policies: its amount, and each matrix's cell.
#[derive(Debug)]
pub struct LoanChange {
    amount: Decimal,
    currency: String,
    /// `(before, after)` per decision in [`Comparison`]'s order, then for the action list.
    cells: Vec<(String, String)>,
    /// The loan, when its outcome changed.
    changed: Option<ChangedLoan>,
}

impl<'p> Comparison<'p> {
    /// Prepares to compare `old` with `new` on `as_of`.
    pub fn new(
        old: &'p Program,
        new: &'p Program,
        as_of: NaiveDate,
        fields: AmountFields,
    ) -> Comparison<'p> {
        let mut names: Vec<String> = old.decision_names().map(str::to_owned).collect();
        names.extend(
            new.decision_names()
                .filter(|n| !names.iter().any(|m| m == n))
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        );
        let names = names
            .into_iter()
            .map(|name| {
                let (before, after) = (old.decision_named(&name), new.decision_named(&name));
                (name, before, after)
            })
            .collect();
        Comparison {
            old,
            new,
            as_of,
            fields,
            names,
            allocations: (None, None),
        }
    }

    /// Applies each policy's capacities (ranked over the book compared, by record number), so
    /// a changed limit or priority shows as loans whose visits are queued or taken.
    pub fn with_allocations(
        mut self,
        old: Option<&'p crate::capacity::Allocation>,
        new: Option<&'p crate::capacity::Allocation>,
    ) -> Self {
        self.allocations = (old, new);
        self
    }

    /// An impact with no loans yet, its matrices empty.
    pub fn empty(&self) -> Impact {
        Impact {
            compared: Tally::default(),
            changed: Tally::default(),
            loans: Vec::new(),
            matrices: self
                .names
                .iter()
                .map(|(name, _, _)| name.clone())
                .chain(std::iter::once("actions".to_owned()))
                .map(|name| Matrix {
                    name,
                    cells: BTreeMap::new(),
                })
                .collect(),
        }
    }

    /// Decides one loan, the book's record `number`, under both policies (`old_loan` and
    /// `new_loan` are the same row read with each policy's schema). Thread-safe.
    pub fn loan(&self, number: u64, key: &str, old_loan: &Loan, new_loan: &Loan) -> LoanChange {
        let (old, new) = (self.old, self.new);
        let mut before = old.evaluate(old_loan, self.as_of);
        let mut after = new.evaluate(new_loan, self.as_of);
        if let Some(allocation) = self.allocations.0 {
            allocation.apply(old, number, &mut before);
        }
        if let Some(allocation) = self.allocations.1 {
            allocation.apply(new, number, &mut after);
        }
        let (amount, currency) = self.fields.read(old_loan);
        let mut decisions = Vec::new();
        let mut cells = Vec::with_capacity(self.names.len() + 1);
        for (name, in_old, in_new) in &self.names {
            let text =
                |program: &Program, evaluation: &Evaluation, decision: Option<DecisionId>| {
                    decision
                        .and_then(|d| Some(program.outcome_text(d, evaluation.outcome(d)?)))
                        .unwrap_or_else(|| "(no such decision)".to_owned())
                };
            let was = text(old, &before, *in_old);
            let now = text(new, &after, *in_new);
            if was != now {
                decisions.push((name.clone(), was.clone(), now.clone()));
            }
            cells.push((was, now));
        }
        let (was, now) = (actions_text(old, &before), actions_text(new, &after));
        cells.push((joined(&was), joined(&now)));
        let vetoed = |program: &Program, e: &Evaluation| -> Vec<String> {
            e.vetoed
                .iter()
                .map(|(a, g)| format!("{}/{}", program.action_name(*a), program.guard_name(*g)))
                .collect()
        };
        let unchanged =
            decisions.is_empty() && was == now && vetoed(old, &before) == vetoed(new, &after);
        let changed = (!unchanged).then(|| ChangedLoan {
            loan_id: key.to_owned(),
            amount,
            currency: currency.clone(),
            decisions,
            added: now.iter().filter(|a| !was.contains(a)).cloned().collect(),
            removed: was.iter().filter(|a| !now.contains(a)).cloned().collect(),
        });
        LoanChange {
            amount,
            currency,
            cells,
            changed,
        }
    }

    /// Adds one compared loan to `impact` (made by [`Comparison::empty`]).
    pub fn add(&self, impact: &mut Impact, change: LoanChange) {
        let LoanChange {
            amount,
            currency,
            cells,
            changed,
        } = change;
        impact.compared.add(&currency, amount);
        for (matrix, cell) in impact.matrices.iter_mut().zip(cells) {
            matrix.cells.entry(cell).or_default().add(&currency, amount);
        }
        if let Some(changed) = changed {
            impact.changed.add(&currency, amount);
            impact.loans.push(changed);
        }
    }
}
