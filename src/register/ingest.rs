//! `preflight ingest FILE --check ID`: a report made elsewhere (a CI artifact, a
//! nightly scan too slow for a laptop) filed as a run of that check, with the same
//! lifecycle as a local run: new findings filed, known ones refreshed, gone ones
//! verified, returning ones reopened as regressions.
//!
//! A report is dated by its own timestamp where the format has one (SARIF
//! `invocations[].endTimeUtc`, else `startTimeUtc`; JUnit `testsuite@timestamp`; the
//! latest when there are several), else by the file's modification time. A report
//! older than the last one ingested for the same check is refused unless forced: an
//! old artifact must not "verify" what a newer one still reports. The last date per
//! check is kept in local state (`ingested.json`).
//!
//! The report is hostile: read as a regular file of at most [`MAX_REPORT`] bytes;
//! paths from another machine (`/home/runner/work/app/app/src/x.rs`) are matched to
//! the repository by their longest tail that exists here, and source lines for
//! fingerprints are only read from regular files inside the repository.

use crate::config::Config;
use crate::domain::check::{CheckSpec, Format, RunStatus};
use crate::domain::finding::{assign_fingerprints, Finding, Findings, Severity};
use crate::formats::{parse_document, ParseContext, StreamParser};
use crate::fsutil::write_atomic;
use crate::history::{History, RunRecord};
use crate::register::{file_outcomes, Filed};
use crate::repo::{Head, Repo};
use crate::runner::source::SourceLines;
use crate::runner::RunOutcome;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Largest report read.
pub const MAX_REPORT: u64 = crate::fsutil::MAX_REPORT;
/// Deepest foreign path matched against the repository.
const MAX_DEPTH: usize = 64;
/// The ledger of the last report per check, in local state.
const LEDGER: &str = "ingested.json";
/// Largest ledger read.
const MAX_LEDGER: u64 = 1024 * 1024;

/// How a report's date was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatedBy {
    /// The report's own timestamp.
    Timestamp,
    /// The file's modification time (the format has no timestamp, or this one had none).
    Mtime,
}

impl DatedBy {
    pub fn words(self) -> &'static str {
        match self {
            DatedBy::Timestamp => "its own timestamp",
            DatedBy::Mtime => "the file's modification time",
        }
    }
}

/// What to ingest.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub file: &'a Path,
    pub check: &'a str,
    /// `sarif`, `junit`, `cargo` or `lines`; `None`: the check's own format.
    pub format: Option<&'a str>,
    /// Ingest even when older than the last report ingested for the check.
    pub force: bool,
}

/// What ingesting did.
#[derive(Debug)]
pub struct Ingested {
    pub findings: usize,
    pub made_at: SystemTime,
    pub dated_by: DatedBy,
    /// The commit the report names (SARIF `versionControlProvenance`), if any.
    pub commit: Option<String>,
    pub filed: Filed,
    /// The check is not declared: default severities applied.
    pub undeclared: bool,
}

