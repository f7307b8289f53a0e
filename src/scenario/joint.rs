//! `[debt] posterior = "FILE"`: the joint draws of every team's parameters, read from a CSV
//! (the `posterior.csv` that `fulcrum calibrate` writes) once the scenario is compiled, and
//! held by each team as [`JointDraws`]: each trial takes one row of a team's draws whole.
//!
//! The file: a header row naming `team`, optionally `draw` (ignored), and at least one
//! parameter column named as [`Parameter::name`] names it; every column but `team` and `draw`
//! is optional. Every team of the scenario must have rows; rows of other teams are left out
//! with a warning. A parameter the file holds is the file's alone: setting it in `[debt]`,
//! `[incidents]` or a team's section as well is an error naming both places, except `cost`
//! (whose `[incidents]` distribution keeps giving the spread of one incident's cost, scaled to
//! the row's mean) and `throughput`, which sets the mean of a `capacity` team's capacity draw
//! (and `throughput_cv` its coefficient of variation, for a `normal` capacity).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::{JointDraws, Parameter, Scenario, Workforce};

use super::compile::names::nfc;
use super::document::Node;
use super::fields::Bound;
use super::fields::Quantity::{Days, Incidents, Interest, Ratio, Sensitivity};
use super::limits::{self, MAX_HISTORY_BYTES};
use super::problem::{Problem, SourceId, Sources, Span, did_you_mean};

/// At most this many problems are reported about one file's cells.
const MAX_CELL_PROBLEMS: usize = 12;

/// The bound a parameter's values keep: the one the scenario file's field of that name keeps.
fn bound(p: Parameter) -> Bound {
    match p {
        Parameter::DebtInitial | Parameter::Cost | Parameter::Throughput => {
            Bound::NonNegative(Days)
        }
        Parameter::Interest => Bound::Change(Interest),
        Parameter::Accrual | Parameter::PaydownEfficiency | Parameter::ThroughputCv => {
            Bound::NonNegative(Ratio)
        }
        Parameter::DragMax => Bound::BelowOne,
        Parameter::DragHalf => Bound::Positive(Days),
        Parameter::BaseRate => Bound::NonNegative(Incidents),
        Parameter::DebtSensitivity => Bound::NonNegative(Sensitivity),
    }
}

/// Where the scenario file sets `p` for team `j`, if it does: `(section, node)`.
fn set_in_scenario(root: &Node, j: usize, p: Parameter) -> Option<(String, &Node)> {
    let at = |section: &str, key: &str| root.get(section).and_then(|s| s.get(key));
    let team = || {
        root.get("teams")
            .and_then(|t| match &t.value {
                super::document::Value::Array(items) => items.get(j),
                _ => None,
            })
            .and_then(|t| t.get("debt_initial"))
    };
    match p {
        Parameter::DebtInitial => at("debt", "initial")
            .map(|n| ("[debt] initial".to_string(), n))
            .or_else(|| team().map(|n| ("the team's `debt_initial`".to_string(), n))),
        Parameter::Interest
        | Parameter::Accrual
        | Parameter::PaydownEfficiency
        | Parameter::DragMax
        | Parameter::DragHalf => at("debt", p.name()).map(|n| (format!("[debt] {}", p.name()), n)),
        Parameter::BaseRate | Parameter::DebtSensitivity => {
            at("incidents", p.name()).map(|n| (format!("[incidents] {}", p.name()), n))
        }
        Parameter::Cost | Parameter::Throughput | Parameter::ThroughputCv => None,
    }
}

/// One cell of the file: its text and where it is.
struct Cell<'t> {
    text: &'t str,
    span: Span,
}

