//! `fulcrum import`: read work-item exports, sort them into buckets, and write where the
//! capacity went (tables, charts, report) and a scenario from the data.

use std::path::{Path, PathBuf};

use fulcrum::model::history::{History, ItemState, PeriodGrid, WorkItem, align_start};
use fulcrum::model::{Date, PeriodLength, PeriodUnit};
use fulcrum::report;
use fulcrum::report::import::{ImportInfo, Imported};
use fulcrum::scenario::import::{self, ReadOptions, Rules, scenario_file};

use super::history::{WindowFlags, warn_if_short};
use super::{Failure, OutputFlags, write_failure};

/// Arguments of `fulcrum import`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Export files: generic CSV, Jira CSV, Linear CSV or GitHub issues JSON (detected by their
    /// headers).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Rules file: [[buckets]] with name, kind and types, labels, titles or anything = true.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// A rule, tried before the rules file's: BUCKET=type:Bug, BUCKET=label:tech-debt,
    /// BUCKET=title:upgrade or BUCKET=* (repeatable; first match wins).
    #[arg(long = "rule", value_name = "BUCKET=FIELD:VALUE")]
    rule: Vec<String>,
    /// Team of items whose export names none (default: the file's name).
    #[arg(long, value_name = "NAME")]
    team: Option<String>,
    /// Time zone of the team's days: UTC, +02:00 or Europe/Berlin.
    #[arg(long, value_name = "TZ", default_value = "UTC")]
    timezone: String,
    /// Length of one period: 1d (working days), 1w, 2w, 1mo, 1q.
    #[arg(long, value_name = "LEN", default_value = "1w")]
    period: String,
    /// Last day of the history (default: the latest date in the exports).
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    #[command(flatten)]
    window: WindowFlags,
    /// Also write the scenario to this file (which must not exist yet).
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

fn bad(text: impl std::fmt::Display) -> Failure {
    Failure::bad_input(text)
}

fn parse_date(flag: &str, text: &Option<String>) -> Result<Option<Date>, Failure> {
    text.as_deref()
        .map(|t| t.parse().map_err(|e: String| bad(format!("{flag}: {e}"))))
        .transpose()
}

/// Reads the exports and puts every item in its bucket.
fn read_items(args: &ImportArgs) -> Result<(Rules, import::Exports), Failure> {
    let zone =
        import::parse_time_zone(&args.timezone).map_err(|e| bad(format!("--timezone: {e}")))?;
    let rules = match (&args.rules, args.rule.is_empty()) {
        (Some(file), _) => Rules::read(file).map_err(bad)?,
        (None, false) => Rules::none(),
        (None, true) => Rules::builtin(),
    }
    .with_flags(&args.rule)
    .map_err(bad)?;
    let options = ReadOptions {
        zone,
        team: args.team.clone(),
        columns: rules.columns.clone(),
    };
    let paths: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    let mut exports = import::read_all(&paths, &options).map_err(bad)?;
    if exports.items.is_empty() {
        return Err(bad("the exports hold no items"));
    }
    for item in &mut exports.items {
        item.bucket = rules.classify(item);
    }
    Ok((rules, exports))
}

/// The periods to count on: from `--since` (else the start of the first done item's
/// period) to `--until` (else the latest date), complete periods only, cut to `--window`.
/// Also the days of an incomplete last period left out.
fn grid(
    args: &ImportArgs,
    period: PeriodLength,
    items: &[WorkItem],
) -> Result<(PeriodGrid, i64), Failure> {
    let calendar = args.window.calendar(period)?;
    let since = args.window.since_date()?;
    let until = parse_date("--until", &args.until)?;
    let first_done = items
        .iter()
        .filter(|i| i.state == ItemState::Done)
        .filter_map(|i| i.done)
        .min();
    let latest = items
        .iter()
        .flat_map(|i| [i.created, i.started, i.done])
        .flatten()
        .max();
    let first = since.or(first_done.map(|d| align_start(d, period)));
    let (Some(first), Some(last)) = (first, until.or(latest)) else {
        return Err(bad(
            "no item of the exports is done, so there is no history to count: give --since and --until to count from",
        ));
    };
    let (grid, left_out) = PeriodGrid::covering(first, last, period, calendar);
    let grid = match args.window.window_spec()? {
        Some(w) => grid.last(w.periods(period, &grid.calendar)),
        None => grid,
    };
    if grid.periods == 0 {
        return Err(bad(format!(
            "{first} to {last} holds no complete {period} period: give a longer history (--since, --until) or a shorter --period"
        )));
    }
    Ok((grid, left_out))
}

