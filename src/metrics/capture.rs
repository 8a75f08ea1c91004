//! A number captured from a check's output by a regex (latency, size, a coverage
//! figure a tool only prints).

use super::MetricValue;
use regex::Regex;

/// Longest suffix after the number that is taken as its unit (`ms`, `%`, `MiB`).
const UNIT_MAX: usize = 8;

/// Read the number a check printed: the `value` group of the last match of `pattern`
/// over the output with its colours stripped (the last, because tools print running
/// totals before the final one). Without a `value` group the first group is used,
/// then the whole match. `unit` is the check's declared unit; without one, a unit
/// written right after the number (`212ms`, `76.4%`) is kept.
///
/// The pattern runs over the whole output: use `(?m)` for `^`/`$` per line.
pub fn read_regex(
    pattern: &Regex,
    output: &str,
    unit: Option<&str>,
) -> Result<MetricValue, String> {
    let plain = strip_ansi_escapes::strip_str(output);
    let group = if pattern.capture_names().any(|n| n == Some("value")) {
        Group::Named
    } else if pattern.captures_len() > 1 {
        Group::First
    } else {
        Group::Whole
    };
    let text = pattern
        .captures_iter(&plain)
        .filter_map(|caps| match group {
            Group::Named => caps.name("value"),
            Group::First => caps.get(1),
            Group::Whole => caps.get(0),
        })
        .last()
        .map(|m| m.as_str().to_string());
    let Some(text) = text else {
        let why = if plain.trim().is_empty() {
            "the output is empty"
        } else {
            "no line matched"
        };
        return Err(format!("no value: {why} (pattern `{}`)", pattern.as_str()));
    };
    let Some((value, suffix)) = parse_number(&text) else {
        return Err(format!(
            "`{}` (matched by `{}`) is not a number",
            text.trim(),
            pattern.as_str()
        ));
    };
    let unit = match unit {
        Some(unit) => Some(unit.to_string()),
        None if suffix
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '%')
            && suffix.chars().count() <= UNIT_MAX
            && !suffix.contains(char::is_whitespace) =>
        {
            Some(suffix.to_string())
        }
        None => None,
    };
    Ok(MetricValue {
        value,
        unit,
        note: None,
    })
}

enum Group {
    Named,
    First,
    Whole,
}

