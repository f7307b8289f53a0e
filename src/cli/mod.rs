//! Argument parsing and wiring: each subcommand loads its input, calls the library, and hands
//! the results to `report`. Exit status: 0 success, 1 runtime failure, 2 bad input.
//!
//! One file per command; the flags several commands share are declared once here
//! ([`RunFlags`] with [`SimulationFlags`], [`ScenarioFlags`]).

mod backtest;
mod calibrate;
mod completions;
mod files;
mod forecast;
mod format;
mod history;
mod import;
mod job;
mod man;
mod mcp;
mod merge;
mod progress;
mod reference;
mod run;
mod schema;
mod serve;
mod shard;
mod sweep;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use fulcrum::optimise::OptimiseError;
use fulcrum::pipeline::{self, Budget, Estimate, RunError};
use fulcrum::report::{self, Destination, Refusal};
use fulcrum::scenario::{DEFAULT_SEED, DEFAULT_TRIALS, LoadError, Loaded, Problems, Step};
use fulcrum::simulate::{PeriodMetric, Quantity, Unrepresentable};

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
    /// Find and simulate the optimised policy: its plan, key results and what would help most.
    Plan(run::PlanCommand),
    /// When will a backlog be done, and how much is done by a date? Bootstraps a throughput
    /// history (from --history, --history-csv, or a scenario team with
    /// `capacity = { samples = [...] }`) on the simulator's engine.
    Forecast(forecast::ForecastArgs),
    /// Walk forward through a throughput history, forecasting from the data up to each point,
    /// and report how often each percentile was right (calibration).
    Backtest(backtest::BacktestArgs),
    /// Read work-item exports (generic CSV, Jira CSV, Linear CSV, GitHub issues JSON): where
    /// capacity went per team and period, cycle times, and a scenario from the data.
    Import(import::ImportArgs),
    /// Fit the debt, drag and incident model to a team's history (the exports `import`
    /// reads), with fulcrum's own trial as the simulator: posterior, checks and a scenario.
    Calibrate(calibrate::CalibrateArgs),
    /// Allocate and simulate at every point of a parameter range: the frontier of product
    /// attainment against final debt, with its knee.
    Sweep(sweep::SweepArgs),
    /// Combine the shards of a run split with --shard k/N into exactly the results of the one
    /// run.
    Merge(merge::MergeArgs),
    /// Serve an interactive what-if page: controls over the blend, strategies and teams,
    /// answered as they move, paired with the file's own run.
    Serve(serve::ServeArgs),
    /// Check scenario files and print a one-screen summary of each.
    Validate(files::ValidateArgs),
    /// Write a commented scenario template to NAME.toml.
    Init(files::InitArgs),
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell.
    Completions(completions::CompletionsArgs),
    /// Write a man page for fulcrum and for each of its commands.
    Man(man::ManArgs),
    /// Print the JSON Schema of the scenario file, for editors that complete and check it.
    Schema(schema::SchemaArgs),
    /// Serve validate, run, plan, forecast, backtest and import as Model Context Protocol
    /// tools over stdio, for AI assistants.
    Mcp(mcp::McpArgs),
    /// Write the book's reference of every command's arguments (for the docs' maintainers).
    #[command(hide = true)]
    HelpMarkdown(reference::HelpMarkdownArgs),
}

/// The flags of `run`, `plan`, `sweep` and `forecast`: what to simulate, where the results
/// go, consent to a large run, and how the results print.
#[derive(clap::Args, Debug, Clone)]
struct RunFlags {
    #[command(flatten)]
    simulation: SimulationFlags,
    #[command(flatten)]
    output: OutputFlags,
    #[command(flatten)]
    budget: BudgetFlags,
    #[command(flatten)]
    report: format::ReportFlags,
}

impl RunFlags {
    /// Sets to their defaults the flags that do not decide the results: where they go, the
    /// threads, consent and how they print (what a shard's options fingerprint leaves out).
    fn clear_incidental(&mut self) {
        self.output = OutputFlags::default();
        self.simulation.threads = None;
        self.budget.yes = false;
        self.report = format::ReportFlags::default();
    }
}

