//! Drawing: `draw(frame, model, theme)` reads the model and draws; it changes nothing.
//! One module per pane, each `fn draw(frame, area, model, theme)`.
//!
//! ```text
//! ┌ header: project · branch@commit · dirty · watch state ·········· verdict ┐
//! │ plan (30%)        │ checks (30%)        │ output of the selected check  │  top row
//! ├ register (position, counts, filter, sort, marks) ─────────────────────────┤  the rest
//! │ ID  SEV  STATUS  B  TITLE                    OWNER  AGE  SOURCE          │
//! ├ the selected issue's detail, when open (a split under the table) ────────┤
//! └ footer: key hints for the focused pane, or the last notice ──────────────┘
//! ```
//! Overlays (help, palette, prompts) are drawn last, over the panes.
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
mod log;
mod output;
mod overlay;
mod plan;
mod register;

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

/// Where each pane goes on a screen of a given size.
#[derive(Debug, Clone, Copy, Default)]
pub struct Areas {
    pub header: Rect,
    pub plan: Rect,
    pub checks: Rect,
    pub output: Rect,
    pub register: Rect,
    pub footer: Rect,
}

/// The layout for a terminal of `size` (columns, rows). Pure: `update` uses it for
/// page sizes, `draw` to place the panes.
pub fn layout(size: (u16, u16), _model: &Model) -> Areas {
    let area = Rect::new(0, 0, size.0, size.1);
    let body = size.1.saturating_sub(2);
    // The top row gets 40% of the body, at least 7 rows when it can.
    let top = (body * 2 / 5).max(7.min(body / 2));
    let [header, top_row, register, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(top),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let [plan, checks, output] = Layout::horizontal([
        Constraint::Percentage(30),
        Constraint::Percentage(30),
        Constraint::Fill(1),
    ])
    .areas(top_row);
    Areas {
        header,
        plan,
        checks,
        output,
        register,
        footer,
    }
}

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
    header::draw(frame, areas.header, model, theme);
    plan::draw(frame, areas.plan, model, theme);
    checks::draw(frame, areas.checks, model, theme);
    output::draw(frame, areas.output, model, theme);
    let (table, below) = register_split(areas.register, model.detail);
    register::draw(frame, table, model, theme);
    if model.detail {
        detail::draw(frame, below, model, theme);
    }
    footer::draw(frame, areas.footer, model, theme);
    overlay::draw(frame, size, model, theme);
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
