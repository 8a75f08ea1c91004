//! Triage: the edits people make to an issue, each leaving a line in its history.
//! The `preflight issue` commands and the cockpit's keys call these same functions.

use crate::domain::finding::Severity;
use crate::domain::issue::{Actor, DismissReason, Dismissal, Effort, Issue, Note, Status};

/// Keys `preflight issue set` accepts.
pub const SETTABLE: &[&str] = &[
    "title",
    "severity",
    "status",
    "blocker",
    "owner",
    "effort",
    "area",
    "impact",
    "evidence",
    "repro",
    "root_cause",
    "fix",
    "task",
];

/// One validated change of one field.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    Title(String),
    Severity(Severity),
    Status(Status),
    Blocker(bool),
    Owner(Option<String>),
    Effort(Option<Effort>),
    /// A free-text field (`area`, `impact`, …) by name; `None` clears it.
    Text(&'static str, Option<String>),
    Task(Option<String>),
}

fn optional(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty() && v != "-").then(|| v.to_string())
}

/// Parse `key=value` into an edit, or say in one line what is wrong.
pub fn parse_assignment(assignment: &str) -> Result<Edit, String> {
    let Some((key, value)) = assignment.split_once('=') else {
        return Err(format!("`{assignment}` is not key=value (e.g. owner=sam)"));
    };
    let key = key.trim().replace('-', "_");
    let edit = match key.as_str() {
        "title" => {
            let title = value.trim();
            if title.is_empty() {
                return Err("title cannot be empty".into());
            }
            Edit::Title(title.to_string())
        }
        "severity" => Edit::Severity(value.trim().parse()?),
        "status" => {
            let status: Status = value.trim().parse()?;
            if status == Status::Dismissed {
                return Err(
                    "use `preflight issue dismiss ID --reason R` to dismiss (it needs a reason)"
                        .into(),
                );
            }
            Edit::Status(status)
        }
        "blocker" => Edit::Blocker(match value.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "on" => true,
            "false" | "no" | "0" | "off" => false,
            other => return Err(format!("blocker takes true or false, not `{other}`")),
        }),
        "owner" => Edit::Owner(optional(value)),
        "effort" => Edit::Effort(optional(value).map(|e| e.parse()).transpose()?),
        "task" => Edit::Task(optional(value)),
        "area" => Edit::Text("area", optional(value)),
        "impact" => Edit::Text("impact", optional(value)),
        "evidence" => Edit::Text("evidence", optional(value)),
        "repro" => Edit::Text("repro", optional(value)),
        "root_cause" => Edit::Text("root_cause", optional(value)),
        "fix" => Edit::Text("fix", optional(value)),
        other => {
            let hint = crate::domain::suggest::did_you_mean(other, SETTABLE.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_else(|| format!("; keys: {}", SETTABLE.join(", ")));
            return Err(format!("unknown key `{other}`{hint}"));
        }
    };
    Ok(edit)
}

fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "-".to_string(), str::to_string)
}

fn text_field<'a>(issue: &'a mut Issue, name: &str) -> Option<&'a mut Option<String>> {
    match name {
        "area" => Some(&mut issue.area),
        "impact" => Some(&mut issue.impact),
        "evidence" => Some(&mut issue.evidence),
        "repro" => Some(&mut issue.repro),
        "root_cause" => Some(&mut issue.root_cause),
        "fix" => Some(&mut issue.fix),
        _ => None,
    }
}

/// Apply an edit; a no-op edit leaves no history.
pub fn apply(issue: &mut Issue, edit: &Edit, actor: &Actor) {
    let change = match edit {
        Edit::Title(title) if *title != issue.title => {
            issue.title = title.clone();
            Some("title changed".to_string())
        }
        Edit::Severity(sev) if *sev != issue.severity => {
            let line = format!("severity: {} → {sev}", issue.severity);
            issue.severity = *sev;
            Some(line)
        }
        Edit::Status(status) if *status != issue.status => {
            let line = format!("status: {} → {status}", issue.status);
            if issue.status == Status::Dismissed {
                issue.dismissal = None;
            }
            issue.status = *status;
            Some(line)
        }
        Edit::Blocker(on) if *on != issue.blocker => {
            issue.blocker = *on;
            Some(
                if *on {
                    "marked a release blocker"
                } else {
                    "no longer a release blocker"
                }
                .to_string(),
            )
        }
        Edit::Owner(owner) if *owner != issue.owner => {
            let line = format!(
                "owner: {} → {}",
                shown(issue.owner.as_deref()),
                shown(owner.as_deref())
            );
            issue.owner = owner.clone();
            Some(line)
        }
        Edit::Effort(effort) if *effort != issue.effort => {
            let line = format!(
                "effort: {} → {}",
                shown(issue.effort.map(|e| e.to_string()).as_deref()),
                shown(effort.map(|e| e.to_string()).as_deref())
            );
            issue.effort = *effort;
            Some(line)
        }
        Edit::Task(task) if *task != issue.task => {
            let line = format!(
                "task: {} → {}",
                shown(issue.task.as_deref()),
                shown(task.as_deref())
            );
            issue.task = task.clone();
            Some(line)
        }
        Edit::Text(name, value) => match text_field(issue, name) {
            Some(field) if field != value => {
                *field = value.clone();
                Some(format!("{name} changed"))
            }
            _ => None,
        },
        _ => None,
    };
    if let Some(change) = change {
        issue.log(&actor.at, &actor.by, change);
    }
}

