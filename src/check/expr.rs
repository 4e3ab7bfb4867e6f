//! Checking one expression: resolving its names, working out its type, and making sure that
//! a value that may be missing is tested before anything reads it.
//!
//! Presence is tracked by flow: in `a and b`, `b` may rely on what `a` being true proves (and in
//! `a or b`, on what `a` being false proves). So `collateral_value is present and
//! collateral_value >= principal_outstanding` checks, and the same comparison alone does not.

use rust_decimal::Decimal;

use super::{Checker, Ty};
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::lang::text;
use crate::program::ir::{self, CmpOp, DateFn, FoldOp};
use crate::schema::{Field, FieldType};
use crate::source::Span;
use crate::symbols::Symbol;
use crate::syntax::ast::{self, BinOp, ExprKind, HitPolicy};
use crate::value::Value;

/// A checked expression with its type.
pub(crate) struct Typed {
    pub(crate) expr: ir::Expr,
    pub(crate) ty: Ty,
    /// True when the value may be missing at this point of the condition.
    pub(crate) optional: bool,
    /// True for a bare whole number written in the policy (it may stand for an amount).
    pub(crate) int_literal: bool,
}

impl Typed {
    /// An expression of type `ty`, placed when [`Checker::expr`] returns it.
    pub(super) fn new(expr: impl Into<ir::Expr>, ty: Ty) -> Typed {
        Typed {
            expr: expr.into(),
            ty,
            optional: false,
            int_literal: false,
        }
    }

    pub(super) fn error() -> Typed {
        Typed::new(ir::ExprKind::Const(Value::Missing), Ty::Error)
    }
}

/// Something whose presence a condition can establish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ref {
    Field(usize),
    Item(usize),
    Derived(usize),
}

fn as_ref(expr: &ir::Expr) -> Option<Ref> {
    match &expr.kind {
        ir::ExprKind::Field(slot) => Some(Ref::Field(*slot)),
        ir::ExprKind::Item(slot) => Some(Ref::Item(*slot)),
        ir::ExprKind::Derived(index) => Some(Ref::Derived(*index)),
        _ => None,
    }
}

/// What `expr` evaluating to `when` proves present.
fn facts(expr: &ir::Expr, when: bool, out: &mut Vec<Ref>) {
    match &expr.kind {
        ir::ExprKind::IsPresent(inner) if when => out.extend(as_ref(inner)),
        ir::ExprKind::Not(inner) => facts(inner, !when, out),
        ir::ExprKind::And(a, b) if when => {
            facts(a, true, out);
            facts(b, true, out);
        }
        ir::ExprKind::Or(a, b) if !when => {
            facts(a, false, out);
            facts(b, false, out);
        }
        _ => {}
    }
}

fn with_facts(known: &[Ref], expr: &ir::Expr, when: bool) -> Vec<Ref> {
    let mut out = known.to_vec();
    facts(expr, when, &mut out);
    out
}

/// From how many constants an `in` list is looked up in a sorted set rather than one by one.
const SET_FROM: usize = 8;

/// `评估日`, "the evaluation date": `as_of` for policies written in Chinese.
pub(crate) const AS_OF_CHINESE: &str = "评估日";

const FUNCTIONS: &[&str] = &[
    "count",
    "min",
    "max",
    "sum",
    "any",
    "all",
    "bucket",
    "weekday",
    "add_months",
    "latest",
    "earliest",
];

impl<'a> Checker<'a> {
    /// A type in words, said in the language of the message it stands in.
    pub(super) fn describe(&self, ty: &Ty) -> crate::lang::Text {
        ty.describe(self.schema, &self.decision_decls)
    }

    fn name_of(&self, expr: &ir::Expr) -> Option<String> {
        match as_ref(expr)? {
            Ref::Field(slot) => self.schema.fields.get(slot).map(|f| f.name.clone()),
            Ref::Item(slot) => self
                .item_scope
                .and_then(|fields| fields.get(slot))
                .map(|f| f.name.clone()),
            Ref::Derived(index) => self.lets.get(index).map(|l| l.name.name.clone()),
        }
    }

    /// Reports a read of a value that may be missing.
    pub(super) fn require_present(&mut self, typed: &Typed, span: Span) {
        if !typed.optional || typed.ty == Ty::Error {
            return;
        }
        // A field is named as the policy wrote it here: `抵押物价值`, not `collateral_value`.
        let written = |name: String| match self.source.file_arc(span.file) {
            Some(file)
                if !file.slice(span).is_empty()
                    && file
                        .slice(span)
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_') =>
            {
                file.slice(span).to_owned()
            }
            _ => name,
        };
        let diagnostic = match self.name_of(&typed.expr).map(written) {
            Some(name) => {
                Diagnostic::error(Code::MAYBE_MISSING, text!("e204-message", name = &name))
                    .label(span, text!("e204-read-here"))
                    .help(text!("e204-help", name = &name))
            }
            None => Diagnostic::error(Code::MAYBE_MISSING, text!("e204-unnamed-message"))
                .label(span, text!("e204-may-be-missing"))
                .help(text!("e204-unnamed-help")),
        };
        self.report(diagnostic);
    }

