//! The Monte Carlo simulator: one trial ([`trial`]), many in parallel (here), and the
//! streaming statistics that summarise them ([`stats`]).
//!
//! Trials run in fixed-size chunks on the ambient rayon pool; every accumulator merges with
//! integer arithmetic, so the results are bit-identical for any number of threads.

mod bits;
pub mod forecast;
pub mod policy;
pub mod rng;
pub mod scores;
pub mod stats;
pub mod trial;

use rayon::prelude::*;

use crate::model::Scenario;
pub use policy::{MissingPlan, Policy};
pub use stats::REPRESENTABLE;
use stats::{Moments, PeriodHistogram, QUANTILES, Sketch};
pub use trial::{Engine, Outcome, PeriodMetric, Recording, Scratch, SummaryMetric};

/// Trials per unit of parallel work: large enough to amortise scheduling, small enough to
/// balance two cores.
const CHUNK: u64 = 64;

/// Runs `trials` in chunks of `chunk` trials on the ambient rayon pool: each worker folds the
/// chunks it takes into an accumulator of its own (from `empty`), running
/// `run(accumulator, scratch, trials)` with a scratch of its own; then the accumulators are
/// merged. Its `progress` hears the number of trials finished so far; once its `cancelled`
/// says so, chunks not yet started are skipped. `merge` must be exact (every accumulator's is) so that
/// the result does not depend on how the work was split between threads.
fn fold_trials<A: Send, S: Default + Send>(
    trials: Trials<'_>,
    chunk: u64,
    empty: impl Fn() -> A + Sync + Send,
    run: impl Fn(&mut A, &mut S, std::ops::Range<u64>) + Sync + Send,
    merge: impl Fn(&mut A, &A) + Sync + Send,
) -> A {
    let Trials {
        range,
        progress,
        cancelled,
    } = trials;
    let done = std::sync::atomic::AtomicU64::new(0);
    (0..(range.end - range.start).div_ceil(chunk))
        .into_par_iter()
        .fold(
            || (empty(), S::default()),
            |(mut acc, mut scratch), k| {
                if cancelled() {
                    return (acc, scratch);
                }
                let first = range.start + k * chunk;
                let last = (first + chunk).min(range.end);
                run(&mut acc, &mut scratch, first..last);
                let finished = done.fetch_add(last - first, std::sync::atomic::Ordering::Relaxed);
                progress(finished + last - first);
                (acc, scratch)
            },
        )
        .map(|(acc, _)| acc)
        .reduce(&empty, |mut a, b| {
            merge(&mut a, &b);
            a
        })
}

/// What to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Trials of a whole run, numbered from 0 (a shard runs a range of them).
    pub trials: u64,
    /// Master seed every trial's random streams derive from.
    pub seed: u64,
    /// What each trial records beyond its whole-trial outcomes.
    pub recording: Recording,
    /// The first this many trials keep their sampled inputs and outcomes
    /// ([`Results::samples`]), for the sensitivity analysis.
    pub samples: u64,
}

impl Settings {
    /// A full run of `scenario` (every period recorded, progress at the horizon).
    pub fn for_run(scenario: &Scenario, trials: u64, seed: u64) -> Settings {
        Settings {
            trials,
            seed,
            recording: Recording {
                periods: true,
                stop_when_done: false,
                checkpoint: scenario.periods,
            },
            samples: 0,
        }
    }

    /// A run of `scenario` that records whole-trial outcomes only, no period by period
    /// metrics (a sweep's points, a price's effects).
    pub fn outcomes_only(scenario: &Scenario, trials: u64, seed: u64) -> Settings {
        Settings {
            recording: Recording {
                periods: false,
                ..Settings::for_run(scenario, trials, seed).recording
            },
            ..Settings::for_run(scenario, trials, seed)
        }
    }
}

