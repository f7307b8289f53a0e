//! The allocator's solve time against the size of its program, on synthetic scenarios of
//! teams × initiatives per team × periods: how far the mixed-integer plan scales.
//!
//! Run: `cargo bench --bench allocate`. Before divan's tables (the allocator's plan alone,
//! `solve`; the whole of `fulcrum plan`, `plan` and `plan_large`: the search, every price and
//! the simulated promise, as [`pipeline::plan_all`] does them), `main` prints each size's
//! program (variables, rows, 0/1 decisions), the time of one `allocate` call and the solver
//! path it took, then the time of one whole plan and what it found
//! (`FULCRUM_BENCH_SIZES=4x20x26,16x5x13` prints only those sizes; `FULCRUM_BENCH_SIZES=none`
//! none, for divan's tables alone).

use std::fmt::{self, Write};
use std::time::Instant;

use divan::Bencher;

use fulcrum::allocate::{self, Guardrails};
use fulcrum::model::Scenario;
use fulcrum::pipeline::{self, Options};
use fulcrum::scenario::{self, Format};
use fulcrum::simulate::Settings;

/// One synthetic organisation: `teams` teams of `initiatives` initiatives each, planned over
/// `periods` periods.
#[derive(Clone, Copy, Debug)]
struct Size {
    teams: usize,
    initiatives: usize,
    periods: usize,
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}x{}", self.teams, self.initiatives, self.periods)
    }
}

const fn size(teams: usize, initiatives: usize, periods: usize) -> Size {
    Size {
        teams,
        initiatives,
        periods,
    }
}

/// Sizes from a few hundred to about 40,000 program variables (16×20×104), with the three
/// that once fell off a cliff just below the switch to the interior-point path (16×5×13,
/// 8×20×13, 4×20×26). Small programs (up to `SIMPLEX_LIMIT` work, paydown, idle and debt
/// variables) go to microlp, branch and bound to a 3% gap when they have at most 32 finishing
/// decisions, else decisions rounded from the relaxation; larger ones go to Clarabel, with
/// cumulative-work variables and the decisions rounded from the relaxation.
const SIZES: &[Size] = &[
    size(2, 5, 13),
    size(2, 10, 26),
    size(3, 8, 20),
    size(4, 5, 26),
    size(4, 10, 26),
    size(16, 5, 13),
    size(8, 20, 13),
    size(4, 20, 26),
    size(6, 20, 52),
    size(8, 25, 78),
    size(10, 30, 100),
    size(16, 20, 104),
];

/// The sizes of [`SIZES`] whose whole plan divan times: those of 26 periods or fewer three
/// times each (`plan`), the larger ones once each (`plan_large`); two of the cliff
/// sizes, 4×5×26 and 8×20×13, only as a program (`solve`).
fn whole_plan_sizes(large: bool) -> impl Iterator<Item = Size> {
    let program_only =
        |s: &Size| [(4, 5, 26), (8, 20, 13)].contains(&(s.teams, s.initiatives, s.periods));
    SIZES
        .iter()
        .copied()
        .filter(move |s| (s.periods > 26) == large && !program_only(s))
}

/// Product and technology delivery key results; initiatives contribute round-robin.
const PRODUCT_KRS: usize = 3;
const TECH_KRS: usize = 2;

/// Every fourth initiative of a team is tech work.
fn is_tech(i: usize) -> bool {
    i % 4 == 3
}

/// The delivery key result initiative `i` of team `j` contributes to, if any: every other
/// initiative contributes, so about half of them carry a finishing binary.
fn contribution(j: usize, i: usize) -> Option<String> {
    if i % 2 == 1 && !is_tech(i) {
        return None;
    }
    let n = j * 7 + i;
    Some(if is_tech(i) {
        format!("tech-{}", n % TECH_KRS)
    } else {
        format!("product-{}", n % PRODUCT_KRS)
    })
}

/// Writes a delivery key result `id` of `owner`: `target` initiatives by `deadline`, `weight`
/// its weight line (empty: the default).
fn delivery(w: &mut String, id: &str, owner: &str, target: usize, weight: &str, deadline: usize) {
    let _ = write!(
        w,
        "\n[[okrs.key_results]]\nid = \"{id}\"\nowner = \"{owner}\"\ntarget = {target}\n{weight}\
         deadline = {deadline}\n"
    );
}

