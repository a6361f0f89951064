//! A progress bar for `plan split`: on stderr, only on a terminal, and only
//! once a run has taken about a second.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use plan::app::report::{Fill, PersistError, Sink};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a run goes before its bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// The bar of one run; does nothing when stderr is not a terminal or the run is quiet.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: AtomicBool,
}

impl Progress {
    /// Starts timing; `wanted` is false with `--quiet` or `--json`.
    pub fn new(wanted: bool) -> Self {
        let bar = (wanted && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            let style = ProgressStyle::with_template(
                "{spinner} {msg} {wide_bar} {pos}/{len} files, {elapsed}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    /// Names the step under way (reading, writing).
    pub fn step(&self, message: &'static str) {
        if let Some(bar) = &self.bar {
            bar.set_message(message);
            self.show_if_slow(bar);
        }
    }

    fn show_if_slow(&self, bar: &ProgressBar) {
        if self.started.elapsed() >= SHOW_AFTER && !self.shown.swap(true, Ordering::Relaxed) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(200));
        }
    }

    /// Removes the bar before the run's summary is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A sink that moves the bar on for every file it stores.
pub struct Tracked<'a> {
    pub sink: &'a dyn Sink,
    pub progress: &'a Progress,
}

impl Sink for Tracked<'_> {
    fn put_with(&self, rel: &str, fill: &mut Fill) -> Result<(), PersistError> {
        self.sink.put_with(rel, fill)?;
        if let Some(bar) = &self.progress.bar {
            bar.inc(1);
            self.progress.show_if_slow(bar);
        }
        Ok(())
    }

    fn expect(&self, files: usize) {
        self.sink.expect(files);
        if let Some(bar) = &self.progress.bar {
            bar.set_length(files as u64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Kept {
        files: Mutex<Vec<String>>,
        expected: Mutex<Option<usize>>,
    }

    impl Sink for Kept {
        fn put_with(&self, rel: &str, _: &mut Fill) -> Result<(), PersistError> {
            self.files.lock().unwrap().push(rel.into());
            Ok(())
        }
        fn expect(&self, files: usize) {
            *self.expected.lock().unwrap() = Some(files);
        }
    }

    #[test]
    fn a_bar_only_on_a_terminal_and_files_pass_through() {
        let progress = Progress::new(true);
        assert_eq!(
            progress.bar.is_some(),
            std::io::stderr().is_terminal(),
            "a bar only on a terminal"
        );
        let kept = Kept::default();
        let tracked = Tracked {
            sink: &kept,
            progress: &progress,
        };
        tracked.expect(2);
        tracked.put("plan.csv", b"x").unwrap();
        tracked.put("reps/a.xlsx", b"y").unwrap();
        progress.finish();
        assert_eq!(*kept.files.lock().unwrap(), ["plan.csv", "reps/a.xlsx"]);
        assert_eq!(*kept.expected.lock().unwrap(), Some(2));
    }
}
