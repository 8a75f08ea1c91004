//! A frame's bytes, moving bands of whole lines with the terminal's own scrolling when
//! that is shorter: a scroll region (DECSTBM, `CSI top;bottom r`), delete or insert
//! lines (`CSI k M` / `CSI k L`) at its top, the region reset (`CSI r`, which homes the
//! cursor), then the cells that still differ. The lines that come in are blank in the
//! default colours: the style is reset first, as terminals fill them with the current
//! background.
//!
//! The frame is known whole: ratatui hands the cells that changed, and every other
//! cell is what the screen shows (`Shown`, the backend's invariant).

use super::shift::{self, Move};
use super::{digits, paint, painted_len, Pen, Shown, REFILL_MAX};
use ratatui::buffer::{Cell, CellDiffOption};
use ratatui::layout::Size;
use std::cell::RefCell;
use std::io::Write as _;
use unicode_width::UnicodeWidthStr;

/// The bytes that take the screen from `shown` to the frame whose changed cells are
/// `updates` (on a screen of `size`), and `shown` updated to what the screen then shows.
/// Lines are moved only when that costs fewer bytes in all than painting the cells.
pub(super) fn frame(shown: &mut Shown, updates: &[(u16, u16, &Cell)], size: Size) -> Vec<u8> {
    if let Some((scrolled, moved)) = scrolled(shown, updates, size) {
        if scrolled.len() < painted_len(shown, updates.iter().copied()) {
            *shown = moved;
            return scrolled;
        }
    }
    let mut out = Vec::with_capacity(4096);
    paint(shown, updates.iter().copied(), &mut out);
    out
}

/// The bytes that move lines and then paint the cells that still differ, and what the
/// screen shows after them; `None` when no move pays or lines cannot be moved: what
/// the screen shows must be known and fit `size`, and every cell of the frame must be
/// one or two columns wide, with the right half of each wide one empty (so that the
/// rows say what the terminal shows).
fn scrolled(
    shown: &mut Shown,
    updates: &[(u16, u16, &Cell)],
    size: Size,
) -> Option<(Vec<u8>, Shown)> {
    let (w, h) = (usize::from(size.width), usize::from(size.height));
    let mut lines: Vec<usize> = updates.iter().map(|(_, y, _)| usize::from(*y)).collect();
    lines.dedup();
    if !shown.known || w == 0 || h < 2 || lines.len() < 2 {
        return None;
    }
    if shown.rows.len() > h || shown.rows.iter().any(|r| r.len() > w) {
        return None;
    }
    let plain = |cell: &Cell| {
        cell.diff_option == CellDiffOption::None && matches!(cell.symbol().width(), 1 | 2)
    };
    if !updates
        .iter()
        .all(|(x, y, cell)| usize::from(*x) < w && usize::from(*y) < h && plain(cell))
    {
        return None;
    }
    // Every line in full (the cells never drawn are blank).
    shown.rows.resize_with(h, Vec::new);
    for row in &mut shown.rows {
        row.resize(w, Cell::default());
    }
    // The lines that change, as `paint` will write them (a broken wide character's
    // right half blanked again); the others are what the screen shows.
    let mut patched = Shown {
        rows: vec![Vec::new(); h],
        known: true,
    };
    for &y in &lines {
        patched.rows[y] = shown.rows[y].clone();
    }
    for (i, (x, y, cell)) in updates.iter().enumerate() {
        let next = updates.get(i + 1).map(|&(x, y, _)| (x, y));
        patched.write(*x, *y, cell, next);
    }
    let old: Vec<&[Cell]> = shown.rows.iter().map(Vec::as_slice).collect();
    let mut want = old.clone();
    for &y in &lines {
        want[y] = &patched.rows[y];
    }
    if !want.iter().all(|row| row.len() == w && well_formed(row)) {
        return None;
    }
    let blank = vec![Cell::default(); w];
    let styles = RefCell::new(Vec::new());
    let moves = shift::plan(
        &old,
        &want,
        &blank.as_slice(),
        |a: &&[Cell], b: &&[Cell]| repaint_cost(a, b, &mut styles.borrow_mut()),
        move_cost,
    );
    if moves.is_empty() {
        return None;
    }
    let mut bytes = b"\x1b[m".to_vec();
    let mut rows = shown.rows.clone();
    for m in &moves {
        write_move(&mut bytes, *m);
        m.apply(&mut rows, &blank);
    }
    let mut moved = Shown { rows, known: true };
    let cells = changed(&moved.rows, &want);
    paint(&mut moved, cells, &mut bytes);
    Some((bytes, moved))
}

/// Every empty cell of `row` is the right half of the wide character before it.
fn well_formed(row: &[Cell]) -> bool {
    row.iter()
        .enumerate()
        .all(|(x, cell)| !cell.symbol().is_empty() || x > 0 && row[x - 1].symbol().width() == 2)
}

/// The cells of `want` that `shown` does not show, in screen order (the right halves of
/// wide characters are drawn with them).
fn changed<'a>(shown: &[Vec<Cell>], want: &[&'a [Cell]]) -> Vec<(u16, u16, &'a Cell)> {
    let mut cells = Vec::new();
    for (y, (have, want)) in shown.iter().zip(want).enumerate() {
        for (x, (have, want)) in have.iter().zip(want.iter()).enumerate() {
            if !want.symbol().is_empty() && have != want {
                cells.push((x as u16, y as u16, want));
            }
        }
    }
    cells
}

/// One move: the region, the cursor to its top, delete (up) or insert (down) lines
/// there, the region reset.
fn write_move(out: &mut Vec<u8>, m: Move) {
    let (top, bottom, k) = (m.top + 1, m.bottom + 1, m.rows());
    let act = if m.by < 0 { 'M' } else { 'L' };
    let _ = write!(out, "\x1b[{top};{bottom}r\x1b[{top}H\x1b[{k}{act}\x1b[r");
}

/// The bytes of [`write_move`] and the style reset before it.
fn move_cost(m: Move) -> usize {
    let (top, bottom, k) = (digits(m.top + 1), digits(m.bottom + 1), digits(m.rows()));
    3 + (4 + top + bottom) + (3 + top) + (3 + k) + 3
}

/// About the bytes that turn `shown` into `want` (one row): the changed cells, their
/// style changes (their lengths kept in `styles`: a frame has few), and a cursor move
/// over each gap too long to write again.
fn repaint_cost(shown: &[Cell], want: &[Cell], styles: &mut Vec<((Pen, Pen), usize)>) -> usize {
    if std::ptr::eq(shown, want) {
        return 0;
    }
    let mut bytes = 0;
    let mut pen = Pen::default();
    // Cells since the last one written; none written yet: a cursor move first.
    let mut gap: Option<usize> = None;
    for (have, cell) in shown.iter().zip(want) {
        if have == cell {
            if let Some(g) = &mut gap {
                *g += 1;
            }
            continue;
        }
        bytes += match gap {
            Some(g) if g <= usize::from(REFILL_MAX) => g,
            _ => 8,
        };
        gap = Some(0);
        let next = Pen {
            fg: cell.fg,
            bg: cell.bg,
            modifier: cell.modifier,
        };
        if next != pen {
            bytes += match styles.iter().find(|(change, _)| *change == (pen, next)) {
                Some(&(_, len)) => len,
                None => {
                    let mut params = String::new();
                    super::sgr(&mut params, pen, next);
                    styles.push(((pen, next), params.len() + 3));
                    params.len() + 3
                }
            };
            pen = next;
        }
        bytes += cell.symbol().len();
    }
    bytes
}
