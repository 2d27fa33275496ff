//! The CLI's allocator, and the two of its settings that keep a run's resident memory
//! near what the run holds.
//!
//! mimalloc 3 asks Linux for transparent huge pages on the arenas it commits, and returns
//! freed memory to the system a second after it is freed: longer than most runs. The
//! first pass's outlines, the positions of linted pieces and the index are freed along
//! the way, yet stayed resident in 2 MB pages until exit. Without huge pages (the crate's
//! `no_thp` feature, Cargo.toml) and purged 2 ms after a free, peak RSS at 10,000 apps
//! drops by a quarter (BENCHMARKS.md). Purging at once would cost a fifth of the run's
//! time; 10 ms (mimalloc 2's delay) left a file per app at 10,000 apps on the edge of the
//! RSS target, 3 MB above what 2 ms leaves, for 4 % less CPU time.

use libmimalloc_sys::{mi_option_set, mi_option_t};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's mimalloc.h, which the crate does not export; a
/// test holds it to that option's documented default.
const PURGE_DELAY: mi_option_t = 15;
const PURGE_DELAY_VARIABLE: &str = "MIMALLOC_PURGE_DELAY";

/// Sets the purge delay unless the environment does (mimalloc reads `MIMALLOC_*` at
/// start), so a run can still be measured with mimalloc's own default.
pub fn tune() {
    if std::env::var_os(PURGE_DELAY_VARIABLE).is_none() {
        // SAFETY: sets a value in mimalloc's table of options; any delay is valid, and it
        // is read when memory is freed, so setting it after start takes effect.
        unsafe { mi_option_set(PURGE_DELAY, 2) };
    }
}

#[cfg(test)]
mod tests {
    use libmimalloc_sys::mi_option_get;

    use super::*;

    /// If a new mimalloc renumbers its options, this fails before `tune` sets another one.
    /// The option holds the environment's delay if it sets one, else the default.
    #[test]
    fn the_option_number_is_the_purge_delay() {
        let expected = std::env::var(PURGE_DELAY_VARIABLE)
            .map_or(1000, |delay| delay.trim().parse().expect("a delay in ms"));
        // SAFETY: reads mimalloc's table of options.
        assert_eq!(unsafe { mi_option_get(PURGE_DELAY) }, expected);
    }
}
