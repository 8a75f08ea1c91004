//! The register on disk: `.preflight/issues/<ID>.toml`, one small file per issue.
//!
//! Never lose a triage:
//! - every write is atomic (temporary file in the same folder, fsync, rename, fsync
//!   the folder), so a crash leaves each file old or new, never torn or missing;
//! - every write names the revision it was based on, and a write based on a stale
//!   revision is refused, never applied over another writer's change;
//! - the check-and-write is serialised by a lock on a separate file in local state (a
//!   lock on the data file itself would be lost at the rename);
//! - files are edited in place with `toml_edit`, so comments and keys people add by
//!   hand survive; a malformed file is reported and left untouched.
//!
//! The register is committed, so a stranger may have written it: the folder must
//! resolve inside the repository (a committed symlink `.preflight/issues -> /anywhere`
//! is refused), an issue file must be a regular file (a symlink is refused, a FIFO or
//! a device is skipped without being opened) of at most [`MAX_ISSUE_FILE`] bytes, and
//! an id must be `PF-` and up to 32 upper-case letters or digits before it names a file.

use crate::domain::issue::{Actor, Issue};
use crate::fsutil::{self, write_atomic};
use crate::repo::Repo;
use crate::sharing::Sharing;
use nix::fcntl::{Flock, FlockArg};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use toml_edit::{DocumentMut, Item, Table};

mod files;

use files::{
    check_id, create_new, derived_id, is_issue_file, loadable, random_id, read_issue, DERIVATIONS,
};
pub use files::{is_valid_id, parse_issue, ID_PREFIX, MAX_ISSUE_FILE};
#[cfg(test)]
use files::{ID_ALPHABET, ID_LEN};

/// The register folder, relative to the repository root.
pub const REGISTER_DIR: &str = ".preflight/issues";

/// Why a write did not happen. Nothing was written in any of these cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// Someone else wrote the issue since it was read.
    Stale {
        id: String,
        base: u64,
        current: u64,
    },
    Missing {
        id: String,
    },
    Malformed(String),
    Invalid(String),
    Io(String),
    /// Another writer held the register lock longer than this store waits.
    Busy {
        waited: Duration,
    },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Stale { id, base, current } => write!(
                f,
                "{id} was changed by someone else (revision {current}, this change was based on {base}); nothing written: reload and try again"
            ),
            WriteError::Missing { id } => write!(f, "no issue {id} in the register"),
            WriteError::Busy { waited } => write!(
                f,
                "the register is locked by another writer (waited {} ms); nothing written: try again",
                waited.as_millis()
            ),
            WriteError::Malformed(msg) | WriteError::Invalid(msg) | WriteError::Io(msg) => {
                f.write_str(msg)
            }
        }
    }
}

impl std::error::Error for WriteError {}

/// The register as loaded: the issues that parsed, and one line per file that did not.
#[derive(Debug, Default)]
pub struct Loaded {
    pub issues: Vec<Issue>,
    pub errors: Vec<String>,
}

/// Held while checking and writing; released on drop.
pub struct RegisterLock {
    _lock: Flock<std::fs::File>,
}

/// How often a store with patience looks whether the lock is free.
const LOCK_POLL: Duration = Duration::from_millis(10);

/// The register of one repository: where its files are, and the lock that serialises
/// writers. Every path it opens is checked to stay inside `root`.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    dir: PathBuf,
    lock_path: PathBuf,
    /// How long a write waits for the register lock (`None`: as long as it takes, as
    /// a script would); past it the write is refused with [`WriteError::Busy`].
    patience: Option<Duration>,
    /// The mode of what the store creates (a repository shared by a group).
    sharing: Sharing,
}

impl Store {
    pub fn new(repo: &Repo) -> Store {
        Store {
            root: repo.root.clone(),
            dir: repo.root.join(REGISTER_DIR),
            lock_path: repo.state_dir.join("register.lock"),
            patience: None,
            sharing: repo.sharing,
        }
    }

    /// This store, waiting at most `patience` for the register lock (the cockpit:
    /// a lock held elsewhere is said on screen, not waited out).
    pub fn with_patience(mut self, patience: Duration) -> Store {
        self.patience = Some(patience);
        self
    }

    /// A store over any folder (tests and benchmarks), confined to its parent.
    pub fn at(dir: PathBuf, lock_path: PathBuf) -> Store {
        let root = dir.parent().unwrap_or(&dir).to_path_buf();
        Store {
            root,
            dir,
            lock_path,
            patience: None,
            sharing: Sharing::Umask,
        }
    }

