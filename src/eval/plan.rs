//! The compiled form a whole book is decided with: the program's conditions and values
//! rebuilt once per run, for one evaluation date, into a form the untraced evaluation walks
//! without the tree evaluator's per-node costs.
//!
//! What changes against [`super::Evaluator`], and why it pays:
//! - A part that reads nothing of the loan (`as_of - 90 days`, a constant's arithmetic) is
//!   worked out once, when the plan is made, by the tree evaluator itself. A list's filter
//!   used to work it out again for every record.
//! - A comparison reads both sides by reference when they are already values (a constant,
//!   a loan's or a record's field, a derived value once computed), so comparing costs no
//!   clone and no drop.
//! - A condition is a row of steps, each one test that says which step comes next (see
//!   [`Next`]): `and`, `or` and `not` are compiled away, and a condition is walked in a loop
//!   rather than by a recursive call for every part of it.
//! - A test of a held value against a constant is made for the constant's kind: `overdue >
//!   30 days` reads the day count and compares two whole numbers, with no [`Value`] compared
//!   in between.
//! - Nothing is traced: there is no read to note and no test to record, so no branch for it.
//!
//! What does not change: the value rules. Arithmetic, date functions, folds, buckets and the
//! decisions' and guards' results go through the same functions as the tree evaluator's
//! (`add`, `date_function`, `fold_in`, `decided`, `conclude`), so the two differ only in how
//! they walk. The tree evaluator stays the reference (traces, `explain`, the analysis, the
//! policy's tests), and a property test holds the two to the same evaluation of every loan.
//! A program that reads borrowers is decided by the tree evaluator: a plan is not made for it.

use std::sync::Arc;

use chrono::NaiveDate;
use smallvec::SmallVec;

use super::{
    add, bucket, conclude, date_function, date_of, decided, fold_in, folded, negate, records_of,
};
use crate::program::ir::{CmpOp, ConstSet, DateFn, Expr, ExprKind, FoldOp, Outcome};
use crate::program::{Evaluation, HitPolicy, OutcomeId, Program, RuleId};
use crate::value::{Loan, Value};

/// Decides the loans of one run: a program and an evaluation date, with the program compiled
/// for that date once. Made by [`Program::decider`]; cheap to share between threads.
#[derive(Debug)]
pub struct Decider<'p> {
    program: &'p Program,
    as_of: NaiveDate,
    /// `None` for a program the plan does not cover (one that reads borrowers), which the
    /// tree evaluator decides.
    plan: Option<Plan>,
}

impl Program {
    /// A decider for this program on `as_of`: [`Decider::evaluate`] gives what
    /// [`Program::evaluate`] does, faster, for a caller that decides many loans.
    pub fn decider(&self, as_of: NaiveDate) -> Decider<'_> {
        Decider {
            program: self,
            as_of,
            plan: Plan::new(self, as_of),
        }
    }
}

impl Decider<'_> {
    /// Decides one loan: the same evaluation as [`Program::evaluate`] on the decider's date.
    pub fn evaluate(&self, loan: &Loan) -> Evaluation {
        match &self.plan {
            Some(plan) => Run::new(self.program, plan, loan).decide(),
            None => self.program.evaluate(loan, self.as_of),
        }
    }
}

/// The program's conditions and values, compiled.
#[derive(Debug)]
struct Plan {
    /// The derived values' definitions, by index.
    derived: Vec<Node>,
    /// Each decision's rules (by decision index, each in rule order): where the rule's
    /// condition starts (`Next::Yes` for `otherwise`) and what a matching rule gives.
    decisions: Vec<Vec<(Next, Pick)>>,
    /// Where the guards' conditions start, in policy order.
    guards: Vec<Next>,
    /// Every condition's steps, one after another: a condition is the step it starts at.
    steps: Vec<Step>,
}

/// A compiled value.
#[derive(Debug)]
enum Node {
    Const(Value),
    /// A loan field, by slot.
    Field(usize),
    /// A field of the record being filtered or folded.
    Item(usize),
    /// A derived value, by index.
    Derived(usize),
    /// A decision's outcome, by index.
    Decision(usize),
    /// A condition's result as a value.
    Truth(Next),
    /// `a + b`, or `a - b` when the flag is set.
    Add(Box<Node>, Box<Node>, bool),
    Neg(Box<Node>),
    IsPresent(Box<Node>),
    In(Box<Node>, Vec<Node>),
    InSet(Box<Node>, Arc<ConstSet>),
    If(Next, Box<Node>, Box<Node>),
    Count {
        list: usize,
        filter: Option<Next>,
    },
    Fold {
        op: FoldOp,
        list: usize,
        item: usize,
        zero: Value,
        filter: Option<Next>,
    },
    Bucket {
        salt: String,
        key: Box<Node>,
    },
    Dates(DateFn, Vec<Node>),
}

