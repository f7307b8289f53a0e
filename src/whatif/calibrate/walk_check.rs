//! The whole-model backtest where the model is right: histories simulated by fulcrum's own
//! trial from θ drawn from the prior (as the simulation-based calibration draws them), walked
//! forward. There the debt model's posterior predictive is the true forecast distribution, so
//! its "at least N with 90% chance" statements must come true about 90% of the time.

use rand::SeedableRng;

use crate::model::PeriodLength;
use crate::simulate::Scratch;
use crate::simulate::rng::{Stream, mix};

use super::Observed;
use super::forward::{simulate, simulation_seed};
use super::smc;
use super::walk::{self, Forecaster, Quantity, Settings};

/// Histories walked, periods each, and the walk: origins every `STEP` ≥ horizon periods, so
/// that no two statements of a history share a future period.
const HISTORIES: u64 = 12;
const PERIODS: usize = 60;
const HORIZON: usize = 4;
const STEP: usize = 4;
const FIRST: usize = 24;

/// The 90% statements per quantity: (came true, made).
fn walk_histories() -> Vec<(Quantity, usize, usize)> {
    // θ drawn from the prior and a split that changed twice, as in the simulation-based
    // calibration.
    let (prior, replay) = super::sbc::prior_and_split(PERIODS);
    let mut tally: Vec<(Quantity, usize, usize)> =
        Quantity::ALL.iter().map(|&q| (q, 0, 0)).collect();
    for r in 0..HISTORIES {
        let mut rng = Stream::seed_from_u64(mix(0xB7 ^ r));
        let truth = prior.theta(&prior.sample(&mut rng));
        let seed = simulation_seed(0xB7, r, 0, 0);
        let history = simulate(&truth, &replay, seed, &mut Scratch::default()).series;
        let observed = Observed {
            team: format!("h{r}"),
            series: history,
            periods_per_year: 26,
            capacity: Vec::new(),
        };
        let settings = Settings {
            horizon: HORIZON,
            min_history: FIRST,
            step: STEP,
            percentiles: vec![0.5, 0.9],
            // The sampler the simulation-based calibration proves calibrated.
            sampler: smc::Settings {
                particles: 200,
                max_generations: 8,
                quantile: 0.5,
                min_acceptance: 0.05,
                max_simulations: 20_000,
                seed: mix(r),
            },
            bootstraps: Vec::new(),
            period: PeriodLength::TWO_WEEKS,
            per_year: 26.0,
            window: None,
            trials: 100,
            priors: Vec::new(),
        };
        let b = walk::run(&observed, &settings, &|_| {}).expect("a walk");
        for f in b
            .forecasts
            .iter()
            .filter(|f| f.forecaster == Forecaster::Model)
        {
            let t = tally.iter_mut().find(|t| t.0 == f.quantity).unwrap();
            t.1 += usize::from(f.hit(1));
            t.2 += 1;
        }
    }
    tally
}

/// Tolerance: the hits of n independent 90% statements are Binomial(n, 0.9) when the model is
/// right, sd √(0.9 · 0.1 / n) of the rate (0.029 for the 108 statements per quantity: 12 histories × 9
/// origins); each
/// quantity's rate must lie within 3 sd of 0.9 (a false alarm about 1 time in 370 per
/// quantity). Statements of one history share its posterior, so they are not quite
/// independent: the histories are many and short to keep that small.
#[test]
fn where_the_model_is_right_its_ninety_percent_statements_come_true_ninety_percent_of_the_time() {
    let tally = walk_histories();
    let mut failures = Vec::new();
    for (q, hits, n) in tally {
        assert!(n > 0, "{q:?}: no statements");
        let rate = hits as f64 / n as f64;
        let sd = (0.9 * 0.1 / n as f64).sqrt();
        eprintln!(
            "{:>10}: 90% statements right {rate:.3} of {n} (± {:.3})",
            q.as_str(),
            3.0 * sd
        );
        if (rate - 0.9).abs() > 3.0 * sd {
            failures.push(format!("{}: {rate:.3} of {n}", q.as_str()));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}
