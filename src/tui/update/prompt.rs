//! Text prompts: the filter, the output search, owner, dismissal note and expiry, a
//! note, a new issue's title. Editing is the [`Field`]'s; a paste is text here and
//! nothing anywhere else.

use super::{
    find_match_from_tail, fix_offsets, index, write_batch, Ask, Batch, BatchKind, DismissReason,
    Effect, Field, Filter, KeyCode, KeyEvent, KeyModifiers, Model, Overlay, Write,
};
use crate::domain::triage::Edit;
use std::time::{Duration, SystemTime};

/// A key in an open prompt.
pub(super) fn on_input_key(
    model: &mut Model,
    ask: Ask,
    mut field: Field,
    error: Option<String>,
    key: KeyEvent,
) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if key.code == KeyCode::Esc || (ctrl && matches!(key.code, KeyCode::Char('c' | 'g'))) {
        if let Ask::Filter { before, .. } = &ask {
            // Cancelled: the filter as it was before `/`.
            let before = before.clone();
            apply_filter(model, &before);
        }
        return Vec::new();
    }
    match key.code {
        KeyCode::Enter => return submit(model, ask, field),
        KeyCode::Tab if matches!(ask, Ask::Owner { .. }) => {
            complete_owner(model, &mut field);
            reopen(model, ask, field, None);
            return Vec::new();
        }
        KeyCode::Up | KeyCode::Down if matches!(ask, Ask::Filter { .. }) => {
            let ask = recall(model, ask, &mut field, key.code == KeyCode::Up);
            let error = typed(model, &ask, &field);
            reopen(model, ask, field, error);
            return Vec::new();
        }
        _ => {}
    }
    let error = match field.key(&key) {
        super::super::field::Edited::Text => typed(model, &ask, &field),
        _ => error,
    };
    reopen(model, ask, field, error);
    Vec::new()
}

fn reopen(model: &mut Model, ask: Ask, field: Field, error: Option<String>) {
    model.overlay = Some(Overlay::Input { ask, field, error });
}

/// Text pasted: into the open prompt (line breaks as spaces) or the palette; outside
/// them a paste does nothing, so pasted text can never run as keys.
pub(super) fn on_paste(model: &mut Model, text: &str) -> Vec<Effect> {
    match model.overlay.take() {
        Some(Overlay::Input { ask, mut field, .. }) => {
            field.insert(text);
            let error = typed(model, &ask, &field);
            reopen(model, ask, field, error);
        }
        Some(Overlay::Palette { mut input, .. }) => {
            input.insert(text);
            model.overlay = Some(Overlay::Palette { input, selected: 0 });
        }
        other => {
            model.overlay = other;
            model.tell("pasted text is only taken in a prompt (/, o, c, n…)");
        }
    }
    Vec::new()
}

/// The text changed: the filter and the search apply as typed; the filter's error (if
/// any) is returned to be shown beside the text.
fn typed(model: &mut Model, ask: &Ask, field: &Field) -> Option<String> {
    match ask {
        Ask::Filter { .. } => match Filter::parse(field.text()) {
            Ok(_) => {
                apply_filter(model, field.text());
                None
            }
            Err(e) => Some(e),
        },
        Ask::Search => {
            model.output.search = Some(field.text().to_string()).filter(|t| !t.is_empty());
            None
        }
        _ => None,
    }
}

/// Up/down in the filter prompt: older or newer filters of this session.
fn recall(model: &Model, ask: Ask, field: &mut Field, older: bool) -> Ask {
    let Ask::Filter { before, history } = ask else {
        return ask;
    };
    let n = model.filter_history.len();
    let at = match (history, older) {
        (None, true) if n > 0 => Some(n - 1),
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) if i + 1 < n => Some(i + 1),
        (Some(_), false) => None,
        (None, _) => None,
    };
    match at {
        Some(i) => field.set(&model.filter_history[i]),
        None if history.is_some() => field.set(&before),
        None => {}
    }
    Ask::Filter {
        before,
        history: at,
    }
}

