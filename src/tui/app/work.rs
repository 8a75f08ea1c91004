//! Blocking work off the event loop: register writes (a lock, fsyncs), a new issue,
//! undo, trust, task writes, configuration reloads and register reads run one after
//! another on a thread of their own, and come back as [`Done`] messages. The loop
//! never waits on a file, so a lock held elsewhere can never freeze the cockpit.

use super::super::model::Source;
use super::super::triage::{Refusal, Stale, Write};
use super::super::update::Msg;
use crate::domain::finding::Severity;
use crate::domain::issue::{Actor, Issue, Status};
use crate::domain::plan::TaskStatus;
use crate::domain::triage;
use crate::repo::Repo;
use crate::store::{self, EditError, Store, WriteError};
use crate::workspace::Workspace;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, OnceLock};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// What finished work hands back to the loop.
#[expect(
    clippy::large_enum_variant,
    reason = "one at a time through a channel; a reload is rare, a message is not"
)]
pub enum Done {
    /// A message for `update`.
    Msg(Msg),
    /// The configuration read again: the new workspace and whether it is trusted, or
    /// why it could not be read.
    Reloaded(Result<(Box<Workspace>, bool), String>),
}

impl From<Msg> for Done {
    fn from(msg: Msg) -> Done {
        Done::Msg(msg)
    }
}

type Job = Box<dyn FnOnce() -> Vec<Done> + Send>;

/// One thread doing the jobs in the order given (so two triage keys write in the
/// order pressed).
pub struct Worker {
    jobs: mpsc::Sender<Job>,
    pending: Arc<AtomicUsize>,
}

impl Worker {
    pub fn spawn(done: UnboundedSender<Done>) -> Worker {
        let (jobs, queue) = mpsc::channel::<Job>();
        let pending = Arc::new(AtomicUsize::new(0));
        let count = pending.clone();
        std::thread::Builder::new()
            .name("work".into())
            .spawn(move || {
                for job in queue {
                    for result in job() {
                        let _ = done.send(result);
                    }
                    count.fetch_sub(1, Ordering::SeqCst);
                }
            })
            .ok();
        Worker { jobs, pending }
    }

    /// Queue a job; its results arrive on the loop's channel.
    pub fn run(&self, job: impl FnOnce() -> Vec<Done> + Send + 'static) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if self.jobs.send(Box::new(job)).is_err() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Nothing queued or running.
    pub fn idle(&self) -> bool {
        self.pending.load(Ordering::SeqCst) == 0
    }
}

/// Who writes: the user's git name (read once, off the loop), at the time of writing.
#[derive(Clone)]
pub struct Author {
    repo: Option<Repo>,
    name: Arc<OnceLock<String>>,
}

impl Author {
    pub fn new(repo: Repo) -> Author {
        Author {
            repo: Some(repo),
            name: Arc::new(OnceLock::new()),
        }
    }

    /// An author by name (tests).
    #[cfg(test)]
    pub fn named(name: &str) -> Author {
        let known = OnceLock::new();
        let _ = known.set(name.to_string());
        Author {
            repo: None,
            name: Arc::new(known),
        }
    }

