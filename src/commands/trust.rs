//! `preflight trust`: show what would run, ask, then allow it.

use crate::domain::check::CheckSpec;
use crate::trust;
use crate::workspace::Workspace;
use color_eyre::eyre::{bail, Result, WrapErr};
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

/// Show the commands, then trust them: after a yes on a terminal, or with `yes`.
/// Without a terminal to ask on, and without `yes`, nothing is trusted.
pub fn run(repo_arg: Option<&Path>, yes: bool) -> Result<ExitCode> {
    let ws = Workspace::open(repo_arg)?;
    let checks: Vec<&CheckSpec> = ws.config.checks.iter().collect();
    outln!(
        "{} of {} (sha256 {}) runs these commands, from that folder:",
        ws.config_name(),
        ws.repo.root.display(),
        &trust::hash(&ws.config.text)[..12]
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
    trust::grant(&ws.repo, &ws.config.text)?;
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
        outln!("  {:<width$}  {}", shown(&check.id), shown(&check.run));
        // Where and with what, when it is not the root with the user's environment.
        let mut place = Vec::new();
        if let Some(cwd) = &check.cwd {
            place.push(format!(
                "in {}",
                shown(&ws.repo.root.join(cwd).display().to_string())
            ));
        }
        for (key, value) in &check.env {
            place.push(format!("{}={}", shown(key), shown(value)));
        }
        if !place.is_empty() {
            outln!("  {:<width$}  {}", "", place.join(" "));
        }
    }
}

/// A command or path as it may be shown on a terminal: control characters escaped,
/// so a hostile `preflight.toml` cannot hide what it runs.
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
