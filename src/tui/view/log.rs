//! The session log overlay (`L`): newest first, who did what, the selected entry's
//! issues. Names, ids and texts come from issue files, peers and checks: each goes
//! through `safe`.

use super::super::log::Who;
use super::super::model::Model;
use super::super::theme::{Theme, Ui};
use super::overlay::popup;
use super::safe;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, screen: Rect, model: &Model, selected: usize, theme: &Theme) {
    let width = screen.width.saturating_sub(4).min(110);
    let height = screen.height.saturating_sub(2);
    let title = format!(
        "This session · {} · j/k move · enter shows the issue · q closes",
        model.log.len()
    );
    let inner = popup(frame, screen, width, height, title, theme);
    if model.log.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "Nothing happened yet: triage, runs and others' changes show here.",
                theme.ui(Ui::Dim),
            )),
            inner,
        );
        return;
    }
    // The selected entry's issues take the last line.
    let rows = usize::from(inner.height.saturating_sub(1)).max(1);
    let skip = selected.saturating_sub(rows - 1);
    let lines: Vec<Line> = model
        .log
        .newest_first()
        .enumerate()
        .skip(skip)
        .take(rows)
        .map(|(i, entry)| {
            let who = match &entry.who {
                Who::Me => "you".to_string(),
                Who::Other(name) => safe(name).into_owned(),
                Who::Run(check) => format!("run {}", safe(check)),
            };
            let style = if entry.error {
                theme.ui(Ui::Error)
            } else {
                theme.ui(Ui::Text)
            };
            let line = Line::from(vec![
                Span::styled(format!("{} ", entry.at), theme.ui(Ui::Dim)),
                Span::styled(format!("{:<12} ", clip(&who, 12)), theme.ui(Ui::Key)),
                Span::styled(safe(&entry.text).into_owned(), style),
            ]);
            if i == selected {
                line.patch_style(theme.ui(Ui::Selection))
            } else {
                line
            }
        })
        .collect();
    let [list, foot] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Fill(1),
        ratatui::layout::Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(lines), list);
    if let Some(entry) = model.log.get(selected) {
        let ids = match entry.ids.len() {
            0 => String::new(),
            n if n <= 6 => entry.ids.join(" "),
            n => format!("{} … ({n} issues)", entry.ids[..6].join(" ")),
        };
        let ids = safe(&ids).into_owned();
        frame.render_widget(Paragraph::new(Line::styled(ids, theme.ui(Ui::Dim))), foot);
    }
}

fn clip(text: &str, width: usize) -> String {
    crate::text::format::clip(text, width)
}
