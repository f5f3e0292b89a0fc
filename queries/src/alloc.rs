//! The binaries' allocator (mimalloc) told to give freed memory back to the system at once.
//!
//! By default mimalloc keeps memory it has freed for a second (`purge_delay`, 1000 ms) before
//! returning it, and a thread that goes idle keeps it until it next allocates. In the report,
//! whose queries free large hash tables while the unit pages are drawn on other threads, that
//! held memory was about a quarter of the peak: at 10 M risk points the report peaked at
//! 2.15 and 1.91 GiB with the default against 1.49 and 1.51 GiB with a delay of 0 (250 ms: 1.85
//! and 1.87 GiB), in two alternating rounds on 2 cores; the times differed less than the noise
//! between rounds.

use std::os::raw::{c_int, c_long};

/// The place of `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (`mimalloc.h`): the
/// Rust bindings name no constant for it.
const PURGE_DELAY: c_int = 15;

/// mimalloc 3's default for it, which tells that the option at [`PURGE_DELAY`] is the delay.
const DEFAULT_PURGE_DELAY: c_long = 1000;

/// Makes mimalloc return freed memory at once. It does nothing when the environment variable
/// `MIMALLOC_PURGE_DELAY` sets the delay (to measure another one), or when the option at
/// [`PURGE_DELAY`] does not hold the delay's default (another version of mimalloc). Returns
/// whether it set the delay.
#[allow(unsafe_code)]
pub fn return_freed_memory_at_once() -> bool {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return false;
    }
    // SAFETY: both are plain calls into mimalloc with an option in range; mimalloc documents
    // that options may be read and set at any time, from any thread.
    unsafe {
        if libmimalloc_sys::mi_option_get(PURGE_DELAY) != DEFAULT_PURGE_DELAY {
            return false;
        }
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
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
        // The first call finds the default and sets 0; a second finds 0 and leaves it.
        assert!(
            return_freed_memory_at_once(),
            "mimalloc's option {PURGE_DELAY} is not the purge delay with its default of \
             {DEFAULT_PURGE_DELAY} ms: see mimalloc.h"
        );
        assert!(!return_freed_memory_at_once());
    }
}
