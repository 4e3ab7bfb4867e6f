//! Runtime values: what a loan's fields hold and what expressions compute.
//!
//! Money is an exact decimal and days are whole numbers; there is no floating point anywhere.

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

/// What a redacted text value shows.
pub const REDACTED: &str = "[redacted]";

/// One loan, its field values in schema slot order. Serializable so that a book not grouped
/// by borrower can be spilled to disk and read back (`batch`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Loan {
    pub(crate) fields: Vec<Value>,
}

impl Loan {
    /// A loan from its field values, in the order of the schema's fields.
    pub(crate) fn new(fields: Vec<Value>) -> Loan {
        Loan { fields }
    }

    /// The value of the field at `slot` (the schema's field order), if there is such a field.
    pub fn field(&self, slot: usize) -> Option<&Value> {
        self.fields.get(slot)
    }
}

/// One value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// A time of day.
    Time(NaiveTime),
    /// Text.
    Text(Arc<str>),
    /// The index of one choice of an enumeration.
    Enum(u32),
    /// The index of a decision's outcome: an action, or one of the decision's values.
    Outcome(u32),
    /// A list of records.
    List(Arc<Records>),
}

/// The records of a list field, stored flat: one allocation for the whole list rather than
/// one per record.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Records {
    /// The number of fields of each record.
    width: usize,
    /// The records' field values, record after record, each in schema order.
    values: Vec<Value>,
}

impl Records {
    /// An empty list of records of `width` fields, with room for `capacity` records.
    #[inline]
    pub(crate) fn with_capacity(width: usize, capacity: usize) -> Records {
        Records {
            width,
            values: Vec::with_capacity(width * capacity),
        }
    }

    /// `count` copies of `record`.
    pub(crate) fn repeat(record: &[Value], count: usize) -> Records {
        Records {
            width: record.len(),
            values: std::iter::repeat_n(record, count)
                .flatten()
                .cloned()
                .collect(),
        }
    }

    /// Appends the next field value of the record being built; a record is complete after
    /// `width` values.
    pub(crate) fn push_value(&mut self, value: Value) {
        self.values.push(value);
    }

    /// Appends a record of `width` values made by `fill`, to be set field by field, and gives
    /// it. A maker rather than a value to clone: cloning a `Value` matches on its kind for every
    /// field, where making a constant one is a store.
    #[inline]
    pub(crate) fn push_record(&mut self, fill: impl Fn() -> Value) -> &mut [Value] {
        if self.values.capacity() == 0 {
            // Room for a few records at once: lists are short, and most have more than one.
            self.values.reserve_exact(self.width * 4);
        }
        let start = self.values.len();
        self.values.extend((0..self.width).map(|_| fill()));
        self.values.get_mut(start..).unwrap_or_default()
    }

    /// Takes every record out, keeping the room they took.
    pub(crate) fn clear(&mut self) {
        self.values.clear();
    }

    /// The records, each its field values in schema order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[Value]> {
        // A record type always has fields; `max(1)` only keeps `chunks_exact` total.
        self.values.chunks_exact(self.width.max(1))
    }

    /// How many records there are.
    pub fn len(&self) -> usize {
        self.iter().len()
    }

    /// A copy with every text value replaced by `[redacted]`.
    pub(crate) fn redacted(&self) -> Records {
        Records {
            width: self.width,
            values: self
                .values
                .iter()
                .map(|v| match v {
                    Value::Text(_) => Value::Text(REDACTED.into()),
                    other => other.clone(),
                })
                .collect(),
        }
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
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
            (Value::Time(a), Value::Time(b)) => Some(a.cmp(b)),
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

/// The sum of two counts, day counts or amounts of the same kind; `None` for other kinds or
/// on overflow.
pub(crate) fn sum(a: &Value, b: &Value) -> Option<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.checked_add(*y).map(Value::Int),
        (Value::Days(x), Value::Days(y)) => x.checked_add(*y).map(Value::Days),
        (Value::Money(x), Value::Money(y)) => x.checked_add(*y).map(Value::Money),
        _ => None,
    }
}

