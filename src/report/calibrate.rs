//! Outputs of `fulcrum calibrate`: the joint posterior draws (`posterior.csv`, one column per
//! parameter named as the scenario file names it), everything the calibration found
//! (`calibration.json`), and the terminal summary: prior against posterior per parameter, how
//! much the history narrowed each, what it cannot tell apart, and the predictive check's
//! verdict.

use std::fmt::Write;

use anyhow::Result;

use crate::whatif::calibrate::Calibration;
use crate::whatif::calibrate::check::{Confounded, Narrowing, PredictiveCheck};
use crate::whatif::calibrate::forward::Series;
use crate::whatif::calibrate::prior::{PARAMETERS, Prior};
use crate::whatif::calibrate::smc::{Generation, Settings};

use super::OutputDir;
use super::csv::CsvWriter;

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
    /// The observed series (per period of the window).
    pub observed: &'a Series,
    /// The tech share replayed per period.
    pub tech_shares: &'a [f64],
    /// The prior: its marginals on the natural coordinates and its scale.
    pub prior: &'a Prior,
    /// The sampler's generations (the prior's first, with an infinite tolerance as `null`).
    pub generations: &'a [Generation],
    /// Prior against posterior per parameter.
    pub parameters: &'a [Narrowing],
    /// Share of capacity lost to debt at the start and at the end of the history.
    pub drag: &'a [Narrowing; 2],
    /// Parameters the history cannot tell apart.
    pub confounded: &'a [Confounded],
    /// The posterior predictive check.
    pub predictive_check: &'a PredictiveCheck,
    /// Simulations of fulcrum's trial run.
    pub simulations: u64,
}

impl<'a> TeamInfo<'a> {
    /// The record of `c`, whose window starts on `first_day`.
    pub fn of(c: &'a Calibration, first_day: String) -> TeamInfo<'a> {
        TeamInfo {
            team: &c.team,
            first_day,
            observed: &c.observed,
            tech_shares: &c.shares,
            prior: &c.prior,
            generations: &c.generations,
            parameters: &c.parameters,
            drag: &c.drag,
            confounded: &c.confounded,
            predictive_check: &c.check,
            simulations: c.simulations,
        }
    }
}

/// Writes `posterior.csv` and `calibration.json` into `target`, atomically.
pub fn write(
    target: &super::Destination,
    info: &CalibrationInfo,
    fits: &[Calibration],
) -> Result<()> {
    let dir = OutputDir::create(target, "calibrate")?;
    dir.write("posterior.csv", &posterior_csv(fits)?)?;
    let mut json = serde_json::to_vec_pretty(info)?;
    json.push(b'\n');
    dir.write("calibration.json", &json)?;
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

/// A number in a few significant figures.
fn short(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else if a >= 0.001 {
        format!("{x:.4}")
    } else {
        format!("{x:.2e}")
    }
}

fn range(i: &[f64; 3]) -> String {
    format!("{} – {}", short(i[0]), short(i[2]))
}

/// The terminal summary of every team's calibration.
pub fn summary(fits: &[Calibration]) -> String {
    let mut out = String::new();
    for fit in fits {
        team_summary(&mut out, fit);
    }
    out
}

fn team_summary(out: &mut String, fit: &Calibration) {
    let last = fit.generations.last();
    let _ = writeln!(
        out,
        "{}: {} periods, {} simulations of fulcrum's trial, {} generations (last tolerance {})",
        fit.team,
        fit.observed.periods(),
        fit.simulations,
        fit.generations.len(),
        last.map_or("-".into(), |g| short(g.epsilon))
    );
    let _ = writeln!(
        out,
        "  {:<20} {:>22} {:>22} {:>9}",
        "parameter", "prior 90%", "posterior 90%", "narrowed"
    );
    for n in fit.parameters.iter().chain(&fit.drag) {
        let learned = match n.ratio > LITTLE_LEARNED {
            true => "  (little learned)",
            false => "",
        };
        let _ = writeln!(
            out,
            "  {:<20} {:>22} {:>22} {:>8.0}%{learned}",
            n.parameter,
            range(&n.prior),
            range(&n.posterior),
            100.0 * n.ratio
        );
    }
    let [now, end] = &fit.drag;
    let _ = writeln!(
        out,
        "  share of capacity lost to debt: {:.0}% at the start of the history, {:.0}% at its end (posterior medians)",
        100.0 * now.posterior[1],
        100.0 * end.posterior[1]
    );
    for pair in &fit.confounded {
        let _ = writeln!(
            out,
            "  the history cannot tell {} from {}: only a combination of them is pinned (posterior correlation {:+.2})",
            pair.first, pair.second, pair.correlation
        );
    }
    let _ = writeln!(out, "  predictive check: {}", fit.check.verdict);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers_keep_a_few_figures() {
        assert_eq!(short(1234.5), "1234");
        assert_eq!(short(0.0123), "0.0123");
        assert_eq!(short(2.5), "2.50");
        assert_eq!(short(0.0), "0");
    }
}
