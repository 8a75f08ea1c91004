//! The cockpit's one state: what it knows of the repository, and each pane's view
//! state. `update` changes it, `view` only reads it.

use super::action::Action;
use super::field::Field;
use super::keymap::{KeyMap, Scope};
use super::log::SessionLog;
use super::register::RegisterView;
use super::triage::{Batch, UndoStack};
use crate::config::Config;
use crate::domain::baseline::Baseline;
use crate::domain::check::RunStatus;
use crate::domain::gate::{evaluate, CheckState, Inputs, Verdict};
use crate::domain::issue::{DismissReason, Issue};
use crate::history::RunRecord;
use crate::runner::Output;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

mod output_view;
pub use output_view::OutputView;

/// The panes, in `Tab` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Plan,
    Checks,
    Output,
    Register,
}

impl Pane {
    pub const ORDER: [Pane; 4] = [Pane::Plan, Pane::Checks, Pane::Output, Pane::Register];

    pub fn scope(self) -> Scope {
        match self {
            Pane::Plan => Scope::Plan,
            Pane::Checks => Scope::Checks,
            Pane::Output => Scope::Output,
            Pane::Register => Scope::Register,
        }
    }

    pub fn cycle(self, forward: bool) -> Pane {
        let at = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        let n = Pane::ORDER.len();
        Pane::ORDER[if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        }]
    }
}

/// Where a check stands in this session.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckPhase {
    /// Not run in this session; `last` (from the run history) may say how it went.
    Idle,
    /// Waiting for a job slot (or for its cancelled run to end).
    Queued,
    Running {
        since: Instant,
    },
    Done,
}

/// One row of the checks pane.
#[derive(Debug, Clone)]
pub struct CheckRow {
    pub id: String,
    pub phase: CheckPhase,
    /// The last finished run: this session's, or the history's at start.
    pub last: Option<RunRecord>,
    /// What started the current or last run in this session (a path, `startup`…).
    pub trigger: Option<String>,
    /// The output of the current or last run in this session.
    pub output: Option<Output>,
    /// The check's metric target, as the gates state it (`≥ 80%`).
    pub target: Option<String>,
    /// The latest run of the check on the runner's board (0: none yet).
    pub seq: u64,
    /// `seq` as drawn in the last frame: the run a re-run key refers to.
    pub shown_seq: u64,
}

/// One row of the plan pane: a phase, the heading of a markdown section (shown before
/// the first task of a run of tasks under it), or a task; by phase and task index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanRow {
    Phase(usize),
    Section(usize, usize),
    Task(usize, usize),
}

/// What a text prompt is for. Triage prompts name the issues they act on, each at
/// the revision the user saw.
#[derive(Debug, Clone, PartialEq)]
pub enum Ask {
    /// The register filter, applied as it is typed; `before` is restored on cancel.
    Filter {
        before: String,
        /// Where up/down is in the filter history (`None`: the text being typed).
        history: Option<usize>,
    },
    /// Search in the output.
    Search,
    Owner {
        targets: Vec<(String, u64)>,
    },
    DismissNote {
        targets: Vec<(String, u64)>,
        reason: DismissReason,
    },
    DismissExpiry {
        targets: Vec<(String, u64)>,
        note: Option<String>,
    },
    Note {
        targets: Vec<String>,
    },
    NewTitle,
}

/// An overlay over the panes; keys go to it first.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    Palette {
        input: Field,
        selected: usize,
    },
    /// The dismissal reason picker.
    Reasons {
        targets: Vec<(String, u64)>,
        selected: usize,
    },
    Input {
        ask: Ask,
        field: Field,
        /// Why the text cannot be taken as it is (shown beside it).
        error: Option<String>,
    },
    /// Confirm trust after seeing the commands that would run, scrolled `scroll` rows.
    Trust {
        scroll: usize,
    },
    /// The session log, newest first.
    Log {
        selected: usize,
    },
    /// An `$EDITOR` save that could not be taken: edit it again (`y`) or drop it.
    EditAgain {
        id: String,
        base: u64,
        error: String,
    },
}

/// Whether a notice reports a failure (drawn as an error) or something done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Error,
}

/// A line for the user at the bottom, until the next key.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

impl Notice {
    pub fn is_error(&self) -> bool {
        self.kind == NoticeKind::Error
    }
}

