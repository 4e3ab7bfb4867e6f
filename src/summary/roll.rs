//! Roll rates: the same loans at two dates, and what became of each overdue bucket and of
//! each action the policy gave at the earlier date. The earlier book is decided at its own
//! date ([`Roll::previous`]), the later one is the report's own ([`Roll::current`]); a loan in
//! only one book is counted as closed or new, never dropped, so the matrix's rows add up to
//! the earlier book and its columns to the later one.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::{LoanFacts, NO_ACTION};
use crate::tally::Tally;

/// What became of a loan between the two dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Movement {
    /// Overdue before, current now.
    Cured,
    /// Still overdue, in an earlier bucket.
    Improved,
    /// In the same bucket.
    Stayed,
    /// In a later bucket.
    RolledForward,
    /// Not in the later book: repaid, sold or written off.
    Closed,
}

impl Movement {
    /// Every movement, in the order tables show them.
    pub const ALL: [Movement; 5] = [
        Movement::Cured,
        Movement::Improved,
        Movement::Stayed,
        Movement::RolledForward,
        Movement::Closed,
    ];

    /// Its name in machine formats.
    pub fn name(self) -> &'static str {
        match self {
            Movement::Cured => "cured",
            Movement::Improved => "improved",
            Movement::Stayed => "stayed",
            Movement::RolledForward => "rolled_forward",
            Movement::Closed => "closed",
        }
    }

    fn of(before: usize, after: Option<usize>) -> Movement {
        match after {
            None => Movement::Closed,
            Some(0) if before > 0 => Movement::Cured,
            Some(after) if after < before => Movement::Improved,
            Some(after) if after == before => Movement::Stayed,
            Some(_) => Movement::RolledForward,
        }
    }
}

/// A loan of the earlier book, as the roll needs it.
#[derive(Debug)]
struct Before {
    bucket: usize,
    currency: String,
    amount: Decimal,
    actions: Vec<String>,
    arms: Vec<String>,
}

/// One cell of the matrix: loans, their amounts at the earlier date and at the later one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    /// Loans and amounts as the earlier book held them (empty for new loans).
    pub before: Tally,
    /// Loans and amounts as the later book holds them (empty for closed loans).
    pub after: Tally,
}

/// Loans per movement.
pub type Movements = BTreeMap<Movement, Tally>;

/// The two books joined, loan by loan.
#[derive(Debug, Default)]
pub struct Roll {
    buckets: Vec<String>,
    experiments: Vec<String>,
    before: HashMap<String, Before>,
    /// `(earlier bucket or None for new, later bucket or None for closed)` → cell.
    cells: BTreeMap<(Option<usize>, Option<usize>), Cell>,
    by_action: BTreeMap<String, Movements>,
    by_arm: Vec<BTreeMap<String, Movements>>,
}

/// The roll, finished: what reports show.
#[derive(Debug, Clone, Default)]
pub struct RollRates {
    /// The earlier book's date.
    pub previous_as_of: String,
    /// The bucket names, in order; the matrix adds `new` (rows) and `closed` (columns).
    pub buckets: Vec<String>,
    /// Every non-empty cell: earlier bucket (`None`: new), later bucket (`None`: closed).
    pub cells: Vec<(Option<usize>, Option<usize>, Cell)>,
    /// Per earlier bucket, per movement.
    pub by_bucket: Vec<(String, Movements)>,
    /// Per action given at the earlier date (a loan with two counts under each), per movement.
    pub by_action: Vec<(String, Movements)>,
    /// Per experiment, per arm at the earlier date, per movement.
    pub by_arm: Vec<(String, Vec<(String, Movements)>)>,
    /// Loans in the earlier book, and in the later one.
    pub totals: (Tally, Tally),
}

impl Roll {
    /// An empty roll over `buckets`, for a policy with these experiments (their values' names).
    pub fn new(buckets: Vec<String>, experiments: Vec<String>) -> Roll {
        Roll {
            by_arm: vec![BTreeMap::new(); experiments.len()],
            buckets,
            experiments,
            ..Roll::default()
        }
    }

