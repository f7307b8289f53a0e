//! Throughput forecasts ("when will it be done", "how many by a date") run on the simulator's
//! [`Engine`]: a one-team scenario whose capacity bootstraps the team's throughput history
//! (each period's throughput drawn with replacement from the history) and whose initiatives
//! are the backlog. A trial ends in the period its cumulative throughput reaches the backlog.
//!
//! Statistics are integer counts (finish periods, items done in whole-item bins) and
//! fixed-point sums, so results are bit-identical for any number of threads.

use rayon::prelude::*;

use crate::model::{
    DebtModel, Distribution, IncidentModel, Initiative, Kind, OnDone, PeriodLength, Rule, Scenario,
    Strategy, Team, Workforce,
};

use super::backlog::Backlog;
use super::stats::{PeriodHistogram, QUANTILES};
use super::{Engine, Policy, Recording, Scratch};

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
    #[error("the throughput history is empty: give at least one per-period count")]
    EmptyHistory,
    #[error("history value {0} is not a count: counts must be finite and at least 0")]
    BadCount(f64),
    #[error(
        "every one of the {0} periods in the history finished nothing: at that rate nothing would ever be done; give a history with at least one period that finished something"
    )]
    AllZero(usize),
    #[error("the backlog must be a positive number of items, found {0}")]
    Backlog(f64),
    #[error("the horizon must be between 1 and {MAX_PERIODS} periods, found {0}")]
    Horizon(usize),
    #[error(
        "no team of scenario `{0}` has a throughput history (`capacity = {{ samples = [...] }}`)"
    )]
    NoHistoryTeam(String),
    #[error("several teams have a throughput history ({0}): choose one with --team")]
    AmbiguousTeam(String),
    #[error("no team is called `{name}`{hint}")]
    UnknownTeam { name: String, hint: String },
    #[error(
        "team `{0}` has no throughput history: forecasts need `capacity = {{ samples = [...] }}`"
    )]
    NotAHistory(String),
    #[error("no initiative has the id `{name}`{hint}")]
    UnknownInitiative { name: String, hint: String },
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
    /// The history being bootstrapped.
    pub history: Vec<f64>,
    /// What the forecast leaves out of the source scenario (for the user to see).
    pub notes: Vec<String>,
    /// The probabilities the forecast is read at (0.5, 0.7, 0.85, 0.95 by default): finish
    /// periods ("done by period t with 85% chance") and items done ("at least N items by
    /// then with 85% chance", [`ItemsDone::at_least`]).
    pub percentiles: Vec<f64>,
}

/// The probabilities forecasts are read at unless the user chooses others.
pub const DEFAULT_PERCENTILES: [f64; 4] = [0.5, 0.7, 0.85, 0.95];

