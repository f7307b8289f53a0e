//! `fulcrum merge`: the shards of a run split with `--shard k/N`, combined into exactly the
//! results of the one run, written by the command's own reporting.

use std::path::{Path, PathBuf};

use clap::Parser;

use fulcrum::report::{self, Destination};
use fulcrum::shard;

use super::shard::{Merged, Work};
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
        let info = report::shard::read_info(folder).map_err(Failure::bad_input)?;
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

/// Whether `folder` is `out` or inside it (both existing).
fn holds(out: &Path, folder: &Path) -> bool {
    match (out.canonicalize(), folder.canonicalize()) {
        (Ok(out), Ok(folder)) => folder.starts_with(out),
        _ => false,
    }
}
