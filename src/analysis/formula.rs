//! Rule conditions as boolean formulas over atoms.
//!
//! An atom is a yes/no question about a loan that the analysis does not look inside further:
//! `overdue > 90 days`, `willingness = willing`, `collateral_value >= principal_outstanding`.
//! A comparison of a decision's outcome with a value (`treatment = litigation`) is not an atom:
//! it is replaced by the formula for "that decision gives that value", so what decisions read
//! from each other is analysed as precisely as their own rules.

use crate::program::HitPolicy;
use crate::program::Program;
use crate::program::ir::{CmpOp, Expr, ExprKind, Outcome};
use crate::value::Value;

/// A boolean formula over atoms (by index into [`Atoms`]).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Formula {
    True,
    False,
    Atom(usize),
    Not(Box<Formula>),
    And(Vec<Formula>),
    Or(Vec<Formula>),
}

impl Formula {
    pub(crate) fn not(self) -> Formula {
        match self {
            Formula::True => Formula::False,
            Formula::False => Formula::True,
            Formula::Not(inner) => *inner,
            other => Formula::Not(Box::new(other)),
        }
    }

    pub(crate) fn and(parts: Vec<Formula>) -> Formula {
        let mut kept = Vec::new();
        for part in parts {
            match part {
                Formula::True => {}
                Formula::False => return Formula::False,
                Formula::And(inner) => kept.extend(inner),
                other => kept.push(other),
            }
        }
        if kept.is_empty() {
            Formula::True
        } else if kept.len() == 1 {
            kept.remove(0)
        } else {
            Formula::And(kept)
        }
    }

    pub(crate) fn or(parts: Vec<Formula>) -> Formula {
        let mut kept = Vec::new();
        for part in parts {
            match part {
                Formula::False => {}
                Formula::True => return Formula::True,
                Formula::Or(inner) => kept.extend(inner),
                other => kept.push(other),
            }
        }
        if kept.is_empty() {
            Formula::False
        } else if kept.len() == 1 {
            kept.remove(0)
        } else {
            Formula::Or(kept)
        }
    }

    /// Atoms in order of first appearance.
    pub(crate) fn atoms(&self, out: &mut Vec<usize>) {
        let mut seen = Vec::new();
        self.collect_atoms(out, &mut seen);
    }

    /// [`Formula::atoms`], remembering those met in `seen` (indexed by atom), so a formula over
    /// thousands of atoms is walked in linear time.
    fn collect_atoms(&self, out: &mut Vec<usize>, seen: &mut Vec<bool>) {
        match self {
            Formula::True | Formula::False => {}
            Formula::Atom(a) => {
                if seen.len() <= *a {
                    seen.resize(*a + 1, false);
                }
                if let Some(slot) = seen.get_mut(*a)
                    && !*slot
                {
                    *slot = true;
                    out.push(*a);
                }
            }
            Formula::Not(inner) => inner.collect_atoms(out, seen),
            Formula::And(parts) | Formula::Or(parts) => {
                parts.iter().for_each(|p| p.collect_atoms(out, seen))
            }
        }
    }

    /// Three-valued evaluation: `None` when it depends on atoms not yet decided.
    pub(crate) fn eval(&self, atom: &dyn Fn(usize) -> Option<bool>) -> Option<bool> {
        match self {
            Formula::True => Some(true),
            Formula::False => Some(false),
            Formula::Atom(a) => atom(*a),
            Formula::Not(inner) => inner.eval(atom).map(|b| !b),
            Formula::And(parts) => {
                let mut unknown = false;
                for part in parts {
                    match part.eval(atom) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown { None } else { Some(true) }
            }
            Formula::Or(parts) => {
                let mut unknown = false;
                for part in parts {
                    match part.eval(atom) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown { None } else { Some(false) }
            }
        }
    }
}

/// What an atom asks, when it is a test of one value against constants.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Test {
    Cmp(CmpOp, Value),
    In(Vec<Value>),
    Present,
    IsTrue,
}

/// The value a simple atom tests: a loan field, a derived value, or the days from a date field
/// to the evaluation date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Dim {
    Field(usize),
    Derived(usize),
    /// `as_of - field`, in days, for a date field: `field < as_of` is `as_of - field > 0 days`.
    /// Missing when the field is; the over-approximate space keeps the two in one component.
    DaysSince(usize),
}

impl Dim {
    /// The dimension whose component this one shares: a date field's days since it share the
    /// field's own, so "present" and "missing" agree between them.
    pub(crate) fn component(self) -> Dim {
        match self {
            Dim::DaysSince(slot) => Dim::Field(slot),
            other => other,
        }
    }
}

/// One atom.
#[derive(Clone, Debug)]
pub(crate) struct Atom {
    /// The atom as an expression, to evaluate on candidate loans.
    pub(crate) expr: Expr,
    /// When it tests one value against constants: which value, and how.
    pub(crate) simple: Option<(Dim, Test)>,
}

