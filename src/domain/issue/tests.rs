use super::*;

fn actor() -> Actor {
    Actor {
        by: "ana".into(),
        at: "2026-11-22T10:00:00Z".into(),
        today: "2026-11-22".into(),
    }
}

fn finding(rule: &str, fp: &str) -> Finding {
    let mut f =
        Finding::new(rule, Severity::Medium, format!("{rule} message")).at("src/a.rs", Some(3));
    f.fingerprint = fp.into();
    f
}

fn ids() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("PF-{n:06}")
    }
}

fn run<'a>(judged: bool, commit: &'a str, map: &'a BTreeMap<String, Severity>) -> RunFacts<'a> {
    RunFacts {
        check: "lint",
        judged,
        commit,
        severity_map: map,
    }
}

/// Apply a reconcile result to a register held in memory, as the store would.
fn apply(register: &mut Vec<Issue>, result: Reconciled) {
    for changed in result.changed {
        let slot = register.iter_mut().find(|i| i.id == changed.id).unwrap();
        *slot = changed;
        slot.revision += 1;
    }
    for mut created in result.created {
        created.revision = 1;
        register.push(created);
    }
}

fn with_status(register: &mut [Issue], status: Status) {
    for issue in register {
        issue.status = status;
    }
}

#[test]
fn a_new_fingerprint_files_a_new_issue() {
    let map = BTreeMap::new();
    let mut next = ids();
    let out = reconcile(
        &[],
        &run(true, "abc1234", &map),
        &[finding("E1", "f1")],
        &actor(),
        &mut next,
    );
    assert_eq!(out.created.len(), 1);
    let issue = &out.created[0];
    assert_eq!(issue.status, Status::New);
    assert_eq!(issue.title, "E1: E1 message");
    assert_eq!(issue.severity, Severity::Medium);
    let link = issue.finding.as_ref().unwrap();
    assert_eq!(
        (link.first_seen.as_str(), link.last_seen.as_str()),
        ("abc1234", "abc1234")
    );
    assert_eq!(issue.history[0].change, "filed by lint at abc1234");
}

