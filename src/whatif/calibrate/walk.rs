//! The whole model's walk-forward backtest: at every origin k, the model is calibrated on
//! periods 1..k ([`calibrate_with`] on [`Series::first`]) and forecasts periods k+1..k+h from
//! its posterior predictive — each joint posterior draw's history replayed through k with the
//! tech shares it had, then h periods more at the split it ended on ([`current_split`], as
//! [`super::Ahead`] looks a year ahead) — of the items finished per bucket (product, tech,
//! keep-the-lights-on), in all, and the keep-the-lights-on share of them.
//!
//! The yardstick is the throughput bootstrap of `fulcrum forecast` ([`Method::Calibrated`]
//! unless told otherwise) walked through each bucket's own series and the total
//! ([`walk::walk`], learning its correction at every period) and scored at the same origins.
//! Both are judged by the machinery of every backtest ([`backtest::calibration`]: coverage
//! of each percentile's "at least N" statement by an exact binomial test on the independent
//! checks; the quantile score, a proper scoring rule, Gneiting & Raftery 2007, JASA 102), and
//! the verdict says plainly when the debt model does not beat the bootstrap. No I/O.
//!
//! The posterior predictive starts each draw's simulated history at period 1, so the debt at
//! the origin is the model's, given θ and the shares replayed, not a filtered estimate of the
//! debt the team really had: the forecast is what the calibrated model itself says.

use rayon::prelude::*;

use crate::model::PeriodLength;
use crate::model::throughput::Method;
use crate::pipeline::Estimate;
use crate::simulate::Scratch;
use crate::simulate::forecast::ForecastError;
use crate::simulate::forecast::backtest::{Calibration, Score, pinball};
use crate::simulate::forecast::walk::{self, WalkSettings};

use super::forward::{Replay, Series, simulate, simulation_seed};
use super::smc::{self, weighted_quantile};
use super::{MIN_PERIODS, Observed, calibrate_with, current_split, estimate, prior_of};

mod judge;

use judge::{record, verdict};

/// The stage of the walk's predictive simulations in [`simulation_seed`]: apart from the
/// sampler's generations and a calibration's own predictive check.
const WALK_STAGE: u64 = 1 << 21;

/// A quantity forecast over the h periods after an origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// Product work finished.
    Product,
    /// Tech work finished.
    Tech,
    /// Keep-the-lights-on work finished.
    Ktlo,
    /// All work finished.
    Total,
    /// Keep-the-lights-on work ÷ all work.
    KtloShare,
}

impl Quantity {
    /// Every quantity, in the order outputs list them.
    pub const ALL: [Quantity; 5] = [
        Quantity::Product,
        Quantity::Tech,
        Quantity::Ktlo,
        Quantity::Total,
        Quantity::KtloShare,
    ];

    /// The name in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Quantity::Product => "product",
            Quantity::Tech => "tech",
            Quantity::Ktlo => "ktlo",
            Quantity::Total => "total",
            Quantity::KtloShare => "ktlo_share",
        }
    }

    /// The name in sentences.
    pub fn words(self) -> &'static str {
        match self {
            Quantity::Product => "product work",
            Quantity::Tech => "tech work",
            Quantity::Ktlo => "keep-the-lights-on work",
            Quantity::Total => "all work",
            Quantity::KtloShare => "keep-the-lights-on share",
        }
    }

    /// The series a bootstrap resamples for it: the bucket's or the total (`None` for the
    /// share, which no throughput bootstrap forecasts).
    fn series(self, s: &Series) -> Option<Vec<f64>> {
        match self {
            Quantity::Product => Some(s.product.clone()),
            Quantity::Tech => Some(s.tech.clone()),
            Quantity::Ktlo => Some(s.ktlo.clone()),
            Quantity::Total => Some(s.total()),
            Quantity::KtloShare => None,
        }
    }

    /// Its value over periods `from..to` of `s` (`None`: a share of nothing).
    fn over(self, s: &Series, from: usize, to: usize) -> Option<f64> {
        let sum = |x: &[f64]| x[from..to].iter().sum::<f64>();
        let (p, q, k) = (sum(&s.product), sum(&s.tech), sum(&s.ktlo));
        match self {
            Quantity::Product => Some(p),
            Quantity::Tech => Some(q),
            Quantity::Ktlo => Some(k),
            Quantity::Total => Some(p + q + k),
            Quantity::KtloShare => (p + q + k > 0.0).then(|| k / (p + q + k)),
        }
    }
}

