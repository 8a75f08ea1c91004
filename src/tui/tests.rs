//! The cockpit without a terminal: update tests (a model, messages, assertions on the
//! model and the effects) and render snapshots on ratatui's `TestBackend`.

mod triage;

use super::app::work::{self, Author, Done};
use super::field::Field;
use super::keymap::KeyMap;
use super::log::Who;
use super::model::{Ask, CheckPhase, Model, Overlay, Pane, Placed, Watching};
use super::theme::{ColorDepth, PlanRole, Theme};
use super::triage::{Refusal, Stale, Write};
use super::update::{update, Effect, Msg};
use crate::config::{self, Source};
use crate::domain::check::RunStatus;
use crate::domain::finding::Severity;
use crate::domain::issue::{DismissReason, FindingLink, Issue, Status};
use crate::domain::plan::TaskStatus;
use crate::domain::triage::Edit;
use crate::history::RunRecord;
use crate::runner::Output;
use crate::store::Store;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use std::path::Path;
use std::time::{Duration, SystemTime};

const CONFIG: &str = r#"
[project]
name = "acme-api"

[[phase]]
id = "p3"
title = "Phase 3: hardening"
[[phase.task]]
id = "p3-1"
title = "Fix the cache cascade"
status = "done"
[[phase.task]]
id = "p3-2"
title = "Performance baseline"
status = "doing"
[[phase.task]]
id = "p3-3"
title = "Deploy to staging"
needs = ["p3-2"]

[[check]]
id = "fmt"
run = "true"

[[check]]
id = "lint"
run = "true"

[[check]]
id = "test"
run = "true"

[[check]]
id = "coverage"
run = "true"
metric = { from = "lcov", path = "lcov.info" }

[[gate]]
id = "green"
checks = ["test"]

[[gate]]
id = "blockers"
blockers = 0

[[gate]]
id = "coverage"
metric = "coverage"
min = 80
"#;

fn ago(days: u64) -> String {
    let at = SystemTime::now() - Duration::from_secs(days * 86_400 + 60);
    humantime::format_rfc3339_seconds(at).to_string()
}

fn issue(id: &str, title: &str, severity: Severity, status: Status, days: u64) -> Issue {
    let actor = crate::store::actor_named("sarah".into());
    let mut issue = Issue::new(id.into(), title.into(), severity, status, &actor);
    issue.created = ago(days);
    issue.revision = 1;
    issue
}

fn issues() -> Vec<Issue> {
    let mut crit = issue(
        "PF-3F9K2A",
        "Cache disk I/O failure cascades",
        Severity::Critical,
        Status::Open,
        3,
    );
    crit.blocker = true;
    crit.owner = Some("sarah".into());
    let mut pickle = issue(
        "PF-8QW1ZX",
        "B301: pickle load of untrusted data",
        Severity::High,
        Status::New,
        1,
    );
    pickle.finding = Some(FindingLink {
        check: "lint".into(),
        rule: "B301".into(),
        path: Some("src/app.py".into()),
        line: Some(4),
        fingerprint: "abcd".into(),
        first_seen: "3f2a1c9".into(),
        last_seen: "3f2a1c9".into(),
        verified_at: None,
        ..FindingLink::default()
    });
    let low = issue(
        "PF-R8HHF5",
        "Runbook lacks the rollback steps",
        Severity::Low,
        Status::Open,
        10,
    );
    vec![low, pickle, crit]
}

fn record(check: &str, status: RunStatus, ms: u64, findings: usize) -> RunRecord {
    RunRecord {
        check: check.into(),
        status,
        exit_code: Some(i32::from(status != RunStatus::Passed)),
        duration_ms: ms,
        finished_at: ago(0),
        commit: Some("3f2a1c9d".into()),
        dirty: false,
        findings,
        metric: None,
        unit: None,
        metric_note: None,
        truncated: None,
    }
}

fn model() -> Model {
    let config = config::load_str(CONFIG, Path::new("preflight.toml"), Source::Default).unwrap();
    let mut model = Model::new(config, KeyMap::default_map().unwrap());
    model.config_name = "preflight.toml".into();
    model.trusted = true;
    model.watching = Watching::On { folders: 4 };
    model.watcher_ready = Some(4);
    model.repo.project = "acme-api".into();
    model.repo.branch = Some("main".into());
    model.repo.commit = Some("3f2a1c9d0000".into());
    model.repo.dirty = 2;
    let mut coverage = record("coverage", RunStatus::Passed, 900, 0);
    coverage.metric = Some(84.0);
    coverage.unit = Some("%".into());
    let latest = [
        record("fmt", RunStatus::Passed, 300, 0),
        record("lint", RunStatus::Failed, 4200, 3),
        coverage,
    ]
    .into_iter()
    .map(|r| (r.check.clone(), r))
    .collect();
    model.set_history(&latest);
    model.register.filter_text = "open".into();
    model.register.filter = crate::domain::filter::Filter::parse("open").unwrap();
    model.set_issues(issues());
    update(&mut model, Msg::Resize(80, 24));
    model.drawn();
    model
}

fn key(model: &mut Model, code: KeyCode) -> Vec<Effect> {
    let effects = update(model, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    model.drawn();
    effects
}

fn keys(model: &mut Model, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| key(model, KeyCode::Char(c)))
        .collect()
}

fn selected(model: &Model) -> String {
    model.register.current(&model.issues).unwrap().id.clone()
}

/// The writes among effects.
fn writes(effects: &[Effect]) -> Vec<Write> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Write { write, .. } => Some(write.clone()),
            _ => None,
        })
        .collect()
}

/// A real register on disk holding the model's issues, for update tests that need the
/// writes answered: [`Disk::land`] carries out write effects as the app does (the
/// same `work::write`, revision checks and all) and feeds the answers back.
struct Disk {
    _dir: tempfile::TempDir,
    store: Store,
    author: Author,
}

