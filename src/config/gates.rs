//! `[[gate]]` tables → gate specs, each naming checks, phases and metrics that exist.

use super::{check_unique_ids, suggestion, Errors, GateKind, GateSpec, RawGate, Severity};
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;

pub(super) fn validate_gates(
    raw: &[RawGate],
    check_ids_set: &HashSet<&str>,
    metric_checks: &HashSet<&str>,
    phase_ids: &HashSet<&str>,
    phases_complete: bool,
    errors: &mut Errors,
) -> Vec<GateSpec> {
    check_unique_ids("gate", raw.iter().map(|g| &g.id), errors);
    let mut gates = Vec::new();
    for gate in raw {
        let id = gate.id.get_ref();
        let mut kinds: Vec<GateKind> = Vec::new();
        if let Some(checks) = &gate.checks {
            for check in checks {
                if !check_ids_set.contains(check.get_ref().as_str()) {
                    errors.at(
                        check.span(),
                        format!(
                            "gate `{id}` names check `{}`, which is not defined{}",
                            check.get_ref(),
                            suggestion(check.get_ref(), check_ids_set.iter().copied())
                        ),
                    );
                }
            }
            kinds.push(GateKind::Checks(
                checks.iter().map(|c| c.get_ref().clone()).collect(),
            ));
        }
        if let Some(max_open) = &gate.max_open {
            kinds.push(GateKind::MaxOpen(limits(max_open, errors)));
        }
        if let Some(max_new) = &gate.max_new {
            kinds.push(GateKind::MaxNew(limits(max_new, errors)));
        }
        if let Some(n) = gate.blockers {
            kinds.push(GateKind::Blockers(n));
        }
        if let Some(phase) = &gate.tasks_done {
            if phases_complete && !phase_ids.contains(phase.get_ref().as_str()) {
                errors.at(
                    phase.span(),
                    format!(
                        "gate `{id}` names phase `{}`, which is not defined{}",
                        phase.get_ref(),
                        suggestion(phase.get_ref(), phase_ids.iter().copied())
                    ),
                );
            }
            kinds.push(GateKind::TasksDone(phase.get_ref().clone()));
        }
        kinds.extend(metric_kind(gate, check_ids_set, metric_checks, errors));
        // `checks` with `max_open`: the limits count only those checks' findings.
        if let [GateKind::Checks(checks), GateKind::MaxOpen(limits)] = kinds.as_slice() {
            kinds = vec![GateKind::MaxOpenOf {
                checks: checks.clone(),
                limits: limits.clone(),
            }];
        }
        match kinds.len() {
            1 => gates.push(GateSpec {
                id: id.clone(),
                name: gate.name.clone().unwrap_or_else(|| id.clone()),
                advisory: gate.advisory.unwrap_or(false),
                kind: kinds.remove(0),
            }),
            0 => errors.at(
                gate.id.span(),
                format!(
                    "gate `{id}` says nothing to check: give one of `checks`, `max_open`, `max_new`, `blockers`, `tasks_done`, `metric`"
                ),
            ),
            _ => errors.at(
                gate.id.span(),
                format!("gate `{id}` mixes several kinds: give exactly one of `checks`, `max_open` (alone, or with `checks` to count only their findings), `max_new`, `blockers`, `tasks_done`, `metric`"),
            ),
        }
    }
    gates
}

/// A `metric` gate: the check must exist and declare a metric, with `min` or `max`.
fn metric_kind(
    gate: &RawGate,
    check_ids_set: &HashSet<&str>,
    metric_checks: &HashSet<&str>,
    errors: &mut Errors,
) -> Option<GateKind> {
    let id = gate.id.get_ref();
    if let Some(metric) = &gate.metric {
        let check = metric.get_ref();
        if !check_ids_set.contains(check.as_str()) {
            errors.at(
                metric.span(),
                format!(
                    "gate `{id}` reads the metric of check `{check}`, which is not defined{}",
                    suggestion(check, check_ids_set.iter().copied())
                ),
            );
        } else if !metric_checks.contains(check.as_str()) {
            errors.at(
                metric.span(),
                format!(
                    "gate `{id}` reads the metric of check `{check}`, which declares no `metric`"
                ),
            );
        }
        if gate.min.is_none() && gate.max.is_none() {
            errors.at(
                metric.span(),
                format!("gate `{id}` needs `min` or `max` with `metric`"),
            );
        }
        return Some(GateKind::Metric {
            check: check.clone(),
            min: gate.min,
            max: gate.max,
        });
    } else if gate.min.is_some() || gate.max.is_some() {
        errors.at(
            gate.id.span(),
            format!("gate `{id}` has `min`/`max` but no `metric`"),
        );
    }
    None
}

/// `{ critical = 0, high = 2 }` → limits per severity.
fn limits(table: &Spanned<BTreeMap<String, u32>>, errors: &mut Errors) -> BTreeMap<Severity, u32> {
    let mut limits = BTreeMap::new();
    for (sev, n) in table.get_ref() {
        match sev.parse::<Severity>() {
            Ok(s) => {
                limits.insert(s, *n);
            }
            Err(msg) => errors.at(table.span(), msg),
        }
    }
    limits
}
