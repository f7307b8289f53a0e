//! Throughput forecasts ("when will it be done", "how many by a date") run on the simulator's
//! [`Engine`]: a one-team scenario whose capacity bootstraps the team's throughput history
//! (each period's throughput drawn with replacement from the history) and whose initiatives
//! are the backlog. A trial ends in the period its cumulative throughput reaches the backlog.
//!
//! Statistics are integer counts (finish periods, items done in whole-item bins) and
//! fixed-point sums, so results are bit-identical for any number of threads.

//!
//! The question compiled into a scenario is here; the statistics in `tables.rs`; the trials, on
//! the one-item `backlog.rs` kernel where the forecast is one backlog (in whole items
//! on integer counts, `whole.rs`), in [`run`].

mod backlog;
pub mod backtest;
mod tables;
pub mod walk;
mod whole;

use crate::model::throughput::Method;
use crate::model::{
    DebtModel, Distribution, IncidentModel, Initiative, OnDone, PeriodLength, Rule, Scenario,
    Strategy, Team, Throughput, Workforce,
};

use super::{Engine, Policy, Recording, Scratch, Trials, fold_trials};
pub use backlog::{Backlog, BacklogTrial};
use tables::{Accumulator, Layout};
pub use tables::{FixedSum, ForecastResults, ForecastState, ItemsDone, LayoutMismatch, PeriodRow};
pub use walk::Levels;
use whole::WholeBacklog;

/// The longest forecast simulated, in periods: trials not done by then are reported as "not
/// done within the cap".
pub const MAX_PERIODS: usize = 100_000;
/// Bins of the items-done histograms: values are counted in whole items while the largest
/// possible backlog is below this, in wider bins beyond.
const MAX_BINS: usize = 4096;
/// Rows of per-period statistics kept before periods are thinned to every k-th one.
const MAX_ROWS: usize = 520;
/// Trials per unit of parallel work.
const CHUNK: u64 = 1024;
/// Work done is binned after adding this (so 4.999999999 items done count as 5).
const BIN_EPSILON: f64 = 1e-6;

/// Why a forecast cannot be made.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum ForecastError {
    /// The throughput history has no counts.
    #[error("the throughput history is empty: give at least one per-period count")]
    EmptyHistory,
    /// A count of the history (this one) is negative or not finite.
    #[error("history value {0} is not a count: counts must be finite and at least 0")]
    BadCount(f64),
    /// Every period of the history (this many) finished nothing.
    #[error(
        "every one of the {0} periods in the history finished nothing: at that rate nothing would ever be done; give a history with at least one period that finished something"
    )]
    AllZero(usize),
    /// The backlog (this many items) is not positive and finite.
    #[error("the backlog must be a positive number of items, found {0}")]
    Backlog(f64),
    /// The horizon (this many periods) is 0 or more than [`MAX_PERIODS`].
    #[error("the horizon must be between 1 and {MAX_PERIODS} periods, found {0}")]
    Horizon(usize),
    /// No team is chosen and no team of the scenario (this one) has a throughput history.
    #[error(
        "no team of scenario `{0}` has a throughput history (`capacity = {{ samples = [...] }}`)"
    )]
    NoHistoryTeam(String),
    /// No team is chosen and several teams (these, comma-separated) have a throughput history.
    #[error("several teams have a throughput history ({0}): choose one with --team")]
    AmbiguousTeam(String),
    /// The scenario has no team of the name chosen (`--team`).
    #[error("no team is called `{name}`{hint}")]
    UnknownTeam {
        /// The name chosen.
        name: String,
        /// ": did you mean `x`?" for the nearest team name within three edits, else empty.
        hint: String,
    },
    /// The forecast team (this one) has no throughput history: its capacity is not `samples`.
    #[error(
        "team `{0}` has no throughput history: forecasts need `capacity = {{ samples = [...] }}`"
    )]
    NotAHistory(String),
    /// The scenario has no initiative of the id chosen (`--initiative`).
    #[error("no initiative has the id `{name}`{hint}")]
    UnknownInitiative {
        /// The id chosen.
        name: String,
        /// ": did you mean `x`?" for the nearest initiative id within three edits, else empty.
        hint: String,
    },
    /// The forecast team (this one) has no initiatives.
    #[error("team `{0}` has no initiatives: there is no backlog to forecast")]
    NoBacklog(String),
}

