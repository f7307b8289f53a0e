//! Walk-forward backtests of throughput forecasts: at each origin, forecast from the history
//! up to it (all of it, or a rolling window) with the forecast engine, then compare with what
//! happened next. Two questions: "when will the next B items be done?" (periods after the
//! origin) and "how many in the next H periods?". Calibration: how often each percentile was
//! right, against how often the forecasts said it would be. No I/O.

use crate::model::PeriodLength;
use crate::simulate::forecast::{self as fc, Forecast, ForecastError};

/// Independent checks below which a calibration gets no verdict.
pub const FEW_CHECKS: f64 = 5.0;

/// How to backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Length of one period of the history.
    pub period: PeriodLength,
    /// "When will the next `backlog` items be done?"
    pub backlog: f64,
    /// "How many items in the next `horizon` periods?"
    pub horizon: usize,
    /// Periods of history each forecast bootstraps: the last `window` before the origin
    /// (`None`: everything before it).
    pub window: Option<usize>,
    /// The first origin: forecasts need at least this many periods of history.
    pub min_history: usize,
    /// Periods between origins.
    pub step: usize,
    /// The probabilities checked, e.g. 0.5, 0.7, 0.85, 0.95.
    pub percentiles: Vec<f64>,
    /// Monte Carlo trials of each forecast.
    pub trials: u64,
    /// Master seed of every forecast (the same at every origin).
    pub seed: u64,
}

/// One forecast and what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// Forecast made at the end of this period of the history (1-based), from the periods
    /// before and including it.
    pub origin: usize,
    /// Periods of history the forecast used.
    pub history: usize,
    /// "When": per percentile, the forecast period (after the origin) by which the backlog is
    /// done, and the chance the forecast gave it; `None` when the history after the origin
    /// does not reach the latest of them (the outcome is not known).
    pub when: Option<When>,
    /// "How many": `None` when fewer than `horizon` periods follow the origin.
    pub how_many: Option<HowMany>,
}

/// A "when will it be done" forecast and the truth.
#[derive(Clone, Debug, PartialEq)]
pub struct When {
    /// Done by this many periods after the origin, per percentile.
    pub periods: Vec<usize>,
    /// P(done by `periods[k]`) as the forecast said (at least the percentile).
    pub chance: Vec<f64>,
    /// The median forecast: done by this many periods after the origin with 50% chance.
    pub p50: usize,
    /// Periods after the origin the backlog really took; `None`: not done within the history
    /// (every percentile then missed, since the history reaches past all of them).
    pub actual: Option<usize>,
}

/// A "how many by the horizon" forecast and the truth.
#[derive(Clone, Debug, PartialEq)]
pub struct HowMany {
    /// At least this many items, per percentile.
    pub at_least: Vec<f64>,
    /// P(at least `at_least[k]`) as the forecast said.
    pub chance: Vec<f64>,
    /// The median forecast of items done (lower edge of its bin).
    pub p50: f64,
    /// Items the history shows done in the `horizon` periods after the origin.
    pub actual: f64,
}

impl When {
    /// Whether percentile `k` was right: done by its period.
    pub fn hit(&self, k: usize) -> bool {
        self.actual.is_some_and(|a| a <= self.periods[k])
    }
}

impl HowMany {
    /// Whether percentile `k` was right: at least that many done.
    pub fn hit(&self, k: usize) -> bool {
        self.actual + 1e-9 >= self.at_least[k]
    }
}

/// The two questions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Question {
    /// "When will the next `backlog` items be done?" ([`When`]).
    When,
    /// "How many items in the next `horizon` periods?" ([`HowMany`]).
    HowMany,
}

impl Question {
    /// The unit of the question's answers: periods after the origin, or items done.
    pub fn unit(self) -> &'static str {
        match self {
            Question::When => "periods",
            Question::HowMany => "items",
        }
    }

    /// The word used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Question::When => "when",
            Question::HowMany => "how_many",
        }
    }
}

