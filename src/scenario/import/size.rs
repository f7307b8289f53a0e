//! How large an import may be, checked before its history is counted: no more periods than a
//! scenario's `samples` may hold, no more teams than its `[[teams]]`, and no more counts in
//! all (teams × buckets × periods, the rows of `throughput.csv`) than a minute's work and a
//! gigabyte of memory. A history too long names the items at its ends: a wrong date is the
//! usual cause.

use crate::model::Date;
use crate::model::history::{ItemState, PeriodGrid, WorkItem};
use crate::scenario::limits::MAX_ITEMS;

/// The most periods a history may have: as many values as a scenario's `samples` may hold.
pub const MAX_PERIODS: usize = MAX_ITEMS;
/// The most teams an import may have: as many as a scenario's `[[teams]]` may hold.
pub const MAX_TEAMS: usize = MAX_ITEMS;
/// The most counts of a history, teams × (buckets + 1) × periods: the rows of
/// `throughput.csv`. At the limit, about a gigabyte of memory and two minutes' work.
pub const MAX_COUNTS: usize = 10_000_000;

/// One of an item's dates, to name an end of a history.
#[derive(Clone, Copy, Debug)]
pub struct Dated<'a> {
    /// The date.
    pub date: Date,
    /// Which of the item's dates: `done`, `created` or `started`.
    pub field: &'static str,
    /// The item.
    pub item: &'a WorkItem,
}

impl std::fmt::Display for Dated<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} of {} ({})",
            self.field,
            self.date,
            super::quoted_cell(&self.item.id),
            self.item.source
        )
    }
}

/// The earliest done date of a done item: where a history starts by default.
pub fn first_done(items: &[WorkItem]) -> Option<Dated<'_>> {
    items
        .iter()
        .filter(|i| i.state == ItemState::Done)
        .filter_map(|item| {
            item.done.map(|date| Dated {
                date,
                field: "done",
                item,
            })
        })
        .min_by_key(|d| d.date)
}

/// The latest date of any item: where a history ends by default.
pub fn latest(items: &[WorkItem]) -> Option<Dated<'_>> {
    items
        .iter()
        .flat_map(|item| {
            [
                (item.created, "created"),
                (item.started, "started"),
                (item.done, "done"),
            ]
            .into_iter()
            .filter_map(move |(date, field)| date.map(|date| Dated { date, field, item }))
        })
        .max_by_key(|d| d.date)
}

/// An error if a history on `grid` of `teams` teams, each counted in `buckets` buckets and
/// the unmatched, is larger than an import may be. `ends` are the items whose dates set the
/// grid's first and last day, when they did (not `--since` or `--until`).
pub fn check(
    grid: &PeriodGrid,
    teams: usize,
    buckets: usize,
    ends: [Option<Dated>; 2],
) -> Result<(), String> {
    let periods = grid.periods;
    if periods > MAX_PERIODS {
        let [first, last] = ends;
        let named: Vec<String> = [
            first.map(|d| format!("it starts with the {d}")),
            last.map(|d| format!("it ends with the {d}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let named = if named.is_empty() {
            String::new()
        } else {
            format!(": {}", named.join(", and "))
        };
        return Err(format!(
            "the history from {} to {} would be {periods} periods of {}, more than the \
             {MAX_PERIODS} a history may have{named}; correct a date that is wrong, or count a \
             shorter history (--since, --until, --window) or in longer periods (--period)",
            grid.first_day,
            grid.end(periods),
            grid.length
        ));
    }
    if teams > MAX_TEAMS {
        return Err(format!(
            "the exports name {teams} teams, more than the {MAX_TEAMS} an import may have: is \
             the team column the right one? (a rules file's [columns] team names it)"
        ));
    }
    let counts = teams.saturating_mul(buckets + 1).saturating_mul(periods);
    if counts > MAX_COUNTS {
        return Err(format!(
            "{teams} teams × {} buckets × {periods} periods of {} are {counts} counts, more than \
             the {MAX_COUNTS} an import may have: count in longer periods (--period) or a \
             shorter history (--since, --window), or import fewer teams at a time",
            buckets + 1,
            grid.length
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Calendar;

    fn item(id: &str, created: &str, done: Option<&str>) -> WorkItem {
        WorkItem {
            id: id.into(),
            team: "t".into(),
            title: String::new(),
            item_type: String::new(),
            labels: Vec::new(),
            status: String::new(),
            created: created.parse().ok(),
            started: None,
            done: done.map(|d| d.parse().unwrap()),
            state: if done.is_some() {
                ItemState::Done
            } else {
                ItemState::Open
            },
            bucket: None,
            estimate: None,
            source: format!("a.csv:{id}"),
        }
    }

    #[test]
    fn a_history_too_long_names_the_items_at_its_ends() {
        let items = [
            item("2", "2027-01-04", Some("2027-01-08")),
            item("3", "2099-12-31", None),
        ];
        let (first, last) = (first_done(&items).unwrap(), latest(&items).unwrap());
        assert_eq!(first.item.id, "2");
        assert_eq!((last.item.id.as_str(), last.field), ("3", "created"));
        let day: crate::model::PeriodLength = "1d".parse().unwrap();
        let (grid, _) = PeriodGrid::covering(first.date, last.date, day, Calendar::every_day());
        let e = check(&grid, 1, 3, [Some(first), Some(last)]).unwrap_err();
        assert!(e.contains("26656 periods of 1d"), "{e}");
        assert!(
            e.contains("it ends with the created 2099-12-31 of 3 (a.csv:3)"),
            "{e}"
        );
        let week: crate::model::PeriodLength = "1w".parse().unwrap();
        let (grid, _) = PeriodGrid::covering(first.date, last.date, week, Calendar::every_day());
        assert!(check(&grid, 1, 3, [None, None]).is_ok());
        let e = check(&grid, 10_001, 3, [None, None]).unwrap_err();
        assert!(e.contains("10001 teams"), "{e}");
        let e = check(&grid, 1_000, 3, [None, None]).unwrap_err();
        assert!(e.contains("counts, more than the 10000000"), "{e}");
    }
}
