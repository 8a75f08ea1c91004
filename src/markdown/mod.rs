//! Plans written in markdown, read as they are and written back byte for byte.
//!
//! Teams already keep their release plans in markdown: phase documents with task tables,
//! checklists and dependency graphs; `tasks.md` files of numbered checkboxes; plan files
//! whose tasks live in YAML front matter. [`read`] turns any of these into phases, tasks
//! and findings without ever failing, and [`set_status`] flips one task's status token
//! in the original text and leaves every other byte alone (line endings, BOM, trailing
//! spaces and even mojibake stay exactly as they were).
//!
//! Decisions worth knowing (the tests in `tests.rs` and `tests/markdown_write.rs` show
//! each on a fixture):
//! - A checkbox is read wherever a reader sees one: in a list at any indentation
//!   (spaces or tabs, `-`/`*`/`+`/`1.` bullets mixed), in blockquotes (`> - [ ]`,
//!   `> > - [x]`) and callouts (`> [!TODO] Title`), in `<details>` blocks. A quoted
//!   line is read without its `>` markers but its offsets still point into the text, so
//!   a write-back leaves the markers alone. A fence inside a quote ends with the quote.
//! - A checkbox cannot say "doing": `[/]` (Obsidian's in-progress mark) is read as doing,
//!   and written only when the file already uses it; otherwise setting doing on a
//!   checkbox task is [`SetError::Unsupported`] ([`MdTask::can_say_doing`] tells ahead).
//! - `[-]`, and `cancelled`/`skipped`/`won't do` in front matter and table cells, read as
//!   [`TaskStatus::Cancelled`]: neither done nor open. Setting cancelled writes `[-]`,
//!   or the file's own word for it (`cancelled` by default).
//! - A title reads as it renders: a link shows its text, an image before the text is
//!   left out; a task number is only taken from the start of the item's own text, never
//!   from inside link text. Metadata `[id:t1 est:2h]`, `[id:: t1]` or `🆔 t1` names the
//!   task (the group moves to its body); Obsidian Tasks' `⛔ a,b` are needs.
//! - A task without an id of its own gets a derived one: `<parent>.<n>` for a sub-task,
//!   `<section id>.<n>` under a heading that starts with an id (`### 4A: API` gives
//!   `4A.1`), `<phase id>-<n>` under a `Phase N` heading (`p3-2`), else `task-<n>`;
//!   `n` counts the unnamed checkboxes of that scope in document order, skipping ids
//!   already taken. Derived ids never depend on the file name, so [`set_status`] finds
//!   them without it; they shift when unnamed tasks are inserted above, so a task that
//!   other things refer to should carry an id in the file.
//! - Sections that describe a phase keep their prose as context. Under a goal or
//!   overview heading a checklist is tasks. Under a criteria heading (Prerequisites,
//!   Deliverables, Success or Acceptance Criteria, Risks, Dependencies…) a checklist is
//!   context when the phase has tasks elsewhere, and its tasks when it has none.
//!   Checklists and tables inside code fences or HTML comments are examples, never
//!   tasks. Each task records the heading, callout title or `<summary>` it sits under.
//! - Nothing is dropped silently: what is left out (fenced examples, checklists kept as
//!   context, list items whose box is no checkbox such as `[?]`) is said in
//!   [`Document::notes`].

mod build;
mod checklist;
mod deps;
mod frontmatter;
mod ids;
mod inline;
mod lines;
mod mojibake;
mod scan;
mod status;
mod table;
mod write;

use crate::domain::plan::TaskStatus;
use std::ops::Range;

pub use mojibake::repair_mojibake;
pub use write::{set_status, SetError};

/// What a markdown plan holds: its phases (with tasks), any findings table, and one-line
/// notes that explain what was recognised or ignored, so a user is never left guessing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// Phases in document order; empty when the text names none and holds no tasks.
    pub phases: Vec<MdPhase>,
    /// Rows of findings tables, for the register (never tasks).
    pub findings: Vec<MdFinding>,
    /// One-line explanations, e.g. "no tasks recognised: no checklist, task table or
    /// front-matter todos".
    pub notes: Vec<String>,
}

impl Document {
    /// Every task of every phase in document order, for callers that do not care about
    /// the phase a task sits in (lookups, counting, the importer).
    pub fn tasks(&self) -> impl Iterator<Item = &MdTask> {
        self.phases.iter().flat_map(|p| p.tasks.iter())
    }
}

