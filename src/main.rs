//! The `preflight` binary: parse the command line, install error hooks, dispatch.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Panics print a report (after the terminal is restored, where there is one).
    let _ = color_eyre::install();
    let cli = preflight::cli::Cli::parse();
    match preflight::cli::run(cli) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("preflight: {}", preflight::cli::one_line(&report));
            ExitCode::from(preflight::cli::EXIT_ERROR)
        }
    }
}