/// One trial's sampled inputs (in [`Engine::sampled_input_names`] order) and every
/// strategy's whole-trial outcomes.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrialSample {
    /// The trial's draw of each sampled input, in [`Samples::inputs`] order.
    #[serde(with = "bits::list")]
    pub inputs: Vec<f64>,
    /// `[strategy][summary metric]`, in [`SummaryMetric::ALL`] order.
    #[serde(with = "bits::list")]
    pub summaries: Vec<f64>,
}

impl TrialSample {
    /// Strategy `s`'s value of `metric`.
    pub fn summary(&self, s: usize, metric: SummaryMetric) -> f64 {
        self.summaries[s * SummaryMetric::ALL.len() + metric as usize]
    }
}

/// The trials kept for the sensitivity analysis.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Samples {
    /// Names of the sampled inputs.
    pub inputs: Vec<String>,
    /// The first trials, in trial order.
    pub trials: Vec<TrialSample>,
}

/// Which trials of a run to simulate, who hears how many are done, and when to give up: the
/// whole run, a shard's share of it, or a slice an interactive caller may drop.
#[derive(Clone)]
pub struct Trials<'a> {
    /// The trials, numbered within the run (trial `i` always draws from its own stream, so
    /// ranges merge into exactly the whole run).
    pub range: std::ops::Range<u64>,
    /// Hears the number of trials of `range` finished so far.
    pub progress: &'a (dyn Fn(u64) + Sync),
    /// Asked before each chunk of trials: once it says true, the chunks not yet started are
    /// skipped (an interactive caller drops stale work this way).
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
}

impl Trials<'static> {
    /// Trials `range`, silently, never cancelled.
    pub fn range(range: std::ops::Range<u64>) -> Trials<'static> {
        Trials {
            range,
            progress: &|_| {},
            cancelled: &|| false,
        }
    }

    /// All `trials` trials of a run, silently, never cancelled.
    pub fn all(trials: u64) -> Trials<'static> {
        Trials::range(0..trials)
    }
}

impl<'a> Trials<'a> {
    /// These trials, `progress` hearing how many are done.
    pub fn reporting<'b>(self, progress: &'b (dyn Fn(u64) + Sync)) -> Trials<'b>
    where
        'a: 'b,
    {
        Trials { progress, ..self }
    }

    /// These trials, given up once `cancelled` says so.
    pub fn unless<'b>(self, cancelled: &'b (dyn Fn() -> bool + Sync)) -> Trials<'b>
    where
        'a: 'b,
    {
        Trials { cancelled, ..self }
    }
}

/// Runs `trials` of every policy on the ambient rayon pool, as the run `settings` describes:
/// the statistics of those trials, to [`Results::merge`] with other ranges' into exactly the
/// results of the whole run. A run that `trials.cancelled` stopped holds only the chunks it
/// finished: the caller that cancelled it drops them.
pub fn run(
    scenario: &Scenario,
    policies: Vec<Policy>,
    names: Vec<String>,
    settings: &Settings,
    trials: Trials<'_>,
) -> Results {
    let engine = Engine::new(scenario, policies, settings.seed, settings.recording);
    let shape = Shape {
        strategies: names.len(),
        periods: if settings.recording.periods {
            scenario.periods
        } else {
            0
        },
        width: engine.period_width(),
        initiatives: scenario.initiatives.len(),
        key_results: scenario.key_results.len(),
        horizon: scenario.periods,
    };
    let accumulator = fold_trials(
        trials,
        CHUNK,
        || Accumulator::new(&shape),
        |acc: &mut Accumulator, scratch: &mut Scratch, trials| {
            for trial in trials {
                engine.run_trial(trial, scratch);
                acc.record(scenario, trial, &scratch.outcomes);
                if trial < settings.samples {
                    acc.samples.push((trial, sample(&engine, scratch)));
                }
            }
            acc.flush();
        },
        |a, b| a.merge(b),
    );
    let mut accumulator = accumulator;
    let mut kept = std::mem::take(&mut accumulator.samples);
    kept.sort_by_key(|&(trial, _)| trial);
    Results {
        strategies: names,
        shape,
        accumulator,
        samples: Samples {
            inputs: if settings.samples > 0 {
                engine.sampled_input_names()
            } else {
                Vec::new()
            },
            trials: kept.into_iter().map(|(_, sample)| sample).collect(),
        },
    }
}

