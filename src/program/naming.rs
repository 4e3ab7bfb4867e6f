//! Values as JSON and as text, in the policy's own words (choice names, not numbers).
//!
//! Money is written as a string holding the exact decimal ("125000.50"), never as a JSON
//! number, so no reader is tempted to parse it into a float.

use serde_json::{Map, Value as Json};

use super::{Program, ReadSource, Ty};
use crate::schema::{Field, FieldType};
use crate::value::Value;

/// How to print a value: what its numbers mean.
#[derive(Clone, Copy)]
pub(crate) enum Kind<'p> {
    Field(&'p Field),
    Derived(&'p Ty),
    Decision(usize),
    Plain,
}

pub(crate) fn kind_of(program: &Program, source: ReadSource) -> Kind<'_> {
    match source {
        ReadSource::Field(slot) => program
            .schema
            .fields
            .get(slot)
            .map_or(Kind::Plain, Kind::Field),
        ReadSource::Derived(index) => program
            .derived
            .get(index)
            .map_or(Kind::Plain, |d| Kind::Derived(&d.ty)),
        ReadSource::Decision(index) => Kind::Decision(index),
        ReadSource::AsOf => Kind::Plain,
    }
}

pub(crate) fn source_name(program: &Program, source: ReadSource) -> &str {
    match source {
        ReadSource::Field(slot) => program
            .schema
            .fields
            .get(slot)
            .map_or("", |f| f.name.as_str()),
        ReadSource::Derived(index) => program
            .derived
            .get(index)
            .map_or("", |d| d.named.name.as_str()),
        ReadSource::Decision(index) => program
            .decisions
            .get(index)
            .map_or("", |d| d.named.name.as_str()),
        ReadSource::AsOf => "as_of",
    }
}

fn enum_name(program: &Program, kind: Kind<'_>, index: u32) -> String {
    let id = match kind {
        Kind::Field(Field {
            ty: FieldType::Enum(id),
            ..
        })
        | Kind::Derived(Ty::Enum(id)) => Some(*id),
        _ => None,
    };
    id.and_then(|id| program.schema.enums.get(id))
        .and_then(|values| values.get(index as usize))
        .cloned()
        .unwrap_or_else(|| index.to_string())
}

/// A value as JSON.
pub(crate) fn to_json(program: &Program, kind: Kind<'_>, value: &Value) -> Json {
    match value {
        Value::Missing | Value::Nothing => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(n) | Value::Days(n) => Json::from(*n),
        Value::Money(m) => Json::String(m.to_string()),
        Value::Date(d) => Json::String(d.format("%Y-%m-%d").to_string()),
        Value::Time(t) => Json::String(time_text(*t)),
        Value::Text(t) => Json::String(t.to_string()),
        Value::Enum(index) => Json::String(enum_name(program, kind, *index)),
        Value::Outcome(index) => match kind {
            Kind::Decision(decision) => {
                Json::String(program.outcome_name(decision, *index).to_owned())
            }
            _ => Json::from(*index),
        },
        Value::List(records) => {
            let fields: &[Field] = match kind {
                Kind::Field(Field {
                    ty: FieldType::List(fields),
                    ..
                }) => fields,
                _ => &[],
            };
            Json::Array(
                records
                    .iter()
                    .map(|record| {
                        let mut object = Map::new();
                        for (field, value) in fields.iter().zip(record) {
                            object.insert(
                                field.name.clone(),
                                to_json(program, Kind::Field(field), value),
                            );
                        }
                        Json::Object(object)
                    })
                    .collect(),
            )
        }
    }
}

/// A value as a person reads it.
pub(crate) fn to_text(program: &Program, kind: Kind<'_>, value: &Value) -> String {
    match value {
        Value::Missing => "missing".into(),
        Value::Nothing => "nothing".into(),
        Value::Days(n) => format!("{n} day{}", if *n == 1 { "" } else { "s" }),
        Value::Text(t) => format!("{t:?}"),
        Value::List(records) if records.is_empty() => "[] (empty)".into(),
        Value::List(_) => to_json(program, kind, value).to_string(),
        other => match to_json(program, kind, other) {
            Json::String(s) => s,
            json => json.to_string(),
        },
    }
}

/// A time of day as portfolios write it: `HH:MM`, with `:SS` only when the seconds are not 0.
pub(crate) fn time_text(time: chrono::NaiveTime) -> String {
    use chrono::Timelike;
    if time.second() == 0 {
        time.format("%H:%M").to_string()
    } else {
        time.format("%H:%M:%S").to_string()
    }
}
