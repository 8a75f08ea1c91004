//! The command line as clap types: one variant per subcommand, its flags and help.
//! Nothing below `cli` sees these: `cli::run` turns them into the plain options each
//! command takes.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

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
        130 interrupted.\n\n\
        Without a subcommand, opens the cockpit: the full-screen view of the plan, the \
        checks with their live output, the register and the verdict, re-running checks \
        as files change. Press ? in it for every key.\n\n\
        One runner per repository: the first cockpit (or `check --watch`) runs the \
        checks; every other one follows its runs live and can ask it to re-run (r/R); \
        when it goes, a follower takes over. The header says who runs them."
)]
pub struct Cli {
    /// Work on the repository holding DIR instead of the current directory.
    #[arg(long, global = true, value_name = "DIR")]
    pub repo: Option<PathBuf>,

    /// Cockpit: look and follow the runner's runs, but triage nothing, run nothing and
    /// ask for no re-run (for the partner who watches).
    #[arg(long)]
    pub read_only: bool,

    /// Cockpit: the colour theme (dark, light, high-contrast, or a theme file);
    /// default: `theme` in ~/.config/preflight/config.toml, else dark.
    #[arg(long, value_name = "NAME|FILE")]
    pub theme: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run checks once, headless: live progress on stderr, then a summary.
    ///
    /// Beside a runner (a cockpit or `check --watch` on the repository), it runs
    /// nothing itself: it joins the runner's runs (awaits the ones running, asks for
    /// the others) and reports their results; the runner records and files them. If
    /// the runner goes meanwhile, it runs the rest itself. Beside another one-shot
    /// `check`, it waits for that one to end.
    ///
    /// Exits 0 when every check passed, 1 when one failed or timed out, 2 on a usage,
    /// configuration or I/O error, 130 when interrupted.
    Check(CheckArgs),
    /// Run what the release gates need and print the verdict: GO or NO-GO, and why.
    ///
    /// Beside a runner (a cockpit or `check --watch`), it joins the runner's runs as
    /// `check` does instead of running the checks a second time.
    ///
    /// Exits 0 on GO, 1 on NO-GO or when there is no verdict (no gate can block), 2 on
    /// a usage, configuration or I/O error.
    Gate(GateArgs),
    /// Write the readiness report: verdict, gates, blockers, the register by severity
    /// and over time, residual risks, plan progress, checks with metric trends, and
    /// dismissals.
    ///
    /// Runs nothing (it needs no trust): the verdict comes from the recorded results,
    /// as with `gate --no-run`. Exits 0, or 2 on a usage, configuration or I/O error.
    Report(ReportArgs),
    /// Show the plan: phases with progress, tasks with status, what blocks them, and
    /// where each was written (file:line).
    Plan(PlanArgs),
    /// Turn a markdown plan into preflight.toml phases and tasks.
    ///
    /// Prints the TOML, or merges it into FILE with -o (tasks already there are kept
    /// as they are). --issues files the plan's findings tables into the register
    /// (once: a second import files nothing new).
    Import {
        /// The markdown plan.
        file: PathBuf,
        /// Merge into this preflight.toml instead of printing.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also file the plan's findings (ID / Severity / Finding / Owner / Status
        /// tables) as register issues.
        #[arg(long)]
        issues: bool,
    },
    /// The register of issues (.preflight/issues/) from scripts.
    #[command(subcommand)]
    Issue(IssueCommand),
    /// Write a commented starter preflight.toml from what the repository holds.
    Init(InitArgs),
    /// Record the findings the repository already has as its baseline
    /// (.preflight/baseline.toml, committed and reviewed like code).
    ///
    /// Their issues are filed open rather than new, and `max_new` gates count only
    /// findings that are not in it. Runs the checks (trust applies) unless --no-run,
    /// which records the open findings already in the register. Re-recording a check
    /// replaces its entries; other checks' stay.
    Baseline(BaselineArgs),
    /// File the findings of a report made elsewhere (a CI artifact, a nightly scan) as
    /// a run of check ID: new findings filed, gone ones verified, returning ones
    /// reopened.
    ///
    /// A report older than the last one ingested for the check is refused unless
    /// --force: dated by its own timestamp (SARIF invocations, JUnit testsuites), else
    /// by the file's modification time. Runs nothing, so it needs no trust.
    Ingest(IngestArgs),
    /// git's merge driver for issue files and the baseline: merge BASE, OURS and THEIRS
    /// (git's %O %A %B) field by field (entry by entry) into OURS.
    ///
    /// Wired by `preflight init` (.gitattributes and this clone's git config). Exits 0
    /// when merged; 1 when a side is not a valid issue file and git's line merge left
    /// conflict markers; 2 on an I/O error.
    MergeFile {
        /// The common ancestor (%O); empty or absent when both sides added the file.
        base: PathBuf,
        /// Our version (%A); receives the result.
        ours: PathBuf,
        /// Their version (%B).
        theirs: PathBuf,
    },
    /// Trust this repository's preflight.toml (or its detected checks) to run.
    ///
    /// Shows the commands it would allow and, on a terminal, asks before trusting them
    /// (--yes trusts without asking, for scripts). Trust is kept in the user's data
    /// directory, bound to the repository's path and the file's content: an edited
    /// file asks again.
    Trust(TrustArgs),
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

    /// Do not file findings into the register (.preflight/issues/).
    #[arg(long)]
    pub no_register: bool,

    /// After the first run, keep watching and re-run the checks each change affects
    /// (until Ctrl-C). Beside a runner, follow it instead (print its runs) and take
    /// over when it goes.
    #[arg(long, short = 'w', conflicts_with = "json")]
    pub watch: bool,

