//! A raw record to a loan, field by field, against the schema; or the first reason it cannot be.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::UnknownFields;
use super::{Raw, RawRecord, Rejected};
use crate::diag::{Code, did_you_mean};
use crate::lang::{Text, text};
use crate::schema::{Field, FieldSet, FieldType, Schema};
use crate::value::Loan;
use crate::value::{Records, Value};

/// Converts one record. Unknown field names are added to `unknown` (once each).
#[expect(
    clippy::result_large_err,
    reason = "a rejection is the rare path; boxing it would cost every caller for nothing"
)]
pub(crate) fn convert(
    record: RawRecord,
    schema: &Schema,
    file: &str,
    number: u64,
    unknown: &mut UnknownFields,
) -> Result<(String, Loan), Rejected> {
    let at = Origin {
        file,
        number,
        line: record.line,
    };
    let raw = match &record.raw {
        Ok(raw) => raw,
        Err(reason) => return Err(at.malformed(reason.clone())),
    };
    let Raw::Map(entries) = raw else {
        return Err(at.malformed(text!("row-not-record")));
    };
    let mut loan = LoanBuilder::new(schema);
    for (position, (name, raw)) in entries.iter().enumerate() {
        match loan.slot_of(name, position) {
            Some(slot) => loan.set(slot, raw),
            None => unknown.note(name),
        }
    }
    loan.finish(&at)
}

/// Where a record came from, for its rejection.
pub(crate) struct Origin<'f> {
    pub(super) file: &'f str,
    pub(super) number: u64,
    pub(super) line: Option<u64>,
}

impl Origin<'_> {
    fn reject(&self, loan_id: Option<String>, problem: Problem) -> Rejected {
        let problem = *problem.0;
        Rejected {
            file: self.file.to_owned(),
            record: self.number,
            line: self.line,
            loan_id,
            field: problem.field,
            value: problem.value,
            code: problem.code,
            reason: super::said_in_english(&problem.reason),
            said: problem.reason,
        }
    }

    /// The rejection of a record that is not one at all (bad syntax, not a set of fields).
    pub(super) fn malformed(&self, reason: impl Into<Text>) -> Rejected {
        self.reject(None, Problem::new(Code::ROW_MALFORMED, reason))
    }
}

/// Marks a field (or a list record's field) not yet given: no field ever holds a decision's
/// "nothing".
pub(super) const UNSET: Value = Value::Nothing;

/// Whether `value` is [`UNSET`], without comparing whole values.
pub(super) fn is_unset(value: &Value) -> bool {
    matches!(value, Value::Nothing)
}

/// A loan being built field by field, in whatever order the file lists them; readers that meet
/// fields one at a time (JSON) feed it directly, without building the record first.
///
/// A field named twice rejects the row. When several fields are wrong, the rejection names the
/// first in schema order, so it does not depend on the order of the file's columns.
pub(crate) struct LoanBuilder<'s> {
    schema: &'s Schema,
    /// The fields to build values for; the others are checked and left missing. `None`: all.
    kept: Option<&'s FieldSet>,
    /// The fields' values by slot; [`UNSET`] until given.
    values: Vec<Value>,
    key: Option<String>,
    /// The wrong field with the lowest slot so far, and what is wrong with it.
    problem: Option<(usize, Problem)>,
}

impl<'s> LoanBuilder<'s> {
    pub(crate) fn new(schema: &'s Schema) -> LoanBuilder<'s> {
        LoanBuilder::keeping(schema, None)
    }

    /// A builder that builds values only for the fields in `kept` (all when `None`): every
    /// other field is checked as [`LoanBuilder::new`]'s would be, rejecting the row the same
    /// way, but is given as [`Value::Missing`] (a field never given is filled in as usual).
    pub(crate) fn keeping(schema: &'s Schema, kept: Option<&'s FieldSet>) -> LoanBuilder<'s> {
        LoanBuilder {
            schema,
            kept,
            // Made, not cloned: `vec![UNSET; n]` clones a `Value` per field, a match on its
            // kind each time.
            values: std::iter::repeat_with(|| UNSET)
                .take(schema.fields.len())
                .collect(),
            key: None,
            problem: None,
        }
    }

