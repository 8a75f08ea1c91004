//! Update tests for triage at speed: undo and redo, bulk marks, prompts, paste, the
//! detail, others' changes, the session log, the filter, the mouse and the peers'
//! habits. Writes land on a real register on disk ([`Disk`]).

use super::*;

fn ctrl(model: &mut Model, c: char) -> Vec<Effect> {
    let effects = update(
        model,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    );
    model.drawn();
    effects
}

fn ids(model: &Model) -> Vec<String> {
    model
        .register
        .rows(&model.issues)
        .iter()
        .map(|i| i.id.clone())
        .collect()
}

fn notice(model: &Model) -> String {
    model
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

#[test]
fn undo_walks_back_every_step_on_one_issue_and_redo_makes_them_again() {
    let mut m = model();
    let disk = Disk::of(&m);
    let id = "PF-8QW1ZX";
    keys(&mut m, "j");
    // b, o sam ⏎, 3: three steps on one issue.
    press(&mut m, &disk, "b");
    press(&mut m, &disk, "o");
    keys(&mut m, "sam");
    let effects = key(&mut m, KeyCode::Enter);
    disk.land(&mut m, effects);
    keys(&mut m, "k");
    keys(&mut m, "k");
    // The highlight moved away; `3` on another issue in between.
    let other = selected(&m);
    assert_ne!(other, id);
    press(&mut m, &disk, "4");
    assert_eq!(disk.read(id).owner.as_deref(), Some("sam"));
    // u ×4: the other issue's step, then every step of this one, newest first.
    press(&mut m, &disk, "u");
    assert_eq!(selected(&m), other, "the undone issue is selected");
    press(&mut m, &disk, "u");
    assert_eq!(selected(&m), id);
    assert_eq!(disk.read(id).owner, None);
    assert!(disk.read(id).blocker);
    press(&mut m, &disk, "u");
    assert!(!disk.read(id).blocker, "{}", notice(&m));
    assert!(notice(&m).starts_with("undone"), "{}", notice(&m));
    press(&mut m, &disk, "u");
    assert_eq!(notice(&m), "nothing to undo");
    // ctrl-r redoes, in order.
    let effects = ctrl(&mut m, 'r');
    disk.land(&mut m, effects);
    assert!(disk.read(id).blocker);
    let effects = ctrl(&mut m, 'r');
    disk.land(&mut m, effects);
    assert_eq!(disk.read(id).owner.as_deref(), Some("sam"));
    let history: Vec<String> = disk
        .read(id)
        .history
        .iter()
        .map(|h| h.change.clone())
        .collect();
    assert!(history.iter().any(|h| h.starts_with("redo")), "{history:?}");
}

#[test]
fn a_refused_undo_keeps_its_step_and_names_who_changed_the_issue() {
    let mut m = model();
    let disk = Disk::of(&m);
    press(&mut m, &disk, "b");
    disk.change_elsewhere(&mut m, "PF-3F9K2A", |i| i.owner = Some("lee".into()));
    press(&mut m, &disk, "u");
    let text = notice(&m);
    assert!(text.contains("changed by sam since you saw it"), "{text}");
    assert!(!m.undo.is_empty(), "the refused step stays");
    press(&mut m, &disk, "u");
    assert!(
        notice(&m).contains("changed by sam"),
        "tried again, refused again"
    );
}

#[test]
fn a_change_is_said_to_be_someone_elses_only_when_it_was() {
    let mut m = model();
    m.mine.insert("PF-3F9K2A".into(), 5);
    let mine = Refusal {
        id: "PF-3F9K2A".into(),
        text: String::new(),
        stale: Some(Stale {
            current: 5,
            by: "me".into(),
        }),
    };
    let text = super::super::update::refusal_text(&m, &mine);
    assert!(text.contains("changed by this cockpit"), "{text}");
    let theirs = Refusal {
        stale: Some(Stale {
            current: 6,
            by: "sam".into(),
        }),
        ..mine
    };
    let text = super::super::update::refusal_text(&m, &theirs);
    assert!(text.contains("changed by sam"), "{text}");
}

#[test]
fn a_paste_is_text_in_a_prompt_and_nothing_outside_one() {
    let mut m = model();
    assert!(update(&mut m, Msg::Paste("title\nd1".into())).is_empty());
    assert!(m.overlay.is_none(), "no key of the paste ran");
    assert!(notice(&m).contains("only taken in a prompt"));
    keys(&mut m, "n");
    update(&mut m, Msg::Paste("title\nd1".into()));
    let effects = key(&mut m, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::NewIssue { title, .. }] if title == "title d1"),
        "{effects:?}"
    );
}

