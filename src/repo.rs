//! The repository: where its root is, where local state goes, and what git says of it.
//!
//! git2 is behind plain blocking functions; callers on an async runtime run them off
//! the event loop.

use color_eyre::eyre::{eyre, Result, WrapErr};
use sha2::{Digest, Sha256};
use std::path::{Component, Path, PathBuf};

/// A repository (or a plain folder) preflight works on.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The root as the user reached it (symlinks kept): part of the trust key.
    pub root: PathBuf,
    /// The same root with symlinks resolved.
    pub canonical_root: PathBuf,
    /// The git directory, when the root is in a git repository.
    pub git_dir: Option<PathBuf>,
    /// Local state: run logs and history. `.git/preflight/`, or the user's state
    /// directory outside git. Never committed, never required.
    pub state_dir: PathBuf,
}

/// What git says of the tree right now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Head {
    /// Branch name, or `None` when detached or unborn.
    pub branch: Option<String>,
    /// Abbreviated commit id, or `None` before the first commit.
    pub commit: Option<String>,
    /// Changed and untracked files (ignored ones excluded; an untracked folder counts
    /// once, as `git status` shows it).
    pub dirty: usize,
}

/// The directory the user is in, as they see it: `$PWD` when it names the current
/// directory (shells keep symlinks in it), else the physical one.
pub fn logical_cwd() -> Result<PathBuf> {
    let physical = std::env::current_dir().wrap_err("cannot read the current directory")?;
    if let Some(pwd) = std::env::var_os("PWD").map(PathBuf::from) {
        if pwd.is_absolute() && same_dir(&pwd, &physical) {
            return Ok(pwd);
        }
    }
    Ok(physical)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Make a path absolute and drop `.`/`..` lexically, without resolving symlinks.
fn absolute_lexical(path: &Path) -> Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        logical_cwd()?.join(path)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Ok(out)
}

impl Repo {
    /// Find the repository that holds `start` (its git work tree), or treat `start` as
    /// the root when it is not in git.
    pub fn discover(start: &Path) -> Result<Repo> {
        let logical_start = absolute_lexical(start)?;
        let canonical_start = logical_start
            .canonicalize()
            .wrap_err_with(|| format!("cannot open {}", logical_start.display()))?;
        if !canonical_start.is_dir() {
            return Err(eyre!("{} is not a directory", logical_start.display()));
        }
        let git = git2::Repository::discover(&canonical_start).ok();
        let workdir = git
            .as_ref()
            .and_then(|r| r.workdir())
            .and_then(|w| w.canonicalize().ok());
        let (root, canonical_root) = match &workdir {
            Some(workdir) => {
                // Walk the logical path up as many levels as the physical one.
                let depth = canonical_start
                    .strip_prefix(workdir)
                    .map(|rel| rel.components().count())
                    .unwrap_or(0);
                let mut root = logical_start.clone();
                for _ in 0..depth {
                    root.pop();
                }
                if !same_dir(&root, workdir) {
                    root = workdir.clone();
                }
                (root, workdir.clone())
            }
            None => {
                // Outside git, climb as git would: a subfolder finds its project.
                let up = project_depth(&canonical_start);
                let mut root = logical_start.clone();
                let mut canonical = canonical_start.clone();
                for _ in 0..up {
                    root.pop();
                    canonical.pop();
                }
                if !same_dir(&root, &canonical) {
                    root = canonical.clone();
                }
                (root, canonical)
            }
        };
        let git_dir = workdir
            .as_ref()
            .and(git.as_ref())
            .map(|r| r.path().to_path_buf());
        let state_dir = match &git_dir {
            Some(dir) => dir.join("preflight"),
            None => outside_git_state_dir(&canonical_root)?,
        };
        Ok(Repo {
            root,
            canonical_root,
            git_dir,
            state_dir,
        })
    }

    /// Branch, commit and dirtiness; `None` outside git.
    pub fn head(&self) -> Option<Head> {
        let repo = git2::Repository::open(&self.canonical_root).ok()?;
        let head = repo.head().ok();
        let branch = head
            .as_ref()
            .filter(|h| h.is_branch())
            .and_then(|h| h.shorthand().map(str::to_owned))
            .or_else(|| unborn_branch(&repo));
        let commit = head
            .as_ref()
            .and_then(|h| h.peel_to_commit().ok())
            .and_then(|c| c.as_object().short_id().ok())
            .and_then(|s| s.as_str().map(str::to_owned));
        // As `git status` shows it: an untracked folder counts once, and is not walked
        // (on a tree of 100,000 new files that walk was most of a run's bookkeeping).
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(false)
            .include_ignored(false);
        let dirty = repo.statuses(Some(&mut opts)).map(|s| s.len()).unwrap_or(0);
        Some(Head {
            branch,
            commit,
            dirty,
        })
    }
}

