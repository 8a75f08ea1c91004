//! Three-way merge of two versions of one issue: what `preflight merge-file` does when
//! git merges (or rebases) two clones' edits of the same issue file.
//!
//! Field by field against the common base:
//! - a field changed on one side only takes that side's value;
//! - changed on both sides to different values, the later change wins, timed by the
//!   side's history entry for that field (else its latest new entry, else its
//!   `updated`); a same-second tie goes to the value that sorts last, so every clone
//!   merges alike. The decision is logged (`merged: ana set severity high, bo set
//!   critical → critical`);
//! - status travels with its dismissal, so a merged issue is never dismissed without a
//!   reason nor open with one;
//! - notes and history are the union of both sides in time order, without duplicates;
//! - `created` is the earliest, `updated` the latest, and the revision moves past both.
//!
//! Without a base (both clones added the file: the same finding filed twice, its id
//! derived from the fingerprint) every differing field counts as changed on both sides.
//! Two different issues under one id are a [`Clash`]: that is for a person.
//!
//! The merge is symmetric (`merge(o, a, b) == merge(o, b, a)`) and reads no clock, so a
//! merge and a rebase of the same edits agree.

use crate::domain::issue::{Dismissal, FindingLink, HistoryEntry, Issue, Note, Status};
use std::cmp::Ordering;
use std::collections::HashSet;
use std::time::SystemTime;

/// Who the history says made a merge decision.
pub const MERGE_ACTOR: &str = "preflight merge";

/// Two files under one id that are not versions of one issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash(pub String);

impl std::fmt::Display for Clash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The fields merged one by one. History entries are matched to them by their wording
/// (see [`touches`]), which is how a change is timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Severity,
    /// Status with its dismissal.
    Status,
    Blocker,
    Regression,
    Owner,
    Effort,
    Text(&'static str),
    Task,
    /// What identifies the finding: check, rule, fingerprint.
    FindingIdentity,
    /// Where the finding was last seen: path, line, commits.
    FindingSeen,
    FindingVerified,
}

impl Field {
    /// The word used in merge records; `None` for bookkeeping that is not logged.
    fn word(self) -> Option<&'static str> {
        match self {
            Field::Title => Some("title"),
            Field::Severity => Some("severity"),
            Field::Status => Some("status"),
            Field::Blocker => Some("blocker"),
            Field::Owner => Some("owner"),
            Field::Effort => Some("effort"),
            Field::Text(name) => Some(name),
            Field::Task => Some("task"),
            Field::Regression
            | Field::FindingIdentity
            | Field::FindingSeen
            | Field::FindingVerified => None,
        }
    }
}

/// Whether a history line (as the triage functions, the register and this merge word
/// them) records a change of `field`. Creation and undo touch every field.
fn touches(change: &str, field: Field) -> bool {
    if change.starts_with("filed ") || change.starts_with("undo:") {
        return true;
    }
    if let Some(rest) = change.strip_prefix("merged: ") {
        let named = rest
            .split_once(" set ")
            .map(|(_, after)| after.split(' ').next().unwrap_or(""));
        return named.is_some() && named == field.word();
    }
    match field {
        Field::Title => change.starts_with("title "),
        Field::Severity => change.starts_with("severity:"),
        Field::Status => {
            change.starts_with("status:")
                || change.starts_with("dismissed")
                || change.starts_with("verified")
                || change.starts_with("reopened")
                || change.starts_with("moved to the baseline")
        }
        Field::Blocker => change.contains("release blocker"),
        Field::Regression => change.starts_with("reopened"),
        Field::Owner => change.starts_with("owner:"),
        Field::Effort => change.starts_with("effort:"),
        Field::Task => change.starts_with("task:"),
        Field::Text(name) => change.strip_prefix(name) == Some(" changed"),
        Field::FindingSeen => change.starts_with("still affected"),
        Field::FindingIdentity => false,
        Field::FindingVerified => change.starts_with("verified") || change.starts_with("reopened"),
    }
}

/// A point in time as written in a file: parsed when it can be, the text otherwise.
/// Unparsable times sort before every real one, then by their text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Stamp {
    time: Option<SystemTime>,
    text: String,
}

