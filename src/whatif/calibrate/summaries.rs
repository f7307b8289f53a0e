//! The summary statistics ABC compares a simulated history with the observed one on, and the
//! distance between two sets of them. Each summary is chosen for a parameter it informs:
//!
//! | summary | informs |
//! |---|---|
//! | mean of the total T = product + tech + ktlo | throughput × (1 − drag) |
//! | change of T over the history (OLS slope × periods) | the drift of debt: accrual, paydown, interest |
//! | curvature of T (first and last quarters against the middle half) | drag's saturation: drag_half |
//! | sd of T about its trend | throughput_cv |
//! | lag-1 autocorrelation of T about its trend | slow debt dynamics against white noise |
//! | response of T to the tech share of the four periods before | paydown efficiency |
//! | mean of keep-the-lights-on work k | base_rate × cost |
//! | change of k over the history | debt_sensitivity |
//! | variance ÷ mean of k | cost (k = cost · Poisson count) |
//! | mean and change of incidents, when observed | base_rate, debt_sensitivity apart from cost |

use super::forward::Series;

/// Names of the summaries, in [`summaries`]' order (incidents last, when observed).
pub const NAMES: [&str; 11] = [
    "throughput level",
    "throughput change",
    "throughput curvature",
    "throughput noise",
    "throughput autocorrelation",
    "response to the tech share",
    "keep-the-lights-on level",
    "keep-the-lights-on change",
    "keep-the-lights-on dispersion",
    "incident level",
    "incident change",
];

/// Periods of tech share whose mean the response is measured against.
const RESPONSE_LAG: usize = 4;

/// The summaries of `series`, whose periods ran under tech `shares`.
pub fn summaries(series: &Series, shares: &[f64]) -> Vec<f64> {
    let total = series.total();
    let n = total.len();
    let (level, slope) = line(&total);
    let residual: Vec<f64> = (0..n)
        .map(|t| total[t] - (level + slope * (t as f64 - (n as f64 - 1.0) / 2.0)))
        .collect();
    let quarter = (n / 4).max(1);
    let ends = mean(&total[..quarter]) + mean(&total[n - quarter..]);
    let middle = mean(&total[quarter..n - quarter]);
    let (k_level, k_slope) = line(&series.ktlo);
    let mut out = vec![
        level,
        slope * n as f64,
        ends - 2.0 * middle,
        sd(&residual),
        lag1(&residual),
        response(&residual, shares),
        k_level,
        k_slope * n as f64,
        variance(&series.ktlo) / k_level.max(1e-9),
    ];
    if !series.incidents.is_empty() {
        let (i_level, i_slope) = line(&series.incidents);
        out.extend([i_level, i_slope * n as f64]);
    }
    out
}

/// Weighted Euclidean distance: each summary divided by its `scale`.
pub fn distance(a: &[f64], b: &[f64], scale: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .zip(scale)
        .map(|((x, y), s)| ((x - y) / s).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// Scales for [`distance`]: each summary's median absolute deviation over `simulated`
/// (summaries of histories simulated from the prior), so that no summary dominates by its
/// units (Prangle 2017, "Adapting the ABC distance function", Bayesian Analysis 12).
pub fn scales(simulated: &[Vec<f64>]) -> Vec<f64> {
    let width = simulated.first().map_or(0, Vec::len);
    (0..width)
        .map(|k| {
            let column: Vec<f64> = simulated.iter().map(|s| s[k]).collect();
            let centre = median(&column);
            let deviations: Vec<f64> = column.iter().map(|x| (x - centre).abs()).collect();
            let mad = median(&deviations);
            if mad > 1e-12 { mad } else { 1.0 }
        })
        .collect()
}

/// The median of `values` (NaN-free).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    }
}

fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    x.iter().sum::<f64>() / x.len() as f64
}

fn variance(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let m = mean(x);
    x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64
}

fn sd(x: &[f64]) -> f64 {
    variance(x).sqrt()
}

/// Mean and OLS slope per period of `x` against its period, centred.
fn line(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let centre = (n - 1.0) / 2.0;
    let m = mean(x);
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (t, v) in x.iter().enumerate() {
        let dt = t as f64 - centre;
        sxy += dt * (v - m);
        sxx += dt * dt;
    }
    (m, if sxx > 0.0 { sxy / sxx } else { 0.0 })
}

/// Lag-1 autocorrelation of `x` (0 for a constant series).
fn lag1(x: &[f64]) -> f64 {
    let m = mean(x);
    let denominator: f64 = x.iter().map(|v| (v - m).powi(2)).sum();
    if denominator <= 1e-12 {
        return 0.0;
    }
    let numerator: f64 = x.windows(2).map(|w| (w[0] - m) * (w[1] - m)).sum();
    numerator / denominator
}

/// The slope of `residual` on the mean tech share of the [`RESPONSE_LAG`] periods before:
/// how throughput responds, a few periods later, to paying down.
fn response(residual: &[f64], shares: &[f64]) -> f64 {
    let lagged: Vec<(f64, f64)> = (RESPONSE_LAG..residual.len())
        .map(|t| (mean(&shares[t - RESPONSE_LAG..t]), residual[t]))
        .collect();
    let mx = lagged.iter().map(|p| p.0).sum::<f64>() / lagged.len().max(1) as f64;
    let my = lagged.iter().map(|p| p.1).sum::<f64>() / lagged.len().max(1) as f64;
    let sxx: f64 = lagged.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = lagged.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx > 1e-12 { sxy / sxx } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_line_has_its_slope_and_no_curvature() {
        let series = Series {
            product: (0..20).map(|t| 10.0 + t as f64).collect(),
            tech: vec![0.0; 20],
            ktlo: vec![2.0; 20],
            incidents: Vec::new(),
        };
        let s = summaries(&series, &[0.0; 20]);
        assert_eq!(s.len(), 9);
        assert!((s[0] - 21.5).abs() < 1e-9, "10 + 9.5 + 2");
        assert!((s[1] - 20.0).abs() < 1e-9);
        assert!(s[2].abs() < 1e-9);
        assert!(s[3].abs() < 1e-9);
        assert!((s[6] - 2.0).abs() < 1e-12 && s[8] == 0.0);
    }

    #[test]
    fn scales_are_median_absolute_deviations() {
        let sims = vec![vec![1.0, 5.0], vec![2.0, 5.0], vec![4.0, 5.0]];
        assert_eq!(scales(&sims), vec![1.0, 1.0]);
        let sims = vec![vec![0.0], vec![10.0], vec![30.0]];
        assert_eq!(scales(&sims), vec![10.0]);
    }
}
