//! `fulcrum run` (plan and simulate every strategy) and `fulcrum plan` (the allocator only).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use fulcrum::model::{Rule, Scenario};
use fulcrum::pipeline::{self, Estimate, Planned, RunOutput, StrategyPlan};
use fulcrum::report::kit::markdown;
use fulcrum::report::kit::table::Format;
use fulcrum::report::run::{Environment, RunInfo, json, terminal, warnings};
use fulcrum::report::{self, Destination};
use fulcrum::scenario::{self, Loaded};
use fulcrum::simulate::{self, Results, Settings};
use fulcrum::whatif::sensitivity;
use fulcrum::words::numbers::counted;

use super::format::warning_lines;
use super::job::{Done, Job, Seeded, Shardable, drive, drive_shards};
use super::progress::{Progress, Spinner};
use super::shard::{ShardFlags, Sharded, Work};
use super::{Failure, RunFlags, ScenarioFlags, run_failure, write_failure};

/// Arguments of `fulcrum plan`; `fulcrum run` takes these and `--shard`.
#[derive(clap::Args, Debug, Clone)]
pub struct PlanArgs {
    #[command(flatten)]
    input: ScenarioFlags,
    #[command(flatten)]
    common: RunFlags,
    /// Period in which the priced "one more engineer, hired" starts (default: a quarter into
    /// the horizon).
    #[arg(long, value_name = "P")]
    hire_period: Option<usize>,
}

/// Arguments of `fulcrum plan`: those it shares with `run`, and where to write the policy
/// found as a schedule.
#[derive(clap::Args, Debug, Clone)]
pub struct PlanCommand {
    #[command(flatten)]
    plan: PlanArgs,
    /// Write the policy found as a `schedule` strategy to this new TOML file, to paste into
    /// the scenario's strategies (run, sweep and serve it like any other).
    #[arg(long, value_name = "FILE")]
    write_schedule: Option<std::path::PathBuf>,
}

/// Arguments of `fulcrum run`.
#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    plan: PlanArgs,
    #[command(flatten)]
    shard: ShardFlags,
}

impl Sharded for RunArgs {
    fn flags(&mut self) -> (&mut RunFlags, &mut ShardFlags) {
        (&mut self.plan.common, &mut self.shard)
    }
}

pub fn run(args: &RunArgs) -> Result<(), Failure> {
    execute(args, args.shard.work()?)
}

impl PlanArgs {
    /// The scenario with its overrides, its warnings printed as the report flags ask.
    fn load(&self) -> Result<Loaded, Failure> {
        self.common.report.apply();
        let loaded = scenario::load(&self.input.scenario, &self.input.sets)?;
        self.common.report.scenario_warnings(&loaded.warnings);
        Ok(loaded)
    }

    /// The simulation settings: the flags' trials and seed, else the scenario's.
    fn settings(&self, scenario: &Scenario) -> Result<Settings, Failure> {
        let (trials, seed) = self
            .common
            .simulation
            .trials_and_seed(Some((scenario.trials, scenario.seed)))?;
        Ok(Settings::for_run(scenario, trials, seed))
    }
}

/// The run: all its trials, one shard's (written as a shard folder), or merged shards'
/// (planned again here: planning is deterministic and does not depend on the trials).
pub(super) fn execute(run: &RunArgs, work: Work) -> Result<(), Failure> {
    let args = &run.plan;
    let loaded = args.load()?;
    // The run keeps its first trials' inputs and outcomes for the sensitivity analysis.
    let settings = Settings {
        samples: sensitivity::MAX_TRIALS,
        ..args.settings(&loaded.scenario)?
    };
    let job = RunJob {
        run,
        hash: fulcrum::shard::fingerprint(&format!("{:?}", loaded.scenario)),
        loaded,
        settings,
        planned: None,
    };
    drive_shards(job, &args.common, work)
}