impl Forecast {
    /// "When will `backlog` items be done" from a history of per-period counts; `split`
    /// multiplies the backlog once per trial (items splitting once work starts).
    pub fn from_history(
        history: &[f64],
        backlog: f64,
        split: Option<Distribution>,
        horizon: Option<usize>,
        period_length: PeriodLength,
    ) -> Result<Forecast, ForecastError> {
        check_history(history)?;
        if !(backlog.is_finite() && backlog > 0.0) {
            return Err(ForecastError::Backlog(backlog));
        }
        let backlog = Initiative {
            id: "backlog".into(),
            description: None,
            kind: Kind::Product,
            team: 0,
            effort: Distribution::Constant(backlog),
            scope_growth: split.map(|s| s.shifted(-1.0)),
            max_engineers: None,
            contributes: Vec::new(),
            deadline: None,
            must_finish: false,
            after: Vec::new(),
            priority: None,
            on_done: OnDone::default(),
        };
        let team = history_team("history", history);
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
        let picked = match initiative {
            Some(id) => Some(source.initiative_index(id).ok_or_else(|| {
                ForecastError::UnknownInitiative {
                    name: id.into(),
                    hint: hint(id, source.initiatives.iter().map(|i| i.id.as_str())),
                }
            })?),
            None => None,
        };
        let j = match (picked, team) {
            (Some(i), _) => source.initiatives[i].team,
            (None, Some(name)) => {
                source
                    .team_index(name)
                    .ok_or_else(|| ForecastError::UnknownTeam {
                        name: name.into(),
                        hint: hint(name, source.teams.iter().map(|t| t.name.as_str())),
                    })?
            }
            (None, None) => {
                let with_history: Vec<usize> = (0..source.teams.len())
                    .filter(|&j| samples(&source.teams[j]).is_some())
                    .collect();
                match with_history.as_slice() {
                    [] => return Err(ForecastError::NoHistoryTeam(source.name.clone())),
                    [j] => *j,
                    many => {
                        let names: Vec<&str> = many
                            .iter()
                            .map(|&j| source.teams[j].name.as_str())
                            .collect();
                        return Err(ForecastError::AmbiguousTeam(names.join(", ")));
                    }
                }
            }
        };
        let source_team = &source.teams[j];
        let history = samples(source_team)
            .ok_or_else(|| ForecastError::NotAHistory(source_team.name.clone()))?
            .to_vec();
        check_history(&history)?;
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
        let initiatives = chosen
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
            .collect();
        let ignored: Vec<&str> = [
            (!source.risks.is_empty(), "risks"),
            (!source.events.is_empty(), "events"),
            (
                source.incidents.base_rate.as_constant() != Some(0.0),
                "incidents",
            ),
            (
                source.teams[j].debt_initial.as_constant() != Some(0.0),
                "debt drag",
            ),
        ]
        .into_iter()
        .filter_map(|(present, what)| present.then_some(what))
        .collect();
        if !ignored.is_empty() {
            notes.push(format!(
                "the forecast bootstraps throughput only; the scenario's {} are left out",
                ignored.join(", ")
            ));
        }
        let horizon = horizon.or_else(|| match chosen.as_slice() {
            [i] => source.initiatives[*i].deadline.or(Some(source.periods)),
            _ => Some(source.periods),
        });
        let mut forecast = Forecast::build(
            format!("{}-forecast", source.name),
            history_team(&source_team.name, &history),
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
        let history = samples(&team)
            .expect("forecast teams are built from a history")
            .to_vec();
        let cap = cap(&history, high_work(&initiatives)).max(horizon.unwrap_or(0));
        let scenario = Scenario {
            name,
            question: None,
            periods: cap,
            period_length,
            start: None,
            calendar: crate::model::Calendar::for_period(period_length, None, Vec::new()),
            trials: 10_000,
            seed: 42,
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
            history,
            notes,
            percentiles: DEFAULT_PERCENTILES.to_vec(),
        })
    }

    /// The largest backlog a trial can draw (for sizing the items-done bins).
    fn high_work(&self) -> f64 {
        high_work(&self.scenario.initiatives)
    }
}

/// A capacity team bootstrapping `history`.
fn history_team(name: &str, history: &[f64]) -> Team {
    Team {
        name: name.into(),
        workforce: Workforce::Capacity(Distribution::Samples(history.into())),
        debt_initial: Distribution::Constant(0.0),
    }
}

