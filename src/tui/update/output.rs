//! The output pane: scrolling (pinned by line number), following, searching, wrapping,
//! sideways scrolling and zoom.

use super::key_for;
use crate::tui::action::Action;
use crate::tui::model::{Model, Pane};
use crate::tui::view::scrollback::Content;

/// Run `f` on the selected check's output as the pane shows it (its size and wrap).
pub(super) fn with_content<T>(model: &Model, f: impl FnOnce(&Content) -> T) -> Option<T> {
    let check = model.selected_check()?;
    let output = check.output.as_ref()?;
    let ring = output.lock();
    let area = crate::tui::view::output::text_area(crate::tui::view::layout(model.size, model));
    let log = model.log_of(&check.id);
    let content = Content {
        ring: &ring,
        log: log.as_deref(),
        width: usize::from(area.width),
        height: usize::from(area.height),
        wrap: model.output.wrap,
    };
    Some(f(&content))
}

/// Move the view `delta` lines (down is positive). Reaching the tail follows it again.
pub(super) fn scroll_output(model: &mut Model, delta: isize) {
    let pinned = model.output.pinned;
    let next = with_content(model, |c| {
        if c.end() == 0 {
            return None;
        }
        let window = c.window(pinned);
        let last = c.end() - 1;
        let top = match delta {
            d if d <= isize::MIN / 4 => c.start(),
            d if d >= isize::MAX / 4 => last,
            // Moving up from a tail that cuts its top line shows that line whole first.
            d if d < 0 && window.skip > 0 => window.top.saturating_sub(d.unsigned_abs() as u64 - 1),
            d if d < 0 => window.top.saturating_sub(d.unsigned_abs() as u64),
            d => window.top.saturating_add(d as u64).min(last),
        };
        let top = top.max(c.start());
        // Nothing left below a full pane: that is the tail, which is followed.
        (!c.fits_from(top)).then_some(top)
    });
    if let Some(next) = next {
        model.output.pinned = next;
    }
}

/// `f`: follow the tail, or stop following where the view is.
pub(super) fn toggle_follow(model: &mut Model) {
    if model.output.following() {
        let here = with_content(model, |c| {
            let w = c.tail();
            w.top + u64::from(w.skip > 0)
        });
        model.output.pinned = Some(here.unwrap_or(0));
        model.tell("stopped here: new lines arrive below · f follows again");
    } else {
        model.output.pinned = None;
        model.output.found = None;
    }
}

/// Move to the next (older: up) or previous (newer: down) line matching the search.
pub(super) fn find_match(model: &mut Model, older: bool) {
    let Some(needle) = model.output.search.clone().filter(|s| !s.is_empty()) else {
        model.tell("no search: / searches the output");
        return;
    };
    let needle = needle.to_lowercase();
    let (pinned, found) = (model.output.pinned, model.output.found);
    let hit = with_content(model, |c| {
        let window = c.window(pinned);
        let from = found.unwrap_or(if older {
            c.bottom(window) + 1
        } else {
            window.top.saturating_sub(1)
        });
        let first = c.first_kept();
        let matches = |n: &u64| {
            let at = usize::try_from(n - first).unwrap_or(usize::MAX);
            c.ring
                .get(at)
                .is_some_and(|l| crate::tui::ansi::plain(l).to_lowercase().contains(&needle))
        };
        let hit = if older {
            (first..from.max(first)).rev().find(matches)
        } else {
            (from.saturating_add(1).max(first)..c.end()).find(matches)
        };
        hit.map(|n| (n, context(c, n)))
    });
    match hit.flatten() {
        Some((n, top)) => {
            model.output.found = Some(n);
            model.output.pinned = Some(top);
        }
        None => model.tell(format!(
            "no {} match for “{needle}”",
            if older { "earlier" } else { "later" }
        )),
    }
}

/// The newest line matching the search (after the search prompt).
pub(super) fn find_match_from_tail(model: &mut Model) {
    model.output.found = None;
    model.output.pinned = None;
    find_match(model, true);
}

/// Where to pin the view so that line `n` shows with a few lines above it.
fn context(c: &Content, n: u64) -> u64 {
    n.saturating_sub(c.height as u64 / 3).max(c.start())
}

/// `left`/`right`: scroll long lines sideways (when not wrapping).
pub(super) fn scroll_sideways(model: &mut Model, right: bool) {
    if model.output.wrap {
        let key = key_for(model, Action::Wrap).unwrap_or_else(|| ":wrap".into());
        model.tell(format!("long lines wrap: {key} cuts them, then ←/→ scroll"));
        return;
    }
    let (pinned, column) = (model.output.pinned, model.output.column);
    let next = with_content(model, |c| {
        let step = (c.width / 4).max(8);
        let room = c.widest(c.window(pinned)).saturating_sub(c.width);
        if right {
            (column + step).min(room)
        } else {
            column.saturating_sub(step)
        }
    });
    model.output.column = next.unwrap_or(0);
}

/// `w`: wrap long lines, or cut them (and scroll sideways).
pub(super) fn toggle_wrap(model: &mut Model) {
    model.output.wrap = !model.output.wrap;
    model.output.column = 0;
    model.tell(if model.output.wrap {
        "long lines wrap"
    } else {
        "long lines are cut: ←/→ scroll sideways"
    });
}

/// `z`: the output alone on the screen, and back.
pub(super) fn toggle_zoom(model: &mut Model) {
    model.output.zoom = !model.output.zoom;
    if model.output.zoom {
        model.focus = Pane::Output;
    }
}
