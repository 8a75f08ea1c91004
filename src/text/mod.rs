//! Text for people: formatting helpers (`format`) and the terminal sanitiser
//! (`sanitize`) shared by the command line, the report and the cockpit. Below all
//! three, so none borrows from another.

pub mod format;
pub mod sanitize;
