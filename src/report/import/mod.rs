//! Outputs of `fulcrum import`: the tidy item table, throughput per team, period and bucket
//! over each team's own window, the investment balance by weight and by count, cycle times,
//! incidents and the plan next to what happened as CSVs (`tables.rs`); the balance,
//! throughput, cycle-time and plan charts (`charts.rs`); a self-contained `report.html`
//! (`page.rs`); `import.json`; the scenario; the terminal summary (`summary.rs`). The numbers
//! of the balance, shared by all of them, are in `balance.rs`.

use anyhow::Result;

use crate::model::history::actual::Drift;
use crate::model::history::incidents::IncidentHistory;
use crate::model::history::{BucketKind, History, ItemState, WorkItem};
use crate::scenario::import::rules::Suggestion;
use crate::scenario::import::scenario_file::window_in_words;

use super::kit::output::{Destination, OutputDir};

mod balance;
mod charts;
mod page;
mod summary;
mod tables;

pub use summary::summary;

/// What was imported, for the outputs.
#[derive(Clone, Debug)]
pub struct Imported<'a> {
    /// Every item read from the exports, each in its bucket (if a rule matched).
    pub items: &'a [WorkItem],
    /// The items counted per team, bucket and period.
    pub history: &'a History,
    /// Per bucket: name, kind, the rules that fill it.
    pub rules: Vec<(String, BucketKind, Vec<String>)>,
    /// What `import.json` records.
    pub info: &'a ImportInfo,
    /// The incidents counted per team and period, when `--incidents` gave any.
    pub incidents: Option<&'a IncidentHistory>,
    /// The plan next to what happened, when `--plan` gave one.
    pub drift: Option<&'a [Drift]>,
}

/// One team's window, for `import.json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TeamWindow {
    /// The team.
    pub team: String,
    /// The first day of its first period (empty when it finished nothing).
    pub first_day: String,
    /// The last day of its last period.
    pub last_day: String,
    /// Periods in its window.
    pub periods: usize,
    /// Idle periods before the window, cut.
    pub cut_before: usize,
    /// Periods after the window, cut: the team may have stopped.
    pub cut_after: usize,
    /// Items finished in the periods cut (stragglers an idle gap away from the rest).
    pub stragglers: u32,
    /// The window and what it cut, in words.
    pub words: String,
}

/// The team windows of a history.
pub fn team_windows(h: &History) -> Vec<TeamWindow> {
    h.teams
        .iter()
        .map(|t| {
            let day = |d: crate::model::Date| d.to_string();
            let (first, last) = if t.periods() == 0 {
                (String::new(), String::new())
            } else {
                (
                    day(h.grid.start(t.period(0))),
                    day(h.grid.end(t.window.end)),
                )
            };
            TeamWindow {
                team: t.team.clone(),
                first_day: first,
                last_day: last,
                periods: t.periods(),
                cut_before: t.cut.before,
                cut_after: t.cut.after,
                stragglers: t.cut.items_before + t.cut.items_after,
                words: window_in_words(t, &h.grid),
            }
        })
        .collect()
}

/// A rule to paste for unmatched items, for `import.json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SuggestedRule {
    /// What the items have in common: `type Task`.
    pub what: String,
    /// Unmatched finished items that have it.
    pub items: usize,
    /// The flag to paste.
    pub rule: String,
    /// Finished items other rules sort now that the flag would take over.
    pub takes_over: usize,
}

impl From<&Suggestion> for SuggestedRule {
    fn from(s: &Suggestion) -> SuggestedRule {
        SuggestedRule {
            what: s.what.clone(),
            items: s.items,
            rule: s.flag.clone(),
            takes_over: s.takes_over,
        }
    }
}

/// The plan compared, for `import.json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PlanInfo {
    /// The `--plan` file.
    pub file: String,
    /// Its strategy compared.
    pub strategy: String,
    /// Team-periods with both a planned and an actual share.
    pub compared: usize,
    /// The planned tech share over them, weighed by the work done.
    pub planned: Option<f64>,
    /// The tech share done over them.
    pub actual: Option<f64>,
    /// The drift in one sentence.
    pub words: String,
}

