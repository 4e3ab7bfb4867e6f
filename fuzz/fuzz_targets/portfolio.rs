//! Any bytes as a portfolio, read as JSON Lines, CSV and YAML against the reference schema,
//! and every loan read decided. Nothing may panic; every record must be decided or rejected.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../bodies.rs"]
mod bodies;

fuzz_target!(|data: &[u8]| {
    bodies::portfolio(data);
});
