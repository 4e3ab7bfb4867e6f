//! arrears: a declarative policy engine for bank loan collections.
//!
//! A bank's collections policy is written as rules in a small language; arrears checks it
//! against the loan schema it names, then decides loans with it, each decision with a trace
//! that says why. This crate is the engine every front end shares: the `arrears` command line,
//! and any editor, server or binding built on it. `ARCHITECTURE.md` draws the pipeline and
//! says which module owns which step.
//!
//! # The round trip
//!
//! 1. **Load a policy** from files ([`load_policy`]) or from texts in memory
//!    ([`load_policy_from`] with [`MemoryFiles`]): parse, check, resolve. Problems come back
//!    as [`Diagnostics`] with codes and spans, rendered by [`render_all`].
//! 2. **Read loans**: one JSON object with [`loan_from_json`], or a whole portfolio as a
//!    [`RecordStream`] (JSON Lines, CSV, YAML). A row that is not a loan is a [`Rejected`]
//!    row saying where and why; nothing is dropped.
//! 3. **Decide**: [`Program::evaluate`] on an explicit date (arrears never reads the clock),
//!    or [`Program::evaluate_traced`] for the audit [`Trace`].
//! 4. **Write**: decision records ([`render_jsonl`], [`RecordWriter`]), explanations for
//!    people ([`explain_text`]), rejected rows ([`rejected_json`]).
//!
//! For a whole book, [`run_batch`] streams a portfolio through the worker threads in bounded
//! memory and hands every row, in input order, to a sink of the caller's. The verbs' own
//! computations are public too: [`summary`] (what `arrears report` counts), [`impact`] (what
//! `arrears diff` compares), [`policy_tests`] (`arrears test`), [`analyze`] (the findings of
//! `arrears check`) and [`format_source`] (`arrears fmt`).
//!
//! Tools that read policies as written (a linter, a converter) parse them with
//! [`syntax::parse`] into the syntax tree, [`syntax::ast`].
//!
//! `examples/embed.rs` shows the round trip for one loan.

mod analysis;
mod batch;
mod capacity;
mod check;
mod diag;
mod eval;
mod files;
mod format;
pub mod impact;
mod input;
mod lang;
mod load;
pub mod policy_tests;
mod program;
mod report;
mod schema;
mod source;
pub mod summary;
mod symbols;
pub mod syntax;
mod tally;
mod value;

pub use analysis::{Findings, Witness, analyze};
pub use batch::{
    BatchCounts, BatchError, BatchOptions, BatchRow, BorrowerLoans, BorrowerOrder, ByBorrower,
    Flow, PARTITIONS, Record, STACK_BYTES, loans_of_borrower, run_batch, run_batch_by_borrower,
    run_batch_here,
};
pub use capacity::{Allocating, Allocation, Claims, Demand, GroupDemand, allocate};
pub use diag::{
    CODES, Code, CodeInfo, Diagnostic, Diagnostics, ErrorFormat, Severity, lookup, render_all,
};
pub use eval::{
    BorrowerContext, BorrowerTrace, BorrowerValueTrace, Decider, DecisionTrace, DerivedTrace,
    GuardTrace, Needs, Read, RuleTrace, TestTrace, Trace,
};
pub use files::{DiskFiles, FileError, Files, MemoryFiles};
pub use format::format_source;
pub use input::{
    InputFormat, Portfolio, RecordStream, Rejected, Row, StreamError, UnknownFields,
    loan_from_json, read_portfolio,
};
pub use lang::{Arg, Lang, Text};
pub use load::{
    FileRole, Inspection, LoadError, Loaded, check_schema_file, check_schema_from, inspect_policy,
    inspect_schema, load_policy, load_policy_from, load_policy_text,
};
pub use program::{
    ActionId, BorrowerValueId, CapacityId, Claimed, DecisionId, DecisionOutcome, Evaluation,
    Fallback, GuardId, HitPolicy, OutcomeId, Program, Queued, ReadSource, RuleId, Slot, ValueId,
};
pub use report::{
    DecisionColumns, OutputFormat, RecordWriter, Rendered, Renderer, decision_record, explain_text,
    rejected_columns, rejected_json, render_jsonl, spreadsheet_safe, trace_text,
};
pub use schema::{Field, FieldSet, FieldType, Schema};
pub use source::{FileId, LineCol, SourceFile, Span};
pub use symbols::{Declaration, Occurrence, Symbol, Symbols};
pub use tally::{AmountError, AmountFields, Tally};
pub use value::{Loan, REDACTED, Value};
