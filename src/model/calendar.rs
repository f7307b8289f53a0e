//! Periods and dates: the length of a planning period and the calendar date a period ends on.
//!
//! Dates are plain proleptic Gregorian days; a dependency for two conversions would be more
//! than the code it saves.

use std::fmt;
use std::str::FromStr;

/// The unit a period length is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodUnit {
    Day,
    Week,
    Month,
    Quarter,
}

/// The length of one planning period, e.g. "2w" or "1mo".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodLength {
    pub count: u32,
    pub unit: PeriodUnit,
}

impl PeriodLength {
    /// Two weeks: the most common sprint length.
    pub const TWO_WEEKS: PeriodLength = PeriodLength {
        count: 2,
        unit: PeriodUnit::Week,
    };

    /// Average calendar days in one period (months average 365.25/12 days).
    pub fn calendar_days(self) -> f64 {
        let unit = match self.unit {
            PeriodUnit::Day => 1.0,
            PeriodUnit::Week => 7.0,
            PeriodUnit::Month => 365.25 / 12.0,
            PeriodUnit::Quarter => 365.25 / 4.0,
        };
        unit * f64::from(self.count)
    }

    /// Focus days one engineer gives a period by default: working days (5 of 7) less a fifth
    /// for meetings, reviews and support, rounded.
    pub fn default_focus_days(self) -> f64 {
        (self.calendar_days() * 5.0 / 7.0 * 0.8).round().max(1.0)
    }

    /// Periods in a year (used to turn annual attrition into a per-period hazard).
    pub fn per_year(self) -> f64 {
        365.25 / self.calendar_days()
    }
}

impl FromStr for PeriodLength {
    type Err = String;

    /// Parses `<count><unit>` with unit `d`, `w`, `mo` or `q` (e.g. "2w", "1mo").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (digits, unit) = s.split_at(split);
        let count: u32 = if digits.is_empty() {
            1
        } else {
            digits
                .parse()
                .map_err(|_| format!("`{digits}` is not a whole number"))?
        };
        let unit = match unit {
            "d" => PeriodUnit::Day,
            "w" => PeriodUnit::Week,
            "mo" => PeriodUnit::Month,
            "q" => PeriodUnit::Quarter,
            other => return Err(format!("unknown unit `{other}`: use d, w, mo or q")),
        };
        if count == 0 {
            return Err("a period cannot be zero long".into());
        }
        Ok(PeriodLength { count, unit })
    }
}

impl fmt::Display for PeriodLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            PeriodUnit::Day => "d",
            PeriodUnit::Week => "w",
            PeriodUnit::Month => "mo",
            PeriodUnit::Quarter => "q",
        };
        write!(f, "{}{}", self.count, unit)
    }
}

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// A valid date, or `None`.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let valid = (1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day);
        valid.then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before), by Howard Hinnant's `days_from_civil`.
    pub fn to_days(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01, by Howard Hinnant's `civil_from_days`.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// This date moved by `days` days.
    pub fn add_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    /// This date moved by `months` calendar months, the day clamped to the month's length.
    pub fn add_months(self, months: i64) -> Date {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + months;
        let year = index.div_euclid(12) as i32;
        let month = (index.rem_euclid(12) + 1) as u32;
        Date {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }

    /// The last day of period `period` (1-based) when period 1 starts on `self`.
    pub fn period_end(self, length: PeriodLength, period: usize) -> Date {
        let n = i64::from(length.count) * period as i64;
        let next_start = match length.unit {
            PeriodUnit::Day => self.add_days(n),
            PeriodUnit::Week => self.add_days(7 * n),
            PeriodUnit::Month => self.add_months(n),
            PeriodUnit::Quarter => self.add_months(3 * n),
        };
        next_start.add_days(-1)
    }
}

impl FromStr for Date {
    type Err = String;

    /// Parses `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a date of the form YYYY-MM-DD");
        let mut parts = s.trim().splitn(3, '-');
        let mut next = |len: usize| {
            parts
                .next()
                .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<u32>().ok())
        };
        let (Some(y), Some(m), Some(d)) = (next(4), next(2), next(2)) else {
            return Err(bad());
        };
        Date::new(y as i32, m, d).ok_or_else(|| format!("`{s}` is not a day of the calendar"))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_the_calendar() {
        let epoch = Date::new(1970, 1, 1).unwrap();
        assert_eq!(epoch.to_days(), 0);
        for days in [-800_000, -1, 0, 59, 10_957, 20_000, 800_000] {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
        assert_eq!(
            Date::new(2000, 3, 1).unwrap().to_days() - 1,
            Date::new(2000, 2, 29).unwrap().to_days()
        );
    }

    #[test]
    fn period_ends_follow_the_period_length() {
        let start: Date = "2027-01-04".parse().unwrap();
        assert_eq!(
            start.period_end("2w".parse().unwrap(), 1).to_string(),
            "2027-01-17"
        );
        assert_eq!(
            start.period_end("2w".parse().unwrap(), 5).to_string(),
            "2027-03-14"
        );
        assert_eq!(
            start.period_end("1mo".parse().unwrap(), 2).to_string(),
            "2027-03-03"
        );
        let jan31: Date = "2027-01-31".parse().unwrap();
        assert_eq!(jan31.add_months(1).to_string(), "2027-02-28");
    }

    #[test]
    fn bad_dates_and_lengths_are_rejected() {
        assert!("2027-02-29".parse::<Date>().is_err());
        assert!("27-1-4".parse::<Date>().is_err());
        assert!("0w".parse::<PeriodLength>().is_err());
        assert!("2y".parse::<PeriodLength>().is_err());
        assert_eq!("1q".parse::<PeriodLength>().unwrap().to_string(), "1q");
        assert_eq!("mo".parse::<PeriodLength>().unwrap().to_string(), "1mo");
    }

    #[test]
    fn default_focus_days_match_common_practice() {
        assert_eq!(
            "1w".parse::<PeriodLength>().unwrap().default_focus_days(),
            4.0
        );
        assert_eq!(PeriodLength::TWO_WEEKS.default_focus_days(), 8.0);
        assert_eq!(
            "1mo".parse::<PeriodLength>().unwrap().default_focus_days(),
            17.0
        );
    }
}