/// A phase: one `Phase N` heading, or the whole file when it has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MdPhase {
    /// `p4` for "Phase 4", `p2.5` for "Phase 2.5"; for a file without phase headings the
    /// file stem (`phase-7-x` gives `p7`), the front matter `name`, or `plan`.
    pub id: String,
    /// The heading text after the phase number, or the H1, or the file stem.
    pub title: String,
    /// 1-based line of the heading (1 for a whole-file phase without heading).
    pub line: usize,
    /// The phase's tasks in document order (front-matter todos first).
    pub tasks: Vec<MdTask>,
    /// Deliverables, success criteria, risks, dependency graph...: shown, never tasks.
    pub context: Vec<ContextBlock>,
}

/// A section that describes the phase rather than listing its work, kept so the cockpit
/// can show it next to the tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextBlock {
    /// The section heading as written (mojibake repaired), e.g. "Success Criteria".
    pub heading: String,
    /// 1-based line of the heading (of the table, for a risk table without one).
    pub line: usize,
    /// The section's markdown, mojibake repaired, surrounding blank lines trimmed.
    pub text: String,
}

/// One task, wherever it came from, with enough position data to write its status back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdTask {
    /// As written (`p4-1`, `2.1`, `T-12`, a front-matter `id`), or derived (see above).
    pub id: String,
    /// The text after the box and id, the description cell, or `content`; repaired.
    pub title: String,
    /// From the box (`[x]`), the status cell (`✅`, `In Progress`) or `status:` value.
    pub status: TaskStatus,
    /// Ids of tasks that must be done first (from a dependency column, front matter
    /// `dependencies`, a dependency graph, or an inline "(depends on …)").
    pub needs: Vec<String>,
    /// 1-based line of the checkbox, table row or front-matter item.
    pub line: usize,
    /// Marked `- [ ]*`, or titled "Optional: …" / "… (optional)".
    pub optional: bool,
    /// The enclosing task for a nested checkbox or a checkbox under a task's detail heading.
    pub parent: Option<String>,
    /// Free text under the task (indented lines, `_Requirements: …_`, other table
    /// columns as `Header: value`, the task's own detail section), mojibake repaired.
    pub body: String,
    /// Checkbox, table row or front matter: decides how the status is written back.
    pub origin: Origin,
    /// The nearest heading below the phase heading, e.g. "4A: Containerization" (or
    /// the `<summary>` of the `<details>` block it sits in).
    pub section: Option<String>,
    /// Byte range of the status token in the text (`x` of `[x]`, the front-matter value,
    /// the trimmed table cell); `None` when there is nothing to write to.
    pub status_at: Option<Range<usize>>,
    /// Whether [`set_status`] can write `doing` for this task (a checkbox can only when
    /// the file already uses `[/]`).
    pub can_say_doing: bool,
}

/// Where a task was written, which decides how its status is written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `- [ ] …`: the character between the brackets is the status.
    Checkbox,
    /// A row of a task table: the status cell, if the table has one.
    TableRow,
    /// An item of front matter `todos:`: its `status:` value.
    FrontMatter,
}

/// A row of a findings table (ID / Severity / Finding / Owner / Status): register
/// material, not work items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MdFinding {
    /// `C1`, `H2`, `SEC-4` as written.
    pub id: String,
    /// As written (`Critical`, `High`…); `None` when empty or a dash.
    pub severity: Option<String>,
    /// The Finding / Title / Issue / Description cell, mojibake repaired.
    pub title: String,
    /// `None` when empty, a dash, `unassigned` or `TBD`.
    pub owner: Option<String>,
    /// As written (`Open`, `In progress`, `Fixed`); `None` when empty.
    pub status: Option<String>,
    /// 1-based line of the row.
    pub line: usize,
}

/// Read a markdown plan. Never panics and never fails: what it cannot make sense of is
/// left out and explained in [`Document::notes`]. `file_stem` only names a phase when
/// the text does not (`phase-4-x` gives `p4`); task ids never depend on it.
pub fn read(text: &str, file_stem: &str) -> Document {
    build::parse(text, file_stem).doc
}

#[cfg(test)]
mod tests;
