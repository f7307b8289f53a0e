//! What an import reads beside the work items (issue 28): incident exports (PagerDuty,
//! Opsgenie, a generic CSV) counted per team and period of each team's window, and a plan
//! (a `plan.csv`, or a scenario's strategy) set against the tech share the export shows.

use std::path::Path;

use crate::common::{fulcrum, scratch, text};

use super::{data, import, json, read};

/// Imports `staggered.csv` with `extra` into `dir/out`, and returns the summary.
fn staggered(dir: &Path, out: &str, extra: &[&str]) -> String {
    let file = data("staggered.csv");
    let mut args = vec![file.to_str().unwrap(), "--out", out];
    args.extend_from_slice(extra);
    import(dir, &args)
}

/// The rows of `incidents.csv` that saw an incident opened.
fn opened(csv: &str) -> Vec<String> {
    csv.lines()
        .skip(1)
        .filter(|l| l.split(',').nth(4) != Some("0"))
        .map(str::to_string)
        .collect()
}

#[test]
fn pagerduty_and_opsgenie_incidents_are_counted_per_team_and_period() {
    let dir = scratch("incidents");
    let (pagerduty, opsgenie) = (data("pagerduty.csv"), data("opsgenie.csv"));
    let stdout = staggered(
        &dir,
        "o",
        &[
            "--incidents",
            pagerduty.to_str().unwrap(),
            "--incidents",
            opsgenie.to_str().unwrap(),
        ],
    );
    let csv = read(dir.join("o/incidents.csv"));
    let rows = opened(&csv);
    // PagerDuty: atlas one a week for its first 8 weeks, resolved after 2 to 9 hours (the
    // 6th still triggered); Platform Ops, a team without work items, 4 more.
    assert!(
        rows.contains(&"atlas,1,2027-01-04,2027-01-10,1,1,2,2,2".to_string()),
        "{csv}"
    );
    assert!(
        rows.contains(&"atlas,6,2027-02-08,2027-02-14,1,0,,,".to_string()),
        "{csv}"
    );
    assert!(
        rows.contains(&"atlas,8,2027-02-22,2027-02-28,1,1,9,9,9".to_string()),
        "{csv}"
    );
    assert_eq!(rows.iter().filter(|r| r.starts_with("atlas,")).count(), 8);
    assert_eq!(
        rows.iter()
            .filter(|r| r.starts_with("Platform Ops,"))
            .count(),
        4
    );
    // Opsgenie (epoch milliseconds, teams "borealis, atlas": the first is the owner): one a
    // week from borealis's first week, resolved after 1 to 6 hours.
    assert!(
        rows.contains(&"borealis,31,2027-08-02,2027-08-08,1,1,1,1,1".to_string()),
        "{csv}"
    );
    assert!(
        rows.contains(&"borealis,36,2027-09-06,2027-09-12,1,1,6,6,6".to_string()),
        "{csv}"
    );
    // borealis's incidents start with its window, not with the history.
    assert!(!csv.contains("\nborealis,1,"), "{csv}");
    let info = json(dir.join("o/import.json"));
    assert_eq!(info["incidents"]["incidents"], 18);
    assert_eq!(info["incidents"]["teams_without_work"][0], "Platform Ops");
    assert!(
        stdout.contains("incidents: 18 opened in the teams' windows"),
        "{stdout}"
    );
    assert!(
        stdout.contains("atlas: 8 (0.31 a period), median 5 h to resolve"),
        "{stdout}"
    );
    assert!(stdout.contains("1 incident team(s) are not teams of the work exports (Platform Ops)"));
    assert!(read(dir.join("o/report.html")).contains("<h2>Incidents</h2>"));
}

