//! The compiled form a whole book is decided with: the program's conditions and values
//! rebuilt once per run, for one evaluation date, into a tree the untraced evaluation walks
//! without the tree evaluator's per-node costs.
//!
//! What changes against [`super::Evaluator`], and why it pays:
//! - A part that reads nothing of the loan (`as_of - 90 days`, a constant's arithmetic) is
//!   worked out once, when the plan is made, by the tree evaluator itself. A list's filter
//!   used to work it out again for every record.
//! - A comparison reads both sides by reference when they are already values (a constant,
//!   a loan's or a record's field, a derived value once computed), so comparing costs no
//!   clone and no drop.
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
    /// Each decision's rules (by decision index, each in rule order): the condition (`None`
    /// for `otherwise`) and what a matching rule gives.
    decisions: Vec<Vec<(Option<Cond>, Pick)>>,
    /// The guards' conditions, in policy order.
    guards: Vec<Cond>,
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
    Truth(Box<Cond>),
    /// `a + b`, or `a - b` when the flag is set.
    Add(Box<Node>, Box<Node>, bool),
    Neg(Box<Node>),
    IsPresent(Box<Node>),
    In(Box<Node>, Vec<Node>),
    InSet(Box<Node>, Arc<ConstSet>),
    If(Box<Cond>, Box<Node>, Box<Node>),
    Count {
        list: usize,
        filter: Option<Box<Cond>>,
    },
    Fold {
        op: FoldOp,
        list: usize,
        item: usize,
        zero: Value,
        filter: Option<Box<Cond>>,
    },
    Bucket {
        salt: String,
        key: Box<Node>,
    },
    Dates(DateFn, Vec<Node>),
}

/// A compiled condition.
#[derive(Debug)]
enum Cond {
    Const(bool),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Cmp(CmpOp, Node, Node),
    /// True when the value is `true` (a yes-or-no field, `is present`, a date function...).
    Is(Node),
}

/// A compiled rule outcome.
#[derive(Debug)]
enum Pick {
    Nothing,
    Value(OutcomeId),
    If(Cond, Box<Pick>, Box<Pick>),
}

