//! The policy class the optimiser searches: every fixed share and every debt ceiling of a grid
//! within the guardrails, the allocator's plan, and schedules of a tech share per team and
//! phase refined from the best of them; moves between neighbours of each kind.

use crate::allocate::Guardrails;
use crate::model::Scenario;
use crate::simulate::policy::{Policy, Share};
use crate::words::numbers;

/// Step of the share grid (fixed shares, and a debt ceiling's two shares).
pub const SHARE_STEP: f64 = 0.05;
/// Debt ceilings tried, as multiples of the teams' mean expected initial debt.
pub const CEILINGS: [f64; 5] = [0.5, 0.75, 1.0, 1.5, 2.0];
/// Step of a debt ceiling's shares on the grid.
pub const CEILING_SHARE_STEP: f64 = 0.1;
/// Phases of a schedule: the horizon in this many blocks of equal length (at most).
pub const PHASES: usize = 4;

/// A policy to try, and what it is in words.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The policy the simulator executes.
    pub policy: Policy,
    /// What the policy is, for reports: "fixed tech share 35%", "debt ceiling 800: …".
    pub label: String,
}

/// `from`, `from + step`, … up to `to` (both ends included, rounded to the step's grid).
pub fn grid(from: f64, to: f64, step: f64) -> Vec<f64> {
    let mut values = Vec::new();
    let first = (from / step - 1e-9).ceil() as i64;
    let last = (to / step + 1e-9).floor() as i64;
    if (first as f64 * step - from).abs() > 1e-9 {
        values.push(from);
    }
    for k in first..=last {
        values.push((k as f64 * step * 1e9).round() / 1e9);
    }
    if values.last().is_none_or(|&v| (v - to).abs() > 1e-9) && to > from {
        values.push(to);
    }
    values.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    values
}

/// The scale of debt ceilings: the teams' mean expected initial debt (100 engineer-days when
/// there is none, so that growing debt still crosses a ceiling).
pub fn ceiling_scale(scenario: &Scenario) -> f64 {
    let teams = scenario.teams.len().max(1) as f64;
    let mean = scenario
        .teams
        .iter()
        .map(|t| t.debt_initial.mean().max(0.0))
        .sum::<f64>()
        / teams;
    if mean > 0.0 { mean } else { 100.0 }
}

/// Every fixed share of the grid within `guardrails`.
pub fn fixed_shares(guardrails: &Guardrails) -> Vec<Candidate> {
    grid(
        guardrails.min_tech_share,
        guardrails.max_tech_share,
        SHARE_STEP,
    )
    .into_iter()
    .map(|s| Candidate {
        policy: Policy::by_priority(Share::Fixed(s)),
        label: format!("fixed tech share {}", numbers::share(s)),
    })
    .collect()
}

/// Every debt ceiling of the grid within `guardrails`: a ceiling of [`CEILINGS`] × the debt
/// scale, a higher share above it than below.
pub fn debt_ceilings(scenario: &Scenario, guardrails: &Guardrails) -> Vec<Candidate> {
    let shares = grid(
        guardrails.min_tech_share,
        guardrails.max_tech_share,
        CEILING_SHARE_STEP,
    );
    let scale = ceiling_scale(scenario);
    let mut out = Vec::new();
    for multiple in CEILINGS {
        let ceiling = (scale * multiple).round();
        for (a, &above) in shares.iter().enumerate() {
            for &below in &shares[..a] {
                out.push(debt_ceiling(ceiling, above, below));
            }
        }
    }
    out
}

/// A debt-ceiling candidate.
pub fn debt_ceiling(ceiling: f64, above: f64, below: f64) -> Candidate {
    Candidate {
        policy: Policy::by_priority(Share::DebtCeiling {
            ceiling,
            above,
            below,
        }),
        label: format!(
            "debt ceiling {ceiling:.0}: {} above it, {} below",
            numbers::share(above),
            numbers::share(below)
        ),
    }
}

/// The label of a schedule refined from one labelled `label`.
pub fn refined(label: &str) -> String {
    const SUFFIX: &str = ", refined per team and phase";
    if label.ends_with(SUFFIX) {
        label.to_string()
    } else {
        format!("{label}{SUFFIX}")
    }
}

/// The phases of a horizon of `periods`: (first, last) period of each, 1-based.
pub fn phases(periods: usize) -> Vec<(usize, usize)> {
    let n = PHASES.min(periods).max(1);
    (0..n)
        .map(|k| (k * periods / n + 1, (k + 1) * periods / n))
        .collect()
}

/// `policy`'s shares as a schedule per team and period (what refinement moves), if it has
/// one: a fixed share is the constant schedule; a debt ceiling or a reactive rule has none.
pub fn schedule_of(policy: &Policy, teams: usize, periods: usize) -> Option<Vec<Vec<f64>>> {
    match &policy.share {
        Share::Fixed(s) => Some(vec![vec![*s; periods]; teams]),
        Share::Schedule(schedule) => Some(schedule.clone()),
        Share::DebtCeiling { .. } | Share::Reactive(_) => None,
    }
}

/// Moves from `base`: each team's share in each phase up or down by `step` (within the
/// guardrails), for schedules; the ceiling and the shares nudged, for debt ceilings. Only the
/// teams in `teams` are moved.
pub fn moves(
    base: &Candidate,
    scenario: &Scenario,
    guardrails: &Guardrails,
    teams: &[usize],
    step: f64,
) -> Vec<Candidate> {
    let (lo, hi) = (guardrails.min_tech_share, guardrails.max_tech_share);
    let periods = scenario.periods;
    if let Share::DebtCeiling {
        ceiling,
        above,
        below,
    } = base.policy.share
    {
        let mut out = Vec::new();
        for (c, a, b) in [
            (ceiling * 0.8, above, below),
            (ceiling * 1.25, above, below),
            (ceiling, above + step, below),
            (ceiling, above - step, below),
            (ceiling, above, below + step),
            (ceiling, above, below - step),
        ] {
            let (a, b) = (a.clamp(lo, hi), b.clamp(lo, hi));
            if a > b && (c, a, b) != (ceiling, above, below) {
                out.push(debt_ceiling(c.round(), a, b));
            }
        }
        return out;
    }
    let Some(schedule) = schedule_of(&base.policy, scenario.teams.len(), periods) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for &j in teams {
        for &(first, last) in &phases(periods) {
            for delta in [step, -step] {
                let mut moved = schedule.clone();
                let mut changed = false;
                for share in &mut moved[j][first - 1..last] {
                    let next = (*share + delta).clamp(lo, hi);
                    changed |= (next - *share).abs() > 1e-12;
                    *share = next;
                }
                if changed {
                    out.push(Candidate {
                        policy: Policy {
                            share: Share::Schedule(moved),
                            order: base.policy.order.clone(),
                        },
                        label: refined(&base.label),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_include_both_ends() {
        assert_eq!(grid(0.0, 0.2, 0.05), vec![0.0, 0.05, 0.1, 0.15, 0.2]);
        assert_eq!(grid(0.12, 0.3, 0.1), vec![0.12, 0.2, 0.3]);
        assert_eq!(grid(0.1, 0.6, 0.25), vec![0.1, 0.25, 0.5, 0.6]);
        assert_eq!(grid(0.4, 0.4, 0.05), vec![0.4]);
    }

    #[test]
    fn phases_cover_the_horizon() {
        assert_eq!(phases(26), vec![(1, 6), (7, 13), (14, 19), (20, 26)]);
        assert_eq!(phases(2), vec![(1, 1), (2, 2)]);
    }
}