/// How often one percentile was right.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// Which question's forecasts.
    pub question: Question,
    /// The percentile checked, one of [`Settings::percentiles`].
    pub percentile: f64,
    /// Forecasts of the question whose outcome is known.
    pub forecasts: usize,
    /// Of those, how many were right at this percentile ([`When::hit`], [`HowMany::hit`]).
    pub hits: usize,
    /// Mean chance the forecasts gave (≥ the percentile: whole periods and items are steps).
    pub claimed: f64,
    /// `hits / forecasts`.
    pub observed: f64,
    /// Binomial standard error of `observed` if the forecasts were right about themselves,
    /// on the effective number of independent checks (overlapping outcomes count less).
    pub standard_error: f64,
    /// Independent checks: forecasts × min(1, step ÷ the span each outcome covers).
    pub effective: f64,
}

impl Calibration {
    /// `calibrated` when observed is within 2 standard errors of claimed; `too optimistic`
    /// when right less often; `too cautious` when more often; `too few checks` with fewer
    /// than [`FEW_CHECKS`] independent checks, where the normal approximation misleads.
    pub fn verdict(&self) -> &'static str {
        let gap = self.observed - self.claimed;
        if self.effective < FEW_CHECKS {
            "too few checks"
        } else if gap.abs() <= 2.0 * self.standard_error {
            "calibrated"
        } else if gap < 0.0 {
            "too optimistic"
        } else {
            "too cautious"
        }
    }
}

/// The error of the median forecast.
#[derive(Clone, Debug, PartialEq)]
pub struct MedianError {
    /// Which question's forecasts.
    pub question: Question,
    /// Forecasts averaged: for `when`, only those whose backlog was done within the history.
    pub forecasts: usize,
    /// Mean of actual − P50 (periods for `when`, items for `how_many`): positive means
    /// reality was slower (`when`) or delivered more (`how_many`).
    pub mean: f64,
    /// Mean of |actual − P50|, in the same unit.
    pub mean_absolute: f64,
}

/// A whole backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct Backtest {
    /// Every forecast with at least one outcome known, in origin order.
    pub checks: Vec<Check>,
    /// Per question (`when` first) and percentile, how often the forecasts were right.
    pub calibration: Vec<Calibration>,
    /// The median forecast's error per question (`when` first), for questions with outcomes.
    pub errors: Vec<MedianError>,
    /// Origins skipped because their history could not forecast (all zero).
    pub skipped: usize,
}

