//! What both fuzz targets share: a smoke run in every `cargo test`, a campaign, and how a
//! failure is saved and told.

use std::path::PathBuf;
use std::time::Duration;

/// Loading one input may take at most this long (a debug build is slower).
pub(super) fn load_budget() -> Duration {
    Duration::from_secs(if cfg!(debug_assertions) { 5 } else { 1 })
}

/// The message of a caught panic.
pub(super) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

/// One failure: what failed, and the input.
pub(super) type Failure<I> = (String, I);

/// What a fuzz target counts: the inputs it checked, and whether it saw both outcomes (an
/// input refused and one accepted), without which it tested only half its properties.
pub(super) trait Tallied: std::fmt::Debug {
    /// The inputs checked.
    fn cases(&self) -> u64;
    /// Whether an input was refused and one accepted.
    fn both_outcomes(&self) -> bool;
}

/// The run of a fuzz target in every `cargo test`: `fuzz` from seed 11, with 600 seconds to
/// check its first `cases` inputs, must check them all, see both outcomes and fail on none
/// (what fails saved by `save`).
pub(super) fn smoke<T: Tallied, I>(
    cases: u64,
    fuzz: impl FnOnce(u64, f64, u64) -> (T, Vec<Failure<I>>),
    report: fn(u64, &T, &[Failure<I>]) -> String,
    save: fn(&[Failure<I>]) -> PathBuf,
) {
    let (tally, failures) = fuzz(11, 600.0, cases);
    let summary = report(11, &tally, &failures);
    assert_eq!(tally.cases(), cases, "{summary}");
    assert!(tally.both_outcomes(), "{summary}");
    fail_on(&failures, save, &summary);
}

/// Panics when `failures` is not empty, after `save` writes them: how many, where, and
/// `summary`.
fn fail_on<I>(failures: &[Failure<I>], save: fn(&[Failure<I>]) -> PathBuf, summary: &str) {
    if !failures.is_empty() {
        let dir = save(failures);
        panic!(
            "{} failures; inputs in {}\n{summary}",
            failures.len(),
            dir.display()
        );
    }
}

/// A campaign of `fuzz` (given the seed and the seconds of [`campaign_settings`]): prints
/// `report`'s summary, then fails on what it found, saved by `save`.
pub(super) fn campaign<T, I>(
    fuzz: impl FnOnce(u64, f64) -> (T, Vec<Failure<I>>),
    report: fn(u64, &T, &[Failure<I>]) -> String,
    save: fn(&[Failure<I>]) -> PathBuf,
) {
    let (seconds, seed) = campaign_settings();
    let (tally, failures) = fuzz(seed, seconds);
    let summary = report(seed, &tally, &failures);
    println!("{summary}");
    fail_on(&failures, save, &summary);
}

/// A campaign's length and seed: `FULCRUM_FUZZ_SECONDS` (default 60) and `FULCRUM_FUZZ_SEED`
/// (default: the clock).
fn campaign_settings() -> (f64, u64) {
    let seconds: f64 = std::env::var("FULCRUM_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60.0);
    let seed: u64 = std::env::var("FULCRUM_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_secs())
        });
    (seconds, seed)
}