impl Plan {
    /// The program compiled for `as_of`; `None` when the program reads borrowers, which
    /// the plan leaves to the tree evaluator.
    fn new(program: &Program, as_of: NaiveDate) -> Option<Plan> {
        if program.reads_borrowers() {
            return None;
        }
        let compiler = Compiler {
            program,
            as_of,
            nothing: Loan::new(Vec::new()),
        };
        let derived = program
            .derived
            .iter()
            .map(|d| compiler.node(&d.expr))
            .collect::<Option<_>>()?;
        let decisions = program
            .decisions
            .iter()
            .map(|decision| {
                decision
                    .rules
                    .iter()
                    .map(|rule| {
                        let condition = match &rule.condition {
                            Some(c) => Some(compiler.cond(c)?),
                            None => None,
                        };
                        Some((condition, compiler.pick(&rule.outcome)?))
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<_>>()?;
        let guards = program
            .guards
            .iter()
            .map(|g| compiler.cond(&g.condition))
            .collect::<Option<_>>()?;
        Some(Plan {
            derived,
            decisions,
            guards,
        })
    }
}

/// Compiles one program's expressions for one date.
struct Compiler<'p> {
    program: &'p Program,
    as_of: NaiveDate,
    /// A loan of no fields, to work out the parts that read none.
    nothing: Loan,
}

impl Compiler<'_> {
    fn node(&self, expr: &Expr) -> Option<Node> {
        if reads_nothing_of_the_loan(expr) {
            let value = super::eval_expr(self.program, &self.nothing, self.as_of, expr);
            return Some(Node::Const(value));
        }
        let node = |e: &Expr| self.node(e).map(Box::new);
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
                Node::Truth(Box::new(self.cond(expr)?))
            }
            ExprKind::Add(a, b) => Node::Add(node(a)?, node(b)?, false),
            ExprKind::Sub(a, b) => Node::Add(node(a)?, node(b)?, true),
            ExprKind::Neg(a) => Node::Neg(node(a)?),
            ExprKind::IsPresent(a) => Node::IsPresent(node(a)?),
            ExprKind::In(a, items) => Node::In(
                node(a)?,
                items.iter().map(|i| self.node(i)).collect::<Option<_>>()?,
            ),
            ExprKind::InSet(a, set) => Node::InSet(node(a)?, Arc::clone(set)),
            ExprKind::If(c, a, b) => Node::If(Box::new(self.cond(c)?), node(a)?, node(b)?),
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
                key: node(key)?,
            },
            ExprKind::Dates(function, args) => Node::Dates(
                *function,
                args.iter().map(|a| self.node(a)).collect::<Option<_>>()?,
            ),
        })
    }

    fn cond(&self, expr: &Expr) -> Option<Cond> {
        let cond = |e: &Expr| self.cond(e).map(Box::new);
        Some(match &expr.kind {
            ExprKind::Not(a) => Cond::Not(cond(a)?),
            ExprKind::And(a, b) => Cond::And(cond(a)?, cond(b)?),
            ExprKind::Or(a, b) => Cond::Or(cond(a)?, cond(b)?),
            ExprKind::Cmp(op, a, b) if !reads_nothing_of_the_loan(expr) => {
                Cond::Cmp(*op, self.node(a)?, self.node(b)?)
            }
            _ => match self.node(expr)? {
                Node::Const(value) => Cond::Const(value == Value::Bool(true)),
                node => Cond::Is(node),
            },
        })
    }

    fn filter(&self, filter: Option<&Expr>) -> Option<Option<Box<Cond>>> {
        match filter {
            Some(f) => Some(Some(Box::new(self.cond(f)?))),
            None => Some(None),
        }
    }

    fn pick(&self, outcome: &Outcome) -> Option<Pick> {
        Some(match outcome {
            Outcome::Nothing => Pick::Nothing,
            Outcome::Value(value) => Pick::Value(*value),
            Outcome::If(c, a, b) => Pick::If(
                self.cond(c)?,
                Box::new(self.pick(a)?),
                Box::new(self.pick(b)?),
            ),
        })
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
                if !condition.as_ref().is_none_or(|c| self.truth(c)) {
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
        let fired: SmallVec<[bool; 16]> = plan.guards.iter().map(|g| self.truth(g)).collect();
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
                if self.truth(condition) {
                    self.pick(then)
                } else {
                    self.pick(otherwise)
                }
            }
        }
    }

    fn truth(&mut self, cond: &'p Cond) -> bool {
        match cond {
            Cond::Const(holds) => *holds,
            Cond::Not(inner) => !self.truth(inner),
            Cond::And(a, b) => self.truth(a) && self.truth(b),
            Cond::Or(a, b) => self.truth(a) || self.truth(b),
            Cond::Cmp(op, a, b) => {
                self.ready(a);
                self.ready(b);
                match (self.peek(a), self.peek(b)) {
                    (Some(x), Some(y)) => x.compare(y).is_some_and(|o| op.holds(o)),
                    _ => self.compare_computed(*op, a, b),
                }
            }
            Cond::Is(node) => {
                self.ready(node);
                match self.peek(node) {
                    Some(value) => matches!(value, Value::Bool(true)),
                    None => self.is_true_computed(node),
                }
            }
        }
    }

    /// `a op b` where a side is to be computed. Out of line, with [`Run::is_true_computed`],
    /// so that [`Run::truth`], called for every part of every condition, keeps a small frame.
    #[inline(never)]
    fn compare_computed(&mut self, op: CmpOp, a: &'p Node, b: &'p Node) -> bool {
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
    fn ready(&mut self, node: &'p Node) {
        if let Node::Derived(index) = node
            && matches!(self.derived.get(*index), Some(None))
        {
            self.compute_derived(*index);
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
            Node::Truth(cond) => Value::Bool(self.truth(cond)),
            Node::Add(a, b, subtract) => {
                self.ready(a);
                self.ready(b);
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
                self.ready(a);
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
                if self.truth(condition) {
                    self.value(then)
                } else {
                    self.value(otherwise)
                }
            }
            Node::Count { list, filter } => self.count(*list, filter.as_deref()),
            Node::Fold {
                op,
                list,
                item,
                zero,
                filter,
            } => self.fold(*op, *list, *item, zero, filter.as_deref()),
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
    fn passes(&mut self, record: &'p [Value], filter: Option<&'p Cond>) -> bool {
        let Some(filter) = filter else { return true };
        let outer = self.item.replace(record);
        let result = self.truth(filter);
        self.item = outer;
        result
    }

    #[inline(never)]
    fn count(&mut self, list: usize, filter: Option<&'p Cond>) -> Value {
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
        filter: Option<&'p Cond>,
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
    use std::path::Path;

    use super::*;
    use crate::input::loan_from_json;

    use crate::load::shipped as load;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// Every loan of the sample book, on dates around its own (where the 7- and 90-day
    /// windows, the limitation periods and the overdue thresholds fall across its loans),
    /// decided by every shipped policy over the reference schema: the plan and the tree
    /// evaluator agree, rule for rule.
    #[test]
    fn the_plan_decides_the_sample_book_as_the_tree_evaluator_does() {
        let book = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/portfolios/retail-sample.jsonl"),
        )
        .unwrap();
        for name in ["retail.policy", "limitation.policy", "guardrails.policy"] {
            let program = load(name);
            for as_of in ["2026-11-20", "2025-02-28", "2028-12-31"].map(day) {
                let decider = program.decider(as_of);
                assert!(
                    decider.plan.is_some() || program.reads_borrowers(),
                    "{name}: a plan is made for a policy that does not read borrowers"
                );
                for line in book.lines() {
                    let (key, loan) = loan_from_json(line, program.schema()).unwrap();
                    assert_eq!(
                        decider.evaluate(&loan),
                        program.evaluate(&loan, as_of),
                        "{name}, loan {key}, as of {as_of}"
                    );
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
        let text = format!("{:?}", plan.derived.get(index).unwrap());
        assert!(text.contains("Const(Date(2026-08-22))"), "{text}");
        assert!(!format!("{plan:?}").contains("AsOf"));
        // `bucket("visit-2026Q4", loan_id) < 10` reads the loan: it stays a comparison.
        let challenger = program
            .derived
            .iter()
            .position(|d| d.named.name == "challenger")
            .unwrap();
        assert!(matches!(
            plan.derived.get(challenger),
            Some(Node::Truth(cond)) if matches!(**cond, Cond::Cmp(CmpOp::Lt, Node::Bucket { .. }, Node::Const(Value::Int(10))))
        ));
    }
}