/// Whether `day` is a real YYYY-MM-DD date.
pub fn valid_day(day: &str) -> bool {
    day.len() == 10 && humantime::parse_rfc3339(&format!("{day}T00:00:00Z")).is_ok()
}

/// Dismiss with a reason; an accepted risk may carry the day after which it returns.
pub fn dismiss(
    issue: &mut Issue,
    reason: DismissReason,
    note: Option<String>,
    expires: Option<String>,
    actor: &Actor,
) -> Result<(), String> {
    if let Some(day) = &expires {
        if reason != DismissReason::AcceptedRisk {
            return Err("--expires only goes with --reason accepted-risk".into());
        }
        if !valid_day(day) {
            return Err(format!("--expires takes a date as YYYY-MM-DD, not `{day}`"));
        }
        if day.as_str() < actor.today.as_str() {
            return Err(format!("--expires {day} is already past"));
        }
    }
    let mut line = format!("dismissed: {reason}");
    if let Some(day) = &expires {
        line.push_str(&format!(" until {day}"));
    }
    issue.status = Status::Dismissed;
    issue.dismissal = Some(Dismissal {
        reason,
        note,
        expires,
        by: actor.by.clone(),
        at: actor.at.clone(),
    });
    issue.log(&actor.at, &actor.by, line);
    Ok(())
}

pub fn add_note(issue: &mut Issue, text: &str, actor: &Actor) -> Result<(), String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the note is empty".into());
    }
    issue.notes.push(Note {
        at: actor.at.clone(),
        by: actor.by.clone(),
        text: text.to_string(),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        Actor {
            by: "ana".into(),
            at: "2026-11-22T10:00:00Z".into(),
            today: "2026-11-22".into(),
        }
    }

    fn issue() -> Issue {
        toml::from_str(
            "id = \"PF-AAAAAA\"\ntitle = \"t\"\nseverity = \"low\"\nstatus = \"new\"\ncreated = \"x\"\nupdated = \"x\"\n",
        )
        .unwrap()
    }

    #[test]
    fn assignments_parse_or_say_why_not() {
        assert_eq!(
            parse_assignment("owner=sam"),
            Ok(Edit::Owner(Some("sam".into())))
        );
        assert_eq!(parse_assignment("owner="), Ok(Edit::Owner(None)));
        assert_eq!(
            parse_assignment("root-cause=race"),
            Ok(Edit::Text("root_cause", Some("race".into())))
        );
        assert_eq!(
            parse_assignment("effort=xl"),
            Ok(Edit::Effort(Some(Effort::XL)))
        );
        assert!(parse_assignment("sevrity=high")
            .unwrap_err()
            .contains("did you mean `severity`?"));
        assert!(parse_assignment("severity=urgent")
            .unwrap_err()
            .contains("unknown severity"));
        assert!(parse_assignment("status=dismissed")
            .unwrap_err()
            .contains("issue dismiss"));
        assert!(parse_assignment("blocker=maybe").is_err());
        assert!(parse_assignment("owner").unwrap_err().contains("key=value"));
    }

    #[test]
    fn edits_log_what_changed_and_no_ops_log_nothing() {
        let mut i = issue();
        apply(&mut i, &Edit::Severity(Severity::High), &actor());
        apply(&mut i, &Edit::Severity(Severity::High), &actor());
        apply(&mut i, &Edit::Owner(Some("sam".into())), &actor());
        apply(&mut i, &Edit::Blocker(true), &actor());
        let log: Vec<&str> = i.history.iter().map(|h| h.change.as_str()).collect();
        assert_eq!(
            log,
            [
                "severity: low → high",
                "owner: - → sam",
                "marked a release blocker"
            ]
        );
    }

    #[test]
    fn dismissal_rules() {
        let mut i = issue();
        assert!(dismiss(
            &mut i,
            DismissReason::WontFix,
            None,
            Some("2027-01-01".into()),
            &actor()
        )
        .is_err());
        assert!(dismiss(
            &mut i,
            DismissReason::AcceptedRisk,
            None,
            Some("2027-02-30".into()),
            &actor()
        )
        .is_err());
        assert!(dismiss(
            &mut i,
            DismissReason::AcceptedRisk,
            None,
            Some("2026-11-21".into()),
            &actor()
        )
        .is_err());
        assert_eq!(i.status, Status::New, "refused dismissals change nothing");
        dismiss(
            &mut i,
            DismissReason::AcceptedRisk,
            Some("vendor fix in Q1".into()),
            Some("2027-01-31".into()),
            &actor(),
        )
        .unwrap();
        assert_eq!(i.status, Status::Dismissed);
        assert_eq!(
            i.history.last().unwrap().change,
            "dismissed: accepted-risk until 2027-01-31"
        );
        apply(&mut i, &Edit::Status(Status::Open), &actor());
        assert!(i.dismissal.is_none(), "reopening clears the dismissal");
    }
}
