//! JSON Lines: one object a line; blank lines are skipped.

use super::Raw;

/// One line's record.
pub(super) fn parse_line(line: &str) -> Result<Raw, String> {
    let text = line.trim_start_matches('\u{FEFF}');
    serde_json::from_str::<serde_json::Value>(text)
        .map(from_json)
        .map_err(|e| {
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

/// A JSON value in the raw shape. Numbers keep their exact text.
pub(super) fn from_json(value: serde_json::Value) -> Raw {
    match value {
        serde_json::Value::Null => Raw::Null,
        serde_json::Value::Bool(b) => Raw::Scalar(b.to_string()),
        serde_json::Value::Number(n) => Raw::Scalar(n.to_string()),
        serde_json::Value::String(s) => Raw::Scalar(s),
        serde_json::Value::Array(items) => Raw::List(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            Raw::Map(map.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}
