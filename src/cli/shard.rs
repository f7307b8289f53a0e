//! Whether a command runs all its work, one shard of it (`--shard k/N`, written as a shard
//! folder), or reports merged shards ([`Work`]): what `run`, `sweep` and `forecast` share with
//! `fulcrum merge`.

use std::any::TypeId;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::CommandFactory;

use fulcrum::report::{self, Destination};
use fulcrum::shard::{Input, Shard, ShardInfo, fingerprint_bytes};
use fulcrum::simulate::Results;
use fulcrum::simulate::forecast::ForecastState;

use super::format::ReportFlags;
use super::{Failure, RunFlags, SimulationFlags};

/// Which share of a command's work this process does.
pub(super) enum Work<'a> {
    /// All of it (a command without `--shard`).
    All,
    /// One shard's, written as a shard folder.
    Shard(Shard),
    /// None: the statistics come from shards already run, and are reported.
    Merged(&'a Merged),
}

/// A complete, checked set of shards of one run.
pub(super) struct Merged {
    /// Shard folders, in shard order.
    pub(super) folders: Vec<PathBuf>,
    /// What each shard says of itself, in the same order.
    pub(super) infos: Vec<ShardInfo>,
    /// Where the merged results go.
    pub(super) target: Destination,
    /// Worker threads for what the merge computes again.
    pub(super) threads: Option<usize>,
}

/// The flag `run`, `sweep` and `forecast` share to run one shard of their work.
#[derive(clap::Args, Debug, Clone, Default)]
pub(super) struct ShardFlags {
    /// Run only shard K of N (K from 0 to N-1) and write its mergeable statistics to a shard
    /// folder (--out, default output/<name>-shard-K-of-N) for `fulcrum merge`; `auto/N`
    /// reads K from JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm).
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
}

impl ShardFlags {
    /// The work this process does: all of it, or the shard `--shard` names.
    pub(super) fn work(&self) -> Result<Work<'static>, Failure> {
        match &self.shard {
            None => Ok(Work::All),
            Some(text) => Shard::parse(text, |name| std::env::var(name).ok())
                .map(Work::Shard)
                .map_err(Failure::bad_input),
        }
    }
}

/// A command that can run as shards: its arguments say which flags decide its results.
pub(super) trait Sharded: Clone + std::fmt::Debug {
    /// The arguments' shared flags and shard flag.
    fn flags(&mut self) -> (&mut RunFlags, &mut ShardFlags);

    /// The options that decide the results, as text: every argument but where the results go,
    /// the threads, consent, the shard and how the results print. Shards merge only when
    /// their options agree.
    fn options(&self) -> String {
        let mut args = self.clone();
        let (flags, shard) = args.flags();
        flags.clear_incidental();
        *shard = ShardFlags::default();
        format!("{args:?}")
    }
}

impl Work<'_> {
    /// This process's share of `total` units of work.
    pub(super) fn range(&self, total: u64) -> std::ops::Range<u64> {
        match self {
            Work::Shard(shard) => shard.range(total),
            Work::All | Work::Merged(_) => 0..total,
        }
    }

    /// The thread pool: the command's `--threads`, or merge's own.
    pub(super) fn pool(&self, flags: &SimulationFlags) -> Result<rayon::ThreadPool, Failure> {
        match self {
            Work::Merged(merged) => SimulationFlags {
                threads: merged.threads,
                ..flags.clone()
            }
            .pool(),
            _ => flags.pool(),
        }
    }

    /// Where the command writes: its `--out` (a shard's default named after the shard), or
    /// merge's `--out`.
    pub(super) fn destination(
        &self,
        output: &super::OutputFlags,
        default: PathBuf,
    ) -> Result<Destination, Failure> {
        match self {
            Work::Merged(merged) => Ok(merged.target.clone()),
            Work::Shard(shard) => output.destination(|| {
                let mut name = default.into_os_string();
                name.push(format!("-shard-{}-of-{}", shard.index, shard.count));
                name.into()
            }),
            Work::All => output.destination(|| default),
        }
    }
}

