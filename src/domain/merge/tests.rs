use super::*;
use crate::domain::finding::Severity;
use crate::domain::issue::{Actor, DismissReason, Effort};
use crate::domain::triage::{self, Edit};

fn actor(by: &str, at: &str) -> Actor {
    Actor {
        by: by.into(),
        at: format!("2026-11-22T{at}Z"),
        today: "2026-11-22".into(),
    }
}

fn base() -> Issue {
    let filer = actor("ci", "09:00:00");
    let mut issue = Issue::new(
        "PF-7K3Q9X".into(),
        "Cache disk I/O failure cascades".into(),
        Severity::Medium,
        Status::Open,
        &filer,
    );
    issue.revision = 3;
    issue.log(&filer.at, &filer.by, "filed by hand");
    issue
}

/// `issue` with one triage edit made by `by` at `at` (as the store would save it).
fn edited(issue: &Issue, by: &str, at: &str, edit: Edit) -> Issue {
    let mut next = issue.clone();
    let who = actor(by, at);
    triage::apply(&mut next, &edit, &who);
    next.updated = who.at.clone();
    next.revision += 1;
    next
}

fn noted(issue: &Issue, by: &str, at: &str, text: &str) -> Issue {
    let mut next = issue.clone();
    let who = actor(by, at);
    triage::add_note(&mut next, text, &who).unwrap();
    next.updated = who.at.clone();
    next.revision += 1;
    next
}

fn both_ways(base: Option<&Issue>, a: &Issue, b: &Issue) -> Issue {
    let one = merge(base, a, b).unwrap();
    let two = merge(base, b, a).unwrap();
    assert_eq!(one, two, "the merge does not depend on which side is ours");
    one
}

fn changes(issue: &Issue) -> Vec<&str> {
    issue.history.iter().map(|h| h.change.as_str()).collect()
}

#[test]
fn a_field_changed_on_one_side_takes_that_side() {
    let o = base();
    type Getter = fn(&Issue) -> String;
    let cases: Vec<(Edit, Getter)> = vec![
        (Edit::Title("Cache outage".into()), |i| i.title.clone()),
        (Edit::Severity(Severity::Critical), |i| {
            i.severity.to_string()
        }),
        (Edit::Status(Status::InProgress), |i| i.status.to_string()),
        (Edit::Blocker(true), |i| i.blocker.to_string()),
        (Edit::Owner(Some("sam".into())), |i| opt(&i.owner)),
        (Edit::Effort(Some(Effort::L)), |i| format!("{:?}", i.effort)),
        (Edit::Text("area", Some("api".into())), |i| opt(&i.area)),
        (Edit::Text("impact", Some("outage".into())), |i| {
            opt(&i.impact)
        }),
        (Edit::Text("evidence", Some("log".into())), |i| {
            opt(&i.evidence)
        }),
        (Edit::Text("repro", Some("steps".into())), |i| opt(&i.repro)),
        (Edit::Text("root_cause", Some("race".into())), |i| {
            opt(&i.root_cause)
        }),
        (Edit::Text("fix", Some("lock".into())), |i| opt(&i.fix)),
        (Edit::Task(Some("p3-1".into())), |i| opt(&i.task)),
    ];
    for (edit, get) in cases {
        let ours = edited(&o, "ana", "10:00:00", edit.clone());
        // The other side changes something else, later: it must not win this field.
        let theirs = edited(&o, "bo", "11:00:00", Edit::Text("area", Some("db".into())));
        let theirs = if matches!(edit, Edit::Text("area", _)) {
            edited(&o, "bo", "11:00:00", Edit::Owner(Some("kim".into())))
        } else {
            theirs
        };
        let merged = both_ways(Some(&o), &ours, &theirs);
        assert_eq!(get(&merged), get(&ours), "{edit:?}");
        assert!(
            !changes(&merged).iter().any(|c| c.starts_with("merged:")),
            "{edit:?}: one-sided changes need no merge record"
        );
    }
}