/// The cells of each non-blank line, with their line numbers (from 1). Quotes are read as
/// CSV quotes (`"a, b"`, `""` inside them); a quoted cell does not span lines.
fn cells(text: &str, id: SourceId) -> Vec<(usize, Vec<Cell<'_>>)> {
    let mut rows = Vec::new();
    let mut offset = 0;
    for (n, line) in text.split('\n').enumerate() {
        let start = offset;
        offset += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let mut row = Vec::new();
        let mut from = 0;
        let mut quoted = false;
        let bytes = line.as_bytes();
        for at in 0..=bytes.len() {
            if at < bytes.len() && bytes[at] == b'"' {
                quoted = !quoted;
            }
            if at == bytes.len() || (bytes[at] == b',' && !quoted) {
                let raw = &line[from..at];
                let lead = raw.len() - raw.trim_start().len();
                let trimmed = raw.trim();
                let text = trimmed
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .unwrap_or(trimmed);
                let s = start + from + lead;
                row.push(Cell {
                    text,
                    span: Span::new(id, s, s + trimmed.len().max(1)),
                });
                from = at + 1;
            }
        }
        rows.push((n + 1, row));
    }
    rows
}

/// A team's name as a cell holds it: the formula guard's leading `'` (which fulcrum's CSVs put
/// before a name starting with `=`, `+`, `-` or `@`) removed, `""` unescaped, in NFC.
fn team_name(cell: &str) -> String {
    let name = match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    };
    nfc(&name.replace("\"\"", "\""))
}

/// What a column of the file holds.
#[derive(Clone, Copy, PartialEq)]
enum Column {
    Draw,
    Team,
    Value(Parameter),
}

/// The file `[debt] posterior` names, relative to `base` (the current directory when `None`).
pub(super) fn named(root: &Node, base: Option<&Path>) -> Option<PathBuf> {
    let written = root.get("debt")?.get("posterior")?.as_str()?;
    Some(base.map_or_else(|| PathBuf::from(written), |b| b.join(written)))
}

