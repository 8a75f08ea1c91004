//! File-system helpers shared by every writer of user data.

use color_eyre::eyre::{eyre, Result, WrapErr};
use std::io::Write;
use std::path::Path;

/// Write a file so that a crash leaves either the old or the new content: a temporary
/// file in the same folder, fsync, rename, fsync the folder.
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
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
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
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
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
}
