//! `fulcrum forecast` on the engine against hand-written kernels of exactly its work, in one
//! run: backlog 200, the W1 history (26 periods), horizon 26, a million trials, 2 threads'
//! worth of rayon. The kernels (`forecast/kernels.rs`, shared with `examples/lanes_bound.rs`)
//! draw what the engine draws and record what it records; before timing, each kernel's
//! numbers are checked against the engine's, for the classic and the calibrated method.
//!
//! * `scalar_bare`: one trial after another, finish period only (the lower bound of scalar
//!   code).
//! * `scalar_same_outputs`: the same with every table, in integers.
//! * `lanes_bare`, `lanes_same_outputs`: eight trials side by side (Xoshiro256++ in
//!   structure-of-arrays form, one vectorised step per period): the physical-limit reference.
//!
//! `engine_calibrated` is the same question by the calibrated method, as `fulcrum forecast`
//! answers it by default: the walk forward through W1 that learns the levels (2,000 trials at
//! each origin) and then the million trials, read at them. The figure for its cost is
//! `engine_calibrated` / `engine` (issue 27's bound: at most 2).
//!
//! Run: `cargo bench --bench forecast`. The figure is engine / `lanes_same_outputs`. The
//! whole process (`fulcrum forecast` against `examples/lanes_bound.rs`, each started and
//! timed from outside) is in docs/src/developer/performance.md.

use divan::Bencher;
use divan::counter::ItemsCount;
use std::sync::OnceLock;

use fulcrum::model::PeriodLength;
use fulcrum::model::throughput::Method;
use fulcrum::simulate::forecast::{self, Forecast, walk};

#[path = "forecast/kernels.rs"]
mod kernels;

use kernels::{SEED, Shape, Tables, scalar, side_by_side};

/// Trials per iteration: a million, or `FULCRUM_BENCH_TRIALS`.
fn trials() -> u64 {
    static TRIALS: OnceLock<u64> = OnceLock::new();
    *TRIALS.get_or_init(|| {
        std::env::var("FULCRUM_BENCH_TRIALS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1_000_000)
    })
}

/// The classic method's question, the one the kernels are timed on.
fn question() -> &'static Forecast {
    static QUESTION: OnceLock<Forecast> = OnceLock::new();
    QUESTION.get_or_init(|| kernels::question(Method::Iid, PeriodLength::TWO_WEEKS))
}

/// The calibrated method's question: W1 read as the calibrated method reads it (its last year in
/// four-week blocks).
fn calibrated_question() -> &'static Forecast {
    static QUESTION: OnceLock<Forecast> = OnceLock::new();
    QUESTION.get_or_init(|| kernels::question(Method::Calibrated, PeriodLength::TWO_WEEKS))
}

fn shape() -> Shape {
    Shape::of(question())
}

fn main() {
    kernels::check(question());
    kernels::check(calibrated_question());
    divan::main();
}

/// A kernel's iteration.
fn time(bencher: Bencher, kernel: fn(Shape, u64) -> Tables) {
    bencher
        .counter(ItemsCount::new(trials()))
        .bench(|| kernel(shape(), trials()));
}

/// The engine: `fulcrum forecast --history W1 --backlog 200 --horizon 26` without the writing.
#[divan::bench(sample_count = 7)]
fn engine(bencher: Bencher) {
    bencher
        .counter(ItemsCount::new(trials()))
        .bench(|| forecast::run(question(), trials(), SEED));
}

/// The calibrated method: the walk that learns the levels, then the trials read at them.
#[divan::bench(sample_count = 7)]
fn engine_calibrated(bencher: Bencher) {
    bencher.counter(ItemsCount::new(trials())).bench(|| {
        let mut question = calibrated_question().clone();
        let settings =
            walk::calibration_of(&question, false, trials(), SEED).expect("a calibrated method");
        let history = question.throughput.history.clone();
        question.levels = walk::walk(&history, &settings, &|_| {})
            .expect("W1 walks")
            .levels;
        forecast::run(&question, trials(), SEED)
    });
}

#[divan::bench(sample_count = 7)]
fn scalar_bare(bencher: Bencher) {
    time(bencher, scalar::<false>);
}

#[divan::bench(sample_count = 7)]
fn scalar_same_outputs(bencher: Bencher) {
    time(bencher, scalar::<true>);
}

#[divan::bench(sample_count = 7)]
fn lanes_bare(bencher: Bencher) {
    time(bencher, side_by_side::<false, false>);
}

#[divan::bench(sample_count = 7)]
fn lanes_same_outputs(bencher: Bencher) {
    time(bencher, side_by_side::<true, false>);
}

#[divan::bench(sample_count = 7)]
fn lanes_avx2_same_outputs(bencher: Bencher) {
    time(bencher, side_by_side::<true, true>);
}