    /// The register folder resolves inside the repository (or will, once created).
    fn confined(&self) -> Result<(), WriteError> {
        fsutil::resolve_inside(&self.root, &self.dir)
            .map(|_| ())
            .map_err(|e| WriteError::Io(format!("the register folder {e}")))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_of(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.toml"))
    }

    /// Take the register lock: wait for another writer to finish, or for at most the
    /// store's patience.
    pub fn lock(&self) -> Result<RegisterLock, WriteError> {
        if let Some(parent) = self.lock_path.parent() {
            self.sharing
                .create_dir_all(parent)
                .map_err(|e| WriteError::Io(format!("cannot create {}: {e}", parent.display())))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)
            .map_err(|e| {
                WriteError::Io(format!("cannot open {}: {e}", self.lock_path.display()))
            })?;
        self.sharing.apply(&self.lock_path);
        let lock = match self.patience {
            None => Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| {
                WriteError::Io(format!("cannot lock {}: {e}", self.lock_path.display()))
            })?,
            Some(patience) => self.lock_within(file, patience)?,
        };
        // Nothing is written, or cleaned, in a folder that leads out of the repository.
        self.confined()?;
        self.remove_leftovers();
        Ok(RegisterLock { _lock: lock })
    }

    /// Try the lock until `patience` has passed.
    fn lock_within(
        &self,
        mut file: std::fs::File,
        patience: Duration,
    ) -> Result<Flock<std::fs::File>, WriteError> {
        let start = Instant::now();
        loop {
            match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
                Ok(lock) => return Ok(lock),
                Err((back, nix::errno::Errno::EWOULDBLOCK)) => {
                    if start.elapsed() >= patience {
                        return Err(WriteError::Busy {
                            waited: start.elapsed(),
                        });
                    }
                    file = back;
                    std::thread::sleep(LOCK_POLL);
                }
                Err((_, e)) => {
                    return Err(WriteError::Io(format!(
                        "cannot lock {}: {e}",
                        self.lock_path.display()
                    )))
                }
            }
        }
    }

    /// Temporary files of a writer that died mid-write. Every write happens under the
    /// lock, so with the lock held any that exist are orphans.
    fn remove_leftovers(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let regular = entry.file_type().is_ok_and(|t| t.is_file());
            if regular && name.starts_with('.') && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Every issue file, parsed in parallel. A missing folder is an empty register.
    /// Entries that are not regular files named after a valid id are reported (one line
    /// each) and never opened.
    pub fn load(&self) -> Loaded {
        if let Err(e) = self.confined() {
            return Loaded {
                issues: Vec::new(),
                errors: vec![e.to_string()],
            };
        }
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::default(),
            Err(e) => {
                return Loaded {
                    issues: Vec::new(),
                    errors: vec![format!("cannot read {}: {e}", self.dir.display())],
                }
            }
        };
        let mut skipped = Vec::new();
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| is_issue_file(&e.path()))
            .filter_map(|e| match loadable(&e) {
                Ok(()) => Some(e.path()),
                Err(why) => {
                    skipped.push(why);
                    None
                }
            })
            .collect();
        paths.sort();
        skipped.sort();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = paths.len().div_ceil(threads).max(1);
        let parts: Vec<Vec<Result<Issue, String>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = paths
                .chunks(chunk)
                .map(|part| {
                    scope
                        .spawn(move || part.iter().map(|p| read_issue(p).map(|(i, _)| i)).collect())
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let mut loaded = Loaded {
            issues: Vec::new(),
            errors: skipped,
        };
        for result in parts.into_iter().flatten() {
            match result {
                Ok(issue) => loaded.issues.push(issue),
                Err(e) => loaded.errors.push(e),
            }
        }
        loaded
    }

    /// Read one issue as it is on disk now.
    pub fn read(&self, id: &str) -> Result<Issue, WriteError> {
        check_id(id)?;
        self.confined()?;
        let path = self.path_of(id);
        if std::fs::symlink_metadata(&path).is_err() {
            return Err(WriteError::Missing { id: id.to_string() });
        }
        read_issue(&path)
            .map(|(i, _)| i)
            .map_err(WriteError::Malformed)
    }

    /// A fresh id not used in this register.
    pub fn new_id(&self) -> String {
        loop {
            let id = random_id();
            if !self.path_of(&id).exists() {
                return id;
            }
        }
    }

    /// The id of the issue a finding is filed as, derived from its check and
    /// fingerprint: two clones that file the same finding write the same file, and the
    /// merge driver makes one issue of their two versions. An id already taken here
    /// (another issue under it) moves on to the next derivation.
    pub fn finding_id(&self, check: &str, fingerprint: &str) -> String {
        (0..DERIVATIONS)
            .map(|n| derived_id(check, fingerprint, n))
            .find(|id| !self.path_of(id).exists())
            .unwrap_or_else(|| self.new_id())
    }

    /// Write a new issue at revision 1, never over an existing file: if its id is
    /// taken (a race, or a branch merged meanwhile) it gets a fresh one.
    pub fn create(&self, _lock: &RegisterLock, issue: &mut Issue) -> Result<(), WriteError> {
        check_id(&issue.id)?;
        self.confined()?;
        self.sharing
            .create_dir_all(&self.dir)
            .map_err(|e| WriteError::Io(format!("cannot create {}: {e}", self.dir.display())))?;
        issue.revision = 1;
        loop {
            let text = render(None, issue)?;
            match create_new(&self.path_of(&issue.id), text.as_bytes(), self.sharing) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    issue.id = self.new_id();
                }
                Err(e) => {
                    return Err(WriteError::Io(format!(
                        "cannot write {}: {e}",
                        self.path_of(&issue.id).display()
                    )))
                }
            }
        }
    }

    /// Write a changed issue that was read at revision `base`. Refused when the file
    /// moved on meanwhile. On success the issue carries its new revision.
    pub fn write(
        &self,
        _lock: &RegisterLock,
        issue: &mut Issue,
        base: u64,
    ) -> Result<(), WriteError> {
        check_id(&issue.id)?;
        let path = self.path_of(&issue.id);
        let (current, text) = match read_issue(&path) {
            Ok(found) => found,
            Err(_) if std::fs::symlink_metadata(&path).is_err() => {
                return Err(WriteError::Missing {
                    id: issue.id.clone(),
                })
            }
            Err(e) => return Err(WriteError::Malformed(e)),
        };
        if current.revision != base {
            return Err(WriteError::Stale {
                id: issue.id.clone(),
                base,
                current: current.revision,
            });
        }
        if std::fs::metadata(&path).is_ok_and(|m| m.permissions().readonly()) {
            return Err(WriteError::Io(format!(
                "{} is read-only: nothing written (make it writable to change {})",
                path.display(),
                issue.id
            )));
        }
        issue.revision = base + 1;
        let rendered = render(Some(&text), issue)?;
        write_atomic(&path, rendered.as_bytes()).map_err(|e| WriteError::Io(format!("{e:#}")))?;
        // The rename made this user the owner: give the group its rights back.
        self.sharing.apply(&path);
        Ok(())
    }

    /// Read, change and write one issue under the lock. `base` is the revision the
    /// user saw (`None`: whatever is there now). `change` may refuse with a message.
    pub fn update(
        &self,
        id: &str,
        base: Option<u64>,
        actor: &Actor,
        change: impl FnOnce(&mut Issue, &Actor) -> Result<(), String>,
    ) -> Result<Issue, WriteError> {
        let lock = self.lock()?;
        let mut issue = self.read(id)?;
        let base = base.unwrap_or(issue.revision);
        if issue.revision != base {
            return Err(WriteError::Stale {
                id: id.to_string(),
                base,
                current: issue.revision,
            });
        }
        let before = issue.clone();
        change(&mut issue, actor).map_err(WriteError::Invalid)?;
        if issue == before {
            return Ok(issue);
        }
        issue.updated = actor.at.clone();
        self.write(&lock, &mut issue, base)?;
        Ok(issue)
    }
}

