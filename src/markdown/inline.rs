//! Inline markdown in a task's title, read the way a person sees it rendered: a link
//! shows its text (`[Mergesort](https://…)` is "Mergesort"), an image is decoration,
//! and metadata people append (`[id:t1 est:2h]`, `[id:: t1]`, `🆔 t1`) may name the
//! task. Hand-written rather than a full markdown parser: titles are one line, and
//! everything else (emphasis, code spans, `(A)` priorities) stays as written.

use super::ids::is_id_char;

/// The longest link destination or bracket text looked at; longer ones stay as written.
const MAX_SPAN: usize = 2048;
/// Titles longer than this are shown as written (bounded work on hostile lines).
const MAX_TITLE: usize = 4096;
/// Links inside link text are read this deep, no deeper.
const MAX_NESTING: usize = 4;

/// `title` with links shown as their text and images removed (an image that is all the
/// title has is shown as its alt text, so a title never comes out empty when the
/// original was not).
pub(crate) fn display(title: &str) -> String {
    if title.len() > MAX_TITLE {
        return title.trim().to_string();
    }
    let shown = render(title, false, 0);
    if shown == title {
        return shown;
    }
    let shown = collapse_spaces(&shown);
    if !shown.is_empty() || title.trim().is_empty() {
        return shown;
    }
    let with_alt = collapse_spaces(&render(title, true, 0));
    if with_alt.is_empty() {
        title.trim().to_string()
    } else {
        with_alt
    }
}

/// The text of a title that is struck through whole (`~~Drop Redis~~`): how people
/// mark a task they dropped without a `[-]` box. `None` when only part of it is.
pub(crate) fn struck(title: &str) -> Option<&str> {
    let inner = title.trim().strip_prefix("~~")?.strip_suffix("~~")?;
    let whole = !inner.trim().is_empty() && !inner.contains("~~");
    whole.then_some(inner.trim())
}