/// Every atom of a policy, each once.
#[derive(Debug, Default)]
pub(crate) struct Atoms {
    pub(crate) list: Vec<Atom>,
    /// How many decisions are being written out inside one another right now.
    inlining: usize,
}

/// How many decisions deep "decision `d` gives `v`" is written out as the rules that give it.
/// Each level can double the formula (a rule's condition appears as is and negated for the
/// rules after it), so a chain of decisions reading each other would grow it exponentially;
/// deeper than this, the comparison stays an opaque atom: free in the over-approximate space
/// (so proofs stay sound, only weaker) and checked by the engine for witnesses.
pub(crate) const MAX_INLINING: usize = 6;

fn dim_of(expr: &Expr) -> Option<Dim> {
    match &expr.kind {
        ExprKind::Field(slot) => Some(Dim::Field(*slot)),
        ExprKind::Derived(index) => Some(Dim::Derived(*index)),
        _ => None,
    }
}

/// The longest `in` list the analysis cuts a value's range at; a longer one is an opaque
/// yes/no question.
const EXPANDED_SET: usize = 64;

/// The date field whose days since the evaluation date `expr` is (`as_of - field`), or minus
/// them (`field - as_of`, `false`).
fn days_since(expr: &Expr) -> Option<(usize, bool)> {
    match &expr.kind {
        ExprKind::Sub(a, b) => match (&a.kind, &b.kind) {
            (ExprKind::AsOf, ExprKind::Field(slot)) => Some((*slot, true)),
            (ExprKind::Field(slot), ExprKind::AsOf) => Some((*slot, false)),
            _ => None,
        },
        _ => None,
    }
}

fn simple(expr: &Expr) -> Option<(Dim, Test)> {
    match &expr.kind {
        ExprKind::Cmp(op, left, right) => match (&left.kind, &right.kind) {
            // `field < as_of` is `as_of - field > 0 days`; `as_of < field`, `as_of - field < 0 days`.
            (ExprKind::Field(slot), ExprKind::AsOf) => Some((
                Dim::DaysSince(*slot),
                Test::Cmp(op.swapped(), Value::Days(0)),
            )),
            (ExprKind::AsOf, ExprKind::Field(slot)) => {
                Some((Dim::DaysSince(*slot), Test::Cmp(*op, Value::Days(0))))
            }
            (_, ExprKind::Const(v)) => match (days_since(left), v) {
                (Some((slot, true)), Value::Days(_)) => {
                    Some((Dim::DaysSince(slot), Test::Cmp(*op, v.clone())))
                }
                (Some((slot, false)), Value::Days(n)) => Some((
                    Dim::DaysSince(slot),
                    Test::Cmp(op.swapped(), Value::Days(n.checked_neg()?)),
                )),
                _ => dim_of(left).map(|d| (d, Test::Cmp(*op, v.clone()))),
            },
            (ExprKind::Const(v), _) => match (days_since(right), v) {
                (Some((slot, true)), Value::Days(_)) => {
                    Some((Dim::DaysSince(slot), Test::Cmp(op.swapped(), v.clone())))
                }
                (Some((slot, false)), Value::Days(n)) => Some((
                    Dim::DaysSince(slot),
                    Test::Cmp(*op, Value::Days(n.checked_neg()?)),
                )),
                _ => dim_of(right).map(|d| (d, Test::Cmp(op.swapped(), v.clone()))),
            },
            _ => None,
        },
        ExprKind::In(value, items) => {
            let values: Option<Vec<Value>> = items
                .iter()
                .map(|i| {
                    if let ExprKind::Const(v) = &i.kind {
                        Some(v.clone())
                    } else {
                        None
                    }
                })
                .collect();
            dim_of(value).zip(values).map(|(d, v)| (d, Test::In(v)))
        }
        // A long list is one yes/no question: cutting a value's range at every item would
        // grow the search with the list (see ARCHITECTURE.md, analysis).
        ExprKind::InSet(value, set) if set.values().len() <= EXPANDED_SET => {
            dim_of(value).map(|d| (d, Test::In(set.values().to_vec())))
        }
        ExprKind::IsPresent(inner) => dim_of(inner).map(|d| (d, Test::Present)),
        _ => dim_of(expr).map(|d| (d, Test::IsTrue)),
    }
}

impl Atoms {
    pub(crate) fn intern(&mut self, expr: &Expr) -> usize {
        if let Some(index) = self.list.iter().position(|a| a.expr == *expr) {
            return index;
        }
        self.list.push(Atom {
            expr: expr.clone(),
            simple: simple(expr),
        });
        self.list.len() - 1
    }

