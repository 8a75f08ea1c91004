//! Overlays: the help (every binding, generated from the key map), the command
//! palette, the dismissal reason picker and text prompts (the trust dialog has its
//! own module).

use super::super::field::Field;
use super::super::keymap::Scope;
use super::super::model::{Ask, Model, Overlay};
use super::super::theme::{Theme, Ui};
use super::super::update::palette_matches;
use crate::domain::issue::DismissReason;
use crate::text::format::wrap;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, screen: Rect, model: &Model, theme: &Theme) {
    let Some(overlay) = &model.overlay else {
        return;
    };
    match overlay {
        Overlay::Help { scroll } => help(frame, screen, model, *scroll, theme),
        Overlay::Palette { input, selected } => {
            palette(frame, screen, model, input, *selected, theme)
        }
        Overlay::Reasons { targets, selected } => {
            reasons(frame, screen, &who(targets), *selected, theme)
        }
        // The filter and the search are typed in the footer, over the panes they change.
        Overlay::Input {
            ask: Ask::Filter { .. } | Ask::Search,
            ..
        } => {}
        Overlay::Input { ask, field, error } => {
            input(frame, screen, ask, field, error.as_deref(), theme)
        }
        Overlay::Trust { scroll } => super::trust::draw(frame, screen, model, *scroll, theme),
        Overlay::Log { selected } => super::log::draw(frame, screen, model, *selected, theme),
        Overlay::EditAgain { id, error, .. } => edit_again(frame, screen, id, error, theme),
    }
}

/// "PF-7K3Q" or "25 issues", for a prompt's title.
fn who(targets: &[(String, u64)]) -> String {
    match targets {
        [(id, _)] => super::safe(id).into_owned(),
        many => format!("{} issues", many.len()),
    }
}

/// A field's text with its cursor (a suggestion shown dim: typing replaces it). A
/// pre-fill may come from an issue file: both halves go through `safe`.
pub fn field_spans<'a>(field: &Field, theme: &Theme) -> Vec<Span<'a>> {
    let text = field.text();
    let (before, after) = text.split_at(field.cursor());
    let style = if field.is_prefilled() {
        theme.ui(Ui::Dim)
    } else {
        theme.ui(Ui::Text)
    };
    vec![
        Span::styled(super::safe(before).into_owned(), style),
        Span::styled("▏", theme.ui(Ui::Key)),
        Span::styled(super::safe(after).into_owned(), style),
    ]
}

fn edit_again(frame: &mut Frame, screen: Rect, id: &str, error: &str, theme: &Theme) {
    // The error quotes the user's file (a parse error shows its text): `safe_lines`.
    let inner = popup(
        frame,
        screen,
        72,
        7,
        format!("{}: not saved", super::safe(id)),
        theme,
    );
    let mut lines: Vec<Line> = super::safe_lines(error)
        .into_iter()
        .map(|l| Line::styled(l, theme.ui(Ui::Error)))
        .collect();
    lines.extend([
        Line::raw(""),
        Line::from(vec![
            Span::styled("y", theme.ui(Ui::Key)),
            Span::styled(
                " edits it again (your text is kept) · any other key drops it",
                theme.ui(Ui::Dim),
            ),
        ]),
    ]);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn popup(
    frame: &mut Frame,
    screen: Rect,
    width: u16,
    height: u16,
    title: String,
    theme: &Theme,
) -> Rect {
    let [area] = Layout::horizontal([Constraint::Length(width.min(screen.width))])
        .flex(Flex::Center)
        .areas(screen);
    let [area] = Layout::vertical([Constraint::Length(height.min(screen.height))])
        .flex(Flex::Center)
        .areas(area);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.ui(Ui::BorderFocused))
        .title(Span::styled(format!(" {title} "), theme.ui(Ui::Title)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// The help overlay's width, and the keys column in it.
const HELP_WIDTH: u16 = 72;
const KEYS_WIDTH: u16 = 16;

fn help(frame: &mut Frame, screen: Rect, model: &Model, scroll: usize, theme: &Theme) {
    let room = usize::from(
        HELP_WIDTH
            .min(screen.width)
            .saturating_sub(2 + KEYS_WIDTH)
            .max(8),
    );
    let mut lines = Vec::new();
    for scope in Scope::ALL {
        let entries = model.keys.help(scope);
        if entries.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        let heading = match scope {
            Scope::Global => "Everywhere".to_string(),
            other => format!("In the {} pane", other.name()),
        };
        lines.push(Line::styled(heading, theme.ui(Ui::Title)));
        for (keys, action) in entries {
            // A long description continues under itself, never cut at the border.
            let said = wrap(action.description(), room);
            let keys = super::safe(&keys);
            for (n, part) in said.into_iter().enumerate() {
                let keys = if n == 0 { keys.as_ref() } else { "" };
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("  {keys:<width$}", width = usize::from(KEYS_WIDTH) - 2),
                        theme.ui(Ui::Key),
                    ),
                    Span::styled(part, theme.ui(Ui::Text)),
                ]));
            }
        }
    }
    let height = screen.height.saturating_sub(2);
    let inner = popup(
        frame,
        screen,
        HELP_WIDTH,
        height,
        "Keys · j/k scroll · any other key closes".into(),
        theme,
    );
    let scroll = scroll.min(lines.len().saturating_sub(usize::from(inner.height)));
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
}

