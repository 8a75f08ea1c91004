//! Keys while an overlay is open: help, trust, the dismissal reasons; prompts and the
//! palette have their own modules.

use super::{apply_filter, edit_text, on_palette_key, submit, Effect};
use crate::domain::issue::DismissReason;
use crate::tui::model::{Ask, Model, Overlay};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub(super) fn on_overlay_key(model: &mut Model, overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let cancel = key.code == KeyCode::Esc || (ctrl && matches!(key.code, KeyCode::Char('c' | 'g')));
    match overlay {
        Overlay::Trust => {
            if key.code == KeyCode::Char('y') {
                vec![Effect::Trust]
            } else {
                model.tell("not trusted: nothing runs");
                Vec::new()
            }
        }
        Overlay::Help { scroll } => {
            let scroll = match key.code {
                KeyCode::Char('j') | KeyCode::Down => scroll + 1,
                KeyCode::Char('k') | KeyCode::Up => scroll.saturating_sub(1),
                KeyCode::PageDown | KeyCode::Char(' ') => scroll + 10,
                KeyCode::PageUp => scroll.saturating_sub(10),
                _ => return Vec::new(), // any other key closes help
            };
            model.overlay = Some(Overlay::Help { scroll });
            Vec::new()
        }
        Overlay::Palette { input, selected } => on_palette_key(model, input, selected, key),
        Overlay::Reasons { id, base, selected } => {
            let n = DismissReason::ALL.len();
            let pick = match key.code {
                _ if cancel => return Vec::new(),
                KeyCode::Char(c @ '1'..='9') => Some(c as usize - '1' as usize),
                KeyCode::Enter => Some(selected),
                KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                    model.overlay = Some(Overlay::Reasons {
                        id,
                        base,
                        selected: (selected + 1) % n,
                    });
                    return Vec::new();
                }
                KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                    model.overlay = Some(Overlay::Reasons {
                        id,
                        base,
                        selected: (selected + n - 1) % n,
                    });
                    return Vec::new();
                }
                _ => None,
            };
            match pick.and_then(|i| DismissReason::ALL.get(i)) {
                Some(reason) => {
                    model.overlay = Some(Overlay::Input {
                        ask: Ask::DismissNote {
                            id,
                            base,
                            reason: *reason,
                        },
                        text: String::new(),
                    });
                }
                None => model.overlay = Some(Overlay::Reasons { id, base, selected }),
            }
            Vec::new()
        }
        Overlay::Input { ask, mut text } => {
            if cancel {
                // The filter stays as typed (ctrl-u clears it); other prompts drop.
                return Vec::new();
            }
            if key.code == KeyCode::Enter {
                return submit(model, ask, text);
            }
            edit_text(&mut text, key.code, ctrl);
            match &ask {
                Ask::Filter => apply_filter(model, &text),
                Ask::Search => model.output.search = Some(text.clone()).filter(|t| !t.is_empty()),
                _ => {}
            }
            model.overlay = Some(Overlay::Input { ask, text });
            Vec::new()
        }
    }
}
