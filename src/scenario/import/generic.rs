//! The generic CSV: `id, team, type, labels, created, started, done` in any order (`id`,
//! `created` and `done` required), optionally `title`, `status` and `cancelled`; other
//! columns are ignored. Labels are separated by `,`, `;` or `|`.

use jiff::tz::TimeZone;

use crate::model::history::WorkItem;

use super::{ImportProblem, Table, split_labels, state};

/// The columns a generic CSV must have.
pub(super) const REQUIRED: &[&str] = &["id", "created", "done"];

pub(super) fn read(
    table: &Table,
    team: &str,
    zone: &TimeZone,
) -> Result<Vec<WorkItem>, ImportProblem> {
    let col = |name: &str| table.column(name);
    let (id, team_col, kind, labels) = (col("id"), col("team"), col("type"), col("labels"));
    let (created, started, done) = (col("created"), col("started"), col("done"));
    let (title, status) = (col("title"), col("status"));
    let cancelled = col("cancelled").or_else(|| col("canceled"));
    let mut items = Vec::with_capacity(table.rows.len());
    for (line, row) in &table.rows {
        let line = *line;
        let id_text = Table::cell(row, id);
        if id_text.is_empty() {
            return Err(ImportProblem {
                file: table.file.clone(),
                line: Some(line),
                column: id.map(|c| c + 1),
                message: "the `id` cell is empty".into(),
                help: Some("every row needs an id".into()),
            });
        }
        let done_date = table.date(line, row, done, zone)?;
        let status_text = Table::cell(row, status);
        // `cancelled` holds a date or a flag such as `yes`/`true`; empty, `no` or `false` is not.
        let cancel_cell = Table::cell(row, cancelled).to_lowercase();
        let is_cancelled = !(cancel_cell.is_empty()
            || cancel_cell == "no"
            || cancel_cell == "false"
            || cancel_cell == "0");
        let team_text = Table::cell(row, team_col);
        items.push(WorkItem {
            id: id_text.to_string(),
            team: if team_text.is_empty() {
                team.to_string()
            } else {
                team_text.to_string()
            },
            title: Table::cell(row, title).to_string(),
            item_type: Table::cell(row, kind).to_string(),
            labels: split_labels(Table::cell(row, labels)),
            status: status_text.to_string(),
            created: table.date(line, row, created, zone)?,
            started: table.date(line, row, started, zone)?,
            done: done_date,
            state: state(done_date, status_text, is_cancelled),
            bucket: None,
            source: table.source(line),
        });
    }
    Ok(items)
}
