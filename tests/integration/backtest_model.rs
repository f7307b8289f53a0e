//! `fulcrum backtest --export`: the whole debt model walked forward as a user runs it — the
//! files it writes, the same bytes on one thread and two, and its refusals of bad input
//! (exit 2, a located message, no panic). That the model's statements are calibrated where
//! the model is right is proven in the library (`whatif::calibrate::walk_check`).

use std::path::Path;

use crate::common::{
    on_one_thread_and_two, read, refuses_each, same_on_one_thread_and_two, scratch,
};

fn staggered() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import/staggered.csv")
        .display()
        .to_string()
}

/// A light walk: 100 particles, 200 bootstrap trials, four origins of borealis's 51 weeks.
const LIGHT: [&str; 12] = [
    "--team",
    "borealis",
    "--particles",
    "100",
    "--trials",
    "200",
    "--min-history",
    "20",
    "--step",
    "8",
    "--horizon",
    "4",
];

/// The light walk of borealis with `extra` flags into `dir/out`; it must succeed.
fn light_walk(dir: &Path, out: &str, extra: &[&str]) {
    let export = staggered();
    let mut args = vec!["backtest", "--export", &export];
    args.extend(LIGHT);
    args.extend(["--out", out]);
    args.extend(extra);
    let output = crate::common::fulcrum(&args, dir);
    assert!(
        output.status.success(),
        "{}",
        crate::common::text(&output.stderr)
    );
}

/// `model-backtest.json` without what depends on the machine (threads, seconds).
fn results(dir: &Path) -> serde_json::Value {
    let mut json: serde_json::Value =
        serde_json::from_str(&read(dir.join("model-backtest.json"))).unwrap();
    let map = json.as_object_mut().unwrap();
    map.remove("threads");
    map.remove("seconds");
    json
}

