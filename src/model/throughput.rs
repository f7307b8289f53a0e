//! A team's throughput history read as a time series of per-period counts, and the three
//! things a forecast reads from it before it resamples anything:
//!
//! - the team's **active span** ([`active_span`]): the stretches at either end in which the
//!   team finished nothing because it did not exist yet, or no longer did, are not part of
//!   its history;
//! - the **last level shift** ([`last_level_shift`]): where the team's pace last changed for
//!   good (people joined or left, a project wound down), by a CUSUM test for a change in mean
//!   (Page 1954; its limiting law under no change is the supremum of a Brownian bridge,
//!   Csörgő & Horváth 1997) on variance-stabilised counts with a long-run variance (Newey &
//!   West 1987), so that weeks that merely resemble their neighbours do not read as a shift.
//!   It is reported (a warning, a mark on the charts), not cut at: the calibration below
//!   absorbs a change of pace, and a window cut at it forecast worse on real histories;
//! - the **block length** ([`block_length`]): four weeks of consecutive periods drawn
//!   together, so that the series' autocorrelation survives the resampling.
//!
//! [`Throughput`] puts them together: the history a throughput team's capacity is drawn from,
//! the window of it that is resampled and in blocks of how many periods, as [`Method`] says.
//! Pure functions of the counts: no I/O, no randomness.

use std::ops::Range;
use std::sync::Arc;

use super::{Calendar, PeriodLength, PeriodUnit};

/// How a throughput history is resampled and how a forecast from it states its chances.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// A year in blocks: the last year of the history (idle periods before the team
    /// began cut) drawn in circular blocks of four weeks ([`block_length`]), and forecasts'
    /// chances corrected by how often the same forecasts came true on the history's own past
    /// (adaptive conformal inference, Gibbs & Candès 2021).
    #[default]
    Calibrated,
    /// The classic bootstrap: each period drawn independently from the whole history, as
    /// given (Vacanti's and Magennis' tools).
    Iid,
}

impl Method {
    /// Every method, in the order outputs list them.
    pub const ALL: [Method; 2] = [Method::Calibrated, Method::Iid];

    /// The word in the scenario file, on the command line and in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Calibrated => "calibrated",
            Method::Iid => "iid",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Method {
    type Err = String;

    fn from_str(s: &str) -> Result<Method, String> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("unknown method `{s}`: expected `calibrated` or `iid`"))
    }
}

/// A throughput team's capacity: per-period counts it finished, and how they are drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Throughput {
    /// Items finished per period, oldest first, as given.
    pub history: Arc<[f64]>,
    /// The periods of `history` that are resampled.
    pub window: Range<usize>,
    /// Consecutive periods drawn together (1: each period independently).
    pub block: u32,
    /// The last level shift found in the history (its `at` indexes `history`), when the
    /// method looks for one.
    pub shift: Option<LevelShift>,
    /// How the window and blocks were chosen.
    pub method: Method,
}

impl Throughput {
    /// The throughput of `history` read as `method` says, with `per_year` periods in a year
    /// (which sets the longest window, a year, and the idle gap that ends a team, two months).
    pub fn new(history: Arc<[f64]>, method: Method, per_year: f64) -> Throughput {
        let n = history.len();
        let (window, shift) = match method {
            Method::Iid => (0..n, None),
            Method::Calibrated => {
                let year = (per_year.round() as usize).max(1);
                let start = active_span(&history, idle_gap(per_year)).start.min(n);
                let shift = last_level_shift(&history[start..], min_segment(per_year)).map(|s| {
                    LevelShift {
                        at: start + s.at,
                        ..s
                    }
                });
                (start.max(n.saturating_sub(year))..n, shift)
            }
        };
        Throughput::of(history, window, shift, method, per_year)
    }

    /// The throughput of the last `last` periods of `history` (a window the user chose), in
    /// blocks as `method` says.
    pub fn windowed(history: Arc<[f64]>, method: Method, last: usize, per_year: f64) -> Throughput {
        let n = history.len();
        Throughput::of(history, n.saturating_sub(last)..n, None, method, per_year)
    }

    fn of(
        history: Arc<[f64]>,
        window: Range<usize>,
        shift: Option<LevelShift>,
        method: Method,
        per_year: f64,
    ) -> Throughput {
        let block = match method {
            Method::Iid => 1,
            Method::Calibrated => u32::try_from(block_length(per_year, window.len())).unwrap_or(1),
        };
        Throughput {
            history,
            window,
            block,
            shift,
            method,
        }
    }

