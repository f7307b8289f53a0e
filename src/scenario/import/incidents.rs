//! Incident exports read into [`Incident`]s: PagerDuty's CSV (told by an `incident_number` or
//! `Incident Number` column), Opsgenie's (told by `TinyId`) and a generic CSV with `id`,
//! `created` and optionally `team`, `resolved` and `severity`. Each format names the same
//! fields in its own words, tried in order; the files are read with the same limits, encodings
//! and line numbers as work-item exports, and a bad cell names its file, line and column.
//! This is the one reader of incidents: `fulcrum import --incidents` and a calibration read
//! them through [`read_all`].

use std::collections::HashMap;
use std::path::Path;

use crate::model::history::incidents::Incident;
use crate::scenario::limits::MAX_HISTORY_ROWS;

use super::table::{Row, Table};
use super::{ImportProblem, ReadOptions, dates, escaped, quoted, quoted_cell, source};

/// The incident export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncidentFormat {
    /// PagerDuty's incidents CSV.
    PagerDuty,
    /// Opsgenie's incidents or alerts CSV.
    Opsgenie,
    /// `id, team, created, resolved, severity`.
    Generic,
}

impl IncidentFormat {
    /// The name users see.
    pub fn name(self) -> &'static str {
        match self {
            IncidentFormat::PagerDuty => "PagerDuty CSV",
            IncidentFormat::Opsgenie => "Opsgenie CSV",
            IncidentFormat::Generic => "generic incidents CSV",
        }
    }

    /// The columns each field may be in, tried in order: id, team, created, resolved,
    /// seconds to resolve, severity.
    fn columns(self) -> Fields {
        match self {
            IncidentFormat::PagerDuty => Fields {
                id: &[
                    "id",
                    "Incident ID",
                    "incident_id",
                    "incident_number",
                    "Incident Number",
                ],
                team: &[
                    "team_name",
                    "Team Name",
                    "Team",
                    "teams",
                    "Teams",
                    "service_name",
                    "Service Name",
                    "Service",
                ],
                created: &[
                    "created_on",
                    "created_at",
                    "Created On",
                    "Created At",
                    "Created",
                ],
                resolved: &[
                    "resolved_on",
                    "resolved_at",
                    "Resolved On",
                    "Resolved At",
                    "Resolved",
                ],
                seconds: &["seconds_to_resolve", "Seconds to Resolve"],
                severity: &[
                    "priority_name",
                    "Priority",
                    "priority",
                    "urgency",
                    "Urgency",
                ],
            },
            IncidentFormat::Opsgenie => Fields {
                id: &["TinyId", "Tiny ID", "tinyId", "Id", "id"],
                team: &[
                    "OwnerTeam",
                    "Owner Team",
                    "ownerTeam",
                    "Teams",
                    "Team",
                    "Responders",
                ],
                created: &["CreatedAt", "Created At", "createdAt", "Created"],
                resolved: &[
                    "ResolvedAt",
                    "Resolved At",
                    "resolvedAt",
                    "ClosedAt",
                    "Closed At",
                    "closedAt",
                ],
                seconds: &[],
                severity: &["Priority", "priority"],
            },
            IncidentFormat::Generic => Fields {
                id: &["id"],
                team: &["team"],
                created: &["created"],
                resolved: &["resolved"],
                seconds: &[],
                severity: &["severity", "priority"],
            },
        }
    }
}

/// The column names of each field, tried in order.
struct Fields {
    id: &'static [&'static str],
    team: &'static [&'static str],
    created: &'static [&'static str],
    resolved: &'static [&'static str],
    seconds: &'static [&'static str],
    severity: &'static [&'static str],
}

/// The incidents of one or more exports.
#[derive(Clone, Debug, Default)]
pub struct IncidentExports {
    /// Every incident, one per team and id (a later row replaces an earlier one), in the order
    /// first met.
    pub incidents: Vec<Incident>,
    /// Each file and its format.
    pub files: Vec<(String, IncidentFormat)>,
    /// Incidents met again (same team and id): the later row is kept.
    pub repeats: usize,
    /// Incidents resolved before they were opened: kept in the counts, without a time to
    /// resolve.
    pub resolved_before_opened: usize,
}

