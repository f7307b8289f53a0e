//! Walk-forward backtests of throughput forecasts, as a judge of forecasting methods: each
//! method walks forward through the same history ([`walk`]), forecasting at every origin from
//! the periods before it, and is scored on the same origins: how often each percentile came
//! true against how often it said it would (with an exact binomial test), the quantile score
//! of its statements (the pinball loss, a proper scoring rule: Gneiting & Raftery 2007,
//! "Strictly proper scoring rules, prediction, and estimation", JASA 102; its mean over
//! levels approximates the CRPS) and the error of its median. No I/O.

use super::walk::{self, Origin, Stated, WalkSettings};
use super::{self as fc, ForecastError};
use crate::model::PeriodLength;
use crate::model::throughput::Method;

pub use crate::simulate::forecast::walk::Question;

/// Significance of the calibration test: a percentile right so much more or less often than
/// claimed that chance would do it less than 5% of the time is called a miss.
pub const SIGNIFICANCE: f64 = 0.05;
/// Independent checks below which a percentile that passes the test gets "few checks", not
/// "calibrated": passing then says little.
pub const FEW_CHECKS: f64 = 5.0;

/// How to backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Length of one period of the history.
    pub period: PeriodLength,
    /// Periods in a year, on the history's calendar.
    pub per_year: f64,
    /// "When will the next `backlog` items be done?"
    pub backlog: f64,
    /// "How many items in the next `horizon` periods?"
    pub horizon: usize,
    /// Periods of history each forecast uses: the last `window` before the origin (`None`: as
    /// the method chooses — all of it for `iid`).
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
    /// The methods judged, in the order given (the first is the one charted).
    pub methods: Vec<Method>,
}

impl Settings {
    fn walk(&self, method: Method) -> WalkSettings {
        WalkSettings {
            method,
            period: self.period,
            per_year: self.per_year,
            backlog: self.backlog,
            horizon: Some(self.horizon),
            window: self.window,
            percentiles: self.percentiles.clone(),
            first: self.min_history,
            step: self.step,
            trials: self.trials,
            seed: self.seed,
        }
    }
}

/// How often one percentile of one question was right.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// Which question's forecasts.
    pub question: Question,
    /// The percentile checked, one of [`Settings::percentiles`].
    pub percentile: f64,
    /// Statements of the question at this percentile whose outcome is known.
    pub forecasts: usize,
    /// Of those, how many came true.
    pub hits: usize,
    /// The chance the forecasts claimed: the percentile for a corrected method; for `iid` the
    /// mean chance its statements had (at least the percentile: answers come in whole steps).
    pub claimed: f64,
    /// `hits / forecasts`.
    pub observed: f64,
    /// Independent checks: forecasts × min(1, step ÷ the span each outcome covers), since
    /// neighbouring forecasts share most of their future.
    pub effective: f64,
    /// Binomial standard error of `observed` if the claim were right, on `effective` checks.
    pub standard_error: f64,
    /// Exact two-sided binomial p-value of `observed` against `claimed` on `effective`
    /// checks: small when the gap is too large to be chance.
    pub p_value: f64,
}

impl Calibration {
    /// `too optimistic` or `too cautious` when the exact binomial test rejects the claim at
    /// [`SIGNIFICANCE`] — however few the checks, so that a large miss is called one —;
    /// `few checks` when it does not but fewer than [`FEW_CHECKS`] independent checks say
    /// little; else `calibrated`.
    pub fn verdict(&self) -> &'static str {
        if self.p_value < SIGNIFICANCE {
            if self.observed < self.claimed {
                "too optimistic"
            } else {
                "too cautious"
            }
        } else if self.effective < FEW_CHECKS {
            "few checks"
        } else {
            "calibrated"
        }
    }
}

