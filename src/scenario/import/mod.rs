//! Work-item exports read into typed items: a generic CSV, Jira's and Linear's CSV exports
//! and GitHub issues as JSON, told apart by their header row (or a JSON array), each read by
//! its own file over the shared reading of `source.rs` (limits, encodings, line numbers) and
//! `table.rs` (CSV rows and the checks that no row is lost). Errors name the file, line and
//! column, and the columns a format misses. Control characters in what the exports say
//! (names, titles, labels) are escaped as they are read, so that nothing the import prints or
//! writes carries them. Buckets come from [`rules`]; counting the items is
//! `model::history`'s business. Incident exports are read by [`incidents`], the plan to
//! compare with by [`plan`].

pub mod calibrated;
mod dates;
mod generic;
mod github;
pub mod headcount;
pub mod incidents;
mod jira;
mod linear;
pub mod plan;
pub mod priors;
pub mod rules;
pub mod scenario_file;
pub mod size;
mod source;
mod table;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use jiff::tz::TimeZone;

use crate::model::Date;
use crate::model::history::{ItemState, WorkItem};
use crate::scenario::escape_control;
use crate::scenario::limits::MAX_HISTORY_ROWS;

pub use dates::parse_time_zone;
pub use rules::Rules;
use table::Table;

/// Why an export (or a rules file) could not be read: where, what, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportProblem {
    /// The file's path, or `--rule <flag>` for a bad flag.
    pub file: String,
    /// The line, from 1; `None` when the problem is not on one line (the whole file, a flag).
    pub line: Option<usize>,
    /// The column, from 1: a CSV row's cell, the place in a JSON or TOML line, or the
    /// character of a byte that is not text; `None` when the problem is not at one place in
    /// the line.
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

/// Characters of a cell (or a column's name) a message quotes at most.
const QUOTED_CHARS: usize = 60;
/// Characters of a message, or of a line of its help, shown at most: whatever it quotes, a
/// message stays a few lines long.
const MESSAGE_CHARS: usize = 1_000;

/// `text` cut to `max` characters, with `…` where it was cut.
fn clipped(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((at, _)) => Cow::Owned(format!("{}…", &text[..at])),
        None => Cow::Borrowed(text),
    }
}

/// A cell, a name or an id, as a message or a table on the terminal quotes it: at most
/// 60 characters of it.
pub fn quoted_cell(text: &str) -> Cow<'_, str> {
    clipped(text, QUOTED_CHARS)
}

/// The problem as a terminal shows it, with the control characters of the file's name and of
/// the cells it quotes escaped, and its message and help cut to 1,000 characters a line.
impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |text: &str| escape_control(&clipped(text, MESSAGE_CHARS)).into_owned();
        write!(f, "{}", shown(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", shown(&self.message))?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: ")?;
            for (k, line) in help.lines().enumerate() {
                let gap = if k == 0 { "" } else { "\n    " };
                write!(f, "{gap}{}", shown(line))?;
            }
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

/// One export as read.
#[derive(Clone, Debug)]
pub struct Export {
    /// Its format.
    pub format: ExportFormat,
    /// Its items, in the order of its rows.
    pub items: Vec<WorkItem>,
    /// The first and last line of each row whose cells (those the import reads) hold line
    /// breaks: the mark of a quote that swallowed rows, unless the export writes such cells.
    pub broken_rows: Vec<(usize, usize)>,
    /// Pull requests in a GitHub export, left out: they are not issues.
    pub pull_requests: usize,
    /// The column estimates were read from, if the export has one.
    pub estimate: Option<String>,
}

/// An item met a second time (same team and id), in the same file or a later one: the later
/// row is the one kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repeat {
    /// The item's id.
    pub id: String,
    /// Where it was first met, `file:line`.
    pub first: String,
    /// Where it was met again, `file:line`.
    pub again: String,
    /// Whether both rows are in the same file (a mistake of the export, not an overlap of
    /// two exports).
    pub same_file: bool,
}

