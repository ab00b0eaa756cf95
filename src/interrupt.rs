//! Ctrl-C and `SIGTERM` during `kitgen build`: stop cleanly.
//!
//! The one global of kitgen lives here: the signal received, set by the handler and read by the
//! build between outputs. A build that sees it stops rendering, removes what it staged and
//! leaves the previous output as it was; the command exits with 130 (SIGINT) or 143 (SIGTERM).
//! A second signal ends the process at once.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static RECEIVED: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

/// Installs the handlers (once; later calls do nothing). Without them, [`requested`] is
/// always `None`.
pub fn install() {
    RECEIVED.get_or_init(|| {
        let received = Arc::new(AtomicUsize::new(0));
        let once = Arc::new(AtomicBool::new(false));
        #[cfg(unix)]
        for (sig, code) in [(signal_hook::consts::SIGINT, 130), (signal_hook::consts::SIGTERM, 143)] {
            // The second signal exits at once; the first only sets the flags.
            let _ = signal_hook::flag::register_conditional_shutdown(sig, code, once.clone());
            let _ = signal_hook::flag::register(sig, once.clone());
            let _ = signal_hook::flag::register_usize(sig, received.clone(), sig as usize);
        }
        received
    });
}

/// The signal received since [`install`], if any.
pub fn requested() -> Option<i32> {
    RECEIVED.get().map(|r| r.load(Ordering::Relaxed)).filter(|&s| s != 0).map(|s| s as i32)
}

/// The exit status for a signal: 128 + its number (130 for SIGINT, 143 for SIGTERM).
pub fn exit_code(signal: i32) -> i32 {
    128 + signal
}

/// The signal's name, for messages.
pub fn name(signal: i32) -> &'static str {
    match signal {
        2 => "SIGINT",
        15 => "SIGTERM",
        _ => "a signal",
    }
}