/// File a report as a run of `request.check`. `Err` is one line.
pub fn ingest(repo: &Repo, config: &Config, request: &Request) -> Result<Ingested, String> {
    let (spec, undeclared) = spec_for(config, request)?;
    let format = format_for(&spec, request.format)?;
    let shown = request.file.display().to_string();
    let bytes = read_report(request.file).map_err(|e| format!("{shown}: {e}"))?;
    let ctx = ParseContext {
        default_severity: spec.severity,
        root: &repo.root,
    };
    let parsed = parse(&format, &bytes, &ctx).map_err(|e| format!("{shown}: {e}"))?;
    let truncated = parsed.truncated_at();
    let mut findings = parsed.into_vec();
    let (made_at, dated_by) = dated(&format, &bytes, request.file, &shown)?;
    let mut ledger = Ledger::load(&repo.state_dir);
    if !request.force {
        refuse_older(&ledger, request.check, made_at, dated_by, &shown)?;
    }
    rebase_paths(&mut findings, &repo.root);
    let mut sources = SourceLines::new(&repo.root);
    assign_fingerprints(request.check, &mut findings, |path, line| {
        sources.line(path, line)
    });
    let commit = if format.name() == "sarif" {
        sarif_commit(&bytes)
    } else {
        None
    };
    let head = repo.head();
    let run_head = Head {
        branch: head.as_ref().and_then(|h| h.branch.clone()),
        commit: commit
            .clone()
            .or_else(|| head.as_ref().and_then(|h| h.commit.clone())),
        dirty: 0,
    };
    let status = if findings.is_empty() {
        RunStatus::Passed
    } else {
        RunStatus::Failed
    };
    let outcome = RunOutcome {
        check: request.check.to_string(),
        status,
        exit_code: None,
        duration: Duration::ZERO,
        findings,
        error: None,
        log: request.file.to_path_buf(),
        lines: 0,
        metric: None,
        metric_note: None,
        truncated,
        log_error: None,
        cancelled: false,
        // It ran, elsewhere: a result, not a check stopped before its turn.
        started: true,
    };
    let mut config = config.clone();
    if undeclared {
        config.checks.push(spec);
    }
    let filed = file_outcomes(
        repo,
        &config,
        Some(&run_head),
        std::slice::from_ref(&outcome),
    )
    .map_err(|e| e.to_string())?;
    let record = RunRecord {
        check: request.check.to_string(),
        status,
        exit_code: None,
        duration_ms: 0,
        finished_at: rfc3339(made_at),
        commit: run_head.commit.clone(),
        dirty: false,
        findings: outcome.findings.len(),
        metric: None,
        unit: None,
        metric_note: None,
        truncated,
    };
    History::new(&repo.state_dir)
        .append(std::slice::from_ref(&record))
        .map_err(|e| format!("cannot record the run: {e}"))?;
    ledger.set(request.check, made_at, dated_by, &shown);
    ledger.save(&repo.state_dir)?;
    Ok(Ingested {
        findings: outcome.findings.len(),
        made_at,
        dated_by,
        commit,
        filed,
        undeclared,
    })
}

/// When the report was made: its own timestamp where the format has one, else the
/// file's modification time.
fn dated(
    format: &Format,
    bytes: &[u8],
    file: &Path,
    shown: &str,
) -> Result<(SystemTime, DatedBy), String> {
    match timestamp_of(format, bytes) {
        Some(at) => Ok((at, DatedBy::Timestamp)),
        None => std::fs::metadata(file)
            .and_then(|m| m.modified())
            .map(|at| (at, DatedBy::Mtime))
            .map_err(|e| format!("{shown}: {e}")),
    }
}

/// A report older than the last one ingested for the check would verify what a newer
/// one still reports: refused.
fn refuse_older(
    ledger: &Ledger,
    check: &str,
    made_at: SystemTime,
    dated_by: DatedBy,
    shown: &str,
) -> Result<(), String> {
    match ledger.last(check) {
        Some(last) if made_at < last.0 => Err(format!(
            "{shown} was made at {} (by {}), before the last report ingested for `{check}` ({}, {}): refused, so an old report cannot verify what a newer one still reports; pass --force to ingest it anyway",
            rfc3339(made_at),
            dated_by.words(),
            rfc3339(last.0),
            last.1
        )),
        _ => Ok(()),
    }
}

fn rfc3339(at: SystemTime) -> String {
    humantime::format_rfc3339_seconds(at).to_string()
}

/// The declared check, or (with `--format`) a stand-in with default severities.
fn spec_for(config: &Config, request: &Request) -> Result<(CheckSpec, bool), String> {
    if let Some(spec) = config.check(request.check) {
        return Ok((spec.clone(), false));
    }
    let known: Vec<&str> = config.checks.iter().map(|c| c.id.as_str()).collect();
    if request.format.is_none() {
        let hint = crate::config::did_you_mean(request.check, known.iter().copied())
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        return Err(format!(
            "no check `{}` is declared; {hint}declare it in preflight.toml (for its severity map and gates) or pass --format to file it with default severities",
            request.check
        ));
    }
    let valid = !request.check.is_empty()
        && request.check.len() <= 64
        && request
            .check
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(format!(
            "`{}` cannot be a check id: letters, digits, `-`, `_` and `.` only",
            request.check.escape_default()
        ));
    }
    Ok((
        CheckSpec {
            id: request.check.to_string(),
            name: request.check.to_string(),
            run: String::new(),
            watch: Vec::new(),
            format: Format::ExitCode,
            report: None,
            timeout: None,
            cwd: None,
            env: BTreeMap::new(),
            severity: Severity::Medium,
            severity_map: BTreeMap::new(),
            metric: None,
        },
        true,
    ))
}