#[test]
fn changed_on_both_sides_the_later_change_wins_and_is_recorded() {
    let o = base();
    let ana = edited(&o, "ana", "10:00:00", Edit::Severity(Severity::High));
    let bo = edited(&o, "bo", "10:05:00", Edit::Severity(Severity::Critical));
    let merged = both_ways(Some(&o), &ana, &bo);
    assert_eq!(merged.severity, Severity::Critical);
    assert!(
        changes(&merged).contains(&"merged: ana set severity high, bo set critical → critical"),
        "{:?}",
        changes(&merged)
    );
    let record = merged.history.last().unwrap();
    assert_eq!(record.by, MERGE_ACTOR);
    assert_eq!(
        record.at, "2026-11-22T10:05:00Z",
        "timed by the winning change"
    );

    // The later one wins even when it is "ours" and the other side edited more since.
    let ana = edited(&o, "ana", "12:00:00", Edit::Owner(Some("ana".into())));
    let bo = edited(&o, "bo", "11:00:00", Edit::Owner(Some("bo".into())));
    let bo = edited(&bo, "bo", "13:00:00", Edit::Severity(Severity::Low));
    let merged = both_ways(Some(&o), &ana, &bo);
    assert_eq!(
        merged.owner.as_deref(),
        Some("ana"),
        "timed by the owner entry"
    );
    assert_eq!(merged.severity, Severity::Low, "one-sided");
}

#[test]
fn the_same_value_on_both_sides_needs_no_decision() {
    let o = base();
    let ana = edited(&o, "ana", "10:00:00", Edit::Blocker(true));
    let bo = edited(&o, "bo", "10:01:00", Edit::Blocker(true));
    let merged = both_ways(Some(&o), &ana, &bo);
    assert!(merged.blocker);
    assert!(!changes(&merged).iter().any(|c| c.starts_with("merged:")));
    assert_eq!(
        changes(&merged)
            .iter()
            .filter(|c| **c == "marked a release blocker")
            .count(),
        2,
        "both people's entries stay: they are two events"
    );
}

#[test]
fn a_same_second_tie_is_decided_alike_on_every_clone() {
    let o = base();
    let ana = edited(&o, "ana", "10:00:00", Edit::Owner(Some("ana".into())));
    let bo = edited(&o, "bo", "10:00:00", Edit::Owner(Some("bo".into())));
    let merged = both_ways(Some(&o), &ana, &bo);
    assert_eq!(
        merged.owner.as_deref(),
        Some("bo"),
        "the value that sorts last"
    );
}

#[test]
fn status_travels_with_its_dismissal() {
    let o = base();
    let mut ana = o.clone();
    triage::dismiss(
        &mut ana,
        DismissReason::FalsePositive,
        Some("test data".into()),
        None,
        &actor("ana", "10:00:00"),
    )
    .unwrap();
    ana.updated = "2026-11-22T10:00:00Z".into();
    let bo = edited(&o, "bo", "10:30:00", Edit::Status(Status::InProgress));
    let merged = both_ways(Some(&o), &ana, &bo);
    assert_eq!(merged.status, Status::InProgress);
    assert!(merged.dismissal.is_none(), "no reason without a dismissal");
    assert!(changes(&merged).contains(
        &"merged: ana set status dismissed (false-positive), bo set in-progress → in-progress"
    ));

    let bo = edited(&o, "bo", "09:30:00", Edit::Status(Status::InProgress));
    let merged = both_ways(Some(&o), &ana, &bo);
    assert_eq!(merged.status, Status::Dismissed);
    assert_eq!(
        merged.dismissal.as_ref().map(|d| d.reason),
        Some(DismissReason::FalsePositive)
    );
}

#[test]
fn notes_and_history_are_the_union_in_time_order_without_duplicates() {
    let o = noted(&base(), "ci", "09:30:00", "seen on staging");
    let ana = noted(&o, "ana", "10:00:00", "ana one");
    let ana = noted(&ana, "ana", "10:20:00", "ana two");
    let ana = edited(&ana, "ana", "10:20:00", Edit::Owner(Some("ana".into())));
    let bo = noted(&o, "bo", "10:10:00", "bo one");
    let bo = noted(&bo, "bo", "10:20:00", "bo two");
    let merged = both_ways(Some(&o), &ana, &bo);
    let notes: Vec<&str> = merged.notes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(
        notes,
        ["seen on staging", "ana one", "bo one", "ana two", "bo two"]
    );
    assert_eq!(changes(&merged), ["filed by hand", "owner: - → ana"]);

    // Merging again with a side that already has everything changes nothing.
    let again = both_ways(Some(&o), &merged, &bo);
    assert_eq!(again.notes, merged.notes);
    assert_eq!(again.history, merged.history);
}

