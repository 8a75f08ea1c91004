//! The baseline: the findings a repository already had when it adopted preflight,
//! recorded once (`preflight baseline`) so the first run is not hundreds of untriaged
//! issues, and so a gate can ask for no *new* findings ("clean as you code").
//!
//! A baseline finding is still an issue of the register, filed `open` rather than
//! `new` (it needs no triage one by one) and verified like any other when it goes
//! away. What the baseline changes is counting: `max_new` gates, the report, the
//! cockpit and SARIF's `baselineState` tell findings in it from findings since.
//! Membership is by check and fingerprint, so it survives edits above a finding.

use crate::domain::finding::Severity;
use crate::domain::issue::{Actor, Issue, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the history says when a finding goes to the baseline.
pub const ADOPTED: &str = "moved to the baseline: status new → open";

/// One pre-existing finding, as written in `.preflight/baseline.toml`: the keys that
/// identify it, and enough words for a reviewer to recognise it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub check: String,
    pub fingerprint: String,
    pub rule: String,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub title: String,
}

impl Entry {
    /// The entry for a finding-backed issue; `None` for an issue filed by hand.
    pub fn of(issue: &Issue) -> Option<Entry> {
        let link = issue.finding.as_ref()?;
        Some(Entry {
            check: link.check.clone(),
            fingerprint: link.fingerprint.clone(),
            rule: link.rule.clone(),
            severity: issue.severity,
            path: link.path.clone(),
            title: issue.title.clone(),
        })
    }
}

/// The recorded findings, one per check and fingerprint. Invariant: keyed by
/// `(entry.check, entry.fingerprint)`, so iteration is in a stable order (by check,
/// then fingerprint) and the file it is written to diffs cleanly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeMap<(String, String), Entry>,
}

impl Baseline {
    /// No baseline: every finding is new.
    pub const fn empty() -> Baseline {
        Baseline {
            entries: BTreeMap::new(),
        }
    }

    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Baseline {
        let mut baseline = Baseline::empty();
        for entry in entries {
            baseline.insert(entry);
        }
        baseline
    }

    fn insert(&mut self, entry: Entry) {
        self.entries
            .insert((entry.check.clone(), entry.fingerprint.clone()), entry);
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// By check, then fingerprint.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    pub fn contains(&self, check: &str, fingerprint: &str) -> bool {
        self.entries
            .contains_key(&(check.to_string(), fingerprint.to_string()))
    }

    /// The issue's finding is in the baseline.
    pub fn holds(&self, issue: &Issue) -> bool {
        issue
            .finding
            .as_ref()
            .is_some_and(|f| self.contains(&f.check, &f.fingerprint))
    }

    /// A finding-backed issue whose finding is not in the baseline: what `max_new`
    /// counts. Issues filed by hand are neither new findings nor baseline.
    pub fn is_new_finding(&self, issue: &Issue) -> bool {
        issue.finding.is_some() && !self.holds(issue)
    }

    /// Replace the entries of `checks` by `entries` (a re-baseline of those checks);
    /// other checks' entries stay.
    pub fn record(&mut self, checks: &[String], entries: impl IntoIterator<Item = Entry>) {
        self.entries.retain(|(check, _), _| !checks.contains(check));
        for entry in entries {
            if checks.contains(&entry.check) {
                self.insert(entry);
            }
        }
    }
}