/// The reader: `--format`, else the check's own.
fn format_for(spec: &CheckSpec, flag: Option<&str>) -> Result<Format, String> {
    let format = match flag {
        None => spec.format.clone(),
        Some("sarif") => Format::Sarif,
        Some("junit") => Format::Junit,
        Some("cargo") => Format::Cargo,
        Some("lines") => match &spec.format {
            Format::Lines(re) => Format::Lines(re.clone()),
            _ => {
                return Err(format!(
                "--format lines needs the check's `pattern`: declare `{}` with format = \"lines\"",
                spec.id
            ))
            }
        },
        Some(other) => {
            return Err(format!(
                "unknown format `{}`, expected one of: sarif, junit, cargo, lines",
                other.escape_default()
            ))
        }
    };
    if matches!(format, Format::ExitCode) {
        return Err(format!(
            "check `{}` reads only an exit code, which a report cannot give: pass --format sarif, junit, cargo or lines",
            spec.id
        ));
    }
    Ok(format)
}

/// The report's bytes: a regular file of at most [`MAX_REPORT`] (`fsutil::read_regular`:
/// opened without blocking, so a FIFO named like a report is refused, not waited on).
fn read_report(path: &Path) -> Result<Vec<u8>, String> {
    let bytes = crate::fsutil::read_regular(path, MAX_REPORT, crate::fsutil::Links::Follow)
        .map_err(|e| match e.kind() {
            // Those say the path already: keep only why.
            std::io::ErrorKind::InvalidInput => e
                .to_string()
                .split_once(": ")
                .map_or_else(|| e.to_string(), |(_, why)| why.to_string()),
            _ => e.to_string(),
        })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("the report is empty".into());
    }
    Ok(bytes)
}

fn parse(format: &Format, bytes: &[u8], ctx: &ParseContext) -> Result<Findings, String> {
    if format.reads_document() {
        return parse_document(format, bytes, ctx);
    }
    let Some(mut parser) = StreamParser::for_format(format) else {
        return Err(format!("`{}` cannot be ingested", format.name()));
    };
    let text = String::from_utf8_lossy(bytes);
    for line in text.lines() {
        parser.feed(line, ctx);
    }
    parser.finish()
}

/// The report's own date: the latest it states.
fn timestamp_of(format: &Format, bytes: &[u8]) -> Option<SystemTime> {
    match format {
        Format::Sarif => {
            let doc: serde_json::Value = serde_json::from_slice(bytes).ok()?;
            let runs = doc.get("runs")?.as_array()?;
            let invocation_time = |inv: &serde_json::Value| {
                ["endTimeUtc", "startTimeUtc"]
                    .iter()
                    .find_map(|k| inv.get(*k).and_then(|v| v.as_str()).and_then(parse_time))
            };
            runs.iter()
                .filter_map(|run| run.get("invocations")?.as_array())
                .flatten()
                .filter_map(invocation_time)
                .max()
        }
        Format::Junit => junit_timestamp(bytes),
        _ => None,
    }
}

