//! Any bytes through the markdown plan reader and the status write-back: neither may
//! panic, and a write-back may only ever change the task's own status token.
#![no_main]

use libfuzzer_sys::fuzz_target;
use preflight::domain::plan::TaskStatus;
use preflight::markdown::{read, set_status};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let doc = read(&text, "fuzz");
    for task in doc.tasks().take(8) {
        for status in [TaskStatus::Todo, TaskStatus::Doing, TaskStatus::Done] {
            if let Ok(updated) = set_status(&text, &task.id, status) {
                // Everything outside one short span is unchanged.
                let prefix = text.bytes().zip(updated.bytes()).take_while(|(a, b)| a == b).count();
                let suffix = text.bytes().rev().zip(updated.bytes().rev()).take_while(|(a, b)| a == b).count();
                let changed = text.len().saturating_sub(prefix + suffix);
                assert!(changed <= 64, "a status write changed {changed} bytes");
            }
        }
    }
});