#[test]
fn after_a_triage_key_the_highlight_stays_at_its_place_in_the_list() {
    let mut m = model();
    let disk = Disk::of(&m);
    assert_eq!(ids(&m), ["PF-3F9K2A", "PF-8QW1ZX", "PF-R8HHF5"]);
    // `b` does not move the row: the highlight stays on it.
    press(&mut m, &disk, "b");
    assert_eq!(selected(&m), "PF-3F9K2A");
    // `3` re-sorts it below the high one: the highlight stays on row 0, the next issue.
    press(&mut m, &disk, "3");
    assert_eq!(ids(&m), ["PF-8QW1ZX", "PF-3F9K2A", "PF-R8HHF5"]);
    assert_eq!(selected(&m), "PF-8QW1ZX");
    // Walking on: `5` on the high one moves it last; the next is again under the cursor.
    press(&mut m, &disk, "5");
    assert_eq!(selected(&m), "PF-3F9K2A");
}

#[test]
fn a_change_made_elsewhere_never_moves_the_list_or_the_selection_and_is_announced() {
    let mut m = model();
    let disk = Disk::of(&m);
    keys(&mut m, "j");
    let before = ids(&m);
    disk.change_elsewhere(&mut m, "PF-3F9K2A", |i| i.severity = Severity::Info);
    assert_eq!(ids(&m), before, "the row keeps its place");
    assert_eq!(selected(&m), "PF-8QW1ZX");
    assert_eq!(notice(&m), "PF-3F9K2A: severity critical → info (by sam)");
    assert_eq!(m.log.get(0).unwrap().text, notice(&m));
    // Its own write seen again by the watcher says nothing.
    press(&mut m, &disk, "2");
    let again = disk.read("PF-8QW1ZX");
    let said = notice(&m);
    update(&mut m, Msg::IssueChanged("PF-8QW1ZX".into(), Some(again)));
    assert_eq!(notice(&m), said);
    // ctrl-l lays the list out again.
    assert_eq!(ctrl(&mut m, 'l'), [Effect::Redraw]);
    assert_eq!(ids(&m).last().map(String::as_str), Some("PF-3F9K2A"));
}

#[test]
fn esc_and_q_close_the_detail_and_overlays_and_q_quits_only_from_the_main_view() {
    let mut m = model();
    key(&mut m, KeyCode::Enter);
    assert!(m.detail);
    assert!(keys(&mut m, "q").is_empty());
    assert!(!m.detail && !m.quit, "q closed the detail");
    key(&mut m, KeyCode::Enter);
    key(&mut m, KeyCode::Esc);
    assert!(!m.detail, "esc closed the detail");
    for open in ["?", "L", "d"] {
        keys(&mut m, open);
        assert!(m.overlay.is_some(), "{open}");
        keys(&mut m, "q");
        assert!(m.overlay.is_none() && !m.quit, "q closed {open}");
    }
    assert_eq!(keys(&mut m, "q"), [Effect::Quit]);
}

#[test]
fn the_detail_reads_the_source_lines_of_its_finding_once() {
    let mut m = model();
    keys(&mut m, "j");
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(
        effects,
        [Effect::ReadSource {
            path: "src/app.py".into(),
            line: 4
        }]
    );
    update(
        &mut m,
        Msg::Source(crate::tui::model::Source {
            path: "src/app.py".into(),
            line: 4,
            lines: Ok(vec![(4, "pickle.loads(data)".into())]),
        }),
    );
    keys(&mut m, "k");
    assert!(keys(&mut m, "j").is_empty(), "already read");
}

#[test]
fn typing_replaces_a_prefilled_value_and_tab_completes_an_owner() {
    let mut m = model();
    // The critical issue's owner is sarah: typing replaces it.
    keys(&mut m, "o");
    keys(&mut m, "sam");
    let effects = writes(&key(&mut m, KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Write::Edit { edits, .. }] if edits == &[Edit::Owner(Some("sam".into()))]),
        "{effects:?}"
    );
    let mut m = model();
    keys(&mut m, "j");
    keys(&mut m, "o");
    keys(&mut m, "sa");
    key(&mut m, KeyCode::Tab);
    let Some(Overlay::Input { field, .. }) = &m.overlay else {
        panic!()
    };
    assert_eq!(field.text(), "sarah");
}

