//! A shard folder: what one shard of a run split across machines ran (`shard.json`), its
//! mergeable statistics (`state.json`) and a copy of every input file it read (`inputs/`),
//! written like any results folder (atomically, marked as fulcrum's, its marker naming the
//! command `shard`), and read back by `fulcrum merge`, which first checks the marker's hash
//! of every file and that the statistics are the ones `shard.json` describes.

use std::fs;
use std::path::Path;

use anyhow::Result;

use super::output::{self, Destination, OutputDir};
use crate::shard::ShardInfo;

/// The file that makes a folder a shard and says what it ran.
pub const INFO: &str = "shard.json";
/// The shard's statistics.
pub const STATE: &str = "state.json";
/// The folder of the copies of the shard's input files.
pub const INPUTS: &str = "inputs";

/// `state.json` as written: the statistics with the description of the shard that computed
/// them, so statistics moved into another shard's folder are caught.
#[derive(serde::Serialize)]
struct StateOut<'a, T> {
    shard: &'a ShardInfo,
    statistics: &'a T,
}

/// `state.json` as read.
#[derive(serde::Deserialize)]
struct StateIn<T> {
    shard: ShardInfo,
    statistics: T,
}

/// Writes a shard folder: `info`, the serialised `state`, and `inputs` (each input's copy
/// path in the folder, as [`ShardInfo::inputs`] records it, and its bytes).
pub fn write(
    target: &Destination,
    info: &ShardInfo,
    state: &impl serde::Serialize,
    inputs: &[(String, Vec<u8>)],
) -> Result<()> {
    let dir = OutputDir::create(target, "shard")?;
    let mut json = serde_json::to_vec_pretty(info)?;
    json.push(b'\n');
    dir.write(INFO, &json)?;
    let mut json = serde_json::to_vec(&StateOut {
        shard: info,
        statistics: state,
    })?;
    json.push(b'\n');
    dir.write(STATE, &json)?;
    for (copy, bytes) in inputs {
        if let Some(folder) = Path::new(copy).parent() {
            fs::create_dir_all(dir.staged(&folder.to_string_lossy()))?;
        }
        dir.write(copy, bytes)?;
    }
    dir.commit()
}

/// What a shard folder says it ran, once its marker proves that none of its files changed
/// since the shard wrote them; an error that says why when `folder` is not such a shard.
pub fn read_info(folder: &Path) -> Result<ShardInfo, String> {
    let shown = folder.display();
    if !folder.is_dir() {
        return Err(format!(
            "{shown} is not a folder: give shard folders written by --shard"
        ));
    }
    let path = folder.join(INFO);
    if !path.is_file() {
        return Err(format!(
            "{shown} is not a fulcrum shard (it has no {INFO}): give the folders written by \
             `fulcrum run|sweep|forecast ... --shard k/N`"
        ));
    }
    output::verify(folder, "shard")
        .map_err(|refusal| format!("{refusal}: run that shard again"))?;
    let text = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_slice(&text).map_err(|e| {
        format!(
            "{} is not a shard description fulcrum can read ({e})",
            path.display()
        )
    })
}

/// The statistics of a shard folder whose `shard.json` says `info`; an error naming the
/// shard when they cannot be read (damaged, cut short) or are another shard's.
pub fn read_state<T: serde::de::DeserializeOwned>(
    folder: &Path,
    info: &ShardInfo,
) -> Result<T, String> {
    let path = folder.join(STATE);
    let shown = path.display();
    let bytes = fs::read(&path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let state: StateIn<T> = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{shown} ({}) is not a shard's statistics fulcrum can read ({e}): it is damaged or \
             cut short; run that shard again",
            info.describe()
        )
    })?;
    if state.shard != *info {
        return Err(format!(
            "{shown} holds the statistics of another shard: they were computed by {}, but \
             {} in its folder says {}; merge the shard folders as the shards wrote them",
            state.shard.identity(),
            INFO,
            info.identity()
        ));
    }
    Ok(state.statistics)
}
