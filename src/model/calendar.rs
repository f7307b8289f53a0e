//! Periods and dates: the length of a planning period, the calendar date a period ends on,
//! and working-day calendars (weekends and holidays off) for periods counted in days.
//!
//! Dates are plain proleptic Gregorian days; a dependency for two conversions would be more
//! than the code it saves (parsing exporters' timestamps is `scenario::import`'s business).

use std::fmt;
use std::str::FromStr;

/// The unit a period length is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodUnit {
    /// Days: working days on the scenario's calendar.
    Day,
    /// Calendar weeks of 7 days.
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters of 3 months.
    Quarter,
}

/// The length of one planning period, e.g. "2w" or "1mo".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodLength {
    /// Number of units in one period (at least 1).
    pub count: u32,
    /// The unit `count` counts.
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

    /// The chance that an engineer leaves within one period at `annual` attrition, the
    /// hazard constant over the year: 1 − (1 − annual)^(1 / periods per year).
    pub fn period_hazard(self, annual: f64) -> f64 {
        1.0 - (1.0 - annual).powf(1.0 / self.per_year())
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
    /// The year (proleptic Gregorian).
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u32,
    /// The day of the month, from 1.
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

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        match (self.to_days() + 3).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }

    /// The last day of period `period` (1-based) when period 1 starts on `self` and days are
    /// counted on `calendar`: for periods of days, the last of their working days; longer
    /// periods are calendar weeks, months and quarters whatever the calendar.
    pub fn period_end_on(self, length: PeriodLength, period: usize, calendar: &Calendar) -> Date {
        if length.unit == PeriodUnit::Day && !calendar.is_every_day() {
            let n = i64::from(length.count) * period as i64;
            return calendar.nth_working_day(self, n.max(1));
        }
        self.period_end(length, period)
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

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl Weekday {
    /// Saturday or Sunday.
    pub fn is_weekend(self) -> bool {
        matches!(self, Weekday::Saturday | Weekday::Sunday)
    }
}

/// Which days are working days when periods are days: by default Monday to Friday, less
/// holidays. Throughput counted per working day is not diluted by the weekends in which
/// nobody works, and forecast dates skip them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    weekends_off: bool,
    /// Sorted, without duplicates.
    holidays: Vec<Date>,
}

impl Default for Calendar {
    /// Every day is a working day.
    fn default() -> Calendar {
        Calendar::every_day()
    }
}

impl Calendar {
    /// Every day is a working day (what longer periods use).
    pub fn every_day() -> Calendar {
        Calendar {
            weekends_off: false,
            holidays: Vec::new(),
        }
    }

    /// Working days: weekdays (with `weekends_off`) that are not holidays.
    pub fn new(weekends_off: bool, mut holidays: Vec<Date>) -> Calendar {
        holidays.sort_unstable();
        holidays.dedup();
        Calendar {
            weekends_off,
            holidays,
        }
    }

    /// The calendar periods of `length` are counted on: for days, weekends off unless
    /// `weekends_off` says otherwise, and `holidays` off; longer periods count every day.
    pub fn for_period(
        length: PeriodLength,
        weekends_off: Option<bool>,
        holidays: Vec<Date>,
    ) -> Calendar {
        if length.unit == PeriodUnit::Day {
            Calendar::new(weekends_off.unwrap_or(true), holidays)
        } else {
            Calendar::every_day()
        }
    }

    /// Whether Saturdays and Sundays are off.
    pub fn weekends_off(&self) -> bool {
        self.weekends_off
    }

    /// The holidays, sorted.
    pub fn holidays(&self) -> &[Date] {
        &self.holidays
    }

    /// Whether every day is a working day.
    pub fn is_every_day(&self) -> bool {
        !self.weekends_off && self.holidays.is_empty()
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: Date) -> bool {
        !(self.weekends_off && date.weekday().is_weekend())
            && self.holidays.binary_search(&date).is_err()
    }

    /// `date` if it is a working day, else the first working day after it (work finished on
    /// a day off counts as finished on the next working day: it was not done the day before).
    pub fn next_working_day(&self, date: Date) -> Date {
        let mut d = date;
        // Holidays are finite and at most two weekend days follow each other: this ends.
        while !self.is_working_day(d) {
            d = d.add_days(1);
        }
        d
    }

