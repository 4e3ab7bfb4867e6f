//! What a program decides for one loan: the outcome of each decision, the actions that
//! survive the guards, those the guards forbade, and the deadlines. `eval` computes it; the
//! reports and every front end read it.

use chrono::NaiveDate;

use super::{ActionId, DecisionId, GuardId, OutcomeId, RuleId};

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
}

impl Evaluation {
    /// What decision `decision` decided.
    pub fn outcome(&self, decision: DecisionId) -> Option<&DecisionOutcome> {
        self.outcomes.get(decision.index())
    }
}