/// The scenario file of `size`: six engineers a team, about 1.3 times as much work as capacity,
/// drag and incidents growing with debt, a debt key result, and chains of `after`.
fn scenario_text(size: Size) -> String {
    let Size {
        teams,
        initiatives,
        periods,
    } = size;
    let mut s = String::new();
    let w = &mut s;
    let _ = write!(
        w,
        r#"[scenario]
name = "synthetic-{size}"
periods = {periods}
period = "2w"

[okrs]
blend = 0.6
"#
    );
    for k in 0..PRODUCT_KRS {
        let deadline = periods * (k + 2) / (PRODUCT_KRS + 1);
        let target = (teams * initiatives / (2 * PRODUCT_KRS)).max(1);
        let weight = format!("weight = {}\n", 1 + k);
        delivery(
            w,
            &format!("product-{k}"),
            "product",
            target,
            &weight,
            deadline,
        );
    }
    for k in 0..TECH_KRS {
        let target = (teams * initiatives / (4 * TECH_KRS)).max(1);
        delivery(w, &format!("tech-{k}"), "technology", target, "", periods);
    }
    let _ = write!(
        w,
        r#"
[[okrs.key_results]]
id = "debt-down"
owner = "technology"
metric = "debt"
below = {below}
deadline = {periods}

[debt]
initial = 400.0
interest = "0.5% to 1.5%"
accrual = "0.1 to 0.3"
paydown_efficiency = "0.7 to 1.0"
drag_max = 0.5
drag_half = 900.0

[incidents]
base_rate = "0.3 to 1.0"
debt_sensitivity = 0.0015
cost = "1 to 4"
"#,
        below = 300 * teams,
    );
    for j in 0..teams {
        let _ = write!(
            w,
            r#"
[[teams]]
name = "team-{j}"
engineers = 6
days_per_engineer = 8
availability = "0.8 to 0.95"
debt_initial = {debt}
"#,
            debt = 300 + 50 * (j % 5),
        );
    }
    // Six engineers at 8 days and ~0.875 availability: 42 days a period.
    let effort = 1.3 * 42.0 * periods as f64 / initiatives as f64;
    for j in 0..teams {
        for i in 0..initiatives {
            let low = effort * (0.6 + 0.1 * (i % 5) as f64);
            let _ = write!(
                w,
                r#"
[[initiatives]]
id = "t{j}-i{i}"
kind = "{kind}"
team = "team-{j}"
effort = "{low:.0} to {high:.0}"
max_engineers = {cap}
"#,
                kind = if is_tech(i) { "tech" } else { "product" },
                high = 1.6 * low,
                cap = 2 + i % 3,
            );
            if let Some(kr) = contribution(j, i) {
                let _ = writeln!(w, "contributes = {{ {kr} = 1.0 }}");
            }
            if i % 5 == 4 {
                let _ = writeln!(w, "after = [\"t{j}-i{}\"]", i - 1);
            }
            if is_tech(i) {
                let _ = writeln!(
                    w,
                    "on_done = {{ debt = -{}, incident_rate = \"-10%\" }}",
                    40 + 10 * (i % 4)
                );
            }
        }
    }
    let _ = write!(
        w,
        r#"
[[strategies]]
name = "optimised"
rule = "optimised"
min_tech_share = 0.1
max_tech_share = 0.6
"#
    );
    s
}

fn scenario(size: Size) -> Scenario {
    match scenario::load_str("synthetic.toml", &scenario_text(size), Format::Toml) {
        Ok(loaded) => loaded.scenario,
        Err(e) => panic!("the synthetic scenario {size} does not load: {e}"),
    }
}

/// The guardrails of the scenario's `optimised` strategy.
fn guardrails(scenario: &Scenario) -> Guardrails {
    scenario
        .strategies
        .iter()
        .find_map(|s| pipeline::objective_of(&s.rule))
        .expect("the synthetic scenario has an optimised strategy")
        .guardrails
}

fn main() {
    println!(
        "{:>12} {:>10} {:>10} {:>9} {:>12}  {:<8} {:<12} {:>10}  found",
        "size", "variables", "rows", "decisions", "one solve", "path", "plan", "fulcrum plan"
    );
    // `FULCRUM_BENCH_SIZES=4x20x26,16x5x13` prints only those sizes.
    let only = std::env::var("FULCRUM_BENCH_SIZES").ok();
    for &size in SIZES {
        if only
            .as_deref()
            .is_some_and(|only| !only.split(',').any(|o| o == size.to_string()))
        {
            continue;
        }
        let s = scenario(size);
        let g = guardrails(&s);
        let program = allocate::program_size(&s, &g);
        let start = Instant::now();
        let result = allocate::allocate(&s, &g, allocate::MarginalValues::All);
        let elapsed = start.elapsed();
        let outcome = match result {
            Ok(a) => format!("score {:.3}", a.expected_score),
            Err(e) => format!("failed: {e}"),
        };
        let start = Instant::now();
        let plans = whole_plan(&s);
        let search = start.elapsed();
        let found = format!(
            "{} (training {:.3}, {} prices)",
            plans[0].found.candidate.label,
            plans[0].found.training_score,
            plans[0].prices.len()
        );
        println!(
            "{:>12} {:>10} {:>10} {:>9} {:>10.3} s  {:<8} {:<12} {:>8.2} s  {found}",
            size.to_string(),
            program.variables,
            program.rows,
            program.decisions,
            elapsed.as_secs_f64(),
            if program.large { "interior" } else { "simplex" },
            outcome,
            search.as_secs_f64(),
        );
    }
    divan::main();
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn solve(bencher: Bencher, size: Size) {
    let s = scenario(size);
    let g = guardrails(&s);
    bencher.bench(|| {
        allocate::allocate(&s, &g, allocate::MarginalValues::All)
            .expect("the synthetic scenario plans")
    });
}

/// `fulcrum plan`'s whole planning of `s`: the search, every price and the promise, at the
/// scenario's default trials and seed.
fn whole_plan(s: &Scenario) -> pipeline::Allocations {
    let options = Options::new(Settings::for_run(s, s.trials, s.seed));
    pipeline::plan_all(s, &options, &|_| {}).expect("the synthetic scenario plans")
}

#[divan::bench(args = whole_plan_sizes(false), sample_count = 3, sample_size = 1)]
fn plan(bencher: Bencher, size: Size) {
    let s = scenario(size);
    bencher.bench(|| whole_plan(&s));
}

#[divan::bench(args = whole_plan_sizes(true), sample_count = 1, sample_size = 1)]
fn plan_large(bencher: Bencher, size: Size) {
    let s = scenario(size);
    bencher.bench(|| whole_plan(&s));
}
