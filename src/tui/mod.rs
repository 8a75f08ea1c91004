//! The cockpit: the full-screen terminal UI. Only this module knows about the terminal.
//!
//! One loop (`app`) owns the terminal and the [`model::Model`]; every event becomes an
//! [`update::Msg`] for the pure `update`, which returns [`update::Effect`]s for the app
//! to carry out; `view` draws the model and changes nothing. Themes, the key map, the
//! register's view state and the triage writes are plain data with their own tests.

pub mod action;
pub mod ansi;
pub mod app;
pub mod backend;
pub mod field;
pub mod keymap;
pub mod log;
pub mod model;
pub mod refresh;
pub mod register;
pub mod settings;
pub mod term;
pub mod theme;
pub mod triage;
pub mod update;
pub mod view;

#[cfg(test)]
mod colour_tests;
#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_pairing;
