//! The cockpit's one owner: the terminal, the model, and the loop that feeds every
//! event (keys, the watcher, check runs, signals, ticks) through `update` and carries
//! out the effects it returns. It draws only after something changed, so an idle
//! cockpit writes nothing to the terminal.

use super::action::Action;
use super::keymap::KeyMap;
use super::model::{Model, RepoFacts, Watching};
use super::term::{self, Input, Reader, Term};
use super::theme::{ColorDepth, Theme};
use super::triage::Write;
use super::update::{update, Effect, Msg};
use super::{settings, view};
use crate::domain::finding::Severity;
use crate::domain::issue::{Issue, Status};
use crate::domain::triage;
use crate::history::{History, RunRecord};
use crate::register;
use crate::runner::slots::{RunEvent, Slots};
use crate::store::{self, Store};
use crate::watch::affected::Triggers;
use crate::watch::engine::{self, WatchEvent};
use crate::workspace::{self, Workspace};
use color_eyre::eyre::{eyre, Result};
use ratatui::crossterm::event::{Event, KeyEventKind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// Spinner and streaming output refresh while a check runs; no tick when idle.
const TICK: Duration = Duration::from_millis(100);
/// More register changes than this in one burst are read as a whole reload.
const PER_FILE_RELOAD: usize = 200;

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
    let runtime = workspace::runtime()?;
    runtime.block_on(async move {
        let mut terminal = term::enter().map_err(|e| eyre!("{e}"))?;
        let (wake, woken) = unbounded_channel();
        term::install_panic_hook(wake);
        let result = Cockpit::new(ws, model, theme)
            .run(&mut terminal, woken)
            .await;
        term::leave();
        // `leave` restored the cursor and the screen. Dropping the terminal would try
        // again and, on a hung-up terminal, print an error to a stderr that is gone.
        std::mem::forget(terminal);
        if let Some(report) = term::background_panic() {
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "preflight: a background task panicked: {report}"
            );
            return Ok(ExitCode::from(crate::exit::PANIC));
        }
        result
    })
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
    let mut warnings = ws.warnings();
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