/// Reads every incident export, in order; incidents whose export names no team get
/// `options.team`, else the file's name.
pub fn read_all(paths: &[&Path], options: &ReadOptions) -> Result<IncidentExports, ImportProblem> {
    let mut out = IncidentExports::default();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for path in paths {
        let source::Opened { file, text, team } = source::open(path, options.team.as_ref())?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let table = Table::read(&file, text)?;
        let format = detect(&table)?;
        let (incidents, backwards) = read_table(&table, format, &escaped(team), options)?;
        out.files.push((file, format));
        out.resolved_before_opened += backwards;
        for incident in incidents {
            let key = (incident.team.clone(), incident.id.clone());
            match seen.get(&key) {
                Some(&k) => {
                    out.incidents[k] = incident;
                    out.repeats += 1;
                }
                None => {
                    seen.insert(key, out.incidents.len());
                    out.incidents.push(incident);
                }
            }
        }
        if out.incidents.len() > MAX_HISTORY_ROWS {
            return Err(ImportProblem::file(
                &out.files[out.files.len() - 1].0,
                format!(
                    "the incident exports hold more than {MAX_HISTORY_ROWS} incidents in all, the \
                     most an import may have"
                ),
            ));
        }
    }
    Ok(out)
}

/// The format of an incident CSV by its header row.
fn detect(table: &Table) -> Result<IncidentFormat, ImportProblem> {
    let any = |names: &[&str]| names.iter().any(|n| table.has(n));
    if any(&["incident_number", "Incident Number"]) {
        return Ok(IncidentFormat::PagerDuty);
    }
    if any(&["TinyId", "Tiny ID", "tinyId"]) {
        return Ok(IncidentFormat::Opsgenie);
    }
    if table.has("id") && table.has("created") && !table.has("done") {
        return Ok(IncidentFormat::Generic);
    }
    let headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    Err(ImportProblem {
        file: table.file.clone(),
        line: Some(1),
        column: None,
        message: "the header row is not one of a known incident export".into(),
        help: Some(format!(
            "found the columns {}; PagerDuty's CSV has `incident_number` (or `Incident Number`) \
             and `created_on`; Opsgenie's has `TinyId` and `CreatedAt`; the generic incidents \
             CSV has `id` and `created`, and may have `team`, `resolved` and `severity` (and no \
             `done`: that is a work-item export, given as FILE, not --incidents)",
            quoted(&headers)
        )),
    })
}

/// The first column of `names` the table has.
fn first(table: &Table, names: &[&str]) -> Result<Option<usize>, ImportProblem> {
    Ok(table.first_of(names)?.map(|(c, _)| c))
}

/// Reads the incidents of one table, and counts those resolved before they were opened.
fn read_table(
    table: &Table,
    format: IncidentFormat,
    team: &str,
    options: &ReadOptions,
) -> Result<(Vec<Incident>, usize), ImportProblem> {
    let fields = format.columns();
    let missing = |what: &str, names: &[&str]| ImportProblem {
        file: table.file.clone(),
        line: Some(1),
        column: None,
        message: format!("a {} export needs a {what} column", format.name()),
        help: Some(format!("one of {}", quoted(names))),
    };
    let id = first(table, fields.id)?.ok_or_else(|| missing("id", fields.id))?;
    let created =
        first(table, fields.created)?.ok_or_else(|| missing("created", fields.created))?;
    let team_col = first(table, fields.team)?;
    let resolved = first(table, fields.resolved)?;
    let seconds = first(table, fields.seconds)?;
    let severity = first(table, fields.severity)?;
    let mut backwards = 0;
    let rows = table.rows(|row| {
        let id_text = row.cell(Some(id));
        if id_text.is_empty() {
            return Err(table.problem(row, Some(id), "the id cell is empty".into()));
        }
        let moment =
            |col: Option<usize>| -> Result<Option<(crate::model::Date, i64)>, ImportProblem> {
                let Some(c) = col else { return Ok(None) };
                dates::local_moment(row.cell(Some(c)), &options.zone).map_err(|why| {
                    table.problem(
                        row,
                        Some(c),
                        format!("column `{}`: {why}", quoted_cell(&table.headers[c])),
                    )
                })
            };
        let Some((day, opened)) = moment(Some(created))? else {
            return Err(table.problem(
                row,
                Some(created),
                "the incident has no creation time".into(),
            ));
        };
        let hours = match moment(resolved)? {
            Some((_, closed)) => Some((closed - opened) as f64 / 3600.0),
            None => resolve_seconds(table, row, seconds)?.map(|s| s / 3600.0),
        };
        let hours = match hours {
            Some(h) if h < 0.0 => {
                backwards += 1;
                None
            }
            h => h,
        };
        Ok(Incident {
            id: escaped(id_text.to_string()),
            team: escaped(first_team(row.cell(team_col)).unwrap_or(team).to_string()),
            created: day,
            resolve_hours: hours,
            severity: escaped(row.cell(severity).to_string()),
            source: table.source(row),
        })
    })?;
    Ok((rows.items, backwards))
}

