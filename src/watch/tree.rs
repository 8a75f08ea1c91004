//! The folders to watch: a walk that reads each folder once, looks at files only to
//! find ignore files, and judges a folder's ignore rules before reading it, so an
//! ignored `target/` or `node_modules/` is never opened.
//!
//! On a 100,000-file tree this is what watch startup costs: one `readdir` per folder
//! and one match per folder (not per file), no `stat` (the directory entries say what
//! is a folder), no read of an ignore file that is not there.

use super::ignore::IgnoreRules;
use std::path::{Path, PathBuf};

/// The ignore files a folder may hold (see `watch::ignore`).
const IGNORE_FILES: [&str; 2] = [".gitignore", ".ignore"];

/// Every folder from `top` down that is not ignored, each after its parent, with the
/// ignore files of each loaded into `rules` on the way. `skip` prunes more folders
/// (`.git`, preflight's state, `[watch] ignore`). Folders that cannot be read are
/// returned apart, with why.
pub fn folders(
    top: &Path,
    rules: &mut IgnoreRules,
    skip: impl Fn(&Path) -> bool,
) -> (Vec<PathBuf>, Vec<String>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let mut pending = vec![top.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) => {
                errors.push(format!("{}: {e}", folder.display()));
                continue;
            }
        };
        let mut children = Vec::new();
        let mut has_ignore_file = false;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if IGNORE_FILES.iter().any(|f| name == *f) {
                has_ignore_file = true;
                continue;
            }
            // From the directory entry itself: no stat. Symbolic links are not followed.
            if entry.file_type().is_ok_and(|t| t.is_dir()) && name != ".git" {
                children.push(entry.path());
            }
        }
        if has_ignore_file {
            // A FIFO or device named `.gitignore` would hang or flood the read: such a
            // folder is not watched.
            if let Some(why) = crate::fsutil::unsafe_ignore_file(&folder) {
                errors.push(why);
                continue;
            }
            rules.reload_folder(&folder);
        }
        pending.extend(
            children
                .into_iter()
                .filter(|child| !skip(child) && !rules.is_ignored(child, true)),
        );
        found.push(folder);
    }
    (found, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_and_skipped_folders_are_never_read_and_parents_come_first() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for folder in [
            "src/a/b",
            "target/debug",
            "web/node_modules/x",
            "web/dist",
            "docs",
            ".git/objects",
        ] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        std::fs::write(root.join(".gitignore"), "target/\n").unwrap();
        std::fs::write(root.join("web/.gitignore"), "node_modules/\n").unwrap();
        std::fs::write(root.join("web/.ignore"), "dist/\n").unwrap();
        std::os::unix::fs::symlink(root.join("src"), root.join("src/a/loop")).unwrap();
        // An unreadable folder under an ignored one would fail the walk if it were read.
        let mut rules = IgnoreRules::new(root, None, &[]);
        let (found, errors) = folders(root, &mut rules, |p| p.ends_with("docs"));
        assert!(errors.is_empty(), "{errors:?}");
        let mut rel: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        let parent_first = rel
            .iter()
            .position(|p| p == "src")
            .zip(rel.iter().position(|p| p == "src/a"))
            .is_some_and(|(parent, child)| parent < child);
        assert!(parent_first, "{rel:?}");
        rel.sort();
        assert_eq!(rel, ["", "src", "src/a", "src/a/b", "web"]);
    }
}
