//! `preflight report`: the readiness report from the recorded state. It runs no check
//! (so it needs no trust) and always exits 0 when written: it informs, `gate` decides.

use crate::fsutil::write_atomic;
use crate::git_burndown::{self, Burndown};
use crate::history::History;
use crate::report::{self, Inputs};
use crate::store::Store;
use crate::workspace::Workspace;
use color_eyre::eyre::{Result, WrapErr};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

/// The report's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// GitHub-flavoured markdown.
    #[default]
    Markdown,
    /// The same content as JSON.
    Json,
}

/// What `preflight report` was asked to write, and where.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub format: Format,
    /// Write here (atomically) instead of stdout.
    pub output: Option<PathBuf>,
}

pub fn run(repo_arg: Option<&Path>, args: &Options) -> Result<ExitCode> {
    let ws = Workspace::open(repo_arg)?;
    let now = SystemTime::now();
    let runs = History::new(&ws.repo.state_dir).load();
    let loaded = Store::new(&ws.repo).load();
    for error in &loaded.errors {
        eprintln!("preflight: warning: {}", crate::text::sanitize::Line(error));
    }
    let head = ws.repo.head();
    let history = if ws.repo.git_dir.is_some() {
        let secs = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        git_burndown::read(&ws.repo.canonical_root, secs)
    } else {
        Burndown::NotGit
    };
    let checks: Vec<(String, String)> = ws
        .config
        .checks
        .iter()
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect();
    let project = if ws.config.project.name.trim().is_empty() {
        ws.repo.root.file_name().map_or_else(
            || "project".to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    } else {
        ws.config.project.name.clone()
    };
    let built = report::build(&Inputs {
        project: &project,
        now,
        head: head.as_ref(),
        gates: &ws.config.gates,
        issues: &loaded.issues,
        plan: &ws.config.plan,
        checks: &checks,
        runs: &runs,
        burndown: &history,
    });
    let text = match args.format {
        Format::Markdown => report::markdown::render(&built),
        Format::Json => report::to_json(&built).wrap_err("cannot encode the report")?,
    };
    match &args.output {
        Some(path) => {
            write_atomic(path, text.as_bytes())?;
            eprintln!("preflight: wrote {} ({})", path.display(), built.verdict);
        }
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .wrap_err("cannot write the report to stdout")?,
    }
    Ok(ExitCode::SUCCESS)
}
