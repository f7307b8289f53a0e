//! The notations `forecast` and `backtest` read besides the history itself: `--holidays`,
//! `--window` and `--split-rate`.

use crate::model::{Calendar, Date, Distribution, PeriodLength, PeriodUnit};

use super::super::fields::{Quantity, parse_text, show};
use super::HistoryError;

/// `--holidays`: dates `YYYY-MM-DD` separated by commas or spaces.
pub fn parse_holidays(text: &str) -> Result<Vec<Date>, HistoryError> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|why: String| HistoryError::Holidays {
                text: s.to_string(),
                why,
            })
        })
        .collect()
}

/// How much of a history to use: `--window`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Window {
    /// The last N periods.
    Periods(usize),
    /// The periods within this length before the end of the history (e.g. `12w`).
    Length(PeriodLength),
}

/// `--window`: `12` (periods) or a length such as `12w`, `3mo`, `60d`.
pub fn parse_window(text: &str) -> Result<Window, HistoryError> {
    let fail = |why: String| HistoryError::Window {
        text: text.to_string(),
        why,
    };
    let t = text.trim();
    if let Ok(n) = t.parse::<usize>() {
        return if n == 0 {
            Err(fail("the window must hold at least one period".into()))
        } else {
            Ok(Window::Periods(n))
        };
    }
    t.parse::<PeriodLength>()
        .map(Window::Length)
        .map_err(|why| {
            fail(format!(
                "{why}; write a number of periods (12) or a length (12w, 3mo)"
            ))
        })
}

impl Window {
    /// The number of periods of `period` this window keeps: a length is converted by the
    /// periods' average calendar length (working days for periods of days: 5 a week).
    pub fn periods(self, period: PeriodLength, calendar: &Calendar) -> usize {
        match self {
            Window::Periods(n) => n,
            Window::Length(length) => {
                let mut days = length.calendar_days();
                let mut per = period.calendar_days();
                if period.unit == PeriodUnit::Day && calendar.weekends_off() {
                    per = f64::from(period.count);
                    days = if length.unit == PeriodUnit::Day {
                        f64::from(length.count)
                    } else {
                        days * 5.0 / 7.0
                    };
                }
                ((days / per).round() as usize).max(1)
            }
        }
    }
}

/// `--split-rate`: how many items each backlog item becomes, e.g. `1.2` or `"1 to 1.5"` (a 90%
/// interval, as in scenario files), drawn once per trial. Must be positive.
pub fn parse_split_rate(text: &str) -> Result<Distribution, HistoryError> {
    let fail = |why: String| HistoryError::SplitRate {
        text: text.to_string(),
        why,
    };
    let (lo, hi) = parse_text(text).map_err(fail)?;
    if !(lo.is_finite() && lo > 0.0) {
        return Err(fail(
            "the split rate multiplies the backlog: it must be above 0 (1 = no splitting)".into(),
        ));
    }
    // Items a backlog item becomes: a ratio, bounded like the scenario's ratios.
    let limit = Quantity::Ratio.limit();
    if let Some(x) = [Some(lo), hi].into_iter().flatten().find(|&x| x > limit) {
        return Err(fail(format!(
            "{} is more than {limit} items for each backlog item: is it written as a percentage? \
             (\"20%\" more items is 1.2)",
            show(x)
        )));
    }
    match hi {
        None => Ok(Distribution::Constant(lo)),
        Some(hi) => Distribution::interval(lo, hi).map_err(|e| fail(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_rates_are_positive_multipliers() {
        assert_eq!(
            parse_split_rate("1.2").unwrap(),
            Distribution::Constant(1.2)
        );
        assert!(matches!(
            parse_split_rate("1 to 1.5").unwrap(),
            Distribution::LogNormal { .. }
        ));
        assert!(parse_split_rate("0 to 2").is_err());
        assert!(parse_split_rate("lots").is_err());
        assert!(parse_split_rate("1.5 to 1").is_err());
        assert_eq!(
            parse_split_rate("1 to 1e308").unwrap_err().to_string(),
            "--split-rate `1 to 1e308`: 1e308 is more than 100 items for each backlog item: is it \
             written as a percentage? (\"20%\" more items is 1.2)"
        );
    }
    #[test]
    fn windows_and_holidays_parse() {
        assert_eq!(parse_window("12").unwrap(), Window::Periods(12));
        let w = parse_window("12w").unwrap();
        let week: PeriodLength = "1w".parse().unwrap();
        assert_eq!(w.periods(week, &Calendar::every_day()), 12);
        assert_eq!(w.periods("2w".parse().unwrap(), &Calendar::every_day()), 6);
        let day: PeriodLength = "1d".parse().unwrap();
        assert_eq!(w.periods(day, &Calendar::new(true, vec![])), 60);
        assert_eq!(w.periods(day, &Calendar::every_day()), 84);
        assert!(parse_window("0").is_err());
        assert!(parse_window("12y").is_err());
        assert_eq!(parse_holidays("2027-12-24, 2027-12-25").unwrap().len(), 2);
        assert!(parse_holidays("2027-12-32").is_err());
    }
}
