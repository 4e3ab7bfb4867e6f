//! Values over all of a borrower's loans (`count(borrower.loans where ...)`,
//! `sum(borrower.principal_outstanding)`, `count(borrower.contacts where ...)`) and decisions
//! made once per borrower.
//!
//! A value over the borrower is an expression of one loan alone (`per_loan`), evaluated on
//! each of the borrower's loans and combined. So it is the same for every loan of the
//! borrower, and it cannot read what only exists once the loans are decided, or another
//! value over the borrower: those are reported here. A decision made `per borrower` is
//! decided once, on the borrower's first loan, for all of them; so its rules may read only
//! what every loan of the borrower shares (values over the borrower, `as_of`, other
//! decisions made per borrower, and derived values built from those alone).

use rust_decimal::Decimal;

use super::expr::Typed;
use super::{Checker, Ty};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::lang::text;
use crate::program::ir::{self, BorrowerValue, CmpOp, Combine};
use crate::program::{DecisionDef, DerivedDef};
use crate::schema::FieldType;
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind};
use crate::syntax::borrower_path;
use crate::value::Value;

/// The words for "all of the borrower's loans" after `borrower.`: `loans`, `贷款`.
const LOANS_WORDS: [&str; 2] = ["loans", "贷款"];

/// What `borrower.x[.y]` names.
enum Target<'t> {
    /// `borrower.loans`.
    Loans,
    /// `borrower.principal_outstanding`, `borrower.loans.overdue`: a field or value of each loan.
    LoanValue(&'t ast::Ident),
    /// `borrower.contacts`: a list field's records, over every loan.
    List(&'t ast::Ident),
    /// `borrower.promises.amount`: a record field, over every loan's records.
    ListField(&'t ast::Ident, &'t ast::Ident),
}

impl<'a> Checker<'a> {
    /// `function(borrower.member[.field] where filter)`.
    #[expect(
        clippy::too_many_arguments,
        reason = "the parts of one call, as the syntax tree holds them"
    )]
    pub(super) fn borrower_call(
        &mut self,
        function: &ast::Ident,
        word: &ast::Ident,
        member: &ast::Ident,
        field: Option<&ast::Ident>,
        filter: Option<&ast::Expr>,
        rest: &[ast::Expr],
        span: Span,
    ) -> Typed {
        let path = borrower_path(word, member, field);
        let name = function.name.as_str();
        if self.schema.borrower.is_none() {
            self.report(
                Diagnostic::error(
                    Code::BORROWER,
                    text!("e215-no-borrower", schema = &self.schema.name),
                )
                .at(word.span)
                .help(text!("e215-no-borrower-help")),
            );
            return Typed::error();
        }
        if !rest.is_empty() {
            self.report(
                Diagnostic::error(Code::BAD_CALL, text!("e215-one-argument", function = name))
                    .at(span)
                    .help(text!("e215-whole-help")),
            );
            return Typed::error();
        }
        let list_named = |checker: &Checker<'_>, ident: &ast::Ident| {
            checker
                .schema
                .slot(&ident.name)
                .and_then(|slot| checker.schema.fields.get(slot))
                .is_some_and(|f| matches!(f.ty, FieldType::List(_)))
        };
        let target = if LOANS_WORDS.contains(&member.name.as_str()) {
            field.map_or(Target::Loans, Target::LoanValue)
        } else if list_named(self, member) {
            field.map_or(Target::List(member), |f| Target::ListField(member, f))
        } else if let Some(extra) = field {
            self.report(
                Diagnostic::error(
                    Code::BAD_CALL,
                    text!("e215-not-a-list", name = &member.name, path = &path),
                )
                .at(extra.span)
                .help(text!("e215-whole-help")),
            );
            return Typed::error();
        } else {
            Target::LoanValue(member)
        };
        // Each loan's part is checked as an expression of that loan alone: no record in scope,
        // nothing known about presence from around the call.
        let outer = (self.item_scope.take(), self.item_list.take());
        let built = self.per_loan(name, &target, &path, filter, span);
        (self.item_scope, self.item_list) = outer;
        let Some((combine, mut per_loan, ty, optional)) = built else {
            return Typed::error();
        };
        per_loan.place(span);
        let value = BorrowerValue {
            combine,
            per_loan,
            span,
        };
        let index = match self.borrower_values.iter().position(|v| *v == value) {
            Some(index) => index,
            None => {
                self.borrower_values.push(value);
                self.borrower_values.len() - 1
            }
        };
        Typed {
            optional,
            ..Typed::new(ir::ExprKind::Borrower(index), ty)
        }
    }

    /// Each loan's part of `name(target where filter)`, how the parts combine, the result's
    /// type and whether it may be missing.
    fn per_loan(
        &mut self,
        name: &str,
        target: &Target<'_>,
        path: &str,
        filter: Option<&ast::Expr>,
        span: Span,
    ) -> Option<(Combine, ir::Expr, Ty, bool)> {
        let int = |n: i64| ir::Expr::from(ir::ExprKind::Const(Value::Int(n)));
        let boxed = Box::new;
        match (name, target) {
            ("count" | "any" | "all", Target::Loans) => {
                let condition = filter.map(|f| self.boolean(f, &[]));
                Some(match name {
                    "count" => (
                        Combine::Sum(Value::Int(0)),
                        match condition {
                            Some(c) => {
                                ir::ExprKind::If(boxed(c), boxed(int(1)), boxed(int(0))).into()
                            }
                            None => int(1),
                        },
                        Ty::Int,
                        false,
                    ),
                    _ => (
                        if name == "any" {
                            Combine::Any
                        } else {
                            Combine::All
                        },
                        condition.unwrap_or_else(|| ir::ExprKind::Const(Value::Bool(true)).into()),
                        Ty::Bool,
                        false,
                    ),
                })
            }
            ("count" | "any" | "all", Target::List(list)) => {
                let list_expr = ast::Expr {
                    kind: ExprKind::Name((*list).clone()),
                    span: list.span,
                };
                let counted = self.call_on_loan("count", &list_expr, filter, span)?;
                Some(match name {
                    "count" => (Combine::Sum(Value::Int(0)), counted, Ty::Int, false),
                    "any" => (
                        Combine::Any,
                        ir::ExprKind::Cmp(CmpOp::Gt, boxed(counted), boxed(int(0))).into(),
                        Ty::Bool,
                        false,
                    ),
                    _ => {
                        let all = self.call_on_loan("count", &list_expr, None, span)?;
                        (
                            Combine::All,
                            ir::ExprKind::Cmp(CmpOp::Eq, boxed(counted), boxed(all)).into(),
                            Ty::Bool,
                            false,
                        )
                    }
                })
            }
            ("sum" | "min" | "max", Target::ListField(list, item)) => {
                let member = ast::Expr {
                    kind: ExprKind::Member {
                        base: (*list).clone(),
                        field: (*item).clone(),
                    },
                    span,
                };
                let folded = self.call_on_loan(name, &member, filter, span)?;
                let combine = match name {
                    "sum" => Combine::Sum(zero_of(&folded_type(self, &folded))),
                    "min" => Combine::Min,
                    _ => Combine::Max,
                };
                let ty = folded_type(self, &folded);
                Some((combine, folded, ty, name != "sum"))
            }
            ("sum" | "min" | "max", Target::LoanValue(value)) => {
                let read = ast::Expr {
                    kind: ExprKind::Name((*value).clone()),
                    span: value.span,
                };
                let typed = self.expr(&read, None, &[]);
                if typed.ty == Ty::Error {
                    return None;
                }
                let zero = zero_of(&typed.ty);
                let fits = if name == "sum" {
                    zero != Value::Missing
                } else {
                    typed.ty.is_ordered()
                };
                if !fits {
                    let what = self.describe(&typed.ty);
                    self.report(
                        Diagnostic::error(
                            Code::BAD_CALL,
                            text!("e208-fold-cannot", function = name, what = what),
                        )
                        .at(span)
                        .help(text!("e208-fold-cannot-help")),
                    );
                    return None;
                }
                let condition = filter.map(|f| self.boolean(f, &[]));
                let otherwise = if name == "sum" {
                    zero.clone()
                } else {
                    Value::Missing
                };
                let per_loan = match condition {
                    Some(c) => ir::ExprKind::If(
                        boxed(c),
                        boxed(typed.expr),
                        boxed(ir::ExprKind::Const(otherwise).into()),
                    )
                    .into(),
                    None => typed.expr,
                };
                let combine = match name {
                    "sum" => Combine::Sum(zero),
                    "min" => Combine::Min,
                    _ => Combine::Max,
                };
                Some((combine, per_loan, typed.ty, name != "sum"))
            }
            ("count" | "any" | "all", _) => {
                self.report(
                    Diagnostic::error(
                        Code::BAD_CALL,
                        text!("e215-count-what", function = name, path = path),
                    )
                    .at(span)
                    .help(text!("e215-whole-help")),
                );
                None
            }
            _ => {
                self.report(
                    Diagnostic::error(
                        Code::BAD_CALL,
                        text!("e215-fold-what", function = name, path = path),
                    )
                    .at(span)
                    .help(text!("e215-whole-help")),
                );
                None
            }
        }
    }

    /// `name(first where filter)` as an expression of one loan.
    fn call_on_loan(
        &mut self,
        name: &str,
        first: &ast::Expr,
        filter: Option<&ast::Expr>,
        span: Span,
    ) -> Option<ir::Expr> {
        let function = ast::Ident {
            name: name.to_owned(),
            span,
        };
        let typed = self.call(&function, first, filter, &[], span, &[]);
        (typed.ty != Ty::Error).then_some(typed.expr)
    }

    /// `borrower.x` written outside a call.
    pub(super) fn borrower_alone(&mut self, path: &str, span: Span) -> Typed {
        self.report(
            Diagnostic::error(Code::BORROWER, text!("e215-whole", path = path))
                .at(span)
                .help(text!("e215-whole-help")),
        );
        Typed::error()
    }
}

