//! Write-back: `set_status` changes one status token and nothing else, for every origin,
//! in CRLF and mojibake files too; it is idempotent and round-trips.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may fail loudly

use preflight::domain::plan::TaskStatus::{self, Cancelled, Doing, Done, Todo};
use preflight::markdown::{read, set_status, MdTask, SetError};
use std::ops::Range;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/plans/",
            $name
        ))
    };
}

/// The byte ranges that differ between `a` and `b` (in `a` and in `b`), found by
/// trimming their common prefix and suffix.
fn diff(a: &str, b: &str) -> (Range<usize>, Range<usize>) {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    (prefix..a.len() - suffix, prefix..b.len() - suffix)
}

fn task(text: &str, id: &str) -> MdTask {
    read(text, "")
        .tasks()
        .find(|t| t.id == id)
        .cloned()
        .unwrap()
}

/// Set a status and check that the one changed span lies inside `allowed` (a range of
/// the original text); return the new text and what now stands there.
fn set_within(text: &str, id: &str, status: TaskStatus, allowed: Range<usize>) -> (String, String) {
    let new = set_status(text, id, status).unwrap();
    let (old_span, new_span) = diff(text, &new);
    assert!(
        old_span.start >= allowed.start && old_span.end <= allowed.end,
        "{id}: changed {old_span:?}, allowed {allowed:?}"
    );
    assert_eq!(
        read(&new, "").tasks().find(|t| t.id == id).unwrap().status,
        status
    );
    let written = new[new_span].to_string();
    (new, written)
}

/// The byte range of the line holding byte `at`.
fn line_of(text: &str, at: usize) -> Range<usize> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    start..end
}

#[test]
fn checkbox_changes_one_character_and_keeps_the_x_style() {
    let text = fixture!("tasks-numbered.md");
    let at = task(text, "2").status_at.unwrap();
    assert_eq!(at.len(), 1);
    let (done, written) = set_within(text, "2", Done, at.clone());
    assert_eq!(written, "X", "the file checks its boxes with X only");
    assert_eq!(diff(text, &done).0, at);
    let (back, _) = set_within(&done, "2", Todo, at);
    assert_eq!(back, text);
}

#[test]
fn checkbox_cannot_say_doing_unless_the_file_uses_slash() {
    let text = fixture!("tasks-numbered.md");
    let err = set_status(text, "2.2", Doing).unwrap_err();
    assert!(
        matches!(&err, SetError::Unsupported(m) if m.contains("checkbox")),
        "{err}"
    );
    assert!(!task(text, "2.2").can_say_doing);

    let text = fixture!("multi-phase.md");
    let at = task(text, "F2.1").status_at.unwrap();
    let (doing, written) = set_within(text, "F2.1", Doing, at.clone());
    assert_eq!(written, "/");
    assert_eq!(set_within(&doing, "F2.1", Todo, at).0, text);
    let cancelled = task(text, "p2-2");
    assert_eq!(cancelled.status, Cancelled);
    assert_eq!(
        set_status(text, "p2-2", Cancelled).unwrap(),
        text,
        "already cancelled: nothing to write"
    );
    let at = cancelled.status_at.unwrap();
    let (reopened, written) = set_within(text, "p2-2", Todo, at.clone());
    assert_eq!(written, " ");
    assert_eq!(task(&reopened, "p2-2").status, Todo);
    let (done, written) = set_within(text, "p2-2", Done, at.clone());
    assert_eq!(written, "x", "asked by name, a cancelled task can be done");
    assert_eq!(set_within(&done, "p2-2", Cancelled, at).0, text);
}

#[test]
fn cancelling_writes_the_files_own_word_or_mark() {
    let text = fixture!("tasks-numbered.md");
    let at = task(text, "2.2").status_at.unwrap();
    let (cancelled, written) = set_within(text, "2.2", Cancelled, at.clone());
    assert_eq!(written, "-");
    assert_eq!(set_within(&cancelled, "2.2", Todo, at).0, text);

    let text = fixture!("frontmatter-todos.md");
    let gates = task(text, "ci-gates").status_at.unwrap();
    let (cancelled, written) = set_within(text, "ci-gates", Cancelled, gates);
    assert_eq!(written, "cancelled", "the word the file already uses");
    assert!(cancelled.contains("    status: 'cancelled'\n"));

    let text = fixture!("crlf.md");
    let cell = task(text, "c-2").status_at.unwrap();
    let (cancelled, _) = set_within(text, "c-2", Cancelled, line_of(text, cell.start));
    assert!(
        cancelled.contains("| c-2 | Switch DNS             | cancelled |   \r\n"),
        "{cancelled:?}"
    );
    assert_eq!(set_status(&cancelled, "c-2", Todo).unwrap(), text);
}

