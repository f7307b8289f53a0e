//! `fulcrum merge`: the shards of a run split with `--shard k/N`, combined into exactly the
//! results of the one run, written by the command's own reporting.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use clap::Parser;

use fulcrum::report::{self, Destination};
use fulcrum::shard::{self, ShardInfo};

use super::shard::{Merged, Work, given};
use super::{Cli, Command, Failure};

/// Arguments of `fulcrum merge`.
#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Shard folders written by `fulcrum run|sweep|forecast ... --shard k/N`: all N of one
    /// run, in any order.
    #[arg(value_name = "SHARD_DIR", required = true)]
    shards: Vec<PathBuf>,
    /// Results folder of the merged run. fulcrum replaces only an earlier result of its own.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace an earlier result in the results folder even if some of its files were edited
    /// since (never a folder that holds files fulcrum did not write).
    #[arg(long)]
    force: bool,
    /// Worker threads for what the merge computes again (default: all cores).
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
}

/// Reads and checks the shards, then runs their command's reporting on the merged statistics.
pub fn merge(args: &MergeArgs) -> Result<(), Failure> {
    let mut read = Vec::new();
    for folder in &args.shards {
        let info = report::kit::shard::read_info(folder).map_err(Failure::bad_input)?;
        read.push((folder.display().to_string(), info));
    }
    let order = shard::check(&read).map_err(Failure::bad_input)?;
    let first = &read[order[0]].1;
    let version = env!("CARGO_PKG_VERSION");
    if first.fulcrum_version != version {
        return Err(Failure::bad_input(format!(
            "the shards were run by fulcrum {}, this is fulcrum {version}: merge with the \
             version that ran them (results may differ between versions)",
            first.fulcrum_version
        )));
    }
    let target = Destination {
        path: args.out.clone(),
        force: args.force,
    };
    if let Some(folder) = args.shards.iter().find(|f| holds(&args.out, f)) {
        return Err(Failure::bad_input(format!(
            "--out {} would replace the shard folder {}: write the merged results elsewhere",
            args.out.display(),
            folder.display()
        )));
    }
    report::check(&target).map_err(Failure::bad_input)?;
    let merged = Merged {
        folders: order.iter().map(|&i| args.shards[i].clone()).collect(),
        infos: order.iter().map(|&i| read[i].1.clone()).collect(),
        target,
        threads: args.threads,
    };
    substitute_inputs(&args.shards[order[0]], first)?;
    let arguments = std::iter::once("fulcrum".to_string()).chain(first.arguments.iter().cloned());
    let cli = Cli::try_parse_from(arguments).map_err(|e| {
        Failure::bad_input(format!(
            "cannot read the shards' command line `fulcrum {}`: {e}",
            first.arguments.join(" ")
        ))
    })?;
    let work = Work::Merged(&merged);
    match cli.command {
        Command::Run(run) if first.command == "run" => super::run::execute(&run, work),
        Command::Sweep(sweep) if first.command == "sweep" => super::sweep::execute(&sweep, work),
        Command::Forecast(forecast) if first.command == "forecast" => {
            super::forecast::execute(&forecast, work)
        }
        _ => Err(Failure::bad_input(format!(
            "the shards' command line `fulcrum {}` is not a sharded `{}`",
            first.arguments.join(" "),
            first.command
        ))),
    }
}

/// Makes every input file the shards' command line names read from its copy in the shard
/// `folder` (which `info` describes), and every other input path refused: a forged record
/// could name any file of this machine, and the merge reads none. Each copy must be a plain
/// file inside the folder's inputs whose hash is the one recorded.
fn substitute_inputs(folder: &Path, info: &ShardInfo) -> Result<(), Failure> {
    let shown = folder.display();
    let given = given(&info.arguments).ok_or_else(|| {
        Failure::bad_input(format!(
            "{shown}: cannot read the shards' command line `fulcrum {}`",
            info.arguments.join(" ")
        ))
    })?;
    let mut files = HashMap::new();
    let named = given
        .iter()
        .filter(|g| g.input)
        .flat_map(|g| g.values.iter().map(move |v| (&g.id, v)));
    for (argument, path) in named {
        let input = info
            .inputs
            .iter()
            .find(|i| i.argument == *argument && i.given == *path)
            .ok_or_else(|| {
                Failure::bad_input(format!(
                    "{shown}: the shards' command line names the file `{path}`, but the shard \
                     keeps no copy of it (merge reads the shards' inputs from their folders \
                     only): run the shards again with this fulcrum"
                ))
            })?;
        files.insert(PathBuf::from(path), kept_copy(folder, input)?);
    }
    // The files the scenario names, which the command line does not.
    for input in info
        .inputs
        .iter()
        .filter(|i| i.argument == super::shard::NAMED)
    {
        files.insert(PathBuf::from(&input.given), kept_copy(folder, input)?);
    }
    fulcrum::scenario::limits::substitute_inputs(files);
    Ok(())
}

/// The bytes of `input`'s copy in the shard `folder`, refused unless it is a plain path
/// inside the folder's inputs (the record names it too) with the recorded hash.
fn kept_copy(folder: &Path, input: &shard::Input) -> Result<Vec<u8>, Failure> {
    let shown = folder.display();
    let inside = Path::new(&input.copy)
        .strip_prefix(report::kit::shard::INPUTS)
        .is_ok_and(|rest| {
            rest.components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        });
    if !inside {
        return Err(Failure::bad_input(format!(
            "{shown}: its shard.json names a copy of `{}` outside its {} folder",
            input.given,
            report::kit::shard::INPUTS
        )));
    }
    let bytes = std::fs::read(folder.join(&input.copy))
        .map_err(|e| Failure::bad_input(format!("{shown}: cannot read {}: {e}", input.copy)))?;
    let hash = shard::fingerprint_bytes(&bytes);
    if hash != input.hash {
        return Err(Failure::bad_input(format!(
            "{shown}: its copy {} is not the file the shard read (hash {hash}, recorded {})",
            input.copy, input.hash
        )));
    }
    Ok(bytes)
}

/// Whether `folder` is `out` or inside it (both existing).
fn holds(out: &Path, folder: &Path) -> bool {
    match (out.canonicalize(), folder.canonicalize()) {
        (Ok(out), Ok(folder)) => folder.starts_with(out),
        _ => false,
    }
}
