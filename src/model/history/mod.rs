//! A team's work-item history, as imported from an export: the items (team, bucket, dates,
//! state, estimate), the grid of periods they are counted on (`grid.rs`), what each item
//! weighs (`weight.rs`), and what follows from them: each team's own window of the grid,
//! throughput per team, period and bucket, the investment balance and cycle times; also the
//! incidents of an incident export counted the same way (`incidents.rs`) and the tech share a
//! plan set next to the one the items show (`actual.rs`). Pure: reading the exports is
//! `scenario::import`'s business.

pub mod actual;
mod grid;
pub mod incidents;
mod weight;

use std::ops::Range;

use super::calendar::Date;
use super::throughput::{active_span, idle_gap, per_year};

pub use grid::{PeriodGrid, align_start, count_per_period, first_day_before};
pub use weight::{Weighing, Weight};

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
    /// Its estimate as exported (story points, Linear's `Estimate`, hours of an original
    /// estimate): what it weighs when the balance is weighed by points; `None` when the
    /// export gives none.
    pub estimate: Option<f64>,
    /// Where the item came from, `file:line`.
    pub source: String,
}

#[cfg(test)]
impl WorkItem {
    /// A finished item of `team`, done on `done`, with nothing else known (for the unit tests).
    pub(crate) fn finished(team: &str, done: Date) -> WorkItem {
        WorkItem {
            id: done.to_string(),
            team: team.into(),
            title: String::new(),
            item_type: String::new(),
            labels: vec![],
            status: String::new(),
            created: None,
            started: None,
            done: Some(done),
            state: ItemState::Done,
            bucket: None,
            estimate: None,
            source: String::new(),
        }
    }
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
/// What a team's window leaves out of the grid: the periods before its first activity and
/// after its last (for a team that stopped), and the items finished in them (stragglers a long
/// idle gap cut off from the team's work).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cut {
    /// Periods of the grid before the window.
    pub before: usize,
    /// Periods of the grid after the window.
    pub after: usize,
    /// Done items in the periods before the window.
    pub items_before: u32,
    /// Done items in the periods after the window.
    pub items_after: u32,
}

/// One team's history: its own window of the grid, from its first activity to its last (or
/// to the grid's end, for a team still at work), as [`active_span`] finds it.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamHistory {
    /// The team's name, as its items give it.
    pub team: String,
    /// The team's periods, as 0-based indices into the grid: periods `window.start + 1` to
    /// `window.end`. Empty for a team that finished nothing in the grid.
    pub window: Range<usize>,
    /// Done items per bucket and period of the window: `done[b][k]` for period
    /// `window.start + k + 1`; the last row (`b` = number of buckets) counts items no rule
    /// matched.
    pub done: Vec<Vec<u32>>,
    /// What those items weigh ([`Weighing`]), in the same rows and periods.
    pub weight: Vec<Vec<f64>>,
    /// Open (and reopened) items per bucket, the last entry unmatched ones.
    pub open: Vec<u32>,
    /// What the window leaves out of the grid.
    pub cut: Cut,
}

impl TeamHistory {
    /// The grid's period number (1-based) of the `k`-th period of the window.
    pub fn period(&self, k: usize) -> usize {
        self.window.start + k + 1
    }

    /// Periods in the window.
    pub fn periods(&self) -> usize {
        self.window.len()
    }

    /// Done items of every bucket (matched or not) per period of the window.
    pub fn total(&self) -> Vec<u32> {
        sum_rows(&self.done, self.periods(), |_| true)
    }

    /// Done items of the buckets of `kinds` per period (unmatched items excluded).
    pub fn of_kinds(&self, buckets: &[Bucket], kinds: &[BucketKind]) -> Vec<u32> {
        sum_rows(&self.done, self.periods(), |b| {
            b < buckets.len() && kinds.contains(&buckets[b].kind)
        })
    }

    /// The weight of the buckets of `kinds` per period (unmatched items excluded).
    pub fn weight_of_kinds(&self, buckets: &[Bucket], kinds: &[BucketKind]) -> Vec<f64> {
        sum_rows(&self.weight, self.periods(), |b| {
            b < buckets.len() && kinds.contains(&buckets[b].kind)
        })
    }

    /// The weight of every bucket per period of the window.
    pub fn total_weight(&self) -> Vec<f64> {
        sum_rows(&self.weight, self.periods(), |_| true)
    }

    /// Done items over the window per bucket (last: unmatched).
    pub fn done_per_bucket(&self) -> Vec<u32> {
        self.done.iter().map(|row| row.iter().sum()).collect()
    }

    /// Weight over the window per bucket (last: unmatched).
    pub fn weight_per_bucket(&self) -> Vec<f64> {
        self.weight.iter().map(|row| row.iter().sum()).collect()
    }

