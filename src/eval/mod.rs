//! Deciding one loan: evaluate the decisions in order, apply the guards, list the actions.
//!
//! INVARIANT: a pure function of `(Program, Loan, as_of)`. No I/O, no clock, no randomness, no
//! panics: arithmetic is checked, and a value the checker proved impossible (a missing value
//! in a comparison, an overflow) makes the comparison false rather than stopping the run.

mod plan;
mod settle;
mod trace;

use std::borrow::Cow;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use smallvec::SmallVec;

pub(crate) use crate::program::ReadSource;
pub use plan::Decider;
pub use trace::{
    BorrowerTrace, BorrowerValueTrace, DecisionTrace, DerivedTrace, GuardTrace, Needs, Read,
    RuleTrace, TestTrace, Trace,
};

use crate::program::HitPolicy;
use crate::program::Program;
use crate::program::ir::{DateFn, Expr, ExprKind, FoldOp, Outcome};
use crate::program::{
    ActionId, BorrowerValueId, DecisionId, GuardId, OutcomeId, RuleId, Slot, ValueId,
};
pub(crate) use crate::program::{DecisionOutcome, Evaluation};
use crate::value::{Loan, Value};

impl Program {
    /// Decides one loan. For a policy that reads a borrower's loans together, the loan is
    /// taken as the only loan of its borrower ([`Program::evaluate_in`] decides it among the
    /// others).
    pub fn evaluate(&self, loan: &Loan, as_of: NaiveDate) -> Evaluation {
        if self.reads_borrowers() {
            let mut borrower = self.borrower_context(&[loan], as_of, false);
            return self.evaluate_in(loan, &mut borrower, as_of);
        }
        Evaluator::new(self, loan, as_of, false, None).run().0
    }

    /// Decides one loan and records why: every rule tried, every value read.
    pub fn evaluate_traced(&self, loan: &Loan, as_of: NaiveDate) -> (Evaluation, Trace) {
        if self.reads_borrowers() {
            let mut borrower = self.borrower_context(&[loan], as_of, true);
            return self.evaluate_traced_in(loan, &mut borrower, as_of);
        }
        let (evaluation, trace) = Evaluator::new(self, loan, as_of, true, None).run();
        (evaluation, trace.unwrap_or_default())
    }

    /// Decides one loan and also returns the derived values `wanted` (by index), from the same
    /// evaluation: a value that reads a decision sees the decision's outcome for this loan, as
    /// it does while deciding.
    pub fn evaluate_with_values(
        &self,
        loan: &Loan,
        as_of: NaiveDate,
        wanted: &[usize],
    ) -> (Evaluation, Vec<Value>) {
        let mut borrower = self
            .reads_borrowers()
            .then(|| self.borrower_context(&[loan], as_of, false));
        self.with_values(loan, borrower.as_mut(), as_of, wanted)
    }

    /// What the loans of one borrower share: the values over all of them (each computed
    /// once, from each loan alone), and room for the outcomes of the decisions made once per
    /// borrower. `loans` are the borrower's loans that were read, in input order; each of
    /// them is then decided with [`Program::evaluate_in`], in that order.
    pub fn borrower_context(
        &self,
        loans: &[&Loan],
        as_of: NaiveDate,
        traced: bool,
    ) -> BorrowerContext {
        let mut values: Vec<Option<Value>> = vec![None; self.borrower_values.len()];
        let mut per_loan: Vec<Vec<Value>> = if traced {
            vec![Vec::with_capacity(loans.len()); self.borrower_values.len()]
        } else {
            Vec::new()
        };
        for loan in loans {
            // One evaluator per loan, so the loan's derived values are computed once for
            // every value over the borrower that reads them.
            let mut evaluator = Evaluator::new(self, loan, as_of, false, None);
            for (index, definition) in self.borrower_values.iter().enumerate() {
                let value = evaluator.value(&definition.per_loan);
                if let Some(parts) = per_loan.get_mut(index) {
                    parts.push(value.clone());
                }
                if let Some(slot) = values.get_mut(index) {
                    *slot = definition.fold(slot.take(), value);
                }
            }
        }
        let values: Vec<Value> = values
            .into_iter()
            .zip(&self.borrower_values)
            .map(|(value, definition)| value.unwrap_or_else(|| definition.empty()))
            .collect();
        let trace = traced.then(|| BorrowerTrace {
            loans: loans.iter().map(|loan| self.key_of(loan)).collect(),
            values: values
                .iter()
                .zip(per_loan)
                .enumerate()
                .map(|(index, (result, per_loan))| BorrowerValueTrace {
                    value: BorrowerValueId::new(index),
                    result: result.clone(),
                    per_loan,
                })
                .collect(),
        });
        BorrowerContext {
            values,
            trace,
            decided: vec![None; self.decisions.len()],
            leader: None,
        }
    }

    /// Decides one loan of the borrower `borrower` describes.
    pub fn evaluate_in(
        &self,
        loan: &Loan,
        borrower: &mut BorrowerContext,
        as_of: NaiveDate,
    ) -> Evaluation {
        self.with_values(loan, Some(borrower), as_of, &[]).0
    }

