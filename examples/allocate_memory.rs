//! The allocator alone on a scenario file, for measuring its memory and time against the
//! up-front estimate (`fulcrum::pipeline::Estimate::planning`): run it under
//! `/usr/bin/time -v` and compare "Maximum resident set size" with the estimate it prints.
//!
//! `cargo run --release --example allocate_memory -- SCENARIO.toml` (scenarios of any size
//! from `scripts/synthetic-scenario.py`); `scripts/allocator-memory.sh` runs a range of sizes.

use std::time::Instant;

use fulcrum::allocate::{self, Guardrails, MarginalValues};
use fulcrum::pipeline::Estimate;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: allocate_memory SCENARIO");
        std::process::exit(2);
    };
    let scenario = match fulcrum::scenario::load(path.as_ref(), &[]) {
        Ok(loaded) => loaded.scenario,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    let estimate = Estimate::planning(&scenario, 1, 1);
    println!(
        "variables {} estimate {:.0} MB",
        estimate.program_variables,
        estimate.memory_bytes / 1048576.0,
    );
    if estimate.program_variables > allocate::MAX_VARIABLES {
        println!("refused: more than {} variables", allocate::MAX_VARIABLES);
        return;
    }
    let guardrails = Guardrails {
        min_tech_share: 0.1,
        max_tech_share: 0.6,
    };
    let started = Instant::now();
    let plan = allocate::allocate(&scenario, &guardrails, MarginalValues::DualsOnly);
    let outcome = plan.map_or_else(
        |e| format!("failed: {e}"),
        |a| format!("score {:.3}", a.expected_score),
    );
    println!(
        "solved in {:.1} s: {outcome}",
        started.elapsed().as_secs_f64()
    );
}
