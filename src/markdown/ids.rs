//! What an id looks like: `p4-1`, `P3.2`, `T-12`, `SEC-4`, `C1`, `2.1`, `4A`; where a
//! checkbox or heading starts with one; and which headings name a phase.

/// The shape of an id token, which decides what may follow it at the start of a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `2`, `2.1`, `1.2.3`.
    Numeric { dotted: bool },
    /// `4A`, `3b`, `4A.2`.
    NumLetter,
    /// `p4-1`, `T-12`, `SEC-4`, `P3.2` (`sep`), or `T1`, `C1` (no separator).
    Prefixed { sep: bool },
}

/// Characters an id token is made of.
pub(crate) fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// The shape of `s` when the whole of it is an id.
pub(crate) fn shape(s: &str) -> Option<Shape> {
    if s.is_empty() || s.len() > 24 || !s.chars().all(is_id_char) {
        return None;
    }
    let b = s.as_bytes();
    let mut i = 0;
    let letters = count_while(b, &mut i, |c| c.is_ascii_alphabetic());
    if letters == 0 {
        return numeric_shape(b);
    }
    if letters > 8 {
        return None;
    }
    let sep = matches!(b.get(i), Some(b'-' | b'_' | b'.'));
    if sep {
        i += 1;
    }
    if count_while(b, &mut i, |c| c.is_ascii_digit()) == 0 {
        return None;
    }
    count_at_most_one(b, &mut i, |c| c.is_ascii_alphabetic());
    let groups = count_groups(b, &mut i, true)?;
    (i == b.len()).then_some(Shape::Prefixed {
        sep: sep || groups > 0,
    })
}

/// Whether the whole of `s` is an id (table cells, dependency lists).
pub(crate) fn is_id_like(s: &str) -> bool {
    shape(s).is_some()
}

/// Shapes that start with a digit.
fn numeric_shape(b: &[u8]) -> Option<Shape> {
    let mut i = 0;
    if count_while(b, &mut i, |c| c.is_ascii_digit()) == 0 {
        return None;
    }
    let letter = count_at_most_one(b, &mut i, |c| c.is_ascii_alphabetic());
    let groups = count_groups(b, &mut i, letter)?;
    if i != b.len() {
        return None;
    }
    Some(if letter {
        Shape::NumLetter
    } else {
        Shape::Numeric { dotted: groups > 0 }
    })
}

/// Count `.1`/`-2a` groups after an id's first number (letters only when `letters`,
/// so `2.5x` is no id); `None` on a dangling separator.
fn count_groups(b: &[u8], i: &mut usize, letters: bool) -> Option<usize> {
    let mut groups = 0;
    while matches!(b.get(*i), Some(b'.' | b'-')) {
        *i += 1;
        if count_while(b, i, |c| c.is_ascii_digit()) == 0 {
            return None;
        }
        if letters {
            count_at_most_one(b, i, |c| c.is_ascii_alphabetic());
        }
        groups += 1;
    }
    Some(groups)
}

/// Advance `i` over bytes matching `f`; how many.
fn count_while(b: &[u8], i: &mut usize, f: impl Fn(u8) -> bool) -> usize {
    let start = *i;
    while b.get(*i).is_some_and(|&c| f(c)) {
        *i += 1;
    }
    *i - start
}

/// Advance `i` over one byte matching `f` when the next does not match too.
fn count_at_most_one(b: &[u8], i: &mut usize, f: impl Fn(u8) -> bool) -> bool {
    let hit = b.get(*i).is_some_and(|&c| f(c)) && !b.get(*i + 1).is_some_and(|&c| f(c));
    if hit {
        *i += 1;
    }
    hit
}