/// Where a condition goes after a test: to its answer, or to the next step to take.
///
/// A condition is compiled into steps that each make one test and go on by its result, so
/// `a and b` is "test a: if false the answer is no, else test b", and `not`, `and` and `or`
/// become nothing but where the steps lead. Walking them is a loop, where the tree of
/// conditions it replaces was a recursive call for every part: the call's prologue and
/// epilogue cost more than most tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    /// The condition holds.
    Yes,
    /// The condition does not hold.
    No,
    /// The step at this index of [`Plan::steps`].
    Step(u32),
}

/// One test of a condition and where each of its results leads.
#[derive(Debug)]
struct Step {
    test: Test,
    yes: Next,
    no: Next,
}

/// A value read where it is held, with nothing to compute: a field of the loan or of the
/// record in scope, a derived value (computed on its first use for the loan), or a
/// decision's outcome. A constant is not one: each test holds its own, of its own kind.
#[derive(Clone, Copy, Debug)]
enum Held {
    Field(u32),
    Item(u32),
    Derived(u32),
    Decision(u32),
}

/// The kinds of value a whole-number test reads: each compares only with its own kind, as
/// [`Value::compare`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Whole {
    Int,
    Days,
    Enum,
}

/// One test of a condition.
#[derive(Debug)]
enum Test {
    /// `held op number`: a count, day count or choice against a constant, read and
    /// compared as a whole number with no [`Value`] in between. A value of another kind
    /// (missing, say) makes it false, as it makes [`Value::compare`] say nothing.
    Whole {
        op: CmpOp,
        held: Held,
        kind: Whole,
        number: i64,
    },
    /// `a op b`, both held.
    Held(CmpOp, Held, Held),
    /// `held op date`.
    Date {
        op: CmpOp,
        held: Held,
        date: NaiveDate,
    },
    /// `held op constant`, any other constant (an amount, a text...).
    Const(CmpOp, Held, Box<Value>),
    /// A held yes-or-no value is `true`.
    Is(Held),
    /// A held value is present.
    Present(Held),
    /// `a op b` where a side is to be computed.
    Computed(Box<(CmpOp, Node, Node)>),
    /// A computed value is `true`.
    IsComputed(Box<Node>),
}

/// A compiled rule outcome.
#[derive(Debug)]
enum Pick {
    Nothing,
    Value(OutcomeId),
    If(Next, Box<Pick>, Box<Pick>),
}

impl Plan {
    /// The program compiled for `as_of`; `None` when the program reads borrowers, which
    /// the plan leaves to the tree evaluator.
    fn new(program: &Program, as_of: NaiveDate) -> Option<Plan> {
        if program.reads_borrowers() {
            return None;
        }
        let mut compiler = Compiler {
            program,
            as_of,
            nothing: Loan::new(Vec::new()),
            steps: Vec::new(),
        };
        let derived = program
            .derived
            .iter()
            .map(|d| compiler.node(&d.expr))
            .collect::<Option<_>>()?;
        let mut decisions = Vec::with_capacity(program.decisions.len());
        for decision in &program.decisions {
            let mut rules = Vec::with_capacity(decision.rules.len());
            for rule in &decision.rules {
                let condition = match &rule.condition {
                    Some(c) => compiler.cond(c)?,
                    None => Next::Yes,
                };
                rules.push((condition, compiler.pick(&rule.outcome)?));
            }
            decisions.push(rules);
        }
        let guards = program
            .guards
            .iter()
            .map(|g| compiler.cond(&g.condition))
            .collect::<Option<_>>()?;
        Some(Plan {
            derived,
            decisions,
            guards,
            steps: compiler.steps,
        })
    }
}

/// Compiles one program's expressions for one date.
struct Compiler<'p> {
    program: &'p Program,
    as_of: NaiveDate,
    /// A loan of no fields, to work out the parts that read none.
    nothing: Loan,
    /// The steps of the conditions compiled so far.
    steps: Vec<Step>,
}

