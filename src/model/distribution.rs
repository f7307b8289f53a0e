//! Uncertain quantities, compiled from the scenario's distribution notation and ready to sample.
//!
//! Every variant samples from a caller-supplied generator, so the simulator decides which random
//! stream a draw comes from (that is what makes common random numbers possible).

use std::fmt;
use std::sync::Arc;

use rand::{Rng, RngExt};
use rand_distr::{Distribution as _, Pert, StandardNormal, Triangular};

/// Half-width, in standard deviations, of the central 90% interval of a normal (the z-score of
/// its 95th percentile): "a to b" is a 90% interval. Not [`super::Z95`], the 95% interval's.
pub const Z90: f64 = 1.644_853_626_951_472_2;

/// An uncertain number: a constant or a probability distribution.
#[derive(Clone, Debug)]
pub enum Distribution {
    /// Always this value.
    Constant(f64),
    /// Normal with this mean and standard deviation.
    Normal {
        /// The mean.
        mean: f64,
        /// The standard deviation (> 0).
        sd: f64,
    },
    /// Log-normal: `exp(N(mu, sigma))`.
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// PERT (a scaled beta) on `[min, max]` with this mode.
    Pert {
        /// The smallest value.
        min: f64,
        /// The most likely value.
        mode: f64,
        /// The largest value.
        max: f64,
        /// Draws from these parameters.
        sampler: Pert<f64>,
    },
    /// Triangular on `[min, max]` with this mode.
    Triangular {
        /// The smallest value.
        min: f64,
        /// The most likely value.
        mode: f64,
        /// The largest value.
        max: f64,
        /// Draws from these parameters.
        sampler: Triangular<f64>,
    },
    /// Uniform on `[min, max)`.
    Uniform {
        /// The lower end (included).
        min: f64,
        /// The upper end (excluded).
        max: f64,
    },
    /// Empirical: each draw picks one of these values with replacement (a bootstrap).
    Samples(Arc<[f64]>),
    /// Another distribution plus a constant.
    Shifted(Box<Distribution>, f64),
}

/// Why a distribution's parameters were rejected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DistributionError {
    /// A parameter is NaN or infinite.
    #[error("the numbers must be finite")]
    NotFinite,
    /// The low end of a range is not below its high end.
    #[error("the low end {lo} must be below the high end {hi}")]
    Order {
        /// The low end given.
        lo: f64,
        /// The high end given.
        hi: f64,
    },
    /// A log-normal's low end (its 5th percentile) is not positive.
    #[error("a lognormal needs a positive low end (its 5th percentile), found {0}")]
    NotPositive(f64),
    /// A three-point distribution's mode lies outside `[min, max]`.
    #[error("the mode {mode} must lie within [{min}, {max}]")]
    ModeOutside {
        /// The smallest value given.
        min: f64,
        /// The mode given.
        mode: f64,
        /// The largest value given.
        max: f64,
    },
    /// A normal's standard deviation is not positive.
    #[error("the standard deviation {0} must be positive")]
    Spread(f64),
    /// An empirical distribution has no samples.
    #[error("the list of samples is empty")]
    NoSamples,
}

impl Distribution {
    /// A 90% interval `lo to hi`: log-normal when both ends are positive, else normal
    /// (the Guesstimate/Squiggle convention).
    pub fn interval(lo: f64, hi: f64) -> Result<Self, DistributionError> {
        finite(&[lo, hi])?;
        if lo >= hi {
            return Err(DistributionError::Order { lo, hi });
        }
        if lo > 0.0 {
            Self::lognormal_interval(lo, hi)
        } else {
            Ok(Distribution::Normal {
                mean: (lo + hi) / 2.0,
                sd: (hi - lo) / (2.0 * Z90),
            })
        }
    }

    /// Log-normal whose 5th and 95th percentiles are `p5` and `p95` (both positive).
    pub fn lognormal_interval(p5: f64, p95: f64) -> Result<Self, DistributionError> {
        finite(&[p5, p95])?;
        if p5 <= 0.0 {
            return Err(DistributionError::NotPositive(p5));
        }
        if p5 >= p95 {
            return Err(DistributionError::Order { lo: p5, hi: p95 });
        }
        let (a, b) = (p5.ln(), p95.ln());
        Ok(Distribution::LogNormal {
            mu: (a + b) / 2.0,
            sigma: (b - a) / (2.0 * Z90),
        })
    }

    /// Normal with this mean and standard deviation.
    pub fn normal(mean: f64, sd: f64) -> Result<Self, DistributionError> {
        finite(&[mean, sd])?;
        if sd <= 0.0 {
            return Err(DistributionError::Spread(sd));
        }
        Ok(Distribution::Normal { mean, sd })
    }

