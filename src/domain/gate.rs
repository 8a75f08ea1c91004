//! Release gates as declared. Evaluation into a verdict comes with the register.

use std::collections::BTreeMap;

use crate::domain::finding::Severity;

#[derive(Debug, Clone, PartialEq)]
pub enum GateKind {
    /// These checks must pass at the current tree.
    Checks(Vec<String>),
    /// At most this many open issues per severity.
    MaxOpen(BTreeMap<Severity, u32>),
    /// At most this many open release blockers.
    Blockers(u32),
    /// Every task of this phase is done.
    TasksDone(String),
    /// A check's metric stays within bounds.
    Metric {
        check: String,
        min: Option<f64>,
        max: Option<f64>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct GateSpec {
    pub id: String,
    pub name: String,
    /// Shown, never blocking.
    pub advisory: bool,
    pub kind: GateKind,
}