/// Who made a forecast: the calibrated debt model or a throughput bootstrap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forecaster {
    /// The debt model, calibrated at each origin.
    Model,
    /// A throughput bootstrap of the quantity's own series.
    Bootstrap(Method),
}

impl Forecaster {
    /// The name in files: `model`, `calibrated` or `iid`.
    pub fn as_str(self) -> &'static str {
        match self {
            Forecaster::Model => "model",
            Forecaster::Bootstrap(m) => m.as_str(),
        }
    }
}

/// How the whole model is backtested.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Periods forecast after each origin.
    pub horizon: usize,
    /// The first origin: periods of history the first calibration sees.
    pub min_history: usize,
    /// Periods between the model's origins (each one a calibration).
    pub step: usize,
    /// The probabilities of the "at least N" statements checked, e.g. 0.5, 0.85.
    pub percentiles: Vec<f64>,
    /// The sampler of each origin's calibration (its seed is the walk's master seed).
    pub sampler: smc::Settings,
    /// The bootstraps judged beside the model (the first is the yardstick of the verdicts).
    pub bootstraps: Vec<Method>,
    /// Length of one period.
    pub period: PeriodLength,
    /// Periods in a year, on the history's calendar.
    pub per_year: f64,
    /// Periods a bootstrap resamples before each origin (`None`: as the method chooses).
    pub window: Option<usize>,
    /// Monte Carlo trials of each bootstrap forecast.
    pub trials: u64,
    /// Marginals replacing the default prior's at every origin (a `--priors` file's,
    /// checked: see [`super::prior_of`]).
    pub priors: Vec<(String, super::prior::Marginal)>,
}

/// Simulations a walk's calibration may run per particle: half of `calibrate`'s budget
/// (1,500 per particle), since the walk calibrates once per origin.
const SIMULATIONS_PER_PARTICLE: u64 = 750;

/// The sampler of each origin's calibration: `calibrate`'s, with `particles` particles and
/// half its budget per particle.
pub fn sampler(particles: usize, seed: u64) -> smc::Settings {
    smc::Settings {
        particles,
        max_simulations: SIMULATIONS_PER_PARTICLE * particles as u64,
        ..smc::Settings::standard(seed)
    }
}

/// The "at least N" statements of one forecaster about one quantity at one origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// Origin: forecast from periods 1..=origin.
    pub origin: usize,
    /// What.
    pub quantity: Quantity,
    /// Who.
    pub forecaster: Forecaster,
    /// Per percentile, N of "at least N with this chance".
    pub values: Vec<f64>,
    /// Per percentile, the chance the forecaster's own distribution gives "at least N".
    pub chances: Vec<f64>,
    /// The forecast's median.
    pub median: f64,
    /// What happened.
    pub actual: f64,
}

impl Forecast {
    /// Whether percentile `k`'s statement came true.
    pub fn hit(&self, k: usize) -> bool {
        self.actual + 1e-9 >= self.values[k]
    }

    /// Mean pinball loss of the statements ("at least N" with chance q is the (1 − q)
    /// quantile).
    fn loss(&self, percentiles: &[f64]) -> f64 {
        let sum: f64 = percentiles
            .iter()
            .zip(&self.values)
            .map(|(q, v)| pinball(self.actual, *v, 1.0 - q))
            .sum();
        sum / percentiles.len().max(1) as f64
    }
}

/// One forecaster's record on one quantity.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// What.
    pub quantity: Quantity,
    /// Who.
    pub forecaster: Forecaster,
    /// Per percentile: how often its statements came true.
    pub coverage: Vec<Calibration>,
    /// Its quantile score on the origins every forecaster of the quantity was scored on.
    pub score: Option<Score>,
}

