//! The simulator on the largest example against a minimal hand-written kernel of the same work,
//! in one run: the ratio of their medians is the figure (how much the engine's generality,
//! common random numbers and streaming statistics cost over the bare model).
//!
//! Run: `cargo bench --bench engine`. Throughput is in trial-periods per second, where one
//! trial-period is one strategy simulating one period of the whole organisation.

use std::sync::OnceLock;

use divan::Bencher;
use divan::counter::ItemsCount;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use fulcrum::model::{Kind, Rule, Scenario, Workforce};
use fulcrum::pipeline;
use fulcrum::simulate::rng::poisson_quantile;
use fulcrum::simulate::{self, Settings};

const TRIALS: u64 = 10_000;

fn main() {
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

fn trial_periods() -> ItemsCount {
    let s = scenario();
    ItemsCount::new(TRIALS as usize * s.strategies.len() * s.periods)
}

/// `fulcrum run`'s simulation without the writing: every strategy with all statistics. The
/// optimised strategy's plan is made once, outside the timed region (the allocator has its
/// own benchmark).
#[divan::bench(sample_count = 10)]
fn engine(bencher: Bencher) {
    let s = scenario();
    let options = pipeline::Options {
        marginal_values: pipeline::MarginalValues::None,
        ..pipeline::Options::new(Settings::for_run(s, TRIALS, 42))
    };
    let (policies, _) = pipeline::policies(s, &options).expect("the example plans");
    let names: Vec<String> = s.strategies.iter().map(|x| x.name.clone()).collect();
    bencher.counter(trial_periods()).bench(|| {
        let settings = Settings::for_run(s, TRIALS, 42);
        simulate::run(s, policies.clone(), names.clone(), &settings, &|_| {})
    });
}

/// The same model, hand-written for this scenario's features with flat arrays, one generator
/// per trial, and only the final debt and product days summed. Optimised strategies are run
/// at their mid-guardrail share.
#[divan::bench(sample_count = 10)]
fn kernel(bencher: Bencher) {
    let s = scenario();
    bencher.counter(trial_periods()).bench(|| {
        (0..TRIALS)
            .into_par_iter()
            .map(|trial| kernel_trial(s, trial))
            .reduce(|| (0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
}

fn kernel_trial(s: &Scenario, trial: u64) -> (f64, f64) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(trial);
    let teams = s.teams.len();
    let debt0: Vec<f64> = s
        .teams
        .iter()
        .map(|t| t.debt_initial.sample(&mut rng))
        .collect();
    let interest: Vec<f64> = (0..teams)
        .map(|_| s.debt.interest.sample(&mut rng))
        .collect();
    let accrual: Vec<f64> = (0..teams)
        .map(|_| s.debt.accrual.sample(&mut rng))
        .collect();
    let efficiency: Vec<f64> = (0..teams)
        .map(|_| s.debt.paydown_efficiency.sample(&mut rng))
        .collect();
    let base: Vec<f64> = (0..teams)
        .map(|_| s.incidents.base_rate.sample(&mut rng))
        .collect();
    let work: Vec<f64> = s
        .initiatives
        .iter()
        .map(|i| {
            let growth = i.scope_growth.as_ref().map_or(0.0, |g| g.sample(&mut rng));
            i.effort.sample(&mut rng) * (1.0 + growth)
        })
        .collect();
    let order = s.priority_order();
    let (mut final_debt, mut product_total) = (0.0, 0.0);
    for strategy in &s.strategies {
        let share = match strategy.rule {
            Rule::FixedShare { tech_share } => tech_share,
            Rule::DebtCeiling { below, .. } => below,
            Rule::Optimised {
                min_tech_share,
                max_tech_share,
                ..
            } => (min_tech_share + max_tech_share) / 2.0,
        };
        let mut debt = debt0.clone();
        let mut remaining = work.clone();
        let mut done = vec![0usize; work.len()];
        for t in 1..=s.periods {
            for (j, team) in s.teams.iter().enumerate() {
                let Workforce::Engineers(staff) = &team.workforce else {
                    continue;
                };
                let availability = staff.availability.sample(&mut rng).clamp(0.0, 1.0);
                let nominal = staff.engineers * staff.days_per_engineer * availability;
                let capacity = nominal * (1.0 - s.debt.drag(debt[j]));
                let lambda = base[j] * (1.0 + s.incidents.debt_sensitivity * debt[j]);
                let incidents = poisson_quantile(rng.random::<f64>(), lambda);
                let unplanned: f64 = (0..incidents)
                    .map(|_| s.incidents.cost.sample(&mut rng))
                    .sum();
                let planned = (capacity - unplanned).max(0.0);
                let mut budgets = [(1.0 - share) * planned, share * planned];
                let mut product_days = 0.0;
                for (slot, kind) in [Kind::Product, Kind::Tech].into_iter().enumerate() {
                    for &i in &order {
                        let init = &s.initiatives[i];
                        if init.team != j || init.kind != kind || done[i] > 0 {
                            continue;
                        }
                        if !init.after.iter().all(|&d| done[d] > 0 && done[d] < t) {
                            continue;
                        }
                        let cap = init.max_engineers.map_or(f64::INFINITY, |m| {
                            m * staff.days_per_engineer * availability
                        });
                        let take = remaining[i].min(cap).min(budgets[slot]);
                        remaining[i] -= take;
                        budgets[slot] -= take;
                        if slot == 0 {
                            product_days += take;
                        }
                        if remaining[i] <= 1e-9 {
                            done[i] = t;
                        }
                    }
                    if slot == 0 {
                        budgets[1] += budgets[0];
                    }
                }
                let owed = debt[j] * (1.0 + interest[j]) + accrual[j] * product_days;
                let paydown = budgets[1].min(owed / efficiency[j].max(1e-9));
                debt[j] = (owed - efficiency[j] * paydown).max(0.0);
                product_total += product_days;
            }
        }
        final_debt += debt.iter().sum::<f64>();
    }
    (final_debt, product_total)
}
