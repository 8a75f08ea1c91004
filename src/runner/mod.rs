//! Running one check: a process group, its output, its timeout, its findings.
//!
//! Each check runs as `sh -c RUN` in a process group of its own, so a timeout or a
//! cancel ends the whole group (grandchildren included): SIGTERM, then SIGKILL after
//! [`KILL_GRACE`]. stdout and stderr share one pipe, so lines arrive in the order they
//! were written. The full output goes to a log file in local state; memory holds only
//! the last lines ([`Output`]), so a check that prints gigabytes costs nothing more.

mod dependencies;
mod ring;
pub mod slots;
pub mod tail;

pub use ring::{Output, Ring};

use crate::domain::check::{judge, CheckSpec, RunStatus};
use crate::domain::check::{MetricSource, MetricSpec};
use crate::domain::finding::{assign_fingerprints, Finding};
use crate::formats::{parse_document, ParseContext, StreamParser};
use crate::metrics::{self, MetricValue, ReportKind};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::collections::HashMap;
use std::io::Write as _;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::unix::pipe;
use tokio_util::sync::CancellationToken;

/// Time a check's process group gets to exit after SIGTERM before SIGKILL.
pub const KILL_GRACE: Duration = Duration::from_secs(2);
/// How long to keep reading output once the group is gone: a process that escaped the
/// group may hold the pipe open forever.
const DRAIN_LIMIT: Duration = Duration::from_secs(2);
/// Longest line kept in memory; longer lines are split (the log keeps them whole).
pub const MAX_LINE: usize = 64 * 1024;
/// Pipe buffer asked of the kernel: a chatty check then rarely blocks on a full pipe,
/// which is most of what capturing costs it (Linux; the default is 64 KiB).
const PIPE_BUFFER: i32 = 1024 * 1024;
/// How often to look whether a terminated group is gone.
const GROUP_POLL: Duration = Duration::from_millis(20);

/// Where a run happens and where its traces go.
#[derive(Debug, Clone)]
pub struct RunContext {
    pub root: PathBuf,
    /// Folder for full logs and captured reports (local state).
    pub logs_dir: PathBuf,
    /// The mode of the logs (kept writable by the group of a shared repository, so
    /// that the other person's cockpit can take the checks over).
    pub sharing: crate::sharing::Sharing,
}

impl RunContext {
    /// The log of a check's last run.
    pub fn log_of(&self, check: &str) -> PathBuf {
        self.logs_dir.join(format!("{check}.log"))
    }

    /// Start a check's log afresh, as a new file: whoever follows the old one (a
    /// follower's tail) sees it replaced rather than rewritten under it. Done before
    /// a run is announced as running, so a follower never reads the previous run's
    /// output as the new one's.
    pub fn start_log(&self, check: &str) -> std::io::Result<()> {
        self.sharing.create_dir_all(&self.logs_dir)?;
        let path = self.log_of(check);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        std::fs::File::create(&path)?;
        self.sharing.apply(&path);
        Ok(())
    }
}

/// What one run of a check came to.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub check: String,
    pub status: RunStatus,
    /// `None` when the process was killed (timeout, cancel) or never started.
    pub exit_code: Option<i32>,
    pub duration: Duration,
    pub findings: Vec<Finding>,
    /// Why the status is `error`, or a note on a timeout or a cancel.
    pub error: Option<String>,
    /// The run was cancelled (a newer run replaced it, or the user stopped it): not a
    /// result, never recorded in the history.
    pub cancelled: bool,
    /// The full output of the run.
    pub log: PathBuf,
    /// Output lines seen.
    pub lines: u64,
    /// The check's metric, when it declares one and it could be read.
    pub metric: Option<MetricValue>,
    /// How the metric was read (a report in another format) or why it could not be.
    pub metric_note: Option<String>,
}

enum End {
    Exited(std::process::ExitStatus),
    TimedOut,
    Cancelled,
}

/// Kills the group if the run is abandoned midway (its future dropped).
struct GroupGuard {
    pgid: Pid,
    armed: bool,
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if self.armed {
            let _ = killpg(self.pgid, Signal::SIGKILL);
        }
    }
}

/// Whether any process of the group still runs. Zombies do not count: a killed shell
/// waits for us to reap it, and orphans may wait for a reaper that never comes (PID 1
/// in a container), yet neither runs nor holds anything but its pid.
fn group_alive(pgid: Pid) -> bool {
    if killpg(pgid, None).is_err() {
        return false;
    }
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return true; // no procfs: trust the signal probe
    };
    let wanted = pgid.as_raw().to_string();
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
        let mut fields = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest)
            .unwrap_or("")
            .split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1);
        pgrp == Some(wanted.as_str()) && state != Some("Z") && state != Some("X")
    })
}

