//! Pairing in the cockpit without a terminal: a follower's model fed the runner's
//! board, who runs the checks in the header, re-run keys as requests, take-over.

use super::keymap::KeyMap;
use super::model::{CheckPhase, Model, Runner, Watching};
use super::theme::{ColorDepth, Theme};
use super::update::{update, Effect, Msg};
use crate::config::{self, Source};
use crate::domain::check::RunStatus;
use crate::domain::gate::Decision;
use crate::history::RunRecord;
use crate::pairing::board::now_ms;
use crate::pairing::{Entry, Phase, RunResult};
use crate::runner::Output;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use std::path::Path;

const CONFIG: &str = r#"
[project]
name = "acme-api"

[[check]]
id = "lint"
run = "true"

[[check]]
id = "test"
run = "true"

[[gate]]
id = "green"
checks = ["test"]
"#;

fn follower() -> Model {
    let config = config::load_str(CONFIG, Path::new("preflight.toml"), Source::Default).unwrap();
    let mut model = Model::new(config, KeyMap::default_map().unwrap());
    model.trusted = true;
    model.watching = Watching::On { folders: 3 };
    model.repo.project = "acme-api".into();
    model.repo.branch = Some("main".into());
    model.runner = Runner::Other("ana@box (4242)".into());
    update(&mut model, Msg::Resize(80, 24));
    model.drawn();
    model
}

fn entry(check: &str, seq: u64, phase: Phase, status: Option<RunStatus>) -> Entry {
    Entry {
        check: check.into(),
        seq,
        phase,
        trigger: "src/lib.rs".into(),
        runner: "ana@box (4242)".into(),
        queued_ms: now_ms(),
        started_ms: (phase != Phase::Queued).then(|| now_ms().saturating_sub(2_000)),
        result: status.map(|status| RunResult {
            record: RunRecord {
                check: check.into(),
                status,
                exit_code: Some(i32::from(status != RunStatus::Passed)),
                duration_ms: 2_000,
                finished_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                    .to_string(),
                commit: None,
                dirty: true,
                findings: 0,
                metric: None,
                unit: None,
                metric_note: None,
                truncated: None,
            },
            findings: Vec::new(),
            more_findings: 0,
            error: None,
            log: "/x.log".into(),
            log_error: None,
            lines: 1,
            metric_note: None,
        }),
    }
}

fn board(model: &mut Model, entry: Entry, output: Option<Output>) -> Vec<Effect> {
    update(
        model,
        Msg::Board {
            entry: Box::new(entry),
            output,
        },
    )
}

fn keys(model: &mut Model, text: &str) -> Vec<Effect> {
    let effects = text
        .chars()
        .flat_map(|c| {
            update(
                model,
                Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            )
        })
        .collect();
    model.drawn();
    effects
}

fn header(model: &Model, width: u16) -> String {
    let theme = Theme::load("dark", ColorDepth::TrueColor).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(width, 24)).unwrap();
    terminal
        .draw(|frame| super::view::draw(frame, model, &theme))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..width).map(|x| buffer[(x, 0)].symbol()).collect()
}

#[test]
fn a_follower_shows_the_runners_run_from_queued_to_its_result() {
    let mut m = follower();
    assert_ne!(m.verdict.decision, Decision::Go, "no run of `test` yet");
    let output = Output::new(10);
    output.lock().push("streamed from the runner's log");
    board(&mut m, entry("test", 3, Phase::Queued, None), Some(output));
    let row = m.check("test").unwrap();
    assert_eq!(row.phase, CheckPhase::Queued);
    assert_eq!(row.seq, 3);
    assert_eq!(row.trigger.as_deref(), Some("src/lib.rs"));
    assert!(m.busy(), "ticks redraw the streaming output");
    board(&mut m, entry("test", 3, Phase::Running, None), None);
    let CheckPhase::Running { since } = m.check("test").unwrap().phase else {
        panic!("{:?}", m.check("test").unwrap().phase);
    };
    // Running since the runner started it, not since the follower heard of it.
    assert!(
        since.elapsed().as_millis() >= 1_900,
        "{:?}",
        since.elapsed()
    );
    let ring = m.check("test").unwrap().output.clone().unwrap();
    assert_eq!(ring.lock().last(), Some("streamed from the runner's log"));
    board(
        &mut m,
        entry("test", 3, Phase::Done, Some(RunStatus::Passed)),
        None,
    );
    let row = m.check("test").unwrap();
    assert_eq!(row.phase, CheckPhase::Done);
    assert_eq!(row.last.as_ref().unwrap().status, RunStatus::Passed);
    assert_eq!(
        m.verdict.decision,
        Decision::Go,
        "the same result gives the same verdict"
    );
    // A late entry of an older run changes nothing.
    board(&mut m, entry("test", 2, Phase::Running, None), None);
    assert_eq!(m.check("test").unwrap().phase, CheckPhase::Done);
}

