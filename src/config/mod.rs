//! `preflight.toml` → validated domain data, with every error pointing at
//! file:line:column.
//!
//! Two layers: [`raw`] mirrors the file for serde (keeping spans of the values that
//! later validation may reject), and [`load_str`] turns it into [`Config`], checking
//! what serde cannot: ids, references, cycles, globs, formats, durations.

pub mod default;
mod raw;

use crate::domain::check::{CheckSpec, Format, MetricSource, MetricSpec};
use crate::domain::finding::Severity;
use crate::domain::gate::{GateKind, GateSpec};
use crate::domain::plan::{find_cycle, Location, Phase, Plan, Task, TaskStatus};
use raw::{RawCheck, RawFile, RawGate, RawMetric};
use std::collections::{BTreeMap, HashMap, HashSet};
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
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io {
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
    for glob in &project.plans {
        if let Err(e) = globset::Glob::new(glob.get_ref()) {
            errors.at(
                glob.span(),
                format!("bad glob `{}`: {}", glob.get_ref(), e.kind()),
            );
        }
    }
    let runner_raw = raw.runner.unwrap_or_default();
    if let Some(jobs) = &runner_raw.jobs {
        if *jobs.get_ref() == 0 {
            errors.at(jobs.span(), "`jobs` must be at least 1");
        }
    }

    let watch_raw = raw.watch.unwrap_or_default();
    for glob in &watch_raw.ignore {
        if let Err(e) = globset::Glob::new(glob.get_ref()) {
            errors.at(
                glob.span(),
                format!("bad glob `{}`: {}", glob.get_ref(), e.kind()),
            );
        }
    }
    let debounce = watch_raw
        .debounce
        .as_ref()
        .and_then(|d| match parse_duration(d.get_ref()) {
            Ok(v) if v <= std::time::Duration::from_secs(10) => Some(v),
            Ok(_) => {
                errors.at(
                    d.span(),
                    "`debounce` longer than 10s would make watch mode feel dead",
                );
                None
            }
            Err(msg) => {
                errors.at(d.span(), msg);
                None
            }
        });

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

fn validate_checks(raw: &[RawCheck], errors: &mut Errors) -> Vec<CheckSpec> {
    check_unique_ids("check", raw.iter().map(|c| &c.id), errors);
    raw.iter()
        .filter_map(|c| validate_check(c, errors))
        .collect()
}

fn validate_check(raw: &RawCheck, errors: &mut Errors) -> Option<CheckSpec> {
    let before = errors.list.len();
    for glob in &raw.watch {
        if let Err(e) = globset::Glob::new(glob.get_ref()) {
            errors.at(
                glob.span(),
                format!("bad glob `{}`: {}", glob.get_ref(), e.kind()),
            );
        }
    }
    if raw.run.get_ref().trim().is_empty() {
        errors.at(
            raw.run.span(),
            "`run` is empty: give the command line to run",
        );
    }
    let format = match &raw.format {
        None => Format::ExitCode,
        Some(name) => match name.get_ref().as_str() {
            "exit-code" => Format::ExitCode,
            "cargo" => Format::Cargo,
            "sarif" => Format::Sarif,
            "junit" => Format::Junit,
            "lines" => match &raw.pattern {
                None => {
                    errors.at(
                        name.span(),
                        "format `lines` needs a `pattern` with named groups `path`, `line` and `message`",
                    );
                    Format::ExitCode
                }
                Some(pattern) => match compile_lines_pattern(pattern.get_ref()) {
                    Ok(re) => Format::Lines(re),
                    Err(msg) => {
                        errors.at(pattern.span(), msg);
                        Format::ExitCode
                    }
                },
            },
            other => {
                errors.at(
                    name.span(),
                    format!(
                        "unknown format `{other}`, expected one of: {}{}",
                        Format::NAMES.join(", "),
                        suggestion(other, Format::NAMES)
                    ),
                );
                Format::ExitCode
            }
        },
    };
    if let (Some(pattern), false) = (&raw.pattern, matches!(format, Format::Lines(_))) {
        if errors.list.len() == before {
            errors.at(
                pattern.span(),
                "`pattern` is only read with format = \"lines\"",
            );
        }
    }
    let timeout = raw
        .timeout
        .as_ref()
        .and_then(|t| match parse_duration(t.get_ref()) {
            Ok(d) => Some(d),
            Err(msg) => {
                errors.at(t.span(), msg);
                None
            }
        });
    let severity = match &raw.severity {
        None => Severity::Medium,
        Some(s) => s.get_ref().parse().unwrap_or_else(|msg: String| {
            errors.at(s.span(), msg);
            Severity::Medium
        }),
    };
    let mut severity_map = BTreeMap::new();
    for (key, value) in &raw.severity_map {
        match value.get_ref().parse::<Severity>() {
            Ok(sev) => {
                severity_map.insert(key.clone(), sev);
            }
            Err(msg) => errors.at(value.span(), msg),
        }
    }
    let metric = raw.metric.as_ref().and_then(|m| validate_metric(m, errors));
    if errors.list.len() > before {
        return None;
    }
    Some(CheckSpec {
        id: raw.id.get_ref().clone(),
        name: raw.name.clone().unwrap_or_else(|| raw.id.get_ref().clone()),
        run: raw.run.get_ref().clone(),
        watch: raw.watch.iter().map(|g| g.get_ref().clone()).collect(),
        format,
        report: raw.report.as_ref().map(PathBuf::from),
        timeout,
        cwd: raw.cwd.as_ref().map(PathBuf::from),
        env: raw.env.clone(),
        severity,
        severity_map,
        metric,
    })
}

fn compile_lines_pattern(pattern: &str) -> Result<regex::Regex, String> {
    let re = regex::Regex::new(pattern).map_err(|e| {
        format!(
            "bad pattern: {}",
            e.to_string().lines().last().unwrap_or("")
        )
    })?;
    let names: HashSet<&str> = re.capture_names().flatten().collect();
    let missing: Vec<&str> = ["path", "line", "message"]
        .into_iter()
        .filter(|g| !names.contains(g))
        .collect();
    if missing.is_empty() {
        Ok(re)
    } else {
        Err(format!(
            "pattern lacks the named group(s) {}: write them as (?P<name>…)",
            missing
                .iter()
                .map(|g| format!("`{g}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

fn validate_metric(raw: &Spanned<RawMetric>, errors: &mut Errors) -> Option<MetricSpec> {
    let m = raw.get_ref();
    let need_path = |errors: &mut Errors, from: &str| -> Option<PathBuf> {
        match &m.path {
            Some(p) => Some(PathBuf::from(p)),
            None => {
                errors.at(raw.span(), format!("metric from `{from}` needs a `path`"));
                None
            }
        }
    };
    let source = match m.from.get_ref().as_str() {
        "lcov" => MetricSource::Lcov {
            path: need_path(errors, "lcov")?,
        },
        "cobertura" => MetricSource::Cobertura {
            path: need_path(errors, "cobertura")?,
        },
        "regex" => {
            let Some(pattern) = &m.pattern else {
                errors.at(
                    raw.span(),
                    "metric from `regex` needs a `pattern` with a group (?P<value>…)",
                );
                return None;
            };
            match regex::Regex::new(pattern.get_ref()) {
                Ok(re) if re.capture_names().flatten().any(|n| n == "value") => {
                    MetricSource::Regex { pattern: re }
                }
                Ok(_) => {
                    errors.at(
                        pattern.span(),
                        "metric pattern lacks the group (?P<value>…)",
                    );
                    return None;
                }
                Err(e) => {
                    errors.at(
                        pattern.span(),
                        format!(
                            "bad pattern: {}",
                            e.to_string().lines().last().unwrap_or("")
                        ),
                    );
                    return None;
                }
            }
        }
        other => {
            let kinds = ["lcov", "cobertura", "regex"];
            errors.at(
                m.from.span(),
                format!(
                    "unknown metric source `{other}`, expected one of: lcov, cobertura, regex{}",
                    suggestion(other, kinds)
                ),
            );
            return None;
        }
    };
    Some(MetricSpec {
        source,
        unit: m.unit.clone(),
    })
}

/// Parse "90s", "5m", "1h 30m", "500ms".
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(text.trim()).map_err(|e| {
        format!("bad duration `{text}` ({e}): write it like \"90s\", \"5m\" or \"1h 30m\"")
    })?;
    if d.is_zero() {
        return Err(format!(
            "bad duration `{text}`: it must be longer than zero"
        ));
    }
    Ok(d)
}

fn validate_plan(raw: &RawFile, check_ids: &HashSet<&str>, errors: &mut Errors) -> Plan {
    check_ids_of_phases(raw, errors);
    let all_tasks = raw.phase.iter().flat_map(|p| p.task.iter());
    check_unique_ids("task", all_tasks.clone().map(|t| &t.id), errors);
    let task_ids: Vec<&str> = all_tasks.clone().map(|t| t.id.get_ref().as_str()).collect();
    let task_set: HashSet<&str> = task_ids.iter().copied().collect();
    for task in all_tasks.clone() {
        for need in &task.needs {
            if !task_set.contains(need.get_ref().as_str()) {
                errors.at(
                    need.span(),
                    format!(
                        "task `{}` needs `{}`, which is no task{}",
                        task.id.get_ref(),
                        need.get_ref(),
                        suggestion(need.get_ref(), task_ids.iter().copied())
                    ),
                );
            }
        }
        for check in &task.checks {
            if !check_ids.contains(check.get_ref().as_str()) {
                errors.at(
                    check.span(),
                    format!(
                        "task `{}` links check `{}`, which is not defined{}",
                        task.id.get_ref(),
                        check.get_ref(),
                        suggestion(check.get_ref(), check_ids.iter().copied())
                    ),
                );
            }
        }
    }
    let needs: BTreeMap<String, Vec<String>> = all_tasks
        .clone()
        .map(|t| {
            (
                t.id.get_ref().clone(),
                t.needs.iter().map(|n| n.get_ref().clone()).collect(),
            )
        })
        .collect();
    if let Some(cycle) = find_cycle(&needs) {
        let first = &cycle[0];
        let span = all_tasks
            .clone()
            .find(|t| t.id.get_ref() == first)
            .map_or(0..0, |t| t.id.span());
        errors.at(span, format!("dependency cycle: {}", cycle.join(" → ")));
    }

    let phases = raw
        .phase
        .iter()
        .map(|p| Phase {
            id: p.id.get_ref().clone(),
            title: p.title.clone().unwrap_or_else(|| p.id.get_ref().clone()),
            source: Some(Location {
                file: FILE_NAME.to_string(),
                line: line_column(errors.text, p.id.span().start).0,
            }),
            tasks: p
                .task
                .iter()
                .map(|t| Task {
                    id: t.id.get_ref().clone(),
                    title: t.title.clone().unwrap_or_else(|| t.id.get_ref().clone()),
                    status: match &t.status {
                        None => TaskStatus::Todo,
                        Some(s) => s.get_ref().parse().unwrap_or_else(|msg: String| {
                            errors.at(s.span(), msg);
                            TaskStatus::Todo
                        }),
                    },
                    needs: t.needs.iter().map(|n| n.get_ref().clone()).collect(),
                    checks: t.checks.iter().map(|c| c.get_ref().clone()).collect(),
                    source: Some(Location {
                        file: FILE_NAME.to_string(),
                        line: line_column(errors.text, t.id.span().start).0,
                    }),
                })
                .collect(),
        })
        .collect();
    Plan { phases }
}

fn check_ids_of_phases(raw: &RawFile, errors: &mut Errors) {
    check_unique_ids("phase", raw.phase.iter().map(|p| &p.id), errors);
}

fn validate_gates(
    raw: &[RawGate],
    check_ids_set: &HashSet<&str>,
    metric_checks: &HashSet<&str>,
    phase_ids: &HashSet<&str>,
    phases_complete: bool,
    errors: &mut Errors,
) -> Vec<GateSpec> {
    check_unique_ids("gate", raw.iter().map(|g| &g.id), errors);
    let mut gates = Vec::new();
    for gate in raw {
        let id = gate.id.get_ref();
        let mut kinds: Vec<GateKind> = Vec::new();
        if let Some(checks) = &gate.checks {
            for check in checks {
                if !check_ids_set.contains(check.get_ref().as_str()) {
                    errors.at(
                        check.span(),
                        format!(
                            "gate `{id}` names check `{}`, which is not defined{}",
                            check.get_ref(),
                            suggestion(check.get_ref(), check_ids_set.iter().copied())
                        ),
                    );
                }
            }
            kinds.push(GateKind::Checks(
                checks.iter().map(|c| c.get_ref().clone()).collect(),
            ));
        }
        if let Some(max_open) = &gate.max_open {
            let mut limits = BTreeMap::new();
            for (sev, n) in max_open.get_ref() {
                match sev.parse::<Severity>() {
                    Ok(s) => {
                        limits.insert(s, *n);
                    }
                    Err(msg) => errors.at(max_open.span(), msg),
                }
            }
            kinds.push(GateKind::MaxOpen(limits));
        }
        if let Some(n) = gate.blockers {
            kinds.push(GateKind::Blockers(n));
        }
        if let Some(phase) = &gate.tasks_done {
            if phases_complete && !phase_ids.contains(phase.get_ref().as_str()) {
                errors.at(
                    phase.span(),
                    format!(
                        "gate `{id}` names phase `{}`, which is not defined{}",
                        phase.get_ref(),
                        suggestion(phase.get_ref(), phase_ids.iter().copied())
                    ),
                );
            }
            kinds.push(GateKind::TasksDone(phase.get_ref().clone()));
        }
        if let Some(metric) = &gate.metric {
            let check = metric.get_ref();
            if !check_ids_set.contains(check.as_str()) {
                errors.at(
                    metric.span(),
                    format!(
                        "gate `{id}` reads the metric of check `{check}`, which is not defined{}",
                        suggestion(check, check_ids_set.iter().copied())
                    ),
                );
            } else if !metric_checks.contains(check.as_str()) {
                errors.at(
                    metric.span(),
                    format!("gate `{id}` reads the metric of check `{check}`, which declares no `metric`"),
                );
            }
            if gate.min.is_none() && gate.max.is_none() {
                errors.at(
                    metric.span(),
                    format!("gate `{id}` needs `min` or `max` with `metric`"),
                );
            }
            kinds.push(GateKind::Metric {
                check: check.clone(),
                min: gate.min,
                max: gate.max,
            });
        } else if gate.min.is_some() || gate.max.is_some() {
            errors.at(
                gate.id.span(),
                format!("gate `{id}` has `min`/`max` but no `metric`"),
            );
        }
        match kinds.len() {
            1 => gates.push(GateSpec {
                id: id.clone(),
                name: gate.name.clone().unwrap_or_else(|| id.clone()),
                advisory: gate.advisory.unwrap_or(false),
                kind: kinds.remove(0),
            }),
            0 => errors.at(
                gate.id.span(),
                format!(
                    "gate `{id}` says nothing to check: give one of `checks`, `max_open`, `blockers`, `tasks_done`, `metric`"
                ),
            ),
            _ => errors.at(
                gate.id.span(),
                format!("gate `{id}` mixes several kinds: give exactly one of `checks`, `max_open`, `blockers`, `tasks_done`, `metric`"),
            ),
        }
    }
    gates
}

#[cfg(test)]
mod tests;