/// SIGTERM the group, give it [`KILL_GRACE`], then SIGKILL what is left. The direct
/// child is reaped along the way.
async fn end_group(pgid: Pid, child: &mut tokio::process::Child) {
    if killpg(pgid, Signal::SIGTERM).is_err() {
        return; // nothing left
    }
    let deadline = Instant::now() + KILL_GRACE;
    while Instant::now() < deadline {
        let _ = child.try_wait();
        if !group_alive(pgid) {
            return;
        }
        tokio::time::sleep(GROUP_POLL).await;
    }
    let _ = killpg(pgid, Signal::SIGKILL);
}

/// Run one check to its end (or its timeout, or `cancel`), and judge it.
pub async fn run_check(
    spec: &CheckSpec,
    ctx: &RunContext,
    output: &Output,
    cancel: &CancellationToken,
) -> RunOutcome {
    let started = Instant::now();
    let log = ctx.log_of(&spec.id);
    output.lock().clear();
    let mut outcome = match execute(spec, ctx, output, cancel, &log).await {
        Ok(outcome) => outcome,
        Err(error) => RunOutcome {
            check: spec.id.clone(),
            status: RunStatus::Error,
            exit_code: None,
            duration: Duration::ZERO,
            findings: Vec::new(),
            error: Some(error),
            cancelled: false,
            log,
            lines: 0,
            metric: None,
            metric_note: None,
        },
    };
    outcome.duration = started.elapsed();
    outcome
}