#[test]
fn the_same_run_twice_changes_nothing() {
    let map = BTreeMap::new();
    let mut next = ids();
    let mut register = Vec::new();
    let findings = [finding("E1", "f1"), finding("E2", "f2")];
    let step = reconcile(
        &register,
        &run(true, "c1", &map),
        &findings,
        &actor(),
        &mut next,
    );
    apply(&mut register, step);
    let again = reconcile(
        &register,
        &run(true, "c1", &map),
        &findings,
        &actor(),
        &mut next,
    );
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn a_known_finding_updates_last_seen_and_location() {
    let map = BTreeMap::new();
    let mut next = ids();
    let mut register = Vec::new();
    let step = reconcile(
        &register,
        &run(true, "c1", &map),
        &[finding("E1", "f1")],
        &actor(),
        &mut next,
    );
    apply(&mut register, step);
    let mut moved = finding("E1", "f1");
    moved.line = Some(40);
    let out = reconcile(
        &register,
        &run(true, "c2", &map),
        &[moved],
        &actor(),
        &mut next,
    );
    assert!(out.created.is_empty());
    let link = out.changed[0].finding.as_ref().unwrap();
    assert_eq!(
        (link.first_seen.as_str(), link.last_seen.as_str(), link.line),
        ("c1", "c2", Some(40))
    );
}

#[test]
fn new_open_in_progress_and_fixed_verify_when_their_finding_is_gone() {
    let map = BTreeMap::new();
    // New too: a finding fixed before anyone triaged it must not hold a gate forever.
    for status in [Status::New, Status::Open, Status::InProgress, Status::Fixed] {
        let mut next = ids();
        let mut register = Vec::new();
        let step = reconcile(
            &register,
            &run(true, "c1", &map),
            &[finding("E1", "f1")],
            &actor(),
            &mut next,
        );
        apply(&mut register, step);
        with_status(&mut register, status);
        let out = reconcile(&register, &run(true, "c2", &map), &[], &actor(), &mut next);
        assert_eq!(out.changed.len(), 1, "{status}");
        let issue = &out.changed[0];
        assert_eq!(issue.status, Status::Verified);
        assert_eq!(
            issue.finding.as_ref().unwrap().verified_at.as_deref(),
            Some("c2")
        );
        assert_eq!(
            issue.history.last().unwrap().change,
            "verified: gone from a lint run at c2"
        );
    }
}

#[test]
fn dismissed_and_verified_issues_do_not_verify() {
    let map = BTreeMap::new();
    for status in [Status::Dismissed, Status::Verified] {
        let mut next = ids();
        let mut register = Vec::new();
        let step = reconcile(
            &register,
            &run(true, "c1", &map),
            &[finding("E1", "f1")],
            &actor(),
            &mut next,
        );
        apply(&mut register, step);
        with_status(&mut register, status);
        let out = reconcile(&register, &run(true, "c2", &map), &[], &actor(), &mut next);
        assert!(out.is_empty(), "{status}: {out:?}");
    }
}

#[test]
fn a_crash_or_timeout_verifies_nothing() {
    let map = BTreeMap::new();
    let mut next = ids();
    let mut register = Vec::new();
    let step = reconcile(
        &register,
        &run(true, "c1", &map),
        &[finding("E1", "f1")],
        &actor(),
        &mut next,
    );
    apply(&mut register, step);
    with_status(&mut register, Status::Fixed);
    let out = reconcile(&register, &run(false, "c2", &map), &[], &actor(), &mut next);
    assert!(out.is_empty());
}

#[test]
fn a_verified_finding_that_comes_back_is_a_regression() {
    let map = BTreeMap::new();
    let mut next = ids();
    let mut register = Vec::new();
    let step = reconcile(
        &register,
        &run(true, "c1", &map),
        &[finding("E1", "f1")],
        &actor(),
        &mut next,
    );
    apply(&mut register, step);
    with_status(&mut register, Status::Fixed);
    let step = reconcile(&register, &run(true, "c2", &map), &[], &actor(), &mut next);
    apply(&mut register, step);
    assert_eq!(register[0].status, Status::Verified);
    let out = reconcile(
        &register,
        &run(true, "c3", &map),
        &[finding("E1", "f1")],
        &actor(),
        &mut next,
    );
    let issue = &out.changed[0];
    assert_eq!(issue.status, Status::Open);
    assert!(issue.regression);
    assert_eq!(issue.finding.as_ref().unwrap().verified_at, None);
    assert!(issue
        .history
        .last()
        .unwrap()
        .change
        .starts_with("reopened as a regression"));
}

#[test]
fn a_dismissed_finding_stays_dismissed_when_it_reappears() {
    let map = BTreeMap::new();
    let mut next = ids();
    let mut register = Vec::new();
    let step = reconcile(
        &register,
        &run(true, "c1", &map),
        &[finding("E1", "f1")],
        &actor(),
        &mut next,
    );
    apply(&mut register, step);
    with_status(&mut register, Status::Dismissed);
    let out = reconcile(
        &register,
        &run(true, "c1", &map),
        &[finding("E1", "f1")],
        &actor(),
        &mut next,
    );
    assert!(out.is_empty());
    let out = reconcile(
        &register,
        &run(true, "c2", &map),
        &[finding("E1", "f1")],
        &actor(),
        &mut next,
    );
    assert_eq!(out.changed[0].status, Status::Dismissed);
    assert!(out.created.is_empty());
}

#[test]
fn an_accepted_risk_past_expiry_reopens() {
    let map = BTreeMap::new();
    let mut next = ids();
    let mut register = Vec::new();
    let step = reconcile(
        &register,
        &run(true, "c1", &map),
        &[finding("E1", "f1")],
        &actor(),
        &mut next,
    );
    apply(&mut register, step);
    register[0].status = Status::Dismissed;
    register[0].dismissal = Some(Dismissal {
        reason: DismissReason::AcceptedRisk,
        note: None,
        expires: Some("2026-11-22".into()),
        by: "ana".into(),
        at: "x".into(),
    });
    assert!(
        expire_risks(&register, &actor()).is_empty(),
        "expires at the end of its day"
    );
    let tomorrow = Actor {
        today: "2026-11-23".into(),
        ..actor()
    };
    let out = expire_risks(&register, &tomorrow);
    assert_eq!(out[0].status, Status::Open);
    assert!(out[0].dismissal.is_none());
    assert_eq!(
        out[0].history.last().unwrap().change,
        "reopened: accepted risk expired on 2026-11-22"
    );
}

#[test]
fn other_checks_issues_are_untouched() {
    let map = BTreeMap::new();
    let mut next = ids();
    let mut register = Vec::new();
    let step = reconcile(
        &register,
        &run(true, "c1", &map),
        &[finding("E1", "f1")],
        &actor(),
        &mut next,
    );
    apply(&mut register, step);
    with_status(&mut register, Status::Open);
    let other = RunFacts {
        check: "test",
        judged: true,
        commit: "c2",
        severity_map: &map,
    };
    assert!(reconcile(&register, &other, &[], &actor(), &mut next).is_empty());
}

#[test]
fn severity_is_mapped_by_rule_then_by_level() {
    let mut map = BTreeMap::new();
    map.insert("E1".to_string(), Severity::Critical);
    map.insert("medium".to_string(), Severity::Low);
    let mut next = ids();
    let out = reconcile(
        &[],
        &run(true, "c", &map),
        &[finding("E1", "a"), finding("E2", "b")],
        &actor(),
        &mut next,
    );
    assert_eq!(out.created[0].severity, Severity::Critical);
    assert_eq!(out.created[1].severity, Severity::Low);
}

#[test]
fn severity_is_mapped_by_rule_then_longest_prefix_then_level() {
    let map: BTreeMap<String, Severity> = [
        ("high", Severity::Low),
        ("S*", Severity::High),
        ("S1*", Severity::Medium),
        ("S105", Severity::Critical),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let at = |rule: &str| {
        let mut f = finding(rule, "x");
        f.severity = Severity::High;
        mapped_severity(&f, &map)
    };
    assert_eq!(at("S105"), Severity::Critical, "the rule itself first");
    assert_eq!(at("S104"), Severity::Medium, "then the longest prefix");
    assert_eq!(at("S301"), Severity::High);
    assert_eq!(at("E501"), Severity::Low, "then the tool's level");
}

#[test]
fn long_messages_make_short_titles() {
    let mut f = finding("R", "x");
    f.message = "word ".repeat(50);
    assert_eq!(finding_title(&f).chars().count(), TITLE_MAX);
    assert!(finding_title(&f).ends_with('…'));
}

#[test]
fn status_cycle_and_parsing() {
    assert_eq!(Status::New.next(), Status::Open);
    assert_eq!(Status::Fixed.next(), Status::Verified);
    assert_eq!("in_progress".parse::<Status>(), Ok(Status::InProgress));
    assert!(Status::Fixed.is_open());
    assert!(!Status::Verified.is_open());
    assert!("done".parse::<Status>().is_err());
}
