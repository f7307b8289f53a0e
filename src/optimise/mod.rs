//! The `optimised` strategy: the policy with the best expected blended score under
//! uncertainty, found by simulating candidates on common random numbers
//! (docs/src/explanation/allocator.md: the simulator is the judge; the LP plan of
//! [`crate::allocate`] is one candidate among many).
//!
//! # Method
//! 1. **Candidates** ([`candidates`]): every fixed share of a 5% grid within the guardrails,
//!    every debt ceiling of a grid (ceilings 0.5–2× the teams' mean initial debt, shares on a
//!    10% grid, more above the ceiling than below), and the allocator's plan (its schedule,
//!    with its order and with the priority order).
//! 2. **Racing**: all are scored on [`RACE`]'s first trial count, the best on more, the
//!    finalists on [`TRAINING_TRIALS`]; the trials are the same ones growing (common random
//!    numbers make the paired differences tight).
//! 3. **Refinement**: from the best finalist, each team's share in each of up to four phases
//!    of the horizon (a debt ceiling's ceiling and shares) is moved up and down; improving
//!    moves are combined, and kept when the combination scores better on the training trials.
//! 4. **Hard deadlines** (`must_finish`) are chance constraints: a policy qualifies only if it
//!    finishes each by its deadline in at least `confidence` of the training trials; ranking
//!    subtracts [`SHORTFALL_PENALTY`] × the shortfall, so the search moves towards them.
//!
//! Training trials come from their own stream ([`training_seed`]), so the figures a run or
//! `fulcrum plan` reports, on the scenario's own trials, are a separate evaluation sample and
//! the search's luck on its training sample is not sold as gain.

pub mod candidates;
pub mod effects;
pub mod prices;

use crate::allocate::{self, Allocation, Guardrails, Infeasibility, MarginalValues, PlanError};
use crate::model::Scenario;
use crate::simulate::policy::{Policy, Share};
use crate::simulate::rng::mix;
use crate::simulate::scores::{Scores, score};
pub use candidates::Candidate;

/// Racing: (trials, candidates kept) per round; the last round's survivors are the finalists.
pub const RACE: [(u64, usize); 2] = [(128, 24), (512, 6)];
/// Trials the finalists and the refinement are judged on.
pub const TRAINING_TRIALS: u64 = 2048;
/// Trials each refinement move is first scored on.
const MOVE_TRIALS: u64 = 256;
/// Refinement rounds and the share step of each.
const ROUNDS: [f64; 3] = [0.1, 0.05, 0.05];
/// Score lost per unit of probability a hard deadline falls short of its confidence.
pub const SHORTFALL_PENALTY: f64 = 10.0;
/// The default probability with which a `must_finish` initiative must be on time.
pub const DEFAULT_CONFIDENCE: f64 = crate::model::DEFAULT_DEADLINE_CONFIDENCE;

/// What the search optimises within: guardrails on every team's tech share, and the
/// probability with which every hard deadline must hold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Objective {
    /// Bounds on every team's tech share in every period, for every candidate.
    pub guardrails: Guardrails,
    /// Least fraction of the training trials, in [0, 1], in which each hard deadline is met.
    pub confidence: f64,
}

/// The policy found, and how it did in training.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The best refined finalist by rank on the training trials.
    pub candidate: Candidate,
    /// Mean blended score on the training trials (biased upwards by the search: report the
    /// evaluation figures instead).
    pub training_score: f64,
    /// The finalists of the race, best first (where re-optimising starts).
    pub finalists: Vec<Candidate>,
    /// The allocator's deterministic plan, when it has one (a seed, shown labelled as such).
    pub lp: Result<Allocation, PlanError>,
    /// Candidates scored.
    pub tried: usize,
}

/// Why no policy qualifies.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OptimiseError {
    /// Some hard deadline is on time in fewer than `confidence` of the trials under every
    /// policy tried.
    #[error("no policy finishes every hard deadline on time with probability {confidence}")]
    Deadlines {
        /// The required on-time probability ([`Objective::confidence`]).
        confidence: f64,
        /// (initiative, deadline, the best policy's on-time probability) of those short.
        short: Vec<(usize, usize, f64)>,
        /// Why the deterministic plan cannot meet them either, if it cannot.
        lp: Option<Infeasibility>,
    },
}