    /// The slot of the field called `name`, met at `position` in its record: records usually
    /// list fields in schema order, so that position is tried first.
    pub(crate) fn slot_of(&self, name: &str, position: usize) -> Option<usize> {
        match self.schema.fields.get(position) {
            Some(field) if same_text(&field.name, name) => Some(position),
            _ => self.schema.slot(name),
        }
    }

    /// Gives field `slot` its raw value; a second value for it is a problem of the row.
    pub(crate) fn set(&mut self, slot: usize, raw: &Raw<'_>) {
        match raw {
            Raw::Null => self.set_scalar(slot, None),
            Raw::Scalar(text) => self.set_scalar(slot, Some(text)),
            Raw::List(_) | Raw::Map(_) => {
                let Some(field) = self.claim(slot, None) else {
                    return;
                };
                let converted = value(field, raw, self.schema, &FieldPath::Top(&field.name));
                self.store(slot, converted);
            }
        }
    }

    /// [`LoanBuilder::set`] for a scalar's exact text, `None` being `null`: what the readers
    /// that walk a line's bytes give, without a [`Raw`] to build and drop for each field.
    pub(crate) fn set_scalar(&mut self, slot: usize, text: Option<&str>) {
        let Some(field) = self.claim(slot, text) else {
            return;
        };
        let path = FieldPath::Top(&field.name);
        let converted = if self.keeps(slot) {
            scalar(field, text, self.schema, &path)
        } else {
            checked(field, text, self.schema, &path)
        };
        self.store(slot, converted);
    }

    /// Whether field `slot`'s value is built, not only checked.
    #[inline]
    pub(crate) fn keeps(&self, slot: usize) -> bool {
        self.kept.is_none_or(|kept| kept.contains(slot))
    }

    // Always: left a call (as `#[inline]` did), it moved every converted value once more
    // (1 % of a run's instructions).
    #[inline(always)]
    fn store(&mut self, slot: usize, converted: Result<Value, Problem>) {
        match converted {
            Ok(value) => {
                if let Some(place) = self.values.get_mut(slot) {
                    *place = value;
                }
            }
            Err(problem) => self.problem = Some((slot, problem)),
        }
    }

    /// Gives field `slot` a value a typed reader already converted exactly (a Parquet
    /// decimal, date or choice): what [`LoanBuilder::set`] would have made of its text, which
    /// is `text` when the value is text. The reader only calls this for values that text would
    /// have been accepted as; anything else goes through `set`, which says what is wrong.
    pub(crate) fn set_exact(&mut self, slot: usize, value: Value, text: Option<&str>) {
        if self.claim(slot, text).is_none() {
            return;
        }
        if let Some(place) = self.values.get_mut(slot) {
            *place = value;
        }
    }

    /// Gives field `slot` its value, exactly as [`Self::set_exact`] would, for a caller that
    /// knows the row gives no other value for the field (a batch whose columns name distinct
    /// fields) and that the field is not the key: there is nothing to check. Storing it in a row
    /// that an earlier field already rejects changes nothing: [`Self::finish`] rejects it all
    /// the same.
    #[inline]
    pub(crate) fn put(&mut self, slot: usize, value: Value) {
        if let Some(place) = self.values.get_mut(slot) {
            *place = value;
        }
    }

