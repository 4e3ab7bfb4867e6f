//! Any text as a policy: parse, check, compile, format, analyse, and decide the sample's first
//! loans. Nothing may panic or overflow the stack; errors are fine.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../bodies.rs"]
mod bodies;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        bodies::policy(text);
    }
});