/// The seed of the training trials: its own stream, apart from the trials a run reports.
pub fn training_seed(seed: u64) -> u64 {
    mix(seed ^ 0x6f70_7469_6d69_7365)
}

/// A candidate's rank on `scores`: its mean, less the penalty for deadlines short of
/// `confidence`.
fn rank(scores: &Scores, p: usize, confidence: f64) -> f64 {
    let shortfall: f64 = (0..scores.deadlines.len())
        .map(|d| (confidence - scores.on_time(p, d)).max(0.0))
        .sum();
    scores.mean(p) - SHORTFALL_PENALTY * shortfall
}

/// The race: `alive` scored on more training trials each round, the best kept, then the
/// survivors ranked on all the training trials, best first.
fn race(
    scenario: &Scenario,
    objective: &Objective,
    mut alive: Vec<Candidate>,
    train: u64,
) -> Vec<(Candidate, f64)> {
    for (trials, keep) in RACE {
        let mut round = ranked(scenario, alive, train, trials, objective.confidence);
        round.truncate(keep);
        alive = round.into_iter().map(|(c, _)| c).collect();
    }
    ranked(
        scenario,
        alive,
        train,
        TRAINING_TRIALS,
        objective.confidence,
    )
}

/// Hill-climbing from finalist `start` (with its rank) through [`ROUNDS`] of ever smaller
/// moves: the best candidate found with its rank, and how many candidates were tried.
fn climb(
    scenario: &Scenario,
    objective: &Objective,
    (start, start_rank): &(Candidate, f64),
    train: u64,
) -> ((Candidate, f64), usize) {
    let all_teams: Vec<usize> = (0..scenario.teams.len()).collect();
    let (mut best, mut best_rank) = (start.clone(), *start_rank);
    let mut tried = 0;
    for step in ROUNDS {
        let moves = candidates::moves(&best, scenario, &objective.guardrails, &all_teams, step);
        if moves.is_empty() {
            break;
        }
        tried += moves.len() + 1;
        let (improved, improved_rank) = refine(
            scenario,
            objective,
            (&best, best_rank),
            moves,
            train,
            (MOVE_TRIALS, TRAINING_TRIALS),
        );
        if improved_rank > best_rank {
            best = improved;
            best_rank = improved_rank;
        }
    }
    ((best, best_rank), tried)
}

