//! Conditions written through the definitions of derived values.
//!
//! The analysis proper treats `overdue > 90 days` as a question about the value `overdue`,
//! free to take any answer: it cannot see that `overdue` is `0 days` whenever the oldest
//! unpaid due date is missing. Some proofs need exactly that, chiefly the mutation tests'
//! proofs that a change cannot alter an outcome. Here a derived value inside a condition is
//! replaced by its definition: `if c then a else b` tested against a constant becomes "`c` and
//! `a` passes, or not `c` and `b` passes", down to tests of fields (and the days from a date
//! field to the evaluation date, which the over-approximate space relates to the field).
//!
//! Two programs that differ only in some derived values' definitions can be compared this way
//! (*strict*): every atom left must read none of the values that differ, so that it means the
//! same thing in both. Within one program a value's atom is kept and tied to its definition
//! instead (`overdue > 90 days` if and only if what defines it says so, see
//! [`Atoms::definition`]): the atom keeps what the space knows of the value's range and order,
//! the definition adds what it is computed from.

use super::formula::{Atoms, Formula, MAX_INLINING, Test};
use super::space::test;
use crate::program::Program;
use crate::program::ir::{Expr, ExprKind};
use crate::value::Value;

/// What to write out, and how strictly.
pub(crate) struct Unfold<'p> {
    program: &'p Program,
    /// The derived values (by index) to replace by their definitions.
    open: Vec<bool>,
    /// The decisions (by index) whose rules read an open value: in strict mode a comparison of
    /// their outcome is kept as one atom, which the caller proves means the same in both programs.
    deciding: Vec<bool>,
    /// Whether an atom that still reads an open value is a failure (two programs compared)
    /// rather than an atom (one program).
    strict: bool,
}

