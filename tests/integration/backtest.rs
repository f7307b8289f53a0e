//! `fulcrum backtest`: calibration on synthetic histories drawn from a known process — a
//! stationary one (both methods right about as often as they say, within the binomial
//! error of the number of checks), an autocorrelated one and one whose pace drops half-way
//! (where the classic bootstrap over-promises and the calibrated method holds) —, no peeking
//! past a forecast's origin, and the binary's files and exit codes.

use std::path::Path;

use crate::common::{
    W1_TEXT, fulcrum, on_one_thread_and_two, read, refuses_each, same_on_one_thread_and_two,
    scratch, text,
};

use fulcrum::model::PeriodLength;
use fulcrum::model::throughput::Method;
use fulcrum::simulate::forecast::backtest::{
    self, Calibration, MethodBacktest, Question, Settings,
};
use fulcrum::simulate::forecast::walk::{self, WalkSettings};
use rand::SeedableRng;
use rand_distr::{Distribution, Normal, Poisson};
use rand_xoshiro::Xoshiro256PlusPlus;

/// `periods` weekly counts drawn from Poisson(mean), with a fixed seed.
fn poisson(mean: f64, periods: usize, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let law = Poisson::new(mean).unwrap();
    (0..periods).map(|_| law.sample(&mut rng)).collect()
}

/// `periods` weekly counts whose log-rate is an AR(1) process around ln(mean): bursts and
/// lulls that last for weeks, as real teams' throughput has them.
fn autocorrelated(mean: f64, phi: f64, sd: f64, periods: usize, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let shock = Normal::new(0.0, sd).unwrap();
    let stationary_var = sd * sd / (1.0 - phi * phi);
    let mut z: f64 = 0.0;
    (0..periods)
        .map(|_| {
            z = phi * z + shock.sample(&mut rng);
            let rate = mean * (z - stationary_var / 2.0).exp();
            Poisson::new(rate.max(1e-9)).unwrap().sample(&mut rng)
        })
        .collect()
}

/// Non-overlapping "how many in the next 10 periods" checks every 10 periods.
fn settings(window: Option<usize>, method: Method) -> Settings {
    Settings {
        period: PeriodLength {
            count: 1,
            unit: fulcrum::model::PeriodUnit::Week,
        },
        per_year: 52.18,
        backlog: 50.0,
        horizon: 10,
        window,
        min_history: 40,
        step: 10,
        percentiles: vec![0.5, 0.7, 0.85, 0.95],
        trials: 2000,
        seed: 5,
        methods: vec![method],
    }
}

fn find(b: &MethodBacktest, question: Question, q: f64) -> &Calibration {
    b.calibration
        .iter()
        .find(|c| c.question == question && c.percentile == q)
        .unwrap()
}

/// Binomial standard error of a hit rate p over n independent checks.
fn binomial_se(p: f64, n: f64) -> f64 {
    (p * (1.0 - p) / n).sqrt()
}

fn backtest_of(history: &[f64], window: Option<usize>, method: Method) -> MethodBacktest {
    let mut b = backtest::run(history, &settings(window, method), &|_| {}).unwrap();
    b.methods.remove(0)
}

#[test]
fn a_stationary_history_is_calibrated_within_the_binomial_error() {
    // 40 periods before the first forecast, then 150 non-overlapping 10-period outcomes.
    let history = poisson(5.0, 40 + 150 * 10, 2024);
    for method in Method::ALL {
        let b = backtest_of(&history, None, method);
        let p85 = find(&b, Question::HowMany, 0.85);
        assert_eq!(p85.forecasts, 150, "{method}");
        // The classic forecasts claim a little more than 85% (items come in whole numbers);
        // the calibrated ones claim the percentile itself.
        assert!(
            (0.85..0.90).contains(&p85.claimed),
            "{method}: claimed {}",
            p85.claimed
        );
        for c in b
            .calibration
            .iter()
            .filter(|c| c.question == Question::HowMany)
        {
            let tolerance = 3.0 * binomial_se(c.claimed, c.forecasts as f64);
            assert!(
                (c.observed - c.claimed).abs() <= tolerance,
                "{method}: {c:?}: tolerance {tolerance}"
            );
        }
        // "When will the next 50 items be done" (about 10 periods, so about one per origin).
        let when = find(&b, Question::When, 0.85);
        let tolerance = 3.0 * binomial_se(when.claimed, when.effective);
        assert!(
            (when.observed - when.claimed).abs() <= tolerance,
            "{method}: {when:?}: tolerance {tolerance}"
        );
        // The median is unbiased: the mean error of P50 is within 3 standard errors of 0
        // (the sum of 10 Poisson(5) periods has sd √50).
        let score = b
            .scores
            .iter()
            .find(|s| s.question == Question::HowMany)
            .unwrap();
        assert!(
            score.mean_error.abs() <= 3.0 * 50f64.sqrt() / 150f64.sqrt() + 1.0,
            "{method}: {score:?}"
        );
    }
}