/// 1970-01-01, the epoch of Arrow's `date32`, as chrono counts days (0001-01-01 is day 1).
pub(crate) const UNIX_EPOCH_FROM_CE: i32 = 719_163;

/// A date as Arrow's `date32`: days since 1970-01-01.
pub(crate) fn date32_of(date: NaiveDate) -> i32 {
    use chrono::Datelike as _;
    date.num_days_from_ce() - UNIX_EPOCH_FROM_CE
}

/// An Arrow `date32` as a date, if chrono can hold it.
pub(crate) fn date_of_date32(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(UNIX_EPOCH_FROM_CE)?)
}

/// A time of day as the policy language and portfolios write it: `HH:MM` or `HH:MM:SS`.
pub(crate) fn parse_time(text: &str) -> Option<NaiveTime> {
    // `HH:MM` and `HH:MM:SS` in digits, read directly (nearly every time a book holds); any
    // other spelling as chrono reads it, which gives the same answer for these two.
    let digits = |at: usize| -> Option<u32> {
        let pair = text.as_bytes().get(at..at + 2)?;
        pair.iter()
            .all(u8::is_ascii_digit)
            .then(|| pair.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let colon = |at: usize| text.as_bytes().get(at) == Some(&b':');
    let direct = match text.len() {
        5 if colon(2) => digits(0)
            .zip(digits(3))
            .and_then(|(h, m)| NaiveTime::from_hms_opt(h, m, 0)),
        8 if colon(2) && colon(5) => digits(0)
            .zip(digits(3))
            .zip(digits(6))
            .and_then(|((h, m), s)| NaiveTime::from_hms_opt(h, m, s)),
        _ => None,
    };
    if direct.is_some() {
        return direct;
    }
    let format = if text.len() == 5 { "%H:%M" } else { "%H:%M:%S" };
    NaiveTime::parse_from_str(text, format).ok()
}

/// `words` with line breaks and runs of spaces as one space, cut to `chars` characters with a
/// closing `…`; only the characters kept are looked at, so a text of any length costs the same.
pub(crate) fn shortened(words: &str, chars: usize) -> String {
    let mut text = String::new();
    let mut kept = 0;
    for (index, part) in words.split_whitespace().enumerate() {
        let space = usize::from(index > 0);
        for c in std::iter::repeat_n(' ', space).chain(part.chars()) {
            if kept >= chars {
                text.push('…');
                return text;
            }
            text.push(c);
            kept += 1;
        }
    }
    text
}

/// `1234567.5` as `1,234,567.5`.
pub(crate) fn grouped(amount: Decimal) -> String {
    let text = amount.to_string();
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |rest| ("-", rest));
    let (whole, fraction) = digits
        .split_once('.')
        .map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut out = String::new();
    for (index, c) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match fraction {
        Some(fraction) => format!("{sign}{out}.{fraction}"),
        None => format!("{sign}{out}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct reading of `HH:MM` and `HH:MM:SS` gives what chrono's reading gives.
    #[test]
    fn times_read_directly_as_chrono_reads_them() {
        let chrono_reads = |text: &str| {
            let format = if text.len() == 5 { "%H:%M" } else { "%H:%M:%S" };
            NaiveTime::parse_from_str(text, format).ok()
        };
        let mut texts: Vec<String> = [
            "09:30", "9:30", "24:00", "23:59", "23:59:59", "23:59:60", "00:00", "00:00:00",
            " 9:30", "09:3a", "09-30", "12:60", "1:2:3", "", "0930", "09:30:5", "09:30:05",
        ]
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
        for h in [0, 7, 23, 24, 99] {
            for m in [0, 5, 59, 60] {
                texts.push(format!("{h:02}:{m:02}"));
                texts.push(format!("{h:02}:{m:02}:{:02}", (h + m) % 61));
            }
        }
        for text in &texts {
            assert_eq!(parse_time(text), chrono_reads(text), "{text:?}");
        }
    }
}
