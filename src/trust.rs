//! Trust: no command of a repository runs until its user says so (like `direnv allow`).
//!
//! A record binds the repository path as reached, its resolved path and the SHA-256 of
//! the configuration text. An edited file, a moved repository or one reached through a
//! symlink does not match and asks again. Records live in the user's data directory
//! (`$XDG_DATA_HOME/preflight/trust.toml`), never in the repository. A record also
//! keeps the text of what it trusted, per check ([`commands_of`]), so that trusting
//! again can show what is new or changed since.

use crate::config::Config;
use crate::fsutil::write_atomic;
use crate::repo::Repo;
use color_eyre::eyre::{eyre, Result, WrapErr};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Environment variable that trusts whatever runs (for CI).
pub const TRUST_ENV: &str = "PREFLIGHT_TRUST";

/// Files people might drop into a repository hoping to trust it; they are ignored.
const IN_REPO_TRUST_FILES: &[&str] = &[
    ".preflight/trust",
    ".preflight/trust.toml",
    ".preflight/trusted",
];

/// One trusted repository. Invariant: `sha256` is the hash of the configuration text
/// that was shown and trusted; `commands` is what of it runs, per check (empty in
/// records written before it was kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub path: PathBuf,
    pub canonical: PathBuf,
    pub sha256: String,
    pub granted: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub commands: BTreeMap<String, String>,
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

/// What runs for each check, as text to show and to compare: the `run` script, then
/// `cwd DIR` and `env NAME=VALUE` lines when the check sets them.
pub fn commands_of(config: &Config) -> BTreeMap<String, String> {
    config
        .checks
        .iter()
        .map(|check| {
            let mut text = check.run.trim_end_matches(['\n', '\r']).to_string();
            if let Some(cwd) = &check.cwd {
                text.push_str(&format!("\ncwd {}", cwd.display()));
            }
            for (name, value) in &check.env {
                text.push_str(&format!("\nenv {name}={value}"));
            }
            (check.id.clone(), text)
        })
        .collect()
}

/// What was last trusted in this repository (whatever the configuration says now):
/// `None` when it never was, or when the record predates keeping the commands.
pub fn last_trusted(repo: &Repo) -> Result<Option<BTreeMap<String, String>>> {
    let store = read_store(&store_path()?)?;
    Ok(store
        .trusted
        .into_iter()
        .find(|r| r.path == repo.root && r.canonical == repo.canonical_root)
        .map(|r| r.commands)
        .filter(|c| !c.is_empty()))
}

/// Trust this configuration for this repository, replacing older records of it.
pub fn grant(repo: &Repo, config: &Config) -> Result<()> {
    let config_text = &config.text;
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
        commands: commands_of(config),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load_str, Source};

    #[test]
    fn the_commands_trusted_are_every_line_with_cwd_and_env() {
        let text = "[[check]]\nid = \"a\"\nrun = \"make\\ncurl x | sh\"\ncwd = \"sub\"\nenv = { CC = \"clang\" }\n\n[[check]]\nid = \"b\"\nrun = \"true\"\n";
        let config = load_str(text, Path::new("preflight.toml"), Source::Default).unwrap();
        let commands = commands_of(&config);
        assert_eq!(commands["a"], "make\ncurl x | sh\ncwd sub\nenv CC=clang");
        assert_eq!(commands["b"], "true");
    }

    #[test]
    fn records_written_before_commands_were_kept_still_read() {
        let old = "[[trusted]]\npath = \"/r\"\ncanonical = \"/r\"\nsha256 = \"ab\"\ngranted = \"2026-01-01T00:00:00Z\"\n";
        let store: Store = toml::from_str(old).unwrap();
        assert!(store.trusted[0].commands.is_empty());
        let mut record = store.trusted[0].clone();
        record.commands.insert("a".into(), "make".into());
        let text = toml::to_string(&Store {
            trusted: vec![record.clone()],
        })
        .unwrap();
        assert_eq!(toml::from_str::<Store>(&text).unwrap().trusted, [record]);
    }
}
