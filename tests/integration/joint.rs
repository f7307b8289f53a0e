//! `[debt] posterior`: each trial takes one row of a team's joint draws whole (so that the
//! posterior's correlations are kept), the same row for every strategy, the same bytes on any
//! thread count and shard split; and bad files are refused with located errors and exit 2.

use std::path::Path;

use fulcrum::simulate::{Engine, Policy, Recording, Scratch, SummaryMetric};

use crate::common::{
    fulcrum, on_one_thread_and_two, read, same_on_one_thread_and_two, scratch, succeeds, text,
};

/// One team of constant capacity 10, debt 100 at start, no drag or incidents, and endless
/// product work; strategies at 0% and 50% tech. Its interest and accrual come from
/// `posterior.csv`.
const SCENARIO: &str = r#"
[scenario]
name = "joint"
periods = 4
trials = 400
seed = 5

[okrs]
blend = 1.0

[[okrs.key_results]]
id = "ship"
owner = "product"
target = 1.0
deadline = 4

[debt]
posterior = "posterior.csv"

[[teams]]
name = "core"
capacity = 10
debt_initial = 100

[[initiatives]]
id = "endless"
kind = "product"
team = "core"
effort = 100000
contributes = { ship = 1.0 }

[[strategies]]
name = "all-product"
rule = "fixed_share"
tech_share = 0.0

[[strategies]]
name = "half-tech"
rule = "fixed_share"
tech_share = 0.5
"#;

/// Two joint draws of (interest, accrual), perfectly anti-correlated: no interest and high
/// accrual, or high interest and no accrual.
const POSTERIOR: &str = "draw,team,interest,accrual\n1,core,0.0,0.5\n2,core,0.1,0.0\n";

fn write(dir: &Path, scenario: &str, posterior: &str) -> String {
    std::fs::write(dir.join("s.toml"), scenario).unwrap();
    std::fs::write(dir.join("posterior.csv"), posterior).unwrap();
    dir.join("s.toml").display().to_string()
}

#[test]
fn every_trial_takes_one_whole_row_and_every_strategy_the_same_one() {
    let dir = scratch("rows");
    let path = write(&dir, SCENARIO, POSTERIOR);
    let loaded = fulcrum::scenario::load(Path::new(&path), &[]).unwrap();
    let scenario = &loaded.scenario;
    let policies = scenario
        .strategies
        .iter()
        .map(|s| Policy::new(s, None).unwrap())
        .collect();
    let recording = Recording {
        periods: false,
        stop_when_done: false,
        checkpoint: scenario.periods,
    };
    let engine = Engine::new(scenario, policies, scenario.seed, recording);
    let at = SummaryMetric::ALL
        .iter()
        .position(|m| *m == SummaryMetric::FinalDebt)
        .unwrap();
    // Capacity 10 a period, 4 periods, debt 100 at start. Row 1 (interest 0, accrual 0.5):
    // all product adds 0.5·10 a period, 120; half tech adds 0.5·5 and pays 5 down, 90. Row 2
    // (interest 10%, accrual 0): 100·1.1⁴ = 146.41; half tech D ← 1.1·D − 5, 123.205. The
    // mixtures of the marginals ((0, 0): 100 and 80; (0.1, 0.5): 166.41 and 133.205) cannot
    // appear.
    let rows = [[120.0, 90.0], [146.41, 123.205]];
    let mut scratch = Scratch::default();
    let mut taken = [0_u32; 2];
    for trial in 0..scenario.trials {
        engine.run_trial(trial, &mut scratch);
        let debt = [0, 1].map(|s| scratch.outcomes[s].summary[at]);
        let row = rows
            .iter()
            .position(|r| (0..2).all(|s| (r[s] - debt[s]).abs() < 1e-9))
            .unwrap_or_else(|| panic!("trial {trial}: final debts {debt:?} are no row's"));
        taken[row] += 1;
    }
    // Each row with chance 1/2 in 400 trials: 200 ± 4 sd (sd 10).
    assert!(taken.iter().all(|&n| (160..=240).contains(&n)), "{taken:?}");
}

#[test]
fn the_same_bytes_on_one_thread_and_two_and_in_two_shards() {
    let dir = scratch("threads");
    let path = write(&dir, SCENARIO, POSTERIOR);
    let args = ["run", &path, "--trials", "500"];
    let stdouts = on_one_thread_and_two(args[0], &args[1..], &dir);
    assert_eq!(stdouts[0].lines().next(), stdouts[1].lines().next());
    let files = [
        "summary.csv",
        "periods.csv",
        "comparison.csv",
        "key_results.csv",
    ];
    same_on_one_thread_and_two(&dir, &files);
    for k in ["0/2", "1/2"] {
        let out = format!("shard-{}", &k[..1]);
        succeeds(
            "run",
            &[&path, "--trials", "500", "--shard", k, "--out", &out],
            &dir,
        );
    }
    succeeds("merge", &["shard-0", "shard-1", "--out", "merged"], &dir);
    for file in files {
        assert!(
            read(dir.join("1").join(file)) == read(dir.join("merged").join(file)),
            "{file} differs between the run and its merged shards"
        );
    }
}

