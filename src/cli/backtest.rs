//! `fulcrum backtest`: walk forward through a throughput history, forecasting from the data
//! up to each point as `forecast` would, and report how often each percentile was right.

use std::ops::Range;
use std::path::{Path, PathBuf};

use fulcrum::model::history::{PeriodGrid, first_day_before};
use fulcrum::model::throughput::{self, Method};
use fulcrum::model::{Calendar, Date, PeriodLength, Workforce};
use fulcrum::pipeline::Estimate;
use fulcrum::report;
use fulcrum::report::backtest::{BacktestInfo, Labelled, MethodInfo};
use fulcrum::report::forecast::ShiftInfo;
use fulcrum::scenario;
use fulcrum::simulate::forecast::backtest::{self, Settings};
use fulcrum::simulate::forecast::{self as fc, DEFAULT_PERCENTILES};

use super::forecast::cut_histories;
use super::history::{HistoryFlags, WindowFlags, after, parse_percentiles, warn_if_short};
use super::import::ReadingFlags;
use super::job::{Done, Flags, Job, Seeded, drive};
use super::progress::Progress;
use super::{
    BudgetFlags, Failure, OutputFlags, SimulationFlags, bad, print_warnings, write_failure,
};

mod model;

/// Trials per forecast unless --trials says otherwise: a backtest runs one forecast per origin.
const TRIALS: u64 = 2000;

/// Periods before the first forecast unless --min-history says otherwise.
const MIN_HISTORY: usize = 10;

/// Arguments of `fulcrum backtest`.
#[derive(clap::Args, Debug)]
#[command(mut_arg("trials", |a| a.help(
    "Monte Carlo trials per forecast (default: the scenario's `trials`, at most 2000; else 2000)"
)))]
#[command(group(clap::ArgGroup::new("teams").args(["scenario", "export"]).multiple(true)))]
pub struct BacktestArgs {
    /// Scenario with a throughput-history team, e.g. one `fulcrum import` wrote (instead of
    /// --history/--history-csv).
    #[arg(required_unless_present_any = ["history", "history_csv", "export"])]
    scenario: Option<PathBuf>,
    #[command(flatten)]
    given: HistoryFlags,
    /// Work-item exports, read as `fulcrum import` and `calibrate` read them (repeatable):
    /// backtest the whole debt model, calibrated at each origin, against the bootstrap of
    /// each bucket's own series.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["scenario", "history", "history_csv"])]
    export: Vec<PathBuf>,
    #[command(flatten)]
    reading: ReadingFlags,
    /// The team to backtest: the scenario's or the exports' (default: the only one).
    #[arg(long, value_name = "NAME", requires = "teams")]
    team: Option<String>,
    /// "When will the next N items be done?" (default: the median throughput × the horizon).
    #[arg(long, value_name = "N")]
    backlog: Option<f64>,
    /// "How many in the next H periods?"
    #[arg(long, value_name = "H", default_value_t = 10)]
    horizon: usize,
    /// Periods of history before the first forecast [default: 10; with --export, a year and
    /// at least 16, what a calibration needs].
    #[arg(long, value_name = "N")]
    min_history: Option<usize>,
    /// Periods between forecasts [default: 1; with --export, a quarter: each of the model's
    /// forecasts is a calibration].
    #[arg(long, value_name = "S")]
    step: Option<usize>,
    /// Percentiles to check, in percent.
    #[arg(long, value_name = "P,...")]
    percentiles: Option<String>,
    /// Forecasting methods to judge side by side on the same points: calibrated (four-week
    /// blocks of the last year, chances corrected by their own record), iid (the classic
    /// bootstrap) and, with --export, model (the debt model, judged against the first
    /// bootstrap), e.g. calibrated,iid (default: the scenario's `throughput_method`, else
    /// calibrated; with --export, model,calibrated).
    #[arg(long, value_name = "METHOD,...", value_delimiter = ',')]
    method: Vec<Judged>,
    /// With --export: a headcount table (team,from,engineers rows, as `calibrate --headcount`
    /// reads it), so that a team that grew is not read as one whose debt fell
    #[arg(long, value_name = "FILE")]
    headcount: Option<PathBuf>,
    /// With --export: a priors file (as `calibrate --priors` reads it), so that each origin is
    /// calibrated under the prior the team's calibration uses
    #[arg(long, value_name = "FILE")]
    priors: Option<PathBuf>,
    /// With --export: particles of each origin's calibration (fewer is faster and wider).
    #[arg(long, value_name = "N")]
    particles: Option<usize>,
    /// Keep idle stretches at the ends of the history (before the team's first finished item,
    /// after its last); they are cut by default.
    #[arg(long)]
    keep_idle: bool,
    /// Length of one history period: 1d, 1w, 2w, 1mo, 1q (default: 1w for counts, 1d for
    /// finish dates).
    #[arg(long, value_name = "LEN", conflicts_with = "scenario")]
    period: Option<String>,
    // --window is a rolling window here: each forecast bootstraps the last N periods before
    // it, as `forecast --window` would; --since cuts the history's start.
    #[command(flatten)]
    window: WindowFlags,
    #[command(flatten)]
    simulation: SimulationFlags,
    /// Results folder (default: output/backtest, or output/<scenario name>-backtest).
    #[command(flatten)]
    output: OutputFlags,
    #[command(flatten)]
    budget: BudgetFlags,
}

