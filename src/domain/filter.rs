//! Which issues to show, and in what order: one definition for `issue list`'s flags,
//! the cockpit's `/` filter and the report.

use crate::domain::finding::Severity;
use crate::domain::issue::{Issue, Status};
use std::cmp::Ordering;

/// What the `/` filter understands: `sev:high`, `status:new`, `owner:sam`, `blocker`,
/// and any other words as text that must all appear in the id, title or owner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub severities: Vec<Severity>,
    pub statuses: Vec<Status>,
    pub owner: Option<String>,
    pub blocker: bool,
    /// Only open issues (the default view hides verified and dismissed ones).
    pub open_only: bool,
    pub words: Vec<String>,
}

impl Filter {
    /// Parse what the user typed; a bad term is reported, not silently dropped.
    pub fn parse(text: &str) -> Result<Filter, String> {
        let mut filter = Filter::default();
        for term in text.split_whitespace() {
            let lower = term.to_lowercase();
            if let Some(value) = lower
                .strip_prefix("sev:")
                .or_else(|| lower.strip_prefix("severity:"))
            {
                for v in value.split(',') {
                    filter.severities.push(severity_alias(v)?);
                }
            } else if let Some(value) = lower.strip_prefix("status:") {
                for v in value.split(',') {
                    filter.statuses.push(v.parse()?);
                }
            } else if let Some(value) = lower.strip_prefix("owner:") {
                filter.owner = Some(value.to_string());
            } else if lower == "blocker" || lower == "blockers" {
                filter.blocker = true;
            } else if lower == "open" {
                filter.open_only = true;
            } else {
                filter.words.push(lower);
            }
        }
        Ok(filter)
    }

    pub fn matches(&self, issue: &Issue) -> bool {
        let text = || {
            format!(
                "{} {} {}",
                issue.id,
                issue.title,
                issue.owner.as_deref().unwrap_or("")
            )
            .to_lowercase()
        };
        (self.severities.is_empty() || self.severities.contains(&issue.severity))
            && (self.statuses.is_empty() || self.statuses.contains(&issue.status))
            && self.owner.as_deref().is_none_or(|o| {
                issue
                    .owner
                    .as_deref()
                    .is_some_and(|x| x.to_lowercase().contains(o))
            })
            && (!self.blocker || issue.blocker)
            && (!self.open_only || issue.status.is_open())
            && (self.words.is_empty() || {
                let haystack = text();
                self.words.iter().all(|w| haystack.contains(w.as_str()))
            })
    }
}

/// `crit`, `c`, `1` and the full names all mean what a user means.
fn severity_alias(text: &str) -> Result<Severity, String> {
    match text {
        "c" | "crit" | "1" => Ok(Severity::Critical),
        "h" | "2" => Ok(Severity::High),
        "m" | "med" | "3" => Ok(Severity::Medium),
        "l" | "4" => Ok(Severity::Low),
        "i" | "5" => Ok(Severity::Info),
        other => other.parse(),
    }
}

/// The triage order: most severe first, then oldest, then by id (stable).
pub fn triage_order(a: &Issue, b: &Issue) -> Ordering {
    a.severity
        .cmp(&b.severity)
        .then_with(|| a.created.cmp(&b.created))
        .then_with(|| a.id.cmp(&b.id))
}