    /// Whether the team stopped: its window ends an idle gap or more before the grid does.
    pub fn stopped(&self) -> bool {
        self.cut.after > 0
    }

    /// The periods of the window (0-based, into it) a forecast of its planned work draws on:
    /// from its first product or tech item to the window's end. Before it, the team finished
    /// only keep-the-lights-on or unmatched work, and a forecast of planned work would cut
    /// those periods as idle anyway ([`active_span`], the same definition on the planned
    /// work). Empty when the team finished no product or tech item.
    pub fn planned_span(&self, buckets: &[Bucket], gap: usize) -> Range<usize> {
        let planned: Vec<f64> = self
            .of_kinds(buckets, &[BucketKind::Product, BucketKind::Tech])
            .into_iter()
            .map(f64::from)
            .collect();
        let span = active_span(&planned, gap);
        match span.is_empty() {
            true => 0..0,
            false => span.start..self.periods(),
        }
    }
}

/// The sum of the `rows` that `take` keeps, per period.
fn sum_rows<T: Copy + Default + std::ops::AddAssign>(
    rows: &[Vec<T>],
    periods: usize,
    take: impl Fn(usize) -> bool,
) -> Vec<T> {
    let mut sum = vec![T::default(); periods];
    for (_, row) in rows.iter().enumerate().filter(|(b, _)| take(*b)) {
        for (s, &x) in sum.iter_mut().zip(row) {
            *s += x;
        }
    }
    sum
}

/// Tech share of planned work: tech ÷ (product + tech), in items or in weight; `None`
/// without any.
pub fn tech_share(product: f64, tech: f64) -> Option<f64> {
    let planned = product + tech;
    // `+ 0.0`: a sum of no floats is -0.0, which would print as "-0%".
    (planned > 0.0).then(|| tech / planned + 0.0)
}

/// The sum over the buckets of `kind` in `per_bucket` (buckets' counts or weights, the
/// unmatched last).
pub fn per_kind<T: Copy + std::iter::Sum<T>>(
    buckets: &[Bucket],
    per_bucket: &[T],
    kind: BucketKind,
) -> T {
    buckets
        .iter()
        .zip(per_bucket)
        .filter(|(b, _)| b.kind == kind)
        .map(|(_, &n)| n)
        .sum()
}

/// The items of an import counted on a grid: per team (sorted by name), per bucket and
/// period of the team's own window.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The import's buckets; bucket `b` is row `b` of each team's `done` and `open`.
    pub buckets: Vec<Bucket>,
    /// The periods done items are counted on: each team's window is a stretch of them.
    pub grid: PeriodGrid,
    /// One per team with an item, sorted by name.
    pub teams: Vec<TeamHistory>,
    /// Done items whose done date falls outside the grid (before it, or in a partial last
    /// period).
    pub done_outside: usize,
    /// How done items are weighed.
    pub weighing: Weighing,
    /// The idle periods that end a team's window ([`idle_gap`]).
    pub gap: usize,
}