/// An id at the start of a checkbox title or heading, and the byte offset where the
/// title proper starts. `2. Title`, `2.1 Title`, `p3-4 Title`, `T1: Title`,
/// `**T1:** Title`, `` `p3-4` Title ``, `[T-2] Title`, `Task 1.2: Title`. A bare number
/// or an unseparated `T1` needs a `:`/`)`/`.` after it, so "100 users" is no id.
pub(crate) fn leading_id(text: &str) -> Option<(String, usize)> {
    let mut i = text.len() - text.trim_start().len();
    let mut closers: Vec<&str> = Vec::new();
    for (open, close) in [("**", "**"), ("__", "__"), ("`", "`"), ("[", "]")] {
        if text.get(i..)?.starts_with(open) {
            i += open.len();
            closers.push(close);
        }
    }
    let rest = text.get(i..)?;
    for word in ["task ", "step "] {
        if rest.len() > word.len()
            && rest.get(..word.len())?.eq_ignore_ascii_case(word)
            && rest
                .as_bytes()
                .get(word.len())
                .is_some_and(u8::is_ascii_digit)
        {
            i += word.len();
        }
    }
    let token_len = text
        .get(i..)?
        .find(|c| !is_id_char(c))
        .unwrap_or(text.len() - i);
    let raw = text.get(i..i + token_len)?;
    let token = raw.trim_end_matches('.');
    let had_dot = token.len() < raw.len();
    let id_shape = shape(token)?;
    let mut j = i + raw.len();
    let mut colonish = false;
    if matches!(text.get(j..)?.chars().next(), Some(':' | ')')) {
        colonish = true;
        j += 1;
    }
    let mut closed = 0;
    for close in closers.iter().rev() {
        if text.get(j..)?.starts_with(close) {
            j += close.len();
            closed += 1;
        }
    }
    // `**T1**`, `` `T2` ``, `[T3]`: an id the author marked as one.
    let marked = !closers.is_empty() && closed == closers.len();
    // A bracket not closed right after the token is link text (`[2. Sort](…)`), and
    // `[T3](…)` is a link: neither starts with an id of the item's own.
    if closers.contains(&"]") && (!marked || text.get(j..)?.starts_with(['(', '['])) {
        return None;
    }
    if !colonish && text.get(j..)?.starts_with(':') {
        colonish = true;
        j += 1;
    }
    let after = text.get(j..)?;
    let ends = after.is_empty() || after.starts_with(char::is_whitespace);
    let dashed = starts_with_dash_separator(after);
    let accepted = (marked && ends)
        || match id_shape {
            Shape::Numeric { dotted } => (had_dot || dotted || colonish) && ends,
            Shape::NumLetter => (had_dot || colonish) && ends,
            Shape::Prefixed { sep: true } => ends,
            Shape::Prefixed { sep: false } => (colonish && ends) || dashed,
        };
    if !accepted {
        return None;
    }
    Some((token.to_string(), j + title_skip(after)))
}

/// Whether `s` starts with " - ", " — " or " – " (an id followed by a dash separator).
fn starts_with_dash_separator(s: &str) -> bool {
    let t = s.trim_start();
    t.len() < s.len() && ["- ", "— ", "– ", "-- "].iter().any(|d| t.starts_with(d))
}

/// Bytes of separator (whitespace and one dash) between an id and its title.
fn title_skip(after: &str) -> usize {
    let t = after.trim_start();
    let mut skipped = after.len() - t.len();
    for d in ["-- ", "- ", "— ", "– "] {
        if skipped > 0 && t.starts_with(d) {
            let rest = t.get(d.len()..).unwrap_or("");
            skipped += d.len() + (rest.len() - rest.trim_start().len());
            break;
        }
    }
    skipped
}

/// Every id-shaped token in `s`, in order (runs of id characters, trailing dots and
/// dashes trimmed). Used to find ids in dependency cells and graph lines.
pub(crate) fn tokens(s: &str) -> Vec<&str> {
    s.split(|c: char| !is_id_char(c))
        .map(|t| t.trim_matches(|c| matches!(c, '.' | '-' | '_')))
        .filter(|t| !t.is_empty())
        .collect()
}

/// A phase heading: "Phase 3: Title", "PHASE 4 — Title", "📋 Phase 2.5 Title". Returns
/// the phase id (`p3`, `p2.5`, `p4a`) and the title after the number.
pub(crate) fn phase_heading(text: &str) -> Option<(String, String)> {
    let start = text.find(|c: char| c.is_alphanumeric())?;
    let rest = text.get(start..)?;
    if rest.len() < 6 || !rest.get(..5)?.eq_ignore_ascii_case("phase") {
        return None;
    }
    let after = rest.get(5..)?;
    let after = after.strip_prefix(['-', '_']).unwrap_or(after).trim_start();
    if after.len() == rest.len() - 5 && !after.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let number_len = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .unwrap_or(after.len());
    let number = after.get(..number_len)?.trim_end_matches('.');
    if !number.starts_with(|c: char| c.is_ascii_digit())
        || numeric_shape(number.as_bytes()).is_none()
    {
        return None;
    }
    let tail = after.get(number.len()..)?;
    if !(tail.is_empty()
        || tail.starts_with(|c: char| c.is_whitespace() || ":-—–.)|,*".contains(c)))
    {
        return None;
    }
    let title = tail
        .trim_start_matches(|c: char| c.is_whitespace() || ":-—–.)|,*".contains(c))
        .trim_end_matches(|c: char| c.is_whitespace() || c == '*')
        .to_string();
    let title = if title.is_empty() {
        format!("Phase {number}")
    } else {
        title
    };
    Some((format!("p{}", number.to_ascii_lowercase()), title))
}

