//! The policy class the optimiser searches: every fixed share, every debt ceiling, every
//! two-phase schedule (a switch point on a grid of periods) and, where incidents happen, every
//! error-budget rule of a grid within the guardrails; the allocator's plan; and schedules of a
//! tech share per team and period refined from the best of them, whose switch points move
//! freely; moves between neighbours of each kind.

use super::effort::{Effort, Kept};
use crate::allocate::Guardrails;
use crate::allocate::expected::TeamWorld;
use crate::model::Scenario;
use crate::model::plan::scheduled;
use crate::model::reactive::{Budgeted, Reactive, ReactiveForm, Trigger};
use crate::simulate::policy::{Policy, Share};
use crate::words::numbers;
use crate::words::policy::reactive_in_words;

/// Step of the share grid (fixed shares, and a debt ceiling's two shares).
pub const SHARE_STEP: f64 = 0.05;
/// Debt ceilings tried, as multiples of the teams' mean expected initial debt.
pub const CEILINGS: [f64; 5] = [0.5, 0.75, 1.0, 1.5, 2.0];
/// Step of a debt ceiling's shares on the grid.
pub const CEILING_SHARE_STEP: f64 = 0.1;
/// Phases of a schedule: the horizon in this many blocks of equal length (at most).
pub const PHASES: usize = 4;
/// Step of a two-phase schedule's shares on the grid: coarse, since refinement then moves
/// each share by 10 and 5 points and each switch point by a period or two.
pub const TWO_PHASE_SHARE_STEP: f64 = 0.25;
/// Switch points of two-phase schedules on the grid, at most (evenly spread over the horizon;
/// refinement's switch moves reach the periods between); fewer where a trial is costly
/// (`super::SWITCH_POINTS`).
pub const SWITCHES: usize = 12;
/// Periods a switch point is moved by in refinement.
pub const SHIFTS: [usize; 2] = [1, 2];
/// Switch points of each team moved in refinement: its largest jumps in share (fewer where a
/// trial is costly).
pub const SWITCHES_MOVED: Kept = Kept {
    nominal: 3,
    floor: 1,
};
/// Periods an error budget of the grid covers (at most the horizon).
pub const BUDGET_WINDOW: usize = 4;
/// Error budgets of the grid, as multiples of the incidents a team expects in a window at its
/// initial debt.
pub const ALLOWANCES: [f64; 4] = [0.5, 1.0, 1.5, 2.0];

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
        .map(|t| t.debt_initial_mean().max(0.0))
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

/// The last periods of a two-phase schedule's first phase on the grid: at most `at_most` of
/// 1 … periods − 1, evenly spread.
pub fn switch_periods(periods: usize, at_most: usize) -> Vec<usize> {
    let stride = periods.saturating_sub(1).div_ceil(at_most.max(1)).max(1);
    (1..periods).step_by(stride).collect()
}

/// Every two-phase schedule of the grid within `guardrails`: every team at one share through
/// one of `switches` switch periods ([`switch_periods`]), at another after it (bang-bang
/// policies among them: all tech until a tipping point, then product).
pub fn two_phases(scenario: &Scenario, guardrails: &Guardrails, switches: usize) -> Vec<Candidate> {
    let shares = grid(
        guardrails.min_tech_share,
        guardrails.max_tech_share,
        TWO_PHASE_SHARE_STEP,
    );
    let periods = scenario.periods;
    let mut out = Vec::new();
    for switch in switch_periods(periods, switches) {
        for &first in &shares {
            for &then in shares.iter().filter(|&&then| then != first) {
                let row: Vec<f64> = (1..=periods)
                    .map(|t| if t <= switch { first } else { then })
                    .collect();
                out.push(Candidate {
                    policy: Policy::by_priority(Share::Schedule(vec![row; scenario.teams.len()])),
                    label: format!(
                        "{} tech through period {switch}, then {}",
                        numbers::share(first),
                        numbers::share(then)
                    ),
                });
            }
        }
    }
    out
}

/// Incidents a team expects per period at its initial debt, on average over the teams (0
/// without incidents): the rate at the expected base rate and initial debt the allocator's plan
/// uses (a team's joint draws' means where it has them).
fn expected_incidents(scenario: &Scenario) -> f64 {
    let events = scenario.event_changes();
    let teams = scenario.teams.len();
    (0..teams)
        .map(|j| {
            let world = TeamWorld::of(scenario, j, &events);
            scenario
                .incidents
                .rate(world.base_rate, world.debt_initial, 1.0)
                .max(0.0)
        })
        .sum::<f64>()
        / teams.max(1) as f64
}