#[test]
fn crlf_bom_and_trailing_spaces_survive() {
    let text = fixture!("crlf.md");
    let at = task(text, "c-3").status_at.unwrap();
    let (done, written) = set_within(text, "c-3", Done, at.clone());
    assert_eq!(written, "x");
    assert!(done.starts_with('\u{feff}'));
    assert_eq!(done.matches("\r\n").count(), text.matches("\r\n").count());
    assert!(done.contains("- [x] c-3 Announce the cutover   \r\n"));
    assert_eq!(set_within(&done, "c-3", Todo, at).0, text);

    let cell = task(text, "c-2").status_at.unwrap();
    let (done, _) = set_within(text, "c-2", Done, line_of(text, cell.start));
    assert!(
        done.contains("| c-2 | Switch DNS             | done   |   \r\n"),
        "{done:?}"
    );
    assert_eq!(set_status(&done, "c-2", Todo).unwrap(), text);
}

#[test]
fn front_matter_value_changes_and_keeps_its_quotes() {
    let text = fixture!("frontmatter-todos.md");
    let gates = task(text, "ci-gates").status_at.unwrap();
    let (done, written) = set_within(text, "ci-gates", Done, gates.clone());
    assert_eq!(written, "completed");
    assert!(done.contains("    status: 'completed'\n"));
    let gates = task(&done, "ci-gates").status_at.unwrap();
    assert_eq!(set_within(&done, "ci-gates", Todo, gates).0, text);

    let pins = task(text, "pin-deps").status_at.unwrap();
    let (todo, _) = set_within(text, "pin-deps", Todo, pins);
    assert!(todo.contains("    status: \"pending\"\n    dependencies: [audit-log]"));
    let pins = task(&todo, "pin-deps").status_at.unwrap();
    assert_eq!(set_within(&todo, "pin-deps", Doing, pins).0, text);

    let legacy = task(text, "legacy-api").status_at.unwrap();
    assert_eq!(set_status(text, "legacy-api", Cancelled).unwrap(), text);
    let (reopened, written) = set_within(text, "legacy-api", Todo, legacy);
    assert_eq!(written, "pending");
    assert_eq!(task(&reopened, "legacy-api").status, Todo);
}

#[test]
fn lenient_front_matter_keeps_its_comment() {
    let text = fixture!("frontmatter-lenient.md");
    let at = task(text, "patch").status_at.unwrap();
    let (done, _) = set_within(text, "patch", Done, at);
    assert!(done.contains("    status: completed # after repro\n"));
    let at = task(&done, "patch").status_at.unwrap();
    assert_eq!(set_within(&done, "patch", Todo, at).0, text);
}

#[test]
fn table_cell_is_rewritten_in_the_column_style_and_padding() {
    let text = fixture!("phase-2-data-layer.md");
    let row = |t: &str, id: &str| {
        let at = task(t, id).status_at.unwrap();
        t[line_of(t, at.start)].to_string()
    };
    let p23 = task(text, "p2-3").status_at.unwrap();
    let (done, _) = set_within(text, "p2-3", Done, line_of(text, p23.start));
    assert_eq!(
        row(&done, "p2-3"),
        "| p2-3 | Add connection pool limits        | p2-1       | ✅ Done        |"
    );

    let p22 = task(text, "p2-2").status_at.unwrap();
    let (done, _) = set_within(text, "p2-2", Done, line_of(text, p22.start));
    assert_eq!(
        row(&done, "p2-2"),
        "| p2-2 | Move sessions to Redis cluster    | none       | ✅ Done        |"
    );
    assert_eq!(set_status(&done, "p2-2", Doing).unwrap(), text);

    let p21 = task(text, "p2-1").status_at.unwrap();
    let (todo, _) = set_within(text, "p2-1", Todo, line_of(text, p21.start));
    assert_eq!(
        row(&todo, "p2-1"),
        "| p2-1 | Enable point-in-time recovery     | -          | Todo           |"
    );
    assert_eq!(set_status(&todo, "p2-1", Done).unwrap(), text);

    let p24 = task(text, "p2-4").status_at.unwrap();
    let (doing, _) = set_within(text, "p2-4", Doing, line_of(text, p24.start));
    assert_eq!(
        row(&doing, "p2-4"),
        "| p2-4 | Verify restore drill under 30 min | p2-1, p2-2 | 🔄 In Progress |"
    );
}