/// Whether the repository is watched.
#[derive(Debug, Clone, PartialEq)]
pub enum Watching {
    Starting,
    On {
        folders: usize,
    },
    /// Changes are noted, nothing runs: the files that changed and the checks they
    /// affect, run once on resuming.
    Paused {
        files: BTreeSet<String>,
        checks: BTreeSet<String>,
    },
    /// Nothing runs: untrusted, or `--read-only`, or watching failed.
    Off(String),
}

impl Watching {
    /// Watching is on (`folders` watched) once the watcher is ready, else starting.
    pub fn on(ready: Option<usize>) -> Watching {
        match ready {
            Some(folders) => Watching::On { folders },
            None => Watching::Starting,
        }
    }
}

/// A triage key pressed while an earlier write was still on its way: it waits, so it
/// applies on top of that write instead of being refused as stale.
#[derive(Debug, Clone, PartialEq)]
pub struct Deferred {
    pub input: Pending,
    /// The issue and revision highlighted when the key was pressed (moved on by this
    /// cockpit's own writes as they land).
    pub seen: Option<(String, u64)>,
}

/// What waits for the writes in flight: an action whose key came first, then every
/// key after it as pressed, read only when its turn comes (a key after `d` goes to the
/// reason picker `d` opens, as it would have had the write been instant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Action(Action),
    Key(crossterm::event::KeyEvent),
}

/// Who runs the checks of this repository (one runner per repository; every other
/// cockpit follows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runner {
    /// This cockpit.
    Me,
    /// Another process: `ana@box (1234)`.
    Other(String),
    /// Nobody right now (the runner left and no one took over yet).
    Nobody,
}

/// What a changed issue's row does in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// Changed elsewhere: it stays where it is (a new one is placed by the sort).
    Held,
    /// Changed by this cockpit: it moves where the sort puts it, or leaves the filter.
    Moved,
    /// Undone: placed by the sort and shown whatever the filter says.
    Shown,
}

/// Source lines around a finding, for the detail.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub path: String,
    pub line: u32,
    /// (line number, text), or why they could not be read.
    pub lines: Result<Vec<(u32, String)>, String>,
}

/// Facts of the repository shown in the header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepoFacts {
    pub project: String,
    pub branch: Option<String>,
    pub commit: Option<String>,
    pub dirty: usize,
}

/// The whole cockpit state.
pub struct Model {
    pub repo: RepoFacts,
    pub config: Config,
    pub config_name: String,
    pub issues: Vec<Issue>,
    /// The findings recorded as pre-existing: `max_new` gates and the register's
    /// new-vs-baseline counts read it.
    pub baseline: Baseline,
    pub checks: Vec<CheckRow>,
    pub verdict: Verdict,
    pub trusted: bool,
    /// What was last trusted in this repository, per check (see `trust::commands_of`),
    /// to mark what changed since; `None` when it never was.
    pub trusted_before: Option<std::collections::BTreeMap<String, String>>,
    pub read_only: bool,
    pub watching: Watching,
    /// Folders watched, once the watcher said it is ready (it may be ready before
    /// watching is on: an untrusted repository is watched, nothing runs).
    pub watcher_ready: Option<usize>,
    /// Who runs the checks: this cockpit, or the one it follows.
    pub runner: Runner,
    pub keys: KeyMap,

    pub focus: Pane,
    pub register: RegisterView,
    /// First register row shown.
    pub register_offset: usize,
    /// The selected issue's detail, in a split under the register table.
    pub detail: bool,
    /// Lines of the source around the detail's finding, once read.
    pub source: Option<Source>,
    pub plan_selected: usize,
    pub plan_offset: usize,
    pub folded: BTreeSet<usize>,
    pub check_selected: usize,
    pub output: OutputView,
    pub overlay: Option<Overlay>,
    pub notice: Option<Notice>,
    pub undo: UndoStack,
    /// Writes asked for and not yet all answered, by batch (one key's writes).
    pub batches: HashMap<u64, Batch>,
    pub next_batch: u64,
    /// Revisions this cockpit wrote, by issue: a newer one is someone else's.
    pub mine: HashMap<String, u64>,
    /// What happened in this session (`L`).
    pub log: SessionLog,
    /// Filters applied in this session, newest last (up/down in the filter prompt).
    pub filter_history: Vec<String>,
    /// Register writes asked for and not yet answered (`Msg::Wrote`).
    pub writing: usize,
    /// Triage keys waiting for those writes, oldest first.
    pub deferred: VecDeque<Deferred>,
    /// The highlighted issue and the revision shown in the last drawn frame: what a
    /// triage key acts on.
    pub seen: Option<(String, u64)>,
    /// The folder of full check logs, as shown (`~/…`): the output pane names a log
    /// when lines were dropped.
    pub logs_dir: Option<String>,
    /// Terminal size (columns, rows), for page sizes.
    pub size: (u16, u16),
    /// Spinner frame, advanced by ticks while something runs.
    pub spin: usize,
    pub quit: bool,
}

