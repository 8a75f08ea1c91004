//! Text for people: formatting helpers shared by the command line, the report and the
//! cockpit. Below all three, so none borrows from another.

pub mod format;
