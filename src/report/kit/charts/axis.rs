//! The x axis of per-period charts: period numbers, or each period's last day when the
//! scenario has a start date (the same dates as the tables, see [`crate::words::dates`]).

use crate::model::Scenario;

/// Period numbers or end-of-period dates along x.
#[derive(Clone, Debug)]
pub struct PeriodAxis {
    /// The last period shown.
    pub periods: usize,
    /// `dates[t - 1]`: the last day of period t.
    pub dates: Option<Vec<String>>,
    /// The period length as written in the scenario ("2w"; "1d, working days" when periods
    /// count working days only).
    pub unit: String,
}

impl PeriodAxis {
    /// The axis over the scenario's horizon.
    pub fn of(scenario: &Scenario) -> PeriodAxis {
        PeriodAxis::over(scenario, scenario.periods)
    }

    /// The axis over periods 1..=`periods` of `scenario`'s calendar (forecasts run past the
    /// horizon).
    pub fn over(scenario: &Scenario, periods: usize) -> PeriodAxis {
        let dates = scenario.start.map(|_| {
            (1..=periods)
                .map(|t| {
                    scenario
                        .period_end_date(t)
                        .map_or_else(|| t.to_string(), |d| d.to_string())
                })
                .collect()
        });
        let unit = if scenario.start.is_some() && !scenario.calendar.is_every_day() {
            format!("{}, working days", scenario.period_length)
        } else {
            scenario.period_length.to_string()
        };
        PeriodAxis {
            periods,
            dates,
            unit,
        }
    }

    /// Axis title.
    pub fn description(&self) -> String {
        match self.dates {
            Some(_) => format!("end of period (periods of {})", self.unit),
            None => format!("period ({})", self.unit),
        }
    }

    /// Tick label at `x`: blank between whole periods and outside the axis.
    pub fn label(&self, x: f64) -> String {
        let t = x.round();
        if (x - t).abs() > 1e-6 || t < 1.0 || t > self.periods as f64 {
            return String::new();
        }
        let t = t as usize;
        match &self.dates {
            Some(dates) => dates[t - 1].clone(),
            None => t.to_string(),
        }
    }

    /// How many tick labels fit in `width` pixels.
    pub fn ticks(&self, width: u32) -> usize {
        let per = if self.dates.is_some() { 120 } else { 50 };
        ((width / per) as usize).clamp(2, self.periods.max(2))
    }
}
