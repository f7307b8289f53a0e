//! Reads a headcount table (`fulcrum calibrate --headcount FILE`): a CSV with a `team`, the
//! first day a headcount holds (`from`) and the `engineers` from that day on, one row per
//! change:
//!
//! ```csv
//! team,from,engineers
//! Payments,2024-01-01,6
//! Payments,2024-07-01,9
//! ```
//!
//! A team's capacity in each period of its history is then its headcount at the period's first
//! day relative to its headcount in the history's last period ([`relative_capacity`]): a team
//! that grew from 6 to 9 engineers finished more because it had more people, not because its
//! debt fell. The file is read with the same limits, encodings and line numbers as work-item
//! exports; a bad cell names its file, line and column.

use std::collections::BTreeMap;
use std::path::Path;

use crate::model::Date;

use super::table::Table;
use super::{ImportProblem, ReadOptions, quoted, quoted_cell, source};

/// One change of a team's headcount.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadcountChange {
    /// The team, as the exports name it.
    pub team: String,
    /// The first day the headcount holds.
    pub from: Date,
    /// Engineers from that day on (fractions allowed: part-time people).
    pub engineers: f64,
    /// Where the row is: `file:line`.
    pub source: String,
}

/// The columns of a headcount table.
const COLUMNS: [&str; 3] = ["team", "from", "engineers"];

/// Reads a headcount table.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Vec<HeadcountChange>, ImportProblem> {
    let source::Opened { file, text, .. } = source::open(path, None)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let table = Table::read(&file, text)?;
    let mut columns = [0; 3];
    for (c, name) in columns.iter_mut().zip(COLUMNS) {
        *c = table.column(name)?.ok_or_else(|| ImportProblem {
            file: file.clone(),
            line: Some(1),
            column: None,
            message: format!("a headcount table needs a `{name}` column"),
            help: Some(format!(
                "its header row is `team,from,engineers` (found {}); each row says how many \
                 engineers a team has from a day on, e.g. `Payments,2024-07-01,9`",
                quoted(&table.headers.iter().map(String::as_str).collect::<Vec<_>>())
            )),
        })?;
    }
    let [team, from, engineers] = columns;
    let rows = table.rows(|row| {
        let name = row.cell(Some(team));
        if name.is_empty() {
            return Err(table.problem(row, Some(team), "the team cell is empty".into()));
        }
        let Some(day) = table.date(row, Some(from), &options.zone)? else {
            return Err(ImportProblem {
                help: Some("the first day the headcount holds, e.g. 2024-07-01".into()),
                ..table.problem(row, Some(from), "the `from` cell is empty".into())
            });
        };
        let text = row.cell(Some(engineers));
        let count = match text.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => x,
            _ => {
                return Err(ImportProblem {
                    help: Some("engineers is a number of at least 0, e.g. 6 or 4.5".into()),
                    ..table.problem(
                        row,
                        Some(engineers),
                        format!("`{}` is not a number of engineers", quoted_cell(text)),
                    )
                });
            }
        };
        Ok(HeadcountChange {
            team: name.to_string(),
            from: day,
            engineers: count,
            source: table.source(row),
        })
    })?;
    let mut seen: BTreeMap<(&str, Date), &str> = BTreeMap::new();
    for change in &rows.items {
        if let Some(first) = seen.insert((&change.team, change.from), &change.source) {
            return Err(ImportProblem::file(
                &file,
                format!(
                    "{}: team `{}` has a second headcount from {} (the first is at {first})",
                    change.source, change.team, change.from
                ),
            ));
        }
    }
    if rows.items.is_empty() {
        return Err(ImportProblem::file(
            &file,
            "the headcount table has no rows",
        ));
    }
    Ok(rows.items)
}

/// Each period's capacity relative to the last period's, from one team's headcount `changes`
/// and the first day of each period (`starts`, in order): the headcount at a period's first
/// day is that of the latest change on or before it (the earliest change's, before any);
/// `None` without changes. An error when the last period has no engineers (nothing to be
/// relative to).
pub fn relative_capacity(
    changes: &[&HeadcountChange],
    starts: &[Date],
) -> Result<Option<Vec<f64>>, String> {
    let mut sorted: Vec<&HeadcountChange> = changes.to_vec();
    sorted.sort_by_key(|c| c.from);
    let Some(earliest) = sorted.first() else {
        return Ok(None);
    };
    let at = |day: Date| {
        sorted
            .iter()
            .rev()
            .find(|c| c.from <= day)
            .unwrap_or(earliest)
            .engineers
    };
    let headcount: Vec<f64> = starts.iter().map(|&d| at(d)).collect();
    let last = headcount.last().copied().unwrap_or(0.0);
    if last <= 0.0 {
        let team = &earliest.team;
        return Err(format!(
            "team `{team}` has 0 engineers in the last period of its history by the headcount \
             table: its capacity is measured against that period's headcount"
        ));
    }
    Ok(Some(headcount.iter().map(|h| h / last).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(from: &str, engineers: f64) -> HeadcountChange {
        HeadcountChange {
            team: "A".into(),
            from: from.parse().unwrap(),
            engineers,
            source: "t.csv:2".into(),
        }
    }

    #[test]
    fn each_period_takes_the_headcount_of_its_first_day_relative_to_the_last() {
        let changes = [change("2024-03-01", 9.0), change("2024-01-01", 6.0)];
        let refs: Vec<&HeadcountChange> = changes.iter().collect();
        let starts: Vec<Date> = ["2023-12-01", "2024-02-01", "2024-03-01", "2024-04-01"]
            .iter()
            .map(|d| d.parse().unwrap())
            .collect();
        let relative = relative_capacity(&refs, &starts).unwrap().unwrap();
        // Before the earliest change: the earliest headcount.
        assert_eq!(relative, vec![6.0 / 9.0, 6.0 / 9.0, 1.0, 1.0]);
        assert_eq!(relative_capacity(&[], &starts), Ok(None));
        let gone = [change("2024-01-01", 5.0), change("2024-04-01", 0.0)];
        let refs: Vec<&HeadcountChange> = gone.iter().collect();
        assert!(
            relative_capacity(&refs, &starts)
                .unwrap_err()
                .contains("0 engineers")
        );
    }
}