/// The latest `timestamp` of a `testsuites` or `testsuite` element.
fn junit_timestamp(bytes: &[u8]) -> Option<SystemTime> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut latest: Option<SystemTime> = None;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e))
                if matches!(e.local_name().as_ref(), "testsuite" | "testsuites") =>
            {
                for attr in e.attributes().with_checks(false).flatten() {
                    if attr.key.local_name().as_ref() == "timestamp" {
                        if let Some(at) = parse_time(&attr.value) {
                            latest = latest.max(Some(at));
                        }
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    latest
}

/// RFC 3339 and the common ISO 8601 variants reports use: no zone (UTC), `Z`, or an
/// offset (`+02:00`); fractions of seconds kept.
pub fn parse_time(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    if text.len() < 10 || !text.is_char_boundary(10) {
        return None;
    }
    let (date_time, offset) = split_offset(text);
    let at = humantime::parse_rfc3339_weak(date_time).ok()?;
    let shift = Duration::from_secs(offset.unsigned_abs());
    if offset >= 0 {
        at.checked_sub(shift)
    } else {
        at.checked_add(shift)
    }
}

/// `("2024-05-14T09:50:33.412", +0)` from `2024-05-14T09:50:33.412+00:00`; seconds east.
fn split_offset(text: &str) -> (&str, i64) {
    if let Some(rest) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        return (rest, 0);
    }
    let bytes = text.as_bytes();
    if bytes.len() > 16 {
        let at = bytes.len() - 6;
        let tail = &text[at..];
        let sign = match tail.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return (text, 0),
        };
        if tail.as_bytes()[3] == b':' {
            if let (Ok(h), Ok(m)) = (tail[1..3].parse::<i64>(), tail[4..6].parse::<i64>()) {
                return (&text[..at], sign * (h * 3600 + m * 60));
            }
        }
    }
    (text, 0)
}

/// The commit a SARIF log says it was made at.
fn sarif_commit(bytes: &[u8]) -> Option<String> {
    let doc: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    doc.get("runs")?
        .as_array()?
        .iter()
        .filter_map(|run| run.get("versionControlProvenance")?.as_array())
        .flatten()
        .find_map(|v| v.get("revisionId")?.as_str())
        .filter(|id| id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|id| id.chars().take(12).collect())
}

/// Absolute paths of another machine become the repository's relative paths, by the
/// longest tail that names something here.
fn rebase_paths(findings: &mut [Finding], root: &Path) {
    for finding in findings {
        let Some(path) = &finding.path else { continue };
        if let Some(local) = local_tail(Path::new(path), root) {
            finding.path = Some(local);
        }
    }
}

fn local_tail(path: &Path, root: &Path) -> Option<String> {
    if !path.is_absolute() {
        return None;
    }
    let parts: Vec<&std::ffi::OsStr> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p),
            _ => None,
        })
        .collect();
    (1..parts.len().min(MAX_DEPTH)).find_map(|skip| {
        let tail: PathBuf = parts[skip..].iter().collect();
        std::fs::symlink_metadata(root.join(&tail))
            .is_ok()
            .then(|| tail.to_string_lossy().into_owned())
    })
}

/// The last report ingested per check: when it was made, and how that was known.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Ledger {
    #[serde(default)]
    checks: BTreeMap<String, LedgerEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct LedgerEntry {
    made_at: String,
    dated_by: DatedBy,
    file: String,
}

impl Ledger {
    /// Local state is never required: a missing or damaged ledger is empty.
    fn load(state_dir: &Path) -> Ledger {
        let mut text = String::new();
        let read = std::fs::File::open(state_dir.join(LEDGER))
            .and_then(|f| f.take(MAX_LEDGER).read_to_string(&mut text));
        match read {
            Ok(_) => serde_json::from_str(&text).unwrap_or_default(),
            Err(_) => Ledger::default(),
        }
    }

    fn last(&self, check: &str) -> Option<(SystemTime, String)> {
        let entry = self.checks.get(check)?;
        let at = parse_time(&entry.made_at)?;
        Some((at, format!("{}, by {}", entry.file, entry.dated_by.words())))
    }

    fn set(&mut self, check: &str, made_at: SystemTime, dated_by: DatedBy, file: &str) {
        self.checks.insert(
            check.to_string(),
            LedgerEntry {
                made_at: humantime::format_rfc3339_nanos(made_at).to_string(),
                dated_by,
                file: file.to_string(),
            },
        );
    }

    fn save(&self, state_dir: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        write_atomic(&state_dir.join(LEDGER), text.as_bytes()).map_err(|e| format!("{e:#}"))
    }
}

#[cfg(test)]
mod tests;
