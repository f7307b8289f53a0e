//! Issue 31, the answer in the leader's words: no output prints NaN or a contradiction for a
//! side without key results, the recommended split is stated, and user-written schedules run.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{example, fulcrum, scratch, text};

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/answer")
        .join(name)
        .display()
        .to_string()
}

/// Every text file under `dir`, with its path.
fn text_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(text_files(&path));
        } else if let Ok(body) = fs::read_to_string(&path) {
            out.push((path, body));
        }
    }
    out
}

/// `fulcrum ARGS` must succeed; its stdout.
fn ok(args: &[&str], dir: &Path) -> String {
    let out = fulcrum(args, dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The value of `metric`'s mean in summary.csv, for strategy `strategy`.
fn summary_mean(dir: &Path, strategy: &str, metric: &str) -> String {
    let csv = fs::read_to_string(dir.join("summary.csv")).unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with(&format!("{strategy},{metric},")))
        .unwrap_or_else(|| panic!("no {strategy},{metric} in summary.csv:\n{csv}"));
    row.split(',').nth(2).unwrap().to_string()
}

#[test]
fn a_side_without_key_results_is_a_dash_everywhere_never_nan() {
    let dir = scratch("one-side");
    for (scenario, missing, present) in [
        (data("tech-only.toml"), "product", "technology"),
        (example("throughput-forecast.toml"), "technology", "product"),
    ] {
        let out = dir.join(missing);
        let out_arg = out.display().to_string();
        let stdout = ok(
            &["run", &scenario, "--out", &out_arg, "--trials", "300"],
            &dir,
        );
        let json = ok(
            &[
                "run", &scenario, "--out", &out_arg, "--trials", "300", "--json", "-q",
            ],
            &dir,
        );
        let plan_out = dir.join(format!("{missing}-plan")).display().to_string();
        let plan = ok(
            &["plan", &scenario, "--out", &plan_out, "--trials", "300"],
            &dir,
        );
        for (name, body) in [("run", &stdout), ("--json", &json), ("plan", &plan)] {
            assert!(!body.contains("NaN"), "{name} prints NaN:\n{body}");
            // A finite run knows no certainty: a 100% has an interval below 100.
            assert!(
                !body.contains("100–100%"),
                "{name} prints a certainty:\n{body}"
            );
        }
        for (path, body) in text_files(&out)
            .into_iter()
            .chain(text_files(Path::new(&plan_out)))
        {
            assert!(!body.contains("NaN"), "{} holds NaN", path.display());
        }
        assert!(
            stdout.contains(&format!(
                "its {missing} score is – (the scenario has no {missing} key results"
            )),
            "{stdout}"
        );
        // summary.csv and the JSON agree: nothing to meet is no number, not a vacuous 100%.
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        let first = &doc["strategies"][0];
        let name = first["name"].as_str().unwrap();
        assert!(
            first[format!("p_all_{missing}_krs_met")].is_null(),
            "{first}"
        );
        assert_eq!(
            summary_mean(&out, name, &format!("all_{missing}_krs_met")),
            ""
        );
        let csv = fs::read_to_string(out.join("summary.csv")).unwrap();
        let score_row = format!("{name},{missing}_score,");
        let row = csv.lines().find(|l| l.starts_with(&score_row)).unwrap();
        assert!(
            row[score_row.len()..].chars().all(|c| c == ','),
            "no score has no standard error or quantiles either: {row}"
        );
        let p = first[format!("p_all_{present}_krs_met")].as_f64().unwrap();
        let csv: f64 = summary_mean(&out, name, &format!("all_{present}_krs_met"))
            .parse()
            .unwrap();
        assert!((p - csv).abs() < 1e-6, "JSON {p} vs summary.csv {csv}");
    }
}

#[test]
fn run_plan_and_the_report_open_with_the_recommended_split_and_what_it_buys() {
    let dir = scratch("split-first");
    let scenario = example("legacy-platform.toml");
    let out = dir.join("run");
    let out_arg = out.display().to_string();
    let stdout = ok(
        &["run", &scenario, "--out", &out_arg, "--trials", "300"],
        &dir,
    );
    let summary: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("Recommended split"))
        .collect();
    let split = summary.first().expect("a recommended split line");
    // Every team is named with its share, and each phase that ends early with its date.
    for team in ["core", "integrations"] {
        assert!(split.contains(&format!(" {team} ")), "{split}");
    }
    assert!(split.contains("% tech"), "{split}");
    let buys = summary[1];
    assert!(buys.starts_with("It buys: "), "{buys}");
    for kr in [
        "partner-api",
        "billing-revamp",
        "debt-halved",
        "incidents-down",
        "drag-down",
    ] {
        assert!(buys.contains(&format!("{kr} met ")), "{buys}");
    }
    assert!(buys.contains("due 2027-09-12 (period 18)"), "{buys}");
    assert!(buys.contains("at P85") && buys.contains("(P50)"), "{buys}");
    // The report says the same and shows the phases as a table, a row per team and phase.
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains(&fulcrum::report::kit::page::escape(split)),
        "{split}"
    );
    assert!(html.contains("<h3>Recommended split: optimised</h3>"));
    let plan_out = dir.join("plan").display().to_string();
    let plan = ok(
        &["plan", &scenario, "--out", &plan_out, "--trials", "300"],
        &dir,
    );
    let second = plan.lines().nth(1).unwrap();
    assert!(second.starts_with("  split: core "), "{plan}");
    assert!(
        plan.lines().nth(2).unwrap().starts_with("  It buys: "),
        "{plan}"
    );
}

