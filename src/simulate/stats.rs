//! Streaming statistics whose memory does not grow with the number of trials and whose
//! results do not depend on how trials were split across threads.
//!
//! Every accumulator merges with integer arithmetic only (counts, and sums in 2⁻³² fixed
//! point), so merging is associative and commutative: any thread count gives the same bits.

/// Fixed-point scale of sums: values are truncated to multiples of 2⁻³² before they are added
/// (exact for |x| below 2·10⁹).
const FIXED: f64 = 4_294_967_296.0;
/// Fixed-point scale of sums of squares: 2⁻¹⁶ (exact for |x| below 10⁷).
const FIXED_SQ: f64 = 65_536.0;

/// The largest magnitude whose statistics are exact: a square of it still fits the 64-bit
/// fixed point of `FIXED_SQ` (1.19·10⁷). A run that simulates anything larger must not be
/// reported ([`crate::simulate::Results::unrepresentable`]).
pub const REPRESENTABLE: f64 = 1.0e7;

/// Count, sum and sum of squares, merged exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Moments {
    /// Values added.
    pub count: u64,
    sum: i128,
    sum_sq: i128,
}

impl Moments {
    /// Adds one value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        // `as i64` is one instruction (and saturates); i128 keeps the running sums exact.
        self.count += 1;
        self.sum += i128::from((x * FIXED) as i64);
        self.sum_sq += i128::from((x * x * FIXED_SQ) as i64);
    }

    /// Adds everything `other` has seen.
    pub fn merge(&mut self, other: &Moments) {
        self.count += other.count;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
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
        let mean_sq = self.sum_sq as f64 / FIXED_SQ / n;
        ((mean_sq - mean * mean).max(0.0) * n / (n - 1.0)).sqrt()
    }

    /// Half-width of the normal-approximation 95% confidence interval of the mean.
    pub fn ci95(&self) -> f64 {
        crate::model::half_width_95(self.sd(), self.count)
    }
}

/// Bits of the mantissa kept in a bucket index: 2⁷ = 128 buckets per power of two, so a
/// bucket's midpoint is within 2⁻⁸ ≈ 0.39% of any value in it.
const MANTISSA_BITS_KEPT: u32 = 7;
const SHIFT: u32 = 52 - MANTISSA_BITS_KEPT;
/// Magnitudes below this count as zero (keeps the bucket range small).
const TINY: f64 = 1e-12;
/// Distinct values a sketch keeps exactly before it switches to buckets.
const EXACT_VALUES: usize = 12;

/// Dense bucket counts over a growing index range.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Store {
    offset: i64,
    counts: Vec<u32>,
}