impl Disk {
    fn of(model: &Model) -> Disk {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join("issues"), dir.path().join("state/lock"));
        std::fs::create_dir_all(store.dir()).unwrap();
        for issue in &model.issues {
            let text = toml::to_string(issue).unwrap();
            std::fs::write(store.path_of(&issue.id), text).unwrap();
        }
        Disk {
            _dir: dir,
            store,
            author: Author::named("me"),
        }
    }

    /// Carry out the writes (answers fed to `update`, and their effects in turn);
    /// returns the effects that are not writes.
    fn land(&self, model: &mut Model, effects: Vec<Effect>) -> Vec<Effect> {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        let mut rest = Vec::new();
        while let Some(effect) = queue.pop_front() {
            let done = match effect {
                Effect::Write { batch, write } => {
                    let before = model
                        .issues
                        .iter()
                        .find(|i| i.id == write.id())
                        .cloned()
                        .map(Box::new);
                    work::write(&self.store, &self.author, batch, write, before)
                }
                Effect::NewIssue { batch, title } => {
                    work::create(&self.store, &self.author, batch, title)
                }
                other => {
                    rest.push(other);
                    continue;
                }
            };
            for d in done {
                if let Done::Msg(msg) = d {
                    queue.extend(update(model, msg));
                }
            }
        }
        model.drawn();
        rest
    }

    /// Someone else changes an issue on disk; the watcher tells the model.
    fn change_elsewhere(&self, model: &mut Model, id: &str, change: impl FnOnce(&mut Issue)) {
        let other = crate::store::actor_named("sam".into());
        let issue = self
            .store
            .update(id, None, &other, |issue, actor| {
                change(issue);
                issue.log(&actor.at, &actor.by, "changed elsewhere");
                Ok(())
            })
            .unwrap();
        update(model, Msg::IssueChanged(id.to_string(), Some(issue)));
        model.drawn();
    }

    fn read(&self, id: &str) -> Issue {
        self.store.read(id).unwrap()
    }
}

/// Press keys and land their writes.
fn press(model: &mut Model, disk: &Disk, text: &str) -> Vec<Effect> {
    let effects = keys(model, text);
    disk.land(model, effects)
}

// ---- update ----

#[test]
fn opens_on_the_register_and_tab_cycles_plan_checks_output_register() {
    let mut m = model();
    assert_eq!(m.focus, Pane::Register);
    assert_eq!(selected(&m), "PF-3F9K2A", "most severe first");
    let mut seen = Vec::new();
    for _ in 0..4 {
        key(&mut m, KeyCode::Tab);
        seen.push(m.focus);
    }
    assert_eq!(
        seen,
        [Pane::Plan, Pane::Checks, Pane::Output, Pane::Register]
    );
    key(&mut m, KeyCode::BackTab);
    assert_eq!(m.focus, Pane::Output);
}

#[test]
fn a_triage_key_acts_on_the_row_seen_even_after_a_resort() {
    let mut m = model();
    key(&mut m, KeyCode::Char('j'));
    assert_eq!(selected(&m), "PF-8QW1ZX");
    // A new critical finding arrives between the frame and the key: rows re-sort.
    let newcomer = issue(
        "PF-NEW111",
        "New critical",
        Severity::Critical,
        Status::New,
        0,
    );
    update(
        &mut m,
        Msg::IssueChanged("PF-NEW111".into(), Some(newcomer)),
    );
    let effects = keys(&mut m, "1");
    assert_eq!(
        writes(&effects),
        [Write::Edit {
            id: "PF-8QW1ZX".into(),
            base: 1,
            edits: vec![Edit::Severity(Severity::Critical)],
        }]
    );
}

#[test]
fn the_first_issue_filed_into_an_empty_register_is_highlighted_and_stays_so() {
    let mut m = model();
    m.set_issues(Vec::new());
    assert_eq!(m.register.index(&m.issues), None);
    for (id, severity) in [
        ("PF-AAA111", Severity::Low),
        ("PF-BBB222", Severity::Critical),
    ] {
        let filed = issue(id, "Filed by the runner", severity, Status::New, 0);
        update(&mut m, Msg::IssueChanged(id.into(), Some(filed)));
    }
    // The highlight stays on its issue as a more severe one sorts above it.
    assert_eq!(selected(&m), "PF-AAA111");
    assert_eq!(m.register.index(&m.issues), Some(1));
}

#[test]
fn a_write_names_the_revision_shown_so_a_stale_one_is_refused_by_the_store() {
    let mut m = model();
    m.drawn();
    // Another cockpit changes the issue after this frame; the key was meant for rev 1.
    let mut moved = m
        .issues
        .iter()
        .find(|i| i.id == "PF-3F9K2A")
        .unwrap()
        .clone();
    moved.revision = 2;
    m.put_issue("PF-3F9K2A", Some(moved), Placed::Held);
    let effects = update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('b'), KeyModifiers::NONE)),
    );
    let [Effect::Write {
        batch,
        write: Write::Edit { base: 1, .. },
    }] = &effects[..]
    else {
        panic!("{effects:?}")
    };
    // The store's refusal is shown, not lost, and names who changed it.
    update(
        &mut m,
        Msg::Wrote {
            batch: *batch,
            before: None,
            result: Err(Refusal {
                id: "PF-3F9K2A".into(),
                text: "stale".into(),
                stale: Some(Stale {
                    current: 2,
                    by: "sam".into(),
                }),
            }),
        },
    );
    let notice = m.notice.clone().unwrap();
    assert!(
        notice.is_error() && notice.text.contains("changed by sam since you saw it"),
        "{notice:?}"
    );
}

