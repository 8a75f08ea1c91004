//! The register pane's state: the filter, the sort, the selection and the marks.
//!
//! The selection is an issue id, never a row number: when the list re-sorts or a new
//! finding arrives between a frame and a key press, the key still acts on the issue the
//! user saw highlighted. Rows are derived from the issues and kept as laid out until
//! the filter or the sort changes: a change made elsewhere (another cockpit, a run)
//! updates its row in place and never moves the list; this cockpit's own writes move
//! only the rows they changed ([`RegisterView::moved`]).

use crate::domain::filter::{triage_order, Filter};
use crate::domain::issue::Issue;
use std::cmp::Ordering;
use std::collections::HashSet;

/// Columns the table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Most severe first, then oldest: the triage order.
    #[default]
    Severity,
    Status,
    Age,
    Owner,
    Id,
}

impl SortKey {
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Severity => "severity",
            SortKey::Status => "status",
            SortKey::Age => "age",
            SortKey::Owner => "owner",
            SortKey::Id => "id",
        }
    }

    /// The order of two issues by this column (ties: oldest first, then by id).
    pub fn compare(self, a: &Issue, b: &Issue) -> Ordering {
        let by = match self {
            SortKey::Severity => return triage_order(a, b),
            SortKey::Status => a.status.cmp(&b.status),
            SortKey::Age => Ordering::Equal,
            // Unowned last.
            SortKey::Owner => match (&a.owner, &b.owner) {
                (Some(x), Some(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            SortKey::Id => a.id.cmp(&b.id),
        };
        by.then_with(|| a.created.cmp(&b.created))
            .then_with(|| a.id.cmp(&b.id))
    }
}

/// The register pane between frames.
#[derive(Debug, Clone, Default)]
pub struct RegisterView {
    pub filter: Filter,
    /// The filter as typed, to edit it again.
    pub filter_text: String,
    pub sort: SortKey,
    /// The sort is reversed (the column's key pressed again).
    pub reverse: bool,
    /// The id of the highlighted issue, if any.
    pub selected: Option<String>,
    /// Marked issues (`space`), by id: bulk triage acts on them.
    pub marks: HashSet<String>,
    /// Where a range (`v`) started: the rows from it to the highlight are marked too.
    pub anchor: Option<String>,
    /// Issues this session saw change, for `changed:session`.
    pub changed: HashSet<String>,
    /// Bumped to lay the rows out again from scratch (a new register, a reload);
    /// rows are cached until it, the filter or the sort changes, so a key press on a
    /// 10,000-issue register sorts at most once.
    pub version: u64,
    cache: std::cell::RefCell<Option<RowCache>>,
}

#[derive(Debug, Clone)]
struct RowCache {
    version: u64,
    len: usize,
    filter: Filter,
    sort: (SortKey, bool),
    order: Vec<usize>,
}

impl RegisterView {
    /// The issues to show, in order.
    pub fn rows<'a>(&self, issues: &'a [Issue]) -> Vec<&'a Issue> {
        self.with_order(issues, |order| {
            order.iter().filter_map(|&i| issues.get(i)).collect()
        })
    }

    /// How many rows are shown.
    pub fn len(&self, issues: &[Issue]) -> usize {
        self.with_order(issues, |order| order.len())
    }

    fn with_order<T>(&self, issues: &[Issue], read: impl FnOnce(&[usize]) -> T) -> T {
        let mut cache = self.cache.borrow_mut();
        if !self.fresh(cache.as_ref(), issues) {
            *cache = Some(RowCache {
                version: self.version,
                len: issues.len(),
                filter: self.filter.clone(),
                sort: (self.sort, self.reverse),
                order: self.sorted(issues),
            });
        }
        read(cache.as_ref().map_or(&[][..], |c| &c.order))
    }

    fn fresh(&self, cache: Option<&RowCache>, issues: &[Issue]) -> bool {
        cache.is_some_and(|c| {
            c.version == self.version
                && c.len == issues.len()
                && c.sort == (self.sort, self.reverse)
                && c.filter == self.filter
        })
    }

    fn compare(&self, a: &Issue, b: &Issue) -> Ordering {
        let order = self.sort.compare(a, b);
        if self.reverse {
            order.reverse()
        } else {
            order
        }
    }

    pub fn shows(&self, issue: &Issue) -> bool {
        self.filter.matches_in(issue, &self.changed)
    }

    /// How many issues are shown.
    pub fn count(&self, issues: &[Issue]) -> usize {
        self.rows(issues).len()
    }

    /// Indices of the shown issues, in order.
    fn sorted(&self, issues: &[Issue]) -> Vec<usize> {
        let mut rows: Vec<usize> = (0..issues.len())
            .filter(|&i| self.shows(&issues[i]))
            .collect();
        rows.sort_by(|&a, &b| self.compare(&issues[a], &issues[b]));
        rows
    }

    /// Apply a change to the laid-out rows, when they are laid out (else the next
    /// `rows` lays them out from scratch anyway).
    fn patch(&self, issues: &[Issue], change: impl FnOnce(&mut Vec<usize>)) {
        let mut cache = self.cache.borrow_mut();
        let Some(c) = cache.as_mut() else {
            return;
        };
        let only_len = c.version == self.version
            && c.sort == (self.sort, self.reverse)
            && c.filter == self.filter;
        if only_len {
            change(&mut c.order);
            c.len = issues.len();
        } else {
            *cache = None;
        }
    }

    /// Put row `at` (an index into `issues`) where the sort puts it.
    fn insert_sorted(&self, issues: &[Issue], order: &mut Vec<usize>, at: usize) {
        let Some(issue) = issues.get(at) else {
            return;
        };
        let place = order
            .iter()
            .position(|&r| {
                issues
                    .get(r)
                    .is_some_and(|o| self.compare(issue, o) == Ordering::Less)
            })
            .unwrap_or(order.len());
        order.insert(place, at);
    }

    /// `issues[at]` changed or arrived from elsewhere: a shown row stays where it is
    /// (even if it no longer matches the filter); a new one is placed by the sort.
    pub fn held(&self, issues: &[Issue], at: usize) {
        self.patch(issues, |order| {
            if !order.contains(&at) && issues.get(at).is_some_and(|i| self.shows(i)) {
                self.insert_sorted(issues, order, at);
            }
        });
    }

    /// `issues[at]` was changed by this cockpit: its row moves to where the sort puts
    /// it, or leaves when the filter hides it (unless `show`: an undone issue is
    /// shown whatever the filter says).
    pub fn moved(&self, issues: &[Issue], at: usize, show: bool) {
        self.patch(issues, |order| {
            order.retain(|&r| r != at);
            if show || issues.get(at).is_some_and(|i| self.shows(i)) {
                self.insert_sorted(issues, order, at);
            }
        });
    }

    /// `issues[at]` was removed from the vector (the indices after it shift down).
    pub fn removed(&self, issues: &[Issue], at: usize) {
        self.patch(issues, |order| {
            order.retain(|&r| r != at);
            for r in order.iter_mut() {
                if *r > at {
                    *r -= 1;
                }
            }
        });
    }

    /// The whole register was read again: rows keep their places by id, issues that
    /// are gone leave, new ones are placed by the sort.
    pub fn reloaded(&self, old: &[Issue], new: &[Issue]) {
        let mut cache = self.cache.borrow_mut();
        let Some(c) = cache.as_mut() else {
            return;
        };
        if !(c.version == self.version
            && c.sort == (self.sort, self.reverse)
            && c.filter == self.filter
            && c.len == old.len())
        {
            *cache = None;
            return;
        }
        let index: std::collections::HashMap<&str, usize> = new
            .iter()
            .enumerate()
            .map(|(i, issue)| (issue.id.as_str(), i))
            .collect();
        let mut order: Vec<usize> = c
            .order
            .iter()
            .filter_map(|&r| old.get(r).and_then(|i| index.get(i.id.as_str())).copied())
            .collect();
        let known: HashSet<&str> = old.iter().map(|i| i.id.as_str()).collect();
        for (at, issue) in new.iter().enumerate() {
            if !known.contains(issue.id.as_str()) && self.shows(issue) {
                self.insert_sorted(new, &mut order, at);
            }
        }
        c.order = order;
        c.len = new.len();
    }

    /// Lay the rows out again from scratch (the filter and sort applied anew).
    pub fn relayout(&mut self) {
        self.version += 1;
    }

    /// The highlighted issue as it is now, if it is still shown. When it is not (it
    /// was filtered out or deleted), nothing is selected: a key never falls through to
    /// a neighbour the user did not see highlighted.
    pub fn current<'a>(&self, issues: &'a [Issue]) -> Option<&'a Issue> {
        let at = self.index(issues)?;
        self.with_order(issues, |order| order.get(at).and_then(|&i| issues.get(i)))
    }

    /// The row index of the selection, for drawing.
    pub fn index(&self, issues: &[Issue]) -> Option<usize> {
        let id = self.selected.as_deref()?;
        self.index_of(issues, id)
    }

    /// The row index of an issue, if it is shown.
    pub fn index_of(&self, issues: &[Issue], id: &str) -> Option<usize> {
        self.with_order(issues, |order| {
            order
                .iter()
                .position(|&i| issues.get(i).is_some_and(|x| x.id == id))
        })
    }

    /// The id on row `at`.
    pub fn id_at(&self, issues: &[Issue], at: usize) -> Option<String> {
        self.with_order(issues, |order| {
            order
                .get(at)
                .and_then(|&i| issues.get(i))
                .map(|i| i.id.clone())
        })
    }

    /// Move the highlight by `delta` rows (clamped); selects the first row when
    /// nothing is selected.
    pub fn move_by(&mut self, issues: &[Issue], delta: isize) {
        let len = self.len(issues);
        if len == 0 {
            self.selected = None;
            return;
        }
        let at = self.index(issues).map_or(0, |i| {
            (i as isize)
                .saturating_add(delta)
                .clamp(0, len as isize - 1) as usize
        });
        self.selected = self.id_at(issues, at);
    }

    /// Highlight row `at` (clamped to the last row).
    pub fn select_row(&mut self, issues: &[Issue], at: usize) {
        let len = self.len(issues);
        self.selected = match len {
            0 => None,
            n => self.id_at(issues, at.min(n - 1)),
        };
    }

    pub fn to_top(&mut self, issues: &[Issue]) {
        self.select_row(issues, 0);
    }

    pub fn to_bottom(&mut self, issues: &[Issue]) {
        self.select_row(issues, usize::MAX);
    }

    /// After the issues changed (a reload, another cockpit's write): keep the
    /// selection on its issue if it is still shown, else select the first row.
    pub fn keep_selection(&mut self, issues: &[Issue]) {
        if self.index(issues).is_none() {
            self.to_top(issues);
        }
    }

    /// Whether an issue is marked, counting the range being selected.
    pub fn is_marked(&self, issues: &[Issue], id: &str, row: usize) -> bool {
        self.marks.contains(id)
            || self
                .range(issues)
                .is_some_and(|(a, b)| (a..=b).contains(&row))
    }

    /// The rows of the range being selected (`v`), first and last.
    pub fn range(&self, issues: &[Issue]) -> Option<(usize, usize)> {
        let anchor = self.index_of(issues, self.anchor.as_deref()?)?;
        let at = self.index(issues)?;
        Some((anchor.min(at), anchor.max(at)))
    }

    /// What bulk triage acts on: the marked issues and the range, in row order
    /// (marked issues hidden by the filter after them). Empty when nothing is marked.
    pub fn targets(&self, issues: &[Issue]) -> Vec<String> {
        let range = self.range(issues);
        if self.marks.is_empty() && range.is_none() {
            return Vec::new();
        }
        let rows = self.rows(issues);
        let mut out: Vec<String> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for (row, issue) in rows.iter().enumerate() {
            let in_range = range.is_some_and(|(a, b)| (a..=b).contains(&row));
            if in_range || self.marks.contains(&issue.id) {
                seen.insert(issue.id.as_str());
                out.push(issue.id.clone());
            }
        }
        let mut hidden: Vec<&String> = self
            .marks
            .iter()
            .filter(|id| !seen.contains(id.as_str()))
            .collect();
        hidden.sort();
        out.extend(hidden.into_iter().cloned());
        out
    }

    /// How many are marked, counting the range.
    pub fn marked_count(&self, issues: &[Issue]) -> usize {
        match self.range(issues) {
            None => self.marks.len(),
            Some(_) => self.targets(issues).len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::finding::Severity;
    use crate::domain::issue::Status;

    fn issue(
        id: &str,
        severity: Severity,
        status: Status,
        owner: Option<&str>,
        created: &str,
    ) -> Issue {
        let actor = crate::domain::issue::Actor {
            by: "t".into(),
            at: created.into(),
            today: "2026-11-22".into(),
        };
        let mut i = Issue::new(
            id.into(),
            format!("title of {id}"),
            severity,
            status,
            &actor,
        );
        i.owner = owner.map(str::to_owned);
        i
    }

    fn register() -> Vec<Issue> {
        vec![
            issue(
                "PF-LOW001",
                Severity::Low,
                Status::Open,
                Some("sam"),
                "2026-11-01T00:00:00Z",
            ),
            issue(
                "PF-CRIT01",
                Severity::Critical,
                Status::New,
                Some("Sarah"),
                "2026-11-03T00:00:00Z",
            ),
            issue(
                "PF-HIGH01",
                Severity::High,
                Status::Verified,
                None,
                "2026-11-02T00:00:00Z",
            ),
            issue(
                "PF-CRIT02",
                Severity::Critical,
                Status::InProgress,
                None,
                "2026-11-02T00:00:00Z",
            ),
        ]
    }

    fn ids(rows: Vec<&Issue>) -> Vec<&str> {
        rows.into_iter().map(|i| i.id.as_str()).collect()
    }

    #[test]
    fn the_filter_language() {
        let issues = register();
        let view = |text: &str| RegisterView {
            filter: Filter::parse(text).unwrap(),
            ..RegisterView::default()
        };
        assert_eq!(
            ids(view("").rows(&issues)),
            ["PF-CRIT02", "PF-CRIT01", "PF-HIGH01", "PF-LOW001"]
        );
        assert_eq!(
            ids(view("sev:crit").rows(&issues)),
            ["PF-CRIT02", "PF-CRIT01"]
        );
        assert_eq!(
            ids(view("sev:high,low").rows(&issues)),
            ["PF-HIGH01", "PF-LOW001"]
        );
        assert_eq!(ids(view("status:new").rows(&issues)), ["PF-CRIT01"]);
        assert_eq!(
            ids(view("owner:sa").rows(&issues)),
            ["PF-CRIT01", "PF-LOW001"]
        );
        assert_eq!(
            ids(view("open").rows(&issues)),
            ["PF-CRIT02", "PF-CRIT01", "PF-LOW001"]
        );
        assert_eq!(ids(view("title crit01").rows(&issues)), ["PF-CRIT01"]);
        assert!(Filter::parse("sev:urgent")
            .unwrap_err()
            .contains("unknown severity"));
        assert!(Filter::parse("status:done")
            .unwrap_err()
            .contains("unknown status"));
        let mut blocked = register();
        blocked[3].blocker = true;
        assert_eq!(ids(view("blocker").rows(&blocked)), ["PF-CRIT02"]);
    }

    #[test]
    fn the_selection_follows_its_issue_when_the_list_reorders() {
        let mut issues = register();
        let mut view = RegisterView::default();
        view.to_top(&issues);
        view.move_by(&issues, 1);
        assert_eq!(view.current(&issues).unwrap().id, "PF-CRIT01");
        // A new critical finding arrives and sorts above: the highlight stays on the
        // issue the user saw, though its row number changed.
        issues.push(issue(
            "PF-CRIT00",
            Severity::Critical,
            Status::New,
            None,
            "2026-10-01T00:00:00Z",
        ));
        assert_eq!(view.current(&issues).unwrap().id, "PF-CRIT01");
        assert_eq!(view.index(&issues), Some(2));
        // Re-sorting by id moves it again; still the same issue.
        view.sort = SortKey::Id;
        assert_eq!(view.current(&issues).unwrap().id, "PF-CRIT01");
    }

    #[test]
    fn a_selection_filtered_away_selects_nothing_rather_than_a_neighbour() {
        let issues = register();
        let mut view = RegisterView {
            selected: Some("PF-HIGH01".into()),
            filter: Filter::parse("open").unwrap(),
            ..RegisterView::default()
        };
        assert!(view.current(&issues).is_none());
        view.keep_selection(&issues);
        assert_eq!(view.current(&issues).unwrap().id, "PF-CRIT02");
    }

    #[test]
    fn moving_clamps_at_the_ends() {
        let issues = register();
        let mut view = RegisterView::default();
        view.move_by(&issues, -5);
        assert_eq!(view.index(&issues), Some(0));
        view.move_by(&issues, 99);
        assert_eq!(view.index(&issues), Some(3));
        view.to_top(&issues);
        assert_eq!(view.index(&issues), Some(0));
        view.to_bottom(&issues);
        assert_eq!(view.current(&issues).unwrap().id, "PF-LOW001");
        let mut empty = RegisterView::default();
        empty.move_by(&[], 1);
        assert!(empty.selected.is_none());
    }
}
