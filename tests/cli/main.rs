//! The integration tests: one binary, which runs the real `arrears` executable.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking, with the place and the values in the message"
)]

mod analysis;
mod architecture;
mod borrowers;
mod capacity;
mod check;
mod chinese;
mod codes;
mod columnar;
mod costs;
mod diff;
mod differential;
mod format;
mod fuzz_found;
mod hostile;
mod inputs;
mod lsp;
mod modules;
mod policy_tests;
mod records;
mod reference;
mod report;
mod run;
mod serve;
mod support;
mod tables;
