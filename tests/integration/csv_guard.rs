//! Every CSV fulcrum writes goes through one writer with the formula guard: each command is
//! run on inputs whose names and titles a spreadsheet would run as formulas, and every cell of
//! every CSV written is read back. A text cell may not begin with `=`, `+`, `-`, `@`, a tab or
//! a carriage return; a number such as `-3.5` or `-5` is not text and stays as it is.

use std::path::{Path, PathBuf};

use crate::common::{fulcrum, scratch, text};

/// A scenario whose every name is a formula to a spreadsheet (`-5` is a number, not one), on
/// one team of engineers.
pub(crate) const FORMULAS: &str = r#"[scenario]
name = "formulas"
periods = 6

[okrs]
[[okrs.key_results]]
id = "+kr"
owner = "product"
target = 1.0

[[teams]]
name = "@team"
engineers = 3

[[initiatives]]
id = "=HYPERLINK(1)"
kind = "product"
team = "@team"
effort = "10 to 20"
contributes = { "+kr" = 1 }

[[initiatives]]
id = "-tech"
kind = "tech"
team = "@team"
effort = "5 to 10"

[[strategies]]
name = "=1+1"
rule = "fixed_share"
tech_share = 0.2

[[strategies]]
name = "-5"
rule = "optimised"
"#;

/// [`FORMULAS`] over 8 weeks, with a second team, one with a throughput history for
/// `forecast` and `backtest`.
fn hostile() -> String {
    let header =
        "[scenario]\nname = \"hostile\"\nperiods = 8\nperiod = \"1w\"\nstart = 2027-01-04\n";
    let flow = r#"
[[teams]]
name = "=flow"
capacity = { samples = [3, 5, 2, 6, 4, 4, 7, 1, 5, 3, 6, 4, 2, 5, 8, 3] }

[[initiatives]]
id = "+migrate"
kind = "product"
team = "=flow"
effort = 30
"#;
    let body = FORMULAS
        .strip_prefix("[scenario]\nname = \"formulas\"\nperiods = 6\n")
        .expect("FORMULAS begins with its [scenario]");
    format!("{header}{body}{flow}")
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
        .display()
        .to_string()
}

/// Runs `fulcrum args` in `dir` and insists that it succeeds.
fn ok(dir: &Path, args: &[&str]) {
    let out = fulcrum(args, dir);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
}

/// Every `.csv` under `dir`.
fn csv_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "csv") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Whether a spreadsheet would read `cell` as a formula: it begins with `=`, `+`, `-`, `@`, a
/// tab or a carriage return and is not a number.
fn unguarded(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err()
}

#[test]
fn every_csv_of_every_command_is_guarded() {
    let dir = scratch("every-command");
    std::fs::write(dir.join("hostile.toml"), hostile()).unwrap();
    let history = dir.join("history.csv");
    std::fs::write(
        &history,
        "count\n3\n5\n2\n6\n4\n4\n7\n1\n5\n3\n6\n4\n2\n5\n",
    )
    .unwrap();
    let (items, plan) = (data("formulas.csv"), data("plan.csv"));
    let (pagerduty, opsgenie) = (data("pagerduty.csv"), data("opsgenie.csv"));
    let trials = ["--trials", "40"];
    let runs: Vec<Vec<&str>> = vec![
        vec!["run", "hostile.toml", "--out", "out/run"],
        vec!["plan", "hostile.toml", "--out", "out/plan"],
        vec![
            "sweep",
            "hostile.toml",
            "--vary",
            "okrs.blend=0.2:0.8:2",
            "--out",
            "out/sweep",
        ],
        vec!["forecast", "hostile.toml", "--out", "out/forecast"],
        vec![
            "backtest",
            "hostile.toml",
            "--min-history",
            "6",
            "--horizon",
            "3",
            "--out",
            "out/backtest",
        ],
        vec!["run", "hostile.toml", "--shard", "0/2", "--out", "shards/0"],
        vec!["run", "hostile.toml", "--shard", "1/2", "--out", "shards/1"],
        vec!["merge", "shards/0", "shards/1", "--out", "out/merged"],
        vec![
            "import",
            &items,
            "--incidents",
            &pagerduty,
            "--incidents",
            &opsgenie,
            "--plan",
            &plan,
            "--out",
            "out/import",
        ],
    ];
    for args in &runs {
        let mut args = args.clone();
        if !matches!(args[0], "merge" | "import") {
            args.extend(trials);
        }
        ok(&dir, &args);
    }
    let files = csv_files(&dir.join("out"));
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&dir).unwrap().display().to_string())
        .collect();
    // Each command's tables are among them.
    for expected in [
        "out/run/summary.csv",
        "out/run/sensitivity.csv",
        "out/plan/marginal_values.csv",
        "out/sweep/frontier.csv",
        "out/forecast/forecast.csv",
        "out/backtest/calibration.csv",
        "out/merged/initiatives.csv",
        "out/import/items.csv",
        "out/import/incidents.csv",
        "out/import/plan_vs_actual.csv",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let mut guarded = 0;
    for (file, name) in files.iter().zip(&names) {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(file)
            .unwrap();
        for (line, record) in reader.records().enumerate() {
            for cell in record.unwrap().iter() {
                assert!(!unguarded(cell), "{name}:{}: {cell:?}", line + 1);
                guarded += usize::from(cell.starts_with('\''));
            }
        }
    }
    // The hostile names did reach the files, guarded.
    assert!(guarded > 100, "{guarded} guarded cells in {names:?}");
}
