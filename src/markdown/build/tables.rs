//! Tables met during the walk: task rows, findings rows, dependency rows, risk tables.

use super::{Builder, NeedsRaw, RawTask, Scope, Slot, TableCol};
use crate::domain::plan::TaskStatus;
use crate::markdown::ids::is_id_like;
use crate::markdown::inline::display;
use crate::markdown::lines::{indent, slice};
use crate::markdown::mojibake::repair_mojibake;
use crate::markdown::status::{classify, default_token};
use crate::markdown::table::{self, clean_id, Cell, Columns, Kind};
use crate::markdown::{MdFinding, Origin};
use unicode_width::UnicodeWidthStr;

/// A body row: its line index and cells.
type Row = (usize, Vec<Cell>);

impl Builder<'_> {
    /// Sort a table into tasks, findings, dependencies, risks, or task body text.
    pub(super) fn table(&mut self, header: usize, last: usize) {
        let Some(head_line) = self.lines.get(header) else {
            return;
        };
        let text = self.text;
        let headers: Vec<String> = table::split_row(head_line)
            .iter()
            .map(|c| slice(text, c.content.clone()).to_string())
            .collect();
        let rows: Vec<Row> = (header + 2..=last)
            .filter_map(|i| self.lines.get(i).map(|l| (i, table::split_row(l))))
            .collect();
        let values = |col: usize| -> Vec<String> {
            rows.iter()
                .filter_map(|(_, cells)| {
                    cells
                        .get(col)
                        .map(|c| slice(text, c.content.clone()).to_string())
                })
                .filter(|v| !v.is_empty())
                .collect()
        };
        let cols = table::columns(&headers, &values);
        let has_ids = cols.id.is_some_and(|c| {
            !values(c).is_empty() && values(c).iter().any(|v| is_id_like(&clean_id(v)))
        });
        let kind = table::kind(&cols, has_ids);
        if kind == Kind::Findings {
            self.findings_rows(&cols, &rows);
        } else if self.region.is_some() {
            if self.region.is_some_and(|r| r.deps)
                && matches!(kind, Kind::Tasks | Kind::Dependencies)
            {
                self.dependency_rows(&cols, &rows);
            }
            return;
        } else if kind == Kind::Tasks {
            self.task_rows(&headers, &cols, &rows);
        } else if kind == Kind::Dependencies {
            self.dependency_rows(&cols, &rows);
        } else if kind == Kind::Risks {
            let heading = self.section().unwrap_or_else(|| "Risks".to_string());
            self.add_context(heading, header, last);
        } else {
            self.attach_block(header, last, indent(head_line.text));
            return;
        }
        self.stack.clear();
        self.last_attached = None;
    }

    /// The trimmed text of column `col` of a row.
    fn cell(&self, cells: &[Cell], col: Option<usize>) -> Option<String> {
        let cell = cells.get(col?)?;
        Some(slice(self.text, cell.content.clone()).to_string())
    }

    /// One task per row whose id cell holds an id; status from the status cell.
    fn task_rows(&mut self, headers: &[String], cols: &Columns, rows: &[Row]) {
        let phase = self.phase();
        let section = self.section();
        let heading_token = self.heading_token();
        let table = self.table_statuses.len();
        let statuses: Vec<String> = rows
            .iter()
            .filter_map(|(_, cells)| self.cell(cells, cols.status))
            .collect();
        let column_says_doing = statuses.iter().any(|s| {
            let r = classify(s);
            r.simple && r.status == TaskStatus::Doing
        });
        let aligned_width = self.aligned_width(rows.first().map(|(i, _)| *i), cols.status);
        self.table_statuses.push(TableCol {
            values: statuses,
            aligned_width,
        });
        for (idx, cells) in rows {
            let id = clean_id(&self.cell(cells, cols.id).unwrap_or_default());
            if !is_id_like(&id) {
                continue;
            }
            let title = display(&repair_mojibake(
                self.cell(cells, cols.title).unwrap_or_default().trim(),
            ));
            let status_cell = cols.status.and_then(|c| cells.get(c)).cloned();
            let current = status_cell
                .as_ref()
                .map(|c| slice(self.text, c.content.clone()).to_string());
            let reading = current.as_deref().map(classify);
            let can_say_doing = current.as_deref().is_some_and(|c| {
                classify(c).simple
                    && (column_says_doing || default_token(c, TaskStatus::Doing).is_some())
            });
            let slot = status_cell.map_or(Slot::Nowhere, |c| Slot::Cell {
                raw: c.raw,
                content: c.content,
                table,
            });
            let extra = self.other_columns(headers, cols, cells);
            self.push_task(RawTask {
                phase,
                title: if title.is_empty() { id.clone() } else { title },
                explicit: Some(id),
                status: reading.map_or(TaskStatus::Todo, |r| r.status),
                line_idx: *idx,
                optional: false,
                parent: None,
                indent: 0,
                body_lines: Vec::new(),
                extra,
                origin: Origin::TableRow,
                slot,
                scope: Scope::Generic("row"),
                section: section.clone(),
                heading_token: heading_token.clone(),
                needs_raw: self
                    .cell(cells, cols.deps)
                    .map(NeedsRaw::Cell)
                    .into_iter()
                    .collect(),
                can_say_doing,
                context_heading: None,
            });
        }
    }

    /// The display width the status column is padded to, when the header and delimiter
    /// cells agree on one (an aligned table).
    fn aligned_width(&self, first_row: Option<usize>, col: Option<usize>) -> Option<usize> {
        let first = first_row?;
        let width_at = |i: usize| {
            let line = self.lines.get(i)?;
            let cell = table::split_row(line).into_iter().nth(col?)?;
            Some(UnicodeWidthStr::width(slice(self.text, cell.raw)))
        };
        let header = width_at(first.checked_sub(2)?)?;
        (width_at(first - 1)? == header).then_some(header)
    }

    /// `Header: value` lines for the columns that are not id, title, deps or status.
    fn other_columns(&self, headers: &[String], cols: &Columns, cells: &[Cell]) -> Vec<String> {
        let taken = [cols.id, cols.title, cols.deps, cols.status];
        let lines: Vec<String> = headers
            .iter()
            .enumerate()
            .filter(|(k, h)| !taken.contains(&Some(*k)) && !h.trim().is_empty())
            .filter_map(|(k, h)| {
                let v = self.cell(cells, Some(k))?;
                let v = v.trim();
                (!matches!(v, "" | "-" | "—" | "–"))
                    .then(|| format!("{}: {}", repair_mojibake(h.trim()), repair_mojibake(v)))
            })
            .collect();
        if lines.is_empty() {
            Vec::new()
        } else {
            vec![lines.join("\n")]
        }
    }

    /// (id, dependency cell) pairs, resolved once all ids are known.
    fn dependency_rows(&mut self, cols: &Columns, rows: &[Row]) {
        for (_, cells) in rows {
            let id = clean_id(&self.cell(cells, cols.id).unwrap_or_default());
            if let (true, Some(deps)) = (is_id_like(&id), self.cell(cells, cols.deps)) {
                self.dep_rows.push((id, deps));
            }
        }
    }

    /// One finding per row whose id cell holds an id.
    fn findings_rows(&mut self, cols: &Columns, rows: &[Row]) {
        for (idx, cells) in rows {
            let id = clean_id(&self.cell(cells, cols.id).unwrap_or_default());
            if !is_id_like(&id) {
                continue;
            }
            let field = |col: Option<usize>| {
                self.cell(cells, col)
                    .map(|v| repair_mojibake(v.trim()).into_owned())
                    .filter(|v| !is_blank_value(v))
            };
            self.findings.push(MdFinding {
                title: field(cols.finding).unwrap_or_default(),
                severity: field(cols.severity),
                owner: field(cols.owner),
                status: field(cols.status),
                line: self.lines.get(*idx).map_or(0, |l| l.no),
                id,
            });
        }
    }
}

/// A cell that says nothing: empty, a dash, "n/a", "none", "unassigned".
fn is_blank_value(v: &str) -> bool {
    matches!(
        v.to_lowercase().as_str(),
        "" | "-" | "—" | "–" | "n/a" | "none" | "unassigned" | "tbd" | "?"
    )
}