/// `fulcrum run`'s work: plan the optimised strategies, then simulate every strategy's trials.
struct RunJob<'a> {
    run: &'a RunArgs,
    loaded: Loaded,
    settings: Settings,
    /// The fingerprint of the scenario, overrides applied.
    hash: String,
    /// The policies, once planned.
    planned: Option<Planned>,
}

impl RunJob<'_> {
    /// The planned policies ([`Job::prepare`] runs first).
    fn planned(&self) -> &Planned {
        self.planned
            .as_ref()
            .expect("the driver prepares a job first")
    }
}

impl Job for RunJob<'_> {
    type State = Results;
    const DOING: &'static str = "simulating";

    fn seeded(&self) -> Seeded {
        Seeded {
            trials: self.settings.trials,
            seed: self.settings.seed,
        }
    }

    fn folder(&self) -> PathBuf {
        Path::new("output").join(&self.loaded.scenario.name)
    }

    fn estimate(&self, units: &Range<u64>, threads: usize) -> (Estimate, String) {
        let scenario = &self.loaded.scenario;
        let share = Settings {
            trials: units.end - units.start,
            ..self.settings
        };
        let lower = format!(
            "--trials (now {}) or the horizon (`periods = {}`)",
            self.settings.trials, scenario.periods
        );
        (Estimate::of(scenario, &share, threads), lower)
    }

    fn prepare(&mut self, work: &Work) -> Result<(), Failure> {
        let planning = Spinner::start("finding the optimised strategies' policies");
        let options = pipeline::Options {
            hire_period: self.run.plan.hire_period,
            // A shard only simulates; the report of the whole run prices the changes.
            marginal_values: match work {
                Work::Shard(_) => pipeline::MarginalValues::None,
                _ => pipeline::MarginalValues::All,
            },
            ..pipeline::Options::new(self.settings)
        };
        let step = |step: pipeline::PlanStep<'_>| planning.say(&planning_step(step));
        let planned = pipeline::plan(&self.loaded.scenario, &options, &step);
        planning.stop();
        self.planned = Some(planned.map_err(|error| run_failure(&self.loaded, error))?);
        Ok(())
    }

    fn run(&self, units: Range<u64>, progress: &Progress) -> Result<Results, Failure> {
        let report = |done| progress.update(done);
        let trials = simulate::Trials::range(units).reporting(&report);
        let scenario = &self.loaded.scenario;
        Ok(self.planned().simulate(scenario, &self.settings, trials))
    }

    fn finish(mut self, results: Results, done: Done) -> Result<(), Failure> {
        let planned = self
            .planned
            .take()
            .expect("the driver prepares a job first");
        let output = planned
            .output(results, self.settings, done.ran)
            .map_err(|error| run_failure(&self.loaded, error))?;
        let (args, scenario) = (&self.run.plan, &self.loaded.scenario);
        let sensitivity_started = Instant::now();
        let sensitivity = sensitivity::of_run(scenario, &output);
        let seconds_sensitivity = sensitivity_started.elapsed().as_secs_f64();
        let info = RunInfo {
            fulcrum_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: scenario.name.clone(),
            scenario_file: args.input.scenario.display().to_string(),
            scenario_hash: self.loaded.fingerprint(),
            overrides: args.input.sets.clone(),
            seed: self.settings.seed,
            trials: self.settings.trials,
            periods: scenario.periods,
            strategies: output.results.strategies.clone(),
            environment: Environment {
                generated_at: jiff::Timestamp::now()
                    .round(jiff::Unit::Second)
                    .map_or_else(|_| String::new(), |t| t.to_string()),
                threads: done.threads,
                seconds_plan: output.timings.plan.as_secs_f64(),
                seconds_simulate: output.timings.simulate.as_secs_f64(),
                seconds_sensitivity,
                seconds_total: done.started.elapsed().as_secs_f64(),
            },
            shards: done.shards,
        };
        report::run::write(&done.target, scenario, &output, &sensitivity, &info)
            .map_err(write_failure)?;
        print_run(args, &self.loaded, &output, &done.target, done.started)
    }
}

