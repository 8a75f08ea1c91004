//! The cockpit under load: a 10,000-issue register and a check streaming 100,000
//! lines. For each key press: `update`, the triage write to the issue file (temp
//! file, fsync, rename) and its result, then a full frame drawn through crossterm
//! into a byte counter. Reports key → frame time and bytes written per key press, and
//! the bytes of a redraw when nothing changed.
//!
//! Run: `cargo bench --bench cockpit [-- WxH] [still]`. Targets (issues #6, #14): ≤ 16 ms
//! key → frame, ≤ 4 KB per key press, 0 bytes idle. (Idle in the real program:
//! `benches/cockpit-idle.sh`.) With `still` the check has finished before the keys
//! (nothing streams, the output needs no attention): the register then takes the
//! most rows, which is the most a triage key can redraw.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use preflight::config::{self, Source};
use preflight::domain::finding::Severity;
use preflight::domain::issue::{Issue, Status};
use preflight::domain::triage;
use preflight::runner::Output;
use preflight::store::{actor_named, Store};
use preflight::tui::backend::Screen;
use preflight::tui::keymap::KeyMap;
use preflight::tui::model::Model;
use preflight::tui::theme::{ColorDepth, Theme};
use preflight::tui::triage::{Refusal, Write};
use preflight::tui::update::{update, Effect, Msg};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ISSUES: usize = 10_000;
const STREAM: usize = 100_000;
const KEYS: usize = 400;

