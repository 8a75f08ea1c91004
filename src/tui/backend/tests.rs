use super::*;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use ratatui::{Terminal, TerminalOptions, Viewport};

fn bytes(style: Style) -> String {
    let mut out = Vec::new();
    {
        let mut terminal = Terminal::with_options(
            Screen::new(&mut out),
            TerminalOptions {
                viewport: Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 4, 1)),
            },
        )
        .unwrap();
        terminal
            .draw(|f| f.render_widget(Paragraph::new(Span::styled("ab", style)), f.area()))
            .unwrap();
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn basic_colours_use_the_16_colour_codes() {
    let out = bytes(Style::new().fg(Color::Red).bg(Color::LightBlue));
    assert!(out.contains("\x1b[31;104mab"), "{out:?}");
    let out = bytes(Style::new().fg(Color::Indexed(9)).bg(Color::Black));
    assert!(out.contains("\x1b[91;40mab"), "{out:?}");
    assert!(!out.contains("38;5") && !out.contains("48;5"), "{out:?}");
}

#[test]
fn other_colours_use_the_extended_forms() {
    let out = bytes(Style::new().fg(Color::Indexed(208)));
    assert!(out.contains("\x1b[38;5;208mab"), "{out:?}");
    let out = bytes(Style::new().bg(Color::Rgb(1, 2, 3)));
    assert!(out.contains("\x1b[48;2;1;2;3mab"), "{out:?}");
}

#[test]
fn attributes_turn_off_what_went_and_keep_what_stays() {
    let mut s = String::new();
    let bold_dim = Pen {
        modifier: Modifier::BOLD | Modifier::DIM,
        ..Pen::default()
    };
    let dim = Pen {
        modifier: Modifier::DIM | Modifier::REVERSED,
        ..Pen::default()
    };
    sgr(&mut s, bold_dim, dim);
    assert_eq!(s, "22;2;7");
    s.clear();
    sgr(&mut s, dim, Pen::default());
    assert_eq!(s, "22;27");
    s.clear();
    let red = Pen {
        fg: Color::Red,
        ..Pen::default()
    };
    sgr(&mut s, red, Pen::default());
    assert_eq!(s, "39", "only what changed");
}

/// The characters a terminal shows after `bytes` (cursor moves, SGR and text only,
/// as this backend sends them; wide characters take two cells).
fn play(screen: &mut [Vec<char>], bytes: &str) {
    let (mut x, mut y) = (0usize, 0usize);
    let mut chars = bytes.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            assert_eq!(chars.next(), Some('['), "{bytes:?}");
            let mut params = String::new();
            let end = loop {
                let p = chars.next().unwrap();
                if p.is_ascii_alphabetic() {
                    break p;
                }
                params.push(p);
            };
            if end == 'H' {
                let (row, col) = params.split_once(';').unwrap();
                (y, x) = (
                    row.parse::<usize>().unwrap() - 1,
                    col.parse::<usize>().unwrap() - 1,
                );
            }
            continue;
        }
        let width = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if width == 0 {
            continue;
        }
        screen[y][x] = c;
        if width == 2 {
            screen[y][x + 1] = '\0';
        }
        x += width;
    }
}

/// A writer the test can read while the terminal holds it.
#[derive(Clone, Default)]
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn refilled_cells_keep_what_the_screen_shows() {
    let frames = [
        "ab 12 cd 34 漢字 gamma",
        "ab 13 cd 35 漢字 gamma",
        "ab 13 c  35 字漢 gamma",
        "xb 13 c  35 字漢 gammy",
    ];
    let out = Shared::default();
    let mut terminal = Terminal::with_options(
        Screen::new(out.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 30, 1)),
        },
    )
    .unwrap();
    let mut screen = vec![vec![' '; 30]];
    let mut start = 0;
    for frame in frames {
        terminal
            .draw(|f| f.render_widget(Paragraph::new(frame), f.area()))
            .unwrap();
        let sent = String::from_utf8(out.0.borrow().clone()).unwrap();
        play(&mut screen, &sent[start..]);
        start = sent.len();
        let shown: String = screen[0].iter().filter(|c| **c != '\0').collect();
        assert_eq!(shown.trim_end(), frame, "{sent:?}");
    }
    let sent = String::from_utf8(out.0.borrow().clone()).unwrap();
    assert!(
        sent.contains("3 cd 35"),
        "the unchanged ' cd ' refilled: {sent:?}"
    );
}

mod cockpit;
mod emulated;
