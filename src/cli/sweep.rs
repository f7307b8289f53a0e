//! `fulcrum sweep`: allocate and simulate at every point of a parameter grid.

use std::path::Path;
use std::time::Instant;

use fulcrum::pipeline::Estimate;
use fulcrum::report::Destination;
use fulcrum::report::kit::numbers::counted;
use fulcrum::report::sweep::{SweepInfo, json, terminal, write_sweep};
use fulcrum::scenario;
use fulcrum::simulate::Results;
use fulcrum::whatif::sweep::{self as sw, SweepError, Vary};

use super::format::warning_lines;
use super::progress::Progress;
use super::shard::{Merged, Ran, ShardFlags, Sharded, Work, write_shard};
use super::{Failure, RunFlags, ScenarioFlags, run_failure, write_failure};

/// Arguments of `fulcrum sweep`.
#[derive(clap::Args, Debug, Clone)]
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
    common: RunFlags,
    /// Run only shard K of N of the grid's trials, numbered point by point (see `fulcrum run
    /// --help`).
    #[command(flatten)]
    shard: ShardFlags,
}

impl Sharded for SweepArgs {
    fn flags(&mut self) -> (&mut RunFlags, &mut ShardFlags) {
        (&mut self.common, &mut self.shard)
    }
}

/// At most this many points in a sweep's grid, even with --yes.
const MAX_POINTS: usize = 10_000;

/// Trials per sweep point unless --trials says otherwise: a sweep runs many points.
const SWEEP_TRIALS: u64 = 2000;

pub fn sweep(args: &SweepArgs) -> Result<(), Failure> {
    execute(args, args.shard.work()?)
}

/// The sweep: every point, one shard's points (written as a shard folder), or merged shards'.
pub(super) fn execute(args: &SweepArgs, work: Work) -> Result<(), Failure> {
    let started = Instant::now();
    let (varies, document, base) = args.load()?;
    let scenario = &base.scenario;
    let (trials, seed) = args
        .common
        .simulation
        .trials_and_seed(Some((SWEEP_TRIALS.min(scenario.trials), scenario.seed)))?;
    let pool = work.pool(&args.common.simulation)?;
    let target = work.destination(
        &args.common.output,
        Path::new("output").join(format!("{}-sweep", scenario.name)),
    )?;
    let total = grid_points(&varies)?;
    let threads = pool.current_num_threads();
    let point = Estimate::of(scenario, &sw::settings(scenario, trials, seed), threads);
    let lower =
        format!("the steps of --vary ({total} points) or --trials (now {trials} per point)");
    let hash = fulcrum::shard::fingerprint(&format!("{scenario:?}"));
    // The work is every point's trials, point by point: shards split points, and split a
    // point's trials when there are more shards than points.
    let range = work.range(total as u64 * trials);
    if let Work::Merged(merged) = work {
        merged.check(&hash, seed, trials)?;
        let points = merged_points(merged, &varies)?;
        let run = (trials, seed, threads);
        return report(args, &work, &target, &base, &varies, &points, run, started);
    }
    let share = (range.end - range.start).div_ceil(trials) as usize;
    args.common
        .budget
        .check(&point.repeated(share, threads), &lower)?;
    let progress = Progress::new(share as u64, "sweeping");
    let points = pool
        .install(|| {
            sw::run_share(
                &document,
                &[],
                &varies,
                range.clone(),
                trials,
                seed,
                &|done| progress.update(done as u64),
            )
        })
        .map_err(|error| sweep_failure(&base, error))?;
    progress.finish();
    if let Work::Shard(shard) = work {
        let ran = Ran {
            command: "sweep",
            options: args.options(),
            scenario_hash: hash,
            seed,
            unit: "point-trials",
            total: total as u64 * trials,
            trials,
        };
        let state: Vec<(usize, &Results)> = points
            .iter()
            .map(|(p, point)| (*p, &point.results))
            .collect();
        let stdout = (&args.common.report, started);
        return write_shard(&target, shard, ran, &state, stdout);
    }
    let run = (trials, seed, threads);
    let points: Vec<sw::Point> = points.into_iter().map(|(_, point)| point).collect();
    report(args, &work, &target, &base, &varies, &points, run, started)
}

