//! The simulator on the largest example against a fair hand-written kernel of the same work,
//! in one run: the ratio of their medians is the figure (what the engine's generality costs over
//! straight code for exactly its work).
//!
//! The kernel ([`Kernel`]) is what a good engineer would write for `fulcrum run`'s simulation
//! of this scenario: the same model (hires, ramp-up, attrition, events, risks, incidents and
//! their costs, drag, `on_done` effects, precedence, per-engineer caps, the debt recursion, key
//! results judged at their deadlines, every strategy including the optimised plan), the same
//! draws (the same streams, drawn in the same order, through the same inlined samplers), and the
//! same outputs (every per-period metric, whole-trial outcome, paired difference, finish
//! histogram, progress and key result, in the same mergeable statistics). It is written
//! straight: flat per-trial arrays, rows added to their statistics as they are computed, no
//! per-strategy outcome buffers. Before anything is timed, `main` checks that kernel and engine
//! agree on every statistic, bit for bit.
//!
//! `kernel_bare` is the lower bound: the same trial recording only each initiative's finish
//! period (no per-period rows, key results or outcomes).
//!
//! Run: `cargo bench --bench engine`. Throughput is in trial-periods per second, where one
//! trial-period is one strategy simulating one period of the whole organisation.

use std::sync::OnceLock;

use divan::Bencher;
use divan::counter::ItemsCount;

use fulcrum::model::Scenario;
use fulcrum::pipeline;
use fulcrum::simulate::{
    self, Distributional, PeriodMetric, Policy, Results, Settings, SummaryMetric,
};

#[path = "engine/kernel.rs"]
mod kernel;

use kernel::Kernel;

const TRIALS: u64 = 10_000;
/// Trials per unit of parallel work, as in the engine.
const CHUNK: u64 = 64;
const SEED: u64 = 42;
const METRICS: usize = PeriodMetric::ALL.len();
const SUMMARIES: usize = SummaryMetric::ALL.len();

fn main() {
    check_kernel_matches_engine();
    divan::main();
}

fn scenario() -> &'static Scenario {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    SCENARIO.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/enterprise-portfolio.toml"
        );
        fulcrum::scenario::load(std::path::Path::new(path), &[])
            .expect("the example loads")
            .scenario
    })
}

/// Every strategy's policy, the optimised one's plan made once (the allocator has its own
/// benchmark).
fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let s = scenario();
        let options = pipeline::Options {
            marginal_values: pipeline::MarginalValues::None,
            ..pipeline::Options::new(Settings::for_run(s, TRIALS, SEED))
        };
        pipeline::policies(s, &options, &|_| {})
            .expect("the example plans")
            .0
    })
}

fn trial_periods() -> ItemsCount {
    let s = scenario();
    ItemsCount::new(TRIALS as usize * s.strategies.len() * s.periods)
}

fn run_engine(trials: u64) -> Results {
    let s = scenario();
    let names: Vec<String> = s.strategies.iter().map(|x| x.name.clone()).collect();
    let settings = Settings::for_run(s, trials, SEED);
    simulate::run(
        s,
        policies().to_vec(),
        names,
        &settings,
        simulate::Trials::all(settings.trials),
    )
}

/// `fulcrum run`'s simulation without the writing: every strategy with all statistics.
#[divan::bench(sample_count = 10)]
fn engine(bencher: Bencher) {
    policies();
    bencher
        .counter(trial_periods())
        .bench(|| run_engine(TRIALS));
}

/// The same work, written straight (see the module docs).
#[divan::bench(sample_count = 10)]
fn kernel(bencher: Bencher) {
    let kernel = Kernel::new(scenario(), policies(), SEED);
    bencher
        .counter(trial_periods())
        .bench(|| kernel.run::<true>(TRIALS));
}

/// The lower bound: the same trials recording only when each initiative finished.
#[divan::bench(sample_count = 10)]
fn kernel_bare(bencher: Bencher) {
    let kernel = Kernel::new(scenario(), policies(), SEED);
    bencher
        .counter(trial_periods())
        .bench(|| kernel.run::<false>(TRIALS));
}

/// Panics unless the kernel's statistics are the engine's, bit for bit (on fewer trials, so
/// that a bench run starts quickly; every code path of this scenario is taken in them).
fn check_kernel_matches_engine() {
    let trials = 1_000;
    let s = scenario();
    let engine = run_engine(trials);
    let kernel = Kernel::new(s, policies(), SEED).run::<true>(trials);
    assert_eq!(engine.trials(), kernel.trials);
    assert!(engine.unrepresentable().is_none() && !kernel.unrepresentable);
    let same = |what: &str, a: &Distributional, b: &Distributional| {
        let bits = |d: &Distributional| {
            let mut v = vec![d.mean.to_bits(), d.mean_se.to_bits()];
            v.extend(d.quantiles.map(f64::to_bits));
            v
        };
        assert_eq!(bits(a), bits(b), "kernel and engine differ in {what}");
    };
    let width = METRICS + s.key_results.len();
    for p in 0..s.strategies.len() {
        for t in 1..=s.periods {
            for m in 0..width {
                let cell = &kernel.periods[(p * s.periods + t - 1) * width + m];
                same(
                    &format!("strategy {p} period {t} column {m}"),
                    &engine.period(p, t, m),
                    &Distributional::of(cell),
                );
            }
        }
        for (m, metric) in SummaryMetric::ALL.into_iter().enumerate() {
            let slot = p * SUMMARIES + m;
            assert_eq!(engine.summary_sketch(p, metric), &kernel.summary[slot]);
            let paired = engine.paired(p, metric);
            let moments = kernel.paired[slot].moments();
            assert_eq!(paired.mean.to_bits(), moments.mean().to_bits());
        }
        for i in 0..s.initiatives.len() {
            let slot = p * s.initiatives.len() + i;
            assert_eq!(engine.finish_histogram(p, i), &kernel.finish[slot]);
            assert_eq!(engine.progress(p, i), &kernel.progress[slot]);
            let deadline = s.initiatives[i].deadline;
            let by_deadline = engine.initiative(p, i, deadline).p_by_deadline;
            let ours = deadline.map(|_| kernel.by_deadline[slot] as f64 / trials as f64);
            assert_eq!(by_deadline, ours);
        }
        for k in 0..s.key_results.len() {
            let slot = p * s.key_results.len() + k;
            let stats = engine.key_result(p, k);
            assert_eq!(stats.p_met, kernel.met[slot] as f64 / trials as f64);
            same(
                &format!("key result {k}"),
                &stats.attainment,
                &Distributional::of(&kernel.attainment[slot]),
            );
        }
    }
    eprintln!("kernel and engine agree on every statistic of {trials} trials");
}
