//! The run pipeline without I/O: plan the optimised strategies, then simulate every strategy.
//! Shared by `run`, `sweep` and the tests, so each does exactly what `fulcrum run` does.

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::allocate::{self, Allocation};
use crate::model::{Rule, Scenario};
use crate::simulate::{self, Policy, Results, Settings};
use crate::whatif::sensitivity::{self, Sensitivity};

/// Everything a run produces, ready for `report`.
#[derive(Debug)]
pub struct RunOutput {
    /// The allocator's result for each optimised strategy: (strategy index, allocation).
    pub allocations: Allocations,
    /// The policies simulated, one per strategy (optimised ones carry their plan).
    pub policies: Vec<Policy>,
    pub results: Results,
    /// Which inputs drive the outcome (filled by callers that ask for it).
    pub sensitivity: Vec<Sensitivity>,
    pub settings: Settings,
    pub timings: Timings,
}

/// Where the time went.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub plan: Duration,
    pub simulate: Duration,
    pub sensitivity: Duration,
}

/// The allocator's result for each optimised strategy, by strategy index.
pub type Allocations = Vec<(usize, Allocation)>;

/// Plans every optimised strategy and turns each strategy into a policy.
pub fn policies(scenario: &Scenario) -> Result<(Vec<Policy>, Allocations), allocate::PlanError> {
    policies_with(scenario, true)
}

/// [`policies`], with or without the allocator's per-team marginal values.
fn policies_with(
    scenario: &Scenario,
    team_values: bool,
) -> Result<(Vec<Policy>, Allocations), allocate::PlanError> {
    let mut allocations = Vec::new();
    let mut policies = Vec::new();
    for (s, strategy) in scenario.strategies.iter().enumerate() {
        let plan = match strategy.rule {
            Rule::Optimised {
                min_tech_share,
                max_tech_share,
            } => {
                let guardrails = allocate::Guardrails {
                    min_tech_share,
                    max_tech_share,
                };
                let allocation = if team_values {
                    allocate::allocate(scenario, &guardrails)
                } else {
                    allocate::plan_only(scenario, &guardrails)
                }
                .map_err(|error| match error {
                    // Say which strategy: a scenario may have several optimised ones.
                    allocate::PlanError::Infeasible(mut lines) => {
                        lines.insert(
                            0,
                            format!(
                                "  strategy `{}` (tech share within [{min_tech_share}, \
                                 {max_tech_share}]):",
                                strategy.name
                            ),
                        );
                        allocate::PlanError::Infeasible(lines)
                    }
                    other => other,
                })?;
                let plan = allocation.plan.clone();
                allocations.push((s, allocation));
                Some(plan)
            }
            _ => None,
        };
        let policy =
            Policy::new(strategy, plan).expect("optimised strategies were given their plan above");
        policies.push(policy);
    }
    Ok((policies, allocations))
}

/// Plans every optimised strategy of `scenario`; a scenario without one is planned as if it
/// had `optimised` within guardrails [0, 1] (strategy index = the number of strategies).
pub fn plan_all(scenario: &Scenario) -> Result<(Vec<Policy>, Allocations), allocate::PlanError> {
    let (policies, mut allocations) = policies(scenario)?;
    if allocations.is_empty() {
        let open = allocate::Guardrails {
            min_tech_share: 0.0,
            max_tech_share: 1.0,
        };
        allocations.push((
            scenario.strategies.len(),
            allocate::allocate(scenario, &open)?,
        ));
    }
    Ok((policies, allocations))
}

/// Adds the sensitivity analysis to a run's output: from the trials the run kept
/// ([`Settings::samples`]), else by running the first trials again.
pub fn add_sensitivity(scenario: &Scenario, output: &mut RunOutput) {
    let started = Instant::now();
    let samples = &output.results.samples;
    output.sensitivity = if samples.trials.is_empty() {
        sensitivity::analyse(
            scenario,
            output.policies.clone(),
            output.settings.seed,
            output.settings.trials,
        )
    } else {
        sensitivity::of_samples(samples, output.policies.len())
    };
    output.timings.sensitivity = started.elapsed();
}

/// The name of strategy `s`; the implicit plan of [`plan_all`] is called "optimised".
pub fn strategy_name(scenario: &Scenario, s: usize) -> &str {
    scenario
        .strategies
        .get(s)
        .map_or("optimised", |strategy| strategy.name.as_str())
}

/// Plans and simulates `scenario`; `progress` hears the number of trials done.
pub fn run(
    scenario: &Scenario,
    settings: Settings,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunOutput, allocate::PlanError> {
    run_with(scenario, settings, true, progress)
}

/// [`run`], with or without the allocator's per-team marginal values (a sweep skips them).
pub fn run_with(
    scenario: &Scenario,
    settings: Settings,
    team_values: bool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunOutput, allocate::PlanError> {
    let started = Instant::now();
    let (policies, allocations) = policies_with(scenario, team_values)?;
    let plan = started.elapsed();
    let names = scenario.strategies.iter().map(|s| s.name.clone()).collect();
    let started = Instant::now();
    let results = simulate::run(scenario, policies.clone(), names, &settings, progress);
    Ok(RunOutput {
        allocations,
        policies,
        results,
        sensitivity: Vec::new(),
        settings,
        timings: Timings {
            plan,
            simulate: started.elapsed(),
            sensitivity: Duration::ZERO,
        },
    })
}
