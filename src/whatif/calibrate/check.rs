//! What a calibration learned and whether to believe it: each parameter's prior and posterior
//! intervals and how much the history narrowed it, the pairs the history cannot tell apart
//! (strongly correlated in the posterior), and the posterior predictive check (Gelman, Meng &
//! Stern 1996, Statistica Sinica 6): the observed summaries and series against those simulated
//! from the posterior.

use super::forward::Series;
use super::smc::weighted_quantile;
use super::summaries::NAMES;

/// A parameter's prior and posterior, side by side.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Narrowing {
    /// The parameter, as the scenario file names it.
    pub parameter: String,
    /// The prior's 5th, 50th and 95th percentiles.
    pub prior: [f64; 3],
    /// The posterior's 5th, 50th and 95th percentiles.
    pub posterior: [f64; 3],
    /// Posterior 90% width ÷ prior 90% width: 1 learned nothing, 0.5 halved.
    pub ratio: f64,
}

/// The 5th, 50th and 95th weighted percentiles.
pub fn interval(values: &[f64], weights: &[f64]) -> [f64; 3] {
    [0.05, 0.5, 0.95].map(|q| weighted_quantile(values, weights, q))
}

/// Prior against posterior for one parameter.
pub fn narrowing(parameter: &str, prior: [f64; 3], posterior: [f64; 3]) -> Narrowing {
    let width = prior[2] - prior[0];
    Narrowing {
        parameter: parameter.to_string(),
        prior,
        posterior,
        ratio: if width > 0.0 {
            (posterior[2] - posterior[0]) / width
        } else {
            1.0
        },
    }
}

/// Two parameters the history cannot tell apart: their posterior correlation (of logs, for
/// positive parameters) is strong, so only a combination of them is pinned.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Confounded {
    /// The first parameter.
    pub first: String,
    /// The second.
    pub second: String,
    /// Their weighted posterior correlation.
    pub correlation: f64,
}

/// Correlation at or above which two parameters are called confounded.
pub const CONFOUNDED: f64 = 0.6;

/// The confounded pairs among `columns` (name, values), under `weights`.
pub fn confounded(columns: &[(&str, Vec<f64>)], weights: &[f64]) -> Vec<Confounded> {
    let transformed: Vec<Vec<f64>> = columns
        .iter()
        .map(|(_, v)| match v.iter().all(|x| *x > 0.0) {
            true => v.iter().map(|x| x.ln()).collect(),
            false => v.clone(),
        })
        .collect();
    let mut pairs = Vec::new();
    for a in 0..columns.len() {
        for b in a + 1..columns.len() {
            let r = correlation(&transformed[a], &transformed[b], weights);
            if r.abs() >= CONFOUNDED {
                pairs.push(Confounded {
                    first: columns[a].0.to_string(),
                    second: columns[b].0.to_string(),
                    correlation: r,
                });
            }
        }
    }
    pairs
}

fn correlation(x: &[f64], y: &[f64], w: &[f64]) -> f64 {
    let mx: f64 = x.iter().zip(w).map(|(a, w)| a * w).sum();
    let my: f64 = y.iter().zip(w).map(|(a, w)| a * w).sum();
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for ((a, b), w) in x.iter().zip(y).zip(w) {
        sxy += w * (a - mx) * (b - my);
        sxx += w * (a - mx).powi(2);
        syy += w * (b - my).powi(2);
    }
    if sxx > 0.0 && syy > 0.0 {
        sxy / (sxx * syy).sqrt()
    } else {
        0.0
    }
}

/// One summary's posterior predictive p-value.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SummaryCheck {
    /// The summary's name.
    pub summary: String,
    /// Its observed value.
    pub observed: f64,
    /// The 5th, 50th and 95th percentiles of its posterior predictive.
    pub predicted: [f64; 3],
    /// Two-sided p-value: 2 · min(P(sim ≤ obs), P(sim ≥ obs)).
    pub p_value: f64,
}

/// The quantiles of the bands of a predictive check.
pub const BAND: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// p-values below this flag a summary the model does not reproduce.
pub const FLAG_P: f64 = 0.01;

/// The posterior predictive check of a team.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PredictiveCheck {
    /// Per summary.
    pub summaries: Vec<SummaryCheck>,
    /// Per period: the 5th, 25th, 50th, 75th and 95th percentiles of the simulated total.
    pub total_band: Vec<[f64; 5]>,
    /// Per period: the same of keep-the-lights-on work.
    pub ktlo_band: Vec<[f64; 5]>,
    /// Share of periods whose observed total lies in its 90% band (about 0.9 when the model
    /// fits).
    pub total_coverage: f64,
    /// The same for keep-the-lights-on work.
    pub ktlo_coverage: f64,
    /// `true` when no summary is flagged and both coverages are at least 0.75.
    pub reproduces: bool,
    /// The verdict in one sentence.
    pub verdict: String,
}

