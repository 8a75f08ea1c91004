//! Any bytes through the SARIF reader: no panic, and whatever it returns stays within
//! the findings caps (count, message size), however the arguments chain.
#![no_main]

mod asan;

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(findings) = preflight::formats::sarif::parse(data, &common::ctx()) {
        common::assert_bounded(&findings);
    }
});