/// The incidents read, for `import.json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct IncidentInfo {
    /// Each incident export as `file (format)`.
    pub files: Vec<String>,
    /// Incidents read.
    pub incidents: usize,
    /// Incidents opened outside the history's periods.
    pub outside: usize,
    /// Incident teams that are not teams of the work exports (counted on the whole history).
    pub teams_without_work: Vec<String>,
}

/// What `import.json` records.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ImportInfo {
    /// Version of fulcrum that made the import.
    pub fulcrum_version: String,
    /// Each export as `file (format)`.
    pub files: Vec<String>,
    /// Where the bucket rules came from: `rules file FILE`, `built-in rules`, or `--rule flags`
    /// (then the rules file's or the built-in ones).
    pub rules: String,
    /// Length of one period, e.g. `1w`, `2w`, `1d`, `1mo`, `1q`.
    pub period: String,
    /// First day of the first period counted (YYYY-MM-DD).
    pub first_day: String,
    /// Last day of the last period counted (YYYY-MM-DD).
    pub last_day: String,
    /// Complete periods counted.
    pub periods: usize,
    /// The `--timezone` the exports' timestamps were read in, as given.
    pub time_zone: String,
    /// Whether weekends are not working days (periods of days only).
    pub weekends_off: bool,
    /// The holidays not worked (YYYY-MM-DD).
    pub holidays: Vec<String>,
    /// Items read (an item in several files counted once).
    pub items: usize,
    /// Items done.
    pub done: usize,
    /// Items not finished (reopened ones not included).
    pub open: usize,
    /// Items done once, then reopened: counted as open, their earlier done date ignored.
    pub reopened: usize,
    /// Items cancelled, declined or duplicates: neither throughput nor backlog.
    pub cancelled: usize,
    /// Items, cancelled ones aside, that matched no rule: counted in the `unmatched` bucket.
    pub unmatched: usize,
    /// Items met again, in the same file or a later one (same team and id): the later row is
    /// kept.
    pub duplicates: usize,
    /// Pull requests in GitHub exports: left out, since they are not issues.
    pub pull_requests: usize,
    /// Rows whose cells hold line breaks, as `file:first–last` lines: where a quote may have
    /// swallowed rows.
    pub multi_line_rows: Vec<String>,
    /// Done items whose done date is before their start (or creation): left out of cycle
    /// times.
    pub done_before_start: usize,
    /// Whether `scenario.toml` was written (not when `fulcrum validate` would refuse it; the
    /// notes say why).
    pub scenario_written: bool,
    /// Done items outside the history's periods (before it, or in a partial last period).
    pub done_outside: usize,
    /// What the balance is weighed by: `points`, `items` or `cycle-time`.
    pub weight: String,
    /// Whether that is the default (not `--weight`).
    pub weight_default: bool,
    /// The exports. estimate columns, as `column in file`.
    pub estimates: Vec<String>,
    /// Finished items without a weight of their own, weighed the median.
    pub weighed_as_median: usize,
    /// The tech share of all teams, by weight: tech ÷ (product + tech).
    pub tech_share: Option<f64>,
    /// The tech share of all teams, by count.
    pub tech_share_by_count: Option<f64>,
    /// Share of the finished items in the teams' windows that matched a rule.
    pub matched_share: Option<f64>,
    /// Whether fewer than 80% matched: the tech share is then uncertain.
    pub tech_share_uncertain: bool,
    /// Each team's window and what it cut.
    pub teams: Vec<TeamWindow>,
    /// The commonest types and labels of unmatched finished items, each with a rule.
    pub unmatched_rules: Vec<SuggestedRule>,
    /// The incidents read with `--incidents`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incidents: Option<IncidentInfo>,
    /// The plan compared with `--plan`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanInfo>,
    /// What the import did with awkward items, in words.
    pub notes: Vec<String>,
}

/// Counts of items per state: done, open, reopened, cancelled.
pub fn state_counts(items: &[WorkItem]) -> [usize; 4] {
    let mut c = [0; 4];
    for i in items {
        c[match i.state {
            ItemState::Done => 0,
            ItemState::Open => 1,
            ItemState::Reopened => 2,
            ItemState::Cancelled => 3,
        }] += 1;
    }
    c
}

/// The name of bucket `b` (the last: `unmatched`).
fn bucket_name(h: &History, b: usize) -> &str {
    h.buckets.get(b).map_or("unmatched", |b| b.name.as_str())
}

