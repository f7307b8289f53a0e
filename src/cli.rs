//! Argument parsing and wiring: each subcommand loads its input, calls the library, and hands
//! the results to `report`. Exit status: 0 success, 1 runtime failure, 2 bad input.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

use fulcrum::allocate::PlanError;
use fulcrum::pipeline;
use fulcrum::report::{self, Environment, RunInfo, terminal};
use fulcrum::scenario::{self, LoadError, Problems};
use fulcrum::simulate::Settings;

/// Simulation and capacity forecasting: split one engineering team between product goals and
/// technology goals, and see what each split delivers, when, and how debt grows.
#[derive(Parser, Debug)]
#[command(name = "fulcrum", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Plan and simulate every strategy of a scenario; write tables, plots and a report.
    Run {
        /// Scenario file (.toml or .json).
        scenario: PathBuf,
        #[command(flatten)]
        options: RunOptions,
        /// Results folder (default: output/<scenario name>).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Solve the allocator only: print and write the plan and its marginal values.
    Plan {
        /// Scenario file (.toml or .json).
        scenario: PathBuf,
        /// Override a scenario field: path=value (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Results folder (default: output/<scenario name>-plan).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// When will a backlog be done, and how much is done by a date? Bootstraps a throughput
    /// history (from --history, --history-csv, or a scenario team with
    /// `capacity = { samples = [...] }`) on the simulator's engine.
    Forecast(ForecastArgs),
    /// Allocate and simulate at every point of a parameter range: the frontier of product
    /// attainment against final debt, with its knee.
    Sweep {
        /// Scenario file (.toml or .json).
        scenario: PathBuf,
        /// A parameter to vary: path=from:to:steps, e.g. okrs.blend=0:1:11 (repeatable: a grid).
        #[arg(long = "vary", value_name = "PATH=FROM:TO:STEPS", required = true)]
        varies: Vec<String>,
        #[command(flatten)]
        options: RunOptions,
        /// Results folder (default: output/<scenario name>-sweep).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Check scenario files and print a one-screen summary of each.
    Validate {
        /// Scenario files (.toml or .json).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Override a field before validating: path=value (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
    /// Write a commented scenario template to NAME.toml.
    Init {
        /// Scenario name (also the file name).
        #[arg(default_value = "my-scenario")]
        name: String,
        /// Print the template instead of writing a file.
        #[arg(long)]
        stdout: bool,
    },
}

/// Arguments of `fulcrum forecast`.
#[derive(clap::Args, Debug)]
struct ForecastArgs {
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
    /// Monte Carlo trials (default: 10000, or the scenario's `trials`).
    #[arg(long, value_name = "N")]
    trials: Option<u64>,
    /// Master seed (default: 42, or the scenario's `seed`).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// Results folder (default: output/forecast, or output/<scenario name>-forecast).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Override a field of the scenario: path=value, e.g. initiatives.backlog.effort=150
    /// (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE", conflicts_with_all = ["history", "history_csv"])]
    sets: Vec<String>,
}

/// Options shared by the commands that simulate.
#[derive(clap::Args, Debug, Clone)]
struct RunOptions {
    /// Monte Carlo trials (default: the scenario's `trials`).
    #[arg(long, value_name = "N")]
    trials: Option<u64>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// Override a scenario field: path=value, e.g. teams.checkout.engineers=8 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
}

/// How a command failed.
enum Failure {
    /// The user's input is wrong (exit 2); already rendered.
    BadInput(String),
    /// Something went wrong while working (exit 1).
    Runtime(anyhow::Error),
}

impl From<LoadError> for Failure {
    fn from(error: LoadError) -> Self {
        match error {
            LoadError::Invalid(problems) => Failure::BadInput(problems.render(color())),
            io @ LoadError::Io { .. } => Failure::BadInput(format!("error: {io}\n")),
        }
    }
}

/// Parses arguments, runs the command and returns the exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            scenario,
            options,
            out,
        } => run(&scenario, &options, out.as_deref()),
        Command::Plan {
            scenario,
            sets,
            out,
        } => plan(&scenario, &sets, out.as_deref()),
        Command::Forecast(args) => forecast(&args),
        Command::Sweep {
            scenario,
            varies,
            options,
            out,
        } => sweep(&scenario, &varies, &options, out.as_deref()),
        Command::Validate { files, sets } => validate(&files, &sets),
        Command::Init { name, stdout } => init(&name, stdout),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(text)) => {
            eprint!("{text}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(error)) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

/// Whether stderr gets colour.
fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn print_warnings(warnings: &Problems) {
    if warnings.items.is_empty() {
        return;
    }
    eprint!("{}", warnings.render(color()));
}

fn validate(files: &[PathBuf], sets: &[String]) -> Result<(), Failure> {
    let mut failed = String::new();
    for file in files {
        match scenario::load(file, sets) {
            Ok(loaded) => {
                print_warnings(&loaded.warnings);
                println!(
                    "{}",
                    fulcrum::report::terminal::summary(&loaded.scenario, file)
                );
            }
            Err(error) => {
                if let Failure::BadInput(text) = Failure::from(error) {
                    failed.push_str(&text);
                }
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::BadInput(failed))
    }
}

/// A thread pool of the requested size (all cores by default).
fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    if threads == Some(0) {
        return Err(Failure::BadInput(
            "error: --threads must be at least 1\n".into(),
        ));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| Failure::Runtime(e.into()))
}

/// A progress bar on stderr that appears only once a run has taken a while, and never when
/// stderr is not a terminal.
struct Progress {
    bar: indicatif::ProgressBar,
    started: Instant,
    shown: AtomicBool,
}

impl Progress {
    const DELAY: Duration = Duration::from_millis(800);

    fn new(total: u64, what: &str) -> Progress {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::hidden(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
            "{what} {{bar:40}} {{pos}}/{{len}} trials, {{eta}} left"
        )) {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    fn update(&self, done: u64) {
        if !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() > Self::DELAY
            && std::io::stderr().is_terminal()
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        self.bar.set_position(done);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn run(file: &Path, options: &RunOptions, out: Option<&Path>) -> Result<(), Failure> {
    let started = Instant::now();
    let loaded = scenario::load(file, &options.sets)?;
    print_warnings(&loaded.warnings);
    let scenario = &loaded.scenario;
    let trials = options.trials.unwrap_or(scenario.trials);
    if trials == 0 {
        return Err(Failure::BadInput(
            "error: --trials must be at least 1\n".into(),
        ));
    }
    let seed = options.seed.unwrap_or(scenario.seed);
    let pool = pool(options.threads)?;
    // The run keeps its first trials' inputs and outcomes for the sensitivity analysis.
    let settings = Settings {
        samples: fulcrum::whatif::sensitivity::MAX_TRIALS,
        ..Settings::for_run(scenario, trials, seed)
    };
    let progress = Progress::new(trials, "simulating");
    let mut output = pool
        .install(|| pipeline::run(scenario, settings, &|done| progress.update(done)))
        .map_err(plan_failure)?;
    pool.install(|| pipeline::add_sensitivity(scenario, &mut output));
    progress.finish();
    let target = out.map_or_else(
        || Path::new("output").join(&scenario.name),
        Path::to_path_buf,
    );
    let info = RunInfo {
        fulcrum_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: scenario.name.clone(),
        scenario_file: file.display().to_string(),
        scenario_hash: loaded.fingerprint(),
        overrides: options.sets.clone(),
        seed,
        trials,
        periods: scenario.periods,
        strategies: output.results.strategies.clone(),
        environment: Environment {
            threads: pool.current_num_threads(),
            seconds_plan: output.timings.plan.as_secs_f64(),
            seconds_simulate: output.timings.simulate.as_secs_f64(),
            seconds_sensitivity: output.timings.sensitivity.as_secs_f64(),
            seconds_total: started.elapsed().as_secs_f64(),
        },
    };
    report::write_run(&target, scenario, &output, &info).map_err(Failure::Runtime)?;
    println!("{}", terminal::run_table(scenario, &output.results));
    println!(
        "{} trials × {} strategies in {:.2} s → {}/",
        trials,
        output.results.strategies.len(),
        started.elapsed().as_secs_f64(),
        target.display()
    );
    Ok(())
}

fn plan(file: &Path, sets: &[String], out: Option<&Path>) -> Result<(), Failure> {
    let loaded = scenario::load(file, sets)?;
    print_warnings(&loaded.warnings);
    let scenario = &loaded.scenario;
    let (_, allocations) = pipeline::plan_all(scenario).map_err(plan_failure)?;
    let target = out.map_or_else(
        || Path::new("output").join(format!("{}-plan", scenario.name)),
        Path::to_path_buf,
    );
    report::write_plan(&target, scenario, &allocations).map_err(Failure::Runtime)?;
    for (s, allocation) in &allocations {
        println!(
            "{}",
            terminal::plan_table(scenario, pipeline::strategy_name(scenario, *s), allocation)
        );
    }
    println!("→ {}/", target.display());
    Ok(())
}

fn forecast(args: &ForecastArgs) -> Result<(), Failure> {
    use fulcrum::model::{Date, PeriodLength};
    use fulcrum::scenario::history;
    use fulcrum::simulate::forecast::{self as fc, Forecast};

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
    let (mut forecast, source, trials, seed, backlog) = if let Some(file) = &args.scenario {
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
            sc.trials,
            sc.seed,
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
                    unit: fulcrum::model::PeriodUnit::Day,
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
            unit: fulcrum::model::PeriodUnit::Week,
        });
        let forecast = Forecast::from_history(&counts, backlog, split, args.horizon, length)
            .map_err(|e| bad(e.to_string()))?;
        (forecast, source, 10_000, 42, format!("{backlog}"))
    };
    if start.is_some() {
        forecast.scenario.start = start;
    }
    let trials = args.trials.unwrap_or(trials);
    if trials == 0 {
        return Err(bad("--trials must be at least 1".into()));
    }
    let seed = args.seed.unwrap_or(seed);
    let pool = pool(args.threads)?;
    let progress = Progress::new(trials, "forecasting");
    let results = pool.install(|| fc::run(&forecast, trials, seed, &|done| progress.update(done)));
    progress.finish();
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&forecast.scenario.name));
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
    report::forecast::write(&target, &forecast, &results, &info).map_err(Failure::Runtime)?;
    print!("{}", report::forecast::summary(&forecast, &results));
    println!(
        "{} trials in {:.2} s → {}/",
        trials,
        started.elapsed().as_secs_f64(),
        target.display()
    );
    Ok(())
}

/// Trials per sweep point unless --trials says otherwise: a sweep runs many points.
const SWEEP_TRIALS: u64 = 2000;

fn sweep(
    file: &Path,
    varies: &[String],
    options: &RunOptions,
    out: Option<&Path>,
) -> Result<(), Failure> {
    use fulcrum::report::sweep::{SweepInfo, terminal_table, write_sweep};
    use fulcrum::whatif::sweep::{self as sw, SweepError, Vary};

    let started = Instant::now();
    let varies: Vec<Vary> = varies
        .iter()
        .map(|v| Vary::parse(v))
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::BadInput(format!("error: {e}\n")))?;
    let mut document = scenario::Document::read(file)?;
    document.set(&options.sets)?;
    let base = document.compile()?;
    print_warnings(&base.warnings);
    let scenario = &base.scenario;
    let trials = options.trials.unwrap_or(SWEEP_TRIALS.min(scenario.trials));
    if trials == 0 {
        return Err(Failure::BadInput(
            "error: --trials must be at least 1\n".into(),
        ));
    }
    let seed = options.seed.unwrap_or(scenario.seed);
    let pool = pool(options.threads)?;
    let total = sw::grid(&varies).len();
    let progress = Progress::new(total as u64, "sweeping");
    let points = pool
        .install(|| {
            sw::run(&document, &[], &varies, trials, seed, &|done| {
                progress.update(done as u64)
            })
        })
        .map_err(|error| match error {
            SweepError::Invalid { point, error } => {
                let mut failure = Failure::from(error);
                if let Failure::BadInput(text) = &mut failure {
                    *text = format!("error: at sweep point {point}:\n{text}");
                }
                failure
            }
            SweepError::Plan { point, error } => match plan_failure(error) {
                Failure::BadInput(text) => {
                    Failure::BadInput(format!("error: at sweep point {point}: {text}"))
                }
                runtime => runtime,
            },
        })?;
    progress.finish();
    let target = out.map_or_else(
        || Path::new("output").join(format!("{}-sweep", scenario.name)),
        Path::to_path_buf,
    );
    let info = SweepInfo {
        fulcrum_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: scenario.name.clone(),
        question: scenario.question.clone(),
        scenario_file: file.display().to_string(),
        overrides: options.sets.clone(),
        vary: varies
            .iter()
            .map(|v| {
                format!(
                    "{}={}:{}:{}",
                    v.path,
                    sw::format_value(v.values[0]),
                    sw::format_value(*v.values.last().unwrap_or(&v.values[0])),
                    v.values.len()
                )
            })
            .collect(),
        seed,
        trials,
        points: points.len(),
        strategies: scenario.strategies.iter().map(|s| s.name.clone()).collect(),
        seconds_total: started.elapsed().as_secs_f64(),
        threads: pool.current_num_threads(),
    };
    write_sweep(&target, &varies, &points, &info).map_err(Failure::Runtime)?;
    println!("{}", terminal_table(&varies, &points));
    println!(
        "{} points × {} trials in {:.2} s → {}/",
        points.len(),
        trials,
        started.elapsed().as_secs_f64(),
        target.display()
    );
    Ok(())
}

/// An allocator failure: infeasible deadlines and guardrails are bad input (exit 2).
fn plan_failure(error: PlanError) -> Failure {
    match error {
        PlanError::Infeasible(_) => Failure::BadInput(format!("error: {error}\n")),
        other => Failure::Runtime(other.into()),
    }
}

fn init(name: &str, stdout: bool) -> Result<(), Failure> {
    let file = if name.ends_with(".toml") {
        PathBuf::from(name)
    } else {
        PathBuf::from(format!("{name}.toml"))
    };
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("my-scenario")
        .to_string();
    let text = scenario::template(&stem, &file.display().to_string());
    if stdout {
        print!("{text}");
        return Ok(());
    }
    if file.exists() {
        return Err(Failure::BadInput(format!(
            "error: {} already exists; choose another name or remove it first\n",
            file.display()
        )));
    }
    fulcrum::report::write_new_file(&file, text.as_bytes()).map_err(Failure::Runtime)?;
    println!(
        "wrote {0}: edit it, then `fulcrum validate {0}` and `fulcrum run {0}`",
        file.display()
    );
    Ok(())
}
