//! Any output through the `lines` reader with the patterns the README suggests (flake8,
//! eslint compact, go vet): no panic, findings within the caps.
#![no_main]

mod asan;

mod common;

use libfuzzer_sys::fuzz_target;
use preflight::formats::lines::LinesParser;
use regex::Regex;
use std::sync::OnceLock;

const PATTERNS: [&str; 3] = [
    r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>[A-Z]+\d+) (?P<message>.+)$",
    r"^(?P<path>.+?): line (?P<line>\d+), col (?P<col>\d+), (?P<severity>\w+) - (?P<message>.+?)(?: \((?P<rule>[^()]+)\))?$",
    r"^(?:vet: )?(?P<path>[^\s:#][^:]*\.go):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$",
];

fn regexes() -> &'static [Regex] {
    static ALL: OnceLock<Vec<Regex>> = OnceLock::new();
    ALL.get_or_init(|| PATTERNS.iter().filter_map(|p| Regex::new(p).ok()).collect())
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let ctx = common::ctx();
    for regex in regexes() {
        let mut parser = LinesParser::new(regex.clone());
        for line in text.lines() {
            parser.feed(line, &ctx);
        }
        common::assert_bounded(&parser.finish());
    }
});
