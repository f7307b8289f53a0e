//! `fulcrum calibrate` as a user runs it: the outputs it writes, the scenario it writes
//! (which must validate and run without NaN), the same bytes on one thread and two, and its
//! refusals of bad input (exit 2, a message, nothing written).

use std::path::Path;

use crate::common::{
    fulcrum, on_one_thread_and_two, read, refuses_each, same_on_one_thread_and_two, scratch,
    succeeds, text,
};

fn data(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(file)
        .display()
        .to_string()
}

/// Runs `fulcrum calibrate` in `dir`; panics with stderr on failure.
fn calibrate(dir: &Path, args: &[&str]) -> String {
    succeeds("calibrate", args, dir)
}

#[test]
fn it_writes_the_posterior_the_report_and_a_scenario_that_runs() {
    let dir = scratch("outputs");
    let export = data("staggered.csv");
    let stdout = calibrate(
        &dir,
        &[
            &export,
            "--only",
            "borealis",
            "--particles",
            "200",
            "--out",
            "fit",
            "--scenario",
            "fit.toml",
        ],
    );
    assert!(stdout.contains("predictive check:"), "{stdout}");
    assert!(stdout.contains("Debt takes"), "{stdout}");
    let out = dir.join("fit");
    for file in [
        "posterior.csv",
        "calibration.json",
        "report.html",
        "plots/parameters.svg",
        "plots/parameters.png",
        "plots/check-throughput.svg",
        "plots/check-ktlo.png",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let posterior = read(out.join("posterior.csv"));
    let header = posterior.lines().next().unwrap();
    assert_eq!(
        header,
        "draw,team,debt_initial,interest,accrual,paydown_efficiency,drag_max,drag_half,\
         base_rate,debt_sensitivity,cost,throughput,throughput_cv"
    );
    assert_eq!(posterior.lines().count(), 201, "one row per draw");
    let json: serde_json::Value =
        serde_json::from_str(&read(out.join("calibration.json"))).unwrap();
    let team = &json["teams"][0];
    assert_eq!(team["team"], "borealis");
    assert_eq!(team["parameters"].as_array().unwrap().len(), 11);
    assert!(team["predictive_check"]["verdict"].is_string());
    let ahead = team["ahead"]["drag"].as_array().unwrap();
    assert!(
        ahead
            .iter()
            .all(|x| x.as_f64().is_some_and(|d| (0.0..1.0).contains(&d)))
    );
    let page = read(out.join("report.html"));
    for needle in [
        "Prior against posterior",
        "Predictive check",
        "Besker",
        "<svg",
    ] {
        assert!(page.contains(needle), "{needle} not in report.html");
    }
    assert!(!page.contains("src=\"http"), "self-contained");

    // The scenario names the joint draws (each trial takes one row whole) and keeps each
    // parameter's posterior summary as a comment.
    let written = read(dir.join("fit.toml"));
    assert!(
        written.contains("\nposterior = \"fit/posterior.csv\"\n"),
        "{written}"
    );
    assert!(
        written.contains("# interest: posterior median "),
        "{written}"
    );
    let scenario = dir.join("fit.toml").display().to_string();
    let valid = fulcrum(&["validate", &scenario], &dir);
    assert!(valid.status.success(), "{}", text(&valid.stderr));
    let summary = text(&valid.stdout);
    assert!(
        summary.contains("joint draws: 200 rows over 1 team, each trial takes one per team whole: \
                          debt_initial, interest, accrual, paydown_efficiency, drag_max, drag_half, \
                          base_rate, debt_sensitivity, cost, throughput, throughput_cv"),
        "{summary}"
    );
    let run = fulcrum(&["run", &scenario, "--trials", "300", "--out", "run"], &dir);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let table = read(dir.join("run/summary.csv"));
    assert!(!table.contains("NaN"), "{table}");
    let blended: Vec<f64> = table
        .lines()
        .filter(|l| l.split(',').nth(1) == Some("blended_score"))
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    assert_eq!(blended.len(), 3, "three strategies: {table}");
    assert!(
        blended.iter().all(|b| (0.0..=1.0).contains(b)),
        "{blended:?}"
    );
}

#[test]
fn a_priors_file_replaces_part_of_the_prior() {
    let dir = scratch("priors");
    std::fs::write(
        dir.join("priors.toml"),
        "[priors]\ninterest = { uniform = [0.0, 0.002] }\n",
    )
    .unwrap();
    let export = data("staggered.csv");
    calibrate(
        &dir,
        &[
            &export,
            "--only",
            "atlas",
            "--particles",
            "100",
            "--priors",
            "priors.toml",
            "--out",
            "fit",
        ],
    );
    let json: serde_json::Value =
        serde_json::from_str(&read(dir.join("fit/calibration.json"))).unwrap();
    assert_eq!(json["priors_file"], "priors.toml");
    let interest = &json["teams"][0]["parameters"][1];
    assert_eq!(interest["parameter"], "interest");
    let hi = interest["posterior"][2].as_f64().unwrap();
    assert!(
        hi <= 0.002,
        "the posterior stays inside the replaced prior: {hi}"
    );
    assert!(read(dir.join("fit/report.html")).contains("partly replaced"));
}

#[test]
fn one_thread_and_two_write_the_same_bytes() {
    let dir = scratch("threads");
    let export = data("staggered.csv");
    on_one_thread_and_two("calibrate", &[&export, "--particles", "100"], &dir);
    same_on_one_thread_and_two(
        &dir,
        &[
            "posterior.csv",
            "calibration.json",
            "report.html",
            "plots/team-1-parameters.svg",
        ],
    );
}

#[test]
fn bad_input_is_refused_with_exit_2() {
    let dir = scratch("bad");
    let export = data("staggered.csv");
    std::fs::write(dir.join("taken.toml"), "not mine").unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&[&export, "--particles", "5"], "--particles 5: give 10 to"),
        (
            &[&export, "--only", "nobody"],
            "no such team in the exports",
        ),
        (
            &[&export, "--scenario", "s.toml"],
            "name the team with --only",
        ),
        (
            &[&export, "--only", "atlas", "--scenario", "taken.toml"],
            "taken.toml",
        ),
        (&["missing.csv"], "missing.csv"),
    ];
    std::fs::write(
        dir.join("wrong.toml"),
        "[priors]\ninterest = { uniform = [0, 0.01] }\nspeed = { normal = [0, 1] }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("range.toml"),
        "[priors]\n\ndrag_max = { normal = [0.5, 0.1] }\n",
    )
    .unwrap();
    let more: &[(&[&str], &str)] = &[
        (
            &[&export, "--priors", "wrong.toml"],
            "wrong.toml:3: `speed` is not a coordinate",
        ),
        (
            &[&export, "--priors", "range.toml"],
            "range.toml:3: `drag_max` must stay within 0 to 1",
        ),
        (
            &[&export, "--priors", "none.toml"],
            "cannot read the priors file",
        ),
    ];
    refuses_each("calibrate", cases, &["--out", "never"], &dir);
    refuses_each("calibrate", more, &["--out", "never"], &dir);
    let generic = data("generic.csv");
    refuses_each(
        "calibrate",
        &[(&[&generic], "periods of history or more")],
        &["--out", "never"],
        &dir,
    );
    assert!(
        !dir.join("never").exists(),
        "a refused calibration writes nothing"
    );
    assert_eq!(read(dir.join("taken.toml")), "not mine");
}

