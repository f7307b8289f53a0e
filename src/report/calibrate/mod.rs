//! Outputs of `fulcrum calibrate`: the joint posterior draws (`posterior.csv`, one column per
//! parameter named as the scenario file names it), everything the calibration found
//! (`calibration.json`), the charts (`charts.rs`), a self-contained `report.html`
//! (`page.rs`) and the terminal summary (`summary.rs`): prior against posterior per
//! parameter, how much the history narrowed each, what it cannot tell apart, the share of
//! capacity lost to debt now and in a year, and the predictive check's verdict.

use anyhow::Result;

use crate::whatif::calibrate::check::{Confounded, Narrowing, PredictiveCheck};
use crate::whatif::calibrate::forward::Series;
use crate::whatif::calibrate::prior::{PARAMETERS, Prior};
use crate::whatif::calibrate::smc::{Generation, Settings};
use crate::whatif::calibrate::{Ahead, Calibration};

use super::kit::output::{Destination, OutputDir};
use crate::report::kit::charts::PeriodAxis;
use crate::report::kit::csv::CsvWriter;

mod charts;
mod page;
mod summary;

pub use summary::summary;

/// Narrowing ratios (posterior ÷ prior 90% width) above this: the history says little.
pub const LITTLE_LEARNED: f64 = 0.8;

/// What `calibration.json` records.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CalibrationInfo<'a> {
    /// Version of fulcrum that calibrated.
    pub fulcrum_version: String,
    /// The exports read (with their formats).
    pub files: Vec<String>,
    /// Length of one period, e.g. `1w`.
    pub period: String,
    /// How items were weighed (`items`, `points`, `cycle-time`).
    pub weight: String,
    /// The `--priors` file whose entries replaced parts of the default prior, if any.
    pub priors_file: Option<String>,
    /// The sampler's settings, its seed included.
    pub settings: Settings,
    /// One per team calibrated.
    pub teams: Vec<TeamInfo<'a>>,
}

/// One team's calibration in `calibration.json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TeamInfo<'a> {
    /// The team.
    pub team: &'a str,
    /// First day of the team's window (YYYY-MM-DD).
    pub first_day: String,
    /// Last day of each period of the window (YYYY-MM-DD), for the charts' axis.
    #[serde(skip)]
    pub period_ends: Vec<String>,
    /// The observed series (per period of the window).
    pub observed: &'a Series,
    /// The tech share replayed per period.
    pub tech_shares: &'a [f64],
    /// Each period's capacity relative to the last period's, from the headcount table (absent
    /// without one).
    #[serde(skip_serializing_if = "<[f64]>::is_empty")]
    pub relative_capacity: &'a [f64],
    /// The prior: its marginals on the natural coordinates and its scale.
    pub prior: &'a Prior,
    /// The sampler's generations (the prior's first, with an infinite tolerance as `null`).
    pub generations: &'a [Generation],
    /// Prior against posterior per parameter.
    pub parameters: &'a [Narrowing],
    /// Share of capacity lost to debt at the start and at the end of the history.
    pub drag: &'a [Narrowing; 2],
    /// The same a year after the history, under the split it ended on.
    pub ahead: &'a Ahead,
    /// Parameters the history cannot tell apart.
    pub confounded: &'a [Confounded],
    /// The posterior predictive check.
    pub predictive_check: &'a PredictiveCheck,
    /// Simulations of fulcrum's trial run.
    pub simulations: u64,
}

impl<'a> TeamInfo<'a> {
    /// The record of `c`, whose periods end on `period_ends`.
    pub fn of(c: &'a Calibration, first_day: String, period_ends: Vec<String>) -> TeamInfo<'a> {
        TeamInfo {
            team: &c.team,
            first_day,
            period_ends,
            observed: &c.observed,
            tech_shares: &c.shares,
            relative_capacity: &c.capacity,
            prior: &c.prior,
            generations: &c.generations,
            parameters: &c.parameters,
            drag: &c.drag,
            ahead: &c.ahead,
            confounded: &c.confounded,
            predictive_check: &c.check,
            simulations: c.simulations,
        }
    }
}

/// Writes `posterior.csv` and `calibration.json` into `target`, atomically.
pub fn write(target: &Destination, info: &CalibrationInfo, fits: &[Calibration]) -> Result<()> {
    let dir = OutputDir::create(target, "calibrate")?;
    dir.write("posterior.csv", &posterior_csv(fits)?)?;
    let mut json = serde_json::to_vec_pretty(info)?;
    json.push(b'\n');
    dir.write("calibration.json", &json)?;
    let folder = dir.staged("");
    let mut plots = Vec::new();
    for (k, (fit, team)) in fits.iter().zip(&info.teams).enumerate() {
        let axis = PeriodAxis {
            periods: fit.observed.periods(),
            dates: (team.period_ends.len() == fit.observed.periods())
                .then(|| team.period_ends.clone()),
            unit: info.period.clone(),
        };
        let index = (fits.len() > 1).then_some(k);
        plots.push(charts::team_charts(&folder, fit, &axis, index)?);
    }
    dir.write("report.html", page::page(info, fits, &plots).as_bytes())?;
    dir.commit()
}

/// One row per joint posterior draw: `draw, team` and one column per parameter.
pub fn posterior_csv(fits: &[Calibration]) -> Result<Vec<u8>> {
    let header = ["draw", "team"].into_iter().chain(PARAMETERS);
    let mut csv = CsvWriter::new(header)?;
    for fit in fits {
        for (k, theta) in fit.draws.iter().enumerate() {
            let cells = [(k + 1).to_string(), fit.team.clone()]
                .into_iter()
                .chain(theta.values().into_iter().map(|v| format!("{v}")));
            csv.row(cells)?;
        }
    }
    csv.finish()
}
