//! `fulcrum backtest`: calibration on synthetic histories drawn from a known distribution
//! (a well-calibrated P85 is right 85% of the time, within the binomial error of the number
//! of checks), miscalibration after a step change, and the binary's files and exit codes.

use std::path::Path;

use crate::common::{W1_TEXT, fulcrum, refuses_each, scratch, text};

use fulcrum::model::PeriodLength;
use fulcrum::whatif::backtest::{self, Backtest, Calibration, Question, Settings};
use rand::SeedableRng;
use rand_distr::{Distribution, Poisson};
use rand_xoshiro::Xoshiro256PlusPlus;

/// `periods` weekly counts drawn from Poisson(mean), with a fixed seed.
fn poisson(mean: f64, periods: usize, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let law = Poisson::new(mean).unwrap();
    (0..periods).map(|_| law.sample(&mut rng)).collect()
}

/// Non-overlapping "how many in the next 10 periods" checks every 10 periods.
fn settings(window: Option<usize>) -> Settings {
    Settings {
        period: PeriodLength {
            count: 1,
            unit: fulcrum::model::PeriodUnit::Week,
        },
        backlog: 50.0,
        horizon: 10,
        window,
        min_history: 40,
        step: 10,
        percentiles: vec![0.5, 0.7, 0.85, 0.95],
        trials: 2000,
        seed: 5,
    }
}

fn find(b: &Backtest, question: Question, q: f64) -> &Calibration {
    b.calibration
        .iter()
        .find(|c| c.question == question && c.percentile == q)
        .unwrap()
}

/// Binomial standard error of a hit rate p over n independent checks.
fn binomial_se(p: f64, n: f64) -> f64 {
    (p * (1.0 - p) / n).sqrt()
}

#[test]
fn a_stationary_history_is_calibrated_within_the_binomial_error() {
    // 40 periods before the first forecast, then 150 non-overlapping 10-period outcomes.
    let history = poisson(5.0, 40 + 150 * 10, 2024);
    let b = backtest::run(&history, &settings(None), &|_| {}).unwrap();
    let p85 = find(&b, Question::HowMany, 0.85);
    assert_eq!(p85.forecasts, 150);
    // The forecasts claim a little more than 85%: items come in whole numbers.
    assert!(
        (0.85..0.90).contains(&p85.claimed),
        "claimed {}",
        p85.claimed
    );
    // Right 85% of the time, give or take three binomial standard errors of 150 checks
    // (plus the whole-item excess the forecasts themselves claim).
    let tolerance = 3.0 * binomial_se(0.85, 150.0) + (p85.claimed - 0.85);
    assert!(
        (p85.observed - 0.85).abs() <= tolerance,
        "P85 right {} of the time (tolerance {tolerance})",
        p85.observed
    );
    for c in b
        .calibration
        .iter()
        .filter(|c| c.question == Question::HowMany)
    {
        let tolerance = 3.0 * binomial_se(c.claimed, c.forecasts as f64);
        assert!(
            (c.observed - c.claimed).abs() <= tolerance,
            "{c:?}: tolerance {tolerance}"
        );
    }
    // "When will the next 50 items be done" (about 10 periods, so about one per origin).
    let when = find(&b, Question::When, 0.85);
    let tolerance = 3.0 * binomial_se(when.claimed, when.effective);
    assert!(
        (when.observed - when.claimed).abs() <= tolerance,
        "{when:?}: tolerance {tolerance}"
    );
    // The median is unbiased: the mean error of P50 is within 3 standard errors of 0
    // (the sum of 10 Poisson(5) periods has sd √50).
    let error = b
        .errors
        .iter()
        .find(|e| e.question == Question::HowMany)
        .unwrap();
    assert!(
        error.mean.abs() <= 3.0 * 50f64.sqrt() / 150f64.sqrt() + 1.0,
        "{error:?}"
    );
}

#[test]
fn a_step_change_shows_as_miscalibration_and_a_window_repairs_it() {
    // Throughput falls from 8 to 3 a period half-way through.
    let mut history = poisson(8.0, 300, 7);
    history.extend(poisson(3.0, 300, 8));
    let all = backtest::run(&history, &settings(None), &|_| {}).unwrap();
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
    let windowed = backtest::run(&history, &settings(Some(20)), &|_| {}).unwrap();
    let w85 = find(&windowed, Question::HowMany, 0.85);
    assert!(w85.observed > p85.observed + 0.2, "{w85:?} vs {p85:?}");
}

#[test]
fn the_cli_writes_the_backtest_files_the_same_on_any_thread_count() {
    let dir = scratch("backtest-cli");
    let mut calibrations = Vec::new();
    for threads in ["1", "2"] {
        let out = fulcrum(
            &[
                "backtest",
                "--history",
                W1_TEXT,
                "--horizon",
                "4",
                "--trials",
                "500",
                "--threads",
                threads,
                "--out",
                threads,
            ],
            &dir,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
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
        calibrations.push(std::fs::read(dir.join(threads).join("calibration.csv")).unwrap());
        let checks = std::fs::read(dir.join(threads).join("backtest.csv")).unwrap();
        calibrations.push(checks);
    }
    assert_eq!(calibrations[0], calibrations[2]);
    assert_eq!(calibrations[1], calibrations[3]);
    let csv = String::from_utf8(calibrations[0].clone()).unwrap();
    assert!(
        csv.starts_with("question,percentile,forecasts,right,observed,claimed,standard_error,effective_checks,verdict\nwhen,0.5,"),
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
    assert!(csv.contains("\n4,2027-01-31,4,how_many,"), "{csv}");
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
