//! The run pipeline without I/O: plan the optimised strategies, then simulate every strategy.
//! Shared by `run`, `sweep` and the tests, so each does exactly what `fulcrum run` does.

use std::time::{Duration, Instant};

use crate::allocate::{self, Guardrails};
use crate::model::{Rule, Scenario};
use crate::optimise::effort::{self, Effort};
use crate::optimise::prices::{self, Price};
use crate::optimise::shape::{self, Why};
use crate::optimise::{self, Found, Objective, OptimiseError, effects};
use crate::simulate::{self, Policy, Results, Settings};

/// What to run: the simulation's settings and whether optimised strategies are priced. Built
/// once by the caller (the CLI, a sweep, the server) and borrowed all the way down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// How every strategy is simulated: trials, seed and what is recorded.
    pub settings: Settings,
    /// Whether the optimised strategies' changes are priced.
    pub marginal_values: MarginalValues,
    /// The period a priced hire starts in (default: a quarter into the horizon).
    pub hire_period: Option<usize>,
}

/// Whether the optimised strategies' changes are priced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarginalValues {
    /// Every change of [`optimise::prices::changes`], re-optimised.
    All,
    /// None (sweeps, which plan at every point).
    None,
}

impl Options {
    /// `settings`, with every marginal value (what `fulcrum run` computes).
    pub fn new(settings: Settings) -> Options {
        Options {
            settings,
            marginal_values: MarginalValues::All,
            hire_period: None,
        }
    }

    /// The period a priced hire starts in.
    pub fn hire_period(&self, scenario: &Scenario) -> usize {
        self.hire_period.unwrap_or(1 + scenario.periods / 4)
    }
}

/// Why a run produced no results.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// No policy of an optimised strategy meets its hard deadlines.
    #[error("strategy `{name}`: {error}")]
    Optimise {
        /// The strategy planned.
        strategy: PlanFor,
        /// Its name.
        name: String,
        /// Why no policy was found.
        error: Box<OptimiseError>,
    },
    /// A simulated value left the range the statistics represent exactly (absurd growth).
    #[error("a simulated value ({:e}) is beyond what the statistics represent", .0.value)]
    Unrepresentable(simulate::Unrepresentable),
}

/// Everything a run produces, ready for `report`.
#[derive(Debug)]
pub struct RunOutput {
    /// What was found for each optimised strategy.
    pub allocations: Allocations,
    /// The policies simulated, one per strategy.
    pub policies: Vec<Policy>,
    /// The simulation of every strategy, in strategy order.
    pub results: Results,
    /// The settings it was simulated with.
    pub settings: Settings,
    /// How long planning and simulating took.
    pub timings: Timings,
}

/// Where the time went.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// Finding (and pricing) the optimised strategies' policies.
    pub plan: Duration,
    /// Simulating every strategy.
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

/// What the optimiser found for one strategy, and what its changes are worth.
#[derive(Clone, Debug)]
pub struct StrategyPlan {
    /// The strategy planned.
    pub of: PlanFor,
    /// The guardrails and deadline confidence it was optimised within.
    pub objective: Objective,
    /// The policy found, and how it did in training.
    pub found: Found,
    /// Marginal values, best first (empty unless asked for).
    pub prices: Vec<Price>,
    /// What the policy's sharpest moves buy, largest move first (measured with the prices,
    /// empty unless they are asked for).
    pub shape: Vec<Why>,
    /// The policy simulated alone on the evaluation trials (`fulcrum plan`; a run reports its
    /// own simulation instead).
    pub promise: Option<Results>,
}

impl StrategyPlan {
    /// The simulation that shows what this plan delivers: `run`'s results (strategy index)
    /// when given, else the plan's own promise (index 0).
    pub fn simulated<'a>(&'a self, run: Option<&'a Results>) -> Option<(&'a Results, usize)> {
        match (run, self.of) {
            (Some(results), PlanFor::Strategy(s)) => Some((results, s)),
            _ => self.promise.as_ref().map(|r| (r, 0)),
        }
    }
}

/// What was found for each optimised strategy, in strategy order.
pub type Allocations = Vec<StrategyPlan>;

