//! Which bands of whole lines moved between what the screen shows and what the next
//! frame asks for, so that the backend can move them with the terminal's own scrolling
//! (a scroll region and delete/insert lines) instead of repainting every cell of them.
//!
//! Why: a re-sorted row in the register moves, and every row between its old and new
//! place shifts by one; a cell diff repaints them all (~40 full-width rows at 160x48),
//! where the terminal can shift them for ~20 bytes.
//!
//! Pure: rows are compared with `==`, and the caller says what repainting a row costs
//! and what a move costs, in bytes.

/// One scroll of a band of whole lines: the lines `top..=bottom` move by `by` rows
/// (negative: up, positive: down); the `|by|` lines that come in at the edge the band
/// left are blank, the lines pushed past the other edge are gone, the lines outside the
/// band stay. Invariant: `1 <= |by|` and `top + |by| <= bottom` (a band holds at least
/// one line that moves and stays in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub top: usize,
    pub bottom: usize,
    pub by: isize,
}

/// The farthest one move shifts a band: one for a re-sorted row, a few for a page of
/// rows scrolled by more than one.
pub const MAX_SHIFT: usize = 3;

/// Moves planned for one frame at most (one band per re-sorted row or scrolled list).
pub const MAX_MOVES: usize = 4;

impl Move {
    /// How many rows the band moves.
    pub fn rows(self) -> usize {
        self.by.unsigned_abs()
    }

    /// What `rows` shows after the move, as a terminal does it.
    pub fn apply<R: Clone>(self, rows: &mut [R], blank: &R) {
        let k = self.rows();
        let band = &mut rows[self.top..=self.bottom];
        if self.by < 0 {
            band.rotate_left(k);
            let len = band.len();
            band[len - k..].fill(blank.clone());
        } else {
            band.rotate_right(k);
            band[..k].fill(blank.clone());
        }
    }
}

/// The moves, in the order to make them, after which repainting what still differs
/// from `new` costs the fewest bytes; empty when no move pays for itself.
/// `repaint(shown, wanted)` is the cost of turning a row into another (0 when equal),
/// `cost(move)` the bytes of one move. `old` and `new` have one row per terminal line.
pub fn plan<R: PartialEq + Clone>(
    old: &[R],
    new: &[R],
    blank: &R,
    repaint: impl Fn(&R, &R) -> usize,
    cost: impl Fn(Move) -> usize,
) -> Vec<Move> {
    if old.len() != new.len() {
        return Vec::new();
    }
    let mut rows = old.to_vec();
    let mut moves = Vec::new();
    while moves.len() < MAX_MOVES {
        let Some(best) = best(&rows, new, blank, &repaint, &cost) else {
            break;
        };
        best.apply(&mut rows, blank);
        moves.push(best);
    }
    moves
}

/// The one move that saves the most bytes now, if one saves any.
fn best<R: PartialEq>(
    rows: &[R],
    new: &[R],
    blank: &R,
    repaint: &impl Fn(&R, &R) -> usize,
    cost: &impl Fn(Move) -> usize,
) -> Option<Move> {
    let h = new.len();
    let base: Vec<i64> = rows
        .iter()
        .zip(new)
        .map(|(r, n)| repaint(r, n) as i64)
        .collect();
    // Prefix sums of what a blank line in place of each row saves (computed once,
    // only when some shift can pay).
    let mut blank_sums: Option<Vec<i64>> = None;
    let mut best: Option<(i64, Move)> = None;
    for k in 1..=MAX_SHIFT.min(h.saturating_sub(1)) {
        for up in [true, false] {
            // The row that lands on line `y`.
            let source = |y: usize| if up { y + k } else { y.wrapping_sub(k) };
            let lands = |y: usize| source(y) < h;
            // Some line that differs now would be right after this shift: else skip.
            if !(0..h).any(|y| base[y] > 0 && lands(y) && rows[source(y)] == new[y]) {
                continue;
            }
            let blanks = blank_sums.get_or_insert_with(|| {
                prefix(
                    new.iter()
                        .zip(&base)
                        .map(|(n, b)| b - repaint(blank, n) as i64),
                )
            });
            let shifted = prefix((0..h).map(|y| {
                if lands(y) {
                    base[y] - repaint(&rows[source(y)], &new[y]) as i64
                } else {
                    0
                }
            }));
            let sum = |sums: &[i64], from: usize, to: usize| sums[to] - sums[from];
            for top in 0..h {
                for bottom in top + k..h {
                    let m = Move {
                        top,
                        bottom,
                        by: if up { -(k as isize) } else { k as isize },
                    };
                    // Up: lines top..=bottom-k take the rows below, the last k come in
                    // blank. Down: the first k come in blank, the rest take rows above.
                    let saved = if up {
                        sum(&shifted, top, bottom + 1 - k) + sum(blanks, bottom + 1 - k, bottom + 1)
                    } else {
                        sum(blanks, top, top + k) + sum(&shifted, top + k, bottom + 1)
                    } - cost(m) as i64;
                    if saved > 0 && best.is_none_or(|(b, _)| saved > b) {
                        best = Some((saved, m));
                    }
                }
            }
        }
    }
    best.map(|(_, m)| m)
}

