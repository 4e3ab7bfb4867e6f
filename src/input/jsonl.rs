//! JSON Lines: one object a line; blank lines are skipped.

use std::borrow::Cow;

use super::UnknownFields;
use super::convert::{LoanBuilder, Origin};
use super::{Raw, Rejected};
use crate::schema::{FieldSet, Schema};
use crate::value::Loan;

/// One line's loan and its key, or its rejection. The schema-directed reader
/// ([`super::direct`]) reads the lines it is sure of; the rest go through serde, whose fields go
/// into the loan as the parser meets them, so a loan's fields never exist as a separate record.
/// Names the schema lacks go to `unknown`.
#[expect(
    clippy::result_large_err,
    reason = "a rejection is the rare path; boxing it would cost every caller for nothing"
)]
pub(super) fn read_loan(
    line: &[u8],
    schema: &Schema,
    kept: Option<&FieldSet>,
    order: Option<&[Option<usize>]>,
    at: &Origin<'_>,
    unknown: &mut UnknownFields,
) -> Result<(String, Loan), Rejected> {
    match super::direct::read_loan(line, schema, kept, order, at, unknown) {
        Some(read) => Ok(read),
        None => read_loan_by_serde(line, schema, at, unknown),
    }
}

/// The same through serde_json and the raw shape: slower, and the one that says what is wrong
/// with a line (every rejection comes from here).
#[expect(
    clippy::result_large_err,
    reason = "a rejection is the rare path; boxing it would cost every caller for nothing"
)]
pub(super) fn read_loan_by_serde(
    line: &[u8],
    schema: &Schema,
    at: &Origin<'_>,
    unknown: &mut UnknownFields,
) -> Result<(String, Loan), Rejected> {
    let mut loan = LoanBuilder::new(schema);
    match fill(line, &mut loan, unknown) {
        Ok(()) => loan.finish(at),
        Err(reason) => Err(at.malformed(reason)),
    }
}

/// Feeds the line's fields into `loan`; `Err` says why the line is not a record at all.
fn fill(
    line: &[u8],
    loan: &mut LoanBuilder<'_>,
    unknown: &mut UnknownFields,
) -> Result<(), String> {
    let text = match std::str::from_utf8(line) {
        Ok(text) => text.trim_start_matches('\u{FEFF}'),
        Err(error) => {
            return Err(format!(
                "this line is not valid UTF-8 (byte {} of the line); save the file as UTF-8",
                error.valid_up_to() + 1
            ));
        }
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let read =
        serde::de::DeserializeSeed::deserialize(LoanSeed { loan, unknown }, &mut deserializer)
            .and_then(|()| deserializer.end());
    read.map_err(|e| {
        if e.classify() == serde_json::error::Category::Data {
            return "this row is not a record of named fields".to_owned();
        }
        // serde_json counts lines within the text it was given, which is this one line.
        let message = e.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        format!(
            "this line is not valid JSON (column {}): {message}",
            e.column()
        )
    })
}

/// Reads a loan's object, handing each field's value to the builder as soon as it is parsed.
struct LoanSeed<'b, 's> {
    loan: &'b mut LoanBuilder<'s>,
    unknown: &'b mut UnknownFields,
}

impl<'de> serde::de::DeserializeSeed<'de> for LoanSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for LoanSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a record of named fields")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut position = 0;
        while let Some(Text(name)) = map.next_key()? {
            match self.loan.slot_of(&name, position) {
                Some(slot) => {
                    let value = map.next_value_seed(RawVisitor { nested: true })?;
                    self.loan.set(slot, &value);
                }
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    self.unknown.note(&name);
                }
            }
            position += 1;
        }
        Ok(())
    }
}

/// Any JSON text (a CSV cell holding a list, say) read into the raw shape.
pub(super) fn parse_json(text: &str) -> Result<Raw<'_>, serde_json::Error> {
    serde_json::from_str::<RawJson<'_>>(text).map(|RawJson(raw)| raw)
}

/// A JSON value read straight into the raw shape, without building a `serde_json::Value`
/// first. Strings and keys without escapes are borrowed from the input. Numbers keep their
/// exact text: with `arbitrary_precision`, serde_json hands a number over as a one-entry map
/// under a private key, which this visitor recognises.
struct RawJson<'de>(Raw<'de>);

/// The key serde_json's `arbitrary_precision` uses to pass a number's text.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl<'de> serde::Deserialize<'de> for RawJson<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(RawVisitor { nested: false })
            .map(RawJson)
    }
}

/// Text borrowed from the input when it can be, owned when it had to be unescaped. (serde's own
/// `Cow<str>` always copies.)
struct Text<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor).map(Text)
    }
}

struct TextVisitor;

impl<'de> serde::de::Visitor<'de> for TextVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("text")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s))
    }
}

/// Reads one value. `nested` values are list items and their fields: records there are small,
/// while a loan has a few dozen fields, so each gets room for its usual size at once.
#[derive(Clone, Copy)]
struct RawVisitor {
    nested: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for RawVisitor {
    type Value = Raw<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Raw<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Raw::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Raw::Scalar(Cow::Borrowed(if b { "true" } else { "false" })))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Raw::Scalar(Cow::Owned(n.to_string())))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
        Ok(Raw::Scalar(Cow::Owned(n.to_string())))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Raw::Scalar(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Raw::Scalar(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(Raw::Scalar(Cow::Owned(s)))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(4));
        while let Some(item) = seq.next_element_seed(RawVisitor { nested: true })? {
            items.push(item);
        }
        Ok(Raw::List(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let usual = if self.nested { 4 } else { 32 };
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(usual));
        while let Some(Text(key)) = map.next_key()? {
            if key == NUMBER_TOKEN {
                let Text(number) = map.next_value()?;
                return Ok(Raw::Scalar(number));
            }
            let value = map.next_value_seed(RawVisitor { nested: true })?;
            entries.push((key, value));
        }
        Ok(Raw::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_exact_text() {
        let raw =
            parse_json(r#"{"a": 125000.50, "b": 1e400, "c": [1, true, null], "d": "x"}"#).unwrap();
        assert_eq!(
            raw,
            Raw::Map(vec![
                ("a".into(), Raw::Scalar("125000.50".into())),
                // The exponent is spelled out; the digits are kept as written.
                ("b".into(), Raw::Scalar("1e+400".into())),
                (
                    "c".into(),
                    Raw::List(vec![
                        Raw::Scalar("1".into()),
                        Raw::Scalar("true".into()),
                        Raw::Null
                    ])
                ),
                ("d".into(), Raw::Scalar("x".into())),
            ])
        );
    }

    #[test]
    fn escaped_text_is_unescaped_and_plain_text_is_borrowed() {
        let line = r#"{"loan\u005fid": "a\"b", "borrower": "王小明"}"#;
        let Raw::Map(entries) = parse_json(line).unwrap() else {
            panic!("not a map")
        };
        let [(key, Raw::Scalar(id)), (plain_key, Raw::Scalar(name))] = entries.as_slice() else {
            panic!("unexpected shape: {entries:?}")
        };
        assert_eq!((key.as_ref(), id.as_ref()), ("loan_id", "a\"b"));
        assert!(matches!(key, Cow::Owned(_)) && matches!(id, Cow::Owned(_)));
        assert_eq!((plain_key.as_ref(), name.as_ref()), ("borrower", "王小明"));
        assert!(matches!(plain_key, Cow::Borrowed(_)) && matches!(name, Cow::Borrowed(_)));
    }
}
