//! Second pass: walk the blocks and sort them into phases, context sections, tasks
//! (with bodies and nesting), findings and dependency material. Ids, needs and the final
//! [`Document`] are settled in `finish`.

mod containers;
mod finish;
mod lists;
mod sections;
mod tables;

use super::frontmatter::{self, FrontMatter};
use super::ids::{phase_from_stem, phase_heading, slug};
use super::lines::{split, Line};
use super::mojibake::repair_mojibake;
use super::scan::{scan, Item};
use super::status::classify;
use super::{Document, MdFinding, Origin};
use crate::domain::plan::TaskStatus;
use std::ops::Range;

/// The document and what writing back needs to know about it.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub doc: Document,
    /// One per task, in the order of [`Document::tasks`].
    pub slots: Vec<Slot>,
    /// The file checks its boxes with `X`, never `x`.
    pub upper_x: bool,
    /// The file uses `[/]` for tasks in progress.
    pub slash_doing: bool,
    /// Every front-matter status value, to reuse the file's own words.
    pub fm_statuses: Vec<String>,
    /// The status column of each task table, to reuse the table's own words.
    pub table_statuses: Vec<TableCol>,
}

/// The status column of a task table.
#[derive(Debug, Clone, Default)]
pub(crate) struct TableCol {
    /// Every status cell's text, as written.
    pub values: Vec<String>,
    /// The width cells are padded to, when the table is aligned.
    pub aligned_width: Option<usize>,
}

/// Where a task's status is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Slot {
    /// Byte offset of the character between the brackets.
    Checkbox(usize),
    /// Byte range of the value, without quotes.
    FrontMatter(Range<usize>),
    /// The status cell (between pipes, and trimmed) of a row of table `table`.
    Cell {
        raw: Range<usize>,
        content: Range<usize>,
        table: usize,
    },
    /// Nothing to write to (a table without a status column, a todo without status).
    Nowhere,
}

/// Parse `text` fully: the document and the write-back slots.
pub(crate) fn parse(text: &str, stem: &str) -> Parsed {
    let raw = split(text);
    let fm = frontmatter::parse(text, &raw);
    let body_from = fm.as_ref().map_or(0, |f| f.body_from);
    let scanned = scan(&raw, body_from);
    let lines = &scanned.lines;
    let mut b = Builder::new(text, lines, stem, fm.as_ref(), &scanned.items);
    b.quote = &scanned.quote;
    if let Some(fm) = &fm {
        b.front_matter(fm);
    }
    for item in &scanned.items {
        b.item(item);
    }
    b.close_all();
    if scanned.fenced_checks > 0 {
        b.notes.push(format!(
            "{} checklist item(s) inside code fences ignored: examples, not tasks",
            scanned.fenced_checks
        ));
    }
    if let Some(no) = scanned.unclosed_fence {
        b.notes.push(format!(
            "the code fence opened on line {no} is never closed: the rest of the file is read as code"
        ));
    }
    if !scanned.odd_boxes.is_empty() {
        b.notes.push(odd_boxes_note(&scanned.odd_boxes));
    }
    b.finish()
}

/// Lines shown in a note before "…".
const NOTE_LINES: usize = 5;

/// What a reader is told about list items whose box is no checkbox.
fn odd_boxes_note(lines: &[usize]) -> String {
    let mut shown: Vec<String> = lines
        .iter()
        .take(NOTE_LINES)
        .map(|n| n.to_string())
        .collect();
    if lines.len() > NOTE_LINES {
        shown.push("…".into());
    }
    format!(
        "{} list item(s) start with a box that is no checkbox (`[?]`, `[]`…; line {}): not read as tasks; write `[ ]`, `[x]`, `[/]` or `[-]`",
        lines.len(),
        shown.join(", ")
    )
}

/// A phase being collected.
#[derive(Debug)]
pub(super) struct PhaseAcc {
    pub id: String,
    pub title: String,
    pub line: usize,
    /// Opened by a `Phase N` heading: only then do derived task ids use the phase id
    /// (`p3-1`), so they never depend on the file name or front matter.
    pub from_heading: bool,
    pub context: Vec<ContextAcc>,
}

/// A context section being collected: heading, and its lines by index.
#[derive(Debug)]
pub(super) struct ContextAcc {
    pub heading: String,
    pub line: usize,
    pub from: usize,
    pub to: usize,
}

/// An open context section.
#[derive(Debug, Clone, Copy)]
struct Region {
    level: usize,
    phase: usize,
    block: usize,
    /// Criteria-like sections own their sub-headings; overviews and goals do not.
    owns_subsections: bool,
    /// Lines in it may draw the dependency graph.
    deps: bool,
}

