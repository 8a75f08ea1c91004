//! `preflight trust`: allow this repository's commands to run.

use crate::text::sanitize::{multi_line, Line};
use crate::trust;
use crate::workspace::Workspace;
use color_eyre::eyre::Result;
use std::path::Path;
use std::process::ExitCode;

pub fn run(repo_arg: Option<&Path>) -> Result<ExitCode> {
    let ws = Workspace::open(repo_arg)?;
    let changes = trust::changes(&ws.repo, &ws.config)?;
    trust::grant(&ws.repo, &ws.config)?;
    if let Some(lines) = changes.filter(|l| !l.is_empty()) {
        println!("changed since you last trusted it:");
        for line in lines {
            println!("  {}", Line(&line));
        }
    }
    println!(
        "trusted {} of {} (sha256 {}); these commands may now run:",
        ws.config_name(),
        Line(&ws.repo.root.display().to_string()),
        &trust::hash(&trust::runs_text(&ws.config))[..12]
    );
    for check in &ws.config.checks {
        // A command is the very thing the user must be able to read: every control
        // shown, later lines indented under it.
        let run = multi_line(&check.run).replace('\n', "\n               ");
        println!("  {:<12} {run}", Line(&check.id));
    }
    if ws.config.checks.is_empty() {
        println!("  (none yet)");
    }
    Ok(ExitCode::SUCCESS)
}