impl Record {
    /// Whether the binomial test rejects any percentile's claim.
    pub fn rejected(&self) -> bool {
        self.coverage
            .iter()
            .any(|c| matches!(c.verdict(), "too optimistic" | "too cautious"))
    }
}

/// Whether the debt model beats the yardstick bootstrap on one quantity.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Verdict {
    /// What.
    pub quantity: Quantity,
    /// The bootstrap compared with (`None`: none forecasts this quantity).
    pub against: Option<String>,
    /// `true` only when the model's percentiles pass the test and its quantile score is lower
    /// by more than twice the standard error of the paired difference.
    pub beats: bool,
    /// Model's minus the bootstrap's quantile score, per origin, averaged.
    pub difference: Option<f64>,
    /// Standard error of `difference` on the independent checks.
    pub standard_error: Option<f64>,
    /// The verdict in one sentence.
    pub text: String,
}

/// A whole-model backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelBacktest {
    /// The model's origins.
    pub origins: Vec<usize>,
    /// Every forecast at those origins, by origin, quantity and forecaster.
    pub forecasts: Vec<Forecast>,
    /// Per quantity and forecaster.
    pub records: Vec<Record>,
    /// Per quantity.
    pub verdicts: Vec<Verdict>,
    /// Quantities left out, and why.
    pub omitted: Vec<(Quantity, String)>,
    /// Simulations the model's calibrations and forecasts ran.
    pub simulations: u64,
}

/// Why a whole-model backtest cannot run.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum WalkError {
    /// The first calibration would see too short a history.
    #[error(
        "--min-history {0}: the model's first calibration needs at least {MIN_PERIODS} periods of history"
    )]
    FirstTooShort(usize),
    /// The history has no origin with h periods after it.
    #[error(
        "team `{team}` has {periods} periods: the model's backtest needs at least {need} (--min-history {min} for the first calibration, plus --horizon {horizon} to compare with); give a longer export or smaller --min-history/--horizon"
    )]
    TooShort {
        /// The team.
        team: String,
        /// Its periods.
        periods: usize,
        /// `min + horizon`.
        need: usize,
        /// [`Settings::min_history`].
        min: usize,
        /// [`Settings::horizon`].
        horizon: usize,
    },
    /// A setting is 0.
    #[error("--{0} must be at least 1")]
    Zero(&'static str),
    /// The team's history finished no product or tech work.
    #[error("team `{0}` finished no product or tech work in its window: there is nothing to fit")]
    NoWork(String),
    /// By the headcount table, the team had no engineers in an origin's last period: the
    /// calibration there measures work per unit of that period's capacity.
    #[error(
        "team `{team}` has 0 engineers in period {period} by the headcount table, an origin of the walk (each origin's capacity is measured against its own headcount): start the walk later (--min-history {later}) or correct the table"
    )]
    NoEngineersAtOrigin {
        /// The team.
        team: String,
        /// The origin (the last period of the calibrated prefix), 1-based.
        period: usize,
        /// The smallest `--min-history` whose origins all have engineers.
        later: usize,
    },
    /// A `--priors` marginal the prior does not take.
    #[error("{0}")]
    Priors(String),
    /// A bootstrap could not forecast.
    #[error("{0}")]
    Forecast(#[from] ForecastError),
}

/// The model's origins: every `step` periods from `min_history` while `horizon` periods
/// follow.
pub fn origins(periods: usize, settings: &Settings) -> Vec<usize> {
    let last = periods.saturating_sub(settings.horizon);
    (settings.min_history..=last)
        .step_by(settings.step.max(1))
        .collect()
}

