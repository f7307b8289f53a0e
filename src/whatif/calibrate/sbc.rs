//! Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018,
//! arXiv:1804.06788) of the whole calibration: θ drawn from the prior, a history simulated by
//! fulcrum's own trial, calibrated; over the replications the rank of each true value among
//! the posterior draws is uniform, and 50% / 90% intervals cover 50% / 90% of true values.

use rand::SeedableRng;

use crate::simulate::Scratch;
use crate::simulate::rng::{Stream, mix};

use super::forward::{Replay, simulate, simulation_seed};
use super::prior::{PARAMETERS, Prior, PriorScale};
use super::smc::Settings;
use super::{Observed, calibrate_with, rank};

/// The ranks (in [0, 1]) of each parameter's true value, per replication.
pub fn ranks(replications: u64, periods: usize, settings: &Settings) -> Vec<[f64; 11]> {
    let prior = Prior::default_on(PriorScale {
        total: 20.0,
        ktlo: 3.0,
    });
    // A history whose split changed twice: 15% tech, then 35%, then 20%.
    let shares: Vec<f64> = (0..periods)
        .map(|t| match 3 * t / periods {
            0 => 0.15,
            1 => 0.35,
            _ => 0.2,
        })
        .collect();
    let replay = Replay {
        shares,
        incidents: false,
    };
    (0..replications)
        .map(|r| {
            let mut rng = Stream::seed_from_u64(mix(0x5BC ^ r));
            let z = prior.sample(&mut rng);
            let truth = prior.theta(&z);
            let seed = simulation_seed(0x5BC, r, 0, 0);
            let history = simulate(&truth, &replay, seed, &mut Scratch::default());
            let observed = Observed {
                team: "sbc".into(),
                series: history.series,
                periods_per_year: 26,
            };
            let mut settings = *settings;
            settings.seed = mix(r);
            let fit = calibrate_with(&observed, &prior, &settings);
            let equal = vec![1.0 / fit.draws.len() as f64; fit.draws.len()];
            let truth = truth.values();
            std::array::from_fn(|k| {
                let values: Vec<f64> = fit.draws.iter().map(|d| d.values()[k]).collect();
                rank(&values, &equal, truth[k])
            })
        })
        .collect()
}

/// Share of ranks inside the central interval of `level` (0.5, 0.9): its coverage.
pub fn coverage(ranks: &[f64], level: f64) -> f64 {
    let lo = (1.0 - level) / 2.0;
    let inside = ranks.iter().filter(|&&r| r >= lo && r <= 1.0 - lo).count();
    inside as f64 / ranks.len() as f64
}

/// Prints and checks coverage of `replications` replications.
fn check(replications: u64, periods: usize, settings: &Settings) {
    let ranks = ranks(replications, periods, settings);
    let sd90 = (0.9f64 * 0.1 / replications as f64).sqrt();
    let sd50 = (0.5f64 * 0.5 / replications as f64).sqrt();
    let mut pooled = Vec::new();
    for (k, name) in PARAMETERS.iter().enumerate() {
        let column: Vec<f64> = ranks.iter().map(|r| r[k]).collect();
        let (c50, c90) = (coverage(&column, 0.5), coverage(&column, 0.9));
        eprintln!("{name:>20}: 50% covers {c50:.3}, 90% covers {c90:.3}");
        // Each parameter's coverage within 3.5 Monte Carlo sd below nominal (11 parameters).
        assert!(c90 >= 0.9 - 3.5 * sd90, "{name}: 90% covers {c90}");
        assert!(c50 >= 0.5 - 3.5 * sd50, "{name}: 50% covers {c50}");
        pooled.extend(column);
    }
    let (c50, c90) = (coverage(&pooled, 0.5), coverage(&pooled, 0.9));
    eprintln!("pooled: 50% covers {c50:.3}, 90% covers {c90:.3} ({replications} replications)");
}

#[test]
fn posterior_intervals_cover_the_true_values() {
    let settings = Settings {
        particles: 200,
        max_generations: 8,
        quantile: 0.5,
        min_acceptance: 0.05,
        max_simulations: 20_000,
        seed: 0,
    };
    check(60, 52, &settings);
}

#[test]
#[ignore = "the large SBC: about ten minutes on two cores"]
fn posterior_intervals_cover_the_true_values_at_scale() {
    check(400, 78, &Settings::standard(0));
}