impl Model {
    pub fn new(config: Config, keys: KeyMap) -> Model {
        let checks = rows_for(&config, &HashMap::new());
        let mut model = Model {
            repo: RepoFacts::default(),
            config_name: String::new(),
            issues: Vec::new(),
            baseline: Baseline::empty(),
            checks,
            verdict: Verdict {
                decision: crate::domain::gate::Decision::NoVerdict,
                gates: Vec::new(),
                blockers: Vec::new(),
                failing: 0,
            },
            trusted: false,
            trusted_before: None,
            read_only: false,
            watching: Watching::Starting,
            watcher_ready: None,
            runner: Runner::Me,
            keys,
            focus: Pane::Register,
            register: RegisterView::default(),
            register_offset: 0,
            detail: false,
            source: None,
            plan_selected: 0,
            plan_offset: 0,
            folded: BTreeSet::new(),
            check_selected: 0,
            output: OutputView::default(),
            overlay: None,
            notice: None,
            undo: UndoStack::default(),
            batches: HashMap::new(),
            next_batch: 0,
            mine: HashMap::new(),
            log: SessionLog::default(),
            filter_history: Vec::new(),
            writing: 0,
            deferred: VecDeque::new(),
            seen: None,
            logs_dir: None,
            size: (80, 24),
            spin: 0,
            quit: false,
            config,
        };
        model.refresh_verdict();
        model
    }

    /// Take the latest recorded runs (at start, from the history).
    pub fn set_history(&mut self, latest: &HashMap<String, RunRecord>) {
        self.checks = rows_for(&self.config, latest);
        self.refresh_verdict();
    }

    /// Replace the configuration (a reload), keeping what is known of each check.
    pub fn set_config(&mut self, config: Config) {
        let mut old: HashMap<String, CheckRow> =
            self.checks.drain(..).map(|c| (c.id.clone(), c)).collect();
        self.config = config;
        let latest: HashMap<String, RunRecord> = old
            .iter()
            .filter_map(|(id, c)| c.last.clone().map(|l| (id.clone(), l)))
            .collect();
        self.checks = rows_for(&self.config, &latest)
            .into_iter()
            .map(|row| match old.remove(&row.id) {
                Some(mut known) => {
                    known.target = row.target;
                    known
                }
                None => row,
            })
            .collect();
        self.check_selected = self.check_selected.min(self.checks.len().saturating_sub(1));
        self.refresh_verdict();
    }

    /// The whole register, read again: rows keep their places (see
    /// [`RegisterView::reloaded`]).
    pub fn set_issues(&mut self, issues: Vec<Issue>) {
        self.register.reloaded(&self.issues, &issues);
        self.issues = issues;
        self.register.keep_selection(&self.issues);
        self.refresh_verdict();
    }

    pub fn set_baseline(&mut self, baseline: Baseline) {
        self.baseline = baseline;
        self.register.version += 1;
        self.refresh_verdict();
    }

    /// Put one issue in (new or changed) or take it out (`None`: its file is gone).
    /// `how` says what its row does.
    pub fn put_issue(&mut self, id: &str, issue: Option<Issue>, how: Placed) {
        let at = self.issues.iter().position(|i| i.id == id);
        match (at, issue) {
            (Some(at), Some(issue)) => {
                self.issues[at] = issue;
                self.place(at, how);
            }
            (None, Some(issue)) => {
                self.issues.push(issue);
                self.place(self.issues.len() - 1, how);
            }
            (Some(at), None) => {
                self.issues.remove(at);
                self.register.removed(&self.issues, at);
            }
            (None, None) => {}
        }
    }

    fn place(&mut self, at: usize, how: Placed) {
        match how {
            Placed::Held => self.register.held(&self.issues, at),
            Placed::Moved => self.register.moved(&self.issues, at, false),
            Placed::Shown => self.register.moved(&self.issues, at, true),
        }
    }

