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
//! sorted table shares many cells with the row it replaces. And when whole lines moved
//! (a re-sorted row shifts every row between its old and new place), it moves them with
//! the terminal's own scrolling when that is shorter (`scroll`, `shift`). Everything
//! but drawing cells (cursor, clearing, size) is crossterm's own.

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use std::io::{self, Write};

mod scroll;
mod shift;

/// A ratatui backend writing to `W`, which it owns whole (the cockpit's full-screen
/// viewport: nothing else draws on that screen). Invariants: the colours it sends for
/// the 16 basic colours are the 16-colour SGR codes, never `38;5;N` / `48;5;N`; `shown`
/// is what the terminal shows (blank until drawn, blank again after a clear), so that
/// lines it moves with the terminal's scrolling and cells it writes again are right.
#[derive(Debug)]
pub struct Screen<W: Write> {
    inner: CrosstermBackend<W>,
    shown: Shown,
    /// The screen's size: as the terminal last said it (ratatui asks before each
    /// full-screen frame), or as given to [`Screen::with_size`]. Lines are moved with
    /// the terminal's scrolling only while it is known.
    size: std::cell::Cell<Option<Size>>,
    /// The size was given: `size()` answers it instead of asking the terminal.
    given: bool,
}

/// What the screen shows, row by row (rows and cells past the end are blank).
#[derive(Debug, Clone)]
struct Shown {
    rows: Vec<Vec<Cell>>,
    /// False after a partial clear: what the screen shows is then unknown, and nothing
    /// is refilled or moved until the next full clear.
    known: bool,
}

/// Unchanged cells written again instead of a cursor move: at most this many.
const REFILL_MAX: u16 = 8;

impl<W: Write> Screen<W> {
    pub fn new(writer: W) -> Screen<W> {
        Screen {
            inner: CrosstermBackend::new(writer),
            shown: Shown {
                rows: Vec::new(),
                known: true,
            },
            size: std::cell::Cell::new(None),
            given: false,
        }
    }

    /// A screen of `size` that is not the process's terminal (a byte counter, a
    /// terminal emulator in tests): `size()` answers `size` instead of asking.
    pub fn with_size(writer: W, size: Size) -> Screen<W> {
        let screen = Screen::new(writer);
        screen.size.set(Some(size));
        Screen {
            given: true,
            ..screen
        }
    }
}