impl Compiler<'_> {
    fn node(&mut self, expr: &Expr) -> Option<Node> {
        if reads_nothing_of_the_loan(expr) {
            let value = super::eval_expr(self.program, &self.nothing, self.as_of, expr);
            return Some(Node::Const(value));
        }
        Some(match &expr.kind {
            ExprKind::Const(value) => Node::Const(value.clone()),
            ExprKind::Field(slot) => Node::Field(*slot),
            ExprKind::Item(slot) => Node::Item(*slot),
            ExprKind::Derived(index) => Node::Derived(*index),
            ExprKind::Decision(index) => Node::Decision(*index),
            // Not made for a program that reads borrowers.
            ExprKind::Borrower(_) => return None,
            ExprKind::AsOf => Node::Const(Value::Date(self.as_of)),
            ExprKind::Not(_) | ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Cmp(..) => {
                Node::Truth(self.cond(expr)?)
            }
            ExprKind::Add(a, b) => Node::Add(self.boxed(a)?, self.boxed(b)?, false),
            ExprKind::Sub(a, b) => Node::Add(self.boxed(a)?, self.boxed(b)?, true),
            ExprKind::Neg(a) => Node::Neg(self.boxed(a)?),
            ExprKind::IsPresent(a) => Node::IsPresent(self.boxed(a)?),
            ExprKind::In(a, items) => Node::In(
                self.boxed(a)?,
                items.iter().map(|i| self.node(i)).collect::<Option<_>>()?,
            ),
            ExprKind::InSet(a, set) => Node::InSet(self.boxed(a)?, Arc::clone(set)),
            ExprKind::If(c, a, b) => Node::If(self.cond(c)?, self.boxed(a)?, self.boxed(b)?),
            ExprKind::Count { list, filter } => Node::Count {
                list: *list,
                filter: self.filter(filter.as_deref())?,
            },
            ExprKind::Fold {
                op,
                list,
                item,
                zero,
                filter,
            } => Node::Fold {
                op: *op,
                list: *list,
                item: *item,
                zero: zero.clone(),
                filter: self.filter(filter.as_deref())?,
            },
            ExprKind::Bucket { salt, key } => Node::Bucket {
                salt: salt.clone(),
                key: self.boxed(key)?,
            },
            ExprKind::Dates(function, args) => Node::Dates(
                *function,
                args.iter().map(|a| self.node(a)).collect::<Option<_>>()?,
            ),
        })
    }

    fn boxed(&mut self, expr: &Expr) -> Option<Box<Node>> {
        self.node(expr).map(Box::new)
    }

    /// Compiles condition `expr`: where it starts.
    fn cond(&mut self, expr: &Expr) -> Option<Next> {
        self.branch(expr, Next::Yes, Next::No)
    }

    /// Compiles condition `expr` to go on to `yes` when it holds and to `no` when not: where
    /// it starts. The parts are compiled last first, so that each knows where it leads.
    fn branch(&mut self, expr: &Expr, yes: Next, no: Next) -> Option<Next> {
        match &expr.kind {
            ExprKind::Not(a) => self.branch(a, no, yes),
            ExprKind::And(a, b) => {
                let then = self.branch(b, yes, no)?;
                self.branch(a, then, no)
            }
            ExprKind::Or(a, b) => {
                let otherwise = self.branch(b, yes, no)?;
                self.branch(a, yes, otherwise)
            }
            ExprKind::Cmp(op, a, b) if !reads_nothing_of_the_loan(expr) => {
                let (a, b) = (self.node(a)?, self.node(b)?);
                Some(self.step(compare(*op, a, b), yes, no))
            }
            _ => Some(match self.node(expr)? {
                Node::Const(Value::Bool(true)) => yes,
                Node::Const(_) => no,
                Node::IsPresent(a) => match held(&a) {
                    Some(a) => self.step(Test::Present(a), yes, no),
                    None => self.step(Test::IsComputed(Box::new(Node::IsPresent(a))), yes, no),
                },
                node => match held(&node) {
                    Some(a) => self.step(Test::Is(a), yes, no),
                    None => self.step(Test::IsComputed(Box::new(node)), yes, no),
                },
            }),
        }
    }

    /// Adds a step; where it is.
    fn step(&mut self, test: Test, yes: Next, no: Next) -> Next {
        let at = Next::Step(self.steps.len() as u32);
        self.steps.push(Step { test, yes, no });
        at
    }

    fn filter(&mut self, filter: Option<&Expr>) -> Option<Option<Next>> {
        match filter {
            Some(f) => Some(Some(self.cond(f)?)),
            None => Some(None),
        }
    }

    fn pick(&mut self, outcome: &Outcome) -> Option<Pick> {
        Some(match outcome {
            Outcome::Nothing => Pick::Nothing,
            Outcome::Value(value) => Pick::Value(*value),
            Outcome::If(c, a, b) => {
                let condition = self.cond(c)?;
                Pick::If(condition, Box::new(self.pick(a)?), Box::new(self.pick(b)?))
            }
        })
    }
}

/// Where `node`'s value is held, when it is read rather than computed.
fn held(node: &Node) -> Option<Held> {
    let index = |i: &usize| u32::try_from(*i).ok();
    match node {
        Node::Field(slot) => index(slot).map(Held::Field),
        Node::Item(slot) => index(slot).map(Held::Item),
        Node::Derived(i) => index(i).map(Held::Derived),
        Node::Decision(i) => index(i).map(Held::Decision),
        _ => None,
    }
}

/// A constant's whole number and kind, for a [`Test::Whole`].
fn whole(value: &Value) -> Option<(Whole, i64)> {
    match value {
        Value::Int(n) => Some((Whole::Int, *n)),
        Value::Days(n) => Some((Whole::Days, *n)),
        Value::Enum(i) => Some((Whole::Enum, i64::from(*i))),
        _ => None,
    }
}

