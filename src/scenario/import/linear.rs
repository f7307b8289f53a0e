//! Linear's CSV export (Settings → Import/export → Export CSV): `ID`, `Team`, `Created` and
//! `Completed` required; `Title`, `Status`, `Labels` (comma-separated in one cell),
//! `Started` and `Canceled` used where present. Timestamps are ISO 8601 in UTC, converted to
//! the chosen time zone.

use jiff::tz::TimeZone;

use crate::model::history::WorkItem;

use super::{ImportProblem, Table, split_labels, state};

/// The columns a Linear export must have.
pub(super) const REQUIRED: &[&str] = &["ID", "Team", "Created", "Completed"];

pub(super) fn read(table: &Table, zone: &TimeZone) -> Result<Vec<WorkItem>, ImportProblem> {
    let col = |name: &str| table.column(name);
    let (id, team, title, status) = (col("ID"), col("Team"), col("Title"), col("Status"));
    let (labels, created, started) = (col("Labels"), col("Created"), col("Started"));
    let (completed, canceled) = (col("Completed"), col("Canceled"));
    let mut items = Vec::with_capacity(table.rows.len());
    for (line, row) in &table.rows {
        let line = *line;
        let id_text = Table::cell(row, id);
        let team_text = Table::cell(row, team);
        for (text, c, name) in [(id_text, id, "ID"), (team_text, team, "Team")] {
            if text.is_empty() {
                return Err(ImportProblem {
                    file: table.file.clone(),
                    line: Some(line),
                    column: c.map(|c| c + 1),
                    message: format!("the `{name}` cell is empty"),
                    help: None,
                });
            }
        }
        let done = table.date(line, row, completed, zone)?;
        let cancelled = table.date(line, row, canceled, zone)?.is_some();
        let status_text = Table::cell(row, status);
        items.push(WorkItem {
            id: id_text.to_string(),
            team: team_text.to_string(),
            title: Table::cell(row, title).to_string(),
            item_type: String::new(),
            labels: split_labels(Table::cell(row, labels)),
            status: status_text.to_string(),
            created: table.date(line, row, created, zone)?,
            started: table.date(line, row, started, zone)?,
            done,
            state: state(done, status_text, cancelled),
            bucket: None,
            source: table.source(line),
        });
    }
    Ok(items)
}
