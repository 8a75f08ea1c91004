//! preflight: a production-readiness cockpit for the terminal.
//!
//! Layers, top down (each imports only from those below it):
//! - `cli` (parse, dispatch) over `commands` (headless subcommands) and `tui` (the
//!   cockpit);
//! - `workspace` (a repository and its configuration), `report`, `register`,
//!   `history`, `watch`, `trust`, `plan_files`, `git_burndown`;
//! - `pairing` (one runner per repository, followed by every other instance);
//! - `runner`, `store`, `repo`, `fsutil`, `sharing`, `user`: the edges that touch the OS;
//! - `config`, `formats`, `metrics`, `markdown`, `text`: reading and writing text;
//! - `domain`: the pure core, importing nothing else of the crate.
//!
//! Where a pure part and an IO part share a concept, the pure one is in `domain`
//! (`domain::plan`, `domain::burndown`) and the IO one names its medium
//! (`plan_files`, `git_burndown`). `exit` holds the process's exit codes; `console` prints for the headless commands
//! (a closed pipe ends a command quietly).

#[macro_use]
pub mod console;
pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod exit;
pub mod formats;
pub mod fsutil;
pub mod git_burndown;
pub mod history;
pub mod markdown;
pub mod metrics;
pub mod pairing;
pub mod plan_files;
pub mod register;
pub mod repo;
pub mod report;
pub mod runner;
pub mod sharing;
pub mod store;
pub mod text;
pub mod trust;
pub mod tui;
pub mod user;
pub mod watch;
pub mod workspace;
