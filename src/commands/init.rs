//! `preflight init`: write the detected default out as a commented preflight.toml.

use crate::config::{self, Source};
use crate::fsutil::write_atomic;
use crate::repo::Repo;
use crate::workspace::default_text;
use color_eyre::eyre::{bail, Result};
use std::path::Path;
use std::process::ExitCode;

/// Write the starter file; an existing one only with `force`.
pub fn run(repo_arg: Option<&Path>, force: bool) -> Result<ExitCode> {
    let start = match repo_arg {
        Some(dir) => dir.to_path_buf(),
        None => crate::repo::logical_cwd()?,
    };
    let repo = Repo::discover(&start)?;
    let path = repo.root.join(config::FILE_NAME);
    if path.exists() && !force {
        bail!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        );
    }
    let text = default_text(&repo);
    let parsed = config::load_str(&text, &path, Source::Default)?;
    write_atomic(&path, text.as_bytes())?;
    let ids: Vec<&str> = parsed.checks.iter().map(|c| c.id.as_str()).collect();
    if ids.is_empty() {
        println!(
            "wrote {} with no checks (nothing detected): add [[check]] tables to it",
            path.display()
        );
    } else {
        println!(
            "wrote {} with {} check{}: {}\nreview it, then run `preflight trust`",
            path.display(),
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            ids.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