/// Three versions of a baseline merged entry by entry (git's merge of
/// `.preflight/baseline.toml` between branches): an entry either side added is kept, an
/// entry either side removed is gone (a removal is a reviewed decision: that finding
/// counts as new again), an entry one side changed takes that change. When both sides
/// changed one entry differently, the more severe (then the greater) version is kept,
/// so the result does not depend on which side is "ours". Returns the merge and how
/// many entries were decided that way.
pub fn merge(base: &Baseline, ours: &Baseline, theirs: &Baseline) -> (Baseline, usize) {
    let mut merged = Baseline::empty();
    let mut decided = 0;
    let keys: std::collections::BTreeSet<&(String, String)> =
        ours.entries.keys().chain(theirs.entries.keys()).collect();
    for key in keys {
        let was = base.entries.get(key);
        let entry = match (ours.entries.get(key), theirs.entries.get(key)) {
            (Some(a), Some(b)) if a == b => a,
            (Some(a), Some(b)) => match was {
                Some(w) if w == a => b,
                Some(w) if w == b => a,
                _ => {
                    decided += 1;
                    std::cmp::min_by(a, b, |a, b| {
                        a.severity
                            .cmp(&b.severity)
                            .then_with(|| b.title.cmp(&a.title))
                            .then_with(|| b.rule.cmp(&a.rule))
                            .then_with(|| b.path.cmp(&a.path))
                    })
                }
            },
            // Only one side has it: added there (kept), or removed by the other (gone).
            (Some(only), None) | (None, Some(only)) if was.is_none() => only,
            _ => continue,
        };
        merged.insert(entry.clone());
    }
    (merged, decided)
}

/// Open issues told apart by the baseline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Split {
    /// Open findings not in the baseline.
    pub new: usize,
    /// Open findings in the baseline.
    pub baseline: usize,
    /// Baseline findings verified gone since.
    pub baseline_verified: usize,
}

impl Split {
    pub fn of(baseline: &Baseline, issues: &[Issue]) -> Split {
        let mut split = Split::default();
        for issue in issues {
            match (baseline.holds(issue), issue.status) {
                (true, Status::Verified) => split.baseline_verified += 1,
                (true, s) if s.is_open() => split.baseline += 1,
                (false, s) if s.is_open() && issue.finding.is_some() => split.new += 1,
                _ => {}
            }
        }
        split
    }
}