/// A forecast question compiled into a one-team scenario the engine runs.
#[derive(Clone, Debug)]
pub struct Forecast {
    /// One team (capacity = the history), the backlog as initiatives, one all-product
    /// strategy; `periods` is the cap.
    pub scenario: Scenario,
    /// Period at which "how many by then" is asked.
    pub horizon: Option<usize>,
    /// Periods simulated at most per trial.
    pub cap: usize,
    /// The history being resampled, and how.
    pub throughput: Throughput,
    /// What the forecast leaves out of the source scenario (for the user to see).
    pub notes: Vec<String>,
    /// The probabilities the forecast is read at (0.5, 0.7, 0.85, 0.95 by default): finish
    /// periods ("done by period t with 85% chance") and items done ("at least N items by
    /// then with 85% chance", [`ItemsDone::at_least`]).
    pub percentiles: Vec<f64>,
    /// The levels of the base forecast each percentile is read at: the percentiles
    /// themselves, or as the history's own record corrected them ([`walk`]).
    pub levels: Levels,
}

/// The probabilities forecasts are read at unless the user chooses others.
pub const DEFAULT_PERCENTILES: [f64; 4] = [0.5, 0.7, 0.85, 0.95];

impl Forecast {
    /// "When will `backlog` items be done" from a history of per-period counts by the classic
    /// bootstrap (every period drawn independently from the whole history); `split`
    /// multiplies the backlog once per trial (items splitting once work starts).
    pub fn from_history(
        history: &[f64],
        backlog: f64,
        split: Option<Distribution>,
        horizon: Option<usize>,
        period_length: PeriodLength,
    ) -> Result<Forecast, ForecastError> {
        check_history(history)?;
        let throughput = Throughput::new(history.into(), Method::Iid, period_length.per_year());
        Forecast::from_throughput(throughput, backlog, split, horizon, period_length)
    }

    /// "When will `backlog` items be done" resampling `throughput`.
    pub fn from_throughput(
        throughput: Throughput,
        backlog: f64,
        split: Option<Distribution>,
        horizon: Option<usize>,
        period_length: PeriodLength,
    ) -> Result<Forecast, ForecastError> {
        check_history(throughput.sampled())?;
        if !(backlog.is_finite() && backlog > 0.0) {
            return Err(ForecastError::Backlog(backlog));
        }
        let backlog = Initiative {
            scope_growth: split.map(|s| s.shifted(-1.0)),
            ..Initiative::product_work("backlog", 0, Distribution::Constant(backlog))
        };
        let team = throughput_team("history", throughput);
        Forecast::build(
            "forecast".into(),
            team,
            vec![backlog],
            horizon,
            period_length,
            Vec::new(),
        )
    }

    /// A forecast of a scenario team's backlog: `initiative` alone when given (as if the team
    /// worked on nothing else), else every initiative of the team (`team`, or the only team
    /// with a throughput history), done when all are done. Dependencies on other teams' work,
    /// debt, incidents, risks and events are left out and listed in [`Forecast::notes`].
    pub fn from_scenario(
        source: &Scenario,
        team: Option<&str>,
        initiative: Option<&str>,
        horizon: Option<usize>,
    ) -> Result<Forecast, ForecastError> {
        let picked = initiative
            .map(|id| initiative_index(source, id))
            .transpose()?;
        let j = match picked {
            Some(i) => source.initiatives[i].team,
            None => team_index(source, team)?,
        };
        let source_team = &source.teams[j];
        let throughput = throughput_of(source_team)
            .ok_or_else(|| ForecastError::NotAHistory(source_team.name.clone()))?
            .clone();
        check_history(throughput.sampled())?;
        let chosen: Vec<usize> = match picked {
            Some(i) => vec![i],
            None => source
                .priority_order()
                .into_iter()
                .filter(|&i| source.initiatives[i].team == j)
                .collect(),
        };
        if chosen.is_empty() {
            return Err(ForecastError::NoBacklog(source_team.name.clone()));
        }
        let mut notes = Vec::new();
        let initiatives = backlog(source, &chosen, &mut notes);
        notes.extend(left_out(source, j));
        let horizon = horizon.or_else(|| match chosen.as_slice() {
            [i] => source.initiatives[*i].deadline.or(Some(source.periods)),
            _ => Some(source.periods),
        });
        let mut forecast = Forecast::build(
            format!("{}-forecast", source.name),
            throughput_team(&source_team.name, throughput),
            initiatives,
            horizon,
            source.period_length,
            notes,
        )?;
        forecast.scenario.start = source.start;
        forecast.scenario.calendar = source.calendar.clone();
        forecast.scenario.question = source.question.clone();
        Ok(forecast)
    }

