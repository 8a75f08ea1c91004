//! The report's lines over time: the register's burn-down (a table and a line of
//! totals) and a metric's trend.

use super::{cell, table};
use crate::domain::finding::Severity;
use crate::domain::gate::with_unit;
use crate::report::BurndownSection;
use std::fmt::Write;

/// Most burn-down rows shown; the JSON has them all.
pub const BURNDOWN_ROWS: usize = 14;
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// ▁▂▃▄▅▆▇█ scaled between the smallest and the largest value.
pub fn sparkline(values: &[usize]) -> String {
    let (Some(lo), Some(hi)) = (values.iter().min(), values.iter().max()) else {
        return String::new();
    };
    let top = SPARKS.len() - 1;
    values
        .iter()
        .map(|v| {
            let level = if hi == lo {
                top / 2
            } else {
                (v - lo) * top / (hi - lo)
            };
            SPARKS[level.min(top)]
        })
        .collect()
}

pub(super) fn burndown(out: &mut String, b: &BurndownSection) {
    out.push_str("### Over time\n\n");
    if b.days.is_empty() {
        let _ = writeln!(
            out,
            "_{}._\n",
            cell(b.note.as_deref().unwrap_or("no history"))
        );
        return;
    }
    let totals: Vec<usize> = b.days.iter().map(|d| d.open.total()).collect();
    let shown = &b.days[b.days.len().saturating_sub(BURNDOWN_ROWS)..];
    let _ = writeln!(
        out,
        "Open issues at the end of each day the register changed, from the git history of `.preflight/issues/` (last {} days).\n",
        b.window_days
    );
    if shown.len() < b.days.len() {
        let _ = writeln!(
            out,
            "The table shows the last {} of {} days; the line of totals shows them all.\n",
            shown.len(),
            b.days.len()
        );
    }
    if let Some(note) = &b.note {
        let _ = writeln!(out, "_{}._\n", cell(note));
    }
    let (first, last) = (totals.first().copied(), totals.last().copied());
    if let (Some(first), Some(last)) = (first, last) {
        let _ = writeln!(
            out,
            "Total open: {} ({first} → {last})\n",
            sparkline(&totals)
        );
    }
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|d| {
            let mut row = vec![d.day.clone()];
            row.extend(Severity::ALL.iter().map(|s| d.open.get(*s).to_string()));
            row.push(format!("**{}**", d.open.total()));
            row
        })
        .collect();
    table(
        out,
        &["Date", "Critical", "High", "Medium", "Low", "Info", "Total"],
        "lrrrrrr",
        &rows,
    );
}

/// Decimals that show every value of a trend alike: none for whole numbers, one
/// otherwise (three below 1, where one would round ratios away).
fn decimals(values: &[f64]) -> usize {
    if values.iter().all(|v| v.fract() == 0.0) {
        0
    } else if values.iter().all(|v| v.abs() < 1.0) {
        3
    } else {
        1
    }
}

/// "76.4% → 78.0% → 81.2%".
pub fn trend(values: &[f64], unit: Option<&str>) -> String {
    let d = decimals(values);
    values
        .iter()
        .map(|v| with_unit(&format!("{v:.d$}"), unit))
        .collect::<Vec<_>>()
        .join(" → ")
}
