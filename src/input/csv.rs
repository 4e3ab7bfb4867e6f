//! CSV: a header row naming the fields, then one loan a row. An empty cell is a missing
//! value; a list field holds a JSON array in its cell.

use std::borrow::Cow;

use super::{Raw, jsonl::parse_json};

/// A CSV file's header, and which columns hold lists.
#[derive(Debug)]
pub(super) struct CsvLayout {
    pub(super) headers: Vec<String>,
    pub(super) is_list: Vec<bool>,
    /// Each column's schema slot, `None` for a column the schema does not declare.
    pub(super) slots: Vec<Option<usize>>,
}

/// One row's record, by the file's header.
pub(super) fn cells<'r>(
    layout: &'r CsvLayout,
    record: &'r ::csv::ByteRecord,
) -> Result<Raw<'r>, String> {
    let (headers, is_list) = (&layout.headers, &layout.is_list);
    if record.len() != headers.len() {
        return Err(format!(
            "this row has {} cells, but the header has {}",
            record.len(),
            headers.len()
        ));
    }
    let mut map = Vec::with_capacity(headers.len());
    for ((header, cell), list) in headers.iter().zip(record.iter()).zip(is_list.iter()) {
        let Ok(cell) = std::str::from_utf8(cell) else {
            return Err(format!(
                "the `{header}` cell is not valid UTF-8; save the file as UTF-8"
            ));
        };
        let value = if cell.is_empty() {
            Raw::Null
        } else if *list {
            match parse_json(cell) {
                Ok(raw) => raw,
                // Kept as text: the converter names the field and shows the value.
                Err(_) => Raw::Scalar(Cow::Borrowed(cell)),
            }
        } else {
            Raw::Scalar(Cow::Borrowed(cell))
        };
        map.push((Cow::Borrowed(header.as_str()), value));
    }
    Ok(Raw::Map(map))
}
