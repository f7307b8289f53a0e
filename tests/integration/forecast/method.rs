//! The forecasting methods as a user meets them: which one made a forecast, and what a
//! change of pace in the history does to each.

use std::path::Path;

use crate::common::{W1_TEXT, fulcrum, scratch, text};

/// Runs `fulcrum forecast ARGS --method METHOD --out METHOD` in `dir`, which must succeed: its
/// stdout and stderr.
fn forecast(args: &[&str], method: &str, dir: &Path) -> (String, String) {
    let mut all = vec!["forecast"];
    all.extend_from_slice(args);
    all.extend(["--method", method, "--out", method]);
    let out = fulcrum(&all, dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (text(&out.stdout), text(&out.stderr))
}

/// The method is said and recorded; `--method iid` is the classic bootstrap of all the
/// history, the default the calibrated method with its correction learnt from the history.
#[test]
fn the_cli_says_which_method_made_a_forecast() {
    let dir = scratch("forecast-method");
    let mut json = Vec::new();
    for method in ["iid", "calibrated"] {
        let args = [
            "--history",
            W1_TEXT,
            "--backlog",
            "40",
            "--horizon",
            "8",
            "--trials",
            "3000",
        ];
        let (stdout, _) = forecast(&args, method, &dir);
        assert!(stdout.contains(&format!("method {method}:")), "{stdout}");
        json.push(std::fs::read_to_string(dir.join(method).join("forecast.json")).unwrap());
        assert!(dir.join(method).join("plots/history.svg").exists());
    }
    assert!(json[0].contains("\"method\": \"iid\""), "{}", json[0]);
    assert!(json[0].contains("\"block\": 1"), "{}", json[0]);
    assert!(
        json[1].contains("\"method\": \"calibrated\""),
        "{}",
        json[1]
    );
    // The calibrated forecast learnt from the history's own earlier forecasts.
    assert!(!json[1].contains("\"when_outcomes\": 0,"), "{}", json[1]);
    // The default is the calibrated method.
    let out = fulcrum(
        &[
            "forecast",
            "--history",
            W1_TEXT,
            "--backlog",
            "40",
            "--trials",
            "3000",
            "--out",
            "default",
        ],
        &dir,
    );
    assert!(
        text(&out.stdout).contains("method calibrated:"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_drop_in_pace_is_warned_about_with_the_window_that_starts_at_it() {
    // The calibrated method still resamples the last year (its calibration absorbs the
    // change), but says where the pace changed and how to forecast from the new pace only.
    let dir = scratch("forecast-shift");
    let mut history: Vec<String> = (0..40).map(|i| (10 + i % 5).to_string()).collect();
    history.extend((0..20).map(|i| (2 + i % 3).to_string()));
    let counts = history.join(",");
    for method in ["iid", "calibrated"] {
        let args = ["--history", &counts, "--backlog", "30", "--trials", "2000"];
        let (_, stderr) = forecast(&args, method, &dir);
        assert!(
            stderr.contains("the pace changed at period 41 of the history"),
            "{stderr}"
        );
        assert!(stderr.contains("use --window 20"), "{stderr}");
    }
    let json = std::fs::read_to_string(dir.join("calibrated/forecast.json")).unwrap();
    assert!(json.contains("\"window\": 52"), "{json}");
    assert!(json.contains("\"block\": 4"), "{json}");
    assert!(json.contains("\"period\": 41"), "{json}");
}