/// The sampled inputs and outcomes of the trial just run on `scratch`.
fn sample(engine: &Engine, scratch: &Scratch) -> TrialSample {
    let mut inputs = Vec::new();
    engine.sampled_inputs(scratch, &mut inputs);
    TrialSample {
        inputs,
        summaries: scratch
            .outcomes
            .iter()
            .flat_map(|o| o.summary.iter().copied())
            .collect(),
    }
}

/// Sizes of the result tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Shape {
    strategies: usize,
    /// Periods recorded (0 when per-period metrics are off).
    periods: usize,
    width: usize,
    initiatives: usize,
    key_results: usize,
    /// Periods simulated for deadlines and finish histograms.
    horizon: usize,
}

/// Merged statistics of all trials.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Accumulator {
    trials: u64,
    /// `[strategy][period][metric]`.
    periods: Vec<Sketch>,
    /// `[strategy][summary metric]`.
    summary: Vec<Sketch>,
    /// `[strategy][summary metric]`: this strategy minus the first, per trial.
    paired: Vec<Sketch>,
    /// `[strategy][initiative]`.
    finish: Vec<PeriodHistogram>,
    by_deadline: Vec<u64>,
    progress: Vec<Moments>,
    /// `[strategy][key result]`.
    met: Vec<u64>,
    attainment: Vec<Sketch>,
    /// Trials kept for the sensitivity analysis, with their index (merged in any order).
    samples: Vec<(u64, TrialSample)>,
    /// The period rows of the trials recorded since the last [`Accumulator::flush`], trial
    /// after trial (`[trial][strategy][period][column]`), and the first of those trials.
    /// Adding a chunk's values cell by cell brings each sketch into cache once per chunk
    /// instead of once per trial: the per-period sketches of a large scenario do not fit the
    /// cache, and adding them trial by trial cost a third of a run.
    #[serde(skip)]
    pending: Vec<f64>,
    #[serde(skip)]
    pending_first: u64,
    /// The first value (by trial, strategy, position) beyond what the statistics represent.
    /// Not written to a shard: such a run is refused, shard or not.
    #[serde(skip)]
    unrepresentable: Option<Unrepresentable>,
    shape: Shape,
}

/// A simulated value beyond [`stats::REPRESENTABLE`]: the statistics of the run would be wrong,
/// so the run must not be reported (the scenario's growth rates or horizon are absurd).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unrepresentable {
    /// The trial it came up in.
    pub trial: u64,
    /// Index of the strategy, in the run's order.
    pub strategy: usize,
    /// Which quantity of the trial it is.
    pub quantity: Quantity,
    /// The value, greater than [`stats::REPRESENTABLE`] in magnitude.
    pub value: f64,
}

/// Which recorded quantity of a trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// A whole-trial outcome.
    Summary(SummaryMetric),
    /// Column `column` of a period row ([`PeriodMetric::ALL`], then key results' values).
    Period {
        /// 1-based.
        period: usize,
        /// Index into the period row.
        column: usize,
    },
}

impl Unrepresentable {
    /// Whether this comes first in trial order (then strategy, then position).
    fn precedes(&self, other: &Unrepresentable) -> bool {
        let rank = |u: &Unrepresentable| {
            let position = match u.quantity {
                Quantity::Period { period, column } => (0, period, column),
                Quantity::Summary(m) => (1, 0, m as usize),
            };
            (u.trial, u.strategy, position)
        };
        rank(self) < rank(other)
    }
}

