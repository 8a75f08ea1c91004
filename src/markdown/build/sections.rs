//! Headings during the walk: phase headings open phases, context headings open context
//! sections, headings that start with an id open task detail sections.

use super::{Builder, ContextAcc, Detail, HeadingCtx, PhaseAcc, Region};
use crate::markdown::ids::{leading_id, phase_heading};

impl Builder<'_> {
    /// A heading ends lists and the sections it outranks, then opens a phase, a context
    /// section or a task detail section.
    /// `last` is the heading's last line (a setext heading's underline).
    pub(super) fn heading(&mut self, idx: usize, last: usize, level: usize, text: &str) {
        self.stack.clear();
        self.last_attached = None;
        for summary in &mut self.summaries {
            *summary = None;
        }
        self.callout = None;
        if let Some(r) = self.region {
            if level <= r.level || !r.owns_subsections {
                self.close_region(idx);
            }
        }
        self.close_details(idx, level);
        while self.headings.last().is_some_and(|h| h.level >= level) {
            self.headings.pop();
        }
        let phase = phase_heading(text);
        let mut kind_text = text.to_string();
        if let Some((id, title)) = &phase {
            if self.enter_phase(idx, level, text, id, title) {
                return;
            }
            kind_text = title.clone();
        }
        let in_region = self.region.is_some();
        let kind = (!in_region).then(|| context_kind(&kind_text)).flatten();
        if let Some((owns_subsections, deps)) = kind {
            self.open_region((idx, last), level, text, owns_subsections, deps);
        }
        let token = if phase.is_some() {
            None
        } else {
            leading_id(text).map(|(id, _)| id)
        };
        if let (Some(t), false) = (&token, in_region || kind.is_some()) {
            self.details.push(Detail {
                token: t.clone(),
                level,
                from: last + 1,
                to: None,
            });
        }
        let is_title = self.h1.as_ref().is_some_and(|(i, _)| *i == idx);
        self.headings.push(HeadingCtx {
            level,
            text: text.into(),
            token,
            is_phase: phase.is_some() || is_title,
        });
    }

    /// Make phase `id` current: an earlier phase of that id (the heading is then one of
    /// its sections, and `false` is returned), or a new one opened by this heading.
    fn enter_phase(&mut self, idx: usize, level: usize, text: &str, id: &str, title: &str) -> bool {
        if let Some(existing) = self.phases.iter().position(|p| p.id == id) {
            self.cur = Some(existing);
            if let Some(p) = self.phases.get_mut(existing) {
                p.from_heading = true;
            }
            return false;
        }
        self.close_region(idx);
        let line = self.lines.get(idx).map_or(1, |l| l.no);
        self.phases.push(PhaseAcc {
            id: id.to_string(),
            title: title.to_string(),
            line,
            from_heading: true,
            context: Vec::new(),
        });
        self.cur = Some(self.phases.len() - 1);
        self.headings.clear();
        self.headings.push(HeadingCtx {
            level,
            text: text.into(),
            token: None,
            is_phase: true,
        });
        true
    }

    /// Start a context section of the current phase under the heading on lines
    /// `first..=last` (one line, or a setext heading and its underline).
    pub(super) fn open_region(
        &mut self,
        (first, last): (usize, usize),
        level: usize,
        text: &str,
        owns_subsections: bool,
        deps: bool,
    ) {
        let phase = self.phase();
        let line = self.lines.get(first).map_or(1, |l| l.no);
        let Some(p) = self.phases.get_mut(phase) else {
            return;
        };
        p.context.push(ContextAcc {
            heading: text.to_string(),
            line,
            from: last + 1,
            to: last,
        });
        let block = p.context.len() - 1;
        self.region = Some(Region {
            level,
            phase,
            block,
            owns_subsections,
            deps,
        });
    }

    /// End the open context section just before line `idx`.
    pub(super) fn close_region(&mut self, idx: usize) {
        if let Some(r) = self.region.take() {
            if let Some(block) = self
                .phases
                .get_mut(r.phase)
                .and_then(|p| p.context.get_mut(r.block))
            {
                block.to = idx.saturating_sub(1).max(block.from.saturating_sub(1));
            }
        }
    }

    /// End the detail sections a heading of `level` at `idx` outranks.
    pub(super) fn close_details(&mut self, idx: usize, level: usize) {
        for d in self
            .details
            .iter_mut()
            .filter(|d| d.to.is_none() && d.level >= level)
        {
            d.to = Some(idx.saturating_sub(1));
        }
    }

    /// End whatever is open at the end of the text.
    pub(super) fn close_all(&mut self) {
        let end = self.lines.len();
        self.close_region(end);
        self.close_details(end, 0);
    }

    /// The title of the callout the line is in, else the `<summary>` of the innermost
    /// `<details>` block, else the nearest heading below the phase heading.
    pub(super) fn section(&self) -> Option<String> {
        if let Some((_, title)) = &self.callout {
            return Some(title.clone());
        }
        if let Some(summary) = self.summaries.iter().rev().find_map(Clone::clone) {
            return Some(summary);
        }
        self.headings
            .iter()
            .rev()
            .find(|h| !h.is_phase)
            .map(|h| h.text.clone())
    }

    /// The id of the nearest heading that starts with one.
    pub(super) fn heading_token(&self) -> Option<String> {
        self.headings.iter().rev().find_map(|h| h.token.clone())
    }
}

/// Whether a heading names a section that describes the phase instead of listing its
/// work: `(owns sub-headings, draws dependencies)`. Goals and overviews own nothing and
/// draw nothing: their prose is context, their checklists are tasks.
pub(super) fn context_kind(heading: &str) -> Option<(bool, bool)> {
    let h: String = heading
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = h.split_whitespace().collect();
    let has = |w: &str| words.contains(&w);
    let phrase = |p: &str| words.join(" ").contains(p);
    let deps = phrase("dependency graph")
        || has("dependencies")
        || has("dependency")
        || phrase("critical path")
        || phrase("execution order")
        || phrase("task order")
        || phrase("task graph")
        || has("sequencing");
    if deps {
        return Some((true, true));
    }
    let owning = has("deliverables")
        || has("deliverable")
        || phrase("success criteria")
        || phrase("acceptance criteria")
        || phrase("exit criteria")
        || phrase("definition of done")
        || phrase("done criteria")
        || has("prerequisites")
        || has("pre-requisites")
        || has("prereqs")
        || has("risk")
        || has("risks")
        || phrase("review history")
        || has("outcomes")
        || phrase("success metrics")
        || phrase("metrics targets")
        || phrase("estimated duration");
    if owning {
        return Some((true, false));
    }
    let intro =
        has("goal") || has("goals") || has("objective") || has("objectives") || has("overview");
    intro.then_some((false, false))
}
