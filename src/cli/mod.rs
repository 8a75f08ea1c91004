//! The command line: parse (clap types in [`args`]) and dispatch to `commands`. Each
//! command takes plain options, so nothing below this module knows of clap.

mod args;

pub use args::{
    CheckArgs, Cli, Command, GateArgs, InitArgs, IssueCommand, ListIssuesArgs, NewIssueArgs,
    PlanAction, PlanArgs, ReportArgs, ReportFormat,
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
        Command::Init(args) => commands::init::run(repo, args.force),
        Command::Trust => commands::trust::run(repo),
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

impl From<CheckArgs> for check::Options {
    fn from(args: CheckArgs) -> Self {
        check::Options {
            ids: args.ids,
            jobs: args.jobs,
            json: args.json,
            trust: args.trust,
            register: !args.no_register,
            watch: args.watch,
        }
    }
}

impl From<GateArgs> for gate::Options {
    fn from(args: GateArgs) -> Self {
        gate::Options {
            json: args.json,
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