impl Store {
    /// Undo: put `previous` back, if the issue is still at `base` (the revision the
    /// undone write made). History and notes stay append-only: the current ones are
    /// kept and the undo is logged.
    pub fn restore(&self, previous: &Issue, base: u64, actor: &Actor) -> Result<Issue, WriteError> {
        self.restore_as(previous, base, actor, "undo: the last change was reverted")
    }

    /// [`Store::restore`], logging `line` (an undo or a redo).
    pub fn restore_as(
        &self,
        previous: &Issue,
        base: u64,
        actor: &Actor,
        line: &str,
    ) -> Result<Issue, WriteError> {
        let lock = self.lock()?;
        let current = self.read(&previous.id)?;
        if current.revision != base {
            return Err(WriteError::Stale {
                id: previous.id.clone(),
                base,
                current: current.revision,
            });
        }
        let mut restored = previous.clone();
        restored.history = current.history;
        restored.notes = current.notes;
        restored.updated = actor.at.clone();
        restored.log(&actor.at, &actor.by, line);
        self.write(&lock, &mut restored, base)?;
        Ok(restored)
    }
}

/// Keys preflight owns in an issue file; any other key belongs to people and stays.
pub(crate) const ISSUE_KEYS: &[&str] = &[
    "id",
    "title",
    "severity",
    "status",
    "blocker",
    "regression",
    "owner",
    "effort",
    "area",
    "impact",
    "evidence",
    "repro",
    "root_cause",
    "fix",
    "task",
    "created",
    "updated",
    "revision",
    "finding",
    "dismissal",
    "notes",
    "history",
];
const FINDING_KEYS: &[&str] = &[
    "check",
    "rule",
    "path",
    "line",
    "fingerprint",
    "first_seen",
    "last_seen",
    "verified_at",
    "confidence",
    "package",
    "version",
    "fixed",
    "aliases",
];
const DISMISSAL_KEYS: &[&str] = &["reason", "note", "expires", "by", "at"];
/// Append-only arrays: entries already in the file are never rewritten.
const APPEND_ONLY: &[&str] = &["notes", "history"];