/// `Tab` in the owner prompt: the next owner of the register that starts with what is
/// typed (case-insensitive), most common first.
fn complete_owner(model: &Model, field: &mut Field) {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for owner in model.issues.iter().filter_map(|i| i.owner.as_deref()) {
        *counts.entry(owner).or_default() += 1;
    }
    let mut owners: Vec<(&str, usize)> = counts.into_iter().collect();
    owners.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let typed = field.text().to_lowercase();
    let matching: Vec<&str> = owners
        .iter()
        .map(|(o, _)| *o)
        .filter(|o| o.to_lowercase().starts_with(&typed))
        .collect();
    // Tab again on a completed name goes to the next match.
    let next = match matching.iter().position(|o| *o == field.text()) {
        Some(i) if matching.len() > 1 => matching[(i + 1) % matching.len()],
        Some(_) => return,
        None => match matching.first() {
            Some(first) => first,
            None => return,
        },
    };
    field.set(next);
}

pub(super) fn apply_filter(model: &mut Model, text: &str) {
    if let Ok(filter) = Filter::parse(text) {
        model.register.filter = filter;
        model.register.filter_text = text.to_string();
        model.register.keep_selection(&model.issues);
        model.register_offset = 0;
        fix_offsets(model);
    }
}

pub(super) fn submit(model: &mut Model, ask: Ask, field: Field) -> Vec<Effect> {
    let text = field.text().to_string();
    let value = text.trim().to_string();
    match ask {
        Ask::Filter { .. } => {
            if let Err(e) = Filter::parse(&text) {
                // Never apply a prefix the user did not type: the prompt stays.
                reopen(model, ask, field, Some(e));
                return Vec::new();
            }
            apply_filter(model, &text);
            if !value.is_empty() && model.filter_history.last() != Some(&value) {
                model.filter_history.retain(|f| *f != value);
                model.filter_history.push(value);
            }
            Vec::new()
        }
        Ask::Search => {
            model.output.search = Some(value).filter(|t| !t.is_empty());
            if model.output.search.is_some() {
                find_match_from_tail(model);
            }
            Vec::new()
        }
        Ask::Owner { targets } => {
            let owner = Some(value).filter(|v| !v.is_empty() && v != "-");
            let by_id = index(model);
            let writes = targets
                .iter()
                .filter(|(id, _)| by_id.get(id.as_str()).is_some_and(|i| i.owner != owner))
                .map(|(id, base)| Write::Edit {
                    id: id.clone(),
                    base: *base,
                    edits: vec![Edit::Owner(owner.clone())],
                })
                .collect();
            let label = format!("owner {}", owner.as_deref().unwrap_or("-"));
            let effects = write_batch(model, BatchKind::Do { label }, writes);
            nothing_or(model, effects)
        }
        Ask::DismissNote { targets, reason } => {
            let note = Some(value).filter(|v| !v.is_empty());
            if reason == DismissReason::AcceptedRisk {
                model.overlay = Some(Overlay::Input {
                    ask: Ask::DismissExpiry { targets, note },
                    field: Field::prefilled("90d"),
                    error: None,
                });
                return Vec::new();
            }
            dismiss(model, targets, reason, note, None)
        }
        Ask::DismissExpiry { targets, note } => match expiry_day(&value) {
            Ok(expires) => dismiss(model, targets, DismissReason::AcceptedRisk, note, expires),
            Err(e) => {
                // The prompt stays, with the note typed before.
                model.warn(e.clone());
                reopen(model, Ask::DismissExpiry { targets, note }, field, Some(e));
                Vec::new()
            }
        },
        Ask::Note { targets } => {
            if value.is_empty() {
                model.tell("empty note: nothing added");
                return Vec::new();
            }
            let writes = targets
                .into_iter()
                .map(|id| Write::Note {
                    id,
                    text: value.clone(),
                })
                .collect();
            write_batch(model, BatchKind::Note, writes)
        }
        Ask::NewTitle => {
            if value.is_empty() {
                model.tell("no title: nothing filed");
                Vec::new()
            } else {
                let batch = model.batch(Batch::new(BatchKind::Create, 1));
                vec![Effect::NewIssue {
                    batch,
                    title: value,
                }]
            }
        }
    }
}

/// Say when a prompt's answer changes nothing.
fn nothing_or(model: &mut Model, effects: Vec<Effect>) -> Vec<Effect> {
    if effects.is_empty() {
        model.tell("nothing to change");
    }
    effects
}