/// Sums of the first 0, 1, … n values.
fn prefix(values: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut sums = vec![0];
    for v in values {
        sums.push(sums[sums.len() - 1] + v);
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows as one letter each; repainting a row that differs costs its width (20),
    /// a move costs 12 (about what the real ones cost).
    fn moves(old: &str, new: &str) -> Vec<Move> {
        let old: Vec<char> = old.chars().collect();
        let new: Vec<char> = new.chars().collect();
        let planned = plan(&old, &new, &'.', |a, b| if a == b { 0 } else { 20 }, |_| 12);
        // The plan is exactly right: after the moves, only changed rows differ.
        let mut rows = old.clone();
        for m in &planned {
            m.apply(&mut rows, &'.');
        }
        let left = rows.iter().zip(&new).filter(|(a, b)| a != b).count();
        let before = old.iter().zip(&new).filter(|(a, b)| a != b).count();
        assert!(
            planned.is_empty() || left * 20 + planned.len() * 12 < before * 20,
            "{planned:?} leaves {left} of {before}"
        );
        planned
    }

    fn up(top: usize, bottom: usize, k: isize) -> Move {
        Move {
            top,
            bottom,
            by: -k,
        }
    }

    fn down(top: usize, bottom: usize, k: isize) -> Move {
        Move { top, bottom, by: k }
    }

    #[test]
    fn a_row_moved_down_shifts_the_rows_between_up() {
        // `c` re-sorted from line 2 to line 6: d e f g move up one.
        assert_eq!(moves("abcdefghij", "abdefgchij"), vec![up(2, 6, 1)]);
    }

    #[test]
    fn a_row_moved_up_shifts_the_rows_between_down() {
        // `g` re-sorted from line 6 to line 1: b c d e f move down one.
        assert_eq!(moves("abcdefghij", "agbcdefhij"), vec![down(1, 6, 1)]);
    }

    #[test]
    fn nothing_moved_or_too_little_is_no_move() {
        assert_eq!(moves("abcdefghij", "abcdefghij"), vec![]);
        assert_eq!(moves("abcdefghij", "abcXefgYij"), vec![]);
        // Two neighbours swapped: shifting saves one row, which must pay for the move.
        let swapped: Vec<char> = "abdcefghij".chars().collect();
        let old: Vec<char> = "abcdefghij".chars().collect();
        let row = |a: &char, b: &char| if a == b { 0 } else { 20 };
        assert_eq!(plan(&old, &swapped, &'.', row, |_| 12), vec![up(2, 3, 1)]);
        assert_eq!(plan(&old, &swapped, &'.', row, |_| 20), vec![]);
        // Shifted by more than MAX_SHIFT: not looked for.
        assert_eq!(moves("abcdefghij", "efghijklmn"), vec![]);
        // Rows of unequal counts (a resize): nothing.
        assert!(plan(&['a', 'b'], &['b'], &'.', |_, _| 1, |_| 0).is_empty());
    }

    #[test]
    fn a_band_with_one_changed_line_inside_still_moves() {
        // `c` went from line 2 to line 7; the selection bar sits on line 3 (`E`, was
        // `d`): the band moves, and line 3 is repainted.
        let planned = moves("abcdefghij", "abdEfghcij");
        assert_eq!(planned, vec![up(2, 7, 1)]);
    }

    #[test]
    fn the_whole_screen_scrolls() {
        assert_eq!(moves("abcdefghij", "bcdefghijk"), vec![up(0, 9, 1)]);
        assert_eq!(moves("abcdefghij", "XYabcdefgh"), vec![down(0, 9, 2)]);
    }

    #[test]
    fn the_last_line_moves_and_comes_in_blank() {
        // The rows under `c` move up to the last line; the last line takes `j`'s old
        // row… and a new row (`k`) is painted there.
        assert_eq!(moves("abcdefghij", "abdefghijk"), vec![up(2, 9, 1)]);
        // Down onto the last line: `j` falls off the bottom.
        assert_eq!(moves("abcdefghij", "abcXdefghi"), vec![down(3, 9, 1)]);
    }

    #[test]
    fn two_bands_two_moves() {
        // Lines 2..=4 move up one, lines 6..=8 move down one (`j` falls off).
        let planned = moves("abcdefghij", "acdeXfWghi");
        assert_eq!(planned, vec![up(1, 4, 1), down(6, 9, 1)]);
    }

    #[test]
    fn apply_moves_as_a_terminal_does() {
        let mut rows: Vec<char> = "abcdef".chars().collect();
        up(1, 4, 2).apply(&mut rows, &'.');
        assert_eq!(rows.iter().collect::<String>(), "ade..f");
        let mut rows: Vec<char> = "abcdef".chars().collect();
        down(0, 5, 3).apply(&mut rows, &'.');
        assert_eq!(rows.iter().collect::<String>(), "...abc");
    }
}
