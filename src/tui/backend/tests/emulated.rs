//! The backend's bytes played on a terminal emulator (`vt100`), frame after frame: the
//! emulated screen must equal each ratatui buffer cell by cell (text, colours,
//! attributes). This is what proves `Shown` right after lines are moved with scroll
//! regions and deleted/inserted lines: one wrong guess and every later frame draws
//! garbage, which these comparisons catch at the frame that caused it.

use super::Shared;
use crate::tui::backend::{basic_index, Screen};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect, Size};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::{Frame, Terminal, TerminalOptions, Viewport};

/// One screen drawn twice: through the backend as the cockpit uses it (it knows the
/// size, so it may move lines) into an emulator, and through a backend that never
/// moves lines (no size), to count what moving saves.
pub(super) struct Emulated {
    terminal: Terminal<Screen<Shared>>,
    out: Shared,
    plain: Terminal<Screen<Shared>>,
    plain_out: Shared,
    vt: vt100::Parser,
    fed: usize,
    pub(super) frames: usize,
    /// Bytes sent, by this backend and by the one that never moves lines.
    pub(super) sent: usize,
    pub(super) sent_plain: usize,
    /// Frames in which lines were moved.
    pub(super) moved: usize,
}

impl Emulated {
    pub(super) fn new(width: u16, height: u16) -> Emulated {
        let out = Shared::default();
        let plain_out = Shared::default();
        let terminal =
            Terminal::new(Screen::with_size(out.clone(), Size::new(width, height))).unwrap();
        let plain = Terminal::with_options(
            Screen::new(plain_out.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
            },
        )
        .unwrap();
        Emulated {
            terminal,
            out,
            plain,
            plain_out,
            vt: vt100::Parser::new(
                std::num::NonZeroU16::new(height).unwrap(),
                std::num::NonZeroU16::new(width).unwrap(),
                0,
            ),
            fed: 0,
            frames: 0,
            sent: 0,
            sent_plain: 0,
            moved: 0,
        }
    }

    /// Draw a frame both ways, play it, and compare the emulated screen with it.
    pub(super) fn draw(&mut self, render: impl Fn(&mut Frame)) {
        let before_plain = self.plain_out.0.borrow().len();
        self.plain.draw(&render).unwrap();
        self.sent_plain += self.plain_out.0.borrow().len() - before_plain;
        let buffer = self.terminal.draw(&render).unwrap().buffer.clone();
        let bytes = self.out.0.borrow()[self.fed..].to_vec();
        self.fed += bytes.len();
        self.sent += bytes.len();
        self.frames += 1;
        if self.play(&bytes) {
            self.moved += 1;
        }
        assert_shows(self.vt.screen(), &buffer, self.frames, &bytes);
    }

    /// Feed `bytes` to the emulator; before each deleted or inserted line, the style
    /// must be the default one (terminals fill the new lines with the current
    /// background, which `vt100` does not: this checks what it cannot show). True when
    /// lines were moved.
    fn play(&mut self, bytes: &[u8]) -> bool {
        let mut moved = false;
        let mut from = 0;
        for at in 0..bytes.len() {
            if bytes[at] != b'L' && bytes[at] != b'M' {
                continue;
            }
            let Some(start) = bytes[..at].iter().rposition(|&b| b == 0x1b) else {
                continue;
            };
            let params = &bytes[start + 1..at];
            if params.first() != Some(&b'[') || !params[1..].iter().all(u8::is_ascii_digit) {
                continue;
            }
            self.vt.process(&bytes[from..start]);
            let screen = self.vt.screen();
            assert_eq!(
                (screen.bgcolor(), screen.inverse()),
                (vt100::Color::Default, false),
                "lines moved in a colour, frame {}: {:?}",
                self.frames,
                String::from_utf8_lossy(bytes)
            );
            from = start;
            moved = true;
        }
        self.vt.process(&bytes[from..]);
        moved
    }
}

/// The emulator's colour for a ratatui colour.
fn colour(c: Color) -> vt100::Color {
    match c {
        Color::Reset => vt100::Color::Default,
        Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
        other => vt100::Color::Idx(basic_index(other)),
    }
}

