//! Several policies scored trial by trial on the same sampled worlds: what a search over
//! policies compares (common random numbers make the paired differences tight). Only the
//! blended score and each hard deadline's "finished on time" are kept, per trial.

use std::ops::Range;

use rayon::prelude::*;

use crate::model::Scenario;

use super::{Engine, Policy, Recording, Scratch, SummaryMetric};

/// Most trials per unit of parallel work.
const CHUNK: u64 = 32;
/// Units of parallel work per thread at least, where trials are few: the first round of a
/// race scores many policies on 32 trials, which one unit of [`CHUNK`] would leave to one core.
const UNITS_PER_THREAD: u64 = 4;

/// Per-trial blended scores and on-time counts of several policies on the same trials.
#[derive(Clone, Debug, PartialEq)]
pub struct Scores {
    trials: usize,
    /// `blended[p * trials + k]`: policy p's blended score in the k-th trial.
    blended: Vec<f64>,
    /// `met[(p * trials + k) * deadlines + d]`: whether policy p finished the d-th
    /// `must_finish` initiative by its deadline in the k-th trial (kept per trial, so that a
    /// race can rank a prefix of the trials it scored).
    met: Vec<bool>,
    /// The `must_finish` initiatives, with their deadlines.
    pub deadlines: Vec<(usize, usize)>,
}

/// The `must_finish` initiatives of `scenario` and their deadlines (the horizon if none).
pub fn hard_deadlines(scenario: &Scenario) -> Vec<(usize, usize)> {
    scenario
        .initiatives
        .iter()
        .enumerate()
        .filter(|(_, i)| i.must_finish)
        .map(|(i, initiative)| (i, initiative.deadline.unwrap_or(scenario.periods)))
        .collect()
}

/// Scores `policies` on `trials` of `seed` (on the ambient rayon pool; the result does not
/// depend on the number of threads).
pub fn score(scenario: &Scenario, policies: &[Policy], seed: u64, trials: Range<u64>) -> Scores {
    let deadlines = hard_deadlines(scenario);
    let recording = Recording {
        periods: false,
        stop_when_done: false,
        checkpoint: scenario.periods,
    };
    let engine = Engine::new(scenario, policies.to_vec(), seed, recording);
    let n = policies.len();
    let first = trials.start;
    let count = trials.end.saturating_sub(first);
    let d_count = deadlines.len();
    // Each trial is simulated alone, so how the trials are cut into units changes no result.
    let units = UNITS_PER_THREAD * rayon::current_num_threads() as u64;
    let chunk_size = count.div_ceil(units).clamp(1, CHUNK);
    let chunks: Vec<(Vec<f64>, Vec<bool>)> = (0..count.div_ceil(chunk_size))
        .into_par_iter()
        .map_init(Scratch::default, |scratch, chunk| {
            let from = first + chunk * chunk_size;
            let to = (from + chunk_size).min(trials.end);
            let width = (to - from) as usize;
            let mut blended = vec![0.0; n * width];
            let mut met = vec![false; n * width * d_count];
            for (k, trial) in (from..to).enumerate() {
                engine.run_trial(trial, scratch);
                for (p, outcome) in scratch.outcomes.iter().enumerate() {
                    blended[p * width + k] = outcome.summary[SummaryMetric::BlendedScore as usize];
                    for (d, &(i, deadline)) in deadlines.iter().enumerate() {
                        let finished = outcome.finished[i] as usize;
                        met[(p * width + k) * d_count + d] = finished > 0 && finished <= deadline;
                    }
                }
            }
            (blended, met)
        })
        .collect();
    let trials = count as usize;
    let mut blended = vec![0.0; n * trials];
    let mut met = vec![false; n * trials * d_count];
    let mut offset = 0;
    for (chunk, flags) in chunks {
        let width = chunk.len() / n.max(1);
        for p in 0..n {
            let at = p * trials + offset;
            blended[at..at + width].copy_from_slice(&chunk[p * width..(p + 1) * width]);
            met[at * d_count..(at + width) * d_count]
                .copy_from_slice(&flags[p * width * d_count..(p + 1) * width * d_count]);
        }
        offset += width;
    }
    Scores {
        trials,
        blended,
        met,
        deadlines,
    }
}

impl Scores {
    /// Trials scored.
    pub fn trials(&self) -> usize {
        self.trials
    }

    /// Policy `p`'s blended score, trial by trial.
    pub fn blended(&self, p: usize) -> &[f64] {
        &self.blended[p * self.trials..(p + 1) * self.trials]
    }

    /// Policy `p`'s mean blended score.
    pub fn mean(&self, p: usize) -> f64 {
        self.blended(p).iter().sum::<f64>() / self.trials.max(1) as f64
    }

    /// The fraction of trials in which policy `p` finished the d-th hard deadline on time.
    pub fn on_time(&self, p: usize, d: usize) -> f64 {
        let met = (0..self.trials).filter(|&k| self.met(p, k, d)).count();
        met as f64 / self.trials.max(1) as f64
    }

    /// Whether policy `p` finished the d-th hard deadline on time in the k-th trial scored.
    pub fn met(&self, p: usize, k: usize, d: usize) -> bool {
        self.met[(p * self.trials + k) * self.deadlines.len() + d]
    }

    /// The lowest on-time fraction of policy `p` over the hard deadlines (1 without any).
    pub fn worst_on_time(&self, p: usize) -> f64 {
        (0..self.deadlines.len())
            .map(|d| self.on_time(p, d))
            .fold(1.0, f64::min)
    }
}

/// Mean and 95% half-width of the paired differences `a[k] − b[k]`.
pub fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    let n = a.len().min(b.len());
    if n == 0 {
        return (0.0, 0.0);
    }
    let diffs = a.iter().zip(b).map(|(x, y)| x - y);
    let mean = diffs.clone().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let var = diffs.map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (mean, crate::model::half_width_95(var.sqrt(), n as u64))
}
