//! `fulcrum forecast`: "when will it be done?" from a throughput history or a scenario.

use std::path::{Path, PathBuf};
use std::time::Instant;

use fulcrum::model::throughput::{self, Method};
use fulcrum::model::{
    Date, Distribution, PeriodLength, PeriodUnit, Scenario, Throughput, Workforce,
};
use fulcrum::pipeline::Estimate;
use fulcrum::report;
use fulcrum::scenario::{self, history};
use fulcrum::simulate::forecast::walk;
use fulcrum::simulate::forecast::{self as fc, Forecast};

use super::history::{
    HistoryFlags, LoadedHistory, WindowFlags, parse_percentiles, warn_if_short, window_counts,
};
use super::progress::Progress;
use super::shard::{Ran, ShardFlags, Sharded, Work, write_shard};
use super::{Failure, RunFlags, write_failure};

/// Arguments of `fulcrum forecast`.
#[derive(clap::Args, Debug, Clone)]
#[command(mut_arg("trials", |a| a.help(
    "Monte Carlo trials (default: the scenario's `trials`, else 10000)"
)))]
#[command(mut_arg("out", |a| a.help(
    "Results folder (default: output/forecast, or output/<scenario name>-forecast). fulcrum \
     replaces only an earlier result of its own"
)))]
pub struct ForecastArgs {
    /// Scenario file with a throughput-history team (instead of --history/--history-csv).
    #[arg(required_unless_present_any = ["history", "history_csv"])]
    scenario: Option<PathBuf>,
    #[command(flatten)]
    given: HistoryFlags,
    /// Items in the backlog (with --history or --history-csv).
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        required_unless_present = "scenario",
        conflicts_with = "scenario"
    )]
    backlog: Option<f64>,
    /// Items each backlog item becomes once work starts: 1.2, or "1 to 1.5" (90% interval).
    #[arg(long, value_name = "RATE", conflicts_with = "scenario")]
    split_rate: Option<String>,
    /// Period to ask "done by then?" and "how many by then?" about (scenario default: the
    /// initiative's deadline, else the scenario's periods).
    #[arg(long, value_name = "H")]
    horizon: Option<usize>,
    /// Length of one history period: 1d, 1w, 2w, 1mo, 1q (default: 1w for counts, 1d for
    /// finish dates).
    #[arg(long, value_name = "LEN", conflicts_with = "scenario")]
    period: Option<String>,
    /// First day of period 1 (YYYY-MM-DD): outputs then carry dates.
    #[arg(long, value_name = "DATE")]
    start: Option<String>,
    /// The forecast team of a scenario (default: the only team with a history).
    #[arg(long, value_name = "NAME", requires = "scenario")]
    team: Option<String>,
    /// Forecast only this initiative of a scenario (default: all of the team's initiatives).
    #[arg(long, value_name = "ID", requires = "scenario")]
    initiative: Option<String>,
    /// Probabilities to read the forecast at, in percent: 50,70,85,95 gives "done by …" and
    /// "at least N items by the horizon" with 50, 70, 85 and 95% chance.
    #[arg(long, value_name = "P,...")]
    percentiles: Option<String>,
    /// How to read the history: calibrated (four-week blocks of the last year, chances
    /// corrected by how often the same forecasts came true on the history's own
    /// past) or iid (the classic bootstrap: every period independently from all the history).
    /// Default: the scenario's `throughput_method`, else calibrated.
    #[arg(long, value_name = "METHOD")]
    method: Option<Method>,
    /// Keep idle periods at the start of the history (before the team's first finished item);
    /// they are cut by default.
    #[arg(long)]
    keep_idle: bool,
    #[command(flatten)]
    window: WindowFlags,
    #[command(flatten)]
    common: RunFlags,
    /// Override a field of the scenario: path=value, e.g. initiatives.api-migration.effort=150
    /// (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE", conflicts_with_all = ["history", "history_csv"])]
    sets: Vec<String>,
    #[command(flatten)]
    shard: ShardFlags,
}

impl Sharded for ForecastArgs {
    fn flags(&mut self) -> (&mut RunFlags, &mut ShardFlags) {
        (&mut self.common, &mut self.shard)
    }
}

fn bad(text: impl std::fmt::Display) -> Failure {
    Failure::bad_input(text)
}

