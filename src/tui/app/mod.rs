//! The cockpit's one owner: the terminal, the model, and the loop ([`drive`]) that
//! feeds every event (keys, the watcher, check runs, finished work, signals, ticks)
//! through `update` and carries out the effects it returns. It draws only after
//! something changed, so an idle cockpit writes nothing to the terminal; blocking work
//! runs off the loop ([`work`]), so nothing a file or a lock does can freeze it.

mod cockpit;
mod editor;
mod screen;
mod source;
pub(crate) mod work;

pub use cockpit::{drive, Closed};
pub use screen::{BackendScreen, Observer, Screen, TermScreen};
pub use work::LOCK_PATIENCE;

use super::action::Action;
use super::keymap::KeyMap;
use super::model::{Model, RepoFacts, Watching};
use super::settings;
use super::term::{self, Reader};
use super::theme::{ColorDepth, Theme};
use crate::history::History;
use crate::store::Store;
use crate::workspace::{self, Workspace};
use color_eyre::eyre::{eyre, Result};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// How long leaving waits for background threads (a finished run being filed) before
/// the process exits anyway.
const SHUTDOWN: Duration = Duration::from_millis(500);

/// How the cockpit was asked to open.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub repo: Option<PathBuf>,
    pub read_only: bool,
    pub theme: Option<String>,
}

/// Open the cockpit; returns when the user quits or the terminal goes away.
pub fn run(options: Options) -> Result<ExitCode> {
    let ws = Workspace::open_quietly(options.repo.as_deref())?;
    let settings = settings::Settings::load(settings::path().as_deref()).map_err(|e| eyre!(e))?;
    let keys = settings.key_map().map_err(|e| eyre!(e))?;
    let depth = ColorDepth::detect(|k| std::env::var(k).ok());
    let theme_name = options
        .theme
        .clone()
        .or(settings.theme.clone())
        .unwrap_or_else(|| "dark".into());
    let theme = Theme::load(&theme_name, depth).map_err(|e| eyre!(e))?;
    let trusted = ws.is_trusted(false)?;
    let model = initial_model(&ws, keys, trusted, options.read_only);
    term::set_mouse(settings.mouse.unwrap_or(true));
    let runtime = workspace::runtime()?;
    let result = runtime.block_on(async move {
        let terminal = term::enter().map_err(|e| eyre!("{e}"))?;
        let (stop_tx, stop) = unbounded_channel();
        term::install_panic_hook(stop_tx.clone());
        let signals = on_signal(stop_tx);
        let (input_tx, input) = unbounded_channel();
        let reader = Reader::spawn(input_tx);
        let mut screen = TermScreen::new(terminal, reader);
        let closed = match signals {
            Ok(()) => drive(ws, model, theme, &mut screen, input, stop).await,
            Err(e) => Err(e),
        };
        term::leave();
        screen.forget();
        if let Some(report) = term::background_panic() {
            let _ = writeln!(
                std::io::stderr(),
                "preflight: a background task panicked: {report}"
            );
            return Ok(ExitCode::from(crate::exit::PANIC));
        }
        // What was still on its way when the cockpit closed, now that it can be said.
        for line in closed?.unfinished {
            let _ = writeln!(
                std::io::stderr(),
                "preflight: {}",
                crate::text::sanitize::Line(&line)
            );
        }
        Ok(ExitCode::SUCCESS)
    });
    runtime.shutdown_timeout(SHUTDOWN);
    result
}

/// SIGTERM, SIGHUP and SIGINT stop the loop (which then restores the terminal).
fn on_signal(stop: UnboundedSender<()>) -> Result<()> {
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => super::term::note_hang_up(),
            _ = int.recv() => {}
        }
        let _ = stop.send(());
    });
    Ok(())
}

/// The model as it opens: the register, the last runs, the repository's facts.
pub fn initial_model(ws: &Workspace, keys: KeyMap, trusted: bool, read_only: bool) -> Model {
    let mut model = Model::new(ws.config.clone(), keys);
    model.config_name = ws.config_name();
    model.trusted = trusted;
    model.trusted_before = crate::trust::last_trusted(&ws.repo).ok().flatten();
    model.read_only = read_only;
    model.repo = repo_facts(ws);
    model.register.filter_text = "open".into();
    model.register.filter = crate::domain::filter::Filter::parse("open").unwrap_or_default();
    model.set_history(&History::new(&ws.repo.state_dir).latest());
    let logs = ws.run_context().logs_dir;
    model.logs_dir = Some(shown_path(&logs));
    for row in &mut model.checks {
        if row.last.is_some() {
            let log = logs.join(format!("{}.log", row.id));
            row.output = log_tail(&log, ws.config.runner.output_lines, &shown_path(&log));
        }
    }
    // Open on the first check whose last run failed: its output is what to read.
    if let Some(at) = model.checks.iter().position(|c| {
        c.output.is_some()
            && c.last
                .as_ref()
                .is_some_and(|l| l.status != crate::domain::check::RunStatus::Passed)
    }) {
        model.check_selected = at;
    }
    let loaded = Store::new(&ws.repo).load();
    model.set_issues(loaded.issues);
    let (baseline, baseline_warning) = crate::register::baseline::load(&ws.repo);
    model.set_baseline(baseline);
    let mut warnings = ws.warnings();
    warnings.extend(baseline_warning);
    warnings.extend(loaded.errors.iter().map(ToString::to_string));
    if let Some(first) = warnings.first() {
        let more = match warnings.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        model.warn(format!("{first}{more}"));
    } else if !trusted && !read_only {
        let key = super::update::key_for(&model, Action::Trust).unwrap_or_else(|| ":trust".into());
        model.tell(format!(
            "not trusted: nothing runs until you review and trust the checks ({key})"
        ));
    }
    if read_only {
        model.watching = Watching::Off("read-only".into());
    } else if !trusted {
        model.watching = Watching::Off("not trusted".into());
    }
    model
}

/// Bytes read from the end of a check's last log at start, to show its output.
const LOG_TAIL: u64 = 256 * 1024;

/// A path as shown to the user: `~/…` under the home folder, controls escaped.
fn shown_path(path: &Path) -> String {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let text = match home.as_ref().and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    };
    crate::text::sanitize::one_line(&text).into_owned()
}

/// The end of the last run's log, so the output pane shows something before any run;
/// when the log is longer, its first line says where the rest is.
fn log_tail(path: &Path, capacity: usize, shown: &str) -> Option<crate::runner::Output> {
    let (text, cut) = crate::fsutil::read_tail(path, LOG_TAIL).ok()?;
    let mut lines = text.lines();
    if cut {
        lines.next(); // a partial first line
    }
    let output = crate::runner::Output::new(capacity);
    {
        let mut ring = output.lock();
        if cut {
            ring.push(&format!(
                "\x1b[2m⋯ earlier lines are in the full log: {shown}\x1b[0m"
            ));
        }
        for line in lines {
            ring.push(line);
        }
    }
    Some(output)
}

fn repo_facts(ws: &Workspace) -> RepoFacts {
    let head = ws.repo.head();
    RepoFacts {
        project: Some(ws.config.project.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| {
                ws.repo.root.file_name().map_or_else(
                    || ws.repo.root.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            }),
        branch: head.as_ref().and_then(|h| h.branch.clone()),
        commit: head.as_ref().and_then(|h| h.commit.clone()),
        dirty: head.as_ref().map_or(0, |h| h.dirty),
    }
}
