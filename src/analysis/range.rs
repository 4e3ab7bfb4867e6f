//! The range of whole-number and day-count values: what a derived value can be at all.
//!
//! Sound and small: a count is never negative (nor a count over a borrower's loans), a bucket lies in 0..=99, a constant is itself,
//! `as_of - d` is at least one day where the surrounding `if` has established `d < as_of`,
//! and an `if` can be either of its branches. Anything else is unbounded.

use crate::program::Program;
use crate::program::ir::{CmpOp, Expr, ExprKind};
use crate::value::Value;

/// Inclusive bounds; `None` is unbounded on that side.
pub(crate) type Range = (Option<i64>, Option<i64>);

const UNBOUNDED: Range = (None, None);

fn hull(a: Range, b: Range) -> Range {
    let low = match (a.0, b.0) {
        (Some(x), Some(y)) => Some(x.min(y)),
        _ => None,
    };
    let high = match (a.1, b.1) {
        (Some(x), Some(y)) => Some(x.max(y)),
        _ => None,
    };
    (low, high)
}

/// Whether `condition` being true establishes `date < as_of` for the date expression `date`.
fn establishes_before_as_of(condition: &Expr, date: &Expr) -> bool {
    match &condition.kind {
        ExprKind::And(a, b) => {
            establishes_before_as_of(a, date) || establishes_before_as_of(b, date)
        }
        ExprKind::Cmp(CmpOp::Lt, left, right) => {
            left.as_ref() == date && matches!(right.kind, ExprKind::AsOf)
        }
        ExprKind::Cmp(CmpOp::Gt, left, right) => {
            right.as_ref() == date && matches!(left.kind, ExprKind::AsOf)
        }
        _ => false,
    }
}

/// The range of `expr`, under `known` (conditions known to hold).
pub(crate) fn range(program: &Program, expr: &Expr, known: &[&Expr], depth: usize) -> Range {
    if depth > 32 {
        return UNBOUNDED;
    }
    match &expr.kind {
        ExprKind::Const(Value::Int(n) | Value::Days(n)) => (Some(*n), Some(*n)),
        ExprKind::Count { .. } => (Some(0), None),
        ExprKind::Bucket { .. } => (Some(0), Some(99)),
        ExprKind::Dates(crate::program::ir::DateFn::Weekday, _) => (Some(1), Some(7)),
        ExprKind::Derived(index) => program
            .derived
            .get(*index)
            .map_or(UNBOUNDED, |d| range(program, &d.expr, &[], depth + 1)),
        // A sum over a borrower's loans of parts never below zero (a count of loans or of
        // records) is never below zero either; its top depends on how many loans there are.
        ExprKind::Borrower(index) => match program.borrower_values.get(*index) {
            Some(value) if matches!(value.combine, crate::program::ir::Combine::Sum(_)) => {
                match range(program, &value.per_loan, &[], depth + 1) {
                    (Some(low), _) if low >= 0 => (Some(0), None),
                    _ => UNBOUNDED,
                }
            }
            _ => UNBOUNDED,
        },
        ExprKind::Sub(left, right) if matches!(left.kind, ExprKind::AsOf) => {
            if known.iter().any(|c| establishes_before_as_of(c, right)) {
                (Some(1), None)
            } else {
                UNBOUNDED
            }
        }
        ExprKind::If(condition, then, otherwise) => {
            let mut with = known.to_vec();
            with.push(condition);
            hull(
                range(program, then, &with, depth + 1),
                range(program, otherwise, known, depth + 1),
            )
        }
        _ => UNBOUNDED,
    }
}

/// Whether a value in `range` can pass `value op constant`, and whether every value does:
/// `(some, all)`.
pub(crate) fn test_over(range: Range, op: CmpOp, constant: i64) -> (bool, bool) {
    let (low, high) = range;
    let above = |x: i64| high.is_none_or(|h| h >= x); // some value >= x
    let below = |x: i64| low.is_none_or(|l| l <= x); // some value <= x
    let all_at_least = |x: i64| low.is_some_and(|l| l >= x);
    let all_at_most = |x: i64| high.is_some_and(|h| h <= x);
    match op {
        CmpOp::Gt => (
            above(constant.saturating_add(1)),
            all_at_least(constant.saturating_add(1)),
        ),
        CmpOp::Ge => (above(constant), all_at_least(constant)),
        CmpOp::Lt => (
            below(constant.saturating_sub(1)),
            all_at_most(constant.saturating_sub(1)),
        ),
        CmpOp::Le => (below(constant), all_at_most(constant)),
        CmpOp::Eq => (
            above(constant) && below(constant),
            low == Some(constant) && high == Some(constant),
        ),
        CmpOp::Ne => (
            !(low == Some(constant) && high == Some(constant)),
            !(above(constant) && below(constant)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_over_ranges() {
        let at_least_one = (Some(1), None);
        assert_eq!(test_over(at_least_one, CmpOp::Lt, 0), (false, false));
        assert_eq!(test_over(at_least_one, CmpOp::Ge, 0), (true, true));
        assert_eq!(test_over(at_least_one, CmpOp::Gt, 30), (true, false));
        assert_eq!(test_over((Some(0), Some(99)), CmpOp::Lt, 100), (true, true));
        assert_eq!(test_over((Some(0), Some(0)), CmpOp::Eq, 0), (true, true));
        assert_eq!(test_over((None, None), CmpOp::Lt, 0), (true, false));
    }
}