/// The autocorrelated history of the next test: 300 non-overlapping checks after 40 periods.
fn bursty() -> Vec<f64> {
    autocorrelated(6.0, 0.85, 0.35, 40 + 300 * 10, 11)
}

#[test]
fn bursts_that_last_weeks_make_the_classic_bootstrap_over_promise_and_not_the_calibrated_one() {
    let history = bursty();
    let iid = backtest_of(&history, None, Method::Iid);
    let calibrated = backtest_of(&history, None, Method::Calibrated);
    let (i85, c85) = (
        find(&iid, Question::HowMany, 0.85),
        find(&calibrated, Question::HowMany, 0.85),
    );
    // Outcomes ten periods apart still share a burst, so count them as half as many
    // independent checks as there are.
    let se = binomial_se(0.85, c85.forecasts as f64 / 2.0);
    assert!(
        i85.observed < i85.claimed - 3.0 * se,
        "iid {i85:?}, 3 se = {}",
        3.0 * se
    );
    assert!(
        (c85.observed - 0.85).abs() <= 3.0 * se,
        "calibrated {c85:?}, 3 se = {}",
        3.0 * se
    );
    // And its statements are sharper where it matters: a lower quantile score than the
    // classic forecasts' on the same origins.
    let score = |m: &MethodBacktest| {
        m.scores
            .iter()
            .find(|s| s.question == Question::HowMany)
            .unwrap()
            .quantile_score
    };
    assert!(
        score(&calibrated) < score(&iid),
        "{:?} vs {:?}",
        calibrated.scores,
        iid.scores
    );
}

#[test]
fn a_drop_in_pace_makes_the_classic_bootstrap_over_promise_and_the_calibrated_method_follows_it() {
    // Throughput falls from 8 to 3 a period half-way through.
    let mut history = poisson(8.0, 300, 7);
    history.extend(poisson(3.0, 300, 8));
    let all = backtest_of(&history, None, Method::Iid);
    let p85 = find(&all, Question::HowMany, 0.85);
    // Forecasts after the drop still bootstrap the fast periods: far too optimistic.
    let se = binomial_se(p85.claimed, p85.effective);
    assert!(
        p85.observed < p85.claimed - 3.0 * se,
        "{p85:?} (3 se = {})",
        3.0 * se
    );
    assert_eq!(p85.verdict(), "too optimistic");
    // A 20-period window forgets the fast periods within two forecasts.
    let windowed = backtest_of(&history, Some(20), Method::Iid);
    let w85 = find(&windowed, Question::HowMany, 0.85);
    assert!(w85.observed > p85.observed + 0.2, "{w85:?} vs {p85:?}");
    // The calibrated method finds the shift itself and is right as often as it says.
    let calibrated = backtest_of(&history, None, Method::Calibrated);
    let c85 = find(&calibrated, Question::HowMany, 0.85);
    let tolerance = 3.0 * binomial_se(0.85, c85.effective);
    assert!(
        (c85.observed - 0.85).abs() <= tolerance,
        "{c85:?}: tolerance {tolerance}"
    );
    assert_ne!(c85.verdict(), "too optimistic");
}

#[test]
fn no_forecast_reads_the_history_after_its_origin() {
    let history = bursty();
    let cut = 400;
    // The same past, another future.
    let mut other = history[..cut].to_vec();
    other.extend(poisson(20.0, history.len() - cut, 99));
    let settings = WalkSettings {
        method: Method::Calibrated,
        period: PeriodLength {
            count: 1,
            unit: fulcrum::model::PeriodUnit::Week,
        },
        per_year: 52.18,
        backlog: 30.0,
        horizon: Some(8),
        window: None,
        percentiles: vec![0.5, 0.85],
        first: 26,
        step: 1,
        trials: 500,
        seed: 3,
    };
    let a = walk::walk(&history[..cut + 60], &settings, &|_| {}).unwrap();
    let b = walk::walk(&other[..cut + 60], &settings, &|_| {}).unwrap();
    let stated = |w: &walk::Walk| -> Vec<(usize, Vec<(f64, f64)>)> {
        w.origins
            .iter()
            .filter(|o| o.origin <= cut)
            .map(|o| {
                let both = o
                    .when
                    .statements
                    .iter()
                    .chain(o.how_many.iter().flat_map(|h| &h.statements));
                (
                    o.origin,
                    both.flatten().map(|s| (s.value, s.level)).collect(),
                )
            })
            .collect()
    };
    // Every statement up to the cut — the answer and the level it was read at — is the same:
    // neither the forecasts nor the corrections looked past their origin.
    assert_eq!(stated(&a), stated(&b));
    // After it they differ (the other future is much faster).
    assert_ne!(a.levels, b.levels);
}