impl History {
    /// Counts `items` on `grid`: done items in the period of their done date, weighed as
    /// `weighing` says; open and reopened ones in the backlog; cancelled items are left out.
    /// Each team's window is the active span of its done items of every bucket: idle periods
    /// before its first and after its last activity are cut (a trailing quiet spell shorter
    /// than the idle gap is kept: the team is still at work), and so are stragglers a gap
    /// away. Every team with an item gets a history, even one that finished nothing (with an
    /// empty window).
    pub fn build(
        items: &[WorkItem],
        buckets: &[Bucket],
        grid: &PeriodGrid,
        weighing: Weighing,
    ) -> History {
        let mut names: Vec<&str> = items.iter().map(|i| i.team.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let rows = buckets.len() + 1;
        let mut done = vec![vec![vec![0u32; grid.periods]; rows]; names.len()];
        let mut weight = vec![vec![vec![0.0f64; grid.periods]; rows]; names.len()];
        let mut open = vec![vec![0u32; rows]; names.len()];
        let mut done_outside = 0;
        for item in items {
            let Ok(j) = names.binary_search(&item.team.as_str()) else {
                continue;
            };
            let b = item.bucket.unwrap_or(buckets.len()).min(buckets.len());
            match item.state {
                ItemState::Done => match item.done.and_then(|d| grid.period_of(d)) {
                    Some(t) => {
                        done[j][b][t - 1] += 1;
                        weight[j][b][t - 1] += weighing.of(item);
                    }
                    None => done_outside += 1,
                },
                ItemState::Open | ItemState::Reopened => open[j][b] += 1,
                ItemState::Cancelled => {}
            }
        }
        let gap = idle_gap(per_year(grid.length, &grid.calendar));
        let teams = names
            .iter()
            .zip(done)
            .zip(weight)
            .zip(open)
            .map(|(((name, done), weight), open)| {
                windowed(name.to_string(), done, weight, open, gap)
            })
            .collect();
        History {
            buckets: buckets.to_vec(),
            grid: grid.clone(),
            teams,
            done_outside,
            weighing,
            gap,
        }
    }

    /// Done items in the teams' windows, and how many of them matched a rule.
    pub fn matched(&self) -> (u32, u32) {
        let mut all = 0;
        let mut unmatched = 0;
        for team in &self.teams {
            let per = team.done_per_bucket();
            all += per.iter().sum::<u32>();
            unmatched += per.last().copied().unwrap_or(0);
        }
        (all, all - unmatched)
    }

    /// The most periods of any team's window.
    pub fn longest_window(&self) -> usize {
        self.teams
            .iter()
            .map(TeamHistory::periods)
            .max()
            .unwrap_or(0)
    }
}

/// A team's counts on the whole grid cut to its active span.
fn windowed(
    team: String,
    done: Vec<Vec<u32>>,
    weight: Vec<Vec<f64>>,
    open: Vec<u32>,
    gap: usize,
) -> TeamHistory {
    let periods = done.first().map_or(0, Vec::len);
    let total: Vec<f64> = sum_rows(&done, periods, |_| true)
        .into_iter()
        .map(f64::from)
        .collect();
    let window = active_span(&total, gap);
    let items = |range: Range<usize>| total[range].iter().sum::<f64>() as u32;
    // A team that finished nothing has every period cut before a window that never starts.
    let window = if window.is_empty() {
        periods..periods
    } else {
        window
    };
    let cut = Cut {
        before: window.start,
        after: periods - window.end,
        items_before: items(0..window.start),
        items_after: items(window.end..periods),
    };
    TeamHistory {
        team,
        done: done
            .into_iter()
            .map(|r| r[window.clone()].to_vec())
            .collect(),
        weight: weight
            .into_iter()
            .map(|r| r[window.clone()].to_vec())
            .collect(),
        open,
        window,
        cut,
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

/// The nearest-rank percentile `q` of sorted values (`None` when empty).
pub fn percentile_f64(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Calendar, PeriodLength};

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn done(team: &str, on: Date, bucket: usize) -> WorkItem {
        WorkItem {
            bucket: Some(bucket),
            ..WorkItem::finished(team, on)
        }
    }

    #[test]
    fn each_team_is_counted_on_its_own_window() {
        let week: PeriodLength = "1w".parse().unwrap();
        let (grid, _) = PeriodGrid::covering(
            day("2027-01-04"),
            day("2028-12-31"),
            week,
            Calendar::every_day(),
        );
        let buckets = [
            Bucket {
                name: "product".into(),
                kind: BucketKind::Product,
            },
            Bucket {
                name: "ktlo".into(),
                kind: BucketKind::Ktlo,
            },
        ];
        let monday = |week: i64| day("2027-01-04").add_days(7 * week);
        let mut items = Vec::new();
        // `old` works in weeks 0–29 and stops; `new` starts in week 60, with a straggler in
        // week 2, and is still at work, quiet for its last 5 weeks (under the gap of 8).
        for w in 0..30 {
            items.push(done("old", monday(w), 0));
        }
        items.push(done("new", monday(2), 0));
        for w in 60..99 {
            items.push(done("new", monday(w), if w < 64 { 1 } else { 0 }));
        }
        let h = History::build(
            &items,
            &buckets,
            &grid,
            Weighing::new(Weight::Items, &items),
        );
        assert_eq!(h.gap, 8);
        let (new, old) = (&h.teams[0], &h.teams[1]);
        assert_eq!(old.window, 0..30);
        assert_eq!(
            (old.cut.before, old.cut.after, old.stopped()),
            (0, 74, true)
        );
        assert_eq!(new.window, 60..104, "the last 5 quiet weeks kept");
        assert_eq!((new.cut.before, new.cut.items_before), (60, 1));
        assert!(!new.stopped());
        assert_eq!(new.total().len(), 44);
        assert_eq!(new.total()[0], 1);
        assert_eq!(
            new.planned_span(&h.buckets, h.gap),
            4..44,
            "four weeks of keep-the-lights-on work first"
        );
        assert_eq!(h.matched(), (69, 69));
        assert_eq!(h.longest_window(), 44);
    }

    #[test]
    fn cycle_times_count_both_days() {
        let mut item = WorkItem {
            created: Some(day("2027-01-01")),
            started: Some(day("2027-01-04")),
            ..WorkItem::finished("a", day("2027-01-04"))
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