    fn is_variable(&self, name: &str) -> bool {
        name == "as_of"
            || self
                .item_scope
                .is_some_and(|fields| fields.iter().any(|f| f.is_named(name)))
            || self.schema.slot(name).is_some()
            || self.lets.iter().any(|l| l.name.name == name)
            || self.decision_decls.iter().any(|d| d.name.name == name)
    }

    /// The outcomes a decision's value can be compared with.
    fn outcome_names(&self, decision: usize) -> Vec<String> {
        let Some(decl) = self.decision_decls.get(decision) else {
            return Vec::new();
        };
        match &decl.gives {
            ast::Gives::Actions => self.actions.iter().map(|a| a.name.clone()).collect(),
            ast::Gives::Values(values) => values.iter().map(|v| v.name.clone()).collect(),
        }
    }

    /// Checks `e`. `expect` is the type the surrounding comparison wants, used to resolve
    /// bare names as enumeration choices or decision outcomes; `known` lists what the enclosing
    /// condition has already proved present.
    pub(crate) fn expr(&mut self, e: &ast::Expr, expect: Option<&Ty>, known: &[Ref]) -> Typed {
        let mut typed = self.unplaced(e, expect, known);
        typed.expr.place(e.span);
        typed
    }

    /// [`Checker::expr`], its parts of its own making not yet placed.
    fn unplaced(&mut self, e: &ast::Expr, expect: Option<&Ty>, known: &[Ref]) -> Typed {
        match &e.kind {
            ExprKind::Integer(i) => match expect {
                Some(Ty::Money) => Typed::new(
                    ir::ExprKind::Const(Value::Money(Decimal::from(*i))),
                    Ty::Money,
                ),
                _ => Typed {
                    int_literal: true,
                    ..Typed::new(ir::ExprKind::Const(Value::Int(*i)), Ty::Int)
                },
            },
            ExprKind::Decimal(d) => Typed::new(ir::ExprKind::Const(Value::Money(*d)), Ty::Money),
            ExprKind::Days(d) => Typed::new(ir::ExprKind::Const(Value::Days(*d)), Ty::Days),
            ExprKind::Date(d) => Typed::new(ir::ExprKind::Const(Value::Date(*d)), Ty::Date),
            ExprKind::Time(t) => Typed::new(ir::ExprKind::Const(Value::Time(*t)), Ty::Time),
            ExprKind::Text(t) => Typed::new(
                ir::ExprKind::Const(Value::Text(t.as_str().into())),
                Ty::Text,
            ),
            ExprKind::Bool(b) => Typed::new(ir::ExprKind::Const(Value::Bool(*b)), Ty::Bool),
            ExprKind::Nothing => Typed::new(ir::ExprKind::Const(Value::Nothing), Ty::Nothing),
            // Only where the type is known from the other branch: `if c then d else missing`.
            // A schema may have a field named `missing` (the data's own column): anywhere but
            // as an `if`'s branch, where it is the missing value, the word reads that field.
            ExprKind::Missing if !self.branch_is_missing && self.has_field_named("missing") => {
                let ident = ast::Ident {
                    name: "missing".to_owned(),
                    span: e.span,
                };
                self.name(&ident, expect, known)
            }
            ExprKind::Missing => match expect {
                Some(ty) if *ty != Ty::Error => Typed {
                    optional: true,
                    ..Typed::new(ir::ExprKind::Const(Value::Missing), ty.clone())
                },
                Some(_) => Typed::error(),
                None => {
                    self.report(
                        Diagnostic::error(Code::TYPE_MISMATCH, text!("e203-missing-else"))
                            .at(e.span)
                            .help(text!("e203-missing-else-help")),
                    );
                    Typed::error()
                }
            },
            ExprKind::Name(ident) => self.name(ident, expect, known),
            ExprKind::Borrower {
                word,
                member,
                field,
            } => self.borrower_alone(
                &crate::syntax::borrower_path(word, member, field.as_ref()),
                e.span,
            ),
            ExprKind::Member { base, field } => {
                self.report(
                    Diagnostic::error(
                        Code::BAD_CALL,
                        text!("e208-whole-list", list = &base.name, field = &field.name),
                    )
                    .at(e.span)
                    .help(text!(
                        "e208-whole-list-help",
                        list = &base.name,
                        field = &field.name
                    )),
                );
                Typed::error()
            }
            ExprKind::Not(inner) => {
                let inner = self.boolean(inner, known);
                Typed::new(ir::ExprKind::Not(Box::new(inner)), Ty::Bool)
            }
            ExprKind::Neg(inner) => {
                let typed = self.expr(inner, None, known);
                self.require_present(&typed, inner.span);
                if !matches!(typed.ty, Ty::Int | Ty::Money | Ty::Days | Ty::Error) {
                    let what = self.describe(&typed.ty);
                    self.report(
                        Diagnostic::error(
                            Code::TYPE_MISMATCH,
                            text!("e203-not-negative", what = what),
                        )
                        .at(e.span),
                    );
                    return Typed::error();
                }
                Typed {
                    expr: ir::ExprKind::Neg(Box::new(typed.expr)).into(),
                    ..typed
                }
            }
            ExprKind::Binary {
                op: BinOp::And,
                left,
                right,
            } => {
                let left = self.boolean(left, known);
                let right = self.boolean(right, &with_facts(known, &left, true));
                Typed::new(ir::ExprKind::And(Box::new(left), Box::new(right)), Ty::Bool)
            }
            ExprKind::Binary {
                op: BinOp::Or,
                left,
                right,
            } => {
                let left = self.boolean(left, known);
                let right = self.boolean(right, &with_facts(known, &left, false));
                Typed::new(ir::ExprKind::Or(Box::new(left), Box::new(right)), Ty::Bool)
            }
            ExprKind::Binary {
                op: op @ (BinOp::Add | BinOp::Sub),
                left,
                right,
            } => self.arithmetic(*op, left, right, e.span, known),
            ExprKind::Binary { op, left, right } => self.comparison(*op, left, right, known),
            ExprKind::Is { value, present } => {
                let typed = self.expr(value, None, &[]);
                if as_ref(&typed.expr).is_none() && !typed.optional && typed.ty != Ty::Error {
                    self.report(
                        Diagnostic::error(Code::TYPE_MISMATCH, text!("e203-presence"))
                            .at(value.span)
                            .help(text!("e203-presence-help")),
                    );
                }
                let test = ir::ExprKind::IsPresent(Box::new(typed.expr));
                let test = if *present {
                    test
                } else {
                    ir::ExprKind::Not(Box::new(test.into()))
                };
                Typed::new(test, Ty::Bool)
            }
            ExprKind::In {
                value,
                list,
                negated,
            } => {
                let typed = self.expr(value, None, known);
                self.require_present(&typed, value.span);
                let mut items = Vec::new();
                for item in list {
                    let checked = self.expr(item, Some(&typed.ty), known);
                    let checked = self.same_kind(&typed, value.span, checked, item.span, BinOp::Eq);
                    items.push(checked.expr);
                }
                let constants: Option<Vec<Value>> = items
                    .iter()
                    .map(|item| match &item.kind {
                        ir::ExprKind::Const(v) => Some(v.clone()),
                        _ => None,
                    })
                    .collect();
                // A comparison with a decision stays a list: the analysis reads it rule by rule.
                let test = match constants {
                    Some(values)
                        if values.len() >= SET_FROM && !matches!(typed.ty, Ty::Outcome(_)) =>
                    {
                        let set = ir::ConstSet::new(values);
                        ir::ExprKind::InSet(Box::new(typed.expr), std::sync::Arc::new(set))
                    }
                    _ => ir::ExprKind::In(Box::new(typed.expr), items),
                };
                Typed::new(
                    if *negated {
                        ir::ExprKind::Not(Box::new(test.into()))
                    } else {
                        test
                    },
                    Ty::Bool,
                )
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                let condition = self.boolean(condition, known);
                let outer = self.branch_is_missing;
                self.branch_is_missing = matches!(then.kind, ExprKind::Missing);
                let then_typed = self.expr(then, expect, &with_facts(known, &condition, true));
                self.branch_is_missing = matches!(otherwise.kind, ExprKind::Missing);
                let else_typed = self.expr(
                    otherwise,
                    Some(&then_typed.ty),
                    &with_facts(known, &condition, false),
                );
                self.branch_is_missing = outer;
                let optional = then_typed.optional || else_typed.optional;
                let then_span = then.span;
                let unified = self.same_kind(
                    &then_typed,
                    then_span,
                    else_typed,
                    otherwise.span,
                    BinOp::Eq,
                );
                let ty = if then_typed.ty == Ty::Error {
                    unified.ty.clone()
                } else {
                    then_typed.ty.clone()
                };
                Typed {
                    expr: ir::Expr::from(ir::ExprKind::If(
                        Box::new(condition),
                        Box::new(then_typed.expr),
                        Box::new(unified.expr),
                    )),
                    ty,
                    optional,
                    int_literal: false,
                }
            }
            ExprKind::Call {
                function,
                first,
                filter,
                rest,
            } => self.call(function, first, filter.as_deref(), rest, e.span, known),
        }
    }

