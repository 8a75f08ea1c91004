//! Checkboxes, the lines under them (bodies, lazy continuations), code blocks, and
//! lines that may draw the dependency graph.

use super::{Builder, ContextAcc, NeedsRaw, RawTask, Scope, Slot};
use crate::domain::plan::TaskStatus;
use crate::markdown::checklist::CheckLine;
use crate::markdown::inline::{display, metadata, struck};
use crate::markdown::lines::indent;
use crate::markdown::mojibake::repair_mojibake;
use crate::markdown::Origin;

impl Builder<'_> {
    /// A checkbox: a task (nested under the open one it is indented below). Under a
    /// criteria heading (Deliverables, Prerequisites…) it is held as context of that
    /// heading until the phase turns out to have no other tasks (see `finish`).
    pub(super) fn check(&mut self, idx: usize, check: &CheckLine) {
        let mut context_heading = None;
        if let Some(r) = self.region {
            if r.deps {
                self.graph_line(idx);
            }
            if !r.intro() {
                let heading = self
                    .phases
                    .get(r.phase)
                    .and_then(|p| p.context.get(r.block))
                    .map(|c| c.heading.clone());
                context_heading = Some(heading.unwrap_or_default());
            }
        }
        let phase = self.phase();
        while self
            .stack
            .last()
            .is_some_and(|&t| self.tasks.get(t).is_some_and(|t| t.indent >= check.indent))
        {
            self.stack.pop();
        }
        let parent = self.stack.last().copied();
        let struck = struck(&check.title);
        let status = match check.mark {
            'x' | 'X' => TaskStatus::Done,
            '/' => TaskStatus::Doing,
            '-' => TaskStatus::Cancelled,
            // An open box whose title is struck through: dropped.
            _ if struck.is_some() => TaskStatus::Cancelled,
            _ => TaskStatus::Todo,
        };
        let meta = metadata(&repair_mojibake(struck.unwrap_or(&check.title)));
        let title = display(&meta.title);
        let lower = title.to_lowercase();
        let scope = match (parent, self.heading_token()) {
            (Some(p), _) => Scope::Parent(p),
            (None, Some(t)) => Scope::Heading(t),
            (None, None) if self.phases.get(phase).is_some_and(|p| p.from_heading) => Scope::Phase,
            _ => Scope::Generic("task"),
        };
        let task = self.push_task(RawTask {
            phase,
            explicit: check.id.clone().or(meta.id),
            optional: check.starred
                || lower.starts_with("optional:")
                || lower.contains("(optional)"),
            title,
            status,
            line_idx: idx,
            parent,
            indent: check.indent,
            body_lines: Vec::new(),
            extra: meta.groups,
            origin: Origin::Checkbox,
            slot: Slot::Checkbox(check.mark_at),
            scope,
            section: self.section(),
            heading_token: self.heading_token(),
            needs_raw: if meta.needs.is_empty() {
                Vec::new()
            } else {
                vec![NeedsRaw::Listed(meta.needs)]
            },
            can_say_doing: self.slash_doing,
            context_heading,
        });
        self.stack.push(task);
        self.last_attached = Some((idx, task));
    }

    /// Any other line: body text of the innermost task it is indented under (or a lazy
    /// continuation of the line above), a graph line in a dependency section.
    pub(super) fn text_line(&mut self, idx: usize) {
        if self.container_markup(idx) {
            return;
        }
        if let Some(r) = self.region {
            if r.deps {
                self.graph_line(idx);
            }
            if !r.intro() || self.stack.is_empty() {
                return;
            }
        }
        let Some(line) = self.lines.get(idx) else {
            return;
        };
        if line.is_blank() {
            if let Some(&top) = self.stack.last() {
                self.attach(top, idx);
            }
            self.last_attached = None;
            return;
        }
        let depth = indent(line.text);
        if let Some((prev, task)) = self.last_attached {
            if prev + 1 == idx && !is_list_item(line.text) && depth <= self.indent_of(task) {
                self.attach(task, idx);
                self.last_attached = Some((idx, task));
                return;
            }
        }
        while self
            .stack
            .last()
            .is_some_and(|&t| self.indent_of(t) >= depth)
        {
            self.stack.pop();
        }
        self.last_attached = None;
        if let Some(&top) = self.stack.last() {
            self.attach(top, idx);
            self.last_attached = Some((idx, top));
        }
    }

    /// The indentation of task `task`'s list marker.
    pub(super) fn indent_of(&self, task: usize) -> usize {
        self.tasks.get(task).map_or(0, |t| t.indent)
    }

    /// Put line `idx` into the body of task `task`.
    pub(super) fn attach(&mut self, task: usize, idx: usize) {
        if let Some(t) = self.tasks.get_mut(task) {
            t.body_lines.push(idx);
        }
        if let Some(c) = self.claimed.get_mut(idx) {
            *c = true;
        }
    }

    /// Attach lines `from..=to` to the innermost open task if they are indented under it.
    pub(super) fn attach_block(&mut self, from: usize, to: usize, depth: usize) -> bool {
        while self
            .stack
            .last()
            .is_some_and(|&t| self.indent_of(t) >= depth)
        {
            self.stack.pop();
        }
        let Some(&top) = self.stack.last() else {
            self.last_attached = None;
            return false;
        };
        for idx in from..=to {
            self.attach(top, idx);
        }
        self.last_attached = None;
        true
    }

    /// Keep line `idx` (repaired) to read dependency edges from once ids are known.
    pub(super) fn graph_line(&mut self, idx: usize) {
        if let Some(line) = self.lines.get(idx) {
            self.graph_lines
                .push(repair_mojibake(line.text).into_owned());
        }
    }

    /// A code block: graph lines in a dependency section or a mermaid block, body text
    /// when indented under a task, else nothing (its checklists are examples).
    pub(super) fn code(&mut self, open: usize, last: usize, info: &str, depth: usize) {
        let mermaid = info.to_ascii_lowercase().starts_with("mermaid");
        let graph = mermaid || self.region.is_some_and(|r| r.deps);
        if graph {
            for idx in open + 1..=last {
                self.graph_line(idx);
            }
        }
        if self.region.is_some() {
            return;
        }
        self.attach_block(open, last, depth);
    }

    /// Add a context block (a risk table outside a context section).
    pub(super) fn add_context(&mut self, heading: String, from: usize, to: usize) {
        let phase = self.phase();
        let line = self.lines.get(from).map_or(1, |l| l.no);
        if let Some(p) = self.phases.get_mut(phase) {
            p.context.push(ContextAcc {
                heading,
                line,
                from,
                to,
            });
        }
    }
}

/// Whether a line starts a list item (which ends a lazy continuation).
fn is_list_item(text: &str) -> bool {
    let t = text.trim_start();
    if t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ") || t.starts_with('|') {
        return true;
    }
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
    digits > 0
        && (t
            .get(digits..)
            .is_some_and(|r| r.starts_with(". ") || r.starts_with(") ")))
}
