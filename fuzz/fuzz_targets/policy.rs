//! Any text as a policy: parse, check, compile, format, analyse, and decide the sample's first
//! loans. Nothing may panic or overflow the stack; errors are fine.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        arrears::fuzzing::policy(text);
    }
});
