//! Findings: the problems a check reports, with a fingerprint that outlives edits.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// How bad a finding or an issue is. Ordered from worst to mildest so that sorting
/// ascending puts critical first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "unknown severity `{s}`, expected one of: critical, high, medium, low, info"
                )
            })
    }
}

/// One problem reported by one run of a check.
///
/// `fingerprint` identifies the same problem across runs: it is the tool's own when the
/// tool gives one, otherwise derived from rule, path and the normalised source line or
/// message — never from the line number, so that a finding survives edits above it.
/// It is empty until [`assign_fingerprints`] has run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub path: Option<String>,
    pub line: Option<u32>,
    pub fingerprint: String,
    /// The fingerprint the tool itself gave (e.g. SARIF `partialFingerprints`), if any.
    #[serde(skip)]
    pub tool_fingerprint: Option<String>,
    /// How sure the tool is (bandit's `HIGH`, pylint's `INFERENCE`), as it says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<String>,
    /// For a dependency advisory: the package it is in and the versions that fix it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependency: Option<Dependency>,
}

/// Where a vulnerable package comes from, to find its manifest or lockfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Npm,
    PyPI,
    Crates,
}

/// The package side of a dependency advisory (npm audit, pip-audit, safety, cargo audit).
///
/// The advisory's id is the finding's rule; together with `package` it makes the
/// fingerprint, so an upgrade that is still affected stays the same issue (with the
/// new `version`) and an upgrade past the advisory makes the finding go away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    pub ecosystem: Ecosystem,
    pub package: String,
    /// The installed version; several versions of one package in one lockfile are
    /// listed together (`0.1.43, 0.2.22`). `None` when the tool does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Versions or ranges that fix it (`4.17.21`, `>=0.2.23`); empty when there is no
    /// known fix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
    /// The advisory's other ids (CVE, GHSA, PYSEC) besides the rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Where the vulnerable copies sit in the lockfile (npm's `node_modules/…` paths),
    /// to read their installed versions from it when the tool does not say.
    #[serde(skip)]
    pub nodes: Vec<String>,
}

impl Dependency {
    /// `lodash 4.17.20 → 4.17.21`, `rsa 0.9.6 → no fix`, as the cockpit and report show it.
    pub fn summary(&self) -> String {
        let version = self
            .version
            .as_deref()
            .map_or(String::new(), |v| format!(" {v}"));
        format!("{}{version} → {}", self.package, fixed_text(&self.fixed))
    }
}

/// The fixed-in versions as one phrase: `4.17.21`, `2.20.0 or 2.31.0`, `no fix`.
pub fn fixed_text(fixed: &[String]) -> String {
    if fixed.is_empty() {
        "no fix".to_string()
    } else {
        fixed.join(" or ")
    }
}

impl Finding {
    pub fn new(rule: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            rule: rule.into(),
            severity,
            message: message.into(),
            path: None,
            line: None,
            fingerprint: String::new(),
            tool_fingerprint: None,
            confidence: None,
            dependency: None,
        }
        .bounded()
    }

    pub fn at(mut self, path: impl Into<String>, line: Option<u32>) -> Self {
        self.path = Some(path.into());
        self.line = line;
        self.bounded()
    }

    /// The finding with every text field within its limit ([`MAX_MESSAGE`],
    /// [`MAX_RULE`], [`MAX_PATH`]), cut with a visible marker. Readers may set fields
    /// directly; [`Findings::push`] bounds whatever they built.
    pub fn bounded(mut self) -> Self {
        clip_bytes(&mut self.message, MAX_MESSAGE);
        clip_bytes(&mut self.rule, MAX_RULE);
        if let Some(path) = &mut self.path {
            clip_bytes(path, MAX_PATH);
        }
        if let Some(tool) = &mut self.tool_fingerprint {
            clip_bytes(tool, MAX_RULE);
        }
        if let Some(confidence) = &mut self.confidence {
            clip_bytes(confidence, MAX_RULE);
        }
        if let Some(dep) = &mut self.dependency {
            clip_bytes(&mut dep.package, MAX_RULE);
            if let Some(version) = &mut dep.version {
                clip_bytes(version, MAX_RULE);
            }
            for (list, max) in [
                (&mut dep.fixed, MAX_LIST),
                (&mut dep.aliases, MAX_LIST),
                (&mut dep.nodes, MAX_NODES),
            ] {
                list.truncate(max);
                for item in list.iter_mut() {
                    clip_bytes(item, MAX_RULE);
                }
            }
        }
        self
    }

    /// Bytes of text held, for the run's budget.
    fn weight(&self) -> usize {
        let dependency = self.dependency.as_ref().map_or(0, |d| {
            d.package.len()
                + d.version.as_ref().map_or(0, String::len)
                + [&d.fixed, &d.aliases, &d.nodes]
                    .iter()
                    .flat_map(|list| list.iter())
                    .map(String::len)
                    .sum::<usize>()
        });
        dependency
            + self.confidence.as_ref().map_or(0, String::len)
            + self.message.len()
            + self.rule.len()
            + self.path.as_ref().map_or(0, String::len)
            + self.tool_fingerprint.as_ref().map_or(0, String::len)
            + std::mem::size_of::<Finding>()
    }
}

