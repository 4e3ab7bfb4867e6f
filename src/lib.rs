//! arrears: a declarative policy engine for bank loan collections.
//!
//! A policy is checked against its loan schema and compiled once ([`load::load_policy`]), then
//! decides loans ([`compile::Program::evaluate`], or `evaluate_traced` for the audit trace)
//! against an explicit evaluation date. `examples/embed.rs` shows the whole round trip, and
//! `ARCHITECTURE.md` the pipeline and its invariants.

pub mod analysis;
pub mod batch;
pub mod check;
pub mod cli;
pub mod diag;
pub mod eval;
pub mod files;
pub mod format;
#[doc(hidden)]
pub mod fuzzing;
pub mod impact;
pub mod input;
pub mod load;
pub mod policy_tests;
pub mod program;
pub mod report;
pub mod schema;
pub mod source;
pub mod summary;
pub mod syntax;
pub mod value;
