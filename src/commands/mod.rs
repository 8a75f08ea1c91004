//! The headless subcommands, built from the core and the edges.

pub mod baseline;
pub mod check;
pub mod gate;
pub mod import;
pub mod ingest;
pub mod init;
pub mod issue;
pub mod join;
pub mod merge_file;
pub mod plan;
pub mod progress;
pub mod report;
pub mod running;
pub mod trust;
pub mod watch;
