//! The grid throughput is counted on: consecutive periods of one length from a first day
//! (working days when periods are days), where each period starts and ends, and which period a
//! date falls in.

use crate::model::calendar::{Calendar, Date, PeriodLength, PeriodUnit};

/// Consecutive periods of one length from a first day: the grid throughput is counted on.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodGrid {
    /// The first day of period 1 (a working day for periods of days).
    pub first_day: Date,
    /// Length of each period.
    pub length: PeriodLength,
    /// The working days periods of days are counted in.
    pub calendar: Calendar,
    /// Number of periods, numbered 1 to `periods`.
    pub periods: usize,
}

/// The natural first day of the period that holds `date`: the Monday of its week for weeks,
/// the 1st of its month or quarter, the day itself for days.
pub fn align_start(date: Date, length: PeriodLength) -> Date {
    match length.unit {
        PeriodUnit::Day => date,
        // 1970-01-01 was a Thursday: days + 3 counts from a Monday.
        PeriodUnit::Week => date.add_days(-(date.to_days() + 3).rem_euclid(7)),
        PeriodUnit::Month => Date { day: 1, ..date },
        PeriodUnit::Quarter => Date {
            day: 1,
            month: (date.month - 1) / 3 * 3 + 1,
            ..date
        },
    }
}

impl PeriodGrid {
    /// The complete periods from `first_day` through `last_day`; a partial last period is
    /// left out. Returns the grid (possibly of 0 periods) and the days left out at the end.
    pub fn covering(
        first_day: Date,
        last_day: Date,
        length: PeriodLength,
        calendar: Calendar,
    ) -> (PeriodGrid, i64) {
        let first_day = if length.unit == PeriodUnit::Day {
            calendar.next_working_day(first_day)
        } else {
            first_day
        };
        let mut grid = PeriodGrid {
            first_day,
            length,
            calendar,
            periods: 0,
        };
        if last_day < first_day {
            return (grid, 0);
        }
        // Estimate from the average period length, then correct.
        let span = (last_day.to_days() - first_day.to_days() + 1) as f64;
        let mut t = (span / length.calendar_days()).floor().max(0.0) as usize;
        while t > 0 && grid.end(t) > last_day {
            t -= 1;
        }
        while grid.end(t + 1) <= last_day {
            t += 1;
        }
        grid.periods = t;
        let next = grid.end(t).add_days(1);
        let next = if t == 0 { first_day } else { next };
        (grid, last_day.to_days() - next.to_days() + 1)
    }

    /// The last day of period `t` (1-based).
    pub fn end(&self, t: usize) -> Date {
        if t == 0 {
            return self.first_day.add_days(-1);
        }
        self.first_day.period_end_on(self.length, t, &self.calendar)
    }

    /// The first day of period `t` (1-based).
    pub fn start(&self, t: usize) -> Date {
        if t <= 1 {
            return self.first_day;
        }
        let next = self.end(t - 1).add_days(1);
        if self.length.unit == PeriodUnit::Day {
            self.calendar.next_working_day(next)
        } else {
            next
        }
    }

    /// The period `date` falls in (a day off counts with the next working day), or `None`
    /// before the first or after the last period.
    pub fn period_of(&self, date: Date) -> Option<usize> {
        if date < self.first_day || self.periods == 0 || date > self.end(self.periods) {
            return None;
        }
        let t = if self.length.unit == PeriodUnit::Day {
            let day = self.calendar.next_working_day(date);
            let index = self.calendar.working_days_between(self.first_day, day);
            index as usize / self.length.count as usize + 1
        } else {
            let days = (date.to_days() - self.first_day.to_days()) as f64;
            let mut t = ((days / self.length.calendar_days()).floor() as usize + 1).max(1);
            while t > 1 && self.end(t - 1) >= date {
                t -= 1;
            }
            while self.end(t) < date {
                t += 1;
            }
            t
        };
        (t <= self.periods).then_some(t)
    }

    /// The last `keep` periods of this grid (all of them when it has fewer).
    pub fn last(&self, keep: usize) -> PeriodGrid {
        let keep = keep.min(self.periods);
        let drop = self.periods - keep;
        PeriodGrid {
            first_day: self.start(drop + 1),
            periods: keep,
            ..self.clone()
        }
    }

    /// The periods that start on or after `since`.
    pub fn since(&self, since: Date) -> PeriodGrid {
        let drop = (1..=self.periods)
            .take_while(|&t| self.start(t) < since)
            .count();
        self.last(self.periods - drop)
    }
}