    /// The periods drawn from.
    pub fn sampled(&self) -> &[f64] {
        &self.history[self.window.clone()]
    }

    /// Mean items per period of the periods drawn from.
    pub fn mean(&self) -> f64 {
        let s = self.sampled();
        s.iter().sum::<f64>() / s.len().max(1) as f64
    }
}

/// Periods of `length` in a year on `calendar` (working days only, when periods are days and
/// weekends are off).
pub fn per_year(length: PeriodLength, calendar: &Calendar) -> f64 {
    let working = if length.unit == PeriodUnit::Day && calendar.weekends_off() {
        5.0 / 7.0
    } else {
        1.0
    };
    length.per_year() * working
}

/// Idle periods that end a team's history (or separate stragglers from it): two months.
pub fn idle_gap(per_year: f64) -> usize {
    ((per_year * 8.0 / 52.0).round() as usize).max(2)
}

/// The fewest periods on each side of a level shift: six weeks.
pub fn min_segment(per_year: f64) -> usize {
    ((per_year * 6.0 / 52.0).round() as usize).max(4)
}

/// Share of a history's items below which an isolated stretch at one of its ends (cut off
/// from the rest by a gap of idle periods) counts as stragglers, not as the team's work.
pub const STRAGGLER_SHARE: f64 = 0.05;

/// The periods of `counts` in which the team existed: strict runs of zeros at either end cut,
/// and, at either end, clusters of activity holding less than [`STRAGGLER_SHARE`] of the items
/// that a run of at least `gap` idle periods separates from the rest (a test issue closed a
/// year before the team started, a straggler closed long after it stopped). A trailing run of
/// fewer than `gap` zeros is kept: that is a quiet spell of a team still at work. Empty when
/// every count is 0.
pub fn active_span(counts: &[f64], gap: usize) -> Range<usize> {
    let gap = gap.max(1);
    let total: f64 = counts.iter().sum();
    let busy = |x: &f64| *x > 0.0;
    let Some(first) = counts.iter().position(busy) else {
        return 0..0;
    };
    let last = counts.iter().rposition(busy).expect("a period is busy");
    let (mut start, mut end) = (first, last + 1);
    // A trailing idle run shorter than the gap is a pause, not the team's end.
    if counts.len() - end < gap {
        end = counts.len();
    }
    loop {
        let before = (start, end);
        if let Some(next) = after_leading_stragglers(&counts[start..end], gap, total) {
            start += next;
        }
        if let Some(keep) = before_trailing_stragglers(&counts[start..end], gap, total) {
            end = start + keep;
        }
        if (start, end) == before {
            return start..end;
        }
    }
}

/// Where `counts` starts again after a leading cluster of stragglers and the idle gap behind
/// it, if it starts with one.
fn after_leading_stragglers(counts: &[f64], gap: usize, total: f64) -> Option<usize> {
    let mut items = 0.0;
    let mut i = 0;
    while i < counts.len() {
        if counts[i] > 0.0 {
            items += counts[i];
            i += 1;
            continue;
        }
        let idle = counts[i..].iter().take_while(|&&x| x == 0.0).count();
        if idle >= gap && i + idle < counts.len() {
            return (items < STRAGGLER_SHARE * total).then_some(i + idle);
        }
        i += idle;
    }
    None
}

/// How many periods of `counts` to keep before a trailing cluster of stragglers and the idle
/// gap in front of it, if it ends with one.
fn before_trailing_stragglers(counts: &[f64], gap: usize, total: f64) -> Option<usize> {
    let busy_end = counts.iter().rposition(|&x| x > 0.0)? + 1;
    let mut items = 0.0;
    let mut i = busy_end;
    while i > 0 {
        if counts[i - 1] > 0.0 {
            items += counts[i - 1];
            i -= 1;
            continue;
        }
        let idle = counts[..i].iter().rev().take_while(|&&x| x == 0.0).count();
        if idle >= gap && idle < i {
            return (items < STRAGGLER_SHARE * total).then_some(i - idle);
        }
        i -= idle;
    }
    None
}

/// A lasting change in a team's pace.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LevelShift {
    /// The first period at the new pace (0-based index into the counts tested).
    pub at: usize,
    /// Mean count per period before it (within the stretch tested).
    pub before: f64,
    /// Mean count per period from it on.
    pub after: f64,
    /// The test's p-value: the chance of so large a CUSUM excursion without any shift.
    pub p_value: f64,
}

