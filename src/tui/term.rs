//! The terminal's lifecycle and input, the part of the cockpit that must never go
//! wrong: raw mode and the alternate screen are entered once and always left (on
//! quit, error, panic, SIGTERM, SIGHUP), and input is read on a thread of its own
//! that notices a hung-up terminal (a dropped SSH session) instead of spinning.

use super::backend::Screen;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event,
};
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::Terminal;
use std::io::{IsTerminal, Stdout};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// How long the input thread waits for a key before looking whether the terminal is
/// still there: a hang-up is noticed within this time.
const INPUT_POLL: Duration = Duration::from_millis(100);

pub type Term = Terminal<Screen<Stdout>>;

/// What the input thread reports.
#[derive(Debug)]
pub enum Input {
    Event(Event),
    /// The terminal is gone (SSH dropped, window closed): quit at once.
    HungUp,
}

/// Whether the terminal is in raw mode and on the alternate screen (so that a panic
/// knows whether there is something to restore).
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Whether the mouse is captured (the `mouse` setting; on by default).
static MOUSE: AtomicBool = AtomicBool::new(true);

/// Capture the mouse (clicks and the wheel) or leave it to the terminal (selecting
/// text), from the next [`enter`] on.
pub fn set_mouse(on: bool) {
    MOUSE.store(on, Ordering::SeqCst);
}
/// The panic of a background thread, for the main loop to report after restoring.
static BACKGROUND_PANIC: OnceLock<Mutex<Option<String>>> = OnceLock::new();

/// Enter raw mode and the alternate screen.
pub fn enter() -> std::io::Result<Term> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(std::io::Error::other(
            "the cockpit needs a terminal; headless, use `preflight check` or `preflight gate`",
        ));
    }
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut stdout = std::io::stdout();
    // Bracketed paste: a paste arrives as text, never as keys.
    if let Err(e) = execute!(
        stdout,
        EnterAlternateScreen,
        cursor::Hide,
        EnableBracketedPaste
    ) {
        leave();
        return Err(e);
    }
    if MOUSE.load(Ordering::SeqCst) {
        if let Err(e) = execute!(stdout, EnableMouseCapture) {
            leave();
            return Err(e);
        }
    }
    Terminal::new(Screen::new(stdout))
}

/// Leave the alternate screen and raw mode; harmless when already left.
pub fn leave() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = execute!(
            std::io::stdout(),
            DisableMouseCapture,
            DisableBracketedPaste,
            LeaveAlternateScreen,
            cursor::Show
        );
        let _ = disable_raw_mode();
    }
}

/// Install the panic hook: a panic on the main thread restores the terminal, then the
/// report is printed as usual. A panic on another thread (a background task) must not
/// restore the terminal under the running loop: it is kept, and `wake` tells the loop,
/// which stops the checks, restores the terminal and prints it.
pub fn install_panic_hook(wake: UnboundedSender<()>) {
    let main = std::thread::current().id();
    let previous = std::panic::take_hook();
    let wake = Mutex::new(wake);
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == main || !ACTIVE.load(Ordering::SeqCst) {
            leave();
            previous(info);
            return;
        }
        let slot = BACKGROUND_PANIC.get_or_init(|| Mutex::new(None));
        if let Ok(mut slot) = slot.lock() {
            slot.get_or_insert_with(|| info.to_string());
        }
        if let Ok(wake) = wake.lock() {
            let _ = wake.send(());
        }
    }));
}

/// The report of a background panic, if one happened.
pub fn background_panic() -> Option<String> {
    BACKGROUND_PANIC
        .get()
        .and_then(|slot| slot.lock().ok().and_then(|s| s.clone()))
}

/// The input thread: reads terminal events and sends them on; can be paused (while
/// `$EDITOR` owns the terminal) so that it steals no keystroke.
pub struct Reader {
    pause: mpsc::Sender<mpsc::Sender<()>>,
    resume: Arc<AtomicBool>,
}

impl Reader {
    pub fn spawn(send: UnboundedSender<Input>) -> Reader {
        let (pause, pauses) = mpsc::channel::<mpsc::Sender<()>>();
        let resume = Arc::new(AtomicBool::new(true));
        let running = resume.clone();
        let hangups = send.clone();
        std::thread::Builder::new()
            .name("input".into())
            .spawn(move || read_loop(&send, &pauses, &running))
            .ok();
        std::thread::Builder::new()
            .name("hang-up".into())
            .spawn(move || watch_hang_up(&hangups))
            .ok();
        Reader { pause, resume }
    }

    /// Stop reading, and return once the thread is parked.
    pub fn pause(&self) {
        self.resume.store(false, Ordering::SeqCst);
        let (ack, acked) = mpsc::channel();
        if self.pause.send(ack).is_ok() {
            let _ = acked.recv_timeout(Duration::from_secs(1));
        }
    }

    pub fn resume(&self) {
        self.resume.store(true, Ordering::SeqCst);
    }
}

fn read_loop(
    send: &UnboundedSender<Input>,
    pauses: &mpsc::Receiver<mpsc::Sender<()>>,
    running: &AtomicBool,
) {
    loop {
        if let Ok(ack) = pauses.try_recv() {
            let _ = ack.send(());
            while !running.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
                if send.is_closed() {
                    return;
                }
            }
        }
        let ready = event::poll(INPUT_POLL);
        let input = match ready {
            // A hung-up terminal is "readable" forever, and crossterm's `read` would
            // spin on it: look for the hang-up before reading.
            Ok(true) if terminal_hung_up() => Some(Input::HungUp),
            Ok(true) => match event::read() {
                Ok(event) => Some(Input::Event(event)),
                Err(_) => Some(Input::HungUp),
            },
            Ok(false) => None,
            Err(_) => Some(Input::HungUp),
        };
        let hung_up = matches!(input, Some(Input::HungUp)) || terminal_hung_up();
        if let Some(input) = input.filter(|i| !matches!(i, Input::HungUp)) {
            if send.send(input).is_err() {
                return;
            }
        }
        if hung_up {
            let _ = send.send(Input::HungUp);
            return;
        }
    }
}

/// Wait, without spinning, until the terminal hangs up, and say so. This cannot be left
/// to the input thread: crossterm's reader loops forever on the `EIO` of a hung-up
/// terminal inside `event::poll`, so that thread may never come back to look. Polling
/// for no event at all wakes only on POLLHUP, POLLERR or POLLNVAL.
fn watch_hang_up(send: &UnboundedSender<Input>) {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let stdin = std::io::stdin();
    loop {
        let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::empty())];
        match poll(&mut fds, PollTimeout::NONE) {
            Err(nix::errno::Errno::EINTR) => continue,
            Ok(0) => continue,
            _ => {
                note_hang_up();
                let _ = send.send(Input::HungUp);
                return;
            }
        }
    }
}

/// The terminal hung up (SIGHUP, or POLLHUP on stdin): leaving waits for nothing.
static HUNG_UP: AtomicBool = AtomicBool::new(false);

/// Remember that the terminal is gone.
pub fn note_hang_up() {
    HUNG_UP.store(true, Ordering::SeqCst);
}

/// Whether the terminal is known to be gone.
pub fn is_hung_up() -> bool {
    HUNG_UP.load(Ordering::SeqCst)
}

/// The terminal hung up: polling stdin reports POLLHUP (or the fd is gone).
fn terminal_hung_up() -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let stdin = std::io::stdin();
    let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::empty())];
    match poll(&mut fds, PollTimeout::ZERO) {
        Ok(_) => fds[0].revents().is_some_and(|r| {
            r.intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL)
        }),
        Err(_) => true,
    }
}
