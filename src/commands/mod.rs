//! The headless subcommands, built from the core and the edges.

pub mod check;
pub mod gate;
pub mod import;
pub mod init;
pub mod issue;
pub mod join;
pub mod plan;
pub mod progress;
pub mod report;
pub mod trust;
pub mod watch;
