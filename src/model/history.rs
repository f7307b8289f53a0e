//! A team's work-item history, as imported from an export: the items (team, bucket, dates,
//! state), the grid of periods they are counted on (working days when periods are days), and
//! what follows from them: throughput per team, period and bucket, the investment balance
//! and cycle times. Pure: reading the exports is `scenario::import`'s business.

use super::calendar::{Calendar, Date, PeriodLength, PeriodUnit};

/// What a bucket of work is, for the scenario an import writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BucketKind {
    /// Features: product initiatives.
    Product,
    /// Technology work: platform, upgrades, tech debt.
    Tech,
    /// Keep the lights on: bugs, support, incidents; work the team does whatever the split.
    Ktlo,
}

impl BucketKind {
    /// The word used in rules files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            BucketKind::Product => "product",
            BucketKind::Tech => "tech",
            BucketKind::Ktlo => "ktlo",
        }
    }
}

/// A named bucket items are sorted into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// Unique among the import's buckets.
    pub name: String,
    /// What its work is.
    pub kind: BucketKind,
}

/// Where an item stands at the time of the export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemState {
    /// Finished: counts in the throughput of the period of its done date.
    Done,
    /// Not finished: part of the backlog.
    Open,
    /// Finished once, then reopened (a done date, but an open status): counted as open, its
    /// earlier done date ignored, since the work was not really done.
    Reopened,
    /// Cancelled, declined or a duplicate: neither throughput nor backlog.
    Cancelled,
}

impl ItemState {
    /// The word used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Done => "done",
            ItemState::Open => "open",
            ItemState::Reopened => "reopened",
            ItemState::Cancelled => "cancelled",
        }
    }

    /// Open or reopened: still to do.
    pub fn is_open(self) -> bool {
        matches!(self, ItemState::Open | ItemState::Reopened)
    }
}

/// One work item of an export.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkItem {
    /// The key or number as exported (`PROJ-123`, `#42`).
    pub id: String,
    /// The team named by the export, else the import's team (by default the file's name).
    pub team: String,
    /// Summary or title; empty when the export has none.
    pub title: String,
    /// Issue type as exported ("Bug", "Story"); empty when the format has none.
    pub item_type: String,
    /// Labels as exported.
    pub labels: Vec<String>,
    /// Status as exported; empty when the format has none.
    pub status: String,
    /// The creation date; `None` when the export gives none.
    pub created: Option<Date>,
    /// The date work started; `None` when the export gives none (GitHub's never does).
    pub started: Option<Date>,
    /// The done date as exported (also for reopened items, whose date is ignored).
    pub done: Option<Date>,
    /// Where it stands, from its done date, status and any cancellation.
    pub state: ItemState,
    /// Index into the import's buckets; `None`: no rule matched.
    pub bucket: Option<usize>,
    /// Where the item came from, `file:line`.
    pub source: String,
}

/// Which date a cycle time is measured from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CycleStart {
    /// Measured from the start date (the cycle time proper).
    Started,
    /// No start date: measured from creation (the lead time).
    Created,
}

impl CycleStart {
    /// The word used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            CycleStart::Started => "started",
            CycleStart::Created => "created",
        }
    }
}

impl WorkItem {
    /// Elapsed calendar days from start (else creation) to done, both days included (an
    /// item started and finished on the same day took 1 day), for done items whose dates are
    /// in order.
    pub fn cycle_time(&self) -> Option<(i64, CycleStart)> {
        if self.state != ItemState::Done {
            return None;
        }
        let done = self.done?;
        let (from, kind) = match (self.started, self.created) {
            (Some(s), _) => (s, CycleStart::Started),
            (None, Some(c)) => (c, CycleStart::Created),
            (None, None) => return None,
        };
        let days = done.to_days() - from.to_days() + 1;
        (days >= 1).then_some((days, kind))
    }
}

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

/// One team's history on the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamHistory {
    /// The team's name, as its items give it.
    pub team: String,
    /// Done items per bucket and period: `done[b][t - 1]`; the last row (`b` = number of
    /// buckets) counts items no rule matched.
    pub done: Vec<Vec<u32>>,
    /// Open (and reopened) items per bucket, the last entry unmatched ones.
    pub open: Vec<u32>,
}

impl TeamHistory {
    /// Done items of every bucket (matched or not) per period.
    pub fn total(&self) -> Vec<u32> {
        self.sum_rows(|_| true)
    }

