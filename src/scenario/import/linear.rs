//! Linear's CSV export (Settings → Import/export → Export CSV): `ID`, `Team`, `Created` and
//! `Completed` required; `Title`, `Status`, `Labels` (comma-separated in one cell),
//! `Started`, `Canceled` and `Estimate` (the points) used where present. Timestamps are ISO 8601 in UTC, converted to
//! the chosen time zone.

use jiff::tz::TimeZone;

use crate::model::history::WorkItem;

use super::table::{Rows, Table};
use super::{ImportProblem, split_labels, state};

/// The columns a Linear export must have.
pub(super) const REQUIRED: &[&str] = &["ID", "Team", "Created", "Completed"];

pub(super) fn read(
    table: &Table,
    zone: &TimeZone,
) -> Result<(Rows<WorkItem>, Option<String>), ImportProblem> {
    let col = |name: &str| table.column(name);
    let (id, team, title, status) = (col("ID")?, col("Team")?, col("Title")?, col("Status")?);
    let (labels, created, started) = (col("Labels")?, col("Created")?, col("Started")?);
    let (completed, canceled) = (col("Completed")?, col("Canceled")?);
    let estimate = col("Estimate")?;
    let rows = table.rows(|row| {
        let id_text = row.cell(id);
        let team_text = row.cell(team);
        for (text, c, name) in [(id_text, id, "ID"), (team_text, team, "Team")] {
            if text.is_empty() {
                return Err(table.problem(row, c, format!("the `{name}` cell is empty")));
            }
        }
        let done = table.date(row, completed, zone)?;
        let cancelled = table.date(row, canceled, zone)?.is_some();
        let status_text = row.cell(status);
        Ok(WorkItem {
            id: id_text.to_string(),
            team: team_text.to_string(),
            title: row.cell(title).to_string(),
            item_type: String::new(),
            labels: split_labels(row.cell(labels)),
            status: status_text.to_string(),
            created: table.date(row, created, zone)?,
            started: table.date(row, started, zone)?,
            done,
            state: state(done, status_text, cancelled),
            bucket: None,
            estimate: table.estimate(row, estimate, 1.0)?,
            source: table.source(row),
        })
    })?;
    Ok((rows, estimate.map(|_| "Estimate".to_string())))
}
