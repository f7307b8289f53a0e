//! The simple rules a user could try within the guardrails, chosen here and not by the
//! optimiser: the brute-force grids the optimised strategy is held to, by the integration
//! tests (fixed shares and debt ceilings) and by `examples/policy_check.rs` (all four kinds).
//! Only fulcrum's public API, so both can include this file.

use fulcrum::allocate::Guardrails;
use fulcrum::model::Scenario;
use fulcrum::model::reactive::{Budgeted, Reactive, ReactiveForm, Trigger};
use fulcrum::optimise::{self, Objective};
use fulcrum::pipeline;
use fulcrum::simulate::policy::{Policy, Share};

/// A kind of simple rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Every fixed share on a 5% grid.
    Fixed,
    /// Debt ceilings at 250, 500 and 1000 engineer-days and at half, one and two times the
    /// mean initial debt, with shares on a 10% grid (more above than below).
    DebtCeiling,
    /// Every team at one share through a switch period, at another after it: shares on a 10%
    /// grid, every switch period.
    TwoPhase,
    /// Error budgets of 1 … 2 × the expected incidents in windows of 2, 4 and 8 periods, a
    /// base share on a 10% grid, frozen at the highest share allowed (none without incidents).
    ErrorBudget,
}

// The example reads every kind, the tests two.
#[allow(dead_code)]
impl Kind {
    /// Every kind, in the order they are reported.
    pub const ALL: [Kind; 4] = [
        Kind::Fixed,
        Kind::DebtCeiling,
        Kind::TwoPhase,
        Kind::ErrorBudget,
    ];
}

/// The objective of the scenario's optimised strategy (open guardrails without one).
pub fn objective(scenario: &Scenario) -> Objective {
    let open = Objective {
        guardrails: Guardrails {
            min_tech_share: 0.0,
            max_tech_share: 1.0,
        },
        confidence: optimise::DEFAULT_CONFIDENCE,
    };
    scenario
        .strategies
        .iter()
        .find_map(|s| pipeline::objective_of(&s.rule))
        .unwrap_or(open)
}

/// `from` … `to` by `step`, both ends included, ascending.
fn grid(from: f64, to: f64, step: f64) -> Vec<f64> {
    let mut v: Vec<f64> = (0..=(1.0 / step).round() as usize)
        .map(|k| (k as f64 * step * 1e9).round() / 1e9)
        .filter(|s| *s >= from - 1e-9 && *s <= to + 1e-9)
        .collect();
    for end in [from, to] {
        if !v.iter().any(|s| (s - end).abs() < 1e-9) {
            v.push(end);
        }
    }
    v.sort_by(f64::total_cmp);
    v
}

/// Every simple rule of `kinds` within `g`: (kind, label, policy).
pub fn simple_rules(
    scenario: &Scenario,
    g: &Guardrails,
    kinds: &[Kind],
) -> Vec<(Kind, String, Policy)> {
    let (lo, hi) = (g.min_tech_share, g.max_tech_share);
    let teams = scenario.teams.len();
    let periods = scenario.periods;
    let shares = grid(lo, hi, 0.1);
    let mut rules = Vec::new();
    if kinds.contains(&Kind::Fixed) {
        for s in grid(lo, hi, 0.05) {
            let policy = Policy::by_priority(Share::Fixed(s));
            rules.push((Kind::Fixed, format!("fixed {s:.2}"), policy));
        }
    }
    if kinds.contains(&Kind::DebtCeiling) {
        let mean_debt = scenario
            .teams
            .iter()
            .map(|t| t.debt_initial.mean())
            .sum::<f64>()
            / teams as f64;
        for ceiling in [
            250.0,
            500.0,
            1000.0,
            0.5 * mean_debt,
            mean_debt,
            2.0 * mean_debt,
        ] {
            for &above in &shares {
                for &below in shares.iter().filter(|&&b| b < above) {
                    let share = Share::DebtCeiling {
                        ceiling,
                        above,
                        below,
                    };
                    let label = format!("ceiling {ceiling:.0} {above:.1}/{below:.1}");
                    rules.push((Kind::DebtCeiling, label, Policy::by_priority(share)));
                }
            }
        }
    }
    if kinds.contains(&Kind::TwoPhase) {
        for switch in 1..periods {
            for &first in &shares {
                for &then in shares.iter().filter(|&&t| t != first) {
                    let row: Vec<f64> = (1..=periods)
                        .map(|t| if t <= switch { first } else { then })
                        .collect();
                    let label = format!("{first:.1} through {switch}, then {then:.1}");
                    let policy = Policy::by_priority(Share::Schedule(vec![row; teams]));
                    rules.push((Kind::TwoPhase, label, policy));
                }
            }
        }
    }
    let incidents = &scenario.incidents;
    let expected: f64 = scenario
        .teams
        .iter()
        .map(|t| incidents.rate(incidents.base_rate.mean(), t.debt_initial.mean(), 1.0))
        .sum::<f64>()
        / teams as f64;
    if kinds.contains(&Kind::ErrorBudget) && expected > 0.0 {
        for window in [2usize, 4, 8].into_iter().filter(|&w| w <= periods) {
            let most = (2.0 * expected * window as f64).ceil().max(1.0) as usize;
            for allowance in (1..=most).step_by(most.div_ceil(8).max(1)) {
                for &base in shares.iter().filter(|&&b| b < hi) {
                    let rule = Reactive {
                        form: ReactiveForm::ErrorBudget,
                        base: vec![vec![base]; teams],
                        when: vec![Trigger::ErrorBudget {
                            measure: Budgeted::Incidents,
                            allowance: allowance as f64,
                            window,
                        }],
                        raised: hi,
                    };
                    let label = format!("budget {allowance}/{window} base {base:.1}");
                    let policy = Policy::by_priority(Share::Reactive(rule));
                    rules.push((Kind::ErrorBudget, label, policy));
                }
            }
        }
    }
    rules
}
