//! Reading a run's output as it streams: every byte to the log, the tail into the
//! ring the screen shows, and each line to the format's stream parser.

use super::{Output, Ring, MAX_LINE};
use crate::domain::finding::Findings;
use crate::formats::{ParseContext, StreamParser};
use std::io::Write as _;
use std::path::PathBuf;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::unix::pipe;

pub(super) struct ReadResult {
    pub(super) findings: Option<Result<Findings, String>>,
    pub(super) lines: u64,
    /// Why the log stopped being written (a full disk).
    pub(super) log_error: Option<String>,
}

/// Copy the pipe to the log, keep the tail in `output`, and feed a stream parser.
/// Lines go into the ring a chunk at a time, under one lock per chunk.
pub(super) async fn read_output(
    receiver: pipe::Receiver,
    log: std::fs::File,
    output: Output,
    mut parser: Option<StreamParser>,
    root: PathBuf,
    severity: crate::domain::finding::Severity,
) -> ReadResult {
    let ctx = ParseContext {
        default_severity: severity,
        root: &root,
    };
    let mut reader = BufReader::with_capacity(64 * 1024, receiver);
    let mut log = std::io::BufWriter::with_capacity(64 * 1024, log);
    let mut partial: Vec<u8> = Vec::new();
    let mut lines = 0u64;
    let mut logged = 0u64;
    let mut log_error: Option<String> = None;
    loop {
        let chunk = match reader.fill_buf().await {
            Ok([]) | Err(_) => break,
            Ok(chunk) => chunk,
        };
        let len = chunk.len();
        if log_error.is_none() {
            match log.write_all(chunk) {
                Ok(()) => logged += len as u64,
                Err(e) => log_error = Some(log_cut(logged, &e)),
            }
        }
        lines += split_lines(chunk, &mut partial, &mut parser, &ctx, &output);
        reader.consume(len);
    }
    if !partial.is_empty() {
        take_line(&partial, &mut parser, &ctx, &mut output.lock());
        lines += 1;
    }
    if let (Err(e), None) = (log.flush(), &log_error) {
        log_error = Some(log_cut(logged, &e));
    }
    ReadResult {
        findings: parser.map(StreamParser::finish),
        lines,
        log_error,
    }
}

/// "the log is cut after about 1048576 bytes: No space left on device (os error 28)".
fn log_cut(logged: u64, error: &std::io::Error) -> String {
    format!("the log is cut after about {logged} bytes: {error}")
}

/// Hand the complete lines of `chunk` to the ring (and the parser); an unfinished
/// last line waits in `partial`. Returns how many lines were taken.
pub(super) fn split_lines(
    chunk: &[u8],
    partial: &mut Vec<u8>,
    parser: &mut Option<StreamParser>,
    ctx: &ParseContext,
    output: &Output,
) -> u64 {
    let mut lines = 0;
    let mut ring = output.lock();
    let mut start = 0;
    // Valid UTF-8 (nearly always) is checked once per chunk, not once per line.
    let text = std::str::from_utf8(chunk).ok();
    for end in memchr::memchr_iter(b'\n', chunk) {
        if !partial.is_empty() {
            partial.extend_from_slice(&chunk[start..end]);
            take_line(partial, parser, ctx, &mut ring);
            partial.clear();
        } else if let Some(line) = text.and_then(|t| t.get(start..end)) {
            take_str(line, parser, ctx, &mut ring);
        } else {
            take_line(&chunk[start..end], parser, ctx, &mut ring);
        }
        lines += 1;
        start = end + 1;
    }
    partial.extend_from_slice(&chunk[start..]);
    while partial.len() >= MAX_LINE {
        take_line(&partial[..MAX_LINE], parser, ctx, &mut ring);
        partial.drain(..MAX_LINE);
        lines += 1;
    }
    lines
}

pub(super) fn take_line(
    raw: &[u8],
    parser: &mut Option<StreamParser>,
    ctx: &ParseContext,
    ring: &mut Ring,
) {
    take_str(&String::from_utf8_lossy(raw), parser, ctx, ring);
}

pub(super) fn take_str(
    line: &str,
    parser: &mut Option<StreamParser>,
    ctx: &ParseContext,
    ring: &mut Ring,
) {
    let line = line.strip_suffix('\r').unwrap_or(line);
    match parser.as_mut().and_then(|p| p.feed(line, ctx)) {
        None => ring.push(line),
        Some(shown) => shown.lines().for_each(|l| ring.push(l)),
    }
}
