//! What happened in this session, for `L`: triage by this cockpit and by others (with
//! who), issues filed, verified and reopened by runs, and refusals. A notice at the
//! bottom lasts one key; the log keeps it, with the issues it names, so a burst
//! ("25 new, 52 verified") can be opened and filtered (`changed:session`).

use std::collections::VecDeque;

/// The log keeps this many entries (the oldest go first).
pub const LOG_MAX: usize = 1000;

/// Who did what an entry says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// This cockpit.
    Me,
    /// Someone else writing the register (another cockpit, a script), by name.
    Other(String),
    /// A run of a check filing its findings.
    Run(String),
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Wall-clock time, `HH:MM:SS` (UTC).
    pub at: String,
    pub who: Who,
    pub text: String,
    /// The issues it is about, to jump to.
    pub ids: Vec<String>,
    /// A refusal or a failure.
    pub error: bool,
}

/// The session's log, newest last. Invariant: at most [`LOG_MAX`] entries.
#[derive(Debug, Clone, Default)]
pub struct SessionLog {
    entries: VecDeque<Entry>,
}

impl SessionLog {
    pub fn push(&mut self, who: Who, text: impl Into<String>, ids: Vec<String>, error: bool) {
        if self.entries.len() == LOG_MAX {
            self.entries.pop_front();
        }
        self.entries.push_back(Entry {
            at: clock(),
            who,
            text: text.into(),
            ids,
            error,
        });
    }

    /// Newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().rev()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `n`th entry, newest first.
    pub fn get(&self, n: usize) -> Option<&Entry> {
        self.entries
            .len()
            .checked_sub(n + 1)
            .and_then(|i| self.entries.get(i))
    }
}

/// The time now as `HH:MM:SS` (UTC).
fn clock() -> String {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    now.get(11..19).unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_is_bounded_newest_first_and_knows_what_changed() {
        let mut log = SessionLog::default();
        log.push(Who::Me, "first", vec!["PF-A".into()], false);
        log.push(
            Who::Other("sam".into()),
            "refused",
            vec!["PF-B".into()],
            true,
        );
        assert_eq!(log.get(0).unwrap().text, "refused");
        assert_eq!(log.get(1).unwrap().text, "first");
        assert!(log.get(2).is_none());
        for n in 0..LOG_MAX {
            log.push(Who::Run("lint".into()), format!("{n}"), vec![], false);
        }
        assert_eq!(log.len(), LOG_MAX);
        assert_eq!(
            log.newest_first().next().unwrap().text,
            format!("{}", LOG_MAX - 1)
        );
        assert_eq!(log.get(0).unwrap().at.len(), 8);
    }
}
