//! The bounded tail of a check's output, shared between the runner that fills it and
//! whoever shows it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

/// The last `capacity` lines of output, plus how many lines there were in all.
#[derive(Debug)]
pub struct Ring {
    lines: VecDeque<String>,
    capacity: usize,
    total: u64,
}

impl Ring {
    pub fn new(capacity: usize) -> Ring {
        Ring {
            lines: VecDeque::with_capacity(capacity.min(1024)),
            capacity: capacity.max(1),
            total: 0,
        }
    }

    pub fn push(&mut self, line: String) {
        if self.lines.len() == self.capacity {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
        self.total += 1;
    }

    pub fn clear(&mut self) {
        self.lines.clear();
        self.total = 0;
    }

    pub fn lines(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator {
        self.lines.iter().map(String::as_str)
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
            ring.push(i.to_string());
        }
        assert_eq!(ring.lines().collect::<Vec<_>>(), ["7", "8", "9"]);
        assert_eq!(ring.total(), 10);
        assert_eq!(ring.last(), Some("9"));
    }
}