#[test]
fn validate_says_what_the_draws_hold() {
    let dir = scratch("validate");
    let path = write(&dir, SCENARIO, POSTERIOR);
    let stdout = succeeds("validate", &[&path], &dir);
    assert!(
        stdout.contains("joint draws: 2 rows over 1 team, each trial takes one per team whole: interest, accrual"),
        "{stdout}"
    );
}

#[test]
fn bad_files_are_refused_where_they_are_wrong_with_exit_2() {
    let dir = scratch("bad");
    let header = "draw,team,interest,accrual\n";
    let cases: &[(&str, &str, &[&str])] = &[
        (
            SCENARIO,
            "draw,team,interest,acrual\n1,core,0.0,0.5\n",
            &[
                "posterior.csv:1:20:",
                "unknown column `acrual`",
                "did you mean `accrual`?",
            ],
        ),
        (
            SCENARIO,
            &format!("{header}1,core,0.0,lots\n"),
            &[
                "posterior.csv:2:12:",
                "`accrual` must be a number",
                "not a number",
            ],
        ),
        (
            SCENARIO,
            &format!("{header}1,core,NaN,0.5\n"),
            &[
                "posterior.csv:2:8:",
                "`interest` must be a finite",
                "not finite",
            ],
        ),
        (
            SCENARIO,
            &format!("{header}1,core,0.0,-0.5\n"),
            &[
                "posterior.csv:2:12:",
                "`accrual` must be at least 0",
                "out of range",
            ],
        ),
        (
            SCENARIO,
            &format!("{header}1,core,0.0\n"),
            &["posterior.csv:2:1:", "has 3 cells", "this row"],
        ),
        (
            SCENARIO,
            "draw,interest\n1,0.0\n",
            &["posterior.csv:1:1:", "has no `team` column"],
        ),
        (
            SCENARIO,
            &format!("{header}1,cor,0.0,0.5\n"),
            &[
                "s.toml:21:8:",
                "team `core` has no rows",
                "did you mean `cor`?",
            ],
        ),
        (
            &SCENARIO.replace("[debt]\n", "[debt]\naccrual = 0.2\n"),
            POSTERIOR,
            &[
                "s.toml:18:11:",
                "`accrual` is set twice",
                "column 4",
                "remove it here",
            ],
        ),
        (
            &SCENARIO.replace("posterior.csv", "missing.csv"),
            POSTERIOR,
            &[
                "s.toml:18:13:",
                "cannot read `missing.csv`",
                "relative to the scenario",
            ],
        ),
    ];
    for (scenario, posterior, needles) in cases {
        let path = write(&dir, scenario, posterior);
        for command in ["validate", "run"] {
            let out = fulcrum(&[command, &path], &dir);
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{posterior}: {stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
            for needle in *needles {
                assert!(stderr.contains(needle), "`{needle}` not in: {stderr}");
            }
        }
    }
}

#[test]
fn a_throughput_column_needs_a_capacity_team() {
    let dir = scratch("throughput");
    let scenario = SCENARIO.replace("capacity = 10\n", "engineers = 2\ndays_per_engineer = 5\n");
    let path = write(&dir, &scenario, "team,throughput\ncore,8\n");
    let out = fulcrum(&["validate", &path], &dir);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for needle in [
        "s.toml:21:8:",
        "`throughput` sets the mean",
        "this team has none",
    ] {
        assert!(stderr.contains(needle), "`{needle}` not in: {stderr}");
    }
}

#[test]
fn throughput_and_its_cv_set_each_trials_capacity() {
    // One row: mean capacity 20 with cv 0 against the scenario's normal(10, 2): every period's
    // capacity is 20, so all-product work over 4 periods is 80, in every trial.
    let dir = scratch("capacity");
    let scenario = SCENARIO.replace("capacity = 10\n", "capacity = { normal = [10, 2] }\n");
    let path = write(
        &dir,
        &scenario,
        "team,throughput,throughput_cv\ncore,20,0\n",
    );
    succeeds("run", &[&path, "--trials", "50", "--out", "out"], &dir);
    let periods = read(dir.join("out/periods.csv"));
    let header: Vec<&str> = periods.lines().next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (strategy, metric, mean, p5, p95) = (
        column("strategy"),
        column("metric"),
        column("mean"),
        column("p5"),
        column("p95"),
    );
    let capacity: Vec<[f64; 3]> = periods
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[strategy] == "all-product" && c[metric] == "nominal_capacity")
        .map(|c| [mean, p5, p95].map(|k| c[k].parse().unwrap()))
        .collect();
    assert_eq!(capacity.len(), 4, "{periods}");
    // Without the row, normal(10, 2) would put p5 near 6.7 and p95 near 13.3; the quantiles
    // are kept to a histogram's resolution, the mean exactly.
    assert!(
        capacity.iter().all(|&[m, lo, hi]| (m - 20.0).abs() < 1e-6
            && (lo - 20.0).abs() < 0.2
            && (hi - 20.0).abs() < 0.2),
        "{capacity:?}"
    );
}
