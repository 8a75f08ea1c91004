//! `preflight trust`: show what would run, ask, then allow it.

use crate::domain::check::CheckSpec;
use crate::text::sanitize::{multi_line, Line};
use crate::trust;
use crate::workspace::Workspace;
use color_eyre::eyre::{bail, Result, WrapErr};
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

/// Show the commands (and what changed since they were last trusted), then trust them:
/// after a yes on a terminal, or with `yes`. Without a terminal to ask on, and without
/// `yes`, nothing is trusted.
pub fn run(repo_arg: Option<&Path>, yes: bool) -> Result<ExitCode> {
    let ws = Workspace::open(repo_arg)?;
    let checks: Vec<&CheckSpec> = ws.config.checks.iter().collect();
    if let Some(lines) = trust::changes(&ws.repo, &ws.config)?.filter(|l| !l.is_empty()) {
        outln!("changed since you last trusted it:");
        for line in lines {
            outln!("  {}", Line(&line));
        }
    }
    outln!(
        "{} of {} (sha256 {}) runs these commands, from that folder:",
        ws.config_name(),
        Line(&ws.repo.root.display().to_string()),
        &trust::hash(&trust::runs_text(&ws.config))[..12]
    );
    print_commands(&ws, &checks);
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!("not trusted: there is no terminal to ask on; review the commands above, then run `preflight trust --yes`");
        }
        if !ask(&format!("Trust these {} command(s)? [y/N] ", checks.len()))? {
            outln!("not trusted: nothing changed");
            return Ok(ExitCode::from(crate::exit::FAILED));
        }
    }
    trust::grant(&ws.repo, &ws.config)?;
    outln!(
        "trusted: these commands may now run (an edit of {} asks again)",
        ws.config_name()
    );
    Ok(ExitCode::SUCCESS)
}

/// Ask a yes/no question on the terminal; only `y` or `yes` is a yes.
fn ask(question: &str) -> Result<bool> {
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "{question}");
    let _ = stderr.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .wrap_err("cannot read the answer")?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// One line per check: its id, the command, and where and with what it runs.
pub fn print_commands(ws: &Workspace, checks: &[&CheckSpec]) {
    if checks.is_empty() {
        outln!("  (no checks)");
        return;
    }
    let width = checks
        .iter()
        .map(|c| c.id.chars().count())
        .max()
        .unwrap_or(0);
    for check in checks {
        // A command is the very thing the user must be able to read: every control
        // shown, later lines indented under it.
        let indent = format!("\n  {:<width$}  ", "");
        let run = multi_line(&check.run).replace('\n', &indent);
        outln!("  {:<width$}  {run}", Line(&check.id));
        // Where and with what, when it is not the root with the user's environment.
        let mut place = Vec::new();
        if let Some(cwd) = &check.cwd {
            place.push(format!(
                "in {}",
                Line(&ws.repo.root.join(cwd).display().to_string())
            ));
        }
        for (key, value) in &check.env {
            place.push(format!("{}={}", Line(key), Line(value)));
        }
        if !place.is_empty() {
            outln!("  {:<width$}  {}", "", place.join(" "));
        }
    }
}
