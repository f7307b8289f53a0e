//! `fulcrum import`: read work-item exports (and incident exports, and a plan to compare
//! with), sort the items into buckets, and write where the capacity went (tables, charts,
//! report) and a scenario from the data.

use std::path::{Path, PathBuf};

use fulcrum::model::history::actual::{self, Drift};
use fulcrum::model::history::incidents::IncidentHistory;
use fulcrum::model::history::{
    History, ItemState, PeriodGrid, Weighing, Weight, WorkItem, align_start,
};
use fulcrum::model::{Date, PeriodLength, PeriodUnit};
use fulcrum::report;
use fulcrum::report::NewFile;
use fulcrum::report::import::{
    ImportInfo, Imported, IncidentInfo, PlanInfo, SuggestedRule, team_windows,
};
use fulcrum::scenario::escape_control;
use fulcrum::scenario::import::rules::{Matcher, suggest};
use fulcrum::scenario::import::{
    self, ReadOptions, Rules, incidents, plan, quoted_cell, scenario_file, size,
};

use super::history::{WindowFlags, warn_if_short};
use super::{Failure, OutputFlags, bad, write_failure};

/// Arguments of `fulcrum import`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Export files: generic CSV, Jira CSV, Linear CSV or GitHub issues JSON (detected by their
    /// headers).
    #[arg(required_unless_present = "print_rules", value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    export: ExportFlags,
    /// Print the rules in force, in the order they are tried, and stop.
    #[arg(long)]
    print_rules: bool,
    /// Compare with a plan: a plan.csv from `fulcrum plan`, or a scenario whose strategy sets
    /// a fixed share.
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// The strategy of --plan to compare with (default: its only one).
    #[arg(long, value_name = "NAME", requires = "plan")]
    strategy: Option<String>,
    /// Also write the scenario to this file (which must not exist yet, in a folder that
    /// does).
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Name of the import and its scenario (default: the --scenario file's name, else the
    /// first export's).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Results folder (default: output/<name>-import).
    #[command(flatten)]
    output: OutputFlags,
}

/// How work-item exports are read and counted: the flags `import` and `calibrate` share, so
/// that both see the same buckets, windows, weights and incidents.
#[derive(clap::Args, Debug)]
pub struct ExportFlags {
    #[command(flatten)]
    pub reading: ReadingFlags,
    /// Team of items whose export names none (default: the file's name).
    #[arg(long, value_name = "NAME")]
    pub team: Option<String>,
    /// Length of one period: 1d (working days), 1w, 2w, 1mo, 1q.
    #[arg(long, value_name = "LEN", default_value = "1w")]
    pub period: String,
    #[command(flatten)]
    pub window: WindowFlags,
}

/// How items are put in buckets, weighed and dated: the export flags whose names no other
/// command uses, so that `backtest --export` takes them as they are (its own `--team`,
/// `--period` and `--window` say the rest).
#[derive(clap::Args, Clone, Debug)]
pub struct ReadingFlags {
    /// Rules file: [[buckets]] with name, kind and types, labels, titles, unlabelled = true or
    /// anything = true; tried before the built-in rules.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// A rule, tried before the rules file's and the built-in ones: BUCKET=type:Bug,
    /// BUCKET=label:tech-debt, BUCKET=title:upgrade, BUCKET=unlabelled or BUCKET=* (repeatable;
    /// first match wins).
    #[arg(long = "rule", value_name = "BUCKET=FIELD:VALUE")]
    rule: Vec<String>,
    /// Use only --rule and --rules, not the built-in rules after them.
    #[arg(long)]
    no_default_rules: bool,
    /// Weigh the balance by story points (or estimates), items, or cycle time [default:
    /// points when at least half the finished items carry an estimate, else items].
    #[arg(long, value_name = "WEIGHT", value_parser = ["points", "items", "cycle-time"])]
    weight: Option<String>,
    /// Incident exports: PagerDuty CSV, Opsgenie CSV, or a CSV with id, team, created,
    /// resolved, severity (repeatable).
    #[arg(long, value_name = "FILE")]
    incidents: Vec<PathBuf>,
    /// Time zone of the team's days: UTC, +02:00 or Europe/Berlin.
    #[arg(long, value_name = "TZ", default_value = "UTC")]
    timezone: String,
    /// Last day of the history (default: the latest date in the exports).
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
}