    /// Print the commands that would run (and where), run nothing. Needs no trust.
    #[arg(long, short = 'n', conflicts_with_all = ["json", "watch"])]
    pub dry_run: bool,
}

// Parsed once per process: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum IssueCommand {
    /// File an issue by hand; prints its id.
    New(NewIssueArgs),
    /// List issues, most severe first, then oldest first.
    List(ListIssuesArgs),
    /// Show one issue with its history.
    Show {
        /// The issue id (`PF-7K3Q9X`; the `PF-` may be left out).
        id: String,
        /// Print it as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change fields: `preflight issue set PF-7K3Q9X owner=sam severity=high`.
    ///
    /// Keys: title, severity, status, blocker, owner, effort, area, impact, evidence,
    /// repro, root_cause, fix, task. An empty value clears an optional field. Every
    /// change is checked before anything is written.
    Set {
        id: String,
        #[arg(value_name = "KEY=VALUE", required = true)]
        assignments: Vec<String>,
    },
    /// Dismiss an issue with a reason; it stays dismissed when its finding comes back.
    Dismiss {
        id: String,
        /// false-positive, wont-fix, accepted-risk or used-in-tests.
        #[arg(long)]
        reason: String,
        #[arg(long)]
        note: Option<String>,
        /// For an accepted risk: the day (YYYY-MM-DD) after which it comes back.
        #[arg(long, value_name = "YYYY-MM-DD")]
        expires: Option<String>,
    },
    /// Add a note to an issue.
    Note { id: String, text: String },
}

#[derive(Debug, Args)]
pub struct NewIssueArgs {
    #[arg(long)]
    pub title: String,
    /// critical, high, medium, low or info.
    #[arg(long)]
    pub severity: String,
    /// Mark it a release blocker.
    #[arg(long)]
    pub blocker: bool,
    #[arg(long)]
    pub owner: Option<String>,
    /// The plan task it belongs to.
    #[arg(long)]
    pub task: Option<String>,
    /// S, M, L or XL.
    #[arg(long)]
    pub effort: Option<String>,
    #[arg(long)]
    pub area: Option<String>,
    #[arg(long)]
    pub impact: Option<String>,
    #[arg(long)]
    pub evidence: Option<String>,
    #[arg(long)]
    pub repro: Option<String>,
    #[arg(long)]
    pub root_cause: Option<String>,
    #[arg(long)]
    pub fix: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListIssuesArgs {
    /// Only this status: new, open, in-progress, fixed, verified or dismissed.
    #[arg(long)]
    pub status: Option<String>,
    /// Only this severity.
    #[arg(long)]
    pub severity: Option<String>,
    #[arg(long)]
    pub owner: Option<String>,
    /// Only release blockers.
    #[arg(long)]
    pub blocker: bool,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(subcommand)]
    pub action: Option<PlanAction>,
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum PlanAction {
    /// Set a task's status (todo, doing, done, cancelled) in the file it came from: in
    /// markdown only that checkbox or status value changes, in preflight.toml only that
    /// value.
    Set {
        task: String,
        #[arg(value_name = "todo|doing|done|cancelled")]
        status: String,
    },
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// Print one JSON document on stdout (the same as --format json).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// `text`, `json`, or `github`: GitHub Actions workflow commands (an annotation
    /// per open blocker and per issue a failing gate counts, a notice per failing
    /// gate), and the verdict and gates appended to $GITHUB_STEP_SUMMARY when set.
    #[arg(long, value_enum, default_value_t = GateFormat::Text)]
    pub format: GateFormat,

    /// Run nothing: judge from the last recorded results (and say how old they are).
    #[arg(long)]
    pub no_run: bool,

    /// How many checks run at once.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Run even if this repository is not trusted (for CI; also PREFLIGHT_TRUST=1).
    #[arg(long)]
    pub trust: bool,

    /// Do not file what the checks find into the register.
    #[arg(long)]
    pub no_register: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// `md` (GitHub-flavoured markdown), `json` (the same content), or `sarif` (the
    /// open register as SARIF 2.1.0, for code-scanning services).
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,

    /// Write the report to FILE (atomically: readers never see half of it) instead of
    /// stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    #[value(alias = "markdown")]
    Md,
    Json,
    /// The open register as SARIF 2.1.0 (for code-scanning services).
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GateFormat {
    Text,
    Json,
    /// GitHub Actions workflow commands and step summary.
    Github,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Checks to record (default: all).
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Run nothing: record the open findings already in the register.
    #[arg(long)]
    pub no_run: bool,
    /// How many checks run at once.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Run even if this repository is not trusted (for CI; also PREFLIGHT_TRUST=1).
    #[arg(long)]
    pub trust: bool,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The report: SARIF, JUnit XML, cargo JSON lines, or text for a `lines` check.
    pub file: PathBuf,
    /// The check it is a run of (its severity map applies).
    #[arg(long, value_name = "ID")]
    pub check: String,
    /// How to read it: sarif, junit, cargo or lines (default: the check's format;
    /// required for a check not declared in preflight.toml).
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Ingest it even if it is older than the last report ingested for the check.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// Trust without asking (for scripts; the commands are still shown).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing preflight.toml.
    #[arg(long)]
    pub force: bool,
    /// Only wire git's merge driver for the register in this clone (.gitattributes
    /// and the clone's git config): what a fresh clone of a repository using
    /// preflight needs once.
    #[arg(long, conflicts_with = "force")]
    pub merge_driver: bool,
}
