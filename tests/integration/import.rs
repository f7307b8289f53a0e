//! `fulcrum import` on fixtures in every format, with the awkward rows exports have (missing
//! dates, reopened and cancelled items, multi-valued labels, time zones, a team that finished
//! nothing); the exact throughput counting on working days; the scenario it writes, which
//! must validate and run; and its errors.

mod beside;
mod hostile;
mod real;

use std::path::{Path, PathBuf};

use crate::common::{fulcrum, read, refuses_each, scratch, succeeds, text};

use fulcrum::model::history::{
    Bucket, BucketKind, History, ItemState, PeriodGrid, Weighing, Weight, WorkItem,
};
use fulcrum::model::{Calendar, Date, PeriodLength};

/// The import's outputs besides its plots.
const TABLES_AND_PAGES: [&str; 6] = [
    "items.csv",
    "throughput.csv",
    "balance.csv",
    "cycle_times.csv",
    "report.html",
    "scenario.toml",
];

fn data(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(file)
}

/// Runs `fulcrum import` in `dir` and returns stdout; panics with stderr on failure.
fn import(dir: &Path, args: &[&str]) -> String {
    succeeds("import", args, dir)
}

/// The row of `items.csv` whose id is `id`.
fn item_row(items: &str, id: &str) -> Vec<String> {
    items
        .lines()
        .find(|l| l.starts_with(&format!("{id},")))
        .unwrap_or_else(|| panic!("no {id} in {items}"))
        .split(',')
        .map(str::to_string)
        .collect()
}

fn json(path: PathBuf) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap()
}

#[test]
fn every_format_is_detected_and_counted() {
    let dir = scratch("import-formats");
    // (file, format, items, done, open, reopened, cancelled)
    let cases = [
        ("generic.csv", "generic CSV", 96, 89, 6, 0, 1),
        ("jira.csv", "Jira CSV", 57, 53, 2, 1, 1),
        ("linear.csv", "Linear CSV", 64, 61, 2, 0, 1),
        ("github.json", "GitHub issues JSON", 54, 50, 2, 1, 1),
    ];
    for (file, format, items, done, open, reopened, cancelled) in cases {
        let out = dir.join(file);
        let stdout = import(
            &dir,
            &[data(file).to_str().unwrap(), "--out", out.to_str().unwrap()],
        );
        assert!(stdout.contains(&format!("({format})")), "{stdout}");
        let info = json(out.join("import.json"));
        let got = [
            &info["items"],
            &info["done"],
            &info["open"],
            &info["reopened"],
            &info["cancelled"],
        ]
        .map(|v| v.as_u64().unwrap());
        assert_eq!(got, [items, done, open, reopened, cancelled], "{file}");
        let plots = [
            "plots/balance.png",
            "plots/throughput.svg",
            "plots/cycle_times.png",
        ];
        for f in TABLES_AND_PAGES.iter().chain(&plots) {
            assert!(out.join(f).exists(), "{file}: {f}");
        }
    }
}

