//! GitHub issues as JSON, as `gh issue list --state all --json number,title,labels,createdAt,closedAt`
//! writes them (add `state,stateReason` to tell issues closed as "not planned" from finished
//! ones, and reopened ones), or as the REST API's `/issues` pages write them (`created_at`,
//! `closed_at`, `state_reason`). Timestamps are UTC, converted to the chosen time zone. The
//! team is `--team`, else the file's name.
//!
//! Pull requests are left out and counted: the REST API lists them among issues (with a
//! `pull_request` field), and an export may hold them as `gh pr list` or `gh search issues
//! --include-prs` writes them (`isPullRequest`, `mergedAt`, `headRefName`, or a `/pull/`
//! address). A list of pull requests with none of those fields cannot be told from issues.
//!
//! Each issue's line is found in one pass over the text, before it is parsed: a file of more
//! than [`MAX_HISTORY_ROWS`] issues is refused then.

use jiff::tz::TimeZone;
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

use crate::model::Date;
use crate::model::history::{ItemState, WorkItem};
use crate::scenario::limits::MAX_HISTORY_ROWS;

use super::source::Lines;
use super::{Export, ExportFormat, ImportProblem, dates, is_cancelled};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issue {
    number: u64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(alias = "created_at")]
    created_at: String,
    #[serde(default, alias = "closed_at")]
    closed_at: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default, alias = "state_reason")]
    state_reason: Option<String>,
    #[serde(default)]
    is_pull_request: Option<bool>,
    #[serde(default, alias = "pull_request")]
    pull_request: Option<IgnoredAny>,
    #[serde(default, alias = "merged_at", deserialize_with = "present")]
    merged_at: bool,
    #[serde(default, deserialize_with = "present")]
    head_ref_name: bool,
    #[serde(default)]
    url: Option<String>,
    #[serde(default, rename = "html_url")]
    html_url: Option<String>,
}

/// A field that is there, whatever its value (a pull request's `mergedAt` is null until it
/// is merged).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

impl Issue {
    fn is_pull_request(&self) -> bool {
        let address = |u: &Option<String>| u.as_deref().is_some_and(|u| u.contains("/pull/"));
        self.is_pull_request == Some(true)
            || self.pull_request.is_some()
            || self.merged_at
            || self.head_ref_name
            || address(&self.url)
            || address(&self.html_url)
    }
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
) -> Result<Export, ImportProblem> {
    let starts = element_starts(text);
    if starts.len() > MAX_HISTORY_ROWS {
        return Err(ImportProblem {
            help: Some(
                "export a shorter time range (gh issue list --search \"created:>2025-01-01\")"
                    .into(),
            ),
            ..ImportProblem::file(
                file,
                format!("more than {MAX_HISTORY_ROWS} issues, the most an export may have"),
            )
        });
    }
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
    let mut lines = Lines::new(text);
    let mut export = Export {
        format: ExportFormat::GitHub,
        items: Vec::with_capacity(issues.len()),
        broken_rows: Vec::new(),
        pull_requests: 0,
        estimate: None,
    };
    for (k, issue) in issues.into_iter().enumerate() {
        if issue.is_pull_request() {
            export.pull_requests += 1;
            continue;
        }
        let line = starts.get(k).map(|&at| lines.line_of(at));
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
        export.items.push(WorkItem {
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
            estimate: None,
            source: match line {
                Some(l) => format!("{file}:{l}"),
                None => file.to_string(),
            },
        });
    }
    Ok(export)
}

/// The byte offset of each object of the top-level JSON array, in one pass.
fn element_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                if depth == 1 && b == b'{' {
                    starts.push(i);
                }
                depth += 1;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_found_past_strings_and_nesting() {
        let text = "[\n {\"t\": \"a [{ \\\" }\", \"l\": [{\"n\": 1}]},\r\n {\"t\": \"}\"}\n]";
        let starts = element_starts(text);
        assert_eq!(starts.len(), 2);
        let mut lines = Lines::new(text);
        assert_eq!(
            starts.iter().map(|&s| lines.line_of(s)).collect::<Vec<_>>(),
            [2, 3]
        );
    }

    #[test]
    fn pull_requests_are_told_by_any_of_their_fields() {
        let zone = TimeZone::UTC;
        let text = r#"[
  {"number": 1, "createdAt": "2027-01-04T10:00:00Z", "closedAt": "2027-01-05T10:00:00Z"},
  {"number": 2, "createdAt": "2027-01-04T10:00:00Z", "isPullRequest": true},
  {"number": 3, "created_at": "2027-01-04T10:00:00Z", "pull_request": {"url": "x"}},
  {"number": 4, "createdAt": "2027-01-04T10:00:00Z", "mergedAt": null},
  {"number": 5, "createdAt": "2027-01-04T10:00:00Z", "url": "https://github.com/o/r/pull/5"},
  {"number": 6, "created_at": "2027-01-04T10:00:00Z", "closed_at": null, "state": "open",
   "html_url": "https://github.com/o/r/issues/6", "url": "https://api.github.com/repos/o/r/issues/6"}
]"#;
        let export = read("gh.json", text, "t", &zone).unwrap();
        assert_eq!(export.pull_requests, 4);
        let ids: Vec<&str> = export.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["#1", "#6"]);
        assert_eq!(export.items[1].source, "gh.json:7");
        assert_eq!(export.items[1].state, ItemState::Open);
    }
}