fn parse<T: std::str::FromStr<Err = String>>(
    flag: &str,
    text: &Option<String>,
) -> Result<Option<T>, Failure> {
    text.as_deref()
        .map(|t| t.parse().map_err(|e: String| bad(format!("{flag}: {e}"))))
        .transpose()
}

/// A forecast, where it came from (for `forecast.json`), the scenario's trials and seed and
/// the backlog as text.
struct Question {
    forecast: Forecast,
    source: String,
    defaults: Option<(u64, u64)>,
    backlog: String,
}

/// The forecast of a scenario's history team: `--window` cuts every history team's samples,
/// `--holidays` and `--all-days` change the scenario's working days.
fn scenario_question(args: &ForecastArgs, file: &Path) -> Result<Question, Failure> {
    args.window.refuse_since_on_scenarios()?;
    let loaded = scenario::load(file, &args.sets)?;
    args.common.report.scenario_warnings(&loaded.warnings);
    let mut sc = loaded.scenario.clone();
    cut_histories(&mut sc, &args.window)?;
    if let Some(method) = args.method {
        let per_year = throughput::per_year(sc.period_length, &sc.calendar);
        let windowed = args.window.window.is_some();
        for team in &mut sc.teams {
            if let Workforce::Throughput(tp) = &mut team.workforce {
                *tp = reread(tp, method, per_year, windowed);
            }
        }
    }
    let forecast = Forecast::from_scenario(
        &sc,
        args.team.as_deref(),
        args.initiative.as_deref(),
        args.horizon,
    )
    .map_err(bad)?;
    warn_if_short(forecast.history().len());
    let backlog = forecast
        .scenario
        .initiatives
        .iter()
        .map(|i| i.id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let source = std::iter::once(format!("scenario {}", file.display()))
        .chain(args.sets.iter().map(|set| format!("--set {set}")))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Question {
        forecast,
        source,
        defaults: Some((sc.trials, sc.seed)),
        backlog,
    })
}

/// Applies `--window`, `--holidays` and `--all-days` to a scenario's history teams and
/// calendar.
pub(super) fn cut_histories(sc: &mut Scenario, flags: &WindowFlags) -> Result<(), Failure> {
    if !flags.holidays.is_empty() || flags.all_days {
        let mut days = sc.calendar.holidays().to_vec();
        days.extend(flags.holiday_dates()?);
        let weekends_off = sc.calendar.weekends_off() && !flags.all_days;
        sc.calendar =
            fulcrum::model::Calendar::for_period(sc.period_length, Some(weekends_off), days);
    }
    if let Some(window) = flags.window_spec()? {
        for team in &mut sc.teams {
            if let Workforce::Throughput(tp) = &mut team.workforce {
                let mut counts = tp.history.to_vec();
                window_counts(&mut counts, window, sc.period_length, &sc.calendar);
                let last = counts.len();
                let per_year = throughput::per_year(sc.period_length, &sc.calendar);
                *tp = Throughput::windowed(counts.into(), tp.method, last, per_year);
            }
        }
    }
    Ok(())
}

/// `tp` read with `method`: all of its history when a `--window` cut it already.
fn reread(tp: &Throughput, method: Method, per_year: f64, windowed: bool) -> Throughput {
    if windowed {
        Throughput::windowed(tp.history.clone(), method, tp.history.len(), per_year)
    } else {
        Throughput::new(tp.history.clone(), method, per_year)
    }
}

/// The forecast of `--backlog` items on `--history` or `--history-csv`.
fn history_question(
    args: &ForecastArgs,
    period: Option<PeriodLength>,
) -> Result<Question, Failure> {
    let mut loaded = args.given.load(period, &args.window)?;
    if !args.keep_idle {
        let cut = loaded.cut_leading_idle();
        if cut > 0 && !super::progress::silent() {
            eprintln!(
                "note: {} before the team's first finished item cut from the history (--keep-idle keeps them)",
                report::kit::numbers::counted(cut as u64, "idle period", "idle periods")
            );
        }
    }
    let backlog = args
        .backlog
        .expect("clap requires --backlog without a scenario");
    let split = args
        .split_rate
        .as_deref()
        .map(history::parse_split_rate)
        .transpose()
        .map_err(bad)?;
    let method = args.method.unwrap_or_default();
    let windowed = args.window.window.is_some();
    let forecast = history_forecast(&loaded, backlog, split, args.horizon, method, windowed)?;
    Ok(Question {
        forecast,
        source: loaded.source,
        defaults: None,
        backlog: format!("{backlog}"),
    })
}