#[test]
fn awkward_rows_are_handled_as_documented() {
    let dir = scratch("import-awkward");
    import(&dir, &[data("generic.csv").to_str().unwrap(), "--out", "g"]);
    import(&dir, &[data("jira.csv").to_str().unwrap(), "--out", "j"]);
    import(&dir, &[data("github.json").to_str().unwrap(), "--out", "h"]);
    let generic = read(dir.join("g/items.csv"));
    // Missing dates: no start, so the cycle time runs from creation; no dates, no cycle time.
    assert_eq!(item_row(&generic, "P-900")[8..10], ["8", "created"]);
    assert_eq!(item_row(&generic, "P-901")[8..10], ["", ""]);
    assert_eq!(item_row(&generic, "P-905")[4], "cancelled");
    // Multi-valued labels, in one cell or in repeated Jira columns.
    assert_eq!(item_row(&generic, "P-900")[11], "feature;checkout");
    let jira = read(dir.join("j/items.csv"));
    assert_eq!(item_row(&jira, "SHOP-902")[11], "feature;checkout;mobile");
    // Reopened: a resolved date under an open status counts as open.
    assert_eq!(item_row(&jira, "SHOP-900")[4], "reopened");
    assert_eq!(item_row(&jira, "SHOP-901")[4], "cancelled", "Won't Do");
    // An empty team field falls back to the project; ISO with an offset is read too.
    assert_eq!(
        item_row(&jira, "SHOP-904")[1..8],
        [
            "Shop",
            "product",
            "product",
            "done",
            "2027-02-02",
            "",
            "2027-02-09"
        ]
    );
    let github = read(dir.join("h/items.csv"));
    assert_eq!(item_row(&github, "#101")[4], "reopened");
    assert_eq!(item_row(&github, "#102")[4], "cancelled", "not planned");
    // A team that finished nothing keeps its backlog in the balance, and is left out of the
    // scenario, with its open item, for want of a history (no padding with zeros).
    let balance = read(dir.join("g/balance.csv"));
    assert!(
        balance.contains("oncall,tech,tech,0,,0,,1,,\n"),
        "{balance}"
    );
    let scenario = read(dir.join("g/scenario.toml"));
    assert!(
        scenario.contains(
            "# team oncall finished nothing from 2027-01-04 to 2027-03-28: no history: no"
        ),
        "{scenario}"
    );
    assert!(
        !scenario.contains("name = \"oncall\"") && !scenario.contains("oncall-tech-backlog"),
        "{scenario}"
    );
    let report = read(dir.join("g/report.html"));
    assert!(
        report.contains("Unmatched items"),
        "unmatched items are listed"
    );
}

#[test]
fn time_zones_move_late_timestamps_to_the_next_day() {
    let dir = scratch("import-zones");
    import(
        &dir,
        &[data("linear.csv").to_str().unwrap(), "--out", "utc"],
    );
    import(
        &dir,
        &[
            data("linear.csv").to_str().unwrap(),
            "--timezone",
            "Europe/Berlin",
            "--out",
            "berlin",
        ],
    );
    // Completed 2027-01-10T23:30Z: Sunday in UTC, Monday (the next week) in Berlin.
    assert_eq!(
        item_row(&read(dir.join("utc/items.csv")), "ENG-900")[7],
        "2027-01-10"
    );
    assert_eq!(
        item_row(&read(dir.join("berlin/items.csv")), "ENG-900")[7],
        "2027-01-11"
    );
    let week = |folder: &str, period: &str| -> u32 {
        read(dir.join(folder).join("throughput.csv"))
            .lines()
            .filter(|l| l.starts_with(&format!("Web,{period},")))
            .map(|l| l.split(',').nth(6).unwrap().parse::<u32>().unwrap())
            .sum()
    };
    assert_eq!(week("utc", "1") - 1, week("berlin", "1"));
    assert_eq!(week("utc", "2") + 1, week("berlin", "2"));
}

fn day(text: &str) -> Date {
    text.parse().unwrap()
}

fn done(team: &str, on: &str) -> WorkItem {
    WorkItem {
        id: on.into(),
        team: team.into(),
        title: String::new(),
        item_type: String::new(),
        labels: Vec::new(),
        status: String::new(),
        created: None,
        started: None,
        done: Some(day(on)),
        state: ItemState::Done,
        bucket: Some(0),
        estimate: None,
        source: String::new(),
    }
}