impl SweepArgs {
    /// The parameters to vary, the scenario document with its overrides, and the scenario
    /// compiled from it (its warnings printed as the report flags ask).
    fn load(&self) -> Result<(Vec<Vary>, scenario::Document, scenario::Loaded), Failure> {
        self.common.report.apply();
        let varies: Vec<Vary> = self
            .varies
            .iter()
            .map(|v| Vary::parse(v))
            .collect::<Result<_, _>>()
            .map_err(Failure::bad_input)?;
        let mut document = scenario::Document::read(&self.input.scenario)?;
        document.set(&self.input.sets)?;
        let base = document.compile()?;
        self.common.report.scenario_warnings(&base.warnings);
        Ok((varies, document, base))
    }
}

/// The number of points in the grid `varies` spans, refused beyond [`MAX_POINTS`].
fn grid_points(varies: &[Vary]) -> Result<usize, Failure> {
    let total = varies.iter().map(|v| v.values.len()).product::<usize>();
    if total > MAX_POINTS {
        return Err(Failure::bad_input(format!(
            "the --vary grid has {total} points, more than fulcrum sweeps ({MAX_POINTS}): use \
             fewer steps or fewer parameters"
        )));
    }
    Ok(total)
}

/// A sweep point's failure, saying which point it was.
fn sweep_failure(base: &scenario::Loaded, error: SweepError) -> Failure {
    match error {
        SweepError::Invalid { point, error } => {
            let mut failure = Failure::from(error);
            if let Failure::BadInput(text) = &mut failure {
                *text = format!("error: at sweep point {point}:\n{text}");
            }
            failure
        }
        SweepError::Run { point, error } => match run_failure(base, error) {
            Failure::BadInput(text) => {
                Failure::BadInput(format!("error: at sweep point {point}: {text}"))
            }
            runtime => runtime,
        },
    }
}

/// The points of merged shards, in grid order (without their plans, which the report does
/// not show).
fn merged_points(merged: &Merged, varies: &[Vary]) -> Result<Vec<sw::Point>, Failure> {
    // Shards come in order, so a point split between shards continues where it stopped.
    let results = merged.merge(|points: &mut Vec<(usize, Results)>, more| {
        for (p, results) in more {
            match points.last_mut() {
                Some((last, earlier)) if *last == p => earlier.merge(&results)?,
                _ => points.push((p, results)),
            }
        }
        Ok::<_, fulcrum::simulate::ShapeMismatch>(())
    })?;
    let grid = sw::grid(varies);
    let in_order = results.iter().enumerate().all(|(i, (p, _))| i == *p);
    if results.len() != grid.len() || !in_order {
        return Err(Failure::bad_input(format!(
            "the shards hold {} of the sweep's {} points",
            results.len(),
            grid.len()
        )));
    }
    let points = grid.into_iter().zip(results.into_iter().map(|(_, r)| r));
    Ok(points
        .map(|(values, results)| sw::Point {
            values,
            results,
            allocations: Vec::new(),
        })
        .collect())
}

/// Writes and prints the sweep's results.
#[allow(clippy::too_many_arguments)] // the sweep's pieces, from the one place it runs
fn report(
    args: &SweepArgs,
    work: &Work,
    target: &Destination,
    base: &scenario::Loaded,
    varies: &[Vary],
    points: &[sw::Point],
    (trials, seed, threads): (u64, u64, usize),
    started: Instant,
) -> Result<(), Failure> {
    let scenario = &base.scenario;
    let file = &args.input.scenario;
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
        threads,
        shards: match work {
            Work::Merged(merged) => merged.list(),
            _ => Vec::new(),
        },
    };
    write_sweep(target, varies, points, &info).map_err(write_failure)?;
    let folder = format!("{}/", target.path.display());
    args.common.report.json(&json::sweep(
        scenario,
        varies,
        points,
        seed,
        &folder,
        warning_lines(&base.warnings),
    ))?;
    args.common.report.table(
        &terminal::sweep_headline(scenario, varies, points),
        &terminal::sweep_table(scenario, varies, points),
    );
    args.common.report.footer(&format!(
        "{} × {} in {:.2} s → {folder}",
        counted(points.len() as u64, "point", "points"),
        counted(trials, "trial", "trials"),
        started.elapsed().as_secs_f64(),
    ));
    Ok(())
}