/// The screen shows `buffer`: the text line by line first (a readable failure), then
/// every cell's colours and attributes.
fn assert_shows(screen: &vt100::Screen, buffer: &Buffer, frame: usize, bytes: &[u8]) {
    let area = buffer.area;
    let text = |cell: &dyn Fn(u16) -> String| -> String { (0..area.width).map(cell).collect() };
    for y in 0..area.height {
        let want = text(&|x| {
            let c = &buffer[(x, y)];
            let hidden =
                x > 0 && unicode_width::UnicodeWidthStr::width(buffer[(x - 1, y)].symbol()) == 2;
            if hidden {
                String::new()
            } else {
                c.symbol().to_string()
            }
        });
        let got = text(&|x| {
            let c = screen.cell(y, x).unwrap();
            if c.is_wide_continuation() {
                String::new()
            } else if c.has_contents() {
                c.contents().to_string()
            } else {
                " ".to_string()
            }
        });
        assert_eq!(
            got,
            want,
            "line {y} of frame {frame}; bytes {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    for y in 0..area.height {
        for x in 0..area.width {
            let want = &buffer[(x, y)];
            let got = screen.cell(y, x).unwrap();
            if got.is_wide_continuation() {
                continue;
            }
            let mut m = want.modifier;
            let (mut bold, mut dim) = (got.bold(), got.dim());
            if m.contains(Modifier::BOLD | Modifier::DIM) {
                // One intensity in vt100, both in real terminals: not compared.
                m.remove(Modifier::BOLD | Modifier::DIM);
                (bold, dim) = (false, false);
            }
            assert_eq!(
                (
                    got.fgcolor(),
                    got.bgcolor(),
                    bold,
                    dim,
                    got.italic(),
                    got.underline(),
                    got.inverse()
                ),
                (
                    colour(want.fg),
                    colour(want.bg),
                    m.contains(Modifier::BOLD),
                    m.contains(Modifier::DIM),
                    m.contains(Modifier::ITALIC),
                    m.contains(Modifier::UNDERLINED),
                    m.contains(Modifier::REVERSED)
                ),
                "cell {x},{y} ({:?}) of frame {frame}; bytes {:?}",
                want.symbol(),
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

/// A register-like screen: a header line, a bordered list over the whole width, a
/// footer. `rows` are (text, style); `selected` is highlighted.
fn screen(f: &mut Frame, header: &str, rows: &[(String, Style)], selected: Option<usize>) {
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(f.area());
    f.render_widget(
        Paragraph::new(header).style(Style::new().fg(Color::Black).bg(Color::Cyan)),
        top,
    );
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .map(|(i, (text, style))| {
            let line = Line::from(Span::styled(text.clone(), *style));
            if Some(i) == selected {
                line.style(
                    Style::new()
                        .bg(Color::Indexed(238))
                        .add_modifier(Modifier::BOLD),
                )
            } else {
                line
            }
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" register ")),
        middle,
    );
    f.render_widget(Paragraph::new(format!("{} rows", rows.len())), bottom);
}

fn plain_rows(names: &[&str]) -> Vec<(String, Style)> {
    names
        .iter()
        .map(|n| (format!("{n:<6} a finding about {n}"), Style::new()))
        .collect()
}

#[test]
fn a_list_whose_rows_move_up_and_down() {
    let mut e = Emulated::new(40, 14);
    let mut names = vec![
        "alpha", "bravo", "charly", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
        "kilo", "lima",
    ];
    let draw = |e: &mut Emulated, names: &[&str], header: &str| {
        e.draw(|f| screen(f, header, &plain_rows(names), None));
    };
    draw(&mut e, &names, "start");
    // One row down past five, back up, to the top, to the bottom (off the list).
    for (from, to) in [(2, 7), (7, 2), (8, 0), (0, 8), (1, 11), (11, 1)] {
        let row = names.remove(from);
        names.insert(to, row);
        draw(&mut e, &names, &format!("{from} → {to}"));
    }
    // The list scrolls by one, two, three, four (a far shift) and back.
    let words = [
        "queue",
        "漢字 cache",
        "retry storm",
        "disk",
        "tls 証明書",
        "auth token",
    ];
    let all: Vec<String> = (0..40)
        .map(|i| format!("{i:02} {} {}", words[i % 6], words[(i * 7 + 3) % 6]))
        .collect();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    for top in [0, 1, 3, 6, 10, 9, 7, 4, 0] {
        draw(&mut e, &all[top..top + 12], &format!("top {top}"));
    }
    // A row removed (the rest move up, the last line comes in blank), one inserted.
    draw(&mut e, &names, "again");
    names.remove(4);
    draw(&mut e, &names, "removed");
    names.insert(2, "new");
    draw(&mut e, &names, "inserted");
    assert_eq!(
        e.moved, 16,
        "lines moved in every frame but the first and the two new lists"
    );
    assert!(
        e.sent * 5 < e.sent_plain * 3,
        "moving lines sent {} bytes, painting {}",
        e.sent,
        e.sent_plain
    );
}

#[test]
fn a_coloured_row_moves_and_no_colour_bleeds() {
    let mut e = Emulated::new(60, 16);
    let styles = [
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Style::new().fg(Color::LightYellow).bg(Color::Blue),
        Style::new()
            .fg(Color::Rgb(10, 200, 30))
            .bg(Color::Rgb(40, 0, 40)),
        Style::new()
            .fg(Color::Indexed(208))
            .add_modifier(Modifier::ITALIC),
        Style::new().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED),
        Style::new().fg(Color::DarkGray).add_modifier(Modifier::DIM),
    ];
    let mut rows: Vec<(String, Style)> = (0..14)
        .map(|i| {
            (
                format!(
                    "PF-{i:04} {:<40}",
                    ["critical", "high", "medium", "low"][i % 4]
                ),
                styles[i % styles.len()],
            )
        })
        .collect();
    // A row whose background fills the whole line (the colour must not leak into
    // the lines that come in blank).
    rows[3].0 = format!("{:<58}", "PF-0003 full-width background");
    rows[3].1 = Style::new().bg(Color::Magenta).fg(Color::White);
    let mut selected = 5;
    e.draw(|f| screen(f, "colours", &rows, Some(selected)));
    for (from, to, sel) in [(3, 9, 5), (9, 0, 0), (0, 13, 13), (13, 6, 6), (6, 7, 2)] {
        let row = rows.remove(from);
        rows.insert(to, row);
        selected = sel;
        e.draw(|f| screen(f, &format!("{from} → {to}"), &rows, Some(selected)));
    }
    assert!(e.moved >= 3, "lines were moved in {} frames", e.moved);
}

/// A register sorted by severity, triaged at random: a triage key changes the
/// highlighted issue's severity and its row moves to its sorted place (the highlight
/// stays on the row, or follows the issue); `j`/`k` move the highlight and scroll the
/// window; the header counts.
fn triage_at_random(width: u16, height: u16, seed: u64) -> Emulated {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut issues: Vec<(u32, u8)> = (0..200).map(|id| (id, rng.u8(0..5))).collect();
    let visible = usize::from(height) - 4;
    let (mut selected, mut top) = (0usize, 0usize);
    let colours = [
        Color::Red,
        Color::LightRed,
        Color::Yellow,
        Color::Blue,
        Color::Gray,
    ];
    let mut e = Emulated::new(width, height);
    for step in 0..=50 {
        issues.sort_by_key(|&(id, severity)| (severity, id));
        if selected < top {
            top = selected;
        } else if selected >= top + visible {
            top = selected + 1 - visible;
        }
        let rows: Vec<(String, Style)> = issues[top..top + visible]
            .iter()
            .map(|&(id, s)| {
                let text = format!(
                    "PF-{id:05}  {}  finding {id} in the service code",
                    ["critical", "high    ", "medium  ", "low     ", "info    "][usize::from(s)]
                );
                (text, Style::new().fg(colours[usize::from(s)]))
            })
            .collect();
        let header = format!("{}/{} · step {step}", selected + 1, issues.len());
        e.draw(|f| screen(f, &header, &rows, Some(selected - top)));
        match rng.u8(0..6) {
            0 => selected = (selected + 1).min(issues.len() - 1),
            1 => selected = selected.saturating_sub(1),
            2 => selected = (selected + rng.usize(2..8)).min(issues.len() - 1),
            _ => {
                let id = issues[selected].0;
                issues[selected].1 = rng.u8(0..5);
                if rng.bool() {
                    // The highlight follows the issue.
                    let mut sorted = issues.clone();
                    sorted.sort_by_key(|&(id, severity)| (severity, id));
                    selected = sorted.iter().position(|i| i.0 == id).unwrap_or(0);
                }
            }
        }
    }
    e
}

#[test]
fn fifty_random_triage_reorders_at_three_sizes() {
    for (width, height, seed) in [(160, 48, 1), (80, 24, 2), (120, 40, 3), (160, 48, 4)] {
        let e = triage_at_random(width, height, seed);
        assert!(
            e.moved > 5,
            "{width}x{height}: lines were moved in {} frames",
            e.moved
        );
        assert!(
            e.sent < e.sent_plain,
            "{width}x{height}: moving lines sent {} bytes, painting {}",
            e.sent,
            e.sent_plain
        );
    }
}

#[test]
fn a_list_beside_a_pane_that_stays_is_not_moved() {
    // The list is beside a pane whose lines all differ: no whole terminal line moved,
    // so nothing is moved (the other pane would move with it), and all stays right.
    let mut e = Emulated::new(50, 12);
    let mut names = vec!["a1", "b2", "c3", "d4", "e5", "f6", "g7", "h8", "i9", "j0"];
    for (from, to) in [(0, 0), (1, 7), (7, 1), (0, 9)] {
        let row = names.remove(from);
        names.insert(to, row);
        e.draw(|f| {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(60), Constraint::Fill(1)])
                    .areas(f.area());
            f.render_widget(
                Paragraph::new(names.join("\n")).block(Block::bordered()),
                left,
            );
            f.render_widget(
                Paragraph::new(
                    (1..=10)
                        .map(|n| format!("line {n}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
                .block(Block::bordered()),
                right,
            );
        });
    }
    assert_eq!(e.moved, 0);
}
