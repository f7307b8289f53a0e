//! Periods in words, one format for every table, chart and sentence: the period number, with
//! the last day of the period in brackets when the scenario has a start date.

use crate::model::Scenario;

/// `18 (2027-09-12)` with a start date, `18` without: period `t` and its last day.
pub fn period(scenario: &Scenario, t: usize) -> String {
    match scenario.period_end_date(t) {
        Some(date) => format!("{t} ({date})"),
        None => t.to_string(),
    }
}

/// `period 18 (2027-09-12)`: [`period`] for use in a sentence.
pub fn in_period(scenario: &Scenario, t: usize) -> String {
    format!("period {}", period(scenario, t))
}
