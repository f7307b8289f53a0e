//! Runs split across machines: shard k of N does a contiguous share of a run's work (trials
//! `[k·T/N, (k+1)·T/N)`, of a sweep's trials numbered point by point) and keeps its statistics in mergeable form;
//! `fulcrum merge` checks that a set of shards makes up exactly one run and merges them into
//! that run's results, bit for bit. What a shard records about itself is here; its files are
//! written and read by [`crate::report::kit::shard`].

use std::ops::Range;

/// Environment variables `--shard auto/N` reads the shard's index from, in this order: a
/// Kubernetes Indexed Job's, then a Slurm job array's.
pub const INDEX_VARIABLES: [&str; 2] = ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"];

/// The most shards a run may be split into.
pub const MAX_SHARDS: u64 = 100_000;

/// Shard `index` of `count` (`--shard index/count`, counting from 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard's number, from 0 to `count - 1`.
    pub index: u64,
    /// Shards the run is split into, 1 to [`MAX_SHARDS`].
    pub count: u64,
}

impl Shard {
    /// Parses `k/N`, or `auto/N` with k read by `variable` from [`INDEX_VARIABLES`].
    pub fn parse(text: &str, variable: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let usage = "expected --shard k/N (k from 0 to N-1, e.g. --shard 0/8) or --shard auto/N";
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("`--shard {text}` has no `/`: {usage}"))?;
        let count: u64 = count
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=MAX_SHARDS).contains(n))
            .ok_or_else(|| {
                format!(
                    "`{count}` in `--shard {text}` is not a number of shards from 1 to \
                     {MAX_SHARDS}: {usage}"
                )
            })?;
        let index = if index.trim() == "auto" {
            let (name, value) = INDEX_VARIABLES
                .iter()
                .find_map(|&name| variable(name).map(|value| (name, value)))
                .ok_or_else(|| {
                    format!(
                        "`--shard auto/{count}` reads the shard's index from {} (a Kubernetes \
                         Indexed Job) or {} (a Slurm job array), and neither is set: give the \
                         index yourself, e.g. --shard 0/{count}",
                        INDEX_VARIABLES[0], INDEX_VARIABLES[1]
                    )
                })?;
            value.trim().parse::<u64>().map_err(|_| {
                format!("{name} is `{value}`, not a shard index (a whole number from 0)")
            })?
        } else {
            index.trim().parse::<u64>().map_err(|_| {
                format!("`{index}` in `--shard {text}` is not a shard index: {usage}")
            })?
        };
        if index >= count {
            return Err(format!(
                "shard index {index} is not below the number of shards {count}: shards are \
                 numbered 0 to {}",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// This shard's share of `total` units of work: `[k·T/N, (k+1)·T/N)`. The shares of the
    /// N shards are contiguous, in order, and together exactly `0..total`.
    pub fn range(&self, total: u64) -> Range<u64> {
        let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What a shard ran: everything `fulcrum merge` needs to check that shards belong together
/// and to run the command's reporting again (`shard.json`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShardInfo {
    /// The version of fulcrum that ran it (shards of one run agree on it).
    pub fulcrum_version: String,
    /// `run`, `sweep` or `forecast`.
    pub command: String,
    /// The command line after `fulcrum`, as given (merge parses it again).
    pub arguments: Vec<String>,
    /// The command's options that decide its results (not `--shard`, `--out`, `--threads`):
    /// shards of one run agree on it.
    pub options: String,
    /// Fingerprint of the compiled question (the scenario with every `--set`, or the
    /// forecast's history and backlog).
    pub scenario_hash: String,
    /// The master seed.
    pub seed: u64,
    /// What is split: `trials`, or a sweep's `point-trials` (every point's trials, numbered
    /// point by point).
    pub unit: String,
    /// Units of the whole run.
    pub total: u64,
    /// Trials of the whole run (per point for a sweep).
    pub trials: u64,
    /// This shard's index, from 0.
    pub shard: u64,
    /// Shards the run is split into.
    pub shards: u64,
    /// The first unit it ran.
    pub start: u64,
    /// One past the last unit it ran.
    pub end: u64,
    /// The input files it read, each copied into its folder: `fulcrum merge` reads these
    /// copies, never a path from this record.
    #[serde(default)]
    pub inputs: Vec<Input>,
}

/// An input file a shard read (a scenario, a history), as it keeps a copy of it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Input {
    /// The argument of the command line that names it (`scenario`, `history_csv`).
    pub argument: String,
    /// The path as the command line gave it.
    pub given: String,
    /// The copy in the shard folder, relative to it, with `/`.
    pub copy: String,
    /// [`fingerprint`] of its bytes.
    pub hash: String,
}

impl ShardInfo {
    /// `shard 3/8, trials 3750..5000`.
    pub fn describe(&self) -> String {
        format!(
            "shard {}/{}, {} {}..{}",
            self.shard, self.shards, self.unit, self.start, self.end
        )
    }

    /// What tells one shard's statistics from another's: `shard 3/8, trials 3750..5000 of
    /// seed 42, scenario hash 0123456789abcdef`.
    pub fn identity(&self) -> String {
        format!(
            "{} of seed {}, scenario hash {}",
            self.describe(),
            self.seed,
            self.scenario_hash
        )
    }
}

/// Checks that `shards` (each with the folder it was read from) are the complete set of one
/// run's shards, and returns their positions in shard order; else says what does not fit.
pub fn check(shards: &[(String, ShardInfo)]) -> Result<Vec<usize>, String> {
    let Some((_, first)) = shards.first() else {
        return Err("no shard folders given: `fulcrum merge SHARD_DIR... --out DIR`".into());
    };
    of_one_run(shards)?;
    let mut order: Vec<usize> = (0..shards.len()).collect();
    order.sort_by_key(|&i| (shards[i].1.shard, shards[i].1.start));
    for pair in order.windows(2) {
        let ((a_dir, a), (b_dir, b)) = (&shards[pair[0]], &shards[pair[1]]);
        if a.shard == b.shard {
            return Err(format!(
                "{a_dir} and {b_dir} are both shard {}/{}: give each shard once",
                a.shard, a.shards
            ));
        }
    }
    covered(shards, &order)?;
    let present: Vec<u64> = order.iter().map(|&i| shards[i].1.shard).collect();
    let missing: Vec<String> = (0..first.shards)
        .filter(|k| !present.contains(k))
        .map(|k| format!("{k}/{}", first.shards))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "shard {} missing: merge every shard of the run",
            missing.join(", ")
        ));
    }
    Ok(order)
}