#[test]
fn a_follower_runs_nothing_itself_and_asks_the_runner_for_reruns() {
    let mut m = follower();
    let changed = update(
        &mut m,
        Msg::Affected(vec![("test".into(), "src/lib.rs".into())]),
    );
    assert!(changed.is_empty(), "the runner saw the same save");
    board(
        &mut m,
        entry("lint", 7, Phase::Done, Some(RunStatus::Failed)),
        None,
    );
    m.drawn();
    // R names the run of each check that was on screen.
    assert_eq!(
        keys(&mut m, "R"),
        [Effect::Rerun {
            checks: vec![("lint".into(), 7), ("test".into(), 0)],
            trigger: "rerun all".into()
        }]
    );
    // An untrusted follower may still ask: the runner runs what its user trusted.
    m.trusted = false;
    assert_eq!(keys(&mut m, "R").len(), 1);
    // A read-only one asks for nothing.
    m.read_only = true;
    assert!(keys(&mut m, "R").is_empty());
    assert!(m.notice.unwrap().text.contains("read-only"));
}

#[test]
fn the_run_a_key_names_is_the_one_drawn() {
    let mut m = follower();
    board(&mut m, entry("lint", 4, Phase::Done, None), None);
    m.drawn();
    // The runner starts run 5 before the next frame: `r` still means "after run 4",
    // which the runner then knows is already served.
    board(&mut m, entry("lint", 5, Phase::Queued, None), None);
    let effects = update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('R'), KeyModifiers::NONE)),
    );
    assert!(
        matches!(&effects[..], [Effect::Rerun { checks, .. }] if checks[0] == ("lint".to_string(), 4)),
        "{effects:?}"
    );
}

#[test]
fn the_header_says_who_runs_the_checks() {
    let mut m = follower();
    let line = header(&m, 80);
    assert!(line.contains("runner: ana@box (4242)"), "{line}");
    board(&mut m, entry("test", 1, Phase::Running, None), None);
    update(&mut m, Msg::Runner(Runner::Nobody));
    assert!(header(&m, 80).contains("runner: none"));
    assert_eq!(
        m.check("test").unwrap().phase,
        CheckPhase::Idle,
        "its runner left: the run is not running any more"
    );
    // Taking over: this cockpit runs the checks, starting with what was affected.
    let effects = update(
        &mut m,
        Msg::TookOver(vec![("test".into(), "taken over: interrupted".into())]),
    );
    assert_eq!(m.runner, Runner::Me);
    assert_eq!(
        effects,
        [Effect::Run {
            checks: vec!["test".into()],
            trigger: "taken over: interrupted".into()
        }]
    );
    assert!(m
        .notice
        .as_ref()
        .unwrap()
        .text
        .contains("runs the checks now"));
    assert!(header(&m, 100).contains("runner: me"));
    // A stale report of another runner does not undo it.
    update(&mut m, Msg::Runner(Runner::Other("sam@box (1)".into())));
    assert_eq!(m.runner, Runner::Me);
}

#[test]
fn the_runner_takes_only_run_numbers_from_its_own_board() {
    let mut m = follower();
    m.runner = Runner::Me;
    board(
        &mut m,
        entry("lint", 9, Phase::Done, Some(RunStatus::Failed)),
        None,
    );
    let row = m.check("lint").unwrap();
    assert_eq!(row.seq, 9);
    assert_eq!(row.phase, CheckPhase::Idle, "its own runs drive its rows");
    assert!(row.last.is_none());
}
