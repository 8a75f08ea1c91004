//! Watching the repository: file events → ignore rules → bursts → what changed.
//!
//! `debounce`, `affected` and `loops` are pure; `attribution` tells the checks' own
//! writes from the user's edits; `ignore` reads ignore files; `engine` owns the notify
//! watcher and turns its events into `WatchEvent`s for the headless watch mode and the
//! cockpit alike.

pub mod affected;
pub mod attribution;
pub mod debounce;
pub mod engine;
pub mod ignore;
pub mod loops;
pub mod tree;
