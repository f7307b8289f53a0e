//! The run pipeline without I/O: plan the optimised strategies, then simulate every strategy.
//! Shared by `run`, `sweep` and the tests, so each does exactly what `fulcrum run` does.

use std::time::{Duration, Instant};

pub use crate::allocate::MarginalValues;
use crate::allocate::{self, Allocation};
use crate::model::{Rule, Scenario};
use crate::simulate::{self, Policy, Results, Settings};

/// Why a run produced no results.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The allocator found no plan.
    #[error(transparent)]
    Plan(#[from] allocate::PlanError),
    /// A simulated value left the range the statistics represent exactly (absurd growth).
    #[error("a simulated value ({:e}) is beyond what the statistics represent", .0.value)]
    Unrepresentable(simulate::Unrepresentable),
}

/// What to run: the simulation's settings and how far the allocator prices its plans. Built
/// once by the caller (the CLI, a sweep, the server) and borrowed all the way down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub settings: Settings,
    pub marginal_values: MarginalValues,
}

impl Options {
    /// `settings` with every marginal value (what `fulcrum run` computes).
    pub fn new(settings: Settings) -> Options {
        Options {
            settings,
            marginal_values: MarginalValues::All,
        }
    }
}

/// Everything a run produces, ready for `report`.
#[derive(Debug)]
pub struct RunOutput {
    /// The allocator's plan of each optimised strategy.
    pub allocations: Allocations,
    /// The policies simulated, one per strategy (optimised ones carry their plan).
    pub policies: Vec<Policy>,
    pub results: Results,
    pub settings: Settings,
    pub timings: Timings,
}

/// Where the time went.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub plan: Duration,
    pub simulate: Duration,
}

/// Which strategy a plan is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanFor {
    /// The optimised strategy with this index.
    Strategy(usize),
    /// A scenario without an optimised strategy, planned by `fulcrum plan` as if it had one
    /// within guardrails [0, 1].
    Unguarded,
}

impl PlanFor {
    /// The strategy's name; the unguarded plan is called "optimised".
    pub fn name(self, scenario: &Scenario) -> &str {
        match self {
            PlanFor::Strategy(s) => &scenario.strategies[s].name,
            PlanFor::Unguarded => "optimised",
        }
    }
}

/// The allocator's plan of one strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategyPlan {
    pub of: PlanFor,
    pub allocation: Allocation,
}

/// The allocator's plan of each optimised strategy, in strategy order.
pub type Allocations = Vec<StrategyPlan>;

/// Plans every optimised strategy and turns each strategy into a policy.
pub fn policies(
    scenario: &Scenario,
    marginal_values: MarginalValues,
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
                let allocation = allocate::allocate(scenario, &guardrails, marginal_values)
                    .map_err(|error| name_the_strategy(error, s, strategy))?;
                let plan = allocation.plan.clone();
                allocations.push(StrategyPlan {
                    of: PlanFor::Strategy(s),
                    allocation,
                });
                Some(plan)
            }
            _ => None,
        };
        let policy = Policy::new(strategy, plan.as_ref().map(Policy::of_plan))
            .expect("optimised strategies were given their plan above");
        policies.push(policy);
    }
    Ok((policies, allocations))
}

/// Says which strategy a failed plan was for: a scenario may have several optimised ones.
fn name_the_strategy(
    error: allocate::PlanError,
    s: usize,
    strategy: &crate::model::Strategy,
) -> allocate::PlanError {
    match error {
        allocate::PlanError::Infeasible(mut why) => {
            if let Rule::Optimised {
                min_tech_share,
                max_tech_share,
            } = strategy.rule
            {
                why.lines.insert(
                    0,
                    format!(
                        "  strategy `{}` (tech share within [{min_tech_share}, \
                         {max_tech_share}]):",
                        strategy.name
                    ),
                );
            }
            why.strategy = Some(s);
            allocate::PlanError::Infeasible(why)
        }
        allocate::PlanError::Solver(message) => allocate::PlanError::Solver(format!(
            "strategy `{}`: {message} (look at the scenario's largest numbers: efforts, \
             capacities, debt, contributions and targets that differ by many orders of \
             magnitude make the program numerically hard)",
            strategy.name
        )),
        other => other,
    }
}

/// Plans every optimised strategy of `scenario`; a scenario without one is planned as if it
/// had `optimised` within guardrails [0, 1] ([`PlanFor::Unguarded`]).
pub fn plan_all(scenario: &Scenario) -> Result<(Vec<Policy>, Allocations), allocate::PlanError> {
    let (policies, mut allocations) = policies(scenario, MarginalValues::All)?;
    if allocations.is_empty() {
        let open = allocate::Guardrails {
            min_tech_share: 0.0,
            max_tech_share: 1.0,
        };
        allocations.push(StrategyPlan {
            of: PlanFor::Unguarded,
            allocation: allocate::allocate(scenario, &open, MarginalValues::All)?,
        });
    }
    Ok((policies, allocations))
}