impl ReadingFlags {
    /// Whether any flag differs from its default (a command that reads exports only on
    /// request refuses them without one).
    pub fn given(&self) -> bool {
        self.rules.is_some()
            || !self.rule.is_empty()
            || self.no_default_rules
            || self.weight.is_some()
            || !self.incidents.is_empty()
            || self.timezone != "UTC"
            || self.until.is_some()
    }
}

fn parse_date(flag: &str, text: &Option<String>) -> Result<Option<Date>, Failure> {
    text.as_deref()
        .map(|t| t.parse().map_err(|e: String| bad(format!("{flag}: {e}"))))
        .transpose()
}

/// The rules in force: `--rule` flags, then the rules file's, then (unless
/// `--no-default-rules`) the built-in ones.
fn rules(args: &ExportFlags) -> Result<Rules, Failure> {
    let rules = match &args.reading.rules {
        Some(file) => Rules::read(file).map_err(bad)?,
        None => Rules::none(),
    }
    .with_flags(&args.reading.rule)
    .map_err(bad)?;
    if !args.reading.no_default_rules {
        return Ok(rules.then_builtin());
    }
    if rules.rules.is_empty() {
        return Err(bad(
            "--no-default-rules leaves no rules: give --rule or --rules, or drop --no-default-rules",
        ));
    }
    Ok(rules)
}

/// How the exports are read: the time zone, the default team, the rules file's columns.
fn read_options(args: &ExportFlags, rules: &Rules) -> Result<ReadOptions, Failure> {
    let zone = import::parse_time_zone(&args.reading.timezone)
        .map_err(|e| bad(format!("--timezone: {e}")))?;
    Ok(ReadOptions {
        zone,
        team: args.team.clone(),
        columns: rules.columns.clone(),
    })
}

/// Reads the exports and puts every item in its bucket.
fn read_items(
    files: &[PathBuf],
    rules: &Rules,
    options: &ReadOptions,
) -> Result<import::Exports, Failure> {
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let mut exports = import::read_all(&paths, options).map_err(bad)?;
    if exports.items.is_empty() {
        return Err(bad("the exports hold no items"));
    }
    for item in &mut exports.items {
        item.bucket = rules.classify(item);
    }
    Ok(exports)
}

/// What `--incidents` or `--plan` adds: what the outputs show, what `import.json` records,
/// and notes.
struct Added<T, I> {
    shown: T,
    info: I,
    notes: Vec<String>,
}

/// The incidents of `--incidents`, counted on the history's grid and each team's window.
fn read_incidents(
    args: &ExportFlags,
    options: &ReadOptions,
    history: &History,
) -> Result<Option<Added<IncidentHistory, IncidentInfo>>, Failure> {
    if args.reading.incidents.is_empty() {
        return Ok(None);
    }
    let paths: Vec<&Path> = args
        .reading
        .incidents
        .iter()
        .map(PathBuf::as_path)
        .collect();
    let read = incidents::read_all(&paths, options).map_err(bad)?;
    let window_of = |team: &str| {
        history
            .teams
            .iter()
            .find(|t| t.team == team)
            .map(|t| t.window.clone())
    };
    let counted = IncidentHistory::build(&read.incidents, &history.grid, window_of);
    let without_work: Vec<String> = counted
        .teams
        .iter()
        .filter(|t| window_of(&t.team).is_none())
        .map(|t| t.team.clone())
        .collect();
    let mut notes = Vec::new();
    if !without_work.is_empty() {
        notes.push(format!(
            "{} incident team(s) are not teams of the work exports ({}): their incidents are \
             counted over the whole history; name the teams alike (--team, a rules file's \
             [columns] team) to see them beside the work",
            without_work.len(),
            some_of(&without_work, 5)
        ));
    }
    if read.repeats > 0 {
        notes.push(format!(
            "{} incident(s) appear twice (same team and id): the later row is used",
            read.repeats
        ));
    }
    if read.resolved_before_opened > 0 {
        notes.push(format!(
            "{} incident(s) are resolved before they were opened: counted, without a time to resolve",
            read.resolved_before_opened
        ));
    }
    if counted.outside > 0 {
        notes.push(format!(
            "{} incident(s) were opened outside the history's periods and are not counted",
            counted.outside
        ));
    }
    let info = IncidentInfo {
        files: read
            .files
            .iter()
            .map(|(f, format)| format!("{f} ({})", format.name()))
            .collect(),
        incidents: read.incidents.len(),
        outside: counted.outside,
        teams_without_work: without_work,
    };
    Ok(Some(Added {
        shown: counted,
        info,
        notes,
    }))
}

