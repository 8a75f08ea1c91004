//! Wiring the merge driver into git: the `.gitattributes` line (committed, shared by
//! every clone) and the driver's entry in the clone's own git config (never cloned, so
//! each clone needs it once). A clone that has the attribute but not the driver would
//! silently fall back to git's line merge; it is told so once, with the fix.

use crate::fsutil::write_atomic;
use crate::repo::Repo;
use std::path::Path;

/// The attributes that route issue files and the baseline to the driver: (path
/// pattern, what it is, for the comment above it).
pub const ATTRIBUTES: [(&str, &str); 2] = [
    (
        ".preflight/issues/*.toml",
        "issue files merge field by field",
    ),
    (
        ".preflight/baseline.toml",
        "the baseline merges entry by entry",
    ),
];
/// The driver's name in `.gitattributes` and git config (`merge.<name>.driver`).
pub const DRIVER: &str = "preflight";
/// The command that wires this clone (what the warning tells people to run).
pub const FIX: &str = "preflight init --merge-driver";
/// Local-state marker: this clone was told about the missing driver.
const TOLD: &str = "told-merge-driver";
/// Largest `.gitattributes` read before adding to it.
const MAX_ATTRIBUTES: u64 = 1024 * 1024;

/// What [`install`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Installed {
    /// The attribute line was added to `.gitattributes`.
    pub attributes: bool,
    /// The driver was added to (or updated in) the clone's git config.
    pub config: bool,
}

/// The command line git runs: this very binary (by name when that is what `PATH`
/// finds, else by its full path), with git's placeholders.
pub fn driver_command() -> String {
    let exe = std::env::current_exe().ok();
    let on_path = exe.as_ref().is_some_and(|exe| {
        which_preflight().is_some_and(|found| found.canonicalize().ok() == exe.canonicalize().ok())
    });
    let program = match (&exe, on_path) {
        (Some(exe), false) => shell_quote(&exe.to_string_lossy()),
        _ => "preflight".to_string(),
    };
    format!("{program} merge-file %O %A %B")
}

fn which_preflight() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("preflight"))
        .find(|p| p.is_file())
}

