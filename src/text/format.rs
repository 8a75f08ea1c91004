//! How durations, ages and clipped text read, the same on every screen and in every
//! report.

use std::time::{Duration, SystemTime};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How long something took: "0.3s", "12s", "4m 02s", "1h 05m".
pub fn human_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 10.0 {
        format!("{secs:.1}s")
    } else if secs < 60.0 {
        format!("{}s", d.as_secs())
    } else if secs < 3600.0 {
        format!("{}m {:02}s", d.as_secs() / 60, d.as_secs() % 60)
    } else {
        format!("{}h {:02}m", d.as_secs() / 3600, d.as_secs() % 3600 / 60)
    }
}

/// How old something is, in a narrow column: "5m", "3h", "12d", "4w".
pub fn short_age(d: Duration) -> String {
    match d.as_secs() {
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s if s < 86_400 * 14 => format!("{}d", s / 86_400),
        s => format!("{}w", s / (86_400 * 7)),
    }
}

/// [`short_age`] since an RFC 3339 time; "?" when it cannot be read. A time in the
/// future (a skewed clock) reads as "0m".
pub fn age(since: &str, now: SystemTime) -> String {
    let Ok(then) = humantime::parse_rfc3339_weak(since) else {
        return "?".into();
    };
    short_age(now.duration_since(then).unwrap_or_default())
}

/// How long ago, as people say it: "just now", "3 min ago", "2 h ago", "4 days ago".
/// The one spelling of it: the gates' reasons (pure, in `domain`) use the same.
pub use crate::domain::gate::human_age as ago;

/// At most `width` terminal columns, with an ellipsis when cut. Wide characters (CJK,
/// most emoji) count two columns, combining marks none, so columns line up.
pub fn clip(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let room = width.saturating_sub(1);
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// Words laid into lines of at most `width` columns (a word longer than a line is
/// clipped); never an empty list.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let word = clip(word, width);
        let Some(line) = lines.last_mut() else {
            break;
        };
        let used = line.width();
        if used == 0 {
            line.push_str(&word);
        } else if used + 1 + word.width() <= width {
            line.push(' ');
            line.push_str(&word);
        } else {
            lines.push(word);
        }
    }
    lines
}

/// Exactly `width` columns: [`clip`]ped, then padded with spaces (`format!`'s `{:<n}`
/// pads by characters, which misaligns wide text).
pub fn fit(text: &str, width: usize) -> String {
    let mut out = clip(text, width);
    let used = out.width();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests;
