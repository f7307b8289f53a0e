//! `fulcrum forecast` against exact answers: a dynamic program over the history's empirical
//! distribution (the bootstrap's exact law), closed forms for degenerate histories, thread
//! determinism, and the binary's exit codes and files.

mod method;

use std::path::Path;

use crate::common::{
    W1_TEXT, fulcrum, on_one_thread_and_two, refuses_each, same_on_one_thread_and_two, scratch,
    text,
};

use fulcrum::model::{Distribution, PeriodLength};
use fulcrum::simulate::forecast::{self, Forecast, ForecastError, ForecastResults};

/// The W1 workload: a 26-week throughput history.
const W1: [f64; 26] = [
    3.0, 5.0, 2.0, 6.0, 4.0, 4.0, 7.0, 1.0, 5.0, 3.0, 6.0, 4.0, 2.0, 5.0, 8.0, 3.0, 4.0, 6.0, 5.0,
    2.0, 4.0, 7.0, 3.0, 5.0, 4.0, 6.0,
];

fn run(history: &[f64], backlog: f64, horizon: Option<usize>, trials: u64) -> ForecastResults {
    let f = Forecast::from_history(history, backlog, None, horizon, PeriodLength::TWO_WEEKS)
        .expect("a valid forecast");
    forecast::run(&f, trials, 7)
}

/// P(S_t ≥ backlog) for t = 0..=periods, where S_t sums t independent draws from the
/// history (integer counts): the distribution of min(S_t, backlog) by convolution.
fn exact_cdf(history: &[f64], backlog: usize, periods: usize) -> Vec<f64> {
    let n = history.len() as f64;
    let mut pmf = vec![0.0; backlog + 1];
    pmf[0] = 1.0;
    let mut cdf = vec![0.0];
    for _ in 0..periods {
        let mut next = vec![0.0; backlog + 1];
        for (s, &p) in pmf.iter().enumerate() {
            if p == 0.0 {
                continue;
            }
            if s == backlog {
                next[backlog] += p;
                continue;
            }
            for &h in history {
                next[(s + h as usize).min(backlog)] += p / n;
            }
        }
        pmf = next;
        cdf.push(pmf[backlog]);
    }
    cdf
}

fn se(p: f64, n: u64) -> f64 {
    let p = p.clamp(0.0, 1.0);
    (p * (1.0 - p) / n as f64).sqrt()
}

#[test]
fn w1_agrees_with_the_exact_dynamic_program() {
    let n = 20_000;
    let results = run(&W1, 200.0, Some(40), n);
    let exact = exact_cdf(&W1, 200, 120);
    assert!(exact[120] > 1.0 - 1e-12, "the DP covers the whole range");
    for (t, &p) in exact.iter().enumerate().skip(1) {
        let mc = results.p_done_by(t);
        let tolerance = 4.0 * se(p, n) + 1e-9;
        assert!(
            (mc - p).abs() <= tolerance,
            "period {t}: Monte Carlo {mc} vs exact {p} (tolerance {tolerance})"
        );
    }
    for q in [0.5, 0.7, 0.85, 0.95] {
        let dp = exact.iter().position(|&p| p >= q).unwrap();
        let mc = results.percentile(q).unwrap();
        // The DP's quantile, or its neighbour where the DP's CDF at the boundary is within
        // Monte Carlo error of the quantile level.
        let close = |t: usize| (exact[t] - q).abs() <= 4.0 * se(q, n) + 1e-9;
        let ok = mc == dp || (mc + 1 == dp && close(mc)) || (mc == dp + 1 && close(dp));
        assert!(ok, "P{}: Monte Carlo {mc}, exact {dp}", q * 100.0);
    }
    assert_eq!(results.not_done(), 0);
    let (h, p, _) = results.at_horizon.clone().unwrap();
    assert_eq!(h, 40);
    assert!((p - exact[40]).abs() <= 4.0 * se(exact[40], n) + 1e-9);
}

