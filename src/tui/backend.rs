//! The cockpit's terminal backend: ratatui's crossterm backend, except that cells are
//! written with SGR sequences of our own.
//!
//! Why: crossterm writes every colour in the 256-colour form, so the 16 basic colours go
//! out as `38;5;1` — which the Linux console and other 16-colour terminals ignore —
//! and it sends foreground and background together on every change. Here the 16
//! basic colours are `30–37`/`90–97` (foreground) and `40–47`/`100–107` (background),
//! the 256-colour form is used only for indexes from 16 up, and a style change is one
//! sequence holding only what changed. It also remembers what the screen shows, so a
//! short run of unchanged cells between two changes is written again when that costs
//! fewer bytes than moving the cursor over it (as curses does): a row that moved in a
//! sorted table shares many cells with the row it replaces. Everything but drawing
//! cells (cursor, clearing, size) is crossterm's own.

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use std::io::{self, Write};

/// A ratatui backend writing to `W`. Invariants: the colours it sends for the 16 basic
/// colours are the 16-colour SGR codes, never `38;5;N` / `48;5;N`; `shown` is what the
/// terminal shows (blank until drawn, blank again after a clear).
#[derive(Debug)]
pub struct Screen<W: Write> {
    inner: CrosstermBackend<W>,
    shown: Vec<Vec<Cell>>,
    /// False after a partial clear: what the screen shows is then unknown, and nothing
    /// is refilled until the next full clear.
    known: bool,
}

/// Unchanged cells written again instead of a cursor move: at most this many.
const REFILL_MAX: u16 = 8;

impl<W: Write> Screen<W> {
    pub fn new(writer: W) -> Screen<W> {
        Screen {
            inner: CrosstermBackend::new(writer),
            shown: Vec::new(),
            known: true,
        }
    }

    fn remember(&mut self, x: u16, y: u16, cell: &Cell) {
        let (x, y) = (usize::from(x), usize::from(y));
        if self.shown.len() <= y {
            self.shown.resize_with(y + 1, Vec::new);
        }
        let row = &mut self.shown[y];
        if row.len() <= x {
            row.resize_with(x + 1, Cell::default);
        }
        row[x] = cell.clone();
        // The right half of a wide character: never refilled (an empty symbol).
        let width = unicode_width::UnicodeWidthStr::width(cell.symbol());
        for hidden in x + 1..x + width.max(1) {
            if row.len() <= hidden {
                row.resize_with(hidden + 1, Cell::default);
            }
            row[hidden].set_symbol("");
        }
    }

    /// What the screen shows from `from` to just before `to` on row `y`, when every
    /// cell there is one plain-width character.
    fn gap(&self, y: u16, from: u16, to: u16) -> Option<Vec<Cell>> {
        if !self.known {
            return None;
        }
        let row = self.shown.get(usize::from(y));
        (from..to)
            .map(|x| {
                let cell = row
                    .and_then(|r| r.get(usize::from(x)))
                    .cloned()
                    .unwrap_or_default();
                let one = cell.symbol().chars().count() == 1
                    && unicode_width::UnicodeWidthStr::width(cell.symbol()) == 1;
                (one && cell.diff_option == ratatui::buffer::CellDiffOption::None).then_some(cell)
            })
            .collect()
    }
}

/// The style last sent to the terminal.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

impl Default for Pen {
    fn default() -> Pen {
        Pen {
            fg: Color::Reset,
            bg: Color::Reset,
            modifier: Modifier::empty(),
        }
    }
}

