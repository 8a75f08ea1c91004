//! `preflight.toml` → validated domain data, with every error pointing at
//! file:line:column.
//!
//! Two layers: [`raw`] mirrors the file for serde (keeping spans of the values that
//! later validation may reject), and [`load_str`] turns it into [`Config`], checking
//! what serde cannot: ids, references, cycles, globs, formats, durations.

mod checks;
pub mod default;
mod gates;
mod plan;
mod raw;
mod scanners;

pub use checks::parse_duration;
use checks::validate_checks;
use gates::validate_gates;
use plan::validate_plan;

use crate::domain::check::{CheckSpec, Format, MetricSource, MetricSpec};
use crate::domain::finding::Severity;
use crate::domain::gate::{GateKind, GateSpec};
use crate::domain::plan::{find_cycle, Location, Phase, Plan, Task, TaskStatus};
use raw::{RawCheck, RawFile, RawGate, RawMetric};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "preflight.toml";

/// Lines of output kept in memory per check (the full log goes to local state).
pub const DEFAULT_OUTPUT_LINES: usize = 10_000;

/// Where the configuration came from: a file, or detection when there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    /// Detected from the repository; the text is what `preflight init` would write.
    Default,
}

#[derive(Debug, Clone, Default)]
pub struct Project {
    pub name: String,
    /// Globs of markdown plan files.
    pub plans: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RunnerSettings {
    /// Checks run at once; `None` means one per core.
    pub jobs: Option<usize>,
    /// Lines of output kept in memory per check.
    pub output_lines: usize,
}

impl Default for RunnerSettings {
    fn default() -> Self {
        RunnerSettings {
            jobs: None,
            output_lines: DEFAULT_OUTPUT_LINES,
        }
    }
}

/// What watch mode ignores and how long it waits for a burst to end.
#[derive(Debug, Clone, Default)]
pub struct WatchSettings {
    /// Globs (from the root) whose changes trigger nothing, besides ignore files.
    pub ignore: Vec<String>,
    /// A fixed quiet window; `None` for the adaptive one (see `watch::debounce`).
    pub debounce: Option<std::time::Duration>,
}

/// A validated configuration: everything the commands and the cockpit need.
#[derive(Debug, Clone)]
pub struct Config {
    pub source: Source,
    /// The exact text it was read from: what trust is granted to.
    pub text: String,
    pub project: Project,
    pub runner: RunnerSettings,
    pub watch: WatchSettings,
    pub plan: Plan,
    pub checks: Vec<CheckSpec>,
    pub gates: Vec<GateSpec>,
    /// Things worth saying that do not stop anything (e.g. an ignored `trusted` key).
    pub warnings: Vec<String>,
}

impl Config {
    pub fn check(&self, id: &str) -> Option<&CheckSpec> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// One problem in a configuration file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for ConfigError {}

/// Every problem found, first one first. Displays as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [] => f.write_str("invalid configuration"),
            [one] => write!(f, "{one}"),
            [first, rest @ ..] => write!(f, "{first} (and {} more)", rest.len()),
        }
    }
}

impl std::error::Error for ConfigErrors {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

pub use crate::domain::suggest::did_you_mean;

fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

/// Collects located errors while validating one file.
struct Errors<'a> {
    path: &'a Path,
    text: &'a str,
    list: Vec<ConfigError>,
}

impl Errors<'_> {
    fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = line_column(self.text, span.start);
        self.list.push(ConfigError {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.into(),
        });
    }
}

/// Read and validate a `preflight.toml`.
pub fn load_file(path: &Path) -> Result<Config, LoadError> {
    let text = crate::fsutil::read_regular_text(
        path,
        crate::fsutil::MAX_TEXT_FILE,
        crate::fsutil::Links::Follow,
    )
    .map_err(|e| LoadError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    })?;
    load_str(&text, path, Source::File(path.to_path_buf())).map_err(LoadError::Invalid)
}

