//! Any text through the terminal sanitiser: no ESC, BEL, other C0 control but tab,
//! DEL, C1 control or bidi override survives; a one-line field holds no line break.
#![no_main]

mod asan;

use libfuzzer_sys::fuzz_target;
use preflight::text::sanitize::{multi_line, one_line};

fn assert_safe(text: &str, newlines: bool) {
    for c in text.chars() {
        let forbidden = match c {
            '\t' => false,
            '\n' => !newlines,
            '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
            '\u{2028}' | '\u{2029}' => true,
            c => c.is_control(),
        };
        assert!(!forbidden, "{c:?} survived in {text:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let line = one_line(&text);
    assert_safe(&line, false);
    assert!(!line.bytes().any(|b| b == 0x1b || b == 0x07));
    assert_safe(&multi_line(&text), true);
    // Clean text is left exactly as it was.
    if preflight::text::sanitize::is_clean_line(&text) {
        assert_eq!(line, text);
    }
});
