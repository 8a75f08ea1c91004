//! Blocking work off the event loop: register writes (a lock, fsyncs), a new issue,
//! undo, trust, task writes, configuration reloads and register reads run one after
//! another on a thread of their own, and come back as [`Done`] messages. The loop
//! never waits on a file, so a lock held elsewhere can never freeze the cockpit.

use super::super::triage::Write;
use super::super::update::Msg;
use crate::domain::finding::Severity;
use crate::domain::issue::{Actor, DismissReason, Issue, Status};
use crate::domain::plan::TaskStatus;
use crate::domain::triage;
use crate::repo::Repo;
use crate::store::{self, Store};
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
    repo: Repo,
    name: Arc<OnceLock<String>>,
}

impl Author {
    pub fn new(repo: Repo) -> Author {
        Author {
            repo,
            name: Arc::new(OnceLock::new()),
        }
    }

    pub fn now(&self) -> Actor {
        let name = self
            .name
            .get_or_init(|| store::actor(&self.repo).by)
            .clone();
        store::actor_named(name)
    }
}

/// A triage write (edits or an undo), answered by `Msg::Wrote`.
pub fn write(
    store: &Store,
    author: &Author,
    write: Write,
    before: Option<Box<Issue>>,
) -> Vec<Done> {
    let actor = author.now();
    let msg = match write {
        Write::Edit { id, base, edits } => Msg::Wrote {
            before,
            result: store
                .update(&id, Some(base), &actor, |issue, actor| {
                    for edit in &edits {
                        triage::apply(issue, edit, actor);
                    }
                    Ok(())
                })
                .map_err(|e| e.to_string()),
            undo: false,
        },
        Write::Restore { base, previous } => Msg::Wrote {
            before,
            result: store
                .restore(&previous, base, &actor)
                .map_err(|e| format!("cannot undo: {e}")),
            undo: true,
        },
    };
    vec![Done::Msg(msg)]
}

/// What a dismissal needs.
pub struct Dismissal {
    pub id: String,
    pub base: u64,
    pub reason: DismissReason,
    pub note: Option<String>,
    pub expires: Option<String>,
}

pub fn dismiss(
    store: &Store,
    author: &Author,
    dismissal: Dismissal,
    before: Option<Box<Issue>>,
) -> Vec<Done> {
    let actor = author.now();
    let Dismissal {
        id,
        base,
        reason,
        note,
        expires,
    } = dismissal;
    let result = store
        .update(&id, Some(base), &actor, |issue, actor| {
            triage::dismiss(issue, reason, note, expires, actor)
        })
        .map_err(|e| e.to_string());
    vec![Done::Msg(Msg::Wrote {
        before,
        result,
        undo: false,
    })]
}

/// File a new issue by hand.
pub fn create(store: &Store, author: &Author, title: String) -> Vec<Done> {
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
        store.create(&lock, &mut issue)?;
        Ok::<_, store::WriteError>(issue)
    })()
    .map_err(|e| e.to_string());
    vec![Done::Msg(Msg::Wrote {
        before: None,
        result,
        undo: false,
    })]
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
