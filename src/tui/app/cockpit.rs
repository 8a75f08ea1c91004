//! The loop: one owner of the model, fed by every source of events, drawing only
//! after a change. Generic over the [`Screen`] and fed keys through a channel, so
//! tests run this very loop on a `TestBackend`.

use super::editor;
use super::screen::Screen;
use super::work::{self, Author, Done, Worker, LOCK_PATIENCE};
use crate::history::RunRecord;
use crate::pairing::{Entry, LinkOptions, Member, MemberOptions, Publisher, Role, RunResult};
use crate::register;
use crate::runner::slots::{RunEvent, Slots};
use crate::runner::windows::RunWindows;
use crate::store::Store;
use crate::tui::model::{Model, Runner, Watching};
use crate::tui::term::Input;
use crate::tui::theme::Theme;
use crate::tui::update::{update, Effect, Msg};
use crate::watch::affected::Triggers;
use crate::watch::engine::{self, WatchEvent};
use crate::watch::loops::{self, LoopGuard};
use crate::workspace::{self, Workspace};
use color_eyre::eyre::Result;
use ratatui::crossterm::event::{Event, KeyEventKind};
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

mod pairing;

use pairing::runner_of;

/// Spinner and streaming output refresh while a check runs; no tick when idle.
const TICK: Duration = Duration::from_millis(100);
/// How long quitting waits for queued writes (each waits at most [`LOCK_PATIENCE`]
/// for the lock) before leaving them.
const QUIT_WAIT: Duration = Duration::from_secs(2);
/// How often quitting looks whether the queued writes are done.
const QUIT_POLL: Duration = Duration::from_millis(10);

/// How the loop ended: the last state, and what was still on its way (errors of
/// writes answered after the last frame), for the caller to say once the screen is
/// restored.
pub struct Closed {
    pub model: Model,
    pub unfinished: Vec<String>,
}

/// What the loop owns besides the model.
struct Cockpit {
    ws: Workspace,
    model: Model,
    theme: Theme,
    store: Store,
    author: Author,
    slots: Slots,
    runs: UnboundedReceiver<RunEvent>,
    triggers: Triggers,
    /// When each check ran (the watcher tells the runs' own writes by it), and the
    /// guard that pauses a check re-triggering itself.
    windows: RunWindows,
    guard: LoopGuard,
    worker: Worker,
    /// Finished work (blocking jobs, filed runs) comes back here.
    back: UnboundedSender<Done>,
    backs: UnboundedReceiver<Done>,
    /// The header's branch, commit and dirty count, read again after changes.
    head: crate::tui::refresh::HeadRefresh,
    /// Running the checks for the other cockpits, or following the one that does.
    pairing: Member,
}

/// Run the cockpit on `screen` until it quits, `input` hangs up, or `stop` says so
/// (a signal, a background panic) or closes.
pub async fn drive<S: Screen>(
    ws: Workspace,
    model: Model,
    theme: Theme,
    screen: &mut S,
    mut input: UnboundedReceiver<Input>,
    mut stop: UnboundedReceiver<()>,
) -> Result<Closed> {
    let mut cockpit = Cockpit::new(ws, model, theme);
    let mut options = cockpit.ws.watch_options();
    options.runs = Some(cockpit.windows.clone());
    let (_watching, mut watch) = engine::spawn(options);
    let (width, height) = screen.size()?;
    update(&mut cockpit.model, Msg::Resize(width, height));
    if cockpit.model.trusted && !cockpit.model.read_only && cockpit.pairing.is_runner() {
        let checks = cockpit.model.checks.iter().map(|c| c.id.clone()).collect();
        let startup = Effect::Run {
            checks,
            trigger: "startup".into(),
        };
        cockpit.carry_out(vec![startup], screen)?;
    }
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    // The terminal is gone: nothing is waited for on the way out (see below).
    let mut hung_up = false;
    loop {
        if dirty {
            // A failed draw means the terminal is gone (a hang-up can beat SIGHUP).
            if screen.draw(&cockpit.model, &cockpit.theme).is_err() {
                hung_up = true;
                break;
            }
            cockpit.model.drawn();
            dirty = false;
        }
        let busy = cockpit.model.busy();
        let msgs: Vec<Msg> = tokio::select! {
            Some(input) = input.recv() => match input {
                Input::HungUp => {
                    hung_up = true;
                    break;
                }
                Input::Event(Event::Key(key)) if key.kind != KeyEventKind::Release => vec![Msg::Key(key)],
                Input::Event(Event::Paste(text)) => vec![Msg::Paste(text)],
                Input::Event(Event::Mouse(mouse)) if mouse_matters(mouse) => vec![Msg::Mouse(mouse)],
                Input::Event(Event::Resize(w, h)) => vec![Msg::Resize(w, h)],
                Input::Event(_) => continue,
            },
            Some(event) = watch.recv() => cockpit.on_watch(event),
            Some(run) = cockpit.runs.recv() => cockpit.on_run(run),
            Some(done) = cockpit.backs.recv() => cockpit.on_done(done),
            Some(seen) = cockpit.pairing.seen.recv() => cockpit.on_seen(seen),
            Some(lock) = cockpit.pairing.took.recv() => {
                let runs = cockpit.pairing.take_over(lock);
                let mut msgs: Vec<Msg> = cockpit
                    .pairing
                    .caught_up()
                    .into_iter()
                    .map(|entry| Msg::Board { entry: Box::new(entry), output: None })
                    .collect();
                msgs.push(Msg::TookOver(runs));
                msgs
            }
            _ = tick.tick(), if busy => vec![Msg::Tick],
            _ = stop.recv() => break,
        };
        if msgs.is_empty() {
            continue;
        }
        dirty = true;
        let mut quit = false;
        for msg in msgs {
            let effects = update(&mut cockpit.model, msg);
            quit |= cockpit.carry_out(effects, screen)?;
        }
        if quit || cockpit.model.quit {
            break;
        }
    }
    // After a hang-up nobody waits for us, and crossterm's input thread may be spinning
    // on the dead terminal (it loops on EIO): leave at once. Dropping the runs sends
    // their groups SIGTERM, and the runner's watchdog sends SIGKILL after the grace.
    let hung_up = hung_up || crate::tui::term::is_hung_up();
    if !hung_up {
        // Running checks are stopped (their process groups ended) before leaving.
        let _ = tokio::time::timeout(crate::runner::KILL_GRACE, cockpit.slots.stop_all()).await;
    }
    Ok(cockpit.close(hung_up).await)
}

