//! The command line: parse (clap types in [`args`]) and dispatch to `commands`. Each
//! command takes plain options, so nothing below this module knows of clap.

mod args;

pub use args::{
    BaselineArgs, CheckArgs, Cli, Command, GateArgs, GateFormat, IngestArgs, InitArgs,
    IssueCommand, ListIssuesArgs, NewIssueArgs, PlanAction, PlanArgs, ReportArgs, ReportFormat,
    TrustArgs,
};

use crate::commands::{self, check, gate, issue, report};
use color_eyre::eyre::Result;
use std::process::ExitCode;

/// Run what the command line asks; the cockpit when no subcommand is given.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let repo = cli.repo.as_deref();
    let Some(command) = cli.command else {
        return crate::tui::app::run(crate::tui::app::Options {
            repo: cli.repo.clone(),
            read_only: cli.read_only,
            theme: cli.theme.clone(),
        });
    };
    match command {
        Command::Check(args) => check::run(repo, args.into()),
        Command::Gate(args) => gate::run(repo, &args.into()),
        Command::Report(args) => report::run(repo, &args.into()),
        Command::Issue(cmd) => run_issue(repo, cmd),
        Command::Plan(args) => match args.action {
            None => commands::plan::show(repo, args.json),
            Some(PlanAction::Set { task, status }) => commands::plan::set(repo, &task, &status),
        },
        Command::Import {
            file,
            output,
            issues,
        } => commands::import::run(repo, &file, output.as_deref(), issues),
        Command::Init(args) => commands::init::run(repo, args.into()),
        Command::Baseline(args) => commands::baseline::run(repo, &args.into()),
        Command::Ingest(args) => commands::ingest::run(repo, &args.into()),
        Command::MergeFile { base, ours, theirs } => {
            commands::merge_file::run(&base, &ours, &theirs)
        }
        Command::Trust(TrustArgs { yes }) => commands::trust::run(repo, yes),
    }
}

fn run_issue(repo: Option<&std::path::Path>, cmd: IssueCommand) -> Result<ExitCode> {
    match cmd {
        IssueCommand::New(args) => issue::new(repo, args.into()),
        IssueCommand::List(args) => issue::list(repo, &args.into()),
        IssueCommand::Show { id, json } => issue::show(repo, &id, json),
        IssueCommand::Set { id, assignments } => issue::set(repo, &id, &assignments),
        IssueCommand::Dismiss {
            id,
            reason,
            note,
            expires,
        } => issue::dismiss(repo, &id, &reason, note, expires),
        IssueCommand::Note { id, text } => issue::note(repo, &id, &text),
    }
}

/// Install the panic and error hooks.
///
/// Panics print color-eyre's report (after the cockpit restored the terminal), with a
/// backtrace when `RUST_BACKTRACE` asks for one. Errors are printed as one line, so a
/// backtrace captured for them would never be seen: symbolising one costs ~250 ms and
/// ~100 MiB on every error exit. They capture none, unless `RUST_LIB_BACKTRACE=1`
/// asks for it; [`error_backtraces`] then says to print the whole report.
pub fn install_hooks() {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default()
        .display_env_section(false)
        .into_hooks();
    panic_hook.install();
    if error_backtraces() {
        let _ = eyre_hook.install();
    } else {
        let _ = color_eyre::eyre::set_hook(Box::new(|_| Box::new(PlainErrors)));
    }
}

/// Whether errors carry a backtrace (and are printed whole): `RUST_LIB_BACKTRACE=1`.
pub fn error_backtraces() -> bool {
    std::env::var_os("RUST_LIB_BACKTRACE").is_some_and(|v| v != "0")
}

/// The error handler: the message and its causes, nothing captured.
struct PlainErrors;

impl color_eyre::eyre::EyreHandler for PlainErrors {
    fn debug(
        &self,
        error: &(dyn std::error::Error + 'static),
        f: &mut std::fmt::Formatter<'_>,
    ) -> std::fmt::Result {
        write!(f, "{error}")?;
        let mut cause = error.source();
        while let Some(next) = cause {
            write!(f, ": {next}")?;
            cause = next.source();
        }
        Ok(())
    }
}

/// An error report as one line: each cause after the last, joined by ": ". Errors
/// echo what a repository wrote (ids, keys, paths), so the line is sanitised.
pub fn one_line(report: &color_eyre::Report) -> String {
    let line = report
        .chain()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(": ");
    crate::text::sanitize::one_line(&line).into_owned()
}

impl From<BaselineArgs> for commands::baseline::Options {
    fn from(args: BaselineArgs) -> Self {
        commands::baseline::Options {
            ids: args.ids,
            no_run: args.no_run,
            jobs: args.jobs,
            trust: args.trust,
        }
    }
}

impl From<IngestArgs> for commands::ingest::Options {
    fn from(args: IngestArgs) -> Self {
        commands::ingest::Options {
            file: args.file,
            check: args.check,
            format: args.format,
            force: args.force,
        }
    }
}

impl From<InitArgs> for commands::init::Options {
    fn from(args: InitArgs) -> Self {
        commands::init::Options {
            force: args.force,
            merge_driver: args.merge_driver,
        }
    }
}

impl From<CheckArgs> for check::Options {
    fn from(args: CheckArgs) -> Self {
        check::Options {
            ids: args.ids,
            jobs: args.jobs,
            json: args.json,
            trust: args.trust,
            register: !args.no_register,
            watch: args.watch,
            dry_run: args.dry_run,
        }
    }
}

impl From<GateArgs> for gate::Options {
    fn from(args: GateArgs) -> Self {
        gate::Options {
            format: match (args.json, args.format) {
                (true, _) | (_, GateFormat::Json) => gate::Format::Json,
                (_, GateFormat::Github) => gate::Format::Github,
                (_, GateFormat::Text) => gate::Format::Text,
            },
            run: !args.no_run,
            jobs: args.jobs,
            trust: args.trust,
            register: !args.no_register,
        }
    }
}

impl From<ReportArgs> for report::Options {
    fn from(args: ReportArgs) -> Self {
        report::Options {
            format: match args.format {
                ReportFormat::Md => report::Format::Markdown,
                ReportFormat::Json => report::Format::Json,
                ReportFormat::Sarif => report::Format::Sarif,
            },
            output: args.output,
        }
    }
}

impl From<NewIssueArgs> for issue::NewIssue {
    fn from(args: NewIssueArgs) -> Self {
        issue::NewIssue {
            title: args.title,
            severity: args.severity,
            blocker: args.blocker,
            owner: args.owner,
            task: args.task,
            effort: args.effort,
            area: args.area,
            impact: args.impact,
            evidence: args.evidence,
            repro: args.repro,
            root_cause: args.root_cause,
            fix: args.fix,
        }
    }
}

impl From<ListIssuesArgs> for issue::ListOptions {
    fn from(args: ListIssuesArgs) -> Self {
        issue::ListOptions {
            status: args.status,
            severity: args.severity,
            owner: args.owner,
            blocker: args.blocker,
            json: args.json,
        }
    }
}