#[test]
fn throughput_counts_exactly_on_working_days() {
    // Mon 2027-03-01 … Sun 2027-03-14, with Friday 2027-03-05 a holiday.
    let finishes = [
        "2027-03-01",
        "2027-03-01",
        "2027-03-02",
        "2027-03-05", // Fri: holiday
        "2027-03-06",
        "2027-03-07", // the weekend
        "2027-03-08",
        "2027-03-10",
        "2027-03-10",
        "2027-03-12",
        "2027-03-14",
    ];
    let items: Vec<WorkItem> = finishes.iter().map(|d| done("a", d)).collect();
    let buckets = [Bucket {
        name: "product".into(),
        kind: BucketKind::Product,
    }];
    let d: PeriodLength = "1d".parse().unwrap();
    let count = |calendar: Calendar| {
        let (grid, _) = PeriodGrid::covering(day("2027-03-01"), day("2027-03-14"), d, calendar);
        History::build(
            &items,
            &buckets,
            &grid,
            Weighing::new(Weight::Items, &items),
        )
        .teams[0]
            .done[0]
            .clone()
    };
    // Every day a period: 14 of them.
    assert_eq!(
        count(Calendar::every_day()),
        vec![2, 1, 0, 0, 1, 1, 1, 1, 0, 2, 0, 1, 0, 1]
    );
    // Weekends off: the weekend's items count on Monday 03-08; the last Sunday's item waits
    // for a Monday outside the history.
    assert_eq!(
        count(Calendar::new(true, vec![])),
        vec![2, 1, 0, 0, 1, 3, 0, 2, 0, 1]
    );
    // And the Friday a holiday: its item moves to Monday too.
    assert_eq!(
        count(Calendar::new(true, vec![day("2027-03-05")])),
        vec![2, 1, 0, 0, 4, 0, 2, 0, 1]
    );
    // Weekly periods ignore the calendar.
    let week: PeriodLength = "1w".parse().unwrap();
    let (grid, _) = PeriodGrid::covering(
        day("2027-03-01"),
        day("2027-03-14"),
        week,
        Calendar::every_day(),
    );
    assert_eq!(
        History::build(
            &items,
            &buckets,
            &grid,
            Weighing::new(Weight::Items, &items)
        )
        .teams[0]
            .done[0],
        vec![6, 5]
    );
}

