//! Calibration: the debt, drag and incident model fitted to a team's own history
//! (`fulcrum calibrate`). The forward model is fulcrum's own trial ([`forward`]), with the
//! history's tech share replayed as the policy; the parameters kept are those under which the
//! simulated past looks like the real one.
//!
//! **Why ABC-SMC and not synthetic likelihood.** The trial is cheap (one team, a hundred
//! periods: microseconds), its summaries are far from Gaussian where they matter (a
//! keep-the-lights-on series of a few items is a scaled Poisson; throughput is clamped at
//! zero; drag saturates), and several parameters are weakly identified, so the posterior is
//! wide and curved. Synthetic likelihood (Wood 2010, Nature 466) assumes Gaussian summaries
//! and pays 50–200 simulations per MCMC step on a chain that mixes badly over such ridges;
//! ABC population Monte Carlo (Beaumont et al. 2009, Biometrika 96) with adaptive tolerances
//! (Del Moral, Doucet & Jasra 2012, Stat. Comput. 22) makes no Gaussian assumption, runs every
//! particle in parallel, and its populations map directly onto joint posterior draws. Its
//! price, a posterior slightly wider than the exact one at the final tolerance, errs on the
//! side of honest intervals, which the simulation-based calibration test measures (Talts et
//! al. 2018, arXiv:1804.06788).
//!
//! The drag at the end of the history depends on the debt path, which no history shows. ABC
//! draws it jointly with θ: each particle keeps the drag of the simulation accepted with it,
//! a draw of the path given summaries near the observed ones, which the simulation-based
//! calibration test ranks like a parameter. (A fresh simulation of each posterior θ would draw
//! the path again, unconditioned.)
//!
//! The modules: the prior and its sources ([`prior`]), the forward model ([`forward`]), the
//! summaries and distance ([`summaries`]), the sampler ([`smc`]) and what the result says
//! ([`check`]). No I/O: `report::calibrate` writes the result.

pub mod check;
pub mod forward;
pub mod prior;
pub mod smc;
pub mod summaries;
pub mod walk;

#[cfg(test)]
mod sbc;
#[cfg(test)]
mod walk_check;

use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

use crate::pipeline::Estimate;
use crate::simulate::Scratch;
use crate::simulate::rng::Stream;

use check::{Confounded, Narrowing, PredictiveCheck};
use forward::{Replay, Series, simulate, simulation_seed};
use prior::{PARAMETERS, Prior, PriorScale, Theta};
use smc::{Generation, Settings};

/// Fewer periods than this are refused: the summaries need trends and quarters.
pub const MIN_PERIODS: usize = 16;

/// More periods than this in one team's history are refused (a daily history of eight years).
pub const MAX_PERIODS: usize = 2_000;

/// Nanoseconds of one simulated period with its summaries, on one core: scrum-2-projects P0,
/// 617k simulations of 279 periods in 26 s of CPU; the 104 teams of public-jira-sample.csv,
/// 3.2e9 simulated periods in 401 s of CPU (127 ns) while other builds shared the cores.
const SIMULATED_PERIOD_NS: f64 = 150.0;

/// Bytes a calibration holds per period of history, over [`BASE_BYTES`]: the 104 teams of
/// public-jira-sample.csv (20,062 periods) peaked at 129 MB.
const PERIOD_BYTES: f64 = 6_000.0;

/// Bytes of the process itself and the exports read.
const BASE_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

/// The stage of the posterior predictive simulations in [`simulation_seed`].
const PREDICTIVE_STAGE: u64 = 1 << 20;

/// One team's observed history.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    /// The team's name.
    pub team: String,
    /// Its series, per period of its window.
    pub series: Series,
    /// Periods in a year (52 for weekly periods): how far [`Ahead`] looks.
    pub periods_per_year: usize,
    /// Each period's capacity relative to the last period's, from a headcount table (empty
    /// without one: the same capacity throughout). `throughput` is then the last period's.
    pub capacity: Vec<f64>,
}

/// The share of capacity lost to debt a year after the history, under the split it ended on.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Ahead {
    /// Periods looked ahead (a year).
    pub periods: usize,
    /// The tech share replayed over them: that of the history's last quarter.
    pub tech_share: f64,
    /// The posterior predictive 5th, 50th and 95th percentiles of the drag in the last of
    /// them.
    pub drag: [f64; 3],
}

/// Why a history cannot be calibrated.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CalibrateError {
    /// Too short a history.
    #[error(
        "team `{team}` has {periods} period(s) of history; calibration needs at least {MIN_PERIODS} (use a shorter --period, or a longer export)"
    )]
    TooShort {
        /// The team.
        team: String,
        /// Its periods.
        periods: usize,
    },
    /// Too long a history.
    #[error(
        "team `{team}` has {periods} periods of history; calibration takes at most {MAX_PERIODS} (use --window or a longer --period)"
    )]
    TooLong {
        /// The team.
        team: String,
        /// Its periods.
        periods: usize,
    },
    /// No work at all.
    #[error("team `{0}` finished no product or tech work in its window: there is nothing to fit")]
    NoWork(String),
}