/// The type a loan's `sum`, `min` or `max` of records gives.
fn folded_type(checker: &Checker<'_>, folded: &ir::Expr) -> Ty {
    match &folded.kind {
        ir::ExprKind::Fold { list, item, .. } => checker
            .schema
            .fields
            .get(*list)
            .and_then(|f| match &f.ty {
                FieldType::List(fields) => fields.get(*item).map(|f| Ty::of_field(f, *item)),
                _ => None,
            })
            .unwrap_or(Ty::Error),
        _ => Ty::Error,
    }
}

/// The zero a sum of `ty` starts from (missing for a type that does not add up).
fn zero_of(ty: &Ty) -> Value {
    match ty {
        Ty::Int => Value::Int(0),
        Ty::Money => Value::Money(Decimal::ZERO),
        Ty::Days => Value::Days(0),
        _ => Value::Missing,
    }
}

/// What an expression reads that is not the same for every loan of a borrower.
enum LoanOwn {
    Field(usize),
    Derived(usize),
    Decision(usize),
}

/// Checks what values over the borrower and decisions made per borrower read, once every
/// value and decision is checked.
pub(super) fn check_borrower_reads(
    borrower_values: &[BorrowerValue],
    derived: &[DerivedDef],
    decisions: &[DecisionDef],
    schema: &crate::schema::Schema,
    source: &std::sync::Arc<crate::source::SourceFile>,
    diagnostics: &mut Diagnostics,
) {
    // Inside a value over the borrower each loan is read alone, before anything is decided.
    for value in borrower_values {
        let mut found: Option<(bool, String)> = None;
        walk_inner(&value.per_loan, derived, decisions, &mut found, 0);
        if let Some((is_decision, name)) = found {
            let message = if is_decision {
                text!("e215-inner-decision", name = &name)
            } else {
                text!("e215-inner-borrower", name = &name)
            };
            diagnostics.push(
                Diagnostic::error(Code::BORROWER, message)
                    .in_file(source)
                    .at(value.span)
                    .help(text!("e215-inner-help")),
            );
        }
    }
    for decision in decisions.iter().filter(|d| d.per_borrower) {
        if schema.borrower.is_none() {
            diagnostics.push(
                Diagnostic::error(
                    Code::BORROWER,
                    text!("e215-no-borrower", schema = &schema.name),
                )
                .in_file(source)
                .at(decision.named.span)
                .help(text!("e215-no-borrower-help")),
            );
            continue;
        }
        for rule in &decision.rules {
            let mut own = None;
            if let Some(condition) = &rule.condition {
                loan_own(condition, derived, decisions, &mut own, 0);
            }
            outcome_own(&rule.outcome, derived, decisions, &mut own);
            let Some(own) = own else { continue };
            let name = match own {
                LoanOwn::Field(slot) => schema.fields.get(slot).map(|f| f.name.clone()),
                LoanOwn::Derived(index) => derived.get(index).map(|d| d.named.name.clone()),
                LoanOwn::Decision(index) => decisions.get(index).map(|d| d.named.name.clone()),
            }
            .unwrap_or_default();
            diagnostics.push(
                Diagnostic::error(
                    Code::BORROWER,
                    text!(
                        "e215-per-borrower-reads",
                        decision = &decision.named.name,
                        rule = &rule.named.name,
                        name = &name
                    ),
                )
                .in_file(source)
                .at(rule.named.span)
                .help(text!("e215-per-borrower-reads-help", name = &name)),
            );
        }
    }
}

