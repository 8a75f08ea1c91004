//! The register's history from git: the state of `.preflight/issues/` at the last
//! commit of each day, walked back from HEAD along first parents (the branch's own
//! story, not every merged side branch). The counting itself is the pure
//! `domain::burndown`; this edge only finds and parses the snapshots.
//!
//! Bounded and cheap for a register of thousands of issues: the walk stops at the
//! window's start or after [`MAX_COMMITS`] commits, only the last touching commit of
//! each day has its register read, and every blob is parsed at most once (most issue
//! files do not change between two days).

use crate::domain::burndown::{per_day, utc_day, DayCount, Snapshot};
use crate::domain::issue::Issue;
use crate::store::REGISTER_DIR;
use git2::{ErrorCode, ObjectType, Oid, Repository, Tree};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// How far back the burn-down looks.
pub const WINDOW_DAYS: i64 = 90;
/// Most commits walked, whether or not they touched the register.
pub const MAX_COMMITS: usize = 1_000;

/// The register's history, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Burndown {
    NotGit,
    NoCommits,
    /// The history exists but could not be read (a damaged repository).
    Unreadable(String),
    Days {
        /// One data point per day the register changed, oldest first.
        days: Vec<DayCount>,
        /// The walk stopped after this many commits, before the window's start.
        cut_at: Option<usize>,
    },
}

impl Burndown {
    /// What to say instead of (or next to) the data, in plain words.
    pub fn note(&self) -> Option<String> {
        match self {
            Burndown::NotGit => Some("no history: not a git repository".into()),
            Burndown::NoCommits => Some("no history: no commits yet".into()),
            Burndown::Unreadable(e) => Some(format!("no history: cannot read it from git: {e}")),
            Burndown::Days { days, .. } if days.is_empty() => Some(format!(
                "no history: {REGISTER_DIR}/ did not change in the commits of the last {WINDOW_DAYS} days"
            )),
            Burndown::Days {
                cut_at: Some(n), ..
            } => Some(format!("history cut at the last {n} commits")),
            Burndown::Days { .. } => None,
        }
    }

    pub fn days(&self) -> &[DayCount] {
        match self {
            Burndown::Days { days, .. } => days,
            _ => &[],
        }
    }
}

/// The burn-down of the repository at `root` over the [`WINDOW_DAYS`] before `now`
/// (Unix seconds).
pub fn read(root: &Path, now: i64) -> Burndown {
    read_bounded(root, now - WINDOW_DAYS * 86_400, MAX_COMMITS)
}

/// The burn-down from commits made at or after `since` (Unix seconds), walking at most
/// `max_commits` commits.
pub fn read_bounded(root: &Path, since: i64, max_commits: usize) -> Burndown {
    let repo = match Repository::open(root) {
        Ok(repo) => repo,
        Err(e) if e.code() == ErrorCode::NotFound => return Burndown::NotGit,
        Err(e) => return Burndown::Unreadable(e.message().to_string()),
    };
    match repo.head() {
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {
            return Burndown::NoCommits
        }
        Err(e) => return Burndown::Unreadable(e.message().to_string()),
        Ok(_) => {}
    }
    match walk(&repo, since, max_commits) {
        Ok((chosen, cut)) => {
            let mut parsed: HashMap<Oid, Option<Issue>> = HashMap::new();
            let mut blobs: Vec<(i64, Vec<Oid>)> = Vec::with_capacity(chosen.len());
            for (at, tree) in chosen {
                let ids = match tree {
                    Some(tree) => issue_blobs(&repo, tree, &mut parsed),
                    None => Vec::new(),
                };
                blobs.push((at, ids));
            }
            let snapshots: Vec<Snapshot> = blobs
                .iter()
                .map(|(at, ids)| Snapshot {
                    at: *at,
                    issues: ids
                        .iter()
                        .filter_map(|id| parsed.get(id).and_then(Option::as_ref))
                        .collect(),
                })
                .collect();
            Burndown::Days {
                days: per_day(&snapshots),
                cut_at: cut.then_some(max_commits),
            }
        }
        Err(e) => Burndown::Unreadable(e.message().to_string()),
    }
}

/// The register folder's tree id in a commit's tree; `None` when there is none.
fn register_tree(tree: &Tree) -> Option<Oid> {
    tree.get_path(Path::new(REGISTER_DIR))
        .ok()
        .filter(|e| e.kind() == Some(ObjectType::Tree))
        .map(|e| e.id())
}

/// Per day, the commit time and register tree of the snapshot to count.
type Chosen = Vec<(i64, Option<Oid>)>;

/// Walk first parents back from HEAD; for each UTC day keep the newest commit that
/// changed the register. Also says whether the walk was cut by `max_commits`.
fn walk(repo: &Repository, since: i64, max_commits: usize) -> Result<(Chosen, bool), git2::Error> {
    let mut revwalk = repo.revwalk()?;
    revwalk.push_head()?;
    revwalk.simplify_first_parent()?;
    let mut days: HashSet<String> = HashSet::new();
    let mut chosen = Vec::new();
    // The register tree of the commit walked next (the current one's first parent).
    let mut parent_cache: Option<(Oid, Option<Oid>)> = None;
    for (walked, oid) in revwalk.enumerate() {
        if walked >= max_commits {
            return Ok((chosen, true));
        }
        let commit = repo.find_commit(oid?)?;
        let at = commit.time().seconds();
        if at < since {
            break;
        }
        let mine = match parent_cache.take() {
            Some((id, tree)) if id == commit.id() => tree,
            _ => register_tree(&commit.tree()?),
        };
        let parent = match commit.parent(0) {
            Ok(parent) => {
                let tree = register_tree(&parent.tree()?);
                parent_cache = Some((parent.id(), tree));
                tree
            }
            Err(_) => None,
        };
        if mine != parent && days.insert(utc_day(at)) {
            chosen.push((at, mine));
        }
    }
    Ok((chosen, false))
}

/// The issue files of one register tree, parsing each blob not seen before. A blob
/// that is not an issue (bad TOML, a hand edit gone wrong) is remembered as `None`
/// and skipped.
fn issue_blobs(repo: &Repository, tree: Oid, parsed: &mut HashMap<Oid, Option<Issue>>) -> Vec<Oid> {
    let Ok(tree) = repo.find_tree(tree) else {
        return Vec::new();
    };
    tree.iter()
        .filter(|e| e.kind() == Some(ObjectType::Blob))
        .filter(|e| {
            e.name()
                .is_some_and(|n| !n.starts_with('.') && n.ends_with(".toml"))
        })
        .map(|e| {
            let id = e.id();
            parsed.entry(id).or_insert_with(|| parse_blob(repo, id));
            id
        })
        .collect()
}

/// An issue file as it was at some commit; skipped, like a file that does not parse,
/// past the size the store reads (a committed 10 MB blob costs nothing).
fn parse_blob(repo: &Repository, id: Oid) -> Option<Issue> {
    let size = repo.odb().ok()?.read_header(id).ok()?.0;
    if size as u64 > crate::store::MAX_ISSUE_FILE {
        return None;
    }
    let blob = repo.find_blob(id).ok()?;
    let text = std::str::from_utf8(blob.content()).ok()?;
    toml::from_str(text).ok()
}

#[cfg(test)]
mod tests;