    /// The field at `slot`, when its value should be converted and stored: not when it was
    /// given already (the row is then rejected: which of the two is meant cannot be known), nor
    /// when an earlier field already rejects the row. Takes the loan's key from `text`.
    #[inline]
    fn claim(&mut self, slot: usize, text: Option<&str>) -> Option<&'s Field> {
        let field = self.schema.fields.get(slot)?;
        // Nearly always: a field met once, in a row with nothing wrong so far.
        if self.problem.is_none() && self.values.get(slot).is_some_and(is_unset) {
            if slot == self.schema.key {
                self.take_key(text);
            }
            return Some(field);
        }
        self.claim_again(slot, field, text)
    }

    /// [`Self::claim`] when the field was given before or the row has a problem already.
    #[cold]
    #[inline(never)]
    fn claim_again(
        &mut self,
        slot: usize,
        field: &'s Field,
        text: Option<&str>,
    ) -> Option<&'s Field> {
        let given = self.values.get(slot).is_some_and(|v| !is_unset(v))
            || self.problem.as_ref().is_some_and(|(at, _)| *at == slot);
        if given {
            if self.problem.as_ref().is_none_or(|(at, _)| *at > slot) {
                self.problem = Some((
                    slot,
                    Problem::at(
                        Code::ROW_MALFORMED,
                        &FieldPath::Top(&field.name),
                        None,
                        text!("row-field-twice"),
                    ),
                ));
            }
            return None;
        }
        if slot == self.schema.key {
            self.take_key(text);
        }
        if self.problem.as_ref().is_some_and(|(at, _)| *at < slot) {
            return None; // The row is rejected for an earlier field already.
        }
        Some(field)
    }

    /// Keeps the key field's text as the loan's key, unless it is blank.
    fn take_key(&mut self, text: Option<&str>) {
        if let Some(text) = text
            && !is_blank(text)
        {
            self.key = Some(text.to_owned());
        }
    }

    /// The loan and its key, or the rejection naming the first wrong field.
    #[expect(
        clippy::result_large_err,
        reason = "a rejection is the rare path; boxing it would cost every caller for nothing"
    )]
    pub(crate) fn finish(self, at: &Origin<'_>) -> Result<(String, Loan), Rejected> {
        // Nearly always every field was given and none was wrong: one pass over the values'
        // kinds says so, where filling in the missing ones looks at each field in turn.
        if self.problem.is_none()
            && !self.values.iter().any(is_unset)
            && let Some(key) = self.key
        {
            return Ok((key, Loan::new(self.values)));
        }
        self.fill_in_or_reject(at)
    }

    /// [`Self::finish`] for a row with fields not given, or with a problem: each field not
    /// given is missing, which is a problem unless the field is optional.
    #[inline(never)]
    #[expect(
        clippy::result_large_err,
        reason = "a rejection is the rare path; boxing it would cost every caller for nothing"
    )]
    fn fill_in_or_reject(mut self, at: &Origin<'_>) -> Result<(String, Loan), Rejected> {
        let schema = self.schema;
        for (slot, (field, place)) in schema.fields.iter().zip(&mut self.values).enumerate() {
            if self.problem.as_ref().is_some_and(|(at, _)| *at <= slot) {
                break;
            }
            if is_unset(place) {
                // Never given: missing, which is an error unless the field is optional.
                match scalar(field, None, schema, &FieldPath::Top(&field.name)) {
                    Ok(value) => *place = value,
                    Err(problem) => self.problem = Some((slot, problem)),
                }
            }
        }
        if let Some((_, problem)) = self.problem {
            return Err(at.reject(self.key, problem));
        }
        match self.key {
            Some(key) => Ok((key, Loan::new(self.values))),
            None => Err(at.reject(
                None,
                Problem::new(Code::ROW_MISSING_FIELD, text!("row-no-id")),
            )),
        }
    }
}

/// `a == b`, compared in line: field names are short, and a call to `memcmp` for each of a
/// loan's few dozen keys cost 3 % of a run. Eight bytes at a time, the last word overlapping
/// the one before it; byte by byte below eight.
pub(super) fn same_text(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// [`same_text`] on bytes.
pub(super) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |bytes: &[u8], at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_ne_bytes)
    };
    let Some(last) = a.len().checked_sub(8) else {
        return a.iter().zip(b).all(|(x, y)| x == y);
    };
    let mut at = 0;
    while at < last {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, last) == word(b, last)
}

/// The value under `name` among a small record's `entries`, trying position `hint` first.
fn lookup_at<'e, 'a>(
    entries: &'e [(Cow<'a, str>, Raw<'a>)],
    name: &str,
    hint: usize,
) -> Option<&'e Raw<'a>> {
    match entries.get(hint) {
        Some((key, value)) if key == name => Some(value),
        _ => entries.iter().find(|(k, _)| k == name).map(|(_, v)| v),
    }
}

/// Where a value sits in a record, spelled out only when a rejection names it.
pub(super) enum FieldPath<'p> {
    /// A loan's field.
    Top(&'p str),
    /// A field of one record of a list field: `promises[2].due_on`.
    Item {
        list: &'p str,
        index: usize,
        field: &'p str,
    },
    /// One record of a list field: `promises[2]`.
    Record { list: &'p str, index: usize },
}

impl std::fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldPath::Top(name) => f.write_str(name),
            FieldPath::Item { list, index, field } => write!(f, "{list}[{index}].{field}"),
            FieldPath::Record { list, index } => write!(f, "{list}[{index}]"),
        }
    }
}

