//! What a policy would do to a portfolio, in numbers: loans and amounts per action, per decision
//! outcome, per overdue bucket and bucket × action, vetoes per guard, rejected rows per reason,
//! the overdue rate and NPL ratio, and each experiment's arms. Amounts are exact and kept per
//! currency; every table that partitions the portfolio adds up to its totals.

pub mod render;
pub mod roll;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::eval::BorrowerContext;
use crate::input::Rejected;
use crate::program::Ty;
use crate::program::ir::{Expr, ExprKind};
use crate::program::{GuardId, Program, ValueId};
use crate::tally::{AmountError, AmountFields, Tally};
use crate::value::{Loan, Value};

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
    /// For a policy that reads borrowers: how many borrowers the loans decided belong to.
    pub borrowers: Option<u64>,
    /// Per decision made per borrower, per outcome: borrowers (each counted once).
    pub by_borrower_decision: Vec<(String, Vec<(String, u64)>)>,
    /// Per capacity of the policy: its groups' demand and queue (empty without capacities).
    pub capacities: Vec<CapacityTable>,
    /// With an earlier snapshot of the book: how its loans moved since.
    pub roll: Option<roll::RollRates>,
}

/// One capacity over the book: what it allows, and per group what was asked of it.
#[derive(Debug, Clone)]
pub struct CapacityTable {
    /// The action or kind it limits.
    pub name: String,
    /// Loans a group takes a day.
    pub limit: u32,
    /// What the groups are (`None`: one limit for the book).
    pub group_by: Option<String>,
    /// The order loans claim it in, in the policy's words.
    pub priority: String,
    /// What queued loans get instead.
    pub fallback: Option<String>,
    /// Per group, in order of the groups' names: loans without a group last.
    pub groups: Vec<CapacityGroup>,
}

/// What one group asked of a capacity.
#[derive(Debug, Clone, Default)]
pub struct CapacityGroup {
    /// The group in words (`None`: loans without a value, or the whole book).
    pub group: Option<String>,
    /// Loans that claimed it, with their amounts.
    pub demand: Tally,
    /// Loans past the limit, with their amounts.
    pub queued: Tally,
    /// Of those, loans that got the fallback instead.
    pub fallback_given: u64,
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

/// A row key the summary makes itself as a reader of `lang` reads it: a bucket label of
/// [`bucket_labels`] (`current` is `未逾期`, `M1 (1–30)` is `M1（1–30天）`), `(no action)`,
/// and a decision's `nothing`, `no rule matched` and `none`; `None` for any other key (the
/// policy's own names). The keys themselves stay English: JSON and CSV carry them.
pub fn key_words(label: &str, lang: crate::lang::Lang) -> Option<String> {
    use crate::lang::tr;
    match label {
        "current" => return Some(tr!(lang, "bucket-current")),
        NO_ACTION => return Some(tr!(lang, "report-no-action")),
        "nothing" | "no rule matched" | "none" => {
            return Some(crate::program::Program::outcome_words(label, lang));
        }
        _ => {}
    }
    if let Some((name, range)) = label.split_once(" (")
        && let Some(range) = range.strip_suffix(')')
        && name.starts_with('M')
    {
        return Some(match range.strip_prefix("over ") {
            Some(days) => tr!(lang, "bucket-named-over", name = name, days = days),
            None => tr!(lang, "bucket-named", name = name, range = range),
        });
    }
    if let Some(range) = label.strip_suffix(" days")
        && range.contains('–')
    {
        return Some(tr!(lang, "bucket-days", range = range));
    }
    label
        .strip_prefix("over ")
        .filter(|days| days.chars().all(|c| c.is_ascii_digit()))
        .map(|days| tr!(lang, "bucket-over", days = days))
}

/// One arm of an experiment while counting: its loans, and its loans per primary action.
type ArmTally = (Tally, BTreeMap<String, Tally>);

/// Per loan, what the tables need.
#[derive(Debug)]
struct Facts {
    currency: String,
    amount: Decimal,
    bucket: usize,
    actions: Vec<String>,
    outcomes: Vec<String>,
    vetoed: Vec<(String, String)>,
    arms: Vec<String>,
    overdue: bool,
    /// The loan is its borrower's first one decided (`None`: the policy reads no borrowers).
    first_of_borrower: Option<bool>,
    /// Each capacity claimed: its index, the loan's group, whether it was queued and got the
    /// fallback.
    claims: Vec<(usize, Option<String>, bool, bool)>,
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

/// Why a report cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SummaryError {
    /// The amount field is not in the schema, or not money.
    Amount(AmountError),
    /// The policy has no days value named by `--overdue`.
    NoOverdueValue(String),
}

impl std::fmt::Display for SummaryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SummaryError::Amount(error) => write!(f, "{error}"),
            SummaryError::NoOverdueValue(name) => write!(
                f,
                "the policy has no value `{name}` counting days overdue; name it with --overdue"
            ),
        }
    }
}

