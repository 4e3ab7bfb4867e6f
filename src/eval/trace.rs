//! The audit trace of one loan: every derived value computed, every rule tried, every guard,
//! and the value of each field, derived value or decision each of them read.
//!
//! Reads are recorded in the order they happened, each source once per condition; a condition
//! that stopped early (`a and b` with `a` false) lists only what it needed, which is exactly
//! what decided it.

use crate::value::Value;

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
    pub derived: ValueId,
    /// Its value.
    pub value: Value,
    /// What its definition read.
    pub reads: Vec<Read>,
}

/// One rule tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleTrace {
    /// Which rule of its decision.
    pub rule: RuleId,
    /// Whether its condition held.
    pub matched: bool,
    /// When it matched, what it gave (`None` when it gave nothing).
    pub outcome: Option<OutcomeId>,
    /// What its condition (and outcome) read.
    pub reads: Vec<Read>,
    /// The tests that settled its condition (see [`TestTrace`]).
    pub tests: Vec<TestTrace>,
}

/// One test that settled a condition: a comparison, a yes/no value, a presence test or an
/// `in`, with what the loan had and what the test needs. A condition that failed is settled
/// by the first `and` part that failed (or every `or` part); one that held, by every `and`
/// part (or the first `or` part that held).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestTrace {
    /// The test as the policy writes it: `overdue > 90 days`, `not has_assets`.
    pub test: String,
    /// What was tested, when it is a field, derived value or decision (`None` for anything
    /// else, such as a sum written in the test).
    pub subject: Option<ReadSource>,
    /// The loan's value of it.
    pub value: Value,
    /// What the test needs, in the policy's words: `> 90 days`, `one of refuses, hesitant`,
    /// `present`, `true` ([`Needs::text`] in a language).
    pub needs: Needs,
    /// Whether the test held.
    pub holds: bool,
}

/// What a test needs of the value it reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Needs {
    /// A comparison: its operator as written (`>`, `=`), and the other side in the policy's
    /// words (`90 days`, `360天`, `principal_outstanding (50000.00)`).
    Compare {
        /// `=`, `!=`, `<`, `<=`, `>`, `>=`.
        op: &'static str,
        /// The other side.
        against: String,
    },
    /// Membership of a list: the first items named, how many there are, and whether the test
    /// is `not … in` (none of them).
    OneOf {
        /// The items named, in the policy's words.
        listed: Vec<String>,
        /// How many items the list has.
        total: usize,
        /// `none of` rather than `one of`.
        negated: bool,
    },
    /// The value is present.
    Present,
    /// The value is missing.
    Missing,
    /// The yes/no value is yes.
    True,
    /// The yes/no value is no.
    False,
}

impl Needs {
    /// What the test needs, in `lang`: `> 90 days`, `one of refuses, hesitant … (12 in all)`,
    /// `present`; in Chinese `属于 拒绝、犹豫`, `存在`.
    pub fn text(&self, lang: crate::lang::Lang) -> String {
        use crate::lang::tr;
        match self {
            Needs::Compare { op, against } => format!("{op} {against}"),
            Needs::OneOf {
                listed,
                total,
                negated,
            } => {
                let items = listed.join(&tr!(lang, "list-separator"));
                let rest = if *total > listed.len() {
                    let total = crate::value::grouped(rust_decimal::Decimal::from(*total));
                    tr!(lang, "needs-in-all", total = total)
                } else {
                    String::new()
                };
                if *negated {
                    tr!(lang, "needs-none-of", items = items, rest = rest)
                } else {
                    tr!(lang, "needs-one-of", items = items, rest = rest)
                }
            }
            Needs::Present => tr!(lang, "needs-present"),
            Needs::Missing => tr!(lang, "needs-missing"),
            Needs::True => tr!(lang, "needs-true"),
            Needs::False => tr!(lang, "needs-false"),
        }
    }
}

