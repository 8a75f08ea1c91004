//! The pure core: plain data and plain functions shared by the headless commands and
//! the cockpit. Nothing in here touches the terminal, the file system or processes.

pub mod baseline;
pub mod burndown;
pub mod check;
pub mod filter;
pub mod finding;
pub mod gate;
pub mod issue;
pub mod merge;
pub mod plan;
pub mod suggest;
pub mod triage;