impl Store {
    #[inline]
    fn add(&mut self, index: i64, n: u32) {
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(0);
        } else if index < self.offset {
            let slack = (self.counts.len() / 2).min(64);
            let grow = (self.offset - index) as usize + slack;
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
        self.counts.iter().map(|&c| u64::from(c)).sum()
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

/// A mergeable quantile sketch. While it has seen at most a dozen distinct values (a constant,
/// a count, the steps of a discrete outcome) it keeps them exactly and every quantile is exact;
/// beyond, it counts values in log-linear buckets (like HdrHistogram) and every quantile is
/// within 0.4% of the exact order statistic of the same rank. Either way the result depends
/// only on the multiset of values added, never on the order or the merge tree.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sketch {
    /// Distinct values and their counts, ascending, while `bucketed` is false.
    #[serde(with = "super::bits::counted")]
    exact: Vec<(f64, u64)>,
    bucketed: bool,
    positive: Store,
    negative: Store,
    zero: u64,
    #[serde(with = "super::bits")]
    min: f64,
    #[serde(with = "super::bits")]
    max: f64,
    moments: Moments,
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch {
            exact: Vec::new(),
            bucketed: false,
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
        self.add_counted(x, 1);
    }

    #[inline]
    fn add_counted(&mut self, x: f64, n: u64) {
        if self.bucketed {
            self.add_to_buckets(x, n);
        } else {
            self.add_exact(x, n);
        }
    }

    #[inline]
    fn add_exact(&mut self, x: f64, n: u64) {
        match self.exact.binary_search_by(|(v, _)| v.total_cmp(&x)) {
            Ok(i) => self.exact[i].1 += n,
            Err(i) if self.exact.len() < EXACT_VALUES => self.exact.insert(i, (x, n)),
            Err(_) => {
                self.switch_to_buckets();
                self.add_to_buckets(x, n);
            }
        }
    }

    #[inline]
    fn add_to_buckets(&mut self, x: f64, n: u64) {
        // Counts of one bucket fit u32 for four billion trials; merges add them exactly.
        let n = n as u32;
        if x > TINY {
            self.positive.add(index_of(x), n);
        } else if x < -TINY {
            self.negative.add(index_of(-x), n);
        } else {
            self.zero += u64::from(n);
        }
    }

    /// Moves the exact values into buckets, for good.
    fn switch_to_buckets(&mut self) {
        self.bucketed = true;
        for (x, n) in std::mem::take(&mut self.exact) {
            self.add_to_buckets(x, n);
        }
    }

    /// Adds everything `other` has seen.
    pub fn merge(&mut self, other: &Sketch) {
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.moments.merge(&other.moments);
        if other.bucketed && !self.bucketed {
            self.switch_to_buckets();
        }
        for &(x, n) in &other.exact {
            self.add_counted(x, n);
        }
        if other.bucketed {
            self.positive.merge(&other.positive);
            self.negative.merge(&other.negative);
            self.zero += other.zero;
        }
    }

    /// Number of values seen.
    pub fn count(&self) -> u64 {
        self.moments.count
    }

    /// Mean, sum and spread of the values seen.
    pub fn moments(&self) -> &Moments {
        &self.moments
    }

    /// The mean (NaN when empty); exact while the values are kept exactly.
    pub fn mean(&self) -> f64 {
        if self.min == self.max {
            return self.min;
        }
        if self.bucketed {
            return self.moments.mean();
        }
        let total: f64 = self.exact.iter().map(|&(x, n)| x * n as f64).sum();
        total / self.count() as f64
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
        if !self.bucketed {
            for &(x, c) in &self.exact {
                seen += c;
                if seen >= rank {
                    return x;
                }
            }
            return self.max;
        }
        // Ascending values: large negative magnitudes first, then zero, then positives.
        for (k, &c) in self.negative.counts.iter().enumerate().rev() {
            seen += u64::from(c);
            if seen >= rank {
                return (-value_of(self.negative.offset + k as i64)).clamp(self.min, self.max);
            }
        }
        seen += self.zero;
        if seen >= rank {
            return 0.0_f64.clamp(self.min, self.max);
        }
        for (k, &c) in self.positive.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                return value_of(self.positive.offset + k as i64).clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// How many values were negative, zero (magnitude below 10⁻¹²) and positive: exact
    /// counts, bucketed or not.
    pub fn signs(&self) -> [u64; 3] {
        if self.bucketed {
            return [self.negative.total(), self.zero, self.positive.total()];
        }
        let mut signs = [0; 3];
        for &(v, c) in &self.exact {
            signs[if v.abs() < TINY {
                1
            } else if v < 0.0 {
                0
            } else {
                2
            }] += c;
        }
        signs
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

    /// Sketches of all of `values`, of the first `split` (at most all) and of the rest.
    fn sketched(values: &[f64], split: usize) -> (Sketch, Sketch, Sketch) {
        let split = split.min(values.len());
        let of = |values: &[f64]| {
            let mut sketch = Sketch::default();
            values.iter().for_each(|&x| sketch.add(x));
            sketch
        };
        (of(values), of(&values[..split]), of(&values[split..]))
    }

    proptest! {
        #[test]
        fn sketch_quantiles_are_within_half_a_percent(values in prop::collection::vec(-1e6f64..1e6, 1..400), q in 0.0f64..1.0) {
            let mut s = Sketch::default();
            values.iter().for_each(|&x| s.add(x));
            let exact = exact_quantile(&values, q);
            let got = s.quantile(q);
            prop_assert!((got - exact).abs() <= 0.0040 * exact.abs() + 1e-9, "q={q} exact={exact} got={got}");
        }

        #[test]
        fn merging_in_any_split_gives_identical_sketches(values in prop::collection::vec(-1e3f64..1e5, 0..300), split in 0usize..300) {
            let (whole, a, b) = sketched(&values, split);
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

    proptest! {
        #[test]
        fn few_distinct_values_merge_the_same_in_any_split(values in prop::collection::vec(0u8..16, 0..60), split in 0usize..60) {
            let values: Vec<f64> = values.into_iter().map(|v| f64::from(v) / 3.0).collect();
            let (whole, a, b) = sketched(&values, split);
            let mut a = a;
            a.merge(&b);
            for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
                prop_assert_eq!(a.quantile(q).to_bits(), whole.quantile(q).to_bits());
            }
            prop_assert_eq!(a.mean().to_bits(), whole.mean().to_bits());
        }
    }

    /// Signs are exact counts whether the sketch keeps values exactly or in buckets.
    #[test]
    fn signs_count_negative_zero_and_positive_values_exactly() {
        let mut few = Sketch::default();
        for x in [-2.0, 0.0, 0.0, 3.0, 3.0, 3.0] {
            few.add(x);
        }
        assert_eq!(few.signs(), [1, 2, 3]);
        let mut many = Sketch::default();
        for k in 0..1000 {
            many.add(match k % 4 {
                0 => 0.0,
                1 => -(k as f64),
                _ => k as f64 * 0.37,
            });
        }
        assert_eq!(many.signs(), [250, 250, 500]);
    }

    #[test]
    fn discrete_values_come_back_exactly() {
        let mut s = Sketch::default();
        for x in [0.6, 1.0 / 3.0, 0.6, 1.0, 0.6, 1.0 / 3.0, 7.0] {
            s.add(x);
        }
        assert_eq!(s.quantile(0.2), 1.0 / 3.0);
        assert_eq!(s.quantile(0.5), 0.6);
        assert_eq!(s.quantile(0.8), 1.0);
        assert_eq!(s.quantile(1.0), 7.0);
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
