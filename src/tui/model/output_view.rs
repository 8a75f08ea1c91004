//! The output pane's view state: where it is pinned, how it wraps, what it found.

/// The output pane's view. Invariant: `pinned` and `found` number lines from the start
/// of the run (see `view::scrollback`), not from the tail, so lines arriving or
/// dropping out of the ring never move the text under the user's eyes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputView {
    /// The line at the top of the pane; `None` follows the tail.
    pub pinned: Option<u64>,
    /// Long lines wrap; else they are cut and `column` scrolls sideways.
    pub wrap: bool,
    /// Columns scrolled right (without wrapping).
    pub column: usize,
    /// The search text, once entered; matches are highlighted.
    pub search: Option<String>,
    /// The line of the match last jumped to.
    pub found: Option<u64>,
    /// The output fills the screen.
    pub zoom: bool,
}

impl Default for OutputView {
    fn default() -> OutputView {
        OutputView {
            pinned: None,
            wrap: true,
            column: 0,
            search: None,
            found: None,
            zoom: false,
        }
    }
}

impl OutputView {
    pub fn following(&self) -> bool {
        self.pinned.is_none()
    }

    /// The view of another run or check: following its tail, the settings kept.
    pub fn fresh(&self) -> OutputView {
        OutputView {
            wrap: self.wrap,
            search: self.search.clone(),
            zoom: self.zoom,
            ..OutputView::default()
        }
    }
}
