//! Following a check's log while another process runs the check: a follower's view
//! of the run's output, built the way the runner builds its own (the same line
//! splitting, the same stream parser), from the log file as it grows.
//!
//! Reads are bounded: at most [`READ_LIMIT`] bytes per poll; a follower further behind
//! than that jumps to the last [`CATCH_UP`] bytes (the ring keeps only the last lines
//! anyway). A log replaced by a newer run's (another file at the same path) or cut
//! shorter ends the tail: that output belongs to the next run, which has a tail of
//! its own. Only a regular file is read, opened without blocking.

use super::stream::{split_lines, take_line};
use super::Output;
use crate::domain::check::CheckSpec;
use crate::domain::finding::Severity;
use crate::formats::{ParseContext, StreamParser};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Most bytes read from a log in one poll.
pub const READ_LIMIT: u64 = 4 * 1024 * 1024;
/// Bytes read from the end of a log when it is further ahead than [`READ_LIMIT`].
pub const CATCH_UP: u64 = 256 * 1024;
/// Bytes read from the file at a time.
const CHUNK: usize = 64 * 1024;

/// One run's log, followed. Invariant: once `ended`, nothing more is read into
/// `output` (whatever the path holds now is another run's).
pub struct LogTail {
    path: PathBuf,
    /// The file followed (and its device and inode), from the first read on.
    file: Option<(std::fs::File, (u64, u64))>,
    offset: u64,
    partial: Vec<u8>,
    parser: Option<StreamParser>,
    root: PathBuf,
    severity: Severity,
    output: Output,
    ended: bool,
    /// After a jump ahead: drop the cut line at the new offset.
    skip_line: bool,
}

impl LogTail {
    /// Follow the log at `path` of a run of `spec` into `output`.
    pub fn new(path: PathBuf, spec: &CheckSpec, root: &Path, output: Output) -> LogTail {
        LogTail {
            path,
            file: None,
            offset: 0,
            partial: Vec::new(),
            parser: StreamParser::for_format(&spec.format),
            root: root.to_path_buf(),
            severity: spec.severity,
            output,
            ended: false,
            skip_line: false,
        }
    }

    pub fn output(&self) -> &Output {
        &self.output
    }

    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Read what was written since the last poll. True when something new came.
    pub fn poll(&mut self) -> bool {
        if self.ended {
            return false;
        }
        if self.file.is_none() {
            let Some(opened) = open_log(&self.path) else {
                return false;
            };
            self.file = Some(opened);
        }
        let Some((file, id)) = self.file.as_mut() else {
            return false;
        };
        // The open file keeps its inode from being reused, so another inode at the
        // path means a newer run's log: read what is left of this one, then stop.
        let replaced = std::fs::metadata(&self.path).map_or(true, |m| (m.dev(), m.ino()) != *id);
        let len = match file.metadata() {
            Ok(meta) => meta.len(),
            Err(_) => {
                self.ended = true;
                return false;
            }
        };
        if len < self.offset {
            self.ended = true;
            return false;
        }
        let mut read_any = false;
        if len > self.offset {
            if len - self.offset > READ_LIMIT {
                self.offset = len - CATCH_UP;
                self.partial.clear();
                self.skip_line = true;
            }
            read_any = self.read_to(len);
        }
        if replaced {
            self.ended = true;
        }
        read_any
    }

    /// Read from the offset up to `len`, in chunks.
    fn read_to(&mut self, len: u64) -> bool {
        let Some((mut file, id)) = self.file.take() else {
            return false;
        };
        let read_any = self.read_from(&mut file, len);
        self.file = Some((file, id));
        read_any
    }

    fn read_from(&mut self, file: &mut std::fs::File, len: u64) -> bool {
        if file.seek(SeekFrom::Start(self.offset)).is_err() {
            return false;
        }
        let mut left = len - self.offset;
        let mut buf = vec![0u8; CHUNK];
        let mut read_any = false;
        while left > 0 {
            let want = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
            let n = match file.read(&mut buf[..want]) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            self.offset += n as u64;
            left -= n as u64;
            read_any = true;
            self.take(&buf[..n]);
        }
        read_any
    }

    /// The run is over: read the rest, and its last line even without a newline.
    pub fn finish(&mut self) {
        self.poll();
        if !self.partial.is_empty() && !self.skip_line {
            let ctx = ParseContext {
                default_severity: self.severity,
                root: &self.root,
            };
            take_line(
                &self.partial,
                &mut self.parser,
                &ctx,
                &mut self.output.lock(),
            );
            self.partial.clear();
        }
        self.ended = true;
    }

