//! The plan: phases of tasks with dependencies. Blocked is derived, never stored.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    Todo,
    Doing,
    Done,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Todo => "todo",
            TaskStatus::Doing => "doing",
            TaskStatus::Done => "done",
        }
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
            _ => Err(format!(
                "unknown task status `{s}`, expected one of: todo, doing, done"
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub status: TaskStatus,
    pub needs: Vec<String>,
    pub checks: Vec<String>,
    pub source: Option<Location>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub id: String,
    pub title: String,
    pub tasks: Vec<Task>,
    pub source: Option<Location>,
}

impl Phase {
    /// Share of tasks done, 0.0 to 1.0 (an empty phase counts as done).
    pub fn progress(&self) -> f64 {
        if self.tasks.is_empty() {
            return 1.0;
        }
        let done = self
            .tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Done)
            .count();
        done as f64 / self.tasks.len() as f64
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

    /// The needs of `task` that are not done yet: empty when the task is not blocked.
    pub fn blockers<'a>(&'a self, task: &'a Task) -> Vec<&'a str> {
        let status: HashMap<&str, TaskStatus> =
            self.tasks().map(|t| (t.id.as_str(), t.status)).collect();
        task.needs
            .iter()
            .filter(|need| status.get(need.as_str()) != Some(&TaskStatus::Done))
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
