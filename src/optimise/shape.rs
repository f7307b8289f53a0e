//! Why the policy found has its shape: for each sharp move of a schedule (a phase whose tech
//! share differs from the previous phase's by at least [`SHARP`], or any move onto a
//! guardrail), what the move buys. The policy is simulated with the move flattened (that
//! phase keeps the previous phase's share) on the same evaluation trials as the policy itself
//! (common random numbers), and the difference is read in the leader's units by
//! [`super::effects::between`]: each key result's chance, the deadlines' P85 finishes, final
//! debt and incident days, each with its 95% interval. Only the [`EXPLAINED`] largest moves
//! are simulated, so a plan pays for at most that many more simulations per strategy.

use crate::allocate::Guardrails;
use crate::model::{Phase, Scenario};
use crate::simulate::Results;
use crate::simulate::policy::{Policy, Share};

use super::effects::{self, Effects};

/// A move of at least this much tech share from one phase to the next is sharp.
pub const SHARP: f64 = 0.2;
/// Moves explained per policy, at most (the largest).
pub const EXPLAINED: usize = 3;

/// One sharp move of a schedule: team `team` enters `phase` from a phase at share `from`.
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    /// Index of the team.
    pub team: usize,
    /// The phase the move enters: its periods and its share.
    pub phase: Phase,
    /// The previous phase's share, which the flattened policy keeps through `phase`.
    pub from: f64,
    /// Whether `phase`'s share is a guardrail (the strategy's minimum or maximum tech share).
    pub to_guardrail: bool,
}

impl Move {
    /// The size of the move, in tech share, to the whole percent (phases are told apart
    /// to the whole percent, so sizes that print alike rank alike).
    pub fn size(&self) -> f64 {
        ((self.phase.tech_share - self.from).abs() * 100.0).round() / 100.0
    }
}

/// A move and what it buys: the effects of the policy as found (`after`) against the policy
/// with the move flattened (`before`).
#[derive(Clone, Debug, PartialEq)]
pub struct Why {
    /// The move.
    pub moved: Move,
    /// What the move does, flattened → as found.
    pub effects: Effects,
}

/// The sharp moves of `policy` within `guardrails`, largest first (ties: earlier team, then
/// earlier phase), at most [`EXPLAINED`]. A policy whose share follows the debt, or that
/// holds one share throughout, has none.
pub fn sharp_moves(scenario: &Scenario, policy: &Policy, guardrails: &Guardrails) -> Vec<Move> {
    let Some(teams) = policy.phases(scenario) else {
        return Vec::new();
    };
    let on = |share: f64, bound: f64| (share - bound).abs() < 1e-9;
    let mut moves: Vec<Move> = Vec::new();
    for (team, phases) in teams.iter().enumerate() {
        for pair in phases.windows(2) {
            let (before, phase) = (pair[0], pair[1]);
            let to = phase.tech_share;
            let to_guardrail =
                on(to, guardrails.min_tech_share) || on(to, guardrails.max_tech_share);
            let moved = Move {
                team,
                phase,
                from: before.tech_share,
                to_guardrail,
            };
            if moved.size() >= SHARP - 1e-9 || to_guardrail {
                moves.push(moved);
            }
        }
    }
    // A stable sort keeps team and phase order among equal sizes.
    moves.sort_by(|a, b| b.size().total_cmp(&a.size()));
    moves.truncate(EXPLAINED);
    moves
}

/// `policy` with `moved` flattened: the team keeps the previous phase's share through the
/// move's phase. A policy whose share follows the team's state is returned as it is.
pub fn flattened(scenario: &Scenario, policy: &Policy, moved: &Move) -> Policy {
    let mut schedule = match &policy.share {
        Share::Schedule(schedule) => schedule.clone(),
        Share::Fixed(s) => vec![vec![*s]; scenario.teams.len()],
        Share::DebtCeiling { .. } | Share::Reactive(_) => return policy.clone(),
    };
    let shares = &mut schedule[moved.team];
    // A schedule shorter than the horizon holds its last share: spell the horizon out.
    let last = shares.last().copied().unwrap_or(moved.from);
    shares.resize(scenario.periods.max(shares.len()), last);
    for share in &mut shares[moved.phase.first - 1..moved.phase.last] {
        *share = moved.from;
    }
    Policy {
        share: Share::Schedule(schedule),
        order: policy.order.clone(),
    }
}