impl Region {
    /// A goal or overview: its prose is context, but a checklist in it is tasks.
    fn intro(&self) -> bool {
        !self.owns_subsections && !self.deps
    }
}

/// A heading above the current line.
#[derive(Debug, Clone)]
struct HeadingCtx {
    level: usize,
    text: String,
    token: Option<String>,
    is_phase: bool,
}

/// A section under a heading that starts with an id (`### p4-1: Security audit`):
/// its text becomes the body of that task if there is one.
#[derive(Debug, Clone)]
pub(super) struct Detail {
    pub token: String,
    pub level: usize,
    pub from: usize,
    pub to: Option<usize>,
}

/// How a task without an id of its own gets one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Scope {
    Parent(usize),
    Heading(String),
    Phase,
    Generic(&'static str),
}

/// A task before ids and needs are settled.
#[derive(Debug, Clone)]
pub(super) struct RawTask {
    pub phase: usize,
    pub explicit: Option<String>,
    pub title: String,
    pub status: TaskStatus,
    pub line_idx: usize,
    pub optional: bool,
    pub parent: Option<usize>,
    pub indent: usize,
    pub body_lines: Vec<usize>,
    pub extra: Vec<String>,
    pub origin: Origin,
    pub slot: Slot,
    pub scope: Scope,
    pub section: Option<String>,
    pub heading_token: Option<String>,
    /// Dependency cells and front-matter lists, resolved later.
    pub needs_raw: Vec<NeedsRaw>,
    pub can_say_doing: bool,
    /// A checkbox under a criteria heading (Deliverables, Prerequisites…): a task only
    /// when its phase has no other tasks, else context of that heading.
    pub context_heading: Option<String>,
}

/// Dependencies as written, before the set of defined ids is known.
#[derive(Debug, Clone)]
pub(super) enum NeedsRaw {
    Cell(String),
    Listed(Vec<String>),
}

/// The walk's state.
pub(super) struct Builder<'t> {
    pub text: &'t str,
    pub lines: &'t [Line<'t>],
    stem: &'t str,
    fm_name: Option<String>,
    h1: Option<(usize, String)>,
    pub phases: Vec<PhaseAcc>,
    cur: Option<usize>,
    pub tasks: Vec<RawTask>,
    pub findings: Vec<MdFinding>,
    pub notes: Vec<String>,
    headings: Vec<HeadingCtx>,
    region: Option<Region>,
    pub details: Vec<Detail>,
    stack: Vec<usize>,
    last_attached: Option<(usize, usize)>,
    pub claimed: Vec<bool>,
    /// Lines (mojibake repaired) that may draw dependencies.
    pub graph_lines: Vec<String>,
    /// (id, dependency cell) pairs from dependency tables.
    pub dep_rows: Vec<(String, String)>,
    context_checks: Vec<String>,
    /// `<details>` blocks open at this line, each with its `<summary>` once seen.
    summaries: Vec<Option<String>>,
    /// Blockquote depth of each line.
    quote: &'t [usize],
    /// The callout the walk is in: its quote depth and title.
    callout: Option<(usize, String)>,
    pub upper_x: bool,
    pub slash_doing: bool,
    pub fm_statuses: Vec<String>,
    pub table_statuses: Vec<TableCol>,
}

