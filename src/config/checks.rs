//! `[[check]]` tables → check specs: commands, formats, metrics, timeouts.

use super::{
    check_globs, check_unique_ids, suggestion, CheckSpec, Errors, Format, MetricSource, MetricSpec,
    RawCheck, RawMetric, Severity,
};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use toml::Spanned;

pub(super) fn validate_checks(raw: &[RawCheck], errors: &mut Errors) -> Vec<CheckSpec> {
    check_unique_ids("check", raw.iter().map(|c| &c.id), errors);
    raw.iter()
        .filter_map(|c| validate_check(c, errors))
        .collect()
}

pub(super) fn validate_check(raw: &RawCheck, errors: &mut Errors) -> Option<CheckSpec> {
    let before = errors.list.len();
    check_globs(&raw.watch, errors);
    if raw.run.get_ref().trim().is_empty() {
        errors.at(
            raw.run.span(),
            "`run` is empty: give the command line to run",
        );
    }
    let format = validate_format(raw, errors);
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

/// The check's `format` (and the `pattern` that `lines` needs).
fn validate_format(raw: &RawCheck, errors: &mut Errors) -> Format {
    match &raw.format {
        // A report without a format: recognised from its content.
        None if raw.report.is_some() => Format::Auto,
        None => Format::ExitCode,
        Some(name) => match name.get_ref().as_str() {
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
            other => Format::from_name(other).unwrap_or_else(|| {
                errors.at(
                    name.span(),
                    format!(
                        "unknown format `{other}`, expected one of: {}{}",
                        Format::NAMES.join(", "),
                        suggestion(other, Format::NAMES)
                    ),
                );
                Format::ExitCode
            }),
        },
    }
}

pub(super) fn compile_lines_pattern(pattern: &str) -> Result<regex::Regex, String> {
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

pub(super) fn validate_metric(raw: &Spanned<RawMetric>, errors: &mut Errors) -> Option<MetricSpec> {
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