#[test]
fn a_generic_incident_csv_is_read_and_a_bad_one_refused() {
    let dir = scratch("incidents-generic");
    std::fs::write(
        dir.join("incidents.csv"),
        "id,team,created,resolved,severity\n\
         I-1,atlas,2027-01-06T10:00:00Z,2027-01-06T12:30:00Z,SEV2\n\
         I-2,atlas,2027-01-13,2027-01-14,SEV1\n\
         I-3,cygnus,2028-02-01T00:00:00Z,,SEV3\n",
    )
    .unwrap();
    let stdout = staggered(&dir, "g", &["--incidents", "incidents.csv"]);
    let csv = read(dir.join("g/incidents.csv"));
    assert_eq!(
        opened(&csv),
        [
            "atlas,1,2027-01-04,2027-01-10,1,1,2.5,2.5,2.5",
            "atlas,2,2027-01-11,2027-01-17,1,1,24,24,24",
            "cygnus,57,2028-01-31,2028-02-06,1,0,,,",
        ]
    );
    assert!(
        stdout.contains("cygnus: 1 (0.04 a period), none resolved"),
        "{stdout}"
    );
    // A file that is no incident export: exit 2, with the columns each format needs.
    std::fs::write(dir.join("bad.csv"), "id,team\n1,a\n").unwrap();
    let items = data("staggered.csv");
    let out = fulcrum(
        &[
            "import",
            items.to_str().unwrap(),
            "--incidents",
            "bad.csv",
            "--out",
            "b",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.csv:1: the header row is not one of a known incident export"),
        "{stderr}"
    );
    assert!(
        stderr.contains("PagerDuty's CSV has `incident_number`"),
        "{stderr}"
    );
    assert!(!dir.join("b").exists(), "nothing written");
}

#[test]
fn a_plan_is_set_against_what_the_export_shows() {
    let dir = scratch("plan");
    let plan = data("plan.csv");
    let stdout = staggered(&dir, "p", &["--plan", plan.to_str().unwrap()]);
    // atlas: 4 tech points of 10 planned ones a fortnight (40%) against 30% planned.
    let csv = read(dir.join("p/plan_vs_actual.csv"));
    assert!(
        csv.starts_with(
            "team,period,start,end,planned,actual,drift,product,tech,items\n\
             atlas,1,2027-01-04,2027-01-17,0.3,0.4,0.1,6,4,4\n"
        ),
        "{csv}"
    );
    // borealis did product work only, from its first fortnight: the one that drifted most.
    assert!(
        csv.contains("\nborealis,16,2027-08-02,2027-08-15,0.3,0,-0.3,12,0,4\n"),
        "{csv}"
    );
    let sentence = "plan against actual: over 51 team-periods, 17% of the planned work done \
                    (points) went to tech against 30% planned: 13 percentage points under the \
                    plan; borealis drifted most, 0% against 30% (30 percentage points under the \
                    plan)";
    assert!(stdout.contains(sentence), "{stdout}");
    let info = json(dir.join("p/import.json"));
    assert_eq!(info["plan"]["strategy"], "planned");
    assert_eq!(info["plan"]["compared"], 51);
    assert!(dir.join("p/plots/plan_vs_actual.svg").exists());
    let page = read(dir.join("p/report.html"));
    assert!(page.contains("plan_vs_actual.svg") || page.contains("Plan against actual"));
    // The same plan read from the scenario's fixed share: the same comparison.
    let scenario = data("plan-scenario.toml");
    let scenario = scenario.to_str().unwrap();
    staggered(
        &dir,
        "s",
        &["--plan", scenario, "--strategy", "thirty-percent"],
    );
    let from_scenario = read(dir.join("s/plan_vs_actual.csv"));
    assert_eq!(from_scenario, csv);
    // Two strategies and no --strategy: exit 2, naming them.
    let items = data("staggered.csv");
    let out = fulcrum(
        &["import", items.to_str().unwrap(), "--plan", scenario],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the plan has several strategies"),
        "{stderr}"
    );
    assert!(stderr.contains("`thirty-percent`, `planned`"), "{stderr}");
}
