//! The cockpit's app layer in process: the real loop (`app::drive`) with its real
//! watcher, runner, worker and store, drawing on a `TestBackend`, with keys pushed
//! into its input channel (helix's way). Each wait is a bounded poll of what was last
//! drawn; absence is shown by a later positive control, never by sleeping.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Sandbox;
use preflight::domain::check::RunStatus;
use preflight::domain::finding::Severity;
use preflight::domain::issue::{Issue, Status};
use preflight::store::Store;
use preflight::tui::app::{self, BackendScreen, Closed, Observer};
use preflight::tui::keymap::KeyMap;
use preflight::tui::model::Watching;
use preflight::tui::term::Input;
use preflight::tui::theme::{ColorDepth, Theme};
use preflight::workspace::Workspace;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// Longest wait for anything (a loaded 2-core CI machine can be slow).
const PATIENCE: Duration = Duration::from_secs(20);
/// How long quitting may take, a held register lock included.
const QUIT_AT_ONCE: Duration = Duration::from_secs(3);

/// One cockpit at a time: they share this process's data directory (trust records).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
static DATA_HOME: OnceLock<tempfile::TempDir> = OnceLock::new();

async fn turn() -> tokio::sync::MutexGuard<'static, ()> {
    let guard = ONE_AT_A_TIME.lock().await;
    DATA_HOME.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        // Set once, before any cockpit (or its threads) runs in this process.
        std::env::set_var("XDG_DATA_HOME", dir.path());
        std::env::remove_var("PREFLIGHT_TRUST");
        dir
    });
    guard
}

/// What the last frame showed, and the model facts the tests look at.
#[derive(Debug, Clone, Default)]
struct Seen {
    frames: usize,
    screen: String,
    notice: Option<String>,
    trusted: bool,
    watching: bool,
    issues: Vec<Issue>,
    last: BTreeMap<String, RunStatus>,
}

struct Cockpit {
    input: UnboundedSender<Input>,
    _stop: UnboundedSender<()>,
    seen: Arc<Mutex<Seen>>,
    task: tokio::task::JoinHandle<color_eyre::Result<Closed>>,
}