/// Two teams with 1,500 weekly periods each: on one thread the sampler's whole budget is
/// 2 × 1,500 periods × 1.5 million simulations at 150 ns, about 15 minutes.
fn long_history() -> String {
    let start: fulcrum::model::Date = "1990-01-01".parse().unwrap();
    let mut csv = String::from("id,team,type,labels,created,started,done,title,points\n");
    for team in ["atlas", "borealis"] {
        for week in 0..1_500 {
            let day = start.add_days(7 * week);
            let labels = if week % 3 == 0 { "tech-debt" } else { "" };
            csv.push_str(&format!(
                "{team}-{week},{team},Story,{labels},{day},{day},{day},work {week},2\n"
            ));
        }
    }
    csv
}

#[test]
fn a_calibration_over_the_budget_is_refused_up_front_unless_yes() {
    let dir = scratch("budget");
    std::fs::write(dir.join("long.csv"), long_history()).unwrap();
    let long = dir.join("long.csv").display().to_string();
    refuses_each(
        "calibrate",
        &[(&[&long, "--threads", "1"], "more than the budget of 10 min")],
        &["--out", "never"],
        &dir,
    );
    assert!(!dir.join("never").exists(), "nothing is written");
    // With consent the bound is no obstacle: one team, few particles, far from the budget.
    calibrate(
        &dir,
        &[
            &long,
            "--only",
            "atlas",
            "--particles",
            "10",
            "--window",
            "30",
            "--yes",
            "--out",
            "ok",
        ],
    );
    assert!(dir.join("ok/posterior.csv").exists());
}

/// A team of known constants whose headcount doubled halfway through an 80-week history:
/// simulated by fulcrum's own trial at half capacity, then at full.
fn grown_team() -> (
    fulcrum::whatif::calibrate::prior::Theta,
    Vec<f64>,
    fulcrum::whatif::calibrate::forward::Series,
) {
    use fulcrum::simulate::Scratch;
    use fulcrum::whatif::calibrate::forward::{Replay, simulate};
    let truth = fulcrum::whatif::calibrate::prior::Theta {
        debt_initial: 150.0,
        interest: 0.01,
        accrual: 0.15,
        paydown_efficiency: 1.0,
        drag_max: 0.5,
        drag_half: 300.0,
        base_rate: 2.0,
        debt_sensitivity: 0.5 / 150.0,
        cost: 1.0,
        throughput: 30.0,
        throughput_cv: 0.1,
    };
    let capacity: Vec<f64> = (0..80).map(|t| if t < 40 { 0.5 } else { 1.0 }).collect();
    let replay = Replay {
        shares: vec![0.2; 80],
        incidents: false,
        capacity: capacity.clone(),
    };
    let history = simulate(&truth, &replay, 0x4EAD, &mut Scratch::default());
    (truth, capacity, history.series)
}