/// How deep a walk through derived values goes before it stops: the checker already bounds
/// how deeply values nest, this only guards against a circle it reported.
const MAX_WALK: usize = 256;

/// Finds a decision or a value over the borrower read inside a value over the borrower.
fn walk_inner(
    expr: &ir::Expr,
    derived: &[DerivedDef],
    decisions: &[DecisionDef],
    found: &mut Option<(bool, String)>,
    depth: usize,
) {
    if found.is_some() || depth > MAX_WALK {
        return;
    }
    match &expr.kind {
        ir::ExprKind::Decision(index) => {
            *found = Some((
                true,
                decisions
                    .get(*index)
                    .map(|d| d.named.name.clone())
                    .unwrap_or_default(),
            ));
        }
        ir::ExprKind::Borrower(_) => *found = Some((false, String::from("borrower"))),
        ir::ExprKind::Derived(index) => {
            if let Some(definition) = derived.get(*index) {
                let mut inner = None;
                walk_inner(&definition.expr, derived, decisions, &mut inner, depth + 1);
                if let Some((is_decision, _)) = inner {
                    *found = Some((is_decision, definition.named.name.clone()));
                }
            }
        }
        _ => expr.for_each_child(&mut |child| walk_inner(child, derived, decisions, found, depth)),
    }
}

