//! The register pane's state: the filter, the sort, and the selection.
//!
//! The selection is an issue id, never a row number: when the list re-sorts or a new
//! finding arrives between a frame and a key press, the key still acts on the issue the
//! user saw highlighted. Rows are derived from the issues, and cached until they,
//! the filter or the sort change.

use crate::domain::filter::{triage_order, Filter};
use crate::domain::issue::Issue;

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
    /// The next column `S` sorts by.
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Severity => SortKey::Status,
            SortKey::Status => SortKey::Age,
            SortKey::Age => SortKey::Owner,
            SortKey::Owner => SortKey::Id,
            SortKey::Id => SortKey::Severity,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Severity => "severity",
            SortKey::Status => "status",
            SortKey::Age => "age",
            SortKey::Owner => "owner",
            SortKey::Id => "id",
        }
    }
}

/// The register pane between frames.
#[derive(Debug, Clone, Default)]
pub struct RegisterView {
    pub filter: Filter,
    /// The filter as typed, to edit it again.
    pub filter_text: String,
    pub sort: SortKey,
    /// The id of the highlighted issue, if any.
    pub selected: Option<String>,
    /// Bumped whenever the issues change; rows are cached until it (or the filter or
    /// the sort) does, so a key press on a 10,000-issue register sorts at most once.
    pub version: u64,
    cache: std::cell::RefCell<Option<RowCache>>,
}

#[derive(Debug, Clone)]
struct RowCache {
    version: u64,
    len: usize,
    filter: Filter,
    sort: SortKey,
    order: Vec<usize>,
}

impl RegisterView {
    /// The issues to show, in order.
    pub fn rows<'a>(&self, issues: &'a [Issue]) -> Vec<&'a Issue> {
        let mut cache = self.cache.borrow_mut();
        let fresh = cache.as_ref().is_some_and(|c| {
            c.version == self.version
                && c.len == issues.len()
                && c.sort == self.sort
                && c.filter == self.filter
        });
        if !fresh {
            let order = self.sorted(issues);
            *cache = Some(RowCache {
                version: self.version,
                len: issues.len(),
                filter: self.filter.clone(),
                sort: self.sort,
                order,
            });
        }
        cache
            .as_ref()
            .map(|c| c.order.iter().filter_map(|&i| issues.get(i)).collect())
            .unwrap_or_default()
    }

    /// How many issues are shown.
    pub fn count(&self, issues: &[Issue]) -> usize {
        self.rows(issues).len()
    }

    /// Indices of the shown issues, in order.
    fn sorted(&self, issues: &[Issue]) -> Vec<usize> {
        let mut rows: Vec<(usize, &Issue)> = issues
            .iter()
            .enumerate()
            .filter(|(_, i)| self.filter.matches(i))
            .collect();
        rows.sort_by(|(_, a), (_, b)| {
            let by = match self.sort {
                SortKey::Severity => return triage_order(a, b),
                SortKey::Status => a.status.cmp(&b.status),
                SortKey::Age => std::cmp::Ordering::Equal,
                SortKey::Owner => a.owner.cmp(&b.owner),
                SortKey::Id => a.id.cmp(&b.id),
            };
            by.then_with(|| a.created.cmp(&b.created))
                .then_with(|| a.id.cmp(&b.id))
        });
        rows.into_iter().map(|(i, _)| i).collect()
    }

    /// The highlighted issue as it is now, if it is still shown. When it is not (it
    /// was filtered out or deleted), nothing is selected: a key never falls through to
    /// a neighbour the user did not see highlighted.
    pub fn current<'a>(&self, issues: &'a [Issue]) -> Option<&'a Issue> {
        let id = self.selected.as_deref()?;
        self.rows(issues).into_iter().find(|i| i.id == id)
    }

    /// The row index of the selection, for drawing.
    pub fn index(&self, issues: &[Issue]) -> Option<usize> {
        let id = self.selected.as_deref()?;
        self.rows(issues).iter().position(|i| i.id == id)
    }

    /// Move the highlight by `delta` rows (clamped); selects the first row when
    /// nothing is selected.
    pub fn move_by(&mut self, issues: &[Issue], delta: isize) {
        let rows = self.rows(issues);
        if rows.is_empty() {
            self.selected = None;
            return;
        }
        let at = self.index(issues).map_or(0, |i| {
            (i as isize + delta).clamp(0, rows.len() as isize - 1) as usize
        });
        self.selected = rows.get(at).map(|i| i.id.clone());
    }

    pub fn to_top(&mut self, issues: &[Issue]) {
        self.selected = self.rows(issues).first().map(|i| i.id.clone());
    }

    pub fn to_bottom(&mut self, issues: &[Issue]) {
        self.selected = self.rows(issues).last().map(|i| i.id.clone());
    }

    /// After the issues changed (a reload, another cockpit's write): keep the
    /// selection on its issue if it is still shown, else select the first row.
    pub fn keep_selection(&mut self, issues: &[Issue]) {
        if self.current(issues).is_none() {
            self.to_top(issues);
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