impl Stamp {
    fn of(text: &str) -> Stamp {
        Stamp {
            time: humantime::parse_rfc3339_weak(text.trim()).ok(),
            text: text.to_string(),
        }
    }
}

/// When a side changed a field, and who did it.
#[derive(Debug, Clone)]
struct Change {
    at: Stamp,
    by: String,
}

/// One side of the merge: the issue and its history entries the base does not have.
struct Side<'a> {
    issue: &'a Issue,
    fresh: Vec<&'a HistoryEntry>,
}

impl<'a> Side<'a> {
    fn new(issue: &'a Issue, base: Option<&Issue>) -> Side<'a> {
        let known: HashSet<(&str, &str, &str)> = base
            .map(|b| b.history.iter().map(key_of_entry).collect())
            .unwrap_or_default();
        let fresh = issue
            .history
            .iter()
            .filter(|h| !known.contains(&key_of_entry(h)))
            .collect();
        Side { issue, fresh }
    }

    /// When this side last changed `field`.
    fn changed(&self, field: Field) -> Change {
        let latest = |entries: &mut dyn Iterator<Item = &&HistoryEntry>| {
            entries
                .map(|h| (Stamp::of(&h.at), h))
                .max_by(|a, b| a.0.cmp(&b.0))
                .map(|(at, h)| Change {
                    at,
                    by: h.by.clone(),
                })
        };
        latest(&mut self.fresh.iter().filter(|h| touches(&h.change, field)))
            .or_else(|| latest(&mut self.fresh.iter()))
            .unwrap_or_else(|| Change {
                at: Stamp::of(&self.issue.updated),
                by: "someone".to_string(),
            })
    }
}

fn key_of_entry(h: &HistoryEntry) -> (&str, &str, &str) {
    (&h.at, &h.by, &h.change)
}

/// The merge in progress: the sides, and the decisions worth a history line.
struct Merger<'a> {
    base: Option<&'a Issue>,
    ours: Side<'a>,
    theirs: Side<'a>,
    records: Vec<HistoryEntry>,
}

impl Merger<'_> {
    /// The merged value of one field. `show` words a value for the merge record.
    fn pick<T: PartialEq + Clone>(
        &mut self,
        field: Field,
        get: impl Fn(&Issue) -> T,
        show: impl Fn(&T) -> String,
    ) -> T {
        let ours = get(self.ours.issue);
        let theirs = get(self.theirs.issue);
        if ours == theirs {
            return ours;
        }
        if let Some(base) = self.base.map(&get) {
            if base == ours {
                return theirs;
            }
            if base == theirs {
                return ours;
            }
        }
        let (a, b) = (self.ours.changed(field), self.theirs.changed(field));
        let (shown_a, shown_b) = (show(&ours), show(&theirs));
        let ours_wins = match a.at.cmp(&b.at) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => shown_a > shown_b,
        };
        let (winner, loser) = if ours_wins {
            ((a, shown_a, ours), (b, shown_b))
        } else {
            ((b, shown_b, theirs), (a, shown_a))
        };
        if let Some(word) = field.word() {
            self.records.push(HistoryEntry {
                at: winner.0.at.text.clone(),
                by: MERGE_ACTOR.to_string(),
                change: format!(
                    "merged: {} set {word} {}, {} set {} → {}",
                    loser.0.by, loser.1, winner.0.by, winner.1, winner.1
                ),
            });
        }
        winner.2
    }
}

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "-".to_string())
}

/// Whether two versions added without a common base are the same issue.
fn same_issue(ours: &Issue, theirs: &Issue) -> Result<(), Clash> {
    let identity = |i: &Issue| {
        i.finding
            .as_ref()
            .map(|f| (f.check.clone(), f.fingerprint.clone()))
    };
    let same = match (identity(ours), identity(theirs)) {
        (Some(a), Some(b)) => a == b,
        (None, None) => {
            ours.created == theirs.created && ours.history.first() == theirs.history.first()
        }
        _ => false,
    };
    if same {
        return Ok(());
    }
    let what = |i: &Issue| match &i.finding {
        Some(f) => format!("{} finding {} ({})", f.check, f.fingerprint, i.title),
        None => format!("\"{}\" filed {}", i.title, i.created),
    };
    Err(Clash(format!(
        "both sides added {} for different issues: {} and {}",
        ours.id,
        what(ours),
        what(theirs)
    )))
}

