//! Which tests settled a condition, for traces: `explain` shows the comparison that decided a
//! rule with both sides (`overdue = 1 day, needs > 90 days`), not only the values it read.
//!
//! Only when tracing: the evaluation is the same as [`Evaluator::truth`]'s, part for part and
//! in the same order, so a traced loan gets the outcome an untraced one does.

use super::Evaluator;
use super::trace::{Needs, TestTrace};
use crate::program::ir::{Expr, ExprKind};
use crate::program::{DecisionId, ReadSource, Slot, ValueId, kind_of, to_text};
use crate::value::shortened;

/// How many items of an `in` list a test's needs name before counting the rest.
const ITEMS_NAMED: usize = 5;

impl<'p> Evaluator<'p> {
    /// Whether `condition` holds, and the tests that settled it.
    pub(super) fn settle(&mut self, condition: &'p Expr) -> (bool, Vec<TestTrace>) {
        self.settle_part(condition, None)
    }

    /// [`Evaluator::settle`] of a part; `negated_by` is the `not` written right around it,
    /// whose words a leaf test takes.
    fn settle_part(
        &mut self,
        expr: &'p Expr,
        negated_by: Option<&'p Expr>,
    ) -> (bool, Vec<TestTrace>) {
        match &expr.kind {
            ExprKind::Not(inner) if is_leaf(inner) => {
                let (holds, tests) = self.settle_part(inner, Some(expr));
                (!holds, tests)
            }
            // `not (a and b)`: the parts' own tests say what the loan had.
            ExprKind::Not(inner) => {
                let (holds, tests) = self.settle_part(inner, None);
                (!holds, tests)
            }
            ExprKind::And(a, b) => {
                let (first, mut tests) = self.settle_part(a, None);
                if !first {
                    return (false, tests);
                }
                let (second, more) = self.settle_part(b, None);
                if !second {
                    return (false, more);
                }
                tests.extend(more);
                (true, tests)
            }
            ExprKind::Or(a, b) => {
                let (first, mut tests) = self.settle_part(a, None);
                if first {
                    return (true, tests);
                }
                let (second, more) = self.settle_part(b, None);
                if second {
                    return (true, more);
                }
                tests.extend(more);
                (false, tests)
            }
            // The leaf's own truth (the `not` around it, if any, negates it above); the test
            // holds when the leaf as written, `not` included, does.
            _ => {
                let holds = self.truth(expr);
                let negated = negated_by.is_some();
                let test = self.leaf(expr, negated_by.unwrap_or(expr), negated);
                let test = TestTrace {
                    holds: holds != negated,
                    ..test
                };
                (holds, vec![test])
            }
        }
    }

    /// The trace of one leaf test `expr`, written as `written` (its `not` included).
    fn leaf(&mut self, expr: &'p Expr, written: &Expr, negated: bool) -> TestTrace {
        let program = self.program;
        let test = shortened(
            program.words(written.span).unwrap_or("the condition"),
            TEST_CHARS,
        );
        let plain = |this: &mut Self, e: &'p Expr| {
            let value = this.value(e);
            (subject(e), value)
        };
        let (subject, value, needs) = match &expr.kind {
            ExprKind::Cmp(op, left, right) => {
                // The side that names something is the subject: `90 days < overdue` is about
                // `overdue`.
                let (op, left, right) = if matches!(left.kind, ExprKind::Const(_))
                    && !matches!(right.kind, ExprKind::Const(_))
                {
                    (op.swapped(), right, left)
                } else {
                    (*op, left, right)
                };
                let op = if negated { op.negated() } else { op };
                let (subject, value) = plain(self, left);
                let other = self.value(right);
                let kind = subject.map_or(crate::program::Kind::Plain, |s| kind_of(program, s));
                let against = match (&right.kind, self::subject(right)) {
                    // A constant as the policy spells it: `360天` in a Chinese policy.
                    (ExprKind::Const(_), _) => program
                        .words(right.span)
                        .map_or_else(|| to_text(program, kind, &other), str::to_owned),
                    (_, None) => to_text(program, kind, &other),
                    (_, Some(source)) => format!(
                        "{} ({})",
                        crate::program::source_name(program, source),
                        to_text(program, kind, &other)
                    ),
                };
                let op = op.symbol();
                (subject, value, Needs::Compare { op, against })
            }
            ExprKind::In(item, items) => {
                let (subject, value) = plain(self, item);
                let kind = subject.map_or(crate::program::Kind::Plain, |s| kind_of(program, s));
                let listed: Vec<String> = items
                    .iter()
                    .take(ITEMS_NAMED)
                    .map(|i| match (&i.kind, program.words(i.span)) {
                        (_, Some(words)) => words.to_owned(),
                        (ExprKind::Const(v), None) => to_text(program, kind, v),
                        (_, None) => "…".to_owned(),
                    })
                    .collect();
                let total = items.len();
                (
                    subject,
                    value,
                    Needs::OneOf {
                        listed,
                        total,
                        negated,
                    },
                )
            }
            ExprKind::InSet(item, set) => {
                let (subject, value) = plain(self, item);
                let kind = subject.map_or(crate::program::Kind::Plain, |s| kind_of(program, s));
                let listed: Vec<String> = set
                    .values()
                    .iter()
                    .take(ITEMS_NAMED)
                    .map(|v| to_text(program, kind, v))
                    .collect();
                let total = set.values().len();
                (
                    subject,
                    value,
                    Needs::OneOf {
                        listed,
                        total,
                        negated,
                    },
                )
            }
            ExprKind::IsPresent(inner) => {
                let (subject, value) = plain(self, inner);
                let needs = if negated {
                    Needs::Missing
                } else {
                    Needs::Present
                };
                (subject, value, needs)
            }
            _ => {
                let (subject, value) = plain(self, expr);
                let needs = if negated { Needs::False } else { Needs::True };
                (subject, value, needs)
            }
        };
        TestTrace {
            test,
            subject,
            value,
            needs,
            holds: false,
        }
    }
}

/// The longest test text a trace quotes whole, in characters; a longer one (an exclusion list
/// of 20,000 ids) is cut with `…`, as its needs already count the items.
const TEST_CHARS: usize = 80;

/// Whether `expr` is one test rather than an `and`, `or` or `not` of tests.
fn is_leaf(expr: &Expr) -> bool {
    !matches!(
        expr.kind,
        ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Not(_)
    )
}

/// What `expr` reads when it is one named thing.
fn subject(expr: &Expr) -> Option<ReadSource> {
    match &expr.kind {
        ExprKind::Field(slot) => Some(ReadSource::Field(Slot::new(*slot))),
        ExprKind::Derived(index) => Some(ReadSource::Derived(ValueId::new(*index))),
        ExprKind::Decision(index) => Some(ReadSource::Decision(DecisionId::new(*index))),
        ExprKind::AsOf => Some(ReadSource::AsOf),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_test_is_cut_and_its_spaces_collapsed() {
        assert_eq!(
            shortened("overdue  >\n    90 days", TEST_CHARS),
            "overdue > 90 days"
        );
        let long = format!("loan_id in [{}]", vec!["\"L00001\""; 5_000].join(", "));
        let cut = shortened(&long, TEST_CHARS);
        assert_eq!(cut.chars().count(), TEST_CHARS + 1);
        assert!(cut.starts_with("loan_id in [\"L00001\", ") && cut.ends_with('…'));
        assert_eq!(
            shortened(&"a ".repeat(40), TEST_CHARS).chars().count(),
            79,
            "80 characters fit whole"
        );
    }
}
