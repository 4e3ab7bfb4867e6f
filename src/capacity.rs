//! Capacity and priority: the pass over a whole book's decisions that the rules alone cannot
//! make. A `capacity` says how many loans of a group may take some actions in one day (a run
//! is one day's plan); the loans claiming it are ordered by its `priority` (ties by key), the
//! first `limit` of each group keep their actions, and the rest are queued: the actions move
//! out of [`Evaluation::actions`] into [`Evaluation::capacity`], with the loan's place in the
//! queue and the fallback it gets instead, unless a guard forbids that too.
//!
//! It takes two readings of the book. The first decides every loan and gathers, on the
//! calling thread, each claim ([`Program::claims`] on the workers, [`Demand::add`] in input
//! order); [`Demand::allocate`] sorts each group's claims once. The second decides the loans
//! again and [`Allocation::apply`]s the verdict to each, by its position in the book, so the
//! result is the same on any number of threads. Memory is one small sort key per claim (the
//! priority's values and the key, packed into bytes that compare in the policy's order), and
//! 24 bytes per claim once allocated; loans that claim nothing cost nothing.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Timelike};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::batch::{BatchError, BatchOptions, BatchRow, BorrowerOrder, ByBorrower, Flow};
use crate::eval::BorrowerContext;
use crate::input::{RecordStream, StreamError};
use crate::program::{
    ActionId, CapacityId, Claimed, Evaluation, Fallback, Program, Queued, ReadSource,
};
use crate::value::{Loan, Value};

/// What one loan claims: for each capacity its actions touch, its group and its place in
/// the priority order. Most loans claim nothing, which costs no allocation.
#[derive(Clone, Debug, Default)]
pub struct Claims(Vec<Claim>);

#[derive(Clone, Debug)]
struct Claim {
    capacity: CapacityId,
    group: Option<String>,
    /// The priority's values and then the key, as bytes that compare in claiming order.
    order: Vec<u8>,
}

impl Claims {
    /// True when the loan claims no capacity.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Program {
    /// True when the policy declares a `capacity`: its runs then read the book twice.
    pub fn has_capacities(&self) -> bool {
        !self.capacities.is_empty()
    }

    /// The policy's capacities, in policy order.
    pub fn capacities(&self) -> impl ExactSizeIterator<Item = CapacityId> + use<> {
        (0..self.capacities.len()).map(CapacityId::new)
    }

    /// The action or kind a capacity limits, as the policy names it.
    pub fn capacity_name(&self, capacity: CapacityId) -> &str {
        self.capacities
            .get(capacity.index())
            .map_or("", |c| c.named.name.as_str())
    }

    /// A capacity's label, if the policy gives one.
    pub fn capacity_label(&self, capacity: CapacityId) -> Option<&str> {
        self.capacities
            .get(capacity.index())
            .and_then(|c| c.named.label.as_deref())
    }

    /// How many loans of a group a capacity takes a day.
    pub fn capacity_limit(&self, capacity: CapacityId) -> u32 {
        self.capacities.get(capacity.index()).map_or(0, |c| c.limit)
    }

    /// The field or value a capacity groups loans by (`None`: one limit for the book).
    pub fn capacity_group(&self, capacity: CapacityId) -> Option<&str> {
        let source = self.capacities.get(capacity.index())?.group?;
        Some(crate::program::source_name(self, source))
    }

