//! A walk forward through a throughput history: at every origin, the forecast the method
//! would have made from the periods before it, each of its statements ("done within t
//! periods with 85% chance", "at least N items in the next H periods with 85% chance")
//! checked against what happened, and, for the calibrated method, the level each percentile
//! is read at corrected by the statements' own record.
//!
//! The correction is adaptive conformal inference (Gibbs & Candès 2021, "Adaptive conformal
//! inference under distribution shift", NeurIPS): each percentile q of each question keeps a
//! level ℓ, first q; a statement is the base forecast read at ℓ; when a statement's outcome
//! becomes known, ℓ ← ℓ + γ (miss − (1 − q)), so a miss raises the level (a more cautious
//! answer) and a hit lowers it a little. Whatever the history does, the share of statements
//! that come true stays within (1 + γ) / (γ T) of q after T of them (their Proposition 4.1);
//! in practice it tracks q closely on histories that drift and burst. A statement's outcome is
//! used only once it is known at the origin in question — `H` periods after a "how many",
//! `t` periods after "within t periods", whether or not the work was done sooner — so no
//! forecast uses anything after its own origin, and the timing of the feedback does not
//! depend on the outcome.
//!
//! The same walk is the backtest (its statements from the first checked origin on) and the
//! calibration of a forecast (its levels after the last period).

use crate::model::PeriodLength;
use crate::model::throughput::{Method, Throughput, idle_gap};

use super::super::trial::step::DONE_EPSILON;
use super::{Forecast, ForecastError, ForecastResults, check_history, run};

/// The step of the levels' correction: how much one statement's outcome moves its level.
pub const GAMMA: f64 = 0.05;
/// Levels are read within [`LOWEST_LEVEL`, 1 − `LOWEST_LEVEL`]: a level past either end asks for
/// an answer no finite number of trials gives (the correction keeps counting beyond it).
pub const LOWEST_LEVEL: f64 = 0.001;

/// The two questions a walk asks at every origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Question {
    /// "When will the next `backlog` items be done?": periods after the origin.
    When,
    /// "How many items in the next `horizon` periods?": items.
    HowMany,
}

impl Question {
    /// Both, in the order outputs list them.
    pub const ALL: [Question; 2] = [Question::When, Question::HowMany];

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

/// What a walk asks and how it forecasts.
#[derive(Clone, Debug, PartialEq)]
pub struct WalkSettings {
    /// How the history is resampled and whether the levels are corrected.
    pub method: Method,
    /// Length of one period of the history.
    pub period: PeriodLength,
    /// Periods in a year, on the history's calendar (the calibrated method's longest window).
    pub per_year: f64,
    /// "When will the next `backlog` items be done?"
    pub backlog: f64,
    /// "How many items in the next `horizon` periods?" (`None`: not asked).
    pub horizon: Option<usize>,
    /// Forecasts use only the last `window` periods before their origin (`None`: as the
    /// method chooses).
    pub window: Option<usize>,
    /// The probabilities stated, e.g. 0.5, 0.7, 0.85, 0.95.
    pub percentiles: Vec<f64>,
    /// The first origin whose statements are kept as checks (earlier ones only teach the
    /// levels).
    pub first: usize,
    /// Periods between origins.
    pub step: usize,
    /// Monte Carlo trials of each forecast.
    pub trials: u64,
    /// Master seed of every forecast (the same at every origin: common random numbers).
    pub seed: u64,
}

/// One statement of a forecast and what became of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// The answer: periods after the origin ("done within"), or items ("at least").
    pub value: f64,
    /// The level of the base forecast it was read at (the percentile itself unless corrected).
    pub level: f64,
    /// The chance the base forecast gave it: at least `level` (answers come in whole steps).
    pub chance: f64,
    /// Whether it came true; `None` while the history does not reach its outcome.
    pub hit: Option<bool>,
}

/// A forecast's statements about one question at one origin, per percentile.
#[derive(Clone, Debug, PartialEq)]
pub struct Stated {
    /// Per percentile; `None` where the forecast has no answer (not done within its cap).
    pub statements: Vec<Option<Statement>>,
    /// The truth: periods the backlog really took (`None`: not within the history), or items
    /// done in the horizon.
    pub actual: Option<f64>,
    /// The base forecast's median, for the error of the median forecast.
    pub median: Option<f64>,
}

