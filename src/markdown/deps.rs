//! Dependencies written in prose and pictures: dependency cells (`p4-1, p4-2`, `-`,
//! `none`), graph lines (`a → b`, `a --> b, c`, `a ──► b`, mermaid `A[p4-1] --> B`),
//! sentences (`p4-3 depends on p4-1`), and inline `(depends on p4-1)`.

use super::ids::{is_id_like, tokens};
use std::collections::HashMap;

/// The ids a document defines, to resolve tokens written with another case.
#[derive(Debug, Default)]
pub(crate) struct Known {
    by_lower: HashMap<String, String>,
}

impl Known {
    /// Index `ids` by lowercase.
    pub fn new<'a>(ids: impl Iterator<Item = &'a str>) -> Self {
        let mut by_lower = HashMap::new();
        for id in ids {
            by_lower
                .entry(id.to_lowercase())
                .or_insert_with(|| id.to_string());
        }
        Known { by_lower }
    }

    /// The defined id `token` names, if any.
    pub fn resolve(&self, token: &str) -> Option<String> {
        self.by_lower.get(&token.to_lowercase()).cloned()
    }

    /// Every defined id among the tokens of `s`, in order.
    pub fn find_in(&self, s: &str) -> Vec<String> {
        tokens(s)
            .into_iter()
            .filter_map(|t| self.resolve(t))
            .collect()
    }
}

/// The ids in a dependency cell. "-", "—", "none", "N/A" and empty mean none; pieces
/// that are ids are kept even when not defined here (they may live in another file);
/// in longer pieces ("p4-1 (partial)") only defined ids count.
pub(crate) fn cell_needs(cell: &str, known: &Known) -> Vec<String> {
    let cleaned = cell.replace(['`', '*'], "");
    let lowered = cleaned.trim().to_lowercase();
    if matches!(
        lowered.as_str(),
        "" | "-" | "—" | "–" | "none" | "n/a" | "na" | "nothing" | "tbd"
    ) {
        return Vec::new();
    }
    let mut needs = Vec::new();
    for piece in cleaned
        .split([',', ';', '/', '&', '+'])
        .flat_map(|p| p.split(" and "))
    {
        let piece = piece.trim().trim_matches(['[', ']', '(', ')']);
        if is_id_like(piece) {
            needs.push(known.resolve(piece).unwrap_or_else(|| piece.to_string()));
        } else {
            needs.extend(known.find_in(piece));
        }
    }
    needs
}

const HEADS: &[char] = &['>', '→', '►', '▶', '⟶', '⇒', '▸', '➜', '➔', '➡', '⮕', '↦'];
const BACK_HEADS: &[char] = &['<', '←', '◄', '◀', '⟵', '⇐'];
const SHAFT: &[char] = &['-', '=', '─', '━', '—', '–', '.', '~', '═'];

/// Edges of one graph or sentence line as (dependent, needed) pairs among defined ids.
/// `aliases` maps mermaid node names to the ids in their labels.
pub(crate) fn line_edges(
    line: &str,
    known: &Known,
    aliases: &HashMap<String, String>,
) -> Vec<(String, String)> {
    if let Some(edges) = sentence_edges(line, known) {
        return edges;
    }
    let ids_of = |segment: &str| -> Vec<String> {
        let mut found = Vec::new();
        for t in tokens(segment) {
            if let Some(id) = known.resolve(t).or_else(|| aliases.get(t).cloned()) {
                if !found.contains(&id) {
                    found.push(id);
                }
            }
        }
        found
    };
    let mut edges = Vec::new();
    let mut previous: Vec<String> = Vec::new();
    let mut backward = false;
    for (segment, arrow_back) in arrow_segments(line) {
        backward |= arrow_back;
        let ids = ids_of(segment);
        if ids.is_empty() {
            continue;
        }
        for before in &previous {
            for after in &ids {
                if before != after {
                    edges.push(if backward {
                        (before.clone(), after.clone())
                    } else {
                        (after.clone(), before.clone())
                    });
                }
            }
        }
        previous = ids;
        backward = false;
    }
    edges
}

