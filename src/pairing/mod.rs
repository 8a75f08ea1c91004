//! One runner per repository, every other instance following it live.
//!
//! Two people pairing on one repository (each in a cockpit, over SSH, maybe as two
//! Unix users) must not both run every check on every save: double the load, and two
//! writers of the same logs and reports. So the first cockpit or `check --watch`
//! becomes the repository's runner, and every later one follows it. Everything goes
//! through local state (`.git/preflight/`), kept writable by the repository's group
//! when it is shared ([`crate::sharing`]):
//!
//! - `runner.lock` ([`lock`]): held with `flock` by the runner, who writes
//!   `user@host pid role` in it. The kernel releases it when the runner's process
//!   ends however it ends, and a follower waiting on it takes over at that instant.
//! - `runs/<check>.json` ([`board`]): the runner's announcement of each check's run,
//!   queued, running, then done with its result; followers show the same states and
//!   results, and stream the run's output from `logs/<check>.log` as it is written.
//! - `requests/<check>.json` ([`request`]): a follower's `r`/`R`, served once by the
//!   runner however many asked.
//!
//! [`link`] is the thread that reads and writes these for a process, so that its event
//! loop never waits on a file; [`member`] is a process's place among the others
//! (runner or follower, hand-over), shared by the cockpit and the headless commands.

pub mod board;
pub mod link;
pub mod lock;
pub mod member;
pub mod request;

pub use board::{Board, Entry, Phase, RunResult};
pub use link::{Link, LinkOptions, Mode, Publisher, Seen};
pub use lock::{Claim, Holder, Role, RunnerLock};
pub use member::{Member, MemberOptions};
pub use request::{Request, Requests};