    /// Working days in `[from, to)` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> i64 {
        let (a, b) = (from.to_days(), to.to_days());
        if b <= a {
            return 0;
        }
        let mut days = b - a;
        if self.weekends_off {
            let weeks = days / 7;
            let mut weekdays = weeks * 5;
            let mut d = from.add_days(weeks * 7);
            while d.to_days() < b {
                if !d.weekday().is_weekend() {
                    weekdays += 1;
                }
                d = d.add_days(1);
            }
            days = weekdays;
        }
        let lo = self.holidays.partition_point(|h| h.to_days() < a);
        let hi = self.holidays.partition_point(|h| h.to_days() < b);
        let off = self.holidays[lo..hi]
            .iter()
            .filter(|h| !(self.weekends_off && h.weekday().is_weekend()))
            .count() as i64;
        days - off
    }

    /// The `n`-th working day (1-based) counted from `first` (included when it is one).
    pub fn nth_working_day(&self, first: Date, n: i64) -> Date {
        let n = n.max(1);
        let mut d = first.add_days(n - 1);
        loop {
            let have = self.working_days_between(first, d.add_days(1));
            if have >= n {
                break;
            }
            // A calendar day adds at most one working day: this never overshoots.
            d = d.add_days(n - have);
        }
        while !self.is_working_day(d) {
            d = d.add_days(-1);
        }
        d
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

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn weekdays_follow_the_calendar() {
        assert_eq!(day("2027-01-04").weekday(), Weekday::Monday);
        assert_eq!(day("2027-01-10").weekday(), Weekday::Sunday);
        assert_eq!(day("1970-01-01").weekday(), Weekday::Thursday);
        assert_eq!(day("1969-12-28").weekday(), Weekday::Sunday);
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = Calendar::new(true, vec![day("2027-01-06"), day("2027-01-09")]);
        let mon = day("2027-01-04");
        // Mon Tue (Wed holiday) Thu Fri (Sat, Sun) Mon: 5 working days in [Mon, next Tue).
        assert_eq!(cal.working_days_between(mon, day("2027-01-12")), 5);
        assert_eq!(cal.nth_working_day(mon, 1), mon);
        assert_eq!(cal.nth_working_day(mon, 3), day("2027-01-07"));
        assert_eq!(cal.nth_working_day(mon, 5), day("2027-01-11"));
        assert_eq!(cal.next_working_day(day("2027-01-09")), day("2027-01-11"));
        assert!(!cal.is_working_day(day("2027-01-06")));
        // Starting on a Sunday: the first working day is the Monday.
        assert_eq!(cal.nth_working_day(day("2027-01-03"), 1), mon);
        // Far ahead, against a day-by-day count.
        let far = cal.nth_working_day(mon, 1000);
        let mut count = 0;
        let mut d = mon;
        while d <= far {
            count += i64::from(cal.is_working_day(d));
            d = d.add_days(1);
        }
        assert_eq!(count, 1000);
        assert!(cal.is_working_day(far));
        let every = Calendar::every_day();
        assert_eq!(every.nth_working_day(mon, 7), day("2027-01-10"));
    }

    #[test]
    fn day_periods_end_on_working_days() {
        let cal = Calendar::for_period("1d".parse().unwrap(), None, vec![]);
        let mon = day("2027-01-04");
        assert_eq!(
            mon.period_end_on("1d".parse().unwrap(), 5, &cal),
            day("2027-01-08")
        );
        assert_eq!(
            mon.period_end_on("1d".parse().unwrap(), 6, &cal),
            day("2027-01-11")
        );
        assert_eq!(
            mon.period_end_on("2d".parse().unwrap(), 3, &cal),
            day("2027-01-11")
        );
        // Weeks ignore the calendar.
        let weekly = Calendar::for_period("1w".parse().unwrap(), None, vec![day("2027-01-05")]);
        assert!(weekly.is_every_day());
        assert_eq!(
            mon.period_end_on("1w".parse().unwrap(), 1, &cal),
            day("2027-01-10")
        );
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
