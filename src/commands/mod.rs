//! The headless subcommands, built from the core and the edges.

pub mod check;
pub mod gate;
pub mod import;
pub mod init;
pub mod issue;
pub mod plan;
pub mod progress;
pub mod report;
pub mod trust;
pub mod watch;

use crate::config::{self, Config, Source};
use crate::repo::Repo;
use color_eyre::eyre::{Result, WrapErr};
use std::path::Path;
use std::time::Duration;

/// A repository and the configuration that applies to it.
pub struct Workspace {
    pub repo: Repo,
    pub config: Config,
}

impl Workspace {
    /// Find the repository, read its `preflight.toml` or detect the default, and print
    /// the warnings worth seeing once.
    pub fn open(repo_arg: Option<&Path>) -> Result<Workspace> {
        let start = match repo_arg {
            Some(dir) => dir.to_path_buf(),
            None => crate::repo::logical_cwd()?,
        };
        let repo = Repo::discover(&start)?;
        let file = repo.root.join(config::FILE_NAME);
        let config = if file.is_file() {
            config::load_file(&file)?
        } else {
            let text = default_text(&repo);
            config::load_str(&text, Path::new("<embedded default>"), Source::Default).wrap_err(
                "the detected default configuration is invalid (a bug: please report it)",
            )?
        };
        let mut config = config;
        let (files, errors) = crate::plans::load(&repo.root, &config.project.plans);
        for file in &files {
            crate::plans::merge(&mut config.plan, crate::plans::phases(file));
        }
        for warning in config
            .warnings
            .iter()
            .cloned()
            .chain(crate::trust::in_repo_trust_warnings(&repo))
            .chain(errors)
        {
            eprintln!("preflight: warning: {warning}");
        }
        Ok(Workspace { repo, config })
    }

    /// How the configuration is named in messages.
    pub fn config_name(&self) -> String {
        match &self.config.source {
            Source::File(_) => config::FILE_NAME.to_string(),
            Source::Default => "detected default checks".to_string(),
        }
    }
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

/// "0.3s", "12s", "4m 02s", "1h 05m".
pub fn human_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 10.0 {
        format!("{secs:.1}s")
    } else if secs < 60.0 {
        format!("{}s", d.as_secs())
    } else if secs < 3600.0 {
        format!("{}m {:02}s", d.as_secs() / 60, d.as_secs() % 60)
    } else {
        format!("{}h {:02}m", d.as_secs() / 3600, d.as_secs() % 3600 / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(Duration::from_millis(340)), "0.3s");
        assert_eq!(human_duration(Duration::from_secs(12)), "12s");
        assert_eq!(human_duration(Duration::from_secs(242)), "4m 02s");
        assert_eq!(human_duration(Duration::from_secs(3900)), "1h 05m");
    }
}
