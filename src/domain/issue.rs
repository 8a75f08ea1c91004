//! Issues of the register and their lifecycle: what a check run does to them.
//!
//! Everything here is pure: [`reconcile`] takes the register as loaded and one run's
//! findings, and returns the issues to create and the ones to change. The store writes
//! them; the headless `check` and the cockpit share this one definition of the rules.

use crate::domain::finding::{Finding, Severity};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

/// Where an issue stands. `New` is untriaged (filed by a check); `Verified` and
/// `Dismissed` are closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    New,
    Open,
    InProgress,
    Fixed,
    Verified,
    Dismissed,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Open,
        Status::InProgress,
        Status::Fixed,
        Status::Verified,
        Status::Dismissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::InProgress => "in-progress",
            Status::Fixed => "fixed",
            Status::Verified => "verified",
            Status::Dismissed => "dismissed",
        }
    }

    /// Open for gates and counts: new, open, in progress, or fixed but not verified.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::New | Status::Open | Status::InProgress | Status::Fixed
        )
    }

    /// The next status in the triage cycle (the cockpit's `s`); dismissal has its own
    /// command because it needs a reason.
    pub fn next(self) -> Status {
        match self {
            Status::New => Status::Open,
            Status::Open => Status::InProgress,
            Status::InProgress => Status::Fixed,
            Status::Fixed => Status::Verified,
            Status::Verified | Status::Dismissed => Status::Open,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.replace('_', "-");
        Status::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(&wanted))
            .ok_or_else(|| {
                format!("unknown status `{s}`, expected one of: new, open, in-progress, fixed, verified, dismissed")
            })
    }
}

/// Why a finding was dismissed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DismissReason {
    FalsePositive,
    WontFix,
    AcceptedRisk,
    UsedInTests,
}

impl DismissReason {
    pub const ALL: [DismissReason; 4] = [
        DismissReason::FalsePositive,
        DismissReason::WontFix,
        DismissReason::AcceptedRisk,
        DismissReason::UsedInTests,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DismissReason::FalsePositive => "false-positive",
            DismissReason::WontFix => "wont-fix",
            DismissReason::AcceptedRisk => "accepted-risk",
            DismissReason::UsedInTests => "used-in-tests",
        }
    }
}

impl fmt::Display for DismissReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for DismissReason {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DismissReason::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown reason `{s}`, expected one of: false-positive, wont-fix, accepted-risk, used-in-tests")
            })
    }
}

/// Effort to fix, T-shirt sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effort {
    S,
    M,
    L,
    XL,
}

impl FromStr for Effort {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "S" => Ok(Effort::S),
            "M" => Ok(Effort::M),
            "L" => Ok(Effort::L),
            "XL" => Ok(Effort::XL),
            _ => Err(format!(
                "unknown effort `{s}`, expected one of: S, M, L, XL"
            )),
        }
    }
}

impl fmt::Display for Effort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Effort::S => "S",
            Effort::M => "M",
            Effort::L => "L",
            Effort::XL => "XL",
        })
    }
}

/// The finding an issue was filed from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingLink {
    pub check: String,
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub fingerprint: String,
    /// Commit of the run that first reported it ("uncommitted" before any commit).
    pub first_seen: String,
    /// Commit of the latest run that reported it.
    pub last_seen: String,
    /// Commit of the run in which it was gone, when it verified itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<String>,
    /// How sure the tool was (bandit, pylint), as it said it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<String>,
    /// For a dependency advisory: the vulnerable package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// The package's installed version when last seen; an upgrade that is still
    /// affected updates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Versions that fix the advisory; empty when none is known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
    /// The advisory's other ids (CVE, GHSA, PYSEC).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