#[test]
fn items_done_by_the_horizon_match_the_exact_sum_distribution() {
    // Items done by period 10 of a backlog no trial can finish by then (at most 8 a period):
    // S_10, whose exact mean is 10·mean.
    let n = 20_000;
    let results = run(&W1, 100.0, Some(10), n);
    let (_, p, items) = results.at_horizon.clone().unwrap();
    assert_eq!(p, 0.0);
    let mean = W1.iter().sum::<f64>() / 26.0;
    let var = W1.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 26.0;
    let sd_mean = (10.0 * var / n as f64).sqrt();
    assert!(
        (items.mean - 10.0 * mean).abs() < 4.0 * sd_mean,
        "{items:?}"
    );
    // The exact median of S_10 from the DP (P(S_10 ≥ s) for each s).
    let median = (0..=80)
        .find(|&s| {
            let p_at_least = exact_cdf(&W1, s + 1, 10)[10];
            1.0 - p_at_least >= 0.5
        })
        .unwrap() as f64;
    assert!(
        (items.quantiles[3] - median).abs() <= 1.0,
        "{items:?} vs {median}"
    );
    // The CSV row of period 10 says the same as the horizon.
    let row = results.rows.iter().find(|r| r.period == 10).unwrap();
    assert_eq!(row.items, items);
}

#[test]
fn equal_values_finish_in_exactly_ceil_backlog_over_value() {
    for (value, backlog, periods) in [
        (4.0, 10.0, 3),
        (4.0, 12.0, 3),
        (2.5, 10.0, 4),
        (7.0, 1.0, 1),
    ] {
        let results = run(&[value, value, value], backlog, Some(2), 2_000);
        for q in [0.5, 0.7, 0.85, 0.95] {
            assert_eq!(results.percentile(q), Some(periods), "{value} {backlog}");
        }
        assert_eq!(results.p_done_by(periods - 1), 0.0);
        assert_eq!(results.p_done_by(periods), 1.0);
        let (_, _, items) = results.at_horizon.clone().unwrap();
        let by_two = (2.0 * value).min(backlog);
        assert_eq!(items.mean, by_two);
        assert!(items.quantiles.iter().all(|&q| q == by_two.floor()));
    }
}

#[test]
fn zeros_mixed_in_follow_the_negative_binomial() {
    // History [0, 5], backlog 10: done when the second 5 is drawn, so
    // P(done by t) = 1 − 0.5^t − t·0.5^t.
    let n = 20_000;
    let results = run(&[0.0, 5.0], 10.0, None, n);
    for t in 1..40 {
        let p = 1.0 - 0.5f64.powi(t as i32) * (1.0 + t as f64);
        let mc = results.p_done_by(t);
        assert!((mc - p).abs() <= 4.0 * se(p, n) + 1e-9, "{t}: {mc} vs {p}");
    }
}

#[test]
fn split_rates_multiply_the_backlog() {
    let f = Forecast::from_history(
        &[5.0],
        10.0,
        Some(Distribution::Constant(1.5)),
        None,
        PeriodLength::TWO_WEEKS,
    )
    .unwrap();
    let results = forecast::run(&f, 500, 1);
    assert_eq!(results.percentile(0.5), Some(3));
    assert_eq!(results.percentile(0.95), Some(3));
}

#[test]
fn histories_that_cannot_finish_anything_are_errors() {
    let make = |h: &[f64], b: f64| {
        Forecast::from_history(h, b, None, None, PeriodLength::TWO_WEEKS).map(|_| ())
    };
    assert_eq!(make(&[0.0, 0.0, 0.0], 10.0), Err(ForecastError::AllZero(3)));
    assert!(
        ForecastError::AllZero(3)
            .to_string()
            .contains("nothing would ever be done")
    );
    assert_eq!(make(&[], 10.0), Err(ForecastError::EmptyHistory));
    assert_eq!(make(&[1.0], 0.0), Err(ForecastError::Backlog(0.0)));
    assert_eq!(make(&[1.0], -3.0), Err(ForecastError::Backlog(-3.0)));
    assert!(matches!(
        make(&[1.0, f64::NAN], 3.0),
        Err(ForecastError::BadCount(_))
    ));
}

#[test]
fn results_are_identical_for_any_thread_count() {
    let f = Forecast::from_history(
        &W1,
        200.0,
        Some(Distribution::interval(1.0, 1.5).unwrap()),
        Some(26),
        PeriodLength::TWO_WEEKS,
    )
    .unwrap();
    let render = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let results = pool.install(|| forecast::run(&f, 5_000, 3));
        (
            fulcrum::report::forecast::table(&f, &results).unwrap(),
            fulcrum::report::forecast::terminal::summary(&f, &results),
        )
    };
    let one = render(1);
    assert_eq!(one, render(2));
    assert_eq!(one, render(3));
}

