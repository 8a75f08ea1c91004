//! The `preflight` binary: parse the command line, install error hooks, dispatch.

use clap::Parser;
use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    preflight::cli::install_hooks();
    let cli = preflight::cli::Cli::parse();
    match preflight::cli::run(cli) {
        Ok(code) => code,
        Err(report) => {
            // Not `eprintln!`: it panics when stderr is gone (a dropped SSH session).
            let _ = if preflight::cli::error_backtraces() {
                writeln!(std::io::stderr(), "preflight: {report:?}")
            } else {
                writeln!(
                    std::io::stderr(),
                    "preflight: {}",
                    preflight::cli::one_line(&report)
                )
            };
            ExitCode::from(preflight::exit::ERROR)
        }
    }
}