impl Shardable for RunJob<'_> {
    const COMMAND: &'static str = "run";
    const UNIT: &'static str = "trials";

    fn options(&self) -> String {
        self.run.options()
    }

    fn fingerprint(&self) -> String {
        self.hash.clone()
    }

    fn merge(results: &mut Results, later: Results) -> Result<(), String> {
        results.merge(&later).map_err(|e| e.to_string())
    }
}

/// Prints a finished run as the report flags ask: warnings, JSON, the table and where the
/// results went.
fn print_run(
    args: &PlanArgs,
    loaded: &Loaded,
    output: &RunOutput,
    target: &Destination,
    started: Instant,
) -> Result<(), Failure> {
    let (scenario, results) = (&loaded.scenario, &output.results);
    let warned = warnings::of_run(scenario, results);
    let stdout = &args.common.report;
    stdout.warn(&warned);
    let folder = format!("{}/", target.path.display());
    let summary = report::run::summary::sentences(scenario, results, &output.allocations);
    let warning_lines = warning_lines(&loaded.warnings).into_iter().chain(warned);
    stdout.json(&json::run(
        scenario,
        results,
        output.settings.seed,
        &folder,
        warning_lines.collect(),
        summary.clone(),
    ))?;
    stdout.table(
        &terminal::run_headline(scenario, results),
        &terminal::run_table(scenario, results, &summary),
    );
    stdout.footer(&format!(
        "{} × {} in {:.2} s → {folder}",
        counted(output.settings.trials, "trial", "trials"),
        counted(results.strategies.len() as u64, "strategy", "strategies"),
        started.elapsed().as_secs_f64(),
    ));
    Ok(())
}

pub fn plan(command: &PlanCommand) -> Result<(), Failure> {
    let args = &command.plan;
    let loaded = args.load()?;
    // Reserved before the work: a taken name or a missing folder is refused now.
    let schedule_file = match &command.write_schedule {
        Some(path) => Some(report::NewFile::reserve(path).map_err(Failure::bad_input)?),
        None => None,
    };
    let options = pipeline::Options {
        hire_period: args.hire_period,
        ..pipeline::Options::new(args.settings(&loaded.scenario)?)
    };
    let job = PlanJob {
        args,
        loaded,
        options,
        schedule_file,
    };
    drive(job, (&args.common).into())
}

/// `fulcrum plan`'s work: one unit, every optimised strategy searched and priced.
struct PlanJob<'a> {
    args: &'a PlanArgs,
    loaded: Loaded,
    options: pipeline::Options,
    /// Where `--write-schedule` writes the policy found (reserved up front).
    schedule_file: Option<report::NewFile>,
}

impl PlanJob<'_> {
    /// The up-front estimate of the plan on `threads` threads.
    fn estimated(&self, threads: usize) -> Estimate {
        let scenario = &self.loaded.scenario;
        let optimised = scenario
            .strategies
            .iter()
            .filter(|s| matches!(s.rule, Rule::Optimised { .. }))
            .count();
        Estimate::planning(scenario, optimised.max(1), threads)
    }
}

