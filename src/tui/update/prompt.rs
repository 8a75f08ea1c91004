//! Text prompts: the filter, the output search, owner, dismissal note and expiry, a new
//! issue's title.

use super::*;

pub(super) fn edit_text(text: &mut String, code: KeyCode, ctrl: bool) {
    match code {
        KeyCode::Char('u') if ctrl => text.clear(),
        KeyCode::Char('w') if ctrl => {
            let trimmed = text.trim_end().len();
            let cut = text[..trimmed].rfind(' ').map_or(0, |i| i + 1);
            text.truncate(cut);
        }
        KeyCode::Char(c) if !ctrl => text.push(c),
        KeyCode::Backspace => {
            text.pop();
        }
        _ => {}
    }
}

pub(super) fn apply_filter(model: &mut Model, text: &str) {
    match Filter::parse(text) {
        Ok(filter) => {
            model.register.filter = filter;
            model.register.filter_text = text.to_string();
            model.register.keep_selection(&model.issues);
            model.register_offset = 0;
            fix_offsets(model);
        }
        Err(e) => model.warn(format!("filter: {e}")),
    }
}

pub(super) fn submit(model: &mut Model, ask: Ask, text: String) -> Vec<Effect> {
    let value = text.trim().to_string();
    match ask {
        Ask::Filter => {
            apply_filter(model, &text);
            Vec::new()
        }
        Ask::Search => {
            model.output.search = Some(value).filter(|t| !t.is_empty());
            if model.output.search.is_some() {
                find_match_from_tail(model);
            }
            Vec::new()
        }
        Ask::Owner { id, base } => vec![Effect::Write(Write::Edit {
            id,
            base,
            edits: vec![crate::domain::triage::Edit::Owner(
                Some(value).filter(|v| !v.is_empty() && v != "-"),
            )],
        })],
        Ask::DismissNote { id, base, reason } => {
            let note = Some(value).filter(|v| !v.is_empty());
            if reason == DismissReason::AcceptedRisk {
                model.overlay = Some(Overlay::Input {
                    ask: Ask::DismissExpiry { id, base, note },
                    text: "90d".into(),
                });
                return Vec::new();
            }
            vec![Effect::Dismiss {
                id,
                base,
                reason,
                note,
                expires: None,
            }]
        }
        Ask::DismissExpiry { id, base, note } => match expiry_day(&value) {
            Ok(expires) => vec![Effect::Dismiss {
                id,
                base,
                reason: DismissReason::AcceptedRisk,
                note,
                expires,
            }],
            Err(e) => {
                model.warn(e);
                model.overlay = Some(Overlay::Input {
                    ask: Ask::DismissExpiry { id, base, note },
                    text,
                });
                Vec::new()
            }
        },
        Ask::NewTitle => {
            if value.is_empty() {
                model.tell("no title: nothing filed");
                Vec::new()
            } else {
                vec![Effect::NewIssue { title: value }]
            }
        }
    }
}

/// An accepted risk's expiry: `YYYY-MM-DD`, a duration from today (`90d`, `12w`), or
/// empty for none.
pub fn expiry_day(text: &str) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() || text == "-" {
        return Ok(None);
    }
    if crate::domain::triage::valid_day(text) {
        return Ok(Some(text.to_string()));
    }
    let span = humantime::parse_duration(text).map_err(|_| {
        format!("expiry `{text}`: give a day (YYYY-MM-DD) or a duration (90d, 12w)")
    })?;
    let day = humantime::format_rfc3339_seconds(std::time::SystemTime::now() + span).to_string();
    Ok(Some(day[..10].to_string()))
}