/// The throughput history of a team, when its capacity is one.
fn samples(team: &Team) -> Option<&[f64]> {
    match &team.workforce {
        Workforce::Capacity(Distribution::Samples(values)) => Some(values),
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

/// A sum of values truncated to multiples of 2⁻³² (exact for values below 2·10⁹): integer
/// arithmetic, so it merges to the same bits in any order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixedSum(i128);

impl FixedSum {
    const SCALE: f64 = 4_294_967_296.0;

    #[inline]
    pub fn add(&mut self, x: f64) {
        self.0 += i128::from((x * Self::SCALE) as i64);
    }

    pub fn merge(&mut self, other: &FixedSum) {
        self.0 += other.0;
    }

    /// The sum as a float.
    pub fn value(&self) -> f64 {
        self.0 as f64 / Self::SCALE
    }
}

/// Items done in whole-item (or wider) bins per reported period, split into trials still
/// running at that period and trials that finished by it (counted at the first reported
/// period at or after their finish).
#[derive(Clone, Debug)]
struct ItemsTable {
    bins: usize,
    running: Vec<u64>,
    running_sums: Vec<FixedSum>,
    finished: Vec<u64>,
    finished_sums: Vec<FixedSum>,
}

impl ItemsTable {
    fn new(bins: usize) -> ItemsTable {
        ItemsTable {
            bins,
            running: Vec::new(),
            running_sums: Vec::new(),
            finished: Vec::new(),
            finished_sums: Vec::new(),
        }
    }

    /// Makes sure `row` exists.
    #[inline]
    fn grow(&mut self, row: usize) {
        if row >= self.running_sums.len() {
            self.add_rows(row + 1);
        }
    }

    /// Grows to `rows` rows: rare (a few times per batch of trials), so kept out of the
    /// per-period code, where its calls would make the hot values spill to the stack.
    #[cold]
    #[inline(never)]
    fn add_rows(&mut self, rows: usize) {
        self.running.resize(rows * self.bins, 0);
        self.finished.resize(rows * self.bins, 0);
        self.running_sums.resize(rows, FixedSum::default());
        self.finished_sums.resize(rows, FixedSum::default());
    }

    fn rows(&self) -> usize {
        self.running_sums.len()
    }

    /// Records the end of period t of a trial with `work_done` items done, `done` when the
    /// backlog is; `at_horizon` keeps the items done at the horizon.
    #[inline(always)]
    fn observe(
        &mut self,
        layout: &Layout,
        t: usize,
        work_done: f64,
        done: bool,
        at_horizon: &mut f64,
    ) {
        if t == layout.horizon_period {
            *at_horizon = work_done;
        }
        if !done && let Some(row) = layout.row(t) {
            self.grow(row);
            self.running[row * layout.bins + layout.bin(work_done)] += 1;
            self.running_sums[row].add(work_done);
        }
    }

    fn merge(&mut self, other: &ItemsTable) {
        if other.rows() > 0 {
            self.grow(other.rows() - 1);
        }
        for (a, b) in self.running.iter_mut().zip(&other.running) {
            *a += b;
        }
        for (a, b) in self.finished.iter_mut().zip(&other.finished) {
            *a += b;
        }
        for (a, b) in self.running_sums.iter_mut().zip(&other.running_sums) {
            a.merge(b);
        }
        for (a, b) in self.finished_sums.iter_mut().zip(&other.finished_sums) {
            a.merge(b);
        }
    }
}

/// How the accumulators bin and thin.
#[derive(Clone, Copy, Debug)]
struct Layout {
    /// Items per bin (1 unless the backlog is huge), and its inverse.
    width: f64,
    per_item: f64,
    bins: usize,
    /// Every `stride`-th period gets a row.
    stride: usize,
    horizon: Option<usize>,
    /// The horizon, or 0 (no period) without one.
    horizon_period: usize,
    cap: usize,
}

impl Layout {
    #[inline]
    fn bin(&self, items: f64) -> usize {
        // `as usize` saturates: negative values land in bin 0.
        (((items + BIN_EPSILON) * self.per_item) as usize).min(self.bins - 1)
    }

    /// The row of period t, when t has one.
    #[inline]
    fn row(&self, t: usize) -> Option<usize> {
        if self.stride == 1 {
            Some(t - 1)
        } else {
            t.is_multiple_of(self.stride).then(|| t / self.stride - 1)
        }
    }
}

/// Statistics of a batch of trials (merged exactly).
#[derive(Clone, Debug)]
struct Accumulator {
    trials: u64,
    finish: PeriodHistogram,
    items: ItemsTable,
    /// Items done by the horizon: bins and their sum.
    at_horizon: Vec<u64>,
    at_horizon_sum: FixedSum,
}

impl Accumulator {
    fn new(layout: &Layout) -> Accumulator {
        Accumulator {
            trials: 0,
            finish: PeriodHistogram::new(layout.cap),
            items: ItemsTable::new(layout.bins),
            at_horizon: vec![
                0;
                if layout.horizon.is_some() {
                    layout.bins
                } else {
                    0
                }
            ],
            at_horizon_sum: FixedSum::default(),
        }
    }

    fn merge(&mut self, other: &Accumulator) {
        self.trials += other.trials;
        self.finish.merge(&other.finish);
        self.items.merge(&other.items);
        for (a, b) in self.at_horizon.iter_mut().zip(&other.at_horizon) {
            *a += b;
        }
        self.at_horizon_sum.merge(&other.at_horizon_sum);
    }

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

    /// Records a trial that finished in period `finished` (0: not within the cap) with
    /// `work` to do and `at_horizon` done by the horizon if it had not finished by then.
    #[inline]
    fn record(&mut self, layout: &Layout, finished: usize, work: f64, mut at_horizon: f64) {
        let horizon = layout.horizon_period;
        let items = &mut self.items;
        self.trials += 1;
        self.finish.add(finished);
        if finished > 0 {
            let row = finished.div_ceil(layout.stride) - 1;
            items.grow(row);
            items.finished[row * layout.bins + layout.bin(work)] += 1;
            items.finished_sums[row].add(work);
            if finished <= horizon {
                at_horizon = work;
            }
        }
        if layout.horizon.is_some() {
            self.at_horizon[layout.bin(at_horizon)] += 1;
            self.at_horizon_sum.add(at_horizon);
        }
    }
}

/// The distribution of items done at one period.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemsDone {
    pub mean: f64,
    /// Values at [`QUANTILES`] (p5 … p95), in whole items (lower edge of their bin).
    pub quantiles: [f64; 7],
    /// For each of the forecast's percentiles p: the most items N with P(items done ≥ N) ≥ p
    /// ("at least N items with 85% chance"), the lower quantile at 1 − p.
    pub at_least: Vec<f64>,
    /// P(items done ≥ `at_least[k]`): at least the percentile, more where items come in steps.
    pub at_least_chance: Vec<f64>,
}

impl ItemsDone {
    fn of(counts: &[u64], sum: &FixedSum, width: f64) -> ItemsDone {
        let n: u64 = counts.iter().sum();
        let quantiles = QUANTILES.map(|(_, q)| {
            if n == 0 {
                return f64::NAN;
            }
            let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
            let mut seen = 0;
            for (b, &c) in counts.iter().enumerate() {
                seen += c;
                if seen >= rank {
                    return b as f64 * width;
                }
            }
            f64::NAN
        });
        ItemsDone {
            mean: sum.value() / n as f64,
            quantiles,
            at_least: Vec::new(),
            at_least_chance: Vec::new(),
        }
    }

    /// Adds [`ItemsDone::at_least`] for `percentiles`, from the same binned counts.
    fn with_at_least(mut self, counts: &[u64], width: f64, percentiles: &[f64]) -> ItemsDone {
        let n: u64 = counts.iter().sum();
        let found: Vec<(f64, f64)> = percentiles
            .iter()
            .map(|&p| {
                if n == 0 {
                    return (f64::NAN, f64::NAN);
                }
                // The highest bin whose tail (trials with at least that many) holds ≥ p.
                let need = (p * n as f64 - 1e-9).ceil().max(0.0) as u64;
                let mut tail = 0;
                for (b, &c) in counts.iter().enumerate().rev() {
                    tail += c;
                    if tail >= need {
                        return (b as f64 * width, tail as f64 / n as f64);
                    }
                }
                (0.0, 1.0)
            })
            .collect();
        self.at_least = found.iter().map(|f| f.0).collect();
        self.at_least_chance = found.iter().map(|f| f.1).collect();
        self
    }
}

/// One row of `forecast.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodRow {
    pub period: usize,
    /// Probability the backlog is done by the end of this period.
    pub p_done_by: f64,
    pub items: ItemsDone,
}