/// Pieces of a line between arrows; each with whether the arrow before it points back.
fn arrow_segments(line: &str) -> Vec<(&str, bool)> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut segments = Vec::new();
    let mut seg_start = 0;
    let mut back_before = false;
    let mut k = 0;
    while let Some(&(_, c)) = chars.get(k) {
        let forward = HEADS.contains(&c);
        let back = BACK_HEADS.contains(&c);
        if !forward && !back {
            k += 1;
            continue;
        }
        let mut first = k;
        while first > 0 && chars.get(first - 1).is_some_and(|(_, p)| SHAFT.contains(p)) {
            first -= 1;
        }
        let mut last = k;
        while chars
            .get(last + 1)
            .is_some_and(|(_, n)| SHAFT.contains(n) || HEADS.contains(n) || BACK_HEADS.contains(n))
        {
            last += 1;
        }
        let arrow_start = chars.get(first).map_or(line.len(), |(b, _)| *b);
        segments.push((line.get(seg_start..arrow_start).unwrap_or(""), back_before));
        back_before = back
            && !chars
                .get(k..=last)
                .is_some_and(|a| a.iter().any(|(_, c)| HEADS.contains(c)));
        seg_start = chars.get(last + 1).map_or(line.len(), |(b, _)| *b);
        k = last + 1;
    }
    segments.push((line.get(seg_start..).unwrap_or(""), back_before));
    segments
}

/// `a depends on b, c` (and "needs", "requires", "blocked by", "after", "waits for"):
/// the left ids need the right ones; `a blocks b` / `a before b`: the other way round.
fn sentence_edges(line: &str, known: &Known) -> Option<Vec<(String, String)>> {
    let lower = line.to_ascii_lowercase();
    let forward = [
        "depends on",
        "blocked by",
        "requires",
        "needs",
        "after",
        "waits for",
        "waits on",
    ];
    let reverse = ["blocks", "before", "unblocks", "enables"];
    for (phrases, flip) in [(&forward[..], false), (&reverse[..], true)] {
        for phrase in phrases {
            let Some(at) = find_word(&lower, phrase) else {
                continue;
            };
            let left = known.find_in(line.get(..at).unwrap_or(""));
            let right = known.find_in(line.get(at + phrase.len()..).unwrap_or(""));
            let mut edges = Vec::new();
            for l in &left {
                for r in &right {
                    if l != r {
                        edges.push(if flip {
                            (r.clone(), l.clone())
                        } else {
                            (l.clone(), r.clone())
                        });
                    }
                }
            }
            return (!edges.is_empty()).then_some(edges);
        }
    }
    None
}