impl std::error::Error for SummaryError {}

/// What a report needs to know about a policy, found once: which fields hold the amount and
/// currency, which value counts days overdue, which values assign experiment arms. Shared by
/// the worker threads, which compute each loan's [`LoanFacts`] with it.
#[derive(Debug)]
pub struct Summarizer<'p> {
    program: &'p Program,
    as_of: NaiveDate,
    options: SummaryOptions,
    fields: AmountFields,
    /// The derived values each loan's facts need, from its own evaluation: days overdue first,
    /// then each experiment's arm.
    wanted: Vec<usize>,
    experiments: Vec<usize>,
    buckets: Vec<String>,
    /// The capacities' ranking, applied to each loan by its position in the book.
    allocation: Option<&'p crate::capacity::Allocation>,
}

/// What one loan adds to the report's tables.
#[derive(Debug)]
pub struct LoanFacts(Facts);

/// The report's tables while loans are added, in input order.
#[derive(Debug, Default)]
pub struct Tables {
    read: u64,
    decided: Tally,
    overdue: Tally,
    npl: Tally,
    by_action: BTreeMap<String, Tally>,
    by_primary: BTreeMap<String, Tally>,
    by_bucket: BTreeMap<String, Tally>,
    by_decision: Vec<BTreeMap<String, Tally>>,
    bucket_action: Vec<BTreeMap<String, Tally>>,
    vetoed: BTreeMap<String, BTreeMap<String, Tally>>,
    /// Per experiment, per arm: the arm's loans, and its action mix.
    arms: Vec<BTreeMap<String, ArmTally>>,
    rejected: BTreeMap<String, (u64, String)>,
    borrowers: Option<u64>,
    /// Per decision, per outcome, borrowers (filled for decisions made per borrower).
    borrower_outcomes: Vec<BTreeMap<String, u64>>,
    /// Per capacity, per group.
    capacity: Vec<BTreeMap<Option<String>, CapacityGroup>>,
}