/// What a forecast found.
#[derive(Clone, Debug)]
pub struct ForecastResults {
    pub trials: u64,
    /// Periods simulated at most.
    pub cap: usize,
    /// Exact counts of the finish period (0: not done within the cap).
    pub finish: PeriodHistogram,
    /// Per reported period (every `stride`-th) up to the last period any trial ran.
    pub rows: Vec<PeriodRow>,
    /// The horizon, P(done by it) and items done by it.
    pub at_horizon: Option<(usize, f64, ItemsDone)>,
    /// Items per bin of the items-done statistics (1: exact whole items).
    pub bin_width: f64,
}

impl ForecastResults {
    /// Finish period at probability `q` (`None`: not within the cap at that probability).
    pub fn percentile(&self, q: f64) -> Option<usize> {
        self.finish.quantile(q)
    }

    /// Probability the backlog is done by the end of period `t`.
    pub fn p_done_by(&self, t: usize) -> f64 {
        self.finish.fraction_by(t.min(self.cap))
    }

    /// Trials not done within the cap.
    pub fn not_done(&self) -> u64 {
        self.finish.count(0)
    }
}

/// Runs `trials` trials of `forecast` on the engine, on the ambient rayon pool; `progress`
/// hears the number of trials done.
pub fn run(
    forecast: &Forecast,
    trials: u64,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> ForecastResults {
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
    let expected_periods = (high / mean(&forecast.history)).ceil() as usize;
    let layout = Layout {
        width,
        per_item: 1.0 / width,
        bins: ((high / width).ceil() as usize + 1).min(MAX_BINS),
        stride: expected_periods.div_ceil(MAX_ROWS / 2).max(1),
        horizon: forecast.horizon,
        horizon_period: forecast.horizon.unwrap_or(0),
        cap: forecast.cap,
    };
    let done = std::sync::atomic::AtomicU64::new(0);
    let acc = (0..trials.div_ceil(CHUNK))
        .into_par_iter()
        .fold(
            || (Accumulator::new(&layout), Scratch::default()),
            |(mut acc, mut scratch), chunk| {
                let first = chunk * CHUNK;
                let last = (first + CHUNK).min(trials);
                for trial in first..last {
                    acc.run_trial(&engine, backlog.as_ref(), &layout, trial, &mut scratch);
                }
                let finished = done.fetch_add(last - first, std::sync::atomic::Ordering::Relaxed);
                progress(finished + last - first);
                (acc, scratch)
            },
        )
        .map(|(acc, _)| acc)
        .reduce(
            || Accumulator::new(&layout),
            |mut a, b| {
                a.merge(&b);
                a
            },
        );
    summarise(acc, &layout, &forecast.percentiles)
}

fn mean(history: &[f64]) -> f64 {
    history.iter().sum::<f64>() / history.len() as f64
}

fn summarise(acc: Accumulator, layout: &Layout, percentiles: &[f64]) -> ForecastResults {
    let bins = layout.bins;
    let items = &acc.items;
    let mut finished_so_far = vec![0u64; bins];
    let mut finished_sum = FixedSum::default();
    let mut rows = Vec::with_capacity(items.rows());
    for r in 0..items.rows() {
        let period = (r + 1) * layout.stride;
        for (a, b) in finished_so_far
            .iter_mut()
            .zip(&items.finished[r * bins..(r + 1) * bins])
        {
            *a += b;
        }
        finished_sum.merge(&items.finished_sums[r]);
        let counts: Vec<u64> = finished_so_far
            .iter()
            .zip(&items.running[r * bins..(r + 1) * bins])
            .map(|(a, b)| a + b)
            .collect();
        let mut sum = finished_sum;
        sum.merge(&items.running_sums[r]);
        rows.push(PeriodRow {
            period,
            p_done_by: acc.finish.fraction_by(period.min(layout.cap)),
            items: ItemsDone::of(&counts, &sum, layout.width).with_at_least(
                &counts,
                layout.width,
                percentiles,
            ),
        });
    }
    let at_horizon = layout.horizon.map(|h| {
        (
            h,
            acc.finish.fraction_by(h),
            ItemsDone::of(&acc.at_horizon, &acc.at_horizon_sum, layout.width).with_at_least(
                &acc.at_horizon,
                layout.width,
                percentiles,
            ),
        )
    });
    ForecastResults {
        trials: acc.trials,
        cap: layout.cap,
        finish: acc.finish,
        rows,
        at_horizon,
        bin_width: layout.width,
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

    #[test]
    fn zero_backlog_is_rejected() {
        let e = Forecast::from_history(&[1.0], 0.0, None, None, PeriodLength::TWO_WEEKS);
        assert_eq!(e.unwrap_err(), ForecastError::Backlog(0.0));
    }
}
