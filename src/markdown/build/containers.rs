//! Blocks that hold a checklist and give it a name without a heading: `<details>` with
//! its `<summary>`, and callouts (`> [!NOTE] Title`, Obsidian and GitHub). Their tasks
//! say which block they sit in (their section); the markup lines are never task text.

use super::Builder;
use crate::markdown::mojibake::repair_mojibake;

/// `<details>` blocks followed inside one another, at most.
const MAX_DETAILS: usize = 16;

impl Builder<'_> {
    /// Before the block starting at line `idx`: a callout ends where its quote does.
    pub(super) fn leave_callout(&mut self, idx: usize) {
        let depth = self.quote.get(idx).copied().unwrap_or(0);
        if self.callout.as_ref().is_some_and(|(d, _)| depth < *d) {
            self.callout = None;
        }
    }

    /// Follow `<details>` / `<summary>` / `</details>` and callout headers on line
    /// `idx`; whether the line was such markup (then it ends the lists above it and
    /// belongs to no task).
    pub(super) fn container_markup(&mut self, idx: usize) -> bool {
        let Some(line) = self.lines.get(idx) else {
            return false;
        };
        let depth = self.quote.get(idx).copied().unwrap_or(0);
        if depth > 0 {
            if let Some(title) = callout_title(line.text) {
                self.callout = Some((depth, title));
                self.end_lists();
                return true;
            }
        }
        let lower = line.text.to_ascii_lowercase();
        if !lower.contains("<details")
            && !lower.contains("<summary")
            && !lower.contains("</details")
        {
            return false;
        }
        for _ in lower.matches("<details").take(MAX_DETAILS) {
            if self.summaries.len() < MAX_DETAILS {
                self.summaries.push(None);
            }
        }
        if let Some(summary) = summary_text(line.text) {
            match self.summaries.last_mut() {
                Some(slot) => *slot = Some(summary),
                None => self.summaries.push(Some(summary)),
            }
        }
        for _ in lower.matches("</details") {
            self.summaries.pop();
        }
        self.end_lists();
        true
    }

    /// No open task takes the lines that follow as its body or sub-tasks.
    fn end_lists(&mut self) {
        self.stack.clear();
        self.last_attached = None;
    }
}

/// The title of a callout header (`[!NOTE]`, `[!todo]- Folded title`): the text after
/// the type and fold mark, else the type as a word ("Note").
fn callout_title(text: &str) -> Option<String> {
    let rest = text.trim_start().strip_prefix("[!")?;
    let close = rest.find(']')?;
    let kind = rest.get(..close)?;
    if kind.is_empty()
        || !kind
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let after = rest.get(close + 1..)?;
    let after = after.strip_prefix(['-', '+']).unwrap_or(after).trim();
    if !after.is_empty() {
        return Some(repair_mojibake(after).into_owned());
    }
    let mut chars = kind.chars();
    let first = chars.next()?.to_uppercase().collect::<String>();
    Some(first + &chars.as_str().to_lowercase())
}

/// The text of a `<summary>…</summary>` on one line, tags inside it removed, mojibake
/// repaired; `None` when there is none or it is empty.
fn summary_text(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    let open = lower.find("<summary")?;
    let start = open + lower.get(open..)?.find('>')? + 1;
    let end = lower
        .get(start..)?
        .find("</summary>")
        .map_or(line.len(), |e| start + e);
    let inner = line.get(start..end)?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = repair_mojibake(text.trim()).into_owned();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callout_titles_and_summaries() {
        assert_eq!(callout_title("[!NOTE]").as_deref(), Some("Note"));
        assert_eq!(
            callout_title("[!todo]- Launch day").as_deref(),
            Some("Launch day")
        );
        assert_eq!(callout_title("[!]"), None);
        assert_eq!(callout_title("[x] not a callout"), None);
        assert_eq!(
            summary_text("<details><summary><b>Week 2</b>: first change</summary>").as_deref(),
            Some("Week 2: first change")
        );
        assert_eq!(summary_text("<summary></summary>"), None);
        assert_eq!(summary_text("<details>"), None);
    }
}
