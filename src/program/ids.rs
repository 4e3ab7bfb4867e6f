//! Typed ids for the parts of a [`super::Program`]: an index that knows what it indexes, so
//! an action can never be looked up as a guard. Each is a position in the program's own list,
//! in policy order; ids of one program mean nothing in another.

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize,
            serde::Deserialize,
        )]
        pub struct $name(u32);

        impl $name {
            /// The id at `index` in its list. Policies are far smaller than `u32::MAX` items,
            /// which the parser's limits on file size guarantee in practice; an index beyond
            /// is clamped and then names nothing.
            #[allow(dead_code, reason = "not every id is made from a position")]
            pub(crate) fn new(index: usize) -> $name {
                $name(u32::try_from(index).unwrap_or(u32::MAX))
            }

            /// The id an evaluator's value holds.
            #[allow(dead_code, reason = "not every id is held in a value")]
            pub(crate) fn from_raw(raw: u32) -> $name {
                $name(raw)
            }

            /// The id as the evaluator's values hold it.
            #[allow(dead_code, reason = "not every id is held in a value")]
            pub(crate) fn raw(self) -> u32 {
                self.0
            }

            /// Its position in its list, in policy order.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id! {
    /// A decision, in policy order (the order of [`crate::Evaluation::outcomes`]).
    DecisionId
}
id! {
    /// A rule, by its position within its decision.
    RuleId
}
id! {
    /// An action, in the order the policy declares them.
    ActionId
}
id! {
    /// What a rule gives: for a decision that gives actions, the [`ActionId`]'s index; for
    /// one that gives values (`gives one of ...`), the value's position in that list.
    OutcomeId
}
id! {
    /// A guard, in policy order.
    GuardId
}
id! {
    /// A derived value (`let`, `deadline`), in policy order.
    ValueId
}
id! {
    /// A field of the loan schema, by its slot (the schema's field order).
    Slot
}
id! {
    /// A value over all of a borrower's loans (`count(borrower.loans where ...)`), in the
    /// order the checker met them; one written twice the same way is one value.
    BorrowerValueId
}

id! {
    /// A `capacity` of the policy, in policy order.
    CapacityId
}

impl OutcomeId {
    /// The action this outcome is, in a decision that gives actions.
    pub fn action(self) -> ActionId {
        ActionId(self.0)
    }
}

impl ActionId {
    /// This action as the outcome of a decision that gives actions.
    pub fn outcome(self) -> OutcomeId {
        OutcomeId(self.0)
    }
}