    /// PERT on `[min, max]` with the given mode.
    pub fn pert(min: f64, mode: f64, max: f64) -> Result<Self, DistributionError> {
        three_point(min, mode, max)?;
        let sampler = Pert::new(min, max)
            .with_mode(mode)
            .map_err(|_| DistributionError::ModeOutside { min, mode, max })?;
        Ok(Distribution::Pert {
            min,
            mode,
            max,
            sampler,
        })
    }

    /// Triangular on `[min, max]` with the given mode.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, DistributionError> {
        three_point(min, mode, max)?;
        let sampler = Triangular::new(min, max, mode)
            .map_err(|_| DistributionError::ModeOutside { min, mode, max })?;
        Ok(Distribution::Triangular {
            min,
            mode,
            max,
            sampler,
        })
    }

    /// Uniform on `[min, max)`.
    pub fn uniform(min: f64, max: f64) -> Result<Self, DistributionError> {
        finite(&[min, max])?;
        if min >= max {
            return Err(DistributionError::Order { lo: min, hi: max });
        }
        Ok(Distribution::Uniform { min, max })
    }

    /// Bootstrap from these values.
    pub fn samples(values: Vec<f64>) -> Result<Self, DistributionError> {
        finite(&values)?;
        if values.is_empty() {
            return Err(DistributionError::NoSamples);
        }
        Ok(Distribution::Samples(values.into()))
    }

    /// This distribution plus `by`.
    pub fn shifted(self, by: f64) -> Self {
        match self {
            Distribution::Constant(c) => Distribution::Constant(c + by),
            other if by == 0.0 => other,
            other => Distribution::Shifted(Box::new(other), by),
        }
    }

    /// One draw.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Distribution::Constant(c) => *c,
            Distribution::Normal { mean, sd } => {
                let z: f64 = rng.sample(StandardNormal);
                mean + sd * z
            }
            Distribution::LogNormal { mu, sigma } => {
                let z: f64 = rng.sample(StandardNormal);
                (mu + sigma * z).exp()
            }
            Distribution::Pert { sampler, .. } => sampler.sample(rng),
            Distribution::Triangular { sampler, .. } => sampler.sample(rng),
            Distribution::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Distribution::Samples(values) => values[rng.random_range(0..values.len())],
            Distribution::Shifted(base, by) => base.sample(rng) + by,
        }
    }

    /// `Some(c)` when every draw is `c`.
    pub fn as_constant(&self) -> Option<f64> {
        match self {
            Distribution::Constant(c) => Some(*c),
            Distribution::Samples(values) if values.iter().all(|v| *v == values[0]) => {
                Some(values[0])
            }
            Distribution::Shifted(base, by) => base.as_constant().map(|c| c + by),
            _ => None,
        }
    }

    /// The expected value (what the allocator plans with).
    pub fn mean(&self) -> f64 {
        match self {
            Distribution::Constant(c) => *c,
            Distribution::Normal { mean, .. } => *mean,
            Distribution::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Distribution::Pert { min, mode, max, .. } => (min + 4.0 * mode + max) / 6.0,
            Distribution::Triangular { min, mode, max, .. } => (min + mode + max) / 3.0,
            Distribution::Uniform { min, max } => (min + max) / 2.0,
            Distribution::Samples(values) => values.iter().sum::<f64>() / values.len() as f64,
            Distribution::Shifted(base, by) => base.mean() + by,
        }
    }

    /// The smallest value a draw can take (`-inf` for unbounded tails).
    pub fn lower_bound(&self) -> f64 {
        match self {
            Distribution::Constant(c) => *c,
            Distribution::Normal { .. } => f64::NEG_INFINITY,
            Distribution::LogNormal { .. } => 0.0,
            Distribution::Pert { min, .. }
            | Distribution::Triangular { min, .. }
            | Distribution::Uniform { min, .. } => *min,
            Distribution::Samples(values) => values.iter().copied().fold(f64::INFINITY, f64::min),
            Distribution::Shifted(base, by) => base.lower_bound() + by,
        }
    }

    /// The largest value a draw can take (`+inf` for unbounded tails).
    pub fn upper_bound(&self) -> f64 {
        match self {
            Distribution::Constant(c) => *c,
            Distribution::Normal { .. } | Distribution::LogNormal { .. } => f64::INFINITY,
            Distribution::Pert { max, .. }
            | Distribution::Triangular { max, .. }
            | Distribution::Uniform { max, .. } => *max,
            Distribution::Samples(values) => {
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            }
            Distribution::Shifted(base, by) => base.upper_bound() + by,
        }
    }
}

impl PartialEq for Distribution {
    fn eq(&self, other: &Self) -> bool {
        use Distribution::*;
        match (self, other) {
            (Constant(a), Constant(b)) => a == b,
            (Normal { mean: a, sd: b }, Normal { mean: c, sd: d }) => a == c && b == d,
            (LogNormal { mu: a, sigma: b }, LogNormal { mu: c, sigma: d }) => a == c && b == d,
            (
                Pert {
                    min: a,
                    mode: b,
                    max: c,
                    ..
                },
                Pert {
                    min: d,
                    mode: e,
                    max: f,
                    ..
                },
            )
            | (
                Triangular {
                    min: a,
                    mode: b,
                    max: c,
                    ..
                },
                Triangular {
                    min: d,
                    mode: e,
                    max: f,
                    ..
                },
            ) => a == d && b == e && c == f,
            (Uniform { min: a, max: b }, Uniform { min: c, max: d }) => a == c && b == d,
            (Samples(a), Samples(b)) => a == b,
            (Shifted(a, x), Shifted(b, y)) => a == b && x == y,
            _ => false,
        }
    }
}

