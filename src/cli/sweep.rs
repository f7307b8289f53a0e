//! `fulcrum sweep`: allocate and simulate at every point of a parameter grid.

use std::path::Path;
use std::time::Instant;

use fulcrum::pipeline::Estimate;
use fulcrum::report::export::json;
use fulcrum::report::numbers::counted;
use fulcrum::report::sweep::{SweepInfo, write_sweep};
use fulcrum::report::terminal;
use fulcrum::scenario;
use fulcrum::whatif::sweep::{self as sw, SweepError, Vary};

use super::format::{ReportFlags, warning_lines};
use super::progress::Progress;
use super::{
    BudgetFlags, Failure, OutputFlags, ScenarioFlags, SimulationFlags, run_failure, write_failure,
};

/// Arguments of `fulcrum sweep`.
#[derive(clap::Args, Debug)]
#[command(mut_arg("trials", |a| a.help(
    "Monte Carlo trials per point (default: the scenario's `trials`, at most 2000)"
)))]
#[command(mut_arg("out", |a| a.help(
    "Results folder (default: output/<scenario name>-sweep). fulcrum replaces only an earlier \
     result of its own"
)))]
pub struct SweepArgs {
    #[command(flatten)]
    input: ScenarioFlags,
    /// A parameter to vary: path=from:to:steps, e.g. okrs.blend=0:1:11 (repeatable: a grid).
    #[arg(long = "vary", value_name = "PATH=FROM:TO:STEPS", required = true)]
    varies: Vec<String>,
    #[command(flatten)]
    simulation: SimulationFlags,
    #[command(flatten)]
    output: OutputFlags,
    #[command(flatten)]
    budget: BudgetFlags,
    #[command(flatten)]
    report: ReportFlags,
}

/// At most this many points in a sweep's grid, even with --yes.
const MAX_POINTS: usize = 10_000;

/// Trials per sweep point unless --trials says otherwise: a sweep runs many points.
const SWEEP_TRIALS: u64 = 2000;

pub fn sweep(args: &SweepArgs) -> Result<(), Failure> {
    let started = Instant::now();
    args.report.apply();
    let file = &args.input.scenario;
    let varies: Vec<Vary> = args
        .varies
        .iter()
        .map(|v| Vary::parse(v))
        .collect::<Result<_, _>>()
        .map_err(Failure::bad_input)?;
    let mut document = scenario::Document::read(file)?;
    document.set(&args.input.sets)?;
    let base = document.compile()?;
    args.report.scenario_warnings(&base.warnings);
    let scenario = &base.scenario;
    let (trials, seed) = args
        .simulation
        .trials_and_seed(Some((SWEEP_TRIALS.min(scenario.trials), scenario.seed)))?;
    let pool = args.simulation.pool()?;
    let target = args
        .output
        .destination(|| Path::new("output").join(format!("{}-sweep", scenario.name)))?;
    let total = varies.iter().map(|v| v.values.len()).product::<usize>();
    if total > MAX_POINTS {
        return Err(Failure::bad_input(format!(
            "the --vary grid has {total} points, more than fulcrum sweeps ({MAX_POINTS}): use \
             fewer steps or fewer parameters"
        )));
    }
    let point = Estimate::of(
        scenario,
        &sw::settings(scenario, trials, seed),
        pool.current_num_threads(),
    );
    let lower =
        format!("the steps of --vary ({total} points) or --trials (now {trials} per point)");
    args.budget
        .check(&point.repeated(total, pool.current_num_threads()), &lower)?;
    let progress = Progress::new(total as u64, "sweeping");
    let points = pool
        .install(|| {
            sw::run(&document, &[], &varies, trials, seed, &|done| {
                progress.update(done as u64)
            })
        })
        .map_err(|error| match error {
            SweepError::Invalid { point, error } => {
                let mut failure = Failure::from(error);
                if let Failure::BadInput(text) = &mut failure {
                    *text = format!("error: at sweep point {point}:\n{text}");
                }
                failure
            }
            SweepError::Run { point, error } => match run_failure(&base, error) {
                Failure::BadInput(text) => {
                    Failure::BadInput(format!("error: at sweep point {point}: {text}"))
                }
                runtime => runtime,
            },
        })?;
    progress.finish();
    let info = SweepInfo {
        fulcrum_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: scenario.name.clone(),
        question: scenario.question.clone(),
        scenario_file: file.display().to_string(),
        overrides: args.input.sets.clone(),
        vary: varies
            .iter()
            .map(|v| {
                format!(
                    "{}={}:{}:{}",
                    v.path,
                    sw::format_value(v.values[0]),
                    sw::format_value(*v.values.last().unwrap_or(&v.values[0])),
                    v.values.len()
                )
            })
            .collect(),
        seed,
        trials,
        points: points.len(),
        strategies: scenario.strategies.iter().map(|s| s.name.clone()).collect(),
        seconds_total: started.elapsed().as_secs_f64(),
        threads: pool.current_num_threads(),
    };
    write_sweep(&target, &varies, &points, &info).map_err(write_failure)?;
    let folder = format!("{}/", target.path.display());
    args.report.json(&json::sweep(
        scenario,
        &varies,
        &points,
        seed,
        &folder,
        warning_lines(&base.warnings),
    ))?;
    args.report.table(
        &terminal::sweep_headline(scenario, &varies, &points),
        &terminal::sweep_table(scenario, &varies, &points),
    );
    args.report.footer(&format!(
        "{} × {} in {:.2} s → {folder}",
        counted(points.len() as u64, "point", "points"),
        counted(trials, "trial", "trials"),
        started.elapsed().as_secs_f64(),
    ));
    Ok(())
}