/// Reads the file `[debt] posterior` names, relative to `base` (the scenario file's folder;
/// the current directory when `None`), and gives each team of `scenario` its joint draws.
/// Problems are added to `problems`, located in the scenario file or in the CSV, which is
/// added to `sources`.
pub(super) fn attach(
    root: &Node,
    scenario: &mut Scenario,
    base: Option<&Path>,
    sources: &mut Sources,
    problems: &mut Vec<Problem>,
) {
    let Some(node) = root.get("debt").and_then(|d| d.get("posterior")) else {
        return;
    };
    let Some(written) = node.as_str() else {
        return; // the type error is the compiler's
    };
    let Some(path) = named(root, base) else {
        return;
    };
    let Some((id, text)) = read(node, written, &path, sources, problems) else {
        return;
    };
    let file = path.display().to_string();
    let Some(columns) = read_header(&text, id, &file, problems) else {
        return;
    };
    let mut by_team: BTreeMap<String, Vec<Vec<f64>>> = BTreeMap::new();
    let mut first_line: BTreeMap<String, Span> = BTreeMap::new();
    let mut bad_cells = 0;
    for (line, row) in cells(&text, id).into_iter().skip(1) {
        if row.len() != columns.len() {
            bad_cells += 1;
            if bad_cells <= MAX_CELL_PROBLEMS {
                problems.push(
                    Problem::error(
                        row[0].span,
                        format!(
                            "line {line} of {file} has {} cells, the header {}",
                            row.len(),
                            columns.len()
                        ),
                    )
                    .label("this row")
                    .help("each row holds one value under each column of the header"),
                );
            }
            continue;
        }
        let mut team = None;
        let mut values = Vec::new();
        for (cell, column) in row.iter().zip(&columns) {
            match column {
                Column::Draw => {}
                Column::Team => team = Some(team_name(cell.text)),
                Column::Value(p) => match value(cell, *p) {
                    Ok(x) => values.push(x),
                    Err(problem) => {
                        bad_cells += 1;
                        if bad_cells <= MAX_CELL_PROBLEMS {
                            problems.push(problem);
                        }
                        values.push(f64::NAN);
                    }
                },
            }
        }
        if let Some(team) = team {
            first_line.entry(team.clone()).or_insert(row[0].span);
            by_team.entry(team).or_default().push(values);
        }
    }
    if bad_cells > MAX_CELL_PROBLEMS {
        problems.push(Problem::unlocated(format!(
            "{} more wrong rows or cells in {file} are not shown",
            bad_cells - MAX_CELL_PROBLEMS
        )));
    }
    if bad_cells > 0 {
        return;
    }
    let held: Vec<Parameter> = columns
        .iter()
        .filter_map(|c| match c {
            Column::Value(p) => Some(*p),
            _ => None,
        })
        .collect();
    let names: Vec<&str> = scenario.teams.iter().map(|t| t.name.as_str()).collect();
    for (team, span) in &first_line {
        if !names.contains(&team.as_str()) {
            problems.push(
                Problem::warning(
                    *span,
                    format!("the scenario has no team `{team}`: its rows are left out"),
                )
                .label("rows of an unknown team")
                .maybe_help(did_you_mean(team, names.iter().copied())),
            );
        }
    }
    let team_nodes = match root.get("teams").map(|t| &t.value) {
        Some(super::document::Value::Array(items)) => items.as_slice(),
        _ => &[],
    };
    for (j, team) in scenario.teams.iter_mut().enumerate() {
        let team_node = team_nodes.get(j);
        let name_span = team_node
            .and_then(|n| n.get("name"))
            .map_or(node.span, |n| n.span);
        let Some(rows) = by_team.get(&team.name) else {
            problems.push(
                Problem::error(
                    name_span,
                    format!("team `{}` has no rows in {file}", team.name),
                )
                .label("no joint draws for this team")
                .help(match did_you_mean(&team.name, first_line.keys().map(String::as_str)) {
                    Some(hint) => format!("{hint} (the file's `team` column names it)"),
                    None => format!(
                        "every team draws its parameters from `[debt] posterior`: calibrate this \
                         team too, or give {file} rows whose `team` is `{}`",
                        team.name
                    ),
                }),
            );
            continue;
        };
        for &p in &held {
            if let Some((place, set)) = set_in_scenario(root, j, p) {
                let column = columns
                    .iter()
                    .position(|c| *c == Column::Value(p))
                    .unwrap_or(0);
                problems.push(
                    Problem::error(
                        set.span,
                        format!(
                            "`{}` is set twice: in {place} and in {file} (column {})",
                            p.name(),
                            column + 1
                        ),
                    )
                    .label(format!("also drawn from {written}"))
                    .help(format!(
                        "remove it here: each trial takes `{}` from one row of {written} with \
                         the row's other parameters, so that their correlations are kept",
                        p.name()
                    )),
                );
            }
        }
        if let Some(problem) = shapes(scenario_capacity(team), &held, name_span, &file) {
            problems.push(problem);
        }
        let columns = held
            .iter()
            .enumerate()
            .map(|(k, &p)| (p, rows.iter().map(|r| r[k]).collect()))
            .collect();
        team.joint = JointDraws::new(columns);
    }
    if held.contains(&Parameter::Cost)
        && scenario.incidents.cost.mean() <= 0.0
        && let Some(cost) = root.get("incidents").and_then(|i| i.get("cost"))
    {
        problems.push(
            Problem::error(
                cost.span,
                "`cost` has a mean of 0: it cannot be scaled to the mean cost of each joint draw",
            )
            .label("mean 0")
            .help(format!(
                "remove it: {written} holds each draw's mean cost of an incident"
            )),
        );
    }
    pool_for_the_planner(scenario, &held);
}

/// The team's `capacity` distribution, when it is a `capacity` team.
fn scenario_capacity(team: &crate::model::Team) -> Option<&crate::model::Distribution> {
    match &team.workforce {
        Workforce::Capacity(capacity) => Some(capacity),
        Workforce::Engineers(_) | Workforce::Throughput(_) => None,
    }
}

