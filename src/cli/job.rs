//! One driver for every command that runs Monte Carlo work (`run`, `plan`, `sweep`,
//! `forecast`, `backtest`): the thread pool, where the results go, the up-front budget, progress, and for
//! a [`Shardable`] job `--shard k/N` and `fulcrum merge`. A command says only what its work is
//! ([`Job`]); [`drive`] runs it all, [`drive_shards`] also one shard's share or the merged
//! statistics of shards already run.

use std::ops::Range;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fulcrum::pipeline::Estimate;
use fulcrum::report::Destination;

use super::progress::Progress;
use super::shard::{Ran, Statistics, Work, write_shard};
use super::{BudgetFlags, Failure, OutputFlags, RunFlags, SimulationFlags};

/// The trials and seed a command runs, resolved once: the flag, else the scenario's, else the
/// default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Seeded {
    /// Trials of the whole run (per point, for a sweep).
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
}

/// What a finished job's reporting knows besides its statistics.
pub(super) struct Done {
    /// Where the results go (checked before any work).
    pub target: Destination,
    /// Worker threads the work ran on.
    pub threads: usize,
    /// The shard folders merged (`fulcrum merge`; empty for one run).
    pub shards: Vec<String>,
    /// When the command started.
    pub started: Instant,
    /// How long this process took to run its units (nothing, for merged shards).
    pub ran: Duration,
}

/// A command's Monte Carlo work, in units (trials, a sweep's point-trials, a backtest's
/// origins) that progress counts, the budget prices and, for a [`Shardable`] job, a shard runs
/// a range of.
pub(super) trait Job: Send + Sync {
    /// The statistics of a range of units.
    type State: Send;
    /// What the progress bar says while the units run.
    const DOING: &'static str;
    /// What the progress bar counts.
    const COUNTED: &'static str = "trials";

    /// The trials and seed the whole job runs.
    fn seeded(&self) -> Seeded;

    /// Units in the whole job.
    fn units(&self) -> u64 {
        self.seeded().trials
    }

    /// The results folder unless `--out` names one (a shard's gets its number added).
    fn folder(&self) -> PathBuf;

    /// The up-front cost of running `units` on `threads` threads, and what the user could
    /// lower when it is too much.
    fn estimate(&self, units: &Range<u64>, threads: usize) -> (Estimate, String);

    /// Work before any unit runs, on the job's pool: planning, a forecast's walk through its
    /// own history. `work` says whose units follow (a shard's need no prices).
    fn prepare(&mut self, work: &Work) -> Result<(), Failure> {
        let _ = work;
        Ok(())
    }

    /// Steps the progress bar counts while `units` run (default: one per unit).
    fn steps(&self, units: &Range<u64>) -> u64 {
        units.end - units.start
    }

    /// Runs `units` on the ambient pool; `progress` hears the steps done.
    fn run(&self, units: Range<u64>, progress: &Progress) -> Result<Self::State, Failure>;

    /// Writes and prints the results of all the units, on the job's pool.
    fn finish(self, state: Self::State, done: Done) -> Result<(), Failure>;
}

/// A job whose units shards may split: each shard's statistics written to its folder, read
/// back by `fulcrum merge` and merged in order into exactly the statistics of the whole job.
pub(super) trait Shardable:
    Job<State: serde::Serialize + serde::de::DeserializeOwned + Statistics>
{
    /// The command, as a shard records it.
    const COMMAND: &'static str;
    /// What one unit is, as a shard records it.
    const UNIT: &'static str;

    /// The options that decide the results, as text (shards merge only when theirs agree).
    fn options(&self) -> String;

    /// The question's fingerprint, once prepared: shards merge only into the same question.
    fn fingerprint(&self) -> String;

    /// Adds the statistics of the units after `state`'s to it.
    fn merge(state: &mut Self::State, later: Self::State) -> Result<(), String>;
}

/// The flags [`drive`] reads: threads, where the results go, consent to a large run.
#[derive(Clone, Copy)]
pub(super) struct Flags<'a> {
    pub simulation: &'a SimulationFlags,
    pub output: &'a OutputFlags,
    pub budget: &'a BudgetFlags,
}

impl<'a> From<&'a RunFlags> for Flags<'a> {
    fn from(flags: &'a RunFlags) -> Flags<'a> {
        Flags {
            simulation: &flags.simulation,
            output: &flags.output,
            budget: &flags.budget,
        }
    }
}

/// Runs all of `job` with `flags`' pool, results folder and budget.
pub(super) fn drive<J: Job>(job: J, flags: Flags) -> Result<(), Failure> {
    let started = Instant::now();
    let work = Work::All;
    let (job, pool, target) = start(job, flags, &work)?;
    let (state, ran) = run_units(&job, &pool, work.range(job.units()))?;
    let done = Done {
        target,
        threads: pool.current_num_threads(),
        shards: Vec::new(),
        started,
        ran,
    };
    pool.install(|| job.finish(state, done))
}

/// Runs `job` as `work` says — all of it, one shard's share (written as a shard folder for
/// `fulcrum merge`), or the merged shards' statistics — with `flags`' pool, results folder,
/// budget and report settings.
pub(super) fn drive_shards<J: Shardable>(
    job: J,
    flags: &RunFlags,
    work: Work,
) -> Result<(), Failure> {
    let started = Instant::now();
    let (job, pool, target) = start(job, flags.into(), &work)?;
    let Seeded { trials, seed } = job.seeded();
    let (state, ran) = match &work {
        Work::Merged(merged) => {
            merged.check(&job.fingerprint(), seed, trials)?;
            (merged.merge(J::merge)?, Duration::ZERO)
        }
        Work::All | Work::Shard(_) => run_units(&job, &pool, work.range(job.units()))?,
    };
    let shards = match work {
        Work::Merged(merged) => merged.list(),
        Work::Shard(shard) => {
            let ran = Ran {
                command: J::COMMAND,
                options: job.options(),
                scenario_hash: job.fingerprint(),
                seed,
                unit: J::UNIT,
                total: job.units(),
                trials,
            };
            return write_shard(&target, shard, ran, &state, (&flags.report, started));
        }
        Work::All => Vec::new(),
    };
    let done = Done {
        target,
        threads: pool.current_num_threads(),
        shards,
        started,
        ran,
    };
    pool.install(|| job.finish(state, done))
}

/// The job's pool and results folder (checked before any work), its budget checked (but for
/// merged shards, whose work is done) and its preparation done.
fn start<J: Job>(
    mut job: J,
    flags: Flags,
    work: &Work,
) -> Result<(J, rayon::ThreadPool, Destination), Failure> {
    let pool = work.pool(flags.simulation)?;
    let target = work.destination(flags.output, job.folder())?;
    if !matches!(work, Work::Merged(_)) {
        let units = work.range(job.units());
        let (estimate, lower) = job.estimate(&units, pool.current_num_threads());
        flags.budget.check(&estimate, &lower)?;
    }
    pool.install(|| job.prepare(work))?;
    Ok((job, pool, target))
}

/// Runs `units` of `job` on `pool` with a progress bar: their statistics, and how long they
/// took.
fn run_units<J: Job>(
    job: &J,
    pool: &rayon::ThreadPool,
    units: Range<u64>,
) -> Result<(J::State, Duration), Failure> {
    let running = Instant::now();
    let progress = Progress::new(job.steps(&units), J::DOING, J::COUNTED);
    let state = pool.install(|| job.run(units, &progress))?;
    progress.finish();
    Ok((state, running.elapsed()))
}