impl fmt::Display for Distribution {
    /// A short human form, close to how it is written in a scenario.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Distribution::Constant(c) => write!(f, "{}", short(*c)),
            Distribution::Normal { mean, sd } => {
                write!(
                    f,
                    "{} to {}",
                    short(mean - Z90 * sd),
                    short(mean + Z90 * sd)
                )
            }
            Distribution::LogNormal { mu, sigma } => write!(
                f,
                "{} to {}",
                short((mu - Z90 * sigma).exp()),
                short((mu + Z90 * sigma).exp())
            ),
            Distribution::Pert { min, mode, max, .. } => {
                write!(
                    f,
                    "pert({}, {}, {})",
                    short(*min),
                    short(*mode),
                    short(*max)
                )
            }
            Distribution::Triangular { min, mode, max, .. } => write!(
                f,
                "triangular({}, {}, {})",
                short(*min),
                short(*mode),
                short(*max)
            ),
            Distribution::Uniform { min, max } => {
                write!(f, "uniform({}, {})", short(*min), short(*max))
            }
            Distribution::Samples(values) => write!(f, "{} samples", values.len()),
            Distribution::Shifted(base, by) => write!(f, "({base}) + {}", short(*by)),
        }
    }
}

/// A number printed with at most 3 significant decimals and no trailing zeros.
fn short(x: f64) -> String {
    let s = format!("{:.3}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn finite(values: &[f64]) -> Result<(), DistributionError> {
    if values.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(DistributionError::NotFinite)
    }
}

fn three_point(min: f64, mode: f64, max: f64) -> Result<(), DistributionError> {
    finite(&[min, mode, max])?;
    if min >= max {
        return Err(DistributionError::Order { lo: min, hi: max });
    }
    if !(min..=max).contains(&mode) {
        return Err(DistributionError::ModeOutside { min, mode, max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn interval_uses_lognormal_for_positive_ends_and_normal_otherwise() {
        assert!(matches!(
            Distribution::interval(5.0, 10.0),
            Ok(Distribution::LogNormal { .. })
        ));
        assert!(matches!(
            Distribution::interval(-1.0, 3.0),
            Ok(Distribution::Normal { .. })
        ));
        assert_eq!(
            Distribution::interval(3.0, 3.0),
            Err(DistributionError::Order { lo: 3.0, hi: 3.0 })
        );
    }

    #[test]
    fn lognormal_interval_puts_its_ends_at_the_5th_and_95th_percentiles() {
        let Distribution::LogNormal { mu, sigma } = Distribution::interval(5.0, 10.0).unwrap()
        else {
            panic!("expected a log-normal");
        };
        assert!(((mu - Z90 * sigma).exp() - 5.0).abs() < 1e-12);
        assert!(((mu + Z90 * sigma).exp() - 10.0).abs() < 1e-12);
    }

    #[test]
    fn a_lognormal_needs_a_positive_low_end() {
        assert_eq!(
            Distribution::lognormal_interval(0.0, 120.0),
            Err(DistributionError::NotPositive(0.0))
        );
        assert_eq!(
            Distribution::lognormal_interval(5.0, 2.0),
            Err(DistributionError::Order { lo: 5.0, hi: 2.0 })
        );
    }

    #[test]
    fn pert_rejects_a_mode_outside_its_range() {
        assert_eq!(
            Distribution::pert(1.0, 5.0, 4.0).unwrap_err(),
            DistributionError::ModeOutside {
                min: 1.0,
                mode: 5.0,
                max: 4.0
            }
        );
    }

    #[test]
    fn samples_stay_within_bounds() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        for d in [
            Distribution::pert(1.0, 2.0, 9.0).unwrap(),
            Distribution::triangular(1.0, 2.0, 9.0).unwrap(),
            Distribution::uniform(1.0, 9.0).unwrap(),
            Distribution::samples(vec![3.0, 1.0, 9.0]).unwrap(),
        ] {
            for _ in 0..1000 {
                let x = d.sample(&mut rng);
                assert!((d.lower_bound()..=d.upper_bound()).contains(&x), "{d}: {x}");
            }
        }
    }

    #[test]
    fn display_reads_like_the_notation() {
        assert_eq!(
            Distribution::interval(5.0, 10.0).unwrap().to_string(),
            "5 to 10"
        );
        assert_eq!(Distribution::Constant(0.25).to_string(), "0.25");
    }
}
