//! arrears: a declarative policy engine for bank loan collections.
pub mod diag;
pub mod source;
pub mod syntax;