    /// A capacity's order in the policy's words: `principal_outstanding desc, overdue desc`
    /// (empty when it orders by key alone).
    pub fn capacity_priority(&self, capacity: CapacityId) -> String {
        let Some(def) = self.capacities.get(capacity.index()) else {
            return String::new();
        };
        def.priority
            .iter()
            .map(|(source, desc)| {
                let name = crate::program::source_name(self, *source);
                if *desc {
                    format!("{name} desc")
                } else {
                    name.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The action a capacity's queued loans get instead, if any.
    pub fn capacity_fallback(&self, capacity: CapacityId) -> Option<ActionId> {
        self.capacities.get(capacity.index())?.fallback
    }

    /// The actions a capacity limits.
    pub fn capacity_actions(&self, capacity: CapacityId) -> &[ActionId] {
        self.capacities
            .get(capacity.index())
            .map_or(&[], |c| c.actions.as_slice())
    }

    /// Decides `loan` (among its borrower's loans when `borrower` is given) and says which
    /// capacities it claims, for the first reading of the book. On the workers.
    pub fn claims(
        &self,
        key: &str,
        loan: &Loan,
        as_of: NaiveDate,
        borrower: Option<&mut BorrowerContext>,
    ) -> Claims {
        if self.capacities.is_empty() {
            return Claims::default();
        }
        let wanted = &self.capacity_values;
        let (evaluation, values) = match borrower {
            Some(borrower) => self.evaluate_with_values_in(loan, borrower, as_of, wanted),
            None => self.evaluate_with_values(loan, as_of, wanted),
        };
        let read = |source: ReadSource| -> Value {
            match source {
                ReadSource::Field(slot) => {
                    loan.field(slot.index()).cloned().unwrap_or(Value::Missing)
                }
                ReadSource::Derived(value) => wanted
                    .iter()
                    .position(|&v| v == value.index())
                    .and_then(|at| values.get(at))
                    .cloned()
                    .unwrap_or(Value::Missing),
                _ => Value::Missing,
            }
        };
        let mut claims = Vec::new();
        for (index, def) in self.capacities.iter().enumerate() {
            let claiming = evaluation
                .actions
                .iter()
                .any(|a| def.actions.binary_search(a).is_ok());
            if !claiming {
                continue;
            }
            let group = def.group.and_then(|source| {
                let value = read(source);
                if value == Value::Missing {
                    return None;
                }
                Some(
                    match crate::program::to_json(
                        self,
                        crate::program::kind_of(self, source),
                        &value,
                    ) {
                        serde_json::Value::String(text) => text,
                        other => other.to_string(),
                    },
                )
            });
            let mut order = Vec::with_capacity(24 * def.priority.len() + key.len());
            for (source, desc) in &def.priority {
                push_order(&mut order, &read(*source), *desc);
            }
            order.extend_from_slice(key.as_bytes());
            claims.push(Claim {
                capacity: CapacityId::new(index),
                group,
                order,
            });
        }
        Claims(claims)
    }
}

/// Appends `value` as bytes that compare as the priority orders: a present value before a
/// missing one in either direction, then the value at a fixed width for its type (its bytes
/// inverted when largest first), so that byte order over the whole key is the claiming order.
fn push_order(out: &mut Vec<u8>, value: &Value, desc: bool) {
    let mut bytes: Vec<u8> = match value {
        Value::Bool(b) => vec![u8::from(*b)],
        Value::Int(n) | Value::Days(n) => signed(*n).to_vec(),
        Value::Date(date) => signed(i64::from(date.num_days_from_ce())).to_vec(),
        Value::Time(time) => time.num_seconds_from_midnight().to_be_bytes().to_vec(),
        Value::Money(amount) => money(*amount),
        _ => {
            out.push(1);
            return;
        }
    };
    out.push(0);
    if desc {
        bytes.iter_mut().for_each(|b| *b = !*b);
    }
    out.extend_from_slice(&bytes);
}

/// A whole number as 8 bytes whose byte order is its numeric order.
fn signed(n: i64) -> [u8; 8] {
    (n.cast_unsigned() ^ (1 << 63)).to_be_bytes()
}

/// An amount as 25 bytes whose byte order is its numeric order: the whole part rounded down
/// (above −2⁹⁶, a `Decimal`'s range, so 13 bytes once offset by 2⁹⁶), then the fraction
/// scaled to 28 places (a `Decimal` has at most 28; below 10²⁸ < 2⁹⁶, so 12 bytes).
fn money(amount: Decimal) -> Vec<u8> {
    let floor = amount.floor();
    let whole = floor
        .to_i128()
        .and_then(|w| w.checked_add(1 << 96))
        .unwrap_or(0)
        .cast_unsigned();
    let fraction = amount - floor;
    let scaled = 10u128
        .checked_pow(28u32.saturating_sub(fraction.scale()))
        .and_then(|p| fraction.mantissa().unsigned_abs().checked_mul(p))
        .unwrap_or(0);
    whole
        .to_be_bytes()
        .into_iter()
        .skip(3)
        .chain(scaled.to_be_bytes().into_iter().skip(4))
        .collect()
}

/// How a book's first reading for capacities is made.
#[derive(Clone, Copy, Debug)]
pub struct Allocating<'p> {
    /// The policy.
    pub program: &'p Program,
    /// The evaluation date.
    pub as_of: NaiveDate,
    /// For a policy that reads borrowers: how the book holds them.
    pub order: BorrowerOrder,
    /// A loan whose record number the caller wants (`explain`'s loan), if any.
    pub find: Option<&'p str>,
}

/// The first reading of a book for a policy with capacities: decides every loan (a borrower at
/// a time when the policy reads borrowers, through [`crate::run_batch_by_borrower`], else
/// through [`crate::run_batch`]), gathers what each claims, and ranks the claims. Returns the
/// allocation and the record number of `how.find`, when the book has it. `open` opens the
/// book (more than once for an unsorted book of a borrower-level policy); rows the book
/// rejects are the second reading's to report.
pub fn allocate(
    open: &dyn Fn() -> Result<RecordStream, StreamError>,
    file: &str,
    how: &Allocating<'_>,
    options: &BatchOptions,
    progress: &dyn Fn(u64),
) -> Result<(Allocation, Option<u64>), BatchError<std::convert::Infallible>> {
    let Allocating {
        program,
        as_of,
        order,
        find,
    } = *how;
    let mut demand = Demand::new(program);
    let mut found = None;
    let mut add = |row: BatchRow<Claims>| {
        if let BatchRow::Decided {
            number, value, key, ..
        } = row
        {
            if find == Some(key.as_str()) {
                found = Some(number);
            }
            if !value.is_empty() {
                demand.add(number, value);
            }
        }
        Ok(Flow::Continue)
    };
    if program.reads_borrowers() {
        let by = ByBorrower {
            program,
            as_of,
            traced: false,
            order,
        };
        let decide = |_: u64, key: &str, loan: &Loan, borrower: &mut BorrowerContext| {
            program.claims(key, loan, as_of, Some(borrower))
        };
        crate::batch::run_batch_by_borrower(open, file, &by, options, decide, &mut add, progress)?;
    } else {
        let decide = |record: &mut crate::batch::Record<'_>| {
            let (key, loan) = record.loan(program.schema())?;
            let claims = program.claims(&key, &loan, as_of, None);
            Ok((key, claims))
        };
        let stream = open().map_err(BatchError::Read)?;
        crate::batch::run_batch(
            stream,
            file,
            program.schema(),
            options,
            decide,
            &mut add,
            progress,
        )?;
    }
    Ok((demand.allocate(), found))
}

/// The claims of one group, gathered in input order: their order keys packed end to end,
/// each key's length, and each loan's position in the book (10 bytes a claim beside its key;
/// where each key starts is worked out when the group is ranked).
#[derive(Default)]
struct GroupClaims {
    keys: Vec<u8>,
    lengths: Vec<u16>,
    numbers: Vec<u64>,
}

/// Every claim of a book, by capacity and group, gathered in input order
/// ([`Demand::add`]) until [`Demand::allocate`] ranks them.
pub struct Demand {
    groups: Vec<BTreeMap<Option<String>, GroupClaims>>,
}

impl Demand {
    /// Nothing claimed yet, for `program`'s capacities.
    pub fn new(program: &Program) -> Demand {
        Demand {
            groups: program.capacities.iter().map(|_| BTreeMap::new()).collect(),
        }
    }

    /// Adds the claims of the loan at position `number` of the book (any numbering that the
    /// second reading repeats, such as [`crate::Record::number`]).
    pub fn add(&mut self, number: u64, claims: Claims) {
        for claim in claims.0 {
            let Some(groups) = self.groups.get_mut(claim.capacity.index()) else {
                continue;
            };
            let group = groups.entry(claim.group).or_default();
            // A key is a few priority values and a loan id: far below 64 KiB.
            group
                .lengths
                .push(u16::try_from(claim.order.len()).unwrap_or(u16::MAX));
            group.numbers.push(number);
            group
                .keys
                .extend(claim.order.iter().take(usize::from(u16::MAX)));
        }
    }

    /// Ranks each group's claims by priority, then key.
    pub fn allocate(self) -> Allocation {
        // Sized once: growing it by doubling would, at its last step, hold it twice.
        let claims = self
            .groups
            .iter()
            .flat_map(|by_group| by_group.values())
            .map(|g| g.numbers.len())
            .sum();
        let mut verdicts = Vec::with_capacity(claims);
        let mut groups = Vec::with_capacity(self.groups.len());
        for (capacity, by_group) in self.groups.into_iter().enumerate() {
            let mut demands = Vec::with_capacity(by_group.len());
            for (group_index, (group, claimed)) in by_group.into_iter().enumerate() {
                let GroupClaims {
                    keys,
                    lengths,
                    numbers,
                } = claimed;
                // Each claim's key, by where it starts and ends in `keys`.
                let mut order: Vec<(usize, usize, u64)> = Vec::with_capacity(numbers.len());
                let mut start = 0;
                for (length, number) in lengths.into_iter().zip(numbers) {
                    let end = start + usize::from(length);
                    order.push((start, end, number));
                    start = end;
                }
                let key_of = |&(start, end, _): &(usize, usize, u64)| keys.get(start..end);
                order.sort_unstable_by(|a, b| key_of(a).cmp(&key_of(b)));
                for (rank, &(_, _, number)) in order.iter().enumerate() {
                    verdicts.push(Verdict {
                        number,
                        capacity: u32::try_from(capacity).unwrap_or(u32::MAX),
                        group: u32::try_from(group_index).unwrap_or(u32::MAX),
                        rank: rank as u64 + 1,
                    });
                }
                demands.push(GroupDemand {
                    group,
                    demand: order.len() as u64,
                });
            }
            groups.push(demands);
        }
        verdicts.sort_unstable_by_key(|v| (v.number, v.capacity));
        Allocation { verdicts, groups }
    }
}

/// One claim's place in its group.
#[derive(Clone, Copy, Debug)]
struct Verdict {
    number: u64,
    capacity: u32,
    group: u32,
    rank: u64,
}

/// How many loans of one group claimed a capacity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDemand {
    /// The group in words (`None`: loans without a value, or the whole book).
    pub group: Option<String>,
    /// How many loans claimed.
    pub demand: u64,
}

/// Every claim's place in its group: what [`Allocation::apply`] tells each loan on the
/// second reading of the book.
#[derive(Debug)]
pub struct Allocation {
    verdicts: Vec<Verdict>,
    groups: Vec<Vec<GroupDemand>>,
}

impl Allocation {
    /// The groups of `capacity` that loans claimed, in order of their names.
    pub fn groups(&self, capacity: CapacityId) -> &[GroupDemand] {
        self.groups
            .get(capacity.index())
            .map_or(&[], |g| g.as_slice())
    }