    /// Decides one loan of the borrower `borrower` describes, and records why; the trace
    /// holds the values over the borrower's loans when `borrower` was made traced.
    pub fn evaluate_traced_in(
        &self,
        loan: &Loan,
        borrower: &mut BorrowerContext,
        as_of: NaiveDate,
    ) -> (Evaluation, Trace) {
        let (evaluation, trace) = {
            let evaluator = Evaluator::new(self, loan, as_of, true, Some(borrower));
            evaluator.run()
        };
        self.remember_shared(loan, borrower, &evaluation);
        let mut trace = trace.unwrap_or_default();
        trace.borrower = borrower.trace.clone();
        (evaluation, trace)
    }

    /// [`Program::evaluate_with_values`] for a loan of the borrower `borrower` describes.
    pub fn evaluate_with_values_in(
        &self,
        loan: &Loan,
        borrower: &mut BorrowerContext,
        as_of: NaiveDate,
        wanted: &[usize],
    ) -> (Evaluation, Vec<Value>) {
        self.with_values(loan, Some(borrower), as_of, wanted)
    }

    fn with_values(
        &self,
        loan: &Loan,
        mut borrower: Option<&mut BorrowerContext>,
        as_of: NaiveDate,
        wanted: &[usize],
    ) -> (Evaluation, Vec<Value>) {
        let (evaluation, values) = {
            let mut evaluator = Evaluator::new(self, loan, as_of, false, borrower.as_deref());
            let evaluation = evaluator.decide();
            let values = wanted
                .iter()
                .map(|&index| evaluator.derived(index))
                .collect();
            (evaluation, values)
        };
        if let Some(borrower) = borrower.as_mut() {
            self.remember_shared(loan, borrower, &evaluation);
        }
        (evaluation, values)
    }

    /// After the first loan of a borrower is decided, keeps the outcomes of the decisions made
    /// per borrower for the others.
    fn remember_shared(&self, loan: &Loan, borrower: &mut BorrowerContext, decided: &Evaluation) {
        if borrower.leader.is_some() {
            return;
        }
        borrower.leader = Some(self.key_of(loan));
        for ((slot, definition), outcome) in borrower
            .decided
            .iter_mut()
            .zip(&self.decisions)
            .zip(&decided.outcomes)
        {
            if definition.per_borrower {
                *slot = Some(outcome.clone());
            }
        }
    }

    /// The loan's key, as text.
    fn key_of(&self, loan: &Loan) -> String {
        match loan.fields.get(self.schema.key) {
            Some(Value::Text(key)) => key.to_string(),
            _ => String::new(),
        }
    }
}

/// What the loans of one borrower share while they are decided: the values over all of them
/// and, once the first is decided, the outcomes of the decisions made per borrower. Made by
/// [`Program::borrower_context`].
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct BorrowerContext {
    values: Vec<Value>,
    trace: Option<BorrowerTrace>,
    decided: Vec<Option<DecisionOutcome>>,
    /// The key of the loan decided first, whose trace holds the per-borrower decisions' rules.
    leader: Option<String>,
}

impl BorrowerContext {
    /// The values over the borrower's loans, by [`BorrowerValueId`].
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// True until the first of the borrower's loans is decided with it: the loan decided now
    /// is the borrower's first.
    pub fn is_first(&self) -> bool {
        self.leader.is_none()
    }
}

/// The value of one checked expression for `loan`: for the analysis, which builds candidate
/// loans and asks what each condition says about them. Decisions read this way are `Nothing`.
pub(crate) fn eval_expr<'a>(
    program: &'a Program,
    loan: &'a Loan,
    as_of: NaiveDate,
    expr: &'a Expr,
) -> Value {
    Evaluator::new(program, loan, as_of, false, None).value(expr)
}

/// Conditions asked of one loan, each derived value read once for them all: for the analysis,
/// which asks thousands of conditions about each candidate loan.
pub(crate) struct Truths<'p>(Evaluator<'p>);

impl<'p> Truths<'p> {
    /// Asks about `loan` on `as_of`.
    pub(crate) fn new(program: &'p Program, loan: &'p Loan, as_of: NaiveDate) -> Truths<'p> {
        Truths(Evaluator::new(program, loan, as_of, false, None))
    }

    /// Whether `condition` is true.
    pub(crate) fn truth(&mut self, condition: &'p Expr) -> bool {
        self.0.value(condition) == Value::Bool(true)
    }
}

struct Evaluator<'p> {
    program: &'p Program,
    loan: &'p Loan,
    as_of: NaiveDate,
    /// The loan's borrower, when its loans are decided together; without it, the loan is the
    /// borrower's only loan, and values over the borrower are computed from it alone.
    borrower: Option<&'p BorrowerContext>,
    /// Values over the borrower computed from this loan alone (when `borrower` is `None`).
    alone: Vec<Option<Value>>,
    /// The derived values computed so far, and the decisions' outcomes, by index: in place for
    /// the few a policy has, where two allocations per loan cost more than evaluating it.
    derived: SmallVec<[Option<Value>; 8]>,
    decisions: SmallVec<[Value; 4]>,
    /// The record being filtered or folded.
    item: Option<&'p [Value]>,
    trace: Option<Trace>,
    /// Reads by the condition being evaluated (only when tracing).
    reads: Vec<Read>,
}