/// The plan of `--plan` next to what the items show, with the drift in one sentence.
fn compare_plan(
    args: &ImportArgs,
    items: &[WorkItem],
    history: &History,
) -> Result<Option<Added<Vec<Drift>, PlanInfo>>, Failure> {
    let Some(path) = &args.plan else {
        return Ok(None);
    };
    let planned = plan::read(path, args.strategy.as_deref()).map_err(bad)?;
    let rows = actual::compare(&planned.rows, items, &history.buckets, &history.weighing);
    let (words, sum) = report::import::drift_in_words(history, &rows);
    let mut missing: Vec<String> = planned
        .rows
        .iter()
        .map(|p| p.team.clone())
        .filter(|t| !history.teams.iter().any(|h| &h.team == t))
        .collect();
    missing.dedup();
    let notes = match missing.is_empty() {
        true => Vec::new(),
        false => vec![format!(
            "{} team(s) of the plan are not in the exports ({}): nothing was done for them that \
             the exports show",
            missing.len(),
            some_of(&missing, 5)
        )],
    };
    let info = PlanInfo {
        file: planned.file,
        strategy: planned.strategy,
        compared: sum.map_or(0, |s| s.rows),
        planned: sum.map(|s| s.planned),
        actual: sum.map(|s| s.actual),
        words,
    };
    Ok(Some(Added {
        shown: rows,
        info,
        notes,
    }))
}

/// The periods to count on: from `--since` (else the start of the first done item's
/// period) to `--until` (else the latest date), complete periods only, cut to `--window`;
/// refused when the history would be larger than an import may be ([`size::check`]).
/// Also the days of an incomplete last period left out.
fn grid(
    args: &ExportFlags,
    period: PeriodLength,
    items: &[WorkItem],
    buckets: usize,
) -> Result<(PeriodGrid, i64), Failure> {
    let calendar = args.window.calendar(period)?;
    let since = args.window.since_date()?;
    let until = parse_date("--until", &args.reading.until)?;
    let (first_done, latest) = (size::first_done(items), size::latest(items));
    let first = since.or(first_done.map(|d| align_start(d.date, period)));
    let (Some(first), Some(last)) = (first, until.or(latest.map(|d| d.date))) else {
        return Err(bad(
            "no item of the exports is done, so there is no history to count: give --since and --until to count from",
        ));
    };
    let (grid, left_out) = PeriodGrid::covering(first, last, period, calendar);
    let window = args.window.window_spec()?;
    let windowed = window.is_some();
    let grid = match window {
        Some(w) => grid.last(w.periods(period, &grid.calendar)),
        None => grid,
    };
    if grid.periods == 0 {
        return Err(bad(format!(
            "{first} to {last} holds no complete {period} period: give a longer history (--since, --until) or a shorter --period"
        )));
    }
    let mut teams: Vec<&str> = items.iter().map(|i| i.team.as_str()).collect();
    teams.sort_unstable();
    teams.dedup();
    // The items whose dates set the ends, to name them if the history is too long.
    let ends = [
        first_done.filter(|_| since.is_none() && !windowed),
        latest.filter(|_| until.is_none()),
    ];
    size::check(&grid, teams.len(), buckets, ends).map_err(bad)?;
    Ok((grid, left_out))
}

