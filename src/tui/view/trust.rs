//! The trust dialog: every line of every command that would run (with its `cwd` and
//! `env`), wrapped to the dialog, which takes the width it needs; scrollable, and `y`
//! trusts only once the end was shown. When the repository was trusted before, what
//! is new, changed or gone since is marked, line by line.

use super::super::model::Model;
use super::super::theme::{Theme, Ui};
use super::scrollback::wrap;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};
use ratatui::Frame;
use std::collections::{BTreeMap, BTreeSet};
use unicode_width::UnicodeWidthStr;

/// Columns a command line is indented by (the marker goes in them).
const INDENT: usize = 6;
/// Rows of the dialog that do not scroll: borders, the blank row and the hint.
const FIXED_ROWS: u16 = 4;

/// Where the dialog goes on `screen`, and the width of its text.
fn area(screen: Rect, model: &Model) -> Rect {
    let commands = crate::trust::commands_of(&model.config);
    let longest = commands
        .values()
        .flat_map(|text| text.lines())
        .map(|line| visible(line).width() + INDENT)
        .max()
        .unwrap_or(0);
    let width = u16::try_from(longest)
        .unwrap_or(u16::MAX)
        .saturating_add(2)
        .max(66)
        .min(screen.width.saturating_sub(4))
        .max(screen.width.min(40));
    let rows = lines(model, usize::from(width.saturating_sub(2)), &Theme::plain()).len();
    let height = (rows as u16 + FIXED_ROWS).min(screen.height.saturating_sub(2));
    Rect::new(
        screen.x + (screen.width - width) / 2,
        screen.y + (screen.height - height) / 2,
        width,
        height,
    )
}

/// How far the dialog scrolls on the model's screen (0: everything shows).
pub fn max_scroll(model: &Model) -> usize {
    let screen = Rect::new(0, 0, model.size.0, model.size.1);
    let area = area(screen, model);
    let rows = lines(
        model,
        usize::from(area.width.saturating_sub(2)),
        &Theme::plain(),
    )
    .len();
    rows.saturating_sub(usize::from(area.height.saturating_sub(FIXED_ROWS)))
}

pub fn draw(frame: &mut Frame, screen: Rect, model: &Model, scroll: usize, theme: &Theme) {
    let area = area(screen, model);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.ui(Ui::BorderFocused))
        .title(Span::styled(
            format!(" Trust {}? ", super::safe(&model.config_name)),
            theme.ui(Ui::Title),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let all = lines(model, usize::from(inner.width), theme);
    let shown = usize::from(inner.height.saturating_sub(2));
    let scroll = scroll.min(all.len().saturating_sub(shown));
    let rest = all.len().saturating_sub(scroll + shown);
    let body: Vec<Line> = all.into_iter().skip(scroll).take(shown).collect();
    frame.render_widget(
        Paragraph::new(body),
        Rect::new(
            inner.x,
            inner.y,
            inner.width,
            inner.height.saturating_sub(2),
        ),
    );
    let key = theme.ui(Ui::Key);
    let dim = theme.ui(Ui::Dim);
    let hint = if rest > 0 {
        Line::from(vec![
            Span::styled(format!("↓ {rest} more lines"), theme.ui(Ui::Error)),
            Span::styled(" · read to the end to trust (", dim),
            Span::styled("j", key),
            Span::styled(", ", dim),
            Span::styled("space", key),
            Span::styled(") · any other key cancels", dim),
        ])
    } else {
        Line::from(vec![
            Span::styled("y", key),
            Span::styled(" trusts them · ", dim),
            Span::styled("k", key),
            Span::styled(" scrolls back · any other key cancels", dim),
        ])
    };
    frame.render_widget(
        Paragraph::new(hint),
        Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1),
    );
}

/// How a check stands against the last trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Since {
    /// Never trusted before, or unchanged.
    Same,
    New,
    Changed,
}