/// `text` as one word for `sh`.
fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Write the attribute lines (those not there yet: a clone wired before the baseline
/// was routed gets that line added) and the driver's config in this clone. Idempotent.
pub fn install(repo: &Repo) -> Result<Installed, String> {
    let git = git2::Repository::open(&repo.canonical_root)
        .map_err(|e| format!("not a git repository: {}", e.message()))?;
    let attributes = add_attribute(&repo.root.join(".gitattributes"))?;
    let config = set_driver(&git)?;
    Ok(Installed { attributes, config })
}

fn add_attribute(path: &Path) -> Result<bool, String> {
    let text = match read_small(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let routed = |pattern: &str| {
        text.lines().any(|line| {
            let mut words = line.split_whitespace();
            words.next() == Some(pattern) && words.any(|w| w == "merge=preflight")
        })
    };
    let missing: Vec<(&str, &str)> = ATTRIBUTES
        .into_iter()
        .filter(|(pattern, _)| !routed(pattern))
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    let mut out = text.clone();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for (pattern, what) in missing {
        out.push_str(&format!(
            "# preflight's register: {what} (preflight merge-file)\n{pattern} merge={DRIVER}\n"
        ));
    }
    write_atomic(path, out.as_bytes()).map_err(|e| format!("{e:#}"))?;
    Ok(true)
}

fn read_small(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_ATTRIBUTES)
        .read_to_string(&mut text)?;
    Ok(text)
}

fn set_driver(git: &git2::Repository) -> Result<bool, String> {
    let fail = |e: git2::Error| format!("cannot write the git config: {}", e.message());
    let mut local = git
        .config()
        .and_then(|c| c.open_level(git2::ConfigLevel::Local))
        .map_err(fail)?;
    let command = driver_command();
    if local.get_string("merge.preflight.driver").ok().as_deref() == Some(command.as_str()) {
        return Ok(false);
    }
    local
        .set_str(
            "merge.preflight.name",
            "preflight issue files and baseline, field by field",
        )
        .map_err(fail)?;
    local
        .set_str("merge.preflight.driver", &command)
        .map_err(fail)?;
    Ok(true)
}

/// Once per clone: the warning that issue files are routed to a driver this clone
/// does not have. `None` when all is well, outside git, or already told.
pub fn unwired_warning(repo: &Repo) -> Option<String> {
    let git = git2::Repository::open(&repo.canonical_root).ok()?;
    let told = repo.state_dir.join(TOLD);
    if told.exists() {
        return None;
    }
    let probe = Path::new(crate::store::REGISTER_DIR).join("PF-000000.toml");
    let routed = git
        .get_attr(&probe, "merge", git2::AttrCheckFlags::FILE_THEN_INDEX)
        .ok()
        .flatten()
        == Some(DRIVER);
    let has_driver = git
        .config()
        .ok()
        .and_then(|c| c.get_string("merge.preflight.driver").ok())
        .is_some_and(|d| !d.trim().is_empty());
    if !routed || has_driver {
        return None;
    }
    // Best effort: if local state cannot be written, telling again is the lesser harm.
    let _ =
        std::fs::create_dir_all(&repo.state_dir).and_then(|()| std::fs::write(&told, b"told\n"));
    Some(format!(
        ".gitattributes sends issue files to the `preflight` merge driver, but this clone has none (git would merge them line by line and leave conflicts): run `{FIX}`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> (tempfile::TempDir, Repo) {
        let dir = tempfile::tempdir().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        let repo = Repo::discover(dir.path()).unwrap();
        (dir, repo)
    }

    #[test]
    fn install_writes_the_attribute_and_the_driver_once() {
        let (dir, repo) = repo();
        std::fs::write(dir.path().join(".gitattributes"), "*.png binary").unwrap();
        let first = install(&repo).unwrap();
        assert_eq!(
            first,
            Installed {
                attributes: true,
                config: true
            }
        );
        let again = install(&repo).unwrap();
        assert_eq!(
            again,
            Installed {
                attributes: false,
                config: false
            }
        );
        let text = std::fs::read_to_string(dir.path().join(".gitattributes")).unwrap();
        assert!(text.starts_with("*.png binary\n"), "{text}");
        for (pattern, _) in ATTRIBUTES {
            let line = format!("{pattern} merge=preflight");
            assert_eq!(text.matches(&line).count(), 1, "{text}");
        }
        let git = git2::Repository::open(dir.path()).unwrap();
        let driver = git
            .config()
            .unwrap()
            .get_string("merge.preflight.driver")
            .unwrap();
        assert!(driver.ends_with(" merge-file %O %A %B"), "{driver}");
        for file in [
            ".preflight/issues/PF-ABCDEF.toml",
            ".preflight/baseline.toml",
        ] {
            let attr = git
                .get_attr(
                    Path::new(file),
                    "merge",
                    git2::AttrCheckFlags::FILE_THEN_INDEX,
                )
                .unwrap()
                .map(str::to_owned);
            assert_eq!(attr.as_deref(), Some("preflight"), "{file}");
        }
        assert_eq!(unwired_warning(&repo), None, "wired: nothing to tell");
    }

    #[test]
    fn a_clone_with_the_attribute_but_no_driver_is_told_once() {
        let (dir, repo) = repo();
        let line = format!("{} merge=preflight\n", ATTRIBUTES[0].0);
        std::fs::write(dir.path().join(".gitattributes"), line).unwrap();
        let told = unwired_warning(&repo).unwrap();
        assert!(told.contains(FIX), "{told}");
        assert_eq!(unwired_warning(&repo), None, "once");
    }

    #[test]
    fn quoting_keeps_odd_paths_one_word() {
        assert_eq!(shell_quote("/usr/bin/preflight"), "/usr/bin/preflight");
        assert_eq!(shell_quote("/a b/it's"), r"'/a b/it'\''s'");
    }
}
