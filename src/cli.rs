//! Argument parsing and wiring: each subcommand loads its input, calls the library, and hands
//! the results to `report`. Exit status: 0 success, 1 runtime failure, 2 bad input.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use fulcrum::scenario::{self, LoadError, Problems};

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
    let _ = Path::new("");
    Ok(())
}
