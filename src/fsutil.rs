//! File-system helpers shared by every reader of repository files and every writer of
//! user data.
//!
//! Reads of files a repository controls go through [`read_regular`] or [`read_in_repo`]:
//! only regular files are read (a FIFO would block forever, `/dev/zero` would fill
//! memory, `/dev/stdin` would read the keyboard), and never more than a limit. The
//! file is opened without blocking and then checked with `fstat` on the open file, so
//! there is no window between the check and the read.

use color_eyre::eyre::{eyre, Result, WrapErr};
use nix::fcntl::OFlag;
use std::fs::{File, Metadata};
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Largest report (SARIF, JUnit, coverage) read: larger ones are an error that says so.
pub const MAX_REPORT: u64 = 64 * 1024 * 1024;
/// Largest `preflight.toml`, markdown plan or manifest (package.json, Makefile) read.
pub const MAX_TEXT_FILE: u64 = 4 * 1024 * 1024;

/// Whether a read may follow a symbolic link at the last component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    Follow,
    Refuse,
}

/// "a FIFO", "a folder"…: what a non-regular file is, for messages.
pub fn kind_of(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

fn invalid(path: &Path, why: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("{}: {why}", path.display()),
    )
}

/// Open `path` for reading if, and only if, it is a regular file. Opened with
/// `O_NONBLOCK` (opening a FIFO never waits for a writer) and `O_NOCTTY`, and
/// `O_NOFOLLOW` with [`Links::Refuse`]; then `fstat` on the open file decides.
pub fn open_regular(path: &Path, links: Links) -> std::io::Result<(File, Metadata)> {
    let mut flags = OFlag::O_NONBLOCK | OFlag::O_NOCTTY | OFlag::O_CLOEXEC;
    if links == Links::Refuse {
        flags |= OFlag::O_NOFOLLOW;
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits())
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(code) if code == nix::libc::ELOOP && links == Links::Refuse => {
                invalid(path, "is a symbolic link: refused")
            }
            _ => e,
        })?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(invalid(
            path,
            format!(
                "is {}, not a regular file: not read",
                kind_of(meta.file_type())
            ),
        ));
    }
    Ok((file, meta))
}

/// The whole of a regular file of at most `limit` bytes (see [`open_regular`]).
pub fn read_regular(path: &Path, limit: u64, links: Links) -> std::io::Result<Vec<u8>> {
    let (file, meta) = open_regular(path, links)?;
    read_limited(path, file, meta.len(), limit)
}

fn read_limited(path: &Path, file: File, len: u64, limit: u64) -> std::io::Result<Vec<u8>> {
    if len > limit {
        return Err(too_large(path, limit));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // The file may grow after the fstat: never read past the limit.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit));
    }
    Ok(bytes)
}

fn too_large(path: &Path, limit: u64) -> std::io::Error {
    invalid(
        path,
        format!(
            "is larger than {} MiB, more than preflight reads",
            limit / (1024 * 1024)
        ),
    )
}

/// [`read_regular`] as text (invalid UTF-8 replaced).
pub fn read_regular_text(path: &Path, limit: u64, links: Links) -> std::io::Result<String> {
    read_regular(path, limit, links).map(|b| match String::from_utf8(b) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Where `path` really is, if that is inside `root` (both resolved): the check that a
/// repository's symlink does not lead a read or a write out of it. A path that does
/// not exist yet is judged by its nearest existing ancestor.
pub fn resolve_inside(root: &Path, path: &Path) -> std::io::Result<PathBuf> {
    let root = root.canonicalize()?;
    let mut probe = path.to_path_buf();
    let mut rest = Vec::new();
    let resolved = loop {
        match probe.canonicalize() {
            Ok(found) => break found,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let Some(name) = probe.file_name().map(ToOwned::to_owned) else {
                    return Err(e);
                };
                rest.push(name);
                if !probe.pop() {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
    };
    if !resolved.starts_with(&root) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "{} leads outside the repository (to {}): refused",
                path.display(),
                resolved.display()
            ),
        ));
    }
    Ok(rest.iter().rev().fold(resolved, |p, n| p.join(n)))
}

/// A repository file, read only when it is a regular file inside `root` (a symlink
/// may lead elsewhere in the repository, never out of it) and at most `limit` bytes.
pub fn read_in_repo(root: &Path, path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let real = resolve_inside(root, path)?;
    read_regular(&real, limit, Links::Refuse)
}

