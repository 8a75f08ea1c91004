//! Reading the one number a metric check produces: line coverage from a report file
//! (lcov, Cobertura, and what tools actually write in their place), or a number
//! captured from the check's output.
//!
//! Pure: callers hand in the bytes they read, nothing here touches the file system.
//! The format is always decided by content, never by file name, and a report whose
//! real format is not the declared one is still read when supported, with a note
//! that says so, so a misconfigured check is visible instead of silently wrong.

mod capture;
mod cobertura;
mod jacoco;
mod json;
mod lcov;
mod xml;

pub use capture::read_regex;

use crate::domain::check::MetricSource;

/// One number read from a check, as the checks pane and the gates show it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricValue {
    /// The number itself (coverage in percent, 0 to 100).
    pub value: f64,
    /// `%` for coverage; whatever the check declares for a regex capture.
    pub unit: Option<String>,
    /// Something the user should know about how the number was read (e.g. the
    /// report was not in the declared format).
    pub note: Option<String>,
}

/// The report formats a check can declare in `preflight.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// An lcov tracefile (`lcov.info`).
    Lcov,
    /// A Cobertura XML report (`coverage.xml`).
    Cobertura,
}

impl ReportKind {
    /// The report kind a metric source declares; `None` for a regex over output,
    /// which is read with [`read_regex`] instead.
    pub fn of(source: &MetricSource) -> Option<ReportKind> {
        match source {
            MetricSource::Lcov { .. } => Some(ReportKind::Lcov),
            MetricSource::Cobertura { .. } => Some(ReportKind::Cobertura),
            MetricSource::Regex { .. } => None,
        }
    }

    /// The name users know the format by, for messages.
    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Lcov => "lcov",
            ReportKind::Cobertura => "Cobertura",
        }
    }
}

/// Which JSON coverage summary a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonFlavor {
    /// `coverage json` from coverage.py (`meta` + `totals`).
    CoveragePy,
    /// Istanbul/nyc/jest `coverage-summary.json` (`total.lines`).
    IstanbulSummary,
}

/// What a report's content says it is, whatever its name or declared format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    /// An lcov tracefile.
    Lcov,
    /// Cobertura XML (root `<coverage>` without Clover's attributes).
    Cobertura,
    /// JaCoCo XML (root `<report>`), read for its LINE counter.
    JaCoCo,
    /// A JSON coverage summary, read for its line counts.
    CoverageJson(JsonFlavor),
    /// Not a coverage report this module reads; the text says what it looks like
    /// ("a JUnit test report", "an empty file"), for the error message.
    Unknown(String),
}

impl Detected {
    /// Short format name, as in "read it as JaCoCo".
    pub fn label(&self) -> &str {
        match self {
            Detected::Lcov => "lcov",
            Detected::Cobertura => "Cobertura",
            Detected::JaCoCo => "JaCoCo",
            Detected::CoverageJson(JsonFlavor::CoveragePy) => "coverage.py JSON",
            Detected::CoverageJson(JsonFlavor::IstanbulSummary) => "Istanbul JSON summary",
            Detected::Unknown(what) => what,
        }
    }

    /// The format with its article, as in "coverage.xml is a JaCoCo report".
    pub fn describe(&self) -> String {
        match self {
            Detected::Lcov => "an lcov report".into(),
            Detected::Cobertura => "a Cobertura report".into(),
            Detected::JaCoCo => "a JaCoCo report".into(),
            Detected::CoverageJson(JsonFlavor::CoveragePy) => "a coverage.py JSON report".into(),
            Detected::CoverageJson(JsonFlavor::IstanbulSummary) => {
                "an Istanbul coverage-summary.json".into()
            }
            Detected::Unknown(what) => what.clone(),
        }
    }

    fn is(&self, declared: ReportKind) -> bool {
        matches!(
            (self, declared),
            (Detected::Lcov, ReportKind::Lcov) | (Detected::Cobertura, ReportKind::Cobertura)
        )
    }
}

/// Strip a UTF-8 byte order mark and leading white space: Windows tools write both.
fn content_start(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// Tell what a report is from its content alone, so that a misnamed or misdeclared
/// file is recognised and a wrong file (a JUnit report, an HTML page) is named in
/// the error instead of producing a number.
pub fn detect(bytes: &[u8]) -> Detected {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Detected::Unknown("UTF-16 text (write the report as UTF-8)".into());
    }
    let body = content_start(bytes);
    match body.first() {
        None if bytes.is_empty() => Detected::Unknown("an empty file".into()),
        None => Detected::Unknown("a file of only white space".into()),
        Some(b'<') => xml::detect(body),
        Some(b'{') | Some(b'[') => json::detect(body),
        Some(_) => lcov::detect(body),
    }
}

/// What one reader found: line coverage in percent, and anything worth a note.
struct Read {
    percent: f64,
    note: Option<String>,
}

/// Read line coverage (in percent) from a report declared as `declared`.
///
/// Messages name the file "the report"; use [`read_report_named`] to have them name
/// the actual file.
pub fn read_report(declared: ReportKind, bytes: &[u8]) -> Result<MetricValue, String> {
    read_report_named(declared, "the report", bytes)
}

/// Read line coverage (in percent) from a report declared as `declared`; `name` (the
/// file's name, e.g. `coverage.xml`) is only used in messages, never to decide the
/// format.
pub fn read_report_named(
    declared: ReportKind,
    name: &str,
    bytes: &[u8],
) -> Result<MetricValue, String> {
    let detected = detect(bytes);
    let read = match &detected {
        Detected::Lcov => lcov::read(name, bytes)?,
        Detected::Cobertura => cobertura::read(name, bytes)?,
        Detected::JaCoCo => jacoco::read(name, bytes)?,
        Detected::CoverageJson(flavor) => json::read(name, *flavor, bytes)?,
        Detected::Unknown(_) if content_start(bytes).is_empty() => {
            return Err(format!("{name} is empty: the check wrote no coverage"));
        }
        Detected::Unknown(what) => {
            return Err(format!(
                "{name} is not an lcov or Cobertura report (it looks like {what})"
            ));
        }
    };
    if !read.percent.is_finite() {
        return Err(format!("{name}: the coverage read is not a number"));
    }
    let mismatch = (!detected.is(declared)).then(|| {
        format!(
            "{name} is {}, not {}; read it as {}",
            detected.describe(),
            declared.label(),
            detected.label()
        )
    });
    let note = match (mismatch, read.note) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    Ok(MetricValue {
        value: read.percent,
        unit: Some("%".into()),
        note,
    })
}

/// Percent of `covered` out of `total`, or the reason there is no such number.
fn percent(name: &str, format: &str, covered: u64, total: u64) -> Result<f64, String> {
    if total == 0 {
        return Err(format!(
            "{name}: the {format} report covers no lines (0 instrumented lines)"
        ));
    }
    if covered > total {
        return Err(format!(
            "{name}: the {format} report says {covered} lines covered out of {total}"
        ));
    }
    Ok(covered as f64 * 100.0 / total as f64)
}

#[cfg(test)]
mod tests;
