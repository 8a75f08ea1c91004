//! The plan: phases of tasks with dependencies. Blocked is derived, never stored.
//!
//! A task is todo, doing, done or cancelled. Cancelled is closed without being done: it
//! counts neither as done nor as remaining (progress leaves it out), and a task that
//! needs it is not blocked by it (the need was dropped, not left open).

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

/// Where a task stands. `Cancelled` is its own state (`[-]`, `cancelled`, `skipped`):
/// never counted as done, never as remaining.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    Todo,
    Doing,
    Done,
    Cancelled,
}

impl TaskStatus {
    /// Every status, in the order people move through them.
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::Todo,
        TaskStatus::Doing,
        TaskStatus::Done,
        TaskStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Todo => "todo",
            TaskStatus::Doing => "doing",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Done or cancelled: nothing is left to do, and nothing waits for it.
    pub fn is_closed(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::Cancelled)
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for TaskStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "todo" => Ok(TaskStatus::Todo),
            "doing" => Ok(TaskStatus::Doing),
            "done" => Ok(TaskStatus::Done),
            "cancelled" | "canceled" => Ok(TaskStatus::Cancelled),
            _ => Err(format!(
                "unknown task status `{s}`, expected one of: todo, doing, done, cancelled"
            )),
        }
    }
}

/// Where a phase or task was written: `preflight.toml` or a markdown plan, 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One unit of work. `section` is the heading it sits under in its markdown file
/// (below the phase heading), so a reader sees where it came from; `None` for tasks of
/// `preflight.toml` and for tasks directly under a phase heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub status: TaskStatus,
    pub needs: Vec<String>,
    pub checks: Vec<String>,
    pub source: Option<Location>,
    pub section: Option<String>,
}

/// How many tasks of a phase are in each state; `remaining` is todo plus doing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TaskCounts {
    pub todo: usize,
    pub doing: usize,
    pub done: usize,
    pub cancelled: usize,
}

impl TaskCounts {
    /// Count `tasks` by status.
    pub fn of<'a>(tasks: impl IntoIterator<Item = &'a Task>) -> TaskCounts {
        let mut c = TaskCounts::default();
        for t in tasks {
            match t.status {
                TaskStatus::Todo => c.todo += 1,
                TaskStatus::Doing => c.doing += 1,
                TaskStatus::Done => c.done += 1,
                TaskStatus::Cancelled => c.cancelled += 1,
            }
        }
        c
    }

    /// Tasks still to do: todo and doing.
    pub fn remaining(&self) -> usize {
        self.todo + self.doing
    }

    /// Tasks that count towards progress: all but the cancelled.
    pub fn counted(&self) -> usize {
        self.todo + self.doing + self.done
    }

    /// Share of counted tasks done, 0.0 to 1.0 (nothing counted counts as done).
    pub fn progress(&self) -> f64 {
        if self.counted() == 0 {
            1.0
        } else {
            self.done as f64 / self.counted() as f64
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub id: String,
    pub title: String,
    pub tasks: Vec<Task>,
    pub source: Option<Location>,
}

impl Phase {
    /// Share of tasks done, 0.0 to 1.0, cancelled tasks left out (a phase with nothing
    /// left to count counts as done).
    pub fn progress(&self) -> f64 {
        self.counts().progress()
    }

    /// Its tasks by status.
    pub fn counts(&self) -> TaskCounts {
        TaskCounts::of(&self.tasks)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub phases: Vec<Phase>,
}

impl Plan {
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.phases.iter().flat_map(|p| p.tasks.iter())
    }

    /// The needs of `task` that are still open (neither done nor cancelled): empty when
    /// the task is not blocked.
    pub fn blockers<'a>(&'a self, task: &'a Task) -> Vec<&'a str> {
        let status: HashMap<&str, TaskStatus> =
            self.tasks().map(|t| (t.id.as_str(), t.status)).collect();
        task.needs
            .iter()
            .filter(|need| !status.get(need.as_str()).is_some_and(|s| s.is_closed()))
            .map(String::as_str)
            .collect()
    }
}

/// Find a dependency cycle among tasks, returned as the ids along it with the first
/// repeated at the end (`a → b → a`). Needs that name no task are ignored here.
pub fn find_cycle(needs: &BTreeMap<String, Vec<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit(
        node: &str,
        needs: &BTreeMap<String, Vec<String>>,
        marks: &mut HashMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Visiting) => {
                let start = stack.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle: Vec<String> = stack[start..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_string(), Mark::Visiting);
        stack.push(node.to_string());
        for next in needs.get(node).into_iter().flatten() {
            if needs.contains_key(next) {
                if let Some(cycle) = visit(next, needs, marks, stack) {
                    return Some(cycle);
                }
            }
        }
        stack.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = HashMap::new();
    for node in needs.keys() {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(node, needs, &mut marks, &mut stack) {
            return Some(cycle);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, status: TaskStatus, needs: &[&str]) -> Task {
        Task {
            id: id.into(),
            title: id.into(),
            status,
            needs: needs.iter().map(|s| s.to_string()).collect(),
            checks: vec![],
            source: None,
            section: None,
        }
    }

    #[test]
    fn blocked_is_derived_from_needs() {
        let plan = Plan {
            phases: vec![Phase {
                id: "p1".into(),
                title: "One".into(),
                tasks: vec![
                    task("a", TaskStatus::Done, &[]),
                    task("b", TaskStatus::Todo, &[]),
                    task("c", TaskStatus::Todo, &["a", "b"]),
                ],
                source: None,
            }],
        };
        let c = &plan.phases[0].tasks[2];
        assert_eq!(plan.blockers(c), vec!["b"]);
        assert!((plan.phases[0].progress() - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn cancelled_is_neither_done_nor_remaining_and_blocks_nothing() {
        let plan = Plan {
            phases: vec![Phase {
                id: "p1".into(),
                title: "One".into(),
                tasks: vec![
                    task("a", TaskStatus::Done, &[]),
                    task("b", TaskStatus::Cancelled, &[]),
                    task("c", TaskStatus::Todo, &["a", "b"]),
                    task("d", TaskStatus::Doing, &[]),
                ],
                source: None,
            }],
        };
        let phase = &plan.phases[0];
        let counts = phase.counts();
        assert_eq!(
            (
                counts.done,
                counts.cancelled,
                counts.remaining(),
                counts.counted()
            ),
            (1, 1, 2, 3)
        );
        assert!((phase.progress() - 1.0 / 3.0).abs() < 1e-9);
        assert!(plan.blockers(&phase.tasks[2]).is_empty());
        let all_cancelled = TaskCounts::of(&phase.tasks[1..2]);
        assert_eq!(all_cancelled.progress(), 1.0);
        for s in TaskStatus::ALL {
            assert_eq!(s.as_str().parse::<TaskStatus>(), Ok(s));
        }
        assert_eq!("canceled".parse::<TaskStatus>(), Ok(TaskStatus::Cancelled));
        assert!("skipped".parse::<TaskStatus>().is_err());
    }

    #[test]
    fn cycle_is_found_and_printed_in_order() {
        let mut needs = BTreeMap::new();
        needs.insert("a".to_string(), vec!["b".to_string()]);
        needs.insert("b".to_string(), vec!["c".to_string()]);
        needs.insert("c".to_string(), vec!["a".to_string()]);
        needs.insert("d".to_string(), vec![]);
        assert_eq!(
            find_cycle(&needs),
            Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
        );
        needs.insert("c".to_string(), vec![]);
        assert_eq!(find_cycle(&needs), None);
    }
}