#[test]
fn mojibake_elsewhere_is_left_exactly_as_it_was() {
    let text = fixture!("mojibake.md");
    let cell = task(text, "T-3").status_at.unwrap();
    assert_eq!(&text[cell.clone()], "â¬œ");
    let (done, written) = set_within(text, "T-3", Done, line_of(text, cell.start));
    assert_eq!(written.trim(), "✅");
    assert_eq!(done.matches("â€”").count(), text.matches("â€”").count());
    assert_eq!(done.matches("âœ…").count(), text.matches("âœ…").count());
    let at = task(text, "T-4").status_at.unwrap();
    let (todo, written) = set_within(text, "T-4", Todo, at.clone());
    assert_eq!(written, " ");
    assert_eq!(set_within(&todo, "T-4", Done, at).0, text);
}

#[test]
fn what_cannot_be_written_is_refused_with_a_reason() {
    let text = fixture!("multi-phase.md");
    let err = set_status(text, "F1", Done).unwrap_err();
    assert!(
        matches!(&err, SetError::Unsupported(m) if m.contains("no status")),
        "{err}"
    );

    let busy =
        "| ID | Task | Status |\n|---|---|---|\n| a-1 | X | Done (PR #4) |\n| a-2 | Y | [ ] |\n";
    let err = set_status(busy, "a-1", Todo).unwrap_err();
    assert!(
        matches!(&err, SetError::Unsupported(m) if m.contains("more than a status word")),
        "{err}"
    );
    let err = set_status(busy, "a-2", Doing).unwrap_err();
    assert!(
        matches!(&err, SetError::Unsupported(m) if m.contains("boxes")),
        "{err}"
    );
    assert_eq!(
        set_status(busy, "a-2", Done).unwrap(),
        busy.replace("[ ]", "[x]")
    );
}

#[test]
fn unknown_and_ambiguous_ids() {
    let text = fixture!("frontmatter-todos.md");
    assert_eq!(
        set_status(text, "autid-log", Done),
        Err(SetError::NotFound(
            "autid-log".into(),
            Some("audit-log".into())
        ))
    );
    assert_eq!(
        set_status(text, "zzz", Done).unwrap_err().to_string(),
        "no task `zzz` in this file"
    );
    assert_eq!(
        SetError::NotFound("autid-log".into(), Some("audit-log".into())).to_string(),
        "no task `autid-log` in this file; did you mean `audit-log`?"
    );
    assert!(
        set_status(text, "AUDIT-LOG", Todo).is_ok(),
        "ids match ignoring case"
    );

    let dup = "- [ ] a-1 One\n- [ ] a-1 Two\n";
    let err = set_status(dup, "a-1", Done).unwrap_err();
    assert_eq!(err, SetError::Ambiguous("a-1".into(), vec![1, 2]));
    assert!(err.to_string().contains("lines 1, 2"));
}

/// Every task of every fixture, to every status: one span changed, inside the task's
/// line; setting the same status again changes nothing.
#[test]
fn every_task_every_status_changes_one_span_on_its_line() {
    let fixtures = [
        fixture!("phase-2-data-layer.md"),
        fixture!("tasks-numbered.md"),
        fixture!("frontmatter-todos.md"),
        fixture!("frontmatter-lenient.md"),
        fixture!("mojibake.md"),
        fixture!("crlf.md"),
        fixture!("multi-phase.md"),
    ];
    for text in fixtures {
        for t in read(text, "").tasks() {
            assert_eq!(
                set_status(text, &t.id, t.status).unwrap(),
                text,
                "{} unchanged",
                t.id
            );
            for status in [Todo, Doing, Done] {
                let Ok(new) = set_status(text, &t.id, status) else {
                    continue;
                };
                if status == t.status {
                    assert_eq!(new, text);
                    continue;
                }
                let at = t.status_at.clone().unwrap();
                let (old_span, _) = diff(text, &new);
                let line = line_of(text, at.start);
                assert!(
                    old_span.start >= line.start && old_span.end <= line.end,
                    "{} {status}",
                    t.id
                );
                assert_eq!(
                    set_status(&new, &t.id, status).unwrap(),
                    new,
                    "{} {status} twice",
                    t.id
                );
            }
        }
    }
}