/// One origin of the walk.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    /// Forecast made at the end of this period of the history (1-based): from the periods
    /// before and including it.
    pub origin: usize,
    /// Periods of history the forecast resampled (its window).
    pub used: usize,
    /// Consecutive periods resampled together.
    pub block: u32,
    /// "When": the statements and the truth.
    pub when: Stated,
    /// "How many" (when a horizon is asked and the history reaches past it).
    pub how_many: Option<Stated>,
}

/// The levels each question's percentiles are read at, and how many outcomes taught them.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Levels {
    /// Per percentile of "when".
    pub when: Vec<f64>,
    /// Per percentile of "how many" (the percentiles themselves when no horizon was asked).
    pub how_many: Vec<f64>,
    /// Outcomes that moved the "when" levels.
    pub when_outcomes: usize,
    /// Outcomes that moved the "how many" levels.
    pub how_many_outcomes: usize,
}

impl Levels {
    /// The uncorrected levels: each percentile read as itself.
    pub fn nominal(percentiles: &[f64]) -> Levels {
        Levels {
            when: percentiles.to_vec(),
            how_many: percentiles.to_vec(),
            when_outcomes: 0,
            how_many_outcomes: 0,
        }
    }

    /// The level percentile `k` (of `percentiles`, in the order the levels were learnt) of
    /// `question` is read at: on the calibration curve, so never below a lower percentile's.
    pub fn read(&self, question: Question, k: usize, percentiles: &[f64]) -> f64 {
        self.curve(question, percentiles).level(percentiles[k])
    }

    /// The calibration curve of `question`: which level of the base forecast each chance is
    /// read at.
    pub fn curve(&self, question: Question, percentiles: &[f64]) -> Curve {
        let levels = match question {
            Question::When => &self.when,
            Question::HowMany => &self.how_many,
        };
        Curve::through(percentiles, levels)
    }
}

/// A calibration curve: the base forecast's levels against the chances they stand for, from
/// (0, 0) through each percentile's learnt level to (1, 1), increasing, linear in between. A
/// calibrated forecast's chance of an outcome is the curve at the base forecast's chance of
/// it (Kuleshov, Fenner & Ermon 2018, "Accurate uncertainties for deep learning using
/// calibrated regression", ICML: recalibration by a monotone map of the forecast's CDF).
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// (level, chance) points, both increasing.
    points: Vec<(f64, f64)>,
}

impl Curve {
    /// The curve through `(levels[k], chances[k])`, levels made increasing (a later
    /// percentile never reads below an earlier one) and readable.
    pub fn through(chances: &[f64], levels: &[f64]) -> Curve {
        let mut pairs: Vec<(f64, f64)> = chances
            .iter()
            .zip(levels)
            .map(|(&q, &l)| (q, readable(l)))
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut points = vec![(0.0, 0.0)];
        let mut highest = 0.0_f64;
        for (q, l) in pairs {
            highest = highest.max(l);
            points.push((highest, q));
        }
        points.push((1.0, 1.0));
        Curve { points }
    }

    /// The level of the base forecast that chance `q` is read at.
    pub fn level(&self, q: f64) -> f64 {
        interpolate(&self.points, q, |p| (p.1, p.0))
    }

    /// The calibrated chance of an outcome the base forecast gives chance `p`.
    pub fn chance(&self, p: f64) -> f64 {
        interpolate(&self.points, p, |p| p)
    }
}

/// The y of `x` on the polyline through `points` (each mapped to (x, y) by `axes`), whose xs
/// increase: at a step (equal xs), the first point's y.
fn interpolate(points: &[(f64, f64)], x: f64, axes: impl Fn((f64, f64)) -> (f64, f64)) -> f64 {
    let xy: Vec<(f64, f64)> = points.iter().map(|&p| axes(p)).collect();
    for w in xy.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if x <= x1 {
            if x1 <= x0 {
                return y0;
            }
            return y0 + (y1 - y0) * ((x - x0) / (x1 - x0)).clamp(0.0, 1.0);
        }
    }
    xy.last().map_or(x, |p| p.1)
}