impl Merged {
    /// Refuses shards whose question, seed or trials are not what the command, run again
    /// here, finds (its input files changed since).
    pub(super) fn check(&self, hash: &str, seed: u64, trials: u64) -> Result<(), Failure> {
        let first = &self.infos[0];
        if first.scenario_hash != hash {
            return Err(Failure::bad_input(format!(
                "the input of these shards changed since they ran: `fulcrum {}` here reads a \
                 question with hash {hash}, the shards ran {}; merge where the shards' input \
                 files are as they were",
                first.arguments.join(" "),
                first.scenario_hash
            )));
        }
        if (first.seed, first.trials) != (seed, trials) {
            return Err(Failure::bad_input(format!(
                "the shards ran seed {} with {} trials, but `fulcrum {}` here runs seed {seed} \
                 with {trials} trials (a default changed): merge with the fulcrum and files \
                 that ran them",
                first.seed,
                first.trials,
                first.arguments.join(" ")
            )));
        }
        Ok(())
    }

    /// The shards' statistics merged by `merge` in shard order, reading one shard at a time;
    /// refused (bad input) when a shard's statistics cannot be read, are another shard's, or
    /// hold another amount of work than its `shard.json` says.
    pub(super) fn merge<T, E>(
        &self,
        merge: impl Fn(&mut T, T) -> Result<(), E>,
    ) -> Result<T, Failure>
    where
        T: serde::de::DeserializeOwned + Statistics,
        E: std::fmt::Display,
    {
        let read = |k: usize| -> Result<T, Failure> {
            let (folder, info) = (&self.folders[k], &self.infos[k]);
            let state: T =
                report::kit::shard::read_state(folder, info).map_err(Failure::bad_input)?;
            let (units, expected) = (state.units(), info.end - info.start);
            if units != expected {
                return Err(Failure::bad_input(format!(
                    "{}: its statistics hold {units} {}, but its shard.json says it ran {} \
                     ({expected}); run that shard again",
                    folder.display(),
                    info.unit,
                    info.describe()
                )));
            }
            Ok(state)
        };
        let mut merged = read(0)?;
        for k in 1..self.folders.len() {
            merge(&mut merged, read(k)?).map_err(Failure::bad_input)?;
        }
        Ok(merged)
    }

    /// The shards merged, for the results' description: `folder: shard 0/4, trials 0..250`.
    pub(super) fn list(&self) -> Vec<String> {
        self.folders
            .iter()
            .zip(&self.infos)
            .map(|(folder, info)| format!("{}: {}", folder.display(), info.describe()))
            .collect()
    }
}

/// A shard's statistics, as far as merge checks them against its `shard.json`.
pub(super) trait Statistics {
    /// The units of work they hold: trials, or a sweep's point-trials.
    fn units(&self) -> u64;
}

impl Statistics for Results {
    fn units(&self) -> u64 {
        self.trials()
    }
}

impl Statistics for ForecastState {
    fn units(&self) -> u64 {
        self.trials()
    }
}

/// A sweep shard's points, each with its share of the trials.
impl Statistics for Vec<(usize, Results)> {
    fn units(&self) -> u64 {
        self.iter().map(|(_, results)| results.trials()).sum()
    }
}

/// One argument of a command line, as clap read it.
pub(super) struct Given {
    /// Its id (`scenario`, `history_csv`, `trials`, ...).
    pub id: String,
    /// Whether it names an input file: a path, other than where the results go.
    pub input: bool,
    /// Its values, as given.
    pub values: Vec<String>,
}

/// The arguments `arguments` (a command line after `fulcrum`) gives its subcommand, in the
/// subcommand's order; `None` when it does not parse.
pub(super) fn given(arguments: &[String]) -> Option<Vec<Given>> {
    let cli = super::Cli::command();
    let line = std::iter::once("fulcrum").chain(arguments.iter().map(String::as_str));
    let matches = cli.clone().try_get_matches_from(line).ok()?;
    let (name, matches) = matches.subcommand()?;
    let command = cli.find_subcommand(name)?;
    let path = TypeId::of::<PathBuf>();
    let given = command.get_arguments().filter_map(|arg| {
        let id = arg.get_id().as_str();
        let values = matches.try_get_raw(id).ok().flatten()?;
        Some(Given {
            id: id.to_string(),
            input: id != "out" && arg.get_value_parser().type_id() == path,
            values: values.map(|v| v.to_string_lossy().into_owned()).collect(),
        })
    });
    Some(given.collect())
}