/// The accuracy of one method's statements about one question, on the origins every method
/// could be scored on.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// Which question.
    pub question: Question,
    /// Forecasts scored: those whose truth is known, at origins every method forecast.
    pub forecasts: usize,
    /// Mean quantile (pinball) loss of the statements, over percentiles and forecasts, in the
    /// question's unit: lower is better.
    pub quantile_score: f64,
    /// Mean of actual − median (periods for `when`, items for `how_many`): positive means
    /// reality was slower (`when`) or delivered more (`how_many`).
    pub mean_error: f64,
    /// Mean of |actual − median|, in the same unit.
    pub mean_absolute_error: f64,
}

/// One method's backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct MethodBacktest {
    /// The method.
    pub method: Method,
    /// Every forecast from the first origin on, in origin order.
    pub origins: Vec<Origin>,
    /// Per question (`when` first) and percentile, how often its statements were right.
    pub calibration: Vec<Calibration>,
    /// Per question (`when` first), the accuracy of its statements.
    pub scores: Vec<Score>,
    /// Origins skipped because the history the method used had finished nothing.
    pub skipped: usize,
}

impl MethodBacktest {
    /// `calibrated` when no percentile of either question is called a miss, else whether it
    /// over-promises (some percentile too optimistic) or is too cautious.
    pub fn verdict(&self) -> &'static str {
        let verdicts: Vec<&str> = self.calibration.iter().map(Calibration::verdict).collect();
        if verdicts.contains(&"too optimistic") {
            "over-promises"
        } else if verdicts.contains(&"too cautious") {
            "too cautious"
        } else if verdicts.iter().all(|v| *v == "few checks") {
            "few checks"
        } else {
            "calibrated"
        }
    }

    /// Quantile score relative to `reference`'s, averaged (geometrically) over the questions
    /// both scored, so that periods and items can be averaged; `None` without a common one.
    fn relative_score(&self, reference: &MethodBacktest) -> Option<f64> {
        let logs: Vec<f64> = self
            .scores
            .iter()
            .filter_map(|s| {
                let r = reference.scores.iter().find(|r| r.question == s.question)?;
                (s.quantile_score > 0.0 && r.quantile_score > 0.0)
                    .then(|| (s.quantile_score / r.quantile_score).ln())
            })
            .collect();
        (!logs.is_empty()).then(|| (logs.iter().sum::<f64>() / logs.len() as f64).exp())
    }

    /// The largest gap between observed and claimed over the percentiles.
    pub fn worst_gap(&self) -> f64 {
        self.calibration
            .iter()
            .map(|c| (c.observed - c.claimed).abs())
            .fold(0.0, f64::max)
    }
}

/// A whole backtest: every method on the same history and origins.
#[derive(Clone, Debug, PartialEq)]
pub struct Backtest {
    /// Per method, in [`Settings::methods`] order.
    pub methods: Vec<MethodBacktest>,
}

impl Backtest {
    /// The method to use on this history: of those whose percentiles the checks do not reject
    /// (verdict `calibrated` or `few checks`), the one with the best quantile score, a proper
    /// scoring rule that rewards calibration and sharpness together (Gneiting & Raftery
    /// 2007); when every method is rejected, the one whose percentiles stray least from their
    /// claims. `None` when no method has a quantile score to rank by.
    pub fn best(&self) -> Option<&MethodBacktest> {
        let reference = self.methods.first()?;
        let trusted: Vec<&MethodBacktest> = self
            .methods
            .iter()
            .filter(|m| matches!(m.verdict(), "calibrated" | "few checks"))
            .collect();
        if trusted.is_empty() {
            return self
                .methods
                .iter()
                .min_by(|a, b| a.worst_gap().total_cmp(&b.worst_gap()));
        }
        let scored: Vec<(&MethodBacktest, f64)> = trusted
            .into_iter()
            .filter_map(|m| Some((m, m.relative_score(reference)?)))
            .collect();
        scored
            .into_iter()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(m, _)| m)
    }

    /// Forecasts of the first method (the one charted).
    pub fn checks(&self) -> usize {
        self.methods.first().map_or(0, |m| m.origins.len())
    }
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
    /// No method was given.
    #[error("--method needs at least one method")]
    NoMethod,
}