/// A baseline finding needs no triage: `new` becomes `open`, with a history line.
/// Returns whether anything changed.
pub fn adopt(issue: &mut Issue, actor: &Actor) -> bool {
    if issue.status != Status::New {
        return false;
    }
    issue.status = Status::Open;
    issue.log(&actor.at, &actor.by, ADOPTED);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::issue::FindingLink;

    fn issue(check: &str, fp: &str, status: Status) -> Issue {
        let actor = Actor {
            by: "ci".into(),
            at: "2026-11-22T10:00:00Z".into(),
            today: "2026-11-22".into(),
        };
        let mut issue = Issue::new(
            format!("PF-{fp}"),
            format!("{check} {fp}"),
            Severity::High,
            status,
            &actor,
        );
        issue.finding = Some(FindingLink {
            check: check.into(),
            rule: "R1".into(),
            path: Some("src/a.rs".into()),
            line: Some(3),
            fingerprint: fp.into(),
            first_seen: "abc1234".into(),
            last_seen: "abc1234".into(),
            ..Default::default()
        });
        issue
    }

    fn entry(check: &str, fp: &str, severity: Severity, title: &str) -> Entry {
        Entry {
            check: check.into(),
            fingerprint: fp.into(),
            rule: "R1".into(),
            severity,
            path: Some("src/a.rs".into()),
            title: title.into(),
        }
    }

    fn keys(baseline: &Baseline) -> Vec<String> {
        baseline
            .entries()
            .map(|e| format!("{}/{}", e.check, e.fingerprint))
            .collect()
    }

    #[test]
    fn a_three_way_merge_keeps_additions_and_removals_of_both_sides() {
        let a = entry("lint", "a", Severity::Low, "a");
        let b = entry("lint", "b", Severity::Low, "b");
        let c = entry("lint", "c", Severity::Low, "c");
        let base = Baseline::from_entries([a.clone(), b.clone(), c.clone()]);
        // Ours removed b and added d; theirs removed c and added e (another check).
        let ours = Baseline::from_entries([
            a.clone(),
            c.clone(),
            entry("lint", "d", Severity::High, "d"),
        ]);
        let theirs = Baseline::from_entries([
            a.clone(),
            b.clone(),
            entry("audit", "e", Severity::Critical, "e"),
        ]);
        let (merged, decided) = merge(&base, &ours, &theirs);
        assert_eq!(keys(&merged), ["audit/e", "lint/a", "lint/d"]);
        assert_eq!(decided, 0);
        // Which side is ours does not matter.
        assert_eq!(merge(&base, &theirs, &ours).0, merged);
    }

    #[test]
    fn an_entry_changed_on_one_side_takes_the_change_and_on_both_the_more_severe() {
        let base = Baseline::from_entries([entry("lint", "a", Severity::Low, "old")]);
        let renamed = Baseline::from_entries([entry("lint", "a", Severity::Low, "new")]);
        let (merged, decided) = merge(&base, &base, &renamed);
        assert_eq!(merged, renamed);
        assert_eq!(decided, 0);
        let raised = Baseline::from_entries([entry("lint", "a", Severity::High, "old")]);
        let (merged, decided) = merge(&base, &renamed, &raised);
        assert_eq!(merged, raised);
        assert_eq!(decided, 1);
        assert_eq!(merge(&base, &raised, &renamed).0, raised);
        // Added on both sides differently (no base): decided the same way.
        let (merged, decided) = merge(&Baseline::empty(), &renamed, &raised);
        assert_eq!((merged, decided), (raised, 1));
    }

    #[test]
    fn a_removal_wins_over_a_change_on_the_other_side() {
        let base = Baseline::from_entries([entry("lint", "a", Severity::Low, "old")]);
        let changed = Baseline::from_entries([entry("lint", "a", Severity::High, "old")]);
        let (merged, _) = merge(&base, &Baseline::empty(), &changed);
        assert!(merged.is_empty());
    }

    #[test]
    fn membership_counting_and_re_recording() {
        let old = issue("clippy", "AAAA01", Status::Open);
        let gone = issue("clippy", "AAAA02", Status::Verified);
        let fresh = issue("clippy", "AAAA03", Status::New);
        let other = issue("ruff", "AAAA04", Status::New);
        let mut manual = issue("x", "AAAA05", Status::Open);
        manual.finding = None;
        let mut baseline =
            Baseline::from_entries([&old, &gone, &other].into_iter().filter_map(Entry::of));
        assert!(baseline.holds(&old) && !baseline.holds(&fresh) && !baseline.holds(&manual));
        assert!(baseline.is_new_finding(&fresh));
        assert!(
            !baseline.is_new_finding(&manual),
            "a hand-filed issue is no finding"
        );
        let all = [old.clone(), gone, fresh.clone(), other.clone(), manual];
        assert_eq!(
            Split::of(&baseline, &all),
            Split {
                new: 1,
                baseline: 2,
                baseline_verified: 1
            }
        );
        // Re-recording clippy keeps ruff's entries and replaces clippy's.
        baseline.record(&["clippy".into()], Entry::of(&fresh));
        assert!(baseline.holds(&fresh) && !baseline.holds(&old) && baseline.holds(&other));
        assert_eq!(baseline.len(), 2);
        let order: Vec<&str> = baseline.entries().map(|e| e.check.as_str()).collect();
        assert_eq!(order, ["clippy", "ruff"]);
    }

    #[test]
    fn adopting_opens_only_untriaged_issues() {
        let actor = Actor {
            by: "ana".into(),
            at: "2026-11-23T10:00:00Z".into(),
            today: "2026-11-23".into(),
        };
        let mut fresh = issue("clippy", "AAAA01", Status::New);
        assert!(adopt(&mut fresh, &actor));
        assert_eq!(fresh.status, Status::Open);
        assert_eq!(fresh.history.last().unwrap().change, ADOPTED);
        let mut triaged = issue("clippy", "AAAA02", Status::InProgress);
        assert!(!adopt(&mut triaged, &actor));
        assert!(triaged.history.is_empty());
    }
}
