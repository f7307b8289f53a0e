//! What a change is worth, on the simulated score: one more engineer (from period 1, or hired
//! later), a guardrail relaxed or removed, a hard deadline one period later. Each is priced
//! with re-optimisation — the policy is searched again for the changed scenario, starting from
//! the one found — and judged on the evaluation trials against the policy found for the
//! scenario as it is, paired trial by trial, with a 95% interval. When the re-search finds a
//! policy the scenario as it is admits and prefers on the training trials, that policy is the
//! one compared against ([`base_for`]): both sides of a price are then optima of the same
//! search, so a change that changes nothing prices at exactly 0, not at the search's luck.

use crate::allocate::{self, MarginalValues};
use crate::model::{Hire, Scenario, Workforce};
use crate::simulate::policy::{Policy, Share};
use crate::simulate::scores::{paired, score};

use super::candidates::{self, Candidate};
use super::{Found, Objective, refine, training_seed};

/// Evaluation trials per price (the scenario's own trials, at most its trial count).
pub const EVALUATION_TRIALS: u64 = 1000;
/// Training trials of a re-optimisation (it starts from a policy already found): candidates
/// first, then the best few.
const REOPTIMISE_TRIALS: (u64, u64) = (256, 512);
/// Guardrails are relaxed by this much.
pub const RELAXATION: f64 = 0.1;

/// A change whose value is priced.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// One more engineer on `team` from period 1.
    Engineer {
        /// Index of the team (one measured in engineers).
        team: usize,
    },
    /// One more engineer on `team`, hired at the start of `period` (ramping up as the team's
    /// hires do).
    Hire {
        /// Index of the team (one measured in engineers).
        team: usize,
        /// 1-based, from 2 to the horizon.
        period: usize,
    },
    /// The minimum tech share lowered to `to` (0: removed).
    MinShare {
        /// The new minimum, in [0, 1].
        to: f64,
    },
    /// The maximum tech share raised to `to` (1: removed).
    MaxShare {
        /// The new maximum, in [0, 1].
        to: f64,
    },
    /// A `must_finish` initiative's deadline one period later, `to`.
    Deadline {
        /// Index of the initiative.
        initiative: usize,
        /// The new deadline period: the old one + 1.
        to: usize,
    },
}

/// The value of one change: the mean paired difference of the blended score (changed,
/// re-optimised, minus as found) and its 95% half-width.
#[derive(Clone, Debug, PartialEq)]
pub struct Price {
    /// What is changed.
    pub change: Change,
    /// Mean over the evaluation trials of the blended score changed and re-optimised, minus
    /// the blended score as found.
    pub value: f64,
    /// Half-width of the 95% interval of `value` (1.96 standard errors of the paired mean).
    pub half_width: f64,
    /// The policy re-optimised for the change.
    pub policy: String,
    /// Evaluation trials.
    pub trials: u64,
    /// The policy the scenario as it is was judged with (the one found, or a better optimum
    /// of the same search: [`base_for`]).
    pub before: Policy,
    /// The policy re-optimised for the change.
    pub after: Policy,
    /// What the change does to each key result's chance, the deadlines' P85 finishes, final
    /// debt and incident days (`None` until measured: [`super::effects::of`]).
    pub effects: Option<super::effects::Effects>,
}

impl Price {
    /// Whether the value is within noise of zero (its interval holds 0).
    pub fn within_noise(&self) -> bool {
        self.value.abs() <= self.half_width
    }
}

/// The changes worth pricing for `scenario` under `objective`: an engineer and a hire at
/// `hire_period` per team measured in engineers, each guardrail relaxed and removed, each hard
/// deadline one period later.
pub fn changes(scenario: &Scenario, objective: &Objective, hire_period: usize) -> Vec<Change> {
    let mut out = Vec::new();
    for (team, t) in scenario.teams.iter().enumerate() {
        if matches!(t.workforce, Workforce::Engineers(_)) {
            out.push(Change::Engineer { team });
            if (2..=scenario.periods).contains(&hire_period) {
                out.push(Change::Hire {
                    team,
                    period: hire_period,
                });
            }
        }
    }
    let g = objective.guardrails;
    if g.min_tech_share > 0.0 {
        let relaxed = (g.min_tech_share - RELAXATION).max(0.0);
        out.push(Change::MinShare { to: relaxed });
        if relaxed > 0.0 {
            out.push(Change::MinShare { to: 0.0 });
        }
    }
    if g.max_tech_share < 1.0 {
        let relaxed = (g.max_tech_share + RELAXATION).min(1.0);
        out.push(Change::MaxShare { to: relaxed });
        if relaxed < 1.0 {
            out.push(Change::MaxShare { to: 1.0 });
        }
    }
    for (i, initiative) in scenario.initiatives.iter().enumerate() {
        let deadline = initiative.deadline.unwrap_or(scenario.periods);
        if initiative.must_finish && deadline < scenario.periods {
            out.push(Change::Deadline {
                initiative: i,
                to: deadline + 1,
            });
        }
    }
    out
}

