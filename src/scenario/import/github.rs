//! GitHub issues as JSON, as `gh issue list --state all --json number,title,labels,createdAt,closedAt`
//! writes them (add `state,stateReason` to tell issues closed as "not planned" from finished
//! ones, and reopened ones). Timestamps are UTC, converted to the chosen time zone. The team
//! is `--team`, else the file's name.

use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::model::Date;
use crate::model::history::{ItemState, WorkItem};

use super::{ImportProblem, dates, is_cancelled, rules::line_column};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issue {
    number: u64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    labels: Vec<Label>,
    created_at: String,
    #[serde(default)]
    closed_at: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    state_reason: Option<String>,
}

/// `gh` writes labels as objects; plain strings are accepted too.
#[derive(Deserialize)]
#[serde(untagged)]
enum Label {
    Object { name: String },
    Name(String),
}

/// An issue's state, read as every export's is ([`super::state`]): its `state` (OPEN or
/// CLOSED) is the status, and a state reason that says it was dropped (`not_planned`)
/// cancels it unless it is open again.
fn state_of(issue: &Issue, closed: Option<Date>) -> ItemState {
    let status = issue.state.as_deref().unwrap_or("");
    let dropped = issue
        .state_reason
        .as_deref()
        .is_some_and(|r| is_cancelled(&r.replace('_', " ")));
    super::state(closed, status, dropped && !super::is_open_status(status))
}

pub(super) fn read(
    file: &str,
    text: &str,
    team: &str,
    zone: &TimeZone,
) -> Result<Vec<WorkItem>, ImportProblem> {
    let issues: Vec<Issue> = serde_json::from_str(text).map_err(|e| ImportProblem {
        file: file.to_string(),
        line: Some(e.line()),
        column: Some(e.column()),
        message: format!("not GitHub issues JSON: {e}"),
        help: Some(
            "expected an array of issues with number, title, labels, createdAt and closedAt, as \
             `gh issue list --state all --json number,title,labels,createdAt,closedAt` writes"
                .into(),
        ),
    })?;
    let starts = element_lines(text);
    let mut items = Vec::with_capacity(issues.len());
    for (k, issue) in issues.into_iter().enumerate() {
        let line = starts.get(k).copied();
        let date = |text: &str, field: &str| {
            dates::local_date(text, zone).map_err(|why| ImportProblem {
                file: file.to_string(),
                line,
                column: None,
                message: format!("issue #{} `{field}`: {why}", issue.number),
                help: None,
            })
        };
        let created = date(&issue.created_at, "createdAt")?;
        let closed = match &issue.closed_at {
            Some(t) => date(t, "closedAt")?,
            None => None,
        };
        let state = state_of(&issue, closed);
        items.push(WorkItem {
            id: format!("#{}", issue.number),
            team: team.to_string(),
            title: issue.title,
            item_type: String::new(),
            labels: issue
                .labels
                .into_iter()
                .map(|l| match l {
                    Label::Object { name } | Label::Name(name) => name,
                })
                .collect(),
            status: issue.state.unwrap_or_default(),
            created,
            started: None,
            done: closed,
            state,
            bucket: None,
            source: match line {
                Some(l) => format!("{file}:{l}"),
                None => file.to_string(),
            },
        });
    }
    Ok(items)
}

/// The line on which each element of the top-level JSON array starts.
fn element_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut depth, mut in_string, mut escaped) = (0i32, false, false);
    for (i, c) in text.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                if depth == 1 && c == '{' {
                    lines.push(line_column(text, i).0.unwrap_or(1));
                }
                depth += 1;
            }
            ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    lines
}
