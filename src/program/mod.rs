//! The one resolved form of a policy: what `check` produces and everything downstream reads
//! (the evaluator, the analysis, the reports, the front ends). Names are resolved to indices,
//! expressions are typed ([`ir`]); nothing here refers to the syntax tree.

mod ids;
pub(crate) mod ir;
mod naming;
mod outcome;
mod wording;

pub use ids::{
    ActionId, BorrowerValueId, CapacityId, DecisionId, GuardId, OutcomeId, RuleId, Slot, ValueId,
};
pub(crate) use naming::{Kind, kind_of, source_name, to_json, to_text};
pub use outcome::{Claimed, DecisionOutcome, Evaluation, Fallback, Queued};
pub(crate) use wording::Wording;

use crate::schema::{FieldType, Schema};
use crate::source::Span;

/// Where a value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadSource {
    /// A loan field.
    Field(Slot),
    /// A derived value.
    Derived(ValueId),
    /// A decision's outcome.
    Decision(DecisionId),
    /// A value over all of the borrower's loans.
    Borrower(BorrowerValueId),
    /// The evaluation date.
    AsOf,
}

/// How a decision's rules combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitPolicy {
    /// The first matching rule decides.
    First,
    /// The first matching rule decides, and the policy promises no loan matches two.
    Unique,
    /// Every matching rule adds its outcome.
    Collect,
}

impl HitPolicy {
    /// True when one rule decides (`first match`, `unique match`).
    pub fn one_rule_decides(self) -> bool {
        !matches!(self, HitPolicy::Collect)
    }
}

/// The type of an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    /// Already reported; stay quiet about anything built on it.
    Error,
    Bool,
    Int,
    Money,
    Days,
    Date,
    Time,
    Text,
    /// One of the schema's enumerations, by id.
    Enum(usize),
    /// A list field of the loan, by slot.
    List(usize),
    /// The outcome of a `first match` decision, by index.
    Outcome(usize),
    /// The literal `nothing`.
    Nothing,
}

/// A name with an optional human label, and where it is declared.
#[derive(Clone, Debug)]
pub(crate) struct Named {
    /// The stable name (`T7`, `litigation`).
    pub name: String,
    /// The human label, if the policy gives one.
    pub label: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

impl Ty {
    /// The type of a value of `field` (at `slot`, which names a list field's type).
    pub(crate) fn of_field(field: &crate::schema::Field, slot: usize) -> Ty {
        match &field.ty {
            FieldType::Text => Ty::Text,
            FieldType::Bool => Ty::Bool,
            FieldType::Integer => Ty::Int,
            FieldType::Money => Ty::Money,
            FieldType::Date => Ty::Date,
            FieldType::Days => Ty::Days,
            FieldType::Time => Ty::Time,
            FieldType::Enum(id) => Ty::Enum(*id),
            FieldType::List(_) => Ty::List(slot),
        }
    }
}

/// A checked `let`.
#[derive(Clone, Debug)]
pub(crate) struct DerivedDef {
    pub(crate) named: Named,
    pub(crate) expr: ir::Expr,
    /// Its type, so that traces can print its value in words (an enumeration choice's name).
    pub(crate) ty: Ty,
    /// Whether it may be missing (`max` of an empty list, say).
    pub(crate) optional: bool,
    /// Declared with `deadline`: runs list it per loan.
    pub(crate) deadline: bool,
}

/// What a decision's outcomes are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Gives {
    /// Actions, numbered as in [`Program::actions`].
    Actions,
    /// These values, numbered in order.
    Values(Vec<String>),
}

/// A checked rule.
#[derive(Clone, Debug)]
pub(crate) struct RuleDef {
    pub(crate) named: Named,
    /// `None` for `otherwise`.
    pub(crate) condition: Option<ir::Expr>,
    pub(crate) outcome: ir::Outcome,
}

/// A checked decision.
#[derive(Clone, Debug)]
pub(crate) struct DecisionDef {
    pub(crate) named: Named,
    pub(crate) hit: HitPolicy,
    /// Made once for all of a borrower's loans (`per borrower`): its rules read only what
    /// every loan of the borrower shares.
    pub(crate) per_borrower: bool,
    pub(crate) gives: Gives,
    pub(crate) rules: Vec<RuleDef>,
}

