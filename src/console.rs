//! Printing for the headless commands, so that a reader going away is not an error.
//!
//! `preflight issue list | head` closes the pipe after ten lines; the next write fails
//! with EPIPE, which `println!` turns into a panic (and a colour backtrace). Here the
//! first failed write to stdout marks it closed and every later line is dropped: the
//! command finishes its work quietly and exits with the code it would have had, and
//! watch mode stops when nobody reads it any more. Writes to stderr never fail a
//! command either (a dropped SSH session takes stderr with it).
//!
//! The flag is process-wide because stdout is: one handle, one state.

use std::fmt;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

/// Stdout failed once (its reader is gone): nothing more is written to it.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Write one line to stdout, unless its reader is gone.
pub fn out(args: fmt::Arguments) {
    write_out(args, true);
}

/// Write to stdout without a line break, unless its reader is gone.
pub fn out_raw(args: fmt::Arguments) {
    write_out(args, false);
}

fn write_out(args: fmt::Arguments, newline: bool) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    let written = stdout.write_fmt(args).and_then(|()| {
        if newline {
            stdout.write_all(b"\n")
        } else {
            Ok(())
        }
    });
    if written.is_err() {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Write one line to stderr; a failure is ignored (there is nowhere left to say it).
pub fn err(args: fmt::Arguments) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_fmt(args)
        .and_then(|()| stderr.write_all(b"\n"));
}

/// Whether stdout's reader went away: watch mode then stops as after Ctrl-C.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// `println!` that stops quietly when stdout's reader is gone (see [`console`](self)).
macro_rules! outln {
    () => { $crate::console::out(format_args!("")) };
    ($($arg:tt)*) => { $crate::console::out(format_args!($($arg)*)) };
}

/// `print!` that stops quietly when stdout's reader is gone.
macro_rules! out {
    ($($arg:tt)*) => { $crate::console::out_raw(format_args!($($arg)*)) };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::console::err(format_args!($($arg)*)) };
}