/// Walks every method forward through `history`, forecasting at every `step`-th origin from
/// `min_history` on. Runs on the ambient rayon pool; `progress` hears each origin done (of
/// every method in turn).
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
    if settings.methods.is_empty() {
        return Err(BacktestError::NoMethod);
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
    let mut walks = Vec::new();
    let mut done = 0;
    for &method in &settings.methods {
        let before = done;
        let w = walk::walk(history, &settings.walk(method), &|d| {
            progress(before + d);
        })?;
        done += history.len();
        walks.push((method, w));
    }
    let common = common_origins(&walks);
    let methods = walks
        .into_iter()
        .map(|(method, w)| MethodBacktest {
            method,
            calibration: calibrate(&w.origins, settings, method),
            scores: scores(&w.origins, &common, settings),
            skipped: w.skipped,
            origins: w.origins,
        })
        .collect();
    Ok(Backtest { methods })
}

/// Origins every method forecast at.
fn common_origins(walks: &[(Method, walk::Walk)]) -> Vec<usize> {
    let Some((_, first)) = walks.first() else {
        return Vec::new();
    };
    first
        .origins
        .iter()
        .map(|o| o.origin)
        .filter(|o| {
            walks
                .iter()
                .all(|(_, w)| w.origins.iter().any(|x| x.origin == *o))
        })
        .collect()
}

/// The statements of `question` at every origin.
fn stated(origins: &[Origin], question: Question) -> impl Iterator<Item = (usize, &Stated)> {
    origins.iter().filter_map(move |o| match question {
        Question::When => Some((o.origin, &o.when)),
        Question::HowMany => o.how_many.as_ref().map(|s| (o.origin, s)),
    })
}

fn calibrate(origins: &[Origin], settings: &Settings, method: Method) -> Vec<Calibration> {
    let mut out = Vec::new();
    for question in Question::ALL {
        // The span each outcome covers: the horizon, or the median time to do the backlog.
        let span = match question {
            Question::HowMany => settings.horizon as f64,
            Question::When => {
                let medians: Vec<f64> = stated(origins, question)
                    .filter_map(|(_, s)| s.median)
                    .collect();
                (medians.iter().sum::<f64>() / medians.len().max(1) as f64).max(1.0)
            }
        };
        let independence = (settings.step as f64 / span).min(1.0);
        for (k, &q) in settings.percentiles.iter().enumerate() {
            let known: Vec<(bool, f64)> = stated(origins, question)
                .filter_map(|(_, s)| {
                    let st = s.statements.get(k)?.as_ref()?;
                    Some((st.hit?, st.chance))
                })
                .collect();
            if known.is_empty() {
                continue;
            }
            let hits = known.iter().filter(|(hit, _)| *hit).count();
            let claimed = match method {
                Method::Calibrated => q,
                Method::Iid => known.iter().map(|(_, c)| c).sum::<f64>() / known.len() as f64,
            };
            out.push(calibration(
                question,
                q,
                known.len(),
                hits,
                claimed,
                independence,
            ));
        }
    }
    out
}

/// How often `hits` of `forecasts` statements of `question` at `percentile` came true against
/// the chance they `claimed`, tested on `forecasts × independence` independent checks (at
/// least one): the one test every backtest's coverage goes through.
pub fn calibration(
    question: Question,
    percentile: f64,
    forecasts: usize,
    hits: usize,
    claimed: f64,
    independence: f64,
) -> Calibration {
    let effective = (forecasts as f64 * independence).max(1.0);
    let observed = hits as f64 / forecasts as f64;
    Calibration {
        question,
        percentile,
        forecasts,
        hits,
        claimed,
        observed,
        effective,
        standard_error: (claimed * (1.0 - claimed) / effective).sqrt(),
        p_value: binomial_p_value(observed, claimed, effective),
    }
}