/// The text a write of `issue` over a file holding `old` produces (what `write`
/// writes): `old` edited in place, so formatting, comments and unknown keys survive.
pub fn rewrite(old: &str, issue: &Issue) -> Result<String, WriteError> {
    render(Some(old), issue)
}

/// The text of `issue`, edited into `old` when there is one so that formatting,
/// comments and unknown keys survive.
pub(crate) fn render(old: Option<&str>, issue: &Issue) -> Result<String, WriteError> {
    let fresh_text = toml::to_string_pretty(issue)
        .map_err(|e| WriteError::Invalid(format!("cannot encode {}: {e}", issue.id)))?;
    let Some(old) = old else {
        return Ok(fresh_text);
    };
    let fresh: DocumentMut = fresh_text
        .parse()
        .map_err(|e| WriteError::Invalid(format!("cannot encode {}: {e}", issue.id)))?;
    let mut doc: DocumentMut = old
        .parse()
        .map_err(|e| WriteError::Malformed(format!("{}: {e}", issue.id)))?;
    merge_table(doc.as_table_mut(), fresh.as_table(), ISSUE_KEYS);
    Ok(doc.to_string())
}

fn same_value(a: &Item, b: &Item) -> bool {
    match (a.as_value(), b.as_value()) {
        (Some(a), Some(b)) => {
            let (mut a, mut b) = (a.clone(), b.clone());
            a.decor_mut().clear();
            b.decor_mut().clear();
            a.to_string() == b.to_string()
        }
        _ => a.to_string() == b.to_string(),
    }
}

fn merge_table(doc: &mut Table, fresh: &Table, owned: &[&str]) {
    for key in owned {
        match (doc.contains_key(key), fresh.get(key)) {
            (true, None) => {
                doc.remove(key);
            }
            (_, Some(new)) => merge_item(doc, key, new),
            (false, None) => {}
        }
    }
}

fn merge_item(doc: &mut Table, key: &str, new: &Item) {
    let Some(old) = doc.get_mut(key) else {
        doc.insert(key, new.clone());
        return;
    };
    match (old, new) {
        (Item::Table(old_table), Item::Table(new_table)) => {
            let owned = if key == "finding" {
                FINDING_KEYS
            } else {
                DISMISSAL_KEYS
            };
            merge_table(old_table, new_table, owned);
        }
        (Item::ArrayOfTables(old_list), Item::ArrayOfTables(new_list))
            if APPEND_ONLY.contains(&key) && new_list.len() >= old_list.len() =>
        {
            for extra in new_list.iter().skip(old_list.len()) {
                old_list.push(extra.clone());
            }
        }
        (old, new) if same_value(old, new) => {}
        (Item::Value(old_value), Item::Value(new_value)) => {
            let decor = old_value.decor().clone();
            *old_value = new_value.clone();
            *old_value.decor_mut() = decor;
        }
        (old, new) => *old = new.clone(),
    }
}

/// Who is acting: git's `user.name`, else the login name.
pub fn actor(repo: &Repo) -> Actor {
    let by = git2::Repository::open(&repo.canonical_root)
        .ok()
        .and_then(|r| r.config().ok())
        .and_then(|c| c.get_string("user.name").ok())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(crate::user::login_name);
    actor_named(by)
}

/// An actor stamped with the current time.
pub fn actor_named(by: String) -> Actor {
    let at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let today = at.get(..10).unwrap_or(&at).to_string();
    Actor { by, at, today }
}

mod edit;
pub use edit::EditError;
#[cfg(test)]
mod tests;
