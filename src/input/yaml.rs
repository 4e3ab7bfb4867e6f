//! YAML: a list of loan records.
//!
//! Read through serde with the schema as a guide: every scalar a loan field holds is asked
//! for as text (`deserialize_str`), so `125000.50` arrives as the text the file holds and is
//! never turned into a float on the way.
//!
//! A YAML parser does not give the line of each list item through serde; the line of each
//! top-level `- ` item is found by scanning the text, which is exact for block-style lists
//! (the usual way of writing them) and left out otherwise.

use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Raw, RawRecord};
use crate::schema::{Field, FieldType, Schema};

/// How deeply `[` and `{` may nest in a YAML portfolio. The YAML parser spends time on each
/// level that grows with the depth (20,000 levels took a second, 40,000 five), so the text is
/// measured first, in one pass, and a deeper file refused before it is parsed.
pub(crate) const MAX_DEPTH: usize = 64;

/// Where the text first opens a flow collection deeper than [`MAX_DEPTH`] (line and character
/// column, from 1), if it does. Brackets inside quoted scalars and comments do not count.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = '\n';
    let mut escaped = false;
    for c in text.chars() {
        column += 1;
        if c == '\n' {
            (line, column, comment) = (line + 1, 0, false);
            // A quoted scalar may span lines; a comment ends here.
        } else if comment {
        } else if let Some(open) = quote {
            if escaped {
                escaped = false;
            } else if open == '"' && c == '\\' {
                escaped = true;
            } else if c == open {
                quote = None;
            }
        } else {
            match c {
                '#' if previous.is_whitespace() => comment = true,
                '"' | '\'' if previous.is_whitespace() || "[{,:".contains(previous) => {
                    quote = Some(c);
                }
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some((line, column));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        previous = c;
    }
    None
}

pub(super) fn read(
    mut reader: impl Read,
    schema: &Schema,
) -> Result<Vec<RawRecord<'static>>, String> {
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    if let Some((line, column)) = too_deep(&text) {
        return Err(format!(
            "line {line}, column {column}: a value is nested more than {MAX_DEPTH} brackets deep; \
             a loan record and its lists need a handful, so the file is refused"
        ));
    }
    let deserializer = serde_norway::Deserializer::from_str(&text);
    let rows = Rows {
        fields: &schema.fields,
    }
    .deserialize(deserializer)
    .map_err(|e| {
        let message = e.to_string();
        if message.contains("more than one document") {
            // Which document holds the loans cannot be guessed: the file is refused whole.
            "a YAML portfolio is one document holding a list of loans, but this file has \
             several (separated by `---`); put all loans in one list"
                .to_owned()
        } else {
            format!("the YAML portfolio cannot be read: {message}")
        }
    })?;
    let lines = item_lines_at(&text, 0);
    let lines_fit = lines.len() == rows.len();
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(index, raw)| RawRecord {
            line: if lines_fit {
                lines.get(index).copied()
            } else {
                None
            },
            raw,
        })
        .collect())
}

/// The 1-based lines that start a block list item indented by `indent` spaces.
pub(crate) fn item_lines_at(text: &str, indent: usize) -> Vec<u64> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let rest = line.get(indent..).unwrap_or("");
            line.len() - line.trim_start_matches(' ').len() == indent
                && (rest == "-" || rest.starts_with("- "))
        })
        .map(|(index, _)| index as u64 + 1)
        .collect()
}

struct Rows<'s> {
    fields: &'s [Field],
}

impl<'de> DeserializeSeed<'de> for Rows<'_> {
    type Value = Vec<Result<Raw<'static>, String>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_> {
    type Value = Vec<Result<Raw<'static>, String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of loans")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut rows = Vec::new();
        while let Some(row) = seq.next_element_seed(Record {
            fields: self.fields,
        })? {
            rows.push(row);
        }
        Ok(rows)
    }
}

/// A loan, or a record of a list field: its fields as raw values, scalars as their text.
pub(crate) struct Record<'s> {
    pub(crate) fields: &'s [Field],
}

impl<'de> DeserializeSeed<'de> for Record<'_> {
    type Value = Result<Raw<'static>, String>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Record<'_> {
    type Value = Result<Raw<'static>, String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record of named fields")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match self.fields.iter().find(|f| f.is_named(&key)) {
                Some(field) => {
                    let value = map.next_value_seed(FieldValue { field })?;
                    entries.push((key.into(), value));
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                    entries.push((key.into(), Raw::Null));
                }
            }
        }
        Ok(Ok(Raw::Map(entries)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err("this item is a list, not a loan record".into()))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Err("this item is a single value, not a loan record".into()))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err("this item is a single value, not a loan record".into()))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err("this item is a single value, not a loan record".into()))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err("this item is a single value, not a loan record".into()))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err("this item is a single value, not a loan record".into()))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Err("this item is empty".into()))
    }
}

/// One field's value, guided by its type.
struct FieldValue<'s> {
    field: &'s Field,
}

impl<'de> DeserializeSeed<'de> for FieldValue<'_> {
    type Value = Raw<'static>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        match &self.field.ty {
            FieldType::List(fields) => deserializer.deserialize_any(ListValue { fields }),
            _ => deserializer.deserialize_str(ScalarText),
        }
    }
}

struct ScalarText;

impl Visitor<'_> for ScalarText {
    type Value = Raw<'static>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a single value")
    }
    fn visit_str<E>(self, text: &str) -> Result<Raw<'static>, E> {
        Ok(Raw::Scalar(text.to_owned().into()))
    }
    fn visit_unit<E>(self) -> Result<Raw<'static>, E> {
        Ok(Raw::Null)
    }
}

struct ListValue<'s> {
    fields: &'s [Field],
}

impl<'de> Visitor<'de> for ListValue<'_> {
    type Value = Raw<'static>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw<'static>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Record {
            fields: self.fields,
        })? {
            items.push(item.unwrap_or(Raw::Null));
        }
        Ok(Raw::List(items))
    }
    fn visit_unit<E>(self) -> Result<Raw<'static>, E> {
        Ok(Raw::Null)
    }
    fn visit_str<E>(self, text: &str) -> Result<Raw<'static>, E> {
        Ok(Raw::Scalar(text.to_owned().into()))
    }
    fn visit_bool<E>(self, b: bool) -> Result<Raw<'static>, E> {
        Ok(Raw::Scalar(b.to_string().into()))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Raw<'static>, E> {
        Ok(Raw::Scalar(n.to_string().into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Raw<'static>, E> {
        Ok(Raw::Scalar(n.to_string().into()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw<'static>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Raw::Map(Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_outside_quotes_and_comments() {
        let deep = |n: usize| format!("- a: {}1{}\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(too_deep(&deep(MAX_DEPTH)), None);
        assert_eq!(too_deep(&deep(MAX_DEPTH + 1)), Some((1, 6 + MAX_DEPTH)));
        let brackets = "[".repeat(200);
        let quoted = format!("- a: \"{brackets}\"\n  b: '{brackets}'\n  c: x # {brackets}\n");
        assert_eq!(too_deep(&quoted), None);
        let escaped = format!("- a: \"\\\" {brackets}\"\n");
        assert_eq!(too_deep(&escaped), None);
        let second_line = format!("- a: 1\n  b: {}\n", "{x: ".repeat(MAX_DEPTH + 1));
        assert_eq!(too_deep(&second_line).map(|(line, _)| line), Some(2));
    }
}