/// The check of `observed` (its summaries `observed_summaries`) against `simulated` series
/// (equal weights) and their summaries.
pub fn predictive_check(
    observed: &Series,
    observed_summaries: &[f64],
    simulated: &[(Series, Vec<f64>)],
) -> PredictiveCheck {
    let m = simulated.len() as f64;
    let summaries: Vec<SummaryCheck> = observed_summaries
        .iter()
        .enumerate()
        .map(|(k, &obs)| {
            let column: Vec<f64> = simulated.iter().map(|s| s.1[k]).collect();
            let below = column.iter().filter(|&&x| x <= obs).count() as f64 / m;
            let above = column.iter().filter(|&&x| x >= obs).count() as f64 / m;
            SummaryCheck {
                summary: NAMES[k].to_string(),
                observed: obs,
                predicted: percentiles(&column),
                p_value: (2.0 * below.min(above)).min(1.0),
            }
        })
        .collect();
    let band = |of: &dyn Fn(&Series) -> Vec<f64>| -> Vec<[f64; 5]> {
        let series: Vec<Vec<f64>> = simulated.iter().map(|s| of(&s.0)).collect();
        (0..observed.periods())
            .map(|t| {
                let column: Vec<f64> = series.iter().map(|s| s[t]).collect();
                let w = vec![1.0 / column.len().max(1) as f64; column.len()];
                BAND.map(|q| weighted_quantile(&column, &w, q))
            })
            .collect()
    };
    let total_band = band(&|s: &Series| s.total());
    let ktlo_band = band(&|s: &Series| s.ktlo.clone());
    let total_coverage = coverage(&observed.total(), &total_band);
    let ktlo_coverage = coverage(&observed.ktlo, &ktlo_band);
    let flagged: Vec<&SummaryCheck> = summaries.iter().filter(|s| s.p_value < FLAG_P).collect();
    let reproduces = flagged.is_empty() && total_coverage >= 0.75 && ktlo_coverage >= 0.75;
    let verdict = verdict(&flagged, total_coverage, ktlo_coverage);
    PredictiveCheck {
        summaries,
        total_band,
        ktlo_band,
        total_coverage,
        ktlo_coverage,
        reproduces,
        verdict,
    }
}

fn verdict(flagged: &[&SummaryCheck], total: f64, ktlo: f64) -> String {
    let mut problems: Vec<String> = flagged
        .iter()
        .map(|s| {
            format!(
                "{} ({:.3} observed, {:.3} to {:.3} simulated)",
                s.summary, s.observed, s.predicted[0], s.predicted[2]
            )
        })
        .collect();
    for (what, c) in [("throughput", total), ("keep-the-lights-on work", ktlo)] {
        if c < 0.75 {
            problems.push(format!(
                "{what} (only {:.0}% of periods inside the 90% band)",
                100.0 * c
            ));
        }
    }
    match problems.is_empty() {
        true => format!(
            "the model reproduces the history: no summary is out of line, and {:.0}% of \
             periods' throughput lies inside the 90% band",
            100.0 * total
        ),
        false => format!(
            "the model does not reproduce the history's {}: read its fitted numbers with care",
            problems.join("; ")
        ),
    }
}

fn percentiles(values: &[f64]) -> [f64; 3] {
    let w = vec![1.0 / values.len().max(1) as f64; values.len()];
    interval(values, &w)
}

fn coverage(observed: &[f64], band: &[[f64; 5]]) -> f64 {
    let inside = observed
        .iter()
        .zip(band)
        .filter(|(x, b)| **x >= b[0] && **x <= b[4])
        .count();
    inside as f64 / observed.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfectly_correlated_parameters_are_confounded() {
        let w = vec![0.25; 4];
        let a = vec![1.0, 2.0, 3.0, 4.0];
        let b: Vec<f64> = a.iter().map(|x| x * x).collect();
        let c = vec![2.0, 1.0, 2.0, 1.0];
        let pairs = confounded(&[("a", a), ("b", b), ("c", c)], &w);
        assert_eq!(pairs.len(), 1);
        assert_eq!(
            (pairs[0].first.as_str(), pairs[0].second.as_str()),
            ("a", "b")
        );
        assert!((pairs[0].correlation - 1.0).abs() < 1e-12);
    }

    #[test]
    fn narrowing_is_the_ratio_of_widths() {
        let n = narrowing("x", [0.0, 5.0, 10.0], [4.0, 5.0, 6.0]);
        assert!((n.ratio - 0.2).abs() < 1e-12);
    }
}
