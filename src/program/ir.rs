//! The resolved, typed form of expressions and outcomes that `check` produces and `eval` runs.
//!
//! Names are gone: a field is its slot, a derived value or decision its index, an enumeration
//! choice or action its number. Every expression here has been type-checked.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::source::Span;
use crate::value::Value;

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// Whether `a op b` holds, given how `a` compares with `b`.
    pub(crate) fn holds(self, ordering: std::cmp::Ordering) -> bool {
        match self {
            CmpOp::Eq => ordering.is_eq(),
            CmpOp::Ne => ordering.is_ne(),
            CmpOp::Lt => ordering.is_lt(),
            CmpOp::Le => ordering.is_le(),
            CmpOp::Gt => ordering.is_gt(),
            CmpOp::Ge => ordering.is_ge(),
        }
    }

    /// As the policy language writes it.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The same comparison with its sides swapped: `a < b` is `b > a`.
    pub(crate) fn swapped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }

    /// The comparison that holds when this one does not: `not (a > b)` is `a <= b`.
    pub(crate) fn negated(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }
}

/// Folds over a list field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FoldOp {
    Min,
    Max,
    Sum,
}

/// How a value over a borrower's loans combines each loan's own value. A missing value
/// counts for nothing: the sum skips it, min and max pass it by, `any` and `all` read it as no.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Combine {
    /// The sum, starting from this zero (of the values' kind).
    Sum(Value),
    Min,
    Max,
    /// True when some loan's value is true.
    Any,
    /// True when every loan's value is true (and so for a borrower of no loans).
    All,
}

/// A value over all of a borrower's loans: `per_loan` is evaluated on each of them, as an
/// expression of that loan alone, and the results combined. `count(borrower.loans where c)`
/// is the sum of `if c then 1 else 0`; `max(borrower.overdue)` the greatest `overdue`;
/// `count(borrower.contacts where ...)` the sum of each loan's own count.
#[derive(Clone, Debug)]
pub(crate) struct BorrowerValue {
    pub(crate) combine: Combine,
    pub(crate) per_loan: Expr,
    /// Where it is written (its first place, when written more than once).
    pub(crate) span: Span,
}

impl PartialEq for BorrowerValue {
    fn eq(&self, other: &BorrowerValue) -> bool {
        self.combine == other.combine && self.per_loan == other.per_loan
    }
}

impl BorrowerValue {
    /// Folds one loan's value into `acc`, the value of the loans before it (`None` before
    /// the first).
    pub(crate) fn fold(&self, acc: Option<Value>, value: Value) -> Option<Value> {
        let present = !matches!(value, Value::Missing | Value::Nothing);
        match &self.combine {
            Combine::Sum(zero) => {
                let acc = acc.unwrap_or_else(|| zero.clone());
                Some(if present {
                    crate::value::sum(&acc, &value).unwrap_or(Value::Missing)
                } else {
                    acc
                })
            }
            Combine::Min | Combine::Max => {
                let keep_new = match (&acc, present) {
                    (_, false) => false,
                    (None | Some(Value::Missing), true) => true,
                    (Some(old), true) => {
                        let ordering = value.compare(old);
                        if self.combine == Combine::Min {
                            ordering == Some(Ordering::Less)
                        } else {
                            ordering == Some(Ordering::Greater)
                        }
                    }
                };
                if keep_new {
                    Some(value)
                } else {
                    Some(acc.unwrap_or(Value::Missing))
                }
            }
            Combine::Any => Some(Value::Bool(
                acc == Some(Value::Bool(true)) || value == Value::Bool(true),
            )),
            Combine::All => Some(Value::Bool(
                acc != Some(Value::Bool(false)) && value == Value::Bool(true),
            )),
        }
    }

    /// The value of a borrower of no loans read: the start of the fold.
    pub(crate) fn empty(&self) -> Value {
        match &self.combine {
            Combine::Sum(zero) => zero.clone(),
            Combine::Min | Combine::Max => Value::Missing,
            Combine::Any => Value::Bool(false),
            Combine::All => Value::Bool(true),
        }
    }
}

/// Functions of dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DateFn {
    /// `weekday(date)`: 1 for Monday to 7 for Sunday (ISO 8601).
    Weekday,
    /// `add_months(date, n)`: the same day `n` calendar months later (earlier for negative
    /// `n`), or the month's last day when it has no such day.
    AddMonths,
    /// `latest(a, b, ...)`: the latest of the dates present; missing when none is.
    Latest,
    /// `earliest(a, b, ...)`: the earliest of the dates present; missing when none is.
    Earliest,
}

/// The children of an expression, written once for shared and for mutable access.
macro_rules! each_child {
    ($kind:expr, $visit:ident, $iter:ident) => {
        match $kind {
            ExprKind::Const(_)
            | ExprKind::Field(_)
            | ExprKind::Item(_)
            | ExprKind::Derived(_)
            | ExprKind::Decision(_)
            | ExprKind::Borrower(_)
            | ExprKind::AsOf => {}
            ExprKind::Not(a)
            | ExprKind::Neg(a)
            | ExprKind::IsPresent(a)
            | ExprKind::InSet(a, _)
            | ExprKind::Bucket { key: a, .. } => $visit(a),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Cmp(_, a, b)
            | ExprKind::Add(a, b)
            | ExprKind::Sub(a, b) => {
                $visit(a);
                $visit(b);
            }
            ExprKind::In(a, items) => {
                $visit(a);
                items.$iter().for_each(&mut *$visit);
            }
            ExprKind::If(c, a, b) => {
                $visit(c);
                $visit(a);
                $visit(b);
            }
            ExprKind::Dates(_, args) => args.$iter().for_each(&mut *$visit),
            ExprKind::Count { filter, .. } | ExprKind::Fold { filter, .. } => {
                if let Some(f) = filter {
                    $visit(f);
                }
            }
        }
    };
}

