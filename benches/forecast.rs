//! `fulcrum forecast` on the engine against minimal hand-written kernels, in one run: backlog
//! 200, the W1 history (26 weeks), a million trials. The ratio of the medians is the figure.
//!
//! * `kernel`: one Xoshiro256++ per trial seeded through SplitMix64, a bootstrap index per
//!   period, accumulate until the backlog is reached, histogram of finish periods.
//! * `kernel_same_outputs`: the same, plus everything the engine's forecast records (items
//!   done per period in whole-item bins with fixed-point sums, items done by the horizon).
//!
//! Run: `cargo bench --bench forecast`.

use divan::Bencher;
use divan::counter::ItemsCount;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use fulcrum::model::PeriodLength;
use fulcrum::simulate::forecast::FixedSum as Moments;
use fulcrum::simulate::forecast::{self, Forecast};
use fulcrum::simulate::rng::mix;

/// Trials per iteration: a million, or `FULCRUM_BENCH_TRIALS` (e.g. a small count to compare
/// instruction counts under `valgrind --tool=callgrind`, which a busy machine does not skew).
fn trials() -> u64 {
    static TRIALS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TRIALS.get_or_init(|| {
        std::env::var("FULCRUM_BENCH_TRIALS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1_000_000)
    })
}
const BACKLOG: f64 = 200.0;
const HORIZON: usize = 26;
const W1: [f64; 26] = [
    3.0, 5.0, 2.0, 6.0, 4.0, 4.0, 7.0, 1.0, 5.0, 3.0, 6.0, 4.0, 2.0, 5.0, 8.0, 3.0, 4.0, 6.0, 5.0,
    2.0, 4.0, 7.0, 3.0, 5.0, 4.0, 6.0,
];
/// Finish periods kept by the kernels (the engine's cap for W1 is 458).
const PERIODS: usize = 512;
const CHUNK: u64 = 1024;

fn main() {
    divan::main();
}

/// The engine: `fulcrum forecast --history W1 --backlog 200 --horizon 26` without the writing.
#[divan::bench(sample_count = 5)]
fn engine(bencher: Bencher) {
    let f = Forecast::from_history(&W1, BACKLOG, None, Some(HORIZON), PeriodLength::TWO_WEEKS)
        .expect("W1 forecasts");
    bencher
        .counter(ItemsCount::new(trials()))
        .bench(|| forecast::run(&f, trials(), 42, &|_| {}));
}

/// Finish periods only.
#[divan::bench(sample_count = 5)]
fn kernel(bencher: Bencher) {
    bencher.counter(ItemsCount::new(trials())).bench(|| {
        (0..trials().div_ceil(CHUNK))
            .into_par_iter()
            .fold(
                || vec![0u64; PERIODS + 1],
                |mut hist, chunk| {
                    for trial in chunk * CHUNK..((chunk + 1) * CHUNK).min(trials()) {
                        let mut rng = Xoshiro256PlusPlus::seed_from_u64(mix(42 ^ trial));
                        let (mut done, mut t) = (0.0, 0);
                        while done < BACKLOG && t < PERIODS {
                            done += W1[rng.random_range(0..W1.len())];
                            t += 1;
                        }
                        hist[if done >= BACKLOG { t } else { 0 }] += 1;
                    }
                    hist
                },
            )
            .reduce(
                || vec![0u64; PERIODS + 1],
                |mut a, b| {
                    a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                    a
                },
            )
    });
}

/// What the engine's forecast records, hand-written.
struct Tables {
    finish: Vec<u64>,
    running: Vec<u64>,
    running_moments: Vec<Moments>,
    finished: Vec<u64>,
    finished_moments: Vec<Moments>,
    at_horizon: Vec<u64>,
    at_horizon_moments: Moments,
}

const BINS: usize = BACKLOG as usize + 1;

impl Tables {
    fn new() -> Tables {
        Tables {
            finish: vec![0; PERIODS + 1],
            running: vec![0; PERIODS * BINS],
            running_moments: vec![Moments::default(); PERIODS],
            finished: vec![0; PERIODS * BINS],
            finished_moments: vec![Moments::default(); PERIODS],
            at_horizon: vec![0; BINS],
            at_horizon_moments: Moments::default(),
        }
    }

    fn merge(mut self, other: Tables) -> Tables {
        let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.finish, &other.finish);
        add(&mut self.running, &other.running);
        add(&mut self.finished, &other.finished);
        add(&mut self.at_horizon, &other.at_horizon);
        for (a, b) in self.running_moments.iter_mut().zip(&other.running_moments) {
            a.merge(b);
        }
        for (a, b) in self
            .finished_moments
            .iter_mut()
            .zip(&other.finished_moments)
        {
            a.merge(b);
        }
        self.at_horizon_moments.merge(&other.at_horizon_moments);
        self
    }
}

#[inline]
fn bin(x: f64) -> usize {
    ((x + 1e-6) as usize).min(BINS - 1)
}

#[divan::bench(sample_count = 5)]
fn kernel_same_outputs(bencher: Bencher) {
    bencher.counter(ItemsCount::new(trials())).bench(|| {
        (0..trials().div_ceil(CHUNK))
            .into_par_iter()
            .fold(Tables::new, |mut tables, chunk| {
                for trial in chunk * CHUNK..((chunk + 1) * CHUNK).min(trials()) {
                    let mut rng = Xoshiro256PlusPlus::seed_from_u64(mix(42 ^ trial));
                    let (mut done, mut t) = (0.0f64, 0);
                    let mut at_horizon = 0.0;
                    while done < BACKLOG && t < PERIODS {
                        done = (done + W1[rng.random_range(0..W1.len())]).min(BACKLOG);
                        t += 1;
                        if t == HORIZON {
                            at_horizon = done;
                        }
                        if done < BACKLOG {
                            tables.running[(t - 1) * BINS + bin(done)] += 1;
                            tables.running_moments[t - 1].add(done);
                        }
                    }
                    let finished = if done >= BACKLOG { t } else { 0 };
                    tables.finish[finished] += 1;
                    if finished > 0 {
                        tables.finished[(finished - 1) * BINS + bin(BACKLOG)] += 1;
                        tables.finished_moments[finished - 1].add(BACKLOG);
                        if finished <= HORIZON {
                            at_horizon = BACKLOG;
                        }
                    }
                    tables.at_horizon[bin(at_horizon)] += 1;
                    tables.at_horizon_moments.add(at_horizon);
                }
                tables
            })
            .reduce(Tables::new, Tables::merge)
    });
}