async fn execute(
    spec: &CheckSpec,
    ctx: &RunContext,
    output: &Output,
    cancel: &CancellationToken,
    log_path: &Path,
) -> Result<RunOutcome, String> {
    ctx.sharing
        .create_dir_all(&ctx.logs_dir)
        .map_err(|e| format!("cannot create {}: {e}", ctx.logs_dir.display()))?;
    let log = std::fs::File::create(log_path)
        .map_err(|e| format!("cannot write {}: {e}", log_path.display()))?;
    ctx.sharing.apply(log_path);
    let workdir = match &spec.cwd {
        Some(cwd) => ctx.root.join(cwd),
        None => ctx.root.clone(),
    };
    if !workdir.is_dir() {
        return Err(format!(
            "working folder {} does not exist",
            workdir.display()
        ));
    }
    let report_path = spec.report.as_ref().map(|r| ctx.root.join(r));
    let report_before = report_path.as_deref().and_then(modified);
    let metric_path = spec.metric.as_ref().and_then(|m| match &m.source {
        MetricSource::Lcov { path } | MetricSource::Cobertura { path } => Some(ctx.root.join(path)),
        MetricSource::Regex { .. } => None,
    });
    let metric_before = metric_path.as_deref().and_then(modified);

    let (reader, writer) = std::io::pipe().map_err(|e| format!("cannot create a pipe: {e}"))?;
    enlarge_pipe(&writer);
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg(&spec.run)
        .current_dir(&workdir)
        .envs(&spec.env)
        .stdin(Stdio::null())
        .process_group(0);
    // A document on stdout goes straight to a file, not through memory.
    let stdout_capture = if spec.format.reads_document() && spec.report.is_none() {
        let path = ctx.logs_dir.join(format!("{}.stdout", spec.id));
        let file = std::fs::File::create(&path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        ctx.sharing.apply(&path);
        cmd.stdout(file);
        Some(path)
    } else {
        let clone = writer
            .try_clone()
            .map_err(|e| format!("cannot create a pipe: {e}"))?;
        cmd.stdout(clone);
        None
    };
    cmd.stderr(writer);
    let spawned = cmd.spawn();
    // The command holds our copies of the pipe's write end: drop them, or the pipe
    // never reaches end-of-file.
    drop(cmd);
    let mut child = spawned.map_err(|e| format!("cannot start `sh -c`: {e}"))?;
    let pid = child
        .id()
        .ok_or_else(|| "the check exited before it could be watched".to_string())?;
    let pgid = Pid::from_raw(pid as i32);
    let mut guard = GroupGuard { pgid, armed: true };

    let receiver = pipe::Receiver::from_owned_fd(OwnedFd::from(reader))
        .map_err(|e| format!("cannot read the check's output: {e}"))?;
    let parser = StreamParser::for_format(&spec.format);
    let reader_task = tokio::spawn(read_output(
        receiver,
        log,
        output.clone(),
        parser,
        ctx.root.clone(),
        spec.severity,
    ));

    let timeout = async {
        match spec.timeout {
            Some(limit) => tokio::time::sleep(limit).await,
            None => std::future::pending().await,
        }
    };
    let end = tokio::select! {
        status = child.wait() => End::Exited(status.map_err(|e| format!("lost the check's process: {e}"))?),
        () = cancel.cancelled() => End::Cancelled,
        () = timeout => End::TimedOut,
    };
    // Whatever is left of the group goes, on every path: no orphans.
    end_group(pgid, &mut child).await;
    if !matches!(end, End::Exited(_)) {
        let _ = child.wait().await;
    }
    guard.armed = false;

    let (stream_result, lines, drained) = match tokio::time::timeout(DRAIN_LIMIT, reader_task).await
    {
        Ok(Ok(read)) => (read.findings, read.lines, true),
        _ => (None, output.lock().total(), false),
    };

    let (exit_code, timed_out, mut note) = match end {
        End::Exited(status) => (status.code(), false, None),
        End::TimedOut => (
            None,
            true,
            Some(format!(
                "timed out after {}",
                humantime::format_duration(spec.timeout.unwrap_or_default())
            )),
        ),
        End::Cancelled => (None, false, Some("cancelled".to_string())),
    };
    if !drained && note.is_none() {
        note = Some("output pipe held open by a process outside the check's group".into());
    }

    let report: Option<Result<Vec<Finding>, String>> = if spec.format.reads_document() {
        let source = report_path.as_deref().or(stdout_capture.as_deref());
        source.map(|path| {
            let before = report_path.is_some().then_some(report_before).flatten();
            match read_document(spec, ctx, path, before) {
                Err(_) if report_path.is_none() && is_blank(path) => {
                    Err(nothing_on_stdout(&output.lock()))
                }
                // Not "<logs>/<id>.stdout: …": the user wrote no such file.
                Err(e) if report_path.is_none() => Err(e
                    .split_once(": ")
                    .map_or(e.clone(), |(_, rest)| format!("stdout: {rest}"))),
                read => read,
            }
        })
    } else {
        stream_result
    };
    let status = judge(exit_code, timed_out, report.as_ref());
    let mut findings = match report {
        Some(Ok(findings)) => findings,
        Some(Err(reason)) => {
            if note.is_none() {
                note = Some(reason);
            }
            Vec::new()
        }
        None => Vec::new(),
    };
    let (metric, metric_note) = match (&spec.metric, timed_out || exit_code.is_none()) {
        (Some(m), false) => {
            match read_metric(m, ctx, log_path, metric_path.as_deref(), metric_before) {
                Ok(value) => {
                    let note = value.note.clone();
                    (Some(value), note)
                }
                Err(e) => (None, Some(e)),
            }
        }
        _ => (None, None),
    };
    dependencies::enrich(&mut findings, &spec.run, &workdir);
    anchor_paths(&mut findings, spec.cwd.as_deref(), &ctx.root);
    let mut sources = SourceLines::new(&ctx.root);
    assign_fingerprints(&spec.id, &mut findings, |path, line| {
        sources.line(path, line)
    });
    Ok(RunOutcome {
        cancelled: matches!(end, End::Cancelled),
        check: spec.id.clone(),
        status,
        exit_code,
        duration: Duration::ZERO,
        findings,
        error: if status == RunStatus::Passed {
            None
        } else {
            note
        },
        log: log_path.to_path_buf(),
        lines,
        metric,
        metric_note,
    })
}

/// Most output read for a regex metric: its tail, where summaries are printed.
const METRIC_TAIL: u64 = 4 * 1024 * 1024;

/// Read a check's number: from its coverage report (which this run must have
/// rewritten) or from the tail of its output.
fn read_metric(
    spec: &MetricSpec,
    ctx: &RunContext,
    log: &Path,
    report: Option<&Path>,
    before: Option<SystemTime>,
) -> Result<MetricValue, String> {
    match (&spec.source, report) {
        (MetricSource::Regex { pattern }, _) => {
            let (text, _) = crate::fsutil::read_tail(log, METRIC_TAIL)
                .map_err(|e| format!("cannot read the output: {e}"))?;
            metrics::read_regex(pattern, &text, spec.unit.as_deref())
        }
        (source, Some(path)) => {
            let shown = path
                .strip_prefix(&ctx.root)
                .unwrap_or(path)
                .display()
                .to_string();
            let bytes =
                std::fs::read(path).map_err(|_| format!("the check wrote no report at {shown}"))?;
            if before.is_some() && modified(path) == before {
                return Err(format!("the report {shown} was not rewritten by this run"));
            }
            let kind = ReportKind::of(source).unwrap_or(ReportKind::Lcov);
            let mut value = metrics::read_report_named(kind, &shown, &bytes)?;
            if spec.unit.is_some() {
                value.unit = spec.unit.clone();
            }
            Ok(value)
        }
        (_, None) => Err("no report path for the metric".into()),
    }
}

/// Best effort: a smaller pipe only costs speed.
fn enlarge_pipe(writer: &std::io::PipeWriter) {
    #[cfg(target_os = "linux")]
    {
        use nix::fcntl::{fcntl, FcntlArg};
        use std::os::fd::AsRawFd;
        let _ = fcntl(writer.as_raw_fd(), FcntlArg::F_SETPIPE_SZ(PIPE_BUFFER));
    }
    #[cfg(not(target_os = "linux"))]
    let _ = writer;
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Read a SARIF/JUnit document; a report left over from an earlier run does not count.
fn read_document(
    spec: &CheckSpec,
    ctx: &RunContext,
    path: &Path,
    before: Option<SystemTime>,
) -> Result<Vec<Finding>, String> {
    let shown = path.strip_prefix(&ctx.root).unwrap_or(path).display();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("the check wrote no report at {shown}"));
        }
        Err(e) => return Err(format!("cannot read the report {shown}: {e}")),
    };
    if before.is_some() && modified(path) == before {
        return Err(format!("the report {shown} was not rewritten by this run"));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(format!("the report {shown} is empty"));
    }
    let parse = ParseContext {
        default_severity: spec.severity,
        root: &ctx.root,
    };
    parse_document(&spec.format, &bytes, &parse).map_err(|e| format!("{shown}: {e}"))
}

