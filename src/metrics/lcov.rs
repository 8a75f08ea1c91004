//! lcov tracefiles (geninfo/genhtml, c8/nyc/jest, cargo-llvm-cov, grcov, and files
//! concatenated from several of them): line coverage is sum(LH)/sum(LF) over the
//! records, or the `DA` lines when a record has no LF/LH.

use super::{percent, Detected, Read};
use std::collections::{BTreeMap, HashMap};

/// How many non-empty lines detection looks at.
const DETECT_LINES: usize = 200;

/// lcov lines are `KEY:value` with an upper-case key, or `end_of_record`.
fn is_lcov_line(line: &str) -> bool {
    line == "end_of_record"
        || line.split_once(':').is_some_and(|(key, _)| {
            !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
}

pub(super) fn detect(body: &[u8]) -> Detected {
    let head = &body[..body.len().min(64 * 1024)];
    if head.contains(&0) {
        return Detected::Unknown("binary data".into());
    }
    let text = String::from_utf8_lossy(head);
    // The last line of a cut-off head may be cut in two ("end_of_r"): leave it out.
    let text = match text.rsplit_once('\n') {
        Some((whole, _)) if head.len() < body.len() => whole,
        _ => &text,
    };
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    if ["TN:", "SF:", "VER:"].iter().any(|p| first.starts_with(p)) {
        let rest: Vec<&str> = lines.take(DETECT_LINES).collect();
        let has_sf = first.starts_with("SF:") || rest.iter().any(|l| l.starts_with("SF:"));
        if has_sf && rest.iter().all(|l| is_lcov_line(l)) {
            return Detected::Lcov;
        }
    }
    if first.starts_with("mode: ") {
        return Detected::Unknown("a Go cover profile (go test -coverprofile)".into());
    }
    let mut shown: String = first.chars().take(40).collect();
    if first.chars().count() > 40 {
        shown.push('…');
    }
    Detected::Unknown(format!("plain text starting with `{shown}`"))
}

/// One `SF:` … `end_of_record` record.
#[derive(Default)]
struct Record {
    lf: Option<u64>,
    lh: Option<u64>,
    /// Line number → hit at least once.
    da: BTreeMap<u64, bool>,
}

impl Record {
    fn is_empty(&self) -> bool {
        self.lf.is_none() && self.lh.is_none() && self.da.is_empty()
    }

    /// (covered, instrumented): LF/LH when the record has both, else its DA lines.
    fn counts(&self) -> (u64, u64) {
        match (self.lh, self.lf) {
            (Some(lh), Some(lf)) => (lh, lf),
            _ => (
                self.da.values().filter(|hit| **hit).count() as u64,
                self.da.len() as u64,
            ),
        }
    }
}

fn count(name: &str, lineno: usize, key: &str, text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| format!("{name} line {lineno}: {key} is not a count: `{text}`"))
}

pub(super) fn read(name: &str, bytes: &[u8]) -> Result<Read, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    // Records per source file, in the order files first appear.
    let mut files: Vec<(String, Vec<Record>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut current: Option<(String, Record)> = None;
    let mut flush = |current: &mut Option<(String, Record)>| {
        if let Some((file, record)) = current.take() {
            let slot = *index.entry(file.clone()).or_insert_with(|| {
                files.push((file, Vec::new()));
                files.len() - 1
            });
            files[slot].1.push(record);
        }
    };
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        let line = line.trim();
        if line == "end_of_record" {
            flush(&mut current);
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        match key {
            "SF" => {
                // A record that never got its end_of_record (a cut-off merge).
                flush(&mut current);
                current = Some((value.trim().to_string(), Record::default()));
            }
            "DA" => {
                let mut parts = value.split(',');
                let number = count(name, lineno, "DA's line", parts.next().unwrap_or(""))?;
                let hits_text = parts.next().unwrap_or("").trim();
                // Counts may be negative (gcov), floats or beyond u64 (merged runs).
                let hits = hits_text.parse::<f64>().map_err(|_| {
                    format!("{name} line {lineno}: DA's hit count is not a number: `{hits_text}`")
                })?;
                let record = &mut current
                    .get_or_insert_with(|| (String::new(), Record::default()))
                    .1;
                *record.da.entry(number).or_insert(false) |= hits > 0.0;
            }
            "LF" | "LH" => {
                let n = count(name, lineno, key, value)?;
                let record = &mut current
                    .get_or_insert_with(|| (String::new(), Record::default()))
                    .1;
                if key == "LF" {
                    record.lf = Some(n);
                } else {
                    record.lh = Some(n);
                }
            }
            _ => {}
        }
    }
    flush(&mut current);
    files.retain(|(_, records)| records.iter().any(|r| !r.is_empty()));
    if files.is_empty() {
        return Err(format!("{name}: the lcov report has no records with lines"));
    }
    let (mut covered, mut total, mut merged) = (0u64, 0u64, 0usize);
    for (file, records) in &files {
        let records: Vec<&Record> = records.iter().filter(|r| !r.is_empty()).collect();
        let (hit, lines) = match records.as_slice() {
            [one] => one.counts(),
            many => {
                merged += 1;
                merge(many)
            }
        };
        if hit > lines {
            let shown = if file.is_empty() { "a record" } else { file };
            return Err(format!(
                "{name}: {shown} has {hit} lines hit out of {lines} (LH > LF)"
            ));
        }
        covered += hit;
        total += lines;
    }
    let note = (merged > 0).then(|| {
        if merged == 1 {
            "1 file appears in several records; its lines were merged".to_string()
        } else {
            format!("{merged} files appear in several records; their lines were merged")
        }
    });
    Ok(Read {
        percent: percent(name, "lcov", covered, total)?,
        note,
    })
}

/// Records of one file from several runs or tools: a line counts once, as hit when
/// any record hit it. Without DA lines in every record the lines can't be matched
/// up, so the record with the most lines (then the most hits) stands for the file.
fn merge(records: &[&Record]) -> (u64, u64) {
    if records.iter().all(|r| !r.da.is_empty()) {
        let mut lines: BTreeMap<u64, bool> = BTreeMap::new();
        for record in records {
            for (number, hit) in &record.da {
                *lines.entry(*number).or_insert(false) |= *hit;
            }
        }
        let hit = lines.values().filter(|h| **h).count() as u64;
        return (hit, lines.len() as u64);
    }
    records
        .iter()
        .map(|r| r.counts())
        .max_by_key(|(hit, lines)| (*lines, *hit))
        .unwrap_or((0, 0))
}