impl Shown {
    fn remember(&mut self, x: u16, y: u16, cell: &Cell) {
        let (x, y) = (usize::from(x), usize::from(y));
        if self.rows.len() <= y {
            self.rows.resize_with(y + 1, Vec::new);
        }
        let row = &mut self.rows[y];
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

    /// Remember `cell` written at `x`, `y`, before the cell at `next`. When it writes
    /// over the left half of a wide character whose right half is not written next,
    /// the terminal blanks that half in a style terminals disagree on: it is to be
    /// blanked again in the cell's style (remembered so), and its column is returned.
    fn write(&mut self, x: u16, y: u16, cell: &Cell, next: Option<(u16, u16)>) -> Option<u16> {
        let broken = self.breaks(x, y, cell, next);
        self.remember(x, y, cell);
        if let Some(after) = broken {
            let mut blank = Cell::default();
            blank.fg = cell.fg;
            blank.bg = cell.bg;
            blank.modifier = cell.modifier;
            self.remember(after, y, &blank);
        }
        broken
    }

    /// The column [`Shown::write`] would blank again.
    fn breaks(&self, x: u16, y: u16, cell: &Cell, next: Option<(u16, u16)>) -> Option<u16> {
        let width = unicode_width::UnicodeWidthStr::width(cell.symbol()) as u16;
        let after = x.saturating_add(width.max(1));
        (self.hidden(after, y) && next != Some((after, y))).then_some(after)
    }

    /// Whether the cell at `x`, `y` is the right half of a wide character.
    fn hidden(&self, x: u16, y: u16) -> bool {
        self.rows
            .get(usize::from(y))
            .and_then(|row| row.get(usize::from(x)))
            .is_some_and(|cell| cell.symbol().is_empty())
    }

    /// What the screen shows from `from` to just before `to` on row `y`, when every
    /// cell there is one plain-width character.
    fn gap(&self, y: u16, from: u16, to: u16) -> Option<Vec<Cell>> {
        if !self.known {
            return None;
        }
        let row = self.rows.get(usize::from(y));
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

/// Write `cells` (in screen order) to `out` and remember them in `shown`, then reset
/// the style. Starts and ends with the default style.
fn paint<'a>(
    shown: &mut Shown,
    cells: impl IntoIterator<Item = (u16, u16, &'a Cell)>,
    out: &mut Vec<u8>,
) {
    emit(shown, cells, out, true);
}

/// The bytes [`paint`] would write, `shown` left as it is: cells written in one frame
/// are never read again in it (gaps lie between the last cell written and the next).
fn painted_len<'a>(
    shown: &mut Shown,
    cells: impl IntoIterator<Item = (u16, u16, &'a Cell)>,
) -> usize {
    let mut out = Vec::with_capacity(4096);
    emit(shown, cells, &mut out, false);
    out.len()
}

/// [`paint`], remembering what it writes when `keep`.
fn emit<'a>(
    shown: &mut Shown,
    cells: impl IntoIterator<Item = (u16, u16, &'a Cell)>,
    out: &mut Vec<u8>,
    keep: bool,
) {
    let mut pen = Pen::default();
    let mut last: Option<(u16, u16)> = None;
    let mut cells = cells.into_iter().peekable();
    while let Some((x, y, cell)) = cells.next() {
        let refill = match last {
            Some((lx, ly)) if y == ly && x == lx + 1 => Some(Vec::new()),
            Some((lx, ly)) if y == ly && x > lx + 1 && x - lx - 1 <= REFILL_MAX => {
                shown.gap(y, lx + 1, x)
            }
            _ => None,
        };
        // The unchanged cells again, when cheaper than moving over them.
        let mut moved = true;
        if let Some(gap) = refill {
            let mut bytes = Vec::new();
            let mut gap_pen = pen;
            for cell in &gap {
                put(&mut bytes, &mut gap_pen, cell);
            }
            if gap.is_empty() || bytes.len() < cursor_move_len(x, y) {
                out.extend_from_slice(&bytes);
                pen = gap_pen;
                moved = false;
            }
        }
        if moved {
            let _ = write!(out, "\x1b[{};{}H", y + 1, x + 1);
        }
        // After a wide character the next cell moves the cursor itself (terminals
        // may disagree on the width).
        let width = unicode_width::UnicodeWidthStr::width(cell.symbol());
        last = (width == 1).then_some((x, y));
        put(out, &mut pen, cell);
        let next = cells.peek().map(|&(x, y, _)| (x, y));
        let broken = if keep {
            shown.write(x, y, cell, next)
        } else {
            shown.breaks(x, y, cell, next)
        };
        if let Some(after) = broken {
            if width != 1 {
                let _ = write!(out, "\x1b[{};{}H", y + 1, after + 1);
            }
            out.push(b' ');
            last = Some((after, y));
        }
    }
    if pen != Pen::default() {
        out.extend_from_slice(b"\x1b[0m");
    }
}

/// The length of `ESC [ y+1 ; x+1 H`.
fn cursor_move_len(x: u16, y: u16) -> usize {
    4 + digits(usize::from(x) + 1) + digits(usize::from(y) + 1)
}

/// How many decimal digits `n` has.
fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

impl<W: Write> Backend for Screen<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let updates: Vec<(u16, u16, &Cell)> = content.collect();
        let out = match self.size.get() {
            Some(size) => scroll::frame(&mut self.shown, &updates, size),
            None => {
                let mut out = Vec::with_capacity(4096);
                paint(&mut self.shown, updates, &mut out);
                out
            }
        };
        self.inner.write_all(&out)
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
        self.shown.rows.clear();
        self.shown.known = true;
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // All: the screen is blank. Part of it: what is left is not worth tracking.
        self.shown.rows.clear();
        self.shown.known = clear_type == ClearType::All;
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        if self.given {
            if let Some(size) = self.size.get() {
                return Ok(size);
            }
        }
        let size = self.inner.size()?;
        self.size.set(Some(size));
        Ok(size)
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
mod tests;
