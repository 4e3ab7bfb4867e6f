//! A checked policy to a [`Program`]: the form the evaluator runs. Nothing here can fail on a
//! user's mistake; every one of those was caught by `check`.

use crate::check::{CheckedPolicy, DecisionDef, DerivedDef, Gives, GuardDef, Named};
use crate::schema::Schema;
use crate::syntax::ast::HitPolicy;

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
}

/// Builds the program.
pub fn compile(checked: CheckedPolicy) -> Program {
    let actions_of = |hit: HitPolicy| {
        checked
            .decisions
            .iter()
            .enumerate()
            .filter(move |(_, d)| {
                d.hit.one_rule_decides() == hit.one_rule_decides() && d.gives == Gives::Actions
            })
            .map(|(index, _)| index)
    };
    let action_decisions = actions_of(HitPolicy::First)
        .chain(actions_of(HitPolicy::Collect))
        .collect();
    let deadlines = checked
        .derived
        .iter()
        .enumerate()
        .filter(|(_, d)| d.deadline)
        .map(|(index, _)| index)
        .collect();
    Program {
        deadlines,
        name: checked.name,
        schema: checked.schema,
        derived: checked.derived,
        actions: checked.actions,
        decisions: checked.decisions,
        guards: checked.guards,
        order: checked.order,
        action_decisions,
    }
}
