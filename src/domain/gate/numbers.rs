//! Numbers as gates show them: a bound as it was written (`80`, `99.95`), a value with
//! as many decimals as it takes not to read as equal to a bound it is not equal to,
//! and a unit after it.

/// `value` with at most `decimals` decimals, trailing zeros dropped; halves round
/// away from zero as people expect (82.25 → 82.3), not to even.
fn number(value: f64, decimals: usize) -> String {
    let scale = 10f64.powi(i32::try_from(decimals).unwrap_or(i32::MAX));
    let rounded = (value * scale).round() / scale;
    let rounded = if rounded.is_finite() { rounded } else { value };
    let text = format!("{rounded:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" {
        "0".into()
    } else {
        text
    }
}

/// Most decimals shown for a metric or a bound.
const MAX_DECIMALS: usize = 6;

/// A bound as written: the fewest decimals that show it exactly (`80`, `99.95`).
pub(super) fn bound_text(bound: f64) -> String {
    (0..=MAX_DECIMALS)
        .map(|d| number(bound, d))
        .find(|text| text.parse::<f64>().is_ok_and(|v| (v - bound).abs() < 1e-9))
        .unwrap_or_else(|| number(bound, MAX_DECIMALS))
}

/// A value next to the bounds it is compared with: one decimal (or as many as the
/// bounds are written with), more only when it would otherwise read as equal to a
/// bound it is not equal to (79.96 vs 80).
pub(super) fn value_text(value: f64, bounds: &[f64]) -> String {
    let start = bounds
        .iter()
        .map(|b| {
            bound_text(*b)
                .split_once('.')
                .map_or(0, |(_, frac)| frac.len())
        })
        .fold(1, usize::max);
    (start..=MAX_DECIMALS)
        .map(|d| (d, number(value, d)))
        .find(|(_, text)| {
            bounds
                .iter()
                .all(|b| *b == value || *text != bound_text(*b))
        })
        .map_or_else(|| number(value, MAX_DECIMALS), |(_, text)| text)
}

/// A number with its unit: `76.4%`, `212ms`, `1200 req/s`.
pub fn with_unit(number: &str, unit: Option<&str>) -> String {
    match unit.map(str::trim) {
        None | Some("") => number.to_string(),
        Some(unit) if unit == "%" || unit.chars().count() <= 3 => format!("{number}{unit}"),
        Some(unit) => format!("{number} {unit}"),
    }
}