impl<W: Write> Backend for Screen<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut pen = Pen::default();
        let mut last: Option<(u16, u16)> = None;
        let mut out: Vec<u8> = Vec::with_capacity(4096);
        for (x, y, cell) in content {
            let refill = match last {
                Some((lx, ly)) if y == ly && x == lx + 1 => Some(Vec::new()),
                Some((lx, ly)) if y == ly && x > lx + 1 && x - lx - 1 <= REFILL_MAX => {
                    self.gap(y, lx + 1, x)
                }
                _ => None,
            };
            // The unchanged cells again, when cheaper than moving over them.
            let mut moved = true;
            if let Some(gap) = refill {
                let mut bytes = Vec::new();
                let mut gap_pen = pen;
                for shown in &gap {
                    put(&mut bytes, &mut gap_pen, shown);
                }
                let jump = format!("\x1b[{};{}H", y + 1, x + 1).len();
                if gap.is_empty() || bytes.len() < jump {
                    out.extend_from_slice(&bytes);
                    pen = gap_pen;
                    moved = false;
                }
            }
            if moved {
                write!(out, "\x1b[{};{}H", y + 1, x + 1)?;
            }
            // After a wide character the next cell moves the cursor itself (terminals
            // may disagree on the width).
            let one = unicode_width::UnicodeWidthStr::width(cell.symbol()) == 1;
            last = one.then_some((x, y));
            put(&mut out, &mut pen, cell);
            self.remember(x, y, cell);
        }
        self.inner.write_all(&out)?;
        if pen != Pen::default() {
            self.inner.write_all(b"\x1b[0m")?;
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.shown.clear();
        self.known = true;
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // All: the screen is blank. Part of it: what is left is not worth tracking.
        self.shown.clear();
        self.known = clear_type == ClearType::All;
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

/// Write one cell in its style, switching the pen first when it differs.
fn put(out: &mut Vec<u8>, pen: &mut Pen, cell: &Cell) {
    let want = Pen {
        fg: cell.fg,
        bg: cell.bg,
        modifier: cell.modifier,
    };
    if want != *pen {
        let mut params = String::new();
        sgr(&mut params, *pen, want);
        out.extend_from_slice(b"\x1b[");
        out.extend_from_slice(params.as_bytes());
        out.push(b'm');
        *pen = want;
    }
    out.extend_from_slice(cell.symbol().as_bytes());
}

/// The SGR parameters that take the terminal from `from` to `to` (without `ESC [` and
/// `m`): attributes switched off, attributes switched on, then the colours that changed.
fn sgr(out: &mut String, from: Pen, to: Pen) {
    let mut push = |code: &str| {
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(code);
    };
    let removed = from.modifier - to.modifier;
    let added = to.modifier - from.modifier;
    // Bold and dim share one "off" (22): after it, whichever stays is set again.
    let intensity = removed.intersects(Modifier::BOLD | Modifier::DIM);
    if intensity {
        push("22");
    }
    for (modifier, off) in [
        (Modifier::ITALIC, "23"),
        (Modifier::UNDERLINED, "24"),
        (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK, "25"),
        (Modifier::REVERSED, "27"),
        (Modifier::HIDDEN, "28"),
        (Modifier::CROSSED_OUT, "29"),
    ] {
        if removed.intersects(modifier) {
            push(off);
        }
    }
    let again = if intensity {
        to.modifier & (Modifier::BOLD | Modifier::DIM)
    } else {
        Modifier::empty()
    };
    for (modifier, on) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::SLOW_BLINK, "5"),
        (Modifier::RAPID_BLINK, "6"),
        (Modifier::REVERSED, "7"),
        (Modifier::HIDDEN, "8"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if (added | again).contains(modifier) {
            push(on);
        }
    }
    if from.fg != to.fg {
        push(&color_code(to.fg, false));
    }
    if from.bg != to.bg {
        push(&color_code(to.bg, true));
    }
}

/// One colour as SGR parameters: the 16-colour codes for the basic colours.
fn color_code(color: Color, background: bool) -> String {
    let basic = |index: u8| -> String {
        let base = match (index < 8, background) {
            (true, false) => 30,
            (true, true) => 40,
            (false, false) => 90 - 8,
            (false, true) => 100 - 8,
        };
        (base + u16::from(index)).to_string()
    };
    let extended = if background { "48" } else { "38" };
    match color {
        Color::Reset => (if background { "49" } else { "39" }).to_string(),
        Color::Indexed(i) if i < 16 => basic(i),
        Color::Indexed(i) => format!("{extended};5;{i}"),
        Color::Rgb(r, g, b) => format!("{extended};2;{r};{g};{b}"),
        named => basic(basic_index(named)),
    }
}

/// The palette index (0–15) of a named basic colour.
pub fn basic_index(color: Color) -> u8 {
    match color {
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
        Color::Indexed(i) => i,
        Color::Reset | Color::Rgb(..) => 7,
    }
}

#[cfg(test)]
mod tests {
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
}
