//! Racing on common random numbers: candidates scored on a growing prefix of the same
//! training trials, each simulated only on the trials it has not been scored on yet, and
//! successive halving (Jamieson & Talwalkar 2016, after Maron & Moore's racing, 1994): all
//! candidates on a few trials, the better half on twice as many, and so on.
//!
//! A policy's score in a trial depends only on the policy and the world sampled for that
//! trial, not on the other policies simulated beside it, so a candidate's scores on trials
//! 0..n are the same whichever round computed them: extending a prefix never re-simulates it,
//! and the ranking of a round is the ranking the same trials would give in one call.

use crate::model::Scenario;
use crate::simulate::policy::Policy;
use crate::simulate::scores::score;

use super::SHORTFALL_PENALTY;
use super::candidates::Candidate;

/// One candidate and its scores on the first trials.
#[derive(Clone, Debug)]
struct Entry {
    candidate: Candidate,
    /// Blended score of each trial scored, in trial order from 0.
    blended: Vec<f64>,
    /// `met[k * deadlines + d]`: whether the d-th hard deadline was met in trial k.
    met: Vec<bool>,
}

/// Candidates for one scenario, on the training trials of one seed.
#[derive(Debug)]
pub struct Pool<'a> {
    scenario: &'a Scenario,
    seed: u64,
    confidence: f64,
    entries: Vec<Entry>,
}

impl<'a> Pool<'a> {
    /// An empty pool for `scenario`'s trials of `seed`, ranking hard deadlines against
    /// `confidence`.
    pub fn new(scenario: &'a Scenario, seed: u64, confidence: f64) -> Pool<'a> {
        Pool {
            scenario,
            seed,
            confidence,
            entries: Vec::new(),
        }
    }

    /// Adds `candidate` (or finds it, when a candidate with the same policy is there already,
    /// keeping its scores) and returns its index.
    pub fn add(&mut self, candidate: Candidate) -> usize {
        if let Some(e) = self
            .entries
            .iter()
            .position(|e| e.candidate.policy == candidate.policy)
        {
            return e;
        }
        self.entries.push(Entry {
            candidate,
            blended: Vec::new(),
            met: Vec::new(),
        });
        self.entries.len() - 1
    }

    /// The scenario the candidates are simulated in.
    pub fn scenario(&self) -> &'a Scenario {
        self.scenario
    }

    /// The candidate at `index`.
    pub fn candidate(&self, index: usize) -> &Candidate {
        &self.entries[index].candidate
    }

    /// Candidates in the pool (each one tried).
    pub fn tried(&self) -> usize {
        self.entries.len()
    }

    /// Scores the candidates `which` on trials up to `trials`, simulating only those each has
    /// not been scored on (those at the same count together, on the same worlds).
    fn extend(&mut self, which: &[usize], trials: u64) {
        let mut starts: Vec<usize> = which
            .iter()
            .map(|&e| self.entries[e].blended.len())
            .collect();
        starts.sort_unstable();
        starts.dedup();
        for from in starts.into_iter().filter(|&from| (from as u64) < trials) {
            let group: Vec<usize> = which
                .iter()
                .copied()
                .filter(|&e| self.entries[e].blended.len() == from)
                .collect();
            let policies: Vec<Policy> = group
                .iter()
                .map(|&e| self.entries[e].candidate.policy.clone())
                .collect();
            let scores = score(self.scenario, &policies, self.seed, from as u64..trials);
            let deadlines = scores.deadlines.len();
            for (p, &e) in group.iter().enumerate() {
                let entry = &mut self.entries[e];
                entry.blended.extend_from_slice(scores.blended(p));
                for k in 0..scores.trials() {
                    entry
                        .met
                        .extend((0..deadlines).map(|d| scores.met(p, k, d)));
                }
            }
        }
    }

    /// The rank of candidate `index` on its first `trials` trials: its mean blended score,
    /// less [`SHORTFALL_PENALTY`] × the shortfall of each hard deadline from the confidence.
    fn rank(&self, index: usize, trials: usize) -> f64 {
        let entry = &self.entries[index];
        let n = trials.max(1) as f64;
        let deadlines = self.deadlines();
        let shortfall: f64 = (0..deadlines)
            .map(|d| {
                let met = (0..trials)
                    .filter(|&k| entry.met[k * deadlines + d])
                    .count();
                (self.confidence - met as f64 / n).max(0.0)
            })
            .sum();
        entry.blended[..trials].iter().sum::<f64>() / n - SHORTFALL_PENALTY * shortfall
    }

    /// Hard deadlines per trial.
    fn deadlines(&self) -> usize {
        self.scenario
            .initiatives
            .iter()
            .filter(|i| i.must_finish)
            .count()
    }

    /// The mean blended score of candidate `index` on its first `trials` trials (scored).
    pub fn mean(&self, index: usize, trials: usize) -> f64 {
        self.entries[index].blended[..trials].iter().sum::<f64>() / trials.max(1) as f64
    }

    /// The fraction of its first `trials` trials (scored) in which candidate `index` met the
    /// d-th hard deadline.
    pub fn on_time(&self, index: usize, trials: usize, d: usize) -> f64 {
        let deadlines = self.deadlines();
        let met = &self.entries[index].met;
        let count = (0..trials).filter(|&k| met[k * deadlines + d]).count();
        count as f64 / trials.max(1) as f64
    }

    /// The candidates `which` (each once) scored on the first `trials` trials, with their
    /// ranks, best first (ties keep the order of `which`).
    pub fn ranked(&mut self, which: &[usize], trials: u64) -> Vec<(usize, f64)> {
        let mut unique: Vec<usize> = Vec::with_capacity(which.len());
        for &e in which {
            if !unique.contains(&e) {
                unique.push(e);
            }
        }
        self.extend(&unique, trials);
        let n = trials as usize;
        let mut out: Vec<(usize, f64)> = unique.iter().map(|&e| (e, self.rank(e, n))).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }

    /// Successive halving: `alive` scored on `first` trials, the better half (at least
    /// `keep`) on twice as many, and so on up to `last`; the survivors ranked on `last`
    /// trials, best first.
    pub fn halving(
        &mut self,
        mut alive: Vec<usize>,
        first: u64,
        last: u64,
        keep: usize,
    ) -> Vec<(usize, f64)> {
        let mut trials = first.min(last);
        loop {
            let round = self.ranked(&alive, trials);
            if trials >= last {
                return round;
            }
            let kept = alive.len().div_ceil(2).max(keep).min(alive.len());
            alive = round.into_iter().take(kept).map(|(e, _)| e).collect();
            trials = (trials * 2).min(last);
        }
    }
}
