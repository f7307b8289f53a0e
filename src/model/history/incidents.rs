//! Incidents as an incident tool exports them (PagerDuty, Opsgenie, or a plain CSV), counted
//! per team and period on the grid an import counts work items on: how many were opened, how
//! many of those were resolved, and how long each took. The balance page shows them beside
//! the work; a calibration reads the same counts. Pure: reading the exports is
//! `scenario::import::incidents`' business.

use std::ops::Range;

use super::{PeriodGrid, percentile_f64};
use crate::model::Date;

/// One incident.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    /// Its id or number as exported.
    pub id: String,
    /// The team it belongs to (the export's team, else its service, else the import's team).
    pub team: String,
    /// The day it was opened, in the import's time zone.
    pub created: Date,
    /// Hours from opening to resolution; `None` while it is open.
    pub resolve_hours: Option<f64>,
    /// Severity, urgency or priority as exported (`P1`, `high`, `SEV-2`); empty when none.
    pub severity: String,
    /// Where it came from, `file:line`.
    pub source: String,
}

/// One team's incidents per period of its window.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamIncidents {
    /// The team's name.
    pub team: String,
    /// Its periods, as 0-based indices into the grid (periods `window.start + 1` to
    /// `window.end`): a work team's own window, else the whole grid.
    pub window: Range<usize>,
    /// Incidents opened per period of the window.
    pub opened: Vec<u32>,
    /// Hours to resolve of the incidents opened in each period and resolved, sorted.
    pub resolve_hours: Vec<Vec<f64>>,
    /// Incidents of the team opened outside its window (inside the grid).
    pub outside_window: u32,
}

impl TeamIncidents {
    /// Incidents opened in the window.
    pub fn count(&self) -> u32 {
        self.opened.iter().sum()
    }

    /// The hours to resolve of every incident of the window that was resolved, sorted.
    pub fn all_hours(&self) -> Vec<f64> {
        let mut all: Vec<f64> = self.resolve_hours.concat();
        all.sort_by(f64::total_cmp);
        all
    }

    /// Incidents opened per period, on average over the window.
    pub fn per_period(&self) -> f64 {
        f64::from(self.count()) / self.opened.len().max(1) as f64
    }

    /// The median hours to resolve of the window's resolved incidents.
    pub fn median_hours(&self) -> Option<f64> {
        percentile_f64(&self.all_hours(), 0.5)
    }
}

/// The incidents of an import counted per team (sorted by name) and period.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentHistory {
    /// The periods counted on.
    pub grid: PeriodGrid,
    /// One per team with an incident.
    pub teams: Vec<TeamIncidents>,
    /// Incidents opened outside the grid.
    pub outside: usize,
}

impl IncidentHistory {
    /// Counts `incidents` on `grid`, each team on `window_of(team)` (a work team's window)
    /// or, for a team without one, on the whole grid.
    pub fn build(
        incidents: &[Incident],
        grid: &PeriodGrid,
        window_of: impl Fn(&str) -> Option<Range<usize>>,
    ) -> IncidentHistory {
        let mut names: Vec<&str> = incidents.iter().map(|i| i.team.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let mut teams: Vec<TeamIncidents> = names
            .iter()
            .map(|name| {
                let window = window_of(name).unwrap_or(0..grid.periods);
                TeamIncidents {
                    team: name.to_string(),
                    opened: vec![0; window.len()],
                    resolve_hours: vec![Vec::new(); window.len()],
                    window,
                    outside_window: 0,
                }
            })
            .collect();
        let mut outside = 0;
        for incident in incidents {
            let Ok(j) = names.binary_search(&incident.team.as_str()) else {
                continue;
            };
            let Some(t) = grid.period_of(incident.created) else {
                outside += 1;
                continue;
            };
            let team = &mut teams[j];
            if !team.window.contains(&(t - 1)) {
                team.outside_window += 1;
                continue;
            }
            let k = t - 1 - team.window.start;
            team.opened[k] += 1;
            if let Some(h) = incident.resolve_hours {
                team.resolve_hours[k].push(h);
            }
        }
        for team in &mut teams {
            for hours in &mut team.resolve_hours {
                hours.sort_by(f64::total_cmp);
            }
        }
        IncidentHistory {
            grid: grid.clone(),
            teams,
            outside,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Calendar;

    fn incident(team: &str, created: &str, hours: Option<f64>) -> Incident {
        Incident {
            id: created.into(),
            team: team.into(),
            created: created.parse().unwrap(),
            resolve_hours: hours,
            severity: String::new(),
            source: String::new(),
        }
    }

    #[test]
    fn incidents_are_counted_on_each_team_s_window() {
        let week = "1w".parse().unwrap();
        let (grid, _) = PeriodGrid::covering(
            "2027-01-04".parse().unwrap(),
            "2027-01-31".parse().unwrap(),
            week,
            Calendar::every_day(),
        );
        let incidents = [
            incident("web", "2027-01-05", Some(2.0)),
            incident("web", "2027-01-06", Some(6.0)),
            incident("web", "2027-01-12", None),
            incident("web", "2027-01-26", Some(1.0)),
            incident("api", "2027-01-05", Some(3.0)),
            incident("api", "2026-12-30", Some(3.0)),
        ];
        let h = IncidentHistory::build(&incidents, &grid, |t| (t == "web").then_some(0..3));
        assert_eq!(h.outside, 1);
        let (api, web) = (&h.teams[0], &h.teams[1]);
        assert_eq!(api.opened, [1, 0, 0, 0], "no work team: the whole grid");
        assert_eq!(web.opened, [2, 1, 0]);
        assert_eq!(web.outside_window, 1);
        assert_eq!(web.resolve_hours[0], [2.0, 6.0]);
        assert_eq!(web.median_hours(), Some(2.0));
        assert_eq!(web.per_period(), 1.0);
    }
}