impl<'p> Evaluator<'p> {
    fn new(
        program: &'p Program,
        loan: &'p Loan,
        as_of: NaiveDate,
        traced: bool,
        borrower: Option<&'p BorrowerContext>,
    ) -> Evaluator<'p> {
        Evaluator {
            program,
            loan,
            as_of,
            borrower,
            alone: Vec::new(),
            derived: std::iter::repeat_with(|| None)
                .take(program.derived.len())
                .collect(),
            decisions: std::iter::repeat_with(|| Value::Nothing)
                .take(program.decisions.len())
                .collect(),
            item: None,
            trace: traced.then(Trace::default),
            reads: Vec::new(),
        }
    }

    fn run(mut self) -> (Evaluation, Option<Trace>) {
        let evaluation = self.decide();
        (evaluation, self.trace)
    }

    fn decide(&mut self) -> Evaluation {
        let program = self.program;
        let mut outcomes = undecided(program);
        for &index in &program.order {
            let Some(decision) = program.decisions.get(index) else {
                continue;
            };
            if let Some(borrower) = self.borrower
                && let Some(Some(shared)) = borrower.decided.get(index)
            {
                // Made once for the borrower, on its first loan: the same here.
                if let (Some(slot), DecisionOutcome::First { value, .. }) =
                    (self.decisions.get_mut(index), shared)
                {
                    *slot = value.map_or(Value::Nothing, |v| Value::Outcome(v.raw()));
                }
                if let Some(slot) = outcomes.get_mut(index) {
                    *slot = shared.clone();
                }
                if let Some(trace) = self.trace.as_mut() {
                    trace.decisions.push(DecisionTrace {
                        decision: DecisionId::new(index),
                        rules: Vec::new(),
                        per_borrower: borrower.leader.clone(),
                    });
                }
                continue;
            }
            let mut rule_traces = Vec::new();
            let mut first: Option<(RuleId, Option<OutcomeId>)> = None;
            let mut hits = Vec::new();
            for (rule_index, rule) in decision.rules.iter().enumerate() {
                let rule_index = RuleId::new(rule_index);
                self.reads.clear();
                let (matched, tests) = match &rule.condition {
                    None => (true, Vec::new()),
                    Some(c) if self.trace.is_some() => self.settle(c),
                    Some(c) => (self.truth(c), Vec::new()),
                };
                let outcome = matched.then(|| self.outcome(&rule.outcome));
                if self.trace.is_some() {
                    rule_traces.push(RuleTrace {
                        rule: rule_index,
                        matched,
                        outcome: outcome.flatten(),
                        reads: std::mem::take(&mut self.reads),
                        tests,
                    });
                }
                if let Some(outcome) = outcome {
                    match decision.hit {
                        HitPolicy::First | HitPolicy::Unique => {
                            first = Some((rule_index, outcome));
                            break;
                        }
                        HitPolicy::Collect => hits.extend(outcome.map(|value| (rule_index, value))),
                    }
                }
            }
            let (outcome, seen) = decided(decision.hit, first, hits);
            if let Some(slot) = self.decisions.get_mut(index) {
                *slot = seen;
            }
            if let Some(slot) = outcomes.get_mut(index) {
                *slot = outcome;
            }
            if let Some(trace) = self.trace.as_mut() {
                trace.decisions.push(DecisionTrace {
                    decision: DecisionId::new(index),
                    rules: rule_traces,
                    per_borrower: decision
                        .per_borrower
                        .then(|| self.program.key_of(self.loan)),
                });
            }
        }

        let mut fired: SmallVec<[bool; 16]> = SmallVec::with_capacity(program.guards.len());
        for (index, guard) in program.guards.iter().enumerate() {
            self.reads.clear();
            let (on, tests) = if self.trace.is_some() {
                self.settle(&guard.condition)
            } else {
                (self.truth(&guard.condition), Vec::new())
            };
            fired.push(on);
            if let Some(trace) = self.trace.as_mut() {
                trace.guards.push(GuardTrace {
                    guard: GuardId::new(index),
                    fired: on,
                    reads: std::mem::take(&mut self.reads),
                    tests,
                });
            }
        }

        let mut deadlines = Vec::with_capacity(program.deadlines.len());
        for &index in &program.deadlines {
            deadlines.push(date_of(self.derived(index)));
        }
        conclude(program, outcomes, &fired, deadlines)
    }

    fn outcome(&mut self, outcome: &'p Outcome) -> Option<OutcomeId> {
        match outcome {
            Outcome::Nothing => None,
            Outcome::Value(value) => Some(*value),
            Outcome::If(condition, then, otherwise) => {
                if self.truth(condition) {
                    self.outcome(then)
                } else {
                    self.outcome(otherwise)
                }
            }
        }
    }

    /// Whether a condition holds. The connectives and comparisons, which make up most of a
    /// policy, are decided here on borrowed operands, without building intermediate values.
    fn truth(&mut self, expr: &'p Expr) -> bool {
        match &expr.kind {
            ExprKind::Not(inner) => !self.truth(inner),
            ExprKind::And(a, b) => self.truth(a) && self.truth(b),
            ExprKind::Or(a, b) => self.truth(a) || self.truth(b),
            ExprKind::Cmp(op, a, b) => {
                let a = self.operand(a);
                let b = self.operand(b);
                a.compare(&b).is_some_and(|ordering| op.holds(ordering))
            }
            _ => matches!(self.value(expr), Value::Bool(true)),
        }
    }

    /// The value of an operand, borrowed when it already exists (a constant, a loan's field, a
    /// list record's field) and computed otherwise.
    fn operand(&mut self, expr: &'p Expr) -> Cow<'p, Value> {
        match &expr.kind {
            ExprKind::Const(value) => Cow::Borrowed(value),
            ExprKind::Field(slot) => {
                let loan: &'p Loan = self.loan;
                let value = loan.fields.get(*slot).unwrap_or(&Value::Missing);
                self.read(ReadSource::Field(Slot::new(*slot)), value);
                Cow::Borrowed(value)
            }
            ExprKind::Item(slot) => Cow::Borrowed(
                self.item
                    .and_then(|item| item.get(*slot))
                    .unwrap_or(&Value::Missing),
            ),
            // Without going through `value`, whose large frame costs more than reading a
            // value already computed.
            ExprKind::Derived(index) => Cow::Owned(self.derived(*index)),
            ExprKind::AsOf => Cow::Owned(self.as_of()),
            _ => Cow::Owned(self.value(expr)),
        }
    }

    /// Notes that the condition being evaluated read `value`, when tracing. Inlined, so that
    /// an untraced evaluation pays one test per read instead of a call (3 % of a run was the
    /// calls' entries and exits).
    #[inline]
    fn read(&mut self, source: ReadSource, value: &Value) {
        if self.trace.is_some() {
            self.record_read(source, value);
        }
    }

    #[cold]
    #[inline(never)]
    fn record_read(&mut self, source: ReadSource, value: &Value) {
        if !self.reads.iter().any(|r| r.source == source) {
            self.reads.push(Read {
                source,
                value: value.clone(),
            });
        }
    }

    /// The evaluation date, as a value read.
    fn as_of(&mut self) -> Value {
        let value = Value::Date(self.as_of);
        self.read(ReadSource::AsOf, &value);
        value
    }

    #[inline]
    fn derived(&mut self, index: usize) -> Value {
        if let Some(Some(value)) = self.derived.get(index) {
            let value = value.clone();
            self.read(ReadSource::Derived(ValueId::new(index)), &value);
            return value;
        }
        self.compute_derived(index)
    }

    /// A derived value's first use for this loan.
    #[inline(never)]
    fn compute_derived(&mut self, index: usize) -> Value {
        let Some(definition) = self.program.derived.get(index) else {
            return Value::Missing;
        };
        // A derived value is computed once per loan, outside any record scope, and traced with
        // the reads of its own definition.
        let outer_reads = std::mem::take(&mut self.reads);
        let outer_item = self.item.take();
        let value = self.value(&definition.expr);
        self.item = outer_item;
        let own_reads = std::mem::replace(&mut self.reads, outer_reads);
        if let Some(trace) = self.trace.as_mut() {
            trace.derived.push(DerivedTrace {
                derived: ValueId::new(index),
                value: value.clone(),
                reads: own_reads,
            });
        }
        if let Some(slot) = self.derived.get_mut(index) {
            *slot = Some(value.clone());
        }
        self.read(ReadSource::Derived(ValueId::new(index)), &value);
        value
    }

    fn value(&mut self, expr: &'p Expr) -> Value {
        match &expr.kind {
            ExprKind::Const(value) => value.clone(),
            ExprKind::Field(slot) => {
                let value = self
                    .loan
                    .fields
                    .get(*slot)
                    .cloned()
                    .unwrap_or(Value::Missing);
                self.read(ReadSource::Field(Slot::new(*slot)), &value);
                value
            }
            ExprKind::Item(slot) => self
                .item
                .and_then(|item| item.get(*slot))
                .cloned()
                .unwrap_or(Value::Missing),
            ExprKind::Derived(index) => self.derived(*index),
            ExprKind::Decision(index) => {
                let value = self
                    .decisions
                    .get(*index)
                    .cloned()
                    .unwrap_or(Value::Nothing);
                self.read(ReadSource::Decision(DecisionId::new(*index)), &value);
                value
            }
            ExprKind::AsOf => self.as_of(),
            ExprKind::Borrower(index) => {
                let value = self.borrower_value(*index);
                self.read(ReadSource::Borrower(BorrowerValueId::new(*index)), &value);
                value
            }
            ExprKind::Not(_) | ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Cmp(..) => {
                Value::Bool(self.truth(expr))
            }
            // Operands borrowed where they can be: `as_of - 90 days` in a list's filter is
            // worked out for every record.
            ExprKind::Add(a, b) => {
                let (a, b) = (self.operand(a), self.operand(b));
                add(&a, &b, false)
            }
            ExprKind::Sub(a, b) => {
                let (a, b) = (self.operand(a), self.operand(b));
                add(&a, &b, true)
            }
            ExprKind::Neg(inner) => negate(self.value(inner)),
            ExprKind::IsPresent(inner) => Value::Bool(self.value(inner) != Value::Missing),
            ExprKind::InSet(value, set) => {
                let value = self.value(value);
                Value::Bool(set.contains(&value))
            }
            ExprKind::In(value, list) => {
                let value = self.value(value);
                let mut found = false;
                for item in list {
                    if self.value(item).compare(&value).is_some_and(|o| o.is_eq()) {
                        found = true;
                        break;
                    }
                }
                Value::Bool(found)
            }
            ExprKind::If(condition, then, otherwise) => {
                if self.truth(condition) {
                    self.value(then)
                } else {
                    self.value(otherwise)
                }
            }
            ExprKind::Count { list, filter } => self.count(*list, filter.as_deref()),
            ExprKind::Fold {
                op,
                list,
                item,
                zero,
                filter,
            } => self.fold(*op, *list, *item, zero, filter.as_deref()),
            ExprKind::Bucket { salt, key } => match self.value(key) {
                Value::Text(key) => Value::Int(bucket(salt, &key)),
                _ => Value::Missing,
            },
            ExprKind::Dates(function, args) => self.dates(*function, args),
        }
    }

    /// A function of dates, of its arguments' values.
    #[inline(never)]
    fn dates(&mut self, function: DateFn, args: &'p [Expr]) -> Value {
        let mut values: SmallVec<[Value; 4]> = SmallVec::with_capacity(args.len());
        for arg in args {
            values.push(self.value(arg));
        }
        date_function(function, &values)
    }

    /// A value over the borrower's loans: from the borrower's context, or from this loan
    /// alone when it is decided by itself.
    #[inline(never)]
    fn borrower_value(&mut self, index: usize) -> Value {
        if let Some(borrower) = self.borrower {
            return borrower
                .values
                .get(index)
                .cloned()
                .unwrap_or(Value::Missing);
        }
        if let Some(Some(value)) = self.alone.get(index) {
            return value.clone();
        }
        let Some(definition) = self.program.borrower_values.get(index) else {
            return Value::Missing;
        };
        let own = Evaluator::new(self.program, self.loan, self.as_of, false, None)
            .value(&definition.per_loan);
        let value = definition
            .fold(None, own)
            .unwrap_or_else(|| definition.empty());
        if self.alone.len() < self.program.borrower_values.len() {
            self.alone.resize(self.program.borrower_values.len(), None);
        }
        if let Some(slot) = self.alone.get_mut(index) {
            *slot = Some(value.clone());
        }
        value
    }

    /// How many records of list field `list` pass `filter`. This and the other rarer
    /// operators are kept out of [`Self::value`], which recurses on every operator, so that
    /// its stack frame stays small.
    #[inline(never)]
    fn count(&mut self, list: usize, filter: Option<&'p Expr>) -> Value {
        let records = self.records(list);
        let mut count: i64 = 0;
        for record in records {
            if self.passes(record, filter) {
                count += 1;
            }
        }
        Value::Int(count)
    }

    /// Min, max or sum of record field `item` over the records of `list` that pass `filter`.
    #[inline(never)]
    fn fold(
        &mut self,
        op: FoldOp,
        list: usize,
        item: usize,
        zero: &Value,
        filter: Option<&'p Expr>,
    ) -> Value {
        let records = self.records(list);
        let mut acc: Option<Value> = None;
        for record in records {
            if !self.passes(record, filter) {
                continue;
            }
            let Some(value) = record.get(item) else {
                continue;
            };
            if *value == Value::Missing {
                continue;
            }
            acc = Some(fold_in(acc, op, zero, value));
        }
        folded(acc, op, zero)
    }

    /// The records of list field `slot` (traced as one read of the whole list).
    fn records(&mut self, slot: usize) -> impl Iterator<Item = &'p [Value]> + use<'p> {
        let loan: &'p Loan = self.loan;
        let value = loan.fields.get(slot);
        if self.trace.is_some() {
            self.read(
                ReadSource::Field(Slot::new(slot)),
                value.unwrap_or(&Value::Missing),
            );
        }
        records_of(value)
    }

    /// Whether `record` passes `filter`, evaluated with the record's fields in scope.
    fn passes(&mut self, record: &'p [Value], filter: Option<&'p Expr>) -> bool {
        let Some(filter) = filter else { return true };
        let outer = self.item.replace(record);
        let result = self.truth(filter);
        self.item = outer;
        result
    }
}

