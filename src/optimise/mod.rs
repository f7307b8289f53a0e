//! The `optimised` strategy: the policy with the best expected blended score under
//! uncertainty, found by simulating candidates on common random numbers
//! (docs/src/explanation/allocator.md: the simulator is the judge; the LP plan of
//! [`crate::allocate`] is one candidate among many).
//!
//! # Method
//! 1. **Candidates** ([`candidates`]): every fixed share of a 5% grid within the guardrails,
//!    every debt ceiling of a grid (ceilings 0.5–2× the teams' mean initial debt, shares on a
//!    10% grid, more above the ceiling than below), every two-phase schedule of a grid (a
//!    switch period, shares on a 25% grid), every error-budget rule of a grid where incidents
//!    happen, and the allocator's plan (its schedule, with its order and with the priority
//!    order).
//! 2. **Racing** ([`race`]): the grid by successive halving on common random numbers, from
//!    [`FIRST_TRIALS`] trials to [`RACE`]'s, while the allocator solves its plan on another
//!    thread; the [`FINALISTS`] and the plan then on [`TRAINING`]'s trials. A candidate is
//!    only ever simulated on trials it has not been scored on.
//! 3. **Refinement**: from the best finalist of each kind (schedule, debt ceiling, reactive
//!    rule), each team's share in each of up to four phases of the horizon is moved up and
//!    down and each switch point one or two periods either way (a debt ceiling's ceiling and
//!    shares, a reactive rule's base, raised share and threshold alike); the moves are
//!    raced by successive halving from [`MOVES_FIRST`]'s trials (where a trial is cheap, all
//!    of them: every move scored alike), the improving survivors combined, and the best move or the
//!    combination kept when it scores better on [`CLIMB`]'s trials; the refined policies and
//!    the best finalist are ranked on [`TRAINING`]'s.
//! 4. **Hard deadlines** (`must_finish`) are chance constraints: a policy qualifies only if it
//!    finishes each by its deadline in at least `confidence` of the training trials; ranking
//!    subtracts [`SHORTFALL_PENALTY`] × the shortfall, so the search moves towards them.
//!
//! Trial counts shrink as the cost of one trial grows ([`effort`]), so a whole organisation
//! plans in about the time a mid-sized one does. Training trials come from their own stream
//! ([`training_seed`]), so the figures a run or `fulcrum plan` reports, on the scenario's own
//! trials, are a separate evaluation sample and the search's luck on its training sample is
//! not sold as gain.

pub mod candidates;
pub mod effects;
pub mod effort;
pub mod prices;
pub mod race;
pub mod shape;

use crate::allocate::{self, Allocation, Guardrails, Infeasibility, MarginalValues, PlanError};
use crate::model::Scenario;
use crate::simulate::policy::{Policy, Share};
use crate::simulate::rng::mix;
use crate::simulate::scores::hard_deadlines;
pub use candidates::Candidate;
use effort::{Effort, Kept, Trials};
use race::Pool;

/// Trials every candidate of a race is first scored on.
pub const FIRST_TRIALS: u64 = 32;
/// Trials the grid's race ends on.
pub const RACE: Trials = Trials {
    nominal: 512,
    floor: 128,
};
/// Candidates of the grid left after its race (all six where a trial is cheap: the more
/// finalists, the less the policy found depends on the luck of the race's trials).
pub const FINALISTS: Kept = Kept {
    nominal: 6,
    floor: 3,
};
/// Switch periods of the grid's two-phase schedules.
const SWITCH_POINTS: Kept = Kept {
    nominal: candidates::SWITCHES,
    floor: 4,
};
/// Trials the finalists and the refinement are judged on.
pub const TRAINING: Trials = Trials {
    nominal: 2048,
    floor: 256,
};
/// Trials a refinement round's best move and combination are judged against its base on
/// (the refined policies of every kind are then ranked on [`TRAINING`]'s). All the training
/// trials where a trial is cheap: a step judged on fewer is kept or not by their luck, and
/// the policy found then depends on the seed.
pub(crate) const CLIMB: Trials = Trials {
    nominal: 2048,
    floor: 256,
};
/// Trials the race of refinement moves ends on.
const MOVES: Trials = Trials {
    nominal: 256,
    floor: 64,
};
/// Trials every refinement move is first scored on: where a trial is cheap, all of the
/// race's, so every move that improves on its base is combined (a race from fewer drops some
/// by luck, and the climb then stalls where another seed's goes on); shrinking to
/// [`FIRST_TRIALS`] as a trial grows costly.
pub const MOVES_FIRST: Trials = Trials {
    nominal: 256,
    floor: FIRST_TRIALS,
};
/// Moves left after their race, of which those better than the base are combined.
const MOVES_KEPT: usize = 8;
/// Rounds of a climb: the share step of each, the last repeated while it improves up to
/// `most` rounds in all.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rounds {
    /// The share step of each round.
    pub steps: &'static [f64],
    /// Rounds at most.
    pub most: usize,
    /// Rounds where a trial is costly: the first steps only, none repeated (a budget that
    /// does not grow with the organisation).
    pub costly: usize,
    /// Trials a round's best move and combination are judged against its base on.
    pub judge: Trials,
}