/// The items of one or more exports.
#[derive(Clone, Debug, Default)]
pub struct Exports {
    /// Every item read, one per team and id, in the order first met.
    pub items: Vec<WorkItem>,
    /// Each file and its format.
    pub files: Vec<(String, ExportFormat)>,
    /// Items met again (same team and id): the later row is kept.
    pub repeats: Vec<Repeat>,
    /// Rows whose cells (those the import reads) hold line breaks, as `file:first–last`.
    pub multi_line_rows: Vec<String>,
    /// Pull requests in GitHub exports, left out.
    pub pull_requests: usize,
    /// Per export with estimates: `column in file`.
    pub estimates: Vec<String>,
}

/// Reads every file, in order; a later row with the same team and id replaces an earlier one.
/// The files hold at most [`MAX_HISTORY_ROWS`] items in all.
pub fn read_all(paths: &[&Path], options: &ReadOptions) -> Result<Exports, ImportProblem> {
    let mut out = Exports::default();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for path in paths {
        let source::Opened { file, text, team } = source::open(path, options.team.as_ref())?;
        let export = read_text(&file, &text, &team, options)?;
        drop(text);
        out.files.push((file.clone(), export.format));
        if let Some(column) = &export.estimate {
            out.estimates.push(format!("{column} in {file}"));
        }
        out.pull_requests += export.pull_requests;
        out.multi_line_rows.extend(
            export
                .broken_rows
                .iter()
                .map(|(first, last)| format!("{file}:{first}–{last}")),
        );
        for item in export.items {
            let key = (item.team.clone(), item.id.clone());
            match seen.get(&key) {
                Some(&k) => {
                    let first = std::mem::replace(&mut out.items[k], item);
                    out.repeats.push(Repeat {
                        id: first.id,
                        same_file: first.source.rsplit_once(':').map(|(f, _)| f)
                            == Some(file.as_str()),
                        first: first.source,
                        again: out.items[k].source.clone(),
                    });
                }
                None => {
                    seen.insert(key, out.items.len());
                    out.items.push(item);
                }
            }
        }
        if out.items.len() > MAX_HISTORY_ROWS {
            return Err(ImportProblem {
                help: Some("import fewer or shorter exports at a time".into()),
                ..ImportProblem::file(
                    &file,
                    format!(
                        "the exports hold more than {MAX_HISTORY_ROWS} items in all, the most an \
                         import may have"
                    ),
                )
            });
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
) -> Result<Export, ImportProblem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut export = if source::starts_like_json(text.as_bytes()) {
        github::read(file, text, team, &options.zone)?
    } else {
        let table = Table::read(file, text)?;
        let format = detect(&table)?;
        let (rows, estimate) = match format {
            ExportFormat::Generic => generic::read(&table, team, &options.zone)?,
            ExportFormat::Jira => jira::read(&table, team, options)?,
            ExportFormat::Linear => linear::read(&table, &options.zone)?,
            ExportFormat::GitHub => unreachable!("JSON is detected above"),
        };
        Export {
            format,
            items: rows.items,
            broken_rows: rows.broken,
            pull_requests: 0,
            estimate,
        }
    };
    for item in &mut export.items {
        escape_item(item);
    }
    Ok(export)
}

/// Escapes the control characters of what an item's export says.
fn escape_item(item: &mut WorkItem) {
    let escape = |text: &mut String| *text = escaped(std::mem::take(text));
    for text in [
        &mut item.id,
        &mut item.team,
        &mut item.title,
        &mut item.item_type,
        &mut item.status,
        &mut item.source,
    ] {
        escape(text);
    }
    item.labels.iter_mut().for_each(escape);
}

/// `text` with its control characters escaped ([`escape_control`]), reusing it when it has
/// none.
fn escaped(text: String) -> String {
    match escape_control(&text) {
        Cow::Owned(escaped) => escaped,
        Cow::Borrowed(_) => text,
    }
}

/// The format of a CSV by its headers: Jira has `Issue key`, Linear `ID` and `Completed`,
/// the generic format `id` and `done`. Anything else is an error naming the columns the
/// closest format misses.
fn detect(table: &Table) -> Result<ExportFormat, ImportProblem> {
    let has = |name: &str| table.has(name);
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

/// Column names as a message lists them: each quoted and cut, at most 30 of them.
fn quoted(names: &[&str]) -> String {
    let mut list = names
        .iter()
        .take(30)
        .map(|n| format!("`{}`", quoted_cell(n)))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 30 {
        list.push_str(&format!(" and {} more", names.len() - 30));
    }
    list
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