/// A path as shown to the user: `~/…` under the home folder.
fn shown_path(path: &Path) -> String {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match home.as_ref().and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

/// The end of the last run's log, so the output pane shows something before any run;
/// when the log is longer, its first line says where the rest is.
fn log_tail(path: &Path, capacity: usize, shown: &str) -> Option<crate::runner::Output> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let start = len.saturating_sub(LOG_TAIL);
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines();
    if start > 0 {
        lines.next(); // a partial first line
    }
    let output = crate::runner::Output::new(capacity);
    {
        let mut ring = output.lock();
        if start > 0 {
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

/// What the loop owns besides the model.
struct Cockpit {
    ws: Workspace,
    model: Model,
    theme: Theme,
    store: Store,
    slots: Slots,
    runs: UnboundedReceiver<RunEvent>,
    triggers: Triggers,
    /// Results of blocking work (filing findings, reloads) come back here.
    back: UnboundedSender<Msg>,
    backs: UnboundedReceiver<Msg>,
    actor_name: Option<String>,
    head: super::refresh::HeadRefresh,
}

impl Cockpit {
    fn new(ws: Workspace, model: Model, theme: Theme) -> Cockpit {
        let (run_tx, runs) = unbounded_channel();
        let jobs = workspace::jobs(None, &ws.config);
        let slots = Slots::new(
            ws.run_context(),
            jobs,
            ws.config.runner.output_lines,
            run_tx,
        );
        let (back, backs) = unbounded_channel();
        Cockpit {
            store: Store::new(&ws.repo),
            triggers: Triggers::new(&ws.config.checks),
            ws,
            model,
            theme,
            slots,
            runs,
            back,
            backs,
            actor_name: None,
            head: super::refresh::HeadRefresh::default(),
        }
    }

    async fn run(
        mut self,
        terminal: &mut Term,
        mut panicked: UnboundedReceiver<()>,
    ) -> Result<ExitCode> {
        let (input_tx, mut input) = unbounded_channel();
        let reader = Reader::spawn(input_tx);
        let (_watching, mut watch) = engine::spawn(self.ws.watch_options());
        let mut sigterm = signal(SignalKind::terminate())?;
        let mut sighup = signal(SignalKind::hangup())?;
        let mut sigint = signal(SignalKind::interrupt())?;
        let size = terminal.size()?;
        update(&mut self.model, Msg::Resize(size.width, size.height));
        if self.model.trusted && !self.model.read_only {
            let checks = self.model.checks.iter().map(|c| c.id.clone()).collect();
            self.carry_out(
                vec![Effect::Run {
                    checks,
                    trigger: "startup".into(),
                }],
                terminal,
                &reader,
            )?;
        }
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut dirty = true;
        loop {
            if dirty {
                // A failed draw means the terminal is gone (a hang-up can beat SIGHUP).
                if terminal
                    .draw(|frame| view::draw(frame, &self.model, &self.theme))
                    .is_err()
                {
                    break;
                }
                self.model.drawn();
                dirty = false;
            }
            let busy = self.model.busy();
            let msg = tokio::select! {
                Some(input) = input.recv() => match input {
                    Input::HungUp => break,
                    Input::Event(Event::Key(key)) if key.kind != KeyEventKind::Release => Msg::Key(key),
                    Input::Event(Event::Resize(w, h)) => Msg::Resize(w, h),
                    Input::Event(_) => continue,
                },
                Some(event) = watch.recv() => match self.on_watch(event) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(run) = self.runs.recv() => match self.on_run(run) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(msg) = self.backs.recv() => {
                    if matches!(msg, Msg::Head(_)) {
                        self.head.done(&self.ws.repo, &self.back);
                    }
                    msg
                }
                _ = tick.tick(), if busy => Msg::Tick,
                _ = sigterm.recv() => break,
                _ = sighup.recv() => break,
                _ = sigint.recv() => break,
                _ = panicked.recv() => break,
            };
            let effects = update(&mut self.model, msg);
            dirty = true;
            if self.carry_out(effects, terminal, &reader)? {
                break;
            }
            if self.model.quit {
                break;
            }
        }
        term::leave();
        // Running checks are stopped (their process groups ended) before exiting.
        let _ = tokio::time::timeout(crate::runner::KILL_GRACE, self.slots.stop_all()).await;
        Ok(ExitCode::SUCCESS)
    }

    /// Carry out effects, feeding their results back through `update`. True: quit.
    fn carry_out(
        &mut self,
        effects: Vec<Effect>,
        terminal: &mut Term,
        reader: &Reader,
    ) -> Result<bool> {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let msgs = match effect {
                Effect::Quit => return Ok(true),
                Effect::Write(write) => vec![self.write(write)],
                Effect::Dismiss {
                    id,
                    base,
                    reason,
                    note,
                    expires,
                } => {
                    let before = self.issue(&id);
                    let actor = self.actor();
                    let result = self
                        .store
                        .update(&id, Some(base), &actor, |issue, actor| {
                            triage::dismiss(issue, reason, note, expires, actor)
                        })
                        .map_err(|e| e.to_string());
                    vec![Msg::Wrote {
                        before,
                        result,
                        undo: false,
                    }]
                }
                Effect::NewIssue { title } => vec![self.create(title)],
                Effect::Run { checks, trigger } => self.start(&checks, &trigger),
                Effect::Trust => match crate::trust::grant(&self.ws.repo, &self.ws.config) {
                    Ok(()) => vec![Msg::Trusted],
                    Err(e) => vec![Msg::warn(format!("cannot trust: {e:#}"))],
                },
                Effect::Edit(id) => vec![self.edit(&id, terminal, reader)?],
                Effect::SetTask { task, status } => {
                    match crate::plan_files::write_status(
                        &self.ws.repo.root,
                        &self.ws.config.plan,
                        &task,
                        status,
                    ) {
                        Ok(file) => {
                            let mut msgs = self.reload_config();
                            msgs.push(Msg::tell(format!("{task} {status} ({file})")));
                            msgs
                        }
                        Err(e) => vec![Msg::warn(format!("{e:#}"))],
                    }
                }
            };
            for msg in msgs {
                queue.extend(update(&mut self.model, msg));
            }
        }
        Ok(false)
    }

    fn actor(&mut self) -> crate::domain::issue::Actor {
        let name = self
            .actor_name
            .get_or_insert_with(|| store::actor(&self.ws.repo).by)
            .clone();
        store::actor_named(name)
    }

    fn issue(&self, id: &str) -> Option<Box<Issue>> {
        self.model
            .issues
            .iter()
            .find(|i| i.id == id)
            .cloned()
            .map(Box::new)
    }

    fn write(&mut self, write: Write) -> Msg {
        let actor = self.actor();
        match write {
            Write::Edit { id, base, edits } => {
                let before = self.issue(&id);
                let result = self
                    .store
                    .update(&id, Some(base), &actor, |issue, actor| {
                        for edit in &edits {
                            triage::apply(issue, edit, actor);
                        }
                        Ok(())
                    })
                    .map_err(|e| e.to_string());
                Msg::Wrote {
                    before,
                    result,
                    undo: false,
                }
            }
            Write::Restore { base, previous } => {
                let before = self.issue(&previous.id);
                let result = self
                    .store
                    .restore(&previous, base, &actor)
                    .map_err(|e| format!("cannot undo: {e}"));
                Msg::Wrote {
                    before,
                    result,
                    undo: true,
                }
            }
        }
    }

    fn create(&mut self, title: String) -> Msg {
        let actor = self.actor();
        let result = (|| {
            let lock = self.store.lock()?;
            let mut issue = Issue::new(
                self.store.new_id(),
                title,
                Severity::Medium,
                Status::Open,
                &actor,
            );
            self.store.create(&lock, &mut issue)?;
            Ok::<_, store::WriteError>(issue)
        })()
        .map_err(|e| e.to_string());
        Msg::Wrote {
            before: None,
            result,
            undo: false,
        }
    }

    /// Queue runs of `checks`; their outputs are shown as they fill.
    fn start(&mut self, checks: &[String], trigger: &str) -> Vec<Msg> {
        checks
            .iter()
            .filter_map(|id| self.ws.config.check(id).cloned())
            .map(|spec| Msg::Queued {
                check: spec.id.clone(),
                trigger: trigger.to_string(),
                output: self.slots.start(&spec, trigger),
            })
            .collect()
    }

    fn on_run(&mut self, event: RunEvent) -> Option<Msg> {
        match event {
            RunEvent::Started {
                check, generation, ..
            } => self
                .slots
                .is_current(&check, generation)
                .then_some(Msg::Started { check }),
            RunEvent::Finished(done) => {
                if !self.slots.accept(&done) {
                    return None;
                }
                // A check may write files or commit: the header reads the tree again.
                self.head.request(&self.ws.repo, &self.back);
                // Git status, the history and the register are files: off the loop.
                let repo = self.ws.repo.clone();
                let config = self.ws.config.clone();
                let back = self.back.clone();
                let check = done.check.clone();
                tokio::task::spawn_blocking(move || {
                    let head = repo.head();
                    let outcome = done.outcome;
                    let record = RunRecord::from_outcome(
                        &outcome,
                        head.as_ref().and_then(|h| h.commit.clone()),
                        head.as_ref().is_some_and(|h| h.dirty > 0),
                    );
                    let remembered = crate::history::remember(
                        &repo.state_dir,
                        head.as_ref(),
                        std::slice::from_ref(&outcome),
                    );
                    let _ = back.send(Msg::Finished { check, record });
                    if let Err(e) = remembered {
                        let _ = back.send(Msg::warn(e));
                    }
                    match register::file_outcomes(
                        &repo,
                        &config,
                        head.as_ref(),
                        std::slice::from_ref(&outcome),
                    ) {
                        Ok(filed) => {
                            if let Some(line) = filed.summary() {
                                let _ = back.send(Msg::Issues(Store::new(&repo).load().issues));
                                let _ = back.send(Msg::tell(line));
                            }
                            if let Some(error) = filed.errors.first() {
                                let _ = back.send(Msg::warn(error.to_string()));
                            }
                        }
                        Err(e) => {
                            let _ = back.send(Msg::warn(format!("cannot file findings: {e:#}")));
                        }
                    }
                });
                None
            }
        }
    }

    fn on_watch(&mut self, event: WatchEvent) -> Option<Msg> {
        match event {
            WatchEvent::Changed(paths) => {
                self.head.request(&self.ws.repo, &self.back);
                let affected: Vec<(String, String)> = self
                    .triggers
                    .affected(&paths)
                    .into_iter()
                    .map(|(id, path)| (id, path.display().to_string()))
                    .collect();
                (!affected.is_empty()).then_some(Msg::Affected(affected))
            }
            WatchEvent::Register(paths) => {
                if paths.len() > PER_FILE_RELOAD {
                    return Some(Msg::Issues(self.store.load().issues));
                }
                for path in &paths {
                    if let Some(msg) = self.read_issue(path) {
                        let _ = self.back.send(msg);
                    }
                }
                None
            }
            WatchEvent::Config | WatchEvent::Plans(_) => {
                for msg in self.reload_config() {
                    let _ = self.back.send(msg);
                }
                None
            }
            WatchEvent::Warning(text) => Some(Msg::warn(text)),
            WatchEvent::Ready(folders) => Some(Msg::WatchReady(folders)),
            WatchEvent::Overflow => Some(Msg::Affected(
                self.ws
                    .config
                    .checks
                    .iter()
                    .map(|c| (c.id.clone(), "many changes".to_string()))
                    .collect(),
            )),
        }
    }

    /// An issue file changed on disk: read it again (or note it is gone).
    fn read_issue(&self, path: &Path) -> Option<Msg> {
        let name = path.file_name()?.to_str()?;
        let id = name.strip_suffix(".toml")?;
        if !id.starts_with(store::ID_PREFIX) {
            return None;
        }
        match self.store.read(id) {
            Ok(issue) => Some(Msg::IssueChanged(id.to_string(), Some(issue))),
            Err(_) if !self.store.path_of(id).exists() => {
                Some(Msg::IssueChanged(id.to_string(), None))
            }
            Err(e) => Some(Msg::warn(e.to_string())),
        }
    }

    /// preflight.toml or a plan changed: take the new configuration if it is valid
    /// (and still trusted), else say why and keep the old one.
    fn reload_config(&mut self) -> Vec<Msg> {
        match self.ws.reload() {
            Ok(ws) => {
                let trusted = ws.is_trusted(false).unwrap_or(false);
                let changed_commands = ws.config.text != self.ws.config.text;
                self.ws = ws;
                self.triggers = Triggers::new(&self.ws.config.checks);
                let mut msgs = vec![Msg::Config(Box::new(self.ws.config.clone()))];
                if changed_commands && !trusted && self.model.trusted {
                    self.model.trusted = false;
                    self.model.watching = Watching::Off("not trusted".into());
                    msgs.push(Msg::warn(format!(
                        "{} changed: nothing runs until you trust it again",
                        self.ws.config_name()
                    )));
                }
                msgs
            }
            Err(e) => vec![Msg::warn(format!(
                "{e}; keeping the previous configuration"
            ))],
        }
    }

    /// Suspend the cockpit, open the issue in `$EDITOR`, and come back.
    fn edit(&mut self, id: &str, terminal: &mut Term, reader: &Reader) -> Result<Msg> {
        let path = self.store.path_of(id);
        let editor = std::env::var("VISUAL")
            .or_else(|_| std::env::var("EDITOR"))
            .unwrap_or_else(|_| "vi".into());
        reader.pause();
        term::leave();
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("sh")
            .arg(&path)
            .status();
        let mut again = term::enter().map_err(|e| eyre!("{e}"))?;
        std::mem::swap(terminal, &mut again);
        terminal.clear()?;
        reader.resume();
        Ok(match status {
            Ok(s) if s.success() => self
                .read_issue(&path)
                .unwrap_or(Msg::tell(format!("{id}: edited"))),
            Ok(s) => Msg::warn(format!(
                "{editor} exited with {s}; {id} left as the editor wrote it"
            )),
            Err(e) => Msg::warn(format!("cannot start {editor}: {e}")),
        })
    }
}
