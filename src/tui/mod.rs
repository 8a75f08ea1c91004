//! The cockpit's building blocks. Only this module knows about the terminal. So far:
//! themes and the key map, both plain data with their tests; the panes and the event
//! loop come next (issue #6), and until then no command opens a terminal UI.

pub mod keymap;
pub mod theme;