impl BacktestArgs {
    /// The flags every job reads (trials, seed, threads; output; budget), in either mode.
    fn job_flags(&self) -> Flags<'_> {
        Flags {
            simulation: &self.simulation,
            output: &self.output,
            budget: &self.budget,
        }
    }
}

/// What `--method` names: a throughput bootstrap or the debt model.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Judged {
    Bootstrap(Method),
    Model,
}

impl std::str::FromStr for Judged {
    type Err = String;

    fn from_str(s: &str) -> Result<Judged, String> {
        match s {
            "model" => Ok(Judged::Model),
            _ => s
                .parse()
                .map(Judged::Bootstrap)
                .map_err(|e: String| format!("{e}; or model (the debt model, with --export)")),
        }
    }
}

impl Judged {
    fn bootstrap(self) -> Option<Method> {
        match self {
            Judged::Bootstrap(m) => Some(m),
            Judged::Model => None,
        }
    }
}

/// A history to backtest: counts, period, calendar, the first day when known, its source and
/// the default output folder.
struct Source {
    counts: Vec<f64>,
    period: PeriodLength,
    calendar: Calendar,
    first_day: Option<Date>,
    source: String,
    folder: String,
    defaults: Option<(u64, u64)>,
    /// The scenario team's method, when the history comes from a scenario.
    method: Option<Method>,
}

