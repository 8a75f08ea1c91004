//! SARIF 2.1.0 logs, as written by CodeQL, semgrep, ruff, ESLint's SARIF formatter,
//! bandit, trivy, gosec, checkov and many more.
//!
//! Read by hand over `serde_json::Value` rather than through typed structs: producers
//! disagree on which "required" fields they write (a `null` ruleId, a result without
//! `level`, rules only in `tool.extensions`, a location given by artifact index), and a
//! typed model rejects the whole log for one such field. Here every optional field has
//! a fallback, and only a document without a `runs` array is refused. Only the frame
//! (runs, their sections, each result) is read with serde, to stream the results.

use super::{relative_path, ParseContext};
use crate::domain::finding::{Finding, Findings, Severity, MAX_MESSAGE};
use percent_encoding::percent_decode_str;
use serde::de::{SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::path::Path;

/// Read a SARIF log: one finding per unsuppressed result, over all runs.
///
/// Memory stays near the report's own size whatever its shape: runs and results are
/// read one at a time (never a `Value` of the whole log, which costs 10 to 17 times
/// the input), a run's `tool` and `artifacts` are read only up to [`MAX_SECTION`] of
/// text, and a result larger than [`MAX_RESULT`] is read field by field ([`big_result`]):
/// only the fields a finding needs, each within the limit (the message's text whatever
/// its size: the finding cuts it).
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Findings, String> {
    let text = prepare(bytes)?;
    let log: Log = serde_json::from_str(text).map_err(json_error)?;
    let runs = log.runs.ok_or(NOT_SARIF)?;
    let mut findings = Findings::new();
    let mut de = serde_json::Deserializer::from_str(runs.get());
    serde::Deserializer::deserialize_seq(
        &mut de,
        RunsVisitor {
            ctx,
            findings: &mut findings,
        },
    )
    .map_err(json_error)?;
    Ok(findings)
}

/// Largest `tool` or `artifacts` section of a run read (rules and files): CodeQL's
/// full rule help for a large query suite is a few MiB.
pub const MAX_SECTION: usize = 16 * 1024 * 1024;
/// Largest single result read whole (as a `Value`); a larger one is read field by field.
pub const MAX_RESULT: usize = 1024 * 1024;

const NOT_SARIF: &str = "report is not SARIF: expected a JSON object with `runs`";

fn json_error(e: serde_json::Error) -> String {
    match e.classify() {
        serde_json::error::Category::Data => NOT_SARIF.to_string(),
        _ => format!("report is not valid JSON: {e}"),
    }
}

fn prepare(bytes: &[u8]) -> Result<&str, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("report is empty".to_string());
    }
    std::str::from_utf8(bytes).map_err(|e| format!("report is not valid JSON: not UTF-8 ({e})"))
}

/// The log, with its runs left as text to read one by one.
#[derive(Deserialize)]
struct Log<'a> {
    #[serde(borrow, default)]
    runs: Option<&'a RawValue>,
}

/// One run, its sections left as text.
#[derive(Deserialize)]
struct RawRun<'a> {
    #[serde(borrow, default)]
    tool: Option<&'a RawValue>,
    #[serde(borrow, default)]
    artifacts: Option<&'a RawValue>,
    #[serde(borrow, default)]
    results: Option<&'a RawValue>,
}

struct RunsVisitor<'c, 'f> {
    ctx: &'c ParseContext<'c>,
    findings: &'f mut Findings,
}

impl<'de> Visitor<'de> for RunsVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of runs")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(run) = seq.next_element::<RawRun<'de>>()? {
            read_run(&run, self.ctx, self.findings);
        }
        Ok(())
    }
}