#[test]
fn a_team_that_grew_is_read_right_with_the_headcount_table_and_misread_without() {
    use fulcrum::whatif::calibrate::smc::Settings;
    use fulcrum::whatif::calibrate::{Observed, calibrate_with, prior_of};
    let (truth, capacity, series) = grown_team();
    // The share of capacity lost to debt at the start and, by the posterior, at the end.
    let fit = |capacity: Vec<f64>| {
        let observed = Observed {
            team: "grown".into(),
            series: series.clone(),
            periods_per_year: 52,
            capacity,
        };
        let prior = prior_of(&observed, &[]).unwrap();
        let mut settings = Settings::standard(7);
        settings.particles = 400;
        let fit = calibrate_with(&observed, &prior, &settings, &|_| {});
        (fit.drag[0].posterior, fit.drag[1].posterior)
    };
    let start = truth.drag_now();
    let ([low, _, high], _) = fit(capacity);
    assert!(
        low <= start && start <= high,
        "with the headcount table the drag at the start, {start:.3}, lies in its 90% interval \
         {low:.3}–{high:.3}"
    );
    // Without it, the first half's half capacity reads as debt: a drag at the start far above
    // the truth, paid down to nothing by the end.
    let ([low, _, _], [_, _, end]) = fit(Vec::new());
    assert!(
        low > start && end < 0.05,
        "without the table the drag at the start (from {low:.3}) should be read above \
         {start:.3} and the drag at the end (to {end:.3}) as gone"
    );
}

#[test]
fn a_headcount_table_is_read_and_its_mistakes_are_located() {
    let dir = scratch("headcount");
    let (_, _, series) = grown_team();
    // The simulated history as a generic export: one item per bucket and week, its points the
    // work finished.
    let start: fulcrum::model::Date = "2024-01-01".parse().unwrap();
    let mut csv = String::from("id,team,type,labels,created,started,done,title,points\n");
    for t in 0..series.periods() {
        let day = start.add_days(7 * t as i64);
        for (bucket, kind, labels, points) in [
            ("p", "Story", "", series.product[t]),
            ("q", "Task", "tech-debt", series.tech[t]),
            ("k", "Bug", "", series.ktlo[t]),
        ] {
            if points > 0.0 {
                csv.push_str(&format!(
                    "{bucket}{t},grown,{kind},{labels},{day},{day},{day},w,{points:.3}\n"
                ));
            }
        }
    }
    std::fs::write(dir.join("grown.csv"), csv).unwrap();
    std::fs::write(
        dir.join("heads.csv"),
        "team,from,engineers\ngrown,2024-01-01,4\ngrown,2024-10-07,8\n",
    )
    .unwrap();
    let stdout = calibrate(
        &dir,
        &[
            "grown.csv",
            "--headcount",
            "heads.csv",
            "--particles",
            "100",
            "--out",
            "fit",
        ],
    );
    assert!(stdout.contains("predictive check:"), "{stdout}");
    let json = read(dir.join("fit/calibration.json"));
    assert!(
        json.contains("\"relative_capacity\": [\n        0.5,"),
        "{json}"
    );
    let page = read(dir.join("fit/report.html"));
    assert!(page.contains("Capacity follows the headcount table: from 50% to 100%"));
    let bad = [
        (
            "stray.csv",
            "team,from,engineers\nnobody,2024-01-01,4\n",
            "stray.csv:2: no team `nobody`",
        ),
        (
            "cell.csv",
            "team,from,engineers\ngrown,2024-01-01,many\n",
            "cell.csv:2:3",
        ),
        (
            "date.csv",
            "team,from,engineers\ngrown,Jan 2024,4\n",
            "date.csv:2:2",
        ),
        (
            "cols.csv",
            "team,engineers\ngrown,4\n",
            "needs a `from` column",
        ),
        (
            "gone.csv",
            "team,from,engineers\ngrown,2024-01-01,4\ngrown,2024-06-03,0\n",
            "0 engineers in the last period",
        ),
    ];
    for (file, text, _) in &bad {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let cases: Vec<(Vec<&str>, &str)> = bad
        .iter()
        .map(|(file, _, says)| (vec!["grown.csv", "--headcount", *file], *says))
        .collect();
    let cases: Vec<(&[&str], &str)> = cases.iter().map(|(a, s)| (a.as_slice(), *s)).collect();
    refuses_each("calibrate", &cases, &["--out", "never"], &dir);
    assert!(
        !dir.join("never").exists(),
        "a refused calibration writes nothing"
    );
}