/// A terminal that counts what it is sent.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "a benchmark script: set up, measure, print, read top to bottom"
)]
fn main() {
    // `cargo bench --bench cockpit -- 80x24`; default 160x48.
    let size = std::env::args()
        .filter_map(|a| {
            let (w, h) = a.split_once('x')?;
            Some((w.parse::<u16>().ok()?, h.parse::<u16>().ok()?))
        })
        .next()
        .unwrap_or((160, 48));
    let still = std::env::args().any(|a| a == "still");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path().join("issues"), dir.path().join("lock"));
    std::fs::create_dir_all(store.dir()).unwrap();
    let actor = actor_named("bench".into());
    let mut issues: Vec<Issue> = (0..ISSUES)
        .map(|n| {
            let mut i = Issue::new(
                format!("PF-{n:06}"),
                format!("B{:03}: finding number {n} in the service code", n % 500),
                Severity::ALL[n % 5],
                [Status::New, Status::Open, Status::InProgress][n % 3],
                &actor,
            );
            i.owner = n.is_multiple_of(3).then(|| "sam".into());
            i
        })
        .collect();
    // Every issue on disk, as the store writes them (without an fsync each, to set up
    // in seconds; the triage writes measured below do fsync).
    for issue in &mut issues {
        issue.revision = 1;
        let text = toml::to_string(issue).unwrap();
        std::fs::write(store.path_of(&issue.id), text).unwrap();
    }

    let text = "[[check]]\nid = \"stream\"\nrun = \"true\"\n";
    let config = config::load_str(text, Path::new("preflight.toml"), Source::Default).unwrap();
    let mut model = Model::new(config, KeyMap::default_map().unwrap());
    model.trusted = true;
    model.set_issues(issues);
    let output = Output::new(10_000);
    update(
        &mut model,
        Msg::Queued {
            check: "stream".into(),
            trigger: "bench".into(),
            output: output.clone(),
        },
    );
    update(
        &mut model,
        Msg::Started {
            check: "stream".into(),
        },
    );
    if still {
        for i in 0..1_000 {
            output
                .lock()
                .push(&format!("\x1b[32mPASSED\x1b[0m tests/test_{i}.py::case"));
        }
        update(
            &mut model,
            Msg::Finished {
                check: "stream".into(),
                record: preflight::history::RunRecord {
                    check: "stream".into(),
                    status: preflight::domain::check::RunStatus::Passed,
                    exit_code: Some(0),
                    duration_ms: 1_000,
                    finished_at: "2026-11-30T10:00:00Z".into(),
                    commit: None,
                    dirty: false,
                    findings: 0,
                    metric: None,
                    unit: None,
                    metric_note: None,
                    truncated: None,
                },
            },
        );
    }
    update(&mut model, Msg::Resize(size.0, size.1));

    let theme = Theme::load("dark", ColorDepth::TrueColor).unwrap();
    let counter = Counter::default();
    let mut terminal = Terminal::with_options(
        // The size as the cockpit's terminal answers it: lines may be moved.
        Screen::with_size(counter.clone(), ratatui::layout::Size::new(size.0, size.1)),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, size.0, size.1)),
        },
    )
    .unwrap();
    terminal
        .draw(|f| preflight::tui::view::draw(f, &model, &theme))
        .unwrap();
    model.drawn();

    let mut streamed = 0;
    let per_key = STREAM / KEYS;
    let (mut nav, mut triage_times, mut nav_bytes, mut triage_bytes) = (vec![], vec![], 0, 0);
    for k in 0..KEYS {
        // The check streams between key presses (a tick redraws it in the real loop).
        if !still {
            let mut ring = output.lock();
            for _ in 0..per_key {
                ring.push(&format!(
                    "\x1b[32mPASSED\x1b[0m tests/test_{streamed}.py::case"
                ));
                streamed += 1;
            }
        }
        update(&mut model, Msg::Tick);
        terminal
            .draw(|f| preflight::tui::view::draw(f, &model, &theme))
            .unwrap();
        model.drawn();

        let triage_key = k % 2 == 1;
        let code = if triage_key {
            KeyCode::Char(if k % 4 == 1 { '2' } else { '1' })
        } else {
            KeyCode::Char('j')
        };
        let before = counter.0.load(Ordering::Relaxed);
        let start = Instant::now();
        let effects = update(
            &mut model,
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        );
        for effect in effects {
            if let Effect::Write {
                batch,
                write: Write::Edit { id, base, edits },
            } = effect
            {
                let previous = model.issues.iter().find(|i| i.id == id).cloned();
                let result = store
                    .update(&id, Some(base), &actor, |issue, actor| {
                        for e in &edits {
                            triage::apply(issue, e, actor);
                        }
                        Ok(())
                    })
                    .map_err(|e| Refusal::new(&id, e.to_string()));
                update(
                    &mut model,
                    Msg::Wrote {
                        batch,
                        before: previous.map(Box::new),
                        result,
                    },
                );
            }
        }
        terminal
            .draw(|f| preflight::tui::view::draw(f, &model, &theme))
            .unwrap();
        model.drawn();
        let took = start.elapsed();
        let bytes = counter.0.load(Ordering::Relaxed) - before;
        if triage_key {
            triage_times.push(took);
            triage_bytes += bytes;
        } else {
            nav.push(took);
            nav_bytes += bytes;
        }
    }
    assert!(
        model.notice.as_ref().is_some_and(|n| !n.is_error()),
        "{:?}",
        model.notice
    );

    // A redraw with nothing changed.
    let before = counter.0.load(Ordering::Relaxed);
    terminal
        .draw(|f| preflight::tui::view::draw(f, &model, &theme))
        .unwrap();
    let idle = counter.0.load(Ordering::Relaxed) - before;

    let report = |name: &str, mut t: Vec<Duration>, bytes: usize| {
        t.sort();
        let n = t.len();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name:<22} p50 {:>6.2} ms  p95 {:>6.2} ms  max {:>6.2} ms  {:>5} bytes/key",
            ms(t[n / 2]),
            ms(t[n * 95 / 100]),
            ms(t[n - 1]),
            bytes / n
        );
    };
    println!(
        "cockpit at {}x{}: {ISSUES} issues, {streamed} lines streamed, {KEYS} keys{}",
        size.0,
        size.1,
        if still { ", check finished" } else { "" }
    );
    report("j (move)", nav, nav_bytes);
    report("1/2 (triage + write)", triage_times, triage_bytes);
    println!("redraw with no change   {idle} bytes");

    // Bulk: 1,000 of the 10,000 marked.
    let marked = marked_phase(&mut model, &mut terminal, &theme, &store, &counter);
    println!("with {MARKED} marked:");
    for (name, times, bytes) in marked {
        report(name, times, bytes);
    }
    let _ = std::io::stdout().flush();
}

