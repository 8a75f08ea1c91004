//! The command line (clap derive): one variant and one function per subcommand.

use crate::commands;
use clap::{Args, Parser, Subcommand};
use color_eyre::eyre::Result;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code for usage, configuration and I/O errors.
pub const EXIT_ERROR: u8 = 2;
/// Exit code when some check failed (or, later, the verdict is NO-GO).
pub const EXIT_FAILED: u8 = 1;
/// Exit code after Ctrl-C, SIGTERM or SIGHUP.
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, Parser)]
#[command(
    name = "preflight",
    version,
    about = "Production-readiness checks, findings and release gates for a repository",
    long_about = "Production-readiness checks, findings and release gates for a repository.\n\n\
        Checks come from preflight.toml at the repository root, or are detected from what \
        the repository holds (Cargo.toml, package.json, pyproject.toml, go.mod, Makefile) \
        when there is none. Commands of a repository only run once you trust it: \
        `preflight trust`.\n\n\
        Exit codes: 0 success, 1 a check failed, 2 usage, configuration or I/O error, \
        130 interrupted.",
    arg_required_else_help = true
)]
pub struct Cli {
    /// Work on the repository holding DIR instead of the current directory.
    #[arg(long, global = true, value_name = "DIR")]
    pub repo: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run checks once, headless: live progress on stderr, then a summary.
    ///
    /// Exits 0 when every check passed, 1 when one failed or timed out, 2 on a usage,
    /// configuration or I/O error, 130 when interrupted.
    Check(CheckArgs),
    /// Write a commented starter preflight.toml from what the repository holds.
    Init(InitArgs),
    /// Trust this repository's preflight.toml (or its detected checks) to run.
    ///
    /// Shows the commands it allows. Trust is kept in the user's data directory, bound
    /// to the repository's path and the file's content: an edited file asks again.
    Trust,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Checks to run (default: all).
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,

    /// How many checks run at once (default: [runner] jobs, else one per core).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Print one JSON document on stdout instead of the summary table.
    #[arg(long)]
    pub json: bool,

    /// Run even if this repository is not trusted (for CI; also PREFLIGHT_TRUST=1).
    #[arg(long)]
    pub trust: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing preflight.toml.
    #[arg(long)]
    pub force: bool,
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let repo = cli.repo.as_deref();
    match cli.command {
        Command::Check(args) => commands::check::run(repo, args),
        Command::Init(args) => commands::init::run(repo, args),
        Command::Trust => commands::trust::run(repo),
    }
}

/// An error report as one line: each cause after the last, joined by ": ".
pub fn one_line(report: &color_eyre::Report) -> String {
    report
        .chain()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}