fn from_scenario(args: &BacktestArgs, file: &Path) -> Result<Source, Failure> {
    args.window.refuse_since_on_scenarios()?;
    let loaded = scenario::load(file, &[])?;
    print_warnings(&loaded.warnings);
    let mut sc = loaded.scenario.clone();
    // Holidays and --all-days apply; the window is a rolling one, applied per forecast.
    let calendar_only = WindowFlags {
        window: None,
        ..args.window.clone()
    };
    cut_histories(&mut sc, &calendar_only)?;
    let histories: Vec<(String, Vec<f64>, Method)> = sc
        .teams
        .iter()
        .filter_map(|t| match &t.workforce {
            Workforce::Throughput(tp) => Some((t.name.clone(), tp.history.to_vec(), tp.method)),
            _ => None,
        })
        .collect();
    let (name, counts, method) = match (&args.team, histories.as_slice()) {
        (Some(team), _) => histories.iter().find(|(n, _, _)| n == team).cloned().ok_or_else(|| {
            bad(format!(
                "no team called `{team}` has a throughput history (`capacity = {{ samples = [...] }}`); teams with one: {}",
                histories.iter().map(|h| h.0.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })?,
        (None, [one]) => one.clone(),
        (None, []) => {
            return Err(bad(format!(
                "no team of {} has a throughput history (`capacity = {{ samples = [...] }}`)",
                file.display()
            )));
        }
        (None, many) => {
            return Err(bad(format!(
                "several teams have a throughput history ({}): choose one with --team",
                many.iter().map(|h| h.0.as_str()).collect::<Vec<_>>().join(", ")
            )));
        }
    };
    // An imported scenario starts the day after its history: the history ends the day before.
    let first_day = sc
        .start
        .map(|start| first_day_before(start, sc.period_length, &sc.calendar, counts.len()));
    Ok(Source {
        counts,
        period: sc.period_length,
        calendar: sc.calendar.clone(),
        first_day,
        source: format!("scenario {} team {name}", file.display()),
        folder: format!("{}-backtest", sc.name),
        defaults: Some((TRIALS.min(sc.trials), sc.seed)),
        method: Some(method),
    })
}

fn from_history(args: &BacktestArgs) -> Result<Source, Failure> {
    let period = args
        .period
        .as_deref()
        .map(|p| p.parse().map_err(|e: String| bad(format!("--period: {e}"))))
        .transpose()?;
    let cut_start_only = WindowFlags {
        window: None,
        ..args.window.clone()
    };
    let loaded = args.given.load(period, &cut_start_only)?;
    Ok(Source {
        counts: loaded.counts,
        period: loaded.period,
        calendar: loaded.calendar,
        first_day: loaded.first_day,
        source: loaded.source,
        folder: "backtest".into(),
        defaults: None,
        method: None,
    })
}

/// The backtest's settings from the flags: the backlog defaults to the median period × the
/// horizon, the window is converted to periods.
fn settings(args: &BacktestArgs, src: &Source) -> Result<Settings, Failure> {
    let percentiles = match &args.percentiles {
        Some(text) => parse_percentiles(text)?,
        None => DEFAULT_PERCENTILES.to_vec(),
    };
    let backlog = match args.backlog {
        Some(b) => b,
        None => {
            let mut sorted = src.counts.clone();
            sorted.sort_by(f64::total_cmp);
            let median = sorted.get(sorted.len() / 2).copied().unwrap_or(1.0);
            (median * args.horizon as f64).round().max(1.0)
        }
    };
    let window = args
        .window
        .window_spec()?
        .map(|w| w.periods(src.period, &src.calendar));
    let (trials, seed) = args
        .simulation
        .trials_and_seed(Some(src.defaults.unwrap_or((TRIALS, 42))))?;
    let methods = if args.method.is_empty() {
        vec![src.method.unwrap_or_default()]
    } else {
        args.method.iter().filter_map(|m| m.bootstrap()).collect()
    };
    Ok(Settings {
        period: src.period,
        per_year: throughput::per_year(src.period, &src.calendar),
        methods,
        backlog,
        horizon: args.horizon,
        window,
        min_history: args.min_history.unwrap_or(MIN_HISTORY),
        step: args.step.unwrap_or(1),
        percentiles,
        trials,
        seed,
    })
}

/// The last day of each history period, when its first day is known.
fn dates(src: &Source) -> Option<Vec<String>> {
    src.first_day.map(|first| {
        let grid = PeriodGrid {
            first_day: first,
            length: src.period,
            calendar: src.calendar.clone(),
            periods: src.counts.len(),
        };
        (1..=grid.periods)
            .map(|t| grid.end(t).to_string())
            .collect()
    })
}

/// The team's active span of `src` (unless `--keep-idle`): periods before its first
/// finished item and after its last (with stragglers a long gap away) are cut; returns how
/// many were cut at each end.
fn trim(args: &BacktestArgs, src: &mut Source) -> (usize, usize) {
    if args.keep_idle {
        return (0, 0);
    }
    let per_year = throughput::per_year(src.period, &src.calendar);
    let span = throughput::active_span(&src.counts, throughput::idle_gap(per_year));
    if span.is_empty() || span.len() == src.counts.len() {
        return (0, 0);
    }
    let cut = (span.start, src.counts.len() - span.end);
    src.first_day = src
        .first_day
        .map(|first| after(first, src.period, &src.calendar, span.start));
    src.counts = src.counts[span].to_vec();
    cut
}

pub fn backtest(args: &BacktestArgs) -> Result<(), Failure> {
    if !args.export.is_empty() {
        return model::backtest(args);
    }
    if args.reading.given()
        || args.headcount.is_some()
        || args.particles.is_some()
        || args.priors.is_some()
    {
        return Err(bad(
            "--rules, --rule, --no-default-rules, --weight, --incidents, --timezone, --until, --headcount, --priors and --particles read or calibrate on work-item exports: give them with --export",
        ));
    }
    if args.method.contains(&Judged::Model) {
        return Err(bad(
            "--method model backtests the debt model, which is calibrated on the product, tech and keep-the-lights-on work of an export: give --export FILE",
        ));
    }
    let mut src = match &args.scenario {
        Some(file) => from_scenario(args, file)?,
        None => from_history(args)?,
    };
    let cut = trim(args, &mut src);
    if cut.0 + cut.1 > 0 {
        eprintln!(
            "note: the team's active span only: {} idle period(s) cut before its first finished item, {} after its last (--keep-idle keeps them)",
            cut.0, cut.1
        );
    }
    warn_if_short(src.counts.len());
    let settings = settings(args, &src)?;
    let job = BacktestJob {
        args,
        src,
        cut,
        settings,
    };
    drive(job, args.job_flags())
}

/// `fulcrum backtest`'s work: every method walked forward through the history, one forecast
/// per origin. Its units are the origins of every method in turn; a walk carries what it
/// learnt from one origin to the next, so it runs whole (no shards).
struct BacktestJob<'a> {
    args: &'a BacktestArgs,
    src: Source,
    /// Idle periods cut before the team's first finished item and after its last.
    cut: (usize, usize),
    settings: Settings,
}

impl Job for BacktestJob<'_> {
    type State = backtest::Backtest;
    const DOING: &'static str = "backtesting";

    fn seeded(&self) -> Seeded {
        Seeded {
            trials: self.settings.trials,
            seed: self.settings.seed,
        }
    }

    fn units(&self) -> u64 {
        (self.src.counts.len() * self.settings.methods.len()) as u64
    }

    fn folder(&self) -> PathBuf {
        Path::new("output").join(&self.src.folder)
    }

    /// Two forecasts per origin: "when will the backlog be done" (about backlog ÷ mean
    /// throughput periods a trial) and "how many in the horizon".
    fn estimate(&self, units: &Range<u64>, threads: usize) -> (Estimate, String) {
        let counts = &self.src.counts;
        let mean = counts.iter().sum::<f64>() / counts.len().max(1) as f64;
        let when = (self.settings.backlog / mean.max(f64::MIN_POSITIVE)).ceil();
        let periods = when.min(fc::MAX_PERIODS as f64) as usize + self.settings.horizon;
        let trials = self.settings.trials.saturating_mul(units.end - units.start);
        let lower = format!(
            "--trials (now {}), --step or the methods",
            self.settings.trials
        );
        (Estimate::forecasting(trials, periods, threads), lower)
    }

    fn run(&self, _: Range<u64>, progress: &Progress) -> Result<Self::State, Failure> {
        let report = |done| progress.update(done as u64);
        let result = backtest::run(&self.src.counts, &self.settings, &report).map_err(bad)?;
        if result.checks() == 0 {
            return Err(bad(
                "no forecast could be checked: the history after the first origin is too short for the backlog or horizon; lower --backlog, --horizon or --min-history",
            ));
        }
        Ok(result)
    }

    fn finish(self, result: Self::State, done: Done) -> Result<(), Failure> {
        let (args, src, settings) = (self.args, self.src, &self.settings);
        let dates = dates(&src);
        let shift =
            throughput::last_level_shift(&src.counts, throughput::min_segment(settings.per_year));
        let info = BacktestInfo {
            fulcrum_version: env!("CARGO_PKG_VERSION").to_string(),
            source: src.source,
            history: src.counts.clone(),
            cut_before: self.cut.0,
            cut_after: self.cut.1,
            methods: result.methods.iter().map(MethodInfo::of).collect(),
            best: (result.methods.len() > 1)
                .then(|| result.best().map(|m| m.method.to_string()))
                .flatten(),
            level_shift: shift.as_ref().map(ShiftInfo::of),
            period: src.period.to_string(),
            first_day: src.first_day.map(|d| d.to_string()),
            backlog: settings.backlog,
            horizon: args.horizon,
            window: settings.window,
            min_history: settings.min_history,
            step: settings.step,
            percentiles: settings.percentiles.clone(),
            seed: settings.seed,
            trials_per_forecast: settings.trials,
            threads: done.threads,
            seconds: done.started.elapsed().as_secs_f64(),
        };
        let labelled = Labelled {
            backtest: &result,
            settings,
            info: &info,
            dates,
            shift,
        };
        report::backtest::write(&done.target, &labelled).map_err(write_failure)?;
        print!("{}", report::backtest::summary(&labelled));
        println!(
            "{} in {:.2} s → {}/",
            fulcrum::words::numbers::counted(result.checks() as u64, "forecast", "forecasts"),
            done.started.elapsed().as_secs_f64(),
            done.target.path.display()
        );
        Ok(())
    }
}
