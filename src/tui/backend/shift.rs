//! Which bands of whole lines moved between what the screen shows and what the next
//! frame asks for, so that the backend can move them with the terminal's own scrolling
//! (a scroll region and delete/insert lines) instead of repainting every cell of them.
//!
//! Why: a re-sorted row in the register moves, and every row between its old and new
//! place shifts by one; a list scrolled by a line shifts all its rows. A cell diff
//! repaints them all (~40 full-width rows at 160x48), where the terminal can shift
//! them for ~25 bytes.
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

/// Shifts up to this far are priced when a single changed line would be right after
/// them: a re-sorted row shifts the rows between by one.
pub const NEAR: usize = 3;

/// Farther shifts (a half page scrolled) are priced when at least this many changed
/// lines would be right after them.
pub const FAR_LINES: usize = 3;

/// Shifts priced for one move at most: those that make the most changed lines right.
const PRICED: usize = 2;

/// Changed lines looked for elsewhere on the screen, to find far shifts.
const SAMPLES: usize = 4;

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
pub fn plan<R: PartialEq>(
    old: &[R],
    new: &[R],
    blank: &R,
    repaint: impl Fn(&R, &R) -> usize,
    cost: impl Fn(Move) -> usize,
) -> Vec<Move> {
    if old.len() != new.len() {
        return Vec::new();
    }
    let mut rows: Vec<&R> = old.iter().collect();
    let mut moves = Vec::new();
    while moves.len() < MAX_MOVES {
        let Some(best) = best(&rows, new, blank, &repaint, &cost) else {
            break;
        };
        best.apply(&mut rows, &blank);
        moves.push(best);
    }
    moves
}

/// The shifts worth pricing (rows moved by, negative: up): those after which changed
/// lines would be right, most such lines first. Near shifts are all counted; far ones
/// are those that bring a few sample changed lines (spread over them) to their place.
fn shifts<R: PartialEq>(rows: &[&R], new: &[R]) -> Vec<isize> {
    let h = new.len();
    let changed: Vec<usize> = (0..h).filter(|&y| *rows[y] != new[y]).collect();
    if changed.len() < 2 {
        return Vec::new();
    }
    let near = (1..=NEAR.min(h - 1) as isize).flat_map(|k| [-k, k]);
    let step = changed.len().div_ceil(SAMPLES);
    let mut far: Vec<isize> = changed
        .iter()
        .step_by(step)
        .flat_map(|&y| {
            (0..h)
                .filter(move |&from| from.abs_diff(y) > NEAR && *rows[from] == new[y])
                .map(move |from| y as isize - from as isize)
        })
        .collect();
    far.sort_unstable();
    far.dedup();
    let mut found: Vec<(usize, isize)> = near
        .chain(far)
        .filter_map(|by| {
            let right = changed
                .iter()
                .filter(|&&y| {
                    y.checked_add_signed(-by)
                        .is_some_and(|from| from < h && *rows[from] == new[y])
                })
                .count();
            let least = if by.unsigned_abs() <= NEAR {
                1
            } else {
                FAR_LINES
            };
            (right >= least).then_some((right, by))
        })
        .collect();
    found.sort_by_key(|&(right, by)| (std::cmp::Reverse(right), by.unsigned_abs(), by));
    found.into_iter().take(PRICED).map(|(_, by)| by).collect()
}

/// The one move that saves the most bytes now, if one saves any.
fn best<R: PartialEq>(
    rows: &[&R],
    new: &[R],
    blank: &R,
    repaint: &impl Fn(&R, &R) -> usize,
    cost: &impl Fn(Move) -> usize,
) -> Option<Move> {
    let shifts = shifts(rows, new);
    if shifts.is_empty() {
        return None;
    }
    let h = new.len();
    let base: Vec<i64> = rows
        .iter()
        .zip(new)
        .map(|(r, n)| repaint(r, n) as i64)
        .collect();
    // Prefix sums of what a blank line in place of each row saves.
    let blanks = prefix(
        new.iter()
            .zip(&base)
            .map(|(n, b)| b - repaint(blank, n) as i64),
    );
    let mut best: Option<(i64, Move)> = None;
    for by in shifts {
        let k = by.unsigned_abs();
        // The row that lands on line `y`, if one does.
        let source = |y: usize| y.checked_add_signed(-by).filter(|&from| from < h);
        let shifted = prefix((0..h).map(|y| match source(y) {
            Some(from) => base[y] - repaint(rows[from], &new[y]) as i64,
            None => 0,
        }));
        let sum = |sums: &[i64], from: usize, to: usize| sums[to] - sums[from];
        for top in 0..h {
            for bottom in top + k..h {
                let m = Move { top, bottom, by };
                // Up: lines top..=bottom-k take the rows below, the last k come in
                // blank. Down: the first k come in blank, the rest take rows above.
                let saved = if by < 0 {
                    sum(&shifted, top, bottom + 1 - k) + sum(&blanks, bottom + 1 - k, bottom + 1)
                } else {
                    sum(&blanks, top, top + k) + sum(&shifted, top + k, bottom + 1)
                } - cost(m) as i64;
                if saved > 0 && best.is_none_or(|(b, _)| saved > b) {
                    best = Some((saved, m));
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
        // One line right after a shift farther than NEAR: not looked for.
        assert_eq!(moves("abcdefghij", "XYZWVUaTSR"), vec![]);
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
    fn a_half_page_scrolls() {
        // Four lines or more right after a far shift: priced.
        assert_eq!(moves("abcdefghij", "efghijklmn"), vec![up(0, 9, 4)]);
        assert_eq!(moves("abcdefghij", "VWXYZabcde"), vec![down(0, 9, 5)]);
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
