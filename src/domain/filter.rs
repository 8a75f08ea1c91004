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

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    fn sev(list: &[Severity]) -> Filter {
        Filter {
            severities: list.to_vec(),
            ..Filter::default()
        }
    }

    #[test_case("", Ok(Filter::default()) ; "empty shows everything")]
    #[test_case("sev:high", Ok(sev(&[Severity::High])) ; "a severity")]
    #[test_case("severity:c,2,med", Ok(sev(&[Severity::Critical, Severity::High, Severity::Medium])) ; "aliases and lists")]
    #[test_case("SEV:LOW", Ok(sev(&[Severity::Low])) ; "any case")]
    #[test_case("status:new,in-progress", Ok(Filter { statuses: vec![Status::New, Status::InProgress], ..Filter::default() }) ; "statuses")]
    #[test_case("owner:Sam", Ok(Filter { owner: Some("sam".into()), ..Filter::default() }) ; "owner")]
    #[test_case("blockers open", Ok(Filter { blocker: true, open_only: true, ..Filter::default() }) ; "flags")]
    #[test_case("  Cache   DISK ", Ok(Filter { words: vec!["cache".into(), "disk".into()], ..Filter::default() }) ; "words")]
    #[test_case("sev:urgent", Err("unknown severity `urgent`, expected one of: critical, high, medium, low, info".into()) ; "a bad severity")]
    #[test_case("sev:", Err("unknown severity ``, expected one of: critical, high, medium, low, info".into()) ; "an empty severity")]
    #[test_case("status:closed", Err("unknown status `closed`, expected one of: new, open, in-progress, fixed, verified, dismissed".into()) ; "a bad status")]
    fn filters_parse(text: &str, expected: Result<Filter, String>) {
        assert_eq!(Filter::parse(text), expected);
    }
}