impl FindingLink {
    /// `lodash 4.17.20 → 4.17.21` for a dependency advisory, `None` for code findings.
    pub fn dependency_summary(&self) -> Option<String> {
        let package = self.package.as_deref()?;
        let version = self
            .version
            .as_deref()
            .map_or(String::new(), |v| format!(" {v}"));
        Some(format!(
            "{package}{version} → {}",
            crate::domain::finding::fixed_text(&self.fixed)
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dismissal {
    pub reason: DismissReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For accepted risks: the day (YYYY-MM-DD) after which the issue comes back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    pub by: String,
    pub at: String,
}

/// One line of the append-only history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    pub by: String,
    pub change: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub at: String,
    pub by: String,
    pub text: String,
}

/// One entry of the register, as stored in `.preflight/issues/<id>.toml`.
///
/// `revision` grows by one with every write; a write based on an older revision is
/// refused, so two writers never silently overwrite each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    #[serde(default)]
    pub blocker: bool,
    /// Set when a verified finding came back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub regression: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<Effort>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repro: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    pub created: String,
    pub updated: String,
    #[serde(default)]
    pub revision: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<FindingLink>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dismissal: Option<Dismissal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
}

impl Issue {
    /// A fresh issue with only what every issue has; revision 0 until it is stored.
    pub fn new(
        id: String,
        title: String,
        severity: Severity,
        status: Status,
        actor: &Actor,
    ) -> Issue {
        Issue {
            id,
            title,
            severity,
            status,
            blocker: false,
            regression: false,
            owner: None,
            effort: None,
            area: None,
            impact: None,
            evidence: None,
            repro: None,
            root_cause: None,
            fix: None,
            task: None,
            created: actor.at.clone(),
            updated: actor.at.clone(),
            revision: 0,
            finding: None,
            dismissal: None,
            notes: Vec::new(),
            history: Vec::new(),
        }
    }

    /// Where it came from: the check's id, or "manual".
    pub fn source(&self) -> &str {
        self.finding.as_ref().map_or("manual", |f| f.check.as_str())
    }

    pub fn log(&mut self, at: &str, by: &str, change: impl Into<String>) {
        self.history.push(HistoryEntry {
            at: at.to_string(),
            by: by.to_string(),
            change: change.into(),
        });
    }
}

/// Who does something and when (RFC 3339), stamped on history entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub by: String,
    pub at: String,
    /// Today as YYYY-MM-DD, to compare with expiry dates.
    pub today: String,
}

/// What a run of one check tells the register.
#[derive(Debug, Clone)]
pub struct RunFacts<'a> {
    pub check: &'a str,
    /// The tool ran and reported (passed or failed). A crash, a timeout or a cancel
    /// verifies nothing.
    pub judged: bool,
    /// The commit the run saw ("uncommitted" before any commit).
    pub commit: &'a str,
    /// Register severity per tool severity or rule id, overriding the tool's level.
    pub severity_map: &'a BTreeMap<String, Severity>,
}

/// The result of reconciling: whole new issues, and changed copies of existing ones
/// (each still carrying the revision it was based on).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Reconciled {
    pub created: Vec<Issue>,
    pub changed: Vec<Issue>,
}

impl Reconciled {
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.changed.is_empty()
    }
}

/// Longest title made from a finding's message.
const TITLE_MAX: usize = 100;

fn finding_title(f: &Finding) -> String {
    let message = f.message.lines().next().unwrap_or("").trim();
    let mut title = match &f.dependency {
        Some(dep) => format!("{} {}: {message}", dep.package, f.rule),
        None => format!("{}: {message}", f.rule),
    };
    if title.chars().count() > TITLE_MAX {
        title = title.chars().take(TITLE_MAX - 1).collect::<String>() + "…";
    }
    title
}

/// The register severity of a finding: by its rule id (`B301`), else by the longest
/// rule prefix ending in `*` (`S*` for every flake8-bandit rule of ruff), else by the
/// tool's severity (`high`), else the tool's severity as it is.
pub fn mapped_severity(f: &Finding, map: &BTreeMap<String, Severity>) -> Severity {
    let by_prefix = || {
        map.iter()
            .filter_map(|(key, severity)| {
                let prefix = key.strip_suffix('*')?;
                f.rule
                    .starts_with(prefix)
                    .then_some((prefix.len(), severity))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, severity)| severity)
    };
    map.get(&f.rule)
        .or_else(by_prefix)
        .or_else(|| map.get(f.severity.as_str()))
        .copied()
        .unwrap_or(f.severity)
}

/// An accepted risk whose expiry day has passed.
pub fn risk_expired(issue: &Issue, today: &str) -> bool {
    issue.status == Status::Dismissed
        && issue.dismissal.as_ref().is_some_and(|d| {
            d.reason == DismissReason::AcceptedRisk
                && d.expires.as_deref().is_some_and(|day| day < today)
        })
}

/// Reopen accepted risks past their expiry. Returns changed copies.
pub fn expire_risks(issues: &[Issue], actor: &Actor) -> Vec<Issue> {
    issues
        .iter()
        .filter(|i| risk_expired(i, &actor.today))
        .map(|i| {
            let mut issue = i.clone();
            let day = issue
                .dismissal
                .as_ref()
                .and_then(|d| d.expires.clone())
                .unwrap_or_default();
            issue.status = Status::Open;
            issue.dismissal = None;
            issue.log(
                &actor.at,
                &actor.by,
                format!("reopened: accepted risk expired on {day}"),
            );
            issue
        })
        .collect()
}