/// The up-front cost of calibrating `teams` on `threads` threads: an upper bound, every team
/// running the sampler's whole budget. Most stop well before it (the 104 teams of
/// public-jira-sample.csv ran 24% of it on average, from 0.2% to 61% each), and how soon cannot
/// be told before the sampler runs.
pub fn estimate(teams: &[&Observed], settings: &Settings, threads: usize) -> Estimate {
    let periods: f64 = teams.iter().map(|t| t.series.periods() as f64).sum();
    let simulated = periods * settings.most_simulations() as f64;
    Estimate {
        plan_seconds: 0.0,
        simulate_seconds: simulated * SIMULATED_PERIOD_NS * 1e-9 / threads.max(1) as f64,
        memory_bytes: BASE_BYTES + periods * PERIOD_BYTES,
        program_variables: 0,
    }
}

/// Refuses, before any work, histories that cannot be calibrated.
pub fn refuse(teams: &[Observed]) -> Result<(), CalibrateError> {
    for t in teams {
        let periods = t.series.periods();
        if periods < MIN_PERIODS {
            return Err(CalibrateError::TooShort {
                team: t.team.clone(),
                periods,
            });
        }
        if periods > MAX_PERIODS {
            return Err(CalibrateError::TooLong {
                team: t.team.clone(),
                periods,
            });
        }
        let planned: f64 = t.series.product.iter().chain(&t.series.tech).sum();
        if planned <= 0.0 {
            return Err(CalibrateError::NoWork(t.team.clone()));
        }
    }
    Ok(())
}

/// One team's calibration.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// The team.
    pub team: String,
    /// The observed series.
    pub observed: Series,
    /// The tech share replayed per period.
    pub shares: Vec<f64>,
    /// Each period's capacity relative to the last period's (a headcount table's; empty
    /// without one).
    pub capacity: Vec<f64>,
    /// The prior used.
    pub prior: Prior,
    /// Each generation of the sampler.
    pub generations: Vec<Generation>,
    /// Each parameter of [`PARAMETERS`]: prior against posterior.
    pub parameters: Vec<Narrowing>,
    /// Share of capacity lost to debt at the start and at the end of the history.
    pub drag: [Narrowing; 2],
    /// The same a year after the history, under the split it ended on.
    pub ahead: Ahead,
    /// Pairs of parameters the history cannot tell apart.
    pub confounded: Vec<Confounded>,
    /// The posterior predictive check.
    pub check: PredictiveCheck,
    /// Equally weighted joint posterior draws (systematic resampling of the last population).
    pub draws: Vec<Theta>,
    /// Each draw's drag at the end of the history: that of the simulation accepted with it.
    pub final_drags: Vec<f64>,
    /// Simulations run, in all.
    pub simulations: u64,
}

/// The prior of one team's history: the default prior on its scale, with the marginals of
/// `replaced` (natural coordinate, marginal; a `--priors` file's) in place of the default's.
pub fn prior_of(
    observed: &Observed,
    replaced: &[(String, prior::Marginal)],
) -> Result<Prior, String> {
    let series = &observed.series;
    let n = series.periods() as f64;
    // Work per period at the last period's headcount: each period's total over its relative
    // capacity (periods without engineers say nothing of it).
    let per_capacity: Vec<f64> = series
        .total()
        .iter()
        .enumerate()
        .filter_map(|(t, &x)| match observed.capacity.get(t) {
            Some(&c) if c <= 0.0 => None,
            Some(&c) => Some(x / c),
            None => Some(x),
        })
        .collect();
    let scale = PriorScale {
        total: per_capacity.iter().sum::<f64>() / (per_capacity.len() as f64).max(1.0),
        ktlo: series.ktlo.iter().sum::<f64>() / n,
    };
    let mut prior = Prior::default_on(scale);
    for (name, m) in replaced {
        prior.replace(name, *m)?;
    }
    Ok(prior)
}