/// The fields of a result a finding reads, each left as text until judged.
#[derive(Deserialize)]
struct BigResult<'a> {
    #[serde(borrow, default, rename = "ruleId")]
    rule_id: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "ruleIndex")]
    rule_index: Option<&'a RawValue>,
    #[serde(borrow, default)]
    rule: Option<&'a RawValue>,
    #[serde(borrow, default)]
    kind: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "baselineState")]
    baseline_state: Option<&'a RawValue>,
    #[serde(borrow, default)]
    suppressions: Option<&'a RawValue>,
    #[serde(borrow, default)]
    level: Option<&'a RawValue>,
    #[serde(borrow, default)]
    message: Option<&'a RawValue>,
    #[serde(borrow, default)]
    locations: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "partialFingerprints")]
    partial_fingerprints: Option<&'a RawValue>,
    #[serde(borrow, default)]
    fingerprints: Option<&'a RawValue>,
    #[serde(borrow, default)]
    properties: Option<&'a RawValue>,
}

/// A message's strings, whatever their size (the finding cuts them), and its
/// arguments left as text.
#[derive(Deserialize)]
struct BigMessage<'a> {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    markdown: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(borrow, default)]
    arguments: Option<&'a RawValue>,
}

/// A result too large to read whole (a 10 MB message, code flows of thousands of
/// steps): only the fields a finding reads, each as a `Value` when it is within
/// [`MAX_RESULT`] (a larger one is left out, as if absent), except the message, whose
/// strings are kept whatever their size. Memory stays near the result's own size.
fn big_result(raw: &str) -> Option<Value> {
    let big: BigResult = serde_json::from_str(raw).ok()?;
    let small = |field: Option<&RawValue>| {
        field
            .filter(|r| r.get().len() <= MAX_RESULT)
            .and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
    };
    let mut map = serde_json::Map::new();
    for (key, field) in [
        ("ruleId", big.rule_id),
        ("ruleIndex", big.rule_index),
        ("rule", big.rule),
        ("kind", big.kind),
        ("baselineState", big.baseline_state),
        ("suppressions", big.suppressions),
        ("level", big.level),
        ("locations", big.locations),
        ("partialFingerprints", big.partial_fingerprints),
        ("fingerprints", big.fingerprints),
        ("properties", big.properties),
    ] {
        if let Some(value) = small(field) {
            map.insert(key.to_string(), value);
        }
    }
    if let Some(message) = big.message {
        let value = small(Some(message)).or_else(|| {
            let m: BigMessage = serde_json::from_str(message.get()).ok()?;
            let mut out = serde_json::Map::new();
            for (key, text) in [("text", m.text), ("markdown", m.markdown), ("id", m.id)] {
                if let Some(text) = text {
                    out.insert(key.to_string(), Value::String(text));
                }
            }
            if let Some(arguments) = small(m.arguments) {
                out.insert("arguments".to_string(), arguments);
            }
            Some(Value::Object(out))
        });
        if let Some(value) = value {
            map.insert("message".to_string(), value);
        }
    }
    Some(Value::Object(map))
}

/// A section as a `Value`, or `Null` past [`MAX_SECTION`] (its rules or files are then
/// unknown: severities fall back to the results' levels).
fn section(raw: Option<&RawValue>) -> Value {
    raw.filter(|r| r.get().len() <= MAX_SECTION)
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}

struct ResultsVisitor<'r, 'c, 'f> {
    run: &'r Run<'r>,
    ctx: &'c ParseContext<'c>,
    findings: &'f mut Findings,
}

impl<'de> Visitor<'de> for ResultsVisitor<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of results")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            // Counted, not built, once full.
            if self.findings.is_full() {
                self.findings.leave_out();
                continue;
            }
            let result = if raw.get().len() > MAX_RESULT {
                big_result(raw.get())
            } else {
                serde_json::from_str::<Value>(raw.get()).ok()
            };
            let Some(result) = result else {
                continue;
            };
            if is_reportable(&result) {
                self.findings.push(read_result(&result, self.run, self.ctx));
            }
        }
        Ok(())
    }
}

