//! The allocator: a linear program over expected values that finds the split of capacity
//! maximising the expected blended OKR score, and the marginal value of capacity (DESIGN §3).

use std::fmt;

use crate::model::{Plan, Scenario};

/// Bounds on each team's tech share in every period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Guardrails {
    pub min_tech_share: f64,
    pub max_tech_share: f64,
}

/// Days the plan puts on one initiative (or on debt paydown) in one team and period.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedWork {
    pub team: usize,
    /// `None`: debt paydown.
    pub initiative: Option<usize>,
    /// 1-based.
    pub period: usize,
    pub days: f64,
}

/// What a marginal value is the value of.
#[derive(Clone, Debug, PartialEq)]
pub enum Marginal {
    /// One more engineer-day for `team` in `period`.
    Capacity { team: usize, period: usize },
    /// One more engineer-day for `team` in every period of the horizon (one engineer-day
    /// spread over the horizon).
    TeamHorizon { team: usize },
    /// Relaxing a team's tech-share guardrail in a period by one engineer-day.
    Guardrail {
        team: usize,
        period: usize,
        bound: Bound,
    },
    /// Relaxing an initiative's hard deadline.
    Deadline { initiative: usize },
}

/// Which side of the guardrail binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    Min,
    Max,
}

/// The blended-score value of one more unit of something the plan is short of.
#[derive(Clone, Debug, PartialEq)]
pub struct MarginalValue {
    pub of: Marginal,
    /// Change of the expected blended score per engineer-day (for guardrails and deadlines:
    /// the score lost to the constraint per engineer-day it takes).
    pub value: f64,
    /// Whether the constraint binds in the optimal plan.
    pub binding: bool,
}

/// The allocator's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Allocation {
    /// What the simulator executes.
    pub plan: Plan,
    /// Every positive planned amount of work.
    pub work: Vec<PlannedWork>,
    /// Expected attainment of each key result under the plan.
    pub key_results: Vec<f64>,
    /// Expected blended score of the plan (the LP's objective without tie-breaking terms).
    pub expected_score: f64,
    /// Planned debt per team at the end of each period: `debt[team][period - 1]`.
    pub debt: Vec<Vec<f64>>,
    pub marginal_values: Vec<MarginalValue>,
}

/// Why no plan came out.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// Deadlines or guardrails that cannot all hold; each line says which and by how much.
    #[error("no plan can meet every hard constraint:\n{}", .0.join("\n"))]
    Infeasible(Vec<String>),
    /// The program has no finite optimum (a modelling bug: every objective term is bounded).
    #[error("the plan is unbounded: {0}")]
    Unbounded(String),
    /// The solver failed.
    #[error("the solver failed: {0}")]
    Solver(String),
}

impl fmt::Display for Marginal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Marginal::Capacity { team, period } => {
                write!(f, "capacity of team {team} in period {period}")
            }
            Marginal::TeamHorizon { team } => write!(f, "capacity of team {team} over the horizon"),
            Marginal::Guardrail {
                team,
                period,
                bound,
            } => {
                write!(f, "{bound:?} tech share of team {team} in period {period}")
            }
            Marginal::Deadline { initiative } => write!(f, "deadline of initiative {initiative}"),
        }
    }
}

/// Solves the allocation LP of `scenario` within `guardrails`.
pub fn allocate(scenario: &Scenario, guardrails: &Guardrails) -> Result<Allocation, PlanError> {
    let _ = (scenario, guardrails);
    Err(PlanError::Solver("the allocator is not built yet".into()))
}