    /// Done items of the buckets of `kinds` per period (unmatched items excluded).
    pub fn of_kinds(&self, buckets: &[Bucket], kinds: &[BucketKind]) -> Vec<u32> {
        self.sum_rows(|b| b < buckets.len() && kinds.contains(&buckets[b].kind))
    }

    fn sum_rows(&self, take: impl Fn(usize) -> bool) -> Vec<u32> {
        let periods = self.done.first().map_or(0, Vec::len);
        let mut sum = vec![0; periods];
        for (_, row) in self.done.iter().enumerate().filter(|(b, _)| take(*b)) {
            for (s, x) in sum.iter_mut().zip(row) {
                *s += x;
            }
        }
        sum
    }

    /// Done items over the whole grid per bucket (last: unmatched).
    pub fn done_per_bucket(&self) -> Vec<u32> {
        self.done.iter().map(|row| row.iter().sum()).collect()
    }
}

/// Tech share of planned work: tech items ÷ (product + tech items), `None` without any.
pub fn tech_share(product: u32, tech: u32) -> Option<f64> {
    let planned = product + tech;
    (planned > 0).then(|| f64::from(tech) / f64::from(planned))
}

/// Done items of each kind in `per_bucket` (buckets' counts, the unmatched last).
pub fn per_kind(buckets: &[Bucket], per_bucket: &[u32], kind: BucketKind) -> u32 {
    buckets
        .iter()
        .zip(per_bucket)
        .filter(|(b, _)| b.kind == kind)
        .map(|(_, n)| n)
        .sum()
}

/// The items of an import counted on a grid: per team (sorted by name), per bucket and
/// period.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The import's buckets; bucket `b` is row `b` of each team's `done` and `open`.
    pub buckets: Vec<Bucket>,
    /// The periods done items are counted on.
    pub grid: PeriodGrid,
    /// One per team with an item, sorted by name.
    pub teams: Vec<TeamHistory>,
    /// Done items whose done date falls outside the grid (before it, or in a partial last
    /// period).
    pub done_outside: usize,
}

impl History {
    /// Counts `items` on `grid`: done items in the period of their done date, open and
    /// reopened ones in the backlog; cancelled items are left out. Every team with an item
    /// gets a history, even one that finished nothing.
    pub fn build(items: &[WorkItem], buckets: &[Bucket], grid: &PeriodGrid) -> History {
        let mut names: Vec<&str> = items.iter().map(|i| i.team.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let rows = buckets.len() + 1;
        let mut teams: Vec<TeamHistory> = names
            .iter()
            .map(|name| TeamHistory {
                team: name.to_string(),
                done: vec![vec![0; grid.periods]; rows],
                open: vec![0; rows],
            })
            .collect();
        let mut done_outside = 0;
        for item in items {
            let Ok(j) = names.binary_search(&item.team.as_str()) else {
                continue;
            };
            let b = item.bucket.unwrap_or(buckets.len()).min(buckets.len());
            match item.state {
                ItemState::Done => match item.done.and_then(|d| grid.period_of(d)) {
                    Some(t) => teams[j].done[b][t - 1] += 1,
                    None => done_outside += 1,
                },
                ItemState::Open | ItemState::Reopened => teams[j].open[b] += 1,
                ItemState::Cancelled => {}
            }
        }
        History {
            buckets: buckets.to_vec(),
            grid: grid.clone(),
            teams,
            done_outside,
        }
    }
}

/// The nearest-rank percentile `q` of sorted values (`None` when empty).
pub fn percentile(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
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

    #[test]
    fn cycle_times_count_both_days() {
        let mut item = WorkItem {
            id: "1".into(),
            team: "a".into(),
            title: String::new(),
            item_type: String::new(),
            labels: vec![],
            status: String::new(),
            created: Some(day("2027-01-01")),
            started: Some(day("2027-01-04")),
            done: Some(day("2027-01-04")),
            state: ItemState::Done,
            bucket: None,
            source: String::new(),
        };
        assert_eq!(item.cycle_time(), Some((1, CycleStart::Started)));
        item.started = None;
        assert_eq!(item.cycle_time(), Some((4, CycleStart::Created)));
        item.done = Some(day("2026-12-30"));
        assert_eq!(item.cycle_time(), None, "done before created");
        item.state = ItemState::Reopened;
        assert_eq!(item.cycle_time(), None);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(percentile(&v, 0.5), Some(5));
        assert_eq!(percentile(&v, 0.85), Some(9));
        assert_eq!(percentile(&v, 1.0), Some(10));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