/// Each decision's outcome before it is made: no rule matched.
fn undecided(program: &Program) -> Vec<DecisionOutcome> {
    program
        .decisions
        .iter()
        .map(|d| match d.hit {
            HitPolicy::First | HitPolicy::Unique => DecisionOutcome::First {
                rule: None,
                value: None,
            },
            HitPolicy::Collect => DecisionOutcome::Collect { hits: Vec::new() },
        })
        .collect()
}

/// A decision's outcome from its rules: `first` is the rule that decided a `first match` or
/// `unique` decision and what it gave, `hits` every `every match` rule that gave something.
/// Also the value a condition that reads the decision sees: the outcome `first` gave, or
/// nothing (always nothing for an `every match` decision, which gives a list).
fn decided(
    hit: HitPolicy,
    first: Option<(RuleId, Option<OutcomeId>)>,
    hits: Vec<(RuleId, OutcomeId)>,
) -> (DecisionOutcome, Value) {
    match hit {
        HitPolicy::First | HitPolicy::Unique => {
            let value = first.and_then(|(_, v)| v);
            let seen = value.map_or(Value::Nothing, |v| Value::Outcome(v.raw()));
            let outcome = DecisionOutcome::First {
                rule: first.map(|(r, _)| r),
                value,
            };
            (outcome, seen)
        }
        HitPolicy::Collect => (DecisionOutcome::Collect { hits }, Value::Nothing),
    }
}