#[test]
fn revision_moves_past_both_created_is_earliest_updated_latest() {
    let o = base();
    let ana = edited(&o, "ana", "10:00:00", Edit::Owner(Some("ana".into())));
    let ana = edited(&ana, "ana", "10:01:00", Edit::Severity(Severity::High));
    let bo = edited(&o, "bo", "10:30:00", Edit::Blocker(true));
    let merged = both_ways(Some(&o), &ana, &bo);
    assert_eq!(ana.revision, 5);
    assert_eq!(bo.revision, 4);
    assert_eq!(merged.revision, 6);
    assert_eq!(merged.updated, "2026-11-22T10:30:00Z");
    assert_eq!(merged.created, o.created);
    assert_eq!(
        (merged.owner.as_deref(), merged.severity, merged.blocker),
        (Some("ana"), Severity::High, true)
    );
}

#[test]
fn one_side_unchanged_is_the_other_side_exactly() {
    let o = base();
    let ana = edited(&o, "ana", "10:00:00", Edit::Owner(Some("ana".into())));
    assert_eq!(merge(Some(&o), &ana, &o).unwrap(), ana);
    assert_eq!(merge(Some(&o), &o, &ana).unwrap(), ana);
    assert_eq!(merge(Some(&o), &ana, &ana).unwrap(), ana);
}

#[test]
fn a_change_without_its_own_entry_is_timed_by_the_side() {
    // Edited by hand (an editor, a script): no history entry names the field.
    let o = base();
    let mut ana = o.clone();
    ana.impact = Some("outage".into());
    ana.updated = "2026-11-22T12:00:00Z".into();
    let bo = edited(
        &o,
        "bo",
        "11:00:00",
        Edit::Text("impact", Some("slow".into())),
    );
    let merged = both_ways(Some(&o), &ana, &bo);
    assert_eq!(
        merged.impact.as_deref(),
        Some("outage"),
        "12:00 beats 11:00"
    );
    assert!(changes(&merged).contains(&"merged: bo set impact slow, someone set outage → outage"));
}

fn finding_issue(created: &str, commit: &str) -> Issue {
    let filer = actor("ci", created);
    let mut issue = Issue::new(
        "PF-ABCDEF".into(),
        "B301: pickle".into(),
        Severity::High,
        Status::New,
        &filer,
    );
    issue.revision = 1;
    issue.finding = Some(FindingLink {
        check: "bandit".into(),
        rule: "B301".into(),
        path: Some("app.py".into()),
        line: Some(3),
        fingerprint: "9c1e0f7a52b3d846".into(),
        first_seen: commit.into(),
        last_seen: commit.into(),
        ..Default::default()
    });
    issue.log(&filer.at, &filer.by, format!("filed by bandit at {commit}"));
    issue
}

#[test]
fn the_same_finding_added_in_two_clones_is_one_issue() {
    let mut ana = finding_issue("10:00:00", "aaaaaaa");
    ana.finding.as_mut().unwrap().line = Some(4);
    let bo = finding_issue("10:07:00", "bbbbbbb");
    let bo = edited(&bo, "bo", "10:08:00", Edit::Owner(Some("bo".into())));
    let merged = both_ways(None, &ana, &bo);
    assert_eq!(merged.created, "2026-11-22T10:00:00Z");
    let link = merged.finding.as_ref().unwrap();
    assert_eq!(link.first_seen, "aaaaaaa", "from the side filed first");
    assert_eq!(link.last_seen, "bbbbbbb", "from the side seen last");
    assert_eq!(link.line, Some(3));
    assert_eq!(merged.owner.as_deref(), Some("bo"));
    assert_eq!(
        changes(&merged),
        [
            "filed by bandit at aaaaaaa",
            "filed by bandit at bbbbbbb",
            "owner: - → bo",
            "merged: ci set owner -, bo set bo → bo"
        ]
    );
}