#[test]
fn it_writes_every_statement_and_a_verdict_per_quantity_the_same_on_any_thread_count() {
    let dir = scratch("threads");
    let export = staggered();
    let mut args = vec!["--export", &export];
    args.extend(LIGHT);
    let stdout = on_one_thread_and_two("backtest", &args, &dir);
    // The same table; only the last line's time and folder differ.
    let table = |s: &str| {
        s.lines()
            .filter(|l| !l.contains(" s → "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(table(&stdout[0]), table(&stdout[1]));
    assert!(
        stdout[0].contains("Whole-model backtest of team borealis: 4 origins"),
        "{}",
        stdout[0]
    );
    assert!(
        stdout[0].contains("calibrated bootstrap on product work"),
        "{}",
        stdout[0]
    );
    same_on_one_thread_and_two(&dir, &["model-backtest.csv"]);
    assert_eq!(results(&dir.join("1")), results(&dir.join("2")));

    let csv = read(dir.join("1/model-backtest.csv"));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("origin,quantity,method,percentile,stated,actual,hit")
    );
    // Four origins (20, 28, 36, 44) × four percentiles, of the model and the bootstrap.
    let product_model = csv
        .lines()
        .filter(|l| l.contains(",product,model,"))
        .count();
    assert_eq!(product_model, 16, "{csv}");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("44,total,calibrated,0.95,"))
    );
    let json = results(&dir.join("1"));
    assert_eq!(json["origins"], serde_json::json!([20, 28, 36, 44]));
    let verdicts = json["verdicts"].as_array().unwrap();
    assert!(verdicts.iter().any(|v| v["quantity"] == "product"));
    assert!(
        verdicts
            .iter()
            .all(|v| v["text"].as_str().unwrap().contains("bootstrap"))
    );
    // borealis finished no keep-the-lights-on work: neither it nor its share is forecast.
    let omitted: Vec<&str> = json["omitted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["quantity"].as_str().unwrap())
        .collect();
    assert!(
        omitted.contains(&"ktlo") && omitted.contains(&"ktlo_share"),
        "{omitted:?}"
    );
    let page = read(dir.join("1/report.html"));
    assert!(page.contains("Does the debt model forecast better than the bootstrap?"));
    assert!(page.contains("<table>") && !page.contains("src=\"http"));
}

#[test]
fn a_headcount_table_scales_each_origins_capacity_and_is_checked() {
    let dir = scratch("headcount");
    let export = staggered();
    std::fs::write(
        dir.join("heads.csv"),
        "team,from,engineers\nborealis,2027-07-01,4\nborealis,2028-01-03,6\n",
    )
    .unwrap();
    light_walk(&dir, "fit", &["--headcount", "heads.csv"]);
    assert!(dir.join("fit/model-backtest.json").is_file());
    std::fs::write(
        dir.join("stray.csv"),
        "team,from,engineers\nnobody,2027-07-01,4\n",
    )
    .unwrap();
    // Nobody on the team around the first origin (period 20 of 51 weeks from 2027-07-26):
    // refused up front, with the --min-history that starts after the gap.
    std::fs::write(
        dir.join("gap.csv"),
        "team,from,engineers\nborealis,2027-07-01,4\nborealis,2027-11-29,0\nborealis,2028-01-10,5\n",
    )
    .unwrap();
    let mut gap = vec!["--export", &export, "--headcount", "gap.csv"];
    gap.extend(LIGHT);
    refuses_each(
        "backtest",
        &[
            (
                &[
                    "--export",
                    &export,
                    "--team",
                    "borealis",
                    "--headcount",
                    "stray.csv",
                ],
                "stray.csv:2: no team `nobody`",
            ),
            (
                &["--history", "3,4,5,6", "--headcount", "heads.csv"],
                "give them with --export",
            ),
            (
                &gap,
                "team `borealis` has 0 engineers in period 20 by the headcount table",
            ),
        ],
        &["--out", "never"],
        &dir,
    );
}

#[test]
fn bad_input_is_refused_with_exit_2_and_a_located_message() {
    let dir = scratch("refusals");
    let export = staggered();
    refuses_each(
        "backtest",
        &[
            (&["--export"], "a value is required for '--export <FILE>'"),
            (&["--export", "missing.csv"], "missing.csv"),
            (
                &["--export", &export, "--team", "borealis", "--horizon", "40"],
                "team `borealis` has 51 periods: the model's backtest needs at least 92",
            ),
            (
                &[
                    "--export",
                    &export,
                    "--team",
                    "borealis",
                    "--min-history",
                    "8",
                ],
                "--min-history 8: the model's first calibration needs at least 16 periods",
            ),
            (&["--export", &export], "choose one with --team"),
            (
                &["--export", &export, "--team", "nobody"],
                "--team nobody: no such team",
            ),
            (
                &[
                    "--export",
                    &export,
                    "--team",
                    "borealis",
                    "--particles",
                    "5",
                ],
                "--particles 5: give 10 to 20000",
            ),
            (
                &["--history", "3,4,5,6", "--method", "model"],
                "--method model backtests the debt model",
            ),
            (
                &["--history", "3,4,5,6", "--weight", "items"],
                "give them with --export",
            ),
        ],
        &["--out", "never"],
        &dir,
    );
    assert!(!dir.join("never").exists());
}

#[test]
fn a_priors_file_calibrates_every_origin_under_it() {
    let dir = scratch("priors");
    let export = staggered();
    // A prior sure that the team's throughput is e (2.7) times its observed level: every
    // origin's posterior, and so every forecast of all work, moves up (by 1.48x here: drag
    // and the data take up part of the push).
    std::fs::write(
        dir.join("high.toml"),
        "[priors]\nlog_throughput_ratio = { normal = [1.0, 0.01] }\n",
    )
    .unwrap();
    let stated = |folder: &str| -> f64 {
        let csv = read(dir.join(folder).join("model-backtest.csv"));
        let rows: Vec<f64> = csv
            .lines()
            .filter(|l| l.contains(",total,model,0.5,"))
            .map(|l| l.split(',').nth(4).unwrap().parse().unwrap())
            .collect();
        assert_eq!(rows.len(), 4, "{csv}");
        rows.iter().sum::<f64>() / rows.len() as f64
    };
    light_walk(&dir, "plain", &[]);
    light_walk(&dir, "high", &["--priors", "high.toml"]);
    let (plain, high) = (stated("plain"), stated("high"));
    assert!(
        high > 1.25 * plain,
        "median of all work: {high} against {plain}"
    );
    assert_eq!(results(&dir.join("high"))["priors_file"], "high.toml");
    assert!(results(&dir.join("plain"))["priors_file"].is_null());
    std::fs::write(
        dir.join("wrong.toml"),
        "[priors]\ninterest = { uniform = [0, 0.01] }\nspeed = { normal = [0, 1] }\n",
    )
    .unwrap();
    refuses_each(
        "backtest",
        &[
            (
                &[
                    "--export",
                    &export,
                    "--team",
                    "borealis",
                    "--priors",
                    "wrong.toml",
                ],
                "wrong.toml:3: `speed` is not a coordinate",
            ),
            (
                &["--history", "3,4,5,6", "--priors", "high.toml"],
                "give them with --export",
            ),
        ],
        &["--out", "never"],
        &dir,
    );
}
