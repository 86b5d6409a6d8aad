//! The progress bar of the long commands (`train`, `check`) on standard error: only on a
//! terminal, only once the work has taken more than a moment, and cleared before the results
//! are printed.

use backprop_tracer::notation::Typography;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::{Duration, Instant};

/// Work shorter than this shows no progress bar at all.
const QUIET_FOR: Duration = Duration::from_millis(300);

pub struct Progress {
    enabled: bool,
    total: u64,
    /// indicatif's template for the bar, in the command's language (its `progress` label).
    template: &'static str,
    typography: Typography,
    started: Instant,
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(
        total: usize,
        template: &'static str,
        enabled: bool,
        typography: Typography,
    ) -> Progress {
        Progress {
            enabled,
            total: total as u64,
            template,
            typography,
            started: Instant::now(),
            bar: None,
        }
    }

    pub fn update(&mut self, done: usize) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() >= QUIET_FOR {
            let bar = ProgressBar::with_draw_target(Some(self.total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(self.template).expect("the template is valid");
            // indicatif draws its bar in block characters (█░) unless told otherwise.
            bar.set_style(if self.typography.is_ascii() {
                style.progress_chars("#>-")
            } else {
                style
            });
            // Started late: the estimate counts from here, not from the start.
            bar.set_position(done as u64);
            bar.reset_eta();
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