    /// Adds a loan of the earlier book, decided at its date. A key met twice keeps the first
    /// (the batch engine rejects repeats before they get here).
    pub fn previous(&mut self, key: &str, facts: &LoanFacts) {
        let fact = &facts.0;
        self.before.entry(key.to_owned()).or_insert_with(|| Before {
            bucket: fact.bucket,
            currency: fact.currency.clone(),
            amount: fact.amount,
            actions: fact.actions.clone(),
            arms: fact.arms.clone(),
        });
    }

    /// Adds a loan of the later book, as the report decided it.
    pub fn current(&mut self, key: &str, facts: &LoanFacts) {
        let fact = &facts.0;
        let before = self.before.remove(key);
        let from = before.as_ref().map(|b| b.bucket);
        let cell = self.cells.entry((from, Some(fact.bucket))).or_default();
        cell.after.add(&fact.currency, fact.amount);
        if let Some(before) = before {
            cell.before.add(&before.currency, before.amount);
            self.moved(&before, Some(fact.bucket));
        }
    }

    fn moved(&mut self, before: &Before, after: Option<usize>) {
        let movement = Movement::of(before.bucket, after);
        let (c, a) = (before.currency.as_str(), before.amount);
        let none = [NO_ACTION.to_owned()];
        let actions = if before.actions.is_empty() {
            &none[..]
        } else {
            &before.actions[..]
        };
        for action in actions {
            self.by_action
                .entry(action.clone())
                .or_default()
                .entry(movement)
                .or_default()
                .add(c, a);
        }
        for (table, arm) in self.by_arm.iter_mut().zip(&before.arms) {
            table
                .entry(arm.clone())
                .or_default()
                .entry(movement)
                .or_default()
                .add(c, a);
        }
    }

    /// Counts the loans of the earlier book the later one no longer holds as closed, and
    /// finishes the tables; `action_order` lists the policy's actions in its order.
    pub fn finish(mut self, previous_as_of: String, action_order: &[String]) -> RollRates {
        let mut closed: Vec<(String, Before)> = self.before.drain().collect();
        // In key order, so that nothing depends on the hash map's.
        closed.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, before) in closed {
            self.cells
                .entry((Some(before.bucket), None))
                .or_default()
                .before
                .add(&before.currency, before.amount);
            self.moved(&before, None);
        }
        let mut totals = (Tally::default(), Tally::default());
        let mut by_bucket: Vec<Movements> = vec![Movements::new(); self.buckets.len()];
        for (&(from, to), cell) in &self.cells {
            merge(&mut totals.0, &cell.before);
            merge(&mut totals.1, &cell.after);
            if let Some(from) = from
                && let Some(row) = by_bucket.get_mut(from)
            {
                let movement = Movement::of(from, to);
                merge(row.entry(movement).or_default(), &cell.before);
            }
        }
        let mut by_action: Vec<(String, Movements)> = Vec::new();
        for action in action_order {
            if let Some(rows) = self.by_action.remove(action) {
                by_action.push((action.clone(), rows));
            }
        }
        by_action.extend(self.by_action);
        RollRates {
            previous_as_of,
            cells: self
                .cells
                .into_iter()
                .map(|((from, to), cell)| (from, to, cell))
                .collect(),
            by_bucket: self.buckets.iter().cloned().zip(by_bucket).collect(),
            by_action,
            by_arm: self
                .experiments
                .into_iter()
                .zip(self.by_arm)
                .map(|(name, arms)| (name, arms.into_iter().rev().collect()))
                .collect(),
            buckets: self.buckets,
            totals,
        }
    }
}

/// Adds every loan and amount of `part` to `whole`.
fn merge(whole: &mut Tally, part: &Tally) {
    whole.loans += part.loans;
    for (currency, amount) in &part.amounts {
        *whole.amounts.entry(currency.clone()).or_default() += *amount;
    }
    for (currency, loans) in &part.counts {
        *whole.counts.entry(currency.clone()).or_default() += *loans;
    }
}
