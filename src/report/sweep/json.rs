//! What `fulcrum sweep --json` prints, for scripts: every point's strategies in the shape of a
//! run's ([`crate::report::run::json::Strategy`]), with the knees marked. The shapes below are
//! the schema; `schema` names its version and changes only when a field changes meaning or goes.

use serde::Serialize;

use crate::model::Scenario;
use crate::report::run::json::{Strategy, strategies};
use crate::words::numbers::Unit;

/// One point of a sweep.
#[derive(Clone, Debug, Serialize)]
pub struct SweepPoint {
    /// The varied parameters' values, in `vary` order.
    pub values: Vec<f64>,
    /// The strategies whose frontier has its knee at this point.
    pub knee_of: Vec<String>,
    /// Each strategy's outcome at this point, in input order.
    pub strategies: Vec<Strategy>,
}

/// What `fulcrum sweep --json` prints.
#[derive(Clone, Debug, Serialize)]
pub struct Sweep {
    /// `fulcrum.sweep/1`.
    pub schema: &'static str,
    /// The scenario's name.
    pub scenario: String,
    /// Trials per point.
    pub trials: u64,
    /// Master seed of every point's trials.
    pub seed: u64,
    /// `engineer-days`, `items` or `units`.
    pub unit: &'static str,
    /// The varied paths.
    pub vary: Vec<String>,
    /// The results folder.
    pub output: String,
    /// The scenario's warnings, one line each.
    pub warnings: Vec<String>,
    /// Every combination of the varied values, the first path varying slowest.
    pub points: Vec<SweepPoint>,
}

/// The document of `fulcrum sweep --json`; `scenario` is the one before any `--vary`.
pub fn sweep(
    scenario: &Scenario,
    varies: &[crate::whatif::sweep::Vary],
    points: &[crate::whatif::sweep::Point],
    seed: u64,
    output: &str,
    warnings: Vec<String>,
) -> Sweep {
    let knees = super::knees(points);
    Sweep {
        schema: "fulcrum.sweep/1",
        scenario: scenario.name.clone(),
        trials: points.first().map_or(0, |p| p.results.trials()),
        seed,
        unit: Unit::of_scenario(scenario).long(),
        vary: varies.iter().map(|v| v.path.clone()).collect(),
        output: output.to_string(),
        warnings,
        points: points
            .iter()
            .enumerate()
            .map(|(n, point)| SweepPoint {
                values: point.values.clone(),
                knee_of: knees
                    .iter()
                    .enumerate()
                    .filter(|(_, knee)| **knee == Some(n))
                    .map(|(s, _)| point.results.strategies[s].clone())
                    .collect(),
                strategies: strategies(scenario, &point.results),
            })
            .collect(),
    }
}
