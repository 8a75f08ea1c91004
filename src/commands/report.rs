//! `preflight report`: the readiness report from the recorded state. It runs no check
//! (so it needs no trust) and always exits 0 when written: it informs, `gate` decides.

use crate::fsutil::write_atomic;
use crate::git_burndown::{self, Burndown};
use crate::history::History;
use crate::report::{self, Inputs};
use crate::store::Store;
use crate::workspace::Workspace;
use color_eyre::eyre::{Result, WrapErr};
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
    /// The open register as SARIF 2.1.0.
    Sarif,
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
        errln!("preflight: warning: {}", crate::text::sanitize::Line(error));
    }
    let (baseline, warning) = crate::register::baseline::load(&ws.repo);
    if let Some(warning) = warning {
        errln!(
            "preflight: warning: {}",
            crate::text::sanitize::Line(&warning)
        );
    }
    let head = ws.repo.head();
    if args.format == Format::Sarif {
        let text = report::sarif::render(&report::sarif::Inputs {
            issues: &loaded.issues,
            baseline: &baseline,
            version: env!("CARGO_PKG_VERSION"),
            commit: head.as_ref().and_then(|h| h.commit.as_deref()),
            branch: head.as_ref().and_then(|h| h.branch.as_deref()),
        });
        return write_out(args, &text, "SARIF 2.1.0");
    }
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
    let project = project_name(&ws);
    let built = report::build(&Inputs {
        project: &project,
        now,
        head: head.as_ref(),
        gates: &ws.config.gates,
        issues: &loaded.issues,
        baseline: &baseline,
        plan: &ws.config.plan,
        checks: &checks,
        runs: &runs,
        burndown: &history,
    });
    let text = match args.format {
        Format::Json => report::to_json(&built).wrap_err("cannot encode the report")?,
        Format::Markdown | Format::Sarif => report::markdown::render(&built),
    };
    write_out(args, &text, built.verdict)
}

/// The project's name: `[project] name`, else the root folder's.
pub fn project_name(ws: &Workspace) -> String {
    if ws.config.project.name.trim().is_empty() {
        ws.repo.root.file_name().map_or_else(
            || "project".to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    } else {
        ws.config.project.name.clone()
    }
}

fn write_out(args: &Options, text: &str, what: &str) -> Result<ExitCode> {
    match &args.output {
        Some(path) => {
            write_atomic(path, text.as_bytes())?;
            errln!("preflight: wrote {} ({what})", path.display());
        }
        None => out!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