    fn build(
        name: String,
        team: Team,
        initiatives: Vec<Initiative>,
        horizon: Option<usize>,
        period_length: PeriodLength,
        notes: Vec<String>,
    ) -> Result<Forecast, ForecastError> {
        if let Some(h) = horizon
            && !(1..=MAX_PERIODS).contains(&h)
        {
            return Err(ForecastError::Horizon(h));
        }
        let throughput = throughput_of(&team)
            .expect("forecast teams are built from a history")
            .clone();
        let cap = cap(throughput.sampled(), high_work(&initiatives)).max(horizon.unwrap_or(0));
        let scenario = Scenario {
            name,
            question: None,
            periods: cap,
            period_length,
            start: None,
            calendar: crate::model::Calendar::for_period(period_length, None, Vec::new()),
            trials: crate::model::DEFAULT_TRIALS,
            seed: crate::model::DEFAULT_SEED,
            blend: 1.0,
            key_results: Vec::new(),
            debt: DebtModel {
                interest: Distribution::Constant(0.0),
                accrual: Distribution::Constant(0.0),
                paydown_efficiency: Distribution::Constant(1.0),
                drag_max: 0.0,
                drag_half: 1.0,
            },
            incidents: IncidentModel {
                base_rate: Distribution::Constant(0.0),
                debt_sensitivity: 0.0,
                cost: Distribution::Constant(0.0),
            },
            teams: vec![team],
            initiatives,
            risks: Vec::new(),
            events: Vec::new(),
            strategies: vec![Strategy {
                name: "all-hands".into(),
                rule: Rule::FixedShare { tech_share: 0.0 },
            }],
        };
        Ok(Forecast {
            scenario,
            horizon,
            cap,
            throughput,
            notes,
            percentiles: DEFAULT_PERCENTILES.to_vec(),
            levels: Levels::nominal(&DEFAULT_PERCENTILES),
        })
    }

    /// The largest backlog a trial can draw (for sizing the items-done bins).
    fn high_work(&self) -> f64 {
        high_work(&self.scenario.initiatives)
    }

    /// The periods resampled.
    pub fn history(&self) -> &[f64] {
        self.throughput.sampled()
    }

    /// Reads the forecast at `percentiles`, uncorrected.
    pub fn set_percentiles(&mut self, percentiles: Vec<f64>) {
        self.levels = Levels::nominal(&percentiles);
        self.percentiles = percentiles;
    }

    /// The backlog a walk's "when" question stands for: the expected total work.
    pub fn typical_backlog(&self) -> f64 {
        let work: f64 = self
            .scenario
            .initiatives
            .iter()
            .map(|i| {
                let growth = i.scope_growth.as_ref().map_or(0.0, Distribution::mean);
                i.effort.mean().max(0.0) * (1.0 + growth).max(0.0)
            })
            .sum();
        work.max(1.0)
    }
}

/// The index of initiative `id` of `source`, for `--initiative`.
fn initiative_index(source: &Scenario, id: &str) -> Result<usize, ForecastError> {
    source
        .initiative_index(id)
        .ok_or_else(|| ForecastError::UnknownInitiative {
            name: id.into(),
            hint: hint(id, source.initiatives.iter().map(|i| i.id.as_str())),
        })
}

/// The forecast team: the one named, else the only team of `source` with a history.
fn team_index(source: &Scenario, team: Option<&str>) -> Result<usize, ForecastError> {
    if let Some(name) = team {
        return source
            .team_index(name)
            .ok_or_else(|| ForecastError::UnknownTeam {
                name: name.into(),
                hint: hint(name, source.teams.iter().map(|t| t.name.as_str())),
            });
    }
    let with_history: Vec<usize> = (0..source.teams.len())
        .filter(|&j| throughput_of(&source.teams[j]).is_some())
        .collect();
    match with_history.as_slice() {
        [] => Err(ForecastError::NoHistoryTeam(source.name.clone())),
        [j] => Ok(*j),
        many => {
            let names: Vec<&str> = many
                .iter()
                .map(|&j| source.teams[j].name.as_str())
                .collect();
            Err(ForecastError::AmbiguousTeam(names.join(", ")))
        }
    }
}

