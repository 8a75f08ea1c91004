//! Check output → styled text, safely.
//!
//! A check's output is hostile input: it may hold OSC sequences (clipboard writes,
//! hyperlinks, window titles), DCS strings, cursor movement, screen switches, terminal
//! queries and C1 controls. It is parsed with `vte` (the state machine behind
//! Alacritty) and only two things come out: printable text, and SGR colours and
//! attributes. Everything else is dropped here, so nothing a check prints can ever
//! reach the user's terminal as a control sequence.
//!
//! C1 controls sent as UTF-8 (U+009B is CSI, U+009D OSC, U+0090 DCS…) are read as the
//! sequences they introduce, so what follows them (`31m`, `0;title`) is swallowed, not
//! drawn as stray text; a CSI from C1 is never applied, not even as a colour (no
//! terminal preflight runs in would have applied it either). Other C1 controls
//! (NEL, IND, RI) are dropped like every other control.

use super::theme::{degrade, ColorDepth};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;
use vte::{Params, Parser, Perform};

/// Tab stops, as terminals have them.
const TAB: usize = 8;

/// One line of check output as styled spans: colours kept, every other control gone.
pub fn line(text: &str, depth: ColorDepth) -> Line<'static> {
    let mut out = Sanitizer {
        depth,
        spans: Vec::new(),
        text: String::new(),
        style: Style::default(),
        width: 0,
        carriage_return: false,
    };
    let mut parser = Parser::new();
    parser.advance(&mut out, seven_bit(text).as_bytes());
    out.flush();
    Line::from(out.spans)
}

/// The introducer a C1 control stands for, in its 7-bit form. A CSI gets a private
/// marker (`>`), which makes it a sequence we never apply: only SGR without markers is.
fn seven_bit(text: &str) -> std::borrow::Cow<'_, str> {
    let is_c1 = |c: char| ('\u{80}'..='\u{9f}').contains(&c);
    if !text.contains(is_c1) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\u{9b}' => out.push_str("\x1b[>"),
            '\u{9d}' => out.push_str("\x1b]"),
            '\u{90}' => out.push_str("\x1bP"),
            '\u{98}' => out.push_str("\x1bX"),
            '\u{9e}' => out.push_str("\x1b^"),
            '\u{9f}' => out.push_str("\x1b_"),
            '\u{9c}' => out.push_str("\x1b\\"),
            c if is_c1(c) => {}
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The text of a line without any escape sequence (for search).
pub fn plain(text: &str) -> String {
    line(text, ColorDepth::None)
        .spans
        .iter()
        .map(|s| s.content.as_ref())
        .collect()
}

struct Sanitizer {
    depth: ColorDepth,
    spans: Vec<Span<'static>>,
    /// Text in the current style, not yet a span.
    text: String,
    style: Style,
    /// Cells used so far on the line (for tabs).
    width: usize,
    /// A carriage return was seen: the next text overwrites the line, as it would on a
    /// terminal (progress bars redraw themselves this way).
    carriage_return: bool,
}

impl Sanitizer {
    fn flush(&mut self) {
        if !self.text.is_empty() {
            let text = std::mem::take(&mut self.text);
            self.spans.push(Span::styled(text, self.style));
        }
    }

    fn push(&mut self, c: char) {
        if self.carriage_return {
            self.carriage_return = false;
            self.spans.clear();
            self.text.clear();
            self.width = 0;
        }
        self.text.push(c);
        self.width += c.width().unwrap_or(0);
    }

    fn set_style(&mut self, style: Style) {
        if style != self.style {
            self.flush();
            self.style = style;
        }
    }

    fn color(&self, color: Color) -> Color {
        degrade(color, self.depth)
    }

    fn sgr(&mut self, params: &Params) {
        let mut style = self.style;
        let mut items = params.iter().peekable();
        if items.peek().is_none() {
            style = Style::default();
        }
        while let Some(param) = items.next() {
            let code = param.first().copied().unwrap_or(0);
            match code {
                0 => style = Style::default(),
                1 => style = style.add_modifier(Modifier::BOLD),
                2 => style = style.add_modifier(Modifier::DIM),
                3 => style = style.add_modifier(Modifier::ITALIC),
                4 => style = style.add_modifier(Modifier::UNDERLINED),
                7 => style = style.add_modifier(Modifier::REVERSED),
                9 => style = style.add_modifier(Modifier::CROSSED_OUT),
                22 => style = style.remove_modifier(Modifier::BOLD | Modifier::DIM),
                23 => style = style.remove_modifier(Modifier::ITALIC),
                24 => style = style.remove_modifier(Modifier::UNDERLINED),
                27 => style = style.remove_modifier(Modifier::REVERSED),
                29 => style = style.remove_modifier(Modifier::CROSSED_OUT),
                30..=37 => style = style.fg(self.color(Color::Indexed((code - 30) as u8))),
                39 => style.fg = None,
                40..=47 => style = style.bg(self.color(Color::Indexed((code - 40) as u8))),
                49 => style.bg = None,
                90..=97 => style = style.fg(self.color(Color::Indexed((code - 90 + 8) as u8))),
                100..=107 => style = style.bg(self.color(Color::Indexed((code - 100 + 8) as u8))),
                38 | 48 => {
                    // `38;5;n` / `38;2;r;g;b`, or the colon forms `38:5:n` / `38:2::r:g:b`.
                    let rest: Vec<u16> = if param.len() > 1 {
                        param[1..].to_vec()
                    } else {
                        match items.next().and_then(|p| p.first().copied()) {
                            Some(5) => items.next().map(|p| vec![5, p[0]]).unwrap_or_default(),
                            Some(2) => {
                                let rgb: Vec<u16> = (0..3)
                                    .filter_map(|_| items.next().and_then(|p| p.first().copied()))
                                    .collect();
                                [vec![2], rgb].concat()
                            }
                            _ => Vec::new(),
                        }
                    };
                    if let Some(color) = extended_color(&rest) {
                        let color = self.color(color);
                        style = if code == 38 {
                            style.fg(color)
                        } else {
                            style.bg(color)
                        };
                    }
                }
                _ => {}
            }
        }
        self.set_style(style);
    }
}