impl Cockpit {
    fn open(sb: &Sandbox) -> Cockpit {
        let ws = Workspace::open_quietly(Some(&sb.repo)).unwrap();
        let trusted = ws.is_trusted(false).unwrap();
        let model = app::initial_model(&ws, KeyMap::default_map().unwrap(), trusted, false);
        let theme = Theme::load("dark", ColorDepth::None).unwrap();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let record = seen.clone();
        let observer: Observer = Box::new(move |model, buffer| {
            let area = buffer.area;
            let screen = (0..area.height)
                .map(|y| {
                    (0..area.width)
                        .map(|x| buffer[(x, y)].symbol())
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join("\n");
            let mut seen = record.lock().unwrap();
            seen.frames += 1;
            seen.screen = screen;
            seen.notice = model.notice.as_ref().map(|n| n.text.clone());
            seen.trusted = model.trusted;
            seen.watching = matches!(model.watching, Watching::On { .. });
            seen.issues = model.issues.clone();
            seen.last = model
                .checks
                .iter()
                .filter_map(|c| c.last.as_ref().map(|l| (c.id.clone(), l.status)))
                .collect();
        });
        let terminal = Terminal::new(TestBackend::new(120, 32)).unwrap();
        let mut screen = BackendScreen::new(terminal, Some(observer));
        let (input, input_rx) = unbounded_channel();
        let (stop, stop_rx) = unbounded_channel();
        let task = tokio::spawn(async move {
            app::drive(ws, model, theme, &mut screen, input_rx, stop_rx).await
        });
        Cockpit {
            input,
            _stop: stop,
            seen,
            task,
        }
    }

    fn key(&self, code: KeyCode) {
        let event = Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
        self.input.send(Input::Event(event)).unwrap();
    }

    fn press(&self, keys: &str) {
        for c in keys.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// Wait until what was drawn satisfies `what`; panic with the screen if never.
    async fn wait(&self, about: &str, what: impl Fn(&Seen) -> bool) -> Seen {
        let start = Instant::now();
        loop {
            let seen = self.seen.lock().unwrap().clone();
            if what(&seen) {
                return seen;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "never {about}; last frame:\n{}\n{seen:?}",
                seen.screen
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn wait_for_text(&self, text: &str) -> Seen {
        self.wait(&format!("showed `{text}`"), |s| s.screen.contains(text))
            .await
    }

    /// `q`, and the loop must be done at once.
    async fn quit(self) -> Closed {
        self.press("q");
        tokio::time::timeout(QUIT_AT_ONCE, self.task)
            .await
            .expect("the cockpit did not quit at once")
            .unwrap()
            .unwrap()
    }
}

fn trust(sb: &Sandbox) {
    let ws = Workspace::open_quietly(Some(&sb.repo)).unwrap();
    preflight::trust::grant(&ws.repo, &ws.config).unwrap();
}

fn file_issue(sb: &Sandbox, title: &str) -> String {
    let ws = Workspace::open_quietly(Some(&sb.repo)).unwrap();
    let store = Store::new(&ws.repo);
    let actor = preflight::store::actor_named("tester".into());
    let mut issue = Issue::new(
        store.new_id(),
        title.into(),
        Severity::High,
        Status::Open,
        &actor,
    );
    store.create(&store.lock().unwrap(), &mut issue).unwrap();
    issue.id
}

fn issue_text(sb: &Sandbox, id: &str) -> String {
    std::fs::read_to_string(sb.repo.join(format!(".preflight/issues/{id}.toml"))).unwrap()
}

async fn wait_for_file(path: &std::path::Path, text: &str) -> String {
    let start = Instant::now();
    loop {
        let content = std::fs::read_to_string(path).unwrap_or_default();
        if content.contains(text) {
            return content;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{} never held `{text}`:\n{content}",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A repository with the plan and one issue, and a cockpit open on it showing it.
async fn open_on_an_issue() -> (Sandbox, String, Cockpit) {
    let sb = Sandbox::with_config(PLAN);
    sb.write("src/value.txt", "one\n");
    let id = file_issue(&sb, "Cache disk failure cascades");
    let cockpit = Cockpit::open(&sb);
    cockpit.wait_for_text("Cache disk failure").await;
    (sb, id, cockpit)
}

const PLAN: &str = r#"
[[phase]]
id = "p1"
title = "Harden"

[[phase.task]]
id = "p1-1"
title = "Pin dependencies"
status = "todo"

[[check]]
id = "show"
run = "cat src/value.txt"
watch = ["src/**"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_run_is_recorded_and_its_findings_filed() {
    let _turn = turn().await;
    let sb = Sandbox::with_config(
        r#"
[[check]]
id = "todo"
run = "grep -n TODO src/app.py | sed 's|^|src/app.py:|'"
format = "lines"
pattern = '^(?P<path>[^:]+):(?P<line>\d+):(?P<message>.*)$'
"#,
    );
    sb.write("src/app.py", "x = 1\n# TODO: remove the pickle\n");
    trust(&sb);
    let cockpit = Cockpit::open(&sb);
    let seen = cockpit
        .wait("filed the finding", |s| {
            s.issues
                .iter()
                .any(|i| i.title.contains("remove the pickle"))
                && s.last.get("todo") == Some(&RunStatus::Failed)
        })
        .await;
    let issue = seen
        .issues
        .iter()
        .find(|i| i.title.contains("remove the pickle"))
        .unwrap();
    assert_eq!(issue.status, Status::New);
    assert!(issue_text(&sb, &issue.id).contains("remove the pickle"));
    let history = std::fs::read_to_string(sb.repo.join(".git/preflight/runs.jsonl")).unwrap();
    assert!(history.contains("\"check\":\"todo\""), "{history}");
    cockpit.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_register_lock_is_said_on_screen_not_waited_on() {
    let _turn = turn().await;
    let (sb, id, cockpit) = open_on_an_issue().await;
    // A key writes at once.
    cockpit.press("1");
    wait_for_file(
        &sb.repo.join(format!(".preflight/issues/{id}.toml")),
        "severity = \"critical\"",
    )
    .await;
    cockpit.wait_for_text("CRIT").await;

    // Another writer holds the lock: the key is answered on screen, not waited on.
    let repo = preflight::repo::Repo::discover(&sb.repo).unwrap();
    let held = Store::new(&repo).lock().unwrap();
    let pressed = Instant::now();
    cockpit.press("b");
    cockpit
        .wait("said the lock is held", |s| {
            s.notice
                .as_deref()
                .is_some_and(|n| n.contains("locked by another writer"))
        })
        .await;
    assert!(
        pressed.elapsed() < Duration::from_secs(5),
        "{:?}",
        pressed.elapsed()
    );
    // Still answering keys while the lock is held.
    cockpit.press("?");
    cockpit.wait_for_text("Show every key").await;
    cockpit.key(KeyCode::Esc);
    cockpit.press("2");
    let quitting = Instant::now();
    let closed = cockpit.quit().await;
    assert!(quitting.elapsed() < QUIT_AT_ONCE);
    // Nothing was written over the held lock.
    let text = issue_text(&sb, &id);
    assert!(text.contains("severity = \"critical\""), "{text}");
    assert!(!text.contains("blocker = true"), "{text}");
    assert!(
        closed
            .unfinished
            .iter()
            .all(|l| l.contains("locked") || l.contains("lock")),
        "{:?}",
        closed.unfinished
    );
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_issue_and_a_task_status_are_written() {
    let _turn = turn().await;
    let sb = Sandbox::with_config(PLAN);
    sb.write("src/value.txt", "one\n");
    let cockpit = Cockpit::open(&sb);
    cockpit.wait_for_text("Pin dependencies").await;
    // n, a title, enter: filed.
    cockpit.press("n");
    cockpit.press("Rotate the API keys");
    cockpit.key(KeyCode::Enter);
    let seen = cockpit
        .wait("filed the new issue", |s| {
            s.issues.iter().any(|i| i.title == "Rotate the API keys")
        })
        .await;
    let id = &seen
        .issues
        .iter()
        .find(|i| i.title == "Rotate the API keys")
        .unwrap()
        .id;
    assert!(issue_text(&sb, id).contains("title = \"Rotate the API keys\""));
    // The plan pane: the task's status is written into preflight.toml.
    cockpit.key(KeyCode::Tab);
    cockpit.press("j ");
    let text = wait_for_file(&sb.repo.join("preflight.toml"), "status = \"doing\"").await;
    assert_eq!(
        text,
        PLAN.replace("status = \"todo\"", "status = \"doing\"")
    );
    cockpit.wait_for_text("p1-1 doing (preflight.toml)").await;
    cockpit.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watcher_reloads_changed_and_deleted_issue_files() {
    let _turn = turn().await;
    let (sb, id, cockpit) = open_on_an_issue().await;
    // Another instance changes the issue: it shows here.
    let repo = preflight::repo::Repo::discover(&sb.repo).unwrap();
    let actor = preflight::store::actor_named("other".into());
    Store::new(&repo)
        .update(&id, None, &actor, |issue, _| {
            issue.title = "Retitled elsewhere".into();
            Ok(())
        })
        .unwrap();
    cockpit.wait_for_text("Retitled elsewhere").await;
    // Its file is deleted (a checkout, a merge): it leaves the register.
    std::fs::remove_file(sb.repo.join(format!(".preflight/issues/{id}.toml"))).unwrap();
    cockpit
        .wait("dropped the deleted issue", |s| {
            s.issues.iter().all(|i| i.id != id)
        })
        .await;
    // And the configuration is read again on an edit (an untrusted one here: only
    // the plan shows).
    sb.write(
        "preflight.toml",
        &PLAN.replace("Pin dependencies", "Pin every dependency"),
    );
    cockpit.wait_for_text("Pin every dependency").await;
    cockpit.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trust_is_revoked_when_the_commands_change_while_open() {
    let _turn = turn().await;
    let sb = Sandbox::with_config(PLAN);
    sb.write("src/value.txt", "one\n");
    trust(&sb);
    let cockpit = Cockpit::open(&sb);
    cockpit
        .wait("ran the trusted check and watched", |s| {
            s.trusted && s.watching && s.last.get("show") == Some(&RunStatus::Passed)
        })
        .await;
    // The command changes: nothing runs until it is trusted again.
    sb.write(
        "preflight.toml",
        &PLAN.replace("cat src/value.txt", "touch ran-after-edit"),
    );
    let seen = cockpit.wait("revoked trust", |s| !s.trusted).await;
    assert!(
        seen.notice
            .as_deref()
            .is_some_and(|n| n.contains("changed: nothing runs until you trust it again")),
        "{seen:?}"
    );
    // A change to a watched file, then a re-run asked for by hand: both refused.
    sb.write("src/value.txt", "two\n");
    cockpit.press("R");
    cockpit
        .wait("refused the re-run", |s| {
            s.notice
                .as_deref()
                .is_some_and(|n| n.starts_with("not trusted"))
        })
        .await;
    let closed = cockpit.quit().await;
    assert!(!closed.model.trusted);
    assert!(!sb.repo.join("ran-after-edit").exists());
}