/// Merge two versions of one issue against their common base (`None`: both added it).
pub fn merge(base: Option<&Issue>, ours: &Issue, theirs: &Issue) -> Result<Issue, Clash> {
    if ours.id != theirs.id {
        return Err(Clash(format!(
            "the two sides hold different issues ({} and {})",
            ours.id, theirs.id
        )));
    }
    let base = base.filter(|b| b.id == ours.id);
    if ours == theirs {
        return Ok(ours.clone());
    }
    match base {
        Some(b) if b == ours => return Ok(theirs.clone()),
        Some(b) if b == theirs => return Ok(ours.clone()),
        Some(_) => {}
        None => same_issue(ours, theirs)?,
    }
    let mut m = Merger {
        base,
        ours: Side::new(ours, base),
        theirs: Side::new(theirs, base),
        records: Vec::new(),
    };
    let mut out = ours.clone();
    out.title = m.pick(Field::Title, |i| i.title.clone(), |t| format!("\"{t}\""));
    out.severity = m.pick(Field::Severity, |i| i.severity, |s| s.to_string());
    let (status, dismissal) = m.pick(
        Field::Status,
        |i| (i.status, i.dismissal.clone()),
        |(s, d): &(Status, Option<Dismissal>)| match d {
            Some(d) if *s == Status::Dismissed => format!("dismissed ({})", d.reason),
            _ => s.to_string(),
        },
    );
    out.status = status;
    out.dismissal = dismissal;
    out.blocker = m.pick(Field::Blocker, |i| i.blocker, |b| b.to_string());
    out.regression = m.pick(Field::Regression, |i| i.regression, |b| b.to_string());
    out.owner = m.pick(Field::Owner, |i| i.owner.clone(), opt);
    out.effort = m.pick(
        Field::Effort,
        |i| i.effort,
        |e| e.map_or_else(|| "-".to_string(), |e| e.to_string()),
    );
    out.area = m.pick(Field::Text("area"), |i| i.area.clone(), opt);
    out.impact = m.pick(Field::Text("impact"), |i| i.impact.clone(), opt);
    out.evidence = m.pick(Field::Text("evidence"), |i| i.evidence.clone(), opt);
    out.repro = m.pick(Field::Text("repro"), |i| i.repro.clone(), opt);
    out.root_cause = m.pick(Field::Text("root_cause"), |i| i.root_cause.clone(), opt);
    out.fix = m.pick(Field::Text("fix"), |i| i.fix.clone(), opt);
    out.task = m.pick(Field::Task, |i| i.task.clone(), opt);
    out.finding = merge_finding(&mut m);
    out.created = earliest(&ours.created, &theirs.created);
    out.updated = latest(&ours.updated, &theirs.updated);
    out.revision = ours.revision.max(theirs.revision).saturating_add(1);
    out.notes = union(&ours.notes, &theirs.notes, note_key);
    let records = std::mem::take(&mut m.records);
    let history = union(&ours.history, &theirs.history, key_of_entry);
    out.history = append_in_time(history, records);
    Ok(out)
}

