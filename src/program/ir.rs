//! The resolved, typed form of expressions and outcomes that `check` produces and `eval` runs.
//!
//! Names are gone: a field is its slot, a derived value or decision its index, an enumeration
//! choice or action its number. Every expression here has been type-checked.

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
}

/// Folds over a list field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FoldOp {
    Min,
    Max,
    Sum,
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

/// A checked expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    Const(Value),
    /// A loan field, by slot.
    Field(usize),
    /// A field of the list record currently being filtered or folded, by slot in the record.
    Item(usize),
    /// A derived value (`let`), by index.
    Derived(usize),
    /// A decision's outcome, by index.
    Decision(usize),
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
        match self {
            Expr::Const(_)
            | Expr::Field(_)
            | Expr::Item(_)
            | Expr::Derived(_)
            | Expr::Decision(_)
            | Expr::AsOf => {}
            Expr::Not(a) | Expr::Neg(a) | Expr::IsPresent(a) | Expr::Bucket { key: a, .. } => {
                visit(a)
            }
            Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Cmp(_, a, b)
            | Expr::Add(a, b)
            | Expr::Sub(a, b) => {
                visit(a);
                visit(b);
            }
            Expr::In(a, items) => {
                visit(a);
                items.iter().for_each(&mut *visit);
            }
            Expr::If(c, a, b) => {
                visit(c);
                visit(a);
                visit(b);
            }
            Expr::Dates(_, args) => args.iter().for_each(&mut *visit),
            Expr::Count { filter, .. } | Expr::Fold { filter, .. } => {
                if let Some(f) = filter {
                    visit(f);
                }
            }
        }
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