    fn take(&mut self, mut chunk: &[u8]) {
        if self.ended {
            return;
        }
        if self.skip_line {
            match memchr::memchr(b'\n', chunk) {
                Some(at) => {
                    chunk = &chunk[at + 1..];
                    self.skip_line = false;
                }
                None => return,
            }
        }
        let ctx = ParseContext {
            default_severity: self.severity,
            root: &self.root,
        };
        split_lines(
            chunk,
            &mut self.partial,
            &mut self.parser,
            &ctx,
            &self.output,
        );
    }
}

/// Open a log without blocking (a FIFO planted there never holds us up), if it is a
/// regular file.
fn open_log(path: &Path) -> Option<(std::fs::File, (u64, u64))> {
    let (file, meta) = crate::fsutil::open_regular(path, crate::fsutil::Links::Refuse).ok()?;
    Some((file, (meta.dev(), meta.ino())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::check::Format;
    use std::collections::BTreeMap;
    use std::io::Write;

    fn spec(format: Format) -> CheckSpec {
        CheckSpec {
            id: "t".into(),
            name: "t".into(),
            run: "true".into(),
            watch: vec![],
            format,
            report: None,
            timeout: None,
            cwd: None,
            env: BTreeMap::new(),
            severity: Severity::Medium,
            severity_map: BTreeMap::new(),
            metric: None,
        }
    }

    fn lines(output: &Output) -> Vec<String> {
        output.lock().lines().map(str::to_owned).collect()
    }

    #[test]
    fn follows_a_growing_log_line_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.log");
        let mut log = std::fs::File::create(&path).unwrap();
        let mut tail = LogTail::new(
            path.clone(),
            &spec(Format::ExitCode),
            dir.path(),
            Output::new(100),
        );
        assert!(!tail.poll());
        log.write_all(b"one\ntw").unwrap();
        assert!(tail.poll());
        assert_eq!(lines(tail.output()), ["one"]);
        log.write_all(b"o\nthree").unwrap();
        assert!(tail.poll());
        assert_eq!(lines(tail.output()), ["one", "two"]);
        tail.finish();
        assert_eq!(lines(tail.output()), ["one", "two", "three"]);
        assert!(tail.ended());
    }

    #[test]
    fn a_replaced_or_cut_log_ends_the_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.log");
        std::fs::write(&path, "old run\n").unwrap();
        let mut tail = LogTail::new(
            path.clone(),
            &spec(Format::ExitCode),
            dir.path(),
            Output::new(100),
        );
        assert!(tail.poll());
        // A newer run starts its log afresh: another file at the same path.
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, "new run, much longer than the old one\n").unwrap();
        assert!(!tail.poll());
        assert!(tail.ended());
        assert_eq!(lines(tail.output()), ["old run"]);

        let mut cut = LogTail::new(
            path.clone(),
            &spec(Format::ExitCode),
            dir.path(),
            Output::new(100),
        );
        assert!(cut.poll());
        std::fs::write(&path, "x\n").unwrap();
        assert!(!cut.poll());
        assert!(cut.ended());
    }

    #[test]
    fn a_huge_log_is_read_from_near_its_end_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.log");
        let mut text = String::new();
        let mut n = 0;
        while (text.len() as u64) < READ_LIMIT + 1024 * 1024 {
            text.push_str(&format!("line {n} of a check that printed a lot\n"));
            n += 1;
        }
        std::fs::write(&path, &text).unwrap();
        let mut tail = LogTail::new(
            path.clone(),
            &spec(Format::ExitCode),
            dir.path(),
            Output::new(100_000),
        );
        assert!(tail.poll());
        let got = lines(tail.output());
        assert_eq!(
            got.last().unwrap(),
            &format!("line {} of a check that printed a lot", n - 1)
        );
        // Whole lines only, and only about CATCH_UP bytes of them.
        assert!(got[0].starts_with("line "), "{}", got[0]);
        let bytes: usize = got.iter().map(|l| l.len() + 1).sum();
        assert!(bytes as u64 <= CATCH_UP, "{bytes}");
    }

    #[test]
    fn the_stream_parser_shows_what_the_runner_shows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.log");
        // cargo's JSON messages are shown rendered, not as JSON.
        let message = r#"{"reason":"compiler-message","message":{"rendered":"warning: unused import\n","level":"warning","message":"unused import","code":{"code":"unused_imports"},"spans":[]}}"#;
        std::fs::write(&path, format!("{message}\nplain line\n")).unwrap();
        let mut tail = LogTail::new(path, &spec(Format::Cargo), dir.path(), Output::new(100));
        tail.finish();
        let got = lines(tail.output());
        assert!(
            got.iter().any(|l| l.contains("warning: unused import")),
            "{got:?}"
        );
        assert!(
            !got.iter().any(|l| l.contains("compiler-message")),
            "{got:?}"
        );
    }
}
