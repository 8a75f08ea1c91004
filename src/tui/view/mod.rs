//! Drawing: `draw(frame, model, theme)` reads the model and draws; it changes nothing.
//! One module per pane, each `fn draw(frame, area, model, theme)`; where each goes is
//! decided in [`layout`] (its doc has the picture). Overlays (help, palette, prompts,
//! trust) are drawn last, over the panes.
//!
//! Text from the repository, its reports or its checks (titles, owners, notes, paths,
//! plan titles, check ids, config errors) is hostile: every view draws it through
//! [`safe`] (one-line fields) or [`safe_lines`] (multi-line ones), never as it is, and
//! check output through `tui::ansi`. ratatui drops raw control characters, but not
//! bidi overrides, and a dropped newline silently glues two lines together.

mod checks;
mod detail;
mod footer;
mod header;
mod layout;
mod log;
pub mod output;
mod overlay;
mod plan;
mod register;
pub mod scrollback;
pub mod trust;

pub use layout::{layout, needs_attention, Areas, SMALLEST};

use super::model::{Model, Pane};
use super::theme::{Theme, Ui};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};
use ratatui::Frame;
use std::borrow::Cow;

/// A one-line field from the repository or a check, as it may be drawn: controls and
/// bidi characters shown escaped, line breaks as `⏎` (`text::sanitize::one_line`).
pub(super) fn safe(text: &str) -> Cow<'_, str> {
    crate::text::sanitize::one_line(text)
}

/// A multi-line field, as the lines to draw (`text::sanitize::multi_line`).
pub(super) fn safe_lines(text: &str) -> Vec<String> {
    crate::text::sanitize::multi_line(text)
        .split('\n')
        .map(str::to_string)
        .collect()
}

/// Every pane's view has this shape (trippy's one signature per panel).
type DrawPane = fn(&mut Frame, Rect, &Model, &Theme);

/// The register's area split for the detail: the table keeps the top (at least its
/// header and three rows), the detail gets the rest. Without the detail, all of it is
/// the table's.
pub fn register_split(area: Rect, detail: bool) -> (Rect, Rect) {
    if !detail {
        return (area, Rect::new(area.x, area.bottom(), area.width, 0));
    }
    let table = (area.height * 2 / 5).max(6.min(area.height / 2));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(table), Constraint::Fill(1)]).areas(area);
    (top, bottom)
}

/// Draw the whole cockpit.
pub fn draw(frame: &mut Frame, model: &Model, theme: &Theme) {
    let size = frame.area();
    let areas = layout((size.width, size.height), model);
    if areas.too_small {
        too_small(frame, size, theme);
        return;
    }
    header::draw(frame, areas.header, model, theme);
    let panes: [(Rect, DrawPane); 3] = [
        (areas.plan, plan::draw),
        (areas.checks, checks::draw),
        (areas.output, output::draw),
    ];
    for (area, draw) in panes {
        if !area.is_empty() {
            draw(frame, area, model, theme);
        }
    }
    // The detail is a split under the table.
    if !areas.register.is_empty() {
        let (table, below) = register_split(areas.register, model.detail);
        register::draw(frame, table, model, theme);
        if model.detail {
            detail::draw(frame, below, model, theme);
        }
    }
    footer::draw(frame, areas.footer, model, theme);
    overlay::draw(frame, size, model, theme);
}

/// Below the smallest usable size: say so, instead of broken boxes.
fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = format!("terminal too small ({}x{} needed)", SMALLEST.0, SMALLEST.1);
    let lines = vec![
        Line::styled(text, theme.ui(Ui::Error)),
        Line::styled(
            format!("now {}x{} · q quits", area.width, area.height),
            theme.ui(Ui::Dim),
        ),
    ];
    let top = area.height.saturating_sub(2) / 2;
    let rect = Rect::new(
        area.x,
        area.y + top,
        area.width,
        area.height.saturating_sub(top).min(2),
    );
    frame.render_widget(
        ratatui::widgets::Paragraph::new(lines)
            .alignment(ratatui::layout::Alignment::Center)
            .wrap(ratatui::widgets::Wrap { trim: true }),
        rect,
    );
}

/// A pane's frame: its title, highlighted when the pane has the focus.
fn pane_block<'a>(model: &Model, pane: Pane, title: Line<'a>, theme: &Theme) -> Block<'a> {
    let focused = model.focus == pane && model.overlay.is_none();
    let border = if focused {
        theme.ui(Ui::BorderFocused)
    } else {
        theme.ui(Ui::Border)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(title)
}

/// A title: the name, then dim details (both may hold a check id or a path: sanitised).
fn title<'a>(name: &'a str, details: String, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::styled(
        format!(" {} ", safe(name)),
        theme.ui(Ui::Title),
    )];
    if !details.is_empty() {
        spans.push(Span::styled(
            format!("{} ", safe(&details)),
            theme.ui(Ui::Dim),
        ));
    }
    Line::from(spans)
}

/// The selection style, with reverse video when the theme's colours are gone.
fn selected(theme: &Theme, focused: bool) -> Style {
    let style = theme.ui(Ui::Selection);
    if focused {
        style
    } else {
        style.remove_modifier(ratatui::style::Modifier::BOLD)
    }
}

/// Spinner frames for running checks.
const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
