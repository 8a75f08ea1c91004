//! Running one check: a process group, its output, its timeout, its findings.
//!
//! Each check runs as `sh -c RUN` in a process group of its own, so a timeout or a
//! cancel ends the whole group (grandchildren included): SIGTERM, then SIGKILL after
//! [`KILL_GRACE`]. stdout and stderr share one pipe, so lines arrive in the order they
//! were written. The full output goes to a log file in local state; memory holds only
//! the last lines ([`Output`]), so a check that prints gigabytes costs nothing more.

mod dependencies;
pub mod failure;
mod group;
mod metric;
mod ring;
pub mod slots;
pub mod source;
mod stream;
pub mod tail;
pub mod watchdog;
pub mod windows;

pub use ring::{Output, Ring};

use group::{end_group, GroupGuard};
use source::SourceLines;

use crate::domain::check::MetricSource;
use crate::domain::check::{judge, CheckSpec, RunStatus};
use crate::domain::finding::{assign_fingerprints, Finding, Findings};
use crate::formats::{parse_document, ParseContext, StreamParser};
use crate::fsutil::{self, Links};
use crate::metrics::MetricValue;
use nix::unistd::Pid;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};

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
    /// Its process was started. A check stopped while it waited for its turn (Ctrl-C
    /// with more checks than jobs) was not: it reads `not started`, not `error`.
    pub started: bool,
    /// The full output of the run.
    pub log: PathBuf,
    /// Output lines seen.
    pub lines: u64,
    /// The check's metric, when it declares one and it could be read.
    pub metric: Option<MetricValue>,
    /// How the metric was read (a report in another format) or why it could not be.
    pub metric_note: Option<String>,
    /// `Some(n)` when the findings were cut at `n` (the caps of [`Findings`]): such a
    /// run verifies nothing, and gates do not count it clean.
    pub truncated: Option<usize>,
    /// Why the log file is incomplete (a full disk), when it is.
    pub log_error: Option<String>,
}

impl RunOutcome {
    /// A check stopped before its process started (interrupted while it waited for a
    /// job slot): not a result, never recorded.
    pub fn not_started(spec: &CheckSpec, ctx: &RunContext) -> RunOutcome {
        RunOutcome {
            check: spec.id.clone(),
            status: RunStatus::Error,
            exit_code: None,
            duration: Duration::ZERO,
            findings: Vec::new(),
            error: Some("not started: interrupted while it waited for its turn".into()),
            truncated: None,
            log_error: None,
            cancelled: true,
            started: false,
            log: ctx.logs_dir.join(format!("{}.log", spec.id)),
            lines: 0,
            metric: None,
            metric_note: None,
        }
    }

    /// Stopped before its turn came: neither a result nor an error of the check.
    pub fn never_started(&self) -> bool {
        self.cancelled && !self.started
    }

    /// How its status reads for people: `not started` for a check that never began.
    pub fn status_label(&self) -> &'static str {
        if self.never_started() {
            "not started"
        } else {
            self.status.as_str()
        }
    }
}

enum End {
    Exited(std::process::ExitStatus),
    TimedOut,
    Cancelled,
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
            started: false,
            log,
            lines: 0,
            metric: None,
            metric_note: None,
            truncated: None,
            log_error: None,
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
    // A repository moved or deleted under a watcher: never re-create its local state
    // (`<old path>/.git/preflight`) nor run in a ghost folder.
    if !ctx.root.is_dir() {
        return Err(format!(
            "the repository {} is gone (moved or deleted): nothing runs",
            ctx.root.display()
        ));
    }
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
    let (mut child, stdout_capture) = spawn(spec, ctx, &workdir, writer)?;
    let pid = child
        .id()
        .ok_or_else(|| "the check exited before it could be watched".to_string())?;
    let pgid = Pid::from_raw(pid as i32);
    watchdog::watch(pgid);
    let mut guard = GroupGuard { pgid, armed: true };

