//! `read` and `set_status` never panic: random bytes and mutated plans go through both
//! for a few thousand rounds (a deterministic xorshift generator, no extra crate), and
//! every write that succeeds reads back with the status it set, touches no line break,
//! and keeps a CRLF file CRLF. Some rounds quote every line (`> `) or turn LF into CRLF
//! first, so blockquotes, callouts and CRLF files are always in the mix.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may fail loudly

use preflight::domain::plan::TaskStatus::{self, Cancelled, Doing, Done, Todo};
use preflight::markdown::{read, set_status};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/plans/",
            $name
        ))
    };
}

/// Xorshift64*: small, fast, and the same sequence on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Pieces that steer mutations into the parser's corners.
const SNIPPETS: &[&str] = &[
    "- [ ] ",
    "- [x] ",
    "  - [X] 1.2 ",
    "- [ ]* ",
    "- [/] ",
    "- [-] ",
    "1. [ ] ",
    "|",
    " | ",
    "|---|---|\n",
    "| ID | Task | Depends On | Status |\n|----|------|-----|----|\n| p1-1 | a | p1-2 | ✅ |\n",
    "```\n",
    "~~~\n",
    "```mermaid\n",
    "<!--",
    "-->",
    "---\n",
    "...\n",
    "# Phase 1: ",
    "## Phase 2 — ",
    "### 4A: ",
    "## Dependency Graph\n",
    "## Deliverables\n",
    "p1-1 --> p1-2\n",
    " → ",
    "──►",
    "depends on ",
    "(needs p1-1)",
    "todos:\n  - id: x\n    status: pending\n",
    "status: 'done'\n",
    "dependencies: [",
    "]",
    "â",
    "âœ…",
    "ðŸ”„",
    "\u{feff}",
    "\r\n",
    "\r",
    "\t",
    "**",
    "`",
    "\\|",
    "é",
    "🔄",
    "⬜",
    "\u{0}",
    "\u{9d}",
    "[",
    "]*",
    "_Requirements: 1.1_\n",
    "    ",
    "\n\n",
    "> ",
    "> > ",
    ">",
    "> - [ ] ",
    "> [!NOTE]\n",
    "> [!todo]- Folded\n> - [x] ",
    "> ```\n",
    "\r\n> - [x] ",
    "<details>\n<summary>Week 1</summary>\n\n",
    "</details>\n",
    "Phase 3\n=======\n",
    "Checks\n------\n",
    "[2. Sort](https://example.org/2)",
    "![icon](i.png) ",
    "[![b](b.svg)](https://x) ",
    "(A) ",
    " [id:t1 est:2h]",
    " [id:: t2]",
    " 🆔 t3 ⛔ t1,t2",
    "- [?] ",
    "- [] ",
    "## Goal\n",
    "## Acceptance Criteria\n",
    "+ [ ] ",
    "\t- [ ] ",
    "\u{a0}",
];

/// Every line behind a blockquote marker, or a callout: the shapes of quoted plans.
fn quote_all(text: &str, callout: bool) -> String {
    let mut out = String::from(if callout { "> [!TODO] Quoted\n" } else { "" });
    for line in text.split_inclusive('\n') {
        out.push_str("> ");
        out.push_str(line);
    }
    out
}

/// LF line ends as CRLF (CRLF ones stay).
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    for _ in 0..=rng.below(6) {
        let at = rng.below(chars.len() + 1);
        match rng.below(5) {
            0 => {
                let end = (at + rng.below(40)).min(chars.len());
                chars.drain(at..end);
            }
            1 | 2 => {
                let snippet: Vec<char> = rng.pick(SNIPPETS).chars().collect();
                chars.splice(at..at, snippet);
            }
            3 => {
                let c = char::from_u32(rng.below(0x2_0000) as u32).unwrap_or('?');
                chars.insert(at, c);
            }
            _ => chars.truncate(at),
        }
    }
    chars.into_iter().collect()
}

