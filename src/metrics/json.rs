//! JSON coverage summaries that teams point a "coverage" check at: coverage.py's
//! `coverage json` and Istanbul's `coverage-summary.json` (nyc, c8, jest).

use super::{percent, Detected, JsonFlavor, Read};
use serde_json::Value;

fn parse(bytes: &[u8]) -> Result<Value, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|err| format!("malformed JSON ({err})"))
}

fn flavor(value: &Value) -> Option<JsonFlavor> {
    if value.pointer("/totals/num_statements").is_some() && value.get("meta").is_some() {
        Some(JsonFlavor::CoveragePy)
    } else if value.pointer("/total/lines/total").is_some() {
        Some(JsonFlavor::IstanbulSummary)
    } else {
        None
    }
}

pub(super) fn detect(bytes: &[u8]) -> Detected {
    let value = match parse(bytes) {
        Ok(value) => value,
        Err(why) => return Detected::Unknown(why),
    };
    if let Some(flavor) = flavor(&value) {
        return Detected::CoverageJson(flavor);
    }
    let looks = if value.get("runs").is_some() && value.get("version").is_some() {
        "a SARIF log"
    } else if value
        .as_object()
        .and_then(|map| map.values().next())
        .is_some_and(|file| file.get("statementMap").is_some())
    {
        "Istanbul's raw coverage-final.json (use the json-summary reporter)"
    } else {
        "JSON, but not a coverage summary"
    };
    Detected::Unknown(looks.into())
}

fn field(name: &str, value: &Value, pointer: &str) -> Result<u64, String> {
    value
        .pointer(pointer)
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("{name}: no count at {pointer}"))
}

pub(super) fn read(name: &str, flavor: JsonFlavor, bytes: &[u8]) -> Result<Read, String> {
    let value = parse(bytes).map_err(|why| format!("{name}: {why}"))?;
    // Line coverage from counts, not the tools' rounded (or, with branch coverage on,
    // branch-weighted) percent fields.
    let (covered, total, format) = match flavor {
        JsonFlavor::CoveragePy => (
            field(name, &value, "/totals/covered_lines")?,
            field(name, &value, "/totals/num_statements")?,
            "coverage.py JSON",
        ),
        JsonFlavor::IstanbulSummary => (
            field(name, &value, "/total/lines/covered")?,
            field(name, &value, "/total/lines/total")?,
            "Istanbul JSON summary",
        ),
    };
    Ok(Read {
        percent: percent(name, format, covered, total)?,
        note: None,
    })
}