/// What the import did with awkward items, in words.
fn notes(
    counts: [usize; 4],
    unmatched: usize,
    history: &History,
    left_out: i64,
    duplicates: usize,
) -> Vec<String> {
    let [_, _, reopened, cancelled] = counts;
    let mut notes = vec![
        format!(
            "{cancelled} cancelled item(s) (cancelled, won't do, duplicate, not planned) are left out of throughput and backlog"
        ),
        format!(
            "{reopened} reopened item(s) (a done date but an open status) count as open: their earlier done date is ignored"
        ),
    ];
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
    if duplicates > 0 {
        notes.push(format!(
            "{duplicates} item(s) appear in more than one file: the row of the later file is used"
        ));
    }
    notes
}

fn info(
    args: &ImportArgs,
    rules: &Rules,
    exports: &import::Exports,
    history: &History,
    left_out: i64,
) -> ImportInfo {
    let items = &exports.items;
    let grid = &history.grid;
    let counts = report::import::state_counts(items);
    let unmatched = items
        .iter()
        .filter(|i| i.bucket.is_none() && i.state != ItemState::Cancelled)
        .count();
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
        time_zone: args.timezone.clone(),
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
        unmatched,
        duplicates: exports.duplicates,
        done_outside: history.done_outside,
        notes: notes(counts, unmatched, history, left_out, exports.duplicates),
    }
}

pub fn import(args: &ImportArgs) -> Result<(), Failure> {
    let period: PeriodLength = args
        .period
        .parse()
        .map_err(|e: String| bad(format!("--period: {e}")))?;
    let (rules, exports) = read_items(args)?;
    let (grid, left_out) = grid(args, period, &exports.items)?;
    let history = History::build(&exports.items, &rules.buckets, &grid);
    warn_if_short(grid.periods);
    let info = info(args, &rules, &exports, &history, left_out);
    let name = args.name.clone().unwrap_or_else(|| {
        args.scenario
            .as_deref()
            .unwrap_or(&args.files[0])
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("import")
            .to_string()
    });
    let scenario_text = scenario_file::render(&scenario_file::ScenarioSource {
        name: &name,
        history: &history,
        files: info.files.clone(),
        rules: &rules.origin,
    });
    let imported = Imported {
        items: &exports.items,
        history: &history,
        rules: rules.describe(),
        info: &info,
    };
    let target = args.output.destination(|| {
        Path::new("output").join(format!("{}-import", scenario_file::slug(&name)))
    })?;
    if let Some(path) = &args.scenario
        && path.exists()
    {
        return Err(bad(format!(
            "{} exists: choose another --scenario file or remove it (the import never overwrites one)",
            path.display()
        )));
    }
    report::import::write(&target, &imported, &scenario_text).map_err(write_failure)?;
    if let Some(path) = &args.scenario {
        report::write_new_file(path, scenario_text.as_bytes()).map_err(Failure::Runtime)?;
    }
    print!("{}", report::import::summary(&imported));
    match &args.scenario {
        Some(path) => println!("→ {}/ and {}", target.path.display(), path.display()),
        None => println!(
            "→ {}/ (scenario.toml: a scenario from the data)",
            target.path.display()
        ),
    }
    Ok(())
}