/// Up to `shown` of `places`, then how many more.
pub(super) fn some_of(places: &[String], shown: usize) -> String {
    let mut text = places
        .iter()
        .take(shown)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if places.len() > shown {
        text.push_str(&format!(" and {} more", places.len() - shown));
    }
    text
}

/// What the import did with awkward items and rows, in words: notes for the summary, the
/// report and `import.json`; the first ones, where rows may have been lost or mixed up, are
/// also warnings on the terminal.
fn notes(
    exports: &import::Exports,
    rules: &Rules,
    history: &History,
    left_out: i64,
    counts: [usize; 4],
) -> (Vec<String>, usize) {
    let mut warnings = Vec::new();
    if !exports.multi_line_rows.is_empty() {
        warnings.push(format!(
            "{} row(s) hold line breaks inside quoted cells ({}): one such row can be several \
             rows swallowed by a `\"` that is not closed where it should be; check their quotes",
            exports.multi_line_rows.len(),
            some_of(&exports.multi_line_rows, 5)
        ));
    }
    let (same_file, later_file): (Vec<_>, Vec<_>) =
        exports.repeats.iter().partition(|r| r.same_file);
    if !same_file.is_empty() {
        let places: Vec<String> = same_file
            .iter()
            .map(|r| format!("{} on {} and {}", quoted_cell(&r.id), r.first, r.again))
            .collect();
        warnings.push(format!(
            "{} id(s) appear twice in one file ({}): the later row of each is used",
            same_file.len(),
            some_of(&places, 5)
        ));
    }
    let mut notes = warnings.clone();
    let [_, _, reopened, cancelled] = counts;
    notes.push(format!(
        "{cancelled} cancelled item(s) (cancelled, won't do, duplicate, not planned) are left out of throughput and backlog"
    ));
    notes.push(format!(
        "{reopened} reopened item(s) (a done date but an open status) count as open: their earlier done date is ignored"
    ));
    if exports.pull_requests > 0 {
        notes.push(format!(
            "{} pull request(s) in the GitHub export(s) are left out: they are code changes, not issues",
            exports.pull_requests
        ));
    }
    let unlabelled = exports
        .items
        .iter()
        .filter(|i| i.state == ItemState::Done)
        .filter(|i| rules.matching_rule(i).map(|k| &rules.rules[k].1) == Some(&Matcher::Unlabelled))
        .count();
    if unlabelled > 0 {
        notes.push(format!(
            "{unlabelled} finished item(s) have neither a type nor a label and count as product \
             work: trackers without issue types (Linear, GitHub) leave most product work \
             unlabelled; --rule ktlo=unlabelled or --rule tech=unlabelled counts them otherwise"
        ));
    }
    let unmatched = unmatched(&exports.items);
    if unmatched > 0 {
        notes.push(format!(
            "{unmatched} item(s) matched no rule: counted as `unmatched`, outside the tech share and the scenario's capacity (items.csv lists them with the bucket `unmatched`)"
        ));
    }
    if history.done_outside > 0 {
        notes.push(format!(
            "{} done item(s) fall outside the {} periods counted (before them, or in the {left_out} day(s) of an incomplete last period)",
            history.done_outside, history.grid.periods
        ));
    }
    if !later_file.is_empty() {
        notes.push(format!(
            "{} item(s) appear in more than one file (the first: {} on {} and {}): the row of the later file is used",
            later_file.len(),
            quoted_cell(&later_file[0].id),
            later_file[0].first,
            later_file[0].again
        ));
    }
    let backwards: Vec<&WorkItem> = exports
        .items
        .iter()
        .filter(|i| done_before_start(i))
        .collect();
    if let Some(first) = backwards.first() {
        notes.push(format!(
            "{} done item(s) finish before they were started or created (the first: {}, {}): they count in throughput, but not in cycle times",
            backwards.len(),
            quoted_cell(&first.id),
            first.source
        ));
    }
    (notes, warnings.len())
}

/// Done, with a done date before the date its cycle time would be measured from.
fn done_before_start(item: &WorkItem) -> bool {
    let from = item.started.or(item.created);
    item.state == ItemState::Done && matches!((from, item.done), (Some(f), Some(d)) if d < f)
}

