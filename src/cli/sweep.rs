//! `fulcrum sweep`: allocate and simulate at every point of a parameter grid.

use std::ops::Range;
use std::path::{Path, PathBuf};

use fulcrum::pipeline::Estimate;
use fulcrum::report::sweep::{SweepInfo, json, terminal, write_sweep};
use fulcrum::scenario;
use fulcrum::simulate::Results;
use fulcrum::whatif::sweep::{self as sw, SweepError, Vary};
use fulcrum::words::numbers::counted;

use super::format::warning_lines;
use super::job::{Done, Job, Seeded, Shardable, drive_shards};
use super::progress::Progress;
use super::shard::{ShardFlags, Sharded, Work};
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
    let (varies, document, base) = args.load()?;
    let scenario = &base.scenario;
    let (trials, seed) = args
        .common
        .simulation
        .trials_and_seed(Some((SWEEP_TRIALS.min(scenario.trials), scenario.seed)))?;
    let points = grid_points(&varies)?;
    let job = SweepJob {
        args,
        hash: fulcrum::shard::fingerprint(&format!("{scenario:?}")),
        varies,
        document,
        base,
        seeded: Seeded { trials, seed },
        points,
    };
    drive_shards(job, &args.common, work)
}

/// `fulcrum sweep`'s work: every point of the grid planned and simulated. Its units are the
/// points' trials, point by point: shards split points, and split a point's trials when there
/// are more shards than points.
struct SweepJob<'a> {
    args: &'a SweepArgs,
    varies: Vec<Vary>,
    document: scenario::Document,
    /// The scenario without the grid's values.
    base: scenario::Loaded,
    seeded: Seeded,
    /// Points in the grid.
    points: usize,
    /// The fingerprint of the scenario, overrides applied.
    hash: String,
}

impl Job for SweepJob<'_> {
    type State = Vec<(usize, Results)>;
    const DOING: &'static str = "sweeping";

    fn seeded(&self) -> Seeded {
        self.seeded
    }

    fn units(&self) -> u64 {
        self.points as u64 * self.seeded.trials
    }

    fn folder(&self) -> PathBuf {
        Path::new("output").join(format!("{}-sweep", self.base.scenario.name))
    }

    fn estimate(&self, units: &Range<u64>, threads: usize) -> (Estimate, String) {
        let Seeded { trials, seed } = self.seeded;
        let scenario = &self.base.scenario;
        let point = Estimate::of(scenario, &sw::settings(scenario, trials, seed), threads);
        let lower = format!(
            "the steps of --vary ({} points) or --trials (now {trials} per point)",
            self.points
        );
        (point.repeated(self.steps(units) as usize, threads), lower)
    }

    /// Points touched by the units.
    fn steps(&self, units: &Range<u64>) -> u64 {
        (units.end - units.start).div_ceil(self.seeded.trials)
    }

    fn run(&self, units: Range<u64>, progress: &Progress) -> Result<Self::State, Failure> {
        let Seeded { trials, seed } = self.seeded;
        let progress = |done| progress.update(done as u64);
        sw::run_share(
            &self.document,
            &[],
            &self.varies,
            units,
            trials,
            seed,
            &progress,
        )
        .map_err(|error| sweep_failure(&self.base, error))
    }

    fn finish(self, shares: Self::State, done: Done) -> Result<(), Failure> {
        let points = sw::points(&self.varies, shares).map_err(Failure::bad_input)?;
        report(&self, &points, &done)
    }
}

impl Shardable for SweepJob<'_> {
    const COMMAND: &'static str = "sweep";
    const UNIT: &'static str = "point-trials";

    fn options(&self) -> String {
        self.args.options()
    }

    fn fingerprint(&self) -> String {
        self.hash.clone()
    }

    fn merge(shares: &mut Self::State, later: Self::State) -> Result<(), String> {
        sw::merge_shares(shares, later).map_err(|e| e.to_string())
    }
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

/// Writes and prints the sweep's results.
fn report(job: &SweepJob, points: &[sw::Point], done: &Done) -> Result<(), Failure> {
    let (args, base, varies) = (job.args, &job.base, &job.varies);
    let Seeded { trials, seed } = job.seeded;
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
        seconds_total: done.started.elapsed().as_secs_f64(),
        threads: done.threads,
        shards: done.shards.clone(),
    };
    write_sweep(&done.target, varies, points, &info).map_err(write_failure)?;
    let folder = format!("{}/", done.target.path.display());
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
        done.started.elapsed().as_secs_f64(),
    ));
    Ok(())
}
