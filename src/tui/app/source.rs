//! Files a finding points at, read or opened for the user: only regular files inside
//! the repository (a finding's path is whatever a tool or an issue file says: `../`,
//! an absolute path, a symlink out, a FIFO that would block a read forever), and only
//! a bounded part of them.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Bytes read at most to find a finding's line.
const READ_MAX: u64 = 8 * 1024 * 1024;
/// Characters kept of one source line.
const LINE_MAX: usize = 400;

/// Where `path` (relative to the repository, or absolute) really is, when that is a
/// regular file inside `root`.
pub fn confine(root: &Path, path: &str) -> Result<PathBuf, String> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", root.display()))?;
    let real = root
        .join(path)
        .canonicalize()
        .map_err(|e| format!("{path}: {e}"))?;
    if !real.starts_with(&root) {
        return Err(format!("{path} is outside the repository: not opened"));
    }
    let meta = std::fs::metadata(&real).map_err(|e| format!("{path}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{path} is not a regular file: not opened"));
    }
    Ok(real)
}

/// Lines `line - context ..= line + context` of `path` (numbered from 1).
pub fn around(
    root: &Path,
    path: &str,
    line: u32,
    context: u32,
) -> Result<Vec<(u32, String)>, String> {
    let real = confine(root, path)?;
    // Non-blocking: a file swapped for a FIFO after the check cannot hang the read.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK | nix::libc::O_NOCTTY)
        .open(&real)
        .map_err(|e| format!("{path}: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("{path}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{path} is not a regular file: not read"));
    }
    let first = line.saturating_sub(context).max(1);
    let last = line.saturating_add(context);
    let mut out = Vec::new();
    let mut reader = BufReader::new(file.take(READ_MAX));
    let mut buf = Vec::new();
    let mut n = 0u32;
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("{path}: {e}"))?;
        if read == 0 {
            break;
        }
        n += 1;
        if n >= first {
            let text = String::from_utf8_lossy(&buf);
            let text: String = text
                .trim_end_matches(['\n', '\r'])
                .chars()
                .take(LINE_MAX)
                .map(|c| {
                    if c.is_control() && c != '\t' {
                        '�'
                    } else {
                        c
                    }
                })
                .collect();
            out.push((n, text));
        }
        if n >= last {
            break;
        }
    }
    if out.is_empty() {
        return Err(format!("{path} has no line {line}"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_lines_around_inside_the_repository_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("src")).unwrap();
        let text: String = (1..=20).map(|n| format!("line {n}\n")).collect();
        std::fs::write(root.join("src/a.py"), text).unwrap();
        std::fs::write(dir.path().join("secret"), "key\n").unwrap();
        let lines = around(&root, "src/a.py", 2, 3).unwrap();
        assert_eq!(lines.first().unwrap(), &(1, "line 1".to_string()));
        assert_eq!(lines.last().unwrap(), &(5, "line 5".to_string()));
        assert_eq!(around(&root, "src/a.py", 20, 3).unwrap().len(), 4);
        assert!(around(&root, "src/a.py", 99, 3).is_err());
        let out = around(&root, "../secret", 1, 3).unwrap_err();
        assert!(out.contains("outside the repository"), "{out}");
        let abs = dir.path().join("secret").display().to_string();
        assert!(around(&root, &abs, 1, 3).is_err());
        std::os::unix::fs::symlink(dir.path().join("secret"), root.join("link")).unwrap();
        assert!(
            around(&root, "link", 1, 3).is_err(),
            "a symlink out is refused"
        );
        nix::unistd::mkfifo(&root.join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
        let fifo = around(&root, "fifo", 1, 3).unwrap_err();
        assert!(fifo.contains("not a regular file"), "{fifo}");
        assert!(confine(&root, "src").is_err(), "a folder is not opened");
    }
}
