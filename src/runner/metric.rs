//! Reading a run's metric: from its coverage report, which the run must have
//! rewritten, or from the tail of its output.

use super::RunContext;
use crate::domain::check::{MetricSource, MetricSpec};
use crate::fsutil::{self, Links};
use crate::metrics::{self, MetricValue, ReportKind};
use std::path::Path;
use std::time::SystemTime;

/// Most output read for a regex metric: its tail, where summaries are printed.
const METRIC_TAIL: u64 = 4 * 1024 * 1024;

/// Read a check's number: from its coverage report (which this run must have
/// rewritten) or from the tail of its output.
pub(super) fn read_metric(
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
            let bytes = match fsutil::read_regular(path, fsutil::MAX_REPORT, Links::Follow) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(format!("the check wrote no report at {shown}"))
                }
                Err(e) => return Err(format!("cannot read the report: {e}")),
            };
            if before.is_some() && super::modified(path) == before {
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
