//! Streaming statistics whose memory does not grow with the number of trials and whose
//! results do not depend on how trials were split across threads.
//!
//! Every accumulator merges with integer arithmetic only (counts, and sums in 2⁻³² fixed
//! point), so merging is associative and commutative: any thread count gives the same bits.

/// Fixed-point scale of sums: values are rounded to 2⁻³² before they are added.
const FIXED: f64 = 4_294_967_296.0;

/// Count, sum and sum of squares, merged exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Moments {
    pub count: u64,
    sum: i128,
    sum_sq: i128,
}

impl Moments {
    /// Adds one value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.count += 1;
        self.sum = self.sum.saturating_add((x * FIXED).round() as i128);
        self.sum_sq = self.sum_sq.saturating_add((x * x * FIXED).round() as i128);
    }

    /// Adds everything `other` has seen.
    pub fn merge(&mut self, other: &Moments) {
        self.count += other.count;
        self.sum = self.sum.saturating_add(other.sum);
        self.sum_sq = self.sum_sq.saturating_add(other.sum_sq);
    }

    /// The mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        self.sum as f64 / FIXED / self.count as f64
    }

    /// The sample standard deviation (0 with fewer than two values).
    pub fn sd(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        let n = self.count as f64;
        let mean = self.mean();
        let mean_sq = self.sum_sq as f64 / FIXED / n;
        ((mean_sq - mean * mean).max(0.0) * n / (n - 1.0)).sqrt()
    }

    /// Half-width of the normal-approximation 95% confidence interval of the mean.
    pub fn ci95(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        1.959_963_984_540_054 * self.sd() / (self.count as f64).sqrt()
    }
}

/// Bits of the mantissa kept in a bucket index: 2⁷ = 128 buckets per power of two, so a
/// bucket's midpoint is within 2⁻⁸ ≈ 0.39% of any value in it.
const MANTISSA_BITS_KEPT: u32 = 7;
const SHIFT: u32 = 52 - MANTISSA_BITS_KEPT;
/// Magnitudes below this count as zero (keeps the bucket range small).
const TINY: f64 = 1e-12;

/// Dense bucket counts over a growing index range.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Store {
    offset: i64,
    counts: Vec<u64>,
}

impl Store {
    #[inline]
    fn add(&mut self, index: i64, n: u64) {
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(0);
        } else if index < self.offset {
            let grow = (self.offset - index) as usize;
            let slack = (self.counts.len() / 2).min(64);
            let grow = grow + slack;
            let mut counts = vec![0; grow];
            counts.extend_from_slice(&self.counts);
            self.counts = counts;
            self.offset -= grow as i64;
        } else if index >= self.offset + self.counts.len() as i64 {
            let need = (index - self.offset) as usize + 1;
            let slack = (self.counts.len() / 2).min(64);
            self.counts.resize(need + slack, 0);
        }
        self.counts[(index - self.offset) as usize] += n;
    }

    fn merge(&mut self, other: &Store) {
        for (k, &n) in other.counts.iter().enumerate() {
            if n > 0 {
                self.add(other.offset + k as i64, n);
            }
        }
    }

    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Bucket index of a positive magnitude: the top bits of its IEEE-754 representation, which
/// order like the values themselves.
#[inline]
fn index_of(magnitude: f64) -> i64 {
    (magnitude.to_bits() >> SHIFT) as i64
}

/// The midpoint of a bucket.
fn value_of(index: i64) -> f64 {
    let lo = f64::from_bits((index as u64) << SHIFT);
    let hi = f64::from_bits(((index + 1) as u64) << SHIFT);
    (lo + hi) / 2.0
}

/// A mergeable quantile sketch with bounded relative error (log-linear buckets, like
/// HdrHistogram): every quantile it reports is within 0.4% of the exact order statistic of
/// the same rank, and values that are all equal come back exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct Sketch {
    positive: Store,
    negative: Store,
    zero: u64,
    min: f64,
    max: f64,
    moments: Moments,
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch {
            positive: Store::default(),
            negative: Store::default(),
            zero: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            moments: Moments::default(),
        }
    }
}

impl Sketch {
    /// Adds one value (NaN is ignored: it has no rank).
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.moments.add(x);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        if x > TINY {
            self.positive.add(index_of(x), 1);
        } else if x < -TINY {
            self.negative.add(index_of(-x), 1);
        } else {
            self.zero += 1;
        }
    }

    /// Adds everything `other` has seen.
    pub fn merge(&mut self, other: &Sketch) {
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
        self.zero += other.zero;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.moments.merge(&other.moments);
    }

    /// Number of values seen.
    pub fn count(&self) -> u64 {
        self.moments.count
    }

    /// Mean, sum and spread of the values seen.
    pub fn moments(&self) -> &Moments {
        &self.moments
    }

    /// The mean (NaN when empty); exact when every value was the same.
    pub fn mean(&self) -> f64 {
        if self.min == self.max {
            self.min
        } else {
            self.moments.mean()
        }
    }

    /// The smallest value seen.
    pub fn min(&self) -> f64 {
        self.min
    }

    /// The largest value seen.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// The `q`-quantile by nearest rank: the value of rank ⌈q·n⌉ (NaN when empty).
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return f64::NAN;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0u64;
        // Ascending values: large negative magnitudes first, then zero, then positives.
        for (k, &c) in self.negative.counts.iter().enumerate().rev() {
            seen += c;
            if seen >= rank {
                return (-value_of(self.negative.offset + k as i64)).clamp(self.min, self.max);
            }
        }
        seen += self.zero;
        if seen >= rank {
            return 0.0_f64.clamp(self.min, self.max);
        }
        for (k, &c) in self.positive.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return value_of(self.positive.offset + k as i64).clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// Fraction of values at or below `x` (to bucket resolution).
    pub fn fraction_at_most(&self, x: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return f64::NAN;
        }
        let mut below = 0u64;
        if x >= 0.0 {
            below += self.negative.total() + self.zero;
            let limit = index_of(x.max(TINY));
            for (k, &c) in self.positive.counts.iter().enumerate() {
                if self.positive.offset + k as i64 <= limit {
                    below += c;
                }
            }
        } else {
            let limit = index_of(-x);
            for (k, &c) in self.negative.counts.iter().enumerate() {
                if self.negative.offset + k as i64 >= limit {
                    below += c;
                }
            }
        }
        below as f64 / n as f64
    }
}