/// Significance below which a CUSUM excursion is a level shift: strict, since a forecast
/// tests for one at every origin and a false alarm costs it history.
pub const SHIFT_SIGNIFICANCE: f64 = 0.01;

/// The last lasting change of level in `counts`, if any: binary segmentation (Vostrikova
/// 1981) that keeps testing the stretch after each shift it finds, so that the result is
/// where the present pace began. Each side of a shift holds at least `min_segment` periods.
pub fn last_level_shift(counts: &[f64], min_segment: usize) -> Option<LevelShift> {
    let min_segment = min_segment.max(2);
    let mut found: Option<LevelShift> = None;
    let mut from = 0;
    while let Some(shift) = cusum_shift(&counts[from..], min_segment) {
        found = Some(LevelShift {
            at: from + shift.at,
            ..shift
        });
        from += shift.at;
    }
    found
}

/// The most significant change in mean of `counts` by the CUSUM test, when significant at
/// [`SHIFT_SIGNIFICANCE`].
fn cusum_shift(counts: &[f64], min_segment: usize) -> Option<LevelShift> {
    let n = counts.len();
    if n < 2 * min_segment {
        return None;
    }
    // Anscombe's transform makes counts' variance roughly constant whatever their level.
    let y: Vec<f64> = counts
        .iter()
        .map(|&c| (c.max(0.0) + 0.375).sqrt())
        .collect();
    let mean = y.iter().sum::<f64>() / n as f64;
    let (mut best, mut at, mut running) = (0.0_f64, 0, 0.0);
    for (k, v) in y.iter().enumerate().take(n - min_segment) {
        running += v - mean;
        if k + 1 >= min_segment && running.abs() > best {
            best = running.abs();
            at = k + 1;
        }
    }
    if best == 0.0 {
        return None;
    }
    // The long-run variance of the residuals around the two levels: around one level the
    // shift itself would inflate it and hide the shift.
    let left = y[..at].iter().sum::<f64>() / at as f64;
    let right = y[at..].iter().sum::<f64>() / (n - at) as f64;
    let residuals: Vec<f64> = y
        .iter()
        .enumerate()
        .map(|(i, v)| v - if i < at { left } else { right })
        .collect();
    let sd = long_run_variance(&residuals).sqrt();
    if sd.is_nan() || sd <= 0.0 {
        // No noise at all: any change of level is a shift.
        return (left != right).then(|| shift_at(counts, at, 0.0));
    }
    let statistic = best / (sd * (n as f64).sqrt());
    let p_value = kolmogorov_survival(statistic);
    (p_value < SHIFT_SIGNIFICANCE).then(|| shift_at(counts, at, p_value))
}

fn shift_at(counts: &[f64], at: usize, p_value: f64) -> LevelShift {
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
    LevelShift {
        at,
        before: mean(&counts[..at]),
        after: mean(&counts[at..]),
        p_value,
    }
}

/// The long-run variance of a mean-zero series: the Bartlett-weighted sum of its
/// autocovariances up to Newey & West's (1994) rule-of-thumb lag ⌊4 (n/100)^(2/9)⌋.
fn long_run_variance(e: &[f64]) -> f64 {
    let n = e.len();
    let lags = (4.0 * (n as f64 / 100.0).powf(2.0 / 9.0)).floor() as usize;
    let gamma = |k: usize| e[k..].iter().zip(e).map(|(a, b)| a * b).sum::<f64>() / n as f64;
    let mut v = gamma(0);
    for k in 1..=lags.min(n - 1) {
        v += 2.0 * (1.0 - k as f64 / (lags + 1) as f64) * gamma(k);
    }
    v.max(0.0)
}