/// The finding link: identity, where it was seen, and its verification, each merged as
/// a unit. A link on one side only is kept.
fn merge_finding(m: &mut Merger) -> Option<FindingLink> {
    let (ours, theirs) = (m.ours.issue.finding.clone(), m.theirs.issue.finding.clone());
    let (Some(mut link), Some(_)) = (ours.clone(), theirs.clone()) else {
        return m.pick(
            Field::FindingIdentity,
            |i| i.finding.clone(),
            |_| String::new(),
        );
    };
    let identity = m.pick(
        Field::FindingIdentity,
        |i| {
            i.finding
                .as_ref()
                .map(|f| (f.check.clone(), f.rule.clone(), f.fingerprint.clone()))
        },
        |_| String::new(),
    );
    if let Some((check, rule, fingerprint)) = identity {
        (link.check, link.rule, link.fingerprint) = (check, rule, fingerprint);
    }
    // Everything a run refreshes (location, last-seen commit, package version, …) as
    // one unit: the link without its identity, first sighting and verification.
    let seen = m.pick(
        Field::FindingSeen,
        |i| i.finding.as_ref().map(seen_part),
        |_| String::new(),
    );
    if let Some(seen) = seen {
        link = FindingLink {
            check: link.check,
            rule: link.rule,
            fingerprint: link.fingerprint,
            first_seen: link.first_seen,
            verified_at: link.verified_at,
            ..seen
        };
    }
    link.verified_at = m
        .pick(
            Field::FindingVerified,
            |i| i.finding.as_ref().map(|f| f.verified_at.clone()),
            |_| String::new(),
        )
        .flatten();
    // First seen: from whichever side was filed first.
    let first = |i: &Issue| i.finding.as_ref().map(|f| f.first_seen.clone());
    let (a, b) = (m.ours.issue, m.theirs.issue);
    link.first_seen = match Stamp::of(&a.created).cmp(&Stamp::of(&b.created)) {
        Ordering::Less => first(a),
        Ordering::Greater => first(b),
        Ordering::Equal => first(a).max(first(b)),
    }
    .unwrap_or(link.first_seen);
    Some(link)
}

/// A finding link without what identifies it, when it was first seen and its
/// verification: what a later run may change.
fn seen_part(link: &FindingLink) -> FindingLink {
    FindingLink {
        check: String::new(),
        rule: String::new(),
        fingerprint: String::new(),
        first_seen: String::new(),
        verified_at: None,
        ..link.clone()
    }
}

fn earliest(a: &str, b: &str) -> String {
    std::cmp::min(Stamp::of(a), Stamp::of(b)).text
}

fn latest(a: &str, b: &str) -> String {
    std::cmp::max(Stamp::of(a), Stamp::of(b)).text
}

fn note_key(n: &Note) -> (&str, &str, &str) {
    (&n.at, &n.by, &n.text)
}

/// Both lists in time order, each side's own order kept, every entry once. When the
/// heads of the two lists are equally old, the one that sorts first by its words goes
/// first, so the result does not depend on which side is "ours".
fn union<'a, T: Clone>(
    a: &'a [T],
    b: &'a [T],
    key: impl Fn(&'a T) -> (&'a str, &'a str, &'a str),
) -> Vec<T> {
    let stamp =
        |list: &'a [T]| -> Vec<Stamp> { list.iter().map(|x| Stamp::of(key(x).0)).collect() };
    let (sa, sb) = (stamp(a), stamp(b));
    let mut seen: HashSet<(&str, &str, &str)> = HashSet::with_capacity(a.len() + b.len());
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let take_a = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => match sa[i].cmp(&sb[j]) {
                Ordering::Less => true,
                Ordering::Greater => false,
                Ordering::Equal => key(x) <= key(y),
            },
            (Some(_), None) => true,
            _ => false,
        };
        let item = if take_a {
            i += 1;
            &a[i - 1]
        } else {
            j += 1;
            &b[j - 1]
        };
        if seen.insert(key(item)) {
            out.push(item.clone());
        }
    }
    out
}

/// Merge records placed after every entry as old as they are.
fn append_in_time(history: Vec<HistoryEntry>, records: Vec<HistoryEntry>) -> Vec<HistoryEntry> {
    if records.is_empty() {
        return history;
    }
    let known: HashSet<(String, String, String)> = history
        .iter()
        .map(|h| (h.at.clone(), h.by.clone(), h.change.clone()))
        .collect();
    let mut out = history;
    for record in records {
        if known.contains(&(record.at.clone(), record.by.clone(), record.change.clone())) {
            continue;
        }
        let at = Stamp::of(&record.at);
        let slot = out
            .iter()
            .rposition(|h| Stamp::of(&h.at) <= at)
            .map_or(0, |p| p + 1);
        out.insert(slot, record);
    }
    out
}

#[cfg(test)]
mod tests;