/// The test `a op b`: the cheapest one that compares the two as [`Value::compare`] does.
fn compare(op: CmpOp, a: Node, b: Node) -> Test {
    // A constant on the left is put on the right: `30 days < overdue` is `overdue > 30 days`.
    let (op, a, b) = match (&a, &b) {
        (Node::Const(_), _) => (op.swapped(), b, a),
        _ => (op, a, b),
    };
    match (held(&a), b) {
        (Some(held), Node::Const(value)) => match whole(&value) {
            Some((kind, number)) => Test::Whole {
                op,
                held,
                kind,
                number,
            },
            None => match value {
                Value::Date(date) => Test::Date { op, held, date },
                value => Test::Const(op, held, Box::new(value)),
            },
        },
        (Some(x), b) => match held(&b) {
            Some(y) => Test::Held(op, x, y),
            None => Test::Computed(Box::new((op, a, b))),
        },
        (None, b) => Test::Computed(Box::new((op, a, b))),
    }
}

/// True when `expr`'s value is the same for every loan on one date: it reads no field, no
/// record, no derived value, no decision and nothing of the borrower.
fn reads_nothing_of_the_loan(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Field(_)
        | ExprKind::Item(_)
        | ExprKind::Derived(_)
        | ExprKind::Decision(_)
        | ExprKind::Borrower(_)
        | ExprKind::Count { .. }
        | ExprKind::Fold { .. } => false,
        _ => {
            let mut constant = true;
            expr.for_each_child(&mut |child| constant &= reads_nothing_of_the_loan(child));
            constant
        }
    }
}

/// One loan's evaluation with a plan.
struct Run<'p> {
    program: &'p Program,
    plan: &'p Plan,
    loan: &'p Loan,
    /// The derived values computed so far, by index.
    derived: SmallVec<[Option<Value>; 8]>,
    /// The decisions' outcomes as conditions see them, by index (nothing until decided).
    decisions: SmallVec<[Value; 4]>,
    /// The record being filtered or folded.
    item: Option<&'p [Value]>,
}

