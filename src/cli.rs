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
        /// Results folder (default: output/<scenario name>/plan).
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
    let settings = Settings::for_run(scenario, trials, seed);
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
        || Path::new("output").join(&scenario.name).join("plan"),
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