/// P(sup |Brownian bridge| > x): Kolmogorov's distribution, 2 Σ (−1)^(j−1) e^(−2 j² x²).
pub fn kolmogorov_survival(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x < 0.3 {
        // The alternating series converges slowly here, and the answer is 1 to 1e-9.
        return 1.0;
    }
    let mut sum = 0.0;
    for j in 1..=100 {
        let jf = f64::from(j);
        let term = (-2.0 * jf * jf * x * x).exp();
        sum += if j % 2 == 1 { term } else { -term };
        if term < 1e-16 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// Consecutive periods drawn together: four weeks, so that a month's release, holiday or
/// burst of closing is drawn whole (a moving-block bootstrap, Künsch 1989; circular, Politis &
/// Romano 1992), and at most a quarter of the `window` periods drawn from, at least one.
///
/// A fixed month rather than a length estimated from the window's autocorrelation (Politis &
/// White 2004): on a year of weekly counts that estimate is too noisy to help, and on the
/// real histories of `docs/src/explanation/calibration.md` the month kept the forecasts
/// better calibrated and as sharp.
pub fn block_length(per_year: f64, window: usize) -> usize {
    let month = (per_year * 28.0 / 365.25).round() as usize;
    month.min(window / 4).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_active_span_cuts_idle_ends_and_stragglers() {
        // Strict zeros at the start; a short quiet spell at the end is kept.
        assert_eq!(active_span(&[0.0, 0.0, 3.0, 4.0, 0.0], 8), 2..5);
        // A long idle run at the end: the team stopped.
        let mut ended = vec![5.0; 20];
        ended.extend([0.0; 10]);
        assert_eq!(active_span(&ended, 8), 0..20);
        // A test issue a year before the team started, and a straggler long after it stopped.
        let mut h = vec![1.0];
        h.extend([0.0; 26]);
        h.extend([6.0; 40]);
        h.extend([0.0; 30]);
        h.push(1.0);
        assert_eq!(active_span(&h, 8), 27..67);
        // A cluster holding more than a twentieth of the items is the team's work: kept.
        let mut busy_start = vec![9.0; 5];
        busy_start.extend([0.0; 10]);
        busy_start.extend([6.0; 20]);
        assert_eq!(active_span(&busy_start, 8), 0..35);
        // Gaps shorter than `gap` never cut.
        let mut pause = vec![1.0];
        pause.extend([0.0; 5]);
        pause.extend([6.0; 40]);
        assert_eq!(active_span(&pause, 8), 0..46);
        assert_eq!(active_span(&[0.0, 0.0], 8), 0..0);
    }

    #[test]
    fn kolmogorovs_distribution_has_its_known_quantiles() {
        // The 95% and 99% points of sup |B| are 1.358 and 1.628.
        assert!((kolmogorov_survival(1.358) - 0.05).abs() < 5e-4);
        assert!((kolmogorov_survival(1.628) - 0.01).abs() < 2e-4);
        assert_eq!(kolmogorov_survival(0.0), 1.0);
    }

    #[test]
    fn a_clear_drop_in_pace_is_found_where_it_happened() {
        // 40 periods around 10, then 30 around 3, with period-to-period noise.
        let noise: [f64; 8] = [0.0, 2.0, -1.0, 1.0, -2.0, 1.0, 0.0, -1.0];
        let h: Vec<f64> = (0..70)
            .map(|i| {
                if i < 40 {
                    10.0 + noise[i % 8]
                } else {
                    3.0 + noise[i % 8].min(1.0)
                }
            })
            .collect();
        let shift = last_level_shift(&h, 6).expect("a shift");
        assert!((38..=42).contains(&shift.at), "{shift:?}");
        assert!(shift.before > 9.0 && shift.after < 4.5, "{shift:?}");
        // The same noise without a change of level: no shift.
        let steady: Vec<f64> = (0..70).map(|i| 10.0 + noise[i % 8]).collect();
        assert_eq!(last_level_shift(&steady, 6), None);
    }

    #[test]
    fn the_last_of_two_shifts_is_the_present_pace() {
        let mut h = vec![4.0, 6.0, 5.0, 5.0, 4.0, 6.0];
        h = h.repeat(5); // 30 periods around 5
        h.extend([12.0, 14.0, 13.0, 13.0, 12.0, 14.0].repeat(5)); // 30 around 13
        h.extend([1.0, 2.0, 1.0, 2.0, 1.0, 2.0].repeat(4)); // 24 around 1.5
        let shift = last_level_shift(&h, 6).expect("a shift");
        assert_eq!(shift.at, 60, "{shift:?}");
    }

    #[test]
    fn blocks_are_four_weeks_and_at_most_a_quarter_of_the_window() {
        let day = PeriodLength {
            count: 1,
            unit: PeriodUnit::Day,
        };
        let weekdays = per_year(day, &Calendar::for_period(day, Some(true), Vec::new()));
        assert_eq!(block_length(52.18, 52), 4);
        assert_eq!(block_length(26.09, 26), 2);
        assert_eq!(block_length(weekdays, 260), 20, "{weekdays}");
        assert_eq!(block_length(52.18, 10), 2);
        assert_eq!(block_length(52.18, 3), 1);
        assert_eq!(block_length(12.0, 24), 1);
    }
}
