//! Every action of the cockpit as a type: its name (in key maps and the palette) and
//! what it does (in help). The key map binds keys to these, `update::act` matches on
//! them exhaustively, and help and the palette are generated from [`Action::ALL`]: a
//! renamed or new action cannot compile into a key that silently does nothing.

use std::fmt;
use std::str::FromStr;

macro_rules! actions {
    ($($variant:ident = $name:literal, $description:literal;)*) => {
        /// One thing a key (or the palette) can do. Invariant: each has exactly one
        /// name and one description, both below.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            /// Every action, in the order help and the palette list them.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The name in key maps and the palette: `severity-high`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            /// What it does, for help and the palette.
            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$variant => $description,)*
                }
            }
        }
    };
}

actions! {
    Quit = "quit", "Quit (closes the detail or the log first)";
    Exit = "exit", "Quit from anywhere";
    Help = "help", "Show every key";
    Palette = "palette", "Run any action by name";
    Log = "log", "What happened in this session";
    NextPane = "next-pane", "Next pane";
    PrevPane = "prev-pane", "Previous pane";
    Down = "down", "Move down";
    Up = "up", "Move up";
    Top = "top", "Go to the top";
    Bottom = "bottom", "Go to the bottom";
    PageDown = "page-down", "Page down";
    PageUp = "page-up", "Page up";
    HalfPageDown = "half-page-down", "Half a page down";
    HalfPageUp = "half-page-up", "Half a page up";
    Redraw = "redraw", "Redraw the screen and lay the register out again";
    Suspend = "suspend", "Suspend to the shell (fg comes back)";
    Filter = "filter", "Filter (register: words, sev:high, status:new, owner:x, rule:x, -term)";
    Open = "open", "Open the detail view";
    Rerun = "rerun", "Re-run the selected check";
    RerunAll = "rerun-all", "Re-run every check";
    PauseWatch = "pause-watch", "Pause or resume watching";
    Trust = "trust", "Trust this repository's checks";
    Follow = "follow", "Output: follow the tail, or stop where it is";
    Zoom = "zoom", "Output: fill the screen, and back";
    Wrap = "wrap", "Output: wrap long lines, or cut them";
    ScrollLeft = "scroll-left", "Output: scroll long lines left";
    ScrollRight = "scroll-right", "Output: scroll long lines right";
    NextMatch = "next-match", "Search: next match up (older)";
    PrevMatch = "prev-match", "Search: next match down (newer)";
    SortSeverity = "sort-severity", "Sort by severity (again: reverse)";
    SortStatus = "sort-status", "Sort by status (again: reverse)";
    SortAge = "sort-age", "Sort by age (again: reverse)";
    SortOwner = "sort-owner", "Sort by owner (again: reverse)";
    SortId = "sort-id", "Sort by id (again: reverse)";
    Mark = "mark", "Mark the row for bulk triage";
    Range = "range", "Start (or end) a range of marked rows";
    MarkAll = "mark-all", "Mark every row shown";
    Unmark = "unmark", "Clear the marks and the range";
    SeverityCritical = "severity-critical", "Severity: critical";
    SeverityHigh = "severity-high", "Severity: high";
    SeverityMedium = "severity-medium", "Severity: medium";
    SeverityLow = "severity-low", "Severity: low";
    SeverityInfo = "severity-info", "Severity: info";
    Accept = "accept", "Accept (new → open)";
    NextStatus = "next-status", "Next status";
    Fixed = "fixed", "Mark fixed";
    Dismiss = "dismiss", "Dismiss with a reason";
    Blocker = "blocker", "Toggle release blocker";
    Owner = "owner", "Set the owner";
    Note = "note", "Add a note";
    NewIssue = "new-issue", "File a new issue";
    Edit = "edit", "Edit the issue file in $EDITOR";
    OpenCode = "open-code", "Open the finding's file at its line in $EDITOR";
    CopyId = "copy-id", "Copy the issue's id (OSC 52)";
    CopyPlace = "copy-place", "Copy the finding's path:line (OSC 52)";
    Undo = "undo", "Undo the last triage step";
    Redo = "redo", "Redo what undo undid";
    CycleTask = "cycle-task", "Cycle the task's status (todo, doing, done)";
    CancelTask = "cancel-task", "Cancel the task, or reopen a cancelled one";
}

