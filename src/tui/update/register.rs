//! The register pane's own keys: the detail (and the source lines it shows), sorting
//! by a column, copying, and handing an issue or its code to `$EDITOR`.

use super::{fix_offsets, refuse_triage, Batch, BatchKind, Effect, Model};
use crate::tui::register::SortKey;

/// `enter` on the register: the detail opens in a split under the table (again: it
/// closes).
pub(super) fn toggle_detail(model: &mut Model) -> Vec<Effect> {
    model.detail = !model.detail;
    fix_offsets(model);
    source_for_detail(model)
}

/// While the detail is open on a finding with a line: read its source lines, unless
/// they are the ones already read.
pub(super) fn source_for_detail(model: &mut Model) -> Vec<Effect> {
    if !model.detail {
        return Vec::new();
    }
    let Some((path, line)) = place_of(model) else {
        return Vec::new();
    };
    let Some(line) = line else {
        return Vec::new();
    };
    let known = model
        .source
        .as_ref()
        .is_some_and(|s| s.path == path && s.line == line);
    if known {
        return Vec::new();
    }
    model.source = None;
    vec![Effect::ReadSource { path, line }]
}

/// The highlighted finding's path and line.
fn place_of(model: &Model) -> Option<(String, Option<u32>)> {
    let issue = model.register.current(&model.issues)?;
    let finding = issue.finding.as_ref()?;
    Some((finding.path.clone()?, finding.line))
}

/// A sort key: that column, or the same column reversed.
pub(super) fn sort_by(model: &mut Model, key: SortKey) -> Vec<Effect> {
    if model.register.sort == key {
        model.register.reverse = !model.register.reverse;
    } else {
        model.register.sort = key;
        model.register.reverse = false;
    }
    let way = if model.register.reverse {
        " (reversed)"
    } else {
        ""
    };
    model.tell(format!("sorted by {}{way}", key.name()));
    fix_offsets(model);
    Vec::new()
}

/// `y` / `Y`: the id, or the finding's `path:line`, to the clipboard.
pub(super) fn copy(model: &mut Model, place: bool) -> Vec<Effect> {
    let Some(issue) = model.register.current(&model.issues) else {
        model.tell("no issue is highlighted");
        return Vec::new();
    };
    let text = if place {
        match place_of(model) {
            Some((path, Some(line))) => format!("{path}:{line}"),
            Some((path, None)) => path,
            None => {
                let id = issue.id.clone();
                model.tell(format!("{id} has no location to copy"));
                return Vec::new();
            }
        }
    } else {
        issue.id.clone()
    };
    // What goes to the clipboard is one clean line (a repository's path may hold
    // anything).
    let clean: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(crate::tui::field::FIELD_MAX)
        .collect();
    model.tell(format!("copied {clean}"));
    vec![Effect::Copy(clean)]
}

/// `E`: the finding's file at its line in `$EDITOR`.
pub(super) fn open_code(model: &mut Model) -> Vec<Effect> {
    match place_of(model) {
        Some((path, line)) => vec![Effect::OpenCode { path, line }],
        None => {
            let what = model
                .register
                .current(&model.issues)
                .map_or("no issue is highlighted".to_string(), |i| {
                    format!("{} has no location in the code", i.id)
                });
            model.tell(what);
            Vec::new()
        }
    }
}

/// `e`: the issue file in `$EDITOR`, saved through the revision check.
pub(super) fn edit(model: &mut Model) -> Vec<Effect> {
    if let Some(refusal) = refuse_triage(model) {
        model.warn(refusal);
        return Vec::new();
    }
    let Some((id, base)) = model.seen.clone() else {
        model.tell("no issue is highlighted");
        return Vec::new();
    };
    let batch = model.batch(Batch::new(
        BatchKind::Do {
            label: "edited".into(),
        },
        1,
    ));
    vec![Effect::Edit {
        batch,
        id,
        base,
        again: false,
    }]
}
