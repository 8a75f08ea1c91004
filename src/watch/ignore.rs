//! What a change may be ignored for: `.gitignore` files at every level, `.ignore`
//! files, `.git/info/exclude`, the user's global excludes, and `[watch] ignore` globs.
//!
//! Matchers are kept per folder and rebuilt when their file changes; a path is judged
//! by the matchers of its folders from the root down, deeper ones winning, as git does.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Per-folder ignore files, in increasing precedence.
const IGNORE_FILES: [&str; 2] = [".gitignore", ".ignore"];

pub struct IgnoreRules {
    root: PathBuf,
    /// Folder → its matchers (from `.gitignore`, then `.ignore`).
    folders: BTreeMap<PathBuf, Vec<Gitignore>>,
    /// `.git/info/exclude` and the global excludes file.
    repo_wide: Vec<Gitignore>,
    extra: GlobSet,
}

impl IgnoreRules {
    /// Rules for `root`, reading the ignore files of the `folders` given (the walk that
    /// finds the folders to watch finds them too).
    pub fn new(root: &Path, git_dir: Option<&Path>, extra_globs: &[String]) -> IgnoreRules {
        let mut repo_wide = Vec::new();
        let (global, _) = GitignoreBuilder::new(root).build_global();
        if !global.is_empty() {
            repo_wide.push(global);
        }
        if let Some(git_dir) = git_dir {
            let mut builder = GitignoreBuilder::new(root);
            builder.add(git_dir.join("info/exclude"));
            if let Ok(exclude) = builder.build() {
                repo_wide.push(exclude);
            }
        }
        let mut builder = GlobSetBuilder::new();
        for glob in extra_globs {
            if let Ok(g) = GlobBuilder::new(glob).literal_separator(true).build() {
                builder.add(g);
            }
        }
        let mut rules = IgnoreRules {
            root: root.to_path_buf(),
            folders: BTreeMap::new(),
            repo_wide,
            extra: builder.build().unwrap_or_else(|_| GlobSet::empty()),
        };
        rules.reload_folder(root);
        rules
    }

    /// (Re)read the ignore files of one folder, e.g. after its `.gitignore` changed.
    pub fn reload_folder(&mut self, folder: &Path) {
        if crate::fsutil::unsafe_ignore_file(folder).is_some() {
            self.folders.remove(folder);
            return;
        }
        let matchers: Vec<Gitignore> = IGNORE_FILES
            .iter()
            .map(|name| folder.join(name))
            .filter(|path| path.is_file())
            .filter_map(|path| {
                let mut builder = GitignoreBuilder::new(folder);
                builder.add(path);
                builder.build().ok()
            })
            .collect();
        if matchers.is_empty() {
            self.folders.remove(folder);
        } else {
            self.folders.insert(folder.to_path_buf(), matchers);
        }
    }

    /// Whether a change at `path` (absolute) is to be ignored.
    pub fn is_ignored(&self, path: &Path, is_dir: bool) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return true;
        };
        if rel
            .components()
            .next()
            .is_some_and(|c| c.as_os_str() == ".git")
        {
            return true;
        }
        if self.extra.is_match(rel) {
            return true;
        }
        let mut verdict = Match::None;
        for matcher in &self.repo_wide {
            verdict = pick(verdict, matcher.matched_path_or_any_parents(path, is_dir));
        }
        for ancestor in ancestors_from_root(&self.root, path) {
            if let Some(matchers) = self.folders.get(&ancestor) {
                for matcher in matchers {
                    verdict = pick(verdict, matcher.matched_path_or_any_parents(path, is_dir));
                }
            }
        }
        verdict.is_ignore()
    }
}

/// A later, more specific match overrides an earlier one; no match keeps it.
fn pick<T>(earlier: Match<T>, later: Match<T>) -> Match<T> {
    if later.is_none() {
        earlier
    } else {
        later
    }
}

/// The folders from `root` down to the parent of `path`.
fn ancestors_from_root(root: &Path, path: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = path
        .ancestors()
        .skip(1)
        .take_while(|a| a.starts_with(root))
        .map(Path::to_path_buf)
        .collect();
    folders.reverse();
    folders
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_ignores_exclude_and_extra_globs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git/info")).unwrap();
        std::fs::create_dir_all(root.join("web/dist")).unwrap();
        std::fs::write(root.join(".gitignore"), "target/\n*.log\n!keep.log\n").unwrap();
        std::fs::write(root.join("web/.gitignore"), "dist/\n").unwrap();
        std::fs::write(root.join("web/.ignore"), "*.snap\n").unwrap();
        std::fs::write(root.join(".git/info/exclude"), "scratch.txt\n").unwrap();
        let mut rules = IgnoreRules::new(root, Some(&root.join(".git")), &["docs/**".to_string()]);
        rules.reload_folder(&root.join("web"));
        let ignored = |p: &str| rules.is_ignored(&root.join(p), false);
        assert!(ignored("target/debug/app"));
        assert!(ignored("server.log"));
        assert!(!ignored("keep.log"), "a negation wins");
        assert!(ignored("web/dist/app.js"), "nested .gitignore");
        assert!(ignored("web/ui.snap"), ".ignore");
        assert!(ignored("scratch.txt"), ".git/info/exclude");
        assert!(ignored(".git/index"));
        assert!(ignored("docs/guide.md"), "[watch] ignore");
        assert!(!ignored("src/main.rs"));
        assert!(!ignored("web/app.ts"));
        assert!(rules.is_ignored(Path::new("/elsewhere/x"), false));
    }
}