fn unmatched(items: &[WorkItem]) -> usize {
    items
        .iter()
        .filter(|i| i.bucket.is_none() && i.state != ItemState::Cancelled)
        .count()
}

/// What `import.json` records; the notes, incidents and plan are added later.
fn info(
    args: &ImportArgs,
    rules: &Rules,
    exports: &import::Exports,
    history: &History,
) -> ImportInfo {
    let items = &exports.items;
    let grid = &history.grid;
    let counts = report::import::state_counts(items);
    let (tech, by_count, matched, uncertain) = report::import::headline_numbers(history);
    ImportInfo {
        fulcrum_version: env!("CARGO_PKG_VERSION").to_string(),
        files: exports
            .files
            .iter()
            .map(|(f, format)| format!("{f} ({})", format.name()))
            .collect(),
        rules: rules.origin.clone(),
        period: grid.length.to_string(),
        first_day: grid.first_day.to_string(),
        last_day: grid.end(grid.periods).to_string(),
        periods: grid.periods,
        time_zone: escape_control(&args.export.reading.timezone).into_owned(),
        weekends_off: grid.length.unit == PeriodUnit::Day && grid.calendar.weekends_off(),
        holidays: grid
            .calendar
            .holidays()
            .iter()
            .map(Date::to_string)
            .collect(),
        items: items.len(),
        done: counts[0],
        open: counts[1],
        reopened: counts[2],
        cancelled: counts[3],
        unmatched: unmatched(items),
        duplicates: exports.repeats.len(),
        pull_requests: exports.pull_requests,
        multi_line_rows: exports.multi_line_rows.clone(),
        done_before_start: items.iter().filter(|i| done_before_start(i)).count(),
        done_outside: history.done_outside,
        scenario_written: true,
        weight: history.weighing.by.as_str().to_string(),
        weight_default: args.export.reading.weight.is_none(),
        estimates: exports.estimates.clone(),
        weighed_as_median: match history.weighing.by {
            Weight::Items => 0,
            _ => history.weighing.filled(),
        },
        tech_share: tech,
        tech_share_by_count: by_count,
        matched_share: matched,
        tech_share_uncertain: uncertain,
        teams: team_windows(history),
        unmatched_rules: suggest(rules, items, 8)
            .iter()
            .map(SuggestedRule::from)
            .collect(),
        incidents: None,
        plan: None,
        notes: Vec::new(),
    }
}

/// The import's name: `--name`, else the `--scenario` file's name, else the first export's.
fn name(args: &ImportArgs) -> String {
    args.name.clone().unwrap_or_else(|| {
        args.scenario
            .as_deref()
            .unwrap_or(&args.files[0])
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("import")
            .to_string()
    })
}

/// Exports read and counted: what `import` and `calibrate` both start from.
pub struct Read {
    /// The rules in force.
    pub rules: Rules,
    /// How the exports were read.
    pub options: ReadOptions,
    /// The items, each in its bucket.
    pub exports: import::Exports,
    /// The items counted per team, bucket and period of each team's window.
    pub history: History,
    /// Days of an incomplete last period left out.
    pub left_out: i64,
}

/// Reads `files` as `flags` say and counts them on their grid (one reader for every command
/// that reads exports).
pub fn read(files: &[PathBuf], flags: &ExportFlags, rules: Rules) -> Result<Read, Failure> {
    let period: PeriodLength = flags
        .period
        .parse()
        .map_err(|e: String| bad(format!("--period: {e}")))?;
    let options = read_options(flags, &rules)?;
    let exports = read_items(files, &rules, &options)?;
    let weight = match &flags.reading.weight {
        Some(w) => w.parse::<Weight>().map_err(bad)?,
        None => Weight::default_for(&exports.items),
    };
    let weighing = Weighing::new(weight, &exports.items);
    let (grid, left_out) = grid(flags, period, &exports.items, rules.buckets.len())?;
    let history = History::build(&exports.items, &rules.buckets, &grid, weighing);
    Ok(Read {
        rules,
        options,
        exports,
        history,
        left_out,
    })
}