    pub fn now(&self) -> Actor {
        let name = self
            .name
            .get_or_init(|| {
                self.repo
                    .as_ref()
                    .map_or_else(|| "unknown".into(), |r| store::actor(r).by)
            })
            .clone();
        store::actor_named(name)
    }
}

/// One write of a batch, answered by `Msg::Wrote`.
pub fn write(
    store: &Store,
    author: &Author,
    batch: u64,
    write: Write,
    before: Option<Box<Issue>>,
) -> Vec<Done> {
    let actor = author.now();
    let id = write.id().to_string();
    let result = match write {
        Write::Edit { id, base, edits } => store.update(&id, Some(base), &actor, |issue, actor| {
            for edit in &edits {
                triage::apply(issue, edit, actor);
            }
            Ok(())
        }),
        Write::Dismiss {
            id,
            base,
            reason,
            note,
            expires,
        } => store.update(&id, Some(base), &actor, |issue, actor| {
            triage::dismiss(issue, reason, note, expires, actor)
        }),
        Write::Note { id, text } => store.update(&id, None, &actor, |issue, actor| {
            triage::add_note(issue, &text, actor)
        }),
        Write::Restore {
            base,
            previous,
            redo,
        } => {
            let line = if redo {
                "redo: the undone change was made again"
            } else {
                "undo: the last change was reverted"
            };
            store.restore_as(&previous, base, &actor, line)
        }
    };
    vec![Done::Msg(Msg::Wrote {
        batch,
        before,
        result: result.map_err(|e| refusal(store, &id, e)),
    })]
}

/// A store's refusal as the cockpit says it: for a stale base, who wrote the
/// revision found (read now, so the cockpit can tell whether it was itself).
pub fn refusal(store: &Store, id: &str, error: WriteError) -> Refusal {
    let stale = match &error {
        WriteError::Stale { current, .. } => Some(Stale {
            current: *current,
            by: store
                .read(id)
                .ok()
                .and_then(|i| i.history.last().map(|h| h.by.clone()))
                .unwrap_or_else(|| "someone else".into()),
        }),
        _ => None,
    };
    Refusal {
        id: id.to_string(),
        text: error.to_string(),
        stale,
    }
}

/// File a new issue by hand.
pub fn create(store: &Store, author: &Author, batch: u64, title: String) -> Vec<Done> {
    let actor = author.now();
    let result = (|| {
        let lock = store.lock()?;
        let mut issue = Issue::new(
            store.new_id(),
            title,
            Severity::Medium,
            Status::Open,
            &actor,
        );
        issue.log(&actor.at, &actor.by, "filed by hand");
        store.create(&lock, &mut issue)?;
        Ok::<_, store::WriteError>(issue)
    })()
    .map_err(|e| Refusal::new("new issue", e.to_string()));
    vec![Done::Msg(Msg::Wrote {
        batch,
        before: None,
        result,
    })]
}

/// Save an issue edited in `$EDITOR`: a `Msg::Wrote`, or a `Msg::EditRefused` that
/// offers to edit again when the text did not read.
pub fn save_edit(
    store: &Store,
    author: &Author,
    batch: u64,
    id: String,
    base: u64,
    before: Option<Box<Issue>>,
) -> Vec<Done> {
    let actor = author.now();
    let msg = match store.save_edit(&id, base, &actor) {
        Ok(issue) => Msg::Wrote {
            batch,
            before,
            result: Ok(issue),
        },
        Err(EditError::Invalid(error)) => Msg::EditRefused {
            batch,
            id,
            base,
            error,
            again: true,
        },
        Err(EditError::Write(e)) => {
            let kept = store.edit_copy(&id);
            let refusal = refusal(store, &id, e);
            let error = match &refusal.stale {
                Some(stale) => format!(
                    "{id}: changed by {} while you edited (revision {}); not saved, your text is in {}",
                    stale.by,
                    stale.current,
                    kept.display()
                ),
                None => format!("{}; your text is in {}", refusal.text, kept.display()),
            };
            Msg::EditRefused {
                batch,
                id,
                base,
                error,
                again: false,
            }
        }
    };
    vec![Done::Msg(msg)]
}

/// Lines around a finding shown in the detail.
pub const SOURCE_CONTEXT: u32 = 3;

/// Read the lines around `line` of `path` (relative to the repository) for the detail.
pub fn read_source(root: &Path, path: &str, line: u32) -> Vec<Done> {
    let lines = super::source::around(root, path, line, SOURCE_CONTEXT);
    vec![Done::Msg(Msg::Source(Source {
        path: path.to_string(),
        line,
        lines,
    }))]
}

/// Trust what the configuration runs, as it is now.
pub fn trust(repo: &Repo, config: &crate::config::Config) -> Vec<Done> {
    vec![Done::Msg(match crate::trust::grant(repo, config) {
        Ok(()) => Msg::Trusted,
        Err(e) => Msg::warn(format!("cannot trust: {e:#}")),
    })]
}

/// Read the configuration again.
pub fn reload(ws: &Workspace) -> Done {
    Done::Reloaded(ws.reload().map(|ws| {
        let trusted = ws.is_trusted(false).unwrap_or(false);
        (Box::new(ws), trusted)
    }))
}

/// Write a task's status into its file, then read the configuration again.
pub fn set_task(ws: &Workspace, task: &str, status: TaskStatus) -> Vec<Done> {
    match crate::plan_files::write_status(&ws.repo.root, &ws.config.plan, task, status) {
        Ok(file) => vec![
            reload(ws),
            Done::Msg(Msg::tell(format!("{task} {status} ({file})"))),
        ],
        Err(e) => vec![Done::Msg(Msg::warn(format!("{e:#}")))],
    }
}

/// More register changes than this in one burst are read as a whole reload.
const PER_FILE_RELOAD: usize = 200;

/// Issue files changed on disk: read them again (or the whole register).
pub fn read_issues(store: &Store, paths: &[PathBuf]) -> Vec<Done> {
    if paths.len() > PER_FILE_RELOAD {
        return vec![Done::Msg(Msg::Issues(store.load().issues))];
    }
    paths
        .iter()
        .filter_map(|path| read_issue(store, path))
        .map(Done::Msg)
        .collect()
}

/// An issue file changed on disk: read it again (or note it is gone).
pub fn read_issue(store: &Store, path: &Path) -> Option<Msg> {
    let name = path.file_name()?.to_str()?;
    let id = name.strip_suffix(".toml")?;
    if !id.starts_with(store::ID_PREFIX) {
        return None;
    }
    match store.read(id) {
        Ok(issue) => Some(Msg::IssueChanged(id.to_string(), Some(issue))),
        Err(_) if !store.path_of(id).exists() => Some(Msg::IssueChanged(id.to_string(), None)),
        Err(e) => Some(Msg::warn(e.to_string())),
    }
}

/// How long a cockpit's write waits for the register lock before saying it is held.
pub const LOCK_PATIENCE: Duration = Duration::from_millis(300);
