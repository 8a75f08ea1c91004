//! Who besides the owner may read and write what preflight creates: git's
//! `core.sharedRepository`, applied the way git applies it to its own files.
//!
//! Two people on two Unix accounts share a repository through a group (`git config
//! core.sharedRepository group`, setgid folders). The umask of each (typically 022)
//! would leave every file preflight creates (issue files, logs, the run history, the
//! runner's state) writable by its creator only, and the second person's cockpit
//! could neither take over the checks nor triage. So, like git, every file and folder
//! preflight creates or rewrites gets the shared mode; the setgid bit on folders keeps
//! the group on what is created inside them.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// The mode policy of a repository. Invariant: [`Sharing::Umask`] changes no mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sharing {
    /// Not shared: files keep what the umask gives them.
    #[default]
    Umask,
    /// `group` (`true`, `1`): group read/write on top of the umask's.
    Group,
    /// `all` (`world`, `everybody`, `2`): group read/write and world read.
    Everybody,
    /// An octal mode (`0660`): exactly these permissions on files.
    Exact(u32),
}

/// Set-group-id on folders: what is created inside keeps the folder's group.
const SET_GID: u32 = 0o2000;

impl Sharing {
    /// Read `core.sharedRepository` as git does; anything unknown is not shared.
    pub fn parse(value: &str) -> Sharing {
        match value.trim().to_ascii_lowercase().as_str() {
            "group" | "true" | "1" => Sharing::Group,
            "all" | "world" | "everybody" | "2" => Sharing::Everybody,
            "umask" | "false" | "0" | "" => Sharing::Umask,
            octal => match u32::from_str_radix(octal, 8) {
                // git requires the owner to keep read/write.
                Ok(mode) if mode <= 0o777 && mode & 0o600 == 0o600 => Sharing::Exact(mode),
                _ => Sharing::Umask,
            },
        }
    }

    /// The policy of the git repository at `git_dir` (its config, with the user's
    /// and the system's below it).
    pub fn of_git(repo: &git2::Repository) -> Sharing {
        repo.config()
            .ok()
            .and_then(|c| c.get_string("core.sharedRepository").ok())
            .map_or(Sharing::Umask, |v| Sharing::parse(&v))
    }

    pub fn is_shared(self) -> bool {
        self != Sharing::Umask
    }

    /// The mode a file or folder of mode `mode` should have (git's
    /// `calc_shared_perm`, plus setgid and search bits on folders).
    pub fn mode_for(self, mode: u32, is_dir: bool) -> u32 {
        let (mut tweak, exact) = match self {
            Sharing::Umask => return mode,
            Sharing::Group => (0o660, false),
            Sharing::Everybody => (0o664, false),
            Sharing::Exact(m) => (m, true),
        };
        if mode & 0o200 == 0 {
            tweak &= !0o222;
        }
        if is_dir || mode & 0o100 != 0 {
            tweak |= (tweak & 0o444) >> 2;
        }
        let mut new = if exact {
            (mode & !0o777) | tweak
        } else {
            mode | tweak
        };
        if is_dir {
            new |= SET_GID;
        }
        new
    }

    /// Give `path` the shared mode, if it is ours to change (another user's file was
    /// already given it by its owner). Best effort: a failure leaves the mode as it was.
    pub fn apply(self, path: &Path) {
        if !self.is_shared() {
            return;
        }
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        if meta.file_type().is_symlink() || meta.uid() != nix::unistd::geteuid().as_raw() {
            return;
        }
        let mode = meta.permissions().mode() & 0o7777;
        let wanted = self.mode_for(mode, meta.is_dir());
        if wanted != mode {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(wanted));
        }
    }

    /// Create `dir` and its missing parents, each given the shared mode.
    pub fn create_dir_all(self, dir: &Path) -> std::io::Result<()> {
        if dir.is_dir() {
            self.apply(dir);
            return Ok(());
        }
        if let Some(parent) = dir.parent() {
            if !parent.as_os_str().is_empty() && !parent.is_dir() {
                self.create_dir_all(parent)?;
            }
        }
        match std::fs::create_dir(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(e) => return Err(e),
        }
        self.apply(dir);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_git_reads_them() {
        assert_eq!(Sharing::parse("group"), Sharing::Group);
        assert_eq!(Sharing::parse("TRUE"), Sharing::Group);
        assert_eq!(Sharing::parse("1"), Sharing::Group);
        assert_eq!(Sharing::parse("everybody"), Sharing::Everybody);
        assert_eq!(Sharing::parse("2"), Sharing::Everybody);
        assert_eq!(Sharing::parse("umask"), Sharing::Umask);
        assert_eq!(Sharing::parse("false"), Sharing::Umask);
        assert_eq!(Sharing::parse("0640"), Sharing::Exact(0o640));
        // The owner must keep read/write; nonsense is not shared.
        assert_eq!(Sharing::parse("0040"), Sharing::Umask);
        assert_eq!(Sharing::parse("banana"), Sharing::Umask);
    }

    #[test]
    fn modes_follow_git() {
        // A umask-022 file and folder, shared with the group.
        assert_eq!(Sharing::Group.mode_for(0o644, false), 0o664);
        assert_eq!(Sharing::Group.mode_for(0o755, true), 0o2775);
        assert_eq!(Sharing::Everybody.mode_for(0o600, false), 0o664);
        // A read-only file stays read-only for everybody.
        assert_eq!(Sharing::Group.mode_for(0o444, false), 0o444);
        // Exact modes replace the permission bits.
        assert_eq!(Sharing::Exact(0o640).mode_for(0o644, false), 0o640);
        assert_eq!(Sharing::Exact(0o660).mode_for(0o755, true), 0o2770);
        assert_eq!(Sharing::Umask.mode_for(0o600, false), 0o600);
    }

    #[test]
    fn created_folders_and_files_get_the_shared_mode() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        Sharing::Group.create_dir_all(&deep).unwrap();
        for folder in [dir.path().join("a"), dir.path().join("a/b"), deep.clone()] {
            let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
            assert_eq!(mode & 0o2070, 0o2070, "{}: {mode:o}", folder.display());
        }
        let file = deep.join("f");
        std::fs::write(&file, "x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        Sharing::Group.apply(&file);
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o660);
        // Not shared: nothing changes.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        Sharing::Umask.apply(&file);
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