/// The scenario with `change` made (a guardrail is the objective's, not the scenario's).
pub fn changed_scenario(scenario: &Scenario, objective: &Objective, change: &Change) -> Scenario {
    changed(scenario, objective, change).0
}

/// The scenario and objective with `change` made.
fn changed(scenario: &Scenario, objective: &Objective, change: &Change) -> (Scenario, Objective) {
    let mut s = scenario.clone();
    let mut o = *objective;
    match *change {
        Change::Engineer { team } => {
            if let Workforce::Engineers(staff) = &mut s.teams[team].workforce {
                staff.engineers += 1.0;
            }
        }
        Change::Hire { team, period } => {
            if let Workforce::Engineers(staff) = &mut s.teams[team].workforce {
                staff.hires.push(Hire {
                    period,
                    engineers: 1.0,
                });
            }
        }
        Change::MinShare { to } => o.guardrails.min_tech_share = to,
        Change::MaxShare { to } => o.guardrails.max_tech_share = to,
        Change::Deadline { initiative, to } => s.initiatives[initiative].deadline = Some(to),
    }
    (s, o)
}

/// Searches again for `scenario` under `objective`, starting from `found` (and, for a
/// guardrail removed, from the policy of the guardrail relaxed, `nested`): its finalists, the
/// grid the change newly admits, a short race, and a refinement round of the best.
fn reoptimise(
    scenario: &Scenario,
    objective: &Objective,
    found: &Found,
    change: &Change,
    (old, nested): (&crate::allocate::Guardrails, Option<&Candidate>),
    seed: u64,
) -> Candidate {
    let train = training_seed(seed);
    let g = objective.guardrails;
    let mut start: Vec<Candidate> = std::iter::once(&found.candidate)
        .chain(found.finalists.iter().take(2))
        .chain(nested)
        .cloned()
        .collect();
    if found.lp.is_ok() && !matches!(change, Change::Engineer { .. } | Change::Hire { .. }) {
        // The guardrails or a deadline moved: the allocator's plan for the new ones may be a
        // different shape altogether (an engineer's plan is the old one's, with more room).
        let lp = allocate::allocate(scenario, &g, MarginalValues::DualsOnly);
        start.extend(super::lp_candidates(&lp));
    }
    if matches!(change, Change::MinShare { .. } | Change::MaxShare { .. }) {
        let new_share = |s: f64| s < old.min_tech_share - 1e-9 || s > old.max_tech_share + 1e-9;
        let admitted = candidates::fixed_shares(&g)
            .into_iter()
            .chain(candidates::debt_ceilings(scenario, &g))
            .filter(|c| match c.policy.share {
                Share::Fixed(s) => new_share(s),
                Share::DebtCeiling { above, below, .. } => new_share(above) || new_share(below),
                Share::Schedule(_) => false,
            });
        start.extend(admitted);
    }
    start.dedup();
    let (quick, judge) = REOPTIMISE_TRIALS;
    let mut alive = start;
    if alive.len() > RACE_KEEP {
        let mut raced = super::ranked(scenario, alive, train, quick / 4, objective.confidence);
        raced.truncate(RACE_KEEP);
        alive = raced.into_iter().map(|(c, _)| c).collect();
    }
    let judged = super::ranked(scenario, alive, train, judge, objective.confidence);
    let (best, best_rank) = judged[0].clone();
    let teams: Vec<usize> = match change {
        Change::Engineer { team } | Change::Hire { team, .. } => vec![*team],
        _ => (0..scenario.teams.len()).collect(),
    };
    let moves = candidates::moves(&best, scenario, &g, &teams, RELAXATION);
    if moves.is_empty() {
        return best;
    }
    refine(
        scenario,
        objective,
        (&best, best_rank),
        moves,
        train,
        REOPTIMISE_TRIALS,
    )
    .0
}

/// Candidates kept after a re-optimisation's short race.
const RACE_KEEP: usize = 4;

