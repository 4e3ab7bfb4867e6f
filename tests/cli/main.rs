//! The integration tests: one binary, which runs the real `arrears` executable.

mod check;
mod reference;
mod run;
mod support;
