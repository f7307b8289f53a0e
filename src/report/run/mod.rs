//! The outputs of `fulcrum run` and of `fulcrum plan` (the run's allocator output, which a run
//! writes too): the CSV tables, the terminal tables and the JSON document, the charts, the
//! summary sentences, the plan and the recommended split in words, the warnings, `report.html`
//! and `run.json` (here).

pub mod charts;
pub mod json;
pub mod page;
pub mod plan;
pub mod summary;
pub mod tables;
pub mod terminal;
pub mod warnings;

use anyhow::Result;

use super::kit::output::{Destination, OutputDir};

/// What `run.json` records about a run besides its results.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RunInfo {
    /// Version of fulcrum that made the run.
    pub fulcrum_version: String,
    /// The scenario's name.
    pub scenario: String,
    /// Path of the scenario file, as given on the command line.
    pub scenario_file: String,
    /// Fingerprint of the scenario file and every `--set`.
    pub scenario_hash: String,
    /// The `--set PATH=VALUE` overrides applied to the scenario, in the order given.
    pub overrides: Vec<String>,
    /// Master seed of the trials (`--seed`, else the scenario's).
    pub seed: u64,
    /// Monte Carlo trials simulated (`--trials`, else the scenario's).
    pub trials: u64,
    /// Planning horizon in periods.
    pub periods: usize,
    /// Names of the strategies compared, in input order.
    pub strategies: Vec<String>,
    /// The only part of the outputs that differs between otherwise identical runs.
    pub environment: Environment,
    /// The shard folders merged into these results (`fulcrum merge`; none for one run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<String>,
}

/// Threads and timings of a run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Environment {
    /// When the run finished, UTC, RFC 3339 (only here, so the other files stay
    /// byte-identical from run to run).
    pub generated_at: String,
    /// Worker threads the run used.
    pub threads: usize,
    /// Seconds spent finding the optimised strategies' policies.
    pub seconds_plan: f64,
    /// Seconds spent simulating the trials (or taking the merged shards' results).
    pub seconds_simulate: f64,
    /// Seconds spent on the sensitivity analysis.
    pub seconds_sensitivity: f64,
    /// Seconds from the start of the run until its files were written (the writing excluded).
    pub seconds_total: f64,
}

/// Writes every output of a run into `target` (atomically: all files or none).
pub fn write(
    target: &Destination,
    scenario: &crate::model::Scenario,
    output: &crate::pipeline::RunOutput,
    sensitivity: &[crate::whatif::sensitivity::Sensitivity],
    info: &RunInfo,
) -> Result<()> {
    let dir = OutputDir::create(target, "run")?;
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
    let mut plots = charts::write_all(&dir.staged(""), scenario, results, &output.allocations)?;
    if !sensitivity.is_empty() {
        dir.write(
            "sensitivity.csv",
            &tables::sensitivity(results, sensitivity)?,
        )?;
        plots.extend(charts::sensitivity(&dir.staged(""), results, sensitivity)?);
    }
    let page = page::render(scenario, results, &output.allocations, &plots, info);
    dir.write("report.html", page.as_bytes())?;
    let mut json = serde_json::to_vec_pretty(info)?;
    json.push(b'\n');
    dir.write("run.json", &json)?;
    dir.commit()
}

/// Writes `plan.csv`, `marginal_values.csv` and `shape.csv` of `fulcrum plan` into `target`
/// (atomically).
pub fn write_plan(
    target: &Destination,
    scenario: &crate::model::Scenario,
    allocations: &crate::pipeline::Allocations,
) -> Result<()> {
    let dir = OutputDir::create(target, "plan")?;
    write_plan_tables(&dir, scenario, allocations)?;
    dir.commit()
}

/// `plan.csv`, `marginal_values.csv` and `shape.csv`, for `run` and `plan` alike.
fn write_plan_tables(
    dir: &OutputDir,
    scenario: &crate::model::Scenario,
    allocations: &crate::pipeline::Allocations,
) -> Result<()> {
    dir.write("plan.csv", &tables::plan(scenario, allocations)?)?;
    dir.write(
        "marginal_values.csv",
        &tables::marginal_values(scenario, allocations)?,
    )?;
    dir.write("shape.csv", &tables::shape(scenario, allocations)?)
}