fn dismiss(
    model: &mut Model,
    targets: Vec<(String, u64)>,
    reason: DismissReason,
    note: Option<String>,
    expires: Option<String>,
) -> Vec<Effect> {
    let writes = targets
        .into_iter()
        .map(|(id, base)| Write::Dismiss {
            id,
            base,
            reason,
            note: note.clone(),
            expires: expires.clone(),
        })
        .collect();
    let label = format!("dismissed ({reason})");
    write_batch(model, BatchKind::Do { label }, writes)
}

/// The furthest an accepted risk may be put off: a risk is accepted for a while, not
/// for ever (and no date past what a calendar prints).
pub const MAX_EXPIRY: Duration = Duration::from_secs(10 * 366 * 86_400);

/// An accepted risk's expiry: `YYYY-MM-DD` (today or later), a duration from today
/// (`90d`, `12w`), or empty for none.
pub fn expiry_day(text: &str) -> Result<Option<String>, String> {
    expiry_day_at(text, SystemTime::now())
}

/// [`expiry_day`] as of `now`. Never panics: a span past [`MAX_EXPIRY`] is refused.
pub fn expiry_day_at(text: &str, now: SystemTime) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() || text == "-" {
        return Ok(None);
    }
    let stamp = humantime::format_rfc3339_seconds(now).to_string();
    let today = &stamp[..10];
    if crate::domain::triage::valid_day(text) {
        if text < today {
            return Err(format!(
                "expiry {text} is already past (today is {today}): give a later day"
            ));
        }
        return Ok(Some(text.to_string()));
    }
    let span = humantime::parse_duration(text).map_err(|_| {
        format!("expiry `{text}`: give a day (YYYY-MM-DD) or a duration (90d, 12w)")
    })?;
    if span > MAX_EXPIRY {
        return Err(format!(
            "expiry `{text}` is too far off: at most 10 years (give a day, or a shorter duration)"
        ));
    }
    let day = now
        .checked_add(span)
        .map(|at| humantime::format_rfc3339_seconds(at).to_string())
        .ok_or_else(|| format!("expiry `{text}` is too far off"))?;
    Ok(day.get(..10).map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    fn at(day: &str) -> SystemTime {
        humantime::parse_rfc3339(&format!("{day}T12:00:00Z")).unwrap()
    }

    #[test_case("", Ok(None) ; "empty is no expiry")]
    #[test_case("  -  ", Ok(None) ; "a dash is no expiry")]
    #[test_case("2027-03-01", Ok(Some("2027-03-01".into())) ; "a day as is")]
    #[test_case("90d", Ok(Some("2027-03-31".into())) ; "days from today")]
    #[test_case("12w", Ok(Some("2027-03-25".into())) ; "weeks from today")]
    #[test_case(" 1day ", Ok(Some("2027-01-01".into())) ; "spaces and long units")]
    #[test_case("10y", Ok(Some("2036-12-31".into())) ; "ten years is the limit")]
    #[test_case("11y", Err("expiry `11y` is too far off: at most 10 years (give a day, or a shorter duration)".into()) ; "past ten years")]
    #[test_case("8000y", Err("expiry `8000y` is too far off: at most 10 years (give a day, or a shorter duration)".into()) ; "past the calendar")]
    #[test_case("99999999999999999999d", Err("expiry `99999999999999999999d`: give a day (YYYY-MM-DD) or a duration (90d, 12w)".into()) ; "a number past u64")]
    #[test_case("soon", Err("expiry `soon`: give a day (YYYY-MM-DD) or a duration (90d, 12w)".into()) ; "words")]
    #[test_case("2026-12-30", Err("expiry 2026-12-30 is already past (today is 2026-12-31): give a later day".into()) ; "a past day")]
    #[test_case("2026-12-31", Ok(Some("2026-12-31".into())) ; "today")]
    #[test_case("2027-02-30", Err("expiry `2027-02-30`: give a day (YYYY-MM-DD) or a duration (90d, 12w)".into()) ; "no such day")]
    fn expiry_days(text: &str, expected: Result<Option<String>, String>) {
        assert_eq!(expiry_day_at(text, at("2026-12-31")), expected);
    }
}
