//! Which issues to show, and in what order: one definition for `issue list`'s flags,
//! the cockpit's `/` filter and the report.

use crate::domain::finding::Severity;
use crate::domain::issue::{Issue, Status};
use std::cmp::Ordering;
use std::collections::HashSet;

/// What the `/` filter understands: `sev:high`, `status:new`, `owner:sam`,
/// `check:lint`, `rule:B301`, `path:src/db`, `blocker`, `open`, `changed:session`, and
/// any other words as text that must all appear in the id, title, owner, check, rule,
/// path or area. Any term negates with a leading `-` (`-status:dismissed`).
/// Invariant: every term the user typed is here (a bad one is an error, never dropped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub severities: Vec<Severity>,
    pub statuses: Vec<Status>,
    pub owner: Option<String>,
    pub blocker: bool,
    /// Only open issues (the default view hides verified and dismissed ones).
    pub open_only: bool,
    pub words: Vec<String>,
    pub checks: Vec<String>,
    pub rules: Vec<String>,
    pub paths: Vec<String>,
    /// Only issues this session saw change (`changed:session`).
    pub changed: bool,
    /// Negated terms, one term each: an issue matching any of them is hidden.
    pub not: Vec<Filter>,
}

impl Filter {
    /// Parse what the user typed; a bad term is reported, not silently dropped.
    pub fn parse(text: &str) -> Result<Filter, String> {
        let mut filter = Filter::default();
        for term in text.split_whitespace() {
            match term.strip_prefix('-').filter(|t| !t.is_empty()) {
                Some(negated) => {
                    let mut one = Filter::default();
                    one.term(negated)?;
                    filter.not.push(one);
                }
                None => filter.term(term)?,
            }
        }
        Ok(filter)
    }

    /// Add one term.
    fn term(&mut self, term: &str) -> Result<(), String> {
        let lower = term.to_lowercase();
        let list = |value: &str| -> Vec<String> {
            value
                .split(',')
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect()
        };
        let Some((key, value)) = lower.split_once(':') else {
            match lower.as_str() {
                "blocker" | "blockers" => self.blocker = true,
                "open" => self.open_only = true,
                _ => self.words.push(lower),
            }
            return Ok(());
        };
        if value.is_empty() {
            let hint = match key {
                "sev" | "severity" => "critical, high, medium, low, info",
                "status" => "new, open, in-progress, fixed, verified, dismissed",
                "changed" => "session",
                _ => "some text",
            };
            return Err(format!("`{term}` needs a value: {hint}"));
        }
        match key {
            "sev" | "severity" => {
                for v in value.split(',') {
                    self.severities.push(severity_alias(v)?);
                }
            }
            "status" => {
                for v in value.split(',') {
                    self.statuses.push(v.parse()?);
                }
            }
            "owner" => self.owner = Some(value.to_string()),
            "check" => self.checks.extend(list(value)),
            "rule" => self.rules.extend(list(value)),
            "path" => self.paths.extend(list(value)),
            "changed" if value == "session" => self.changed = true,
            "changed" => return Err(format!("`{term}`: changed takes `session`")),
            _ => self.words.push(lower.clone()),
        }
        Ok(())
    }

    /// Whether `issue` is shown (`changed:session` matches nothing here: there is no
    /// session outside the cockpit).
    pub fn matches(&self, issue: &Issue) -> bool {
        self.matches_in(issue, &HashSet::new())
    }

    /// Whether `issue` is shown, given the issues this session saw change.
    pub fn matches_in(&self, issue: &Issue, changed: &HashSet<String>) -> bool {
        self.all_terms(issue, changed) && !self.not.iter().any(|n| n.all_terms(issue, changed))
    }