/// The policy strategy `s` executes: the one found for an optimised strategy, else its rule's.
pub fn policy_of<'a>(
    scenario: &Scenario,
    allocations: &'a [StrategyPlan],
    s: usize,
) -> Option<std::borrow::Cow<'a, Policy>> {
    use std::borrow::Cow;
    let strategy = scenario.strategies.get(s)?;
    match strategy.rule {
        Rule::Optimised { .. } => allocations
            .iter()
            .find(|p| p.of == PlanFor::Strategy(s))
            .map(|p| Cow::Borrowed(&p.found.candidate.policy)),
        _ => Policy::new(strategy, None).ok().map(Cow::Owned),
    }
}

/// The objective of an optimised strategy's rule; `None` for every other rule.
pub fn objective_of(rule: &Rule) -> Option<Objective> {
    match *rule {
        Rule::Optimised {
            min_tech_share,
            max_tech_share,
            deadline_confidence,
        } => Some(Objective {
            guardrails: Guardrails {
                min_tech_share,
                max_tech_share,
            },
            confidence: deadline_confidence,
        }),
        _ => None,
    }
}

/// Where the planning of the optimised strategies is, for a progress display.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PlanStep<'a> {
    /// Searching the policy of the strategy named.
    Searching(&'a str),
    /// Pricing the changes of the strategy named: `done` of `of` priced.
    Pricing {
        /// The strategy.
        strategy: &'a str,
        /// Changes priced so far.
        done: usize,
        /// Changes to price.
        of: usize,
    },
}

