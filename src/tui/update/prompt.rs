//! Text prompts: the filter, the output search, owner, dismissal note and expiry, a new
//! issue's title.

use super::{find_match_from_tail, fix_offsets, Effect};
use crate::domain::filter::Filter;
use crate::domain::issue::DismissReason;
use crate::tui::model::{Ask, Model, Overlay};
use crate::tui::triage::Write;
use ratatui::crossterm::event::KeyCode;
use std::time::{Duration, SystemTime};

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

/// The furthest an accepted risk may be put off: a risk is accepted for a while, not
/// for ever (and no date past what a calendar prints).
pub const MAX_EXPIRY: Duration = Duration::from_secs(10 * 366 * 86_400);

/// An accepted risk's expiry: `YYYY-MM-DD`, a duration from today (`90d`, `12w`), or
/// empty for none.
pub fn expiry_day(text: &str) -> Result<Option<String>, String> {
    expiry_day_at(text, SystemTime::now())
}

/// [`expiry_day`] as of `now`. Never panics: a span past [`MAX_EXPIRY`] is refused.
pub fn expiry_day_at(text: &str, now: SystemTime) -> Result<Option<String>, String> {
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
    #[test_case("2027-02-30", Err("expiry `2027-02-30`: give a day (YYYY-MM-DD) or a duration (90d, 12w)".into()) ; "no such day")]
    fn expiry_days(text: &str, expected: Result<Option<String>, String>) {
        assert_eq!(expiry_day_at(text, at("2026-12-31")), expected);
    }
}