#[test]
fn an_expiry_in_the_past_keeps_the_prompt_and_the_note() {
    let mut m = model();
    keys(&mut m, "d3");
    keys(&mut m, "alarms");
    key(&mut m, KeyCode::Enter);
    keys(&mut m, "2020-01-01");
    assert!(key(&mut m, KeyCode::Enter).is_empty());
    match &m.overlay {
        Some(Overlay::Input {
            ask: Ask::DismissExpiry { note, .. },
            error: Some(error),
            ..
        }) => {
            assert_eq!(note.as_deref(), Some("alarms"));
            assert!(error.contains("already past"), "{error}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_invalid_edit_offers_to_edit_again() {
    let mut m = model();
    let effects = keys(&mut m, "e");
    let [Effect::Edit {
        batch,
        id,
        base: 1,
        again: false,
    }] = &effects[..]
    else {
        panic!("{effects:?}")
    };
    update(
        &mut m,
        Msg::EditRefused {
            batch: *batch,
            id: id.clone(),
            base: 1,
            error: "PF-3F9K2A.toml:3:12: unknown variant `urgent`".into(),
            again: true,
        },
    );
    assert!(matches!(m.overlay, Some(Overlay::EditAgain { .. })));
    let effects = keys(&mut m, "y");
    assert!(
        matches!(
            &effects[..],
            [Effect::Edit {
                again: true,
                base: 1,
                ..
            }]
        ),
        "{effects:?}"
    );
    assert!(m.log.get(0).unwrap().error);
}

#[test]
fn marks_and_a_range_triage_as_one_undoable_step() {
    let mut m = model();
    let disk = Disk::of(&m);
    // space marks and moves down; v starts a range.
    keys(&mut m, " ");
    assert_eq!(selected(&m), "PF-8QW1ZX");
    keys(&mut m, "v");
    keys(&mut m, "j");
    assert_eq!(m.register.marked_count(&m.issues), 3);
    let effects = keys(&mut m, "4");
    assert_eq!(writes(&effects).len(), 2, "the low one is already low");
    disk.land(&mut m, effects);
    assert!(m.register.marks.is_empty() && m.register.anchor.is_none());
    for id in ["PF-3F9K2A", "PF-8QW1ZX"] {
        assert_eq!(disk.read(id).severity, Severity::Low, "{id}");
    }
    assert!(
        notice(&m).starts_with("2 issues: severity low"),
        "{}",
        notice(&m)
    );
    // One u undoes both.
    press(&mut m, &disk, "u");
    assert_eq!(disk.read("PF-3F9K2A").severity, Severity::Critical);
    assert_eq!(disk.read("PF-8QW1ZX").severity, Severity::High);
}

#[test]
fn a_bulk_dismissal_asks_once_and_lists_refusals() {
    let mut m = model();
    let disk = Disk::of(&m);
    keys(&mut m, "*");
    assert_eq!(m.register.marked_count(&m.issues), 3);
    keys(&mut m, "d");
    let Some(Overlay::Reasons { targets, .. }) = &m.overlay else {
        panic!()
    };
    assert_eq!(targets.len(), 3);
    keys(&mut m, "1");
    keys(&mut m, "scanner noise");
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(writes(&effects).len(), 3);
    // Someone else changes one of them before the writes land.
    disk.store
        .update(
            "PF-R8HHF5",
            None,
            &crate::store::actor_named("sam".into()),
            |i, a| {
                i.owner = Some("lee".into());
                i.log(&a.at, &a.by, "owner");
                Ok(())
            },
        )
        .unwrap();
    disk.land(&mut m, effects);
    let text = notice(&m);
    assert!(text.contains("1 of 3 refused"), "{text}");
    assert!(text.contains("PF-R8HHF5: changed by sam"), "{text}");
    assert_eq!(disk.read("PF-3F9K2A").status, Status::Dismissed);
    assert!(m
        .log
        .newest_first()
        .any(|e| e.error && e.text.contains("PF-R8HHF5")));
    // Undo puts back the two that were dismissed.
    press(&mut m, &disk, "u");
    assert_eq!(disk.read("PF-3F9K2A").status, Status::Open);
    assert_eq!(disk.read("PF-8QW1ZX").status, Status::New);
}

#[test]
fn notes_go_to_the_selected_or_marked_issues() {
    let mut m = model();
    let disk = Disk::of(&m);
    keys(&mut m, " ");
    keys(&mut m, " ");
    keys(&mut m, "c");
    keys(&mut m, "seen in prod");
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(writes(&effects).len(), 2);
    disk.land(&mut m, effects);
    assert_eq!(disk.read("PF-8QW1ZX").notes[0].text, "seen in prod");
    assert!(
        notice(&m).contains("note added to 2 issues"),
        "{}",
        notice(&m)
    );
}

#[test]
fn e_opens_the_code_at_the_finding_and_y_copies() {
    let mut m = model();
    assert!(keys(&mut m, "E").is_empty());
    assert!(notice(&m).contains("no location"));
    keys(&mut m, "j");
    assert_eq!(
        keys(&mut m, "E"),
        [Effect::OpenCode {
            path: "src/app.py".into(),
            line: Some(4)
        }]
    );
    assert_eq!(keys(&mut m, "y"), [Effect::Copy("PF-8QW1ZX".into())]);
    assert_eq!(keys(&mut m, "Y"), [Effect::Copy("src/app.py:4".into())]);
    // A hostile path reaches the clipboard without its control characters.
    let mut evil = m
        .issues
        .iter()
        .find(|i| i.id == "PF-8QW1ZX")
        .unwrap()
        .clone();
    evil.finding.as_mut().unwrap().path = Some("a\x1b]52;c;x\x07b.py".into());
    m.put_issue("PF-8QW1ZX", Some(evil), Placed::Held);
    assert_eq!(keys(&mut m, "Y"), [Effect::Copy("a]52;c;xb.py:4".into())]);
}

#[test]
fn a_run_burst_is_one_line_kept_in_the_log_and_filterable() {
    let mut m = model();
    update(
        &mut m,
        Msg::Filed {
            check: "lint".into(),
            created: vec!["PF-8QW1ZX".into()],
            verified: vec!["PF-R8HHF5".into()],
            reopened: vec![],
        },
    );
    assert_eq!(notice(&m), "lint: 1 new, 1 verified (L lists them)");
    keys(&mut m, "x");
    assert!(
        m.notice.is_none() || !notice(&m).contains("lint:"),
        "gone at the next key"
    );
    keys(&mut m, "L");
    assert!(matches!(m.overlay, Some(Overlay::Log { .. })));
    key(&mut m, KeyCode::Enter);
    assert_eq!(selected(&m), "PF-8QW1ZX");
    keys(&mut m, "/");
    for _ in 0..5 {
        key(&mut m, KeyCode::Backspace);
    }
    keys(&mut m, "changed:session");
    key(&mut m, KeyCode::Enter);
    assert_eq!(ids(&m), ["PF-8QW1ZX", "PF-R8HHF5"]);
}

#[test]
fn an_invalid_filter_stays_visible_and_enter_never_applies_a_prefix() {
    let mut m = model();
    keys(&mut m, "/");
    keys(&mut m, "sev:h");
    assert_eq!(
        ids(&m),
        ["PF-8QW1ZX"],
        "a term typed after `/` adds to the filter"
    );
    keys(&mut m, "ig");
    let Some(Overlay::Input { field, error, .. }) = &m.overlay else {
        panic!()
    };
    assert_eq!(field.text(), "open sev:hig");
    assert!(error.as_deref().unwrap().contains("unknown severity"));
    key(&mut m, KeyCode::Enter);
    assert!(
        m.overlay.is_some(),
        "enter on an invalid filter keeps the prompt"
    );
    assert_eq!(m.register.filter_text, "open sev:h");
    key(&mut m, KeyCode::Backspace);
    key(&mut m, KeyCode::Backspace);
    key(&mut m, KeyCode::Enter);
    assert_eq!(m.register.filter_text, "open sev:h");
    // History: up recalls it; esc restores the filter from before `/`.
    keys(&mut m, "/");
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    key(&mut m, KeyCode::Up);
    let Some(Overlay::Input { field, .. }) = &m.overlay else {
        panic!()
    };
    assert_eq!(field.text(), "open sev:h");
    keys(&mut m, " -owner:x");
    key(&mut m, KeyCode::Esc);
    assert_eq!(m.register.filter_text, "open sev:h");
}

#[test]
fn the_mouse_selects_rows_and_panes_and_the_wheel_scrolls() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut m = model();
    let areas = crate::tui::view::layout(m.size, &m);
    let click = |column, row| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // The register's third row: border, header, rows 0 and 1, then 2.
    update(&mut m, click(5, areas.register.y + 4));
    assert_eq!(selected(&m), "PF-R8HHF5");
    update(&mut m, click(areas.checks.x + 2, areas.checks.y + 2));
    assert_eq!(m.focus, Pane::Checks);
    assert_eq!(m.check_selected, 1);
    let wheel = Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollUp,
        column: 5,
        row: areas.register.y + 3,
        modifiers: KeyModifiers::NONE,
    });
    update(&mut m, wheel);
    assert_eq!(selected(&m), "PF-3F9K2A");
    assert_eq!(
        m.focus,
        Pane::Checks,
        "the wheel scrolls without taking the focus"
    );
}