impl<'p> Summarizer<'p> {
    /// Prepares a report of what `program` does on `as_of`.
    pub fn new(
        program: &'p Program,
        as_of: NaiveDate,
        options: &SummaryOptions,
    ) -> Result<Summarizer<'p>, SummaryError> {
        let fields = AmountFields::find(program, &options.amount, &options.currency)
            .map_err(SummaryError::Amount)?;
        let overdue = program
            .derived
            .iter()
            .position(|d| d.named.name == options.overdue && d.ty == Ty::Days)
            .ok_or_else(|| SummaryError::NoOverdueValue(options.overdue.clone()))?;
        let experiments: Vec<usize> = program
            .derived
            .iter()
            .enumerate()
            .filter(|(_, d)| d.ty == Ty::Bool && uses_bucket(&d.expr))
            .map(|(i, _)| i)
            .collect();
        let wanted = std::iter::once(overdue)
            .chain(experiments.iter().copied())
            .collect();
        Ok(Summarizer {
            program,
            as_of,
            fields,
            wanted,
            experiments,
            buckets: bucket_labels(&options.edges),
            options: options.clone(),
            allocation: None,
        })
    }

    /// Applies a policy's capacities (ranked over the same book) to each loan reported.
    pub fn with_allocation(mut self, allocation: &'p crate::capacity::Allocation) -> Self {
        self.allocation = Some(allocation);
        self
    }

    /// The policy it reports on.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// The buckets' names, in order.
    pub fn buckets(&self) -> &[String] {
        &self.buckets
    }

    /// The names of the experiments' values, in the order facts list their arms.
    pub fn experiment_names(&self) -> Vec<String> {
        self.experiments
            .iter()
            .map(|i| self.program.value_name(ValueId::new(*i)).to_owned())
            .collect()
    }

    /// Empty tables to add loans to.
    pub fn tables(&self) -> Tables {
        Tables {
            by_decision: vec![BTreeMap::new(); self.program.decisions().len()],
            bucket_action: vec![BTreeMap::new(); self.buckets.len()],
            arms: vec![BTreeMap::new(); self.experiments.len()],
            borrower_outcomes: vec![BTreeMap::new(); self.program.decisions().len()],
            capacity: vec![BTreeMap::new(); self.program.capacities().len()],
            ..Tables::default()
        }
    }

    /// Decides `loan`, the book's record `number`, and returns what it adds to the tables.
    /// Thread-safe.
    pub fn facts(&self, number: u64, loan: &Loan) -> LoanFacts {
        let decided = self
            .program
            .evaluate_with_values(loan, self.as_of, &self.wanted);
        self.facts_of(number, loan, decided, None)
    }

    /// [`Summarizer::facts`] for a loan decided among its borrower's loans (in the order
    /// [`crate::run_batch_by_borrower`] hands them out): the report then counts borrowers too.
    pub fn facts_in(&self, number: u64, loan: &Loan, borrower: &mut BorrowerContext) -> LoanFacts {
        let first = borrower.is_first();
        let decided =
            self.program
                .evaluate_with_values_in(loan, borrower, self.as_of, &self.wanted);
        self.facts_of(number, loan, decided, Some(first))
    }

    fn facts_of(
        &self,
        number: u64,
        loan: &Loan,
        (mut evaluation, values): (crate::program::Evaluation, Vec<Value>),
        first_of_borrower: Option<bool>,
    ) -> LoanFacts {
        let program = self.program;
        if let Some(allocation) = self.allocation {
            allocation.apply(program, number, &mut evaluation);
        }
        let claims = evaluation
            .capacity
            .iter()
            .map(|claimed| {
                let given = claimed
                    .queued
                    .as_ref()
                    .is_some_and(|q| matches!(q.instead, crate::program::Fallback::Given(_)));
                (
                    claimed.capacity.index(),
                    claimed.group.clone(),
                    claimed.queued.is_some(),
                    given,
                )
            })
            .collect();
        let (amount, currency) = self.fields.read(loan);
        let days = match values.first() {
            Some(Value::Days(n)) => *n,
            _ => 0,
        };
        let bucket = if days <= 0 {
            0
        } else {
            1 + self
                .options
                .edges
                .iter()
                .take_while(|edge| days > **edge)
                .count()
        };
        let outcomes = program
            .decisions()
            .zip(&evaluation.outcomes)
            .map(|(decision, outcome)| program.outcome_text(decision, outcome))
            .collect();
        let guard = |g: &GuardId| program.guard_name(*g).to_owned();
        LoanFacts(Facts {
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
            arms: values
                .iter()
                .skip(1)
                .map(|value| match value {
                    Value::Bool(true) => "true".to_owned(),
                    _ => "false".to_owned(),
                })
                .collect(),
            overdue: days > 0,
            first_of_borrower,
            claims,
        })
    }

    /// Adds one decided loan's facts to `tables`.
    pub fn add(&self, tables: &mut Tables, facts: LoanFacts) {
        let LoanFacts(fact) = facts;
        tables.read += 1;
        let none = NO_ACTION;
        let (c, a) = (fact.currency.as_str(), fact.amount);
        tables.decided.add(c, a);
        let primary = fact.actions.first().map_or(none, String::as_str);
        add(&mut tables.by_primary, primary, c, a);
        if fact.actions.is_empty() {
            add(&mut tables.by_action, none, c, a);
        }
        for action in &fact.actions {
            add(&mut tables.by_action, action, c, a);
        }
        for (table, outcome) in tables.by_decision.iter_mut().zip(&fact.outcomes) {
            add(table, outcome, c, a);
        }
        if let Some(label) = self.buckets.get(fact.bucket) {
            add(&mut tables.by_bucket, label, c, a);
        }
        if let Some(table) = tables.bucket_action.get_mut(fact.bucket) {
            add(table, primary, c, a);
        }
        for (guard, action) in &fact.vetoed {
            add(
                tables.vetoed.entry(guard.clone()).or_default(),
                action,
                c,
                a,
            );
        }
        for (table, arm) in tables.arms.iter_mut().zip(&fact.arms) {
            let (tally, mix) = table.entry(arm.clone()).or_default();
            tally.add(c, a);
            add(mix, primary, c, a);
        }
        if fact.overdue {
            tables.overdue.add(c, a);
        }
        for (capacity, group, queued, given) in fact.claims {
            if let Some(groups) = tables.capacity.get_mut(capacity) {
                let row = groups.entry(group).or_default();
                row.demand.add(c, a);
                if queued {
                    row.queued.add(c, a);
                }
                row.fallback_given += u64::from(given);
            }
        }
        if let Some(first) = fact.first_of_borrower {
            let borrowers = tables.borrowers.get_or_insert(0);
            if first {
                *borrowers += 1;
                for ((table, outcome), decision) in tables
                    .borrower_outcomes
                    .iter_mut()
                    .zip(&fact.outcomes)
                    .zip(self.program.decisions())
                {
                    if self.program.is_per_borrower(decision) {
                        *table.entry(outcome.clone()).or_default() += 1;
                    }
                }
            }
        }
        if let Some(index) = self.classification()
            && fact
                .outcomes
                .get(index)
                .is_some_and(|o| self.options.non_performing.contains(o))
        {
            tables.npl.add(c, a);
        }
    }

    /// Adds one rejected row to `tables`.
    pub fn reject(&self, tables: &mut Tables, rejected: &Rejected) {
        tables.read += 1;
        let entry = tables
            .rejected
            .entry(rejected.code.id.to_owned())
            .or_insert((0, rejected.reason.clone()));
        entry.0 += 1;
    }

    fn classification(&self) -> Option<usize> {
        self.program
            .decision_names()
            .position(|n| n == self.options.classification)
    }

    /// The summary of every row added.
    pub fn finish(&self, tables: Tables) -> Summary {
        let program = self.program;
        let Tables {
            read,
            decided,
            overdue,
            npl,
            by_action,
            by_primary,
            by_bucket,
            by_decision,
            bucket_action,
            mut vetoed,
            arms,
            rejected,
            borrowers,
            borrower_outcomes,
            capacity,
        } = tables;
        let action_order: Vec<String> = program
            .actions()
            .map(|a| program.action_name(a).to_owned())
            .chain(std::iter::once(NO_ACTION.to_owned()))
            .collect();
        let buckets = self.buckets.clone();
        let guard_order: Vec<String> = program
            .guards()
            .map(|g| program.guard_name(g).to_owned())
            .collect();
        Summary {
            read,
            decided,
            overdue,
            non_performing: self.classification().map(|_| npl),
            by_action: ordered(by_action, &action_order),
            by_primary_action: ordered(by_primary, &action_order),
            by_bucket: ordered(by_bucket, &buckets),
            bucket_action: buckets
                .iter()
                .cloned()
                .zip(bucket_action)
                .map(|(b, rows)| (b, ordered(rows, &action_order)))
                .collect(),
            by_decision: program
                .decisions()
                .zip(by_decision)
                .map(|(d, rows)| {
                    let order: Vec<String> = program
                        .outcome_names(d)
                        .into_iter()
                        .map(str::to_owned)
                        .collect();
                    (program.decision_name(d).to_owned(), ordered(rows, &order))
                })
                .collect(),
            vetoed: guard_order
                .iter()
                .filter_map(|g| {
                    vetoed
                        .remove(g)
                        .map(|rows| (g.clone(), ordered(rows, &action_order)))
                })
                .collect(),
            experiments: self
                .experiments
                .iter()
                .zip(arms)
                .map(|(i, table)| {
                    let name = program.value_name(ValueId::new(*i)).to_owned();
                    let arms = table
                        .into_iter()
                        .rev()
                        .map(|(arm, (tally, mix))| (arm, tally, ordered(mix, &action_order)))
                        .collect();
                    Experiment { name, arms }
                })
                .collect(),
            rejected: rejected
                .into_iter()
                .map(|(code, (n, reason))| (code, n, reason))
                .collect(),
            buckets,
            borrowers,
            by_borrower_decision: program
                .decisions()
                .zip(borrower_outcomes)
                .filter(|(d, _)| program.is_per_borrower(*d))
                .map(|(d, mut counts)| {
                    let rows = program
                        .outcome_names(d)
                        .into_iter()
                        .map(str::to_owned)
                        .chain(counts.keys().cloned().collect::<Vec<_>>())
                        .filter_map(|name| counts.remove(&name).map(|n| (name, n)))
                        .collect();
                    (program.decision_name(d).to_owned(), rows)
                })
                .collect(),
            roll: None,
            capacities: program
                .capacities()
                .zip(capacity)
                .map(|(id, groups)| CapacityTable {
                    name: program.capacity_name(id).to_owned(),
                    limit: program.capacity_limit(id),
                    group_by: program.capacity_group(id).map(str::to_owned),
                    priority: program.capacity_priority(id),
                    fallback: program
                        .capacity_fallback(id)
                        .map(|a| program.action_name(a).to_owned()),
                    // Named groups in order, then loans without a value.
                    groups: {
                        let (mut named, unnamed): (Vec<_>, Vec<_>) =
                            groups.into_iter().partition(|(group, _)| group.is_some());
                        named.extend(unnamed);
                        named
                            .into_iter()
                            .map(|(group, row)| CapacityGroup { group, ..row })
                            .collect()
                    },
                })
                .collect(),
        }
    }
}

/// The row of loans left with no action.
const NO_ACTION: &str = "(no action)";

fn uses_bucket(expr: &Expr) -> bool {
    let mut found = matches!(expr.kind, ExprKind::Bucket { .. });
    expr.for_each_child(&mut |child| found |= uses_bucket(child));
    found
}