impl<'t> Builder<'t> {
    /// Start a walk; the H1 and the checkbox style of the file are known up front.
    fn new(
        text: &'t str,
        lines: &'t [Line<'t>],
        stem: &'t str,
        fm: Option<&FrontMatter>,
        items: &[Item],
    ) -> Self {
        let h1 = items.iter().find_map(|i| match i {
            Item::Heading {
                idx,
                level: 1,
                text,
                ..
            } => Some((*idx, text.clone())),
            _ => None,
        });
        let checks = || {
            items.iter().filter_map(|i| match i {
                Item::Check { check, .. } => Some(check.mark),
                _ => None,
            })
        };
        let mut notes = fm.map(|f| f.notes.clone()).unwrap_or_default();
        if repair_mojibake(text) != text {
            notes.push(
                "mojibake (UTF-8 read as Windows-1252, e.g. `âœ…`) repaired for display; the file is left as it is"
                    .to_string(),
            );
        }
        Builder {
            text,
            lines,
            stem,
            fm_name: fm.and_then(|f| f.name.clone()),
            h1,
            phases: Vec::new(),
            cur: None,
            tasks: Vec::new(),
            findings: Vec::new(),
            notes,
            headings: Vec::new(),
            region: None,
            details: Vec::new(),
            stack: Vec::new(),
            last_attached: None,
            claimed: vec![false; lines.len()],
            graph_lines: Vec::new(),
            dep_rows: Vec::new(),
            context_checks: Vec::new(),
            summaries: Vec::new(),
            quote: &[],
            callout: None,
            upper_x: checks().any(|m| m == 'X') && !checks().any(|m| m == 'x'),
            slash_doing: checks().any(|m| m == '/'),
            fm_statuses: Vec::new(),
            table_statuses: Vec::new(),
        }
    }

    /// The phase a file is when no heading names one: from the H1 if it is a phase
    /// heading, else the file stem (`phase-4-x`), the front matter name, the stem, `plan`.
    fn doc_phase(&mut self) -> usize {
        let h1_phase = self.h1.as_ref().and_then(|(_, t)| phase_heading(t));
        let title = self.h1.as_ref().map(|(_, t)| t.clone());
        let line = self
            .h1
            .as_ref()
            .and_then(|(i, _)| self.lines.get(*i))
            .map_or(1, |l| l.no);
        let (id, from_heading) = match (&h1_phase, phase_from_stem(self.stem), &self.fm_name) {
            (Some((id, _)), _, _) => (id.clone(), true),
            (None, Some(id), _) => (id, false),
            (None, None, Some(name)) if !slug(name).is_empty() => (slug(name), false),
            _ if !slug(self.stem).is_empty() => (slug(self.stem), false),
            _ => ("plan".to_string(), false),
        };
        if let Some(existing) = self.phases.iter().position(|p| p.id == id) {
            return existing;
        }
        let title = match h1_phase {
            Some((_, t)) => t,
            None => title.or_else(|| self.fm_name.clone()).unwrap_or_else(|| {
                if self.stem.is_empty() {
                    "Plan".into()
                } else {
                    self.stem.into()
                }
            }),
        };
        self.phases.push(PhaseAcc {
            id,
            title,
            line,
            from_heading,
            context: Vec::new(),
        });
        self.phases.len() - 1
    }

    /// The current phase, creating the whole-file phase when no heading opened one.
    fn phase(&mut self) -> usize {
        match self.cur {
            Some(p) => p,
            None => {
                let p = self.doc_phase();
                self.cur = Some(p);
                p
            }
        }
    }

    /// Tasks from front matter `todos:`, in the phase of the file's first heading.
    fn front_matter(&mut self, fm: &FrontMatter) {
        if fm.todos.is_empty() {
            return;
        }
        let phase = self.phase();
        for todo in &fm.todos {
            let reading = todo.status.as_deref().map(classify);
            if let Some(s) = &todo.status {
                self.fm_statuses.push(s.clone());
            }
            let line_idx = self
                .lines
                .iter()
                .position(|l| l.no == todo.line)
                .unwrap_or(0);
            self.push_task(RawTask {
                phase,
                explicit: todo.id.clone(),
                title: repair_mojibake(todo.title.trim()).into_owned(),
                status: reading.map_or(TaskStatus::Todo, |r| r.status),
                line_idx,
                optional: false,
                parent: None,
                indent: 0,
                body_lines: Vec::new(),
                extra: Vec::new(),
                origin: Origin::FrontMatter,
                slot: todo
                    .status_at
                    .clone()
                    .map_or(Slot::Nowhere, Slot::FrontMatter),
                scope: Scope::Generic("todo"),
                section: None,
                heading_token: None,
                needs_raw: vec![NeedsRaw::Listed(todo.needs.clone())],
                can_say_doing: todo.status_at.is_some(),
                context_heading: None,
            });
        }
    }

    /// Record a task and claim its line (so detail sections do not repeat it).
    pub(super) fn push_task(&mut self, task: RawTask) -> usize {
        if let Some(c) = self.claimed.get_mut(task.line_idx) {
            *c = true;
        }
        self.tasks.push(task);
        self.tasks.len() - 1
    }

    /// Dispatch one block of the first pass.
    fn item(&mut self, item: &Item) {
        let first = match item {
            Item::Heading { idx, .. }
            | Item::Check { idx, .. }
            | Item::Comment { idx }
            | Item::Text { idx } => *idx,
            Item::Table { header, .. } => *header,
            Item::Code { open, .. } => *open,
        };
        self.leave_callout(first);
        match item {
            Item::Heading {
                idx,
                last,
                level,
                text,
            } => self.heading(*idx, *last, *level, text),
            Item::Check { idx, check } => self.check(*idx, check),
            Item::Table { header, last } => self.table(*header, *last),
            Item::Code {
                open,
                last,
                info,
                indent,
            } => self.code(*open, *last, info, *indent),
            Item::Text { idx } => self.text_line(*idx),
            Item::Comment { idx } => {
                if let Some(c) = self.claimed.get_mut(*idx) {
                    *c = true;
                }
            }
        }
    }
}
