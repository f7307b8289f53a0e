//! Which uncertain inputs drive the outcome: for every per-trial input (efforts, debt rates,
//! incident rates, risk days, ...) the rank correlation with each strategy's blended score and
//! final debt across trials, and the outcome's mean in the trials where the input was in its
//! lowest and highest tenth (the bars of a tornado chart).

use crate::model::Scenario;
use crate::simulate::{
    self, Policy, Recording, Samples, Settings, SummaryMetric, TrialSample, Trials,
};

/// Trials sensitivity looks at (at most): rank correlations are within ±0.03 (1.96/√n) of
/// their value at this size.
pub const MAX_TRIALS: u64 = 4000;

/// The outcomes analysed.
pub const OUTCOMES: [SummaryMetric; 2] = [SummaryMetric::BlendedScore, SummaryMetric::FinalDebt];

/// One input's influence on one outcome of one strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct Driver {
    /// Name of the per-trial input, e.g. "work · api-migration" ([`Samples::inputs`]).
    pub input: String,
    /// Spearman rank correlation across trials, in [−1, 1].
    pub rank_correlation: f64,
    /// Mean outcome in the trials where the input was in its lowest tenth.
    pub low: f64,
    /// Mean outcome in the trials where the input was in its highest tenth.
    pub high: f64,
}

/// The drivers of one outcome of one strategy, strongest (by |rank correlation|) first.
#[derive(Clone, Debug, PartialEq)]
pub struct Sensitivity {
    /// Index of the strategy, in the run's order.
    pub strategy: usize,
    /// The outcome, one of [`OUTCOMES`].
    pub outcome: SummaryMetric,
    /// Mean outcome over the trials analysed.
    pub mean: f64,
    /// Every input that varies across the trials, strongest first (ties by name).
    pub drivers: Vec<Driver>,
}

/// The sensitivity of a finished run: from the trials it kept ([`Settings::samples`]), else
/// by running its first trials again.
pub fn of_run(scenario: &Scenario, output: &crate::pipeline::RunOutput) -> Vec<Sensitivity> {
    let samples = &output.results.samples;
    if samples.trials.is_empty() {
        analyse(
            scenario,
            output.policies.clone(),
            output.settings.seed,
            output.settings.trials,
        )
    } else {
        of_samples(samples, output.policies.len())
    }
}

/// Runs `trials` trials (at most [`MAX_TRIALS`]) of every policy on the ambient rayon pool and
/// ranks the inputs that vary by their influence. Deterministic for any thread count. (A run
/// keeps these trials as it goes, [`crate::simulate::Settings::samples`], and calls
/// [`of_samples`] instead.)
pub fn analyse(
    scenario: &Scenario,
    policies: Vec<Policy>,
    seed: u64,
    trials: u64,
) -> Vec<Sensitivity> {
    let strategies = policies.len();
    let settings = Settings {
        trials: trials.min(MAX_TRIALS),
        seed,
        recording: Recording {
            periods: false,
            stop_when_done: false,
            checkpoint: scenario.periods,
        },
        samples: MAX_TRIALS,
    };
    let names = vec![String::new(); strategies];
    let results = simulate::run(
        scenario,
        policies,
        names,
        &settings,
        Trials::all(settings.trials),
    );
    of_samples(&results.samples, strategies)
}

/// Ranks the inputs of `samples` that vary by their influence on each of `strategies`'
/// [`OUTCOMES`] (nothing below 10 trials).
pub fn of_samples(samples: &Samples, strategies: usize) -> Vec<Sensitivity> {
    let rows = &samples.trials;
    if rows.len() < 10 {
        return Vec::new();
    }
    let column = |f: &dyn Fn(&TrialSample) -> f64| -> Vec<f64> { rows.iter().map(f).collect() };
    let inputs: Vec<(String, Vec<f64>, Vec<f64>)> = samples
        .inputs
        .iter()
        .enumerate()
        .filter_map(|(x, name)| {
            let values = column(&|r| r.inputs[x]);
            let varies = values.iter().any(|&v| v != values[0]);
            varies.then(|| (name.clone(), ranks(&values), values))
        })
        .collect();
    let mut out = Vec::new();
    for s in 0..strategies {
        for outcome in OUTCOMES {
            let values = column(&|r| r.summary(s, outcome));
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            let outcome_ranks = ranks(&values);
            let mut drivers: Vec<Driver> = inputs
                .iter()
                .map(|(name, input_ranks, input)| {
                    let (low, high) = tail_means(input, &values);
                    Driver {
                        input: name.clone(),
                        rank_correlation: correlation(input_ranks, &outcome_ranks),
                        low,
                        high,
                    }
                })
                .collect();
            drivers.sort_by(|a, b| {
                b.rank_correlation
                    .abs()
                    .total_cmp(&a.rank_correlation.abs())
                    .then_with(|| a.input.cmp(&b.input))
            });
            out.push(Sensitivity {
                strategy: s,
                outcome,
                mean,
                drivers,
            });
        }
    }
    out
}

/// Ranks from 1, ties sharing their average rank.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let average = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = average;
        }
        i = j + 1;
    }
    ranks
}

/// Pearson correlation (of ranks: Spearman's); 0 when either side is constant.
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Mean of `outcome` over the trials whose `input` is in its lowest and its highest tenth.
fn tail_means(input: &[f64], outcome: &[f64]) -> (f64, f64) {
    let mut order: Vec<usize> = (0..input.len()).collect();
    order.sort_by(|&a, &b| input[a].total_cmp(&input[b]).then(a.cmp(&b)));
    let tenth = (input.len() / 10).max(1);
    let mean = |idx: &[usize]| idx.iter().map(|&i| outcome[i]).sum::<f64>() / idx.len() as f64;
    (mean(&order[..tenth]), mean(&order[order.len() - tenth..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_ties() {
        assert_eq!(ranks(&[10.0, 30.0, 20.0, 20.0]), vec![1.0, 4.0, 2.5, 2.5]);
    }

    #[test]
    fn rank_correlation_sees_monotone_relations_exactly() {
        let x: Vec<f64> = (0..50).map(f64::from).collect();
        let cubed: Vec<f64> = x.iter().map(|v| v * v * v).collect();
        let down: Vec<f64> = x.iter().map(|v| -v.exp()).collect();
        assert_eq!(correlation(&ranks(&x), &ranks(&cubed)), 1.0);
        assert_eq!(correlation(&ranks(&x), &ranks(&down)), -1.0);
        assert_eq!(correlation(&x, &vec![3.0; 50]), 0.0);
    }
}