/// The flags of every command that simulates.
#[derive(clap::Args, Debug, Clone)]
struct SimulationFlags {
    /// Monte Carlo trials (default: the scenario's `trials`, else 10000).
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
        if trials > MAX_TRIALS {
            return Err(Failure::bad_input(format!(
                "{trials} trials is more than fulcrum runs ({MAX_TRIALS}); a million trials \
                 already gives intervals a thousandth wide"
            )));
        }
        Ok((trials, self.seed.unwrap_or(seed)))
    }

    /// A thread pool of the requested size (all cores by default).
    fn pool(&self) -> Result<rayon::ThreadPool, Failure> {
        match self.threads {
            Some(0) => return Err(Failure::bad_input("--threads must be at least 1")),
            Some(n) if n > MAX_THREADS => {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                return Err(Failure::bad_input(format!(
                    "--threads {n} is more than fulcrum starts ({MAX_THREADS}); this machine has \
                     {cores} cores, and more threads than cores gain nothing"
                )));
            }
            _ => {}
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads.unwrap_or(0))
            .build()
            .map_err(|e| Failure::Runtime(e.into()))
    }
}

/// Hard limits, even with `--yes`: sketch bucket counts are u32, so trials stay well below.
const MAX_TRIALS: u64 = 1_000_000_000;
const MAX_THREADS: usize = 1024;

/// Consent to a run larger than the budget.
#[derive(clap::Args, Debug, Clone)]
struct BudgetFlags {
    /// Run even when the up-front estimate exceeds 10 minutes or 4 GiB of memory.
    #[arg(long)]
    yes: bool,
}

