//! The prior of a calibration, with its sources: independent priors on quantities a leader can
//! judge (how much capacity debt takes now, how far along the drag curve the team is, how much
//! more often incidents happen now than at zero debt), mapped once to the scenario's own
//! parameters θ (`debt_initial`, `interest`, …). Sampling, densities and the perturbation
//! kernel all work on these natural coordinates; only the forward model sees θ.
//!
//! Sources of the centres (see the book's explanation page for the full list):
//! - drag now, drag_max × D₀/(D₀ + drag_half): centred near 23% of capacity, covering about
//!   10–40% (Besker, Martini & Bosch 2019, J. Systems and Software 156: developers waste 23% of
//!   their time on technical debt; Stripe, The Developer Coefficient 2018: about 17 of 41
//!   hours a week on maintenance);
//! - accrual, debt added per product day: centred on 0.15, 90% within 0.06–0.40 (McKinsey
//!   2020, 2023: 10–20% of the new-product budget diverted to debt);
//! - interest per period: uniform on 0–3%, since nothing published pins it;
//! - throughput and keep-the-lights-on work: centred on what the import measured (the
//!   prior's scale, [`PriorScale`]).

use rand::RngExt;
use rand_distr::{Distribution as _, StandardNormal};

pub use crate::model::prior::Marginal;
use crate::simulate::rng::Stream;

/// One draw of marginal `m` on its coordinate.
fn sample(m: &Marginal, rng: &mut Stream) -> f64 {
    match *m {
        Marginal::Normal { mean, sd } => {
            let z: f64 = StandardNormal.sample(rng);
            mean + sd * z
        }
        Marginal::Uniform { .. } => {
            let p = rng.random::<f64>().max(f64::MIN_POSITIVE);
            (p / (1.0 - p)).ln()
        }
    }
}

/// The scale the prior is set on: what the import measured for the team (an empirical-Bayes
/// centring, as `CALIBRATION.md` asks for keep-the-lights-on work).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct PriorScale {
    /// Items (or points) finished per period, every bucket, on average.
    pub total: f64,
    /// Keep-the-lights-on items per period, on average.
    pub ktlo: f64,
}

/// The natural coordinates, in the order of [`Prior::marginals`].
pub const NATURAL: [&str; 11] = [
    "log_throughput_ratio",
    "throughput_cv",
    "drag_max",
    "drag_position",
    "log_drag_half_periods",
    "interest",
    "log_accrual",
    "paydown_efficiency",
    "log_cost",
    "incident_growth",
    "log_ktlo_ratio",
];

/// The range each natural coordinate's values must stay in (`None`: a log coordinate, any
/// real number); drag_position stays below 1 so that D₀ stays finite.
const BOUNDED: [Option<(f64, f64)>; 11] = [
    None,
    Some((0.0, 3.0)),
    Some((0.0, 1.0)),
    Some((0.0, 0.99)),
    None,
    Some((0.0, 0.5)),
    None,
    Some((0.0, 10.0)),
    None,
    Some((0.0, 100.0)),
    None,
];

/// θ as the scenario file names it, then the calibration's own nuisance `throughput_cv`.
pub const PARAMETERS: [&str; 11] = [
    "debt_initial",
    "interest",
    "accrual",
    "paydown_efficiency",
    "drag_max",
    "drag_half",
    "base_rate",
    "debt_sensitivity",
    "cost",
    "throughput",
    "throughput_cv",
];

/// Drag at today's debt the throughput prior assumes (Besker, Martini & Bosch 2019).
const DRAG_NOW_CENTRE: f64 = 0.23;

/// One joint value of θ, in [`PARAMETERS`] order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Theta {
    /// Debt at the start of the history, in the team's units (items or points).
    pub debt_initial: f64,
    /// Interest per period.
    pub interest: f64,
    /// Debt added per unit of product work.
    pub accrual: f64,
    /// Debt removed per unit of paydown.
    pub paydown_efficiency: f64,
    /// Largest share of capacity debt can take.
    pub drag_max: f64,
    /// Debt at which drag is half its maximum.
    pub drag_half: f64,
    /// Incidents per period at zero debt.
    pub base_rate: f64,
    /// Growth of the incident rate per unit of debt.
    pub debt_sensitivity: f64,
    /// Work one incident costs.
    pub cost: f64,
    /// Capacity per period before drag (the mean of a `capacity` draw).
    pub throughput: f64,
    /// Coefficient of variation of that capacity from period to period.
    pub throughput_cv: f64,
}

