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
use super::{digits, paint, Pen, Shown, REFILL_MAX};
use ratatui::buffer::{Cell, CellDiffOption};
use ratatui::layout::Size;
use std::io::Write as _;
use unicode_width::UnicodeWidthStr;

/// The bytes that take the screen from `shown` to the frame whose changed cells are
/// `updates` (on a screen of `size`), and `shown` updated to what the screen then shows.
/// Lines are moved only when that costs fewer bytes in all than painting the cells.
pub(super) fn frame(shown: &mut Shown, updates: &[(u16, u16, &Cell)], size: Size) -> Vec<u8> {
    let mut plain = Vec::with_capacity(4096);
    let Some(Planned {
        mut rows,
        want,
        moves,
    }) = planned(shown, updates, size)
    else {
        paint(shown, updates.iter().copied(), &mut plain);
        return plain;
    };
    let mut scrolled = b"\x1b[m".to_vec();
    let blank = vec![Cell::default(); usize::from(size.width)];
    for m in &moves {
        write_move(&mut scrolled, *m);
        m.apply(&mut rows, &blank);
    }
    let mut moved = Shown { rows, known: true };
    let cells = changed(&moved.rows, &want);
    paint(&mut moved, cells, &mut scrolled);

    let mut unmoved = shown.clone();
    paint(&mut unmoved, updates.iter().copied(), &mut plain);
    if scrolled.len() < plain.len() {
        *shown = moved;
        scrolled
    } else {
        *shown = unmoved;
        plain
    }
}

/// What the screen shows and what the frame wants, line by line in full, and the
/// moves that pay.
struct Planned {
    rows: Vec<Vec<Cell>>,
    want: Vec<Vec<Cell>>,
    moves: Vec<Move>,
}

/// The moves worth making, when lines can be moved at all: what the screen shows is
/// known and fits `size`, and every cell of the frame is one or two columns wide, with
/// the right half of each wide one empty (so that the grids say what the terminal shows).
fn planned(shown: &Shown, updates: &[(u16, u16, &Cell)], size: Size) -> Option<Planned> {
    let (w, h) = (usize::from(size.width), usize::from(size.height));
    let mut lines: Vec<u16> = updates.iter().map(|(_, y, _)| *y).collect();
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
    let rows: Vec<Vec<Cell>> = (0..h)
        .map(|y| {
            let mut row = shown.rows.get(y).cloned().unwrap_or_default();
            row.resize(w, Cell::default());
            row
        })
        .collect();
    let mut want = Shown {
        rows: rows.clone(),
        known: true,
    };
    // As `paint` will write them (a broken wide character's right half blanked).
    for (i, (x, y, cell)) in updates.iter().enumerate() {
        let next = updates.get(i + 1).map(|&(x, y, _)| (x, y));
        want.write(*x, *y, cell, next);
    }
    if !want
        .rows
        .iter()
        .all(|row| row.len() == w && well_formed(row))
    {
        return None;
    }
    let blank = vec![Cell::default(); w];
    let moves = shift::plan(
        &rows,
        &want.rows,
        &blank,
        |a: &Vec<Cell>, b: &Vec<Cell>| repaint_cost(a, b),
        move_cost,
    );
    (!moves.is_empty()).then_some(Planned {
        rows,
        want: want.rows,
        moves,
    })
}

/// Every empty cell of `row` is the right half of the wide character before it.
fn well_formed(row: &[Cell]) -> bool {
    row.iter()
        .enumerate()
        .all(|(x, cell)| !cell.symbol().is_empty() || x > 0 && row[x - 1].symbol().width() == 2)
}

/// The cells of `want` that `shown` does not show, in screen order (the right halves of
/// wide characters are drawn with them).
fn changed<'a>(shown: &[Vec<Cell>], want: &'a [Vec<Cell>]) -> Vec<(u16, u16, &'a Cell)> {
    let mut cells = Vec::new();
    for (y, (have, want)) in shown.iter().zip(want).enumerate() {
        for (x, (have, want)) in have.iter().zip(want).enumerate() {
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
/// style changes, and a cursor move over each gap too long to write again.
fn repaint_cost(shown: &[Cell], want: &[Cell]) -> usize {
    let mut bytes = 0;
    let mut pen = Pen::default();
    let mut params = String::new();
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
            params.clear();
            super::sgr(&mut params, pen, next);
            bytes += params.len() + 3;
            pen = next;
        }
        bytes += cell.symbol().len();
    }
    bytes
}