/// Why a configuration could not be had.
#[derive(Debug)]
pub enum LoadError {
    Io { path: PathBuf, error: String },
    Invalid(ConfigErrors),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, error } => write!(f, "cannot read {}: {error}", path.display()),
            LoadError::Invalid(errors) => write!(f, "{errors}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Parse and validate configuration text. `path` is only used in error messages.
pub fn load_str(text: &str, path: &Path, source: Source) -> Result<Config, ConfigErrors> {
    let mut errors = Errors {
        path,
        text,
        list: Vec::new(),
    };
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(err) => {
            let span = err.span().unwrap_or(0..0);
            let message = raw::explain_toml_error(err.message(), text, span.start);
            errors.at(span, message);
            return Err(ConfigErrors(errors.list));
        }
    };

    let mut warnings = Vec::new();
    if raw.trusted.is_some() {
        warnings.push(format!(
            "{}: ignoring `trusted`: a repository cannot trust itself; run `preflight trust`",
            path.display()
        ));
    }

    let checks = validate_checks(&raw.check, &mut errors);
    let check_ids: HashSet<&str> = raw.check.iter().map(|c| c.id.get_ref().as_str()).collect();
    let plan = validate_plan(&raw, &check_ids, &mut errors);
    let phase_ids: HashSet<&str> = raw.phase.iter().map(|p| p.id.get_ref().as_str()).collect();
    let metric_checks: HashSet<&str> = raw
        .check
        .iter()
        .filter(|c| c.metric.is_some())
        .map(|c| c.id.get_ref().as_str())
        .collect();
    // Phases may also come from markdown plans, read later: with plan files declared,
    // a gate naming an unknown phase is judged when evaluated, not here.
    let phases_complete = raw.project.as_ref().is_none_or(|p| p.plans.is_empty());
    let gates = validate_gates(
        &raw.gate,
        &check_ids,
        &metric_checks,
        &phase_ids,
        phases_complete,
        &mut errors,
    );

    let project = raw.project.unwrap_or_default();
    check_globs(&project.plans, &mut errors);
    let runner_raw = raw.runner.unwrap_or_default();
    if let Some(jobs) = &runner_raw.jobs {
        if *jobs.get_ref() == 0 {
            errors.at(jobs.span(), "`jobs` must be at least 1");
        }
    }

    let watch_raw = raw.watch.unwrap_or_default();
    check_globs(&watch_raw.ignore, &mut errors);
    let debounce = watch_raw
        .debounce
        .as_ref()
        .and_then(|d| validate_debounce(d, &mut errors));

    if !errors.list.is_empty() {
        return Err(ConfigErrors(errors.list));
    }
    Ok(Config {
        source,
        text: text.to_string(),
        project: crate::config::Project {
            name: project.name.unwrap_or_default(),
            plans: project.plans.into_iter().map(Spanned::into_inner).collect(),
        },
        runner: RunnerSettings {
            jobs: runner_raw.jobs.map(|j| j.into_inner()),
            output_lines: runner_raw
                .output_lines
                .unwrap_or(DEFAULT_OUTPUT_LINES)
                .max(1),
        },
        watch: WatchSettings {
            ignore: watch_raw
                .ignore
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            debounce,
        },
        plan,
        checks,
        gates,
        warnings,
    })
}

/// Every glob must compile; each bad one is an error at its place.
fn check_globs(globs: &[Spanned<String>], errors: &mut Errors) {
    for glob in globs {
        if let Err(e) = globset::Glob::new(glob.get_ref()) {
            errors.at(
                glob.span(),
                format!("bad glob `{}`: {}", glob.get_ref(), e.kind()),
            );
        }
    }
}

/// `[watch] debounce`: a duration, at most 10 s.
fn validate_debounce(raw: &Spanned<String>, errors: &mut Errors) -> Option<std::time::Duration> {
    match parse_duration(raw.get_ref()) {
        Ok(v) if v <= std::time::Duration::from_secs(10) => Some(v),
        Ok(_) => {
            errors.at(
                raw.span(),
                "`debounce` longer than 10s would make watch mode feel dead",
            );
            None
        }
        Err(msg) => {
            errors.at(raw.span(), msg);
            None
        }
    }
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !id.starts_with('.')
}

/// Check that ids are well-formed and unique within one kind.
fn check_unique_ids<'a>(
    kind: &str,
    ids: impl Iterator<Item = &'a Spanned<String>>,
    errors: &mut Errors,
) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for id in ids {
        let name = id.get_ref().as_str();
        if !is_valid_id(name) {
            errors.at(
                id.span(),
                format!("{kind} id `{name}` may only hold letters, digits, `-`, `_` and `.`"),
            );
        }
        if let Some(first) = seen.get(name) {
            let (line, _) = line_column(errors.text, *first);
            errors.at(
                id.span(),
                format!("duplicate {kind} id `{name}` (first defined on line {line})"),
            );
        } else {
            seen.insert(name, id.span().start);
        }
    }
}

#[cfg(test)]
mod tests;
