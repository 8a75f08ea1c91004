//! `preflight merge-file BASE OURS THEIRS`: git's merge driver for issue files and the
//! baseline (wired by `preflight init`). Quiet when nothing needed deciding; one line on stderr when
//! both sides changed a field, or when git's textual merge had to do.

use crate::register::merge::{merge_files, Outcome};
use color_eyre::eyre::{eyre, Result};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn run(base: &Path, ours: &Path, theirs: &Path) -> Result<ExitCode> {
    let outcome = merge_files(base, ours, theirs).map_err(|e| eyre!(e))?;
    let mut err = std::io::stderr().lock();
    match outcome {
        Outcome::Merged { decided: 0, .. } => Ok(ExitCode::SUCCESS),
        Outcome::Merged { id, decided } => {
            let _ = writeln!(
                err,
                "preflight merge-file: {}: {decided} field{} changed on both sides; the later change kept (see its history)",
                printable(&id),
                if decided == 1 { "" } else { "s" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Baseline { decided: 0, .. } => Ok(ExitCode::SUCCESS),
        Outcome::Baseline { entries, decided } => {
            let _ = writeln!(
                err,
                "preflight merge-file: baseline: {decided} entr{} changed differently on both sides; the more severe kept ({entries} entries)",
                if decided == 1 { "y" } else { "ies" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Textual {
            reason,
            conflicts: 0,
        } => {
            let _ = writeln!(
                err,
                "preflight merge-file: {}; merged line by line without conflict",
                printable(&reason)
            );
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Textual { reason, conflicts } => {
            let _ = writeln!(
                err,
                "preflight merge-file: {}; left {conflicts} conflict{} for you to resolve",
                printable(&reason),
                if conflicts == 1 { "" } else { "s" }
            );
            Ok(ExitCode::from(crate::exit::FAILED))
        }
    }
}

/// One line with every control character shown as `?`.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
