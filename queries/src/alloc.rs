//! The binaries' allocator (mimalloc) told to give freed memory back to the system sooner.
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
//! returning what stays unused.
//!
//! `sunlight ingest` keeps the default: it frees and takes again the same amount all along (a
//! batch's builders, a chunk's submissions), and at 100 ms the system faulted it back in (1 M
//! risk points, alternating: 3.7–3.9 s of system time against 1.9 s; peak 350 → 400–420 MiB).

use std::os::raw::{c_int, c_long};

/// The place of `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (`mimalloc.h`): the
/// Rust bindings name no constant for it.
const PURGE_DELAY: c_int = 15;

/// mimalloc 3's default for it, which tells that the option at [`PURGE_DELAY`] is the delay.
const DEFAULT_PURGE_DELAY: c_long = 1000;

/// The delay set, in milliseconds.
pub const PURGE_DELAY_MS: c_long = 100;

/// Makes mimalloc return freed memory after [`PURGE_DELAY_MS`] instead of a second. It does
/// nothing when the environment variable `MIMALLOC_PURGE_DELAY` sets the delay (to measure
/// another one), or when the option at [`PURGE_DELAY`] does not hold the delay's default
/// (another version of mimalloc). Returns whether it set the delay.
#[allow(unsafe_code)]
pub fn return_freed_memory_sooner() -> bool {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return false;
    }
    // SAFETY: both are plain calls into mimalloc with an option in range; mimalloc documents
    // that options may be read and set at any time, from any thread.
    unsafe {
        if libmimalloc_sys::mi_option_get(PURGE_DELAY) != DEFAULT_PURGE_DELAY {
            return false;
        }
        libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS);
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
    }
}
