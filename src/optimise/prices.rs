//! What a change is worth, on the simulated score: one more engineer (from period 1, or hired
//! later), a guardrail relaxed or removed, a hard deadline one period later. Each is priced
//! with re-optimisation — the policy is searched again for the changed scenario, starting from
//! the one found — and judged on the evaluation trials against the policy found for the
//! scenario as it is, paired trial by trial, with a 95% interval.

use crate::model::{Hire, Scenario, Workforce};
use crate::simulate::policy::Policy;
use crate::simulate::scores::{paired, score};

use super::candidates::{self, Candidate};
use super::{Found, Objective, TRAINING_TRIALS, refine, training_seed};

/// Evaluation trials per price (the scenario's own trials, at most its trial count).
pub const EVALUATION_TRIALS: u64 = 2000;
/// Guardrails are relaxed by this much.
pub const RELAXATION: f64 = 0.1;

/// A change whose value is priced.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// One more engineer on `team` from period 1.
    Engineer { team: usize },
    /// One more engineer on `team`, hired at the start of `period` (ramping up as the team's
    /// hires do).
    Hire { team: usize, period: usize },
    /// The minimum tech share lowered to `to` (0: removed).
    MinShare { to: f64 },
    /// The maximum tech share raised to `to` (1: removed).
    MaxShare { to: f64 },
    /// A `must_finish` initiative's deadline one period later, `to`.
    Deadline { initiative: usize, to: usize },
}

/// The value of one change: the mean paired difference of the blended score (changed,
/// re-optimised, minus as found) and its 95% half-width.
#[derive(Clone, Debug, PartialEq)]
pub struct Price {
    pub change: Change,
    pub value: f64,
    pub half_width: f64,
    /// The policy re-optimised for the change.
    pub policy: String,
    /// Evaluation trials.
    pub trials: u64,
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

/// Searches again for `scenario` under `objective`, starting from `found`: its finalists, the
/// grid the change admits (for guardrails), and a refinement round of the best.
fn reoptimise(
    scenario: &Scenario,
    objective: &Objective,
    found: &Found,
    change: &Change,
    seed: u64,
) -> Candidate {
    let train = training_seed(seed);
    let g = objective.guardrails;
    let clamp = |c: &Candidate| -> Candidate {
        let mut c = c.clone();
        if let crate::simulate::policy::Share::Schedule(schedule) = &mut c.policy.share {
            for share in schedule.iter_mut().flatten() {
                *share = share.clamp(g.min_tech_share, g.max_tech_share);
            }
        }
        c
    };
    let mut start: Vec<Candidate> = std::iter::once(&found.candidate)
        .chain(found.finalists.iter().take(3))
        .map(clamp)
        .collect();
    if matches!(change, Change::MinShare { .. } | Change::MaxShare { .. }) {
        start.extend(candidates::fixed_shares(&g));
        start.extend(candidates::debt_ceilings(scenario, &g));
    }
    start.dedup();
    let ranked = super::ranked(
        scenario,
        start,
        train,
        TRAINING_TRIALS / 4,
        objective.confidence,
    );
    let finalists: Vec<Candidate> = ranked.into_iter().take(3).map(|(c, _)| c).collect();
    let judged = super::ranked(
        scenario,
        finalists,
        train,
        TRAINING_TRIALS,
        objective.confidence,
    );
    let (best, best_rank) = judged[0].clone();
    let teams: Vec<usize> = match change {
        Change::Engineer { team } | Change::Hire { team, .. } => vec![*team],
        _ => (0..scenario.teams.len()).collect(),
    };
    let moves = candidates::moves(&best, scenario, &g, &teams, RELAXATION);
    if moves.is_empty() {
        return best;
    }
    refine(scenario, objective, &best, best_rank, moves, train).0
}

/// Prices every change of `changes` for the policy `found` for `scenario`, on `evaluation`
/// trials of `seed`.
pub fn price(
    scenario: &Scenario,
    objective: &Objective,
    found: &Found,
    changes: &[Change],
    seed: u64,
    evaluation: u64,
) -> Vec<Price> {
    let base = score(
        scenario,
        std::slice::from_ref(&found.candidate.policy),
        seed,
        0..evaluation,
    );
    changes
        .iter()
        .map(|change| {
            let (s, o) = changed(scenario, objective, change);
            let best = reoptimise(&s, &o, found, change, seed);
            let after = score(&s, std::slice::from_ref(&best.policy), seed, 0..evaluation);
            let (value, half_width) = paired(after.blended(0), base.blended(0));
            Price {
                change: change.clone(),
                value,
                half_width,
                policy: best.label,
                trials: evaluation,
            }
        })
        .collect()
}

/// The policy `found`'s share of `team` in `period`, for reports (`None` for a debt ceiling,
/// whose share follows the debt).
pub fn planned_share(policy: &Policy, team: usize, period: usize) -> Option<f64> {
    match policy.share {
        crate::simulate::policy::Share::DebtCeiling { .. } => None,
        _ => Some(policy.tech_share(team, period, 0.0)),
    }
}