#[test]
fn sort_keys_per_column_reverse_and_the_title_says_where() {
    let mut m = model();
    keys(&mut m, "I");
    assert_eq!(ids(&m), ["PF-3F9K2A", "PF-8QW1ZX", "PF-R8HHF5"]);
    keys(&mut m, "I");
    assert_eq!(ids(&m), ["PF-R8HHF5", "PF-8QW1ZX", "PF-3F9K2A"]);
    assert!(notice(&m).contains("reversed"));
    keys(&mut m, "S");
    assert_eq!(ids(&m)[0], "PF-8QW1ZX", "new first");
    keys(&mut m, "V");
    let screen = render(&m, 80, 24);
    assert!(screen.contains("Register · 1/3"), "{screen}");
    keys(&mut m, "j");
    assert!(render(&m, 80, 24).contains("Register · 2/3"));
}

#[test]
fn half_pages_redraw_and_suspend() {
    let mut m = sized(model(), 80, 60);
    let many: Vec<Issue> = (0..100)
        .map(|n| issue(&format!("PF-{n:06}"), "t", Severity::Low, Status::Open, 1))
        .collect();
    m.set_issues(many);
    m.register.relayout();
    m.register.to_top(&m.issues);
    ctrl(&mut m, 'd');
    let half = m.register.index(&m.issues).unwrap();
    assert!(half > 3, "{half}");
    ctrl(&mut m, 'd');
    assert_eq!(m.register.index(&m.issues), Some(half * 2));
    ctrl(&mut m, 'u');
    assert_eq!(m.register.index(&m.issues), Some(half));
    assert_eq!(ctrl(&mut m, 'z'), [Effect::Suspend]);
}