/// A checked expression and the place in the policy it was written at (a synthetic part,
/// such as the `not` of `is missing`, has the place of what it was written as). Two
/// expressions are equal when they compute the same, wherever they are written: the analysis
/// relies on `overdue > 30 days` in two rules being one question.
#[derive(Clone, Debug)]
pub(crate) struct Expr {
    /// What it computes.
    pub(crate) kind: ExprKind,
    /// Where it is written.
    pub(crate) span: Span,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Expr) -> bool {
        self.kind == other.kind
    }
}

impl Expr {
    /// `kind`, written at `span`.
    pub(crate) fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// Gives this expression, and any part of it not yet placed, the place `span`: the checker
    /// builds an expression's parts first and places each once it knows what it was written
    /// as.
    pub(crate) fn place(&mut self, span: Span) {
        if self.span != Span::default() {
            return;
        }
        self.span = span;
        self.for_each_child_mut(&mut |child| child.place(span));
    }
}

impl From<ExprKind> for Expr {
    /// An expression not yet placed (see [`Expr::place`]).
    fn from(kind: ExprKind) -> Expr {
        Expr::new(kind, Span::default())
    }
}

/// The forms of a checked expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ExprKind {
    Const(Value),
    /// A loan field, by slot.
    Field(usize),
    /// A field of the list record currently being filtered or folded, by slot in the record.
    Item(usize),
    /// A derived value (`let`), by index.
    Derived(usize),
    /// A decision's outcome, by index.
    Decision(usize),
    /// A value over all of the borrower's loans, by index in [`super::Program`]'s
    /// `borrower_values`: the same for every loan of one borrower.
    Borrower(usize),
    /// The evaluation date.
    AsOf,
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    Add(Box<Expr>, Box<Expr>),
    Sub(Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    IsPresent(Box<Expr>),
    In(Box<Expr>, Vec<Expr>),
    /// `x in [...]` over a list of constants long enough to be worth a sorted set: a loan costs
    /// a binary search, whatever the list's length.
    InSet(Box<Expr>, Arc<ConstSet>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// How many records of list field `list` pass `filter`.
    Count {
        list: usize,
        filter: Option<Box<Expr>>,
    },
    /// Min, max or sum of record field `item` over the records of `list` that pass `filter`.
    /// Min and max of no records are missing; the sum of none is zero of the field's kind.
    Fold {
        op: FoldOp,
        list: usize,
        item: usize,
        zero: Value,
        filter: Option<Box<Expr>>,
    },
    /// The experiment bucket 0..=99 of `key` in experiment `salt`.
    Bucket {
        salt: String,
        key: Box<Expr>,
    },
    /// A function of dates.
    Dates(DateFn, Vec<Expr>),
}

impl Expr {
    /// Calls `visit` on each expression directly inside this one, `where` filters included.
    pub(crate) fn for_each_child(&self, visit: &mut dyn FnMut(&Expr)) {
        each_child!(&self.kind, visit, iter)
    }

    /// [`Expr::for_each_child`], able to change each.
    pub(crate) fn for_each_child_mut(&mut self, visit: &mut dyn FnMut(&mut Expr)) {
        each_child!(&mut self.kind, visit, iter_mut)
    }
}

/// A checked rule outcome.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Outcome {
    /// The rule decides that nothing is done.
    Nothing,
    /// An action or value, by number.
    Value(super::OutcomeId),
    /// `then if condition else otherwise`.
    If(Expr, Box<Outcome>, Box<Outcome>),
}

/// Constants of one kind, sorted and each once, for `in` over a long list.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ConstSet {
    values: Vec<Value>,
}

impl ConstSet {
    /// The set of `values` (all of one kind: the checker made them so).
    pub(crate) fn new(mut values: Vec<Value>) -> ConstSet {
        values.sort_by(|a, b| a.compare(b).unwrap_or(Ordering::Equal));
        values.dedup_by(|a, b| a.compare(b) == Some(Ordering::Equal));
        ConstSet { values }
    }

    /// Whether `value` equals one of the set's (a value of another kind, or a missing one,
    /// equals none).
    pub(crate) fn contains(&self, value: &Value) -> bool {
        self.values
            .binary_search_by(|probe| probe.compare(value).unwrap_or(Ordering::Less))
            .is_ok()
    }

    /// The values, in order.
    pub(crate) fn values(&self) -> &[Value] {
        &self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_finds_what_the_list_holds_and_nothing_else() {
        let money = |text: &str| Value::Money(text.parse().unwrap());
        let set = ConstSet::new(vec![money("3.00"), money("1"), money("2.5"), money("1.00")]);
        assert_eq!(set.values().len(), 3, "1 and 1.00 are one amount");
        assert!(set.contains(&money("1.0")));
        assert!(set.contains(&money("2.50")));
        assert!(!set.contains(&money("2")));
        assert!(!set.contains(&Value::Missing));
        assert!(!set.contains(&Value::Text("1".into())));
        let texts = ConstSet::new(["b", "a", "c", "a"].map(|t| Value::Text(t.into())).to_vec());
        assert!(texts.contains(&Value::Text("a".into())));
        assert!(!texts.contains(&Value::Text("d".into())));
    }
}
