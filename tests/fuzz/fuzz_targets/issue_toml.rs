//! Any bytes as a committed issue file: parsing never panics, and when it parses, the
//! store's in-place rewrite (what a triage key writes) succeeds or refuses cleanly,
//! and reads back as the issue that was written.
#![no_main]

mod asan;

use libfuzzer_sys::fuzz_target;
use preflight::store::{parse_issue, rewrite};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Named after the id it holds, as the store requires.
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("id = \"").and_then(|r| r.split('"').next()))
        .unwrap_or("PF-FUZZ00");
    let path = Path::new("/register").join(format!("{id}.toml"));
    let Ok(mut issue) = parse_issue(text, &path) else {
        return;
    };
    issue.owner = Some("fuzz \u{1b}[2J\nowner".into());
    issue.revision = issue.revision.wrapping_add(1);
    if let Ok(written) = rewrite(text, &issue) {
        let back = parse_issue(&written, &path).expect("a rewrite reads back");
        assert_eq!(back.owner, issue.owner);
        assert_eq!(back.revision, issue.revision);
        assert_eq!(back.title, issue.title);
    }
});
