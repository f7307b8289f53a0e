//! The generic CSV: `id, team, type, labels, created, started, done` in any order (`id`,
//! `created` and `done` required), optionally `title`, `status`, `cancelled` and an estimate
//! (`points`, `story_points` or `estimate`); other columns are ignored. Labels are separated
//! by `,`, `;` or `|`.

use jiff::tz::TimeZone;

use crate::model::history::WorkItem;

use super::table::{Rows, Table};
use super::{ImportProblem, split_labels, state};

/// The columns a generic CSV must have.
pub(super) const REQUIRED: &[&str] = &["id", "created", "done"];

/// The columns an estimate is read from, the first the export has.
const ESTIMATES: &[&str] = &["points", "story_points", "story points", "estimate"];

pub(super) fn read(
    table: &Table,
    team: &str,
    zone: &TimeZone,
) -> Result<(Rows<WorkItem>, Option<String>), ImportProblem> {
    let col = |name: &str| table.column(name);
    let (id, team_col, kind, labels) = (col("id")?, col("team")?, col("type")?, col("labels")?);
    let (created, started, done) = (col("created")?, col("started")?, col("done")?);
    let (title, status) = (col("title")?, col("status")?);
    let cancelled = match col("cancelled")? {
        Some(c) => Some(c),
        None => col("canceled")?,
    };
    let estimate = table.first_of(ESTIMATES)?;
    let estimate_col = estimate.as_ref().map(|(c, _)| *c);
    let rows = table.rows(|row| {
        let id_text = row.cell(id);
        if id_text.is_empty() {
            return Err(ImportProblem {
                help: Some("every row needs an id".into()),
                ..table.problem(row, id, "the `id` cell is empty".into())
            });
        }
        let done_date = table.date(row, done, zone)?;
        let status_text = row.cell(status);
        // `cancelled` holds a date or a flag such as `yes`/`true`; empty, `no` or `false` is not.
        let cancel_cell = row.cell(cancelled).to_lowercase();
        let is_cancelled = !(cancel_cell.is_empty()
            || cancel_cell == "no"
            || cancel_cell == "false"
            || cancel_cell == "0");
        let team_text = row.cell(team_col);
        Ok(WorkItem {
            id: id_text.to_string(),
            team: if team_text.is_empty() {
                team.to_string()
            } else {
                team_text.to_string()
            },
            title: row.cell(title).to_string(),
            item_type: row.cell(kind).to_string(),
            labels: split_labels(row.cell(labels)),
            status: status_text.to_string(),
            created: table.date(row, created, zone)?,
            started: table.date(row, started, zone)?,
            done: done_date,
            state: state(done_date, status_text, is_cancelled),
            bucket: None,
            estimate: table.estimate(row, estimate_col, 1.0)?,
            source: table.source(row),
        })
    })?;
    Ok((rows, estimate.map(|(_, name)| name)))
}