/// The quantiles every table reports.
pub const QUANTILES: [(&str, f64); 7] = [
    ("p5", 0.05),
    ("p10", 0.10),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p90", 0.90),
    ("p95", 0.95),
];

/// Exact counts of the period something happened in (1..=P), or never.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodHistogram {
    /// `counts[t]` for period t in 1..=P; `counts[0]` counts "never".
    counts: Vec<u64>,
}

impl PeriodHistogram {
    /// An empty histogram over periods 1..=periods.
    pub fn new(periods: usize) -> Self {
        PeriodHistogram {
            counts: vec![0; periods + 1],
        }
    }

    /// Records period `t` (0: never).
    #[inline]
    pub fn add(&mut self, t: usize) {
        let last = self.counts.len() - 1;
        self.counts[t.min(last)] += 1;
    }

    /// Adds everything `other` has seen.
    pub fn merge(&mut self, other: &PeriodHistogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// Number of trials recorded.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Fraction of trials in which it happened by the end of period `t`.
    pub fn fraction_by(&self, t: usize) -> f64 {
        let by: u64 = self.counts.iter().skip(1).take(t).sum();
        by as f64 / self.total().max(1) as f64
    }

    /// The `q`-quantile period by nearest rank; `None` when that rank falls in "never".
    pub fn quantile(&self, q: f64) -> Option<usize> {
        let n = self.total();
        if n == 0 {
            return None;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for (t, &c) in self.counts.iter().enumerate().skip(1) {
            seen += c;
            if seen >= rank {
                return Some(t);
            }
        }
        None
    }

    /// Count of trials in period `t` (0: never).
    pub fn count(&self, t: usize) -> u64 {
        self.counts[t]
    }

    /// Number of periods covered.
    pub fn periods(&self) -> usize {
        self.counts.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn exact_quantile(values: &[f64], q: f64) -> f64 {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
        v[rank - 1]
    }

    proptest! {
        #[test]
        fn sketch_quantiles_are_within_half_a_percent(values in prop::collection::vec(-1e6f64..1e6, 1..400), q in 0.0f64..1.0) {
            let mut s = Sketch::default();
            values.iter().for_each(|&x| s.add(x));
            let exact = exact_quantile(&values, q);
            let got = s.quantile(q);
            prop_assert!((got - exact).abs() <= 0.005 * exact.abs() + 1e-9, "q={q} exact={exact} got={got}");
        }

        #[test]
        fn merging_in_any_split_gives_identical_sketches(values in prop::collection::vec(-1e3f64..1e5, 0..300), split in 0usize..300) {
            let split = split.min(values.len());
            let mut whole = Sketch::default();
            values.iter().for_each(|&x| whole.add(x));
            let (mut a, mut b) = (Sketch::default(), Sketch::default());
            values[..split].iter().for_each(|&x| a.add(x));
            values[split..].iter().for_each(|&x| b.add(x));
            let mut ab = a.clone();
            ab.merge(&b);
            let mut ba = b;
            ba.merge(&a);
            prop_assert_eq!(ab.moments(), whole.moments());
            prop_assert_eq!(ba.moments(), whole.moments());
            for q in [0.05, 0.5, 0.95] {
                prop_assert_eq!(ab.quantile(q).to_bits(), whole.quantile(q).to_bits());
                prop_assert_eq!(ba.quantile(q).to_bits(), whole.quantile(q).to_bits());
            }
        }
    }

    #[test]
    fn equal_values_come_back_exactly() {
        let mut s = Sketch::default();
        (0..10).for_each(|_| s.add(123.456));
        assert_eq!(s.quantile(0.05), 123.456);
        assert_eq!(s.quantile(0.95), 123.456);
        assert_eq!(s.mean(), 123.456);
    }

    #[test]
    fn moments_give_mean_sd_and_interval() {
        let mut m = Moments::default();
        [1.0, 2.0, 3.0, 4.0].iter().for_each(|&x| m.add(x));
        assert_eq!(m.mean(), 2.5);
        assert!((m.sd() - 1.290_994_448_735_805_6).abs() < 1e-9);
        assert!((m.ci95() - 1.959_963_984_540_054 * m.sd() / 2.0).abs() < 1e-12);
    }

    #[test]
    fn period_histogram_reports_never_as_none() {
        let mut h = PeriodHistogram::new(5);
        [2, 3, 3, 0].iter().for_each(|&t| h.add(t));
        assert_eq!(h.quantile(0.5), Some(3));
        assert_eq!(h.quantile(0.95), None);
        assert_eq!(h.fraction_by(2), 0.25);
        assert_eq!(h.fraction_by(5), 0.75);
    }
}