/// Longest message a finding keeps (and so the evidence of an issue filed from it): a
/// tool may print megabytes in one message; the register and the terminal get this
/// much and a marker saying how much was cut.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// Longest rule id (and tool fingerprint) kept.
pub const MAX_RULE: usize = 1024;
/// Longest path kept (Linux's `PATH_MAX`).
pub const MAX_PATH: usize = 4096;
/// Most fixed-in versions and aliases an advisory keeps.
pub const MAX_LIST: usize = 64;
/// Most lockfile places (npm's `node_modules/…`) an advisory keeps.
pub const MAX_NODES: usize = 1024;
/// Most findings one run keeps: a check that reports millions must not exhaust memory.
pub const MAX_FINDINGS: usize = 10_000;
/// Most text (bytes, all findings of a run together) one run keeps: 10,000 findings at
/// [`MAX_MESSAGE`] each would be 640 MiB.
pub const MAX_FINDINGS_BYTES: usize = 32 * 1024 * 1024;

/// Cut `text` to at most `max` bytes (on a character boundary), ending with a marker
/// that says how much was cut. Text within the limit is left alone.
pub fn clip_bytes(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let total = text.len();
    let marker_room = 48.min(max);
    let mut cut = max - marker_room;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    let marker = format!("… [cut: {} more bytes]", total - cut);
    if text.len() + marker.len() <= max {
        text.push_str(&marker);
    }
    text.shrink_to_fit();
}

/// A run's findings as read: at most [`MAX_FINDINGS`] of them and [`MAX_FINDINGS_BYTES`]
/// of text, each one [`Finding::bounded`]. Every reader collects into one, so a new
/// reader gets the caps for free, and what was left out is counted: a truncated run
/// must never verify an issue (its finding may be among those left out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    list: Vec<Finding>,
    bytes: usize,
    dropped: usize,
}

impl Findings {
    pub fn new() -> Findings {
        Findings::default()
    }

    /// Keep `finding` (bounded) if there is room; false when it was left out.
    pub fn push(&mut self, finding: Finding) -> bool {
        if self.is_full() {
            self.dropped += 1;
            return false;
        }
        let finding = finding.bounded();
        let weight = finding.weight();
        if self.bytes + weight > MAX_FINDINGS_BYTES {
            self.dropped += 1;
            self.bytes = MAX_FINDINGS_BYTES; // full: later ones are dropped at once
            return false;
        }
        self.bytes += weight;
        self.list.push(finding);
        true
    }

    /// Count one finding left out without building it (a reader that sees the set is
    /// full need not read further than to count).
    pub fn leave_out(&mut self) {
        self.dropped += 1;
    }

    /// No more findings will be kept.
    pub fn is_full(&self) -> bool {
        self.list.len() >= MAX_FINDINGS || self.bytes >= MAX_FINDINGS_BYTES
    }

    /// Findings left out past the caps.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// `Some(kept)` when some were left out: "findings truncated at N".
    pub fn truncated_at(&self) -> Option<usize> {
        (self.dropped > 0).then_some(self.list.len())
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn as_slice(&self) -> &[Finding] {
        &self.list
    }

    pub fn into_vec(self) -> Vec<Finding> {
        self.list
    }
}

impl FromIterator<Finding> for Findings {
    fn from_iter<I: IntoIterator<Item = Finding>>(iter: I) -> Findings {
        let mut findings = Findings::new();
        for finding in iter {
            findings.push(finding);
        }
        findings
    }
}

/// Collapse what changes without the problem changing: colours, runs of white space,
/// and numbers (counts and positions in messages such as "found 3 issues at col 7").
pub fn normalise(text: &str) -> String {
    let stripped = strip_ansi_escapes::strip_str(text);
    let mut out = String::with_capacity(stripped.len());
    let mut in_digits = false;
    for word in stripped.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for ch in word.chars() {
            if ch.is_ascii_digit() {
                if !in_digits {
                    out.push('0');
                }
                in_digits = true;
            } else {
                in_digits = false;
                out.push(ch);
            }
        }
        in_digits = false;
    }
    out
}

