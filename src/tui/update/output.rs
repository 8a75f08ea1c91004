//! The output pane: searching the selected check's output.

use super::Model;

/// Lines kept of the selected check's output.
pub(super) fn output_len(model: &Model) -> usize {
    model
        .selected_check()
        .and_then(|c| c.output.as_ref())
        .map_or(0, |o| o.lock().len())
}

/// Move to the next (older: up) or previous (newer: down) line matching the search.
pub(super) fn find_match(model: &mut Model, older: bool) {
    let Some(needle) = model.output.search.clone().filter(|s| !s.is_empty()) else {
        model.tell("no search: / searches the output");
        return;
    };
    let Some(output) = model.selected_check().and_then(|c| c.output.clone()) else {
        return;
    };
    let ring = output.lock();
    let lines: Vec<&str> = ring.lines().collect();
    let len = lines.len();
    let needle = needle.to_lowercase();
    let matches = |i: usize| {
        crate::tui::ansi::plain(lines[i])
            .to_lowercase()
            .contains(&needle)
    };
    // The line shown at the bottom of the pane is `len - 1 - scroll`.
    let current = len.saturating_sub(1 + model.output.scroll);
    let found = if older {
        (0..current).rev().find(|&i| matches(i))
    } else {
        (current + 1..len).find(|&i| matches(i))
    };
    drop(ring);
    match found {
        Some(i) => {
            model.output.scroll = len - 1 - i;
            model.output.follow = false;
        }
        None => model.tell(format!(
            "no {} match for “{needle}”",
            if older { "earlier" } else { "later" }
        )),
    }
}

/// The newest line matching the search, counting the bottom line itself.
pub(super) fn find_match_from_tail(model: &mut Model) {
    model.output.scroll = 0;
    let Some(output) = model.selected_check().and_then(|c| c.output.clone()) else {
        return;
    };
    let needle = model
        .output
        .search
        .clone()
        .unwrap_or_default()
        .to_lowercase();
    let ring = output.lock();
    let found = ring
        .lines()
        .rev()
        .position(|l| crate::tui::ansi::plain(l).to_lowercase().contains(&needle));
    drop(ring);
    match found {
        Some(up) => {
            model.output.scroll = up;
            model.output.follow = false;
        }
        None => model.tell(format!("no match for “{needle}”")),
    }
}