/// The first day of a history of `periods` periods that ends the day before `next`: for
/// periods of days, `periods · count` working days back; else calendar weeks, months or
/// quarters back.
pub fn first_day_before(
    next: Date,
    length: PeriodLength,
    calendar: &Calendar,
    periods: usize,
) -> Date {
    let n = i64::from(length.count) * periods as i64;
    match length.unit {
        PeriodUnit::Day => {
            let mut d = next;
            let mut left = n;
            while left > 0 {
                d = d.add_days(-1);
                if calendar.is_working_day(d) {
                    left -= 1;
                }
            }
            d
        }
        PeriodUnit::Week => next.add_days(-7 * n),
        PeriodUnit::Month => next.add_months(-n),
        PeriodUnit::Quarter => next.add_months(-3 * n),
    }
}

/// Items finished per period: `counts[t - 1]` for each period of `grid`, and how many of the
/// dates fell outside the grid.
pub fn count_per_period(
    dates: impl IntoIterator<Item = Date>,
    grid: &PeriodGrid,
) -> (Vec<f64>, usize) {
    let mut counts = vec![0.0; grid.periods];
    let mut outside = 0;
    for date in dates {
        match grid.period_of(date) {
            Some(t) => counts[t - 1] += 1.0,
            None => outside += 1,
        }
    }
    (counts, outside)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn periods_align_to_their_natural_start() {
        let week: PeriodLength = "1w".parse().unwrap();
        assert_eq!(align_start(day("2027-01-07"), week), day("2027-01-04"));
        assert_eq!(align_start(day("2027-01-04"), week), day("2027-01-04"));
        assert_eq!(align_start(day("2027-01-10"), week), day("2027-01-04"));
        assert_eq!(
            align_start(day("2027-05-19"), "1mo".parse().unwrap()),
            day("2027-05-01")
        );
        assert_eq!(
            align_start(day("2027-05-19"), "1q".parse().unwrap()),
            day("2027-04-01")
        );
    }

    #[test]
    fn grids_hold_complete_periods_only() {
        let week: PeriodLength = "1w".parse().unwrap();
        let (grid, left) = PeriodGrid::covering(
            day("2027-01-04"),
            day("2027-01-26"),
            week,
            Calendar::every_day(),
        );
        assert_eq!(grid.periods, 3);
        assert_eq!(left, 2);
        assert_eq!(grid.period_of(day("2027-01-04")), Some(1));
        assert_eq!(grid.period_of(day("2027-01-11")), Some(2));
        assert_eq!(grid.period_of(day("2027-01-24")), Some(3));
        assert_eq!(grid.period_of(day("2027-01-25")), None);
        assert_eq!(grid.period_of(day("2027-01-03")), None);
        let last = grid.last(2);
        assert_eq!(last.first_day, day("2027-01-11"));
        assert_eq!(last.periods, 2);
        assert_eq!(grid.since(day("2027-01-12")).first_day, day("2027-01-18"));
        let month: PeriodLength = "1mo".parse().unwrap();
        let (grid, _) = PeriodGrid::covering(
            day("2027-01-01"),
            day("2027-04-30"),
            month,
            Calendar::every_day(),
        );
        assert_eq!(grid.periods, 4);
        assert_eq!(grid.period_of(day("2027-02-28")), Some(2));
        assert_eq!(grid.period_of(day("2027-03-01")), Some(3));
    }

    #[test]
    fn working_day_grids_skip_days_off() {
        let d: PeriodLength = "1d".parse().unwrap();
        let cal = Calendar::new(true, vec![day("2027-01-06")]);
        // Sat 2027-01-02 .. Sun 2027-01-10: working days Mon, Tue, Thu, Fri.
        let (grid, left) = PeriodGrid::covering(day("2027-01-02"), day("2027-01-10"), d, cal);
        assert_eq!(grid.first_day, day("2027-01-04"));
        assert_eq!(grid.periods, 4);
        assert_eq!(left, 2, "the weekend after the last working day");
        assert_eq!(
            grid.period_of(day("2027-01-06")),
            Some(3),
            "holiday → Thursday"
        );
        assert_eq!(grid.period_of(day("2027-01-08")), Some(4));
        assert_eq!(
            grid.period_of(day("2027-01-09")),
            None,
            "Saturday → next Monday"
        );
        assert_eq!(grid.start(3), day("2027-01-07"));
    }

    #[test]
    fn histories_end_the_day_before_the_next_period() {
        let week: PeriodLength = "1w".parse().unwrap();
        let first = first_day_before(day("2027-03-29"), week, &Calendar::every_day(), 12);
        assert_eq!(first, day("2027-01-04"));
        let d: PeriodLength = "1d".parse().unwrap();
        let cal = Calendar::new(true, vec![]);
        let first = first_day_before(day("2027-01-11"), d, &cal, 5);
        assert_eq!(first, day("2027-01-04"));
        let grid = PeriodGrid {
            first_day: first,
            length: d,
            calendar: cal,
            periods: 5,
        };
        assert_eq!(grid.end(5), day("2027-01-08"));
    }
}
