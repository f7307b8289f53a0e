//! The progress bar of long commands.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set by `--quiet`: no bar or spinner appears.
static SILENT: AtomicBool = AtomicBool::new(false);

/// No progress bar or spinner from now on (`--quiet`).
pub fn silence() {
    SILENT.store(true, Ordering::Relaxed);
}

/// Whether `--quiet` silenced the command (its notes on stderr too).
pub fn silent() -> bool {
    SILENT.load(Ordering::Relaxed)
}

/// A progress bar on stderr that appears only once a run has taken a while, and never when
/// stderr is not a terminal.
pub struct Progress {
    bar: indicatif::ProgressBar,
    started: Instant,
    shown: AtomicBool,
}

impl Progress {
    const DELAY: Duration = Duration::from_millis(800);

    /// A bar of `total` steps, saying what the command is `doing` and what it `counted`.
    pub fn new(total: u64, doing: &str, counted: &str) -> Progress {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::hidden(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
            "{doing} {{bar:40}} {{pos}}/{{len}} {counted}, {{eta}} left"
        )) {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    pub fn update(&self, done: u64) {
        if !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() > Self::DELAY
            && std::io::stderr().is_terminal()
            && !SILENT.load(Ordering::Relaxed)
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        self.bar.set_position(done);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A spinner on stderr for work without a count (finding the optimised policies), shown only
/// once it has taken a second, and never when stderr is not a terminal.
pub struct Spinner {
    bar: indicatif::ProgressBar,
    stopped: std::sync::Arc<AtomicBool>,
}

impl Spinner {
    const DELAY: Duration = Duration::from_secs(1);

    /// Starts the spinner with `message` (shown after a second).
    pub fn start(message: &str) -> Spinner {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.to_string());
        let stopped = std::sync::Arc::new(AtomicBool::new(false));
        if std::io::stderr().is_terminal() && !SILENT.load(Ordering::Relaxed) {
            let (bar, stopped) = (bar.clone(), stopped.clone());
            std::thread::spawn(move || {
                std::thread::sleep(Self::DELAY);
                if !stopped.load(Ordering::Relaxed) {
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(120));
                }
            });
        }
        Spinner { bar, stopped }
    }

    /// Replaces the spinner's message (shown once the spinner appears).
    pub fn say(&self, message: &str) {
        self.bar.set_message(message.to_string());
    }

    /// Stops and clears the spinner (again: nothing).
    pub fn stop(&self) {
        if !self.stopped.swap(true, Ordering::Relaxed) {
            self.bar.finish_and_clear();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop();
    }
}
