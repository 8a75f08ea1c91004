//! Any bytes through the markdown plan reader and the status write-back: neither may
//! panic, and a write-back may only ever change the task's own status token: a short
//! span, no line break in it, a CRLF file still CRLF. The first byte picks a shape to
//! put the rest in, so blockquotes, callouts and CRLF files are always explored:
//! as is, every line quoted (`> `), a callout, LF turned into CRLF, or quoted and CRLF.
#![no_main]

mod asan;

use libfuzzer_sys::fuzz_target;
use preflight::domain::plan::TaskStatus;
use preflight::markdown::{read, set_status};

fn quote_all(text: &str, callout: bool) -> String {
    let mut out = String::from(if callout { "> [!NOTE] Quoted\n" } else { "" });
    for line in text.split_inclusive('\n') {
        out.push_str("> ");
        out.push_str(line);
    }
    out
}

fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

fuzz_target!(|data: &[u8]| {
    let (shape, rest) = match data.split_first() {
        Some((first, rest)) => (*first, rest),
        None => (0, data),
    };
    let raw = String::from_utf8_lossy(rest);
    let text = match shape % 8 {
        1 => quote_all(&raw, false),
        2 => quote_all(&raw, true),
        3 => crlf(&raw),
        4 => crlf(&quote_all(&raw, shape & 8 != 0)),
        _ => raw.into_owned(),
    };
    let all_crlf = !text.replace("\r\n", "").contains('\n');
    let doc = read(&text, "fuzz");
    for task in doc.tasks().take(8) {
        for status in TaskStatus::ALL {
            if let Ok(updated) = set_status(&text, &task.id, status) {
                // Everything outside one short span is unchanged.
                let prefix = text.bytes().zip(updated.bytes()).take_while(|(a, b)| a == b).count();
                let room = text.len().min(updated.len()) - prefix;
                let suffix = text
                    .bytes()
                    .rev()
                    .zip(updated.bytes().rev())
                    .take(room)
                    .take_while(|(a, b)| a == b)
                    .count();
                let changed = text.len() - prefix - suffix;
                assert!(changed <= 64, "a status write changed {changed} bytes");
                let old = &text.as_bytes()[prefix..text.len() - suffix];
                let new = &updated.as_bytes()[prefix..updated.len() - suffix];
                assert!(
                    !old.iter().chain(new).any(|b| *b == b'\n' || *b == b'\r'),
                    "a status write touched a line break"
                );
                if all_crlf {
                    assert!(!updated.replace("\r\n", "").contains('\n'), "CRLF kept");
                }
            }
        }
    }
});