    let receiver = pipe::Receiver::from_owned_fd(OwnedFd::from(reader))
        .map_err(|e| format!("cannot read the check's output: {e}"))?;
    let parser = StreamParser::for_format(&spec.format);
    let reader_task = tokio::spawn(stream::read_output(
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
    watchdog::forget(pgid);

    let (stream_result, lines, drained, log_error) =
        match tokio::time::timeout(DRAIN_LIMIT, reader_task).await {
            Ok(Ok(read)) => (read.findings, read.lines, true, read.log_error),
            _ => (None, output.lock().total(), false, None),
        };

    let read = Read {
        stream: stream_result,
        lines,
        drained,
        log_error,
    };
    let before = Before {
        report: report_path.as_deref().map(|p| (p, report_before)),
        stdout_capture: stdout_capture.as_deref(),
        metric: metric_path.as_deref().map(|p| (p, metric_before)),
    };
    Ok(conclude(
        spec, ctx, &workdir, output, log_path, &end, read, &before,
    ))
}

/// Start `sh -c RUN` in a process group of its own, stdout and stderr into `writer`
/// (or stdout into a file, for a document format without a report path, whose path
/// comes back).
fn spawn(
    spec: &CheckSpec,
    ctx: &RunContext,
    workdir: &Path,
    writer: std::io::PipeWriter,
) -> Result<(tokio::process::Child, Option<PathBuf>), String> {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg(&spec.run)
        .current_dir(workdir)
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
    let child = spawned.map_err(|e| format!("cannot start `sh -c`: {e}"))?;
    Ok((child, stdout_capture))
}

/// A run whose findings were cut at `kept`: something was found and left out, so it
/// is never a pass, whatever was kept, and its note says so.
fn truncation(kept: usize, status: &mut RunStatus, note: &mut Option<String>) {
    if *status == RunStatus::Passed {
        *status = RunStatus::Failed;
    }
    let said = format!("findings truncated at {kept}: this run verifies nothing");
    *note = Some(match note.take() {
        Some(other) => format!("{other}; {said}"),
        None => said,
    });
}

/// What the output reader came back with.
struct Read {
    stream: Option<Result<Findings, String>>,
    lines: u64,
    /// The pipe reached its end (else a process outside the group held it open).
    drained: bool,
    /// Why the log stopped being written (a full disk).
    log_error: Option<String>,
}

/// The files a run reads its results from, with their times before it started (a
/// report not rewritten by this run does not count).
struct Before<'a> {
    report: Option<(&'a Path, Option<SystemTime>)>,
    stdout_capture: Option<&'a Path>,
    metric: Option<(&'a Path, Option<SystemTime>)>,
}

/// Judge a run that ended: its status, findings and metric.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of one run, each already named by the caller"
)]
fn conclude(
    spec: &CheckSpec,
    ctx: &RunContext,
    workdir: &Path,
    output: &Output,
    log_path: &Path,
    end: &End,
    read: Read,
    before: &Before,
) -> RunOutcome {
    let (report_path, report_before) = before.report.unzip();
    let (metric_path, metric_before) = before.metric.unzip();
    let (stream_result, lines, drained) = (read.stream, read.lines, read.drained);
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

    let report: Option<Result<Findings, String>> = if spec.format.reads_document() {
        let source = report_path.or(before.stdout_capture);
        source.map(|path| {
            match read_document(spec, ctx, path, report_before.flatten()) {
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
    let truncated = match &report {
        Some(Ok(findings)) => findings.truncated_at(),
        _ => None,
    };
    let report = report.map(|r| r.map(Findings::into_vec));
    let mut status = judge(exit_code, timed_out, report.as_ref());
    if let Some(kept) = truncated {
        truncation(kept, &mut status, &mut note);
    }
    // A tool that is not installed reads as such, not as an empty report.
    if let Some(why) = exit_code.and_then(|code| {
        let ring = output.lock();
        let last: Vec<&str> = ring.lines().rev().take(20).rev().collect();
        failure::could_not_run(code, &spec.run, &last)
    }) {
        status = RunStatus::Error;
        note = Some(why);
    }
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
            match metric::read_metric(m, ctx, log_path, metric_path, metric_before.flatten()) {
                Ok(value) => {
                    let note = value.note.clone();
                    (Some(value), note)
                }
                Err(e) => (None, Some(e)),
            }
        }
        _ => (None, None),
    };
    dependencies::enrich(&mut findings, &spec.run, workdir);
    anchor_paths(&mut findings, spec.cwd.as_deref(), &ctx.root);
    let mut sources = SourceLines::new(&ctx.root);
    assign_fingerprints(&spec.id, &mut findings, |path, line| {
        sources.line(path, line)
    });
    RunOutcome {
        cancelled: matches!(end, End::Cancelled),
        started: true,
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
        truncated,
        log_error: read.log_error,
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
) -> Result<Findings, String> {
    let shown = path.strip_prefix(&ctx.root).unwrap_or(path).display();
    let bytes = match fsutil::read_regular(path, fsutil::MAX_REPORT, Links::Follow) {
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

#[cfg(test)]
mod tests;
