//! The binaries' allocator (mimalloc) told how long to keep memory it has freed.
//!
//! By default mimalloc keeps memory it has freed for a second (`purge_delay`, 1000 ms) before
//! returning it, and a thread that goes idle keeps it until it next allocates. In the report,
//! whose queries free large hash tables while the unit pages are drawn on other threads, that
//! held memory was about a quarter of the peak. Measured at 10 M risk points on 2 cores,
//! alternating runs:
//!
//! | purge delay | report: peak | report's bare queries: peak, time, system time |
//! |---|---|---|
//! | 1000 ms (default) | 2.15, 1.91, 2.00, 2.04 GiB | 1.47, 1.09 GiB; 34.0, 32.9 s; 8.7, 8.6 s |
//! | 100 ms | 1.77, 1.72 GiB | 0.96, 0.93 GiB; 31.2, 33.5 s; 12.1, 13.2 s |
//! | 0 | 1.49, 1.51 GiB | 0.73, 0.69 GiB; 37.5, 46.3 s; 24.1, 27.1 s |
//!
//! The report's times (75–117 s) moved with the file system more than with the delay. At 0
//! every freed block is returned and faulted in again when the next query needs it, which
//! tripled the system time; 100 ms keeps memory a query frees for the next operator while
//! returning what stays unused: [`return_freed_memory_sooner`].
//!
//! An analyst's queries one after another (`sunlight sql`, the kernel) are the other case: there
//! the next query's operators take again what the one before freed, and at 100 ms most of it
//! had been returned and was faulted in again. They keep the default, and so does the server,
//! whose folding of submissions into the store is an ingest in small steps. The benchmark's
//! query suite at 1 M risk points (`query-suite --runs 3`, 17 queries, two alternating pairs):
//! system time 1.57 and 1.79 s at 100 ms against 0.94 and 1.02 s at 1000 ms, the sum of the
//! queries' medians 2.26 and 2.56 s against 2.13 and 2.33 s (`level_counts` 170 and 188 ms
//! against 143 and 148 ms), for a peak of 257–339 MiB against 389–445 MiB.
//!
//! `sunlight ingest` is the other way round: it frees and takes again the same amount all along
//! (a batch's builders, a chunk's submissions), so memory returned is soon faulted in again. At
//! 100 ms (1 M risk points, alternating) its system time was 3.7–3.9 s against 1.9 s at the
//! default; at 10 s ([`keep_freed_memory_longer`]) 0.87–1.11 s against 1.43–2.03 s, and its wall
//! time 10.1, 11.7, 12.6 s against 10.7, 13.2, 13.5 s, for a peak of 620–630 MiB against
//! 520–590 MiB.

use std::os::raw::{c_int, c_long};

/// The place of `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (`mimalloc.h`): the
/// Rust bindings name no constant for it.
const PURGE_DELAY: c_int = 15;

/// mimalloc 3's default for it, which tells that the option at [`PURGE_DELAY`] is the delay.
const DEFAULT_PURGE_DELAY: c_long = 1000;

/// The delay [`return_freed_memory_sooner`] sets, in milliseconds.
pub const PURGE_DELAY_MS: c_long = 100;

/// The delay [`keep_freed_memory_longer`] sets, in milliseconds.
pub const INGEST_PURGE_DELAY_MS: c_long = 10_000;

/// Makes mimalloc return freed memory after [`PURGE_DELAY_MS`] instead of a second (the report,
/// and the benchmark's run of the report's queries). Returns whether it set the delay: not
/// when `MIMALLOC_PURGE_DELAY` is set (to measure another delay) or mimalloc's option does not
/// hold its default (another version of mimalloc, or a delay already set).
pub fn return_freed_memory_sooner() -> bool {
    set_purge_delay(PURGE_DELAY_MS)
}

/// Makes mimalloc keep freed memory for [`INGEST_PURGE_DELAY_MS`] (the ingest, which takes it
/// again at once). Returns whether it set the delay, as [`return_freed_memory_sooner`] does.
pub fn keep_freed_memory_longer() -> bool {
    set_purge_delay(INGEST_PURGE_DELAY_MS)
}

/// Sets mimalloc's purge delay to `ms`. It does nothing when the environment variable
/// `MIMALLOC_PURGE_DELAY` sets the delay (to measure another one), or when the option at
/// [`PURGE_DELAY`] does not hold the delay's default (another version of mimalloc, or a delay
/// already set). Returns whether it set the delay.
#[allow(unsafe_code)]
fn set_purge_delay(ms: c_long) -> bool {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return false;
    }
    // SAFETY: both are plain calls into mimalloc with an option in range; mimalloc documents
    // that options may be read and set at any time, from any thread.
    unsafe {
        if libmimalloc_sys::mi_option_get(PURGE_DELAY) != DEFAULT_PURGE_DELAY {
            return false;
        }
        libmimalloc_sys::mi_option_set(PURGE_DELAY, ms);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_is_found_and_set() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // The first call finds the default and sets the delay; a second finds it set.
        assert!(
            return_freed_memory_sooner(),
            "mimalloc's option {PURGE_DELAY} is not the purge delay with its default of \
             {DEFAULT_PURGE_DELAY} ms: see mimalloc.h"
        );
        assert!(!return_freed_memory_sooner());
        // The ingest's delay is not set over another one.
        assert!(!keep_freed_memory_longer());
        assert_eq!(delay(), PURGE_DELAY_MS);
    }

    #[allow(unsafe_code)]
    fn delay() -> c_long {
        // SAFETY: a plain read of an option in range.
        unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }
    }
}