/// Prices every change of `changes` for the policy `found` for `scenario` under `objective`,
/// on `evaluation` trials of `seed`; `priced` hears how many are done after each.
pub fn price(
    scenario: &Scenario,
    objective: &Objective,
    found: &Found,
    changes: &[Change],
    seed: u64,
    evaluation: u64,
    priced: &dyn Fn(usize),
) -> Vec<Price> {
    let base = score(
        scenario,
        std::slice::from_ref(&found.candidate.policy),
        seed,
        0..evaluation,
    );
    // `found`'s rank on the training trials, scored once for every change that needs it.
    let found_rank = std::cell::OnceCell::new();
    let mut relaxed: Vec<(Change, Candidate)> = Vec::new();
    let mut out = Vec::new();
    for change in changes {
        let (s, o) = changed(scenario, objective, change);
        // A guardrail removed can do all the guardrail relaxed does: start from its policy.
        let nested = relaxed
            .iter()
            .find(|(c, _)| same_bound(c, change))
            .map(|(_, candidate)| candidate);
        let best = reoptimise(&s, &o, found, change, (&objective.guardrails, nested), seed);
        let after = score(&s, std::slice::from_ref(&best.policy), seed, 0..evaluation);
        let (value, half_width, before) =
            match base_for(scenario, objective, (found, &found_rank), &best, seed) {
                None => {
                    let (value, half_width) = paired(after.blended(0), base.blended(0));
                    (value, half_width, found.candidate.policy.clone())
                }
                Some(better) => {
                    let before =
                        score(scenario, std::slice::from_ref(&better), seed, 0..evaluation);
                    let (value, half_width) = paired(after.blended(0), before.blended(0));
                    (value, half_width, better)
                }
            };
        if matches!(change, Change::MinShare { .. } | Change::MaxShare { .. }) {
            relaxed.push((change.clone(), best.clone()));
        }
        out.push(Price {
            change: change.clone(),
            value,
            half_width,
            policy: best.label,
            trials: evaluation,
            before,
            after: best.policy,
            effects: None,
        });
        priced(out.len());
    }
    out
}

/// The policy the scenario as it is is priced with, when it is not `found`'s: the changed
/// scenario's optimum `best`, if the scenario as it is admits it (within its guardrails) and it
/// ranks above `found` there on the training trials the re-search judged on. A price is then a
/// difference between two optima that had the same search, never the re-search's luck: a
/// change that changes nothing prices at exactly 0 instead of at what the second search found
/// and the first missed.
/// `found_rank` holds `found`'s rank once computed (each policy's scores on common random
/// numbers do not depend on which others are scored beside it).
fn base_for(
    scenario: &Scenario,
    objective: &Objective,
    (found, found_rank): (&Found, &std::cell::OnceCell<f64>),
    best: &Candidate,
    seed: u64,
) -> Option<Policy> {
    if best.policy == found.candidate.policy || !within(&best.policy, &objective.guardrails) {
        return None;
    }
    let rank = |candidate: &Candidate| {
        let judged = super::ranked(
            scenario,
            vec![candidate.clone()],
            training_seed(seed),
            REOPTIMISE_TRIALS.1,
            objective.confidence,
        );
        judged[0].1
    };
    let found_rank = *found_rank.get_or_init(|| rank(&found.candidate));
    // A tie keeps `found`: `best` must rank strictly higher.
    (rank(best) > found_rank).then(|| best.policy.clone())
}

/// Whether every share `policy` can choose lies within `guardrails`.
fn within(policy: &Policy, guardrails: &crate::allocate::Guardrails) -> bool {
    let inside = |share: f64| {
        share >= guardrails.min_tech_share - 1e-9 && share <= guardrails.max_tech_share + 1e-9
    };
    match &policy.share {
        Share::Fixed(share) => inside(*share),
        Share::DebtCeiling { above, below, .. } => inside(*above) && inside(*below),
        Share::Schedule(rows) => rows.iter().flatten().all(|&share| inside(share)),
    }
}

/// Whether two changes move the same guardrail.
fn same_bound(a: &Change, b: &Change) -> bool {
    matches!(
        (a, b),
        (Change::MinShare { .. }, Change::MinShare { .. })
            | (Change::MaxShare { .. }, Change::MaxShare { .. })
    )
}

/// The policy `found`'s share of `team` in `period`, for reports (`None` for a debt ceiling,
/// whose share follows the debt).
pub fn planned_share(policy: &Policy, team: usize, period: usize) -> Option<f64> {
    match policy.share {
        Share::DebtCeiling { .. } => None,
        _ => Some(policy.tech_share(team, period, 0.0)),
    }
}
