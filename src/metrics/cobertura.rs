//! Cobertura XML (coverage.py/pytest-cov, cargo-tarpaulin, gcovr, coverlet, Istanbul):
//! the root `<coverage>` carries the totals, so a well-formed report is read from its
//! first element and the rest of a huge file is never parsed.

use super::{percent, xml, Read};
use std::collections::HashMap;

/// Parse a rate or count attribute; tolerates a decimal comma (coverlet under some
/// locales wrote `line-rate="0,764"`).
fn number(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// A count attribute (`lines-valid="16"`, gcovr once wrote `16.0`).
fn count(text: &str) -> Option<u64> {
    number(text).filter(|v| *v >= 0.0).map(|v| v.round() as u64)
}

pub(super) fn read(name: &str, bytes: &[u8]) -> Result<Read, String> {
    let bytes = xml::utf8(bytes);
    let mut reader = xml::reader(&bytes);
    let root = xml::root(&mut reader).map_err(|why| format!("{name}: {why}"))?;
    let valid = root.attr("lines-valid").and_then(count);
    let covered = root.attr("lines-covered").and_then(count);
    if valid == Some(0) {
        return Err(format!(
            "{name}: the Cobertura report covers no lines (lines-valid=\"0\")"
        ));
    }
    if let Some(rate) = root.attr("line-rate").and_then(number) {
        if (0.0..=1.0).contains(&rate) {
            return Ok(Read {
                percent: rate * 100.0,
                note: None,
            });
        }
    }
    if let (Some(covered), Some(valid)) = (covered, valid) {
        return Ok(Read {
            percent: percent(name, "Cobertura", covered, valid)?,
            note: None,
        });
    }
    // No usable totals on the root: count the lines of every class. Lines appear
    // again under <method><lines>, so only <class><lines><line> counts, and a line
    // of a file split over several classes counts once.
    let mut stack: Vec<String> = vec![root.name];
    let mut file = String::new();
    let mut lines: HashMap<(String, u64), bool> = HashMap::new();
    while let Some((element, opens)) = xml::next_element(&mut reader, &mut stack, name)? {
        let local = xml::local_name(&element);
        if local == "class" {
            file = xml::attr(&element, "filename").unwrap_or_default();
        }
        let n = stack.len();
        if local == "line" && n >= 2 && stack[n - 1] == "lines" && stack[n - 2] == "class" {
            let number = xml::attr(&element, "number").and_then(|v| count(&v));
            let hits = xml::attr(&element, "hits")
                .and_then(|v| number_hits(&v))
                .unwrap_or(0.0);
            if let Some(number) = number {
                *lines.entry((file.clone(), number)).or_insert(false) |= hits > 0.0;
            }
        }
        if opens {
            stack.push(local);
        }
    }
    let total = lines.len() as u64;
    let hit = lines.values().filter(|h| **h).count() as u64;
    Ok(Read {
        percent: percent(name, "Cobertura", hit, total)?,
        note: Some("its <coverage> has no line-rate; counted the lines of its classes".into()),
    })
}

/// A hit count; some tools write huge or float counts.
fn number_hits(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok()
}