/// The colour of an extended SGR (`5;n` or `2;r;g;b`, a colour-space id allowed).
fn extended_color(rest: &[u16]) -> Option<Color> {
    let byte = |v: u16| u8::try_from(v).ok();
    match rest {
        [5, n, ..] => Some(Color::Indexed(byte(*n)?)),
        [2, r, g, b] | [2, _, r, g, b, ..] => Some(Color::Rgb(byte(*r)?, byte(*g)?, byte(*b)?)),
        _ => None,
    }
}

impl Perform for Sanitizer {
    fn print(&mut self, c: char) {
        // vte hands over decoded characters; C1 controls sent as UTF-8 (U+0080–U+009F)
        // and other invisible controls are still characters here, and are dropped.
        if !c.is_control() {
            self.push(c);
        }
    }

    fn execute(&mut self, byte: u8) {
        match byte {
            b'\t' => {
                let spaces = TAB - self.width % TAB;
                for _ in 0..spaces {
                    self.push(' ');
                }
            }
            b'\r' => self.carriage_return = true,
            // BEL, backspace, shift-in/out, C1 controls: nothing reaches the screen.
            _ => {}
        }
    }

    fn csi_dispatch(&mut self, params: &Params, intermediates: &[u8], ignore: bool, action: char) {
        // Only SGR (`CSI … m`, no private marker) is kept; cursor movement, erases,
        // mode switches (alternate screen, mouse) and queries are dropped.
        if action == 'm' && intermediates.is_empty() && !ignore {
            self.sgr(params);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn colours_are_kept() {
        let line = line("\x1b[1;31merror\x1b[0m: bad", ColorDepth::TrueColor);
        assert_eq!(text(&line), "error: bad");
        assert_eq!(line.spans[0].style.fg, Some(Color::Indexed(1)));
        assert!(line.spans[0].style.add_modifier.contains(Modifier::BOLD));
        assert_eq!(line.spans[1].style, Style::default());
    }

    #[test]
    fn extended_colours_in_both_forms() {
        let l = line(
            "\x1b[38;5;208ma\x1b[48;2;1;2;3mb\x1b[38:2::9:8:7mc",
            ColorDepth::TrueColor,
        );
        assert_eq!(l.spans[0].style.fg, Some(Color::Indexed(208)));
        assert_eq!(l.spans[1].style.bg, Some(Color::Rgb(1, 2, 3)));
        assert_eq!(l.spans[2].style.fg, Some(Color::Rgb(9, 8, 7)));
    }

    #[test]
    fn colours_degrade_to_the_terminal() {
        let l = line("\x1b[38;2;255;0;0mred", ColorDepth::None);
        assert_eq!(l.spans[0].style.fg, Some(Color::Reset));
    }

    #[test]
    fn hostile_sequences_never_come_out() {
        let hostile = concat!(
            "a\x1b]52;c;ZXZpbA==\x07",                       // OSC 52 clipboard write
            "b\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\", // OSC 8 hyperlink
            "c\x1b]0;title\x07",                             // window title
            "d\x1bP1$qm\x1b\\",                              // DCS query
            "e\x1b[2J\x1b[H\x1b[10;10H\x1b[A",               // erase, cursor moves
            "f\x1b[?1049h\x1b[?1000h",                       // alternate screen, mouse
            "g\x1b[6n\x1b[c\x1b[>c",                         // terminal queries
            "h\u{9b}31m\u{9d}0;x\u{9c}",                     // C1 CSI / OSC / ST as UTF-8
            "i\x1bc\x1b7\x1b8\x07\x08\x0e\x0f",              // reset, save/restore, BEL, BS, SO/SI
        );
        let l = line(hostile, ColorDepth::TrueColor);
        let out = text(&l);
        assert!(out.chars().all(|c| !c.is_control()), "{out:?}");
        assert!(!out.contains('\x1b'));
        assert_eq!(out, "ablinkcdefghi");
    }

    #[test]
    fn a_c1_csi_is_neither_applied_nor_drawn() {
        let l = line(
            "a\u{9b}31mred\u{9b}2Jb\u{9d}0;title\u{9c}c\u{85}d",
            ColorDepth::TrueColor,
        );
        assert_eq!(text(&l), "aredbcd");
        assert!(
            l.spans.iter().all(|s| s.style == Style::default()),
            "not red"
        );
    }

    #[test]
    fn raw_c1_bytes_are_dropped() {
        // Invalid UTF-8 cannot be in a `&str`; the runner decodes lossily, so a raw
        // 0x9b byte arrives as U+FFFD, which is harmless text.
        let l = line("x\u{FFFD}[31my", ColorDepth::TrueColor);
        assert_eq!(text(&l), "x\u{FFFD}[31my");
    }

    #[test]
    fn carriage_return_overwrites_and_tabs_expand() {
        assert_eq!(text(&line("10%\r50%\r100%", ColorDepth::None)), "100%");
        assert_eq!(text(&line("done\r", ColorDepth::None)), "done");
        assert_eq!(text(&line("a\tb", ColorDepth::None)), "a       b");
    }

    #[test]
    fn plain_text_for_search() {
        assert_eq!(plain("\x1b[32mok\x1b[0m 3"), "ok 3");
    }
}
