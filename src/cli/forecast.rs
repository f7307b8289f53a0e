//! `fulcrum forecast`: "when will it be done?" from a throughput history or a scenario.

use std::path::{Path, PathBuf};
use std::time::Instant;

use fulcrum::model::{Date, PeriodLength, PeriodUnit};
use fulcrum::pipeline::Estimate;
use fulcrum::report;
use fulcrum::scenario::{self, history};
use fulcrum::simulate::forecast::{self as fc, Forecast};

use super::progress::Progress;
use super::{BudgetFlags, Failure, OutputFlags, SimulationFlags, print_warnings, write_failure};

/// Arguments of `fulcrum forecast`.
#[derive(clap::Args, Debug)]
pub struct ForecastArgs {
    /// Scenario file with a throughput-history team (instead of --history/--history-csv).
    #[arg(required_unless_present_any = ["history", "history_csv"])]
    scenario: Option<PathBuf>,
    /// Items finished per period, oldest first: 3,5,2,6,...
    #[arg(long, value_name = "COUNTS", allow_hyphen_values = true, conflicts_with_all = ["scenario", "history_csv"])]
    history: Option<String>,
    /// CSV whose first column holds per-period counts or item finish dates (YYYY-MM-DD).
    #[arg(long, value_name = "FILE", conflicts_with = "scenario")]
    history_csv: Option<PathBuf>,
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
    #[command(flatten)]
    simulation: SimulationFlags,
    /// Results folder (default: output/forecast, or output/<scenario name>-forecast).
    #[command(flatten)]
    output: OutputFlags,
    #[command(flatten)]
    budget: BudgetFlags,
    /// Override a field of the scenario: path=value, e.g. initiatives.backlog.effort=150
    /// (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE", conflicts_with_all = ["history", "history_csv"])]
    sets: Vec<String>,
}

pub fn forecast(args: &ForecastArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let bad = |text: String| Failure::BadInput(format!("error: {text}\n"));
    let start: Option<Date> = match &args.start {
        Some(text) => Some(
            text.parse()
                .map_err(|e: String| bad(format!("--start: {e}")))?,
        ),
        None => None,
    };
    let period: Option<PeriodLength> = match &args.period {
        Some(text) => Some(
            text.parse()
                .map_err(|e: String| bad(format!("--period: {e}")))?,
        ),
        None => None,
    };
    let (mut forecast, source, defaults, backlog) = if let Some(file) = &args.scenario {
        let loaded = scenario::load(file, &args.sets)?;
        print_warnings(&loaded.warnings);
        let sc = &loaded.scenario;
        let forecast = Forecast::from_scenario(
            sc,
            args.team.as_deref(),
            args.initiative.as_deref(),
            args.horizon,
        )
        .map_err(|e| bad(e.to_string()))?;
        let backlog = forecast
            .scenario
            .initiatives
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        (
            forecast,
            std::iter::once(format!("scenario {}", file.display()))
                .chain(args.sets.iter().map(|set| format!("--set {set}")))
                .collect::<Vec<_>>()
                .join(" "),
            Some((sc.trials, sc.seed)),
            backlog,
        )
    } else {
        let (counts, dated_period, source) = match (&args.history, &args.history_csv) {
            (Some(list), _) => (
                history::parse_list(list).map_err(|e| bad(e.to_string()))?,
                None,
                "history".to_string(),
            ),
            (None, Some(file)) => {
                let h = history::read_csv(file, period).map_err(|e| bad(e.to_string()))?;
                if h.days_left_out > 0 {
                    eprintln!(
                        "note: the last {} day(s) of {} do not fill a whole period and are left out",
                        h.days_left_out,
                        file.display()
                    );
                }
                // Finish dates without --period are counted per day.
                let dated = h.first_day.map(|_| PeriodLength {
                    count: 1,
                    unit: PeriodUnit::Day,
                });
                (h.counts, dated, format!("history-csv {}", file.display()))
            }
            (None, None) => return Err(bad("give --history, --history-csv or a scenario".into())),
        };
        let backlog = args
            .backlog
            .expect("clap requires --backlog without a scenario");
        let split = match &args.split_rate {
            Some(text) => Some(history::parse_split_rate(text).map_err(|e| bad(e.to_string()))?),
            None => None,
        };
        let length = period.or(dated_period).unwrap_or(PeriodLength {
            count: 1,
            unit: PeriodUnit::Week,
        });
        let forecast = Forecast::from_history(&counts, backlog, split, args.horizon, length)
            .map_err(|e| bad(e.to_string()))?;
        (forecast, source, None, format!("{backlog}"))
    };
    if start.is_some() {
        forecast.scenario.start = start;
    }
    let (trials, seed) = args.simulation.trials_and_seed(defaults)?;
    let pool = args.simulation.pool()?;
    let target = args
        .output
        .destination(|| Path::new("output").join(&forecast.scenario.name))?;
    let estimate = Estimate::forecasting(trials, forecast.cap, pool.current_num_threads());
    args.budget
        .check(&estimate, &format!("--trials (now {trials})"))?;
    let progress = Progress::new(trials, "forecasting");
    let results = pool.install(|| fc::run(&forecast, trials, seed, &|done| progress.update(done)));
    progress.finish();
    let info = report::forecast::ForecastInfo {
        fulcrum_version: env!("CARGO_PKG_VERSION").to_string(),
        source,
        history: forecast.history.clone(),
        backlog,
        horizon: forecast.horizon,
        cap: forecast.cap,
        period: forecast.scenario.period_length.to_string(),
        start: forecast.scenario.start.map(|d| d.to_string()),
        seed,
        trials,
        threads: pool.current_num_threads(),
        seconds: started.elapsed().as_secs_f64(),
        percentiles: report::forecast::PERCENTILES
            .iter()
            .map(|(name, q)| (name.to_string(), results.percentile(*q)))
            .collect(),
        not_done_within_cap: results.not_done(),
    };
    report::forecast::write(&target, &forecast, &results, &info).map_err(write_failure)?;
    print!("{}", report::forecast::summary(&forecast, &results));
    println!(
        "{} trials in {:.2} s → {}/",
        trials,
        started.elapsed().as_secs_f64(),
        target.path.display()
    );
    Ok(())
}
