//! `fulcrum forecast`: "when will it be done?" from a throughput history or a scenario.

use std::ops::Range;
use std::path::{Path, PathBuf};

use fulcrum::model::throughput::{self, Method};
use fulcrum::model::{
    Date, Distribution, PeriodLength, PeriodUnit, Scenario, Throughput, Workforce,
};
use fulcrum::pipeline::Estimate;
use fulcrum::report;
use fulcrum::scenario::{self, history};
use fulcrum::simulate::Trials;
use fulcrum::simulate::forecast::walk;
use fulcrum::simulate::forecast::{self as fc, Forecast};

use super::history::{
    HistoryFlags, LoadedHistory, WindowFlags, parse_percentiles, warn_if_short, window_counts,
};
use super::job::{Done, Job, Seeded, Shardable, drive_shards};
use super::progress::Progress;
use super::shard::{ShardFlags, Sharded, Work};
use super::{Failure, RunFlags, bad, write_failure};

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
                fulcrum::words::numbers::counted(cut as u64, "idle period", "idle periods")
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
    args.common.report.apply();
    let question = args.question()?;
    if !super::progress::silent() {
        for warning in history_warnings(&question.forecast) {
            eprintln!("warning: {warning}");
        }
    }
    let (trials, seed) = args.common.simulation.trials_and_seed(question.defaults)?;
    let job = ForecastJob {
        args,
        question,
        seeded: Seeded { trials, seed },
    };
    drive_shards(job, &args.common, work)
}

/// `fulcrum forecast`'s work: its trials, after the walk through the history that corrects
/// its chances (the calibrated method).
struct ForecastJob<'a> {
    args: &'a ForecastArgs,
    question: Question,
    seeded: Seeded,
}

impl Job for ForecastJob<'_> {
    type State = fc::ForecastState;
    const DOING: &'static str = "forecasting";

    fn seeded(&self) -> Seeded {
        self.seeded
    }

    fn folder(&self) -> PathBuf {
        Path::new("output").join(&self.question.forecast.scenario.name)
    }

    fn estimate(&self, units: &Range<u64>, threads: usize) -> (Estimate, String) {
        let count = units.end - units.start;
        let estimate = Estimate::forecasting(count, self.question.forecast.cap, threads);
        (estimate, format!("--trials (now {})", self.seeded.trials))
    }

    /// The walk forward through the history, checking past forecasts, that sets the levels
    /// the calibrated method reads its percentiles at (within the budget too).
    fn prepare(&mut self, _: &Work) -> Result<(), Failure> {
        let forecast = &mut self.question.forecast;
        let Seeded { trials, seed } = self.seeded;
        let windowed = self.args.window.window.is_some();
        let Some(settings) = walk::calibration_of(forecast, windowed, trials, seed) else {
            return Ok(());
        };
        let history = forecast.throughput.history.clone();
        let threads = rayon::current_num_threads();
        let checks = settings.trials * 2 * history.len() as u64;
        let estimate = Estimate::forecasting(checks, forecast.cap, threads);
        let lower = format!("--trials (now {trials})");
        self.args.common.budget.check(&estimate, &lower)?;
        let progress = Progress::new(history.len() as u64, "calibrating", "periods");
        let walked = walk::walk(&history, &settings, &|done| progress.update(done as u64));
        progress.finish();
        forecast.levels = walked.map_err(bad)?.levels;
        Ok(())
    }

    fn run(&self, units: Range<u64>, progress: &Progress) -> Result<Self::State, Failure> {
        let report = |done| progress.update(done);
        let trials = Trials::range(units).reporting(&report);
        Ok(fc::run_range(
            &self.question.forecast,
            self.seeded.seed,
            trials,
        ))
    }

    fn finish(self, state: Self::State, done: Done) -> Result<(), Failure> {
        let forecast = &self.question.forecast;
        let results = state.finish(forecast);
        let info = forecast_info(&self.question, &results, self.seeded, &done);
        report::forecast::write(&done.target, forecast, &results, &info).map_err(write_failure)?;
        let folder = format!("{}/", done.target.path.display());
        let stdout = &self.args.common.report;
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
            fulcrum::words::numbers::counted(self.seeded.trials, "trial", "trials"),
            done.started.elapsed().as_secs_f64(),
        ));
        Ok(())
    }
}

impl Shardable for ForecastJob<'_> {
    const COMMAND: &'static str = "forecast";
    const UNIT: &'static str = "trials";

    fn options(&self) -> String {
        self.args.options()
    }

    fn fingerprint(&self) -> String {
        fulcrum::shard::fingerprint(&format!("{:?}", self.question.forecast))
    }

    fn merge(state: &mut Self::State, later: Self::State) -> Result<(), String> {
        state.merge(&later).map_err(|e| e.to_string())
    }
}

/// What `forecast.json` records: the question, how it ran (`seed`, `trials`, `threads`) and
/// the answers.
fn forecast_info(
    question: &Question,
    results: &fc::ForecastResults,
    Seeded { trials, seed }: Seeded,
    done: &Done,
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
        threads: done.threads,
        seconds: done.started.elapsed().as_secs_f64(),
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
        shards: done.shards.clone(),
    }
}