/// Refuses, before any work, what cannot be backtested.
pub fn refuse(observed: &Observed, settings: &Settings) -> Result<(), WalkError> {
    for (name, v) in [
        ("horizon", settings.horizon),
        ("step", settings.step),
        ("min-history", settings.min_history),
    ] {
        if v == 0 {
            return Err(WalkError::Zero(name));
        }
    }
    if settings.min_history < MIN_PERIODS {
        return Err(WalkError::FirstTooShort(settings.min_history));
    }
    let periods = observed.series.periods();
    let need = settings.min_history + settings.horizon;
    if periods < need {
        return Err(WalkError::TooShort {
            team: observed.team.clone(),
            periods,
            need,
            min: settings.min_history,
            horizon: settings.horizon,
        });
    }
    let s = observed.series.first(settings.min_history);
    if s.product.iter().chain(&s.tech).sum::<f64>() <= 0.0 {
        return Err(WalkError::NoWork(observed.team.clone()));
    }
    prior_of(observed, &settings.priors).map_err(WalkError::Priors)?;
    let staffed = |k: usize| observed.capacity.get(k - 1).is_none_or(|&c| c > 0.0);
    if let Some(&period) = origins(periods, settings).iter().find(|&&k| !staffed(k)) {
        // Every origin after the last unstaffed period an origin can be has engineers.
        let later = (1..=periods.saturating_sub(settings.horizon))
            .rev()
            .find(|&k| !staffed(k))
            .map_or(period, |k| k + 1);
        return Err(WalkError::NoEngineersAtOrigin {
            team: observed.team.clone(),
            period,
            later: later.max(settings.min_history),
        });
    }
    Ok(())
}

/// Steps of the progress the walk reports: the most simulations of every origin's
/// calibration and forecast, then one per bootstrap walk.
pub fn steps(observed: &Observed, settings: &Settings) -> u64 {
    let origins = origins(observed.series.periods(), settings).len() as u64;
    origins * per_origin(settings) + bootstrap_walks(settings)
}

fn per_origin(settings: &Settings) -> u64 {
    settings.sampler.most_simulations() + settings.sampler.particles as u64
}

fn bootstrap_walks(settings: &Settings) -> u64 {
    4 * settings.bootstraps.len() as u64
}

/// The up-front cost: every origin's calibration at the sampler's whole budget (as
/// [`estimate`] counts one), and the bootstrap walks (two questions, every period).
pub fn cost(observed: &Observed, settings: &Settings, threads: usize) -> Estimate {
    let n = observed.series.periods();
    let prefixes: Vec<Observed> = origins(n, settings)
        .into_iter()
        .map(|k| Observed {
            series: observed.series.first(k + settings.horizon),
            ..observed.clone()
        })
        .collect();
    let refs: Vec<&Observed> = prefixes.iter().collect();
    let mut e = estimate(&refs, &settings.sampler, threads);
    // The calibrations run one after another: memory is the longest one's.
    e.memory_bytes = refs.last().map_or(0.0, |last| {
        estimate(&[*last], &settings.sampler, threads).memory_bytes
    });
    let forecasts = bootstrap_walks(settings) * n as u64 * 2;
    let boot = Estimate::forecasting(
        forecasts.saturating_mul(settings.trials),
        settings.horizon.max(1) * 4,
        threads,
    );
    e.simulate_seconds += boot.simulate_seconds;
    e
}