#[test]
fn the_cli_writes_the_backtest_files_the_same_on_any_thread_count() {
    let dir = scratch("backtest-cli");
    let args = ["--history", W1_TEXT, "--horizon", "4", "--trials", "500"];
    for (stdout, threads) in on_one_thread_and_two("backtest", &args, &dir)
        .iter()
        .zip(["1", "2"])
    {
        assert!(
            stdout.contains("how many in the next 4 periods"),
            "{stdout}"
        );
        assert!(stdout.contains("P85"), "{stdout}");
        for file in [
            "backtest.csv",
            "calibration.csv",
            "report.html",
            "backtest.json",
            "plots/backtest.svg",
            "plots/backtest.png",
        ] {
            assert!(dir.join(threads).join(file).exists(), "{file}");
        }
    }
    same_on_one_thread_and_two(&dir, &["calibration.csv", "backtest.csv"]);
    let csv = read(dir.join("1/calibration.csv"));
    assert!(
        csv.starts_with("method,question,percentile,forecasts,right,observed,claimed,standard_error,effective_checks,p_value,verdict\ncalibrated,when,0.5,"),
        "{csv}"
    );
}

#[test]
fn an_imported_scenario_backtests_with_dates() {
    let dir = scratch("backtest-import");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import/generic.csv");
    let out = fulcrum(
        &["import", data.to_str().unwrap(), "--scenario", "team.toml"],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = fulcrum(
        &[
            "backtest",
            "team.toml",
            "--team",
            "payments",
            "--min-history",
            "4",
            "--horizon",
            "3",
            "--trials",
            "300",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(dir.join("output/team-backtest/backtest.csv")).unwrap();
    // The history's first week starts 2027-01-04: origin 4 ends 2027-01-31.
    assert!(csv.contains(",4,2027-01-31,"), "{csv}");
}

#[test]
fn bad_input_exits_with_status_two_and_says_why() {
    let dir = scratch("backtest-bad");
    let cases: &[(&[&str], &str)] = &[
        (&["--history", "3,4,5"], "needs at least 20"),
        (
            &["--history", W1_TEXT, "--step", "0"],
            "--step must be at least 1",
        ),
        (
            &["--history", W1_TEXT, "--percentiles", "50,100"],
            "below 100",
        ),
        (
            &["--history", W1_TEXT, "--since", "2027-01-01"],
            "--since needs dates",
        ),
        (&["--history", "0,0,0,0"], "nothing would ever be done"),
        (
            &["--history", W1_TEXT, "--horizon", "30"],
            "needs at least 40",
        ),
    ];
    refuses_each("backtest", cases, &[], &dir);
    assert!(!dir.join("output").exists(), "bad input writes nothing");
}

#[test]
fn methods_are_judged_side_by_side_with_a_shift_and_idle_ends_reported() {
    let dir = scratch("backtest-methods");
    // Idle before the team began, a drop in pace, and a straggler long after it stopped.
    let mut history = vec![1.0];
    history.extend([0.0; 20]);
    history.extend(poisson(9.0, 60, 4));
    history.extend(poisson(2.0, 40, 5));
    history.extend([0.0; 30]);
    history.push(1.0);
    let counts: Vec<String> = history.iter().map(|x| x.to_string()).collect();
    let out = fulcrum(
        &[
            "backtest",
            "--history",
            &counts.join(","),
            "--horizon",
            "4",
            "--min-history",
            "20",
            "--trials",
            "300",
            "--method",
            "calibrated,iid",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stdout.contains("method calibrated:"), "{stdout}");
    assert!(stdout.contains("method iid:"), "{stdout}");
    assert!(stdout.contains("Best on this history:"), "{stdout}");
    // The drop is found where it happened (period 61 of the 100 kept) and reported.
    assert!(
        stdout.contains("warning: the pace changed at period"),
        "{stdout}"
    );
    // 21 idle periods before the team's first real item, 31 after its last.
    assert!(
        stderr.contains("21 idle period(s) cut before its first finished item, 31 after its last"),
        "{stderr}"
    );
    let json = std::fs::read_to_string(dir.join("output/backtest/backtest.json")).unwrap();
    assert!(json.contains("\"cut_before\": 21"), "{json}");
    assert!(json.contains("\"level_shift\": {"), "{json}");
    let scores = std::fs::read_to_string(dir.join("output/backtest/scores.csv")).unwrap();
    assert!(scores.contains("\ncalibrated,when,"), "{scores}");
    assert!(scores.contains("\niid,how_many,"), "{scores}");
    for file in ["plots/calibration.svg", "plots/calibration.png"] {
        assert!(dir.join("output/backtest").join(file).exists(), "{file}");
    }
}
