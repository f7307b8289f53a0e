//! Argument parsing and wiring: each subcommand loads its input, calls the library, and hands
//! the results to `report`. Exit status: 0 success, 1 runtime failure, 2 bad input.
//!
//! One file per command; the flags several commands share are declared once here
//! ([`SimulationFlags`], [`ScenarioFlags`]).

mod files;
mod forecast;
mod progress;
mod run;
mod serve;
mod sweep;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use fulcrum::allocate::PlanError;
use fulcrum::scenario::{DEFAULT_SEED, DEFAULT_TRIALS, LoadError, Problems};

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
    Run(run::RunArgs),
    /// Solve the allocator only: print and write the plan and its marginal values.
    Plan(run::PlanArgs),
    /// When will a backlog be done, and how much is done by a date? Bootstraps a throughput
    /// history (from --history, --history-csv, or a scenario team with
    /// `capacity = { samples = [...] }`) on the simulator's engine.
    Forecast(forecast::ForecastArgs),
    /// Allocate and simulate at every point of a parameter range: the frontier of product
    /// attainment against final debt, with its knee.
    Sweep(sweep::SweepArgs),
    /// Serve an interactive what-if page: controls over the blend, strategies and teams,
    /// answered as they move, paired with the file's own run.
    Serve(serve::ServeArgs),
    /// Check scenario files and print a one-screen summary of each.
    Validate(files::ValidateArgs),
    /// Write a commented scenario template to NAME.toml.
    Init(files::InitArgs),
}

/// The flags of every command that simulates.
#[derive(clap::Args, Debug, Clone)]
struct SimulationFlags {
    /// Monte Carlo trials (default: the scenario's `trials`, else 10000; `sweep`: at most 2000
    /// per point).
    #[arg(long, value_name = "N")]
    trials: Option<u64>,
    /// Master seed (default: the scenario's `seed`, else 42).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
}

impl SimulationFlags {
    /// The trials and seed to run: the flags, else the given defaults (a scenario's, or
    /// [`DEFAULT_TRIALS`] and [`DEFAULT_SEED`] without one).
    fn trials_and_seed(&self, defaults: Option<(u64, u64)>) -> Result<(u64, u64), Failure> {
        let (trials, seed) = defaults.unwrap_or((DEFAULT_TRIALS, DEFAULT_SEED));
        let trials = self.trials.unwrap_or(trials);
        if trials == 0 {
            return Err(Failure::bad_input("--trials must be at least 1"));
        }
        Ok((trials, self.seed.unwrap_or(seed)))
    }

    /// A thread pool of the requested size (all cores by default).
    fn pool(&self) -> Result<rayon::ThreadPool, Failure> {
        if self.threads == Some(0) {
            return Err(Failure::bad_input("--threads must be at least 1"));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads.unwrap_or(0))
            .build()
            .map_err(|e| Failure::Runtime(e.into()))
    }
}

/// A scenario file and the `--set` overrides applied to it.
#[derive(clap::Args, Debug, Clone)]
struct ScenarioFlags {
    /// Scenario file (.toml or .json).
    scenario: PathBuf,
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

impl Failure {
    /// Bad input described by one line.
    fn bad_input(message: impl std::fmt::Display) -> Failure {
        Failure::BadInput(format!("error: {message}\n"))
    }
}

impl From<LoadError> for Failure {
    fn from(error: LoadError) -> Self {
        match error {
            LoadError::Invalid(problems) => Failure::BadInput(problems.render(color())),
            io @ LoadError::Io { .. } => Failure::bad_input(io),
        }
    }
}

/// Parses arguments, runs the command and returns the exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Plan(args) => run::plan(&args),
        Command::Forecast(args) => forecast::forecast(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Validate(args) => files::validate(&args),
        Command::Init(args) => files::init(&args),
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

/// An allocator failure: infeasible deadlines and guardrails are bad input (exit 2).
fn plan_failure(error: PlanError) -> Failure {
    match error {
        PlanError::Infeasible(_) => Failure::bad_input(error),
        other => Failure::Runtime(other.into()),
    }
}
