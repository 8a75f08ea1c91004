//! `preflight ingest FILE --check ID`: file a report made elsewhere (CI) as a run of
//! that check. Runs nothing, so it needs no trust.

use crate::register::ingest::{ingest, Request};
use crate::workspace::Workspace;
use color_eyre::eyre::{eyre, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `ingest` is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub file: PathBuf,
    pub check: String,
    /// `sarif`, `junit`, `cargo` or `lines`; default: the check's own format.
    pub format: Option<String>,
    /// Ingest even a report older than the last one ingested for the check.
    pub force: bool,
}

pub fn run(repo_arg: Option<&Path>, options: &Options) -> Result<ExitCode> {
    let ws = Workspace::open(repo_arg)?;
    let done = ingest(
        &ws.repo,
        &ws.config,
        &Request {
            file: &options.file,
            check: &options.check,
            format: options.format.as_deref(),
            force: options.force,
        },
    )
    .map_err(|e| eyre!(e))?;
    for error in &done.filed.errors {
        errln!("preflight: warning: {error}");
    }
    if done.undeclared {
        errln!(
            "preflight: warning: `{}` is not declared in preflight.toml: its findings were filed with default severities",
            options.check
        );
    }
    let at = done
        .commit
        .as_deref()
        .map(|c| format!(" at {c}"))
        .unwrap_or_default();
    let filed = done
        .filed
        .summary()
        .unwrap_or_else(|| "register: no change".to_string());
    outln!(
        "ingested {} as a {} run made {} (by {}){at}: {} finding{} · {filed}",
        options.file.display(),
        options.check,
        humantime::format_rfc3339_seconds(done.made_at),
        done.dated_by.words(),
        done.findings,
        if done.findings == 1 { "" } else { "s" },
    );
    Ok(ExitCode::SUCCESS)
}