impl Cockpit {
    fn new(ws: Workspace, mut model: Model, theme: Theme) -> Cockpit {
        let pairing = Member::open(MemberOptions {
            link: LinkOptions {
                state_dir: ws.repo.state_dir.clone(),
                root: ws.repo.root.clone(),
                sharing: ws.repo.sharing,
                capacity: ws.config.runner.output_lines,
                checks: ws.config.checks.clone(),
            },
            role: Role::Cockpit,
            claim: model.trusted && !model.read_only,
            tails: true,
        });
        model.runner = if pairing.is_runner() {
            Runner::Me
        } else {
            runner_of(pairing.first_runner().cloned())
        };
        if let (Some(why), None) = (pairing.unavailable(), &model.notice) {
            model.warn(format!(
                "{why}: this cockpit can follow the runner, not run the checks"
            ));
        }
        let (run_tx, runs) = unbounded_channel();
        let jobs = workspace::jobs(None, &ws.config);
        let windows = RunWindows::new(Some(ws.marks_dir()));
        let slots = Slots::new(
            ws.run_context(),
            jobs,
            ws.config.runner.output_lines,
            run_tx,
        )
        .with_windows(windows.clone());
        let (back, backs) = unbounded_channel();
        Cockpit {
            store: Store::new(&ws.repo).with_patience(LOCK_PATIENCE),
            author: Author::new(ws.repo.clone()),
            triggers: Triggers::new(&ws.config.checks),
            windows,
            guard: LoopGuard::default(),
            worker: Worker::spawn(back.clone()),
            ws,
            model,
            theme,
            slots,
            runs,
            back,
            backs,
            head: crate::tui::refresh::HeadRefresh::default(),
            pairing,
        }
    }