/// A checked guard: which actions it forbids (kinds already expanded), when.
#[derive(Clone, Debug)]
pub(crate) struct GuardDef {
    pub(crate) named: Named,
    /// The regulation or rule it implements (`per "..."`).
    pub(crate) basis: Option<String>,
    pub(crate) condition: ir::Expr,
    pub(crate) forbids: Vec<ActionId>,
}

/// A checked `capacity`: at most `limit` loans of each group a day may take `actions`; the
/// rest are queued, in `priority` order (ties by key), and get `fallback` instead.
#[derive(Clone, Debug)]
pub(crate) struct CapacityDef {
    /// The action or kind it limits, as written, and its label.
    pub(crate) named: Named,
    /// The actions it limits (a kind's, expanded), sorted.
    pub(crate) actions: Vec<ActionId>,
    pub(crate) limit: u32,
    /// What the groups are (a field or derived value); `None`: one limit for the book.
    pub(crate) group: Option<ReadSource>,
    /// What loans are ordered by, each `true` when largest first.
    pub(crate) priority: Vec<(ReadSource, bool)>,
    /// What a loan over the limit gets instead.
    pub(crate) fallback: Option<ActionId>,
}

/// A policy ready to evaluate loans. Cheap to share between threads.
#[derive(Clone, Debug)]
pub struct Program {
    pub(crate) name: Option<String>,
    pub(crate) schema: Schema,
    pub(crate) derived: Vec<DerivedDef>,
    pub(crate) actions: Vec<Named>,
    pub(crate) decisions: Vec<DecisionDef>,
    pub(crate) guards: Vec<GuardDef>,
    /// Decisions in evaluation order (each after those it reads).
    pub(crate) order: Vec<usize>,
    /// Decisions that give actions, in the order their actions are listed: `first match`
    /// decisions in file order, then `every match` ones in file order.
    pub(crate) action_decisions: Vec<usize>,
    /// The derived values declared with `deadline`, in policy order.
    pub(crate) deadlines: Vec<usize>,
    /// The values over all of a borrower's loans, by [`BorrowerValueId`].
    pub(crate) borrower_values: Vec<ir::BorrowerValue>,
    /// The policy's capacities, by [`CapacityId`].
    pub(crate) capacities: Vec<CapacityDef>,
    /// The derived values capacities read, for [`Program::evaluate_with_values`].
    pub(crate) capacity_values: Vec<usize>,
    /// The text the policy was checked from (its files), so that traces can quote a test in
    /// the policy's own words.
    pub(crate) source: Option<std::sync::Arc<crate::source::SourceFile>>,
    /// Which names the policy writes (see [`wording::Wording`]).
    pub(crate) wording: wording::Wording,
}

impl Program {
    /// The policy's text under `span`, when the program knows its source.
    pub(crate) fn words(&self, span: crate::source::Span) -> Option<&str> {
        let file = self.source.as_ref()?.file(span.file)?;
        let text = file.slice(span);
        (!text.is_empty()).then_some(text)
    }

    /// Packs a checked policy; works out the order in which decisions' actions are listed
    /// (`first match` decisions in file order, then `every match` ones) and which values are
    /// deadlines.
    #[expect(
        clippy::too_many_arguments,
        reason = "the parts of a checked policy, each built by its own pass of the checker"
    )]
    pub(crate) fn new(
        name: Option<String>,
        schema: Schema,
        derived: Vec<DerivedDef>,
        actions: Vec<Named>,
        decisions: Vec<DecisionDef>,
        guards: Vec<GuardDef>,
        order: Vec<usize>,
        borrower_values: Vec<ir::BorrowerValue>,
    ) -> Program {
        let actions_of = |one_rule: bool| {
            decisions
                .iter()
                .enumerate()
                .filter(move |(_, d)| {
                    d.hit.one_rule_decides() == one_rule && d.gives == Gives::Actions
                })
                .map(|(index, _)| index)
        };
        let action_decisions = actions_of(true).chain(actions_of(false)).collect();
        let deadlines = derived
            .iter()
            .enumerate()
            .filter(|(_, d)| d.deadline)
            .map(|(index, _)| index)
            .collect();
        Program {
            name,
            schema,
            derived,
            actions,
            decisions,
            guards,
            order,
            action_decisions,
            deadlines,
            borrower_values,
            capacities: Vec::new(),
            capacity_values: Vec::new(),
            source: None,
            wording: wording::Wording::default(),
        }
    }
}

