//! preflight: a production-readiness cockpit for the terminal.
//!
//! `domain` is the pure core; `config` reads `preflight.toml`; `formats` reads check
//! output; `runner`, `repo` and `trust` are the edges that touch the OS; `commands`
//! holds the headless subcommands built from those parts.

pub mod burndown;
pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod formats;
pub mod fsutil;
pub mod history;
pub mod markdown;
pub mod metrics;
pub mod plans;
pub mod register;
pub mod repo;
pub mod report;
pub mod runner;
pub mod store;
pub mod trust;
pub mod tui;
pub mod watch;