/// Before the first commit HEAD points at a branch that does not exist yet.
fn unborn_branch(repo: &git2::Repository) -> Option<String> {
    let head = repo.find_reference("HEAD").ok()?;
    let target = head.symbolic_target()?;
    target.strip_prefix("refs/heads/").map(str::to_owned)
}

/// What marks a project's root outside git, strongest first: preflight's own files,
/// then the manifests detection reads.
const ROOT_MARKERS: [&[&str]; 2] = [
    &["preflight.toml", ".preflight"],
    &[
        "Cargo.toml",
        "package.json",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "go.mod",
        "Makefile",
        "GNUmakefile",
        "makefile",
    ],
];

/// Outside git: how many levels above `start` the project's root is. The nearest
/// folder holding preflight.toml or `.preflight/` wins, else the nearest holding a
/// manifest, else `start` itself. The climb stops at the home folder (a stray
/// `~/package.json` must not make the home folder a project), and a marker counts only
/// when the user owns it (another user's `/tmp/preflight.toml` adopts nothing).
fn project_depth(start: &Path) -> usize {
    use std::os::unix::fs::MetadataExt as _;
    let me = nix::unistd::geteuid().as_raw();
    let home = dirs::home_dir().and_then(|h| h.canonicalize().ok());
    let folders: Vec<&Path> = start
        .ancestors()
        .take_while(|dir| home.as_deref() != Some(*dir) || *dir == start)
        .collect();
    let owned = |dir: &Path, name: &str| {
        std::fs::symlink_metadata(dir.join(name)).is_ok_and(|m| m.uid() == me)
    };
    ROOT_MARKERS
        .iter()
        .find_map(|names| {
            folders
                .iter()
                .position(|dir| names.iter().any(|name| owned(dir, name)))
        })
        .unwrap_or(0)
}

fn outside_git_state_dir(root: &Path) -> Result<PathBuf> {
    let base = dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .ok_or_else(|| eyre!("cannot find a state directory: set XDG_STATE_HOME"))?;
    let digest = Sha256::digest(root.to_string_lossy().as_bytes());
    let key: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "root".into());
    Ok(base.join("preflight").join(format!("{name}-{key}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovers_the_work_tree_root_from_a_subfolder() {
        let dir = tempfile::tempdir().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        let repo = Repo::discover(&dir.path().join("a/b")).unwrap();
        assert_eq!(repo.canonical_root, dir.path().canonicalize().unwrap());
        assert!(repo.state_dir.ends_with(".git/preflight"));
        let head = repo.head().unwrap();
        assert_eq!(head.commit, None);
        assert!(head.branch.is_some());
    }

    #[test]
    fn a_symlinked_path_keeps_its_logical_root() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir_all(real.join("sub")).unwrap();
        git2::Repository::init(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let repo = Repo::discover(&link.join("sub")).unwrap();
        assert_eq!(repo.root, link);
        assert_eq!(repo.canonical_root, real.canonicalize().unwrap());
    }

    #[test]
    fn outside_git_the_folder_is_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::discover(dir.path()).unwrap();
        assert!(repo.git_dir.is_none());
        assert!(repo.head().is_none());
        assert!(!repo.state_dir.starts_with(dir.path()));
    }

    #[test]
    fn outside_git_a_subfolder_finds_its_project_as_inside_git() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("proj");
        std::fs::create_dir_all(project.join("crates/a/src")).unwrap();
        std::fs::write(project.join("Cargo.toml"), "[workspace]\n").unwrap();
        std::fs::write(project.join("crates/a/Cargo.toml"), "[package]\n").unwrap();
        let canonical = |p: &Path| p.canonicalize().unwrap();
        // The nearest manifest…
        let repo = Repo::discover(&project.join("crates/a/src")).unwrap();
        assert_eq!(repo.canonical_root, canonical(&project.join("crates/a")));
        // …unless preflight's own file is further up: it names the project.
        std::fs::write(project.join("preflight.toml"), "").unwrap();
        let repo = Repo::discover(&project.join("crates/a/src")).unwrap();
        assert_eq!(repo.canonical_root, canonical(&project));
        assert_eq!(repo.root, project, "the root as reached, symlinks kept");
        let same = Repo::discover(&project).unwrap();
        assert_eq!(
            repo.state_dir, same.state_dir,
            "one project, one local state"
        );
    }
}