    /// A yes/no operand of `and`, `or`, `not`, `if`: must be a condition that is present.
    pub(super) fn boolean(&mut self, e: &ast::Expr, known: &[Ref]) -> ir::Expr {
        let typed = self.expr(e, None, known);
        if typed.ty != Ty::Bool && typed.ty != Ty::Error {
            let what = self.describe(&typed.ty);
            self.report(
                Diagnostic::error(Code::NOT_A_CONDITION, text!("e207-message", what = what))
                    .at(e.span)
                    .help(text!("e207-help")),
            );
        } else {
            self.require_present(&typed, e.span);
        }
        typed.expr
    }

    fn name(&mut self, ident: &ast::Ident, expect: Option<&Ty>, known: &[Ref]) -> Typed {
        let name = ident.name.as_str();
        // A choice or outcome named where one is expected wins over a field of the same name.
        match expect {
            Some(Ty::Enum(id)) => {
                if let Some(index) = self.schema.choice(*id, name) {
                    let choice = self
                        .schema
                        .enums
                        .get(*id)
                        .and_then(|names| names.get(index))
                        .cloned()
                        .unwrap_or_default();
                    let field = self.enum_owner(*id);
                    self.symbols
                        .used(Symbol::Choice { field, choice }, ident.span);
                    return Typed::new(
                        ir::ExprKind::Const(Value::Enum(index as u32)),
                        Ty::Enum(*id),
                    );
                }
            }
            Some(Ty::Outcome(decision)) => {
                if let Some(index) = self.outcome_names(*decision).iter().position(|v| v == name) {
                    let symbol = match self.decision_decls.get(*decision).map(|d| (&d.gives, d)) {
                        Some((ast::Gives::Values(_), decl)) => Symbol::Outcome {
                            decision: decl.name.name.clone(),
                            outcome: name.to_owned(),
                        },
                        _ => Symbol::Action(name.to_owned()),
                    };
                    self.symbols.used(symbol, ident.span);
                    return Typed::new(
                        ir::ExprKind::Const(Value::Outcome(index as u32)),
                        Ty::Outcome(*decision),
                    );
                }
            }
            _ => {}
        }
        if let Some((slot, field)) = self
            .item_scope
            .and_then(|fields| fields.iter().enumerate().find(|(_, f)| f.is_named(name)))
        {
            let symbol = Symbol::RecordField {
                list: self.item_list.unwrap_or_default().to_owned(),
                field: field.name.clone(),
            };
            self.symbols.used(symbol, ident.span);
            let optional = field.optional && !known.contains(&Ref::Item(slot));
            return Typed {
                optional,
                ..Typed::new(ir::ExprKind::Item(slot), Ty::of_field(field, slot))
            };
        }
        if let Some(slot) = self.schema.slot(name) {
            let Some(field) = self.schema.fields.get(slot) else {
                return Typed::error();
            };
            self.symbols
                .used(Symbol::Field(field.name.clone()), ident.span);
            let optional = field.optional && !known.contains(&Ref::Field(slot));
            return Typed {
                optional,
                ..Typed::new(ir::ExprKind::Field(slot), Ty::of_field(field, slot))
            };
        }
        if let Some(index) = self.lets.iter().position(|l| l.name.name == name) {
            self.symbols
                .used(Symbol::Value(name.to_owned()), ident.span);
            let Some((ty, optional)) = self.ensure_let(index) else {
                return Typed::error();
            };
            let reads = self
                .lets_reading_decisions
                .get(index)
                .cloned()
                .unwrap_or_default();
            self.reads.extend(reads);
            let optional = optional && !known.contains(&Ref::Derived(index));
            return Typed {
                optional,
                ..Typed::new(ir::ExprKind::Derived(index), ty)
            };
        }
        if let Some(index) = self.decision_decls.iter().position(|d| d.name.name == name) {
            self.symbols
                .used(Symbol::Decision(name.to_owned()), ident.span);
            let hit = self.decision_decls.get(index).map(|d| d.hit);
            if hit == Some(HitPolicy::Collect) {
                self.report(
                    Diagnostic::error(Code::BAD_DECISION, text!("collects-several", name = name))
                        .at(ident.span)
                        .help(text!("collects-several-help")),
                );
                return Typed::error();
            }
            self.reads.push(index);
            return Typed::new(ir::ExprKind::Decision(index), Ty::Outcome(index));
        }
        if name == "as_of" || name == AS_OF_CHINESE {
            return Typed::new(ir::ExprKind::AsOf, Ty::Date);
        }
        self.unknown_name(ident, expect);
        Typed::error()
    }