impl<'p> Unfold<'p> {
    /// Nothing written out: a derived value's own definition is written one level down, each
    /// value inside it left an atom (see [`Atoms::definition`]).
    pub(crate) fn none(program: &'p Program) -> Unfold<'p> {
        Unfold {
            program,
            open: vec![false; program.derived.len()],
            deciding: vec![false; program.decisions.len()],
            strict: false,
        }
    }

    /// The values in `open` (and the decisions in `deciding`) written out in `program`, failing
    /// on any atom that still reads one.
    pub(crate) fn strict(program: &'p Program, open: Vec<bool>, deciding: Vec<bool>) -> Unfold<'p> {
        Unfold {
            program,
            open,
            deciding,
            strict: true,
        }
    }

    /// Whether `expr` reads an open derived value or the outcome of a decision that does.
    pub(crate) fn reads(&self, expr: &Expr) -> bool {
        self.reads_open(expr) || self.reads_deciding(expr)
    }

    /// Whether `expr` reads an open derived value.
    fn reads_open(&self, expr: &Expr) -> bool {
        let mut found =
            matches!(expr.kind, ExprKind::Derived(i) if self.open.get(i) == Some(&true));
        if !found {
            expr.for_each_child(&mut |child| found = found || self.reads_open(child));
        }
        found
    }

    /// Whether `expr` reads the outcome of a decision whose rules read an open value.
    fn reads_deciding(&self, expr: &Expr) -> bool {
        let mut found =
            matches!(expr.kind, ExprKind::Decision(d) if self.deciding.get(d) == Some(&true));
        if !found {
            expr.for_each_child(&mut |child| found = found || self.reads_deciding(child));
        }
        found
    }
}

impl Atoms {
    /// "Derived value `index` passes `test`" as its definition says, one level down: the
    /// values its definition reads stay atoms.
    pub(crate) fn definition(
        &mut self,
        program: &Program,
        index: usize,
        test: &Test,
    ) -> Option<Formula> {
        let definition = program.derived.get(index)?;
        self.unfold_value(&Unfold::none(program), &definition.expr, test, 0)
    }

    /// The formula of `condition`, written through the open derived values of `unfold`;
    /// `None` in strict mode when some atom would still read one.
    pub(crate) fn unfolded(&mut self, unfold: &Unfold, condition: &Expr) -> Option<Formula> {
        self.unfold_condition(unfold, condition, 0)
    }

    fn unfold_condition(&mut self, u: &Unfold, expr: &Expr, depth: usize) -> Option<Formula> {
        let constant = |e: &Expr| match &e.kind {
            ExprKind::Const(v) => Some(v.clone()),
            _ => None,
        };
        match &expr.kind {
            ExprKind::Const(Value::Bool(b)) => {
                Some(if *b { Formula::True } else { Formula::False })
            }
            ExprKind::Not(inner) => Some(self.unfold_condition(u, inner, depth)?.not()),
            ExprKind::And(a, b) => Some(Formula::and(vec![
                self.unfold_condition(u, a, depth)?,
                self.unfold_condition(u, b, depth)?,
            ])),
            ExprKind::Or(a, b) => Some(Formula::or(vec![
                self.unfold_condition(u, a, depth)?,
                self.unfold_condition(u, b, depth)?,
            ])),
            ExprKind::Derived(_) if u.reads_open(expr) => {
                self.unfold_value(u, expr, &Test::IsTrue, depth)
            }
            ExprKind::Cmp(op, left, right) if u.reads_open(expr) => {
                match (constant(left), constant(right)) {
                    (None, Some(c)) => self.unfold_value(u, left, &Test::Cmp(*op, c), depth),
                    (Some(c), None) => {
                        self.unfold_value(u, right, &Test::Cmp(op.swapped(), c), depth)
                    }
                    _ => self.leaf(u, expr),
                }
            }
            ExprKind::IsPresent(inner) if u.reads_open(inner) => {
                self.unfold_value(u, inner, &Test::Present, depth)
            }
            ExprKind::In(inner, items) if u.reads_open(inner) => {
                match items.iter().map(constant).collect::<Option<Vec<Value>>>() {
                    Some(values) => self.unfold_value(u, inner, &Test::In(values), depth),
                    None => self.leaf(u, expr),
                }
            }
            ExprKind::InSet(inner, set) if u.reads_open(inner) => {
                self.unfold_value(u, inner, &Test::In(set.values().to_vec()), depth)
            }
            _ => self.leaf(u, expr),
        }
    }

    /// "`expr` passes `test`", with `expr` a value that may read open derived values.
    fn unfold_value(&mut self, u: &Unfold, expr: &Expr, t: &Test, depth: usize) -> Option<Formula> {
        match &expr.kind {
            ExprKind::Const(v) => Some(if test(t, v) {
                Formula::True
            } else {
                Formula::False
            }),
            ExprKind::Derived(index)
                if u.open.get(*index) == Some(&true) && depth < MAX_INLINING =>
            {
                let definition = u.program.derived.get(*index)?;
                self.unfold_value(u, &definition.expr, t, depth + 1)
            }
            ExprKind::If(condition, then, otherwise) => {
                let c = self.unfold_condition(u, condition, depth)?;
                let a = self.unfold_value(u, then, t, depth)?;
                let b = self.unfold_value(u, otherwise, t, depth)?;
                Some(Formula::or(vec![
                    Formula::and(vec![c.clone(), a]),
                    Formula::and(vec![c.not(), b]),
                ]))
            }
            _ if *t == Test::IsTrue => match &expr.kind {
                ExprKind::Derived(_) => self.leaf(u, expr),
                _ => self.unfold_condition(u, expr, depth),
            },
            _ => {
                let boxed = Box::new(expr.clone());
                let constant = |v: &Value| Expr::new(ExprKind::Const(v.clone()), expr.span);
                let kind = match t {
                    Test::Cmp(op, v) => ExprKind::Cmp(*op, boxed, Box::new(constant(v))),
                    Test::In(values) => ExprKind::In(boxed, values.iter().map(constant).collect()),
                    Test::Present => ExprKind::IsPresent(boxed),
                    Test::IsTrue => return self.leaf(u, expr),
                };
                self.leaf(u, &Expr::new(kind, expr.span))
            }
        }
    }

    /// An atom (or a condition the plain analysis writes out), unless in strict mode it reads
    /// an open value.
    fn leaf(&mut self, u: &Unfold, expr: &Expr) -> Option<Formula> {
        if !u.strict {
            return Some(self.condition(u.program, expr));
        }
        if u.reads_open(expr) {
            return None;
        }
        if u.reads_deciding(expr) {
            // Not written out as the decision's rules: those differ between the two programs,
            // and the caller proves the decision decides alike in both.
            return Some(Formula::Atom(self.intern(expr)));
        }
        Some(self.condition(u.program, expr))
    }
}
