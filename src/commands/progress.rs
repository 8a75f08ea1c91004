//! Live progress of headless runs on stderr: spinners on a terminal, plain lines
//! elsewhere (CI logs, pipes).

use crate::domain::check::RunStatus;
use crate::runner::{Output, RunOutcome};
use crate::text::format::human_duration;
use crate::text::sanitize::{one_line, Line};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often spinners move and show the latest output line.
pub const TICK_REFRESH: Duration = Duration::from_millis(100);

pub fn glyph(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Passed => "✔",
        RunStatus::Failed => "✖",
        RunStatus::TimedOut => "⧗",
        RunStatus::Error => "!",
    }
}

/// One line for a finished run: `✖ clippy failed in 4.2s · 3 findings`.
pub fn finished_line(outcome: &RunOutcome) -> String {
    let mut line = format!(
        "{} {} {} in {}",
        glyph(outcome.status),
        Line(&outcome.check),
        outcome.status_label(),
        human_duration(outcome.duration)
    );
    match outcome.findings.len() {
        0 => {}
        1 => line.push_str(" · 1 finding"),
        n => line.push_str(&format!(" · {n} findings")),
    }
    if let Some(error) = &outcome.error {
        line.push_str(&format!(" · {}", Line(error)));
    }
    if let Some(cut) = &outcome.log_error {
        line.push_str(&format!(" · {}", Line(cut)));
    }
    line
}

enum Mode {
    Bars {
        multi: MultiProgress,
        bars: Mutex<HashMap<String, (ProgressBar, Output)>>,
        /// Names are padded to this, so the columns after them line up.
        width: usize,
    },
    Plain,
}

/// Shared by every check task of one headless run.
#[derive(Clone)]
pub struct Progress(Arc<Mode>);

impl Progress {
    /// Spinners when stderr is a terminal, plain lines otherwise. `width` is the
    /// longest check id that will show.
    pub fn for_stderr(width: usize) -> Progress {
        if std::io::stderr().is_terminal() {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            Progress(Arc::new(Mode::Bars {
                multi,
                bars: Mutex::new(HashMap::new()),
                width,
            }))
        } else {
            Progress(Arc::new(Mode::Plain))
        }
    }

    pub fn started(&self, id: &str, output: &Output) {
        match self.0.as_ref() {
            Mode::Plain => errln!("{} ▶ {} started", clock(), Line(id)),
            Mode::Bars { multi, bars, width } => {
                let style = ProgressStyle::with_template(
                    "{spinner:.cyan} {prefix:.bold} {elapsed:>4} {wide_msg:.dim}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
                let bar = multi.add(ProgressBar::new_spinner().with_style(style));
                bar.set_prefix(format!("{:<width$}", Line(id)));
                bar.enable_steady_tick(TICK_REFRESH);
                lock(bars).insert(id.to_string(), (bar, output.clone()));
            }
        }
    }

    /// Show each running check's latest output line.
    pub fn refresh(&self) {
        if let Mode::Bars { bars, .. } = self.0.as_ref() {
            for (bar, output) in lock(bars).values() {
                // The check's own output: colours stripped, every other control shown
                // escaped, so nothing it prints acts on the terminal.
                let last = output.lock().last().map(strip_ansi_escapes::strip_str);
                if let Some(last) = last {
                    bar.set_message(one_line(last.trim()).into_owned());
                }
            }
        }
    }

    pub fn finished(&self, outcome: &RunOutcome) {
        let line = finished_line(outcome);
        match self.0.as_ref() {
            Mode::Plain => errln!("{} {line}", clock()),
            Mode::Bars { multi, bars, .. } => {
                if let Some((bar, _)) = lock(bars).remove(&outcome.check) {
                    bar.finish_and_clear();
                    multi.remove(&bar);
                }
                let _ = multi.println(line);
            }
        }
    }

    /// On a live terminal, a task that redraws the elapsed times every
    /// [`TICK_REFRESH`]; abort it when the runs are over.
    pub fn ticker(&self) -> Option<tokio::task::JoinHandle<()>> {
        self.is_live().then(|| {
            let progress = self.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(TICK_REFRESH).await;
                    progress.refresh();
                }
            })
        })
    }

    pub fn is_live(&self) -> bool {
        matches!(self.0.as_ref(), Mode::Bars { .. })
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Wall-clock time (UTC) as HH:MM:SS, for progress lines.
pub fn clock() -> String {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    now.get(11..19).unwrap_or(&now).to_string()
}