/// Whether a captured stdout holds nothing but white space (or is missing). Only a
/// small file is read to tell.
fn is_blank(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > 4096 => false,
        Ok(_) => std::fs::read(path).map_or(true, |b| b.iter().all(u8::is_ascii_whitespace)),
        Err(_) => true,
    }
}

/// A document check that printed no report: say why, from its output (stderr).
fn nothing_on_stdout(ring: &Ring) -> String {
    match dependencies::reason_line(&ring.lines().collect::<Vec<_>>()) {
        Some(reason) => format!("the check printed no report on stdout; its output says: {reason}"),
        None => "the check printed nothing on stdout and no output".to_string(),
    }
}

/// Paths a tool printed relative to the check's `cwd` become relative to the root.
fn anchor_paths(findings: &mut [Finding], cwd: Option<&Path>, root: &Path) {
    let Some(cwd) = cwd else { return };
    for finding in findings {
        if let Some(path) = &finding.path {
            let p = Path::new(path);
            if p.is_relative() && !root.join(p).exists() && root.join(cwd).join(p).exists() {
                finding.path = Some(cwd.join(p).to_string_lossy().into_owned());
            }
        }
    }
}

/// Source lines for fingerprints, each file read at most once per run.
struct SourceLines<'a> {
    root: &'a Path,
    files: HashMap<String, Option<String>>,
}

impl<'a> SourceLines<'a> {
    fn new(root: &'a Path) -> Self {
        SourceLines {
            root,
            files: HashMap::new(),
        }
    }

    fn line(&mut self, path: &str, line: u32) -> Option<String> {
        let root = self.root;
        let text = self
            .files
            .entry(path.to_string())
            .or_insert_with(|| std::fs::read_to_string(root.join(path)).ok());
        text.as_deref()?
            .lines()
            .nth((line as usize).checked_sub(1)?)
            .map(str::to_owned)
    }
}

struct ReadResult {
    findings: Option<Result<Vec<Finding>, String>>,
    lines: u64,
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
async fn read_output(
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
    let mut log_ok = true;
    let mut flushed = Instant::now();
    loop {
        let read = if log.buffer().is_empty() {
            reader.fill_buf().await
        } else {
            match tokio::time::timeout(LOG_FLUSH, reader.fill_buf()).await {
                Ok(read) => read,
                Err(_) => {
                    // Quiet for a while: what waits in the buffer goes to the file.
                    log_ok = log_ok && log.flush().is_ok();
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
        if log_ok {
            log_ok = log.write_all(chunk).is_ok();
            if log_ok && flushed.elapsed() >= LOG_FLUSH {
                log_ok = log.flush().is_ok();
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
    let _ = log.flush();
    ReadResult {
        findings: parser.map(StreamParser::finish),
        lines,
    }
}

/// Hand the complete lines of `chunk` to the ring (and the parser); an unfinished
/// last line waits in `partial`. Returns how many lines were taken.
fn split_lines(
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

fn take_line(raw: &[u8], parser: &mut Option<StreamParser>, ctx: &ParseContext, ring: &mut Ring) {
    take_str(&String::from_utf8_lossy(raw), parser, ctx, ring);
}

fn take_str(line: &str, parser: &mut Option<StreamParser>, ctx: &ParseContext, ring: &mut Ring) {
    let line = line.strip_suffix('\r').unwrap_or(line);
    match parser.as_mut().and_then(|p| p.feed(line, ctx)) {
        None => ring.push(line),
        Some(shown) => shown.lines().for_each(|l| ring.push(l)),
    }
}

#[cfg(test)]
mod tests;