/// The search's refinement: a coarse step first, which escapes the local optima a fine one
/// stops in (on a synthetic 3-team organisation, policies found from four training seeds
/// scored 0.407–0.425 from steps of 0.1, 0.05, 0.05 and 0.424–0.427 from these).
const ROUNDS: Rounds = Rounds {
    steps: &[0.2, 0.1, 0.05, 0.05],
    most: 6,
    costly: 3,
    judge: CLIMB,
};
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
    /// The best finalist and the best of each kind's climb (an open-loop schedule, a debt
    /// ceiling, a reactive rule), from which `candidate` was chosen: what reacting to the
    /// state gains over the best open-loop schedule is measured between them.
    pub refined: Vec<Candidate>,
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

/// Hill-climbing from finalist `start` (with its rank) through `rounds` of ever smaller
/// moves of `teams` (the smallest repeated while it improves): the best candidate found, with
/// its rank.
pub(crate) fn climb(
    pool: &mut Pool<'_>,
    objective: &Objective,
    (start, start_rank): (usize, f64),
    (teams, rounds, effort): (&[usize], Rounds, &Effort),
) -> (usize, f64) {
    let scenario = pool.scenario();
    let (mut best, mut best_rank) = (start, start_rank);
    let costly = effort.scale < 1.0;
    let mut steps: Vec<f64> = if costly {
        rounds.steps[..rounds.costly].to_vec()
    } else {
        rounds.steps.to_vec()
    };
    let mut k = 0;
    while k < steps.len() {
        let step = steps[k];
        k += 1;
        let moves = candidates::moves(
            pool.candidate(best),
            scenario,
            &objective.guardrails,
            teams,
            step,
        );
        if moves.is_empty() {
            break;
        }
        let trials = (
            effort.trials(MOVES_FIRST),
            effort.trials(MOVES),
            effort.trials(rounds.judge),
        );
        let (improved, improved_rank) = refine(pool, best, moves, trials);
        if improved_rank > best_rank {
            best = improved;
            best_rank = improved_rank;
            // The finest step goes on while it improves, up to `most` rounds in all.
            if !costly && k == steps.len() && steps.len() < rounds.most {
                steps.push(step);
            }
        }
    }
    (best, best_rank)
}

/// The candidates of the grid: every fixed share, debt ceiling, two-phase schedule and
/// error-budget rule within the guardrails.
pub(crate) fn grid(
    scenario: &Scenario,
    guardrails: &Guardrails,
    effort: &Effort,
) -> Vec<Candidate> {
    let mut all = candidates::fixed_shares(guardrails);
    let switches = effort.kept(SWITCH_POINTS);
    all.extend(candidates::two_phases(scenario, guardrails, switches));
    all.extend(candidates::debt_ceilings(scenario, guardrails));
    all.extend(candidates::error_budgets(scenario, guardrails));
    all
}

/// The kinds of policy whose neighbourhoods refinement climbs separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A share per team and period, set by the calendar (a fixed share is the constant one).
    Schedule,
    /// A share that follows each team's debt.
    DebtCeiling,
    /// A base share raised while a state trigger holds.
    Reactive,
}

impl Kind {
    /// Every kind, in the order refinement climbs them.
    pub const ALL: [Kind; 3] = [Kind::Schedule, Kind::DebtCeiling, Kind::Reactive];

    /// The kind of `candidate`'s policy.
    pub fn of(candidate: &Candidate) -> Kind {
        match candidate.policy.share {
            Share::Fixed(_) | Share::Schedule(_) => Kind::Schedule,
            Share::DebtCeiling { .. } => Kind::DebtCeiling,
            Share::Reactive(_) => Kind::Reactive,
        }
    }

