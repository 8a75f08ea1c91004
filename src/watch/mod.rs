//! Watching the repository: file events → ignore rules → bursts → what changed.
//!
//! `debounce` and `affected` are pure; `ignore` reads ignore files; `engine` owns the
//! notify watcher and turns its events into [`WatchEvent`]s for the headless watch mode
//! and the cockpit alike.

pub mod affected;
pub mod debounce;
pub mod engine;
pub mod ignore;