#[test]
fn two_different_issues_under_one_id_clash() {
    let ana = finding_issue("10:00:00", "aaaaaaa");
    let mut bo = finding_issue("10:00:00", "aaaaaaa");
    bo.finding.as_mut().unwrap().fingerprint = "0000000000000000".into();
    assert!(merge(None, &ana, &bo)
        .unwrap_err()
        .0
        .contains("different issues"));
    let mut manual = base();
    manual.id = ana.id.clone();
    assert!(merge(None, &ana, &manual).is_err());
    let mut other = base();
    other.created = "2026-11-22T09:59:00Z".into();
    assert!(merge(None, &base(), &other).is_err());
    let mut renamed = base();
    renamed.id = "PF-000000".into();
    assert!(merge(Some(&base()), &base(), &renamed).is_err());
}

#[test]
fn verification_and_regression_merge_with_the_status() {
    let o = finding_issue("09:00:00", "aaaaaaa");
    let mut verified = o.clone();
    verified.status = Status::Verified;
    verified.finding.as_mut().unwrap().verified_at = Some("ccccccc".into());
    verified.log(
        "2026-11-22T10:00:00Z",
        "ci",
        "verified: gone from a bandit run at ccccccc",
    );
    let owned = edited(&o, "bo", "09:30:00", Edit::Owner(Some("bo".into())));
    let merged = both_ways(Some(&o), &verified, &owned);
    assert_eq!(merged.status, Status::Verified);
    assert_eq!(merged.owner.as_deref(), Some("bo"));
    assert_eq!(
        merged.finding.as_ref().unwrap().verified_at.as_deref(),
        Some("ccccccc")
    );
}

/// Random edits on two sides, merged both ways: always the same result, never a lost
/// note, and the merged issue is a valid file.
#[test]
fn random_edits_merge_symmetrically_and_keep_every_note() {
    let mut rng = fastrand::Rng::with_seed(16);
    for round in 0..300 {
        let o = base();
        let mut sides = [o.clone(), o.clone()];
        let mut notes = 0;
        for step in 0..rng.usize(1..8) {
            let s = rng.usize(0..2);
            let who = ["ana", "bo"][s];
            let at = format!("1{}:{:02}:{:02}", rng.u8(0..3), rng.u8(0..60), step);
            sides[s] = match rng.u8(0..6) {
                0 => edited(
                    &sides[s],
                    who,
                    &at,
                    Edit::Severity(Severity::ALL[rng.usize(0..5)]),
                ),
                1 => edited(&sides[s], who, &at, Edit::Owner(Some(who.into()))),
                2 => edited(&sides[s], who, &at, Edit::Blocker(rng.bool())),
                3 => edited(
                    &sides[s],
                    who,
                    &at,
                    Edit::Status(Status::ALL[rng.usize(0..5)]),
                ),
                _ => {
                    notes += 1;
                    noted(&sides[s], who, &at, &format!("note {round}-{step}"))
                }
            };
        }
        let merged = both_ways(Some(&o), &sides[0], &sides[1]);
        assert_eq!(merged.notes.len(), notes, "round {round}");
        let text = toml::to_string(&merged).unwrap();
        let back: Issue = toml::from_str(&text).unwrap();
        assert_eq!(back, merged);
    }
}

#[test]
fn what_a_run_refreshes_merges_as_one_unit_with_the_location() {
    // A dependency advisory: one side's run saw the package upgraded (still affected),
    // the other side only triaged. The refreshed version and fixes are kept.
    let mut o = finding_issue("09:00:00", "aaaaaaa");
    {
        let link = o.finding.as_mut().unwrap();
        link.package = Some("lodash".into());
        link.version = Some("4.17.19".into());
    }
    let mut ran = o.clone();
    {
        let link = ran.finding.as_mut().unwrap();
        link.version = Some("4.17.20".into());
        link.fixed = vec!["4.17.21".into()];
        link.last_seen = "bbbbbbb".into();
    }
    ran.updated = "2026-11-22T10:00:00Z".into();
    let owned = edited(&o, "bo", "09:30:00", Edit::Owner(Some("bo".into())));
    let merged = both_ways(Some(&o), &ran, &owned);
    let link = merged.finding.as_ref().unwrap();
    assert_eq!(link.version.as_deref(), Some("4.17.20"));
    assert_eq!(link.fixed, ["4.17.21"]);
    assert_eq!(link.last_seen, "bbbbbbb");
    assert_eq!(link.first_seen, "aaaaaaa");
    assert_eq!(merged.owner.as_deref(), Some("bo"));
}
