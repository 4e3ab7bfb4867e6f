//! Every byte a run shows besides diagnostics: per-loan decision records, traces, rejected
//! rows. Writers are handed to us; nothing here opens files.
//!
//! INVARIANT: output never depends on hash order or thread timing: records are rendered from
//! ordered data and written in input order by the caller.

mod columnar;
mod explain;
mod record;
mod spreadsheet;

pub use columnar::{DecisionColumns, rejected_columns, trace_text};
pub use explain::explain_text;
pub use record::{
    OutputFormat, RecordWriter, Rendered, Renderer, decision_record, rejected_json, render_jsonl,
};
pub use spreadsheet::spreadsheet_safe;