/// Links to their text, images to nothing (or to their alt text when `alt`).
fn render(s: &str, alt: bool, nesting: usize) -> String {
    let pairs = Pairs::of(s);
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(c) = s.get(i..).and_then(|r| r.chars().next()) {
        let image = c == '!' && s.get(i + 1..).is_some_and(|r| r.starts_with('['));
        let open = if image { i + 1 } else { i };
        if (c == '[' || image) && nesting < MAX_NESTING {
            if let Some((text, end)) = link_at(s, open, &pairs) {
                if !image {
                    out.push_str(&render(text, alt, nesting + 1));
                } else if alt {
                    out.push_str(text);
                }
                i = end;
                continue;
            }
        }
        if c == '\\' {
            // An escaped character is literal: keep both, skip past it.
            let next = s
                .get(i + 1..)
                .and_then(|r| r.chars().next())
                .map_or(0, char::len_utf8);
            out.push_str(s.get(i..i + 1 + next).unwrap_or(""));
            i += 1 + next;
            continue;
        }
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// A link at byte `open` (which holds `[`): `[text](destination)` or `[text][ref]`,
/// brackets and parentheses balanced. Returns the text and the byte offset after it.
fn link_at<'s>(s: &'s str, open: usize, pairs: &Pairs) -> Option<(&'s str, usize)> {
    let close = pairs.closing(open)?;
    let text = s.get(open + 1..close)?;
    let after = close + 1;
    match s.get(after..)?.chars().next() {
        Some('(' | '[') => Some((text, pairs.closing(after)? + 1)),
        _ => None,
    }
}

/// Where each bracket of a string closes (`[]` and `()` separately, nesting counted,
/// backslash escapes skipped), found in one pass so every lookup is cheap.
struct Pairs(std::collections::HashMap<usize, usize>);

impl Pairs {
    fn of(s: &str) -> Pairs {
        let mut map = std::collections::HashMap::new();
        let (mut square, mut round): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
        let mut escaped = false;
        for (k, c) in s.char_indices() {
            if escaped {
                escaped = false;
                continue;
            }
            match c {
                '\\' => escaped = true,
                '[' => square.push(k),
                '(' => round.push(k),
                ']' => {
                    if let Some(open) = square.pop() {
                        map.insert(open, k);
                    }
                }
                ')' => {
                    if let Some(open) = round.pop() {
                        map.insert(open, k);
                    }
                }
                _ => {}
            }
        }
        Pairs(map)
    }

    /// The closing bracket of the one at `open`, if it closes within [`MAX_SPAN`].
    fn closing(&self, open: usize) -> Option<usize> {
        self.0
            .get(&open)
            .copied()
            .filter(|close| close - open <= MAX_SPAN)
    }
}

/// Runs of spaces and tabs as one space, trimmed (other whitespace, such as a
/// no-break space, is text and stays).
fn collapse_spaces(s: &str) -> String {
    s.split([' ', '\t'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What metadata in a title says, and the title without its bracket groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Meta {
    /// `id:` in a bracket group, or an Obsidian Tasks `🆔`.
    pub id: Option<String>,
    /// Obsidian Tasks `⛔ a,b`: ids this task depends on.
    pub needs: Vec<String>,
    /// The title without its metadata groups (the whole title if that is all it is).
    pub title: String,
    /// Each bracket group as written, without the brackets.
    pub groups: Vec<String>,
}

/// Metadata appended to a title: bracket groups of `key:value` / `key:: value` pairs
/// (`[id:t1 est:2h]`, `[id:: t1]`) and Obsidian Tasks' `🆔 t1` and `⛔ t2,t3`.
pub(crate) fn metadata(title: &str) -> Meta {
    let mut meta = Meta {
        title: title.to_string(),
        ..Meta::default()
    };
    if title.len() > MAX_TITLE {
        return meta;
    }
    let spans = meta_groups(title);
    let mut rest = String::new();
    let mut at = 0;
    for (start, end) in &spans {
        let inner = title.get(start + 1..*end).unwrap_or("");
        if meta.id.is_none() {
            meta.id = pairs(inner)
                .into_iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("id"))
                .map(|(_, v)| v)
                .filter(|v| valid_id(v));
        }
        meta.groups.push(inner.trim().to_string());
        rest.push_str(title.get(at..*start).unwrap_or(""));
        rest.push(' ');
        at = end + 1;
    }
    rest.push_str(title.get(at..).unwrap_or(""));
    let rest = collapse_spaces(&rest);
    if rest.is_empty() {
        // Nothing but metadata: it stays the title, so the item never goes blank.
        meta.groups.clear();
    } else {
        meta.title = rest;
    }
    if meta.id.is_none() {
        meta.id = emoji_field(title, '🆔').into_iter().next();
    }
    meta.needs = emoji_field(title, '⛔');
    meta
}

/// The comma-separated ids after an Obsidian Tasks field emoji (`⛔ a,b`).
fn emoji_field(title: &str, emoji: char) -> Vec<String> {
    let Some((_, after)) = title.split_once(emoji) else {
        return Vec::new();
    };
    let list: String = after
        .trim_start()
        .chars()
        .take_while(|c| is_id_char(*c) || *c == ',')
        .collect();
    list.split(',')
        .map(str::trim)
        .filter(|v| valid_id(v))
        .map(str::to_string)
        .collect()
}

/// A metadata id: 1–24 id characters, starting with a letter or digit.
fn valid_id(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 24
        && v.chars().all(is_id_char)
        && v.starts_with(|c: char| c.is_ascii_alphanumeric())
}

/// The byte ranges (`[` to `]`) of the bracket groups whose content is all
/// `key:value` pairs, in order, none inside another.
fn meta_groups(title: &str) -> Vec<(usize, usize)> {
    let brackets = Pairs::of(title);
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (start, c) in title.char_indices() {
        if c != '[' || found.last().is_some_and(|(_, end)| start < *end) {
            continue;
        }
        let Some(end) = brackets.closing(start) else {
            continue;
        };
        if title
            .get(end + 1..)
            .is_some_and(|r| r.starts_with(['(', '[']))
        {
            continue; // a link, not metadata
        }
        let inner = title.get(start + 1..end).unwrap_or("");
        if !pairs(inner).is_empty() && is_all_pairs(inner) {
            found.push((start, end));
        }
    }
    found
}

/// Whether every word of `inner` belongs to a `key:value` or `key:: value` pair.
fn is_all_pairs(inner: &str) -> bool {
    let words: Vec<&str> = inner.split_whitespace().collect();
    let mut k = 0;
    while let Some(word) = words.get(k) {
        let Some((key, value)) = word.split_once(':') else {
            return false;
        };
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return false;
        }
        let value = value.trim_start_matches(':');
        k += if value.is_empty() { 2 } else { 1 };
    }
    !words.is_empty() && k == words.len()
}

/// The `key:value` pairs of a metadata group (a dataview `key:: value` too).
fn pairs(inner: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = inner.split_whitespace().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while let Some(word) = words.get(k) {
        k += 1;
        let Some((key, value)) = word.split_once(':') else {
            continue;
        };
        let mut value = value.trim_start_matches(':').to_string();
        if value.is_empty() {
            if let Some(next) = words.get(k) {
                value = (*next).to_string();
                k += 1;
            }
        }
        if !key.is_empty() && !value.is_empty() {
            out.push((key.to_string(), value));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_show_their_text_and_images_are_decoration() {
        let cases = [
            (
                "[2. Bottom up Mergesort](https://example.org/a_(b))",
                "2. Bottom up Mergesort",
            ),
            ("Read [the guide][guide] first", "Read the guide first"),
            ("![icon](i.png) Rotate the keys", "Rotate the keys"),
            ("[![badge](b.svg)](https://ci) Green build", "Green build"),
            ("![Only an image](x.png)", "Only an image"),
            ("![](x.png)", "![](x.png)"),
            (
                "Keep [T-2] and (A) and `code`",
                "Keep [T-2] and (A) and `code`",
            ),
            ("Unclosed [link](http://x", "Unclosed [link](http://x"),
            ("Escaped \\[x](y)", "Escaped \\[x](y)"),
            ("<https://example.org> stays", "<https://example.org> stays"),
        ];
        for (title, want) in cases {
            assert_eq!(display(title), want, "{title}");
        }
    }

    #[test]
    fn metadata_may_name_the_task_and_never_empties_the_title() {
        let m = metadata("Write the tests [id:t1 est:2h]");
        assert_eq!(
            (m.id.as_deref(), m.title.as_str(), m.groups),
            (
                Some("t1"),
                "Write the tests",
                vec!["id:t1 est:2h".to_string()]
            )
        );
        let m = metadata("Record the demo [id:: demo-2] [est:: 1h]");
        assert_eq!(
            (m.id.as_deref(), m.title.as_str(), m.groups.len()),
            (Some("demo-2"), "Record the demo", 2)
        );
        let m = metadata("Ship it 🆔 abc123 ⛔ xyz789,t1");
        assert_eq!(m.id.as_deref(), Some("abc123"));
        assert_eq!(m.needs, vec!["xyz789", "t1"]);
        assert_eq!(m.title, "Ship it 🆔 abc123 ⛔ xyz789,t1");
        let m = metadata("[est:3h]");
        assert_eq!(
            (m.id, m.title.as_str(), m.groups.len()),
            (None, "[est:3h]", 0)
        );
        let m = metadata("See [docs](https://x) and [T-2]");
        assert_eq!(
            (m.title.as_str(), m.groups.len()),
            ("See [docs](https://x) and [T-2]", 0)
        );
        assert_eq!(metadata("Odd [id:???]").id, None);
    }
}