#[test]
fn a_scenario_team_forecasts_its_initiatives() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/throughput-forecast.toml");
    let loaded = fulcrum::scenario::load(&path, &[]).unwrap();
    let f = Forecast::from_scenario(&loaded.scenario, None, None, None).unwrap();
    assert_eq!(f.horizon, Some(26), "the initiative's deadline");
    assert_eq!(f.history().len(), 26);
    let results = forecast::run(&f, 2_000, 1);
    // 100 to 125 tickets at about 4.4 a week: between 20 and 35 weeks.
    let p50 = results.percentile(0.5).unwrap();
    assert!((20..=35).contains(&p50), "{p50}");
    let e =
        Forecast::from_scenario(&loaded.scenario, None, Some("api-migraton"), None).unwrap_err();
    assert!(
        e.to_string().contains("did you mean `api-migration`"),
        "{e}"
    );
}

// --- the binary ---

#[test]
fn the_cli_writes_the_forecast_files() {
    let dir = scratch("forecast-cli");
    let out = fulcrum(
        &[
            "forecast",
            "--history",
            W1_TEXT,
            "--backlog",
            "200",
            "--horizon",
            "26",
            "--start",
            "2027-01-04",
            "--period",
            "1w",
            "--trials",
            "4000",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("P85: done by period"), "{stdout}");
    assert!(
        stdout.contains("P(done by period 26 (2027-07-04))"),
        "{stdout}"
    );
    assert!(stdout.contains("items done by period 26"), "{stdout}");
    for file in [
        "forecast.csv",
        "plots/forecast.svg",
        "plots/forecast.png",
        "plots/how_many.svg",
        "plots/how_many.png",
        "report.html",
        "forecast.json",
    ] {
        let path = dir.join("output/forecast").join(file);
        assert!(path.metadata().unwrap().len() > 100, "{file}");
    }
    // The charts carry their titles and, with a start date, dates on the x axis.
    let svg = std::fs::read_to_string(dir.join("output/forecast/plots/forecast.svg")).unwrap();
    assert!(
        svg.contains("When will it be done?") && svg.contains("2027-"),
        "dated axis"
    );
    let html = std::fs::read_to_string(dir.join("output/forecast/report.html")).unwrap();
    assert!(html.contains("id=\"forecast\"") && html.contains("id=\"how_many\""));
    let csv = std::fs::read_to_string(dir.join("output/forecast/forecast.csv")).unwrap();
    assert!(csv.starts_with(
        "period,date,p_done_by,items_done_mean,items_done_p5,items_done_p10,items_done_p25,items_done_p50,items_done_p75,items_done_p90,items_done_p95,items_at_least_50,items_at_least_70,items_at_least_85,items_at_least_95\n1,2027-01-10,0,"
    ), "{csv}");
}

#[test]
fn the_cli_is_deterministic_across_threads() {
    let dir = scratch("forecast-threads");
    let args = [
        "--history",
        W1_TEXT,
        "--backlog",
        "200",
        "--trials",
        "3000",
        "--split-rate",
        "1 to 1.5",
    ];
    on_one_thread_and_two("forecast", &args, &dir);
    same_on_one_thread_and_two(&dir, &["forecast.csv"]);
}

#[test]
fn the_cli_forecasts_a_scenario() {
    let dir = scratch("forecast-scenario");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/throughput-forecast.toml");
    let out = fulcrum(
        &["forecast", scenario.to_str().unwrap(), "--trials", "2000"],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("`api-migration`"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        dir.join("output/throughput-forecast-forecast/forecast.csv")
            .exists()
    );
}

/// The period of "P50: done by period N" in a forecast summary.
fn p50_period(summary: &str) -> usize {
    let line = summary
        .lines()
        .find(|l| l.trim_start().starts_with("P50: done by period"))
        .unwrap_or_else(|| panic!("no P50 line in {summary}"));
    let digits: String = line
        .trim_start()
        .trim_start_matches("P50: done by period ")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap()
}

#[test]
fn set_changes_a_scenario_forecast_and_is_recorded() {
    let dir = scratch("forecast-set");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/throughput-forecast.toml");
    let scenario = scenario.to_str().unwrap();
    let base = fulcrum(&["forecast", scenario, "--trials", "2000"], &dir);
    assert!(base.status.success(), "{}", text(&base.stderr));
    // Half the backlog without splitting: about 50 / 4.38 ≈ 12 periods instead of 26.
    let halved = fulcrum(
        &[
            "forecast",
            scenario,
            "--trials",
            "2000",
            "--set",
            "initiatives.api-migration.effort=50",
            "--set",
            "initiatives.api-migration.scope_growth=0",
        ],
        &dir,
    );
    assert!(halved.status.success(), "{}", text(&halved.stderr));
    let (before, after) = (
        p50_period(&text(&base.stdout)),
        p50_period(&text(&halved.stdout)),
    );
    assert!(
        (11..=13).contains(&after) && before >= 24,
        "{before} -> {after}"
    );
    let json =
        std::fs::read_to_string(dir.join("output/throughput-forecast-forecast/forecast.json"))
            .unwrap();
    assert!(
        json.contains("--set initiatives.api-migration.effort=50"),
        "{json}"
    );

    // A typo in the path is bad input with a suggestion; --set needs a scenario.
    let typo = fulcrum(
        &[
            "forecast",
            scenario,
            "--set",
            "initiatives.api-migration.efort=50",
        ],
        &dir,
    );
    assert_eq!(typo.status.code(), Some(2), "{}", text(&typo.stderr));
    assert!(
        text(&typo.stderr).contains("effort"),
        "{}",
        text(&typo.stderr)
    );
    let without = fulcrum(
        &[
            "forecast",
            "--history",
            "1,2",
            "--backlog",
            "5",
            "--set",
            "seed=1",
        ],
        &dir,
    );
    assert_eq!(without.status.code(), Some(2), "{}", text(&without.stderr));
}

#[test]
fn bad_input_exits_with_status_two_and_says_why() {
    let dir = scratch("forecast-bad");
    std::fs::write(dir.join("h.csv"), "done\n3\n4\nfive\n").unwrap();
    std::fs::write(
        dir.join("dates.csv"),
        "finished\n2027-01-04\n2027-01-05\n2027-01-19\n",
    )
    .unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--history", "", "--backlog", "10"], "empty"),
        (
            &["--history", "3,x,2", "--backlog", "10"],
            "`x`, not a number",
        ),
        (&["--history", "3,-1", "--backlog", "10"], "at least 0"),
        (
            &["--history", "0,0,0", "--backlog", "10"],
            "nothing would ever be done",
        ),
        (
            &["--history", "3,4", "--backlog", "0"],
            "positive number of items",
        ),
        (
            &["--history", "3,4", "--backlog", "-2"],
            "positive number of items",
        ),
        (
            &["--history-csv", "h.csv", "--backlog", "10"],
            "h.csv:4: `five`",
        ),
        (
            &["--history-csv", "missing.csv", "--backlog", "10"],
            "cannot read missing.csv",
        ),
        (
            &[
                "--history-csv",
                "dates.csv",
                "--period",
                "1mo",
                "--backlog",
                "10",
            ],
            "less than one 1mo period",
        ),
        (
            &[
                "--history",
                "3,4",
                "--backlog",
                "10",
                "--split-rate",
                "0 to 2",
            ],
            "above 0",
        ),
        (
            &[
                "--history",
                "3,4",
                "--backlog",
                "10",
                "--start",
                "2027-02-30",
            ],
            "--start",
        ),
        (
            &["--history", "3,4", "--backlog", "10", "--trials", "0"],
            "at least 1",
        ),
        (
            &["--history", "3,4", "--backlog", "10", "--horizon", "0"],
            "horizon",
        ),
        (&["--history", "3,4"], "--backlog"),
    ];
    refuses_each("forecast", cases, &[], &dir);
    assert!(!dir.join("output").exists(), "bad input writes nothing");
}

#[test]
fn finish_dates_forecast_in_days() {
    let dir = scratch("forecast-dates");
    let mut rows = String::from("finished_on\n");
    for day in 1..=28 {
        for _ in 0..(day % 3) {
            rows.push_str(&format!("2027-02-{day:02}\n"));
        }
    }
    std::fs::write(dir.join("done.csv"), rows).unwrap();
    let forecast = |extra: &[&str]| {
        let mut args = vec!["forecast", "--history-csv", "done.csv"];
        args.extend_from_slice(&["--backlog", "30", "--trials", "2000"]);
        args.extend_from_slice(extra);
        fulcrum(&args, &dir)
    };
    let out = forecast(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // February 2027 has 20 working days; the weekends' items count on the Mondays after
    // them, and the last weekend (1 item, on the 28th) waits for a Monday not yet seen.
    assert!(
        text(&out.stdout).contains("history of 20 periods (mean 1.35 per 1d)"),
        "{}",
        text(&out.stdout)
    );
    let every_day = forecast(&["--all-days"]);
    assert!(every_day.status.success(), "{}", text(&every_day.stderr));
    assert!(
        text(&every_day.stdout).contains("history of 28 periods (mean 1.00 per 1d)"),
        "{}",
        text(&every_day.stdout)
    );
}

// --- the engine's lean path ---

use fulcrum::simulate::forecast::Backlog;
use fulcrum::simulate::policy::Share;
use fulcrum::simulate::{Engine, Policy, Recording, Scratch};

/// Two teams measured in engineers (availability, hires ramping up, attrition), dependencies,
/// parallelism caps, product and tech work and two strategies, without debt, incidents,
/// risks, events or key results: a world without debt, but more than one backlog.
const TWO_BACKLOGS: &str = r#"
[scenario]
periods = 30
[[teams]]
name = "a"
engineers = 4
days_per_engineer = 8
availability = "0.7 to 0.95"
hires = [{ period = 3, engineers = 2 }]
ramp_periods = 3
attrition = "15%"
[[teams]]
name = "b"
capacity = { samples = [3, 0, 7, 4.5] }
[[initiatives]]
id = "x"
kind = "product"
team = "a"
effort = "40 to 90"
scope_growth = "0% to 30%"
max_engineers = 2
[[initiatives]]
id = "y"
kind = "tech"
team = "a"
effort = { pert = [20, 30, 60] }
after = ["x"]
[[initiatives]]
id = "z"
kind = "product"
team = "b"
effort = 60
priority = 1
[[initiatives]]
id = "w"
kind = "tech"
team = "b"
effort = { uniform = [5, 15] }
[[strategies]]
name = "share"
rule = "fixed_share"
tech_share = 0.3
[[strategies]]
name = "ceiling"
rule = "debt_ceiling"
ceiling = 10
above = 0.6
below = 0.2
"#;

/// Scenarios the one-item kernel must leave to the general engine: debt, incidents or more
/// than one initiative make other terms of the trial nonzero.
#[test]
fn only_a_lone_backlog_takes_the_one_item_kernel() {
    let policy = Policy::by_priority(Share::Fixed(0.3));
    let kernel = |text: &str| {
        let scenario = fulcrum::scenario::load_str("t.toml", text, fulcrum::scenario::Format::Toml)
            .unwrap()
            .scenario;
        Backlog::new(&scenario, &policy, 9, true).is_some()
    };
    assert!(!kernel(TWO_BACKLOGS), "two initiatives");
    let one = backlog_text(
        "product",
        "120",
        "",
        "rule = \"fixed_share\"\ntech_share = 0.3",
    );
    assert!(kernel(&one));
    let with_debt = one.replace("name = \"team\"", "name = \"team\"\ndebt_initial = 5");
    let with_incidents = format!("{one}\n[incidents]\nbase_rate = 0.5\ncost = 1\n");
    for text in [with_debt, with_incidents] {
        assert!(!kernel(&text), "{text}");
    }
}

/// A one-team, one-backlog scenario on a history with a zero in it: the throughput special
/// case. `growth` and `rule` are whole lines of the initiative and the strategy.
fn backlog_scenario(
    kind: &str,
    effort: &str,
    growth: &str,
    rule: &str,
) -> fulcrum::model::Scenario {
    let text = backlog_text(kind, effort, growth, rule);
    fulcrum::scenario::load_str("t.toml", &text, fulcrum::scenario::Format::Toml)
        .unwrap()
        .scenario
}

/// The text of [`backlog_scenario`].
fn backlog_text(kind: &str, effort: &str, growth: &str, rule: &str) -> String {
    format!(
        r#"
[scenario]
name = "t"
periods = 60
[[teams]]
name = "team"
capacity = {{ samples = [3, 5, 0, 6, 4, 2.5] }}
[[initiatives]]
id = "backlog"
kind = "{kind}"
team = "team"
effort = {effort}
{growth}
[[strategies]]
name = "s"
{rule}
"#
    )
}

/// What a forecast reads of a trial, period by period: (t, work done, done) at the end of
/// every period, then the work and the finish period (0: not finished).
type Trace = (Vec<(usize, u64, bool)>, u64, usize);

/// A trial's trace through the engine's `run_trial_observed`.
fn observed_trace(engine: &Engine, trial: u64, scratch: &mut Scratch) -> Trace {
    let mut periods = Vec::new();
    engine.run_trial_observed(trial, scratch, |t, sc| {
        periods.push((
            t,
            sc.work_done(0, 0).to_bits(),
            sc.outcomes[0].finished[0] > 0,
        ));
    });
    let finished = scratch.outcomes[0].finished[0] as usize;
    (periods, scratch.work(0).to_bits(), finished)
}

/// A trial's trace through the forecast's one-item kernel.
fn backlog_trace(backlog: &Backlog, trial: u64) -> Trace {
    let mut periods = Vec::new();
    let run = backlog.run(trial, |t, work_done, done| {
        periods.push((t, work_done.to_bits(), done));
    });
    (periods, run.work.to_bits(), run.finished)
}

#[test]
fn the_one_item_kernel_sees_what_the_engine_sees() {
    let fixed = "rule = \"fixed_share\"\ntech_share = 0.3";
    let ceiling = "rule = \"debt_ceiling\"\nceiling = 10\nabove = 0.6\nbelow = 0.2";
    let scenarios = [
        // Constant work: no initiative stream is seeded.
        backlog_scenario("product", "120", "", fixed),
        backlog_scenario("tech", "120", "", ceiling),
        backlog_scenario(
            "product",
            "\"100 to 140\"",
            "scope_growth = \"0% to 30%\"",
            fixed,
        ),
        backlog_scenario("tech", "120", "scope_growth = \"5% to 10%\"", ceiling),
    ];
    let plan = fulcrum::model::Plan {
        tech_share: vec![(0..40).map(|t| f64::from(t % 7) / 6.0).collect()],
        order: vec![0],
    };
    for scenario in &scenarios {
        let policies = [
            Policy::new(&scenario.strategies[0], None).unwrap(),
            // A plan's share changes from period to period.
            Policy::of_plan(&plan),
        ];
        for policy in policies {
            for stop_when_done in [true, false] {
                let recording = Recording {
                    periods: false,
                    stop_when_done,
                    checkpoint: 20,
                };
                let engine = Engine::new(scenario, vec![policy.clone()], 9, recording);
                let backlog = Backlog::new(scenario, &policy, 9, stop_when_done)
                    .expect("a lone backlog takes the kernel");
                let mut scratch = Scratch::default();
                for trial in 0..200 {
                    let expected = observed_trace(&engine, trial, &mut scratch);
                    assert_eq!(backlog_trace(&backlog, trial), expected, "{policy:?}");
                }
            }
        }
    }
}

#[test]
fn at_least_n_items_matches_the_exact_tail() {
    // "85% chance of at least N items by period 10" is the largest N with P(S₁₀ ≥ N) ≥ 0.85.
    let n = 20_000;
    let mut f =
        Forecast::from_history(&W1, 200.0, None, Some(10), PeriodLength::TWO_WEEKS).unwrap();
    f.percentiles = vec![0.5, 0.7, 0.85, 0.95, 0.99];
    let results = forecast::run(&f, n, 9);
    let (_, _, items) = results.at_horizon.clone().unwrap();
    let tail = |at_least: usize| exact_cdf(&W1, at_least, 10)[10];
    for (k, &p) in f.percentiles.iter().enumerate() {
        let exact = (0..=80).rev().find(|&s| tail(s) >= p).unwrap();
        let mc = items.at_least[k] as usize;
        // Exact, or a neighbour where the exact tail there is within Monte Carlo error of p.
        let close = |s: usize| (tail(s) - p).abs() <= 4.0 * se(p, n) + 1e-9;
        let ok = mc == exact || (mc + 1 == exact && close(exact)) || (mc == exact + 1 && close(mc));
        assert!(ok, "{p}: Monte Carlo {mc}, exact {exact}");
        assert!(
            items.at_least_chance[k] >= p,
            "the chance given is at least the percentile"
        );
        assert!((items.at_least_chance[k] - tail(mc)).abs() <= 4.0 * se(tail(mc), n) + 1e-9);
    }
    // The summary says it the way people ask it.
    let text = fulcrum::report::forecast::terminal::summary(&f, &results);
    assert!(
        text.contains(&format!(
            "85% chance of at least {} items by period 10",
            items.at_least[2]
        )),
        "{text}"
    );
}