/// A forecast of `backlog` items on a loaded history read with `method` (all of it when a
/// window cut it already), on its calendar, starting the day after a dated history ends.
pub(super) fn history_forecast(
    loaded: &LoadedHistory,
    backlog: f64,
    split: Option<Distribution>,
    horizon: Option<usize>,
    method: Method,
    windowed: bool,
) -> Result<Forecast, Failure> {
    fc::check_history(&loaded.counts).map_err(bad)?;
    let per_year = throughput::per_year(loaded.period, &loaded.calendar);
    let read = Throughput::new(loaded.counts.as_slice().into(), Method::Iid, per_year);
    let throughput = reread(&read, method, per_year, windowed);
    let mut forecast =
        Forecast::from_throughput(throughput, backlog, split, horizon, loaded.period)
            .map_err(bad)?;
    forecast.scenario.calendar = loaded.calendar.clone();
    forecast.scenario.start = loaded.next_day;
    Ok(forecast)
}

pub fn forecast(args: &ForecastArgs) -> Result<(), Failure> {
    execute(args, args.shard.work()?)
}

impl ForecastArgs {
    /// The forecast the flags ask for, with `--start` and `--percentiles` applied.
    fn question(&self) -> Result<Question, Failure> {
        let start: Option<Date> = parse("--start", &self.start)?;
        let period: Option<PeriodLength> = parse("--period", &self.period)?;
        let mut question = match &self.scenario {
            Some(file) => scenario_question(self, file)?,
            None => history_question(self, period)?,
        };
        if start.is_some() {
            question.forecast.scenario.start = start;
        }
        if let Some(text) = &self.percentiles {
            question.forecast.set_percentiles(parse_percentiles(text)?);
        }
        Ok(question)
    }
}

/// Warnings about the history `forecast` resamples: a recent lasting change of pace (with the
/// window that starts at it), and a team that has finished nothing for a long while.
fn history_warnings(forecast: &Forecast) -> Vec<String> {
    let tp = &forecast.throughput;
    let calendar = &forecast.scenario.calendar;
    let per_year = throughput::per_year(forecast.scenario.period_length, calendar);
    let mut out = Vec::new();
    let shift = tp
        .shift
        .or_else(|| throughput::last_level_shift(&tp.history, throughput::min_segment(per_year)));
    if let Some(shift) = shift {
        let since = tp.history.len() - shift.at;
        let using = format!("to forecast from the new pace only, use --window {since}");
        out.push(format!(
            "the pace changed at period {} of the history ({since} periods ago): {:.2} → {:.2} items per period (CUSUM test, p = {:.3}); {using}",
            shift.at + 1,
            shift.before,
            shift.after,
            shift.p_value
        ));
    }
    let idle = tp.history.iter().rev().take_while(|&&x| x == 0.0).count();
    if idle >= throughput::idle_gap(per_year) {
        out.push(format!(
            "the team finished nothing in its last {idle} periods: if it has stopped working on this, no forecast applies; this one assumes it goes on as before"
        ));
    }
    out
}

