//! A shard folder: what one shard of a run split across machines ran (`shard.json`) and its
//! mergeable statistics (`state.json`), written like any results folder (atomically, marked as
//! fulcrum's, its marker naming the command `shard`), and read back by `fulcrum merge`.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use super::{Destination, OutputDir};
use crate::shard::ShardInfo;

/// The file that makes a folder a shard and says what it ran.
pub const INFO: &str = "shard.json";
/// The shard's statistics.
pub const STATE: &str = "state.json";

/// Writes a shard folder: `info` and the serialised `state`.
pub fn write(target: &Destination, info: &ShardInfo, state: &impl serde::Serialize) -> Result<()> {
    let dir = OutputDir::create(target, "shard")?;
    let mut json = serde_json::to_vec_pretty(info)?;
    json.push(b'\n');
    dir.write(INFO, &json)?;
    let mut json = serde_json::to_vec(state)?;
    json.push(b'\n');
    dir.write(STATE, &json)?;
    dir.commit()
}

/// What a shard folder says it ran; an error that says why when `folder` is not a shard.
pub fn read_info(folder: &Path) -> Result<ShardInfo, String> {
    let shown = folder.display();
    if !folder.is_dir() {
        return Err(format!(
            "{shown} is not a folder: give shard folders written by --shard"
        ));
    }
    let path = folder.join(INFO);
    let text = fs::read(&path).map_err(|_| {
        format!(
            "{shown} is not a fulcrum shard (it has no {INFO}): give the folders written by \
             `fulcrum run|sweep|forecast ... --shard k/N`"
        )
    })?;
    serde_json::from_slice(&text).map_err(|e| {
        format!(
            "{} is not a shard description fulcrum can read ({e})",
            path.display()
        )
    })
}

/// The statistics of a shard folder.
pub fn read_state<T: serde::de::DeserializeOwned>(folder: &Path) -> Result<T> {
    let path = folder.join(STATE);
    let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a shard's statistics", path.display()))
}
