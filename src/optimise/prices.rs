//! What a change is worth, on the simulated score: one more engineer (from period 1, or hired
//! later), a guardrail relaxed or removed, a hard deadline one period later. Each is priced
//! with re-optimisation — the policy is searched again for the changed scenario, from the one
//! found (and, for a moved bound, from the allocator's plan for the new bounds and the grid's
//! policies the old guardrails refused), climbing as the search does — and judged on the
//! evaluation trials against the policy found for the scenario as it is, paired trial by
//! trial, with a 95% interval. When the re-search finds a
//! policy the scenario as it is admits and prefers on the training trials, that policy is the
//! one compared against ([`base_for`]): both sides of a price are then optima of the same
//! search, so a change that changes nothing prices at exactly 0, not at the search's luck.
//! Like the search's, the trial counts shrink as the cost of one trial grows
//! ([`super::effort`]). `examples/policy_check.rs` holds each price against the change made
//! by hand and searched from scratch.

use crate::allocate::{self, MarginalValues};
use crate::model::{Hire, Scenario, Workforce};
use crate::simulate::policy::{Policy, Share};
use rayon::prelude::*;

use crate::simulate::scores::{Scores, paired, score};

use super::candidates::Candidate;
use super::effort::{Effort, Trials};
use super::race::Pool;
use super::{FIRST_TRIALS, Found, Objective, Rounds, training_seed};

/// Evaluation trials per price (the scenario's own trials, at most its trial count), before
/// the effort's scaling.
pub const EVALUATION_TRIALS: u64 = 1000;
/// Evaluation trials per price: [`EVALUATION_TRIALS`] scaled by the effort.
const EVALUATION: Trials = Trials {
    nominal: EVALUATION_TRIALS,
    floor: 256,
};
/// Training trials a re-optimisation's race of starting policies ends on (and that a changed
/// optimum is judged against the policy found on, [`base_for`]).
const REOPTIMISE: Trials = Trials {
    nominal: 512,
    floor: 128,
};
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

impl Change {
    /// Whether the change adds capacity (an engineer, a hire) rather than moving a bound.
    pub fn is_capacity(&self) -> bool {
        matches!(self, Change::Engineer { .. } | Change::Hire { .. })
    }