impl Theta {
    /// The values in [`PARAMETERS`] order.
    pub fn values(&self) -> [f64; 11] {
        [
            self.debt_initial,
            self.interest,
            self.accrual,
            self.paydown_efficiency,
            self.drag_max,
            self.drag_half,
            self.base_rate,
            self.debt_sensitivity,
            self.cost,
            self.throughput,
            self.throughput_cv,
        ]
    }

    /// Drag at the start of the history: drag_max · D₀ / (D₀ + drag_half).
    pub fn drag_now(&self) -> f64 {
        self.drag_max * self.debt_initial / (self.debt_initial + self.drag_half)
    }
}

/// A prior on the natural coordinates, with the scale it maps them to θ on.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Prior {
    /// One marginal per natural coordinate, in [`NATURAL`] order.
    pub marginals: [Marginal; 11],
    /// What the import measured, the scale of throughput, drag_half and incidents.
    pub scale: PriorScale,
}

impl Prior {
    /// The documented default prior on `scale` (see the module docs for the sources).
    pub fn default_on(scale: PriorScale) -> Prior {
        use Marginal::{Normal, Uniform};
        Prior {
            marginals: [
                // Capacity before drag: what was measured, grossed up by 23% drag, ± 30%.
                Normal { mean: 0.0, sd: 0.3 },
                // Period-to-period variation of capacity: from steady (3%) to the bursty
                // throughput of real trackers, whose weekly counts can vary by as much as
                // their mean.
                Uniform { lo: 0.03, hi: 1.0 },
                // drag_max × position: a mean near 0.24, 90% within about 0.09–0.43.
                Uniform { lo: 0.3, hi: 0.7 },
                Uniform { lo: 0.15, hi: 0.8 },
                // drag_half: 2 to 50 periods of the team's whole output.
                Uniform {
                    lo: 2f64.ln(),
                    hi: 50f64.ln(),
                },
                Uniform { lo: 0.0, hi: 0.03 },
                Normal {
                    mean: 0.15f64.ln(),
                    sd: 0.6,
                },
                Uniform { lo: 0.5, hi: 1.5 },
                // One incident costs 0.4–2.7 items (90%).
                Normal { mean: 0.0, sd: 0.6 },
                // Incidents now are 1× to 2.5× as frequent as at zero debt.
                Uniform { lo: 0.0, hi: 1.5 },
                // Keep-the-lights-on work: what was measured, ± about 60%.
                Normal { mean: 0.0, sd: 0.5 },
            ],
            scale,
        }
    }

    /// This prior with natural coordinate `name` given marginal `m` instead (a `--priors`
    /// file's). Coordinates whose values must stay in a range (shares, rates) take a uniform
    /// inside it; the log coordinates take a normal or a uniform.
    pub fn replace(&mut self, name: &str, m: Marginal) -> Result<(), String> {
        let Some(k) = NATURAL.iter().position(|n| *n == name) else {
            return Err(format!(
                "`{name}` is not a coordinate of the prior; they are: {}",
                NATURAL.join(", ")
            ));
        };
        match m {
            Marginal::Normal { mean, sd } if !(mean.is_finite() && sd.is_finite() && sd > 0.0) => {
                return Err(format!(
                    "`{name}`: a normal needs a finite mean and an sd above 0"
                ));
            }
            Marginal::Uniform { lo, hi } if !(lo.is_finite() && hi.is_finite() && lo < hi) => {
                return Err(format!("`{name}`: a uniform needs finite lo < hi"));
            }
            _ => {}
        }
        if let Some((lo_bound, hi_bound)) = BOUNDED[k] {
            match m {
                Marginal::Uniform { lo, hi } if lo >= lo_bound && hi <= hi_bound => {}
                _ => {
                    return Err(format!(
                        "`{name}` must stay within {lo_bound} to {hi_bound}: give it a uniform \
                         inside that range"
                    ));
                }
            }
        }
        self.marginals[k] = m;
        Ok(())
    }

