//! Reading a run's output as it streams: every byte to the log, the tail into the
//! ring the screen shows, and each line to the format's stream parser.

use super::{Output, Ring, MAX_LINE};
use crate::domain::finding::Findings;
use crate::formats::{ParseContext, StreamParser};
use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::unix::pipe;

pub(super) struct ReadResult {
    pub(super) findings: Option<Result<Findings, String>>,
    pub(super) lines: u64,
    /// Why the log stopped being written (a full disk).
    pub(super) log_error: Option<String>,
}

/// Bytes read from the pipe at a time.
const READ_BUFFER: usize = 64 * 1024;
/// Longest a line waits in the log's buffer before it reaches the file (where a
/// follower tailing the log reads it): flushed at most this often while output
/// flows, and this long after it stops.
pub const LOG_FLUSH: Duration = Duration::from_millis(20);

/// Copy the pipe to the log, keep the tail in `output`, and feed a stream parser.
/// Lines go into the ring a chunk at a time, under one lock per chunk. The log is
/// written in big blocks, and flushed at most every [`LOG_FLUSH`] while output flows
/// and [`LOG_FLUSH`] after it pauses, so a follower sees a line within that.
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
    let mut reader = BufReader::with_capacity(READ_BUFFER, receiver);
    let mut log = std::io::BufWriter::with_capacity(READ_BUFFER, log);
    let mut partial: Vec<u8> = Vec::new();
    let mut lines = 0u64;
    let mut logged = 0u64;
    let mut log_error: Option<String> = None;
    let mut flushed = Instant::now();
    loop {
        let read = if log.buffer().is_empty() || log_error.is_some() {
            reader.fill_buf().await
        } else {
            // `fill_buf` is cancel safe: a timeout loses no byte.
            match tokio::time::timeout(LOG_FLUSH, reader.fill_buf()).await {
                Ok(read) => read,
                Err(_) => {
                    // Quiet for a while: what waits in the buffer goes to the file.
                    flush(&mut log, logged, &mut log_error);
                    flushed = Instant::now();
                    continue;
                }
            }
        };
        let chunk = match read {
            Ok([]) | Err(_) => break,
            Ok(chunk) => chunk,
        };
        let len = chunk.len();
        if log_error.is_none() {
            match log.write_all(chunk) {
                Ok(()) => logged += len as u64,
                Err(e) => log_error = Some(log_cut(logged, &e)),
            }
            if flushed.elapsed() >= LOG_FLUSH {
                flush(&mut log, logged, &mut log_error);
                flushed = Instant::now();
            }
        }
        lines += split_lines(chunk, &mut partial, &mut parser, &ctx, &output);
        reader.consume(len);
    }
    if !partial.is_empty() {
        take_line(&partial, &mut parser, &ctx, &mut output.lock());
        lines += 1;
    }
    flush(&mut log, logged, &mut log_error);
    ReadResult {
        findings: parser.map(StreamParser::finish),
        lines,
        log_error,
    }
}

/// Write what waits in the buffer to the log file, unless the log already failed
/// (then what waits is dropped with it).
fn flush(log: &mut std::io::BufWriter<std::fs::File>, logged: u64, error: &mut Option<String>) {
    if error.is_none() {
        if let Err(e) = log.flush() {
            *error = Some(log_cut(logged, &e));
        }
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
