//! Where the cockpit draws: the real terminal, or any ratatui backend (tests drive the
//! real loop on a `TestBackend`, with keys from a channel: no terminal, no sleeps).

use super::super::model::Model;
use super::super::term::{self, Reader, Term};
use super::super::theme::Theme;
use super::super::view;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use std::io;

/// What the loop needs of a screen. Invariant: `draw` only reads the model.
pub trait Screen {
    /// Columns and rows.
    fn size(&self) -> io::Result<(u16, u16)>;
    /// Draw one frame of the model.
    fn draw(&mut self, model: &Model, theme: &Theme) -> io::Result<()>;
    /// Hand the terminal to `run` (an editor) and take it back, cleared.
    fn suspend(&mut self, run: &mut dyn FnMut()) -> io::Result<()>;
    /// Clear the terminal, so the next frame draws everything again (ctrl-l).
    fn clear(&mut self) -> io::Result<()>;
    /// Put text on the clipboard (OSC 52: through SSH and tmux too).
    fn copy(&mut self, text: &str) -> io::Result<()>;
    /// Stop the process (ctrl-z), the terminal restored; taken back when continued.
    fn stop(&mut self) -> io::Result<()>;
}

/// The terminal the cockpit owns, and the thread reading its keys.
pub struct TermScreen {
    terminal: Term,
    reader: Reader,
}

impl TermScreen {
    pub fn new(terminal: Term, reader: Reader) -> TermScreen {
        TermScreen { terminal, reader }
    }

    /// Drop the screen without restoring it again: `term::leave` already did, and on
    /// a hung-up terminal a second try would print an error to a stderr that is gone.
    pub fn forget(self) {
        std::mem::forget(self.terminal);
    }
}

impl Screen for TermScreen {
    fn size(&self) -> io::Result<(u16, u16)> {
        let size = self.terminal.size()?;
        Ok((size.width, size.height))
    }

    fn draw(&mut self, model: &Model, theme: &Theme) -> io::Result<()> {
        self.terminal
            .draw(|frame| view::draw(frame, model, theme))
            .map(|_| ())
    }

    fn suspend(&mut self, run: &mut dyn FnMut()) -> io::Result<()> {
        self.reader.pause();
        term::leave();
        run();
        let mut again = term::enter()?;
        std::mem::swap(&mut self.terminal, &mut again);
        std::mem::forget(again);
        self.terminal.clear()?;
        self.reader.resume();
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.terminal.clear()
    }

    fn copy(&mut self, text: &str) -> io::Result<()> {
        use crossterm::clipboard::CopyToClipboard;
        crossterm::execute!(std::io::stdout(), CopyToClipboard::to_clipboard_from(text))
    }

    fn stop(&mut self) -> io::Result<()> {
        self.suspend(&mut || {
            // Stops here until `fg` (SIGCONT); then the terminal is entered again.
            let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGTSTP);
        })
    }
}

/// Called after each frame with the model and what was drawn.
pub type Observer = Box<dyn FnMut(&Model, &Buffer) + Send>;

/// Any ratatui backend (`TestBackend` in tests), with an observer of each frame.
pub struct BackendScreen<B: Backend> {
    pub terminal: Terminal<B>,
    observer: Option<Observer>,
    /// What was put on the clipboard, in order.
    pub copied: Vec<String>,
}

impl<B: Backend> BackendScreen<B> {
    pub fn new(terminal: Terminal<B>, observer: Option<Observer>) -> BackendScreen<B> {
        BackendScreen {
            terminal,
            observer,
            copied: Vec::new(),
        }
    }
}

impl<B: Backend> Screen for BackendScreen<B> {
    fn size(&self) -> io::Result<(u16, u16)> {
        let size = self
            .terminal
            .size()
            .map_err(|e| io::Error::other(e.to_string()))?;
        Ok((size.width, size.height))
    }

    fn draw(&mut self, model: &Model, theme: &Theme) -> io::Result<()> {
        let frame = self
            .terminal
            .draw(|frame| view::draw(frame, model, theme))
            .map_err(|e| io::Error::other(e.to_string()))?;
        if let Some(observe) = &mut self.observer {
            observe(model, frame.buffer);
        }
        Ok(())
    }

    fn suspend(&mut self, run: &mut dyn FnMut()) -> io::Result<()> {
        run();
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.terminal
            .clear()
            .map_err(|e| io::Error::other(e.to_string()))
    }

    fn copy(&mut self, text: &str) -> io::Result<()> {
        self.copied.push(text.to_string());
        Ok(())
    }

    fn stop(&mut self) -> io::Result<()> {
        Ok(())
    }
}
