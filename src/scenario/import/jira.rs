//! Jira's CSV export (Filters → Export → CSV): `Issue key`, `Issue Type`, `Status`,
//! `Created` and `Resolved` required; `Summary`, `Resolution`, repeated `Labels` columns,
//! `Project name`/`Project key` and `Custom field (...)` columns used where present; `Sprint`
//! and the rest ignored. Dates as Jira writes them (`30/Jul/18 23:33`, `30/Jul/18 11:33 PM`)
//! are the exporter's local time, taken as written; ISO timestamps are also read.
//!
//! The team is the rules file's `[columns] team`, else `Custom field (Team)`, else the
//! project's name or key. The start date is `[columns] started`, else
//! `Custom field (Start date)` when present.

use crate::model::history::WorkItem;

use super::{ImportProblem, ReadOptions, Table, is_cancelled, state};

/// The columns a Jira export must have.
pub(super) const REQUIRED: &[&str] = &["Issue key", "Issue Type", "Status", "Created", "Resolved"];

/// The columns holding the team (tried in order) and the start date: the rules file's
/// `[columns]`, else Jira's usual ones.
fn team_and_start(
    table: &Table,
    options: &ReadOptions,
) -> Result<(Vec<usize>, Option<usize>), ImportProblem> {
    let col = |name: &str| table.column(name);
    let named = |name: &Option<String>, what: &str| -> Result<Option<usize>, ImportProblem> {
        match name {
            None => Ok(None),
            Some(n) => col(n).map(Some).ok_or_else(|| ImportProblem {
                file: table.file.clone(),
                line: Some(1),
                column: None,
                message: format!(
                    "the rules file says the {what} is in column `{n}`, which this export lacks"
                ),
                help: Some(
                    "check [columns] in the rules file against the export's header row".into(),
                ),
            }),
        }
    };
    let team = match named(&options.columns.team, "team")? {
        Some(c) => vec![c],
        None => ["Custom field (Team)", "Project name", "Project key"]
            .iter()
            .filter_map(|n| col(n))
            .collect(),
    };
    let started = match named(&options.columns.started, "start date")? {
        Some(c) => Some(c),
        None => col("Custom field (Start date)"),
    };
    Ok((team, started))
}

pub(super) fn read(
    table: &Table,
    team: &str,
    options: &ReadOptions,
) -> Result<Vec<WorkItem>, ImportProblem> {
    let col = |name: &str| table.column(name);
    let (team_cols, started) = team_and_start(table, options)?;
    let (key, kind, status) = (col("Issue key"), col("Issue Type"), col("Status"));
    let (created, resolved, resolution) = (col("Created"), col("Resolved"), col("Resolution"));
    let summary = col("Summary");
    let label_cols = table.columns("Labels");
    let zone = &options.zone;
    let mut items = Vec::with_capacity(table.rows.len());
    for (line, row) in &table.rows {
        let line = *line;
        let id = Table::cell(row, key);
        if id.is_empty() {
            return Err(ImportProblem {
                file: table.file.clone(),
                line: Some(line),
                column: key.map(|c| c + 1),
                message: "the `Issue key` cell is empty".into(),
                help: None,
            });
        }
        let status_text = Table::cell(row, status);
        let done = table.date(line, row, resolved, zone)?;
        let resolution_text = Table::cell(row, resolution);
        let mut item_state = state(done, status_text, is_cancelled(resolution_text));
        // Jira clears the resolution when an issue is reopened, but a workflow may keep the
        // resolved date: a date without a resolution is a reopened issue.
        if resolution.is_some()
            && done.is_some()
            && item_state == crate::model::history::ItemState::Done
            && (resolution_text.is_empty() || resolution_text.eq_ignore_ascii_case("unresolved"))
        {
            item_state = crate::model::history::ItemState::Reopened;
        }
        let team_text = team_cols
            .iter()
            .map(|&c| Table::cell(row, Some(c)))
            .find(|t| !t.is_empty())
            .unwrap_or(team);
        items.push(WorkItem {
            id: id.to_string(),
            team: team_text.to_string(),
            title: Table::cell(row, summary).to_string(),
            item_type: Table::cell(row, kind).to_string(),
            labels: label_cols
                .iter()
                .map(|&c| Table::cell(row, Some(c)))
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            status: status_text.to_string(),
            created: table.date(line, row, created, zone)?,
            started: table.date(line, row, started, zone)?,
            done,
            state: item_state,
            bucket: None,
            source: table.source(line),
        });
    }
    Ok(items)
}