/// The parts of one run that results refer to by id or index.
struct Run<'a> {
    driver_rules: &'a [Value],
    extensions: &'a [Value],
    artifacts: &'a [Value],
}

impl<'a> Run<'a> {
    fn new(run: &'a Value) -> Self {
        let tool = run.get("tool");
        Run {
            driver_rules: tool.and_then(|t| t.get("driver")).map_or(&[], rules_of),
            extensions: array_at(tool, "extensions"),
            artifacts: array_at(Some(run), "artifacts"),
        }
    }

    /// The rule metadata a result points at: by index (in the driver, or in the
    /// extension named by `rule.toolComponent.index`, as CodeQL query packs do), else
    /// by id in any component.
    fn rule_for(&self, result: &Value) -> Option<&'a Value> {
        let reference = result.get("rule");
        let index = usize_at(Some(result), "ruleIndex").or_else(|| usize_at(reference, "index"));
        let component = usize_at(reference.and_then(|r| r.get("toolComponent")), "index");
        let rules = match component {
            Some(i) => self.extensions.get(i).map_or(&[][..], rules_of),
            None => self.driver_rules,
        };
        if let Some(rule) = index.and_then(|i| rules.get(i)) {
            return Some(rule);
        }
        let id = str_at(Some(result), "ruleId").or_else(|| str_at(reference, "id"))?;
        self.driver_rules
            .iter()
            .chain(self.extensions.iter().flat_map(rules_of))
            .find(|rule| str_at(Some(rule), "id") == Some(id))
    }

    /// The uri of `artifacts[index]`, for locations that give only an index.
    fn artifact_uri(&self, index: usize) -> Option<&'a str> {
        str_at(self.artifacts.get(index)?.get("location"), "uri")
    }
}

fn read_run(run: &RawRun, ctx: &ParseContext, findings: &mut Findings) {
    let Some(results) = run.results else {
        return;
    };
    let holder = serde_json::json!({
        "tool": section(run.tool),
        "artifacts": section(run.artifacts),
    });
    let meta = Run::new(&holder);
    let mut de = serde_json::Deserializer::from_str(results.get());
    // Results that are not an array are no results, as before.
    let _ = serde::Deserializer::deserialize_seq(
        &mut de,
        ResultsVisitor {
            run: &meta,
            ctx,
            findings,
        },
    );
}

/// Whether a result is a current problem: not suppressed, not a passing check, not
/// gone since the baseline.
fn is_reportable(result: &Value) -> bool {
    let kind = str_at(Some(result), "kind");
    let passed = matches!(kind, Some("pass" | "notApplicable"));
    let absent = str_at(Some(result), "baselineState") == Some("absent");
    !passed && !absent && !is_suppressed(result)
}

/// SARIF §3.27.23: suppressed when there are suppressions and every one of them is
/// accepted (a missing status means accepted); `underReview` or `rejected` keep it.
fn is_suppressed(result: &Value) -> bool {
    let suppressions = array_at(Some(result), "suppressions");
    !suppressions.is_empty()
        && suppressions
            .iter()
            .all(|s| matches!(str_at(Some(s), "status"), None | Some("accepted")))
}

fn read_result(result: &Value, run: &Run, ctx: &ParseContext) -> Finding {
    let rule = run.rule_for(result);
    let rule_id = rule_id(result, rule);
    let mut finding = Finding::new(
        rule_id.clone(),
        severity(result, rule, ctx.default_severity),
        message(result, rule, &rule_id),
    );
    let (path, line) = location(result, run, ctx.root);
    finding.path = path;
    finding.line = line;
    finding.tool_fingerprint = tool_fingerprint(result);
    finding
}

fn rule_id(result: &Value, rule: Option<&Value>) -> String {
    str_at(Some(result), "ruleId")
        .or_else(|| str_at(result.get("rule"), "id"))
        .or_else(|| str_at(rule, "id"))
        .unwrap_or("sarif")
        .to_string()
}