impl Action {
    /// Actions that change the register or the plan: refused in a read-only cockpit.
    pub fn is_triage(self) -> bool {
        match self {
            Action::SeverityCritical
            | Action::SeverityHigh
            | Action::SeverityMedium
            | Action::SeverityLow
            | Action::SeverityInfo
            | Action::Accept
            | Action::NextStatus
            | Action::Fixed
            | Action::Dismiss
            | Action::Blocker
            | Action::Owner
            | Action::Note
            | Action::NewIssue
            | Action::Edit
            | Action::Undo
            | Action::Redo
            | Action::CycleTask
            | Action::CancelTask => true,
            Action::Quit
            | Action::Exit
            | Action::Help
            | Action::Palette
            | Action::Log
            | Action::NextPane
            | Action::PrevPane
            | Action::Down
            | Action::Up
            | Action::Top
            | Action::Bottom
            | Action::PageDown
            | Action::PageUp
            | Action::HalfPageDown
            | Action::HalfPageUp
            | Action::Redraw
            | Action::Suspend
            | Action::Filter
            | Action::Open
            | Action::Rerun
            | Action::RerunAll
            | Action::PauseWatch
            | Action::Trust
            | Action::Follow
            | Action::Zoom
            | Action::Wrap
            | Action::ScrollLeft
            | Action::ScrollRight
            | Action::NextMatch
            | Action::PrevMatch
            | Action::SortSeverity
            | Action::SortStatus
            | Action::SortAge
            | Action::SortOwner
            | Action::SortId
            | Action::Mark
            | Action::Range
            | Action::MarkAll
            | Action::Unmark
            | Action::OpenCode
            | Action::CopyId
            | Action::CopyPlace => false,
        }
    }
}

impl Action {
    /// Actions that act on the highlighted issue's revision and so wait for this
    /// cockpit's own writes in flight (a new issue and a task's status do not).
    pub fn waits_for_writes(self) -> bool {
        self.is_triage()
            && !matches!(
                self,
                Action::NewIssue | Action::CycleTask | Action::CancelTask | Action::Note
            )
    }
}

impl FromStr for Action {
    type Err = String;

    /// The action of a name, or one line saying the name is unknown (with the likely
    /// intended one).
    fn from_str(name: &str) -> Result<Action, String> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.name() == name)
            .ok_or_else(|| {
                let hint = crate::domain::suggest::did_you_mean(
                    name,
                    Action::ALL.iter().map(|a| a.name()),
                )
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
                format!("unknown action `{name}`{hint}")
            })
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    #[test]
    fn every_action_reads_back_from_its_name_and_names_are_unique() {
        let mut names = std::collections::BTreeSet::new();
        for action in Action::ALL {
            assert_eq!(action.name().parse::<Action>(), Ok(*action));
            assert!(names.insert(action.name()), "{} twice", action.name());
            assert!(!action.description().is_empty());
        }
    }

    #[test_case("quit", Ok(Action::Quit) ; "a name")]
    #[test_case("severity-high", Ok(Action::SeverityHigh) ; "a hyphenated name")]
    #[test_case("dismis", Err("unknown action `dismis`; did you mean `dismiss`?".into()) ; "a typo suggests")]
    #[test_case("zzzzzz", Err("unknown action `zzzzzz`".into()) ; "nothing close")]
    #[test_case("", Err("unknown action ``".into()) ; "empty")]
    #[test_case("Quit", Err("unknown action `Quit`; did you mean `quit`?".into()) ; "names are lower case")]
    fn names_parse(text: &str, expected: Result<Action, String>) {
        assert_eq!(text.parse::<Action>(), expected);
    }

    #[test]
    fn triage_actions_are_the_ones_that_write() {
        let triage: Vec<&str> = Action::ALL
            .iter()
            .filter(|a| a.is_triage())
            .map(|a| a.name())
            .collect();
        assert_eq!(
            triage,
            [
                "severity-critical",
                "severity-high",
                "severity-medium",
                "severity-low",
                "severity-info",
                "accept",
                "next-status",
                "fixed",
                "dismiss",
                "blocker",
                "owner",
                "note",
                "new-issue",
                "edit",
                "undo",
                "redo",
                "cycle-task",
                "cancel-task"
            ]
        );
    }
}