fn random_bytes(rng: &mut Rng) -> String {
    let len = rng.below(400);
    let bytes: Vec<u8> = (0..len).map(|_| (rng.next() >> 24) as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn exercise(rng: &mut Rng, text: &str) {
    let all_crlf = !text.replace("\r\n", "").contains('\n');
    let doc = read(text, "phase-3-fuzz");
    let ids =
        |d: &preflight::markdown::Document| d.tasks().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&doc),
        ids(&read(text, "")),
        "ids must not depend on the file name"
    );
    let tasks: Vec<_> = doc.tasks().cloned().collect();
    for _ in 0..3 {
        let status: TaskStatus = *rng.pick(&[Todo, Doing, Done, Cancelled]);
        let id = if tasks.is_empty() || rng.below(4) == 0 {
            rng.pick(&["p1-1", "1", "x", "", "task-1", "âœ…"])
                .to_string()
        } else {
            rng.pick(&tasks).id.clone()
        };
        if let Ok(new) = set_status(text, &id, status) {
            let (old_span, new_span) = changed(text, &new);
            for span in [old_span, new_span] {
                assert!(
                    !span.iter().any(|b| *b == b'\n' || *b == b'\r'),
                    "a write touched a line break: {span:?} in {text:?}"
                );
            }
            if all_crlf {
                assert!(!new.replace("\r\n", "").contains('\n'), "CRLF kept");
            }
            let back = read(&new, "phase-3-fuzz");
            let hit: Vec<_> = back
                .tasks()
                .filter(|t| t.id.eq_ignore_ascii_case(&id))
                .collect();
            if hit.len() == 1 && hit[0].id == id {
                assert_eq!(hit[0].status, status, "{id} in {text:?}");
            }
        }
    }
}

/// The differing middle of `a` and of `b` (common prefix and suffix cut, on bytes).
fn changed<'a>(a: &'a str, b: &'a str) -> (&'a [u8], &'a [u8]) {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let prefix = x.iter().zip(y).take_while(|(p, q)| p == q).count();
    let room = x.len().min(y.len()) - prefix;
    let suffix = x
        .iter()
        .rev()
        .zip(y.iter().rev())
        .take(room)
        .take_while(|(p, q)| p == q)
        .count();
    (&x[prefix..x.len() - suffix], &y[prefix..y.len() - suffix])
}

#[test]
fn random_input_never_panics() {
    let mut bases: Vec<String> = [
        fixture!("phase-2-data-layer.md"),
        fixture!("tasks-numbered.md"),
        fixture!("frontmatter-todos.md"),
        fixture!("frontmatter-lenient.md"),
        fixture!("mojibake.md"),
        fixture!("crlf.md"),
        fixture!("multi-phase.md"),
        fixture!("fenced-only.md"),
        fixture!("prose.md"),
        fixture!("callouts.md"),
        fixture!("callouts-crlf.md"),
        fixture!("goal-checklist.md"),
        fixture!("acceptance-only.md"),
        fixture!("study-links.md"),
        fixture!("obsidian-tasks.md"),
        fixture!("bullets-tabs.md"),
        fixture!("details.md"),
        fixture!("setext.md"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/plans");
    if let Ok(entries) = std::fs::read_dir(shared) {
        for e in entries.flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                bases.push(text);
            }
        }
    }
    // PREFLIGHT_FUZZ_ROUNDS / PREFLIGHT_FUZZ_SEED run it longer or elsewhere locally.
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let rounds = env("PREFLIGHT_FUZZ_ROUNDS").unwrap_or(3000);
    let mut rng = Rng(env("PREFLIGHT_FUZZ_SEED").unwrap_or(0x9E37_79B9_7F4A_7C15) | 1);
    for round in 0..rounds {
        let text = if round % 5 == 0 {
            random_bytes(&mut rng)
        } else {
            let base = rng.pick(&bases).clone();
            let base = match rng.below(6) {
                0 => quote_all(&base, false),
                1 => quote_all(&base, true),
                2 => crlf(&base),
                3 => crlf(&quote_all(&base, rng.below(2) == 0)),
                _ => base,
            };
            mutate(&mut rng, &base)
        };
        exercise(&mut rng, &text);
    }
}
