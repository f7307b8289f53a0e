//! Strategies as the simulator executes them: each team's tech share per period (a rule of
//! [`Share`]), and the order budgets flow to initiatives.

use crate::model::plan::scheduled;
use crate::model::reactive::Past;
use crate::model::{Phase, Plan, Reactive, Rule, Scenario, Strategy, phases_of};

/// How a policy sets team j's tech share s_j(t).
#[derive(Clone, Debug, PartialEq)]
pub enum Share {
    /// The same share in every team and period.
    Fixed(f64),
    /// `above` while a team's debt exceeds `ceiling`, else `below`.
    DebtCeiling {
        /// Engineer-days, compared with the team's debt at the start of each period.
        ceiling: f64,
        /// Tech share while the team's debt exceeds `ceiling`, in [0, 1].
        above: f64,
        /// Tech share while it does not, in [0, 1].
        below: f64,
    },
    /// A share per team and period, `schedule[team][period - 1]`; beyond its last period the
    /// last share holds.
    Schedule(Vec<Vec<f64>>),
    /// A base share per team and period, raised while a team's state triggers it.
    Reactive(Reactive),
}

impl Share {
    /// The tech share of `team` in `period` (1-based) when its debt is `debt` and its earlier
    /// periods were `past` (read only by a reactive rule).
    #[inline]
    pub fn at(&self, team: usize, period: usize, debt: f64, past: &[Past]) -> f64 {
        match self {
            Share::Fixed(s) => *s,
            Share::DebtCeiling {
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
            Share::Schedule(schedule) => scheduled(schedule, team, period),
            Share::Reactive(rule) => rule.share(team, period, debt, past),
        }
    }

    /// Whether the share reads a team's earlier periods, which the trial then keeps.
    pub fn reads_past(&self) -> bool {
        matches!(self, Share::Reactive(rule) if rule.reads_past())
    }
}

/// A strategy ready to execute: its tech share rule, and the order initiatives take budget in
/// (`None`: by priority).
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The rule that sets each team's tech share per period.
    pub share: Share,
    /// Initiative indices that take budget first, in this order (the rest follow by
    /// priority); `None`: all by priority.
    pub order: Option<Vec<usize>>,
}

/// A strategy whose rule needs a policy nobody found for it.
#[derive(Debug, thiserror::Error)]
#[error("strategy `{0}` is optimised but no policy was given for it")]
pub struct MissingPlan(pub String);

impl Policy {
    /// A tech share rule with the priority order.
    pub fn by_priority(share: Share) -> Policy {
        Policy { share, order: None }
    }

    /// The allocator's plan as a policy: its schedule and its order.
    pub fn of_plan(plan: &Plan) -> Policy {
        Policy {
            share: Share::Schedule(plan.tech_share.clone()),
            order: Some(plan.order.clone()),
        }
    }

    /// The policy of `strategy`; optimised strategies need the one found for them.
    pub fn new(strategy: &Strategy, optimised: Option<Policy>) -> Result<Policy, MissingPlan> {
        Ok(match strategy.rule {
            Rule::FixedShare { tech_share } => Policy::by_priority(Share::Fixed(tech_share)),
            Rule::DebtCeiling {
                ceiling,
                above,
                below,
            } => Policy::by_priority(Share::DebtCeiling {
                ceiling,
                above,
                below,
            }),
            Rule::Optimised { .. } => {
                optimised.ok_or_else(|| MissingPlan(strategy.name.clone()))?
            }
            Rule::Schedule { ref tech_share } => {
                Policy::by_priority(Share::Schedule(tech_share.clone()))
            }
            Rule::Reactive(ref rule) => Policy::by_priority(Share::Reactive(rule.clone())),
        })
    }

    /// The tech share s_j(t) of team `team` in `period` when its debt is `debt`, as if
    /// nothing had happened before (a reactive rule's history-reading triggers do not hold;
    /// the trial itself passes the history to [`Share::at`]).
    #[inline]
    pub fn tech_share(&self, team: usize, period: usize, debt: f64) -> f64 {
        self.share.at(team, period, debt, &[])
    }

    /// Each team's phases of `scenario`'s horizon under this policy (runs of periods with one
    /// tech share, to the whole percent), in team order; `None` for a debt ceiling or a
    /// reactive rule, whose share follows the team's state rather than the calendar.
    pub fn phases(&self, scenario: &Scenario) -> Option<Vec<Vec<Phase>>> {
        let n = scenario.periods;
        let teams = scenario.teams.len();
        Some(match &self.share {
            Share::Fixed(s) => vec![phases_of(&[*s], n); teams],
            Share::Schedule(schedule) => schedule.iter().map(|s| phases_of(s, n)).collect(),
            Share::DebtCeiling { .. } | Share::Reactive(_) => return None,
        })
    }

    /// Initiative indices in the order budgets flow to them: the policy's order first, then
    /// anything it left out, by priority.
    pub fn order(&self, scenario: &Scenario) -> Vec<usize> {
        match &self.order {
            Some(first) => {
                let mut order = first.clone();
                for i in scenario.priority_order() {
                    if !order.contains(&i) {
                        order.push(i);
                    }
                }
                order
            }
            None => scenario.priority_order(),
        }
    }
}