#[test]
fn blockquoted_and_callout_items_change_one_byte_and_keep_their_markers() {
    let text = fixture!("callouts.md");
    for (id, status, line) in [
        ("task-2.1", Done, ">   - [x] Review the last migration"),
        ("task-3", Todo, "> > - [ ] Nested quote: tag the RC"),
        ("task-4", Cancelled, "> - [-] Flip the feature flag"),
        ("task-6", Todo, "> - [ ] Send the press release"),
        ("task-7", Done, ">- [x] Write the changelog"),
    ] {
        let at = task(text, id).status_at.unwrap();
        let (new, _) = set_within(text, id, status, at.clone());
        assert_eq!(diff(text, &new).0.len(), 1, "{id}: one byte");
        assert_eq!(&new[line_of(&new, at.start)], line, "{id}");
        let back = task(text, id).status;
        assert_eq!(set_within(&new, id, back, at).0, text, "{id} round-trips");
    }
    let fenced = "> - [ ] an example inside a quoted fence";
    assert!(
        set_status(text, "task-10", Done).is_err(),
        "the quoted fence holds no task"
    );
    assert!(text.contains(fenced));
}

#[test]
fn crlf_callout_items_keep_crlf_and_trailing_spaces() {
    let text = fixture!("callouts-crlf.md");
    let at = task(text, "task-3").status_at.unwrap();
    let (done, written) = set_within(text, "task-3", Done, at.clone());
    assert_eq!(written, "x");
    assert!(done.contains("> > - [x] Nested: revoke the VPN key\r\n"));
    assert_eq!(done.matches("\r\n").count(), text.matches("\r\n").count());
    assert!(!done.replace("\r\n", "").contains('\n'), "no bare LF");
    assert_eq!(set_within(&done, "task-3", Todo, at).0, text);

    let at = task(text, "task-2").status_at.unwrap();
    let (todo, _) = set_within(text, "task-2", Todo, at.clone());
    assert!(todo.contains("> - [ ] Update the runbook   \r\n"));
    assert_eq!(set_within(&todo, "task-2", Done, at).0, text);
}

#[test]
fn a_struck_through_open_task_reads_cancelled_and_unstrikes_when_reopened() {
    let text = "# Phase 1\n\n- [ ] 1.1 ~~Drop Redis~~\n- [ ] Keep ~~old~~ new\n- [x] ~~Ship it~~\n";
    let doc = read(text, "");
    let got: Vec<(String, String, TaskStatus)> = doc
        .tasks()
        .map(|t| (t.id.clone(), t.title.clone(), t.status))
        .collect();
    assert_eq!(got[0], ("1.1".into(), "Drop Redis".into(), Cancelled));
    assert_eq!((got[1].1.as_str(), got[1].2), ("Keep ~~old~~ new", Todo));
    assert_eq!((got[2].1.as_str(), got[2].2), ("Ship it", Done));

    // Cancelled already: nothing to write.
    assert_eq!(set_status(text, "1.1", Cancelled).unwrap(), text);
    // Reopened or done: the strike goes with the new mark, and it reads back.
    for (status, line) in [
        (Todo, "- [ ] 1.1 Drop Redis\n"),
        (Done, "- [x] 1.1 Drop Redis\n"),
    ] {
        let new = set_status(text, "1.1", status).unwrap();
        assert!(new.contains(line), "{new}");
        assert_eq!(task(&new, "1.1").status, status);
        assert_eq!(
            new.replace(line, ""),
            text.replace("- [ ] 1.1 ~~Drop Redis~~\n", "")
        );
    }
}
