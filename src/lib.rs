//! arrears: a declarative policy engine for bank loan collections.
pub mod check;
pub mod cli;
pub mod compile;
pub mod diag;
pub mod eval;
pub mod input;
pub(crate) mod ir;
pub mod load;
pub mod report;
pub mod schema;
pub mod source;
pub mod syntax;
pub mod value;
