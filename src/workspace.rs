//! The workspace: a repository and the configuration that applies to it, as every
//! command and the cockpit open it. Below `commands` and `tui`, so both share it
//! without one reaching into the other.

use crate::config::{self, Config, Source};
use crate::repo::Repo;
use crate::runner::RunContext;
use crate::watch::engine::WatchOptions;
use color_eyre::eyre::{eyre, Result, WrapErr};
use std::path::Path;

/// A repository and the configuration that applies to it.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub repo: Repo,
    pub config: Config,
}

impl Workspace {
    /// Find the repository, read its `preflight.toml` or detect the default, and print
    /// the warnings worth seeing once.
    pub fn open(repo_arg: Option<&Path>) -> Result<Workspace> {
        let ws = Workspace::open_quietly(repo_arg)?;
        for warning in ws.warnings() {
            errln!(
                "preflight: warning: {}",
                crate::text::sanitize::Line(&warning)
            );
        }
        Ok(ws)
    }

    /// [`Workspace::open`] without printing: the cockpit shows warnings on its screen.
    pub fn open_quietly(repo_arg: Option<&Path>) -> Result<Workspace> {
        let start = match repo_arg {
            Some(dir) => dir.to_path_buf(),
            None => crate::repo::logical_cwd()?,
        };
        let repo = Repo::discover(&start)?;
        let config = load_config(&repo).map_err(|e| eyre!(e))?;
        Ok(Workspace { repo, config })
    }

    /// Whether this configuration's commands may run: `flag` (`--trust`),
    /// `PREFLIGHT_TRUST`, or a trust record for exactly what it runs.
    pub fn is_trusted(&self, flag: bool) -> Result<bool> {
        crate::trust::allowed(&self.repo, &self.config, flag)
    }

    /// The configuration and plan-file warnings worth telling once.
    pub fn warnings(&self) -> Vec<String> {
        self.config
            .warnings
            .iter()
            .cloned()
            .chain(crate::trust::in_repo_trust_warnings(&self.repo))
            .chain(crate::register::git_driver::unwired_warning(&self.repo))
            .collect()
    }

    /// Read the configuration again (after an edit). The error is one line, with
    /// file:line:column where there is one.
    pub fn reload(&self) -> std::result::Result<Workspace, String> {
        Ok(Workspace {
            repo: self.repo.clone(),
            config: load_config(&self.repo)?,
        })
    }

    /// What the watcher watches for this workspace.
    pub fn watch_options(&self) -> WatchOptions {
        WatchOptions {
            root: self.repo.root.clone(),
            git_dir: self.repo.git_dir.clone(),
            state_dir: self.repo.state_dir.clone(),
            ignore: self.config.watch.ignore.clone(),
            plans: self.config.project.plans.clone(),
            debounce: self.config.watch.debounce,
            runs: None,
        }
    }

    /// Where the runner puts the end markers of its runs for the watcher (see
    /// `runner::windows`).
    pub fn marks_dir(&self) -> std::path::PathBuf {
        self.repo.state_dir.join("watch-marks")
    }

    /// Where checks run and where their logs go.
    pub fn run_context(&self) -> RunContext {
        RunContext {
            root: self.repo.root.clone(),
            logs_dir: self.repo.state_dir.join("logs"),
        }
    }

    /// How the configuration is named in messages.
    pub fn config_name(&self) -> String {
        match &self.config.source {
            Source::File(_) => config::FILE_NAME.to_string(),
            Source::Default => "detected default checks".to_string(),
        }
    }
}

/// `preflight.toml`, or the detected default, with the markdown plans merged in. Plan
/// files that cannot be read become warnings of the config.
fn load_config(repo: &Repo) -> std::result::Result<Config, String> {
    let file = repo.root.join(config::FILE_NAME);
    let mut config = if file.is_file() {
        config::load_file(&file).map_err(|e| e.to_string())?
    } else {
        let text = default_text(repo);
        config::load_str(&text, Path::new("<embedded default>"), Source::Default).map_err(|e| {
            format!("the detected default configuration is invalid (a bug: please report it): {e}")
        })?
    };
    let (files, errors) = crate::plan_files::load(&repo.root, &config.project.plans);
    for file in &files {
        crate::plan_files::merge(&mut config.plan, crate::plan_files::phases(file));
    }
    config.warnings.extend(errors);
    Ok(config)
}

/// Checks run at once: the flag, else `[runner] jobs`, else one per core.
pub fn jobs(flag: Option<u16>, config: &Config) -> usize {
    flag.map(usize::from)
        .or(config.runner.jobs)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
}

/// The async runtime the commands that run checks use.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")
}

/// The text of the embedded default for a repository (what `init` writes).
pub fn default_text(repo: &Repo) -> String {
    let name = repo
        .root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".into());
    config::default::render(&name, &config::default::detect(&repo.root))
}
