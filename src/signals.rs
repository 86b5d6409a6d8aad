//! What an interruption does. SIGINT, SIGTERM and SIGHUP end the program with the status a
//! shell gives a program they end (128 + the signal's number: 130, 143, 129), but first the
//! temporary file an `-o` run was writing is removed (FILE stays the old one) and the
//! stepper's terminal is put back as it was found.
//!
//! A signal the program was started with ignored (`nohup`) stays ignored.
//!
//! A signal handler may do almost nothing safely (no locks, no allocation), so signal-hook's
//! handler only wakes a thread of ours, which does the work with ordinary code. SIGKILL
//! cannot be caught: README says what it leaves.

use crate::output;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::io;
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// How to put the terminal back, while the stepper's full screen is up.
static TERMINAL: Mutex<Option<fn()>> = Mutex::new(None);

/// The terminal's restoring, for the stepper to set while its full screen is up. Hold the
/// guard while entering or leaving the screen: an interruption waits for it, so it never
/// finds the terminal half-entered.
pub fn terminal() -> MutexGuard<'static, Option<fn()>> {
    TERMINAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Catches SIGINT, SIGTERM and SIGHUP from now on. Should that fail (no thread, no pipe),
/// they keep their default action and a warning says what that costs.
pub fn install() {
    if let Err(e) = start() {
        output::to_stderr(&format!(
            "warning: cannot catch interruptions ({e}): an interrupted -o run may leave a \
             temporary file .backprop-XXXXXX.tmp beside FILE"
        ));
    }
}

fn start() -> io::Result<()> {
    // The signals are caught by the thread itself, once it runs: were they caught first
    // and the thread then failed to start, they would be caught by no one and ignored.
    let (started, caught) = mpsc::channel();
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || match Signals::new(to_catch()) {
            Ok(mut signals) => {
                let _ = started.send(Ok(()));
                if let Some(signal) = signals.forever().next() {
                    exit_on(signal);
                }
            }
            Err(e) => {
                let _ = started.send(Err(e));
            }
        })?;
    caught
        .recv()
        .unwrap_or_else(|_| Err(io::Error::other("the thread that catches them ended")))
}

/// SIGINT, SIGTERM and SIGHUP, less those the program was started with ignored: `nohup`
/// ignores SIGHUP so that the run outlives the terminal, and a shell ignores SIGINT in a
/// command it runs in the background. Catching them would undo that.
fn to_catch() -> Vec<i32> {
    [SIGINT, SIGTERM, SIGHUP]
        .into_iter()
        .filter(|&signal| !ignored(signal))
        .collect()
}

fn ignored(signal: i32) -> bool {
    // SAFETY: with no new action given, sigaction only reads the current one into `current`,
    // which is a plain C struct for which all zeroes is a valid value.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut current) == 0
            && current.sa_sigaction == libc::SIG_IGN
    }
}

/// Cleans up after an interrupted run, then exits with 128 + `signal`. Nothing is released
/// on the way out: the main thread, still running until the exit, must neither draw on the
/// terminal once it is restored nor make or rename a temporary file once they are removed.
fn exit_on(signal: i32) -> ! {
    let terminal = terminal();
    if let Some(restore) = *terminal {
        // Holding standard output also waits for a frame being drawn to be finished. Only
        // here: elsewhere the main thread may be blocked writing into a full pipe, holding it.
        std::mem::forget(io::stdout().lock());
        restore();
    }
    std::mem::forget(terminal);
    output::remove_temporary_files();
    std::process::exit(128 + signal)
}