    /// The formula of a condition.
    pub(crate) fn condition(&mut self, program: &Program, expr: &Expr) -> Formula {
        match &expr.kind {
            ExprKind::Const(Value::Bool(b)) => {
                if *b {
                    Formula::True
                } else {
                    Formula::False
                }
            }
            ExprKind::Not(inner) => self.condition(program, inner).not(),
            ExprKind::And(a, b) => {
                Formula::and(vec![self.condition(program, a), self.condition(program, b)])
            }
            ExprKind::Or(a, b) => {
                Formula::or(vec![self.condition(program, a), self.condition(program, b)])
            }
            ExprKind::Cmp(op @ (CmpOp::Eq | CmpOp::Ne), left, right) => {
                let decision = match (&left.kind, &right.kind) {
                    (ExprKind::Decision(d), ExprKind::Const(v))
                    | (ExprKind::Const(v), ExprKind::Decision(d)) => Some((*d, v.clone())),
                    _ => None,
                };
                match decision {
                    Some((d, value)) if self.inlining < MAX_INLINING => {
                        self.inlining += 1;
                        let gives = self.gives(program, d, &value);
                        self.inlining -= 1;
                        if *op == CmpOp::Eq { gives } else { gives.not() }
                    }
                    _ => Formula::Atom(self.intern(expr)),
                }
            }
            ExprKind::In(value, items)
                if matches!(value.kind, ExprKind::Decision(_)) && self.inlining < MAX_INLINING =>
            {
                let ExprKind::Decision(d) = &value.kind else {
                    return Formula::Atom(self.intern(expr));
                };
                self.inlining += 1;
                let parts = items
                    .iter()
                    .map(|item| match &item.kind {
                        ExprKind::Const(v) => self.gives(program, *d, v),
                        _ => Formula::Atom(self.intern(expr)),
                    })
                    .collect();
                self.inlining -= 1;
                Formula::or(parts)
            }
            // A yes/no `let` that is itself a condition (`let 特殊类 = 经营状况 in [...]`) is
            // written out as that condition, so the analysis sees what it tests; as deep as
            // decisions are.
            ExprKind::Derived(index)
                if self.inlining < MAX_INLINING
                    && program
                        .derived
                        .get(*index)
                        .is_some_and(|d| d.ty == crate::program::Ty::Bool && !d.optional) =>
            {
                let Some(definition) = program.derived.get(*index) else {
                    return Formula::Atom(self.intern(expr));
                };
                self.inlining += 1;
                let formula = self.condition(program, &definition.expr);
                self.inlining -= 1;
                formula
            }
            _ => Formula::Atom(self.intern(expr)),
        }
    }

    /// "Rule `rule` of decision `decision` is the one that decides" (first match), or
    /// "it matches" (every match).
    pub(crate) fn fires(&mut self, program: &Program, decision: usize, rule: usize) -> Formula {
        let Some(def) = program.decisions.get(decision) else {
            return Formula::False;
        };
        let matches = |atoms: &mut Atoms, r: usize| {
            def.rules
                .get(r)
                .map_or(Formula::False, |rule| match &rule.condition {
                    Some(c) => atoms.condition(program, c),
                    None => Formula::True,
                })
        };
        let own = matches(self, rule);
        if def.hit == HitPolicy::Collect {
            return own;
        }
        let mut parts = vec![own];
        for earlier in 0..rule {
            parts.push(matches(self, earlier).not());
        }
        Formula::and(parts)
    }

    fn yields(&mut self, program: &Program, outcome: &Outcome, value: &Value) -> Formula {
        match outcome {
            Outcome::Nothing => {
                if *value == Value::Nothing {
                    Formula::True
                } else {
                    Formula::False
                }
            }
            Outcome::Value(v) => {
                if *value == Value::Outcome(v.raw()) {
                    Formula::True
                } else {
                    Formula::False
                }
            }
            Outcome::If(condition, then, otherwise) => {
                let c = self.condition(program, condition);
                let a = self.yields(program, then, value);
                let b = self.yields(program, otherwise, value);
                Formula::or(vec![
                    Formula::and(vec![c.clone(), a]),
                    Formula::and(vec![c.not(), b]),
                ])
            }
        }
    }

    /// "Decision `decision` gives `value`" (`Nothing` when it decides nothing or no rule matches).
    pub(crate) fn gives(&mut self, program: &Program, decision: usize, value: &Value) -> Formula {
        let Some(def) = program.decisions.get(decision) else {
            return Formula::False;
        };
        let mut cases = Vec::new();
        for (index, rule) in def.rules.iter().enumerate() {
            let fires = self.fires(program, decision, index);
            let yields = self.yields(program, &rule.outcome, value);
            cases.push(Formula::and(vec![fires, yields]));
        }
        if *value == Value::Nothing {
            let none: Vec<Formula> = (0..def.rules.len())
                .map(
                    |r| match def.rules.get(r).and_then(|rule| rule.condition.as_ref()) {
                        Some(c) => self.condition(program, c).not(),
                        None => Formula::False,
                    },
                )
                .collect();
            cases.push(Formula::and(none));
        }
        Formula::or(cases)
    }
}
