//! A price in the leader's units: what a change does to each key result's chance of being
//! met, to the P85 finish of each initiative with a deadline, to final debt (P50) and to
//! incident days, beside its value in blended-score points.
//!
//! Both sides are simulated on the same evaluation trials (common random numbers): the scenario
//! as it is with the policy it was priced against, and the changed scenario with the policy
//! searched for it. Each difference carries a 95% interval that treats the two sides as
//! independent samples, which common random numbers make conservative (the sides are
//! positively correlated, so the true spread of a difference is smaller):
//! - a difference of two chances: Newcombe's hybrid score interval from each side's Wilson
//!   interval (Newcombe 1998, "Interval estimation for the difference between independent
//!   proportions", Statistics in Medicine 17, method 10);
//! - a difference of two quantiles: each quantile's distribution-free interval from the order
//!   statistics of its trials (the ranks n·p ± z·√(n·p·(1 − p)); e.g. Conover 1999, *Practical
//!   Nonparametric Statistics*, §3.2) at 97.5%, combined end to end, which holds the difference
//!   with at least 95% (Bonferroni);
//! - a difference of two means: the means' standard errors added in quadrature.

use crate::model::{Scenario, Z95, proportion_ci95};
use crate::simulate::{self, Results, Settings, SummaryMetric, Trials};

/// A measure before and after a change, and the 95% interval of the difference.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Shift {
    /// The measure with the scenario as it is.
    pub before: f64,
    /// The measure with the change made and the policy searched again.
    pub after: f64,
    /// Lower end of the 95% interval of `after − before`.
    pub low: f64,
    /// Upper end of the 95% interval of `after − before`.
    pub high: f64,
}

impl Shift {
    /// The difference, `after − before`.
    pub fn change(&self) -> f64 {
        self.after - self.before
    }
}

/// What one priced change does, in the units a leader decides in.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Effects {
    /// Each key result's chance of being met, in key-result order.
    pub key_results: Vec<Shift>,
    /// The P85 finish period of each initiative with a deadline, as (initiative index, shift);
    /// `None` where the P85 lies beyond the horizon on either side.
    pub finishes: Vec<(usize, Option<Shift>)>,
    /// Final debt at P50, engineer-days (or the teams' units).
    pub final_debt: Shift,
    /// Mean incident days over the horizon.
    pub incident_days: Shift,
    /// Trials each side was simulated on.
    pub trials: u64,
}

/// The initiatives whose P85 finish an [`Effects`] gives, in its order: those with a deadline.
pub fn with_deadlines(scenario: &Scenario) -> impl Iterator<Item = usize> + '_ {
    (0..scenario.initiatives.len()).filter(|&i| scenario.initiatives[i].deadline.is_some())
}

/// One side of a change: `policy` on `scenario` (as it is, or changed), simulated on trials
/// `0..trials` of `seed`, whole-trial outcomes only.
pub fn side(scenario: &Scenario, policy: &simulate::Policy, (seed, trials): (u64, u64)) -> Results {
    let settings = Settings::outcomes_only(scenario, trials, seed);
    let names = vec![String::new()];
    simulate::run(
        scenario,
        vec![policy.clone()],
        names,
        &settings,
        Trials::all(trials),
    )
}

/// The effects of a change read from its two [`side`]s: `before` (the scenario as it is,
/// whose key results and initiatives `scenario` names) and `after`.
pub fn between(scenario: &Scenario, before: &Results, after: &Results) -> Effects {
    let key_results = (0..scenario.key_results.len())
        .map(|k| {
            let chance = |r: &Results| (r.key_result(0, k).p_met, r.trials());
            chances(chance(before), chance(after))
        })
        .collect();
    let finishes = with_deadlines(scenario)
        .map(|i| {
            let quantile = |r: &Results, q: f64| r.finish_histogram(0, i).quantile(q);
            let p85 = |r: &Results| {
                let (low, high) = rank_interval(0.85, r.trials());
                let at = |q| quantile(r, q).map(|t| t as f64);
                Some((at(0.85)?, at(low)?, at(high)?))
            };
            (i, p85(before).zip(p85(after)).map(|(b, a)| quantiles(b, a)))
        })
        .collect();
    let p50 = |r: &Results| {
        let sketch = r.summary_sketch(0, SummaryMetric::FinalDebt);
        let (low, high) = rank_interval(0.5, r.trials());
        (
            sketch.quantile(0.5),
            sketch.quantile(low),
            sketch.quantile(high),
        )
    };
    let mean = |r: &Results| {
        let d = r.summary(0, SummaryMetric::IncidentDays);
        (d.mean, d.mean_se)
    };
    Effects {
        key_results,
        finishes,
        final_debt: quantiles(p50(before), p50(after)),
        incident_days: means(mean(before), mean(after)),
        trials: after.trials(),
    }
}

/// z of a two-sided 97.5% interval: two of them hold a difference with at least 95%.
const Z975: f64 = 2.241_402_727_604_947;

/// The probabilities whose order statistics bound the `p`-quantile of `n` trials with 97.5%.
fn rank_interval(p: f64, n: u64) -> (f64, f64) {
    let half = Z975 * (p * (1.0 - p) / n.max(1) as f64).sqrt();
    ((p - half).max(0.0), (p + half).min(1.0))
}

/// Two quantiles, each as (value, low, high), as a shift.
fn quantiles(
    (before, b_low, b_high): (f64, f64, f64),
    (after, a_low, a_high): (f64, f64, f64),
) -> Shift {
    Shift {
        before,
        after,
        low: a_low - b_high,
        high: a_high - b_low,
    }
}

/// Two means, each with its standard error, as a shift.
fn means((before, b_se): (f64, f64), (after, a_se): (f64, f64)) -> Shift {
    let half = Z95 * (b_se * b_se + a_se * a_se).sqrt();
    let change = after - before;
    Shift {
        before,
        after,
        low: change - half,
        high: change + half,
    }
}

/// Two chances, each the share of its trials, as a shift with Newcombe's hybrid score
/// interval of the difference.
fn chances((before, n_before): (f64, u64), (after, n_after): (f64, u64)) -> Shift {
    let [b_low, b_high] = proportion_ci95(before, n_before);
    let [a_low, a_high] = proportion_ci95(after, n_after);
    let change = after - before;
    let below = ((after - a_low).powi(2) + (b_high - before).powi(2)).sqrt();
    let above = ((a_high - after).powi(2) + (before - b_low).powi(2)).sqrt();
    Shift {
        before,
        after,
        low: change - below,
        high: change + above,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Newcombe (1998), table II, example (a): 56/70 against 48/80 gives 0.0524 to 0.3339
    /// for the difference (method 10).
    #[test]
    fn newcombes_worked_example() {
        let shift = chances((48.0 / 80.0, 80), (56.0 / 70.0, 70));
        assert!((shift.low - 0.0524).abs() < 5e-4, "{shift:?}");
        assert!((shift.high - 0.3339).abs() < 5e-4, "{shift:?}");
    }

    #[test]
    fn an_unchanged_chance_has_an_interval_around_zero() {
        let shift = chances((0.8, 1000), (0.8, 1000));
        assert_eq!(shift.change(), 0.0);
        assert!(shift.low < 0.0 && shift.high > 0.0);
        assert!(
            (shift.high + shift.low).abs() < 1e-3,
            "symmetric at equal shares"
        );
    }
}