/// The `chosen` initiatives of `source` (in priority order) as the forecast's backlog: its
/// one team's work, without deadlines, contributions or effects, waiting only for each
/// other; `notes` say which dependencies outside the forecast are assumed done.
fn backlog(source: &Scenario, chosen: &[usize], notes: &mut Vec<String>) -> Vec<Initiative> {
    chosen
        .iter()
        .map(|&i| {
            let original = &source.initiatives[i];
            let mut after = Vec::new();
            for &d in &original.after {
                match chosen.iter().position(|&c| c == d) {
                    Some(k) => after.push(k),
                    None => notes.push(format!(
                        "`{}` waits for `{}`, which is not part of this forecast: assumed done",
                        original.id, source.initiatives[d].id
                    )),
                }
            }
            Initiative {
                team: 0,
                contributes: Vec::new(),
                deadline: None,
                must_finish: false,
                after,
                // Keep the scenario's order: `chosen` is already in priority order.
                priority: None,
                on_done: OnDone::default(),
                ..original.clone()
            }
        })
        .collect()
}

/// The note naming what of `source` a throughput forecast of team `j` leaves out, if any.
fn left_out(source: &Scenario, j: usize) -> Option<String> {
    let ignored: Vec<&str> = [
        (!source.risks.is_empty(), "risks"),
        (!source.events.is_empty(), "events"),
        (
            source.incidents.base_rate.as_constant() != Some(0.0),
            "incidents",
        ),
        (
            source.teams[j].debt_initial.as_constant() != Some(0.0)
                || source.teams[j].joint.is_some(),
            "debt drag",
        ),
    ]
    .into_iter()
    .filter_map(|(present, what)| present.then_some(what))
    .collect();
    (!ignored.is_empty()).then(|| {
        format!(
            "the forecast bootstraps throughput only; the scenario's {} are left out",
            ignored.join(", ")
        )
    })
}

/// A throughput team resampling `throughput`.
fn throughput_team(name: &str, throughput: Throughput) -> Team {
    Team {
        name: name.into(),
        workforce: Workforce::Throughput(throughput),
        debt_initial: Distribution::Constant(0.0),
        joint: None,
    }
}

/// The throughput of a team, when it is a throughput team.
fn throughput_of(team: &Team) -> Option<&Throughput> {
    match &team.workforce {
        Workforce::Throughput(throughput) => Some(throughput),
        _ => None,
    }
}

/// ": did you mean `x`?" for the nearest candidate within three edits, else nothing.
fn hint<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map_or_else(String::new, |(_, c)| format!(": did you mean `{c}`?"))
}

/// A history can forecast when it is non-empty, every count is finite and at least 0, and at
/// least one period finished something.
pub fn check_history(history: &[f64]) -> Result<(), ForecastError> {
    if history.is_empty() {
        return Err(ForecastError::EmptyHistory);
    }
    if let Some(&bad) = history.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
        return Err(ForecastError::BadCount(bad));
    }
    if history.iter().all(|&x| x == 0.0) {
        return Err(ForecastError::AllZero(history.len()));
    }
    Ok(())
}

/// A value no draw of `d` exceeds in practice: the upper bound, or six standard deviations
/// (in log space for log-normals) for unbounded tails.
fn high(d: &Distribution) -> f64 {
    match d {
        Distribution::Normal { mean, sd } => mean + 6.0 * sd,
        Distribution::LogNormal { mu, sigma } => (mu + 6.0 * sigma).exp(),
        Distribution::Shifted(base, by) => high(base) + by,
        other => other.upper_bound(),
    }
}

/// The largest total work a trial draws in practice.
fn high_work(initiatives: &[Initiative]) -> f64 {
    initiatives
        .iter()
        .map(|i| {
            let growth = i.scope_growth.as_ref().map_or(0.0, high);
            high(&i.effort).max(0.0) * (1.0 + growth).max(0.0)
        })
        .sum()
}

/// Periods to simulate at most: ten times the periods the largest backlog takes at the mean
/// throughput, and at least 60 / P(a period finishes something) (so a trial is stuck on zero
/// periods that long with probability below e⁻⁶⁰).
fn cap(history: &[f64], work: f64) -> usize {
    let mean = history.iter().sum::<f64>() / history.len() as f64;
    let moving = history.iter().filter(|&&x| x > 0.0).count() as f64 / history.len() as f64;
    let periods = (10.0 * work / mean).max(60.0 / moving).ceil() + 1.0;
    if periods.is_finite() {
        (periods as usize).clamp(1, MAX_PERIODS)
    } else {
        MAX_PERIODS
    }
}