#[test]
fn the_cli_counts_working_days_with_holidays_and_all_days() {
    let dir = scratch("import-days");
    std::fs::write(
        dir.join("days.csv"),
        "id,created,done\n1,2027-03-01,2027-03-01\n2,2027-03-01,2027-03-05\n3,2027-03-01,2027-03-06\n4,2027-03-01,2027-03-08\n5,2027-03-01,2027-03-09\n",
    )
    .unwrap();
    let totals = |args: &[&str]| -> Vec<(String, u32)> {
        let mut all = vec![
            "days.csv",
            "--period",
            "1d",
            "--until",
            "2027-03-09",
            "--out",
            "o",
        ];
        all.extend_from_slice(args);
        import(&dir, &all);
        read(dir.join("o/throughput.csv"))
            .lines()
            .skip(1)
            .filter(|l| l.contains(",product,") || l.contains(",unmatched,"))
            .fold(Vec::new(), |mut acc: Vec<(String, u32)>, l| {
                let cells: Vec<&str> = l.split(',').collect();
                let n: u32 = cells[6].parse().unwrap();
                match acc.iter_mut().find(|(d, _)| d == cells[3]) {
                    Some(e) => e.1 += n,
                    None => acc.push((cells[3].to_string(), n)),
                }
                acc
            })
    };
    let days = |v: Vec<(String, u32)>| {
        v.into_iter()
            .map(|(d, n)| format!("{d}:{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        days(totals(&[])),
        "2027-03-01:1 2027-03-02:0 2027-03-03:0 2027-03-04:0 2027-03-05:1 2027-03-08:2 2027-03-09:1"
    );
    assert_eq!(
        days(totals(&["--holidays", "2027-03-05"])),
        "2027-03-01:1 2027-03-02:0 2027-03-03:0 2027-03-04:0 2027-03-08:3 2027-03-09:1"
    );
    assert_eq!(
        days(totals(&["--all-days"])),
        "2027-03-01:1 2027-03-02:0 2027-03-03:0 2027-03-04:0 2027-03-05:1 2027-03-06:1 2027-03-07:0 2027-03-08:1 2027-03-09:1"
    );
    let scenario = read(dir.join("o/scenario.toml"));
    assert!(scenario.contains("weekends_off = false"), "{scenario}");
}

#[test]
fn the_scenario_validates_and_runs() {
    let dir = scratch("import-scenario");
    for (file, extra) in [
        ("generic.csv", vec![]),
        ("jira.csv", vec!["--rules", "RULES"]),
        ("linear.csv", vec!["--period", "2w"]),
        ("github.json", vec!["--rule", "product=*"]),
    ] {
        let rules = data("rules.toml");
        let extra: Vec<&str> = extra
            .iter()
            .map(|a| {
                if *a == "RULES" {
                    rules.to_str().unwrap()
                } else {
                    a
                }
            })
            .collect();
        let name = format!("{file}.toml");
        let mut args = vec![
            data(file).to_str().unwrap().to_string(),
            "--scenario".into(),
            name.clone(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        import(&dir, &args);
        let validate = fulcrum(&["validate", &name], &dir);
        assert!(
            validate.status.success(),
            "{file}: {}",
            text(&validate.stderr)
        );
        let run = fulcrum(
            &[
                "run",
                &name,
                "--trials",
                "200",
                "--out",
                &format!("run-{file}"),
            ],
            &dir,
        );
        assert!(run.status.success(), "{file}: {}", text(&run.stderr));
        assert!(dir.join(format!("run-{file}/initiatives.csv")).exists());
        // The results folder holds the same scenario.
        let copy = std::fs::read_dir(dir.join("output"))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("scenario.toml"))
            .filter(|p| p.exists())
            .any(|p| read(p) == read(dir.join(&name)));
        assert!(copy, "{file}: scenario.toml in the results folder");
    }
    // With the rules file: its buckets and team column.
    let scenario = read(dir.join("jira.csv.toml"));
    assert!(
        scenario.contains("id = \"checkout-roadmap-backlog\""),
        "{scenario}"
    );
    assert!(
        scenario.contains("id = \"checkout-platform-backlog\""),
        "{scenario}"
    );
    assert!(
        scenario.contains("name = \"as-is\"\nrule = \"fixed_share\""),
        "{scenario}"
    );
    // A catch-all leaves nothing unmatched.
    let github = fulcrum(
        &[
            "import",
            data("github.json").to_str().unwrap(),
            "--rule",
            "product=*",
            "--out",
            "all",
        ],
        &dir,
    );
    assert!(github.status.success());
    assert_eq!(json(dir.join("all/import.json"))["unmatched"], 0);
    // --scenario never overwrites.
    let again = fulcrum(
        &[
            "import",
            data("generic.csv").to_str().unwrap(),
            "--scenario",
            "generic.csv.toml",
        ],
        &dir,
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("never overwrites"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn outputs_are_byte_identical_run_to_run() {
    let dir = scratch("import-determinism");
    for out in ["a", "b"] {
        import(
            &dir,
            &[
                data("jira.csv").to_str().unwrap(),
                data("linear.csv").to_str().unwrap(),
                "--out",
                out,
            ],
        );
    }
    for f in TABLES_AND_PAGES.iter().chain(&["plots/balance.svg"]) {
        assert_eq!(
            std::fs::read(dir.join("a").join(f)).unwrap(),
            std::fs::read(dir.join("b").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn bad_input_names_the_file_line_column_and_what_is_missing() {
    let dir = scratch("import-bad");
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("cols.csv", "id,created,finished\n1,2027-01-01,2027-01-02\n");
    write(
        "jira.csv",
        "Issue key,Summary,Created\nA-1,x,30/Jul/18 23:33\n",
    );
    write(
        "date.csv",
        "id,created,done\n1,2027-01-01,2027-01-02\n2,2027-01-01,31/Foo/18\n",
    );
    write("gh.json", "[\n  {\"number\": 1, \"title\": \"x\"}\n]\n");
    write(
        "rules.toml",
        "[[buckets]]\nname = \"x\"\nkind = \"tech\"\nlables = [\"a\"]\n",
    );
    write("empty.csv", "id,created,done\n");
    write("exists.toml", "keep me");
    let ok = data("generic.csv");
    let ok = ok.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["cols.csv"],
            "cols.csv:1: the header row is not one of a known export: the closest, the generic CSV format, misses the column(s) `done`",
        ),
        (
            &["jira.csv"],
            "looks like a Jira CSV export but misses the column(s) `Issue Type`, `Status`, `Resolved`",
        ),
        (
            &["date.csv"],
            "date.csv:3:3: column `done`: `31/Foo/18` is not a date",
        ),
        (&["gh.json"], "gh.json:2:"),
        (&["missing.csv"], "missing.csv: cannot read"),
        (&[ok, "--rules", "rules.toml"], "rules.toml:4:1"),
        (
            &[ok, "--rule", "platform=label:x"],
            "no bucket is called `platform`",
        ),
        (&[ok, "--timezone", "Mars/Base"], "--timezone"),
        (&[ok, "--period", "1y"], "--period"),
        (&[ok, "--since", "2027-13-01"], "--since"),
        (
            &[ok, "--since", "2027-03-20", "--until", "2027-03-21"],
            "no complete 1w period",
        ),
        (&["empty.csv"], "hold no items"),
        (&[ok, "--scenario", "exists.toml"], "exists.toml exists"),
    ];
    refuses_each("import", cases, &["--out", "out"], &dir);
    assert!(!dir.join("out").exists(), "bad input writes nothing");
    assert_eq!(read(dir.join("exists.toml")), "keep me");
}

mod properties {
    use fulcrum::model::Date;
    use fulcrum::scenario::import::{ReadOptions, read_text, rules::Columns};
    use proptest::prelude::*;

    fn options() -> ReadOptions {
        ReadOptions {
            zone: fulcrum::scenario::import::parse_time_zone("Europe/Berlin").unwrap(),
            team: None,
            columns: Columns::default(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Whatever the cells hold, reading never panics: items or an error.
        #[test]
        fn any_cells_read_or_fail_cleanly(cells in proptest::collection::vec(".{0,24}", 0..12), header in 0usize..4) {
            let headers = [
                "id,created,done,labels",
                "Issue key,Issue Type,Status,Created,Resolved",
                "ID,Team,Created,Completed,Labels",
                "[",
            ][header];
            let mut text = String::from(headers);
            for row in cells.chunks(4) {
                text.push('\n');
                text.push_str(&row.join(","));
            }
            let _ = read_text("p.csv", &text, "team", &options());
        }

        /// ISO dates, alone or with a local time, come back as the same calendar day; those
        /// outside the years 1970 to 2099 are refused at their cell.
        #[test]
        fn iso_dates_round_trip(days in -20_000i64..60_000, time in proptest::option::of((0u32..24, 0u32..60))) {
            let date = Date::from_days(days);
            let cell = match time {
                None => date.to_string(),
                Some((h, m)) => format!("{date} {h:02}:{m:02}"),
            };
            let text = format!("id,created,done\n1,2027-01-04,{cell}\n");
            let read = read_text("p.csv", &text, "team", &options());
            if (1970..=2099).contains(&date.year) {
                prop_assert_eq!(read.unwrap().items[0].done, Some(date));
            } else {
                let e = read.unwrap_err();
                prop_assert_eq!((e.line, e.column), (Some(2), Some(3)));
                prop_assert!(e.message.contains("outside the years 1970 to 2099"), "{}", e.message);
            }
        }
    }
}