/// The incidents of `--incidents` counted on `history`'s grid and windows, with notes on
/// what was left out; `None` without `--incidents`.
pub fn incidents_of(
    flags: &ExportFlags,
    read: &Read,
) -> Result<Option<(IncidentHistory, Vec<String>)>, Failure> {
    Ok(read_incidents(flags, &read.options, &read.history)?.map(|a| (a.shown, a.notes)))
}

/// The rules `flags` put in force (for commands that read exports).
pub fn rules_of(flags: &ExportFlags) -> Result<Rules, Failure> {
    rules(flags)
}

pub fn import(args: &ImportArgs) -> Result<(), Failure> {
    let rules = rules(&args.export)?;
    if args.print_rules {
        print!("{}", rules.listing());
        return Ok(());
    }
    // The period is checked before the output folder, as it always was.
    let _: PeriodLength = args
        .export
        .period
        .parse()
        .map_err(|e: String| bad(format!("--period: {e}")))?;
    let name = name(args);
    let target = args.output.destination(|| {
        Path::new("output").join(format!("{}-import", scenario_file::slug(&name)))
    })?;
    // The --scenario file is reserved before the work: a missing folder or a taken name is
    // refused now, not after it.
    let new_file = match &args.scenario {
        Some(path) => Some(NewFile::reserve(path).map_err(bad)?),
        None => None,
    };
    let Read {
        rules,
        options,
        exports,
        history,
        left_out,
    } = read(&args.files, &args.export, rules)?;
    warn_if_short(history.longest_window());
    let counts = report::import::state_counts(&exports.items);
    let (mut notes, warnings) = notes(&exports, &rules, &history, left_out, counts);
    let mut info = info(args, &rules, &exports, &history);
    let incidents = read_incidents(&args.export, &options, &history)?;
    let drift = compare_plan(args, &exports.items, &history)?;
    if let Some(added) = &incidents {
        info.incidents = Some(added.info.clone());
        notes.extend(added.notes.iter().cloned());
    }
    if let Some(added) = &drift {
        info.plan = Some(added.info.clone());
        notes.extend(added.notes.iter().cloned());
    }
    let scenario_text = scenario_file::render(&scenario_file::ScenarioSource {
        name: &name,
        history: &history,
        files: info.files.clone(),
        rules: &rules.origin,
    });
    // Never a scenario that `fulcrum validate` refuses: asked for one, that is an error;
    // else the rest is written without it, and the notes say why.
    let checked = match scenario_file::forecast_teams(&history) {
        0 => Err(
            "no scenario is written: no team finished product or tech work, and a \
             scenario forecasts planned work (add rules if some of the work is)"
                .to_string(),
        ),
        _ => scenario_file::check(&scenario_text).map_err(|why| {
            format!(
                "the scenario from these exports would not validate, so it is not written: {why}"
            )
        }),
    };
    if let Err(why) = checked {
        if new_file.is_some() {
            return Err(bad(format!(
                "{why}\n(--scenario asks for it: nothing was written)"
            )));
        }
        notes.insert(0, why);
        info.scenario_written = false;
    }
    info.notes = notes;
    let imported = Imported {
        items: &exports.items,
        history: &history,
        rules: rules.describe(),
        info: &info,
        incidents: incidents.as_ref().map(|i| &i.shown),
        drift: drift.as_ref().map(|d| d.shown.as_slice()),
    };
    if !super::progress::silent() {
        for warning in &info.notes[..warnings + usize::from(!info.scenario_written)] {
            eprintln!("warning: {warning}");
        }
    }
    let scenario = info.scenario_written.then_some(scenario_text.as_str());
    report::import::write(&target, &imported, scenario).map_err(write_failure)?;
    if let Some(file) = new_file {
        file.write(scenario_text.as_bytes())
            .map_err(write_failure)?;
    }
    print!("{}", report::import::summary(&imported));
    match &args.scenario {
        Some(path) => println!("→ {}/ and {}", target.path.display(), path.display()),
        None if info.scenario_written => println!(
            "→ {}/ (scenario.toml: a scenario from the data)",
            target.path.display()
        ),
        None => println!("→ {}/", target.path.display()),
    }
    Ok(())
}