impl BudgetFlags {
    /// Refuses (exit 2) a run whose `estimate` exceeds the budget, unless `--yes`, and one
    /// that would not fit in this machine's memory even with it; `lower` says what the user
    /// could lower.
    fn check(&self, estimate: &Estimate, lower: &str) -> Result<(), Failure> {
        if estimate.program_variables > fulcrum::allocate::MAX_VARIABLES {
            return Err(Failure::bad_input(format!(
                "{}: the allocator's program would have {} variables (initiatives and teams \
                 × periods), more than fulcrum solves ({}; beyond it the solver's memory grows \
                 out of reach, even with --yes): shrink the plan with fewer periods (a longer \
                 `period`, e.g. \"1mo\"), fewer initiatives or teams, or a strategy other than \
                 `optimised`",
                estimate.describe(),
                estimate.program_variables,
                fulcrum::allocate::MAX_VARIABLES
            )));
        }
        if let Some(memory) = Budget::memory()
            && estimate.memory_bytes > memory
        {
            return Err(Failure::bad_input(format!(
                "{}, more than this machine's memory ({}): lower {lower}",
                estimate.describe(),
                pipeline::bytes(memory)
            )));
        }
        if !estimate.over_budget() || self.yes {
            return Ok(());
        }
        Err(Failure::bad_input(format!(
            "{}, more than the budget of {}: lower {lower}, or pass --yes to run it anyway",
            estimate.describe(),
            Budget::describe()
        )))
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

/// Where a command writes its results folder.
#[derive(clap::Args, Debug, Clone, Default)]
struct OutputFlags {
    /// Results folder (default: output/<scenario name>; for plan, sweep and forecast with
    /// -plan, -sweep or -forecast added). fulcrum replaces only an earlier result of its own.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace an earlier result in the results folder even if some of its files were edited
    /// since (never a folder that holds files fulcrum did not write).
    #[arg(long)]
    force: bool,
}

impl OutputFlags {
    /// The results folder (`--out`, else `default`), checked before any work is done.
    fn destination(&self, default: impl FnOnce() -> PathBuf) -> Result<Destination, Failure> {
        let destination = Destination {
            path: self.out.clone().unwrap_or_else(default),
            force: self.force,
        };
        report::check(&destination).map_err(Failure::bad_input)?;
        Ok(destination)
    }
}

/// How a command failed.
enum Failure {
    /// The user's input is wrong (exit 2); already rendered.
    BadInput(String),
    /// Something went wrong while working (exit 1).
    Runtime(anyhow::Error),
}

/// Bad input described by one line (exit 2).
fn bad(text: impl std::fmt::Display) -> Failure {
    Failure::bad_input(text)
}

impl Failure {
    /// Bad input described by one line.
    fn bad_input(message: impl std::fmt::Display) -> Failure {
        Failure::BadInput(format!("error: {message}\n"))
    }
}

/// A failure to write results: a refused destination is bad input (exit 2), anything else a
/// runtime failure.
fn write_failure(error: anyhow::Error) -> Failure {
    match error.downcast_ref::<Refusal>() {
        Some(refusal) => Failure::bad_input(refusal),
        None => Failure::Runtime(error),
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
    restore_broken_pipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Plan(args) => run::plan(&args),
        Command::Forecast(args) => forecast::forecast(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Import(args) => import::import(&args),
        Command::Calibrate(args) => calibrate::calibrate(&args),
        Command::Backtest(args) => backtest::backtest(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Validate(args) => files::validate(&args),
        Command::Init(args) => files::init(&args),
        Command::Completions(args) => completions::completions(&args),
        Command::Man(args) => man::man(&args),
        Command::Schema(args) => schema::schema(&args),
        Command::Mcp(args) => mcp::mcp(&args),
        Command::HelpMarkdown(args) => reference::help_markdown(&args),
    };
    // Results folders claimed but not written (a failure after the check) are free again.
    report::kit::lock::release_all();
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

/// Ends the process quietly when the reader of its output goes away (`fulcrum ... | head`), as
/// command-line tools do, instead of panicking on the failed write.
fn restore_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: resetting a signal to its default disposition at start-up, before any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
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

/// A run that produced no results: an infeasible plan or absurd growth is bad input (exit 2),
/// located at the fields behind it where it can be.
fn run_failure(loaded: &Loaded, error: RunError) -> Failure {
    match error {
        RunError::Optimise { name, error, .. } => plan_failure(loaded, &name, *error),
        RunError::Unrepresentable(found) => unrepresentable(loaded, &found),
    }
}

/// Says which simulated value grew beyond the statistics' range, and which fields drive it.
fn unrepresentable(loaded: &Loaded, found: &Unrepresentable) -> Failure {
    let scenario = &loaded.scenario;
    let (name, period) = match found.quantity {
        Quantity::Summary(metric) => (metric.name().to_string(), None),
        Quantity::Period { period, column } => {
            let name = PeriodMetric::ALL.get(column).map_or_else(
                || {
                    let k = column - PeriodMetric::ALL.len();
                    format!("value of key result `{}`", scenario.key_results[k].id)
                },
                |metric| metric.name().to_string(),
            );
            (name, Some(period))
        }
    };
    let strategy = scenario
        .strategies
        .get(found.strategy)
        .map_or("?", |s| s.name.as_str());
    let when = period.map_or(String::new(), |p| format!(", period {p}"));
    let message = format!(
        "`{name}` reached {:.3e} under strategy `{strategy}` (trial {}{when}): beyond {:.0e}, \
         the largest magnitude fulcrum's statistics represent exactly",
        found.value,
        found.trial,
        fulcrum::simulate::REPRESENTABLE
    );
    let debt =
        ["debt", "final_debt", "incidents", "incident_days", "drag"].contains(&name.as_str());
    let periods = format!("`periods = {}`", scenario.periods);
    let (path, help): (&[Step], String) = if debt
        && loaded.locates(&[Step::Key("debt"), Step::Key("interest")])
    {
        (
            &[Step::Key("debt"), Step::Key("interest")],
            format!(
                "debt compounds by `interest` every period, over {periods}: a horizon that long \
                 or growth that fast is beyond what the model is for; check `periods` and the \
                 [debt] rates (`interest`, `accrual`)"
            ),
        )
    } else {
        (
            &[Step::Key("scenario"), Step::Key("periods")],
            format!(
                "check the horizon ({periods}) and the teams' sizes and capacities, which every \
                 total of days adds up"
            ),
        )
    };
    Failure::BadInput(loaded.error_at(path, &message, &help).render(color()))
}

/// No policy of an optimised strategy meets its hard deadlines: bad input (exit 2), pointing at
/// the first deadline short, saying how close the best policy came and, when the allocator's
/// deterministic plan cannot meet them either, by how many engineer-days.
fn plan_failure(loaded: &Loaded, name: &str, error: OptimiseError) -> Failure {
    let OptimiseError::Deadlines {
        confidence,
        short,
        lp,
    } = error;
    let scenario = &loaded.scenario;
    let path = short.first().map_or_else(Vec::new, |&(i, _, _)| {
        let field = if scenario.initiatives[i].deadline.is_some() {
            "deadline"
        } else {
            "must_finish"
        };
        vec![Step::Key("initiatives"), Step::Index(i), Step::Key(field)]
    });
    let mut help: Vec<String> = short
        .iter()
        .map(|&(i, deadline, p)| {
            format!(
                "the best policy within the guardrails finishes `{}` by period {deadline} in {:.0}% \
                 of trials",
                scenario.initiatives[i].id,
                p * 100.0
            )
        })
        .collect();
    if let Some(why) = lp {
        help.extend(why.lines.iter().map(|line| line.trim_start().to_string()));
    }
    help.push(
        "move the deadline, widen the guardrails, add capacity, or drop `must_finish`".into(),
    );
    let message = format!(
        "strategy `{name}`: no policy finishes every hard deadline on time with probability \
         {confidence}"
    );
    Failure::BadInput(
        loaded
            .error_at(&path, &message, &help.join("\n"))
            .render(color()),
    )
}