/// Why a team's capacity cannot take the file's `throughput` (or `throughput_cv`), if so.
fn shapes(
    capacity: Option<&crate::model::Distribution>,
    held: &[Parameter],
    at: Span,
    file: &str,
) -> Option<Problem> {
    use crate::model::Distribution::Normal;
    let throughput = held.contains(&Parameter::Throughput);
    let cv = held.contains(&Parameter::ThroughputCv);
    let why = match capacity {
        _ if !throughput && !cv => return None,
        _ if cv && !throughput => "`throughput_cv` needs a `throughput` column beside it",
        None => "`throughput` sets the mean of a team's `capacity`: this team has none",
        Some(c) if c.mean() <= 0.0 => "`throughput` scales the team's `capacity`, whose mean is 0",
        Some(Normal { sd, .. }) if cv && *sd <= 0.0 => "`throughput_cv` needs a spread to scale",
        Some(Normal { .. }) => return None,
        Some(_) if cv => {
            "`throughput_cv` needs the team's capacity to be `{ normal = [mean, sd] }`"
        }
        Some(_) => return None,
    };
    Some(
        Problem::error(at, format!("{why} (the joint draws in {file})"))
            .label("this team")
            .help(
                "give the team `capacity = { normal = [mean, sd] }`: each trial sets its mean \
                 (and coefficient of variation) from the row it draws",
            ),
    )
}

/// The planner has one drag curve, one incident sensitivity for every team: it plans with
/// the draws' means, pooled over the teams (the trials use each row's own).
fn pool_for_the_planner(scenario: &mut Scenario, held: &[Parameter]) {
    let pooled = |p: Parameter| {
        let means: Vec<f64> = scenario
            .teams
            .iter()
            .filter_map(|t| t.joint.as_ref()?.mean(p))
            .collect();
        (!means.is_empty()).then(|| means.iter().sum::<f64>() / means.len() as f64)
    };
    let [drag_max, drag_half, sensitivity] = [
        Parameter::DragMax,
        Parameter::DragHalf,
        Parameter::DebtSensitivity,
    ]
    .map(|p| held.contains(&p).then(|| pooled(p)).flatten());
    if let Some(x) = drag_max {
        scenario.debt.drag_max = x;
    }
    if let Some(x) = drag_half {
        scenario.debt.drag_half = x;
    }
    if let Some(x) = sensitivity {
        scenario.incidents.debt_sensitivity = x;
    }
}

/// A parameter's value in `cell`, or why it is not one.
fn value(cell: &Cell, p: Parameter) -> Result<f64, Problem> {
    let help = "each parameter column holds one number per row, as `fulcrum calibrate` writes them";
    let x: f64 = cell.text.parse().map_err(|_| {
        Problem::error(
            cell.span,
            format!("`{}` must be a number, found `{}`", p.name(), cell.text),
        )
        .label("not a number")
        .help(help)
    })?;
    if !x.is_finite() {
        return Err(Problem::error(
            cell.span,
            format!(
                "`{}` must be a finite number, found `{}`",
                p.name(),
                cell.text
            ),
        )
        .label("not finite")
        .help(help));
    }
    let b = bound(p);
    if !b.admits(x) {
        return Err(Problem::error(
            cell.span,
            format!(
                "`{}` must be {}, found {}",
                p.name(),
                b.describe(),
                cell.text
            ),
        )
        .label(format!("out of range: {}", b.describe()))
        .help("the scenario file's field of the same name keeps the same range"));
    }
    match b.quantity() {
        Some(q) if x.abs() > q.limit() => Err(Problem::error(
            cell.span,
            format!(
                "`{}` is {}: beyond the largest this model represents, {}",
                p.name(),
                cell.text,
                q.describe_limit()
            ),
        )
        .label(format!("at most {}", q.describe_limit()))
        .help(q.advice())),
        _ => Ok(x),
    }
}