/// The first team of a cell that may list several (`Payments, Search`).
fn first_team(cell: &str) -> Option<&str> {
    cell.split([',', ';', '|'])
        .map(str::trim)
        .find(|t| !t.is_empty())
}

/// A seconds-to-resolve cell, when the export gives no resolution time.
fn resolve_seconds(
    table: &Table,
    row: &Row,
    col: Option<usize>,
) -> Result<Option<f64>, ImportProblem> {
    let text = row.cell(col);
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => Ok(Some(s)),
        _ => Err(table.problem(
            row,
            col,
            format!("`{}` is not a number of seconds", quoted_cell(text)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    fn options() -> ReadOptions {
        ReadOptions {
            zone: TimeZone::UTC,
            team: None,
            columns: Default::default(),
        }
    }

    fn read(text: &str) -> Result<(Vec<Incident>, IncidentFormat), ImportProblem> {
        let table = Table::read("i.csv", text)?;
        let format = detect(&table)?;
        Ok((read_table(&table, format, "ops", &options())?.0, format))
    }

    #[test]
    fn each_format_is_told_by_its_header_row() {
        let (pd, format) = read(
            "incident_number,title,urgency,service_name,team_name,created_on,resolved_on\n\
             101,DB down,high,db,Payments,2027-01-04T10:00:00Z,2027-01-04T13:30:00Z\n\
             102,Slow,low,web,,2027-01-05T10:00:00Z,\n",
        )
        .unwrap();
        assert_eq!(format, IncidentFormat::PagerDuty);
        assert_eq!(pd[0].resolve_hours, Some(3.5));
        assert_eq!(
            (pd[0].team.as_str(), pd[0].severity.as_str()),
            ("Payments", "high")
        );
        assert_eq!(pd[1].team, "ops", "no team: the import's");
        assert_eq!(pd[1].resolve_hours, None, "open");
        let (og, format) = read(
            "TinyId,Message,Status,Priority,CreatedAt,ClosedAt,Teams\n\
             7,Disk full,closed,P2,1799056800000,1799064000000,\"Search, Web\"\n",
        )
        .unwrap();
        assert_eq!(format, IncidentFormat::Opsgenie);
        assert_eq!(og[0].resolve_hours, Some(2.0));
        assert_eq!(
            (og[0].team.as_str(), og[0].severity.as_str()),
            ("Search", "P2")
        );
        let (plain, format) =
            read("id,created,resolved\nA,2027-01-04 10:00,2027-01-05 10:00\n").unwrap();
        assert_eq!(format, IncidentFormat::Generic);
        assert_eq!(plain[0].resolve_hours, Some(24.0));
    }

    #[test]
    fn bad_incident_exports_say_where_and_what() {
        let e = read("id,done\n1,2027-01-04\n").unwrap_err();
        assert!(
            e.to_string().contains("not one of a known incident export"),
            "{e}"
        );
        let e = read("id,created\n1,tomorrow\n").unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(2)), "{e}");
        assert!(e.to_string().contains("not a date and time"), "{e}");
        let e = read("incident_number,title\n1,x\n").unwrap_err();
        assert!(e.to_string().contains("needs a created column"), "{e}");
    }
}
