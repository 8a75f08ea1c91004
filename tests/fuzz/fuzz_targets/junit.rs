//! Any bytes through the JUnit reader: no panic, findings within the caps.
#![no_main]

mod asan;

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(findings) = preflight::formats::junit::parse(data, &common::ctx()) {
        common::assert_bounded(&findings);
    }
});