/// The file's text, added to `sources`, or the problem (at the key) of reading it.
fn read(
    node: &Node,
    written: &str,
    path: &Path,
    sources: &mut Sources,
    problems: &mut Vec<Problem>,
) -> Option<(SourceId, String)> {
    let help = "the path is relative to the scenario file's folder; `fulcrum calibrate --out DIR` \
                writes DIR/posterior.csv";
    let fail = |why: String| {
        Problem::error(
            node.span,
            format!("cannot read `{written}` ({}): {why}", path.display()),
        )
        .label("the joint draws")
        .help(help)
    };
    let bytes = match limits::read_bytes(path, MAX_HISTORY_BYTES) {
        Ok(bytes) => bytes,
        Err(limits::ReadError::Io(e)) => {
            problems.push(fail(e.to_string()));
            return None;
        }
        Err(limits::ReadError::TooLarge { limit, .. }) => {
            problems.push(fail(format!(
                "larger than {}",
                limits::bytes_in_words(limit)
            )));
            return None;
        }
    };
    match limits::utf8(bytes) {
        Ok(text) => {
            let id = sources.add(path.display().to_string(), text.clone());
            Some((id, text))
        }
        Err((bad, _)) => {
            problems.push(fail(format!(
                "not UTF-8 text (line {}, column {})",
                bad.line, bad.column
            )));
            None
        }
    }
}

/// The header's columns, or the problems with it.
fn read_header(
    text: &str,
    id: SourceId,
    file: &str,
    problems: &mut Vec<Problem>,
) -> Option<Vec<Column>> {
    let rows = cells(text, id);
    let Some((_, header)) = rows.first() else {
        problems.push(
            Problem::unlocated(format!("{file} is empty: it has no header row"))
                .help("the header names `team` and the parameter columns, e.g. `draw,team,interest,accrual`"),
        );
        return None;
    };
    let known: Vec<&str> = ["draw", "team"]
        .into_iter()
        .chain(Parameter::ALL.map(Parameter::name))
        .collect();
    let mut columns: Vec<Column> = Vec::new();
    let before = problems.len();
    for cell in header {
        let column =
            match cell.text {
                "draw" => Column::Draw,
                "team" => Column::Team,
                name => match Parameter::named(name) {
                    Some(p) => Column::Value(p),
                    None => {
                        problems.push(
                            Problem::error(cell.span, format!("unknown column `{name}` in {file}"))
                                .label("not a parameter")
                                .help(did_you_mean(name, known.iter().copied()).unwrap_or_else(
                                    || format!("the columns are {}", known.join(", ")),
                                )),
                        );
                        continue;
                    }
                },
            };
        if columns.contains(&column) {
            problems.push(
                Problem::error(
                    cell.span,
                    format!("column `{}` appears twice in {file}", cell.text),
                )
                .label("again"),
            );
        }
        columns.push(column);
    }
    let span = header[0].span;
    if !columns.contains(&Column::Team) {
        problems.push(
            Problem::error(span, format!("{file} has no `team` column"))
                .label("header")
                .help("each row names the scenario team its draw belongs to in a `team` column"),
        );
    }
    if !columns.iter().any(|c| matches!(c, Column::Value(_))) {
        problems.push(
            Problem::error(span, format!("{file} has no parameter column"))
                .label("header")
                .help(format!("name at least one of {}", known[2..].join(", "))),
        );
    }
    if rows.len() < 2 {
        problems.push(
            Problem::error(span, format!("{file} has a header but no rows"))
                .label("header")
                .help("each row is one joint draw of a team's parameters"),
        );
    }
    (problems.len() == before).then_some(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_know_their_place_and_quotes() {
        let text = "team,interest\n\"a, b\",0.1\r\n\n'-x , 2\n";
        let rows = cells(text, SourceId(0));
        let lines: Vec<usize> = rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [1, 2, 4], "blank lines are skipped, not renumbered");
        let second: Vec<&str> = rows[1].1.iter().map(|c| c.text).collect();
        assert_eq!(second, ["a, b", "0.1"]);
        // `0.1` starts at byte 21: after the header's 14 bytes and `"a, b",`.
        assert_eq!(rows[1].1[1].span, Span::new(SourceId(0), 21, 24));
        assert_eq!(team_name(rows[2].1[0].text), "-x");
        assert_eq!(
            team_name("'quoted"),
            "'quoted",
            "only the formula guard's quote goes"
        );
    }
}