/// Every error-budget rule of the grid within `guardrails` (none where no incident is
/// expected): a budget of [`ALLOWANCES`] × the incidents a team expects in
/// [`BUDGET_WINDOW`] periods, feature work frozen to the highest share allowed while it is
/// spent, a base share on a 10% grid below it otherwise.
pub fn error_budgets(scenario: &Scenario, guardrails: &Guardrails) -> Vec<Candidate> {
    let expected = expected_incidents(scenario);
    if expected <= 0.0 || !expected.is_finite() {
        return Vec::new();
    }
    let window = BUDGET_WINDOW.min(scenario.periods).max(1);
    let mut allowances: Vec<f64> = ALLOWANCES
        .iter()
        .map(|m| (expected * window as f64 * m).round())
        .collect();
    allowances.dedup();
    let raised = guardrails.max_tech_share;
    let bases = grid(guardrails.min_tech_share, raised, CEILING_SHARE_STEP);
    let mut out = Vec::new();
    for allowance in allowances {
        for &base in bases.iter().filter(|&&b| b < raised) {
            let rule = Reactive {
                form: ReactiveForm::ErrorBudget,
                base: vec![vec![base]; scenario.teams.len()],
                when: vec![Trigger::ErrorBudget {
                    measure: Budgeted::Incidents,
                    allowance,
                    window,
                }],
                raised,
            };
            out.push(reactive(scenario, rule));
        }
    }
    out
}