/// The most precise severity on offer: a numeric `security-severity` (CodeQL, trivy;
/// on the result or its rule), then the result's `level`, then the rule's default
/// level, then the check's default.
fn severity(result: &Value, rule: Option<&Value>, default: Severity) -> Severity {
    let rule_level = || {
        str_at(rule.and_then(|r| r.get("defaultConfiguration")), "level").and_then(level_severity)
    };
    security_severity(result)
        .or_else(|| rule.and_then(security_severity))
        .or_else(|| str_at(Some(result), "level").and_then(level_severity))
        .or_else(rule_level)
        .unwrap_or(default)
}

fn security_severity(holder: &Value) -> Option<Severity> {
    let raw = holder.get("properties")?.get("security-severity")?;
    let score = match raw {
        Value::String(text) => text.trim().parse::<f64>().ok()?,
        Value::Number(number) => number.as_f64()?,
        _ => return None,
    };
    score_severity(score)
}

/// GitHub's code-scanning bands for a CVSS-like score.
pub(super) fn score_severity(score: f64) -> Option<Severity> {
    if score >= 9.0 {
        Some(Severity::Critical)
    } else if score >= 7.0 {
        Some(Severity::High)
    } else if score >= 4.0 {
        Some(Severity::Medium)
    } else if score > 0.0 {
        Some(Severity::Low)
    } else {
        None
    }
}

fn level_severity(level: &str) -> Option<Severity> {
    match level.to_ascii_lowercase().as_str() {
        "error" => Some(Severity::High),
        "warning" => Some(Severity::Medium),
        "note" => Some(Severity::Low),
        "none" => Some(Severity::Info),
        _ => None,
    }
}

/// `message.text`, else `message.markdown`, else the rule's `messageStrings[message.id]`,
/// else the rule's short description; `{0}`-style placeholders are filled from
/// `message.arguments` (once, from the template only: see [`fill_placeholders`]).
fn message(result: &Value, rule: Option<&Value>, rule_id: &str) -> String {
    let message = result.get("message");
    let template = str_at(message, "text")
        .or_else(|| str_at(message, "markdown"))
        .or_else(|| rule_message_string(message, rule))
        .or_else(|| str_at(rule.and_then(|r| r.get("shortDescription")), "text"))
        .or_else(|| str_at(rule.and_then(|r| r.get("fullDescription")), "text"))
        .unwrap_or(rule_id);
    fill_placeholders(template, array_at(message, "arguments"))
        .trim()
        .to_string()
}

fn rule_message_string<'a>(message: Option<&Value>, rule: Option<&'a Value>) -> Option<&'a str> {
    let id = str_at(message, "id")?;
    let strings = rule?.get("messageStrings")?;
    str_at(strings.get(id), "text")
}

/// SARIF §3.11.5: `{n}` is the n-th argument, `{{` and `}}` are literal braces. One
/// pass over the template: an argument's text is never scanned again, so `{0}` →
/// `{1}{1}` → `{2}{2}`… cannot grow the message, and the result stops at
/// [`MAX_MESSAGE`] (plus one argument) however often the template repeats a big one.
fn fill_placeholders(template: &str, arguments: &[Value]) -> String {
    let mut text = String::with_capacity(template.len().min(MAX_MESSAGE));
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        if text.len() > MAX_MESSAGE {
            return text;
        }
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("{{").or_else(|| rest.strip_prefix("}}")) {
            text.push_str(&rest[..1]);
            rest = after;
            continue;
        }
        let digits = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
        let argument = (digits > 0 && rest[1 + digits..].starts_with('}'))
            .then(|| rest[1..=digits].parse::<usize>().ok())
            .flatten()
            .and_then(|i| arguments.get(i));
        match argument {
            Some(argument) => {
                match argument {
                    Value::String(s) => push_capped(&mut text, s),
                    other => push_capped(&mut text, &other.to_string()),
                }
                rest = &rest[digits + 2..];
            }
            None => {
                text.push_str(&rest[..1]);
                rest = &rest[1..];
            }
        }
    }
    push_capped(&mut text, rest);
    text
}

