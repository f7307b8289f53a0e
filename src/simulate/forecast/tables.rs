//! A forecast's statistics: exact counts of finish periods and of items done per period in
//! whole-item bins, and fixed-point sums, merged with integer arithmetic.

use super::super::stats::{PeriodHistogram, QUANTILES};
use super::walk::{Levels, Question};
use super::{BIN_EPSILON, Forecast};

/// A sum of values truncated to multiples of 2⁻³² (exact for values below 2·10⁹): integer
/// arithmetic, so it merges to the same bits in any order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FixedSum(i128);

impl FixedSum {
    const SCALE: f64 = 4_294_967_296.0;

    /// Adds `x`, truncated towards zero to a multiple of 2⁻³².
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.0 += i128::from((x * Self::SCALE) as i64);
    }

    /// Adds a sum of whole numbers: the same bits as adding each of them.
    #[inline]
    pub fn add_whole(&mut self, n: u64) {
        self.0 += i128::from(n) << 32;
    }

    /// Adds the sum `other`.
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
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct ItemsTable {
    pub(super) bins: usize,
    pub(super) running: Vec<u64>,
    pub(super) running_sums: Vec<FixedSum>,
    pub(super) finished: Vec<u64>,
    pub(super) finished_sums: Vec<FixedSum>,
}