/// `YYYY-MM-DD`, exactly, as a calendar date.
fn iso_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    // Digits read in place: `str::parse` for each part cost more than the rest of the date.
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        range.into_iter().try_fold(0, |n, at| {
            let digit = bytes.get(at).filter(|b| b.is_ascii_digit())?;
            Some(n * 10 + u32::from(digit - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(
        i32::try_from(number(0..4)?).ok()?,
        number(5..7)?,
        number(8..10)?,
    )
}

/// Why a value or a row is refused. Boxed: every conversion returns `Result<Value, Problem>`,
/// nearly always `Ok`, and an unboxed problem (about a hundred bytes) made every one of those
/// results that large, to be written and copied for each field of each loan.
pub(super) struct Problem(Box<Details>);

struct Details {
    code: Code,
    field: Option<String>,
    value: Option<String>,
    reason: Text,
}

impl Problem {
    fn new(code: Code, reason: impl Into<Text>) -> Problem {
        Problem(Box::new(Details {
            code,
            field: None,
            value: None,
            reason: reason.into(),
        }))
    }

    fn at(
        code: Code,
        field: &FieldPath<'_>,
        value: Option<&str>,
        reason: impl Into<Text>,
    ) -> Problem {
        Problem(Box::new(Details {
            code,
            field: Some(field.to_string()),
            value: value.map(str::to_owned),
            reason: reason.into(),
        }))
    }
}

/// `text.trim()`, without the scan when both ends are plainly not white space (nearly always).
fn trimmed(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// `text.trim().is_empty()`, decided by the first byte when that byte plainly starts a
/// character that is not white space: an ASCII letter, digit or sign, or the first byte of a
/// character from U+00C0 to U+07FF or from U+4000 on (Chinese text), where Unicode has no
/// white space. Trimming a name in Chinese walks its characters from both ends.
pub(super) fn is_blank(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() || (0xC3..=0xDF).contains(b) || *b >= 0xE4 => false,
        _ => text.trim().is_empty(),
    }
}

/// The YAML spellings of "no value", which come through as text.
pub(super) fn is_null_text(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Field `field`'s value from its raw shape.
pub(super) fn value(
    field: &Field,
    raw: &Raw<'_>,
    schema: &Schema,
    path: &FieldPath<'_>,
) -> Result<Value, Problem> {
    match raw {
        Raw::Null => scalar(field, None, schema, path),
        Raw::Scalar(text) => scalar(field, Some(text), schema, path),
        Raw::List(_) | Raw::Map(_) => match &field.ty {
            FieldType::List(record_fields) => list(record_fields, raw, schema, path),
            _ => Err(Problem::at(
                Code::ROW_BAD_VALUE,
                path,
                None,
                text!("row-expected-single", kind = field.ty.describe(schema)),
            )),
        },
    }
}

/// [`scalar`] for a value that is checked but not kept: [`Value::Missing`] when `scalar` would
/// accept it, its problem when not. Text, the one kind whose value is copied, is checked
/// without the copy. Always in line: a call of its own around `scalar` cost more than the
/// copy it saves.
#[inline(always)]
pub(super) fn checked(
    field: &Field,
    text: Option<&str>,
    schema: &Schema,
    path: &FieldPath<'_>,
) -> Result<Value, Problem> {
    match text {
        Some(text) if field.ty == FieldType::Text => {
            text_problem(field, text, path).map_or(Ok(Value::Missing), Err)
        }
        _ => scalar(field, text, schema, path).map(|_| Value::Missing),
    }
}

/// What is wrong with `text` as a value of text field `field`: only a required field's
/// blank text is.
#[inline(always)]
fn text_problem(field: &Field, text: &str, path: &FieldPath<'_>) -> Option<Problem> {
    // Blank when every character is white space (what `trim` takes off). The test stops at
    // the first character that is not; trimming first decoded characters from both ends of
    // every text that begins or ends in Chinese (0.7 % of a run).
    (!field.optional && text.chars().all(char::is_whitespace)).then(|| {
        Problem::at(
            Code::ROW_MISSING_FIELD,
            path,
            Some(text),
            text!("row-required-empty"),
        )
    })
}

/// Field `field`'s value from a scalar's exact text, `None` being `null`.
pub(super) fn scalar(
    field: &Field,
    text: Option<&str>,
    schema: &Schema,
    path: &FieldPath<'_>,
) -> Result<Value, Problem> {
    if let FieldType::List(record_fields) = &field.ty {
        // A list written as a scalar: rare, so the raw shape is built for `list` to judge.
        let raw = text.map_or(Raw::Null, |text| Raw::Scalar(Cow::Borrowed(text)));
        return list(record_fields, &raw, schema, path);
    }
    // Text is kept as given; any other kind is read from its trimmed text, where a YAML
    // spelling of "no value" means none. Trimmed once here, for both.
    let (text, trimmed) = match text {
        Some(text) if field.ty == FieldType::Text => (Some(text), text),
        Some(text) => {
            let trimmed = trimmed(text);
            (Some(text).filter(|_| !is_null_text(trimmed)), trimmed)
        }
        None => (None, ""),
    };
    let Some(text) = text else {
        return if field.optional {
            Ok(Value::Missing)
        } else {
            Err(Problem::at(
                Code::ROW_MISSING_FIELD,
                path,
                None,
                text!("row-required-missing"),
            ))
        };
    };
    let bad = |what: Text| Problem::at(Code::ROW_BAD_VALUE, path, Some(text), what);
    match &field.ty {
        FieldType::Text => match text_problem(field, text, path) {
            Some(problem) => Err(problem),
            None => Ok(Value::Text(Arc::from(text))),
        },
        FieldType::Bool => match trimmed {
            "true" | "True" | "TRUE" => Ok(Value::Bool(true)),
            "false" | "False" | "FALSE" => Ok(Value::Bool(false)),
            _ => Err(bad(text!("row-expected-bool"))),
        },
        FieldType::Integer | FieldType::Days => match trimmed.parse::<i64>() {
            Ok(n) if field.ty == FieldType::Days => Ok(Value::Days(n)),
            Ok(n) => Ok(Value::Int(n)),
            Err(_) => Err(bad(text!("row-expected-integer"))),
        },
        FieldType::Money => money(trimmed).map(Value::Money).map_err(bad),
        FieldType::Date => iso_date(trimmed)
            .map(Value::Date)
            .ok_or_else(|| bad(date_problem(trimmed))),
        FieldType::Time => crate::value::parse_time(trimmed)
            .map(Value::Time)
            .ok_or_else(|| bad(text!("row-expected-time"))),
        FieldType::Enum(id) => {
            let choices = schema.enums.get(*id).map(Vec::as_slice).unwrap_or_default();
            match schema.choice(*id, trimmed) {
                Some(index) => Ok(Value::Enum(index as u32)),
                None => {
                    let choices = choices.join(", ");
                    let said = match did_you_mean(trimmed, choices.split(", ")) {
                        Some(s) => text!("row-expected-choice-hint", choices = &choices, hint = s),
                        None => text!("row-expected-choice", choices = &choices),
                    };
                    Err(Problem::at(
                        Code::ROW_UNKNOWN_CHOICE,
                        path,
                        Some(text),
                        said,
                    ))
                }
            }
        }
        FieldType::List(_) => Err(bad(text!("row-expected-list"))),
    }
}

/// Why `text` is not a date, and the spelling that was probably meant. Nothing is guessed:
/// the row is rejected either way.
fn date_problem(text: &str) -> Text {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let bytes = text.as_bytes();
    if bytes.len() == 10 && bytes.get(4) == Some(&b'-') && bytes.get(7) == Some(&b'-') {
        return text!("row-not-a-day", text = text);
    }
    if let Some(date) = text.get(..10).and_then(iso_date) {
        return text!("row-date-alone", date = date.to_string());
    }
    let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
    let spelled = match (digits.len(), parts.as_slice()) {
        (8, [_]) => digits
            .get(..4)
            .zip(digits.get(4..6))
            .zip(digits.get(6..))
            .map(|((y, m), d)| format!("{y}-{m}-{d}")),
        (_, [y, m, d]) if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
            Some(format!("{y}-{m:0>2}-{d:0>2}"))
        }
        _ => None,
    };
    match spelled
        .as_deref()
        .and_then(|s| iso_date(s).map(|_| s.to_owned()))
    {
        Some(spelled) => text!("row-date-spelled", spelled = spelled),
        None => text!("row-expected-date"),
    }
}

/// An exact amount: plain decimal notation (or exponent notation from a JSON number), at most
/// two decimal places.
fn money(text: &str) -> Result<Decimal, Text> {
    let parsed = Decimal::from_str_exact(text).or_else(|_| {
        if text.contains(['e', 'E']) {
            Decimal::from_scientific(text)
        } else {
            Err(rust_decimal::Error::ConversionTo(String::new()))
        }
    });
    match parsed {
        // Normalizing only ever lowers the scale: most amounts need not be normalized.
        Ok(amount) if amount.scale() <= 2 || amount.normalize().scale() <= 2 => Ok(amount),
        Ok(_) => Err(text!("row-money-places")),
        Err(_) if text.contains(',') => Err(text!("row-money-separators")),
        Err(_) if text.bytes().filter(u8::is_ascii_digit).count() > 28 => {
            Err(text!("row-money-digits"))
        }
        Err(_) => Err(text!("row-expected-money")),
    }
}

fn list(
    record_fields: &[Field],
    raw: &Raw<'_>,
    schema: &Schema,
    path: &FieldPath<'_>,
) -> Result<Value, Problem> {
    let empty = Value::List(Arc::new(Records::with_capacity(record_fields.len(), 0)));
    let items = match raw {
        Raw::Null => return Ok(empty),
        Raw::Scalar(s) if is_null_text(s.trim()) => return Ok(empty),
        Raw::List(items) => items,
        Raw::Scalar(s) => {
            return Err(Problem::at(
                Code::ROW_BAD_VALUE,
                path,
                Some(s),
                text!("row-expected-array"),
            ));
        }
        Raw::Map(_) => {
            return Err(Problem::at(
                Code::ROW_BAD_VALUE,
                path,
                None,
                text!("row-list-not-record"),
            ));
        }
    };
    let list_name: Cow<'_, str> = match path {
        FieldPath::Top(name) => Cow::Borrowed(name),
        nested => Cow::Owned(nested.to_string()),
    };
    let mut records = Records::with_capacity(record_fields.len(), items.len());
    for (index, item) in items.iter().enumerate() {
        let Raw::Map(entries) = item else {
            return Err(Problem::at(
                Code::ROW_BAD_VALUE,
                &FieldPath::Record {
                    list: &list_name,
                    index,
                },
                None,
                text!("row-expected-record"),
            ));
        };
        // On a rejection the half-built list is dropped with the row.
        for (slot, field) in record_fields.iter().enumerate() {
            let raw = lookup_at(entries, &field.name, slot).unwrap_or(&Raw::Null);
            let item_path = FieldPath::Item {
                list: &list_name,
                index,
                field: &field.name,
            };
            records.push_value(value(field, raw, schema, &item_path)?);
        }
    }
    Ok(Value::List(Arc::new(records)))
}

#[cfg(test)]
mod tests {
    use super::money;
    use chrono::NaiveDate;

    /// Every white space character Unicode has, which `is_blank` must not take for text.
    const WHITE: &[char] = &[
        '\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}',
        '\u{2005}', '\u{200a}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}',
    ];

    #[test]
    fn is_blank_knows_every_white_space() {
        for c in WHITE {
            let text = format!("{c}{c}");
            assert!(super::is_blank(&text), "{:?}", c);
            assert!(!super::is_blank(&format!("{c}x")), "{:?}", c);
        }
        assert!(super::is_blank(""));
        assert!(!super::is_blank("黄秀英"));
    }

    proptest::proptest! {
        /// `is_blank` against `trim().is_empty()`, on texts that start with any character:
        /// white space, ASCII, Latin, Chinese or anything else.
        #[test]
        fn is_blank_is_trimmed_emptiness(
            first in proptest::prop_oneof![
                proptest::sample::select(WHITE),
                proptest::char::any(),
            ],
            rest in "[ \u{3000}a-z\u{4e00}-\u{4e0f}]{0,4}",
        ) {
            let text = format!("{first}{rest}");
            proptest::prop_assert_eq!(super::is_blank(&text), text.trim().is_empty());
        }

        /// The word-at-a-time comparison against `==`, on texts of every length around the
        /// word size, equal and differing in one byte anywhere.
        #[test]
        fn same_text_is_equality(
            a in "[a-z_\u{4e00}-\u{4e0f}]{0,24}",
            flip in proptest::option::of(0usize..64),
        ) {
            let mut b = a.clone().into_bytes();
            if let Some(at) = flip
                && let Some(byte) = b.get_mut(at % a.len().max(1))
            {
                *byte ^= 0x01;
            }
            let b = String::from_utf8_lossy(&b).into_owned();
            proptest::prop_assert_eq!(super::same_text(&a, &b), a == b);
            proptest::prop_assert!(super::same_text(&a, &a));
        }
    }

    #[test]
    fn dates_are_exact_calendar_dates() {
        use super::iso_date;
        assert_eq!(iso_date("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        for bad in [
            "2023-02-29",
            "2024-2-29",
            "2024-02-29T00",
            "+024-02-29",
            "2024/02/29",
            "",
            "２０２４-02-29",
        ] {
            assert_eq!(iso_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_wrong_date_says_why_and_what_was_probably_meant() {
        use super::date_problem;
        let english = |t: crate::lang::Text| t.in_lang(crate::lang::Lang::En);
        assert_eq!(
            english(date_problem("2025-02-30")),
            "`2025-02-30` is not a day of the calendar"
        );
        assert_eq!(
            english(date_problem("2025-01-01T00:00:00+08:00")),
            "expected a calendar date alone, without a time or time zone, such as 2025-01-01"
        );
        for text in ["20250101", "2025/01/01", "2025-1-1", "2025.1.01"] {
            assert_eq!(
                english(date_problem(text)),
                "expected a date written YYYY-MM-DD, here 2025-01-01",
                "{text}"
            );
        }
        assert_eq!(
            english(date_problem("01/02/2025")),
            "expected a calendar date written YYYY-MM-DD"
        );
    }

    #[test]
    fn text_is_kept_as_given_and_is_blank_only_when_every_character_is_white_space() {
        use crate::value::Value;
        let schema = crate::input::testing::RETAIL.clone();
        let read = |name: &str, text: &str| {
            let field = schema.fields.iter().find(|f| f.name == name).unwrap();
            super::scalar(field, Some(text), &schema, &super::FieldPath::Top(name))
        };
        let text = |t: &str| Value::Text(t.into());
        for kept in [" L1 ", "黄秀英", "\u{3000}王", "null", "~"] {
            assert_eq!(read("loan_id", kept).ok(), Some(text(kept)), "{kept:?}");
        }
        for blank in ["", " ", "\u{3000}", " \t\u{3000}\n"] {
            let problem = read("loan_id", blank).err().unwrap();
            assert_eq!(
                problem.0.code,
                crate::diag::Code::ROW_MISSING_FIELD,
                "{blank:?}"
            );
        }
        // Other kinds are read trimmed, and YAML's spellings of "no value" are none.
        let date = NaiveDate::from_ymd_opt(2024, 1, 5).map(Value::Date);
        assert_eq!(read("oldest_unpaid_due_date", " 2024-01-05\t").ok(), date);
        for none in ["null", " ~ ", "NULL", "  "] {
            let missing = read("oldest_unpaid_due_date", none).ok();
            assert_eq!(missing, Some(Value::Missing), "{none:?}");
        }
    }

    #[test]
    fn money_is_read_exactly() {
        assert_eq!(money("125000.50").unwrap().to_string(), "125000.50");
        // Three places written, two meant: accepted as written.
        assert_eq!(money("12.340").unwrap().to_string(), "12.340");
        assert_eq!(money("1.25e5").unwrap().to_string(), "125000");
        assert_eq!(money("0.1").unwrap().to_string(), "0.1");
        assert!(money("12.345").is_err());
        let english = |t: crate::lang::Text| t.in_lang(crate::lang::Lang::En);
        assert!(english(money("1,000.00").unwrap_err()).contains("thousands"));
        assert!(money("abc").is_err());
        assert_eq!(
            english(money("123456789012345678901234567890.00").unwrap_err()),
            "an amount has at most 28 digits"
        );
        assert_eq!(
            money("99999999999999999999.99").unwrap().to_string(),
            "99999999999999999999.99"
        );
    }
}