impl Accumulator {
    fn new(shape: &Shape) -> Accumulator {
        let s = shape.strategies;
        Accumulator {
            trials: 0,
            periods: vec![Sketch::default(); s * shape.periods * shape.width],
            summary: vec![Sketch::default(); s * SummaryMetric::ALL.len()],
            paired: vec![Sketch::default(); s * SummaryMetric::ALL.len()],
            finish: vec![PeriodHistogram::new(shape.horizon); s * shape.initiatives],
            by_deadline: vec![0; s * shape.initiatives],
            progress: vec![Moments::default(); s * shape.initiatives],
            met: vec![0; s * shape.key_results],
            attainment: vec![Sketch::default(); s * shape.key_results],
            samples: Vec::new(),
            pending: Vec::new(),
            pending_first: 0,
            unrepresentable: None,
            shape: *shape,
        }
    }

    fn record(&mut self, scenario: &Scenario, trial: u64, outcomes: &[Outcome]) {
        let shape = self.shape;
        self.trials += 1;
        let metrics = SummaryMetric::ALL.len();
        if shape.periods > 0 {
            if self.pending.is_empty() {
                self.pending_first = trial;
            }
            for outcome in outcomes {
                self.pending.extend_from_slice(&outcome.periods);
            }
        }
        for (s, outcome) in outcomes.iter().enumerate() {
            for (m, &value) in outcome.summary.iter().enumerate() {
                if value.abs() > stats::REPRESENTABLE {
                    let quantity = Quantity::Summary(SummaryMetric::ALL[m]);
                    note_unrepresentable(&mut self.unrepresentable, trial, s, quantity, value);
                }
                self.summary[s * metrics + m].add(value);
                self.paired[s * metrics + m].add(value - outcomes[0].summary[m]);
            }
            for (i, initiative) in scenario.initiatives.iter().enumerate() {
                let slot = s * shape.initiatives + i;
                let finished = outcome.finished[i] as usize;
                self.finish[slot].add(finished);
                if finished > 0 && initiative.deadline.is_some_and(|d| finished <= d) {
                    self.by_deadline[slot] += 1;
                }
                self.progress[slot].add(outcome.progress[i]);
            }
            for k in 0..shape.key_results {
                let slot = s * shape.key_results + k;
                self.met[slot] += u64::from(outcome.met[k]);
                self.attainment[slot].add(outcome.attainment[k]);
            }
        }
    }

    /// Adds the pending period rows to the per-period sketches, cell by cell.
    fn flush(&mut self) {
        let cells = self.periods.len();
        if cells == 0 || self.pending.is_empty() {
            return;
        }
        let (periods, width) = (self.shape.periods, self.shape.width);
        for (cell, sketch) in self.periods.iter_mut().enumerate() {
            for (k, row) in self.pending.chunks_exact(cells).enumerate() {
                let value = row[cell];
                if value.abs() > stats::REPRESENTABLE {
                    let quantity = Quantity::Period {
                        period: cell / width % periods + 1,
                        column: cell % width,
                    };
                    let (trial, strategy) = (self.pending_first + k as u64, cell / width / periods);
                    note_unrepresentable(
                        &mut self.unrepresentable,
                        trial,
                        strategy,
                        quantity,
                        value,
                    );
                }
                sketch.add(value);
            }
        }
        self.pending.clear();
    }

    fn merge(&mut self, other: &Accumulator) {
        self.trials += other.trials;
        if let Some(u) = other.unrepresentable {
            note_unrepresentable(
                &mut self.unrepresentable,
                u.trial,
                u.strategy,
                u.quantity,
                u.value,
            );
        }
        self.samples.extend(other.samples.iter().cloned());
        let pairs =
            |a: &mut [Sketch], b: &[Sketch]| a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
        pairs(&mut self.periods, &other.periods);
        pairs(&mut self.summary, &other.summary);
        pairs(&mut self.paired, &other.paired);
        pairs(&mut self.attainment, &other.attainment);
        self.finish
            .iter_mut()
            .zip(&other.finish)
            .for_each(|(x, y)| x.merge(y));
        self.progress
            .iter_mut()
            .zip(&other.progress)
            .for_each(|(x, y)| x.merge(y));
        self.by_deadline
            .iter_mut()
            .zip(&other.by_deadline)
            .for_each(|(x, y)| *x += y);
        self.met
            .iter_mut()
            .zip(&other.met)
            .for_each(|(x, y)| *x += y);
    }
}