    /// Whether the change moves a guardrail, which leaves the scenario as it is.
    pub fn is_guardrail(&self) -> bool {
        matches!(self, Change::MinShare { .. } | Change::MaxShare { .. })
    }
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

/// The scenario and objective with `change` made (a guardrail is the objective's, not the
/// scenario's).
pub fn changed(
    scenario: &Scenario,
    objective: &Objective,
    change: &Change,
) -> (Scenario, Objective) {
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

/// Searches again for the changed `scenario` under `objective`, starting from `found` and its
/// two best finalists (and, for a guardrail removed, the policy of the guardrail relaxed,
/// `nested`), raced, then climbing as the search does from the best. A change of capacity
/// moves the shares of the team whose capacity changed. A change that moves a bound (a
/// guardrail, a deadline) may make another shape best altogether: its starts also hold the
/// allocator's plan for the new bounds (`program`, [`program_starts`]) and the grid's policies
/// the old guardrails refused, and every team's shares move (a single round of moves from the
/// best start priced legacy-platform's maximum share removed at +0.111, where re-running the
/// search finds +0.194).
fn reoptimise(
    pool: &mut Pool<'_>,
    objective: &Objective,
    (found, change, program): (&Found, &Change, Vec<Candidate>),
    (old, nested): (&crate::allocate::Guardrails, Option<&Candidate>),
    effort: &Effort,
) -> Candidate {
    let scenario = pool.scenario();
    let g = objective.guardrails;
    let mut start: Vec<Candidate> = std::iter::once(&found.candidate)
        .chain(found.finalists.iter().take(2))
        .chain(nested)
        .cloned()
        .chain(program)
        .collect();
    let teams: Vec<usize> = match change {
        Change::Engineer { team } | Change::Hire { team, .. } => vec![*team],
        _ => {
            let refused = super::grid(scenario, &g, effort)
                .into_iter()
                .filter(|c| !within(&c.policy, old));
            start.extend(refused);
            (0..scenario.teams.len()).collect()
        }
    };
    let judge = effort.trials(REOPTIMISE);
    let start: Vec<usize> = start.into_iter().map(|c| pool.add(c)).collect();
    let (best, _) = pool.halving(start, FIRST_TRIALS.min(judge), judge, RACE_KEEP)[0];
    let rank = pool.ranked(&[best], judge)[0].1;
    let (best, _) = super::climb(
        pool,
        objective,
        (best, rank),
        (&teams, REOPTIMISE_ROUNDS, effort),
    );
    pool.candidate(best).clone()
}

/// The starts the allocator adds to a re-search for `change`: its plan for the changed bounds,
/// where the change moves a bound, the search's own program solved and the program is small
/// (a change of capacity starts from the policy found alone).
fn program_starts(
    scenario: &Scenario,
    objective: &Objective,
    found: &Found,
    change: &Change,
) -> Vec<Candidate> {
    if change.is_capacity() || found.lp.is_err() {
        return Vec::new();
    }
    let (s, o) = changed(scenario, objective, change);
    if allocate::is_large(&s) {
        return Vec::new();
    }
    super::lp_candidates(&allocate::allocate(
        &s,
        &o.guardrails,
        MarginalValues::DualsOnly,
    ))
}

/// The evaluation trials of a price (and of the plan's reasons for its shape,
/// [`super::shape`]): at most `at_most`, [`EVALUATION_TRIALS`] scaled by the effort.
pub fn evaluation_trials(scenario: &Scenario, at_most: u64) -> u64 {
    at_most.min(Effort::of(scenario).trials(EVALUATION))
}

/// A re-optimisation's climb from a policy already refined: two rounds, 10 then 5 points (one
/// of 10 where a trial is costly).
const REOPTIMISE_ROUNDS: Rounds = Rounds {
    steps: &[0.1, 0.05],
    most: 2,
    costly: 1,
    judge: REOPTIMISE,
};

/// Candidates kept after a re-optimisation's short race.
const RACE_KEEP: usize = 4;

/// Prices every change of `changes` for the policy `found` for `scenario` under `objective`,
/// on at most `evaluation` trials of `seed` (fewer where a trial is costly); `priced` hears how
/// many are done after each.
pub fn price(
    scenario: &Scenario,
    objective: &Objective,
    found: &Found,
    changes: &[Change],
    seed: u64,
    evaluation: u64,
    priced: &(dyn Fn(usize) + Sync),
) -> Vec<Price> {
    let evaluation = evaluation_trials(scenario, evaluation);
    let pricing = Pricing {
        scenario,
        objective,
        found,
        base: score(
            scenario,
            std::slice::from_ref(&found.candidate.policy),
            seed,
            0..evaluation,
        ),
        evaluation,
        seed,
        effort: Effort::of(scenario),
    };
    // The scenario as it is, on the training trials a re-search judges on: `found` is scored
    // there once for every change that needs it.
    let mut as_is = Pool::new(scenario, training_seed(seed), objective.confidence);
    // The allocator's programs are solved one to a core while the changes of capacity, which
    // need none, are priced: a solve uses one core, and would leave the other idle.
    let (programs, mut out) = rayon::join(
        || {
            changes
                .par_iter()
                .map(|c| program_starts(scenario, objective, found, c))
                .collect::<Vec<_>>()
        },
        || {
            let mut out = Vec::new();
            for change in changes.iter().filter(|c| c.is_capacity()) {
                out.push(pricing.one(change, Vec::new(), None, &mut as_is));
                priced(out.len());
            }
            out
        },
    );
    let mut relaxed: Vec<(Change, Candidate)> = Vec::new();
    for (change, program) in changes.iter().zip(programs) {
        if change.is_capacity() {
            continue;
        }
        // A guardrail removed can do all the guardrail relaxed does: start from its policy.
        let nested = relaxed
            .iter()
            .find(|(c, _)| same_bound(c, change))
            .map(|(_, candidate)| candidate.clone());
        let price = pricing.one(change, program, nested.as_ref(), &mut as_is);
        if change.is_guardrail() {
            relaxed.push((
                change.clone(),
                Candidate {
                    label: price.policy.clone(),
                    policy: price.after.clone(),
                },
            ));
        }
        out.push(price);
        priced(out.len());
    }
    // In the order of `changes`: the changes of capacity were priced first.
    let position = |c: &Change| changes.iter().position(|x| x == c);
    out.sort_by_key(|p| position(&p.change));
    out
}

/// What every price of one policy found shares: the scenario and objective as they are, the
/// policy `found`, its scores on the `evaluation` trials of `seed` (`base`) and the effort.
struct Pricing<'a> {
    scenario: &'a Scenario,
    objective: &'a Objective,
    found: &'a Found,
    base: Scores,
    evaluation: u64,
    seed: u64,
    effort: Effort,
}

impl Pricing<'_> {
    /// One change priced: re-searched from `program`'s starts and `nested` besides the policy
    /// found, judged on the evaluation trials against the policy found there, or against
    /// [`base_for`]'s better optimum on `as_is`'s training trials.
    fn one(
        &self,
        change: &Change,
        program: Vec<Candidate>,
        nested: Option<&Candidate>,
        as_is: &mut Pool<'_>,
    ) -> Price {
        let (scenario, objective, found) = (self.scenario, self.objective, self.found);
        let (seed, evaluation, effort) = (self.seed, self.evaluation, &self.effort);
        let (s, o) = changed(scenario, objective, change);
        let old = (&objective.guardrails, nested);
        let re = (found, change, program);
        // A guardrail is the objective's, not the scenario's: its re-search simulates the
        // scenario as it is, whose candidates `as_is` has scored already (for the policy found,
        // the other guardrails' re-searches and their moves) on the same training trials.
        let best = if change.is_guardrail() {
            reoptimise(as_is, &o, re, old, effort)
        } else {
            let mut pool = Pool::new(&s, training_seed(seed), o.confidence);
            reoptimise(&mut pool, &o, re, old, effort)
        };
        let after = score(&s, std::slice::from_ref(&best.policy), seed, 0..evaluation);
        let judge = effort.trials(REOPTIMISE);
        let (value, half_width, before) = match base_for(as_is, objective, found, &best, judge) {
            None => {
                let (value, half_width) = paired(after.blended(0), self.base.blended(0));
                (value, half_width, found.candidate.policy.clone())
            }
            Some(better) => {
                let before = score(scenario, std::slice::from_ref(&better), seed, 0..evaluation);
                let (value, half_width) = paired(after.blended(0), before.blended(0));
                (value, half_width, better)
            }
        };
        Price {
            change: change.clone(),
            value,
            half_width,
            policy: best.label,
            trials: evaluation,
            before,
            after: best.policy,
            effects: None,
        }
    }
}