#[test]
fn dismiss_asks_reason_note_and_expiry_for_an_accepted_risk() {
    let mut m = model();
    assert!(key(&mut m, KeyCode::Char('d')).is_empty());
    assert!(matches!(m.overlay, Some(Overlay::Reasons { .. })));
    keys(&mut m, "3");
    assert!(matches!(
        m.overlay,
        Some(Overlay::Input {
            ask: Ask::DismissNote { .. },
            ..
        })
    ));
    keys(&mut m, "alarms");
    key(&mut m, KeyCode::Enter);
    assert!(matches!(
        m.overlay,
        Some(Overlay::Input {
            ask: Ask::DismissExpiry { .. },
            ..
        })
    ));
    // The default is 90 days from today (today as of either side of the key, should
    // the test straddle midnight).
    let in_90_days = |at: SystemTime| {
        humantime::format_rfc3339_seconds(at + Duration::from_secs(90 * 86_400)).to_string()[..10]
            .to_string()
    };
    let before = in_90_days(SystemTime::now());
    let effects = writes(&key(&mut m, KeyCode::Enter));
    let after = in_90_days(SystemTime::now());
    match &effects[..] {
        [Write::Dismiss {
            id,
            base: 1,
            reason: DismissReason::AcceptedRisk,
            note,
            expires: Some(day),
        }] => {
            assert_eq!(id, "PF-3F9K2A");
            assert_eq!(note.as_deref(), Some("alarms"));
            assert!(*day == before || *day == after, "{day}: not {before}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_expiry_past_any_calendar_is_refused_not_a_panic() {
    let mut m = model();
    clear_expiry_prompt(&mut m);
    keys(&mut m, "8000y");
    assert!(key(&mut m, KeyCode::Enter).is_empty());
    let notice = m.notice.as_ref().unwrap();
    assert!(
        notice.is_error() && notice.text.contains("too far off"),
        "{notice:?}"
    );
    assert_asks_expiry(&m);
}

#[test]
fn keys_after_a_waiting_one_are_read_when_their_turn_comes() {
    let mut m = model();
    let id = selected(&m);
    let first = keys(&mut m, "b");
    let batch = match &first[..] {
        [Effect::Write { batch, .. }] => *batch,
        other => panic!("{other:?}"),
    };
    // Dismiss, reason 2 and a note typed before the blocker write is answered: the
    // `2` and the note belong to the picker `d` opens, not to the register.
    for effects in [
        keys(&mut m, "d2"),
        keys(&mut m, "old"),
        key(&mut m, KeyCode::Enter),
    ] {
        assert!(effects.is_empty(), "{effects:?}");
    }
    let before = m.issues.iter().find(|i| i.id == id).unwrap().clone();
    let mut after = before.clone();
    after.blocker = !before.blocker;
    after.revision += 1;
    let effects = update(
        &mut m,
        Msg::Wrote {
            batch,
            before: Some(Box::new(before.clone())),
            result: Ok(after),
        },
    );
    assert_eq!(
        writes(&effects),
        [Write::Dismiss {
            id: id.clone(),
            base: before.revision + 1,
            reason: DismissReason::WontFix,
            note: Some("old".into()),
            expires: None,
        }]
    );
    assert!(m.overlay.is_none());
    assert_eq!(
        m.issues.iter().find(|i| i.id == id).unwrap().severity,
        before.severity
    );
}

#[test]
fn triage_keys_pressed_while_a_write_is_in_flight_apply_on_top_of_it() {
    let mut m = model();
    let id = selected(&m);
    let base = m.seen.as_ref().unwrap().1;
    // Two keys before the first write is answered: one write, one key waiting.
    let first = keys(&mut m, "2");
    let batch = match &first[..] {
        [Effect::Write {
            batch,
            write: Write::Edit { base: b, .. },
        }] if *b == base => *batch,
        other => panic!("{other:?}"),
    };
    assert_eq!(m.writing, 1);
    assert!(keys(&mut m, "b").is_empty(), "the second key waits");
    assert_eq!(m.deferred.len(), 1);
    // The first write lands at base + 1: the waiting key is written on top of it.
    let before = m.issues.iter().find(|i| i.id == id).unwrap().clone();
    let after_blocker = before.blocker;
    let mut after = before.clone();
    after.severity = Severity::High;
    after.revision = base + 1;
    let effects = update(
        &mut m,
        Msg::Wrote {
            batch,
            before: Some(Box::new(before)),
            result: Ok(after),
        },
    );
    assert_eq!(
        writes(&effects),
        [Write::Edit {
            id: id.clone(),
            base: base + 1,
            edits: vec![Edit::Blocker(!after_blocker)],
        }]
    );
    let batch = match &effects[..] {
        [Effect::Write { batch, .. }] => *batch,
        other => panic!("{other:?}"),
    };
    assert!(m.deferred.is_empty());
    assert_eq!(m.writing, 1);
    // A refused write drops the keys that were to follow it, and says so.
    keys(&mut m, "3");
    let effects = update(
        &mut m,
        Msg::Wrote {
            batch,
            before: None,
            result: Err(Refusal {
                id: id.clone(),
                text: "the register is locked by another writer".into(),
                stale: None,
            }),
        },
    );
    assert!(effects.is_empty());
    assert_eq!(m.writing, 0);
    assert!(m.deferred.is_empty());
    let notice = m.notice.as_ref().unwrap();
    assert!(
        notice.text.ends_with("(1 later keys not applied)"),
        "{notice:?}"
    );
}

/// The accepted-risk expiry prompt is (still) open.
fn assert_asks_expiry(m: &Model) {
    assert!(matches!(
        m.overlay,
        Some(Overlay::Input {
            ask: Ask::DismissExpiry { .. },
            ..
        })
    ));
}

/// Dismiss as an accepted risk, up to the expiry prompt, its "90d" default cleared.
fn clear_expiry_prompt(m: &mut Model) {
    key(m, KeyCode::Char('d'));
    keys(m, "3");
    key(m, KeyCode::Enter);
    for _ in 0..3 {
        key(m, KeyCode::Backspace);
    }
}

#[test]
fn a_bad_expiry_is_said_and_asked_again() {
    let mut m = model();
    clear_expiry_prompt(&mut m);
    keys(&mut m, "soon");
    assert!(key(&mut m, KeyCode::Enter).is_empty());
    assert!(m.notice.as_ref().unwrap().is_error());
    assert_asks_expiry(&m);
}

#[test]
fn esc_cancels_a_prompt_without_writing() {
    let mut m = model();
    key(&mut m, KeyCode::Char('o'));
    keys(&mut m, "sam");
    assert!(key(&mut m, KeyCode::Esc).is_empty());
    assert!(m.overlay.is_none());
}

#[test]
fn owner_prompt_writes_the_owner() {
    let mut m = model();
    key(&mut m, KeyCode::Char('j'));
    key(&mut m, KeyCode::Char('o'));
    keys(&mut m, "sam");
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(
        writes(&effects),
        [Write::Edit {
            id: "PF-8QW1ZX".into(),
            base: 1,
            edits: vec![Edit::Owner(Some("sam".into()))],
        }]
    );
}

#[test]
fn a_write_shows_at_once_and_undo_restores_it() {
    let mut m = model();
    let disk = Disk::of(&m);
    press(&mut m, &disk, "2");
    let shown = m.issues.iter().find(|i| i.id == "PF-3F9K2A").unwrap();
    assert_eq!(shown.severity, Severity::High);
    assert!(m.notice.as_ref().unwrap().text.contains("critical → high"));
    press(&mut m, &disk, "u");
    assert_eq!(disk.read("PF-3F9K2A").severity, Severity::Critical);
    assert!(keys(&mut m, "u").is_empty(), "nothing left to undo");
}

#[test]
fn an_issue_leaving_the_filter_hands_the_highlight_to_its_neighbour() {
    let mut m = model();
    let disk = Disk::of(&m);
    assert_eq!(selected(&m), "PF-3F9K2A");
    press(&mut m, &disk, "x");
    press(&mut m, &disk, "d");
    press(&mut m, &disk, "1");
    let effects = key(&mut m, KeyCode::Enter);
    disk.land(&mut m, effects);
    assert_eq!(disk.read("PF-3F9K2A").status, Status::Dismissed);
    assert_eq!(selected(&m), "PF-8QW1ZX");
}

#[test]
fn read_only_looks_but_never_writes_or_runs() {
    let mut m = model();
    m.read_only = true;
    for k in ["1", "a", "x", "b", "d", "o", "n", "u", "r", "R"] {
        assert!(keys(&mut m, k).is_empty(), "{k} did something");
        assert!(m.overlay.is_none(), "{k} opened a prompt");
    }
    assert!(m.notice.as_ref().unwrap().text.contains("read-only"));
}

#[test]
fn untrusted_runs_nothing_and_names_the_key_that_trusts() {
    let mut m = model();
    m.trusted = false;
    assert!(keys(&mut m, "R").is_empty());
    let notice = m.notice.clone().unwrap();
    assert!(notice.text.contains("(T)"), "{notice:?}");
    assert!(update(
        &mut m,
        Msg::Affected(vec![("test".into(), "src/a.py".into())])
    )
    .is_empty());
    // T shows the commands first; only y trusts.
    keys(&mut m, "T");
    assert_eq!(m.overlay, Some(Overlay::Trust { scroll: 0 }));
    assert_eq!(keys(&mut m, "y"), [Effect::Trust]);
    assert_eq!(update(&mut m, Msg::Trusted), [Effect::Claim]);
}

#[test]
fn changes_run_the_affected_checks_unless_paused() {
    let mut m = model();
    let effects = update(
        &mut m,
        Msg::Affected(vec![
            ("lint".into(), "src/a.py".into()),
            ("test".into(), "src/a.py".into()),
        ]),
    );
    assert_eq!(
        effects,
        [Effect::Run {
            checks: vec!["lint".into(), "test".into()],
            trigger: "src/a.py".into()
        }]
    );
    // Pausing is the model's own state: changes are noted, nothing runs.
    assert!(keys(&mut m, "p").is_empty());
    assert!(matches!(&m.watching, Watching::Paused { files, .. } if files.is_empty()));
    assert!(update(&mut m, Msg::Affected(vec![("lint".into(), "b".into())])).is_empty());
    assert!(update(
        &mut m,
        Msg::Affected(vec![
            ("lint".into(), "c".into()),
            ("test".into(), "c".into())
        ])
    )
    .is_empty());
    // Files are counted, not check × file pairs.
    match &m.watching {
        Watching::Paused { files, checks } => {
            assert_eq!(files.len(), 2);
            assert_eq!(checks.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    let screen = render(&m, 80, 24);
    assert!(screen.contains("paused · 2 files changed"), "{screen}");
    // Resuming runs only what the changes affect, once.
    assert_eq!(
        keys(&mut m, "p"),
        [Effect::Run {
            checks: vec!["lint".into(), "test".into()],
            trigger: "2 files changed while paused".into()
        }]
    );
    assert_eq!(m.watching, Watching::On { folders: 4 });
    // One file: the run names it.
    keys(&mut m, "p");
    update(
        &mut m,
        Msg::Affected(vec![("test".into(), "src/a.py".into())]),
    );
    assert_eq!(
        keys(&mut m, "p"),
        [Effect::Run {
            checks: vec!["test".into()],
            trigger: "src/a.py".into()
        }]
    );
    // Resuming with nothing missed runs nothing.
    keys(&mut m, "p");
    assert!(keys(&mut m, "p").is_empty());
}

#[test]
fn the_palette_runs_an_action_by_name() {
    let mut m = model();
    keys(&mut m, ":");
    keys(&mut m, "blocker");
    let effects = writes(&key(&mut m, KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Write::Edit { edits, .. }] if edits == &[Edit::Blocker(false)]),
        "{effects:?}"
    );
}

#[test]
fn the_filter_applies_as_typed() {
    let mut m = model();
    keys(&mut m, "/");
    for _ in 0..5 {
        key(&mut m, KeyCode::Backspace);
    }
    keys(&mut m, "sev:low");
    assert_eq!(m.register.rows(&m.issues).len(), 1);
    key(&mut m, KeyCode::Enter);
    assert_eq!(selected(&m), "PF-R8HHF5");
    assert_eq!(m.register.filter_text, "sev:low");
}

#[test]
fn space_cycles_a_task_and_enter_folds_a_phase() {
    let mut m = model();
    key(&mut m, KeyCode::Tab);
    assert_eq!(m.focus, Pane::Plan);
    key(&mut m, KeyCode::Char('j'));
    key(&mut m, KeyCode::Char('j'));
    assert_eq!(
        key(&mut m, KeyCode::Char(' ')),
        [Effect::SetTask {
            task: "p3-2".into(),
            status: TaskStatus::Done
        }]
    );
    key(&mut m, KeyCode::Char('g'));
    key(&mut m, KeyCode::Enter);
    assert_eq!(m.plan_rows().len(), 1, "folded");
}

/// The model with the plan of a markdown file: sections (a goal, a callout), a
/// cancelled task, one in progress and one that waits.
fn markdown_plan_model() -> Model {
    let text = "# Phase 5: Launch\n\n## Goal\n- [x] p5-1 Freeze the API\n- [-] p5-2 Dual-run the old stack\n- [/] p5-3 Load test at twice the peak\n- [ ] p5-4 Publish the docs (depends on p5-3)\n\n> [!TODO] Launch day\n> - [ ] p5-5 Flip the flag\n";
    let file = crate::plan_files::PlanFile {
        path: "docs/plan/launch.md".into(),
        doc: crate::markdown::read(text, "launch"),
    };
    let mut m = model();
    m.config.plan = crate::domain::plan::Plan {
        phases: crate::plan_files::phases(&file),
    };
    key(&mut m, KeyCode::Tab);
    assert_eq!(m.focus, Pane::Plan);
    m
}

#[test]
fn space_leaves_a_cancelled_task_alone_and_minus_cancels_or_reopens() {
    use super::model::PlanRow::{Phase, Section, Task};
    let mut m = markdown_plan_model();
    assert_eq!(
        m.plan_rows(),
        [
            Phase(0),
            Section(0, 0),
            Task(0, 0),
            Task(0, 1),
            Task(0, 2),
            Task(0, 3),
            Section(0, 4),
            Task(0, 4)
        ]
    );
    key(&mut m, KeyCode::Char('j'));
    assert_eq!(
        key(&mut m, KeyCode::Char(' ')),
        [],
        "a section row holds no task"
    );
    keys(&mut m, "jj");
    assert_eq!(
        key(&mut m, KeyCode::Char(' ')),
        [],
        "cancelled is left alone"
    );
    let notice = m
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert_eq!(notice, "p5-2 is cancelled, left as it is: - reopens it");
    assert_eq!(
        keys(&mut m, "-"),
        [Effect::SetTask {
            task: "p5-2".into(),
            status: TaskStatus::Todo
        }]
    );
    key(&mut m, KeyCode::Char('k'));
    assert_eq!(
        keys(&mut m, "-"),
        [Effect::SetTask {
            task: "p5-1".into(),
            status: TaskStatus::Cancelled
        }]
    );
    assert_eq!(
        keys(&mut m, " "),
        [Effect::SetTask {
            task: "p5-1".into(),
            status: TaskStatus::Todo
        }],
        "done → todo closes the cycle"
    );
    let mut read_only = markdown_plan_model();
    read_only.read_only = true;
    keys(&mut read_only, "jjj");
    assert_eq!(keys(&mut read_only, "-"), [], "read-only cancels nothing");
}

#[test]
fn rerun_runs_the_selected_check() {
    let mut m = model();
    key(&mut m, KeyCode::Tab);
    key(&mut m, KeyCode::Tab);
    key(&mut m, KeyCode::Char('j'));
    assert_eq!(
        keys(&mut m, "r"),
        [Effect::Rerun {
            checks: vec![("lint".into(), 0)],
            trigger: "rerun".into()
        }]
    );
}

#[test]
fn output_scrolls_follows_and_searches() {
    let mut m = model();
    let output = Output::new(100);
    for i in 0..50 {
        output.lock().push(&format!("line {i}"));
    }
    update(
        &mut m,
        Msg::Queued {
            check: "fmt".into(),
            trigger: "r".into(),
            output,
        },
    );
    update(
        &mut m,
        Msg::Started {
            check: "fmt".into(),
        },
    );
    assert!(matches!(m.checks[0].phase, CheckPhase::Running { .. }));
    assert!(m.busy());
    key(&mut m, KeyCode::BackTab);
    assert_eq!(m.focus, Pane::Output);
    key(&mut m, KeyCode::Char('k'));
    assert!(!m.output.following());
    keys(&mut m, "f");
    assert!(m.output.following());
    keys(&mut m, "/");
    keys(&mut m, "line 3");
    key(&mut m, KeyCode::Enter);
    assert_eq!(m.output.found, Some(39), "line 39 is the newest match");
    assert!(!m.output.following());
    keys(&mut m, "n");
    assert_eq!(m.output.found, Some(38));
    keys(&mut m, "N");
    assert_eq!(m.output.found, Some(39));
    // The last search is offered again: typing replaces it.
    keys(&mut m, "/");
    keys(&mut m, "line 4");
    key(&mut m, KeyCode::Enter);
    assert_eq!(m.output.search.as_deref(), Some("line 4"));
}

#[test]
fn finished_runs_update_the_verdict() {
    let mut m = model();
    assert!(!m.verdict.is_go());
    update(
        &mut m,
        Msg::Finished {
            check: "test".into(),
            record: record("test", RunStatus::Passed, 100, 0),
        },
    );
    // Still NO-GO: an open blocker.
    assert!(!m.verdict.is_go());
    assert_eq!(m.verdict.failing, 1);
}

/// With no gates the header says what `gate` and `report` say: no verdict, never GO,
/// with the open blockers still counted.
#[test]
fn no_gates_reads_no_verdict_in_the_header() {
    let mut m = model();
    let mut config = m.config.clone();
    config.gates.clear();
    m.set_config(config);
    assert_eq!(m.verdict.decision, crate::domain::gate::Decision::NoVerdict);
    let screen = render(&m, 80, 24);
    let header = screen.lines().next().unwrap_or_default();
    assert!(
        header.contains("no verdict: no gates · 1 blocker"),
        "{screen}"
    );
    assert!(!header.contains("GO"), "{header}");
}

/// A metric that could not be read says why in the checks pane, where its value
/// would be.
#[test]
fn an_unread_metric_says_why_in_the_checks_pane() {
    let mut m = model();
    let mut coverage = record("coverage", RunStatus::Passed, 900, 0);
    coverage.metric_note = Some("the report lcov.info was not rewritten by this run".into());
    update(
        &mut m,
        Msg::Finished {
            check: "coverage".into(),
            record: coverage,
        },
    );
    let screen = render(&sized(m, 160, 48), 160, 48);
    let row = screen.lines().find(|l| l.contains("✔ coverage")).unwrap();
    assert!(row.contains("no metric: the report lcov"), "{row}");
}

// ---- render snapshots ----

fn render(model: &Model, width: u16, height: u16) -> String {
    let theme = Theme::load("dark", ColorDepth::TrueColor).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| super::view::draw(frame, model, &theme))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
            line.push_str(symbol);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn sized(mut m: Model, width: u16, height: u16) -> Model {
    update(&mut m, Msg::Resize(width, height));
    m
}

#[test]
fn snapshot_main_screen() {
    let m = model();
    insta::assert_snapshot!("main_80x24", render(&m, 80, 24));
    insta::assert_snapshot!("main_160x48", render(&sized(model(), 160, 48), 160, 48));
}

#[test]
fn snapshot_plan_with_sections_and_a_cancelled_task() {
    let m = markdown_plan_model();
    let small = render(&m, 80, 24);
    insta::assert_snapshot!("plan_sections_80x24", small);
    insta::assert_snapshot!(
        "plan_sections_160x48",
        render(&sized(markdown_plan_model(), 160, 48), 160, 48)
    );
    // The cancelled glyph and title are drawn in the theme's own role for it.
    let theme = Theme::load("dark", ColorDepth::TrueColor).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| super::view::draw(frame, &m, &theme))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    // The cell where `text` starts on screen (every cell before it one column wide).
    let cell = |text: &str| {
        (0..24u16)
            .find_map(|y| {
                let row: String = (0..80u16).map(|x| buffer[(x, y)].symbol()).collect();
                let x = row.find(text).map(|b| row[..b].chars().count())?;
                Some(buffer[(u16::try_from(x).ok()?, y)].clone())
            })
            .unwrap_or_else(|| panic!("{text} not drawn"))
    };
    let cancelled = theme.plan(PlanRole::Cancelled);
    assert!(cancelled
        .add_modifier
        .contains(ratatui::style::Modifier::CROSSED_OUT));
    for text in ["✗ p5-2", "Dual-run"] {
        let c = cell(text);
        assert_eq!(c.fg, cancelled.fg.unwrap(), "{text}");
        assert!(
            c.modifier.contains(ratatui::style::Modifier::CROSSED_OUT),
            "{text}"
        );
    }
    assert_eq!(cell("◐ p5-3").fg, theme.plan(PlanRole::Doing).fg.unwrap());
    assert_ne!(theme.plan(PlanRole::Doing).fg, cancelled.fg);
}

#[test]
fn snapshot_detail() {
    let mut m = model();
    keys(&mut m, "j");
    key(&mut m, KeyCode::Enter);
    assert!(m.detail);
    insta::assert_snapshot!("detail_80x24", render(&m, 80, 24));
    let mut big = sized(model(), 160, 48);
    keys(&mut big, "j");
    key(&mut big, KeyCode::Enter);
    insta::assert_snapshot!("detail_160x48", render(&big, 160, 48));
}

#[test]
fn snapshot_overlays() {
    for (name, typed) in [
        ("help", "?"),
        ("palette", ":fix"),
        ("dismiss", "d"),
        ("owner", "o"),
        ("filter", "/sev:"),
        ("trust", "T"),
    ] {
        for (w, h) in [(80, 24), (160, 48)] {
            let mut m = sized(model(), w, h);
            if name == "trust" {
                m.trusted = false;
                m.watching = Watching::Off("not trusted".into());
            }
            keys(&mut m, typed);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(&m, w, h));
        }
    }
}

#[test]
fn snapshot_states() {
    // GO: every gate passes.
    let mut go = model();
    let done: std::collections::HashMap<_, _> = [record("test", RunStatus::Passed, 1200, 0), {
        let mut c = record("coverage", RunStatus::Passed, 900, 0);
        c.metric = Some(84.0);
        c.unit = Some("%".into());
        c
    }]
    .into_iter()
    .map(|r| (r.check.clone(), r))
    .collect();
    go.set_history(&done);
    let mut issues = issues();
    for i in &mut issues {
        i.blocker = false;
    }
    go.set_issues(issues);
    assert!(go.verdict.is_go());
    insta::assert_snapshot!("go_80x24", render(&go, 80, 24));

    let mut untrusted = model();
    untrusted.trusted = false;
    untrusted.watching = Watching::Off("not trusted".into());
    untrusted.check_selected = 2;
    insta::assert_snapshot!("untrusted_80x24", render(&untrusted, 80, 24));

    let mut read_only = model();
    read_only.read_only = true;
    read_only.watching = Watching::Off("read-only".into());
    insta::assert_snapshot!("read_only_80x24", render(&read_only, 80, 24));

    let mut empty = model();
    empty.set_issues(Vec::new());
    insta::assert_snapshot!("empty_80x24", render(&empty, 80, 24));
}

#[test]
fn snapshot_hostile_output_is_neutralised() {
    let mut m = sized(model(), 100, 24);
    let output = Output::new(100);
    for line in [
        "\x1b[1;32mok\x1b[0m plain",
        "osc52\x1b]52;c;ZXZpbA==\x07 title\x1b]0;pwned\x07 link\x1b]8;;http://x\x1b\\here\x1b]8;;\x1b\\",
        "dcs\x1bP1$qm\x1b\\ cursor\x1b[2J\x1b[H\x1b[5A screen\x1b[?1049h query\x1b[6n\x1b[c",
        "c1\u{9b}31m\u{9d}0;t\u{9c} bell\x07 bs\x08 end",
    ] {
        output.lock().push(line);
    }
    update(
        &mut m,
        Msg::Queued {
            check: "fmt".into(),
            trigger: "src/app.py".into(),
            output,
        },
    );
    update(
        &mut m,
        Msg::Finished {
            check: "fmt".into(),
            record: record("fmt", RunStatus::Passed, 300, 0),
        },
    );
    let theme = Theme::load("dark", ColorDepth::TrueColor).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
    terminal
        .draw(|frame| super::view::draw(frame, &m, &theme))
        .unwrap();
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert!(
            cell.symbol().chars().all(|c| !c.is_control()),
            "a control character reached the screen: {:?}",
            cell.symbol()
        );
    }
    insta::assert_snapshot!("hostile_output_100x24", render(&m, 100, 24));
}

#[test]
fn severity_and_status_colours_come_from_the_theme() {
    let m = model();
    for name in ["dark", "light", "high-contrast"] {
        let theme = Theme::load(name, ColorDepth::TrueColor).unwrap();
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|frame| super::view::draw(frame, &m, &theme))
            .unwrap();
        let buffer = terminal.backend().buffer();
        // The first register row is the critical issue: its SEV cell.
        let y = (0..24)
            .find(|&y| {
                (0..80)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .contains("PF-3F9K2A")
            })
            .unwrap();
        let x = (0..80).find(|&x| buffer[(x, y)].symbol() == "C").unwrap();
        assert_eq!(
            buffer[(x, y)].fg,
            theme.severity(Severity::Critical).fg.unwrap(),
            "{name}"
        );
    }
}

#[test]
fn snapshot_dependency_advisory_detail() {
    let mut m = model();
    let mut advisory = issue(
        "PF-4DV1SE",
        "lodash GHSA-35jh-r3h4-6jhm: Command Injection in lodash",
        Severity::High,
        Status::New,
        1,
    );
    advisory.evidence = Some(
        "Command Injection in lodash\nhttps://github.com/advisories/GHSA-35jh-r3h4-6jhm".into(),
    );
    advisory.finding = Some(FindingLink {
        check: "npm-audit".into(),
        rule: "GHSA-35jh-r3h4-6jhm".into(),
        path: Some("package-lock.json".into()),
        fingerprint: "f00d".into(),
        first_seen: "3f2a1c9".into(),
        last_seen: "3f2a1c9".into(),
        package: Some("lodash".into()),
        version: Some("4.17.20".into()),
        fixed: vec!["4.17.21".into()],
        aliases: vec!["CVE-2021-23337".into()],
        ..FindingLink::default()
    });
    let mut all = issues();
    all.push(advisory);
    m.set_issues(all);
    keys(&mut m, "/");
    for _ in 0..5 {
        key(&mut m, KeyCode::Backspace);
    }
    keys(&mut m, "lodash");
    key(&mut m, KeyCode::Enter);
    assert_eq!(selected(&m), "PF-4DV1SE");
    key(&mut m, KeyCode::Enter);
    assert!(m.detail);
    let screen = render(&m, 80, 24);
    assert!(
        screen.contains("package   lodash 4.17.20 → 4.17.21"),
        "{screen}"
    );
    insta::assert_snapshot!("dependency_detail_80x24", screen);
}

#[test]
fn the_register_heading_tells_new_findings_from_the_baseline() {
    let mut m = model();
    let before = render(&m, 160, 48);
    assert!(!before.contains(" new, "), "no baseline, no split");
    let pickle = m
        .issues
        .iter()
        .find(|i| i.id == "PF-8QW1ZX")
        .unwrap()
        .clone();
    let mut other = pickle.clone();
    other.id = "PF-NEW000".into();
    other.finding.as_mut().unwrap().fingerprint = "ffff".into();
    m.put_issue("PF-NEW000", Some(other), Placed::Held);
    m.set_baseline(crate::domain::baseline::Baseline::from_entries(
        crate::domain::baseline::Entry::of(&pickle),
    ));
    let after = render(&m, 160, 48);
    assert!(after.contains("· 1 new, 1 baseline"), "{after}");
}

// ---- hostile text ----

/// Text a stranger could commit or a tool could report, in every field the cockpit
/// shows: terminal sequences, C1 controls, a bidi override and a forged line.
const EVIL: &str =
    "pwn\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\u{9b}31m\u{202e}exe.txt\nall checks passed";

fn hostile_model() -> Model {
    let mut m = sized(model(), 120, 40);
    m.repo.project = EVIL.into();
    m.repo.branch = Some(EVIL.into());
    m.config.plan.phases[0].title = EVIL.into();
    m.config.plan.phases[0].tasks[2].title = EVIL.into();
    m.config.checks[0].run = EVIL.into();
    m.checks[0].trigger = Some(EVIL.into());
    let mut issues = issues();
    for issue in &mut issues {
        issue.title = EVIL.into();
        issue.owner = Some(EVIL.into());
        issue.evidence = Some(EVIL.into());
        issue.repro = Some(EVIL.into());
        issue.notes.push(crate::domain::issue::Note {
            at: EVIL.into(),
            by: EVIL.into(),
            text: EVIL.into(),
        });
        issue.log(EVIL, EVIL, EVIL);
    }
    issues[1].finding.as_mut().unwrap().path = Some(EVIL.into());
    m.set_issues(issues);
    m.register.filter_text = String::new();
    m.register.filter = crate::domain::filter::Filter::default();
    m.warn(EVIL);
    m
}

fn screen_text(m: &Model, width: u16, height: u16) -> Vec<String> {
    let theme = Theme::load("dark", ColorDepth::TrueColor).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| super::view::draw(frame, m, &theme))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

fn assert_screen_safe(what: &str, rows: &[String]) {
    for row in rows {
        assert!(
            crate::text::sanitize::is_clean_line(row),
            "{what}: a raw control or bidi character is drawn: {row:?}"
        );
        // Multi-line fields keep their breaks, indented under their label; a break in
        // a one-line field must not start a line of its own.
        assert!(
            !row.trim_start_matches(['│', '┃'])
                .starts_with("all checks passed"),
            "{what}: a newline made a line of its own: {row:?}"
        );
    }
}

#[test]
fn no_pane_or_overlay_draws_hostile_text_raw() {
    let mut m = hostile_model();
    let main = screen_text(&m, 120, 40);
    assert_screen_safe("main view", &main);
    let all = main.join("\n");
    assert!(all.contains("pwn\\e]0;owned"), "shown escaped:\n{all}");
    assert!(all.contains("\\u{202e}exe.txt⏎all"), "{all}");
    m.detail = true;
    let detail = screen_text(&m, 120, 40);
    assert_screen_safe("detail", &detail);
    assert!(detail.join("\n").contains("\\u{9b}31m"));
    m.detail = false;
    m.overlay = Some(Overlay::Trust { scroll: 0 });
    let trust = screen_text(&m, 120, 40);
    assert_screen_safe("trust", &trust);
    assert!(trust.join("\n").contains("pwn\\e]0;owned"), "{trust:#?}");
    m.overlay = Some(Overlay::Input {
        ask: Ask::NewTitle,
        field: Field::with(EVIL),
        error: Some(EVIL.into()),
    });
    assert_screen_safe("prompt", &screen_text(&m, 120, 40));
    m.overlay = None;
    m.watching = Watching::Off(EVIL.into());
    m.notice = None;
    assert_screen_safe("header", &screen_text(&m, 120, 40));
}

#[test]
fn no_triage_overlay_draws_hostile_text_raw() {
    let mut m = hostile_model();
    m.notice = None;
    let ids: Vec<String> = m.issues.iter().map(|i| i.id.clone()).collect();
    // The detail with the source lines around the finding: a repository's file.
    let at = m.issues.iter().position(|i| i.finding.is_some()).unwrap();
    let finding = m.issues[at].finding.clone().unwrap();
    m.register.selected = Some(m.issues[at].id.clone());
    m.source = Some(super::model::Source {
        path: finding.path.clone().unwrap(),
        line: finding.line.unwrap(),
        lines: Ok((1..=200).map(|n| (n, EVIL.to_string())).collect()),
    });
    m.detail = true;
    let detail = screen_text(&m, 120, 40);
    assert_screen_safe("detail with source", &detail);
    assert!(detail.join("\n").contains("pwn\\e]0;owned"), "{detail:?}");
    m.source.as_mut().unwrap().lines = Err(EVIL.into());
    assert_screen_safe("detail, unreadable source", &screen_text(&m, 120, 40));
    m.detail = false;
    // The session log: others' names, checks, texts and ids.
    m.log
        .push(Who::Other(EVIL.into()), EVIL, vec![EVIL.into()], false);
    m.log
        .push(Who::Run(EVIL.into()), EVIL, vec![EVIL.into(); 9], true);
    m.log.push(Who::Me, EVIL, ids.clone(), true);
    for selected in 0..3 {
        m.overlay = Some(Overlay::Log { selected });
        assert_screen_safe("log", &screen_text(&m, 120, 40));
    }
    // A filter being typed, its error beside it (the error quotes the text).
    let filter = format!("sev:{EVIL}");
    m.overlay = Some(Overlay::Input {
        ask: Ask::Filter {
            before: EVIL.into(),
            history: None,
        },
        error: crate::domain::filter::Filter::parse(&filter).err(),
        field: Field::with(&filter),
    });
    assert_screen_safe("filter error", &screen_text(&m, 120, 40));
    m.register.filter_text = EVIL.into();
    m.overlay = None;
    assert_screen_safe("register heading", &screen_text(&m, 120, 40));
    // Bulk: the reasons of marked issues, the refusals listed, a failed $EDITOR save.
    let targets: Vec<(String, u64)> = vec![(EVIL.into(), 1)];
    m.overlay = Some(Overlay::Reasons {
        targets: targets.clone(),
        selected: 0,
    });
    assert_screen_safe("reasons", &screen_text(&m, 120, 40));
    m.overlay = Some(Overlay::Input {
        ask: Ask::Owner { targets },
        field: Field::prefilled(EVIL),
        error: None,
    });
    assert_screen_safe("owner prompt", &screen_text(&m, 120, 40));
    m.overlay = Some(Overlay::EditAgain {
        id: EVIL.into(),
        base: 1,
        error: EVIL.into(),
    });
    assert_screen_safe("edit again", &screen_text(&m, 120, 40));
    m.overlay = None;
    m.warn(format!("{EVIL}; 2 of 3 refused: {EVIL} (L lists them)"));
    assert_screen_safe("refusals", &screen_text(&m, 120, 40));
}

#[test]
fn the_detail_view_survives_a_timestamp_cut_inside_a_character() {
    let mut m = model();
    let mut issues = issues();
    // Byte 10 is `T` and byte 16 falls inside `é`: slicing there would panic.
    issues[2].notes.push(crate::domain::issue::Note {
        at: "2026-11-22T10:0é".into(),
        by: "x".into(),
        text: "y".into(),
    });
    m.set_issues(issues);
    m.detail = true;
    let rows = screen_text(&m, 100, 30);
    assert!(rows.join("\n").contains("2026-11-22T10:0é"));
}

mod screens;