/// `[0-9]{1,3}` followed by groups of exactly three digits after `sep`.
fn is_grouped(digits: &str, sep: char) -> bool {
    let mut parts = digits.split(sep);
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    let mut rest = parts.peekable();
    first_ok
        && rest.peek().is_some()
        && rest.all(|p| p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Parse a number as tools print it, returning it with what follows it (a unit).
///
/// Accepts a sign, `_` separators, thousands separators (`1,234,567.8`,
/// `1.234.567,8`), a decimal comma (`76,4`) and an exponent (`1.5e3`); refuses NaN
/// and infinities.
fn parse_number(text: &str) -> Option<(f64, &str)> {
    let text = text.trim();
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let bytes = rest.as_bytes();
    let mut end = bytes
        .iter()
        .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b',' | b'_')))
        .unwrap_or(bytes.len());
    // A sentence's full stop or comma after the number is not part of it.
    while end > 0 && matches!(bytes[end - 1], b'.' | b',') {
        end -= 1;
    }
    let mantissa = rest[..end].replace('_', "");
    if !mantissa.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut exponent = "";
    let after = &rest[end..];
    if let Some(exp) = after.strip_prefix(['e', 'E']) {
        let digits_from = usize::from(exp.starts_with(['+', '-']));
        let len = exp[digits_from..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        if len > 0 {
            exponent = &after[..1 + digits_from + len];
        }
    }
    let suffix = after[exponent.len()..].trim();
    let normal = match (mantissa.contains('.'), mantissa.contains(',')) {
        (true, true) => {
            let (last_dot, last_comma) = (mantissa.rfind('.')?, mantissa.rfind(',')?);
            if last_comma < last_dot {
                let (int, frac) = mantissa.split_at(last_dot);
                is_grouped(int, ',').then(|| format!("{}{frac}", int.replace(',', "")))?
            } else {
                let (int, frac) = mantissa.split_at(last_comma);
                is_grouped(int, '.').then(|| format!("{}.{}", int.replace('.', ""), &frac[1..]))?
            }
        }
        (false, true) if is_grouped(&mantissa, ',') => mantissa.replace(',', ""),
        (false, true) if mantissa.matches(',').count() == 1 => mantissa.replace(',', "."),
        (true, false) if mantissa.matches('.').count() > 1 => {
            is_grouped(&mantissa, '.').then(|| mantissa.replace('.', ""))?
        }
        (false, true) => return None,
        _ => mantissa,
    };
    let value: f64 = format!("{normal}{exponent}").parse().ok()?;
    let value = if negative { -value } else { value };
    value.is_finite().then_some((value, suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rx(p: &str) -> Regex {
        Regex::new(p).unwrap()
    }

    #[test]
    fn numbers_as_tools_print_them() {
        let cases: [(&str, f64, &str); 12] = [
            ("76.4", 76.4, ""),
            ("76.4%", 76.4, "%"),
            ("212ms", 212.0, "ms"),
            ("1,234,567.8", 1_234_567.8, ""),
            ("1.234.567,8", 1_234_567.8, ""),
            ("76,4", 76.4, ""),
            ("1,234", 1234.0, ""),
            ("1_000", 1000.0, ""),
            ("-3.5", -3.5, ""),
            ("1.5e3 ns", 1500.0, "ns"),
            ("80.", 80.0, "."),
            (" 42 ", 42.0, ""),
        ];
        for (text, value, suffix) in cases {
            let (v, s) = parse_number(text).unwrap_or_else(|| panic!("{text} did not parse"));
            assert!((v - value).abs() < 1e-9, "{text}: {v}");
            assert_eq!(s, suffix, "{text}");
        }
        for bad in ["abc", "", "NaN", "inf", "1,2,3", ".", "1.2.3"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn last_match_wins_after_stripping_colours() {
        let out =
            "\x1b[32mcoverage: 41.0%\x1b[0m\nretrying\n\x1b[1mcoverage: \x1b[32m76.43%\x1b[0m\n";
        let v = read_regex(&rx(r"coverage: (?P<value>[\d.]+)%"), out, Some("%")).unwrap();
        assert!((v.value - 76.43).abs() < 0.01);
        assert_eq!(v.unit.as_deref(), Some("%"));
    }

    #[test]
    fn tarpaulin_and_criterion_style_output() {
        let tarpaulin = "|| src/lib.rs: 40/50 +0.00%\n|| \n80.00% coverage, 40/50 lines covered, +0.00% change in coverage\n";
        let v = read_regex(&rx(r"(?m)^(?P<value>[\d.]+)% coverage"), tarpaulin, None).unwrap();
        assert!((v.value - 80.0).abs() < 0.01);
        let bench = "p50: 120ms\np95: 212ms\np99: 390ms\n";
        let v = read_regex(&rx(r"p95: (?P<value>\S+)"), bench, None).unwrap();
        assert!((v.value - 212.0).abs() < 0.01);
        assert_eq!(v.unit.as_deref(), Some("ms"), "unit taken from the text");
    }

    #[test]
    fn declared_unit_wins_and_unnamed_group_is_used() {
        let v = read_regex(&rx(r"size (\d+)"), "size 1024 bytes", Some("B")).unwrap();
        assert_eq!(v.value, 1024.0);
        assert_eq!(v.unit.as_deref(), Some("B"));
        let v = read_regex(&rx(r"\d+\.\d+"), "took 3.25 s", None).unwrap();
        assert!((v.value - 3.25).abs() < 1e-9);
    }

    #[test]
    fn no_match_or_not_a_number_is_an_error() {
        let err = read_regex(&rx(r"p95: (?P<value>\S+)"), "p50: 3ms\n", None).unwrap_err();
        assert!(err.contains("no line matched"), "{err}");
        let err = read_regex(&rx(r"p95: (?P<value>\S+)"), "", None).unwrap_err();
        assert!(err.contains("output is empty"), "{err}");
        let err = read_regex(&rx(r"p95: (?P<value>\S+)"), "p95: n/a\n", None).unwrap_err();
        assert!(
            err.contains("`n/a`") && err.contains("not a number"),
            "{err}"
        );
    }

    #[test]
    fn optional_group_uses_the_last_match_that_captured() {
        let re = rx(r"(?m)^total(?:: (?P<value>[\d.]+))?$");
        let v = read_regex(&re, "total: 12\ntotal\n", None).unwrap();
        assert_eq!(v.value, 12.0);
    }
}
