//! The `:` palette: every action by name, matched as typed.

use super::{act, Effect};
use crate::tui::action::Action;
use crate::tui::field::Field;
use crate::tui::model::{Model, Overlay};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One palette row: the action, its first key (empty when unbound).
pub type Entry = (Action, String);

/// Actions matching `input`, best first: a name equal to the input, then names
/// starting with it, then names holding it, then any other match (every word of the
/// input in the name or the description), each group in [`Action::ALL`]'s order.
pub fn palette_matches(model: &Model, input: &str) -> Vec<Entry> {
    let query = input.trim().to_lowercase();
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut found: Vec<(u8, usize, Action)> = Action::ALL
        .iter()
        .enumerate()
        .filter(|(_, action)| {
            let hay = format!("{} {}", action.name(), action.description()).to_lowercase();
            words.iter().all(|w| hay.contains(w))
        })
        .map(|(order, action)| {
            let name = action.name();
            let rank = if name == query {
                0
            } else if name.starts_with(&query) {
                1
            } else if name.contains(&query) {
                2
            } else {
                3
            };
            (rank, order, *action)
        })
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|(_, _, action)| (action, model.keys.key_for(action).unwrap_or_default()))
        .collect()
}

/// A key in the open palette: move, type, run the selected action, or close.
pub(super) fn on_palette_key(
    model: &mut Model,
    mut input: Field,
    selected: usize,
    key: KeyEvent,
) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let cancel = key.code == KeyCode::Esc || (ctrl && matches!(key.code, KeyCode::Char('c' | 'g')));
    let matches = palette_matches(model, input.text());
    match key.code {
        _ if cancel => Vec::new(),
        KeyCode::Enter => match matches.get(selected) {
            Some((action, _)) => act(model, *action),
            None => Vec::new(),
        },
        KeyCode::Down | KeyCode::Tab => {
            let selected = (selected + 1).min(matches.len().saturating_sub(1));
            model.overlay = Some(Overlay::Palette { input, selected });
            Vec::new()
        }
        KeyCode::Up | KeyCode::BackTab => {
            let selected = selected.saturating_sub(1);
            model.overlay = Some(Overlay::Palette { input, selected });
            Vec::new()
        }
        _ => {
            input.key(&key);
            model.overlay = Some(Overlay::Palette { input, selected: 0 });
            Vec::new()
        }
    }
}