/// `level` within the range a finite number of trials can answer.
pub fn readable(level: f64) -> f64 {
    level.clamp(LOWEST_LEVEL, 1.0 - LOWEST_LEVEL)
}

/// A whole walk.
#[derive(Clone, Debug, PartialEq)]
pub struct Walk {
    /// Origins from [`WalkSettings::first`] on whose forecast could be made.
    pub origins: Vec<Origin>,
    /// Origins skipped because the history before them finished nothing.
    pub skipped: usize,
    /// The levels after the last period: what a forecast from the whole history is read at.
    pub levels: Levels,
}

/// A statement waiting for its outcome.
struct Pending {
    resolves_at: usize,
    question: Question,
    k: usize,
    hit: bool,
}

/// Walks forward through `history` (origins every `step` periods, from the first with enough
/// history to learn from), on the ambient rayon pool; `progress` hears each origin done.
pub fn walk(
    history: &[f64],
    settings: &WalkSettings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Walk, ForecastError> {
    check_history(history)?;
    let adapt = settings.method == Method::Calibrated;
    let step = settings.step.max(1);
    // The calibrated method learns from origins before the first checked one too.
    let warm = if adapt {
        settings.first.min(idle_gap(settings.per_year).max(4))
    } else {
        settings.first
    };
    // Origins every `step` periods, aligned on the first checked one.
    let start = settings.first - (settings.first - warm.max(1).min(settings.first)) / step * step;
    let origins: Vec<usize> = (start.max(1)..history.len()).step_by(step).collect();
    let mut levels = Levels::nominal(&settings.percentiles);
    let mut pending: Vec<Pending> = Vec::new();
    let mut out = Walk {
        origins: Vec::new(),
        skipped: 0,
        levels: levels.clone(),
    };
    for (done, &origin) in origins.iter().enumerate() {
        if adapt {
            learn(&mut levels, &mut pending, origin, &settings.percentiles);
        }
        if origin < settings.first && !checkable(history, origin, settings) {
            // Learning only, and nothing it could state is checked: it would teach nothing.
            progress(done + 1);
            continue;
        }
        let made = forecast_at(history, origin, settings, &levels)?;
        progress(done + 1);
        let Some(made) = made else {
            if origin >= settings.first {
                out.skipped += 1;
            }
            continue;
        };
        for (question, stated) in [
            (Question::When, Some(&made.when)),
            (Question::HowMany, made.how_many.as_ref()),
        ] {
            let Some(stated) = stated else { continue };
            for (k, statement) in stated.statements.iter().enumerate() {
                let Some(s) = statement else { continue };
                let wait = match question {
                    Question::When => s.value as usize,
                    Question::HowMany => settings.horizon.unwrap_or(0),
                };
                if let Some(hit) = s.hit {
                    pending.push(Pending {
                        resolves_at: origin + wait,
                        question,
                        k,
                        hit,
                    });
                }
            }
        }
        if origin >= settings.first {
            out.origins.push(made);
        }
    }
    if adapt {
        learn(
            &mut levels,
            &mut pending,
            history.len(),
            &settings.percentiles,
        );
    }
    out.levels = levels;
    Ok(out)
}

/// Applies the outcomes known at `origin` to the levels.
fn learn(levels: &mut Levels, pending: &mut Vec<Pending>, origin: usize, percentiles: &[f64]) {
    pending.retain(|p| {
        if p.resolves_at > origin {
            return true;
        }
        let miss = if p.hit { 0.0 } else { 1.0 };
        let (level, outcomes) = match p.question {
            Question::When => (&mut levels.when[p.k], &mut levels.when_outcomes),
            Question::HowMany => (&mut levels.how_many[p.k], &mut levels.how_many_outcomes),
        };
        *level += GAMMA * (miss - (1.0 - percentiles[p.k]));
        *outcomes += 1;
        false
    });
}

/// Whether the history checks anything a forecast at `origin` could state: a "how many" whose
/// horizon it reaches, or a "done within t periods" with t within the periods left, which
/// needs a trial that finishes by then, so the backlog done in that many periods of the
/// busiest period before the origin (no window of the past resamples more).
fn checkable(history: &[f64], origin: usize, settings: &WalkSettings) -> bool {
    let left = history.len() - origin;
    if settings.horizon.is_some_and(|h| left >= h) {
        return true;
    }
    let most = history[..origin].iter().copied().fold(0.0, f64::max);
    // With room for the rounding of a trial's sums and the engine's finishing tolerance.
    most * left as f64 * (1.0 + 1e-9) + DONE_EPSILON >= settings.backlog
}

/// The throughput a forecast at the end of `past` resamples, as `settings` say.
pub fn throughput_of(past: &[f64], settings: &WalkSettings) -> Throughput {
    match settings.window {
        Some(w) => Throughput::windowed(past.into(), settings.method, w, settings.per_year),
        None => Throughput::new(past.into(), settings.method, settings.per_year),
    }
}

/// The forecast at `origin` and its statements at `levels`, with the truth after it; `None`
/// when the history before it cannot forecast (it finished nothing).
fn forecast_at(
    history: &[f64],
    origin: usize,
    settings: &WalkSettings,
    levels: &Levels,
) -> Result<Option<Origin>, ForecastError> {
    let past = &history[..origin];
    let throughput = throughput_of(past, settings);
    if throughput.sampled().iter().all(|&x| x == 0.0) {
        return Ok(None);
    }
    let future = &history[origin..];
    let (used, block) = (throughput.sampled().len(), throughput.block);
    let mut f = Forecast::from_throughput(
        throughput.clone(),
        settings.backlog,
        None,
        None,
        settings.period,
    )?;
    f.set_percentiles(vec![0.5]);
    let results = run(&f, settings.trials, settings.seed);
    let when = when_stated(&results, future, settings, levels);
    // A "how many" whose horizon runs past the history is never checked: not asked.
    let how_many = match settings.horizon {
        Some(h) if future.len() >= h => {
            Some(how_many_stated(throughput, h, future, settings, levels)?)
        }
        _ => None,
    };
    Ok(Some(Origin {
        origin,
        used,
        block,
        when,
        how_many,
    }))
}

fn when_stated(
    results: &ForecastResults,
    future: &[f64],
    settings: &WalkSettings,
    levels: &Levels,
) -> Stated {
    let mut sum = 0.0;
    let actual = future
        .iter()
        .position(|&x| {
            sum += x;
            sum + 1e-9 >= settings.backlog
        })
        .map(|a| a + 1);
    let statements = (0..settings.percentiles.len())
        .map(|k| {
            let level = levels.read(Question::When, k, &settings.percentiles);
            let t = results.finish.quantile(level)?;
            // Known once the history reaches period t after the origin (or the work is done
            // by it, which is known at t as well).
            let hit = (t <= future.len()).then(|| actual.is_some_and(|a| a <= t));
            Some(Statement {
                value: t as f64,
                level,
                chance: results.p_done_by(t),
                hit,
            })
        })
        .collect();
    Stated {
        statements,
        actual: actual.map(|a| a as f64),
        median: results.finish.quantile(0.5).map(|t| t as f64),
    }
}

fn how_many_stated(
    throughput: Throughput,
    horizon: usize,
    future: &[f64],
    settings: &WalkSettings,
    levels: &Levels,
) -> Result<Stated, ForecastError> {
    // A backlog no trial can finish within the horizon, so that neither the forecast nor the
    // truth is capped by it.
    let most = throughput.sampled().iter().copied().fold(0.0, f64::max);
    let endless = most * horizon as f64 + 1.0;
    let mut f =
        Forecast::from_throughput(throughput, endless, None, Some(horizon), settings.period)?;
    let read: Vec<f64> = (0..settings.percentiles.len())
        .map(|k| levels.read(Question::HowMany, k, &settings.percentiles))
        .chain([0.5])
        .collect();
    f.set_percentiles(read.clone());
    let results = run(&f, settings.trials, settings.seed);
    let actual = Some(future[..horizon].iter().sum::<f64>());
    let Some((_, _, items)) = results.at_horizon else {
        unreachable!("a forecast with a horizon reports items at it")
    };
    let statements = (0..settings.percentiles.len())
        .map(|k| {
            Some(Statement {
                value: items.at_least[k],
                level: read[k],
                chance: items.at_least_chance[k],
                hit: actual.map(|a| a + 1e-9 >= items.at_least[k]),
            })
        })
        .collect();
    Ok(Stated {
        statements,
        actual,
        median: items.at_least.last().copied(),
    })
}

/// Trials of each forecast of the walk that calibrates a forecast (as `backtest` runs them).
pub const CALIBRATION_TRIALS: u64 = 2000;

/// The walk that calibrates `forecast`, when its method corrects its chances: forward
/// through its own history, asking its own questions, with `trials` trials per origin.
pub fn calibration_of(
    forecast: &Forecast,
    windowed: bool,
    trials: u64,
    seed: u64,
) -> Option<WalkSettings> {
    let tp = &forecast.throughput;
    if tp.method != Method::Calibrated {
        return None;
    }
    let period = forecast.scenario.period_length;
    Some(WalkSettings {
        method: tp.method,
        period,
        per_year: crate::model::throughput::per_year(period, &forecast.scenario.calendar),
        backlog: forecast.typical_backlog(),
        horizon: forecast.horizon,
        // A window the user chose cut the history already: forecasts use all of it before them.
        window: windowed.then_some(tp.history.len()),
        percentiles: forecast.percentiles.clone(),
        first: tp.history.len(),
        step: 1,
        trials: trials.min(CALIBRATION_TRIALS),
        seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(history: &[f64], backlog: f64, horizon: Option<usize>) -> WalkSettings {
        let period: PeriodLength = "1w".parse().expect("a period");
        WalkSettings {
            method: Method::Calibrated,
            period,
            per_year: period.per_year(),
            backlog,
            horizon,
            window: None,
            percentiles: vec![0.5, 0.7, 0.85, 0.95],
            first: history.len(),
            step: 1,
            trials: 300,
            seed: 7,
        }
    }

    /// An origin the walk skips states nothing the history checks: every statement of the
    /// forecast it would have made is unresolved, so skipping it leaves the levels as they were.
    #[test]
    fn origins_skipped_as_uncheckable_state_nothing_checked() {
        let w1 = [
            3., 5., 2., 6., 4., 4., 7., 1., 5., 3., 6., 4., 2., 5., 8., 3., 4., 6., 5., 2., 4., 7.,
            3., 5., 4., 6.,
        ];
        let bursty = [
            0., 0., 9., 0., 1., 12., 0., 0., 3., 0., 15., 1., 0., 0., 8., 2.,
        ];
        let (mut skipped, mut kept) = (0, 0);
        for history in [&w1[..], &bursty[..]] {
            for backlog in [5.0, 20.0, 40.0, 60.0, 200.0] {
                for horizon in [None, Some(4), Some(30)] {
                    let settings = settings(history, backlog, horizon);
                    let levels = Levels::nominal(&settings.percentiles);
                    for origin in 1..history.len() {
                        if checkable(history, origin, &settings) {
                            kept += 1;
                            continue;
                        }
                        skipped += 1;
                        let Some(made) =
                            forecast_at(history, origin, &settings, &levels).expect("a forecast")
                        else {
                            continue;
                        };
                        assert!(made.how_many.is_none(), "{origin}: a how-many is checked");
                        for s in made.when.statements.iter().flatten() {
                            assert_eq!(s.hit, None, "{backlog} at {origin}: {s:?} is checked");
                        }
                    }
                }
            }
        }
        assert!(skipped > 50 && kept > 50, "skipped {skipped}, kept {kept}");
    }

    /// W1's 200 items cannot be done within the history after any origin: calibrating its
    /// forecast runs no forecast at all, and its levels stay the percentiles.
    #[test]
    fn a_backlog_beyond_the_history_calibrates_without_forecasts() {
        let w1 = [
            3., 5., 2., 6., 4., 4., 7., 1., 5., 3., 6., 4., 2., 5., 8., 3., 4., 6., 5., 2., 4., 7.,
            3., 5., 4., 6.,
        ];
        let settings = settings(&w1, 200.0, Some(26));
        assert!((1..w1.len()).all(|origin| !checkable(&w1, origin, &settings)));
        let walked = walk(&w1, &settings, &|_| {}).expect("W1 walks");
        assert_eq!(walked.levels, Levels::nominal(&settings.percentiles));
    }
}
