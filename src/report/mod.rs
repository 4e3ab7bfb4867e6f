//! Every byte a run shows besides diagnostics: per-loan decision records, traces, rejected
//! rows. Writers are handed to us; nothing here opens files.
//!
//! INVARIANT: output never depends on hash order or thread timing: records are rendered from
//! ordered data and written in input order by the caller.

mod explain;
mod record;
mod spreadsheet;
mod values;

pub use explain::explain_text;
pub use record::{OutputFormat, RecordWriter, rejected_json, render_jsonl};
pub(crate) use spreadsheet::spreadsheet_safe;
pub mod impact;
pub mod test_results;

/// A field's value as JSON, in the policy's words (choice names, exact amounts); `slot` out of
/// range prints the value without a field's context.
pub(crate) fn field_json(
    program: &crate::compile::Program,
    slot: usize,
    value: &crate::value::Value,
) -> serde_json::Value {
    let kind = program
        .schema
        .fields
        .get(slot)
        .map_or(values::Kind::Plain, values::Kind::Field);
    values::to_json(program, kind, value)
}
pub mod summary;
