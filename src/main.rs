//! The `fulcrum` command line: argument parsing lives in [`cli`]; this only maps the outcome
//! to an exit status (0 success, 1 runtime failure, 2 bad input).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