/// What a loan's decisions and guards come to: the actions proposed that no guard forbids
/// (each once, in order), those a guard forbids with the first that does, and the capacities'
/// fallbacks a guard forbids. `fired` holds each guard's result, in policy order. The same
/// for both evaluators, so that only their conditions' evaluation differs.
fn conclude(
    program: &Program,
    outcomes: Vec<DecisionOutcome>,
    fired: &[bool],
    deadlines: Vec<Option<NaiveDate>>,
) -> Evaluation {
    let mut proposed: SmallVec<[ActionId; 8]> = SmallVec::new();
    for &index in &program.action_decisions {
        let Some(outcome) = outcomes.get(index) else {
            continue;
        };
        match outcome {
            DecisionOutcome::First {
                value: Some(action),
                ..
            } => proposed.push(action.action()),
            DecisionOutcome::First { value: None, .. } => {}
            DecisionOutcome::Collect { hits } => {
                proposed.extend(hits.iter().map(|(_, action)| action.action()))
            }
        }
    }
    // The first guard that applies to the loan and forbids `action`, if any.
    let forbidding = |action: ActionId| {
        program
            .guards
            .iter()
            .zip(fired)
            .position(|(guard, on)| *on && guard.forbids.binary_search(&action).is_ok())
    };
    let mut actions = Vec::with_capacity(proposed.len());
    let mut vetoed = Vec::new();
    for action in proposed {
        if actions.contains(&action) || vetoed.iter().any(|(a, _)| *a == action) {
            continue;
        }
        match forbidding(action) {
            Some(guard) => vetoed.push((action, GuardId::new(guard))),
            None => actions.push(action),
        }
    }
    // A fallback a guard forbids this loan, found now while the guards' results are at
    // hand: the capacity pass, later, must not give it.
    let mut forbidden_fallbacks = Vec::new();
    for fallback in program.capacities.iter().filter_map(|c| c.fallback) {
        if forbidden_fallbacks.iter().any(|(a, _)| *a == fallback) {
            continue;
        }
        if let Some(guard) = forbidding(fallback) {
            forbidden_fallbacks.push((fallback, GuardId::new(guard)));
        }
    }
    Evaluation {
        outcomes,
        actions,
        vetoed,
        deadlines,
        capacity: Vec::new(),
        forbidden_fallbacks,
    }
}