    /// Applies the capacities to the evaluation of the loan at position `number` (decided as
    /// on the first reading): a loan past its group's limit has the limited actions moved out
    /// of its actions and gets the fallback, unless a guard forbids it or it has it already.
    pub fn apply(&self, program: &Program, number: u64, evaluation: &mut Evaluation) {
        let start = self.verdicts.partition_point(|v| v.number < number);
        for verdict in self
            .verdicts
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|v| v.number == number)
        {
            let capacity = CapacityId::from_raw(verdict.capacity);
            let Some(def) = program.capacities.get(capacity.index()) else {
                continue;
            };
            let Some(group) = self
                .groups
                .get(capacity.index())
                .and_then(|g| g.get(verdict.group as usize))
            else {
                continue;
            };
            let queued = (verdict.rank > u64::from(def.limit)).then(|| {
                let limited = |a: &ActionId| def.actions.binary_search(a).is_ok();
                let at = evaluation.actions.iter().position(limited);
                let actions: Vec<ActionId> =
                    evaluation.actions.iter().copied().filter(limited).collect();
                evaluation.actions.retain(|a| !limited(a));
                let instead = match def.fallback {
                    None => Fallback::None,
                    Some(fallback) => {
                        if let Some(&(_, guard)) = evaluation
                            .forbidden_fallbacks
                            .iter()
                            .find(|(a, _)| *a == fallback)
                        {
                            Fallback::Forbidden(fallback, guard)
                        } else if evaluation.actions.contains(&fallback) {
                            Fallback::AlreadyGiven(fallback)
                        } else {
                            let at = at.unwrap_or(evaluation.actions.len());
                            evaluation
                                .actions
                                .insert(at.min(evaluation.actions.len()), fallback);
                            Fallback::Given(fallback)
                        }
                    }
                };
                Queued {
                    actions,
                    place: verdict.rank - u64::from(def.limit),
                    instead,
                }
            });
            evaluation.capacity.push(Claimed {
                capacity,
                group: group.group.clone(),
                rank: verdict.rank,
                demand: group.demand,
                limit: def.limit,
                queued,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(value: &Value, desc: bool) -> Vec<u8> {
        let mut out = Vec::new();
        push_order(&mut out, value, desc);
        out
    }

    /// Byte order is the values' order, both ways, and a missing value comes last both ways.
    #[test]
    fn order_keys_compare_as_the_values_do() {
        let amounts: Vec<Decimal> = [
            "-79228162514264337593543950335",
            "-1000000.01",
            "-0.5",
            "-0.0000000000000000000000000001",
            "0",
            "0.0000000000000000000000000001",
            "0.1",
            "0.1000000000000000000000000001",
            "1",
            "99.99",
            "100",
            "1000000.00",
            "79228162514264337593543950335",
        ]
        .iter()
        .map(|s| s.parse().expect("a decimal"))
        .collect();
        let days = [i64::MIN, -31, -1, 0, 1, 30, i64::MAX];
        let dates = [
            NaiveDate::from_ymd_opt(1900, 1, 1),
            NaiveDate::from_ymd_opt(2026, 11, 20),
            NaiveDate::from_ymd_opt(2026, 11, 21),
        ];
        let sequences: Vec<Vec<Value>> = vec![
            amounts.into_iter().map(Value::Money).collect(),
            days.into_iter().map(Value::Days).collect(),
            dates.into_iter().flatten().map(Value::Date).collect(),
            vec![Value::Bool(false), Value::Bool(true)],
        ];
        for values in sequences {
            for pair in values.windows(2) {
                let [a, b] = pair else { continue };
                assert!(key(a, false) < key(b, false), "{a:?} < {b:?}");
                assert!(key(a, true) > key(b, true), "{a:?} > {b:?} largest first");
                assert!(key(b, false) < key(&Value::Missing, false));
                assert!(key(a, true) < key(&Value::Missing, true));
            }
        }
        // Equal amounts written at different scales are one place.
        let (a, b): (Decimal, Decimal) =
            ("1.5".parse().expect("1.5"), "1.50".parse().expect("1.50"));
        assert_eq!(key(&Value::Money(a), false), key(&Value::Money(b), false));
    }
}