/// Runs `trials` trials of `forecast` on the engine, on the ambient rayon pool, and reads the
/// answers ([`run_range`] of them all, finished).
pub fn run(forecast: &Forecast, trials: u64, seed: u64) -> ForecastResults {
    run_range(forecast, seed, Trials::all(trials)).finish(forecast)
}

/// The statistics of `trials` of `forecast` (all, or a shard's share), to
/// [`ForecastState::merge`] with other ranges' into exactly the whole forecast's.
pub fn run_range(forecast: &Forecast, seed: u64, trials: Trials<'_>) -> ForecastState {
    run_on(forecast, trials, seed, Kernels::Fastest).0
}

/// Which kernels [`run_on`] may use.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kernels {
    /// The fastest that applies.
    Fastest,
    /// Never the whole-item kernel (to test it against the float one).
    #[cfg_attr(not(test), allow(dead_code))]
    Float,
}

/// [`run_range`] on the chosen kernels; also says whether the whole-item kernel ran.
fn run_on(
    forecast: &Forecast,
    trials: Trials<'_>,
    seed: u64,
    kernels: Kernels,
) -> (ForecastState, bool) {
    let scenario = &forecast.scenario;
    let recording = Recording {
        periods: false,
        stop_when_done: true,
        checkpoint: forecast.cap,
    };
    let policies = scenario
        .strategies
        .iter()
        .map(|s| Policy::new(s, None).expect("forecast strategies are fixed shares"))
        .collect();
    let engine = Engine::new(scenario, policies, seed, recording);
    let backlog = match engine.policies.as_slice() {
        [policy] => Backlog::new(scenario, policy, seed, recording.stop_when_done),
        _ => None,
    };
    let high = forecast.high_work().max(1.0);
    let width = (high / (MAX_BINS - 1) as f64).ceil().max(1.0);
    let expected_periods = (high / forecast.throughput.mean()).ceil() as usize;
    let layout = Layout {
        width,
        per_item: 1.0 / width,
        bins: ((high / width).ceil() as usize + 1).min(MAX_BINS),
        stride: expected_periods.div_ceil(MAX_ROWS / 2).max(1),
        horizon: forecast.horizon,
        horizon_period: forecast.horizon.unwrap_or(0),
        cap: forecast.cap,
    };
    let whole = backlog
        .as_ref()
        .filter(|_| kernels == Kernels::Fastest)
        .and_then(|b| WholeBacklog::of(b, &layout));
    let acc = fold_trials(
        trials,
        CHUNK,
        || Accumulator::new(&layout),
        |acc: &mut Accumulator, scratch: &mut Scratch, chunk| match &whole {
            Some(whole) => whole.run(chunk.start, chunk.end, acc, &layout),
            None => {
                for trial in chunk {
                    acc.run_trial(&engine, backlog.as_ref(), &layout, trial, scratch);
                }
            }
        },
        |a, b| a.merge(b),
    );
    (ForecastState { layout, acc }, whole.is_some())
}

/// Running trials into the statistics.
impl Accumulator {
    /// Runs one trial and records it: on the one-item `backlog` kernel when the forecast is
    /// one (the same numbers without the outcomes a forecast does not read), else on the
    /// general engine.
    #[inline]
    fn run_trial(
        &mut self,
        engine: &Engine,
        backlog: Option<&Backlog>,
        layout: &Layout,
        trial: u64,
        scratch: &mut Scratch,
    ) {
        let mut at_horizon = 0.0;
        let items = &mut self.items;
        let (finished, work) = match backlog {
            Some(backlog) => {
                let trial = backlog.run(
                    trial,
                    #[inline(always)]
                    |t, work_done, done| items.observe(layout, t, work_done, done, &mut at_horizon),
                );
                (trial.finished, trial.work)
            }
            None => self.run_general_trial(engine, layout, trial, scratch, &mut at_horizon),
        };
        self.record(layout, finished, work, at_horizon);
    }

