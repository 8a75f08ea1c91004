//! Repair of mojibake: UTF-8 text that was once decoded as Windows-1252 and saved again,
//! so `✅` reads `âœ…`, `—` reads `â€”` and `→` reads `â†’`.
//!
//! The Windows-1252 table is written out here (27 characters for 0x80..0x9F; 0xA0..0xFF
//! are Latin-1) and checked in a test against `encoding_rs`, the reference
//! implementation, which is only a dev-dependency: the table is frozen and tiny, and the
//! runtime keeps one dependency (and its MSRV) fewer.

use std::borrow::Cow;

/// The characters Windows-1252 puts at 0x80..0x9F, with their bytes.
const CP1252_HIGH: [(char, u8); 27] = [
    ('€', 0x80),
    ('‚', 0x82),
    ('ƒ', 0x83),
    ('„', 0x84),
    ('…', 0x85),
    ('†', 0x86),
    ('‡', 0x87),
    ('ˆ', 0x88),
    ('‰', 0x89),
    ('Š', 0x8A),
    ('‹', 0x8B),
    ('Œ', 0x8C),
    ('Ž', 0x8E),
    ('‘', 0x91),
    ('’', 0x92),
    ('“', 0x93),
    ('”', 0x94),
    ('•', 0x95),
    ('–', 0x96),
    ('—', 0x97),
    ('˜', 0x98),
    ('™', 0x99),
    ('š', 0x9A),
    ('›', 0x9B),
    ('œ', 0x9C),
    ('ž', 0x9E),
    ('Ÿ', 0x9F),
];

/// The Windows-1252 byte that decodes to `c`, if any. The five bytes Windows-1252 leaves
/// undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) come back as U+0081.. by the WHATWG and
/// Latin-1 decoders, so C1 controls map to their own byte.
pub(crate) fn cp1252_byte(c: char) -> Option<u8> {
    let u = u32::from(c);
    if u < 0x100 {
        return u8::try_from(u).ok();
    }
    CP1252_HIGH.iter().find(|(ch, _)| *ch == c).map(|(_, b)| *b)
}

/// Undo mojibake for display: every run of characters whose Windows-1252 bytes form a
/// valid UTF-8 sequence is replaced by the character it spells (repeated for text that
/// went through the mix-up twice). Text without such runs is returned borrowed. Files are
/// never rewritten with this: it is for titles, notes and status detection only.
pub fn repair_mojibake(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_lead) {
        return Cow::Borrowed(s);
    }
    let Some(mut fixed) = repair_once(s) else {
        return Cow::Borrowed(s);
    };
    for _ in 0..2 {
        match repair_once(&fixed) {
            Some(again) => fixed = again,
            None => break,
        }
    }
    Cow::Owned(fixed)
}

/// Whether `c` is what a UTF-8 lead byte of a multi-byte sequence looks like in
/// Windows-1252 (`Â`..`ô`).
fn is_lead(c: char) -> bool {
    ('\u{C2}'..='\u{F4}').contains(&c)
}

/// One pass of repair; `None` when nothing changed.
fn repair_once(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if let Some((decoded, used)) = decode_at(chars.get(i..).unwrap_or(&[])) {
            out.push(decoded);
            i += used;
            changed = true;
        } else {
            out.push(c);
            i += 1;
        }
    }
    changed.then_some(out)
}

/// Decode the UTF-8 sequence spelled by the Windows-1252 bytes of the chars at the
/// start of `chars`, returning the character and how many chars it took.
fn decode_at(chars: &[char]) -> Option<(char, usize)> {
    let lead = *chars.first()?;
    if !is_lead(lead) {
        return None;
    }
    let lead_byte = cp1252_byte(lead)?;
    let continuation = match lead_byte {
        0xC2..=0xDF => 1,
        0xE0..=0xEF => 2,
        _ => 3,
    };
    let mut buf = [lead_byte, 0, 0, 0];
    for k in 1..=continuation {
        let byte = cp1252_byte(*chars.get(k)?)?;
        if !(0x80..=0xBF).contains(&byte) {
            return None;
        }
        *buf.get_mut(k)? = byte;
    }
    let decoded = std::str::from_utf8(buf.get(..=continuation)?).ok()?;
    let c = decoded.chars().next()?;
    Some((c, continuation + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_the_usual_suspects() {
        assert_eq!(repair_mojibake("âœ… Done"), "✅ Done");
        assert_eq!(repair_mojibake("Phase 5 â€” Rollout"), "Phase 5 — Rollout");
        assert_eq!(repair_mojibake("a â†’ b"), "a → b");
        assert_eq!(repair_mojibake("ðŸ“‹ PLAN"), "📋 PLAN");
        assert_eq!(repair_mojibake("ðŸš€"), "🚀");
        assert_eq!(repair_mojibake("cafÃ©"), "café");
    }

    #[test]
    fn leaves_clean_text_borrowed() {
        for s in ["plain", "✅ café — → ü", "", "Â", "â€", "naïve façade"] {
            assert!(matches!(repair_mojibake(s), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn repairs_double_mojibake() {
        let once: String = "—"
            .bytes()
            .map(|b| {
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(&[b])
                    .0
                    .into_owned()
            })
            .collect();
        let twice: String = once
            .as_bytes()
            .iter()
            .map(|b| {
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(&[*b])
                    .0
                    .into_owned()
            })
            .collect();
        assert_eq!(repair_mojibake(&twice), "—");
    }

    #[test]
    fn table_matches_encoding_rs() {
        for byte in 0x80u8..=0xFF {
            let bytes = [byte];
            let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
            let c = decoded.chars().next().unwrap();
            assert_eq!(
                cp1252_byte(c),
                Some(byte),
                "byte {byte:#x} decodes to {c:?}"
            );
        }
    }

    #[test]
    fn every_emoji_round_trips_through_cp1252_mojibake() {
        for s in ["✅", "🔄", "⬜", "—", "→", "“q”", "📊", "🎯", "✔️"] {
            let garbled = encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(s.as_bytes())
                .0
                .into_owned();
            assert_eq!(repair_mojibake(&garbled), s, "{garbled}");
        }
    }
}
