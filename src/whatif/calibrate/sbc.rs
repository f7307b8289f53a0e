//! Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018,
//! arXiv:1804.06788) of the whole calibration: θ drawn from the prior, a history simulated by
//! fulcrum's own trial, calibrated; over the replications the rank of each true value among
//! the posterior draws is uniform, and 50% / 90% intervals cover 50% / 90% of true values.
//! Besides the parameters, the drag at the end of the history: a quantity of the unobserved
//! debt path, whose true value is the simulated history's own.

use rand::{RngExt, SeedableRng};

use crate::simulate::Scratch;
use crate::simulate::rng::{Stream, mix, normal_quantile};

use super::forward::{Replay, simulate, simulation_seed};
use super::prior::{PARAMETERS, Prior, PriorScale};
use super::smc::Settings;
use super::{Observed, calibrate_with, rank};

/// What is ranked: the parameters, then the drag at the end of the history.
const QUANTITIES: usize = PARAMETERS.len() + 1;

/// The name of quantity `k` of [`ranks`].
fn quantity(k: usize) -> &'static str {
    PARAMETERS.get(k).copied().unwrap_or("drag at the end")
}

/// The prior the replications draw θ from (on a scale of 20 items a period, 3 of them
/// keep-the-lights-on) and the split their histories replay: `periods` whose tech share
/// changed twice, 15%, then 35%, then 20% (also the whole-model backtest's check).
pub(super) fn prior_and_split(periods: usize) -> (Prior, Replay) {
    let prior = Prior::default_on(PriorScale {
        total: 20.0,
        ktlo: 3.0,
    });
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
        capacity: Vec::new(),
    };
    (prior, replay)
}

/// The ranks (in [0, 1]) of each quantity's true value, per replication.
pub fn ranks(replications: u64, periods: usize, settings: &Settings) -> Vec<[f64; QUANTITIES]> {
    let (prior, replay) = prior_and_split(periods);
    (0..replications)
        .map(|r| {
            let mut rng = Stream::seed_from_u64(mix(0x5BC ^ r));
            let z = prior.sample(&mut rng);
            let truth = prior.theta(&z);
            let seed = simulation_seed(0x5BC, r, 0, 0);
            let history = simulate(&truth, &replay, seed, &mut Scratch::default());
            let true_drag = history.final_drag();
            let observed = Observed {
                team: "sbc".into(),
                series: history.series,
                periods_per_year: 26,
                capacity: Vec::new(),
            };
            let mut settings = *settings;
            settings.seed = mix(r);
            let fit = calibrate_with(&observed, &prior, &settings, &|_| {});
            let equal = vec![1.0 / fit.draws.len() as f64; fit.draws.len()];
            let truth = truth.values();
            std::array::from_fn(|k| {
                let tie = rng.random::<f64>();
                match truth.get(k) {
                    Some(&t) => {
                        let values: Vec<f64> = fit.draws.iter().map(|d| d.values()[k]).collect();
                        rank(&values, &equal, t, tie)
                    }
                    None => rank(&fit.final_drags, &equal, true_drag, tie),
                }
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

/// Pearson's chi-square statistic of `ranks` in `bins` equal bins against the uniform.
pub fn chi_square(ranks: &[f64], bins: usize) -> f64 {
    let mut counts = vec![0usize; bins];
    for r in ranks {
        counts[((r * bins as f64) as usize).min(bins - 1)] += 1;
    }
    let expected = ranks.len() as f64 / bins as f64;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

/// The upper `1 − alpha` quantile of a chi-square with `df` degrees of freedom, by the
/// Wilson–Hilferty cube-root normal approximation (within 1% of the tables for df ≥ 3 in
/// the upper tail): df · (1 − 2/(9 df) + z √(2/(9 df)))³.
pub fn chi_square_critical(df: f64, alpha: f64) -> f64 {
    let z = normal_quantile(1.0 - alpha);
    let v = 2.0 / (9.0 * df);
    df * (1.0 - v + z * v.sqrt()).powi(3)
}

/// Replications, rank bins and the family-wise false-alarm rate of [`check`].
const REPLICATIONS: u64 = 120;
const BINS: usize = 10;
const FAMILY_ALPHA: f64 = 0.01;

/// Checks, over `replications` replications of `periods` periods, that every quantity's
/// ranks are uniform and its 50% and 90% intervals cover 50% and 90% of the true values.
///
/// Tolerances: under a calibrated posterior the number of replications whose true value
/// lies inside a level-q interval is Binomial(R, q), so its share has the Monte Carlo sd
/// √(q(1 − q)/R) (0.046 at q = 0.5 and 0.027 at q = 0.9 for R = 120). Each quantity gets
/// three tests (50% coverage, 90% coverage, chi-square of its ranks in 10 bins), 36 in all;
/// to keep the chance that any of them fails by Monte Carlo error alone under 1%, each runs
/// at α = 0.01 / 36 (Bonferroni): coverage within z = Φ⁻¹(1 − α/2) ≈ 3.6 sd either side of
/// nominal (two-sided: too wide a posterior is as miscalibrated as too narrow), and the
/// chi-square (9 degrees of freedom, 12 expected per bin) under its 1 − α quantile ≈ 31.
/// Replications are not independent across quantities (one history informs all twelve),
/// which Bonferroni tolerates.
fn check(replications: u64, periods: usize, settings: &Settings) {
    let ranks = ranks(replications, periods, settings);
    let tests = 3.0 * QUANTITIES as f64;
    let alpha = FAMILY_ALPHA / tests;
    let z = normal_quantile(1.0 - alpha / 2.0);
    let critical = chi_square_critical((BINS - 1) as f64, alpha);
    let r = replications as f64;
    let mut failures = Vec::new();
    let mut pooled = Vec::new();
    for k in 0..QUANTITIES {
        let name = quantity(k);
        let column: Vec<f64> = ranks.iter().map(|r| r[k]).collect();
        let chi = chi_square(&column, BINS);
        eprint!("{name:>20}: chi-square {chi:5.1} (critical {critical:.1})");
        for level in [0.5, 0.9] {
            let c = coverage(&column, level);
            let sd = (level * (1.0 - level) / r).sqrt();
            eprint!(", {:.0}% covers {c:.3} (± {:.3})", 100.0 * level, z * sd);
            if (c - level).abs() > z * sd {
                failures.push(format!("{name}: {level} interval covers {c:.3}"));
            }
        }
        eprintln!();
        if chi > critical {
            failures.push(format!("{name}: ranks not uniform, chi-square {chi:.1}"));
        }
        pooled.extend(column);
    }
    let (c50, c90) = (coverage(&pooled, 0.5), coverage(&pooled, 0.9));
    eprintln!("pooled: 50% covers {c50:.3}, 90% covers {c90:.3} ({replications} replications)");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn wilson_hilferty_matches_the_chi_square_tables() {
    // Tables: χ²₉ at 0.95 is 16.919, at 0.999 is 27.877; χ²₄ at 0.99 is 13.277.
    for (df, alpha, table) in [
        (9.0, 0.05, 16.919),
        (9.0, 0.001, 27.877),
        (4.0, 0.01, 13.277),
    ] {
        let c = chi_square_critical(df, alpha);
        assert!((c / table - 1.0).abs() < 0.01, "{df} {alpha}: {c}");
    }
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
    check(REPLICATIONS, 52, &settings);
}

#[test]
#[ignore = "the large SBC: about ten minutes on two cores"]
fn posterior_intervals_cover_the_true_values_at_scale() {
    check(400, 78, &Settings::standard(0));
}