/// Finds the first thing `expr` reads that each loan has its own of.
fn loan_own(
    expr: &ir::Expr,
    derived: &[DerivedDef],
    decisions: &[DecisionDef],
    own: &mut Option<LoanOwn>,
    depth: usize,
) {
    if own.is_some() || depth > MAX_WALK {
        return;
    }
    match &expr.kind {
        ir::ExprKind::Field(slot)
        | ir::ExprKind::Count { list: slot, .. }
        | ir::ExprKind::Fold { list: slot, .. } => *own = Some(LoanOwn::Field(*slot)),
        ir::ExprKind::Derived(index) => {
            if let Some(definition) = derived.get(*index) {
                let mut inner = None;
                loan_own(&definition.expr, derived, decisions, &mut inner, depth + 1);
                if inner.is_some() {
                    *own = Some(LoanOwn::Derived(*index));
                }
            }
        }
        ir::ExprKind::Decision(index) => {
            if !decisions.get(*index).is_some_and(|d| d.per_borrower) {
                *own = Some(LoanOwn::Decision(*index));
            }
        }
        _ => expr.for_each_child(&mut |child| loan_own(child, derived, decisions, own, depth)),
    }
}

fn outcome_own(
    outcome: &ir::Outcome,
    derived: &[DerivedDef],
    decisions: &[DecisionDef],
    own: &mut Option<LoanOwn>,
) {
    if let ir::Outcome::If(condition, then, otherwise) = outcome {
        loan_own(condition, derived, decisions, own, 0);
        outcome_own(then, derived, decisions, own);
        outcome_own(otherwise, derived, decisions, own);
    }
}