/// The phase a file stem names: `phase-4-production-hardening` gives `p4`.
pub(crate) fn phase_from_stem(stem: &str) -> Option<String> {
    let spaced = stem.replace(['-', '_'], " ");
    let (id, _) = phase_heading(&spaced)?;
    stem.to_ascii_lowercase().starts_with("phase").then_some(id)
}

/// `Release Hardening!` gives `release-hardening`: a stable id from a name.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_shapes() {
        for id in [
            "p4-1", "P3.2", "T-12", "SEC-4", "C1", "2.1", "1.3", "4A", "TASK-123", "p4-1a", "7",
        ] {
            assert!(is_id_like(id), "{id}");
        }
        for not in [
            "",
            "Task",
            "p4-",
            "-1",
            "2..1",
            "abc def",
            "verylongprefix-1",
            "H1N1",
            "1.2.",
            "✅",
        ] {
            assert!(!is_id_like(not), "{not}");
        }
    }

    #[test]
    fn leading_ids_of_titles() {
        let cases = [
            (
                "2. Harden the upload path",
                Some(("2", "Harden the upload path")),
            ),
            ("2.1 Validate content", Some(("2.1", "Validate content"))),
            ("p3-4 Deploy", Some(("p3-4", "Deploy"))),
            ("T1: Set up", Some(("T1", "Set up"))),
            ("**T1:** Set up", Some(("T1", "Set up"))),
            ("**2.1** Set up", Some(("2.1", "Set up"))),
            ("`p3-4` Deploy", Some(("p3-4", "Deploy"))),
            ("[T-2] Deploy", Some(("T-2", "Deploy"))),
            ("`T2` Code id", Some(("T2", "Code id"))),
            ("**T3** Bold id", Some(("T3", "Bold id"))),
            ("[T4]: Boxed", Some(("T4", "Boxed"))),
            ("**Note** no id", None),
            ("T1 - Set up", Some(("T1", "Set up"))),
            ("p4-1 — Audit", Some(("p4-1", "Audit"))),
            ("Task 1.2: Wire it", Some(("1.2", "Wire it"))),
            ("4A: Containerization", Some(("4A", "Containerization"))),
            ("3) Ship", Some(("3", "Ship"))),
            ("100 concurrent users", None),
            ("T1 Setup", None),
            ("v2 API", None),
            ("Create `Dockerfile`", None),
            ("CHANGELOG", None),
            ("2.5x faster", None),
            ("Day 1 (Monday)", None),
            ("[2. Bottom up Mergesort](https://x.org/2)", None),
            ("[T-2](https://tracker/T-2) Linked", None),
            ("[2.1 Section][ref] text", None),
        ];
        for (text, want) in cases {
            let got = leading_id(text).map(|(id, at)| (id, &text[at..]));
            let want = want.map(|(id, title)| (id.to_string(), title));
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn phase_headings() {
        let cases = [
            (
                "Phase 3: Production Readiness",
                Some(("p3", "Production Readiness")),
            ),
            (
                "Phase 4 -- Production Hardening",
                Some(("p4", "Production Hardening")),
            ),
            ("Phase 4 — Hardening", Some(("p4", "Hardening"))),
            ("📋 PHASE 3 OVERVIEW", Some(("p3", "OVERVIEW"))),
            ("Phase 2.5", Some(("p2.5", "Phase 2.5"))),
            ("**Phase 4A:** Containers", Some(("p4a", "Containers"))),
            ("Phase-6: Cutover", Some(("p6", "Cutover"))),
            ("Phase Goals", None),
            ("Phases overview", None),
            ("Phase 4th", None),
            ("Prerequisites", None),
        ];
        for (text, want) in cases {
            let want = want.map(|(a, b)| (a.to_string(), b.to_string()));
            assert_eq!(phase_heading(text), want, "{text}");
        }
    }

    #[test]
    fn stems_and_slugs() {
        assert_eq!(
            phase_from_stem("phase-4-production-hardening").as_deref(),
            Some("p4")
        );
        assert_eq!(
            phase_from_stem("phase_2.5_rollout").as_deref(),
            Some("p2.5")
        );
        assert_eq!(phase_from_stem("tasks"), None);
        assert_eq!(phase_from_stem("my-phase-2"), None);
        assert_eq!(slug("Release Hardening!"), "release-hardening");
        assert_eq!(slug("✅"), "");
    }

    #[test]
    fn tokens_split_on_punctuation() {
        assert_eq!(
            tokens("p4-1, p4-2; `T-3` and 4A."),
            vec!["p4-1", "p4-2", "T-3", "and", "4A"]
        );
    }
}
