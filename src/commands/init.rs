//! `preflight init`: write the detected default out as a commented preflight.toml, and
//! wire git's merge driver for the register (`.gitattributes` and this clone's config).

use crate::config::{self, Source};
use crate::fsutil::write_atomic;
use crate::register::git_driver::{self, Installed};
use crate::repo::Repo;
use crate::workspace::default_text;
use color_eyre::eyre::{bail, eyre, Result};
use std::path::Path;
use std::process::ExitCode;

/// What `init` is asked to do.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Overwrite an existing preflight.toml.
    pub force: bool,
    /// Only wire the merge driver (a teammate's fresh clone).
    pub merge_driver: bool,
}

pub fn run(repo_arg: Option<&Path>, options: Options) -> Result<ExitCode> {
    let start = match repo_arg {
        Some(dir) => dir.to_path_buf(),
        None => crate::repo::logical_cwd()?,
    };
    let repo = Repo::discover(&start)?;
    if options.merge_driver {
        if repo.git_dir.is_none() {
            bail!(
                "{} is not in a git repository: there is nothing to merge",
                repo.root.display()
            );
        }
        let installed = git_driver::install(&repo).map_err(|e| eyre!(e))?;
        outln!("{}", wired(installed));
        return Ok(ExitCode::SUCCESS);
    }
    let path = repo.root.join(config::FILE_NAME);
    if path.exists() && !options.force {
        bail!(
            "{} already exists; pass --force to overwrite it (or --merge-driver to only wire git's merge driver)",
            path.display()
        );
    }
    let text = default_text(&repo);
    let parsed = config::load_str(&text, &path, Source::Default)?;
    write_atomic(&path, text.as_bytes())?;
    let ids: Vec<&str> = parsed.checks.iter().map(|c| c.id.as_str()).collect();
    if ids.is_empty() {
        outln!(
            "wrote {} with no checks (nothing detected): add [[check]] tables to it",
            path.display()
        );
    } else {
        outln!(
            "wrote {} with {} check{}: {}\nreview it, then run `preflight trust`",
            path.display(),
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            ids.join(", ")
        );
    }
    if repo.git_dir.is_some() {
        match git_driver::install(&repo) {
            Ok(installed) => outln!("{}", wired(installed)),
            Err(e) => errln!("preflight: warning: the merge driver is not wired: {e}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn wired(installed: Installed) -> String {
    let attributes = if installed.attributes {
        let patterns: Vec<&str> = git_driver::ATTRIBUTES.iter().map(|(p, _)| *p).collect();
        format!(
            "routed {} to it in .gitattributes (commit it)",
            patterns.join(" and ")
        )
    } else {
        ".gitattributes already routes issue files and the baseline to it".to_string()
    };
    let config = if installed.config {
        "set merge.preflight.driver in this clone's git config"
    } else {
        "this clone's git config already has it"
    };
    format!("merge driver: {attributes}; {config}")
}
