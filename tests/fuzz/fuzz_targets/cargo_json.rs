//! Any output, line by line, through the cargo JSON stream reader: no panic, and
//! findings within the caps.
#![no_main]

mod asan;

mod common;

use libfuzzer_sys::fuzz_target;
use preflight::formats::cargo::CargoParser;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let ctx = common::ctx();
    let mut parser = CargoParser::default();
    for line in text.lines() {
        let _ = parser.feed(line, &ctx);
    }
    if let Ok(findings) = parser.finish() {
        common::assert_bounded(&findings);
    }
});