/// The forecast: all its trials, one shard's (written as a shard folder), or merged shards'.
pub(super) fn execute(args: &ForecastArgs, work: Work) -> Result<(), Failure> {
    let started = Instant::now();
    args.common.report.apply();
    let mut question = args.question()?;
    if !super::progress::silent() {
        for warning in history_warnings(&question.forecast) {
            eprintln!("warning: {warning}");
        }
    }
    let (trials, seed) = args.common.simulation.trials_and_seed(question.defaults)?;
    let pool = work.pool(&args.common.simulation)?;
    let walk = walk::calibration_of(
        &question.forecast,
        args.window.window.is_some(),
        trials,
        seed,
    );
    if let Some(settings) = &walk {
        let history = question.forecast.throughput.history.clone();
        let estimate = Estimate::forecasting(
            settings.trials * 2 * history.len() as u64,
            question.forecast.cap,
            pool.current_num_threads(),
        );
        args.common
            .budget
            .check(&estimate, &format!("--trials (now {trials})"))?;
        let progress = Progress::new(history.len() as u64, "calibrating");
        let walked = pool
            .install(|| walk::walk(&history, settings, &|done| progress.update(done as u64)))
            .map_err(bad)?;
        progress.finish();
        question.forecast.levels = walked.levels;
    }
    let forecast = &question.forecast;
    let target = work.destination(
        &args.common.output,
        Path::new("output").join(&forecast.scenario.name),
    )?;
    let hash = fulcrum::shard::fingerprint(&format!("{forecast:?}"));
    let range = work.range(trials);
    let threads = pool.current_num_threads();
    let results = if let Work::Merged(merged) = work {
        merged.check(&hash, seed, trials)?;
        let state = merged.merge(|state: &mut fc::ForecastState, other| state.merge(&other))?;
        state.finish(forecast)
    } else {
        let count = range.end - range.start;
        let estimate = Estimate::forecasting(count, forecast.cap, threads);
        args.common
            .budget
            .check(&estimate, &format!("--trials (now {trials})"))?;
        let progress = Progress::new(count, "forecasting");
        let state =
            pool.install(|| fc::run_range(forecast, range, seed, &|done| progress.update(done)));
        progress.finish();
        if let Work::Shard(shard) = work {
            let ran = Ran::trials("forecast", args.options(), hash, seed, trials);
            let stdout = (&args.common.report, started);
            return write_shard(&target, shard, ran, &state, stdout);
        }
        state.finish(forecast)
    };
    let shards = match work {
        Work::Merged(merged) => merged.list(),
        _ => Vec::new(),
    };
    let run = (seed, trials, threads);
    let info = forecast_info(&question, &results, run, started, shards);
    report::forecast::write(&target, forecast, &results, &info).map_err(write_failure)?;
    let folder = format!("{}/", target.path.display());
    let stdout = &args.common.report;
    stdout.json(&report::forecast::json::Forecast {
        schema: "fulcrum.forecast/1",
        info: &info,
        output: folder.clone(),
    })?;
    let summary = report::forecast::terminal::summary(forecast, &results);
    stdout.table(
        &report::forecast::terminal::headline(forecast, &results),
        summary.trim_end(),
    );
    stdout.footer(&format!(
        "{} in {:.2} s → {folder}",
        report::kit::numbers::counted(trials, "trial", "trials"),
        started.elapsed().as_secs_f64(),
    ));
    Ok(())
}

/// What `forecast.json` records: the question, how it ran (`seed`, `trials`, `threads`) and
/// the answers.
fn forecast_info(
    question: &Question,
    results: &fc::ForecastResults,
    (seed, trials, threads): (u64, u64, usize),
    started: Instant,
    shards: Vec<String>,
) -> report::forecast::ForecastInfo {
    let forecast = &question.forecast;
    let names = report::forecast::percentiles(forecast);
    let calendar = &forecast.scenario.calendar;
    report::forecast::ForecastInfo {
        fulcrum_version: env!("CARGO_PKG_VERSION").to_string(),
        source: question.source.clone(),
        history: forecast.throughput.history.to_vec(),
        method: forecast.throughput.method.to_string(),
        window: forecast.history().len(),
        block: forecast.throughput.block,
        level_shift: forecast
            .throughput
            .shift
            .as_ref()
            .map(report::forecast::ShiftInfo::of),
        calibration: forecast.levels.clone(),
        backlog: question.backlog.clone(),
        horizon: forecast.horizon,
        cap: forecast.cap,
        period: forecast.scenario.period_length.to_string(),
        start: forecast.scenario.start.map(|d| d.to_string()),
        seed,
        trials,
        threads,
        seconds: started.elapsed().as_secs_f64(),
        percentiles: names
            .iter()
            .map(|(name, q)| (name.clone(), results.percentile(*q)))
            .collect(),
        not_done_within_cap: results.not_done(),
        items_at_least_by_horizon: match &results.at_horizon {
            Some((_, _, items)) => names
                .iter()
                .map(|(name, _)| name.clone())
                .zip(items.at_least.iter().copied())
                .collect(),
            None => Vec::new(),
        },
        weekends_off: forecast.scenario.period_length.unit == PeriodUnit::Day
            && calendar.weekends_off(),
        holidays: calendar.holidays().iter().map(Date::to_string).collect(),
        shards,
    }
}
