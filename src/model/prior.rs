//! A one-dimensional prior of a calibration, as a scenario-independent value: its family and
//! numbers, the value at a coordinate and the log density there. Sampling is the
//! calibration's (`whatif::calibrate::prior`); reading a priors file is `scenario::priors`.

/// A one-dimensional prior on one natural coordinate.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum Marginal {
    /// Normal with this mean and standard deviation.
    Normal {
        /// The mean.
        mean: f64,
        /// The standard deviation (> 0).
        sd: f64,
    },
    /// Uniform on `[lo, hi]`; its coordinate is the logit of the position in the range, so
    /// that a perturbation never leaves the support.
    Uniform {
        /// The low end.
        lo: f64,
        /// The high end (> lo).
        hi: f64,
    },
}

impl Marginal {
    /// The value at coordinate `x`.
    pub fn value(&self, x: f64) -> f64 {
        match *self {
            Marginal::Normal { .. } => x,
            Marginal::Uniform { lo, hi } => lo + (hi - lo) / (1.0 + (-x).exp()),
        }
    }

    /// The log density at `x`, up to a constant (`-inf` outside the support).
    pub fn log_density(&self, x: f64) -> f64 {
        match *self {
            Marginal::Normal { mean, sd } => -0.5 * ((x - mean) / sd).powi(2),
            // The logistic density of the logit of a uniform: σ(x) · σ(−x).
            Marginal::Uniform { .. } => -softplus(-x) - softplus(x),
        }
    }
}

/// ln(1 + eˣ), without overflow.
fn softplus(x: f64) -> f64 {
    if x > 30.0 { x } else { x.exp().ln_1p() }
}