/// [`read_in_repo`] as text (invalid UTF-8 replaced).
pub fn read_in_repo_text(root: &Path, path: &Path, limit: u64) -> std::io::Result<String> {
    read_in_repo(root, path, limit).map(|b| match String::from_utf8(b) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Ignore files the `ignore` crate would read for a folder. It opens them with a plain
/// blocking `open` and reads them to the end: a FIFO there hangs the walk, a link to
/// `/dev/zero` fills memory. Git itself no longer follows symlinked ignore files.
const IGNORE_FILES: [&str; 2] = [".gitignore", ".ignore"];
/// Largest ignore file a walk may read.
const MAX_IGNORE_FILE: u64 = 1024 * 1024;

/// Why the ignore files of `folder` are unsafe to let the `ignore` crate read (a
/// symlink, a FIFO, a device, a huge file), or `None` when they are fine. Walkers skip
/// such a folder, with a warning.
pub fn unsafe_ignore_file(folder: &Path) -> Option<String> {
    IGNORE_FILES.iter().find_map(|name| {
        let path = folder.join(name);
        let meta = std::fs::symlink_metadata(&path).ok()?;
        if !meta.file_type().is_file() {
            Some(format!(
                "{} is {}: its folder is skipped",
                path.display(),
                kind_of(meta.file_type())
            ))
        } else if meta.len() > MAX_IGNORE_FILE {
            Some(format!(
                "{} is larger than 1 MiB: its folder is skipped",
                path.display()
            ))
        } else {
            None
        }
    })
}

/// Write a file so that a crash leaves either the old or the new content: a temporary
/// file in the same folder, fsync, rename, fsync the folder. The file keeps the mode of
/// the one it replaces (0640 stays 0640; a new file gets 0644 less the umask, as any).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        // A bare file name lives in the current folder.
        Some(parent) if parent.as_os_str().is_empty() => Path::new("."),
        Some(parent) => parent,
        None => return Err(eyre!("{} has no parent folder", path.display())),
    };
    std::fs::create_dir_all(dir).wrap_err_with(|| format!("cannot create {}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A fresh name, created exclusively: a planted symlink there is never followed.
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        fastrand::u32(..)
    ));
    let mode = std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777);
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        if let Some(mode) = mode {
            file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.wrap_err_with(|| format!("cannot write {}", path.display()))
}

/// The last `limit` bytes of a file as text (invalid UTF-8 replaced), and whether the
/// file was longer (then the first line of the text is likely cut). Bounded memory
/// whatever the file's size.
pub fn read_tail(path: &Path, limit: u64) -> std::io::Result<(String, bool)> {
    use std::io::{Read, Seek, SeekFrom};
    // Never a FIFO or a device, whatever sits where a log should be.
    let (mut file, meta) = open_regular(path, Links::Follow)?;
    let len = meta.len();
    let start = len.saturating_sub(limit);
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes)?;
    Ok((String::from_utf8_lossy(&bytes).into_owned(), start > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_are_bounded_and_say_when_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        std::fs::write(&path, "one\ntwo\nthree\n").unwrap();
        assert_eq!(
            read_tail(&path, 100).unwrap(),
            ("one\ntwo\nthree\n".into(), false)
        );
        assert_eq!(read_tail(&path, 8).unwrap(), ("o\nthree\n".into(), true));
        assert!(read_tail(&dir.path().join("missing"), 8).is_err());
    }

    #[test]
    fn writes_replace_whole_files_and_bare_names_work() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        assert!(write_atomic(Path::new("/"), b"x").is_err());
    }

    #[test]
    fn a_rewrite_keeps_the_mode_of_the_file_it_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("PF-AAAAAA.toml");
        std::fs::write(&path, "one").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"two").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn special_files_are_never_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        // Returns at once (a blocking open would wait for a writer forever).
        let e = read_regular(&fifo, 10, Links::Follow).unwrap_err();
        assert!(e.to_string().contains("is a FIFO"), "{e}");
        let e = read_regular(Path::new("/dev/zero"), 10, Links::Follow).unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(read_regular(&link, 10, Links::Refuse)
            .unwrap_err()
            .to_string()
            .contains("symbolic link"));
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 2 * 1024 * 1024]).unwrap();
        let e = read_regular(&big, 1024 * 1024, Links::Follow).unwrap_err();
        assert!(e.to_string().contains("larger than 1 MiB"), "{e}");
        assert_eq!(
            read_regular(&big, 4 << 20, Links::Follow).unwrap().len(),
            2 << 20
        );
    }

    #[test]
    fn repository_reads_stay_inside_the_repository() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        let repo = tempfile::tempdir().unwrap();
        std::fs::write(repo.path().join("inside"), "i").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), repo.path().join("out")).unwrap();
        std::os::unix::fs::symlink(repo.path().join("inside"), repo.path().join("in")).unwrap();
        assert_eq!(
            read_in_repo(repo.path(), &repo.path().join("in"), 10).unwrap(),
            b"i"
        );
        let e = read_in_repo(repo.path(), &repo.path().join("out"), 10).unwrap_err();
        assert!(
            e.to_string().contains("leads outside the repository"),
            "{e}"
        );
        let not_yet = repo.path().join("a/b/c");
        assert!(resolve_inside(repo.path(), &not_yet).is_ok());
        std::os::unix::fs::symlink(outside.path(), repo.path().join("a")).unwrap();
        assert!(resolve_inside(repo.path(), &not_yet).is_err());
    }

    #[test]
    fn unsafe_ignore_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(unsafe_ignore_file(dir.path()), None);
        std::fs::write(dir.path().join(".gitignore"), "target/\n").unwrap();
        assert_eq!(unsafe_ignore_file(dir.path()), None);
        let fifo = dir.path().join(".ignore");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        assert!(unsafe_ignore_file(dir.path()).is_some_and(|w| w.contains("FIFO")));
    }
}