fn kind_name(h: &History, b: usize) -> &str {
    h.buckets.get(b).map_or("", |b| b.kind.as_str())
}

/// Whether `item` was finished in a period of its team's window.
fn in_window(h: &History, item: &WorkItem) -> bool {
    let Some(t) = item.done.and_then(|d| h.grid.period_of(d)) else {
        return false;
    };
    h.teams
        .binary_search_by(|team| team.team.as_str().cmp(&item.team))
        .is_ok_and(|j| h.teams[j].window.contains(&(t - 1)))
}

/// Sorted cycle times (days) of the done items of `team` (all teams: `None`) in the
/// history's periods.
fn cycle_times(imported: &Imported, team: Option<&str>, bucket: Option<Option<usize>>) -> Vec<i64> {
    let h = imported.history;
    let mut v: Vec<i64> = imported
        .items
        .iter()
        .filter(|i| team.is_none_or(|t| i.team == t))
        .filter(|i| bucket.is_none_or(|b| i.bucket == b))
        .filter(|i| in_window(h, i))
        .filter_map(|i| i.cycle_time().map(|c| c.0))
        .collect();
    v.sort_unstable();
    v
}

/// Cycle times (days) of the done items in the history's periods, by team (`teams[j]`, the
/// history's order) and bucket (the last: unmatched), in one pass over the items.
fn cycle_times_by_team(imported: &Imported) -> Vec<Vec<Vec<i64>>> {
    let h = imported.history;
    let mut by = vec![vec![Vec::new(); h.buckets.len() + 1]; h.teams.len()];
    for item in imported.items {
        let Ok(j) = h
            .teams
            .binary_search_by(|t| t.team.as_str().cmp(&item.team))
        else {
            continue;
        };
        if !in_window(h, item) {
            continue;
        }
        if let Some((days, _)) = item.cycle_time() {
            by[j][item.bucket.unwrap_or(h.buckets.len()).min(h.buckets.len())].push(days);
        }
    }
    by
}

/// Writes every output into `target` (atomically); the scenario when there is one that
/// validates.
pub fn write(target: &Destination, imported: &Imported, scenario: Option<&str>) -> Result<()> {
    let dir = OutputDir::create(target, "import")?;
    let h = imported.history;
    dir.write("items.csv", &tables::items_csv(imported)?)?;
    dir.write("throughput.csv", &tables::throughput_csv(h)?)?;
    dir.write("balance.csv", &tables::balance_csv(h)?)?;
    dir.write("cycle_times.csv", &tables::cycle_times_csv(imported)?)?;
    if let Some(incidents) = imported.incidents {
        dir.write("incidents.csv", &tables::incidents_csv(incidents)?)?;
    }
    if let Some(drift) = imported.drift {
        dir.write("plan_vs_actual.csv", &tables::plan_csv(drift)?)?;
    }
    let folder = dir.staged("");
    let mut charts = vec![
        charts::balance_chart(&folder, h)?,
        charts::throughput_chart(&folder, h)?,
    ];
    charts.extend(charts::cycle_chart(&folder, imported)?);
    if let Some(drift) = imported.drift {
        charts.extend(charts::drift_chart(&folder, drift)?);
    }
    if let Some(scenario) = scenario {
        dir.write("scenario.toml", scenario.as_bytes())?;
    }
    dir.write("report.html", page::page(imported, &charts).as_bytes())?;
    let mut json = serde_json::to_vec_pretty(imported.info)?;
    json.push(b'\n');
    dir.write("import.json", &json)?;
    dir.commit()
}

/// The balance's headline and each team's row, for the CLI: the tech share of all teams by
/// weight and by count, the share of finished items that matched, and whether too little
/// did.
pub fn headline_numbers(h: &History) -> (Option<f64>, Option<f64>, Option<f64>, bool) {
    let rows = balance::balance_rows(h);
    let all = rows.last().expect("the all-teams row");
    (all.tech, all.tech_by_count, all.matched, all.uncertain())
}

/// The drift between plan and actual in one sentence, with the numbers it sums up.
pub fn drift_in_words(
    h: &History,
    rows: &[Drift],
) -> (String, Option<crate::model::history::actual::DriftSum>) {
    summary::drift_sentence(h, rows)
}
