//! After the walk: derived ids, parents from detail headings, detail bodies, needs, notes,
//! and the final [`Document`].

use super::{Builder, NeedsRaw, Parsed, RawTask, Scope};
use crate::markdown::deps::{cell_needs, inline_needs, line_edges, mermaid_aliases, Known};
use crate::markdown::lines::Line;
use crate::markdown::mojibake::repair_mojibake;
use crate::markdown::{ContextBlock, Document, MdPhase, MdTask, Origin};
use std::collections::{BTreeMap, HashMap, HashSet};

impl Builder<'_> {
    /// Settle ids, parents, bodies and needs, and build the document.
    pub(super) fn finish(mut self) -> Parsed {
        self.settle_context_checks();
        let ids = self.assign_ids();
        let known = Known::new(ids.iter().map(String::as_str));
        let by_id = index_by_id(&ids);
        self.adopt_children(&ids, &by_id);
        self.attach_details(&by_id);
        let bodies: Vec<String> = self.tasks.iter().map(|t| body_of(self.lines, t)).collect();
        let needs = self.resolve_needs(&ids, &bodies, &known, &by_id);
        self.explain(&ids, &by_id, &needs, &known);
        self.assemble(ids, bodies, needs)
    }

    /// Checkboxes under criteria headings are context of their phase when it has other
    /// tasks (a Deliverables list restating the work), and its tasks when it has none
    /// (an issue's Acceptance Criteria is the list people tick).
    fn settle_context_checks(&mut self) {
        let with_work: HashSet<usize> = self
            .tasks
            .iter()
            .filter(|t| t.context_heading.is_none())
            .map(|t| t.phase)
            .collect();
        let keep: Vec<bool> = self
            .tasks
            .iter()
            .map(|t| t.context_heading.is_none() || !with_work.contains(&t.phase))
            .collect();
        if keep.iter().all(|k| *k) {
            return;
        }
        let mut new_index: Vec<Option<usize>> = Vec::with_capacity(keep.len());
        let mut next = 0;
        for k in &keep {
            new_index.push(k.then_some(next));
            next += usize::from(*k);
        }
        let remap = |i: usize| new_index.get(i).copied().flatten();
        let tasks = std::mem::take(&mut self.tasks);
        for (task, kept) in tasks.into_iter().zip(&keep) {
            if !kept {
                self.context_checks
                    .push(task.context_heading.clone().unwrap_or_default());
                for idx in std::iter::once(task.line_idx).chain(task.body_lines.iter().copied()) {
                    if let Some(c) = self.claimed.get_mut(idx) {
                        *c = false;
                    }
                }
                continue;
            }
            let mut task = task;
            task.parent = task.parent.and_then(remap);
            if let Scope::Parent(p) = task.scope {
                task.scope = match remap(p) {
                    Some(p) => Scope::Parent(p),
                    None => Scope::Generic("task"),
                };
            }
            self.tasks.push(task);
        }
    }

    /// Explicit ids as written; a task without one gets `<scope><sep><n>`, `n` counting
    /// the unnamed tasks of its scope and skipping numbers already taken.
    fn assign_ids(&self) -> Vec<String> {
        let mut used: HashSet<String> = self
            .tasks
            .iter()
            .filter_map(|t| t.explicit.clone())
            .collect();
        let mut counters: HashMap<String, usize> = HashMap::new();
        let mut ids: Vec<String> = Vec::with_capacity(self.tasks.len());
        for t in &self.tasks {
            if let Some(e) = &t.explicit {
                ids.push(e.clone());
                continue;
            }
            let (key, base, sep) = match &t.scope {
                Scope::Parent(p) => (
                    format!("parent:{p}"),
                    ids.get(*p).cloned().unwrap_or_default(),
                    ".",
                ),
                Scope::Heading(tok) => (format!("heading:{}:{tok}", t.phase), tok.clone(), "."),
                Scope::Phase => {
                    let id = self
                        .phases
                        .get(t.phase)
                        .map(|p| p.id.clone())
                        .unwrap_or_default();
                    (format!("phase:{}", t.phase), id, "-")
                }
                Scope::Generic(name) => (format!("generic:{name}"), (*name).to_string(), "-"),
            };
            let n = counters.entry(key).or_insert(0);
            let mut id;
            loop {
                *n += 1;
                id = format!("{base}{sep}{n}");
                if !used.contains(&id) {
                    break;
                }
            }
            used.insert(id.clone());
            ids.push(id);
        }
        ids
    }

    /// Checkboxes under a heading that names a task (`### p4-1: Audit`) become its
    /// sub-tasks when they have no parent of their own.
    fn adopt_children(&mut self, ids: &[String], by_id: &HashMap<String, Vec<usize>>) {
        for i in 0..self.tasks.len() {
            let Some(task) = self.tasks.get(i) else {
                continue;
            };
            if task.parent.is_some() || task.origin != Origin::Checkbox {
                continue;
            }
            let Some(token) = &task.heading_token else {
                continue;
            };
            if let Some([p]) = by_id.get(token).map(Vec::as_slice) {
                if *p != i && ids.get(*p) != ids.get(i) {
                    if let Some(t) = self.tasks.get_mut(i) {
                        t.parent = Some(*p);
                    }
                }
            }
        }
    }

    /// The free text of a task's detail section goes to the end of its body.
    fn attach_details(&mut self, by_id: &HashMap<String, Vec<usize>>) {
        for d in self.details.clone() {
            let Some(to) = d.to else {
                continue;
            };
            let Some([t]) = by_id.get(&d.token).map(Vec::as_slice) else {
                continue;
            };
            let inside = self
                .tasks
                .get(*t)
                .is_some_and(|t| (d.from..=to).contains(&t.line_idx));
            if inside {
                continue;
            }
            let idxs: Vec<usize> = (d.from..=to)
                .filter(|i| !self.claimed.get(*i).copied().unwrap_or(true))
                .collect();
            let text = text_of(self.lines, &idxs);
            if let (false, Some(task)) = (text.is_empty(), self.tasks.get_mut(*t)) {
                task.extra.push(text);
            }
        }
    }

    /// Needs from cells, front matter, inline mentions, graph lines and dependency tables.
    fn resolve_needs(
        &self,
        ids: &[String],
        bodies: &[String],
        known: &Known,
        by_id: &HashMap<String, Vec<usize>>,
    ) -> Vec<Vec<String>> {
        let mut needs: Vec<Vec<String>> = Vec::with_capacity(self.tasks.len());
        for (t, body) in self.tasks.iter().zip(bodies) {
            let mut n = Vec::new();
            for raw in &t.needs_raw {
                match raw {
                    NeedsRaw::Cell(cell) => n.extend(cell_needs(cell, known)),
                    NeedsRaw::Listed(list) => n.extend(
                        list.iter()
                            .map(|s| s.trim())
                            .filter(|s| !s.is_empty())
                            .map(|s| known.resolve(s).unwrap_or_else(|| s.to_string())),
                    ),
                }
            }
            if t.origin == Origin::Checkbox {
                n.extend(inline_needs(&t.title, known));
                n.extend(inline_needs(body, known));
            }
            needs.push(n);
        }
        let mut aliases = HashMap::new();
        for line in &self.graph_lines {
            aliases.extend(mermaid_aliases(line, known));
        }
        let mut add = |dependent: &str, need: String| {
            for &i in by_id.get(dependent).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(n) = needs.get_mut(i) {
                    n.push(need.clone());
                }
            }
        };
        for line in &self.graph_lines {
            for (dependent, need) in line_edges(line, known, &aliases) {
                add(&dependent, need);
            }
        }
        for (id, cell) in &self.dep_rows {
            if let Some(dependent) = known.resolve(id) {
                for need in cell_needs(cell, known)
                    .into_iter()
                    .filter(|n| known.resolve(n).is_some())
                {
                    add(&dependent, need);
                }
            }
        }
        for (i, n) in needs.iter_mut().enumerate() {
            let own = ids.get(i).cloned().unwrap_or_default();
            let mut seen = HashSet::new();
            n.retain(|x| *x != own && seen.insert(x.clone()));
        }
        needs
    }

    /// Notes on what was not recognised, set aside, duplicated or left dangling.
    fn explain(
        &mut self,
        ids: &[String],
        by_id: &HashMap<String, Vec<usize>>,
        needs: &[Vec<String>],
        known: &Known,
    ) {
        if self.tasks.is_empty() {
            self.notes.push(
                "no tasks recognised: no checklist, task table or front-matter todos".to_string(),
            );
        }
        if !self.context_checks.is_empty() {
            let mut headings: Vec<&str> = Vec::new();
            for h in &self.context_checks {
                if !headings.contains(&h.as_str()) {
                    headings.push(h);
                }
            }
            self.notes.push(format!(
                "{} checklist item(s) under {} kept as phase context, not tasks",
                self.context_checks.len(),
                headings.join(", ")
            ));
        }
        let dupes: BTreeMap<&String, &Vec<usize>> =
            by_id.iter().filter(|(_, v)| v.len() > 1).collect();
        for (id, at) in dupes {
            let lines: Vec<String> = at.iter().map(|&i| self.line_no(i).to_string()).collect();
            self.notes.push(format!(
                "task id `{id}` appears {} times (lines {}): status changes to it are refused as ambiguous",
                at.len(),
                lines.join(", ")
            ));
        }
        for (i, n) in needs.iter().enumerate() {
            let missing: Vec<&str> = n
                .iter()
                .filter(|x| known.resolve(x).is_none())
                .map(String::as_str)
                .collect();
            if let (false, Some(id)) = (missing.is_empty(), ids.get(i)) {
                self.notes.push(format!(
                    "task `{id}` needs {}, not defined in this file",
                    missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }

    /// 1-based line of task `task`.
    fn line_no(&self, task: usize) -> usize {
        self.tasks
            .get(task)
            .and_then(|t| self.lines.get(t.line_idx))
            .map_or(0, |l| l.no)
    }

    /// Build the document; slots follow the order of `Document::tasks`.
    fn assemble(self, ids: Vec<String>, bodies: Vec<String>, needs: Vec<Vec<String>>) -> Parsed {
        let mut slots = Vec::with_capacity(self.tasks.len());
        let mut phases = Vec::with_capacity(self.phases.len());
        // A goal's checklist is tasks: its context keeps the prose only.
        let task_lines: HashSet<usize> = self
            .tasks
            .iter()
            .flat_map(|t| std::iter::once(t.line_idx).chain(t.body_lines.iter().copied()))
            .collect();
        for (p, acc) in self.phases.iter().enumerate() {
            let mut tasks = Vec::new();
            for (i, t) in self.tasks.iter().enumerate().filter(|(_, t)| t.phase == p) {
                slots.push(t.slot.clone());
                tasks.push(self.md_task(i, t, &ids, &bodies, &needs));
            }
            let context = acc
                .context
                .iter()
                .filter_map(|c| {
                    let idxs: Vec<usize> = (c.from..=c.to)
                        .filter(|i| !task_lines.contains(i))
                        .collect();
                    let text = text_of(self.lines, &idxs);
                    (!text.is_empty()).then(|| ContextBlock {
                        heading: c.heading.clone(),
                        line: c.line,
                        text,
                    })
                })
                .collect();
            phases.push(MdPhase {
                id: acc.id.clone(),
                title: acc.title.clone(),
                line: acc.line,
                tasks,
                context,
            });
        }
        Parsed {
            doc: Document {
                phases,
                findings: self.findings,
                notes: self.notes,
            },
            slots,
            upper_x: self.upper_x,
            slash_doing: self.slash_doing,
            fm_statuses: self.fm_statuses,
            table_statuses: self.table_statuses,
        }
    }

    /// The public form of raw task `i`.
    fn md_task(
        &self,
        i: usize,
        t: &RawTask,
        ids: &[String],
        bodies: &[String],
        needs: &[Vec<String>],
    ) -> MdTask {
        let status_at = match &t.slot {
            super::Slot::Checkbox(at) => Some(*at..*at + 1),
            super::Slot::FrontMatter(r) => Some(r.clone()),
            super::Slot::Cell { content, .. } => Some(content.clone()),
            super::Slot::Nowhere => None,
        };
        MdTask {
            id: ids.get(i).cloned().unwrap_or_default(),
            title: t.title.clone(),
            status: t.status,
            needs: needs.get(i).cloned().unwrap_or_default(),
            line: self.line_no(i),
            optional: t.optional,
            parent: t.parent.and_then(|p| ids.get(p).cloned()),
            body: bodies.get(i).cloned().unwrap_or_default(),
            origin: t.origin,
            section: t.section.clone(),
            status_at,
            can_say_doing: t.can_say_doing,
        }
    }
}

/// Task indices by final id.
fn index_by_id(ids: &[String]) -> HashMap<String, Vec<usize>> {
    let mut map: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        map.entry(id.clone()).or_default().push(i);
    }
    map
}

/// A task's body: its indented lines, then table columns and detail text.
fn body_of(lines: &[Line<'_>], t: &RawTask) -> String {
    let mut parts = vec![text_of(lines, &t.body_lines)];
    parts.extend(t.extra.iter().cloned());
    parts.retain(|p| !p.is_empty());
    parts.join("\n")
}

/// Lines as display text: common indentation removed, trailing spaces, surrounding
/// blank lines and closing horizontal rules trimmed, mojibake repaired.
fn text_of(lines: &[Line<'_>], idxs: &[usize]) -> String {
    let texts: Vec<&str> = idxs
        .iter()
        .filter_map(|i| lines.get(*i).map(|l| l.text))
        .collect();
    let lead = |t: &str| t.len() - t.trim_start_matches([' ', '\t']).len();
    let min = texts
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| lead(t))
        .min()
        .unwrap_or(0);
    let mut out: Vec<&str> = texts
        .iter()
        .map(|t| t.get(min..).unwrap_or_else(|| t.trim_start()).trim_end())
        .collect();
    let is_rule = |s: &&str| s.is_empty() || matches!(*s, "---" | "***" | "___");
    while out.last().is_some_and(is_rule) {
        out.pop();
    }
    let first = out.iter().position(|s| !s.is_empty()).unwrap_or(out.len());
    repair_mojibake(&out.get(first..).unwrap_or(&[]).join("\n")).into_owned()
}
