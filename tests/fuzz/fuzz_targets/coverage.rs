//! Any bytes through the coverage readers (lcov, Cobertura, JaCoCo, and the detection
//! that tells them apart): no panic, and a value read is a percentage.
#![no_main]

mod asan;

use libfuzzer_sys::fuzz_target;
use preflight::metrics::{read_report, ReportKind};

fuzz_target!(|data: &[u8]| {
    // The format is read from the content; the declared kind only words notes.
    if let Ok(value) = read_report(ReportKind::Lcov, data) {
        assert!(
            value.value.is_finite() && (0.0..=100.0).contains(&value.value),
            "{value:?}"
        );
    }
});