    /// Whether the policy reacts to the state (closed loop) rather than the calendar.
    pub fn reacts(self) -> bool {
        self != Kind::Schedule
    }
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
    let effort = Effort::of(scenario);
    let training = effort.trials(TRAINING);
    let mut pool = Pool::new(scenario, training_seed(seed), objective.confidence);
    let grid: Vec<usize> = grid(scenario, &objective.guardrails, &effort)
        .into_iter()
        .map(|c| pool.add(c))
        .collect();
    // The allocator's solver runs on one thread: race the grid on the others meanwhile.
    let (lp, raced) = rayon::join(
        || allocate::allocate(scenario, &objective.guardrails, MarginalValues::DualsOnly),
        || {
            pool.halving(
                grid,
                FIRST_TRIALS,
                effort.trials(RACE),
                effort.kept(FINALISTS),
            )
        },
    );
    let mut alive: Vec<usize> = raced.into_iter().map(|(e, _)| e).collect();
    alive.extend(lp_candidates(&lp).into_iter().map(|c| pool.add(c)));
    let finalists = pool.ranked(&alive, training);
    // Refine the best finalist of each kind: their neighbourhoods differ, and the best
    // finalist's kind need not be the one whose neighbourhood holds the best.
    let mut refined = vec![finalists[0].0];
    let best_kind = Kind::of(pool.candidate(finalists[0].0));
    for wanted in Kind::ALL {
        // A reactive rule's climb moves every team's base and its triggers: where a trial is
        // costly, only when a reactive rule is the best finalist.
        if wanted == Kind::Reactive && best_kind != wanted && effort.scale < 1.0 {
            continue;
        }
        if let Some(&(start, _)) = finalists
            .iter()
            .find(|(e, _)| Kind::of(pool.candidate(*e)) == wanted)
        {
            let climb_trials = effort.trials(CLIMB);
            let start_rank = pool.ranked(&[start], climb_trials)[0].1;
            let all_teams: Vec<usize> = (0..scenario.teams.len()).collect();
            let climbed = climb(
                &mut pool,
                objective,
                (start, start_rank),
                (&all_teams, ROUNDS, &effort),
            );
            refined.push(climbed.0);
        }
    }
    // The refined policies judged on all the training trials (ties keep the finalist).
    let best = pool.ranked(&refined, training)[0].0;
    let n = training as usize;
    let short: Vec<(usize, usize, f64)> = hard_deadlines(scenario)
        .into_iter()
        .enumerate()
        .map(|(d, (i, deadline))| (i, deadline, pool.on_time(best, n, d)))
        .filter(|&(_, _, on_time)| on_time < objective.confidence)
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
        training_score: pool.mean(best, n),
        candidate: pool.candidate(best).clone(),
        finalists: finalists
            .iter()
            .map(|(e, _)| pool.candidate(*e).clone())
            .collect(),
        lp,
        tried: pool.tried(),
        refined: refined.iter().map(|&e| pool.candidate(e).clone()).collect(),
    })
}

/// One refinement round from `base`: the moves raced by successive halving from `first` to
/// `quick` trials, the survivors better than `base` on the same trials combined, and the best
/// of the combination and the best single move judged against `base` on `judge`. Returns the
/// best with its rank.
fn refine(
    pool: &mut Pool<'_>,
    base: usize,
    moves: Vec<Candidate>,
    (first, quick, judge): (u64, u64, u64),
) -> (usize, f64) {
    let base_rank = pool.ranked(&[base], judge)[0].1;
    let ids: Vec<usize> = moves
        .into_iter()
        .map(|c| pool.add(c))
        .filter(|&e| e != base)
        .collect();
    if ids.is_empty() {
        return (base, base_rank);
    }
    let survivors = pool.halving(ids, first.min(quick), quick, MOVES_KEPT);
    let base_quick = pool.ranked(&[base], quick)[0].1;
    let improving: Vec<usize> = survivors
        .into_iter()
        .filter(|&(_, r)| r > base_quick)
        .map(|(e, _)| e)
        .collect();
    let Some(&first) = improving.first() else {
        return (base, base_rank);
    };
    let mut finalists = vec![base, first];
    let moved: Vec<&Candidate> = improving.iter().map(|&e| pool.candidate(e)).collect();
    if let Some(combined) = combine(pool.candidate(base), &moved, pool.scenario()) {
        finalists.push(pool.add(combined));
    }
    pool.ranked(&finalists, judge)[0]
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