impl<'p> Run<'p> {
    fn new(program: &'p Program, plan: &'p Plan, loan: &'p Loan) -> Run<'p> {
        Run {
            program,
            plan,
            loan,
            derived: std::iter::repeat_with(|| None)
                .take(plan.derived.len())
                .collect(),
            decisions: std::iter::repeat_with(|| Value::Nothing)
                .take(plan.decisions.len())
                .collect(),
            item: None,
        }
    }

    /// The loan's evaluation: the decisions in the program's order, then the guards.
    fn decide(mut self) -> Evaluation {
        let (program, plan) = (self.program, self.plan);
        let mut outcomes = super::undecided(program);
        for &index in &program.order {
            let (Some(decision), Some(rules)) =
                (program.decisions.get(index), plan.decisions.get(index))
            else {
                continue;
            };
            let mut first: Option<(RuleId, Option<OutcomeId>)> = None;
            let mut hits = Vec::new();
            for (rule_index, (condition, pick)) in rules.iter().enumerate() {
                if !self.truth(*condition) {
                    continue;
                }
                let rule = RuleId::new(rule_index);
                let outcome = self.pick(pick);
                match decision.hit {
                    HitPolicy::First | HitPolicy::Unique => {
                        first = Some((rule, outcome));
                        break;
                    }
                    HitPolicy::Collect => hits.extend(outcome.map(|value| (rule, value))),
                }
            }
            let (outcome, seen) = decided(decision.hit, first, hits);
            if let Some(slot) = self.decisions.get_mut(index) {
                *slot = seen;
            }
            if let Some(slot) = outcomes.get_mut(index) {
                *slot = outcome;
            }
        }
        let fired: SmallVec<[bool; 16]> = plan.guards.iter().map(|g| self.truth(*g)).collect();
        let deadlines = program
            .deadlines
            .iter()
            .map(|&index| date_of(self.derived(index)))
            .collect();
        conclude(program, outcomes, &fired, deadlines)
    }

    fn pick(&mut self, pick: &'p Pick) -> Option<OutcomeId> {
        match pick {
            Pick::Nothing => None,
            Pick::Value(value) => Some(*value),
            Pick::If(condition, then, otherwise) => {
                if self.truth(*condition) {
                    self.pick(then)
                } else {
                    self.pick(otherwise)
                }
            }
        }
    }

    /// Whether the condition that starts at `next` holds: its steps walked from test to test.
    fn truth(&mut self, mut next: Next) -> bool {
        let steps: &'p [Step] = &self.plan.steps;
        loop {
            let step = match next {
                Next::Yes => return true,
                Next::No => return false,
                Next::Step(at) => match steps.get(at as usize) {
                    Some(step) => step,
                    None => return false,
                },
            };
            next = if self.test(&step.test) {
                step.yes
            } else {
                step.no
            };
        }
    }

    /// One step's test.
    #[inline(always)]
    fn test(&mut self, test: &'p Test) -> bool {
        match test {
            Test::Whole {
                op,
                held,
                kind,
                number,
            } => {
                let value = self.held(*held);
                let found = match (kind, value) {
                    (Whole::Int, Value::Int(n)) | (Whole::Days, Value::Days(n)) => *n,
                    (Whole::Enum, Value::Enum(i)) => i64::from(*i),
                    _ => return false,
                };
                op.holds(found.cmp(number))
            }
            Test::Date { op, held, date } => match self.held(*held) {
                Value::Date(found) => op.holds(found.cmp(date)),
                _ => false,
            },
            Test::Held(op, a, b) => {
                // Both made ready before either is lent: readying the second may compute it.
                self.ready(*a);
                self.ready(*b);
                let (x, y) = (self.lend(*a), self.lend(*b));
                x.compare(y).is_some_and(|o| op.holds(o))
            }
            Test::Const(op, held, value) => {
                self.held(*held).compare(value).is_some_and(|o| op.holds(o))
            }
            Test::Is(held) => matches!(self.held(*held), Value::Bool(true)),
            Test::Present(held) => *self.held(*held) != Value::Missing,
            Test::Computed(parts) => self.compare_computed(parts),
            Test::IsComputed(node) => self.is_true_computed(node),
        }
    }

    /// The value `held` reads, computing it first if it is a derived value not computed yet.
    #[inline]
    fn held(&mut self, held: Held) -> &Value {
        self.ready(held);
        self.lend(held)
    }

    /// Computes `held`'s derived value now, if it is one not computed yet.
    #[inline]
    fn ready(&mut self, held: Held) {
        if let Held::Derived(index) = held {
            self.ready_derived(index as usize);
        }
    }

    /// Computes derived value `index` now, if it is not computed yet for this loan.
    #[inline]
    fn ready_derived(&mut self, index: usize) {
        if matches!(self.derived.get(index), Some(None)) {
            self.compute_derived(index);
        }
    }

    /// The value `held` reads, as it is now (missing for a derived value not computed yet).
    #[inline]
    fn lend(&self, held: Held) -> &Value {
        let found = match held {
            Held::Field(slot) => self.loan.fields.get(slot as usize),
            Held::Item(slot) => self.item.and_then(|item| item.get(slot as usize)),
            Held::Derived(index) => self.derived.get(index as usize).and_then(Option::as_ref),
            Held::Decision(index) => self.decisions.get(index as usize),
        };
        found.unwrap_or(&Value::Missing)
    }

    /// `a op b` where a side is to be computed. Out of line, with [`Run::is_true_computed`],
    /// so that [`Run::test`] keeps a small frame.
    #[inline(never)]
    fn compare_computed(&mut self, parts: &'p (CmpOp, Node, Node)) -> bool {
        let (op, a, b) = parts;
        let (x, y) = (self.value(a), self.value(b));
        x.compare(&y).is_some_and(|o| op.holds(o))
    }

    #[inline(never)]
    fn is_true_computed(&mut self, node: &'p Node) -> bool {
        matches!(self.value(node), Value::Bool(true))
    }

    /// Computes `node`'s derived value now, if it is one not computed yet, so that
    /// [`Run::peek`] can lend it.
    #[inline]
    fn ready_node(&mut self, node: &'p Node) {
        if let Node::Derived(index) = node {
            self.ready_derived(*index);
        }
    }

    /// `node`'s value by reference, when it is one already held: a constant, a field of the
    /// loan or the record, a derived value computed. `None` for a value to compute.
    #[inline]
    fn peek(&self, node: &'p Node) -> Option<&Value> {
        match node {
            Node::Const(value) => Some(value),
            Node::Field(slot) => Some(self.loan.fields.get(*slot).unwrap_or(&Value::Missing)),
            Node::Item(slot) => Some(
                self.item
                    .and_then(|item| item.get(*slot))
                    .unwrap_or(&Value::Missing),
            ),
            Node::Derived(index) => self.derived.get(*index).and_then(Option::as_ref),
            _ => None,
        }
    }

    fn derived(&mut self, index: usize) -> Value {
        if let Some(Some(value)) = self.derived.get(index) {
            return value.clone();
        }
        self.compute_derived(index)
    }

    /// A derived value's first use for this loan: computed outside any record's scope.
    #[inline(never)]
    fn compute_derived(&mut self, index: usize) -> Value {
        let plan: &'p Plan = self.plan;
        let Some(definition) = plan.derived.get(index) else {
            return Value::Missing;
        };
        let outer = self.item.take();
        let value = self.value(definition);
        self.item = outer;
        if let Some(slot) = self.derived.get_mut(index) {
            *slot = Some(value.clone());
        }
        value
    }

    fn value(&mut self, node: &'p Node) -> Value {
        match node {
            Node::Const(_) | Node::Field(_) | Node::Item(_) => {
                self.peek(node).cloned().unwrap_or(Value::Missing)
            }
            Node::Derived(index) => self.derived(*index),
            Node::Decision(index) => self
                .decisions
                .get(*index)
                .cloned()
                .unwrap_or(Value::Nothing),
            Node::Truth(cond) => Value::Bool(self.truth(*cond)),
            Node::Add(a, b, subtract) => {
                self.ready_node(a);
                self.ready_node(b);
                match (self.peek(a), self.peek(b)) {
                    (Some(x), Some(y)) => add(x, y, *subtract),
                    _ => {
                        let (x, y) = (self.value(a), self.value(b));
                        add(&x, &y, *subtract)
                    }
                }
            }
            Node::Neg(a) => negate(self.value(a)),
            Node::IsPresent(a) => {
                self.ready_node(a);
                let present = match self.peek(a) {
                    Some(value) => *value != Value::Missing,
                    None => self.value(a) != Value::Missing,
                };
                Value::Bool(present)
            }
            Node::InSet(a, set) => {
                let value = self.value(a);
                Value::Bool(set.contains(&value))
            }
            Node::In(a, items) => {
                let value = self.value(a);
                let mut found = false;
                for item in items {
                    if self.value(item).compare(&value).is_some_and(|o| o.is_eq()) {
                        found = true;
                        break;
                    }
                }
                Value::Bool(found)
            }
            Node::If(condition, then, otherwise) => {
                if self.truth(*condition) {
                    self.value(then)
                } else {
                    self.value(otherwise)
                }
            }
            Node::Count { list, filter } => self.count(*list, *filter),
            Node::Fold {
                op,
                list,
                item,
                zero,
                filter,
            } => self.fold(*op, *list, *item, zero, *filter),
            Node::Bucket { salt, key } => match self.value(key) {
                Value::Text(key) => Value::Int(bucket(salt, &key)),
                _ => Value::Missing,
            },
            Node::Dates(function, args) => {
                let mut values: SmallVec<[Value; 4]> = SmallVec::with_capacity(args.len());
                for arg in args {
                    values.push(self.value(arg));
                }
                date_function(*function, &values)
            }
        }
    }

    /// The records of list field `slot`.
    fn records(&self, slot: usize) -> impl Iterator<Item = &'p [Value]> + use<'p> {
        let loan: &'p Loan = self.loan;
        records_of(loan.fields.get(slot))
    }

    /// Whether `record` passes `filter`, with the record's fields in scope.
    fn passes(&mut self, record: &'p [Value], filter: Option<Next>) -> bool {
        let Some(filter) = filter else { return true };
        let outer = self.item.replace(record);
        let result = self.truth(filter);
        self.item = outer;
        result
    }

    #[inline(never)]
    fn count(&mut self, list: usize, filter: Option<Next>) -> Value {
        let mut count: i64 = 0;
        for record in self.records(list) {
            if self.passes(record, filter) {
                count += 1;
            }
        }
        Value::Int(count)
    }

    #[inline(never)]
    fn fold(
        &mut self,
        op: FoldOp,
        list: usize,
        item: usize,
        zero: &'p Value,
        filter: Option<Next>,
    ) -> Value {
        let mut acc: Option<Value> = None;
        for record in self.records(list) {
            if !self.passes(record, filter) {
                continue;
            }
            match record.get(item) {
                Some(Value::Missing) | None => {}
                Some(value) => acc = Some(fold_in(acc, op, zero, value)),
            }
        }
        folded(acc, op, zero)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::{Just, Strategy, TestCaseError, prop_oneof};
    use std::path::Path;

    use super::*;
    use crate::input::loan_from_json;

    use crate::load::shipped as load;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// The loans of the sample book, read for `program`'s schema as they are taken, with
    /// their keys (the book's text is read once).
    fn sample_loans(program: &Program) -> impl Iterator<Item = (String, Loan)> + '_ {
        static BOOK: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let book = BOOK.get_or_init(|| {
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("examples/portfolios/retail-sample.jsonl"),
            )
            .unwrap()
        });
        book.lines()
            .map(|line| loan_from_json(line, program.schema()).unwrap())
    }

