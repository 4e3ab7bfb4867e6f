//! JSON Lines: one object a line; blank lines are skipped.

use super::Raw;

/// One line's record.
pub(super) fn parse_line(line: &str) -> Result<Raw, String> {
    let text = line.trim_start_matches('\u{FEFF}');
    serde_json::from_str::<RawJson>(text)
        .map(|RawJson(raw)| raw)
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

/// Any JSON text (a CSV cell holding a list, say) read into the raw shape.
pub(super) fn parse_json(text: &str) -> Result<Raw, serde_json::Error> {
    serde_json::from_str::<RawJson>(text).map(|RawJson(raw)| raw)
}

/// A JSON value read straight into the raw shape, without building a `serde_json::Value`
/// first. Numbers keep their exact text: with `arbitrary_precision`, serde_json hands a number
/// over as a one-entry map under a private key, which this visitor recognises.
struct RawJson(Raw);

/// The key serde_json's `arbitrary_precision` uses to pass a number's text.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl<'de> serde::Deserialize<'de> for RawJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<RawJson, D::Error> {
        deserializer.deserialize_any(RawVisitor).map(RawJson)
    }
}

struct RawVisitor;

impl<'de> serde::de::Visitor<'de> for RawVisitor {
    type Value = Raw;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Raw, E> {
        Ok(Raw::Scalar(if b { "true" } else { "false" }.to_owned()))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Raw, E> {
        Ok(Raw::Scalar(n.to_string()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Raw, E> {
        Ok(Raw::Scalar(n.to_string()))
    }
    fn visit_str<E>(self, s: &str) -> Result<Raw, E> {
        Ok(Raw::Scalar(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Raw, E> {
        Ok(Raw::Scalar(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(RawJson(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::List(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == NUMBER_TOKEN {
                return Ok(Raw::Scalar(map.next_value::<String>()?));
            }
            let RawJson(value) = map.next_value()?;
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
            parse_line(r#"{"a": 125000.50, "b": 1e400, "c": [1, true, null], "d": "x"}"#).unwrap();
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
}