/// Hears each [`PlanStep`] as planning reaches it.
pub type PlanReport<'r> = &'r (dyn Fn(PlanStep<'_>) + Sync);

/// Searches the policy of the optimised strategy `of` for `objective`, training on trials of
/// `seed` (what `run`, `plan` and `serve` all search).
pub fn search(
    scenario: &Scenario,
    of: PlanFor,
    objective: &Objective,
    seed: u64,
) -> Result<Found, RunError> {
    optimise::optimise(scenario, objective, seed).map_err(|error| RunError::Optimise {
        strategy: of,
        name: of.name(scenario).to_string(),
        error: Box::new(error),
    })
}

/// Finds the policy of one optimised strategy, priced as `options` asks.
fn plan_strategy(
    scenario: &Scenario,
    of: PlanFor,
    objective: Objective,
    (options, report): (&Options, PlanReport<'_>),
) -> Result<StrategyPlan, RunError> {
    let seed = options.settings.seed;
    let name = of.name(scenario);
    report(PlanStep::Searching(name));
    let found = search(scenario, of, &objective, seed)?;
    let (prices, shape) = match options.marginal_values {
        MarginalValues::All => {
            let changes = prices::changes(scenario, &objective, options.hire_period(scenario));
            let evaluation = prices::EVALUATION_TRIALS.min(options.settings.trials);
            // The policy found on the evaluation trials: one side of every price's effects
            // and of every reason for the policy's shape.
            let trials = prices::evaluation_trials(scenario, evaluation);
            let policy = &found.candidate.policy;
            let base = effects::side(scenario, policy, (seed, trials));
            let of = changes.len();
            let priced_so_far = |done| {
                report(PlanStep::Pricing {
                    strategy: name,
                    done,
                    of,
                })
            };
            let mut priced = prices::price(
                scenario,
                &objective,
                &found,
                &changes,
                seed,
                evaluation,
                &priced_so_far,
            );
            priced.sort_by(|a, b| b.value.total_cmp(&a.value));
            measure_effects(scenario, &objective, (policy, &base), &mut priced, seed);
            let guardrails = &objective.guardrails;
            let shape = shape::explain(scenario, policy, guardrails, &base, (seed, trials));
            (priced, shape)
        }
        MarginalValues::None => (Vec::new(), Vec::new()),
    };
    Ok(StrategyPlan {
        of,
        objective,
        found,
        prices,
        shape,
        promise: None,
    })
}

/// Measures what each of `prices` does in the leader's units (key results' chances, P85
/// finishes, final debt, incident days) on the trials the prices were judged on; `base`, the
/// simulation of the policy found on those trials, is shared by every price judged against
/// it.
fn measure_effects(
    scenario: &Scenario,
    objective: &Objective,
    (policy, base): (&Policy, &Results),
    prices: &mut [Price],
    seed: u64,
) {
    for price in prices {
        let trials = price.trials;
        let own;
        let before = if price.before == *policy && trials == base.trials() {
            base
        } else {
            own = effects::side(scenario, &price.before, (seed, trials));
            &own
        };
        let (changed, _) = prices::changed(scenario, objective, &price.change);
        let after = effects::side(&changed, &price.after, (seed, trials));
        price.effects = Some(effects::between(scenario, before, &after));
    }
}

/// Finds every optimised strategy's policy and turns each strategy into a policy; `report`
/// hears where the planning is.
pub fn policies(
    scenario: &Scenario,
    options: &Options,
    report: PlanReport<'_>,
) -> Result<(Vec<Policy>, Allocations), RunError> {
    let mut allocations = Vec::new();
    let mut policies = Vec::new();
    for (s, strategy) in scenario.strategies.iter().enumerate() {
        let found = match objective_of(&strategy.rule) {
            Some(objective) => {
                let for_strategy = PlanFor::Strategy(s);
                let plan = plan_strategy(scenario, for_strategy, objective, (options, report))?;
                let policy = plan.found.candidate.policy.clone();
                allocations.push(plan);
                Some(policy)
            }
            None => None,
        };
        let policy = Policy::new(strategy, found)
            .expect("optimised strategies were given their policy above");
        policies.push(policy);
    }
    Ok((policies, allocations))
}

/// Finds and prices every optimised strategy's policy and simulates each alone on the
/// evaluation trials (`fulcrum plan`); a scenario without one is planned as if it had
/// `optimised` within guardrails [0, 1] ([`PlanFor::Unguarded`]).
pub fn plan_all(
    scenario: &Scenario,
    options: &Options,
    report: PlanReport<'_>,
) -> Result<Allocations, RunError> {
    let (_, mut allocations) = policies(scenario, options, report)?;
    if allocations.is_empty() {
        let open = Objective {
            guardrails: Guardrails {
                min_tech_share: 0.0,
                max_tech_share: 1.0,
            },
            confidence: optimise::DEFAULT_CONFIDENCE,
        };
        let unguarded = plan_strategy(scenario, PlanFor::Unguarded, open, (options, report))?;
        allocations.push(unguarded);
    }
    let trials = prices::EVALUATION_TRIALS
        .max(PROMISE_TRIALS)
        .min(options.settings.trials);
    for plan in &mut allocations {
        let settings = Settings::for_run(scenario, trials, options.settings.seed);
        let name = plan.of.name(scenario).to_string();
        let policy = plan.found.candidate.policy.clone();
        let trials = simulate::Trials::all(settings.trials);
        let results = simulate::run(scenario, vec![policy], vec![name], &settings, trials);
        plan.promise = Some(results);
    }
    Ok(allocations)
}

/// Trials `fulcrum plan` simulates a plan on (at most the scenario's trials).
pub const PROMISE_TRIALS: u64 = 2000;

/// A run planned and not yet simulated: every strategy as a policy, the optimised ones found
/// (and priced as the options asked).
#[derive(Debug)]
pub struct Planned {
    /// What was found for each optimised strategy.
    pub allocations: Allocations,
    /// The policies to simulate, one per strategy.
    pub policies: Vec<Policy>,
    /// How long planning took.
    pub time: Duration,
}

/// Plans `scenario`'s strategies as `options` asks (the first half of [`run`]); `report` hears
/// where the planning is.
pub fn plan(
    scenario: &Scenario,
    options: &Options,
    report: PlanReport<'_>,
) -> Result<Planned, RunError> {
    let started = Instant::now();
    let (policies, allocations) = policies(scenario, options, report)?;
    Ok(Planned {
        allocations,
        policies,
        time: started.elapsed(),
    })
}

impl Planned {
    /// Simulates `trials` of the run `settings` describes (all of them, or a shard's share).
    pub fn simulate(
        &self,
        scenario: &Scenario,
        settings: &Settings,
        trials: simulate::Trials<'_>,
    ) -> Results {
        let names = scenario.strategies.iter().map(|s| s.name.clone()).collect();
        simulate::run(scenario, self.policies.clone(), names, settings, trials)
    }

    /// The run's output from the results of all its trials (simulated here, or merged from
    /// shards), which took `simulate` to get; refused when a value left what the statistics
    /// represent.
    pub fn output(
        self,
        results: Results,
        settings: Settings,
        simulate: Duration,
    ) -> Result<RunOutput, RunError> {
        if let Some(unrepresentable) = results.unrepresentable() {
            return Err(RunError::Unrepresentable(unrepresentable));
        }
        Ok(RunOutput {
            allocations: self.allocations,
            policies: self.policies,
            results,
            settings,
            timings: Timings {
                plan: self.time,
                simulate,
            },
        })
    }
}

/// Plans and simulates `scenario`; `progress` hears the number of trials done.
pub fn run(
    scenario: &Scenario,
    options: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunOutput, RunError> {
    let planned = plan(scenario, options, &|_| {})?;
    let started = Instant::now();
    let settings = options.settings;
    let trials = simulate::Trials::all(settings.trials).reporting(progress);
    let results = planned.simulate(scenario, &settings, trials);
    planned.output(results, settings, started.elapsed())
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
/// Bytes of the process itself (code, scenario, report buffers of a small run).
const BASE_BYTES: f64 = 16.0 * 1024.0 * 1024.0;
/// Bytes per initiative of a run: its statistics, tables and the rows of its charts.
const INITIATIVE_BYTES: f64 = 130_000.0;
/// Bytes per initiative of each trial kept for the sensitivity analysis.
const SAMPLE_BYTES: f64 = 56.0;
/// Bytes per allocator variable while the program is built and solved (Clarabel's matrices
/// and factorisation, good_lp's expressions): 5.3 to 6.1 KB measured from 2,900 to 125,000
/// variables (`examples/allocate_memory.rs`, docs/src/developer/allocator.md).
const PROGRAM_BYTES: f64 = 6_000.0;
/// Seconds of one allocator solve of 1,000 core variables, growing as size^1.5: 125,000 take
/// 350 s, 7,300 take 3.8 s (one thread, docs/src/developer/allocator.md).
const PLAN_SECONDS_PER_KILO_VARIABLE: f64 = 0.19;
/// The same for a large program (two linearisations, not three): 0.08 measured on generated
/// organisations (16 s at 34,000 variables), about 0.14 on the chained programs above; the
/// middle keeps both within 2x (docs/src/explanation/allocator.md, planning time).
const LARGE_PLAN_SECONDS_PER_KILO_VARIABLE: f64 = 0.12;
/// Nanoseconds per policy-trial of the search and the prices, per unit of
/// [`effort::trial_cost`]: less than a run's [`SIMULATE_NS`], because scoring a policy records
/// no per-period metric (fitted to the search and prices of the generated organisations and
/// the examples, 2026-12-08).
const SEARCH_NS: f64 = 20.0;

impl Estimate {
    /// The cost of running `scenario` with `settings` on `threads` threads.
    pub fn of(scenario: &Scenario, settings: &Settings, threads: usize) -> Estimate {
        let strategies = scenario.strategies.len().max(1) as f64;
        let periods = scenario.periods as f64;
        let width = (simulate::PeriodMetric::ALL.len() + scenario.key_results.len()) as f64;
        let threads = threads.max(1) as f64;
        let trial = effort::trial_cost(scenario);
        let simulate_seconds =
            settings.trials as f64 * strategies * trial * SIMULATE_NS * 1e-9 / threads;
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
        let planning = Estimate::planning(scenario, optimised, threads as usize);
        let samples = settings.samples.min(settings.trials) as f64;
        let initiatives =
            scenario.initiatives.len() as f64 * (INITIATIVE_BYTES + samples * SAMPLE_BYTES);
        Estimate {
            simulate_seconds,
            // The plan's memory is freed before the simulation: the peak is the larger.
            memory_bytes: planning
                .memory_bytes
                .max(BASE_BYTES + sketches * SKETCH_BYTES * (threads + 1.0) + initiatives),
            ..planning
        }
    }

    /// The cost of `plans` optimised strategies of `scenario` alone, priced, on `threads`
    /// threads (`fulcrum plan`: at least one).
    pub fn planning(scenario: &Scenario, plans: usize, threads: usize) -> Estimate {
        let variables = allocate::core_variables(scenario);
        let plans = plans as f64;
        // The allocator's seed plans: the search's, and where the program is small the
        // re-optimisations' of the three guardrail changes (a large one is solved once).
        let per_kilo_variable = if allocate::is_large(scenario) {
            LARGE_PLAN_SECONDS_PER_KILO_VARIABLE
        } else {
            4.0 * PLAN_SECONDS_PER_KILO_VARIABLE
        };
        let lp = per_kilo_variable * (variables as f64 / 1000.0).powf(1.5);
        // The search and each priced change, in policies simulated for a trial (the
        // optimiser's own count at its effort for this size).
        let deadlines = scenario
            .initiatives
            .iter()
            .filter(|i| i.must_finish)
            .count();
        let changes = 2 * scenario.teams.len() + 4 + deadlines;
        let simulated = Effort::of(scenario).policy_trials(changes);
        let search =
            simulated * effort::trial_cost(scenario) * SEARCH_NS * 1e-9 / threads.max(1) as f64;
        let plan_seconds = plans * (lp + search);
        Estimate {
            plan_seconds,
            simulate_seconds: 0.0,
            memory_bytes: BASE_BYTES
                + if plans > 0.0 {
                    variables as f64 * PROGRAM_BYTES
                } else {
                    0.0
                },
            program_variables: if plans > 0.0 { variables } else { 0 },
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

/// What a run may cost without consent (`--yes` on the command line; the server has none):
/// 10 minutes and 4 GiB, by the up-front [`Estimate`].
pub struct Budget;

impl Budget {
    /// Seconds a run may take.
    pub const SECONDS: f64 = 600.0;
    /// Bytes a run may hold.
    pub const BYTES: f64 = 4.0 * 1024.0 * 1024.0 * 1024.0;

    /// `10 min and 4.0 GB`.
    pub fn describe() -> String {
        format!("{} and {}", duration(Budget::SECONDS), bytes(Budget::BYTES))
    }

    /// This machine's physical memory, where it can be read (Linux): what no run may exceed,
    /// with consent or without (the allocation would fail and abort the process).
    pub fn memory() -> Option<f64> {
        let text = std::fs::read_to_string("/proc/meminfo").ok()?;
        let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024.0)
    }
}

impl Estimate {
    /// Whether it exceeds the [`Budget`].
    pub fn over_budget(&self) -> bool {
        self.seconds() > Budget::SECONDS || self.memory_bytes > Budget::BYTES
    }

    /// `this would take about 12 min (planning 11 min (34000 allocator variables),
    /// simulating 40 s) and 5.2 GB of memory`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.plan_seconds >= 1.0 {
            parts.push(format!(
                "planning {} ({} allocator variables)",
                duration(self.plan_seconds),
                self.program_variables
            ));
        }
        if self.simulate_seconds >= 1.0 {
            parts.push(format!("simulating {}", duration(self.simulate_seconds)));
        }
        let parts = match parts.is_empty() {
            true => String::new(),
            false => format!(" ({})", parts.join(", ")),
        };
        let memory = if self.memory_bytes >= 1024.0 * 1024.0 {
            format!(" and {} of memory", bytes(self.memory_bytes))
        } else {
            String::new()
        };
        format!(
            "this would take about {}{parts}{memory}",
            duration(self.seconds())
        )
    }
}

/// `42 s`, `12 min`, `3.5 h`, `2.1 days`.
pub fn duration(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else if seconds < 5400.0 {
        format!("{:.0} min", seconds / 60.0)
    } else if seconds < 172_800.0 {
        format!("{:.1} h", seconds / 3600.0)
    } else {
        format!("{:.0} days", seconds / 86_400.0)
    }
}

/// `320 MB`, `4.0 GB` (powers of 1024).
pub fn bytes(n: f64) -> String {
    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
    if n >= GIB {
        format!("{:.1} GB", n / GIB)
    } else {
        format!("{:.0} MB", n / (1024.0 * 1024.0))
    }
}