/// One decision: the rules tried, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionTrace {
    /// Which decision.
    pub decision: DecisionId,
    /// The rules tried; a `first match` decision stops at the first that matched. Empty for
    /// a decision made per borrower and traced on another of the borrower's loans.
    pub rules: Vec<RuleTrace>,
    /// For a decision made `per borrower`: the key of the borrower's loan whose trace holds
    /// the rules tried (this loan's own key when it is that loan).
    pub per_borrower: Option<String>,
}

/// One guard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuardTrace {
    /// Which guard.
    pub guard: GuardId,
    /// Whether its condition held.
    pub fired: bool,
    /// What its condition read.
    pub reads: Vec<Read>,
    /// The tests that settled its condition.
    pub tests: Vec<TestTrace>,
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
    /// The values over the borrower's loans, when the policy has any.
    pub borrower: Option<BorrowerTrace>,
}

/// The values a policy reads over all of a borrower's loans, and each loan's part in them.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BorrowerTrace {
    /// The keys of the borrower's loans that were read (a loan rejected is not among them),
    /// in input order.
    pub loans: Vec<String>,
    /// Each value over the loans, in policy order.
    pub values: Vec<BorrowerValueTrace>,
}

/// One value over a borrower's loans.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BorrowerValueTrace {
    /// Which value.
    pub value: BorrowerValueId,
    /// What it came to.
    pub result: Value,
    /// Each loan's own part, in the order of [`BorrowerTrace::loans`]: `1` or `0` for a
    /// `count` of loans, the loan's amount for a `sum`, its own count of contacts.
    pub per_loan: Vec<Value>,
}

use crate::program::{
    BorrowerValueId, DecisionId, GuardId, OutcomeId, ReadSource, RuleId, ValueId,
};
use crate::value::REDACTED;

impl Trace {
    /// Replaces every text value in the trace with [`REDACTED`]. Free text is where names,
    /// addresses and telephone numbers live; choices, amounts, dates and counts are kept, so the
    /// trace still shows why each rule fired.
    pub fn redact(&mut self) {
        let reads = self
            .derived
            .iter_mut()
            .flat_map(|d| d.reads.iter_mut())
            .chain(
                self.decisions
                    .iter_mut()
                    .flat_map(|d| d.rules.iter_mut())
                    .flat_map(|r| r.reads.iter_mut()),
            )
            .chain(self.guards.iter_mut().flat_map(|g| g.reads.iter_mut()));
        for read in reads {
            redact(&mut read.value);
        }
        let tests = self
            .decisions
            .iter_mut()
            .flat_map(|d| d.rules.iter_mut())
            .flat_map(|r| r.tests.iter_mut())
            .chain(self.guards.iter_mut().flat_map(|g| g.tests.iter_mut()));
        for test in tests {
            redact(&mut test.value);
        }
        for derived in &mut self.derived {
            redact(&mut derived.value);
        }
    }
}

/// `value` with its text (and the text inside its list records) redacted.
fn redact(value: &mut Value) {
    match value {
        Value::Text(text) => *text = REDACTED.into(),
        Value::List(records)
            if records
                .iter()
                .flatten()
                .any(|v| matches!(v, Value::Text(_))) =>
        {
            *records = std::sync::Arc::new(records.redacted());
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_text_and_keeps_everything_else() {
        let mut trace = Trace {
            derived: vec![DerivedTrace {
                derived: crate::program::ValueId::new(0),
                value: Value::Text("王小明".into()),
                reads: vec![
                    Read {
                        source: ReadSource::Field(crate::program::Slot::new(1)),
                        value: Value::Text("王小明".into()),
                    },
                    Read {
                        source: ReadSource::Field(crate::program::Slot::new(2)),
                        value: Value::Days(31),
                    },
                ],
            }],
            ..Trace::default()
        };
        trace.redact();
        let derived = &trace.derived[0];
        assert_eq!(derived.value, Value::Text(REDACTED.into()));
        assert_eq!(derived.reads[0].value, Value::Text(REDACTED.into()));
        assert_eq!(derived.reads[1].value, Value::Days(31));
    }
}