/// Apply one run's findings to the register.
///
/// - a new fingerprint files a `new` issue;
/// - a known one refreshes its location and last-seen commit (only when they differ:
///   the same run twice changes nothing);
/// - a verified one that is back is reopened and marked as a regression;
/// - a dismissed one stays dismissed;
/// - when the run was judged, a new (untriaged), open, in-progress or fixed issue of
///   this check whose finding is gone becomes `verified` at the run's commit: a finding
///   fixed before anyone triaged it must not hold a gate forever.
pub fn reconcile(
    issues: &[Issue],
    run: &RunFacts,
    findings: &[Finding],
    actor: &Actor,
    new_id: &mut dyn FnMut() -> String,
) -> Reconciled {
    let mut by_fingerprint: HashMap<&str, &Issue> = HashMap::new();
    for issue in issues {
        if let Some(link) = issue.finding.as_ref().filter(|l| l.check == run.check) {
            // After a merge two issues may share a fingerprint: the oldest wins.
            by_fingerprint
                .entry(link.fingerprint.as_str())
                .and_modify(|held| {
                    if issue.created < held.created {
                        *held = issue;
                    }
                })
                .or_insert(issue);
        }
    }
    let mut out = Reconciled::default();
    let mut seen: HashSet<&str> = HashSet::new();
    for finding in findings {
        if !seen.insert(finding.fingerprint.as_str()) {
            continue;
        }
        match by_fingerprint.get(finding.fingerprint.as_str()) {
            None => out.created.push(file_new(finding, run, actor, new_id())),
            Some(issue) => {
                if let Some(changed) = seen_again(issue, finding, run, actor) {
                    out.changed.push(changed);
                }
            }
        }
    }
    if run.judged {
        for issue in by_fingerprint.values() {
            let gone = issue
                .finding
                .as_ref()
                .is_some_and(|l| !seen.contains(l.fingerprint.as_str()));
            if gone
                && matches!(
                    issue.status,
                    Status::New | Status::Open | Status::InProgress | Status::Fixed
                )
            {
                let mut verified = (*issue).clone();
                verified.status = Status::Verified;
                if let Some(link) = verified.finding.as_mut() {
                    link.verified_at = Some(run.commit.to_string());
                }
                verified.log(
                    &actor.at,
                    &actor.by,
                    format!("verified: gone from a {} run at {}", run.check, run.commit),
                );
                out.changed.push(verified);
            }
        }
    }
    out.changed.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn file_new(finding: &Finding, run: &RunFacts, actor: &Actor, id: String) -> Issue {
    let severity = mapped_severity(finding, run.severity_map);
    let mut issue = Issue::new(id, finding_title(finding), severity, Status::New, actor);
    issue.evidence = Some(finding.message.clone());
    issue.finding = Some(FindingLink {
        check: run.check.to_string(),
        rule: finding.rule.clone(),
        path: finding.path.clone(),
        line: finding.line,
        fingerprint: finding.fingerprint.clone(),
        first_seen: run.commit.to_string(),
        last_seen: run.commit.to_string(),
        verified_at: None,
        ..FindingLink::default()
    });
    if let Some(link) = issue.finding.as_mut() {
        link_details(link, finding);
    }
    issue.log(
        &actor.at,
        &actor.by,
        format!("filed by {} at {}", run.check, run.commit),
    );
    issue
}

/// Copy what the tool says about the finding that can change between runs (the
/// installed version, the fixes it knows, its confidence) into the issue's link.
fn link_details(link: &mut FindingLink, finding: &Finding) {
    link.confidence = finding.confidence.clone();
    match &finding.dependency {
        Some(dep) => {
            link.package = Some(dep.package.clone());
            link.version = dep.version.clone();
            link.fixed = dep.fixed.clone();
            link.aliases = dep.aliases.clone();
        }
        None => {
            link.package = None;
            link.version = None;
            link.fixed = Vec::new();
            link.aliases = Vec::new();
        }
    }
}

/// A known finding reported again: `None` when nothing about the issue changes.
fn seen_again(issue: &Issue, finding: &Finding, run: &RunFacts, actor: &Actor) -> Option<Issue> {
    let mut next = issue.clone();
    let mut upgraded = None;
    if let Some(link) = next.finding.as_mut() {
        link.last_seen = run.commit.to_string();
        link.path = finding.path.clone();
        link.line = finding.line;
        let before = link.version.clone();
        link_details(link, finding);
        if let (Some(package), Some(before)) = (&link.package, before) {
            if link.version.as_ref() != Some(&before) {
                upgraded = Some(format!(
                    "still affected: {package} went from {before} to {}",
                    link.version.as_deref().unwrap_or("an unknown version")
                ));
            }
        }
    }
    if let Some(change) = upgraded {
        next.log(&actor.at, &actor.by, change);
    }
    if issue.status == Status::Verified {
        next.status = Status::Open;
        next.regression = true;
        if let Some(link) = next.finding.as_mut() {
            link.verified_at = None;
        }
        next.log(
            &actor.at,
            &actor.by,
            format!(
                "reopened as a regression: back in a {} run at {}",
                run.check, run.commit
            ),
        );
    }
    (next != *issue).then_some(next)
}

#[cfg(test)]
mod tests;