/// Byte offset of `word` in `haystack` where it stands as a whole word.
fn find_word(haystack: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(pos) = haystack.get(from..)?.find(word) {
        let at = from + pos;
        let before_ok = haystack
            .get(..at)?
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = haystack
            .get(at + word.len()..)?
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// Mermaid node definitions `A[p4-1 Audit]`, `B(p4-2)`, `C{{p4-3}}`: node name → the
/// first defined id in its label.
pub(crate) fn mermaid_aliases(line: &str, known: &Known) -> HashMap<String, String> {
    let mut aliases = HashMap::new();
    let mut rest = line;
    while let Some(open) = rest.find(['[', '(', '{']) {
        let name: String = rest
            .get(..open)
            .unwrap_or("")
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after = rest.get(open..).unwrap_or("");
        let close = after.find([']', ')', '}']).unwrap_or(after.len());
        let label = after.get(..close).unwrap_or("");
        if let (false, Some(id)) = (name.is_empty(), known.find_in(label).first()) {
            aliases.insert(name, id.clone());
        }
        rest = after.get(close.max(1)..).unwrap_or("");
    }
    aliases
}

/// `(depends on p4-1)`, `(needs: p4-1, p4-2)`, `(after T-3)` in a title, or a body line
/// `Depends on: p4-1`: the defined ids it names.
pub(crate) fn inline_needs(text: &str, known: &Known) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let mut needs = Vec::new();
    for phrase in [
        "depends on",
        "dependencies",
        "needs",
        "after",
        "blocked by",
        "requires",
        "deps",
    ] {
        for pattern in [format!("({phrase}"), format!("{phrase}:")] {
            let mut from = 0;
            while let Some(pos) = lower.get(from..).and_then(|s| s.find(&pattern)) {
                let start = from + pos + pattern.len();
                let tail = text.get(start..).unwrap_or("");
                let end = tail.find([')', '\n']).unwrap_or(tail.len());
                let line_start = lower
                    .get(..from + pos)
                    .map_or(0, |s| s.rfind('\n').map_or(0, |n| n + 1));
                let prefix = lower.get(line_start..from + pos).unwrap_or("");
                let at_line_start = prefix.chars().all(|c| " \t-*_>".contains(c));
                if pattern.starts_with('(') || at_line_start {
                    needs.extend(known.find_in(tail.get(..end).unwrap_or("")));
                }
                from = start;
            }
        }
    }
    needs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        Known::new(["p4-1", "p4-2", "p4-3", "p4-4", "p4-5", "T-1"].into_iter())
    }

    fn edges(line: &str) -> Vec<(String, String)> {
        let k = known();
        let aliases = mermaid_aliases(line, &k);
        line_edges(line, &k, &aliases)
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn arrows_of_all_kinds() {
        assert_eq!(edges("p4-1 → p4-3"), pairs(&[("p4-3", "p4-1")]));
        assert_eq!(edges("p4-1 --> p4-2"), pairs(&[("p4-2", "p4-1")]));
        assert_eq!(edges("p4-1->p4-2"), pairs(&[("p4-2", "p4-1")]));
        assert_eq!(
            edges("p4-1 -> p4-2, p4-3"),
            pairs(&[("p4-2", "p4-1"), ("p4-3", "p4-1")])
        );
        assert_eq!(
            edges("       ├──► p4-4 ──► p4-5"),
            pairs(&[("p4-5", "p4-4")])
        );
        assert_eq!(edges("p4-1 ──┐"), pairs(&[]));
        assert_eq!(edges("p4-2 <-- p4-1"), pairs(&[("p4-2", "p4-1")]));
        assert_eq!(
            edges("p4-1 → p4-2 → p4-3"),
            pairs(&[("p4-2", "p4-1"), ("p4-3", "p4-2")])
        );
        assert_eq!(
            edges("  A[p4-1: Audit] -->|then| B[p4-2]"),
            pairs(&[("p4-2", "p4-1")])
        );
        assert_eq!(edges("P4-1 => p4-9"), pairs(&[]));
    }

    #[test]
    fn sentences() {
        assert_eq!(
            edges("p4-3 depends on p4-1 and p4-2"),
            pairs(&[("p4-3", "p4-1"), ("p4-3", "p4-2")])
        );
        assert_eq!(edges("- p4-4 is blocked by T-1"), pairs(&[("p4-4", "T-1")]));
        assert_eq!(edges("p4-1 blocks p4-5"), pairs(&[("p4-5", "p4-1")]));
    }

    #[test]
    fn cells() {
        let k = known();
        assert_eq!(cell_needs("p4-1, p4-2", &k), vec!["p4-1", "p4-2"]);
        for none in ["-", "—", "none", "N/A", "", "  "] {
            assert!(cell_needs(none, &k).is_empty(), "{none}");
        }
        assert_eq!(cell_needs("`P4-1` and p3-9", &k), vec!["p4-1", "p3-9"]);
        assert_eq!(cell_needs("p4-1 (partial)", &k), vec!["p4-1"]);
        assert_eq!(cell_needs("Phase 3 done", &k), Vec::<String>::new());
    }

    #[test]
    fn inline() {
        let k = known();
        assert_eq!(
            inline_needs("Deploy (depends on p4-1, p4-2)", &k),
            vec!["p4-1", "p4-2"]
        );
        assert_eq!(
            inline_needs("- Depends on: T-1\nThis needs p4-3 soon", &k),
            vec!["T-1"]
        );
    }
}