/// The exact two-sided binomial p-value of a rate `observed` on `n` checks (rounded to whole
/// checks, at least one) against a claim of `claimed`: the chance of an outcome no more likely
/// than the one seen (the "minimum likelihood" two-sided test of R's `binom.test`).
pub fn binomial_p_value(observed: f64, claimed: f64, n: f64) -> f64 {
    let n = (n.round() as u64).max(1);
    let x = (observed * n as f64).round() as u64;
    if claimed <= 0.0 || claimed >= 1.0 {
        let certain = if claimed >= 1.0 { n } else { 0 };
        return if x == certain { 1.0 } else { 0.0 };
    }
    let (lp, lq) = (claimed.ln(), (1.0 - claimed).ln());
    // ln C(n, k) built up term by term: exact enough for the few thousand checks of a history.
    let mut ln_choose = 0.0;
    let mut ln_pmf = Vec::with_capacity(n as usize + 1);
    for k in 0..=n {
        if k > 0 {
            ln_choose += ((n - k + 1) as f64).ln() - (k as f64).ln();
        }
        ln_pmf.push(ln_choose + k as f64 * lp + (n - k) as f64 * lq);
    }
    let seen = ln_pmf[x as usize];
    // A relative tolerance keeps outcomes exactly as likely as the one seen on its side.
    let p: f64 = ln_pmf
        .iter()
        .filter(|&&l| l <= seen + 1e-7)
        .map(|l| l.exp())
        .sum();
    p.min(1.0)
}

/// The quantile (pinball) loss of a statement `value` at probability level `tau` when the
/// truth was `actual`.
pub fn pinball(actual: f64, value: f64, tau: f64) -> f64 {
    let u = actual - value;
    if u >= 0.0 { tau * u } else { (tau - 1.0) * u }
}

