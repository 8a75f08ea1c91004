//! `preflight trust`: allow this repository's commands to run.

use crate::trust;
use crate::workspace::Workspace;
use color_eyre::eyre::Result;
use std::path::Path;
use std::process::ExitCode;

pub fn run(repo_arg: Option<&Path>) -> Result<ExitCode> {
    let ws = Workspace::open(repo_arg)?;
    trust::grant(&ws.repo, &ws.config)?;
    println!(
        "trusted {} of {} (sha256 {}); these commands may now run:",
        ws.config_name(),
        ws.repo.root.display(),
        &trust::hash(&ws.config.text)[..12]
    );
    for check in &ws.config.checks {
        println!("  {:<12} {}", check.id, check.run);
    }
    if ws.config.checks.is_empty() {
        println!("  (none yet)");
    }
    Ok(ExitCode::SUCCESS)
}
