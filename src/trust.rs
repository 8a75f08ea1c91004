//! Trust: no command of a repository runs until its user says so (like `direnv allow`).
//!
//! A record binds the repository path as reached, its resolved path and the SHA-256 of
//! the configuration text. An edited file, a moved repository or one reached through a
//! symlink does not match and asks again. Records live in the user's data directory
//! (`$XDG_DATA_HOME/preflight/trust.toml`), never in the repository.

use crate::fsutil::write_atomic;
use crate::repo::Repo;
use color_eyre::eyre::{eyre, Result, WrapErr};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Environment variable that trusts whatever runs (for CI).
pub const TRUST_ENV: &str = "PREFLIGHT_TRUST";

/// Files people might drop into a repository hoping to trust it; they are ignored.
const IN_REPO_TRUST_FILES: &[&str] = &[
    ".preflight/trust",
    ".preflight/trust.toml",
    ".preflight/trusted",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub path: PathBuf,
    pub canonical: PathBuf,
    pub sha256: String,
    pub granted: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Store {
    #[serde(default)]
    trusted: Vec<Record>,
}

pub fn hash(config_text: &str) -> String {
    Sha256::digest(config_text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where records are kept.
pub fn store_path() -> Result<PathBuf> {
    let base = dirs::data_dir()
        .ok_or_else(|| eyre!("cannot find the data directory: set XDG_DATA_HOME"))?;
    Ok(base.join("preflight").join("trust.toml"))
}

fn read_store(path: &Path) -> Result<Store> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            toml::from_str(&text).map_err(|e| eyre!("{}: {}", path.display(), e.message().trim()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Store::default()),
        Err(e) => Err(e).wrap_err_with(|| format!("cannot read {}", path.display())),
    }
}

/// Whether `PREFLIGHT_TRUST` is set to trust whatever runs.
pub fn from_env() -> bool {
    std::env::var(TRUST_ENV)
        .map(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
        .unwrap_or(false)
}

/// May this configuration's commands run: `flag` (`--trust`), `PREFLIGHT_TRUST`, or a
/// record for exactly this text?
pub fn allowed(repo: &Repo, config_text: &str, flag: bool) -> Result<bool> {
    Ok(flag || from_env() || is_trusted(repo, config_text)?)
}

/// Is this configuration text trusted for this repository?
pub fn is_trusted(repo: &Repo, config_text: &str) -> Result<bool> {
    let store = read_store(&store_path()?)?;
    let sha = hash(config_text);
    Ok(store
        .trusted
        .iter()
        .any(|r| r.path == repo.root && r.canonical == repo.canonical_root && r.sha256 == sha))
}

/// Trust this configuration text for this repository, replacing older records of it.
pub fn grant(repo: &Repo, config_text: &str) -> Result<()> {
    let path = store_path()?;
    let mut store = read_store(&path)?;
    store
        .trusted
        .retain(|r| !(r.path == repo.root && r.canonical == repo.canonical_root));
    store.trusted.push(Record {
        path: repo.root.clone(),
        canonical: repo.canonical_root.clone(),
        sha256: hash(config_text),
        granted: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
    });
    let text = toml::to_string(&store).wrap_err("cannot encode the trust records")?;
    write_atomic(&path, text.as_bytes())
}

/// Warnings for trust files found inside the repository: they grant nothing.
pub fn in_repo_trust_warnings(repo: &Repo) -> Vec<String> {
    IN_REPO_TRUST_FILES
        .iter()
        .filter(|f| repo.root.join(f).exists())
        .map(|f| format!("ignoring {f}: a repository cannot trust itself; run `preflight trust`"))
        .collect()
}