    /// `loans` decided on `as_of` by the plan, each checked against the tree evaluator's
    /// evaluation: the plan's evaluations, or the first loan the two decide differently.
    fn decided_both_ways(
        program: &Program,
        as_of: NaiveDate,
        loans: &[(String, Loan)],
    ) -> Result<Vec<Evaluation>, String> {
        let decider = program.decider(as_of);
        loans
            .iter()
            .map(|(key, loan)| {
                let (planned, walked) = (decider.evaluate(loan), program.evaluate(loan, as_of));
                if planned == walked {
                    Ok(planned)
                } else {
                    Err(format!(
                        "loan {key}, as of {as_of}: the plan gives {planned:?}, the tree evaluator {walked:?}"
                    ))
                }
            })
            .collect()
    }

    /// Every loan of the sample book, on dates around its own (where the 7- and 90-day
    /// windows, the limitation periods and the overdue thresholds fall across its loans),
    /// decided by every shipped policy over the reference schema: the plan and the tree
    /// evaluator agree, rule for rule.
    #[test]
    fn the_plan_decides_the_sample_book_as_the_tree_evaluator_does() {
        for name in ["retail.policy", "limitation.policy", "guardrails.policy"] {
            let program = load(name);
            let loans: Vec<_> = sample_loans(&program).collect();
            for as_of in ["2026-11-20", "2025-02-28", "2028-12-31"].map(day) {
                assert!(
                    program.decider(as_of).plan.is_some() || program.reads_borrowers(),
                    "{name}: a plan is made for a policy that does not read borrowers"
                );
                if let Err(difference) = decided_both_ways(&program, as_of, &loans) {
                    panic!("{name}, {difference}");
                }
            }
        }
    }