    /// Carry out effects, feeding their immediate results back through `update`;
    /// blocking work goes to the worker. True: quit.
    fn carry_out<S: Screen>(&mut self, effects: Vec<Effect>, screen: &mut S) -> Result<bool> {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let msgs = match effect {
                Effect::Quit => return Ok(true),
                Effect::Run { checks, trigger } if self.pairing.is_runner() => {
                    self.start(&checks, &trigger)
                }
                // Only the runner runs checks (a follower's runner saw the same).
                Effect::Run { .. } => Vec::new(),
                Effect::Rerun { checks, trigger } => self.rerun(&checks, &trigger),
                Effect::Claim => self.claim(),
                Effect::Edit {
                    batch,
                    id,
                    base,
                    again,
                } => match editor::edit_issue(&self.store, &id, again, screen)? {
                    Some(error) => vec![Msg::EditRefused {
                        batch,
                        id,
                        base,
                        error,
                        again: false,
                    }],
                    None => {
                        let before = self.issue(&id);
                        let (store, author) = (self.store.clone(), self.author.clone());
                        self.worker
                            .run(move || work::save_edit(&store, &author, batch, id, base, before));
                        Vec::new()
                    }
                },
                Effect::OpenCode { path, line } => {
                    vec![editor::open_code(&self.ws.repo.root, &path, line, screen)?]
                }
                Effect::ReadSource { path, line } => {
                    let root = self.ws.repo.root.clone();
                    self.worker
                        .run(move || work::read_source(&root, &path, line));
                    Vec::new()
                }
                Effect::Copy(text) => match screen.copy(&text) {
                    Ok(()) => Vec::new(),
                    Err(e) => vec![Msg::warn(format!("cannot copy: {e}"))],
                },
                Effect::Redraw => {
                    screen.clear()?;
                    Vec::new()
                }
                Effect::Suspend => {
                    screen.stop()?;
                    Vec::new()
                }
                Effect::Write { batch, write } => {
                    let before = self.issue(write.id());
                    let (store, author) = (self.store.clone(), self.author.clone());
                    self.worker
                        .run(move || work::write(&store, &author, batch, write, before));
                    Vec::new()
                }
                Effect::NewIssue { batch, title } => {
                    let (store, author) = (self.store.clone(), self.author.clone());
                    self.worker
                        .run(move || work::create(&store, &author, batch, title));
                    Vec::new()
                }
                Effect::Trust => {
                    let (repo, config) = (self.ws.repo.clone(), self.ws.config.clone());
                    self.worker.run(move || work::trust(&repo, &config));
                    Vec::new()
                }
                Effect::SetTask { task, status } => {
                    let ws = self.ws.clone();
                    self.worker.run(move || work::set_task(&ws, &task, status));
                    Vec::new()
                }
            };
            for msg in msgs {
                queue.extend(update(&mut self.model, msg));
            }
        }
        Ok(false)
    }

    fn issue(&self, id: &str) -> Option<Box<crate::domain::issue::Issue>> {
        self.model
            .issues
            .iter()
            .find(|i| i.id == id)
            .cloned()
            .map(Box::new)
    }

    /// Queue runs of `checks`; their outputs are shown as they fill, and each is
    /// announced on the board for the followers.
    fn start(&mut self, checks: &[String], trigger: &str) -> Vec<Msg> {
        let mut msgs = Vec::new();
        for spec in checks
            .iter()
            .filter_map(|id| self.ws.config.check(id).cloned())
        {
            let output = self.slots.start(&spec, trigger);
            let entry = self.pairing.queued(&spec.id, trigger);
            msgs.push(Msg::Queued {
                check: spec.id.clone(),
                trigger: trigger.to_string(),
                output,
            });
            msgs.push(Msg::Board {
                entry: Box::new(entry),
                output: None,
            });
        }
        msgs
    }

    fn on_run(&mut self, event: RunEvent) -> Vec<Msg> {
        match event {
            RunEvent::Started {
                check,
                generation,
                trigger,
            } => {
                if !self.slots.is_current(&check, generation) {
                    return Vec::new();
                }
                self.pairing.running(&check, &trigger);
                vec![Msg::Started { check }]
            }
            RunEvent::Finished(done) => {
                if self.slots.accept(&done) {
                    // A check may write files or commit: the header reads the tree again.
                    self.head.request(&self.ws.repo, &self.back);
                    // Git status, the history and the register are files: off the loop.
                    let (repo, config) = (self.ws.repo.clone(), self.ws.config.clone());
                    let back = self.back.clone();
                    let announce = self.pairing.finishing(&done.check, &done.trigger);
                    tokio::task::spawn_blocking(move || {
                        for done in file_run(&repo, &config, done.outcome, announce) {
                            let _ = back.send(done);
                        }
                    });
                }
                Vec::new()
            }
        }
    }

    fn on_watch(&mut self, event: WatchEvent) -> Vec<Msg> {
        match event {
            WatchEvent::Changed(changes) => {
                self.head.request(&self.ws.repo, &self.back);
                let reruns = loops::reruns(&self.triggers, &mut self.guard, &changes);
                // A follower remembers them, in case the runner goes before it runs them.
                self.pairing.missed(&reruns.run);
                let mut msgs: Vec<Msg> = reruns.paused.into_iter().map(Msg::warn).collect();
                if !reruns.run.is_empty() {
                    msgs.push(Msg::Affected(reruns.run));
                }
                msgs
            }
            WatchEvent::Register(paths) => {
                let store = self.store.clone();
                self.worker.run(move || work::read_issues(&store, &paths));
                Vec::new()
            }
            WatchEvent::Config | WatchEvent::Plans(_) => {
                let ws = self.ws.clone();
                self.worker.run(move || vec![work::reload(&ws)]);
                Vec::new()
            }
            WatchEvent::Warning(text) => vec![Msg::warn(text)],
            WatchEvent::Gone(root) => {
                // Nothing more is watched; a manual run is refused by the runner.
                self.model.watching = Watching::Off("repository gone".into());
                vec![Msg::warn(format!(
                    "the repository {} is gone (moved or deleted): nothing more runs",
                    root.display()
                ))]
            }
            WatchEvent::Ready(folders) => vec![Msg::WatchReady(folders)],
            WatchEvent::Overflow => vec![Msg::Affected(
                self.ws
                    .config
                    .checks
                    .iter()
                    .map(|c| (c.id.clone(), "many changes".to_string()))
                    .collect(),
            )],
        }
    }

    fn on_done(&mut self, done: Done) -> Vec<Msg> {
        match done {
            Done::Msg(msg) => {
                if matches!(msg, Msg::Head(_)) {
                    self.head.done(&self.ws.repo, &self.back);
                }
                vec![msg]
            }
            Done::Reloaded(Ok((ws, trusted))) => self.take_config(*ws, trusted),
            Done::Reloaded(Err(e)) => {
                vec![Msg::warn(format!(
                    "{e}; keeping the previous configuration"
                ))]
            }
        }
    }

    /// preflight.toml or a plan changed and reads well: take it. A change to what
    /// runs that is not trusted stops everything running until it is trusted again.
    fn take_config(&mut self, ws: Workspace, trusted: bool) -> Vec<Msg> {
        // Trust is on what runs: a task status or a comment changes nothing here.
        let changed_commands =
            crate::trust::runs_text(&ws.config) != crate::trust::runs_text(&self.ws.config);
        self.ws = ws;
        self.triggers = Triggers::new(&self.ws.config.checks);
        self.pairing.set_checks(self.ws.config.checks.clone());
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

    /// Wait (bounded) for queued work, and say what of it failed.
    async fn close(mut self, hung_up: bool) -> Closed {
        let start = Instant::now();
        while !hung_up && !self.worker.idle() && start.elapsed() < QUIT_WAIT {
            tokio::time::sleep(QUIT_POLL).await;
        }
        let mut unfinished = Vec::new();
        while let Ok(done) = self.backs.try_recv() {
            match done {
                Done::Msg(Msg::Wrote {
                    result: Err(refusal),
                    ..
                }) => unfinished.push(refusal.text),
                Done::Msg(Msg::Notice(crate::tui::model::NoticeKind::Error, text)) => {
                    unfinished.push(text);
                }
                _ => {}
            }
        }
        if !self.worker.idle() {
            unfinished.push(
                "a register write was still waiting for the lock: it may not have been written"
                    .into(),
            );
        }
        Closed {
            model: self.model,
            unfinished,
        }
    }
}