    /// Whether a field in scope (of the loan, or of the list record being filtered) is called
    /// `name`.
    fn has_field_named(&self, name: &str) -> bool {
        self.item_scope
            .is_some_and(|fields| fields.iter().any(|f| f.is_named(name)))
            || self.schema.fields.iter().any(|f| f.is_named(name))
    }

    fn unknown_name(&mut self, ident: &ast::Ident, expect: Option<&Ty>) {
        // The other side of a comparison was not understood (and was reported): a bare name
        // here is most likely one of its choices, and a second message for one slip would
        // only bury the first (`willingnes = willing`).
        if matches!(expect, Some(Ty::Error)) {
            return;
        }
        let name = ident.name.as_str();
        let diagnostic = match expect {
            Some(Ty::Enum(id)) => {
                let values = self.schema.choice_names(*id);
                let help = match did_you_mean(name, values.iter().map(String::as_str)) {
                    Some(s) => text!("did-you-mean", name = s),
                    None => text!("e202-choices-are", choices = values.join(", ")),
                };
                Diagnostic::error(Code::UNKNOWN_VALUE, text!("e202-not-a-choice", name = name))
                    .at(ident.span)
                    .help(help)
            }
            Some(Ty::Outcome(decision)) => {
                let values = self.outcome_names(*decision);
                let decision_name = self
                    .decision_decls
                    .get(*decision)
                    .map(|d| d.name.name.clone())
                    .unwrap_or_default();
                let help = match did_you_mean(name, values.iter().map(String::as_str)) {
                    Some(s) => text!("did-you-mean", name = s),
                    None => text!(
                        "e202-outcomes-are",
                        decision = &decision_name,
                        outcomes = values.join(", ")
                    ),
                };
                Diagnostic::error(
                    Code::UNKNOWN_VALUE,
                    text!(
                        "e202-not-an-outcome",
                        name = name,
                        decision = &decision_name
                    ),
                )
                .at(ident.span)
                .help(help)
            }
            _ => {
                let mut candidates: Vec<String> = Vec::new();
                // Fields by both their names: a Chinese policy writes `还款意愿` for `willingness`.
                let names = |f: &crate::schema::Field| {
                    std::iter::once(f.name.clone()).chain(f.alias.clone())
                };
                if let Some(fields) = self.item_scope {
                    candidates.extend(fields.iter().flat_map(names));
                }
                candidates.extend(self.schema.fields.iter().flat_map(names));
                candidates.extend(self.lets.iter().map(|l| l.name.name.clone()));
                candidates.extend(self.decision_decls.iter().map(|d| d.name.name.clone()));
                candidates.push("as_of".into());
                let help = match did_you_mean(name, candidates.iter().map(String::as_str)) {
                    Some(s) => text!("did-you-mean", name = s),
                    None => {
                        let choice_of = self
                            .schema
                            .enums
                            .iter()
                            .any(|values| values.iter().any(|v| v == name));
                        if choice_of {
                            text!("e201-is-a-choice", name = name)
                        } else {
                            text!("e201-declare-it")
                        }
                    }
                };
                Diagnostic::error(Code::UNKNOWN_NAME, text!("e201-message", name = name))
                    .label(ident.span, text!("e201-label"))
                    .help(help)
            }
        };
        self.report(diagnostic);
    }

