//! CSV: a header row naming the fields, then one loan a row. An empty cell is a missing
//! value; a list field holds a JSON array in its cell.

use std::io::Read;

use super::{Raw, RawRecord, jsonl::from_json};
use crate::schema::{FieldType, Schema};

pub(super) fn read(reader: impl Read, schema: &Schema) -> Result<Vec<RawRecord>, String> {
    let mut csv = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .iter()
        .map(|h| h.trim_start_matches('\u{FEFF}').to_owned())
        .collect();
    let is_list: Vec<bool> = headers
        .iter()
        .map(|h| {
            schema
                .slot(h)
                .and_then(|s| schema.fields.get(s))
                .is_some_and(|f| matches!(f.ty, FieldType::List(_)))
        })
        .collect();
    let mut records = Vec::new();
    let mut record = ::csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map(|p| p.line());
                let raw = if record.len() != headers.len() {
                    Err(format!(
                        "this row has {} cells, but the header has {}",
                        record.len(),
                        headers.len()
                    ))
                } else {
                    cells(&headers, &is_list, &record)
                };
                records.push(RawRecord { line, raw });
            }
            Err(error) => {
                let line = error.position().map(|p| p.line());
                if matches!(error.kind(), ::csv::ErrorKind::Io(_)) {
                    return Err(format!("cannot read the file: {error}"));
                }
                records.push(RawRecord {
                    line,
                    raw: Err(format!("this row is not valid CSV: {error}")),
                });
            }
        }
    }
    Ok(records)
}

fn cells(
    headers: &[String],
    is_list: &[bool],
    record: &::csv::StringRecord,
) -> Result<Raw, String> {
    let mut map = Vec::with_capacity(headers.len());
    for ((header, cell), list) in headers.iter().zip(record.iter()).zip(is_list) {
        let value = if cell.is_empty() {
            Raw::Null
        } else if *list {
            match serde_json::from_str::<serde_json::Value>(cell) {
                Ok(json) => from_json(json),
                // Kept as text: the converter names the field and shows the value.
                Err(_) => Raw::Scalar(cell.to_owned()),
            }
        } else {
            Raw::Scalar(cell.to_owned())
        };
        map.push((header.clone(), value));
    }
    Ok(Raw::Map(map))
}