fn scores(origins: &[Origin], common: &[usize], settings: &Settings) -> Vec<Score> {
    let mut out = Vec::new();
    for question in Question::ALL {
        let (mut losses, mut errors) = (Vec::new(), Vec::new());
        for (origin, s) in stated(origins, question) {
            let Some(actual) = s.actual else { continue };
            if common.binary_search(&origin).is_err() {
                continue;
            }
            let per: Vec<f64> = settings
                .percentiles
                .iter()
                .zip(&s.statements)
                .filter_map(|(&q, st)| {
                    let st = st.as_ref()?;
                    // "Done within t" is the q-quantile of periods; "at least N" the
                    // (1 − q)-quantile of items.
                    let tau = match question {
                        Question::When => q,
                        Question::HowMany => 1.0 - q,
                    };
                    Some(pinball(actual, st.value, tau))
                })
                .collect();
            if per.len() == settings.percentiles.len() {
                losses.push(per.iter().sum::<f64>() / per.len() as f64);
                if let Some(m) = s.median {
                    errors.push(actual - m);
                }
            }
        }
        if losses.is_empty() {
            continue;
        }
        let n = losses.len() as f64;
        let e = errors.len().max(1) as f64;
        out.push(Score {
            question,
            forecasts: losses.len(),
            quantile_score: losses.iter().sum::<f64>() / n,
            mean_error: errors.iter().sum::<f64>() / e,
            mean_absolute_error: errors.iter().map(|x| x.abs()).sum::<f64>() / e,
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
            per_year: 26.0,
            backlog: 10.0,
            horizon: 2,
            window: None,
            min_history: 3,
            step: 1,
            percentiles: vec![0.5, 0.85],
            trials: 500,
            seed: 1,
            methods: vec![Method::Iid],
        }
    }

    #[test]
    fn a_constant_history_is_always_exactly_right() {
        for method in Method::ALL {
            let s = Settings {
                methods: vec![method],
                ..settings()
            };
            let b = run(&[5.0; 12], &s, &|_| {}).unwrap();
            let m = &b.methods[0];
            assert!(!m.origins.is_empty());
            for o in &m.origins {
                let when: Vec<f64> = o
                    .when
                    .statements
                    .iter()
                    .flatten()
                    .map(|s| s.value)
                    .collect();
                assert_eq!(when, vec![2.0, 2.0], "{method}");
                // Asked only where the history reaches past the horizon.
                assert_eq!(o.how_many.is_some(), o.origin + 2 <= 12);
                if let Some(many) = &o.how_many {
                    let items: Vec<f64> =
                        many.statements.iter().flatten().map(|s| s.value).collect();
                    assert_eq!((many.actual, items), (Some(10.0), vec![10.0, 10.0]));
                }
            }
            assert!(m.calibration.iter().all(|c| c.observed == 1.0), "{method}");
            assert!(m.scores.iter().all(|s| s.mean_absolute_error == 0.0));
        }
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
        assert_eq!(b.methods[0].skipped, 2);
    }

    #[test]
    fn the_binomial_test_calls_a_large_miss_a_miss_even_with_few_checks() {
        // 38% right where 97% was claimed, on three independent checks: P(at most 1 of 3)
        // = 3 · 0.97 · 0.03² + 0.03³ ≈ 0.0026.
        let p = binomial_p_value(0.38, 0.97, 3.0);
        assert!((p - 0.002_646).abs() < 1e-5, "{p}");
        // R: binom.test(80, 100, 0.85)$p.value = 0.1616
        assert!((binomial_p_value(0.8, 0.85, 100.0) - 0.1616).abs() < 5e-4);
        assert_eq!(binomial_p_value(1.0, 1.0, 10.0), 1.0);
        let c = calibration(Question::HowMany, 0.85, 8, 3, 0.97, 3.0 / 8.0);
        assert_eq!(c.verdict(), "too optimistic");
        let few = calibration(Question::HowMany, 0.85, 8, 7, 0.85, 0.25);
        assert_eq!(few.verdict(), "few checks");
    }

    #[test]
    fn the_pinball_loss_weighs_each_side_by_its_level() {
        assert_eq!(pinball(10.0, 8.0, 0.85), 0.85 * 2.0);
        assert!((pinball(6.0, 8.0, 0.85) - 0.15 * 2.0).abs() < 1e-12);
    }

    fn judged(method: Method, p_value: f64, observed: f64, scores: [f64; 2]) -> MethodBacktest {
        let calibration = Calibration {
            question: Question::HowMany,
            percentile: 0.85,
            forecasts: 13,
            hits: 13,
            claimed: 0.85,
            observed,
            effective: 3.0,
            standard_error: 0.2,
            p_value,
        };
        let score = |question, quantile_score| Score {
            question,
            forecasts: 13,
            quantile_score,
            mean_error: 0.0,
            mean_absolute_error: 0.0,
        };
        MethodBacktest {
            method,
            origins: Vec::new(),
            calibration: vec![calibration],
            scores: vec![
                score(Question::When, scores[0]),
                score(Question::HowMany, scores[1]),
            ],
            skipped: 0,
        }
    }

    #[test]
    fn the_best_method_is_the_sharpest_one_the_checks_do_not_reject() {
        // Both unrejected on few checks: the lower quantile score wins, in both units at once.
        let few = Backtest {
            methods: vec![
                judged(Method::Calibrated, 1.0, 1.0, [0.08, 0.52]),
                judged(Method::Iid, 1.0, 0.87, [0.14, 0.73]),
            ],
        };
        assert_eq!(few.best().unwrap().method, Method::Calibrated);
        // A sharper method the checks reject loses to a blunter one they do not.
        let rejected = Backtest {
            methods: vec![
                judged(Method::Calibrated, 0.001, 0.5, [0.08, 0.52]),
                judged(Method::Iid, 0.5, 0.8, [0.14, 0.73]),
            ],
        };
        assert_eq!(rejected.best().unwrap().method, Method::Iid);
        // Every method rejected: the one that strays least from its claims.
        let both = Backtest {
            methods: vec![
                judged(Method::Calibrated, 0.001, 0.5, [0.08, 0.52]),
                judged(Method::Iid, 0.001, 0.7, [0.14, 0.73]),
            ],
        };
        assert_eq!(both.best().unwrap().method, Method::Iid);
    }
}