/// Append at most what keeps `text` near [`MAX_MESSAGE`]; the finding cuts the rest
/// with its marker.
fn push_capped(text: &mut String, more: &str) {
    let room = (MAX_MESSAGE + 1).saturating_sub(text.len());
    let mut end = more.len().min(room);
    while !more.is_char_boundary(end) {
        end -= 1;
    }
    text.push_str(&more[..end]);
}

/// Path and line of the first location. `uriBaseId` (e.g. `%SRCROOT%`) is resolved by
/// keeping the relative uri as it is; `file://` uris are made relative to the root.
fn location(result: &Value, run: &Run, root: &Path) -> (Option<String>, Option<u32>) {
    let Some(physical) = array_at(Some(result), "locations")
        .first()
        .and_then(|l| l.get("physicalLocation"))
    else {
        return (None, None);
    };
    let artifact = physical.get("artifactLocation");
    let uri = str_at(artifact, "uri")
        .or_else(|| usize_at(artifact, "index").and_then(|i| run.artifact_uri(i)));
    let path = uri
        .map(|uri| uri_to_path(uri, root))
        .filter(|p| !p.is_empty());
    let line = physical
        .get("region")
        .and_then(|r| r.get("startLine"))
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n > 0);
    (path, line)
}

fn uri_to_path(uri: &str, root: &Path) -> String {
    let decoded = percent_decode_str(uri).decode_utf8_lossy();
    relative_path(&decoded, root)
}

/// The tool's own identity for a result: `partialFingerprints` first (CodeQL's
/// `primaryLocationLineHash` preferred), then `fingerprints`; as `key:value`.
fn tool_fingerprint(result: &Value) -> Option<String> {
    pick_fingerprint(result.get("partialFingerprints"))
        .or_else(|| pick_fingerprint(result.get("fingerprints")))
}

const PREFERRED_FINGERPRINTS: [&str; 1] = ["primaryLocationLineHash"];

/// Keys that do not identify a result on their own (a column number).
const WEAK_FINGERPRINTS: [&str; 1] = ["primaryLocationStartColumnFingerprint"];

/// Choose one fingerprint deterministically: a preferred key, else the first usable key
/// in sorted order. Placeholder values such as semgrep's "requires login" (shared by
/// every result) are not fingerprints and are skipped: real ones have no spaces.
fn pick_fingerprint(map: Option<&Value>) -> Option<String> {
    let mut usable: Vec<(&str, &str)> = map?
        .as_object()?
        .iter()
        .filter_map(|(key, value)| {
            let value = value.as_str()?.trim();
            let real = !value.is_empty() && !value.contains(char::is_whitespace);
            real.then_some((key.as_str(), value))
        })
        .filter(|(key, _)| !WEAK_FINGERPRINTS.contains(key))
        .collect();
    usable.sort_unstable();
    let (key, value) = PREFERRED_FINGERPRINTS
        .iter()
        .find_map(|wanted| usable.iter().find(|(key, _)| key == wanted))
        .or_else(|| usable.first())?;
    Some(format!("{key}:{value}"))
}

fn rules_of(component: &Value) -> &[Value] {
    array_at(Some(component), "rules")
}

fn array_at<'a>(holder: Option<&'a Value>, key: &str) -> &'a [Value] {
    holder
        .and_then(|h| h.get(key))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A non-empty string field; `null`, numbers and "" count as missing.
fn str_at<'a>(holder: Option<&'a Value>, key: &str) -> Option<&'a str> {
    holder?
        .get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn usize_at(holder: Option<&Value>, key: &str) -> Option<usize> {
    holder?
        .get(key)?
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
}

#[cfg(test)]
mod tests;
