//! The cockpit's building blocks. Only this module knows about the terminal. So far:
//! themes, the key map and the register pane's state (filter, sort, selection by id),
//! all plain data with their tests; the panes and the event
//! loop come next (issue #6), and until then no command opens a terminal UI.

pub mod keymap;
pub mod register;
pub mod theme;
pub mod triage;