#[test]
fn a_schedule_with_two_phases_runs_sweeps_and_round_trips_through_write_schedule() {
    let dir = scratch("schedule");
    let scenario = data("schedule.toml");
    let run_out = dir.join("run").display().to_string();
    let stdout = ok(
        &["run", &scenario, "--out", &run_out, "--trials", "300"],
        &dir,
    );
    // The phases as written: until = 2027-03-31 falls in period 7 (2027-03-29 to 2027-04-11).
    assert!(
        stdout.contains(
            "Recommended split (phased): checkout 40% tech through 2027-04-11 (period 7), then \
             20%; integrations 10% tech through 2027-02-28 (period 4), then 30%."
        ),
        "{stdout}"
    );
    // A phase's share and its switch point sweep like any number, as --set changes them.
    for vary in [
        "strategies.phased.phases.0.tech_share=0.2:0.6:3",
        "strategies.phased.phases.0.until=3:7:3",
    ] {
        let out = dir.join("sweep").display().to_string();
        let sweep = ok(
            &[
                "sweep", &scenario, "--vary", vary, "--trials", "200", "--out", &out, "--force",
            ],
            &dir,
        );
        assert!(sweep.contains("3 points × 200 trials"), "{sweep}");
    }
    // A phase that is not the last must say where it ends.
    let broken = dir.join("broken.toml");
    fs::write(
        &broken,
        fs::read_to_string(&scenario)
            .unwrap()
            .replace("until = 2027-03-31, ", ""),
    )
    .unwrap();
    let out = fulcrum(&["validate", &broken.display().to_string()], &dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("where does this phase end?"), "{stderr}");

    // The optimised policy written as a schedule runs to the same outcome.
    let legacy = example("legacy-platform.toml");
    let written = dir.join("optimised-schedule.toml");
    let plan_out = dir.join("plan").display().to_string();
    let plan: [&str; 6] = ["plan", &legacy, "--trials", "300", "--out", &plan_out];
    let written_arg = written.display().to_string();
    ok(
        &[&plan[..], &["--write-schedule", &written_arg, "-q"]].concat(),
        &dir,
    );
    let both = dir.join("both.toml");
    fs::write(
        &both,
        fs::read_to_string(&legacy).unwrap() + &fs::read_to_string(&written).unwrap(),
    )
    .unwrap();
    let both_out = dir.join("both").display().to_string();
    let json = ok(
        &[
            "run",
            &both.display().to_string(),
            "--trials",
            "300",
            "--out",
            &both_out,
            "--json",
            "-q",
        ],
        &dir,
    );
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mean = |name: &str| {
        doc["strategies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))["blended_score"]["mean"]
            .as_f64()
            .unwrap()
    };
    let (found, written) = (mean("optimised"), mean("optimised-schedule"));
    assert!((found - written).abs() < 1e-9, "{found} vs {written}");
    // Refused: an existing file is never overwritten.
    let again_arg = dir.join("optimised-schedule.toml").display().to_string();
    let again = fulcrum(
        &[&plan[..], &["--force", "--write-schedule", &again_arg]].concat(),
        &dir,
    );
    assert_eq!(again.status.code(), Some(2));
}

/// Every price says what it buys in the leader's units: `marginal_values.csv` has, per price,
/// each key result's chance and each deadline's P85 finish before and after with the change's
/// interval; `plan` prints it under the price and `--json` carries it. One more engineer on
/// the team whose delivery key result falls short raises that key result's chance, with an
/// interval above zero.
#[test]
fn every_price_is_also_given_in_key_result_odds_finish_dates_and_debt() {
    let dir = scratch("price-effects");
    let s = example("balanced-okrs.toml");
    let stdout = ok(&["plan", &s, "--trials", "1000", "--out", "plan"], &dir);
    let mut csv = csv::Reader::from_path(dir.join("plan/marginal_values.csv")).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert!(!rows.is_empty());
    let number = |row: &csv::StringRecord, name: &str| -> f64 {
        row[column(name)]
            .parse()
            .unwrap_or_else(|_| panic!("{name}: {row:?}"))
    };
    for row in &rows {
        for measure in ["p_met:checkout-conversion", "p85:one-click-checkout"] {
            let (before, after) = (
                number(row, &format!("{measure}_before")),
                number(row, &format!("{measure}_after")),
            );
            let change = number(row, &format!("{measure}_change"));
            let (low, high) = (
                number(row, &format!("{measure}_low")),
                number(row, &format!("{measure}_high")),
            );
            assert!((after - before - change).abs() < 1e-9, "{measure}: {row:?}");
            assert!(low <= change && change <= high, "{measure}: {row:?}");
        }
        let p = number(row, "p_met:checkout-conversion_after");
        assert!((0.0..=1.0).contains(&p));
        number(row, "final_debt_p50_change");
        number(row, "incident_days_change");
    }
    let engineer = rows
        .iter()
        .find(|r| &r[column("change")] == "engineer" && &r[column("team")] == "checkout")
        .expect("one more engineer on checkout is priced");
    assert!(
        number(engineer, "p_met:checkout-conversion_low") > 0.0,
        "more checkout engineers raise checkout's key result: {engineer:?}"
    );
    assert!(stdout.contains("    → checkout-conversion "), "{stdout}");
    assert!(stdout.contains("final debt P50"), "{stdout}");
    let json = ok(
        &["plan", &s, "--trials", "1000", "--out", "plan", "--json"],
        &dir,
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let help = &value["plans"][0]["help"][0]["effects"];
    assert!(
        help["key_results"]["checkout-conversion"]["after"].is_number(),
        "{help}"
    );
    assert!(
        help["p85_finish"].get("one-click-checkout").is_some(),
        "{help}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_report_lists_the_split_of_three_teams_or_more_one_team_a_line() {
    let dir = scratch("split-list");
    let scenario = example("balanced-okrs.toml");
    let out = dir.join("run");
    let out_arg = out.display().to_string();
    let stdout = ok(
        &["run", &scenario, "--out", &out_arg, "--trials", "300"],
        &dir,
    );
    let sentence = stdout
        .lines()
        .find(|l| l.starts_with("Recommended split (optimised): "))
        .expect("a recommended split line");
    let clauses: Vec<&str> = sentence
        .trim_start_matches("Recommended split (optimised): ")
        .trim_end_matches('.')
        .split("; ")
        .collect();
    assert_eq!(clauses.len(), 3, "{sentence}");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let escape = fulcrum::report::kit::page::escape;
    let list: String = clauses
        .iter()
        .map(|c| format!("<li>{}</li>\n", escape(c)))
        .collect();
    assert!(
        html.contains(&format!(
            "<p>Recommended split (optimised):</p>\n<ul>\n{list}</ul>"
        )),
        "{list}"
    );
}