/// Keeps `found` if it comes before the first unrepresentable value noted so far.
#[cold]
fn note_unrepresentable(
    first: &mut Option<Unrepresentable>,
    trial: u64,
    strategy: usize,
    quantity: Quantity,
    value: f64,
) {
    let found = Unrepresentable {
        trial,
        strategy,
        quantity,
        value,
    };
    if first.is_none_or(|u| found.precedes(&u)) {
        *first = Some(found);
    }
}

/// Mean, its Monte Carlo standard error, and the reported quantiles of one quantity.
#[derive(Clone, Debug, PartialEq)]
pub struct Distributional {
    /// Mean over the trials.
    pub mean: f64,
    /// Standard error of the mean (sd / √n).
    pub mean_se: f64,
    /// Values at [`QUANTILES`].
    pub quantiles: [f64; 7],
}

impl Distributional {
    /// The mean, its standard error and the reported quantiles of what `sketch` has seen.
    pub fn of(sketch: &Sketch) -> Distributional {
        let m = sketch.moments();
        Distributional {
            mean: sketch.mean(),
            mean_se: m.sd() / (m.count.max(1) as f64).sqrt(),
            quantiles: QUANTILES.map(|(_, q)| sketch.quantile(q)),
        }
    }

    /// The quantile at probability `q`, one of [`QUANTILES`].
    pub fn at(&self, q: f64) -> f64 {
        let i = QUANTILES
            .iter()
            .position(|(_, p)| (*p - q).abs() < 1e-12)
            .expect("q is one of the reported quantiles");
        self.quantiles[i]
    }
}

/// How an initiative fared under one strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct InitiativeStats {
    /// Probability it finishes within the horizon.
    pub p_done: f64,
    /// Probability it finishes by its deadline (`None` without a deadline).
    pub p_by_deadline: Option<f64>,
    /// Finish period at P50, P85, P95 (`None`: not within the horizon at that probability).
    pub finish: [Option<usize>; 3],
    /// Mean fraction of its work done by the end of the horizon.
    pub mean_progress: f64,
}

/// How a key result fared under one strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyResultStats {
    /// Probability it is met at its deadline.
    pub p_met: f64,
    /// Its attainment at its deadline, in [0, 1], over the trials.
    pub attainment: Distributional,
}

/// A paired comparison of one summary metric: strategy minus the first strategy, per trial.
#[derive(Clone, Debug, PartialEq)]
pub struct PairedDifference {
    /// Mean over the trials of the difference.
    pub mean: f64,
    /// 95% confidence interval of the mean difference.
    pub ci95: (f64, f64),
    /// Fraction of trials in which the difference is positive.
    pub p_positive: f64,
    /// Fraction of trials in which it is zero (a tie: scores that saturate tie often).
    pub p_zero: f64,
}

/// The results of a simulation: read them through the accessors. Serialisable, exactly, for
/// the shards of a run split across machines.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Results {
    /// Strategy names, in input order.
    pub strategies: Vec<String>,
    shape: Shape,
    accumulator: Accumulator,
    /// The first [`Settings::samples`] trials' inputs and outcomes.
    pub samples: Samples,
}

/// Why two shards' results cannot be merged.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the shards' statistics have different shapes (strategies, periods or columns)")]
pub struct ShapeMismatch;

impl Results {
    /// Adds the statistics of `later`, the results of the trials that follow these (kept
    /// samples are appended, so merge ranges in trial order): the results of all the trials,
    /// bit for bit what one run of them gives.
    pub fn merge(&mut self, later: &Results) -> Result<(), ShapeMismatch> {
        if self.shape != later.shape || self.strategies != later.strategies {
            return Err(ShapeMismatch);
        }
        self.accumulator.merge(&later.accumulator);
        if self.samples.trials.is_empty() {
            self.samples.inputs = later.samples.inputs.clone();
        }
        self.samples
            .trials
            .extend(later.samples.trials.iter().cloned());
        Ok(())
    }

