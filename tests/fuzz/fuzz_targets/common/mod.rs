//! What the reader targets share: a parse context, and the caps every reader's
//! findings must keep.

use preflight::domain::finding::{Findings, Severity, MAX_FINDINGS, MAX_MESSAGE, MAX_PATH, MAX_RULE};
use preflight::formats::ParseContext;
use std::path::Path;

pub fn ctx() -> ParseContext<'static> {
    ParseContext {
        default_severity: Severity::Medium,
        root: Path::new("/home/dev/project"),
    }
}

pub fn assert_bounded(findings: &Findings) {
    assert!(findings.len() <= MAX_FINDINGS);
    for f in findings.as_slice() {
        assert!(f.message.len() <= MAX_MESSAGE, "message of {} bytes", f.message.len());
        assert!(f.rule.len() <= MAX_RULE);
        assert!(f.path.as_ref().is_none_or(|p| p.len() <= MAX_PATH));
    }
}