/// A deadline's date, when its value is one.
fn date_of(value: Value) -> Option<NaiveDate> {
    match value {
        Value::Date(date) => Some(date),
        _ => None,
    }
}

/// A function of dates applied to its arguments' values; a missing or out-of-range argument
/// gives a missing value.
fn date_function(function: DateFn, values: &[Value]) -> Value {
    use chrono::{Datelike, Months};
    match (function, values) {
        (DateFn::Weekday, [Value::Date(d)]) => {
            Value::Int(i64::from(d.weekday().number_from_monday()))
        }
        (DateFn::AddMonths, [Value::Date(d), Value::Int(n)]) => {
            let months = u32::try_from(n.unsigned_abs()).ok().map(Months::new);
            let moved = if *n >= 0 {
                months.and_then(|m| d.checked_add_months(m))
            } else {
                months.and_then(|m| d.checked_sub_months(m))
            };
            moved.map_or(Value::Missing, Value::Date)
        }
        (DateFn::Latest | DateFn::Earliest, values) => {
            let dates = values.iter().filter_map(|v| match v {
                Value::Date(d) => Some(*d),
                _ => None,
            });
            let found = if function == DateFn::Latest {
                dates.max()
            } else {
                dates.min()
            };
            found.map_or(Value::Missing, Value::Date)
        }
        _ => Value::Missing,
    }
}

