//! A one-line text field with a cursor: what every prompt, the filter and the palette
//! edit. Readline's habits: left/right/home/end and ctrl-a/e/b/f move, ctrl-w cuts a
//! word, ctrl-u cuts to the start, ctrl-k to the end. A pre-filled value (an owner, a
//! default expiry) is replaced by the first character typed, as in a browser's address
//! bar; moving the cursor first keeps it for editing.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The longest text a field holds (a paste of a whole file is cut here).
pub const FIELD_MAX: usize = 1024;

/// Text and a cursor. Invariant: `cursor` is a char boundary of `text`, and `text`
/// holds no control or bidi character and no more than [`FIELD_MAX`] chars.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field {
    text: String,
    cursor: usize,
    /// The text is a suggestion: typing replaces it, moving keeps it.
    prefilled: bool,
}

/// What a key did to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    /// The text changed.
    Text,
    /// Only the cursor moved.
    Cursor,
    /// Not an editing key: the prompt decides.
    No,
}

impl Field {
    /// An empty field.
    pub fn new() -> Field {
        Field::default()
    }

    /// A field holding `text` as typed by the user (the cursor at its end).
    pub fn with(text: &str) -> Field {
        let mut field = Field::new();
        field.insert(text);
        field
    }

    /// A field holding a suggestion that the first typed character replaces.
    pub fn prefilled(text: &str) -> Field {
        let mut field = Field::with(text);
        field.prefilled = !field.text.is_empty();
        field
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor as a byte offset into [`Field::text`].
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_prefilled(&self) -> bool {
        self.prefilled
    }

    /// Replace the whole text (history, completion); the cursor goes to the end.
    pub fn set(&mut self, text: &str) {
        self.text.clear();
        self.cursor = 0;
        self.prefilled = false;
        self.insert(text);
    }

    /// Insert text at the cursor (typed or pasted): line breaks and tabs become
    /// spaces, other control and bidi characters are dropped, and the field stays
    /// bounded.
    pub fn insert(&mut self, text: &str) {
        if self.prefilled {
            self.text.clear();
            self.cursor = 0;
            self.prefilled = false;
        }
        let room = FIELD_MAX.saturating_sub(self.text.chars().count());
        let clean: String = text
            .replace("\r\n", " ")
            .chars()
            .filter_map(|c| match c {
                '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => Some(' '),
                c if crate::text::sanitize::needs_care(c) => None,
                c => Some(c),
            })
            .take(room)
            .collect();
        self.text.insert_str(self.cursor, &clean);
        self.cursor += clean.len();
    }

    /// Apply an editing key.
    pub fn key(&mut self, key: &KeyEvent) -> Edited {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Left => self.cursor = self.prev(self.cursor),
            KeyCode::Right => self.cursor = self.next(self.cursor),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.text.len(),
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.text.len(),
            KeyCode::Char('b') if ctrl => self.cursor = self.prev(self.cursor),
            KeyCode::Char('f') if ctrl => self.cursor = self.next(self.cursor),
            KeyCode::Char('b') if alt => self.cursor = self.word_start(self.cursor),
            KeyCode::Char('f') if alt => self.cursor = self.word_end(self.cursor),
            KeyCode::Char('u') if ctrl => return self.cut(0, self.cursor),
            KeyCode::Char('k') if ctrl => return self.cut(self.cursor, self.text.len()),
            KeyCode::Char('w') if ctrl => {
                return self.cut(self.word_start(self.cursor), self.cursor)
            }
            KeyCode::Backspace if self.prefilled => return self.cut(0, self.text.len()),
            KeyCode::Backspace => return self.cut(self.prev(self.cursor), self.cursor),
            KeyCode::Delete => return self.cut(self.cursor, self.next(self.cursor)),
            KeyCode::Char(c) if !ctrl && !alt => {
                self.insert(c.encode_utf8(&mut [0; 4]));
                return Edited::Text;
            }
            _ => return Edited::No,
        }
        // A movement: the suggestion is now the user's to edit.
        self.prefilled = false;
        Edited::Cursor
    }

