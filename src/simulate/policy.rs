//! Strategies as the simulator executes them: each team's tech share per period, and the order
//! budgets flow to initiatives.

use crate::model::{Plan, Rule, Scenario, Strategy};

/// A strategy ready to execute.
#[derive(Clone, Debug, PartialEq)]
pub enum Policy {
    /// The same tech share in every team and period.
    FixedShare(f64),
    /// `above` while a team's debt exceeds `ceiling`, else `below`.
    DebtCeiling {
        ceiling: f64,
        above: f64,
        below: f64,
    },
    /// The allocator's plan: its tech share per team and period, and its order.
    Planned(Plan),
}

/// A strategy whose rule needs a plan nobody made.
#[derive(Debug, thiserror::Error)]
#[error("strategy `{0}` is optimised but no plan was given for it")]
pub struct MissingPlan(pub String);

impl Policy {
    /// The policy of `strategy`; optimised strategies need their `plan`.
    pub fn new(strategy: &Strategy, plan: Option<Plan>) -> Result<Policy, MissingPlan> {
        Ok(match strategy.rule {
            Rule::FixedShare { tech_share } => Policy::FixedShare(tech_share),
            Rule::DebtCeiling {
                ceiling,
                above,
                below,
            } => Policy::DebtCeiling {
                ceiling,
                above,
                below,
            },
            Rule::Optimised { .. } => {
                Policy::Planned(plan.ok_or_else(|| MissingPlan(strategy.name.clone()))?)
            }
        })
    }

    /// The tech share s_j(t) of team `team` in `period` when its debt is `debt`.
    #[inline]
    pub fn tech_share(&self, team: usize, period: usize, debt: f64) -> f64 {
        match self {
            Policy::FixedShare(s) => *s,
            Policy::DebtCeiling {
                ceiling,
                above,
                below,
            } => {
                if debt > *ceiling {
                    *above
                } else {
                    *below
                }
            }
            Policy::Planned(plan) => plan.share(team, period),
        }
    }

    /// Initiative indices in the order budgets flow to them.
    pub fn order(&self, scenario: &Scenario) -> Vec<usize> {
        match self {
            Policy::Planned(plan) => {
                // The plan's order first, then anything it left out, by priority.
                let mut order = plan.order.clone();
                for i in scenario.priority_order() {
                    if !order.contains(&i) {
                        order.push(i);
                    }
                }
                order
            }
            _ => scenario.priority_order(),
        }
    }
}