/// The records of a list field's value (none for a missing one).
fn records_of(value: Option<&Value>) -> impl Iterator<Item = &[Value]> {
    let records = match value {
        Some(Value::List(records)) => Some(records.iter()),
        _ => None,
    };
    records.into_iter().flatten()
}

/// The minus of a number, day count or amount; missing on overflow or for other values.
fn negate(value: Value) -> Value {
    match value {
        Value::Int(n) => n.checked_neg().map_or(Value::Missing, Value::Int),
        Value::Days(n) => n.checked_neg().map_or(Value::Missing, Value::Days),
        Value::Money(m) => Value::Money(-m),
        _ => Value::Missing,
    }
}

/// A fold's value after one more record's `value` (present): `acc` is its value over the
/// records before (`None` before the first).
fn fold_in(acc: Option<Value>, op: FoldOp, zero: &Value, value: &Value) -> Value {
    match (acc, op) {
        (None, FoldOp::Sum) => add(zero, value, false),
        (None, _) => value.clone(),
        (Some(sum), FoldOp::Sum) => add(&sum, value, false),
        (Some(best), FoldOp::Min) => {
            if value.compare(&best).is_some_and(|o| o.is_lt()) {
                value.clone()
            } else {
                best
            }
        }
        (Some(best), FoldOp::Max) => {
            if value.compare(&best).is_some_and(|o| o.is_gt()) {
                value.clone()
            } else {
                best
            }
        }
    }
}

/// A fold's value over all its records: min and max of none are missing, the sum of none
/// zero.
fn folded(acc: Option<Value>, op: FoldOp, zero: &Value) -> Value {
    match (acc, op) {
        (Some(value), _) => value,
        (None, FoldOp::Sum) => zero.clone(),
        (None, _) => Value::Missing,
    }
}

/// `a + b`, or `a - b` when `subtract`; `Missing` when the kinds do not add up or it overflows.
fn add(a: &Value, b: &Value, subtract: bool) -> Value {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => (if subtract {
            x.checked_sub(*y)
        } else {
            x.checked_add(*y)
        })
        .map_or(Value::Missing, Value::Int),
        (Value::Days(x), Value::Days(y)) => (if subtract {
            x.checked_sub(*y)
        } else {
            x.checked_add(*y)
        })
        .map_or(Value::Missing, Value::Days),
        (Value::Money(x), Value::Money(y)) => (if subtract {
            x.checked_sub(*y)
        } else {
            x.checked_add(*y)
        })
        .map_or(Value::Missing, Value::Money),
        (Value::Date(d), Value::Days(n)) | (Value::Days(n), Value::Date(d)) => {
            let n = if subtract { n.checked_neg() } else { Some(*n) };
            n.and_then(chrono::TimeDelta::try_days)
                .and_then(|delta| d.checked_add_signed(delta))
                .map_or(Value::Missing, Value::Date)
        }
        (Value::Date(x), Value::Date(y)) if subtract => {
            Value::Days(x.signed_duration_since(*y).num_days())
        }
        _ => Value::Missing,
    }
}