/// Plans and simulates `scenario`; `progress` hears the number of trials done.
pub fn run(
    scenario: &Scenario,
    options: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunOutput, RunError> {
    let started = Instant::now();
    let (policies, allocations) = policies(scenario, options.marginal_values)?;
    let plan = started.elapsed();
    let names = scenario.strategies.iter().map(|s| s.name.clone()).collect();
    let started = Instant::now();
    let results = simulate::run(
        scenario,
        policies.clone(),
        names,
        &options.settings,
        progress,
    );
    if let Some(unrepresentable) = results.unrepresentable() {
        return Err(RunError::Unrepresentable(unrepresentable));
    }
    Ok(RunOutput {
        allocations,
        policies,
        results,
        settings: options.settings,
        timings: Timings {
            plan,
            simulate: started.elapsed(),
        },
    })
}

/// What a run will cost, estimated before it starts, so that an input that is valid but would
/// take hours or gigabytes is caught up front. The constants are upper-end figures measured on
/// the examples (2-core machine, release build); the point is the order of magnitude.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Seconds of planning (every optimised strategy, marginal values included).
    pub plan_seconds: f64,
    /// Seconds of simulation on `threads` threads.
    pub simulate_seconds: f64,
    /// Peak memory, bytes.
    pub memory_bytes: f64,
    /// The allocator's work, paydown, idle and debt variables (per optimised strategy).
    pub program_variables: usize,
}

/// Nanoseconds per trial, strategy, period and (team + initiative + recorded metric).
const SIMULATE_NS: f64 = 30.0;
/// Nanoseconds per forecast trial and period (an upper bound: trials stop when done).
const FORECAST_NS: f64 = 10.0;
/// Bytes of one recorded per-period statistic (a quantile sketch), per accumulator.
const SKETCH_BYTES: f64 = 6_000.0;
/// Bytes per allocator variable while the program is built and solved.
const PROGRAM_BYTES: f64 = 1_000.0;
/// Seconds of one plan of 1,000 core variables: 34,000 take 27 s, growing as size^1.5.
const PLAN_SECONDS_PER_KILO_VARIABLE: f64 = 0.136;

impl Estimate {
    /// The cost of running `scenario` with `settings` on `threads` threads.
    pub fn of(scenario: &Scenario, settings: &Settings, threads: usize) -> Estimate {
        let strategies = scenario.strategies.len().max(1) as f64;
        let periods = scenario.periods as f64;
        let width = (simulate::PeriodMetric::ALL.len() + scenario.key_results.len()) as f64;
        let units = (scenario.teams.len() + scenario.initiatives.len()) as f64 + width;
        let threads = threads.max(1) as f64;
        let simulate_seconds =
            settings.trials as f64 * strategies * periods * units * SIMULATE_NS * 1e-9 / threads;
        let recorded = if settings.recording.periods {
            periods
        } else {
            0.0
        };
        let sketches = strategies * recorded * width;
        let optimised = scenario
            .strategies
            .iter()
            .filter(|s| matches!(s.rule, Rule::Optimised { .. }))
            .count();
        let planning = Estimate::planning(scenario, optimised);
        Estimate {
            simulate_seconds,
            memory_bytes: sketches * SKETCH_BYTES * (threads + 1.0) + planning.memory_bytes,
            ..planning
        }
    }

    /// The cost of `plans` plans of `scenario` alone (`fulcrum plan`: at least one).
    pub fn planning(scenario: &Scenario, plans: usize) -> Estimate {
        let variables = allocate::core_variables(scenario);
        let plans = if plans == 0 { 0.0 } else { plans as f64 };
        // A plan, its relaxations and its marginal values' re-solves: about three plans.
        let plan_seconds =
            plans * 3.0 * PLAN_SECONDS_PER_KILO_VARIABLE * (variables as f64 / 1000.0).powf(1.5);
        Estimate {
            plan_seconds,
            simulate_seconds: 0.0,
            memory_bytes: if plans > 0.0 {
                variables as f64 * PROGRAM_BYTES
            } else {
                0.0
            },
            program_variables: variables,
        }
    }

    /// This estimate repeated `times` times, run `at_once` at a time (a sweep's points).
    pub fn repeated(self, times: usize, at_once: usize) -> Estimate {
        let times = times as f64;
        Estimate {
            plan_seconds: self.plan_seconds * times / at_once.max(1) as f64,
            simulate_seconds: self.simulate_seconds * times,
            memory_bytes: self.memory_bytes * times.min(at_once.max(1) as f64),
            ..self
        }
    }

    /// The cost of a throughput forecast of `trials` trials over at most `periods` periods.
    pub fn forecasting(trials: u64, periods: usize, threads: usize) -> Estimate {
        Estimate {
            plan_seconds: 0.0,
            simulate_seconds: trials as f64 * periods as f64 * FORECAST_NS * 1e-9
                / threads.max(1) as f64,
            memory_bytes: 0.0,
            program_variables: 0,
        }
    }

    /// Seconds in all.
    pub fn seconds(&self) -> f64 {
        self.plan_seconds + self.simulate_seconds
    }
}
