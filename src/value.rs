//! Runtime values: what a loan's fields hold and what expressions compute.
//!
//! Money is an exact decimal and days are whole numbers; there is no floating point anywhere.

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// An optional field or value that is absent.
    Missing,
    /// A decision's "nothing" outcome (a rule decided no action), or no rule matched.
    Nothing,
    /// Yes or no.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number of calendar days.
    Days(i64),
    /// An exact amount.
    Money(Decimal),
    /// A calendar date.
    Date(NaiveDate),
    /// Text.
    Text(Arc<str>),
    /// The index of one choice of an enumeration.
    Enum(u32),
    /// The index of a decision's outcome: an action, or one of the decision's values.
    Outcome(u32),
    /// A list of records, each a row of field values in schema order.
    List(Arc<[Vec<Value>]>),
}

impl Value {
    /// Compares two values of the same kind; `None` when they cannot be compared (different
    /// kinds, or either is missing). The checker makes sure that never happens in a policy.
    pub(crate) fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Int(a), Value::Int(b)) | (Value::Days(a), Value::Days(b)) => Some(a.cmp(b)),
            (Value::Money(a), Value::Money(b)) => Some(a.cmp(b)),
            (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
            (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
            (Value::Enum(a), Value::Enum(b)) | (Value::Outcome(a), Value::Outcome(b)) => {
                Some(a.cmp(b))
            }
            (Value::Nothing, Value::Nothing) => Some(Ordering::Equal),
            (Value::Nothing, Value::Outcome(_)) => Some(Ordering::Less),
            (Value::Outcome(_), Value::Nothing) => Some(Ordering::Greater),
            _ => None,
        }
    }
}
