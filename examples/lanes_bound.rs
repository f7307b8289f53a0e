//! The SIMD-lanes bound of `fulcrum forecast` as a whole process: the lanes kernel of
//! `benches/forecast.rs` (eight trials side by side, every table the engine records) runs a
//! million trials of the W1 history and exits, so that it can be timed from outside against
//! the whole `fulcrum forecast` on the same question, both started the same way:
//!
//! ```text
//! fulcrum forecast --history 3,5,2,6,4,4,7,1,5,3,6,4,2,5,8,3,4,6,5,2,4,7,3,5,4,6 \
//!     --backlog 200 --horizon 26 --trials 1000000 [--method iid]
//! target/release/examples/lanes_bound [--method iid]
//! ```
//!
//! Options: `--method calibrated|iid` (default calibrated, as `fulcrum forecast`'s: W1 drawn in
//! blocks of four weeks), `--period LEN` (default 1w, as for counts), `--trials N` (default
//! 1,000,000), `--avx2` (the same kernel compiled for AVX2, when the CPU has it), `--scalar` (the
//! bench's `scalar_same_outputs` instead: one trial after another, every table), `--check`
//! (first hold every kernel's numbers to the engine's on this question). It prints the cap,
//! the block, the finish percentiles and the mean items done by period 26, which are
//! `fulcrum forecast`'s (`forecast.json`: `cap`, `block`, `percentiles`).
//!
//! Build: `cargo build --release --example lanes_bound`.

use fulcrum::model::PeriodLength;
use fulcrum::model::throughput::Method;

#[path = "../benches/forecast/kernels.rs"]
mod kernels;

use kernels::{HORIZON, Shape, scalar, side_by_side};

/// What the command line asks for.
struct Options {
    method: Method,
    period: PeriodLength,
    trials: u64,
    avx2: bool,
    scalar: bool,
    check: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        method: Method::Calibrated,
        period: "1w".parse()?,
        trials: 1_000_000,
        avx2: false,
        scalar: false,
        check: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--method" => options.method = value()?.parse()?,
            "--period" => options.period = value()?.parse()?,
            "--trials" => {
                let text = value()?;
                options.trials = text.parse().ok().filter(|&n| n > 0).ok_or(format!(
                    "--trials: expected a positive whole number, found `{text}`"
                ))?;
            }
            "--avx2" => options.avx2 = true,
            "--scalar" => options.scalar = true,
            "--check" => options.check = true,
            _ => return Err(format!("unknown argument `{arg}`")),
        }
    }
    Ok(options)
}

fn main() {
    let options = match options() {
        Ok(options) => options,
        Err(error) => {
            eprintln!(
                "error: {error}\nusage: lanes_bound [--method calibrated|iid] [--period LEN] [--trials N] [--avx2] [--scalar] [--check]"
            );
            std::process::exit(2);
        }
    };
    let question = kernels::question(options.method, options.period);
    if options.check {
        kernels::check(&question);
    }
    let shape = Shape::of(&question);
    let tables = if options.scalar {
        scalar::<true>(shape, options.trials)
    } else if options.avx2 {
        side_by_side::<true, true>(shape, options.trials)
    } else {
        side_by_side::<true, false>(shape, options.trials)
    };
    // The first period by whose end at least `q` of the trials are done (the engine's rank).
    let percentile = |q: f64| {
        let rank = ((q * options.trials as f64).ceil() as u64).max(1);
        let mut seen = 0;
        (1..tables.finish.len()).find(|&t| {
            seen += tables.finish[t];
            seen >= rank
        })
    };
    let read = [0.5, 0.7, 0.85, 0.95].map(|q| match percentile(q) {
        Some(t) => format!("P{}: {t}", q * 100.0),
        None => format!("P{}: not within the cap", q * 100.0),
    });
    println!(
        "{} trials, method {}, cap {}, block {}: {}; mean items done by period {HORIZON}: {}",
        options.trials,
        options.method,
        shape.cap,
        shape.block,
        read.join(", "),
        tables.at_horizon_sum as f64 / options.trials as f64,
    );
}