/// The input files of this process's command line, each with where its copy goes in a shard
/// folder and its bytes.
fn inputs(arguments: &[String]) -> Result<Vec<(Input, Vec<u8>)>, Failure> {
    let mut inputs = Vec::new();
    for arg in given(arguments).unwrap_or_default() {
        for (n, path) in arg.values.iter().enumerate().filter(|_| arg.input) {
            let bytes = std::fs::read(path)
                .map_err(|e| Failure::Runtime(anyhow::anyhow!("cannot read {path}: {e}")))?;
            let name = Path::new(path)
                .file_name()
                .map_or_else(|| arg.id.clone(), |n| n.to_string_lossy().into_owned());
            let folder = match n {
                0 => arg.id.clone(),
                _ => format!("{}-{}", arg.id, n + 1),
            };
            let input = Input {
                argument: arg.id.clone(),
                given: path.clone(),
                copy: format!("{}/{folder}/{name}", report::kit::shard::INPUTS),
                hash: fingerprint_bytes(&bytes),
            };
            inputs.push((input, bytes));
        }
    }
    for path in named_files(arguments) {
        let given = path.display().to_string();
        let bytes = std::fs::read(&path)
            .map_err(|e| Failure::Runtime(anyhow::anyhow!("cannot read {given}: {e}")))?;
        let name = path
            .file_name()
            .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
        let input = Input {
            argument: NAMED.to_string(),
            given,
            copy: format!("{}/{NAMED}/{name}", report::kit::shard::INPUTS),
            hash: fingerprint_bytes(&bytes),
        };
        inputs.push((input, bytes));
    }
    Ok(inputs)
}

/// The [`Input::argument`] of a file the scenario names (`[debt] posterior`) rather than the
/// command line.
pub(super) const NAMED: &str = "scenario-named";

/// The files the command line's scenario (with its `--set`s) names, as loading reads them.
fn named_files(arguments: &[String]) -> Vec<PathBuf> {
    let given = given(arguments).unwrap_or_default();
    let values = |id: &str| {
        given
            .iter()
            .find(|g| g.id == id)
            .map(|g| g.values.clone())
            .unwrap_or_default()
    };
    let Some(scenario) = values("scenario").into_iter().next() else {
        return Vec::new();
    };
    let sets = values("sets");
    fulcrum::scenario::Document::read(Path::new(&scenario))
        .and_then(|mut d| d.set(&sets).map(|()| d))
        .map(|d| d.named_files())
        .unwrap_or_default()
}

/// What a shard records about itself, for a command that ran `shard` of `total` units.
pub(super) struct Ran<'a> {
    pub command: &'a str,
    pub options: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub unit: &'a str,
    pub total: u64,
    pub trials: u64,
}

/// Writes shard `shard` of a run into `target` (what `ran` and `state`), and says on stdout
/// that it is done, `started` then.
pub(super) fn write_shard(
    target: &Destination,
    shard: Shard,
    ran: Ran,
    state: &impl serde::Serialize,
    (stdout, started): (&ReportFlags, Instant),
) -> Result<(), Failure> {
    let range = shard.range(ran.total);
    let arguments: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let (inputs, copies): (Vec<Input>, Vec<_>) = inputs(&arguments)?
        .into_iter()
        .map(|(input, bytes)| (input.clone(), (input.copy, bytes)))
        .unzip();
    let info = ShardInfo {
        fulcrum_version: env!("CARGO_PKG_VERSION").to_string(),
        command: ran.command.to_string(),
        arguments,
        options: ran.options,
        scenario_hash: ran.scenario_hash,
        seed: ran.seed,
        unit: ran.unit.to_string(),
        total: ran.total,
        trials: ran.trials,
        shard: shard.index,
        shards: shard.count,
        start: range.start,
        end: range.end,
        inputs,
    };
    report::kit::shard::write(target, &info, state, &copies).map_err(super::write_failure)?;
    let seconds = started.elapsed().as_secs_f64();
    print_done(stdout, &info, seconds, &target.path)
}

/// Says a shard is done: `shard 2/8, trials 250..375, in 1.20 s → dir/` (with `--json`, the
/// shard's `shard.json`).
fn print_done(
    report: &ReportFlags,
    info: &ShardInfo,
    seconds: f64,
    folder: &Path,
) -> Result<(), Failure> {
    report.json(info)?;
    report.footer(&format!(
        "{}, in {seconds:.2} s → {}/ (merge all {} with `fulcrum merge`)",
        info.describe(),
        folder.display(),
        info.shards
    ));
    Ok(())
}
