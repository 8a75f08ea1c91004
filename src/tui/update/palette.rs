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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, Source};
    use crate::tui::keymap::KeyMap;
    use test_case::test_case;

    fn model() -> Model {
        let config = config::load_str("", std::path::Path::new("p.toml"), Source::Default)
            .unwrap_or_else(|e| panic!("{e}"));
        Model::new(config, KeyMap::default_map().unwrap_or_default())
    }

    #[test_case("quit", &["quit"] ; "an exact name alone")]
    #[test_case("QUIT  ", &["quit"] ; "any case, spaces trimmed")]
    #[test_case("sev", &["severity-critical", "severity-high", "severity-medium", "severity-low", "severity-info"] ; "a prefix in table order")]
    #[test_case("down", &["down", "page-down", "half-page-down", "prev-match"] ; "exact, then containing, then described")]
    #[test_case("re-run", &["rerun", "rerun-all"] ; "words of the description")]
    #[test_case("release blocker", &["blocker"] ; "every word must match")]
    #[test_case("zzz", &[] ; "nothing")]
    fn the_palette_ranks_matches(input: &str, first: &[&str]) {
        let names: Vec<&str> = palette_matches(&model(), input)
            .iter()
            .map(|(a, _)| a.name())
            .collect();
        assert_eq!(&names[..first.len().min(names.len())], first, "{names:?}");
        if first.is_empty() {
            assert!(names.is_empty(), "{names:?}");
        }
    }

    #[test]
    fn an_empty_palette_lists_every_action_with_its_key() {
        let all = palette_matches(&model(), "");
        assert_eq!(all.len(), Action::ALL.len());
        assert_eq!(all[0], (Action::Quit, "q".to_string()));
        assert!(all.iter().all(|(_, key)| !key.is_empty()), "{all:?}");
    }
}