    /// Conditions in the shapes the compiler treats each its own way, which the shipped
    /// policies write few of: constants on the left, `not` over `or`, `!=`, amounts, `is
    /// missing`, a choice among a list, a decision's outcome, a conditional outcome.
    const SHAPES: &str = r#"policy shapes "conditions in shapes the plan compiles its own way"
use schema "loan-v1.schema"

let overdue "days overdue" =
  if oldest_unpaid_due_date is present and oldest_unpaid_due_date < as_of
  then as_of - oldest_unpaid_due_date
  else 0 days

let latest "latest contact" = max(contacts.on)

actions
  a1 "one", a2 "two", a3 "three", a4 "four", a5 "five", a6 "six"

decision first "the first": first match, gives action
  rule R1 "constants on the left" when 30 days < overdue and 2 >= count(promises) then a1
  rule R2 "not of an or" when not (has_assets or has_guarantor) and willingness != refuses then a2
  rule R3 "amounts" when principal_outstanding < 100_000.00 or (collateral_value is present and collateral_value >= principal_outstanding) then a3
  rule R4 "missing" when collateral_value is missing and not (oldest_unpaid_due_date is present) then a4
  rule R5 "a choice among" when operating_status in [ceased, loss, difficulty] and product != card
    then a5 if overdue >= 7 days or not (restructured) else a6
  rule R6 "the rest" otherwise then nothing

decision more "more": every match, gives actions
  rule M1 "after a1" when first = a1 then a2
  rule M2 "not a3, contacted lately" when first != a3 and latest is present and latest > as_of - 30 days then a3
  rule M3 "no rule" when first = nothing or (deceased and not bankrupt) then a4
"#;

    #[test]
    fn conditions_of_every_shape_are_decided_as_the_tree_evaluator_does() {
        let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/shapes.policy");
        let program = crate::load::load_policy_text(&policy, SHAPES.to_owned())
            .unwrap()
            .program;
        let loans: Vec<_> = sample_loans(&program).collect();
        let mut seen = std::collections::BTreeSet::new();
        for as_of in ["2026-11-20", "2025-02-28", "2028-12-31"].map(day) {
            assert!(program.decider(as_of).plan.is_some());
            for evaluation in decided_both_ways(&program, as_of, &loans).unwrap() {
                seen.insert(format!("{:?}", evaluation.outcomes));
            }
        }
        // The book takes the rules many ways, not one.
        assert!(seen.len() >= 8, "{seen:#?}");
    }