impl ItemsTable {
    pub(super) fn new(bins: usize) -> ItemsTable {
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
    pub(super) fn grow(&mut self, row: usize) {
        if row >= self.running_sums.len() {
            self.add_rows(row + 1);
        }
    }

    /// Grows to `rows` rows: rare (a few times per batch of trials), so kept out of the
    /// per-period code, where its calls would make the hot values spill to the stack.
    #[cold]
    #[inline(never)]
    pub(super) fn add_rows(&mut self, rows: usize) {
        self.running.resize(rows * self.bins, 0);
        self.finished.resize(rows * self.bins, 0);
        self.running_sums.resize(rows, FixedSum::default());
        self.finished_sums.resize(rows, FixedSum::default());
    }

    pub(super) fn rows(&self) -> usize {
        self.running_sums.len()
    }

    /// Records the end of period t of a trial with `work_done` items done, `done` when the
    /// backlog is; `at_horizon` keeps the items done at the horizon.
    #[inline(always)]
    pub(super) fn observe(
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

    pub(super) fn merge(&mut self, other: &ItemsTable) {
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
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Layout {
    /// Items per bin (1 unless the backlog is huge), and its inverse.
    #[serde(with = "crate::simulate::bits")]
    pub(super) width: f64,
    #[serde(with = "crate::simulate::bits")]
    pub(super) per_item: f64,
    pub(super) bins: usize,
    /// Every `stride`-th period gets a row.
    pub(super) stride: usize,
    pub(super) horizon: Option<usize>,
    /// The horizon, or 0 (no period) without one.
    pub(super) horizon_period: usize,
    pub(super) cap: usize,
}

impl Layout {
    #[inline]
    pub(super) fn bin(&self, items: f64) -> usize {
        // `as usize` saturates: negative values land in bin 0.
        (((items + BIN_EPSILON) * self.per_item) as usize).min(self.bins - 1)
    }

    /// The row of period t, when t has one.
    #[inline]
    pub(super) fn row(&self, t: usize) -> Option<usize> {
        if self.stride == 1 {
            Some(t - 1)
        } else {
            t.is_multiple_of(self.stride).then(|| t / self.stride - 1)
        }
    }
}

/// Statistics of a batch of trials (merged exactly).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct Accumulator {
    pub(super) trials: u64,
    pub(super) finish: PeriodHistogram,
    pub(super) items: ItemsTable,
    /// Items done by the horizon: bins and their sum.
    pub(super) at_horizon: Vec<u64>,
    pub(super) at_horizon_sum: FixedSum,
}

impl Accumulator {
    pub(super) fn new(layout: &Layout) -> Accumulator {
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

    pub(super) fn merge(&mut self, other: &Accumulator) {
        self.trials += other.trials;
        self.finish.merge(&other.finish);
        self.items.merge(&other.items);
        for (a, b) in self.at_horizon.iter_mut().zip(&other.at_horizon) {
            *a += b;
        }
        self.at_horizon_sum.merge(&other.at_horizon_sum);
    }

    /// Records a trial that finished in period `finished` (0: not within the cap) with
    /// `work` to do and `at_horizon` done by the horizon if it had not finished by then.
    #[inline]
    pub(super) fn record(
        &mut self,
        layout: &Layout,
        finished: usize,
        work: f64,
        mut at_horizon: f64,
    ) {
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

/// The statistics of some of a forecast's trials (a shard's), exact and mergeable in any
/// order: [`ForecastState::finish`] of the merged states of every trial range is bit for bit
/// the forecast of all the trials.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ForecastState {
    pub(super) layout: Layout,
    pub(super) acc: Accumulator,
}

/// Why two forecast states cannot be merged.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the shards' forecasts bin their statistics differently (not the same question)")]
pub struct LayoutMismatch;

impl ForecastState {
    /// Trials counted.
    pub fn trials(&self) -> u64 {
        self.acc.trials
    }

    /// Adds the statistics of `other`'s trials.
    pub fn merge(&mut self, other: &ForecastState) -> Result<(), LayoutMismatch> {
        if self.layout != other.layout {
            return Err(LayoutMismatch);
        }
        self.acc.merge(&other.acc);
        Ok(())
    }

    /// The forecast read at its percentiles, each at the level [`Forecast::levels`] says.
    pub fn finish(self, forecast: &Forecast) -> ForecastResults {
        summarise(
            self.acc,
            &self.layout,
            &forecast.percentiles,
            &forecast.levels,
        )
    }
}

/// The distribution of items done at one period.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemsDone {
    /// Mean items done over the trials, from the values themselves rather than their bins.
    pub mean: f64,
    /// Values at [`QUANTILES`] (p5 … p95), in whole items (lower edge of their bin).
    pub quantiles: [f64; 7],
    /// For each of the forecast's percentiles p: the most items N with P(items done ≥ N) ≥ p
    /// ("at least N items with 85% chance"), the lower quantile at 1 − p.
    pub at_least: Vec<f64>,
    /// P(items done ≥ `at_least[k]`) (on the calibration curve): at least the percentile, more
    /// where items come in steps.
    pub at_least_chance: Vec<f64>,
}

impl ItemsDone {
    pub(super) fn of(counts: &[u64], sum: &FixedSum, width: f64) -> ItemsDone {
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
    pub(super) fn with_at_least(
        mut self,
        counts: &[u64],
        width: f64,
        percentiles: &[f64],
    ) -> ItemsDone {
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
    /// 1-based: a multiple of the reporting stride.
    pub period: usize,
    /// Probability the backlog is done by the end of this period.
    pub p_done_by: f64,
    /// Items done by the end of this period (the whole backlog in trials done by then).
    pub items: ItemsDone,
}

/// What a forecast found.
#[derive(Clone, Debug)]
pub struct ForecastResults {
    /// Trials run.
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
    /// The percentiles the forecast states.
    pub percentiles: Vec<f64>,
    /// The level each of them is read at.
    pub levels: Levels,
}

impl ForecastResults {
    /// Finish period with probability `q`: one of the forecast's percentiles is read at its
    /// level, any other probability as it is (`None`: not within the cap at that level).
    pub fn percentile(&self, q: f64) -> Option<usize> {
        let level = self
            .levels
            .curve(Question::When, &self.percentiles)
            .level(q);
        self.finish.quantile(level)
    }

    /// Probability the backlog is done by the end of period `t` (on the calibration curve).
    pub fn p_done_by(&self, t: usize) -> f64 {
        let base = self.finish.fraction_by(t.min(self.cap));
        self.levels
            .curve(Question::When, &self.percentiles)
            .chance(base)
    }

    /// Trials not done within the cap.
    pub fn not_done(&self) -> u64 {
        self.finish.count(0)
    }
}

/// The results of the merged statistics.
pub(super) fn summarise(
    acc: Accumulator,
    layout: &Layout,
    percentiles: &[f64],
    levels: &Levels,
) -> ForecastResults {
    let read: Vec<f64> = (0..percentiles.len())
        .map(|k| levels.read(Question::HowMany, k, percentiles))
        .collect();
    let when = levels.curve(Question::When, percentiles);
    let how_many = levels.curve(Question::HowMany, percentiles);
    let calibrated = |mut items: ItemsDone| {
        for c in &mut items.at_least_chance {
            *c = how_many.chance(*c);
        }
        items
    };
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
            p_done_by: when.chance(acc.finish.fraction_by(period.min(layout.cap))),
            items: calibrated(ItemsDone::of(&counts, &sum, layout.width).with_at_least(
                &counts,
                layout.width,
                &read,
            )),
        });
    }
    let at_horizon =
        layout.horizon.map(|h| {
            (
                h,
                when.chance(acc.finish.fraction_by(h)),
                calibrated(
                    ItemsDone::of(&acc.at_horizon, &acc.at_horizon_sum, layout.width)
                        .with_at_least(&acc.at_horizon, layout.width, &read),
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
        percentiles: percentiles.to_vec(),
        levels: levels.clone(),
    }
}