/// Adds the loan fields `expr` reads to `read`.
fn note_fields(expr: &ir::Expr, read: &mut crate::schema::FieldSet) {
    match &expr.kind {
        ir::ExprKind::Field(slot)
        | ir::ExprKind::Count { list: slot, .. }
        | ir::ExprKind::Fold { list: slot, .. } => read.insert(*slot),
        _ => {}
    }
    expr.for_each_child(&mut |child| note_fields(child, read));
}

impl Program {
    /// Sets the checked capacities, and the derived values they read.
    pub(crate) fn set_capacities(&mut self, capacities: Vec<CapacityDef>) {
        let mut values: Vec<usize> = capacities
            .iter()
            .flat_map(|c| c.group.iter().chain(c.priority.iter().map(|(p, _)| p)))
            .filter_map(|source| match source {
                ReadSource::Derived(value) => Some(value.index()),
                _ => None,
            })
            .collect();
        values.sort_unstable();
        values.dedup();
        self.capacity_values = values;
        self.capacities = capacities;
    }

    /// The loan fields the program reads: every field a derived value, a rule, a guard or a
    /// capacity names, a list's as a whole. What a run decides from a loan depends on these
    /// fields alone, so a reader may leave the rest unbuilt (checked all the same). `None`
    /// for a program that reads borrowers, whose loans are also read as a borrower's.
    pub fn fields_read(&self) -> Option<crate::schema::FieldSet> {
        if self.reads_borrowers() {
            return None;
        }
        // Every part of a program that holds expressions, named without `..`: a part added
        // later must be walked here, or a field only it reads would be left unbuilt.
        let Program {
            name: _,
            schema,
            derived,
            actions: _,
            decisions,
            guards,
            order: _,
            action_decisions: _,
            deadlines: _,
            borrower_values: _,
            capacities,
            capacity_values: _,
            source: _,
            wording: _,
        } = self;
        let mut read = crate::schema::FieldSet::none(schema.fields.len());
        let mut exprs: Vec<&ir::Expr> = derived.iter().map(|d| &d.expr).collect();
        for rule in decisions.iter().flat_map(|d| &d.rules) {
            exprs.extend(&rule.condition);
            let mut outcomes = vec![&rule.outcome];
            while let Some(outcome) = outcomes.pop() {
                if let ir::Outcome::If(condition, then, otherwise) = outcome {
                    exprs.push(condition);
                    outcomes.extend([&**then, &**otherwise]);
                }
            }
        }
        exprs.extend(guards.iter().map(|g| &g.condition));
        for expr in exprs {
            note_fields(expr, &mut read);
        }
        for capacity in capacities {
            for source in capacity
                .group
                .iter()
                .chain(capacity.priority.iter().map(|(p, _)| p))
            {
                if let ReadSource::Field(slot) = source {
                    read.insert(slot.index());
                }
            }
        }
        Some(read)
    }

    /// True when the policy reads a borrower's loans together (`borrower.loans`, a decision
    /// `per borrower`): its loans must then be decided a borrower at a time
    /// ([`Program::borrower_context`], [`Program::evaluate_in`]), and a book grouped by the
    /// schema's borrower field.
    pub fn reads_borrowers(&self) -> bool {
        !self.borrower_values.is_empty() || self.decisions.iter().any(|d| d.per_borrower)
    }

    /// The slot of the field that says whose loan it is (`borrowers by borrower_id`).
    pub fn borrower_field(&self) -> Option<Slot> {
        self.schema.borrower.map(Slot::new)
    }

    /// True when decision `decision` is made once per borrower.
    pub fn is_per_borrower(&self, decision: DecisionId) -> bool {
        self.decisions
            .get(decision.index())
            .is_some_and(|d| d.per_borrower)
    }

    /// The policy's `deadline` values, name and label, in the order of
    /// [`crate::Evaluation::deadlines`].
    pub fn deadlines(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.deadlines
            .iter()
            .filter_map(|&index| self.derived.get(index))
            .map(|d| (d.named.name.as_str(), d.named.label.as_deref()))
    }

    /// A value as JSON, in the policy's words (choice names, exact amounts): as field `slot`'s
    /// value, or with no field's context when `slot` is `None`.
    pub(crate) fn field_json(
        &self,
        slot: Option<usize>,
        value: &crate::value::Value,
    ) -> serde_json::Value {
        let kind = slot
            .and_then(|slot| self.schema.fields.get(slot))
            .map_or(Kind::Plain, Kind::Field);
        to_json(self, kind, value)
    }
}
