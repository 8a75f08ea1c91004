//! The process's exit codes: what a script or CI reads of the outcome. One place, so
//! every command means the same by each number.

/// Exit code when some check failed, or the verdict is NO-GO.
pub const FAILED: u8 = 1;
/// Exit code for usage, configuration and I/O errors.
pub const ERROR: u8 = 2;
/// Exit code after a background panic (as Rust's own).
pub const PANIC: u8 = 101;
/// Exit code after Ctrl-C, SIGTERM or SIGHUP.
pub const INTERRUPTED: u8 = 130;