/// What each sharp move of `policy` buys, largest move first: `base` is `policy` simulated
/// by [`effects::side`] on trials `0..trials` of `seed`, and each flattened policy is
/// simulated on the same trials.
pub fn explain(
    scenario: &Scenario,
    policy: &Policy,
    guardrails: &Guardrails,
    base: &Results,
    (seed, trials): (u64, u64),
) -> Vec<Why> {
    sharp_moves(scenario, policy, guardrails)
        .into_iter()
        .map(|moved| {
            let flat = effects::side(
                scenario,
                &flattened(scenario, policy, &moved),
                (seed, trials),
            );
            Why {
                effects: effects::between(scenario, &flat, base),
                moved,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: Guardrails = Guardrails {
        min_tech_share: 0.1,
        max_tech_share: 0.6,
    };

    fn scenario(teams: usize, periods: usize) -> Scenario {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/balanced-okrs.toml");
        let mut scenario = crate::scenario::load(std::path::Path::new(path), &[])
            .expect("the example loads")
            .scenario;
        scenario.teams.truncate(teams);
        scenario.periods = periods;
        scenario
    }

    fn schedule(shares: Vec<Vec<f64>>) -> Policy {
        Policy::by_priority(Share::Schedule(shares))
    }

    #[test]
    fn sharp_moves_and_moves_onto_a_guardrail_are_found_largest_first() {
        let sc = scenario(2, 6);
        let policy = schedule(vec![
            vec![0.2, 0.2, 0.3, 0.3, 0.6, 0.6],
            vec![0.4, 0.4, 0.4, 0.1, 0.15, 0.15],
        ]);
        let moves = sharp_moves(&sc, &policy, &OPEN);
        let seen: Vec<(usize, usize, usize, f64)> = moves
            .iter()
            .map(|m| (m.team, m.phase.first, m.phase.last, m.from))
            .collect();
        // Team 0: 0.2 → 0.3 is neither sharp nor a guardrail; 0.3 → 0.6 is both. Team 1:
        // 0.4 → 0.1 is sharp (and the floor); 0.1 → 0.15 is neither.
        assert_eq!(seen, [(0, 5, 6, 0.3), (1, 4, 4, 0.4)]);
        assert!(moves.iter().all(|m| m.to_guardrail));
    }

    #[test]
    fn the_plans_estimate_counts_every_move_explained() {
        let counted = (EXPLAINED as u64 * super::super::prices::EVALUATION_TRIALS) as f64;
        assert_eq!(super::super::effort::SHAPE_POLICY_TRIALS, counted);
    }

    #[test]
    fn a_fixed_share_or_a_debt_ceiling_has_no_move() {
        let sc = scenario(2, 6);
        let fixed = Policy::by_priority(Share::Fixed(0.6));
        assert!(sharp_moves(&sc, &fixed, &OPEN).is_empty());
        let ceiling = Policy::by_priority(Share::DebtCeiling {
            ceiling: 100.0,
            above: 0.6,
            below: 0.1,
        });
        assert!(sharp_moves(&sc, &ceiling, &OPEN).is_empty());
    }

    #[test]
    fn at_most_the_largest_moves_are_kept() {
        let sc = scenario(2, 6);
        let policy = schedule(vec![
            vec![0.1, 0.6, 0.1, 0.6, 0.1, 0.35],
            vec![0.35, 0.35, 0.35, 0.35, 0.35, 0.35],
        ]);
        let moves = sharp_moves(&sc, &policy, &OPEN);
        assert_eq!(moves.len(), EXPLAINED);
        let firsts: Vec<usize> = moves.iter().map(|m| m.phase.first).collect();
        assert_eq!(
            firsts,
            [2, 3, 4],
            "the 0.5 moves, in order; 0.1 → 0.35 is smaller"
        );
    }

    #[test]
    fn flattening_keeps_the_previous_share_through_the_phase_only() {
        let sc = scenario(2, 6);
        let policy = schedule(vec![vec![0.2, 0.2, 0.6, 0.6, 0.2], vec![0.3]]);
        let moves = sharp_moves(&sc, &policy, &OPEN);
        assert_eq!(moves.len(), 2, "{moves:?}");
        let flat = flattened(&sc, &policy, &moves[0]);
        assert_eq!(
            flat.share,
            Share::Schedule(vec![vec![0.2, 0.2, 0.2, 0.2, 0.2, 0.2], vec![0.3]])
        );
        // The move back down to 0.2 (periods 5–6) flattened keeps 0.6 there.
        let flat = flattened(&sc, &policy, &moves[1]);
        assert_eq!(
            flat.share,
            Share::Schedule(vec![vec![0.2, 0.2, 0.6, 0.6, 0.6, 0.6], vec![0.3]])
        );
    }
}