#[test]
fn the_footer_shows_the_keys_used_most_first() {
    for width in [80, 120] {
        let m = sized(model(), width, 24);
        let screen = render(&m, width, 24);
        let footer = screen.lines().nth(23).unwrap();
        assert!(
            footer.starts_with(" / filter · enter detail · u undo · space mark · 1-5 severity"),
            "{width}: {footer}"
        );
        assert!(footer.contains("q quit"), "{footer}");
    }
}

/// The screen with the log's clock times made stable.
fn render_stable(model: &Model, width: u16, height: u16) -> String {
    let clock = regex::Regex::new(r"\d\d:\d\d:\d\d").unwrap();
    clock
        .replace_all(&render(model, width, height), "hh:mm:ss")
        .into_owned()
}

#[test]
fn snapshot_log_marks_and_detail_with_source() {
    for (w, h) in [(80, 24), (160, 48)] {
        // Bulk marks: one marked, then a range over the next two.
        let mut m = sized(model(), w, h);
        keys(&mut m, " v");
        keys(&mut m, "j");
        insta::assert_snapshot!(format!("marks_{w}x{h}"), render(&m, w, h));

        // The log after a run, a change by someone else and a refusal.
        let mut m = sized(model(), w, h);
        let disk = Disk::of(&m);
        update(
            &mut m,
            Msg::Filed {
                check: "lint".into(),
                created: vec!["PF-8QW1ZX".into()],
                verified: vec![],
                reopened: vec![],
            },
        );
        press(&mut m, &disk, "b");
        disk.change_elsewhere(&mut m, "PF-3F9K2A", |i| i.severity = Severity::Info);
        press(&mut m, &disk, "u");
        keys(&mut m, "L");
        insta::assert_snapshot!(format!("log_{w}x{h}"), render_stable(&m, w, h));

        // The detail split under the list, with multi-line fields and source lines.
        let mut m = sized(model(), w, h);
        let mut pickle = m
            .issues
            .iter()
            .find(|i| i.id == "PF-8QW1ZX")
            .unwrap()
            .clone();
        pickle.repro = Some("1. upload a pickle\n2. open the report".into());
        m.put_issue("PF-8QW1ZX", Some(pickle), Placed::Held);
        keys(&mut m, "j");
        key(&mut m, KeyCode::Enter);
        update(
            &mut m,
            Msg::Source(crate::tui::model::Source {
                path: "src/app.py".into(),
                line: 4,
                lines: Ok((1..=7)
                    .map(|n| (n, format!("line_{n} = load(data)  # {n}")))
                    .collect()),
            }),
        );
        insta::assert_snapshot!(format!("detail_source_{w}x{h}"), render(&m, w, h));
    }
}