/// The dialog's text at `width` columns, every command line wrapped.
pub fn lines(model: &Model, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let commands = crate::trust::commands_of(&model.config);
    let before = model.trusted_before.as_ref();
    let text = theme.ui(Ui::Text);
    let dim = theme.ui(Ui::Dim);
    let loud = theme.ui(Ui::Error);
    let mut out = wrap(
        Line::styled(
            "These run now and on every change (sh -c, in the repository):",
            text,
        ),
        width,
    );
    if let Some(before) = before {
        out.extend(wrap(Line::styled(summary(&commands, before), loud), width));
    }
    for check in &model.config.checks {
        let now = commands.get(&check.id).cloned().unwrap_or_default();
        let old = before.and_then(|b| b.get(&check.id));
        let since = match (before, old) {
            (None, _) => Since::Same,
            (Some(_), None) => Since::New,
            (Some(_), Some(old)) if *old != now => Since::Changed,
            _ => Since::Same,
        };
        out.push(Line::raw(""));
        let mut heading = vec![Span::styled(
            format!("{} ", visible(&check.id)),
            theme.ui(Ui::Key),
        )];
        match since {
            Since::New => heading.push(Span::styled("new since you last trusted", loud)),
            Since::Changed => heading.push(Span::styled("changed since you last trusted", loud)),
            Since::Same => {}
        }
        out.push(Line::from(heading));
        let old_lines: BTreeSet<&str> = old.map(|o| o.lines().collect()).unwrap_or_default();
        for line in now.lines() {
            let added = since == Since::Changed && !old_lines.contains(line);
            let style = if added { loud } else { text };
            out.extend(command_line(
                line,
                if added { "+" } else { "" },
                style,
                width,
            ));
        }
        if since == Since::Changed {
            let new_lines: BTreeSet<&str> = now.lines().collect();
            for line in old.into_iter().flat_map(|o| o.lines()) {
                if !new_lines.contains(line) {
                    out.extend(command_line(line, "-", dim, width));
                }
            }
        }
    }
    if model.config.checks.is_empty() {
        out.push(Line::styled("(no checks yet: nothing runs)", dim));
    }
    if let Some(before) = before {
        for (id, _) in before.iter().filter(|(id, _)| !commands.contains_key(*id)) {
            out.push(Line::raw(""));
            out.push(Line::styled(
                format!("{} removed: no longer runs", visible(id)),
                dim,
            ));
        }
    }
    out
}

/// "Since you last trusted: 1 new, 1 changed, 1 removed".
fn summary(now: &BTreeMap<String, String>, before: &BTreeMap<String, String>) -> String {
    let new = now.keys().filter(|k| !before.contains_key(*k)).count();
    let changed = now
        .iter()
        .filter(|(k, v)| before.get(*k).is_some_and(|b| b != *v))
        .count();
    let removed = before.keys().filter(|k| !now.contains_key(*k)).count();
    if new + changed + removed == 0 {
        return "The commands are as you last trusted them; the file changed elsewhere.".into();
    }
    let parts: Vec<String> = [(new, "new"), (changed, "changed"), (removed, "removed")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    format!(
        "Since you last trusted: {} (marked below).",
        parts.join(", ")
    )
}

/// One line of a command, wrapped under a hanging indent with `marker` in it.
fn command_line(line: &str, marker: &str, style: Style, width: usize) -> Vec<Line<'static>> {
    let room = width.saturating_sub(INDENT).max(1);
    wrap_words(&visible(line), room)
        .into_iter()
        .map(|row| Line::styled(row, style))
        .enumerate()
        .map(|(i, row)| {
            let lead = if i == 0 {
                format!("  {marker:<2}  ")
            } else {
                format!("{:INDENT$}", "")
            };
            let mut spans = vec![Span::styled(lead, style)];
            spans.extend(row.spans);
            Line::from(spans)
        })
        .collect()
}

/// `text` in rows of at most `width` columns, broken after a space where one is
/// (a word longer than a row is cut). Every character is kept: the rows joined are
/// the text.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split_inclusive(' ') {
        if row.width() + word.trim_end().width() > width && !row.is_empty() {
            rows.push(std::mem::take(&mut row));
        }
        if word.trim_end().width() > width {
            for line in wrap(Line::raw(word.to_string()), width) {
                let piece: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
                if row.width() + piece.width() > width && !row.is_empty() {
                    rows.push(std::mem::take(&mut row));
                }
                row.push_str(&piece);
            }
        } else {
            row.push_str(word);
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

/// Text as it really is, with nothing hidden: controls and bidirectional characters
/// escaped as everywhere (`text::sanitize::one_line`), and, since what runs must be
/// read exactly, zero-width characters named too and tabs spread to spaces.
pub fn visible(text: &str) -> String {
    let mut out = String::new();
    for c in super::safe(text).chars() {
        match c {
            '\t' => out.push_str("    "),
            '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => {
                out.push_str(&format!("<U+{:04X}>", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_wrap_after_spaces_and_keep_every_character() {
        let text = "CARGO_TARGET_DIR=/tmp/t flock /tmp/l cargo fmt --all -- --check";
        let rows = wrap_words(text, 24);
        assert_eq!(
            rows,
            [
                "CARGO_TARGET_DIR=/tmp/t ",
                "flock /tmp/l cargo fmt ",
                "--all -- --check"
            ]
        );
        assert_eq!(rows.concat(), text);
        let long = "x".repeat(30) + " y";
        let rows = wrap_words(&long, 12);
        assert_eq!(rows.concat(), long);
        assert!(rows.iter().all(|r| r.width() <= 12), "{rows:?}");
    }

    #[test]
    fn hidden_characters_are_shown_by_name() {
        assert_eq!(visible("a\x1b[2Jb"), "a\\e[2Jb");
        assert_eq!(visible("x\u{202e}y\u{200b}"), "x\\u{202e}y<U+200B>");
        assert_eq!(visible("a\tb\x7f"), "a    b\\u{7f}");
    }
}