/// Calibrates one team's history under `prior`; `progress` hears the simulations run so far
/// (at most [`Settings::most_simulations`]).
pub fn calibrate_with(
    observed: &Observed,
    prior: &Prior,
    settings: &Settings,
    progress: &(dyn Fn(u64) + Sync),
) -> Calibration {
    let series = &observed.series;
    let replay = Replay {
        shares: series.tech_shares(),
        incidents: !series.incidents.is_empty(),
        capacity: observed.capacity.clone(),
    };
    let sampled = smc::sample(prior, series, &replay, settings, progress);
    let post = &sampled.posterior;
    let prior_thetas: Vec<Theta> = sampled.prior.z.iter().map(|z| prior.theta(z)).collect();
    let post_thetas: Vec<Theta> = post.z.iter().map(|z| prior.theta(z)).collect();
    let equal = vec![1.0 / prior_thetas.len() as f64; prior_thetas.len()];
    let column =
        |thetas: &[Theta], k: usize| -> Vec<f64> { thetas.iter().map(|t| t.values()[k]).collect() };
    let parameters = PARAMETERS
        .iter()
        .enumerate()
        .map(|(k, name)| {
            check::narrowing(
                name,
                check::interval(&column(&prior_thetas, k), &equal),
                check::interval(&column(&post_thetas, k), &post.weights),
            )
        })
        .collect();
    let columns: Vec<(&str, Vec<f64>)> = PARAMETERS
        .iter()
        .enumerate()
        .map(|(k, name)| (*name, column(&post_thetas, k)))
        .collect();
    let confounded = check::confounded(&columns, &post.weights);
    let picked = resample(&post.weights, settings.seed);
    let draws: Vec<Theta> = picked.iter().map(|&j| post_thetas[j]).collect();
    let final_drags: Vec<f64> = picked.iter().map(|&j| post.final_drags[j]).collect();
    let n = series.periods();
    let ahead_periods = observed.periods_per_year.max(1);
    let ahead_share = current_split(series, ahead_periods);
    // Each draw's history, then a year more under the split the history ended on (and the
    // headcount it ended with): the first n periods are the posterior predictive of the
    // history, the last one is a year ahead.
    let extended = Replay {
        shares: (0..n + ahead_periods)
            .map(|t| replay.shares.get(t).copied().unwrap_or(ahead_share))
            .collect(),
        incidents: replay.incidents,
        capacity: replay.capacity.clone(),
    };
    let simulated: Vec<(Series, Vec<f64>, f64)> = draws
        .par_iter()
        .enumerate()
        .map_init(Scratch::default, |scratch, (i, theta)| {
            let seed = simulation_seed(settings.seed, PREDICTIVE_STAGE, i as u64, 0);
            let sim = simulate(theta, &extended, seed, scratch);
            let history = sim.series.first(n);
            let s = summaries::summaries(&history, &replay.shares);
            (history, s, sim.final_drag())
        })
        .collect();
    let pairs: Vec<(Series, Vec<f64>)> = simulated
        .iter()
        .map(|s| (s.0.clone(), s.1.clone()))
        .collect();
    let check = check::predictive_check(series, &sampled.observed, &pairs);
    let drag_now = |t: &[Theta]| t.iter().map(Theta::drag_now).collect::<Vec<_>>();
    let equal_draws = vec![1.0 / draws.len() as f64; draws.len()];
    let year_drag: Vec<f64> = simulated.iter().map(|s| s.2).collect();
    let drag = [
        check::narrowing(
            "drag at the start",
            check::interval(&drag_now(&prior_thetas), &equal),
            check::interval(&drag_now(&post_thetas), &post.weights),
        ),
        check::narrowing(
            "drag at the end",
            check::interval(&sampled.prior.final_drags, &equal),
            check::interval(&post.final_drags, &post.weights),
        ),
    ];
    let ahead = Ahead {
        periods: ahead_periods,
        tech_share: ahead_share,
        drag: check::interval(&year_drag, &equal_draws),
    };
    let simulations = sampled
        .generations
        .iter()
        .map(|g| g.simulations)
        .sum::<u64>()
        + draws.len() as u64;
    Calibration {
        team: observed.team.clone(),
        observed: series.clone(),
        shares: replay.shares,
        capacity: replay.capacity,
        prior: prior.clone(),
        generations: sampled.generations,
        parameters,
        drag,
        ahead,
        confounded,
        check,
        draws,
        final_drags,
        simulations,
    }
}

/// The split a history ended on: the tech share of its last quarter of a year (`year`
/// periods), or of the whole history when that quarter planned no work.
pub fn current_split(series: &Series, year: usize) -> f64 {
    let n = series.periods();
    let from = n - (year / 4).clamp(1, n);
    let sum = |x: &[f64]| x[from..].iter().sum::<f64>();
    crate::model::history::tech_share(sum(&series.product), sum(&series.tech))
        .or_else(|| series.tech_shares().last().copied())
        .unwrap_or(0.0)
}

/// Systematic resampling of `weights` into as many equally weighted draws: the index each
/// draw takes.
fn resample(weights: &[f64], seed: u64) -> Vec<usize> {
    let n = weights.len();
    let mut rng = Stream::seed_from_u64(simulation_seed(seed, PREDICTIVE_STAGE, !0, !0));
    let start = rng.random::<f64>() / n as f64;
    let mut out = Vec::with_capacity(n);
    let (mut j, mut cumulative) = (0, weights.first().copied().unwrap_or(0.0));
    for k in 0..n {
        let u = start + k as f64 / n as f64;
        while cumulative < u && j + 1 < n {
            j += 1;
            cumulative += weights[j];
        }
        out.push(j);
    }
    out
}

/// Where the true value `truth` ranks among weighted `values`: the weight below it, plus the
/// share `tie` (in [0, 1]; drawn uniformly by the caller) of the weight equal to it, in [0, 1]
/// (uniform over replications when the posterior is calibrated; Talts et al. 2018). The tie
/// matters where values have an atom, such as a drag of 0 once the debt is paid off.
pub fn rank(values: &[f64], weights: &[f64], truth: f64, tie: f64) -> f64 {
    let (mut below, mut equal) = (0.0, 0.0);
    for (v, w) in values.iter().zip(weights) {
        if *v < truth {
            below += w;
        } else if *v == truth {
            equal += w;
        }
    }
    below + tie * equal
}
