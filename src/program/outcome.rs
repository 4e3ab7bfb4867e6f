//! What a program decides for one loan: the outcome of each decision, the actions that
//! survive the guards, those the guards forbade, and the deadlines. `eval` computes it; the
//! reports and every front end read it.

use chrono::NaiveDate;

use super::{ActionId, CapacityId, DecisionId, GuardId, OutcomeId, RuleId};

/// What one decision decided for one loan.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DecisionOutcome {
    /// A `first match` decision: the rule that matched (by index within the decision), if any,
    /// and its outcome (`None` when it decided nothing, or when no rule matched).
    First {
        /// The rule that matched, if any.
        rule: Option<RuleId>,
        /// What it gave (an action or one of the decision's values); `None` when no rule
        /// matched or the rule gave `nothing`.
        value: Option<OutcomeId>,
    },
    /// An `every match` decision: each matching rule that gave something, with its outcome.
    Collect {
        /// Each matching rule that gave something, with what it gave, in rule order.
        hits: Vec<(RuleId, OutcomeId)>,
    },
}

/// The full result for one loan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// One outcome per decision, in the policy's decision order (see
    /// [`Evaluation::outcome`]).
    pub outcomes: Vec<DecisionOutcome>,
    /// The surviving actions, each once, in order.
    pub actions: Vec<ActionId>,
    /// Forbidden actions and the first guard that forbade each.
    pub vetoed: Vec<(ActionId, GuardId)>,
    /// The date of each `deadline` of the policy, in its order (`None` when missing).
    pub deadlines: Vec<Option<NaiveDate>>,
    /// Each capacity the loan's actions claim and what came of it, once an
    /// [`crate::Allocation`] is applied; empty before, and for a policy without capacities.
    pub capacity: Vec<Claimed>,
    /// The capacities' fallback actions a guard forbids this loan, with the first guard that
    /// does: a loan over capacity does not get them.
    pub forbidden_fallbacks: Vec<(ActionId, GuardId)>,
}

/// One capacity a loan claimed (see [`crate::Allocation`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    /// The capacity.
    pub capacity: CapacityId,
    /// The loan's group in words (`None` when the loan has no value for it, or the capacity
    /// has one limit for the whole book).
    pub group: Option<String>,
    /// The loan's place among the group's claims, from 1: by priority, ties by key.
    pub rank: u64,
    /// How many loans of the group claimed it.
    pub demand: u64,
    /// The group's daily limit.
    pub limit: u32,
    /// `Some` when the loan was past the limit.
    pub queued: Option<Queued>,
}

/// What happened to a loan past a capacity's limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    /// The actions moved out of [`Evaluation::actions`], in their order.
    pub actions: Vec<ActionId>,
    /// Its place in the queue, from 1 (`rank - limit`).
    pub place: u64,
    /// What it got instead.
    pub instead: Fallback,
}

/// What a queued loan gets instead of what it waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// The capacity names no fallback.
    None,
    /// The fallback action, added to the loan's actions.
    Given(ActionId),
    /// The loan already had the fallback action.
    AlreadyGiven(ActionId),
    /// A guard forbids the fallback for this loan.
    Forbidden(ActionId, GuardId),
}

impl Evaluation {
    /// What decision `decision` decided.
    pub fn outcome(&self, decision: DecisionId) -> Option<&DecisionOutcome> {
        self.outcomes.get(decision.index())
    }
}
