//! The audit trace of one loan: every derived value computed, every rule tried, every guard,
//! and the value of each field, derived value or decision each of them read.
//!
//! Reads are recorded in the order they happened, each source once per condition; a condition
//! that stopped early (`a and b` with `a` false) lists only what it needed, which is exactly
//! what decided it.

use crate::value::Value;

/// Where a value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadSource {
    /// A loan field, by slot.
    Field(usize),
    /// A derived value, by index.
    Derived(usize),
    /// A decision's outcome, by index.
    Decision(usize),
    /// The evaluation date.
    AsOf,
}

/// One value read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Read {
    /// What was read.
    pub source: ReadSource,
    /// Its value.
    pub value: Value,
}

/// A derived value computed for the loan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DerivedTrace {
    /// Which derived value.
    pub derived: usize,
    /// Its value.
    pub value: Value,
    /// What its definition read.
    pub reads: Vec<Read>,
}

/// One rule tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleTrace {
    /// Index of the rule within its decision.
    pub rule: usize,
    /// Whether its condition held.
    pub matched: bool,
    /// When it matched: its outcome (`None` inside for "nothing").
    pub outcome: Option<Option<u32>>,
    /// What its condition (and outcome) read.
    pub reads: Vec<Read>,
}

/// One decision: the rules tried, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionTrace {
    /// Which decision.
    pub decision: usize,
    /// The rules tried; a `first match` decision stops at the first that matched.
    pub rules: Vec<RuleTrace>,
}

/// One guard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuardTrace {
    /// Which guard.
    pub guard: usize,
    /// Whether its condition held.
    pub fired: bool,
    /// What its condition read.
    pub reads: Vec<Read>,
}

/// Why a loan got its outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// Derived values, in the order they were first needed.
    pub derived: Vec<DerivedTrace>,
    /// Decisions, in evaluation order.
    pub decisions: Vec<DecisionTrace>,
    /// Guards, in policy order.
    pub guards: Vec<GuardTrace>,
}