    fn all_terms(&self, issue: &Issue, changed: &HashSet<String>) -> bool {
        let finding = issue.finding.as_ref();
        let any = |wanted: &[String], value: Option<&str>| {
            wanted.is_empty()
                || value.is_some_and(|v| {
                    let v = v.to_lowercase();
                    wanted.iter().any(|w| v.contains(w.as_str()))
                })
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
            && (!self.changed || changed.contains(&issue.id))
            && any(&self.checks, finding.map(|f| f.check.as_str()))
            && any(&self.rules, finding.map(|f| f.rule.as_str()))
            && any(&self.paths, finding.and_then(|f| f.path.as_deref()))
            && (self.words.is_empty() || {
                let haystack = haystack(issue);
                self.words.iter().all(|w| haystack.contains(w.as_str()))
            })
    }
}

/// What free words are looked for in, lower case.
fn haystack(issue: &Issue) -> String {
    let finding = issue.finding.as_ref();
    [
        Some(issue.id.as_str()),
        Some(issue.title.as_str()),
        issue.owner.as_deref(),
        finding.map(|f| f.check.as_str()),
        finding.map(|f| f.rule.as_str()),
        finding.and_then(|f| f.path.as_deref()),
        issue.area.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
    .to_lowercase()
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
    use crate::domain::issue::{Actor, FindingLink};

    fn issue(id: &str, rule: Option<(&str, &str, &str)>, status: Status) -> Issue {
        let actor = Actor {
            by: "t".into(),
            at: "2026-11-22T10:00:00Z".into(),
            today: "2026-11-22".into(),
        };
        let mut i = Issue::new(id.into(), "title".into(), Severity::High, status, &actor);
        i.finding = rule.map(|(check, rule, path)| FindingLink {
            check: check.into(),
            rule: rule.into(),
            path: Some(path.into()),
            line: Some(3),
            fingerprint: id.into(),
            first_seen: "x".into(),
            last_seen: "x".into(),
            verified_at: None,
            ..FindingLink::default()
        });
        i
    }

    fn shown(text: &str, issues: &[Issue]) -> Vec<String> {
        let filter = Filter::parse(text).unwrap();
        issues
            .iter()
            .filter(|i| filter.matches(i))
            .map(|i| i.id.clone())
            .collect()
    }

    #[test]
    fn words_keys_and_negation() {
        let mut issues = vec![
            issue("PF-A", Some(("bandit", "B301", "src/db.py")), Status::New),
            issue(
                "PF-B",
                Some(("semgrep", "sql-injection", "src/api.py")),
                Status::Open,
            ),
            issue("PF-C", None, Status::Dismissed),
        ];
        issues[2].area = Some("Storage".into());
        assert_eq!(
            shown("b301", &issues),
            ["PF-A"],
            "a free word finds the rule"
        );
        assert_eq!(shown("api.py", &issues), ["PF-B"], "and the path");
        assert_eq!(shown("semgrep", &issues), ["PF-B"], "and the check");
        assert_eq!(shown("storage", &issues), ["PF-C"], "and the area");
        assert_eq!(shown("rule:B301", &issues), ["PF-A"]);
        assert_eq!(shown("check:bandit,semgrep", &issues), ["PF-A", "PF-B"]);
        assert_eq!(shown("path:src/db", &issues), ["PF-A"]);
        assert_eq!(shown("-status:dismissed", &issues), ["PF-A", "PF-B"]);
        assert_eq!(shown("-rule:b301 -open", &issues), ["PF-C"]);
        assert_eq!(
            shown("- open", &issues),
            ["PF-A", "PF-B"],
            "a lone - is a word"
        );
        let changed: HashSet<String> = ["PF-B".to_string()].into();
        let session = Filter::parse("changed:session").unwrap();
        assert!(session.matches_in(&issues[1], &changed));
        assert!(!session.matches_in(&issues[0], &changed));
        assert!(
            !session.matches(&issues[1]),
            "no session outside the cockpit"
        );
    }

    #[test]
    fn bad_terms_are_errors() {
        for text in [
            "sev:urgent",
            "status:done",
            "changed:today",
            "rule:",
            "-sev:x",
        ] {
            assert!(Filter::parse(text).is_err(), "{text}");
        }
    }
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
    #[test_case("sev:", Err("`sev:` needs a value: critical, high, medium, low, info".into()) ; "an empty severity")]
    #[test_case("status:closed", Err("unknown status `closed`, expected one of: new, open, in-progress, fixed, verified, dismissed".into()) ; "a bad status")]
    fn filters_parse(text: &str, expected: Result<Filter, String>) {
        assert_eq!(Filter::parse(text), expected);
    }
}