/// Mouse events the cockpit uses (presses and the wheel; not every motion).
fn mouse_matters(event: ratatui::crossterm::event::MouseEvent) -> bool {
    use ratatui::crossterm::event::MouseEventKind;
    matches!(
        event.kind,
        MouseEventKind::Down(_) | MouseEventKind::ScrollDown | MouseEventKind::ScrollUp
    )
}

/// A finished run: recorded in the history, its findings filed into the register, and
/// then (the register written) announced done to the followers.
fn file_run(
    repo: &crate::repo::Repo,
    config: &crate::config::Config,
    outcome: crate::runner::RunOutcome,
    (publisher, entry): (Publisher, Entry),
) -> Vec<Done> {
    let head = repo.head();
    let record = RunRecord::from_outcome(
        &outcome,
        head.as_ref().and_then(|h| h.commit.clone()),
        head.as_ref().is_some_and(|h| h.dirty > 0),
    );
    let outcomes = std::slice::from_ref(&outcome);
    let remembered = crate::history::remember(repo, head.as_ref(), outcomes);
    let mut done = vec![Done::Msg(Msg::Finished {
        check: outcome.check.clone(),
        record: record.clone(),
    })];
    if let Err(e) = remembered {
        done.push(Done::Msg(Msg::warn(e)));
    }
    match register::file_outcomes(repo, config, head.as_ref(), outcomes) {
        Ok(filed) => {
            if filed.summary().is_some() {
                done.push(Done::Msg(Msg::Issues(Store::new(repo).load().issues)));
                let (baseline, _) = register::baseline::load(repo);
                done.push(Done::Msg(Msg::Baseline(baseline)));
                done.push(Done::Msg(Msg::Filed {
                    check: outcome.check.clone(),
                    created: filed.created.clone(),
                    verified: filed.verified.clone(),
                    reopened: filed.reopened.clone(),
                }));
            }
            if let Some(hint) = filed.flood_hint() {
                done.push(Done::Msg(Msg::tell(hint)));
            }
            if let Some(error) = filed.errors.first() {
                done.push(Done::Msg(Msg::warn(error.clone())));
            }
        }
        Err(e) => done.push(Done::Msg(Msg::warn(format!("cannot file findings: {e:#}")))),
    }
    publisher.publish(Entry {
        result: Some(RunResult::of(&outcome, record)),
        ..entry
    });
    done
}