    /// A condition of the policy language over the reference schema, as text: comparisons of
    /// every kind the plan compiles its own way (day counts, choices, amounts, dates, counts,
    /// held values on both sides, a constant on either side), tests of presence, and `not`,
    /// `and` and `or` over them, nested.
    fn condition(reads_first: bool) -> impl Strategy<Value = String> {
        let op = proptest::sample::select(&["=", "!=", "<", "<=", ">", ">="][..]);
        // Choices, yes-or-no values and outcomes are equal or not: they have no order.
        let eq = proptest::sample::select(&["=", "!="][..]);
        let flag = proptest::sample::select(
            &[
                "has_assets",
                "has_guarantor",
                "restructured",
                "deceased",
                "bankrupt",
                "in_dispute",
            ][..],
        );
        let atom = prop_oneof![
            (op.clone(), 0u32..400).prop_map(|(op, n)| format!("overdue {op} {n} days")),
            (op.clone(), 0u32..400).prop_map(|(op, n)| format!("{n} days {op} overdue")),
            flag.prop_map(str::to_owned),
            (
                eq.clone(),
                proptest::sample::select(&["willing", "refuses", "unknown"][..])
            )
                .prop_map(|(op, choice)| format!("willingness {op} {choice}")),
            Just("operating_status in [ceased, loss, difficulty]".to_owned()),
            (op.clone(), 0u32..2_000_000)
                .prop_map(|(op, n)| format!("principal_outstanding {op} {n}.50")),
            (op.clone(), 0u32..5).prop_map(|(op, n)| format!("count(promises) {op} {n}")),
            (op.clone(), 0u32..3)
                .prop_map(|(op, n)| format!("{n} {op} count(contacts where channel = sms)")),
            (op.clone(), 0u32..800).prop_map(|(op, n)| format!(
                "oldest_unpaid_due_date is present and oldest_unpaid_due_date {op} as_of - {n} days"
            )),
            op.clone().prop_map(|op| format!(
                "collateral_value is present and collateral_value {op} principal_outstanding"
            )),
            Just("collateral_value is missing".to_owned()),
            (eq, 0u32..3).prop_map(move |(op, n)| {
                if reads_first {
                    format!("first {op} a{n}")
                } else {
                    format!("bankrupt {op} deceased")
                }
            }),
        ];
        atom.prop_recursive(3, 12, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|a| format!("not ({a})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("({a}) or ({b})")),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Generated conditions, as a decision's rules and as a guard, decide the first loans
        /// of the sample book as the tree evaluator does.
        #[test]
        fn generated_conditions_are_decided_as_the_tree_evaluator_does(
            firsts in proptest::collection::vec(condition(false), 1..4),
            mores in proptest::collection::vec(condition(true), 1..4),
        ) {
            let mut text = String::from(
                "policy generated \"generated\"\nuse schema \"loan-v1.schema\"\n\
                 let overdue \"days overdue\" =\n  if oldest_unpaid_due_date is present and oldest_unpaid_due_date < as_of\n  \
                 then as_of - oldest_unpaid_due_date\n  else 0 days\n\
                 actions a0 \"zero\", a1 \"one\", a2 \"two\"\n\
                 decision first \"first\": first match, gives action\n",
            );
            for (n, condition) in firsts.iter().enumerate() {
                text += &format!("  rule F{n} \"f\" when {condition} then a{}\n", n % 3);
            }
            text += "  rule F9 \"rest\" otherwise then nothing\ndecision more \"more\": every match, gives actions\n";
            for (n, condition) in mores.iter().enumerate() {
                text += &format!("  rule M{n} \"m\" when {condition} then a{}\n", n % 3);
            }
            text += &format!("guard G1 \"g\" when {} forbid a1\n", mores.last().unwrap());
            let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/generated.policy");
            let program = match crate::load::load_policy_text(&policy, text.clone()) {
                Ok(loaded) => loaded.program,
                Err(error) => return Err(TestCaseError::fail(format!("{error}\n{text}"))),
            };
            let loans: Vec<_> = sample_loans(&program).take(40).collect();
            for as_of in ["2026-11-20", "2025-02-28"].map(day) {
                if let Err(difference) = decided_both_ways(&program, as_of, &loans) {
                    return Err(TestCaseError::fail(format!("{difference}\npolicy:\n{text}")));
                }
            }
        }
    }

    /// What reads nothing of the loan is worked out once: a list filter's `as_of - 90 days`
    /// is a date in the plan, and no part of the plan reads the evaluation date.
    #[test]
    fn parts_that_read_nothing_of_the_loan_are_worked_out_when_the_plan_is_made() {
        let program = load("retail.policy");
        let plan = Plan::new(&program, day("2026-11-20")).unwrap();
        let index = program
            .derived
            .iter()
            .position(|d| d.named.name == "broken_promises_90d")
            .unwrap();
        let Some(Node::Count {
            filter: Some(Next::Step(at)),
            ..
        }) = plan.derived.get(index)
        else {
            panic!("{:?}", plan.derived.get(index));
        };
        // `not kept and due_on >= as_of - 90 days and ...`: the filter's first test is of
        // `kept`, which goes on to the second when it fails.
        let first = plan.steps.get(*at as usize).unwrap();
        assert!(matches!(first.test, Test::Is(Held::Item(_))), "{first:?}");
        assert_eq!(first.yes, Next::No);
        let second = first.no;
        let Next::Step(second) = second else {
            panic!("{second:?}")
        };
        let test = &plan.steps.get(second as usize).unwrap().test;
        assert!(
            matches!(test, Test::Date { op: CmpOp::Ge, held: Held::Item(_), date } if *date == day("2026-08-22")),
            "{test:?}"
        );
        assert!(!format!("{plan:?}").contains("AsOf"));
        // `bucket("visit-2026Q4", loan_id) < 10` reads the loan: it stays a comparison.
        let challenger = program
            .derived
            .iter()
            .position(|d| d.named.name == "challenger")
            .unwrap();
        let Some(Node::Truth(Next::Step(at))) = plan.derived.get(challenger) else {
            panic!("{:?}", plan.derived.get(challenger));
        };
        assert!(matches!(
            &plan.steps.get(*at as usize).unwrap().test,
            Test::Computed(parts) if matches!(**parts, (CmpOp::Lt, Node::Bucket { .. }, Node::Const(Value::Int(10))))
        ));
    }
}