    /// A trial of a forecast of several initiatives (done when all are): the finish period
    /// (0: not within the cap) and the total work.
    fn run_general_trial(
        &mut self,
        engine: &Engine,
        layout: &Layout,
        trial: u64,
        scratch: &mut Scratch,
        at_horizon: &mut f64,
    ) -> (usize, f64) {
        let initiatives = engine.scenario.initiatives.len();
        let items = &mut self.items;
        engine.run_trial_observed(
            trial,
            scratch,
            #[inline(always)]
            |t, sc| {
                let finished = &sc.outcomes[0].finished;
                let (done, work_done) = if initiatives == 1 {
                    (finished[0] > 0, sc.work_done(0, 0))
                } else {
                    (
                        finished.iter().all(|&f| f > 0),
                        (0..initiatives).map(|i| sc.work_done(0, i)).sum(),
                    )
                };
                items.observe(layout, t, work_done, done, at_horizon);
            },
        );
        let outcome = &scratch.outcomes[0];
        let finished = if outcome.finished.iter().all(|&f| f > 0) {
            outcome.finished.iter().copied().max().unwrap_or(0) as usize
        } else {
            0
        };
        (finished, (0..initiatives).map(|i| scratch.work(i)).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histories_that_cannot_forecast_are_rejected() {
        assert_eq!(check_history(&[]), Err(ForecastError::EmptyHistory));
        assert_eq!(check_history(&[0.0, 0.0]), Err(ForecastError::AllZero(2)));
        assert_eq!(
            check_history(&[1.0, -1.0]),
            Err(ForecastError::BadCount(-1.0))
        );
        assert!(check_history(&[0.0, 3.0]).is_ok());
    }

    #[test]
    fn the_cap_covers_slow_and_lumpy_histories() {
        // Ten times the mean periods…
        assert_eq!(cap(&[4.0], 200.0), 501);
        // …and long enough to get past a run of zero periods.
        assert!(cap(&[0.0, 0.0, 0.0, 100.0], 1.0) >= 240);
        assert_eq!(cap(&[1e-300], 1e300), MAX_PERIODS);
    }

    /// The whole-item kernel gives the float kernel's statistics bit for bit: with a horizon
    /// and without, zero periods in the history, rows for every second period (a long
    /// backlog), each period drawn alone and in the calibrated method's blocks.
    #[test]
    fn whole_item_kernel_is_the_float_kernel_bit_for_bit() {
        let w1 = [
            3.0, 5.0, 2.0, 6.0, 4.0, 4.0, 7.0, 1.0, 5.0, 3.0, 6.0, 4.0, 2.0, 5.0, 8.0, 3.0, 4.0,
            6.0, 5.0, 2.0, 4.0, 7.0, 3.0, 5.0, 4.0, 6.0,
        ];
        let cases: [(&[f64], f64, Option<usize>, u64); 4] = [
            (&w1, 200.0, Some(26), 5003),
            (&w1, 37.0, None, 2048),
            (&[0.0, 0.0, 1.0, 9.0, 0.0], 60.0, Some(10), 3001),
            (&w1, 2000.0, Some(100), 1500),
        ];
        let period: PeriodLength = "1w".parse().expect("a period");
        for (history, backlog, horizon, trials) in cases {
            for method in [Method::Iid, Method::Calibrated] {
                let throughput = Throughput::new(history.into(), method, period.per_year());
                let f = Forecast::from_throughput(throughput, backlog, None, horizon, period)
                    .expect("a valid forecast");
                let (whole, used) = run_on(&f, Trials::all(trials), 7, Kernels::Fastest);
                let (float, _) = run_on(&f, Trials::all(trials), 7, Kernels::Float);
                assert!(
                    used,
                    "the whole-item kernel applies to {history:?} / {backlog}"
                );
                assert_eq!(
                    format!("{whole:?}"),
                    format!("{float:?}"),
                    "{backlog} {method}"
                );
            }
        }
    }

    /// Fractional counts keep the float kernel.
    #[test]
    fn fractional_histories_keep_the_float_kernel() {
        let f = Forecast::from_history(&[1.5, 2.0], 20.0, None, None, PeriodLength::TWO_WEEKS)
            .expect("a valid forecast");
        assert!(!run_on(&f, Trials::all(100), 7, Kernels::Fastest).1);
    }

    #[test]
    fn zero_backlog_is_rejected() {
        let e = Forecast::from_history(&[1.0], 0.0, None, None, PeriodLength::TWO_WEEKS);
        assert_eq!(e.unwrap_err(), ForecastError::Backlog(0.0));
    }
}