    fn comparison(
        &mut self,
        op: BinOp,
        left: &ast::Expr,
        right: &ast::Expr,
        known: &[Ref],
    ) -> Typed {
        // `loss = operating_status`: when only the right side names something, read it first so
        // the left can be resolved as one of its choices.
        let left_is_bare = matches!(&left.kind, ExprKind::Name(n) if !self.is_variable(&n.name));
        let right_is_bare = matches!(&right.kind, ExprKind::Name(n) if !self.is_variable(&n.name));
        // Both bare, and only the left is some field's choice (`refuses = willingnes`): the
        // right is the misspelt field, and is read first so that the slip is the one reported.
        let is_choice = |e: &ast::Expr| {
            matches!(&e.kind, ExprKind::Name(n)
                if self.schema.enums.iter().any(|values| values.contains(&n.name)))
        };
        let choice_first = left_is_bare && right_is_bare && is_choice(left) && !is_choice(right);
        let (l, r) = if (left_is_bare && !right_is_bare) || choice_first {
            let r = self.expr(right, None, known);
            let l = self.expr(left, Some(&r.ty), known);
            (l, r)
        } else {
            let l = self.expr(left, None, known);
            let r = self.expr(right, Some(&l.ty), known);
            (l, r)
        };
        // Bring a bare number on the left to money, as `expect` did for one on the right.
        let l = if l.int_literal && r.ty == Ty::Money {
            to_money(l)
        } else {
            l
        };
        let r = self.same_kind(&l, left.span, r, right.span, op);
        if l.ty == Ty::Error || r.ty == Ty::Error {
            return Typed::new(ir::ExprKind::Const(Value::Bool(false)), Ty::Error);
        }
        // Only once the kinds agree: a mismatch is the first thing to fix.
        self.require_present(&l, left.span);
        self.require_present(&r, right.span);
        let cmp = match op {
            BinOp::Eq => CmpOp::Eq,
            BinOp::Ne => CmpOp::Ne,
            BinOp::Lt => CmpOp::Lt,
            BinOp::Le => CmpOp::Le,
            BinOp::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        if !matches!(cmp, CmpOp::Eq | CmpOp::Ne) && !l.ty.is_ordered() {
            let what = self.describe(&l.ty);
            self.report(
                Diagnostic::error(
                    Code::TYPE_MISMATCH,
                    text!("e203-not-ordered", op = op.symbol(), what = what),
                )
                .at(left.span.to(right.span))
                .help(text!("e203-not-ordered-help")),
            );
        }
        if matches!(l.ty, Ty::List(_)) {
            self.report(
                Diagnostic::error(Code::TYPE_MISMATCH, text!("e203-list"))
                    .at(left.span)
                    .help(text!("e203-list-help")),
            );
        }
        Typed::new(
            ir::ExprKind::Cmp(cmp, Box::new(l.expr), Box::new(r.expr)),
            Ty::Bool,
        )
    }

    /// Makes `r` the same kind as `l` (bringing bare numbers to money) or reports the mismatch.
    /// Returns `r`, possibly converted, or an error value.
    fn same_kind(&mut self, l: &Typed, l_span: Span, r: Typed, r_span: Span, op: BinOp) -> Typed {
        if l.ty == Ty::Error || r.ty == Ty::Error {
            return Typed::error();
        }
        if l.ty == r.ty {
            return r;
        }
        match (&l.ty, &r.ty) {
            (Ty::Money, Ty::Int) if r.int_literal => return to_money(r),
            (Ty::Outcome(_), Ty::Nothing) | (Ty::Nothing, Ty::Outcome(_)) => return r,
            (Ty::Days, Ty::Int) if r.int_literal => {
                self.days_need_unit(&r, r_span);
                return Typed::error();
            }
            (Ty::Int, Ty::Days) if l.int_literal => {
                self.days_need_unit(l, l_span);
                return Typed::error();
            }
            _ => {}
        }
        let (lw, rw) = (self.describe(&l.ty), self.describe(&r.ty));
        let message = match op {
            BinOp::Add => text!("e203-cannot-add", left = lw.clone(), right = rw.clone()),
            BinOp::Sub => text!(
                "e203-cannot-subtract",
                left = lw.clone(),
                right = rw.clone()
            ),
            _ => text!("e203-cannot-compare", left = lw.clone(), right = rw.clone()),
        };
        let help = match (&l.ty, &r.ty) {
            (Ty::Date, Ty::Int) | (Ty::Int, Ty::Date) => text!("e203-help-days-unit"),
            (Ty::Days, Ty::Int) | (Ty::Int, Ty::Days) => text!("e203-help-counts-days"),
            (Ty::Money, Ty::Date) | (Ty::Date, Ty::Money) => text!("e203-help-money-dates"),
            _ => text!("e203-help-like-with-like"),
        };
        self.report(
            Diagnostic::error(Code::TYPE_MISMATCH, message)
                .label(l_span, text!("e203-this-is", what = lw))
                .label(r_span, text!("e203-this-is", what = rw))
                .help(help),
        );
        Typed::error()
    }

    fn days_need_unit(&mut self, literal: &Typed, span: Span) {
        let number = match &literal.expr.kind {
            ir::ExprKind::Const(Value::Int(n)) => n.to_string(),
            _ => "N".into(),
        };
        self.report(
            Diagnostic::error(
                Code::DAYS_NEED_UNIT,
                text!("e205-message", number = &number),
            )
            .at(span)
            .help(text!("e205-help", number = &number)),
        );
    }

    fn arithmetic(
        &mut self,
        op: BinOp,
        left: &ast::Expr,
        right: &ast::Expr,
        span: Span,
        known: &[Ref],
    ) -> Typed {
        let l = self.expr(left, None, known);
        let r = self.expr(right, Some(&l.ty), known);
        self.require_present(&l, left.span);
        self.require_present(&r, right.span);
        let l = if l.int_literal && r.ty == Ty::Money {
            to_money(l)
        } else {
            l
        };
        let result = match (&l.ty, &r.ty, op) {
            (Ty::Error, _, _) | (_, Ty::Error, _) => return Typed::error(),
            (Ty::Date, Ty::Date, BinOp::Sub) => Ty::Days,
            (Ty::Date, Ty::Days, _) => Ty::Date,
            (Ty::Days, Ty::Date, BinOp::Add) => Ty::Date,
            (Ty::Days, Ty::Days, _) => Ty::Days,
            (Ty::Int, Ty::Int, _) => Ty::Int,
            (Ty::Money, Ty::Money, _) => Ty::Money,
            (Ty::Money, Ty::Int, _) if r.int_literal => Ty::Money,
            (Ty::Date | Ty::Days, Ty::Int, _) if r.int_literal => {
                self.days_need_unit(&r, right.span);
                return Typed::error();
            }
            _ => {
                let (lw, rw) = (self.describe(&l.ty), self.describe(&r.ty));
                let message = if op == BinOp::Add {
                    text!("e203-add-to", left = lw, right = rw)
                } else {
                    text!("e203-subtract-from", left = lw, right = rw)
                };
                self.report(
                    Diagnostic::error(Code::TYPE_MISMATCH, message)
                        .at(span)
                        .help(text!("e203-arithmetic-help")),
                );
                return Typed::error();
            }
        };
        let r = if result == Ty::Money && r.int_literal {
            to_money(r)
        } else {
            r
        };
        let expr = if op == BinOp::Add {
            ir::ExprKind::Add(Box::new(l.expr), Box::new(r.expr))
        } else {
            ir::ExprKind::Sub(Box::new(l.expr), Box::new(r.expr))
        };
        Typed::new(expr, result)
    }

    pub(super) fn call(
        &mut self,
        function: &ast::Ident,
        first: &ast::Expr,
        filter: Option<&ast::Expr>,
        rest: &[ast::Expr],
        span: Span,
        known: &[Ref],
    ) -> Typed {
        let bad_call = |message: crate::lang::Text, help: crate::lang::Text| {
            Diagnostic::error(Code::BAD_CALL, message)
                .at(span)
                .help(help)
        };
        if let ExprKind::Borrower {
            word,
            member,
            field,
        } = &first.kind
            && matches!(
                function.name.as_str(),
                "count" | "sum" | "min" | "max" | "any" | "all"
            )
        {
            return self.borrower_call(function, word, member, field.as_ref(), filter, rest, span);
        }
        match function.name.as_str() {
            "any" | "all" => {
                // Over one loan's list: whether some (every) record passes the filter.
                let count = ast::Ident {
                    name: "count".to_owned(),
                    span: function.span,
                };
                let counted = self.call(&count, first, filter, rest, span, known);
                if counted.ty == Ty::Error {
                    return counted;
                }
                let expr = if function.name == "any" {
                    ir::ExprKind::Cmp(
                        CmpOp::Gt,
                        Box::new(counted.expr),
                        Box::new(ir::ExprKind::Const(Value::Int(0)).into()),
                    )
                } else {
                    let all = self.call(&count, first, None, rest, span, known);
                    ir::ExprKind::Cmp(CmpOp::Eq, Box::new(counted.expr), Box::new(all.expr))
                };
                Typed::new(expr, Ty::Bool)
            }
            "count" => {
                if !rest.is_empty() {
                    self.report(bad_call(
                        text!("e208-count-one-list"),
                        text!("e208-count-help"),
                    ));
                    return Typed::error();
                }
                let Some((list, fields)) = self.list_field(first) else {
                    return Typed::error();
                };
                let filter = self.filter(list, fields, filter);
                Typed::new(ir::ExprKind::Count { list, filter }, Ty::Int)
            }
            "min" | "max" | "sum" => {
                let fold = match function.name.as_str() {
                    "min" => FoldOp::Min,
                    "max" => FoldOp::Max,
                    _ => FoldOp::Sum,
                };
                let example = text!("e208-fold-example", function = &function.name);
                let ExprKind::Member { base, field } = &first.kind else {
                    self.report(bad_call(
                        text!("e208-fold-takes-field", function = &function.name),
                        example,
                    ));
                    return Typed::error();
                };
                if !rest.is_empty() {
                    self.report(bad_call(
                        text!("e208-fold-takes-one", function = &function.name),
                        example,
                    ));
                    return Typed::error();
                }
                let base_expr = ast::Expr {
                    kind: ExprKind::Name(base.clone()),
                    span: base.span,
                };
                let Some((list, fields)) = self.list_field(&base_expr) else {
                    return Typed::error();
                };
                let Some((item, item_field)) = fields
                    .iter()
                    .enumerate()
                    .find(|(_, f)| f.is_named(&field.name))
                else {
                    let help = did_you_mean(&field.name, fields.iter().map(|f| f.name.as_str()))
                        .map(|s| text!("did-you-mean", name = s))
                        .unwrap_or_else(|| {
                            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                            text!("e201-records-have", fields = names.join(", "))
                        });
                    self.report(
                        Diagnostic::error(
                            Code::UNKNOWN_NAME,
                            text!(
                                "e201-no-record-field",
                                list = &base.name,
                                field = &field.name
                            ),
                        )
                        .at(field.span)
                        .help(help),
                    );
                    return Typed::error();
                };
                let list_name = self
                    .schema
                    .fields
                    .get(list)
                    .map(|f| f.name.clone())
                    .unwrap_or_default();
                self.symbols.used(
                    Symbol::RecordField {
                        list: list_name,
                        field: item_field.name.clone(),
                    },
                    field.span,
                );
                let ty = Ty::of_field(item_field, item);
                let zero = match ty {
                    Ty::Int => Value::Int(0),
                    Ty::Money => Value::Money(Decimal::ZERO),
                    Ty::Days => Value::Days(0),
                    _ => Value::Missing,
                };
                let fits = if fold == FoldOp::Sum {
                    zero != Value::Missing
                } else {
                    ty.is_ordered()
                };
                if !fits {
                    let what = self.describe(&ty);
                    self.report(bad_call(
                        text!("e208-fold-cannot", function = &function.name, what = what),
                        text!("e208-fold-cannot-help"),
                    ));
                    return Typed::error();
                }
                if item_field.optional {
                    self.report(bad_call(
                        text!("e208-fold-missing", list = &base.name, field = &field.name),
                        text!("e208-fold-missing-help"),
                    ));
                }
                let filter = self.filter(list, fields, filter);
                Typed {
                    expr: ir::Expr::from(ir::ExprKind::Fold {
                        op: fold,
                        list,
                        item,
                        zero,
                        filter,
                    }),
                    ty,
                    optional: fold != FoldOp::Sum,
                    int_literal: false,
                }
            }
            "bucket" => {
                let help = text!("e208-bucket-help");
                let (ExprKind::Text(salt), [key], None) = (&first.kind, rest, filter) else {
                    self.report(bad_call(text!("e208-bucket-arguments"), help));
                    return Typed::error();
                };
                let key_typed = self.expr(key, None, known);
                self.require_present(&key_typed, key.span);
                if !matches!(key_typed.ty, Ty::Text | Ty::Error) {
                    self.report(bad_call(text!("e208-bucket-key"), help));
                    return Typed::error();
                }
                Typed::new(
                    ir::ExprKind::Bucket {
                        salt: salt.clone(),
                        key: Box::new(key_typed.expr),
                    },
                    Ty::Int,
                )
            }
            "weekday" | "add_months" | "latest" | "earliest" => {
                if filter.is_some() {
                    self.report(bad_call(
                        text!("e208-dates-not-list", function = &function.name),
                        text!("e208-dates-not-list-help"),
                    ));
                    return Typed::error();
                }
                let args: Vec<&ast::Expr> = std::iter::once(first).chain(rest).collect();
                self.date_call(&function.name, &args, span, known)
            }
            other => {
                let help = match did_you_mean(other, FUNCTIONS.iter().copied()) {
                    Some(s) => text!("did-you-mean", name = s),
                    None => text!("e208-functions-are", functions = FUNCTIONS.join(", ")),
                };
                self.report(
                    Diagnostic::error(Code::BAD_CALL, text!("e208-unknown-function", name = other))
                        .at(function.span)
                        .help(help),
                );
                Typed::error()
            }
        }
    }

    /// `weekday(d)`, `add_months(d, n)`, `latest(a, b, ...)` and `earliest(a, b, ...)`.
    fn date_call(&mut self, name: &str, args: &[&ast::Expr], span: Span, known: &[Ref]) -> Typed {
        let (function, usage) = match name {
            "weekday" => (DateFn::Weekday, text!("usage-weekday")),
            "add_months" => (DateFn::AddMonths, text!("usage-add-months")),
            "latest" => (DateFn::Latest, text!("usage-latest")),
            _ => (DateFn::Earliest, text!("usage-earliest")),
        };
        let arity_ok = match function {
            DateFn::Weekday => args.len() == 1,
            DateFn::AddMonths => args.len() == 2,
            DateFn::Latest | DateFn::Earliest => args.len() >= 2,
        };
        if !arity_ok {
            self.report(
                Diagnostic::error(
                    Code::BAD_CALL,
                    text!("e208-arguments", function = name, count = args.len()),
                )
                .at(span)
                .help(usage),
            );
            return Typed::error();
        }
        let mut checked = Vec::new();
        let mut all_optional = true;
        let mut any_optional = false;
        for (position, arg) in args.iter().enumerate() {
            let typed = self.expr(arg, None, known);
            let wanted = if function == DateFn::AddMonths && position == 1 {
                Ty::Int
            } else {
                Ty::Date
            };
            if typed.ty != wanted && typed.ty != Ty::Error {
                let what = self.describe(&typed.ty);
                let expected = self.describe(&wanted);
                self.report(
                    Diagnostic::error(
                        Code::TYPE_MISMATCH,
                        text!(
                            "e203-needs-here",
                            function = name,
                            expected = expected,
                            what = what
                        ),
                    )
                    .at(arg.span)
                    .help(usage),
                );
                return Typed::error();
            }
            // `latest` and `earliest` skip missing dates: that is what they are for. The other
            // two pass a missing date on (`add_months` of no date is no date); the number of
            // months must be there.
            all_optional &= typed.optional;
            if wanted == Ty::Date {
                any_optional |= typed.optional;
            } else {
                self.require_present(&typed, arg.span);
            }
            checked.push(typed.expr);
        }
        let ty = if function == DateFn::Weekday {
            Ty::Int
        } else {
            Ty::Date
        };
        let optional = match function {
            DateFn::Latest | DateFn::Earliest => all_optional,
            DateFn::Weekday | DateFn::AddMonths => any_optional,
        };
        Typed {
            optional,
            ..Typed::new(ir::ExprKind::Dates(function, checked), ty)
        }
    }

    /// Resolves the list a `count`, `min`, `max` or `sum` works on.
    fn list_field(&mut self, e: &ast::Expr) -> Option<(usize, &'a [Field])> {
        let schema: &'a crate::schema::Schema = self.schema;
        let typed = self.expr(e, None, &[]);
        match (typed.expr.kind, typed.ty) {
            (ir::ExprKind::Field(slot), Ty::List(_)) => {
                match schema.fields.get(slot).map(|f| &f.ty) {
                    Some(FieldType::List(fields)) => Some((slot, fields.as_slice())),
                    _ => None,
                }
            }
            (_, Ty::Error) => None,
            (_, ty) => {
                let what = self.describe(&ty);
                self.report(
                    Diagnostic::error(Code::BAD_CALL, text!("e208-not-a-list", what = what))
                        .at(e.span)
                        .help(text!("e208-not-a-list-help")),
                );
                None
            }
        }
    }

    fn filter(
        &mut self,
        list: usize,
        fields: &'a [Field],
        filter: Option<&ast::Expr>,
    ) -> Option<Box<ir::Expr>> {
        let filter = filter?;
        let schema: &'a crate::schema::Schema = self.schema;
        let outer = (self.item_scope, self.item_list);
        // The record's fields are in scope inside `where`; they hide loan fields of the same name.
        self.item_scope = Some(fields);
        self.item_list = schema.fields.get(list).map(|f| f.name.as_str());
        let checked = self.boolean(filter, &[]);
        (self.item_scope, self.item_list) = outer;
        Some(Box::new(checked))
    }
}

fn to_money(typed: Typed) -> Typed {
    match typed.expr.kind {
        ir::ExprKind::Const(Value::Int(n)) => Typed::new(
            ir::Expr::new(
                ir::ExprKind::Const(Value::Money(Decimal::from(n))),
                typed.expr.span,
            ),
            Ty::Money,
        ),
        _ => typed,
    }
}