fn short_hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Give every finding of one run its fingerprint.
///
/// A dependency advisory's is its id (the rule) and package; a tool's own fingerprint
/// comes next; otherwise rule, path, source line and message.
///
/// `source_line(path, line)` returns the text of that line of the repository file when
/// it can be read; it is the anchor that keeps a fingerprint stable when lines move.
/// Findings that would share a fingerprint (the same rule on two identical lines) are
/// told apart by their order of appearance, so no two findings of a run collide.
pub fn assign_fingerprints(
    check: &str,
    findings: &mut [Finding],
    mut source_line: impl FnMut(&str, u32) -> Option<String>,
) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for finding in findings.iter_mut() {
        let base = match (&finding.dependency, &finding.tool_fingerprint) {
            // Advisory + package, never the version: an upgrade that is still affected
            // is the same issue.
            (Some(dep), _) => short_hash(&[check, "advisory", &finding.rule, &dep.package]),
            (None, Some(tool)) => short_hash(&[check, "tool", &finding.rule, tool]),
            (None, None) => {
                let anchor = match (&finding.path, finding.line) {
                    (Some(path), Some(line)) => source_line(path, line)
                        .map(|text| normalise(&text))
                        .filter(|text| !text.is_empty()),
                    _ => None,
                };
                let path = finding.path.as_deref().unwrap_or("");
                let message = normalise(&finding.message);
                match anchor {
                    Some(anchor) => short_hash(&[check, &finding.rule, path, &anchor, &message]),
                    None => short_hash(&[check, &finding.rule, path, &message]),
                }
            }
        };
        let count = seen.entry(base.clone()).or_insert(0);
        finding.fingerprint = if *count == 0 {
            base
        } else {
            format!("{base}-{count}")
        };
        *count += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &'static str) -> impl FnMut(&str, u32) -> Option<String> {
        move |_, line| text.lines().nth(line as usize - 1).map(str::to_owned)
    }

    #[test]
    fn fingerprint_survives_lines_inserted_above() {
        let before = "fn a() {}\nlet x = y.unwrap();\n";
        let after = "// new comment\n\nfn a() {}\nlet x = y.unwrap();\n";
        let mut one = vec![
            Finding::new("unwrap_used", Severity::Medium, "used unwrap at 2:9")
                .at("src/a.rs", Some(2)),
        ];
        let mut two = vec![
            Finding::new("unwrap_used", Severity::Medium, "used unwrap at 4:9")
                .at("src/a.rs", Some(4)),
        ];
        assign_fingerprints("clippy", &mut one, lines(before));
        assign_fingerprints("clippy", &mut two, lines(after));
        assert_eq!(one[0].fingerprint, two[0].fingerprint);
        assert_eq!(one[0].fingerprint.len(), 16);
    }

    #[test]
    fn different_rules_or_paths_differ() {
        let mut f = vec![
            Finding::new("a", Severity::Low, "m").at("x.rs", Some(1)),
            Finding::new("b", Severity::Low, "m").at("x.rs", Some(1)),
            Finding::new("a", Severity::Low, "m").at("y.rs", Some(1)),
        ];
        assign_fingerprints("c", &mut f, |_, _| Some("same line".into()));
        assert_ne!(f[0].fingerprint, f[1].fingerprint);
        assert_ne!(f[0].fingerprint, f[2].fingerprint);
    }

    #[test]
    fn identical_findings_get_distinct_fingerprints() {
        let mut f = vec![
            Finding::new("a", Severity::Low, "m").at("x.rs", Some(1)),
            Finding::new("a", Severity::Low, "m").at("x.rs", Some(9)),
        ];
        assign_fingerprints("c", &mut f, |_, _| Some("dup();".into()));
        assert_ne!(f[0].fingerprint, f[1].fingerprint);
        assert!(f[1].fingerprint.ends_with("-1"));
    }

    #[test]
    fn tool_fingerprint_wins_over_location() {
        let mut a = Finding::new("r", Severity::High, "m").at("x.rs", Some(1));
        a.tool_fingerprint = Some("abc".into());
        let mut b = Finding::new("r", Severity::High, "other").at("z.rs", Some(7));
        b.tool_fingerprint = Some("abc".into());
        let mut v = vec![a];
        let mut w = vec![b];
        assign_fingerprints("c", &mut v, |_, _| None);
        assign_fingerprints("c", &mut w, |_, _| None);
        assert_eq!(v[0].fingerprint, w[0].fingerprint);
    }

    fn advisory(id: &str, package: &str, version: &str, message: &str) -> Finding {
        let mut f = Finding::new(id, Severity::High, message).at("Cargo.lock", None);
        f.dependency = Some(Dependency {
            ecosystem: Ecosystem::Crates,
            package: package.into(),
            version: Some(version.into()),
            fixed: vec![">=0.2.23".into()],
            aliases: vec![],
            nodes: vec![],
        });
        f
    }

    #[test]
    fn advisory_fingerprint_is_advisory_and_package_not_version() {
        let mut before = vec![
            advisory("RUSTSEC-2020-0071", "time", "0.2.22", "Potential segfault"),
            advisory(
                "RUSTSEC-2020-0071",
                "chrono",
                "0.4.19",
                "Potential segfault",
            ),
        ];
        let mut after = vec![advisory(
            "RUSTSEC-2020-0071",
            "time",
            "0.2.23-beta",
            "Potential segfault in the time crate",
        )];
        after[0].path = Some("sub/Cargo.lock".into());
        assign_fingerprints("audit", &mut before, |_, _| None);
        assign_fingerprints("audit", &mut after, |_, _| None);
        assert_eq!(before[0].fingerprint, after[0].fingerprint);
        assert_ne!(before[0].fingerprint, before[1].fingerprint);
        let mut other = vec![advisory("RUSTSEC-2021-0001", "time", "0.2.22", "x")];
        assign_fingerprints("audit", &mut other, |_, _| None);
        assert_ne!(other[0].fingerprint, before[0].fingerprint);
    }

    #[test]
    fn dependency_summary_reads_version_to_fix() {
        let f = advisory("A", "time", "0.2.22", "m");
        assert_eq!(
            f.dependency.as_ref().map(Dependency::summary).as_deref(),
            Some("time 0.2.22 → >=0.2.23")
        );
        let none = Dependency {
            ecosystem: Ecosystem::Npm,
            package: "rsa".into(),
            version: None,
            fixed: vec![],
            aliases: vec![],
            nodes: vec![],
        };
        assert_eq!(none.summary(), "rsa → no fix");
    }

    #[test]
    fn normalise_strips_colour_space_and_numbers() {
        assert_eq!(
            normalise("\x1b[31mfound  12 issues\x1b[0m at col 7"),
            "found 0 issues at col 0"
        );
    }

    #[test]
    fn a_ten_megabyte_message_is_cut_with_a_marker() {
        let huge = "x".repeat(10 * 1024 * 1024);
        let finding = Finding::new("r", Severity::Low, huge.as_str()).at(huge.as_str(), Some(1));
        assert!(finding.message.len() <= MAX_MESSAGE);
        assert!(finding.message.ends_with("more bytes]"), "a visible marker");
        assert!(finding.path.as_ref().is_some_and(|p| p.len() <= MAX_PATH));
        let mut direct = Finding::new("r", Severity::Low, "m");
        direct.rule = "é".repeat(MAX_RULE);
        let mut findings = Findings::new();
        findings.push(direct);
        let kept = &findings.as_slice()[0];
        assert!(kept.rule.len() <= MAX_RULE && kept.rule.starts_with('é'));
    }

    #[test]
    fn an_advisorys_package_fields_are_bounded_too() {
        let mut f = Finding::new("GHSA-x", Severity::High, "m");
        f.confidence = Some("c".repeat(100_000));
        f.dependency = Some(Dependency {
            ecosystem: Ecosystem::Npm,
            package: "p".repeat(100_000),
            version: Some("v".repeat(100_000)),
            fixed: vec!["1.0".into(); 100_000],
            aliases: vec!["CVE".repeat(1_000); 10],
            nodes: Vec::new(),
        });
        let f = f.bounded();
        let dep = f.dependency.as_ref().unwrap();
        assert!(dep.package.len() <= MAX_RULE && dep.fixed.len() == MAX_LIST);
        assert!(dep.aliases.iter().all(|a| a.len() <= MAX_RULE));
        assert!(f.confidence.as_ref().is_some_and(|c| c.len() <= MAX_RULE));
    }

    #[test]
    fn findings_past_the_caps_are_counted_not_kept() {
        let mut findings: Findings = (0..MAX_FINDINGS + 3)
            .map(|i| Finding::new("r", Severity::Low, format!("m{i}")))
            .collect();
        assert_eq!(findings.len(), MAX_FINDINGS);
        assert_eq!(findings.dropped(), 3);
        assert_eq!(findings.truncated_at(), Some(MAX_FINDINGS));
        assert!(!findings.push(Finding::new("r", Severity::Low, "one more")));
        let big = "y".repeat(MAX_MESSAGE);
        let by_bytes: Findings = (0..1_000)
            .map(|_| Finding::new("r", Severity::Low, big.as_str()))
            .collect();
        assert!(by_bytes.len() < 1_000 && by_bytes.truncated_at().is_some());
        assert!(by_bytes.len() * MAX_MESSAGE <= MAX_FINDINGS_BYTES);
        assert_eq!(Findings::new().truncated_at(), None);
    }

    #[test]
    fn severity_parses_case_insensitively() {
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
    }
}
