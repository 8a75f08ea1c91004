//! The source lines findings are anchored on (their fingerprints hash them).

use crate::fsutil;
use std::collections::HashMap;
use std::path::Path;

/// Largest source file read to anchor a fingerprint; a bigger one anchors on the
/// message alone.
const MAX_SOURCE: u64 = 4 * 1024 * 1024;

/// Source lines for fingerprints, each file read at most once per run. `check` and
/// `ingest` both read through this, so one finding gets one fingerprint either way. A finding's path
/// comes from the tool's report: it is read only when it is a regular file inside the
/// repository of at most [`MAX_SOURCE`] bytes (never `/dev/zero`, a FIFO or the
/// keyboard).
pub struct SourceLines<'a> {
    root: &'a Path,
    files: HashMap<String, Option<String>>,
}

impl<'a> SourceLines<'a> {
    pub fn new(root: &'a Path) -> Self {
        SourceLines {
            root,
            files: HashMap::new(),
        }
    }

    pub fn line(&mut self, path: &str, line: u32) -> Option<String> {
        let root = self.root;
        let text = self.files.entry(path.to_string()).or_insert_with(|| {
            fsutil::read_in_repo(root, &root.join(path), MAX_SOURCE)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
        });
        text.as_deref()?
            .lines()
            .nth((line as usize).checked_sub(1)?)
            .map(str::to_owned)
    }
}