    fn cut(&mut self, from: usize, to: usize) -> Edited {
        self.prefilled = false;
        if from >= to {
            return Edited::Cursor;
        }
        self.text.replace_range(from..to, "");
        self.cursor = from;
        Edited::Text
    }

    fn prev(&self, at: usize) -> usize {
        self.text[..at].char_indices().last().map_or(0, |(i, _)| i)
    }

    fn next(&self, at: usize) -> usize {
        self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8())
    }

    /// The start of the word before `at` (spaces before it skipped), as ctrl-w cuts.
    fn word_start(&self, at: usize) -> usize {
        let head = self.text[..at].trim_end_matches(' ');
        head.rfind(' ').map_or(0, |i| i + 1)
    }

    fn word_end(&self, at: usize) -> usize {
        let tail = &self.text[at..];
        let skipped = tail.len() - tail.trim_start_matches(' ').len();
        let rest = &tail[skipped..];
        at + skipped + rest.find(' ').unwrap_or(rest.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(field: &mut Field, code: KeyCode, modifiers: KeyModifiers) -> Edited {
        field.key(&KeyEvent::new(code, modifiers))
    }

    fn typed(field: &mut Field, text: &str) {
        for c in text.chars() {
            press(field, KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    #[test]
    fn typing_replaces_a_suggestion_and_moving_keeps_it() {
        let mut field = Field::prefilled("90d");
        typed(&mut field, "2025-12-01");
        assert_eq!(field.text(), "2025-12-01");
        let mut field = Field::prefilled("sarah");
        press(&mut field, KeyCode::End, KeyModifiers::NONE);
        typed(&mut field, "X");
        assert_eq!(
            field.text(),
            "sarahX",
            "moved first: an edit of the suggestion"
        );
        let mut field = Field::prefilled("sarah");
        press(&mut field, KeyCode::Backspace, KeyModifiers::NONE);
        assert_eq!(field.text(), "", "backspace on a suggestion clears it");
    }

    #[test]
    fn readline_keys_move_and_cut() {
        let ctrl = KeyModifiers::CONTROL;
        let none = KeyModifiers::NONE;
        let mut field = Field::with("sev:high owner:sam");
        press(&mut field, KeyCode::Char('w'), ctrl);
        assert_eq!(field.text(), "sev:high ");
        press(&mut field, KeyCode::Char('a'), ctrl);
        typed(&mut field, "-");
        assert_eq!(field.text(), "-sev:high ");
        assert_eq!(field.cursor(), 1);
        press(&mut field, KeyCode::Right, none);
        press(&mut field, KeyCode::Delete, none);
        assert_eq!(field.text(), "-sv:high ");
        press(&mut field, KeyCode::Left, none);
        press(&mut field, KeyCode::Backspace, none);
        assert_eq!(field.text(), "sv:high ");
        press(&mut field, KeyCode::Char('e'), ctrl);
        assert_eq!(field.cursor(), field.text().len());
        press(&mut field, KeyCode::Home, none);
        press(&mut field, KeyCode::Char('k'), ctrl);
        assert_eq!(field.text(), "");
        let mut field = Field::with("héllo wörld");
        press(&mut field, KeyCode::Left, none);
        press(&mut field, KeyCode::Left, none);
        press(&mut field, KeyCode::Char('u'), ctrl);
        assert_eq!(field.text(), "ld");
        assert_eq!(press(&mut field, KeyCode::Enter, none), Edited::No);
    }

    #[test]
    fn pastes_are_one_line_without_controls_and_bounded() {
        let mut field = Field::with("a");
        field.insert("title\nd1\r\nx\x1b[2Jy\ttab");
        assert_eq!(field.text(), "atitle d1 x[2Jy tab");
        field.insert("\u{202e}exe.txt\u{9b}31m\u{2028}b");
        assert_eq!(
            field.text(),
            "atitle d1 x[2Jy tabexe.txt31m b",
            "no bidi, no C1"
        );
        field.insert(&"z".repeat(FIELD_MAX * 2));
        assert_eq!(field.text().chars().count(), FIELD_MAX);
    }
}
