//! Everything fulcrum writes: CSV tables, plots, the HTML report and terminal text. The only
//! code that writes files; each run's files appear all at once or not at all.

pub mod backtest;
pub mod forecast;
pub mod html;
pub mod import;
pub mod plots;
pub mod sweep;
pub mod tables;
pub mod terminal;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A results folder filled in a hidden staging folder next to it and moved into place only
/// when complete: a failed run leaves no half-written files and keeps the previous result.
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl OutputDir {
    /// Starts filling `target` (created, with its parents, on commit).
    pub fn create(target: &Path) -> Result<OutputDir> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("output");
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        fs::create_dir(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        Ok(OutputDir {
            target: target.to_path_buf(),
            staging,
            committed: false,
        })
    }

    /// Where the results will be once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Path of a file inside the staging folder.
    pub fn staged(&self, file: &str) -> PathBuf {
        self.staging.join(file)
    }

    /// Writes one file into the staging folder.
    pub fn write(&self, file: &str, bytes: &[u8]) -> Result<()> {
        let path = self.staged(file);
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Moves the finished folder into place, replacing an earlier result only now.
    pub fn commit(mut self) -> Result<()> {
        let old = self.staging.with_extension("old");
        let had_old = self.target.exists();
        if had_old {
            if old.exists() {
                fs::remove_dir_all(&old).ok();
            }
            fs::rename(&self.target, &old)
                .with_context(|| format!("cannot move aside {}", self.target.display()))?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.target) {
            if had_old {
                // Put the earlier result back: a failed run must not destroy it.
                fs::rename(&old, &self.target).ok();
            }
            return Err(e)
                .with_context(|| format!("cannot move results into {}", self.target.display()));
        }
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old).ok();
        }
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            fs::remove_dir_all(&self.staging).ok();
        }
    }
}

/// What `run.json` records about a run besides its results.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RunInfo {
    pub fulcrum_version: String,
    pub scenario: String,
    pub scenario_file: String,
    /// Fingerprint of the scenario file and every `--set`.
    pub scenario_hash: String,
    pub overrides: Vec<String>,
    pub seed: u64,
    pub trials: u64,
    pub periods: usize,
    pub strategies: Vec<String>,
    /// The only part of the outputs that differs between otherwise identical runs.
    pub environment: Environment,
}

/// Threads and timings of a run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Environment {
    pub threads: usize,
    pub seconds_plan: f64,
    pub seconds_simulate: f64,
    pub seconds_sensitivity: f64,
    pub seconds_total: f64,
}

/// Writes every output of a run into `target` (atomically: all files or none).
pub fn write_run(
    target: &Path,
    scenario: &crate::model::Scenario,
    output: &crate::pipeline::RunOutput,
    info: &RunInfo,
) -> Result<()> {
    let dir = OutputDir::create(target)?;
    let results = &output.results;
    dir.write("summary.csv", &tables::summary(results)?)?;
    dir.write("periods.csv", &tables::periods(scenario, results)?)?;
    dir.write("initiatives.csv", &tables::initiatives(scenario, results)?)?;
    dir.write("key_results.csv", &tables::key_results(scenario, results)?)?;
    if results.strategies.len() > 1 {
        dir.write("comparison.csv", &tables::comparison(results)?)?;
    }
    if !output.allocations.is_empty() {
        write_plan_tables(&dir, scenario, &output.allocations)?;
    }
    let mut plots = plots::write_all(&dir.staged(""), scenario, results, &output.allocations)?;
    if !output.sensitivity.is_empty() {
        dir.write(
            "sensitivity.csv",
            &tables::sensitivity(results, &output.sensitivity)?,
        )?;
        plots.extend(plots::sensitivity(
            &dir.staged(""),
            results,
            &output.sensitivity,
        )?);
    }
    let page = html::render(scenario, results, &output.allocations, &plots, info);
    dir.write("report.html", page.as_bytes())?;
    let mut json = serde_json::to_vec_pretty(info)?;
    json.push(b'\n');
    dir.write("run.json", &json)?;
    dir.commit()
}

/// Writes `plan.csv` and `marginal_values.csv` of `fulcrum plan` into `target` (atomically).
pub fn write_plan(
    target: &Path,
    scenario: &crate::model::Scenario,
    allocations: &crate::pipeline::Allocations,
) -> Result<()> {
    let dir = OutputDir::create(target)?;
    write_plan_tables(&dir, scenario, allocations)?;
    dir.commit()
}

/// `plan.csv` and `marginal_values.csv`, for `run` and `plan` alike.
fn write_plan_tables(
    dir: &OutputDir,
    scenario: &crate::model::Scenario,
    allocations: &crate::pipeline::Allocations,
) -> Result<()> {
    dir.write("plan.csv", &tables::plan(scenario, allocations)?)?;
    dir.write(
        "marginal_values.csv",
        &tables::marginal_values(scenario, allocations)?,
    )
}

/// Writes a file that must not exist yet (fails rather than overwrite).
pub fn write_new_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_uncommitted_output_leaves_the_earlier_result_alone() {
        let root = std::env::temp_dir().join(format!("fulcrum-outdir-{}", std::process::id()));
        let target = root.join("run");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("summary.csv"), "old").unwrap();
        {
            let out = OutputDir::create(&target).unwrap();
            out.write("summary.csv", b"half").unwrap();
            // dropped without commit: a failed run
        }
        assert_eq!(
            fs::read_to_string(target.join("summary.csv")).unwrap(),
            "old"
        );
        assert_eq!(
            fs::read_dir(&root).unwrap().count(),
            1,
            "staging folder removed"
        );
        let out = OutputDir::create(&target).unwrap();
        out.write("summary.csv", b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(
            fs::read_to_string(target.join("summary.csv")).unwrap(),
            "new"
        );
        assert_eq!(
            fs::read_dir(&root).unwrap().count(),
            1,
            "old result removed"
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