fn palette(
    frame: &mut Frame,
    screen: Rect,
    model: &Model,
    input: &Field,
    selected: usize,
    theme: &Theme,
) {
    let matches = palette_matches(model, input.text());
    let height = (matches.len() as u16 + 4)
        .min(screen.height.saturating_sub(2))
        .max(5);
    let inner = popup(frame, screen, 64, height, "Run an action".into(), theme);
    let mut first = vec![Span::styled(": ", theme.ui(Ui::Key))];
    first.extend(field_spans(input, theme));
    let mut lines = vec![Line::from(first)];
    let rows = usize::from(inner.height.saturating_sub(1));
    let skip = selected.saturating_sub(rows.saturating_sub(1));
    for (i, (action, key)) in matches.iter().enumerate().skip(skip).take(rows) {
        let mut line = Line::from(vec![
            Span::styled(format!("{:<18}", action.name()), theme.ui(Ui::Text)),
            Span::styled(format!("{:<8}", super::safe(key)), theme.ui(Ui::Key)),
            Span::styled(action.description(), theme.ui(Ui::Dim)),
        ]);
        if i == selected {
            line = line.patch_style(theme.ui(Ui::Selection));
        }
        lines.push(line);
    }
    if matches.is_empty() {
        lines.push(Line::styled("no action matches", theme.ui(Ui::Dim)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn reasons(frame: &mut Frame, screen: Rect, id: &str, selected: usize, theme: &Theme) {
    // One reason (and one note) for every marked issue.
    let inner = popup(frame, screen, 48, 8, format!("Dismiss {id} because"), theme);
    let mut lines: Vec<Line> = DismissReason::ALL
        .iter()
        .enumerate()
        .map(|(i, reason)| {
            let line = Line::from(vec![
                Span::styled(format!(" {} ", i + 1), theme.ui(Ui::Key)),
                Span::styled(reason.as_str().replace('-', " "), theme.ui(Ui::Text)),
            ]);
            if i == selected {
                line.patch_style(theme.ui(Ui::Selection))
            } else {
                line
            }
        })
        .collect();
    lines.push(Line::styled(
        " 1-4 or j/k + enter · esc cancels",
        theme.ui(Ui::Dim),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn input(
    frame: &mut Frame,
    screen: Rect,
    ask: &Ask,
    field: &Field,
    error: Option<&str>,
    theme: &Theme,
) {
    let (title, hint): (String, String) = match ask {
        Ask::Filter { .. } | Ask::Search => return,
        Ask::Owner { targets } => (
            format!("Owner of {}", who(targets)),
            "tab completes from the register's owners · empty or - clears it".into(),
        ),
        Ask::DismissNote { targets, reason } => (
            format!("Dismiss {} ({})", who(targets), reason.as_str()),
            "a note, optional: enter to skip".into(),
        ),
        Ask::DismissExpiry { targets, .. } => (
            format!("Accepted risk on {}: comes back after", who(targets)),
            "YYYY-MM-DD or a duration (90d, 12w); empty: never".into(),
        ),
        Ask::Note { targets } => (
            format!(
                "Note on {}",
                match &targets[..] {
                    [one] => one.clone(),
                    many => format!("{} issues", many.len()),
                }
            ),
            "added to the issue's notes (kept: notes are never rewritten)".into(),
        ),
        Ask::NewTitle => (
            "New issue".into(),
            "its title (severity medium; 1-5 changes it)".into(),
        ),
    };
    let inner = popup(
        frame,
        screen,
        64,
        5,
        super::safe(&title).into_owned(),
        theme,
    );
    let mut first = vec![Span::styled("› ", theme.ui(Ui::Key))];
    first.extend(field_spans(field, theme));
    let second = match error {
        Some(error) => Line::styled(super::safe(error).into_owned(), theme.ui(Ui::Error)),
        None => Line::raw(""),
    };
    let lines = vec![
        Line::from(first),
        second,
        Line::styled(hint, theme.ui(Ui::Dim)),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
