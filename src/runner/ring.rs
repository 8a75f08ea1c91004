//! The bounded tail of a check's output, shared between the runner that fills it and
//! whoever shows it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

/// Bytes of output kept at most, whatever the line count: 10,000 lines of 64 KiB
/// would otherwise be 640 MB.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// An evicted line's buffer is reused for the next line when it is at most this big;
/// bigger ones are freed so that one wide line does not pin memory.
const REUSE_LIMIT: usize = 1024;

/// The last `capacity` lines of output (and at most [`MAX_BYTES`]), plus how many
/// lines there were in all.
#[derive(Debug)]
pub struct Ring {
    lines: VecDeque<String>,
    capacity: usize,
    bytes: usize,
    total: u64,
}

impl Ring {
    pub fn new(capacity: usize) -> Ring {
        Ring {
            lines: VecDeque::with_capacity(capacity.min(1024)),
            capacity: capacity.max(1),
            bytes: 0,
            total: 0,
        }
    }

    /// Append a line, evicting the oldest as needed. In steady state the evicted
    /// line's buffer takes the new text, so a flood allocates nothing per line.
    pub fn push(&mut self, line: &str) {
        let mut spare = None;
        while !self.lines.is_empty()
            && (self.lines.len() >= self.capacity || self.bytes + line.len() > MAX_BYTES)
        {
            if let Some(old) = self.lines.pop_front() {
                self.bytes -= old.len();
                spare = Some(old);
            }
        }
        let text = match spare {
            Some(mut buf) if buf.capacity() <= REUSE_LIMIT => {
                buf.clear();
                buf.push_str(line);
                buf
            }
            _ => line.to_owned(),
        };
        self.bytes += text.len();
        self.lines.push_back(text);
        self.total += 1;
    }

    pub fn clear(&mut self) {
        self.lines.clear();
        self.bytes = 0;
        self.total = 0;
    }

    pub fn lines(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator {
        self.lines.iter().map(String::as_str)
    }

    /// The `i`th kept line (0: the oldest kept).
    pub fn get(&self, i: usize) -> Option<&str> {
        self.lines.get(i).map(String::as_str)
    }

    pub fn last(&self) -> Option<&str> {
        self.lines.back().map(String::as_str)
    }

    /// Lines seen since the ring was last cleared, kept or not.
    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// A ring shared across tasks. Cloning shares it.
#[derive(Debug, Clone)]
pub struct Output(Arc<Mutex<Ring>>);

impl Output {
    pub fn new(capacity: usize) -> Output {
        Output(Arc::new(Mutex::new(Ring::new(capacity))))
    }

    /// Lock the ring. A panic while holding the lock cannot leave a ring half-updated
    /// in a way that matters for display, so a poisoned lock is simply taken over.
    pub fn lock(&self) -> MutexGuard<'_, Ring> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_last_lines_and_counts_all() {
        let mut ring = Ring::new(3);
        for i in 0..10 {
            ring.push(&i.to_string());
        }
        assert_eq!(ring.lines().collect::<Vec<_>>(), ["7", "8", "9"]);
        assert_eq!(ring.total(), 10);
        assert_eq!(ring.last(), Some("9"));
    }

    #[test]
    fn wide_lines_are_bounded_by_bytes() {
        let mut ring = Ring::new(10_000);
        let wide = "x".repeat(64 * 1024);
        for _ in 0..1_000 {
            ring.push(&wide);
        }
        assert_eq!(ring.len(), MAX_BYTES / wide.len());
        assert_eq!(ring.total(), 1_000);
    }
}