/// Why a backtest cannot run.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum BacktestError {
    /// The history has fewer than `min_history + horizon` periods.
    #[error(
        "the history has {periods} periods: a backtest needs at least {need} (--min-history {min} for the first forecast, plus --horizon {horizon} to compare with); give a longer history or smaller --min-history/--horizon"
    )]
    TooShort {
        /// Periods in the history.
        periods: usize,
        /// `min + horizon`.
        need: usize,
        /// [`Settings::min_history`].
        min: usize,
        /// [`Settings::horizon`].
        horizon: usize,
    },
    /// No forecast can be made: the whole history is empty, has a count that is negative or
    /// not finite, or finished nothing; or the backlog or horizon is out of range.
    #[error("{0}")]
    Forecast(#[from] ForecastError),
    /// The horizon, step or minimum history (this option's name) is 0.
    #[error("--{0} must be at least 1")]
    Zero(&'static str),
}

/// Walks forward through `history`, forecasting at every `step`-th origin from
/// `min_history` on. Runs on the ambient rayon pool; `progress` hears each origin done.
pub fn run(
    history: &[f64],
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Backtest, BacktestError> {
    for (name, v) in [
        ("horizon", settings.horizon),
        ("step", settings.step),
        ("min-history", settings.min_history),
    ] {
        if v == 0 {
            return Err(BacktestError::Zero(name));
        }
    }
    fc::check_history(history)?;
    let need = settings.min_history + settings.horizon;
    if history.len() < need {
        return Err(BacktestError::TooShort {
            periods: history.len(),
            need,
            min: settings.min_history,
            horizon: settings.horizon,
        });
    }
    let mut checks = Vec::new();
    let mut skipped = 0;
    let origins: Vec<usize> = (settings.min_history..history.len())
        .step_by(settings.step)
        .collect();
    for (done, &origin) in origins.iter().enumerate() {
        let from = settings.window.map_or(0, |w| origin.saturating_sub(w));
        let past = &history[from..origin];
        let check = check_at(history, past, origin, settings)?;
        progress(done + 1);
        match check {
            None => skipped += 1,
            Some(c) if c.when.is_some() || c.how_many.is_some() => checks.push(c),
            Some(_) => {}
        }
    }
    let calibration = calibrate(&checks, settings);
    let errors = median_errors(&checks);
    Ok(Backtest {
        checks,
        calibration,
        errors,
        skipped,
    })
}

/// The forecast at `origin` from `past`, with the truth after it; `None` when `past` cannot
/// forecast (it finished nothing).
fn check_at(
    history: &[f64],
    past: &[f64],
    origin: usize,
    settings: &Settings,
) -> Result<Option<Check>, BacktestError> {
    let mut forecast =
        match Forecast::from_history(past, settings.backlog, None, None, settings.period) {
            Ok(f) => f,
            Err(ForecastError::AllZero(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
    forecast.percentiles = settings.percentiles.clone();
    let results = fc::run(&forecast, settings.trials, settings.seed, &|_| {});
    let future = &history[origin..];
    let when = (|| {
        let periods: Vec<usize> = settings
            .percentiles
            .iter()
            .map(|&q| results.percentile(q))
            .collect::<Option<_>>()?;
        // Only origins whose future reaches every percentile's period: which origins count
        // must not depend on how fast the work turned out.
        if periods.iter().copied().max().unwrap_or(0) > future.len() {
            return None;
        }
        let mut sum = 0.0;
        let actual = future.iter().position(|&x| {
            sum += x;
            sum + 1e-9 >= settings.backlog
        });
        Some(When {
            chance: periods.iter().map(|&t| results.p_done_by(t)).collect(),
            periods,
            p50: results.percentile(0.5)?,
            actual: actual.map(|a| a + 1),
        })
    })();
    // "How many" on a backlog no trial can finish within the horizon, so that neither the
    // forecast nor the truth is capped by the "when" question's backlog.
    let most = past.iter().copied().fold(0.0, f64::max);
    let endless = most * settings.horizon as f64 + 1.0;
    let how_many = if future.len() >= settings.horizon {
        let mut f =
            Forecast::from_history(past, endless, None, Some(settings.horizon), settings.period)?;
        f.percentiles = settings.percentiles.clone();
        let r = fc::run(&f, settings.trials, settings.seed, &|_| {});
        r.at_horizon.map(|(_, _, items)| HowMany {
            at_least: items.at_least,
            chance: items.at_least_chance,
            p50: items.quantiles[3],
            actual: future[..settings.horizon].iter().sum(),
        })
    } else {
        None
    };
    Ok(Some(Check {
        origin,
        history: past.len(),
        when,
        how_many,
    }))
}

fn calibrate(checks: &[Check], settings: &Settings) -> Vec<Calibration> {
    let mut out = Vec::new();
    let when: Vec<&When> = checks.iter().filter_map(|c| c.when.as_ref()).collect();
    let many: Vec<&HowMany> = checks.iter().filter_map(|c| c.how_many.as_ref()).collect();
    let mean_span = if when.is_empty() {
        1.0
    } else {
        when.iter().map(|w| w.p50 as f64).sum::<f64>() / when.len() as f64
    };
    for (k, &q) in settings.percentiles.iter().enumerate() {
        if !when.is_empty() {
            let hits = when.iter().filter(|w| w.hit(k)).count();
            let claimed = when.iter().map(|w| w.chance[k]).sum::<f64>() / when.len() as f64;
            out.push(calibration(
                Question::When,
                q,
                when.len(),
                hits,
                claimed,
                settings.step as f64 / mean_span,
            ));
        }
        if !many.is_empty() {
            let hits = many.iter().filter(|m| m.hit(k)).count();
            let claimed = many.iter().map(|m| m.chance[k]).sum::<f64>() / many.len() as f64;
            out.push(calibration(
                Question::HowMany,
                q,
                many.len(),
                hits,
                claimed,
                settings.step as f64 / settings.horizon as f64,
            ));
        }
    }
    out.sort_by_key(|c| c.question == Question::HowMany);
    out
}

fn calibration(
    question: Question,
    percentile: f64,
    forecasts: usize,
    hits: usize,
    claimed: f64,
    independence: f64,
) -> Calibration {
    let effective = (forecasts as f64 * independence.min(1.0)).max(1.0);
    Calibration {
        question,
        percentile,
        forecasts,
        hits,
        claimed,
        observed: hits as f64 / forecasts as f64,
        standard_error: (claimed * (1.0 - claimed) / effective).sqrt(),
        effective,
    }
}

fn median_errors(checks: &[Check]) -> Vec<MedianError> {
    let mut out = Vec::new();
    // A backlog never done within the history has no error in periods to average.
    let when: Vec<f64> = checks
        .iter()
        .filter_map(|c| c.when.as_ref())
        .filter_map(|w| w.actual.map(|a| a as f64 - w.p50 as f64))
        .collect();
    let many: Vec<f64> = checks
        .iter()
        .filter_map(|c| c.how_many.as_ref())
        .map(|m| m.actual - m.p50)
        .collect();
    for (question, errors) in [(Question::When, when), (Question::HowMany, many)] {
        if errors.is_empty() {
            continue;
        }
        let n = errors.len() as f64;
        out.push(MedianError {
            question,
            forecasts: errors.len(),
            mean: errors.iter().sum::<f64>() / n,
            mean_absolute: errors.iter().map(|e| e.abs()).sum::<f64>() / n,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            period: PeriodLength::TWO_WEEKS,
            backlog: 10.0,
            horizon: 2,
            window: None,
            min_history: 3,
            step: 1,
            percentiles: vec![0.5, 0.85],
            trials: 500,
            seed: 1,
        }
    }

    #[test]
    fn a_constant_history_is_always_exactly_right() {
        let b = run(&[5.0; 12], &settings(), &|_| {}).unwrap();
        assert!(!b.checks.is_empty());
        for c in &b.checks {
            let w = c.when.as_ref().unwrap();
            assert_eq!((w.periods.clone(), w.actual), (vec![2, 2], Some(2)));
            let m = c.how_many.as_ref().unwrap();
            assert_eq!((m.actual, m.at_least.clone()), (10.0, vec![10.0, 10.0]));
        }
        assert!(
            b.calibration
                .iter()
                .all(|c| c.observed == 1.0 && c.claimed == 1.0)
        );
        assert!(b.errors.iter().all(|e| e.mean_absolute == 0.0));
    }

    #[test]
    fn short_histories_and_zero_settings_are_refused() {
        let e = run(&[5.0; 4], &settings(), &|_| {}).unwrap_err();
        assert!(matches!(e, BacktestError::TooShort { need: 5, .. }), "{e}");
        let zero = Settings {
            step: 0,
            ..settings()
        };
        assert_eq!(
            run(&[5.0; 12], &zero, &|_| {}),
            Err(BacktestError::Zero("step"))
        );
        // Origins whose past finished nothing are skipped, not failed.
        let mut h = vec![0.0; 4];
        h.extend([5.0; 8]);
        let b = run(&h, &settings(), &|_| {}).unwrap();
        assert_eq!(b.skipped, 2);
    }
}