/// Write each effect's issue as the worker would (untimed), then time its answer →
/// frame as the loop sees it.
fn land(
    model: &mut Model,
    frame: &mut impl FnMut(&mut Model),
    store: &Store,
    effects: Vec<Effect>,
    counter: &Counter,
) -> (Vec<Duration>, usize) {
    let actor = actor_named("bench".into());
    let (mut times, mut bytes) = (vec![], 0);
    for effect in effects {
        let Effect::Write {
            batch,
            write: Write::Edit { id, base, edits },
        } = effect
        else {
            continue;
        };
        let previous = model.issues.iter().find(|i| i.id == id).cloned();
        let result = store
            .update(&id, Some(base), &actor, |issue, actor| {
                for e in &edits {
                    triage::apply(issue, e, actor);
                }
                Ok(())
            })
            .map_err(|e| Refusal::new(&id, e.to_string()));
        let before = counter.0.load(Ordering::Relaxed);
        let start = Instant::now();
        update(
            model,
            Msg::Wrote {
                batch,
                before: previous.map(Box::new),
                result,
            },
        );
        frame(model);
        times.push(start.elapsed());
        bytes += counter.0.load(Ordering::Relaxed) - before;
    }
    (times, bytes)
}

/// Issues marked for the bulk phase.
const MARKED: usize = 1_000;
/// Keys pressed with them marked (half `j`, half `space`).
const MARKED_KEYS: usize = 200;

type Term = Terminal<Screen<Counter>>;

/// Key → frame with 1,000 issues marked: moving, marking, one bulk triage key (its
/// 1,000 writes are the worker's, off the loop: here each is written outside the
/// timing, and its answer → frame is timed as the loop sees it).
fn marked_phase(
    model: &mut Model,
    terminal: &mut Term,
    theme: &Theme,
    store: &Store,
    counter: &Counter,
) -> Vec<(&'static str, Vec<Duration>, usize)> {
    let rows: Vec<String> = model
        .register
        .rows(&model.issues)
        .iter()
        .map(|i| i.id.clone())
        .collect();
    model.register.marks = rows
        .iter()
        .step_by(rows.len() / MARKED)
        .take(MARKED)
        .cloned()
        .collect();
    assert_eq!(model.register.marks.len(), MARKED);
    let mut frame = |model: &mut Model| {
        terminal
            .draw(|f| preflight::tui::view::draw(f, model, theme))
            .unwrap();
        model.drawn();
    };
    frame(model);
    let (mut moves, mut marks, mut move_bytes, mut mark_bytes) = (vec![], vec![], 0, 0);
    for k in 0..MARKED_KEYS {
        let code = if k % 2 == 0 {
            KeyCode::Char('j')
        } else {
            KeyCode::Char(' ')
        };
        let before = counter.0.load(Ordering::Relaxed);
        let start = Instant::now();
        update(model, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        frame(model);
        let took = start.elapsed();
        let bytes = counter.0.load(Ordering::Relaxed) - before;
        if k % 2 == 0 {
            moves.push(took);
            move_bytes += bytes;
        } else {
            marks.push(took);
            mark_bytes += bytes;
        }
    }
    // Bulk keys on every marked issue (`3`, then `4`, then `3`), their writes landed.
    let marked_ids = model.register.marks.clone();
    let (mut bulk, mut bulk_bytes, mut answers, mut answer_bytes) = (vec![], 0, vec![], 0);
    for severity in ['3', '4', '3'] {
        model.register.marks = marked_ids.clone();
        let before = counter.0.load(Ordering::Relaxed);
        let start = Instant::now();
        let effects = update(
            model,
            Msg::Key(KeyEvent::new(KeyCode::Char(severity), KeyModifiers::NONE)),
        );
        frame(model);
        bulk.push(start.elapsed());
        bulk_bytes += counter.0.load(Ordering::Relaxed) - before;
        assert!(effects.len() >= MARKED / 2, "{} writes", effects.len());
        let (times, bytes) = land(model, &mut frame, store, effects, counter);
        answers.extend(times);
        answer_bytes += bytes;
    }
    let notice = model
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(notice.contains("issues: severity medium"), "{notice}");
    vec![
        ("j (move)", moves, move_bytes),
        ("space (mark)", marks, mark_bytes),
        ("3/4 on all marked", bulk, bulk_bytes),
        ("each write's answer", answers, answer_bytes),
    ]
}