impl Job for PlanJob<'_> {
    type State = Vec<StrategyPlan>;
    const DOING: &'static str = "planning";

    fn seeded(&self) -> Seeded {
        Seeded {
            trials: self.options.settings.trials,
            seed: self.options.settings.seed,
        }
    }

    fn units(&self) -> u64 {
        1
    }

    fn folder(&self) -> PathBuf {
        Path::new("output").join(format!("{}-plan", self.loaded.scenario.name))
    }

    fn estimate(&self, _: &Range<u64>, threads: usize) -> (Estimate, String) {
        let lower = format!(
            "the horizon (`periods = {}`) or the initiatives",
            self.loaded.scenario.periods
        );
        (self.estimated(threads), lower)
    }

    /// The search and the prices, with a spinner that keeps the estimate in sight, so a user
    /// can tell a slow plan from a stuck one (the bar of units stays hidden: there is one).
    fn run(&self, _: Range<u64>, _: &Progress) -> Result<Self::State, Failure> {
        let seconds = self.estimated(rayon::current_num_threads()).seconds();
        let estimated = format!("estimated {} in all", pipeline::duration(seconds));
        let planning = Spinner::start(&format!("finding the optimised policies, {estimated}"));
        let step = |step: pipeline::PlanStep<'_>| {
            planning.say(&format!("{}, {estimated}", planning_step(step)));
        };
        let scenario = &self.loaded.scenario;
        let planned = pipeline::plan_all(scenario, &self.options, &step);
        planning.stop();
        planned.map_err(|error| run_failure(&self.loaded, error))
    }

    fn finish(self, allocations: Self::State, done: Done) -> Result<(), Failure> {
        let scenario = &self.loaded.scenario;
        report::run::write_plan(&done.target, scenario, &allocations).map_err(write_failure)?;
        if let Some(file) = self.schedule_file {
            write_schedule(file, scenario, &allocations)?;
        }
        let folder = format!("{}/", done.target.path.display());
        let stdout = &self.args.common.report;
        stdout.json(&json::plans(scenario, &allocations, &folder))?;
        if stdout.prints_text() {
            print_plans(stdout.format(), scenario, &allocations);
        }
        stdout.footer(&format!("→ {folder}"));
        Ok(())
    }
}

/// A planning step as the spinner says it.
fn planning_step(step: pipeline::PlanStep<'_>) -> String {
    match step {
        pipeline::PlanStep::Searching(strategy) => format!("searching `{strategy}`'s policy"),
        pipeline::PlanStep::Pricing { strategy, done, of } => {
            format!("pricing `{strategy}`'s changes: {done} of {of} done")
        }
    }
}

/// Each optimised strategy's plan as a table, or in Markdown with its rule, periods and key
/// results.
fn print_plans(format: Format, scenario: &Scenario, allocations: &[StrategyPlan]) {
    for plan in allocations {
        if format != Format::Markdown {
            println!("{}", terminal::plan_table(scenario, plan, None));
            continue;
        }
        println!(
            "### Plan for strategy `{}`\n\n{}\n",
            plan.of.name(scenario),
            report::run::plan::rule(plan)
        );
        if let Some(periods) = terminal::plan_periods(scenario, plan, None) {
            println!("{}", markdown::table(&periods));
        }
        let krs = plan
            .simulated(None)
            .and_then(|(results, s)| terminal::key_result_table(scenario, results, s));
        if let Some(krs) = krs {
            println!("{}", markdown::table(&krs));
        }
    }
}

/// The first optimised strategy's policy as a `schedule` strategy named `<name>-schedule`; a
/// debt ceiling, whose share follows the debt, cannot be one (exit 1, saying so).
fn write_schedule(
    file: report::NewFile,
    scenario: &Scenario,
    allocations: &[StrategyPlan],
) -> Result<(), Failure> {
    let plan = allocations
        .first()
        .expect("plan plans at least one strategy");
    let policy = &plan.found.candidate.policy;
    let Some(teams) = policy.phases(scenario) else {
        return Err(Failure::Runtime(anyhow::anyhow!(
            "--write-schedule: the policy found ({}) follows each team's debt, not the \
             calendar, so it is no schedule; compare it as a debt_ceiling strategy instead",
            plan.found.candidate.label
        )));
    };
    let name = format!("{}-schedule", plan.of.name(scenario));
    let text = format!(
        "# The policy `fulcrum plan` found for strategy `{}` of scenario `{}`, as a schedule:\n\
         # paste it into the scenario's strategies to run, sweep or change it.\n{}",
        plan.of.name(scenario),
        scenario.name,
        fulcrum::scenario::schedule::schedule_strategy(scenario, &name, &teams)
    );
    file.write(text.as_bytes()).map_err(write_failure)
}