/// The policy the scenario as it is is priced with, when it is not `found`'s: the changed
/// scenario's optimum `best`, if the scenario as it is admits it (within its guardrails) and it
/// ranks above `found` there on the `judge` training trials the re-search judged on (`as_is`:
/// the scenario as it is, its candidates' scores kept). A price is then a difference between
/// two optima that had the same search, never the re-search's luck: a change that changes
/// nothing prices at exactly 0 instead of at what the second search found and the first
/// missed.
fn base_for(
    as_is: &mut Pool<'_>,
    objective: &Objective,
    found: &Found,
    best: &Candidate,
    judge: u64,
) -> Option<Policy> {
    if best.policy == found.candidate.policy || !within(&best.policy, &objective.guardrails) {
        return None;
    }
    let found_id = as_is.add(found.candidate.clone());
    let best_id = as_is.add(best.clone());
    let ranked = as_is.ranked(&[found_id, best_id], judge);
    // A tie keeps `found` (listed first, it stays first): `best` must rank strictly higher.
    (ranked[0].0 == best_id).then(|| best.policy.clone())
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
        Share::Reactive(rule) => {
            inside(rule.raised) && rule.base.iter().flatten().all(|&share| inside(share))
        }
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

/// The policy `found`'s share of `team` in `period`, for reports (`None` for a debt ceiling
/// or a reactive rule, whose share follows the team's state).
pub fn planned_share(policy: &Policy, team: usize, period: usize) -> Option<f64> {
    match policy.share {
        Share::DebtCeiling { .. } | Share::Reactive(_) => None,
        _ => Some(policy.tech_share(team, period, 0.0)),
    }
}
