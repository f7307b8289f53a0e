//! Work-item exports read into typed items: a generic CSV, Jira's and Linear's CSV exports
//! and GitHub issues as JSON, told apart by their header row (or a JSON array), each read by
//! its own file. Errors name the file, line and column, and the columns a format misses.
//! Buckets come from [`rules`]; counting the items is `model::history`'s business.

mod dates;
mod generic;
mod github;
mod jira;
mod linear;
pub mod rules;
pub mod scenario_file;

use std::fmt;
use std::path::Path;

use jiff::tz::TimeZone;

use crate::model::Date;
use crate::model::history::{ItemState, WorkItem};

pub use dates::parse_time_zone;
pub use rules::Rules;

/// Why an export (or a rules file) could not be read: where, what, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportProblem {
    /// The file's path, or `--rule <flag>` for a bad flag.
    pub file: String,
    /// The line, from 1; `None` when the problem is not on one line (the whole file, a flag).
    pub line: Option<usize>,
    /// The column, from 1: a CSV row's field, or the place in a JSON or TOML line; `None` when
    /// the problem is not at one place in the line.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when there is advice.
    pub help: Option<String>,
}

impl ImportProblem {
    /// A problem with a whole file.
    pub fn file(file: &str, message: impl Into<String>) -> ImportProblem {
        ImportProblem {
            file: file.to_string(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
        }
    }
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportProblem {}

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// The generic CSV, told by its `id` and `done` columns; it must also have `created`.
    Generic,
    /// A Jira CSV export, told by its `Issue key` column.
    Jira,
    /// A Linear CSV export, told by its `ID` and `Completed` columns.
    Linear,
    /// GitHub issues as a JSON array, as `gh issue list --json` writes them.
    GitHub,
}

impl ExportFormat {
    /// The name users see.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Generic => "generic CSV",
            ExportFormat::Jira => "Jira CSV",
            ExportFormat::Linear => "Linear CSV",
            ExportFormat::GitHub => "GitHub issues JSON",
        }
    }

    /// The columns a CSV of this format must have.
    fn required(self) -> &'static [&'static str] {
        match self {
            ExportFormat::Generic => generic::REQUIRED,
            ExportFormat::Jira => jira::REQUIRED,
            ExportFormat::Linear => linear::REQUIRED,
            ExportFormat::GitHub => &[],
        }
    }
}

/// How exports are read.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Items' days are counted in this time zone (timestamps with an offset are converted).
    pub zone: TimeZone,
    /// The team of items whose export names none (default: the file's name).
    pub team: Option<String>,
    /// Columns the rules file renames.
    pub columns: rules::Columns,
}

/// The items of one or more exports.
#[derive(Clone, Debug, Default)]
pub struct Exports {
    /// Every item read, one per team and id, in the order first met.
    pub items: Vec<WorkItem>,
    /// Each file and its format.
    pub files: Vec<(String, ExportFormat)>,
    /// Items met again in a later file (same team and id): the later row is kept.
    pub duplicates: usize,
}

/// Reads every file, in order; a later row with the same team and id replaces an earlier one.
pub fn read_all(paths: &[&Path], options: &ReadOptions) -> Result<Exports, ImportProblem> {
    let mut out = Exports::default();
    let mut seen: std::collections::HashMap<(String, String), usize> = Default::default();
    for path in paths {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ImportProblem::file(&file, format!("cannot read: {e}")))?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("team");
        let team = options.team.clone().unwrap_or_else(|| stem.to_string());
        let (format, items) = read_text(&file, &text, &team, options)?;
        out.files.push((file, format));
        for item in items {
            let key = (item.team.clone(), item.id.clone());
            match seen.get(&key) {
                Some(&k) => {
                    out.items[k] = item;
                    out.duplicates += 1;
                }
                None => {
                    seen.insert(key, out.items.len());
                    out.items.push(item);
                }
            }
        }
    }
    Ok(out)
}

/// Reads one export's text, detecting its format; `team` for items whose export names none.
pub fn read_text(
    file: &str,
    text: &str,
    team: &str,
    options: &ReadOptions,
) -> Result<(ExportFormat, Vec<WorkItem>), ImportProblem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('[') || text.trim_start().starts_with('{') {
        let items = github::read(file, text, team, &options.zone)?;
        return Ok((ExportFormat::GitHub, items));
    }
    let table = Table::read(file, text)?;
    let format = detect(&table)?;
    let items = match format {
        ExportFormat::Generic => generic::read(&table, team, &options.zone)?,
        ExportFormat::Jira => jira::read(&table, team, options)?,
        ExportFormat::Linear => linear::read(&table, &options.zone)?,
        ExportFormat::GitHub => unreachable!("JSON is detected above"),
    };
    Ok((format, items))
}

