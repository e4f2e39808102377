//! Progress on stderr: an indicatif spinner per stage on a terminal, plain
//! timestamped lines when stderr is not a terminal, nothing with `--quiet`.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use indicatif::{ProgressBar, ProgressStyle};
use outcomes::evaluate::Progress;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Quiet,
    Lines,
    Terminal,
}

/// The progress reporter of one run; cheap to clone (shared state).
#[derive(Debug, Clone)]
pub(crate) struct Reporter {
    mode: Mode,
    start: Instant,
    bar: Arc<Mutex<Option<(ProgressBar, String, Instant)>>>,
}

impl Reporter {
    /// A reporter for stderr, or a silent one.
    pub(crate) fn new(quiet: bool) -> Self {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Terminal
        } else {
            Mode::Lines
        };
        Reporter {
            mode,
            start: Instant::now(),
            bar: Arc::new(Mutex::new(None)),
        }
    }

    /// A stage begins (the previous one, if any, is done).
    pub(crate) fn stage(&self, what: &str) {
        match self.mode {
            Mode::Quiet => {}
            Mode::Lines => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let stamp = chrono::DateTime::from_timestamp(now as i64, 0)
                    .map_or_else(String::new, |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
                eprintln!(
                    "{stamp} [{:>7.1}s] {what}",
                    self.start.elapsed().as_secs_f64()
                );
            }
            Mode::Terminal => {
                let mut slot = self.bar.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((bar, msg, began)) = slot.take() {
                    bar.finish_with_message(format!(
                        "{msg} ({:.1}s)",
                        began.elapsed().as_secs_f64()
                    ));
                }
                let bar = ProgressBar::new_spinner();
                let style = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
                bar.set_style(style);
                bar.set_message(what.to_string());
                bar.enable_steady_tick(Duration::from_millis(120));
                *slot = Some((bar, what.to_string(), Instant::now()));
            }
        }
    }

    /// The last stage is done.
    pub(crate) fn finish(&self) {
        if self.mode == Mode::Terminal {
            let mut slot = self.bar.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((bar, msg, began)) = slot.take() {
                bar.finish_with_message(format!("{msg} ({:.1}s)", began.elapsed().as_secs_f64()));
            }
        }
    }

    /// The library's [`Progress`], reporting through this reporter.
    pub(crate) fn progress(&self) -> Progress {
        if self.mode == Mode::Quiet {
            return Progress::quiet();
        }
        let me = self.clone();
        Progress::with_sink(move |what| me.stage(what))
    }
}