/// Walks the model and the bootstraps forward through `observed`; `progress` hears the steps
/// done (of [`steps`]). Runs on the ambient rayon pool; the same history, settings and seed
/// give the same result on any thread count.
pub fn run(
    observed: &Observed,
    settings: &Settings,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ModelBacktest, WalkError> {
    refuse(observed, settings)?;
    let series = &observed.series;
    let origins = origins(series.periods(), settings);
    // A share of work the history never did is 0 whatever the model says: not a forecast.
    let none_of = |q: Quantity| {
        let q = if q == Quantity::KtloShare {
            Quantity::Ktlo
        } else {
            q
        };
        q.series(series)
            .is_some_and(|s| s.iter().all(|&x| x == 0.0))
    };
    let (all_zero, kept): (Vec<Quantity>, Vec<Quantity>) =
        Quantity::ALL.into_iter().partition(|&q| none_of(q));
    let mut omitted: Vec<(Quantity, String)> = all_zero
        .into_iter()
        .map(|q| (q, "the history finished none of it".to_string()))
        .collect();
    let mut forecasts = Vec::new();
    let mut simulations = 0;
    let each = per_origin(settings);
    for (i, &k) in origins.iter().enumerate() {
        let before = i as u64 * each;
        let (made, ran) = model_at(observed, k, settings, &kept, &|d| {
            progress(before + d.min(each))
        });
        simulations += ran;
        forecasts.extend(made);
        progress(before + each);
    }
    let mut done = origins.len() as u64 * each;
    for &method in &settings.bootstraps {
        for &q in &kept {
            let Some(history) = q.series(series) else {
                continue;
            };
            forecasts.extend(bootstrap(&history, q, method, &origins, settings)?);
            done += 1;
            progress(done);
        }
    }
    forecasts.sort_by_key(|f| {
        let q = Quantity::ALL.iter().position(|x| *x == f.quantity);
        let who = match f.forecaster {
            Forecaster::Model => 0,
            Forecaster::Bootstrap(m) => {
                1 + settings
                    .bootstraps
                    .iter()
                    .position(|b| *b == m)
                    .unwrap_or(0)
            }
        };
        (f.origin, q, who)
    });
    let mut records = Vec::new();
    let mut verdicts = Vec::new();
    let forecasters: Vec<Forecaster> = std::iter::once(Forecaster::Model)
        .chain(
            settings
                .bootstraps
                .iter()
                .map(|&m| Forecaster::Bootstrap(m)),
        )
        .collect();
    for &q in &kept {
        let of = |who: Forecaster| -> Vec<&Forecast> {
            forecasts
                .iter()
                .filter(|f| f.quantity == q && f.forecaster == who)
                .collect()
        };
        let present: Vec<(Forecaster, Vec<&Forecast>)> = forecasters
            .iter()
            .map(|&w| (w, of(w)))
            .filter(|(_, f)| !f.is_empty())
            .collect();
        if present.is_empty() {
            omitted.push((q, "no origin could forecast it".into()));
            continue;
        }
        let common: Vec<usize> = origins
            .iter()
            .copied()
            .filter(|o| {
                present
                    .iter()
                    .all(|(_, f)| f.iter().any(|x| x.origin == *o))
            })
            .collect();
        let quantity_records: Vec<Record> = present
            .iter()
            .map(|(w, f)| record(q, *w, f, &common, settings))
            .collect();
        verdicts.push(verdict(q, &present, &quantity_records, &common, settings));
        records.extend(quantity_records);
    }
    Ok(ModelBacktest {
        origins,
        forecasts,
        records,
        verdicts,
        omitted,
        simulations,
    })
}

/// The model's forecasts at origin `k` of the `kept` quantities, and the simulations run.
fn model_at(
    observed: &Observed,
    k: usize,
    settings: &Settings,
    kept: &[Quantity],
    progress: &(dyn Fn(u64) + Sync),
) -> (Vec<Forecast>, u64) {
    let h = settings.horizon;
    // With a headcount table, capacity relative to the origin's period (what the prefix's
    // `throughput` is), the known headcount of the periods forecast included.
    let relative = |to: usize| -> Vec<f64> {
        // `refuse` has turned away origins without engineers.
        match observed.capacity.get(k - 1) {
            Some(&at) if at > 0.0 => observed.capacity[..to.min(observed.capacity.len())]
                .iter()
                .map(|c| c / at)
                .collect(),
            _ => Vec::new(),
        }
    };
    let prefix = Observed {
        series: observed.series.first(k),
        capacity: relative(k),
        ..observed.clone()
    };
    let prior = prior_of(&prefix, &settings.priors).expect("`refuse` checked the priors");
    let fit = calibrate_with(&prefix, &prior, &settings.sampler, progress);
    let ahead = current_split(&prefix.series, prefix.periods_per_year.max(1));
    let mut shares = prefix.series.tech_shares();
    shares.extend(std::iter::repeat_n(ahead, h));
    let replay = Replay {
        shares,
        incidents: false,
        capacity: relative(k + h),
    };
    let seed = settings.sampler.seed;
    let simulated: Vec<Series> = fit
        .draws
        .par_iter()
        .enumerate()
        .map_init(Scratch::default, |scratch, (i, theta)| {
            let s = simulation_seed(seed, WALK_STAGE, k as u64, i as u64);
            simulate(theta, &replay, s, scratch).series
        })
        .collect();
    let made = kept
        .iter()
        .filter_map(|&q| {
            let actual = q.over(&observed.series, k, k + h)?;
            let draws: Vec<f64> = simulated
                .iter()
                .filter_map(|s| q.over(s, k, k + h))
                .collect();
            statements(q, k, &draws, actual, &settings.percentiles)
        })
        .collect();
    (made, fit.simulations + fit.draws.len() as u64)
}

/// "At least N" statements read off predictive `draws` (equal weights).
fn statements(
    quantity: Quantity,
    origin: usize,
    draws: &[f64],
    actual: f64,
    percentiles: &[f64],
) -> Option<Forecast> {
    if draws.is_empty() {
        return None;
    }
    let w = vec![1.0 / draws.len() as f64; draws.len()];
    let values: Vec<f64> = percentiles
        .iter()
        .map(|q| weighted_quantile(draws, &w, 1.0 - q))
        .collect();
    let chances = values
        .iter()
        .map(|v| draws.iter().filter(|&&x| x + 1e-9 >= *v).count() as f64 / draws.len() as f64)
        .collect();
    Some(Forecast {
        origin,
        quantity,
        forecaster: Forecaster::Model,
        values,
        chances,
        median: weighted_quantile(draws, &w, 0.5),
        actual,
    })
}

/// The bootstrap `method` walked through `history` (learning at every period), its "how many
/// in the next h periods" statements kept at the model's `origins`.
fn bootstrap(
    history: &[f64],
    quantity: Quantity,
    method: Method,
    origins: &[usize],
    settings: &Settings,
) -> Result<Vec<Forecast>, WalkError> {
    let mut sorted = history.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let walked = walk::walk(
        history,
        &WalkSettings {
            method,
            period: settings.period,
            per_year: settings.per_year,
            // The "when" question is asked too; only "how many" is compared.
            backlog: (median * settings.horizon as f64).round().max(1.0),
            horizon: Some(settings.horizon),
            window: settings.window,
            percentiles: settings.percentiles.clone(),
            first: settings.min_history,
            step: 1,
            trials: settings.trials,
            seed: settings.sampler.seed,
        },
        &|_| {},
    )?;
    Ok(walked
        .origins
        .iter()
        .filter(|o| origins.binary_search(&o.origin).is_ok())
        .filter_map(|o| {
            let s = o.how_many.as_ref()?;
            let st: Option<Vec<_>> = s.statements.iter().cloned().collect();
            let st = st?;
            Some(Forecast {
                origin: o.origin,
                quantity,
                forecaster: Forecaster::Bootstrap(method),
                values: st.iter().map(|x| x.value).collect(),
                chances: st.iter().map(|x| x.chance).collect(),
                median: s.median?,
                actual: s.actual?,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_read_at_least_n_off_the_draws() {
        let draws: Vec<f64> = (1..=100).map(f64::from).collect();
        let f = statements(Quantity::Total, 20, &draws, 12.0, &[0.5, 0.9]).unwrap();
        // "At least N with 90% chance" is the 10th percentile.
        assert!((f.values[1] - 10.0).abs() <= 1.0, "{:?}", f.values);
        assert!((f.values[0] - 50.0).abs() <= 1.0, "{:?}", f.values);
        assert!(f.hit(1) && !f.hit(0));
        assert!(f.chances[1] >= 0.9 && f.chances[1] <= 0.92);
    }

    #[test]
    fn the_share_of_nothing_is_not_stated() {
        let s = Series {
            product: vec![0.0, 2.0],
            tech: vec![0.0, 1.0],
            ktlo: vec![0.0, 1.0],
            incidents: Vec::new(),
        };
        assert_eq!(Quantity::KtloShare.over(&s, 0, 1), None);
        assert_eq!(Quantity::KtloShare.over(&s, 1, 2), Some(0.25));
        assert_eq!(Quantity::Total.over(&s, 0, 2), Some(4.0));
    }
}