/// A reactive candidate, labelled by its rule in words (a refined one too: its thresholds
/// move, so a label inherited would name the wrong ones).
fn reactive(scenario: &Scenario, rule: Reactive) -> Candidate {
    let label = format!(
        "{}: {}",
        rule.form.as_str().replace('_', " "),
        reactive_in_words(scenario, &rule)
    );
    Candidate {
        policy: Policy::by_priority(Share::Reactive(rule)),
        label,
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
    if let Share::Reactive(rule) = &base.policy.share {
        return reactive_moves(base, rule, scenario, (lo, hi), teams, step);
    }
    let Some(schedule) = schedule_of(&base.policy, scenario.teams.len(), periods) else {
        return Vec::new();
    };
    let switches = Effort::of(scenario).kept(SWITCHES_MOVED);
    schedule_moves(&schedule, (teams, switches), step, (lo, hi))
        .into_iter()
        .map(|moved| Candidate {
            policy: Policy {
                share: Share::Schedule(moved),
                order: base.policy.order.clone(),
            },
            label: refined(&base.label),
        })
        .collect()
}

/// Moves of a schedule (`schedule[team][period - 1]`): each team of `teams` in each phase up
/// or down by `step` within `(lo, hi)`, and each of its switch points (a period whose share
/// differs from the one before) [`SHIFTS`] periods earlier or later, so switch points are
/// searched freely rather than fixed at the phases' edges.
fn schedule_moves(
    schedule: &[Vec<f64>],
    (teams, switches_moved): (&[usize], usize),
    step: f64,
    (lo, hi): (f64, f64),
) -> Vec<Vec<Vec<f64>>> {
    let periods = schedule.first().map_or(0, Vec::len);
    let mut out = Vec::new();
    for &j in teams {
        for &(first, last) in &phases(periods) {
            for delta in [step, -step] {
                let mut moved = schedule.to_vec();
                let mut changed = false;
                for share in &mut moved[j][first - 1..last] {
                    let next = (*share + delta).clamp(lo, hi);
                    changed |= (next - *share).abs() > 1e-12;
                    *share = next;
                }
                if changed {
                    out.push(moved);
                }
            }
        }
        let row = &schedule[j];
        // A switch between (0-based) periods t − 1 and t: the later share starts d earlier, or
        // the earlier one lasts d longer. Only the largest few: a plan's schedule can change a
        // little every period, and moving each of those would multiply the moves by the
        // horizon.
        let mut switches: Vec<usize> = (1..periods)
            .filter(|&t| (row[t] - row[t - 1]).abs() > 1e-12)
            .collect();
        switches.sort_by(|&a, &b| {
            let jump = |t: usize| (row[t] - row[t - 1]).abs();
            jump(b).total_cmp(&jump(a)).then(a.cmp(&b))
        });
        switches.truncate(switches_moved);
        for t in switches {
            for d in SHIFTS {
                if t >= d {
                    let mut moved = schedule.to_vec();
                    moved[j][t - d..t].fill(row[t]);
                    out.push(moved);
                }
                if t + d <= periods {
                    let mut moved = schedule.to_vec();
                    moved[j][t..t + d].fill(row[t - 1]);
                    out.push(moved);
                }
            }
        }
    }
    out.dedup();
    out
}

/// Moves of a reactive rule: its base share as a schedule's ([`schedule_moves`]), the raised
/// share up or down by `step`, and each trigger's threshold a quarter lower or higher (an
/// error budget by at least one).
fn reactive_moves(
    base: &Candidate,
    rule: &Reactive,
    scenario: &Scenario,
    (lo, hi): (f64, f64),
    teams: &[usize],
    step: f64,
) -> Vec<Candidate> {
    let periods = scenario.periods;
    let expanded: Vec<Vec<f64>> = (0..scenario.teams.len())
        .map(|j| (1..=periods).map(|t| scheduled(&rule.base, j, t)).collect())
        .collect();
    let switches = Effort::of(scenario).kept(SWITCHES_MOVED);
    let mut rules: Vec<Reactive> = schedule_moves(&expanded, (teams, switches), step, (lo, hi))
        .into_iter()
        .map(|moved| Reactive {
            base: moved,
            ..rule.clone()
        })
        .collect();
    for raised in [rule.raised + step, rule.raised - step] {
        let raised = raised.clamp(lo, hi);
        if (raised - rule.raised).abs() > 1e-12 {
            rules.push(Reactive {
                raised,
                ..rule.clone()
            });
        }
    }
    for (k, trigger) in rule.when.iter().enumerate() {
        for lower in [true, false] {
            let moved = match *trigger {
                Trigger::DebtAbove(x) => Trigger::DebtAbove(if lower { x * 0.8 } else { x * 1.25 }),
                Trigger::ErrorBudget {
                    measure,
                    allowance,
                    window,
                } => {
                    let scaled = if lower {
                        allowance * 0.75
                    } else {
                        allowance * 1.25
                    };
                    let shift = if lower { -1.0 } else { 1.0 };
                    let next = if (scaled.round() - allowance).abs() < 1.0 {
                        allowance + shift
                    } else {
                        scaled.round()
                    };
                    if next < 0.0 {
                        continue;
                    }
                    Trigger::ErrorBudget {
                        measure,
                        allowance: next,
                        window,
                    }
                }
                Trigger::UnplannedAbove { share, periods } => Trigger::UnplannedAbove {
                    share: (if lower { share - 0.05 } else { share + 0.05 }).clamp(0.0, 1.0),
                    periods,
                },
            };
            if moved != *trigger {
                let mut when = rule.when.clone();
                when[k] = moved;
                rules.push(Reactive {
                    when,
                    ..rule.clone()
                });
            }
        }
    }
    rules
        .into_iter()
        .map(|moved| {
            let mut candidate = reactive(scenario, moved);
            candidate.policy.order = base.policy.order.clone();
            candidate
        })
        .collect()
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
    fn switch_points_move_a_period_or_two_either_way() {
        // One team, 100% tech through period 3, then 0%: the switch is between periods 3
        // and 4 (0-based 2 and 3).
        let row = vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
        let moves = schedule_moves(&[row], (&[0], 3), 0.1, (0.0, 1.0));
        let shifted: Vec<usize> = moves
            .iter()
            .filter(|m| m[0].iter().all(|&s| s == 0.0 || s == 1.0))
            .map(|m| m[0].iter().filter(|&&s| s == 1.0).count())
            .collect();
        // Through period 1, 2, 4 and 5, besides the phase moves' own.
        for through in [1, 2, 4, 5] {
            assert!(shifted.contains(&through), "{through}: {shifted:?}");
        }
        // A constant schedule in the middle of its range has no switch point: only the phase
        // moves, up and down in each of the 4 phases.
        let flat = schedule_moves(&[vec![0.5; 8]], (&[0], 3), 0.1, (0.0, 1.0));
        assert_eq!(flat.len(), 8);
    }

    #[test]
    fn switch_periods_spread_over_the_horizon() {
        assert_eq!(switch_periods(6, SWITCHES), vec![1, 2, 3, 4, 5]);
        assert_eq!(
            switch_periods(26, SWITCHES),
            vec![1, 4, 7, 10, 13, 16, 19, 22, 25]
        );
        assert!(switch_periods(1, SWITCHES).is_empty());
        assert!(switch_periods(104, SWITCHES).len() <= SWITCHES);
        assert_eq!(switch_periods(100, 4), vec![1, 26, 51, 76]);
    }

    #[test]
    fn phases_cover_the_horizon() {
        assert_eq!(phases(26), vec![(1, 6), (7, 13), (14, 19), (20, 26)]);
        assert_eq!(phases(2), vec![(1, 1), (2, 2)]);
    }
}