/// The format of a CSV by its headers: Jira has `Issue key`, Linear `ID` and `Completed`,
/// the generic format `id` and `done`. Anything else is an error naming the columns the
/// closest format misses.
fn detect(table: &Table) -> Result<ExportFormat, ImportProblem> {
    let has = |name: &str| table.column(name).is_some();
    let candidates = [
        ExportFormat::Jira,
        ExportFormat::Linear,
        ExportFormat::Generic,
    ];
    let format = if has("Issue key") {
        Some(ExportFormat::Jira)
    } else if has("ID") && has("Completed") {
        Some(ExportFormat::Linear)
    } else if has("id") && has("done") {
        Some(ExportFormat::Generic)
    } else {
        None
    };
    let missing = |f: ExportFormat| -> Vec<&str> {
        f.required().iter().copied().filter(|c| !has(c)).collect()
    };
    let format = match format {
        Some(f) => f,
        None => {
            let closest = candidates
                .into_iter()
                .min_by_key(|&f| missing(f).len())
                .unwrap_or(ExportFormat::Generic);
            return Err(ImportProblem {
                file: table.file.clone(),
                line: Some(1),
                column: None,
                message: format!(
                    "the header row is not one of a known export: the closest, the {} format, misses the column(s) {}",
                    closest.name(),
                    quoted(&missing(closest))
                ),
                help: Some(format!(
                    "found the columns {}; the generic format needs {} (and may have team, type, labels, started, title, status, cancelled); Jira needs {}; Linear needs {}; GitHub issues come as JSON from `gh issue list --state all --json number,title,labels,createdAt,closedAt`",
                    quoted(&table.headers.iter().map(String::as_str).collect::<Vec<_>>()),
                    quoted(generic::REQUIRED),
                    quoted(jira::REQUIRED),
                    quoted(linear::REQUIRED),
                )),
            });
        }
    };
    let gaps = missing(format);
    if !gaps.is_empty() {
        return Err(ImportProblem {
            file: table.file.clone(),
            line: Some(1),
            column: None,
            message: format!(
                "looks like a {} export but misses the column(s) {}",
                format.name(),
                quoted(&gaps)
            ),
            help: Some(format!(
                "a {} export needs {}",
                format.name(),
                quoted(format.required())
            )),
        });
    }
    Ok(format)
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A CSV file: its header row and data rows (with their line numbers).
pub(crate) struct Table {
    file: String,
    headers: Vec<String>,
    rows: Vec<(usize, csv::StringRecord)>,
}

impl Table {
    fn read(file: &str, text: &str) -> Result<Table, ImportProblem> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| ImportProblem::file(file, format!("not readable as CSV: {e}")))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if headers.iter().all(String::is_empty) {
            return Err(ImportProblem::file(
                file,
                "the file is empty: expected a header row",
            ));
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line() as usize);
                ImportProblem {
                    file: file.to_string(),
                    line,
                    column: None,
                    message: format!("not readable as CSV: {e}"),
                    help: Some("check the quoting of this row".into()),
                }
            })?;
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let line = record.position().map_or(0, |p| p.line() as usize);
            rows.push((line, record));
        }
        Ok(Table {
            file: file.to_string(),
            headers,
            rows,
        })
    }

    /// The index of the column called `name` (ignoring case), the first of repeated ones.
    fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// The indices of every column called `name` (Jira repeats `Labels`).
    fn columns(&self, name: &str) -> Vec<usize> {
        (0..self.headers.len())
            .filter(|&i| self.headers[i].eq_ignore_ascii_case(name))
            .collect()
    }

    /// The trimmed cell of `row` in column `col` ("" when absent).
    fn cell(row: &csv::StringRecord, col: Option<usize>) -> &str {
        col.and_then(|c| row.get(c)).map_or("", str::trim)
    }

    /// The day in column `col` of the row at `line`, or an error naming line and column.
    fn date(
        &self,
        line: usize,
        row: &csv::StringRecord,
        col: Option<usize>,
        zone: &TimeZone,
    ) -> Result<Option<Date>, ImportProblem> {
        let Some(c) = col else {
            return Ok(None);
        };
        dates::local_date(Table::cell(row, Some(c)), zone).map_err(|why| ImportProblem {
            file: self.file.clone(),
            line: Some(line),
            column: Some(c + 1),
            message: format!("column `{}`: {why}", self.headers[c]),
            help: None,
        })
    }

    /// `file:line`.
    fn source(&self, line: usize) -> String {
        format!("{}:{line}", self.file)
    }
}

/// Statuses that mean the work is not finished (a done date with one of these means the
/// item was reopened).
const OPEN_STATUSES: &[&str] = &[
    "open",
    "to do",
    "todo",
    "backlog",
    "in progress",
    "in review",
    "in development",
    "selected for development",
    "new",
    "ready",
    "triage",
];

/// Statuses and resolutions that mean the item was dropped, not delivered.
const CANCELLED: &[&str] = &[
    "cancelled",
    "canceled",
    "won't do",
    "won't fix",
    "wont do",
    "wontfix",
    "duplicate",
    "cannot reproduce",
    "declined",
    "rejected",
    "obsolete",
    "abandoned",
    "not planned",
    "not a bug",
    "incomplete",
];

fn is_open_status(status: &str) -> bool {
    let s = status.trim().to_lowercase();
    s.contains("reopen") || OPEN_STATUSES.contains(&s.as_str())
}

fn is_cancelled(word: &str) -> bool {
    CANCELLED.contains(&word.trim().to_lowercase().as_str())
}

/// The state of an item from its done date, status and whether it was cancelled: cancelled
/// items are dropped; a done date with an open status means reopened; else done or open.
fn state(done: Option<Date>, status: &str, cancelled: bool) -> ItemState {
    if cancelled || is_cancelled(status) {
        ItemState::Cancelled
    } else if done.is_some() && is_open_status(status) {
        ItemState::Reopened
    } else if done.is_some() {
        ItemState::Done
    } else {
        ItemState::Open
    }
}

/// Labels of one cell, split on `,`, `;` or `|`.
fn split_labels(cell: &str) -> Vec<String> {
    cell.split([',', ';', '|'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}