/// Candidates and their scores on the same trials, best first (ties keep their order).
fn ranked(
    scenario: &Scenario,
    candidates: Vec<Candidate>,
    seed: u64,
    trials: u64,
    confidence: f64,
) -> Vec<(Candidate, f64)> {
    let policies: Vec<Policy> = candidates.iter().map(|c| c.policy.clone()).collect();
    let scores = score(scenario, &policies, seed, 0..trials);
    let mut out: Vec<(Candidate, f64)> = candidates
        .into_iter()
        .enumerate()
        .map(|(p, c)| (c, rank(&scores, p, confidence)))
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

/// The candidates of the whole class: the grid, and the allocator's plan if it has one.
fn starting_candidates(
    scenario: &Scenario,
    objective: &Objective,
    lp: &Result<Allocation, PlanError>,
) -> Vec<Candidate> {
    let mut all = candidates::fixed_shares(&objective.guardrails);
    all.extend(candidates::debt_ceilings(scenario, &objective.guardrails));
    all.extend(lp_candidates(lp));
    all
}

/// The allocator's plan as candidates: its schedule with its order, and with the priority
/// order (none when it has no plan).
pub(crate) fn lp_candidates(lp: &Result<Allocation, PlanError>) -> Vec<Candidate> {
    let Ok(allocation) = lp else {
        return Vec::new();
    };
    let plan = Policy::of_plan(&allocation.plan);
    vec![
        Candidate {
            label: "the allocator's plan".into(),
            policy: plan.clone(),
        },
        Candidate {
            label: "the allocator's tech shares, by priority".into(),
            policy: Policy::by_priority(plan.share),
        },
    ]
}

/// Finds the best policy for `scenario` within `objective`, training on trials of
/// `training_seed(seed)`.
pub fn optimise(
    scenario: &Scenario,
    objective: &Objective,
    seed: u64,
) -> Result<Found, OptimiseError> {
    let lp = allocate::allocate(scenario, &objective.guardrails, MarginalValues::DualsOnly);
    let train = training_seed(seed);
    let alive = starting_candidates(scenario, objective, &lp);
    let mut tried = alive.len();
    let finalists = race(scenario, objective, alive, train);
    // Refine the best of each kind (a schedule, a debt ceiling): their neighbourhoods differ,
    // and the best finalist's kind need not be the one whose neighbourhood holds the best.
    let is_ceiling = |c: &Candidate| matches!(c.policy.share, Share::DebtCeiling { .. });
    let mut refined = Vec::new();
    for kind in [false, true] {
        if let Some(start) = finalists.iter().find(|(c, _)| is_ceiling(c) == kind) {
            let (best, tries) = climb(scenario, objective, start, train);
            tried += tries;
            refined.push(best);
        }
    }
    let (best, _) = refined
        .into_iter()
        .reduce(|a, b| if b.1 > a.1 { b } else { a })
        .expect("the race leaves at least one finalist");
    let best_index = 0;
    let judged = score(
        scenario,
        std::slice::from_ref(&best.policy),
        train,
        0..TRAINING_TRIALS,
    );
    let short: Vec<(usize, usize, f64)> = judged
        .deadlines
        .iter()
        .enumerate()
        .filter(|&(d, _)| judged.on_time(best_index, d) < objective.confidence)
        .map(|(d, &(i, deadline))| (i, deadline, judged.on_time(best_index, d)))
        .collect();
    if !short.is_empty() {
        return Err(OptimiseError::Deadlines {
            confidence: objective.confidence,
            short,
            lp: match lp {
                Err(PlanError::Infeasible(why)) => Some(why),
                _ => None,
            },
        });
    }
    Ok(Found {
        training_score: judged.mean(best_index),
        candidate: best,
        finalists: finalists.into_iter().map(|(c, _)| c).collect(),
        lp,
        tried,
    })
}

/// One refinement round from `base` (with its rank on the training trials): the moves scored
/// on `trials.0` trials, the improving ones combined, and the best of the combination and the
/// best single move judged on `trials.1`. Returns it with its rank (or `base`).
pub(crate) fn refine(
    scenario: &Scenario,
    objective: &Objective,
    (base, base_rank): (&Candidate, f64),
    moves: Vec<Candidate>,
    train: u64,
    trials: (u64, u64),
) -> (Candidate, f64) {
    let mut first = vec![base.clone()];
    first.extend(moves);
    let quick = ranked(scenario, first, train, trials.0, objective.confidence);
    let base_quick = quick
        .iter()
        .find(|(c, _)| c == base)
        .map_or(f64::NEG_INFINITY, |(_, r)| *r);
    let improving: Vec<&Candidate> = quick
        .iter()
        .filter(|(c, r)| *r > base_quick && c != base)
        .map(|(c, _)| c)
        .collect();
    if improving.is_empty() {
        return (base.clone(), base_rank);
    }
    let mut finalists = vec![base.clone(), improving[0].clone()];
    if let Some(combined) = combine(base, &improving, scenario) {
        finalists.push(combined);
    }
    let judged = ranked(scenario, finalists, train, trials.1, objective.confidence);
    judged[0].clone()
}

/// The improving moves of a schedule applied together (each team and phase moved by the best
/// of its moves); `None` for debt ceilings or a single move.
fn combine(base: &Candidate, improving: &[&Candidate], scenario: &Scenario) -> Option<Candidate> {
    if improving.len() < 2 {
        return None;
    }
    let periods = scenario.periods;
    let teams = scenario.teams.len();
    let start = candidates::schedule_of(&base.policy, teams, periods)?;
    let mut combined = start.clone();
    let mut seen = vec![vec![false; periods]; teams];
    // Best first: the first move touching a team-period decides it.
    for candidate in improving {
        let Share::Schedule(moved) = &candidate.policy.share else {
            return None;
        };
        for j in 0..teams {
            for t in 0..periods {
                if moved[j][t] != start[j][t] && !seen[j][t] {
                    combined[j][t] = moved[j][t];
                    seen[j][t] = true;
                }
            }
        }
    }
    Some(Candidate {
        policy: Policy {
            share: Share::Schedule(combined),
            order: base.policy.order.clone(),
        },
        label: candidates::refined(&base.label),
    })
}