/// The experiment bucket of `key` in experiment `salt`: SHA-256 of the UTF-8 text
/// `salt:key`, its first 8 bytes read as a big-endian unsigned number, modulo 100.
#[inline(never)] // Hashing state would otherwise swell the frame of every `value` call.
pub(crate) fn bucket(salt: &str, key: &str) -> i64 {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(b":");
    hasher.update(key.as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    for (to, from) in first.iter_mut().zip(digest.iter()) {
        *to = *from;
    }
    (u64::from_be_bytes(first) % 100) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn bucket_follows_the_reference_definition() {
        // Recomputed by hand: sha256("visit-2026Q4:L1") → first 8 bytes, big-endian, mod 100.
        let digest = Sha256::digest(b"visit-2026Q4:L1");
        let expected = (u64::from_be_bytes(digest[..8].try_into().unwrap()) % 100) as i64;
        assert_eq!(bucket("visit-2026Q4", "L1"), expected);
        assert!((0..100).contains(&bucket("x", "测试")));
    }

    #[test]
    fn date_arithmetic_counts_calendar_days() {
        let d = |s| Value::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        assert_eq!(
            add(&d("2024-03-01"), &d("2024-02-28"), true),
            Value::Days(2)
        );
        assert_eq!(
            add(&d("2023-03-01"), &d("2023-02-28"), true),
            Value::Days(1)
        );
        assert_eq!(
            add(&d("2024-03-01"), &Value::Days(90), true),
            d("2023-12-02")
        );
        assert_eq!(
            add(&Value::Int(i64::MAX), &Value::Int(1), false),
            Value::Missing
        );
        assert_eq!(
            add(&d("2024-03-01"), &Value::Days(i64::MAX), false),
            Value::Missing
        );
    }

    #[test]
    fn money_is_exact() {
        let m = |s: &str| Value::Money(s.parse::<Decimal>().unwrap());
        assert_eq!(add(&m("0.10"), &m("0.20"), false), m("0.30"));
    }
}

#[cfg(test)]
mod properties {
    use std::path::Path;

    use chrono::NaiveDate;
    use proptest::prelude::*;
    use serde_json::json;

    use crate::input::loan_from_json;

    fn date() -> impl Strategy<Value = String> {
        // Dates from year 1 to 9999, including leap days and the ends of the calendar.
        (1i32..=9999, 1u32..=12, 1u32..=31).prop_filter_map("a real date", |(y, m, d)| {
            NaiveDate::from_ymd_opt(y, m, d).map(|date| date.to_string())
        })
    }

    fn money() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u64..10_000_000_000, 0u32..100)
                .prop_map(|(units, cents)| format!("{units}.{cents:02}")),
            Just("0".to_owned()),
            Just("79228162514264337593543950335".to_owned()),
            Just("-1.00".to_owned()),
        ]
    }

    fn loan() -> impl Strategy<Value = serde_json::Value> {
        let choice = |items: &'static [&'static str]| proptest::sample::select(items);
        (
            ("[A-Z0-9]{1,8}", choice(&["mortgage", "consumer", "sme", "card"]), money(), proptest::option::of(date()), proptest::option::of(money())),
            (proptest::collection::vec(any::<bool>(), 8), choice(&["willing", "hesitant", "refuses", "unknown"]), choice(&["able", "temporary_hardship", "long_term_inability", "unknown"]), choice(&["normal", "difficulty", "ceased", "fraud_suspected", "loss"])),
            proptest::collection::vec((date(), money(), any::<bool>()), 0..5),
            proptest::collection::vec((date(), choice(&["phone", "sms", "visit", "letter"])), 0..12),
        )
            .prop_map(|((id, product, principal, due, collateral), (flags, willingness, ability, status), promises, contacts)| {
                json!({
                    "loan_id": id, "borrower": "测试", "product": product, "currency": "CNY",
                    "principal_outstanding": principal, "oldest_unpaid_due_date": due, "collateral_value": collateral,
                    "has_guarantor": flags[0], "has_assets": flags[1], "restructured": flags[2], "deceased": flags[3],
                    "bankrupt": flags[4], "in_dispute": flags[5], "public_official": flags[6], "do_not_contact": flags[7],
                    "willingness": willingness, "ability": ability, "operating_status": status, "region": "北京",
                    "promises": promises.into_iter().map(|(d, a, k)| json!({"due_on": d, "amount": a, "kept": k})).collect::<Vec<_>>(),
                    "contacts": contacts.into_iter().map(|(d, c)| json!({"on": d, "channel": c})).collect::<Vec<_>>(),
                })
            })
    }

    /// The shipped policies over the reference schema, each loaded once.
    fn shipped() -> &'static [crate::program::Program] {
        static PROGRAMS: std::sync::OnceLock<Vec<crate::program::Program>> =
            std::sync::OnceLock::new();
        PROGRAMS.get_or_init(|| {
            ["retail", "guardrails", "limitation", "小微企业催收"]
                .iter()
                .map(|name| crate::load::shipped(&format!("{name}.policy")))
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// A run's compiled plan decides every loan as the tree evaluator does, on any date,
        /// for every shipped policy (those that read borrowers check the plan's fallback).
        #[test]
        fn the_compiled_plan_decides_as_the_tree_evaluator_does(loan in loan(), as_of in date()) {
            let as_of = NaiveDate::parse_from_str(&as_of, "%Y-%m-%d").map_err(|e| TestCaseError::fail(e.to_string()))?;
            for program in shipped() {
                let (_, loan) = loan_from_json(&loan.to_string(), program.schema()).map_err(|r| TestCaseError::fail(r.reason))?;
                prop_assert_eq!(program.decider(as_of).evaluate(&loan), program.evaluate(&loan, as_of));
            }
        }

        /// Evaluation is total on any valid loan and any date, and tracing never changes the
        /// outcome.
        #[test]
        fn evaluation_is_total_and_tracing_changes_nothing(loan in loan(), as_of in date()) {
            let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/retail.policy");
            let program = crate::load::load_policy(&policy).map_err(|e| TestCaseError::fail(format!("{e:?}")))?.program;
            let (_, loan) = loan_from_json(&loan.to_string(), program.schema()).map_err(|r| TestCaseError::fail(r.reason))?;
            let as_of = NaiveDate::parse_from_str(&as_of, "%Y-%m-%d").map_err(|e| TestCaseError::fail(e.to_string()))?;
            let plain = program.evaluate(&loan, as_of);
            let (traced, trace) = program.evaluate_traced(&loan, as_of);
            prop_assert_eq!(&plain, &traced);
            prop_assert_eq!(plain.outcomes.len(), 3);
            prop_assert_eq!(trace.decisions.len(), 3);
            // Every action is listed once, kept or vetoed, never both.
            for action in &plain.actions {
                prop_assert!(!plain.vetoed.iter().any(|(a, _)| a == action));
            }
        }
    }
}