    /// Trials run.
    pub fn trials(&self) -> u64 {
        self.accumulator.trials
    }

    /// The first simulated value (by trial) beyond what the statistics represent exactly; the
    /// results must then not be reported.
    pub fn unrepresentable(&self) -> Option<Unrepresentable> {
        self.accumulator.unrepresentable
    }

    /// Periods recorded per trial (0 when per-period metrics were off).
    pub fn periods(&self) -> usize {
        self.shape.periods
    }

    /// A whole-trial metric of strategy `s`.
    pub fn summary(&self, s: usize, metric: SummaryMetric) -> Distributional {
        Distributional::of(
            &self.accumulator.summary[s * SummaryMetric::ALL.len() + metric as usize],
        )
    }

    /// The raw sketch of a whole-trial metric (for custom quantiles).
    pub fn summary_sketch(&self, s: usize, metric: SummaryMetric) -> &Sketch {
        &self.accumulator.summary[s * SummaryMetric::ALL.len() + metric as usize]
    }

    /// Column `m` of period `t` (1-based) of strategy `s`: [`PeriodMetric::ALL`] then one
    /// cumulative value per key result.
    pub fn period(&self, s: usize, t: usize, m: usize) -> Distributional {
        let shape = self.shape;
        Distributional::of(&self.accumulator.periods[(s * shape.periods + t - 1) * shape.width + m])
    }

    /// How initiative `i` fared under strategy `s`.
    pub fn initiative(&self, s: usize, i: usize, deadline: Option<usize>) -> InitiativeStats {
        let slot = s * self.shape.initiatives + i;
        let hist = &self.accumulator.finish[slot];
        let trials = self.trials().max(1) as f64;
        InitiativeStats {
            p_done: hist.fraction_by(hist.periods()),
            p_by_deadline: deadline.map(|_| self.accumulator.by_deadline[slot] as f64 / trials),
            finish: [0.5, 0.85, 0.95].map(|q| hist.quantile(q)),
            mean_progress: self.accumulator.progress[slot].mean(),
        }
    }

    /// The exact histogram of initiative `i`'s finish period under strategy `s`.
    pub fn finish_histogram(&self, s: usize, i: usize) -> &PeriodHistogram {
        &self.accumulator.finish[s * self.shape.initiatives + i]
    }

    /// Mean progress (fraction of work done) of initiative `i` at the checkpoint.
    pub fn progress(&self, s: usize, i: usize) -> &Moments {
        &self.accumulator.progress[s * self.shape.initiatives + i]
    }

    /// How key result `k` fared under strategy `s`.
    pub fn key_result(&self, s: usize, k: usize) -> KeyResultStats {
        let slot = s * self.shape.key_results + k;
        KeyResultStats {
            p_met: self.accumulator.met[slot] as f64 / self.trials().max(1) as f64,
            attainment: Distributional::of(&self.accumulator.attainment[slot]),
        }
    }

    /// Strategy `s` minus the first strategy, paired by trial.
    pub fn paired(&self, s: usize, metric: SummaryMetric) -> PairedDifference {
        let sketch = &self.accumulator.paired[s * SummaryMetric::ALL.len() + metric as usize];
        let m = sketch.moments();
        let half = m.ci95();
        let mean = m.mean();
        let [_, zero, positive] = sketch.signs();
        let share = |k: u64| {
            if sketch.count() == 0 {
                f64::NAN
            } else {
                k as f64 / sketch.count() as f64
            }
        };
        PairedDifference {
            mean,
            ci95: (mean - half, mean + half),
            p_positive: share(positive),
            p_zero: share(zero),
        }
    }
}