    /// A draw of the natural coordinates.
    pub fn sample(&self, rng: &mut Stream) -> [f64; 11] {
        self.marginals.map(|m| sample(&m, rng))
    }

    /// The log prior density at coordinates `z`, up to a constant.
    pub fn log_density(&self, z: &[f64; 11]) -> f64 {
        self.marginals
            .iter()
            .zip(z)
            .map(|(m, &x)| m.log_density(x))
            .sum()
    }

    /// θ at coordinates `z`.
    pub fn theta(&self, z: &[f64; 11]) -> Theta {
        let mut natural = *z;
        for (x, m) in natural.iter_mut().zip(&self.marginals) {
            *x = m.value(*x);
        }
        let [
            log_ratio,
            cv,
            drag_max,
            position,
            log_half,
            interest,
            log_accrual,
            efficiency,
            log_cost,
            growth,
            log_ktlo,
        ] = natural;
        let total = self.scale.total.max(1e-6);
        let drag_half = total * log_half.exp();
        // position = D₀ / (D₀ + drag_half)
        let debt_initial = drag_half * position / (1.0 - position);
        let cost = log_cost.exp();
        // The rate now is the measured keep-the-lights-on work in incidents, of which a
        // share growth / (1 + growth) is due to debt.
        let rate_now = self.scale.ktlo.max(0.05) * log_ktlo.exp() / cost;
        Theta {
            debt_initial,
            interest,
            accrual: log_accrual.exp(),
            paydown_efficiency: efficiency,
            drag_max,
            drag_half,
            base_rate: rate_now / (1.0 + growth),
            debt_sensitivity: growth / debt_initial,
            cost,
            throughput: total / (1.0 - DRAG_NOW_CENTRE) * log_ratio.exp(),
            throughput_cv: cv,
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn drag_now_is_centred_near_a_quarter_of_capacity() {
        let prior = Prior::default_on(PriorScale {
            total: 20.0,
            ktlo: 4.0,
        });
        let mut rng = Stream::seed_from_u64(7);
        let mut drag: Vec<f64> = (0..20_000)
            .map(|_| prior.theta(&prior.sample(&mut rng)).drag_now())
            .collect();
        drag.sort_by(f64::total_cmp);
        let mean = drag.iter().sum::<f64>() / drag.len() as f64;
        // Besker et al.: 23%; the prior's 90% covers roughly 10–40%.
        assert!((mean - 0.235).abs() < 0.01, "{mean}");
        assert!(drag[1_000] > 0.06 && drag[1_000] < 0.12, "{}", drag[1_000]);
        assert!(
            drag[19_000] > 0.38 && drag[19_000] < 0.48,
            "{}",
            drag[19_000]
        );
    }

    #[test]
    fn the_map_keeps_the_drag_position_and_the_incident_rate_now() {
        let prior = Prior::default_on(PriorScale {
            total: 10.0,
            ktlo: 2.0,
        });
        let natural = [
            0.0,
            0.1,
            0.5,
            0.4,
            3f64.ln(),
            0.01,
            -2.0,
            1.0,
            0.0,
            1.0,
            0.0,
        ];
        let z: [f64; 11] = std::array::from_fn(|k| match prior.marginals[k] {
            Marginal::Normal { .. } => natural[k],
            Marginal::Uniform { lo, hi } => {
                let p = (natural[k] - lo) / (hi - lo);
                (p / (1.0 - p)).ln()
            }
        });
        let t = prior.theta(&z);
        assert!((t.drag_now() - 0.2).abs() < 1e-12);
        let rate_now = t.base_rate * (1.0 + t.debt_sensitivity * t.debt_initial);
        assert!((rate_now * t.cost - 2.0).abs() < 1e-12);
    }
}
