//! The register's files one at a time: which names are issue ids, and how a file is
//! read (only a regular file, never followed through a symlink, at most
//! [`MAX_ISSUE_FILE`] bytes) or created (never over an existing one).

use super::WriteError;
use crate::domain::issue::Issue;
use crate::fsutil::{self, Links};
use std::path::Path;

/// Crockford's base 32: no I, L, O or U to misread.
pub(super) const ID_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Six characters: about a billion ids, so two branches filing hundreds of issues
/// each are very unlikely to collide (and a collision is caught at creation).
pub(super) const ID_LEN: usize = 6;
pub const ID_PREFIX: &str = "PF-";
/// Longest id body accepted (generated ones have [`ID_LEN`]).
const ID_MAX: usize = 32;
/// Largest issue file read: an issue is a few KiB; a bigger file is refused, not read.
pub const MAX_ISSUE_FILE: u64 = 1024 * 1024;

/// Whether `id` may name an issue (and so a file): `PF-` and 1 to 32 upper-case ASCII
/// letters or digits. Generated ids use Crockford's subset; hand-made ones (`PF-RISK01`)
/// are accepted. Nothing that could make a path (`/`, `.`), a control or a space passes.
pub fn is_valid_id(id: &str) -> bool {
    id.strip_prefix(ID_PREFIX).is_some_and(|body| {
        (1..=ID_MAX).contains(&body.len())
            && body
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    })
}

pub(super) fn check_id(id: &str) -> Result<(), WriteError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(WriteError::Invalid(format!(
            "`{}` is not an issue id (PF- and up to {ID_MAX} letters or digits)",
            crate::text::sanitize::one_line(id)
        )))
    }
}

pub(super) fn is_issue_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    !name.starts_with('.') && name.ends_with(".toml")
}

/// Whether a `*.toml` entry of the register may be opened: named after a valid id and
/// a regular file (judged from the directory entry, without opening or following it).
pub(super) fn loadable(entry: &std::fs::DirEntry) -> Result<(), String> {
    let path = entry.path();
    let shown = || path.display().to_string();
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if !is_valid_id(stem) {
        return Err(format!(
            "{}: not named after an issue id (PF- and letters or digits): skipped",
            shown()
        ));
    }
    let kind = entry
        .file_type()
        .map_err(|e| format!("cannot read {}: {e}", shown()))?;
    if kind.is_symlink() {
        return Err(format!(
            "{} is a symbolic link: refused (an issue file must be a regular file)",
            shown()
        ));
    }
    if !kind.is_file() {
        return Err(format!(
            "{} is {}, not a regular file: skipped",
            shown(),
            fsutil::kind_of(kind)
        ));
    }
    Ok(())
}

/// Derivations tried before a random id: each collides with one chance in 2^30.
pub(super) const DERIVATIONS: u32 = 16;

/// The `n`th id derived from a finding's check and fingerprint (SHA-256, read 5 bits
/// per character).
pub(super) fn derived_id(check: &str, fingerprint: &str, n: u32) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [check.as_bytes(), fingerprint.as_bytes(), &n.to_le_bytes()] {
        hasher.update(part);
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    let mut bits = digest
        .iter()
        .take(8)
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let body: String = (0..ID_LEN)
        .map(|_| {
            let c = ID_ALPHABET[(bits & 31) as usize];
            bits >>= 5;
            char::from(c)
        })
        .collect();
    format!("{ID_PREFIX}{body}")
}

pub(super) fn random_id() -> String {
    let body: String = (0..ID_LEN)
        .map(|_| char::from(ID_ALPHABET[fastrand::usize(..ID_ALPHABET.len())]))
        .collect();
    format!("{ID_PREFIX}{body}")
}

/// Parse one issue file; errors are one line with file:line:column.
pub(super) fn read_issue(path: &Path) -> Result<(Issue, String), String> {
    let text = fsutil::read_regular_text(path, MAX_ISSUE_FILE, Links::Refuse).map_err(|e| {
        if e.kind() == std::io::ErrorKind::InvalidInput {
            e.to_string()
        } else {
            format!("cannot read {}: {e}", path.display())
        }
    })?;
    let issue = parse_issue(&text, path)?;
    Ok((issue, text))
}

/// Parse the text of the issue file at `path` (only used in messages and to check the
/// file is named after its id); errors are one line with file:line:column.
pub fn parse_issue(text: &str, path: &Path) -> Result<Issue, String> {
    let issue: Issue = toml::from_str(text).map_err(|e| {
        let (line, column) = crate::config::line_column(text, e.span().map_or(0, |s| s.start));
        format!(
            "{}:{line}:{column}: {}",
            path.display(),
            e.message().lines().next().unwrap_or("invalid issue file")
        )
    })?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if stem != issue.id {
        return Err(format!(
            "{}: the file holds id `{}`; an issue file must be named after its id",
            path.display(),
            issue.id
        ));
    }
    Ok(issue)
}

/// Write `bytes` to a new file at `path`, failing if it exists: written to a temporary
/// file, fsynced, then hard-linked into place (a rename would overwrite).
pub(super) fn create_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        fastrand::u32(..)
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::hard_link(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    let _ = std::fs::remove_file(&tmp);
    result
}