    /// A new batch id for one key's writes.
    pub fn batch(&mut self, batch: Batch) -> u64 {
        self.next_batch += 1;
        self.batches.insert(self.next_batch, batch);
        self.next_batch
    }

    /// Evaluate the gates again (after issues, checks or the plan changed).
    pub fn refresh_verdict(&mut self) {
        let states: HashMap<String, CheckState> = self
            .checks
            .iter()
            .filter_map(|c| c.last.as_ref().map(|l| (c.id.clone(), l.state())))
            .collect();
        self.verdict = evaluate(&Inputs {
            gates: &self.config.gates,
            issues: &self.issues,
            baseline: &self.baseline,
            plan: &self.config.plan,
            checks: &states,
            now: SystemTime::now(),
            head: self.repo.commit.as_deref(),
        });
    }

    pub fn check(&self, id: &str) -> Option<&CheckRow> {
        self.checks.iter().find(|c| c.id == id)
    }

    pub fn check_mut(&mut self, id: &str) -> Option<&mut CheckRow> {
        self.checks.iter_mut().find(|c| c.id == id)
    }

    pub fn selected_check(&self) -> Option<&CheckRow> {
        self.checks.get(self.check_selected)
    }

    /// The full log of a check's last run, as shown to the user.
    pub fn log_of(&self, check: &str) -> Option<String> {
        let check = crate::text::sanitize::one_line(check);
        Some(format!("{}/{check}.log", self.logs_dir.as_ref()?))
    }

    /// Something is queued or running: ticks animate the spinner and the output.
    pub fn busy(&self) -> bool {
        self.checks
            .iter()
            .any(|c| matches!(c.phase, CheckPhase::Queued | CheckPhase::Running { .. }))
    }

    /// The plan as rows: each phase, then its tasks unless it is folded.
    pub fn plan_rows(&self) -> Vec<PlanRow> {
        let mut rows = Vec::new();
        for (p, phase) in self.config.plan.phases.iter().enumerate() {
            rows.push(PlanRow::Phase(p));
            if self.folded.contains(&p) {
                continue;
            }
            let mut section = None;
            for (t, task) in phase.tasks.iter().enumerate() {
                if task.section.is_some() && task.section.as_deref() != section {
                    section = task.section.as_deref();
                    rows.push(PlanRow::Section(p, t));
                }
                rows.push(PlanRow::Task(p, t));
            }
        }
        rows
    }

    /// Say something at the bottom until the next key.
    pub fn tell(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            kind: NoticeKind::Info,
            text: text.into(),
        });
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            kind: NoticeKind::Error,
            text: text.into(),
        });
    }

    /// After a frame is drawn: remember what was highlighted, at which revision, and
    /// which run of each check was shown.
    pub fn drawn(&mut self) {
        self.seen = self
            .register
            .current(&self.issues)
            .map(|i| (i.id.clone(), i.revision));
        for row in &mut self.checks {
            row.shown_seq = row.seq;
        }
    }

    /// This cockpit runs the checks (it does not follow another one).
    pub fn runs_checks(&self) -> bool {
        self.runner == Runner::Me
    }
}

/// Check rows for `config`, with the last runs known.
fn rows_for(config: &Config, latest: &HashMap<String, RunRecord>) -> Vec<CheckRow> {
    config
        .checks
        .iter()
        .map(|spec| CheckRow {
            id: spec.id.clone(),
            phase: CheckPhase::Idle,
            last: latest.get(&spec.id).cloned(),
            trigger: None,
            output: None,
            target: metric_target(config, &spec.id),
            seq: 0,
            shown_seq: 0,
        })
        .collect()
}

/// The metric gate's bound on a check, for "81% / ≥ 80%".
fn metric_target(config: &Config, check: &str) -> Option<String> {
    use crate::domain::gate::GateKind;
    config.gates.iter().find_map(|g| match &g.kind {
        GateKind::Metric {
            check: c, min, max, ..
        } if c == check => match (min, max) {
            (Some(min), _) => Some(format!("≥{min}")),
            (None, Some(max)) => Some(format!("≤{max}")),
            (None, None) => None,
        },
        _ => None,
    })
}

/// How a finished run reads in the checks pane.
pub fn run_label(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Passed => "passed",
        RunStatus::Failed => "failed",
        RunStatus::TimedOut => "timed out",
        RunStatus::Error => "error",
    }
}

/// How long a run has been going, for the spinner row.
pub fn elapsed(since: Instant, now: Instant) -> Duration {
    now.saturating_duration_since(since)
}
