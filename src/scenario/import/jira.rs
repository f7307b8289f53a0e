//! Jira's CSV export (Filters → Export → CSV): `Issue key`, `Issue Type`, `Status`,
//! `Created` and `Resolved` required; `Summary`, `Resolution`, repeated `Labels` columns,
//! `Project name`/`Project key` and `Custom field (...)` columns used where present; `Sprint`
//! and the rest ignored. Dates as Jira writes them (`30/Jul/18 23:33`, `30/Jul/18 11:33 PM`)
//! are the exporter's local time, taken as written; ISO timestamps are also read.
//!
//! The team is the rules file's `[columns] team`, else `Custom field (Team)`, else the
//! project's name or key. The start date is `[columns] started`, else
//! `Custom field (Start date)` when present. The estimate is `[columns] points`, else the
//! story points (`Custom field (Story Points)`, `Custom field (Story point estimate)`), else
//! `Original Estimate` (Jira writes seconds: read as hours).

use crate::model::history::{ItemState, WorkItem};

use super::table::{Rows, Table};
use super::{ImportProblem, ReadOptions, is_cancelled, quoted_cell, state};

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
            Some(n) => col(n)?.map(Some).ok_or_else(|| ImportProblem {
                file: table.file.clone(),
                line: Some(1),
                column: None,
                message: format!(
                    "the rules file says the {what} is in column `{}`, which this export lacks",
                    quoted_cell(n)
                ),
                help: Some(
                    "check [columns] in the rules file against the export's header row".into(),
                ),
            }),
        }
    };
    let team = match named(&options.columns.team, "team")? {
        Some(c) => vec![c],
        None => {
            let mut found = Vec::new();
            for name in ["Custom field (Team)", "Project name", "Project key"] {
                found.extend(col(name)?);
            }
            found
        }
    };
    let started = match named(&options.columns.started, "start date")? {
        Some(c) => Some(c),
        None => col("Custom field (Start date)")?,
    };
    Ok((team, started))
}

/// The story-point columns of a Jira export, the first present read.
const STORY_POINTS: &[&str] = &[
    "Custom field (Story Points)",
    "Custom field (Story point estimate)",
    "Story Points",
    "Story point estimate",
];

/// The estimate's column, as (index, name shown, divisor that makes its unit): the rules
/// file's `[columns] points`, else story points, else `Original Estimate` in hours.
fn estimate_column(
    table: &Table,
    options: &ReadOptions,
) -> Result<Option<(usize, String, f64)>, ImportProblem> {
    if let Some(name) = &options.columns.points {
        let c = table.column(name)?.ok_or_else(|| ImportProblem {
            file: table.file.clone(),
            line: Some(1),
            column: None,
            message: format!(
                "the rules file says the estimate is in column `{}`, which this export lacks",
                quoted_cell(name)
            ),
            help: Some("check [columns] in the rules file against the export's header row".into()),
        })?;
        return Ok(Some((c, table.headers[c].clone(), 1.0)));
    }
    if let Some((c, name)) = table.first_of(STORY_POINTS)? {
        return Ok(Some((c, name, 1.0)));
    }
    Ok(table
        .column("Original Estimate")?
        .map(|c| (c, "Original Estimate (hours)".to_string(), 3600.0)))
}

pub(super) fn read(
    table: &Table,
    team: &str,
    options: &ReadOptions,
) -> Result<(Rows<WorkItem>, Option<String>), ImportProblem> {
    let col = |name: &str| table.column(name);
    let (team_cols, started) = team_and_start(table, options)?;
    let estimate = estimate_column(table, options)?;
    let (estimate_col, per_unit) = estimate.as_ref().map_or((None, 1.0), |e| (Some(e.0), e.2));
    let (key, kind, status) = (col("Issue key")?, col("Issue Type")?, col("Status")?);
    let (created, resolved) = (col("Created")?, col("Resolved")?);
    let (resolution, summary) = (col("Resolution")?, col("Summary")?);
    let label_cols = table.columns("Labels");
    let zone = &options.zone;
    let rows = table.rows(|row| {
        let id = row.cell(key);
        if id.is_empty() {
            return Err(table.problem(row, key, "the `Issue key` cell is empty".into()));
        }
        let status_text = row.cell(status);
        let done = table.date(row, resolved, zone)?;
        let resolution_text = row.cell(resolution);
        let mut item_state = state(done, status_text, is_cancelled(resolution_text));
        // Jira clears the resolution when an issue is reopened, but a workflow may keep the
        // resolved date: a date without a resolution is a reopened issue.
        if resolution.is_some()
            && done.is_some()
            && item_state == ItemState::Done
            && (resolution_text.is_empty() || resolution_text.eq_ignore_ascii_case("unresolved"))
        {
            item_state = ItemState::Reopened;
        }
        // Every team column is read (so that each is checked), the first non-empty one used.
        let teams: Vec<&str> = team_cols.iter().map(|&c| row.cell(Some(c))).collect();
        let team_text = teams.into_iter().find(|t| !t.is_empty()).unwrap_or(team);
        Ok(WorkItem {
            id: id.to_string(),
            team: team_text.to_string(),
            title: row.cell(summary).to_string(),
            item_type: row.cell(kind).to_string(),
            labels: label_cols
                .iter()
                .map(|&c| row.cell(Some(c)))
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            status: status_text.to_string(),
            created: table.date(row, created, zone)?,
            started: table.date(row, started, zone)?,
            done,
            state: item_state,
            bucket: None,
            estimate: table.estimate(row, estimate_col, per_unit)?,
            source: table.source(row),
        })
    })?;
    Ok((rows, estimate.map(|e| e.1)))
}