/// Refuses shards (at least one) that differ in anything that makes a run.
fn of_one_run(shards: &[(String, ShardInfo)]) -> Result<(), String> {
    let (first_dir, first) = &shards[0];
    type Field = (&'static str, fn(&ShardInfo) -> String);
    let fields: [Field; 9] = [
        ("fulcrum versions", |s| s.fulcrum_version.clone()),
        ("commands", |s| s.command.clone()),
        ("scenarios (scenario hash)", |s| s.scenario_hash.clone()),
        ("seeds", |s| s.seed.to_string()),
        ("trials", |s| s.trials.to_string()),
        ("options", |s| s.options.clone()),
        ("numbers of shards", |s| s.shards.to_string()),
        ("amounts of work", |s| format!("{} {}", s.total, s.unit)),
        ("input files", |s| {
            let hashes: Vec<String> = s
                .inputs
                .iter()
                .map(|i| format!("{} {}", i.argument, i.hash))
                .collect();
            hashes.join(", ")
        }),
    ];
    for (what, field) in fields {
        if let Some((dir, other)) = shards.iter().find(|(_, s)| field(s) != field(first)) {
            return Err(format!(
                "these shards are not of one run: they have different {what}: {first_dir} has \
                 `{}`, {dir} has `{}`; merge only the shards of one run",
                field(first),
                field(other)
            ));
        }
    }
    Ok(())
}

/// Refuses shards that, taken in `order`, overlap or leave some of the run's work undone.
fn covered(shards: &[(String, ShardInfo)], order: &[usize]) -> Result<(), String> {
    let first = &shards[0].1;
    let missing = |unit: &str, from: u64, to: u64| {
        format!("{unit} {from}..{to} are missing: no shard given runs them; merge every shard")
    };
    let mut at = 0;
    for &i in order {
        let (dir, s) = &shards[i];
        if s.start < at {
            return Err(format!(
                "{dir} ({}) overlaps the shard before it, which ends at {at}: these shards do \
                 not split one run",
                s.describe()
            ));
        }
        if s.start > at {
            return Err(missing(&s.unit, at, s.start));
        }
        at = s.end;
    }
    if at != first.total {
        return Err(missing(&first.unit, at, first.total));
    }
    Ok(())
}

/// FNV-1a, 64 bits, of `text`, as 16 hex digits: the fingerprint of a compiled question.
pub fn fingerprint(text: &str) -> String {
    fingerprint_bytes(text.as_bytes())
}

/// FNV-1a, 64 bits, of `bytes`, as 16 hex digits: the fingerprint of an input file, and the
/// hash of every file in a results folder's marker.
pub fn fingerprint_bytes(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_work_exactly() {
        for count in [1, 2, 3, 7, 8] {
            for total in [0, 1, 5, 1000, 1001, u64::MAX / 2] {
                let mut at = 0;
                for index in 0..count {
                    let range = Shard { index, count }.range(total);
                    assert_eq!(range.start, at);
                    at = range.end;
                }
                assert_eq!(at, total);
            }
        }
    }

    #[test]
    fn a_shard_is_k_of_n_or_auto() {
        let none = |_: &str| None;
        assert_eq!(Shard::parse("2/8", none), Ok(Shard { index: 2, count: 8 }));
        let slurm = |name: &str| (name == "SLURM_ARRAY_TASK_ID").then(|| "5".to_string());
        assert_eq!(
            Shard::parse("auto/8", slurm),
            Ok(Shard { index: 5, count: 8 })
        );
        let both = |name: &str| {
            Some(
                if name == "JOB_COMPLETION_INDEX" {
                    "1"
                } else {
                    "5"
                }
                .into(),
            )
        };
        assert_eq!(Shard::parse("auto/8", both).unwrap().index, 1);
        for bad in ["8/8", "1", "a/2", "1/0", "0/x", "-1/2"] {
            assert!(Shard::parse(bad, none).is_err(), "{bad}");
        }
        assert!(
            Shard::parse("auto/8", none)
                .unwrap_err()
                .contains("neither is set")
        );
    }
}
