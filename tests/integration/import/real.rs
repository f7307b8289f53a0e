//! What issue 28 asks of an import of real exports, each on a small export of its shape:
//! every team over its own window (`staggered.csv`: a team that stopped, one that started
//! late, one with a straggler a year early); rules that add to the built-in ones; an honest
//! headline for Linear and GitHub work without labels; the balance weighed by points, items
//! or cycle time; and titles that would be formulas in a spreadsheet written guarded.

use std::path::Path;

use crate::common::{fulcrum, scratch, text};

use super::{data, import, json, read};

/// Rows of a CSV as cells (no quoted commas in the files read here).
fn rows(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// The `samples` of team `team` in a scenario.
fn samples(scenario: &str, team: &str) -> Vec<u32> {
    let at = scenario
        .find(&format!("name = \"{team}\"\n"))
        .unwrap_or_else(|| panic!("no team {team} in {scenario}"));
    let line = scenario[at..]
        .lines()
        .find(|l| l.starts_with("capacity = { samples = ["))
        .expect("a capacity line");
    line["capacity = { samples = [".len()..line.len() - 3]
        .split(", ")
        .map(|n| n.parse().unwrap())
        .collect()
}

fn staggered(dir: &Path, out: &str, extra: &[&str]) -> String {
    let file = data("staggered.csv");
    let mut args = vec![file.to_str().unwrap(), "--out", out];
    args.extend_from_slice(extra);
    import(dir, &args)
}

#[test]
fn each_team_is_read_over_its_own_window() {
    let dir = scratch("windows");
    let stdout = staggered(&dir, "o", &[]);
    let info = json(dir.join("o/import.json"));
    let team = |name: &str| {
        info["teams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["team"] == name)
            .unwrap()
            .clone()
    };
    // atlas worked weeks 0–25 and stopped; borealis began in week 30 and is at work; cygnus
    // began in week 55 (a straggler in week 1 cut) and is quiet for its last 5 weeks, under
    // the 8 that end a team.
    let (atlas, borealis, cygnus) = (team("atlas"), team("borealis"), team("cygnus"));
    assert_eq!(atlas["first_day"], "2027-01-04");
    assert_eq!(atlas["last_day"], "2027-07-04");
    assert_eq!(
        (&atlas["cut_before"], &atlas["cut_after"]),
        (&0.into(), &55.into())
    );
    assert_eq!(borealis["first_day"], "2027-08-02");
    assert_eq!(
        (&borealis["periods"], &borealis["cut_before"]),
        (&51.into(), &30.into())
    );
    assert_eq!(cygnus["first_day"], "2028-01-24");
    assert_eq!(cygnus["last_day"], "2028-07-23");
    assert_eq!(
        (&cygnus["cut_before"], &cygnus["stragglers"]),
        (&55.into(), &1.into())
    );
    assert!(
        atlas["words"]
            .as_str()
            .unwrap()
            .contains("cut after it: 55 period(s) to 2028-07-23"),
        "{atlas}"
    );
    // The summary says so.
    assert!(
        stdout.contains("2 of 3 teams started later than the history, 1 stopped before its end"),
        "{stdout}"
    );
    // throughput.csv holds each team's window and nothing else: no period starts it empty.
    let throughput = read(dir.join("o/throughput.csv"));
    for (name, first, periods) in [("atlas", 1, 26), ("borealis", 31, 51), ("cygnus", 56, 26)] {
        let mine: Vec<Vec<String>> = rows(&throughput)
            .into_iter()
            .filter(|r| r[0] == name)
            .collect();
        let numbers: Vec<usize> = mine.iter().map(|r| r[1].parse().unwrap()).collect();
        assert_eq!(numbers.first(), Some(&first), "{name}");
        assert_eq!(
            mine.len(),
            periods * 4,
            "{name}: 3 buckets and the unmatched"
        );
        let first_items: u32 = mine[..4].iter().map(|r| r[6].parse::<u32>().unwrap()).sum();
        assert!(first_items > 0, "{name} starts with an empty period");
    }
    // The scenario draws on the windows: 2 product or tech items a week, and cygnus's quiet
    // last weeks kept.
    let scenario = read(dir.join("o/scenario.toml"));
    assert_eq!(samples(&scenario, "atlas"), vec![2; 26]);
    assert_eq!(samples(&scenario, "borealis"), vec![2; 51]);
    let mut cygnus_samples = vec![2; 21];
    cygnus_samples.extend([0; 5]);
    assert_eq!(samples(&scenario, "cygnus"), cygnus_samples);
    assert!(
        scenario.contains("cut before it: 55 idle period(s) from 2027-01-04, and 1 straggler"),
        "{scenario}"
    );
    assert!(
        fulcrum(&["validate", "o/scenario.toml"], &dir)
            .status
            .success()
    );
}

#[test]
fn window_and_since_still_narrow_each_team() {
    let dir = scratch("narrow");
    staggered(&dir, "w", &["--window", "20"]);
    let scenario = read(dir.join("w/scenario.toml"));
    // atlas finished nothing in the last 20 weeks: no history, left out with its backlog.
    assert!(
        scenario.contains("# team atlas finished nothing from 2028-03-06 to 2028-07-23"),
        "{scenario}"
    );
    assert_eq!(samples(&scenario, "borealis"), vec![2; 20]);
    assert_eq!(samples(&scenario, "cygnus").len(), 20);
    staggered(&dir, "s", &["--since", "2027-09-06"]);
    let info = json(dir.join("s/import.json"));
    let borealis = &info["teams"].as_array().unwrap()[1];
    assert_eq!(borealis["first_day"], "2027-09-06");
    assert_eq!(borealis["cut_before"], 0);
}

#[test]
fn rules_add_to_the_built_in_ones() {
    let dir = scratch("rules");
    // A flag moves tech-debt work to product; the built-in rules still sort the bugs.
    staggered(&dir, "r", &["--rule", "product=label:tech-debt"]);
    let balance = read(dir.join("r/balance.csv"));
    assert!(balance.contains("atlas,ktlo,ktlo,26,"), "{balance}");
    assert!(balance.contains("atlas,product,product,52,"), "{balance}");
    assert!(balance.contains("atlas,tech,tech,0,"), "{balance}");
    let info = json(dir.join("r/import.json"));
    assert_eq!(info["rules"], "--rule flags, then the built-in rules");
    assert_eq!(info["unmatched"], 0);
    // --print-rules: the flag first, then the built-in rules, numbered in order; no export
    // needed.
    let out = fulcrum(
        &[
            "import",
            "--print-rules",
            "--rule",
            "product=label:tech-debt",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    let lines: Vec<&str> = listing.lines().collect();
    assert!(
        lines[0].contains("--rule flags, then the built-in rules"),
        "{listing}"
    );
    assert!(
        lines[1]
            .trim_start()
            .starts_with("1  product (product)  label tech-debt"),
        "{listing}"
    );
    assert!(
        lines[2].trim_start().starts_with("2  ktlo (ktlo)"),
        "{listing}"
    );
    assert!(listing.contains("no type and no label"), "{listing}");
    // --no-default-rules: the flags alone.
    staggered(
        &dir,
        "n",
        &["--no-default-rules", "--rule", "product=type:Story"],
    );
    let info = json(dir.join("n/import.json"));
    assert_eq!(info["rules"], "--rule flags");
    assert_eq!(
        info["unmatched"],
        224 - 151,
        "everything but the 151 stories"
    );
    let none = fulcrum(
        &[
            "import",
            data("staggered.csv").to_str().unwrap(),
            "--no-default-rules",
        ],
        &dir,
    );
    assert_eq!(none.status.code(), Some(2));
    assert!(text(&none.stderr).contains("--no-default-rules leaves no rules"));
}

/// The headline tech share, from `import.json`.
fn tech_share(dir: &Path, out: &str) -> f64 {
    json(dir.join(out).join("import.json"))["tech_share"]
        .as_f64()
        .unwrap()
}

#[test]
fn linear_and_github_work_without_labels_counts_as_product() {
    let dir = scratch("unlabelled");
    // Linear: 28 product items (14 unlabelled, customer, Frontend, Feature, Improvement), 10
    // tech (tech-debt, Refactor, Performance), 6 bugs; every estimate 2: 10 / 38 is tech.
    let linear = import(
        &dir,
        &[
            data("linear-unlabelled.csv").to_str().unwrap(),
            // The export's last week is complete: every finished item counts.
            "--until",
            "2027-03-28",
            "--out",
            "l",
        ],
    );
    let truth = 10.0 / 38.0;
    assert!((tech_share(&dir, "l") - truth).abs() < 1e-9, "{linear}");
    assert!(
        linear.contains("Tech share of planned work: 26% by points"),
        "{linear}"
    );
    assert!(!linear.contains("100%?"), "{linear}");
    assert!(
        linear.contains(
            "14 finished item(s) have neither a type nor a label and count as product work"
        ),
        "{linear}"
    );
    // GitHub: 22 product (12 unlabelled, enhancement, customer, frontend), 6 tech
    // (dependencies, refactor), 7 bugs (bug, type: bug, kind/bug), 2 documentation.
    let github = import(
        &dir,
        &[
            data("github-unlabelled.json").to_str().unwrap(),
            "--until",
            "2027-03-14",
            "--out",
            "g",
        ],
    );
    let truth = 6.0 / 28.0;
    assert!((tech_share(&dir, "g") - truth).abs() < 1e-9, "{github}");
    let balance = read(dir.join("g/balance.csv"));
    assert!(
        balance.contains("github-unlabelled,ktlo,ktlo,7,"),
        "{balance}"
    );
    // The documentation items are listed with a rule to paste.
    assert!(
        github.contains("label documentation")
            && github.contains("--rule product=label:documentation"),
        "{github}"
    );
    let info = json(dir.join("g/import.json"));
    assert_eq!(
        info["unmatched_rules"][0]["rule"],
        "--rule product=label:documentation"
    );
    assert_eq!(info["tech_share_uncertain"], false);
}

#[test]
fn a_tech_share_from_too_few_matched_items_is_shown_as_uncertain() {
    let dir = scratch("uncertain");
    // Only the refactor rule: 3 of the 34 finished items in the window match, all tech.
    let stdout = import(
        &dir,
        &[
            data("github-unlabelled.json").to_str().unwrap(),
            "--no-default-rules",
            "--rule",
            "tech=label:refactor",
            "--out",
            "u",
        ],
    );
    let headline = stdout
        .lines()
        .find(|l| l.starts_with("Tech share of planned work"))
        .unwrap();
    assert!(
        headline.contains("100% by items — uncertain: 91% of the finished items matched no rule"),
        "{headline}"
    );
    assert!(stdout.contains("100%?"), "{stdout}");
    let info = json(dir.join("u/import.json"));
    assert_eq!(info["tech_share_uncertain"], true);
    let scenario = read(dir.join("u/scenario.toml"));
    assert!(
        scenario.contains("# uncertain: 31 of the 34 finished items matched no rule"),
        "{scenario}"
    );
    let page = read(dir.join("u/report.html"));
    assert!(
        page.contains("<td class=\"uncertain\">100%?</td>"),
        "{page}"
    );
}

#[test]
fn the_balance_is_weighed_by_points_items_or_cycle_time() {
    let dir = scratch("weights");
    // Product items are 3 points, tech 2, bugs 1: atlas's tech share is 40% by points, 50%
    // by count.
    let stdout = staggered(&dir, "p", &[]);
    assert!(
        stdout.contains("Weighed by points: the default, since the exports carry estimates"),
        "{stdout}"
    );
    let balance = read(dir.join("p/balance.csv"));
    assert!(
        balance.contains("atlas,tech,tech,26,0.333333,52,0.333333,0,0.4,0.5\n"),
        "{balance}"
    );
    let info = json(dir.join("p/import.json"));
    assert_eq!(
        (&info["weight"], &info["weight_default"]),
        (&"points".into(), &true.into())
    );
    staggered(&dir, "i", &["--weight", "items"]);
    let info = json(dir.join("i/import.json"));
    assert_eq!(info["weight"], "items");
    assert!(
        (info["tech_share"].as_f64().unwrap() - info["tech_share_by_count"].as_f64().unwrap())
            .abs()
            < 1e-12
    );
    // Every item took 4 days: by cycle time, as by count.
    let stdout = staggered(&dir, "c", &["--weight", "cycle-time"]);
    assert!(
        stdout.contains("Weighed by days of cycle time: as --weight cycle-time asks"),
        "{stdout}"
    );
    let balance = read(dir.join("c/balance.csv"));
    assert!(
        balance.contains("atlas,tech,tech,26,0.333333,104,0.333333,0,0.5,0.5\n"),
        "{balance}"
    );
    // The items table says what each finished item weighs.
    let items = read(dir.join("p/items.csv"));
    assert!(items.contains(",tech work 2,2,2,"), "{items}");
}

#[test]
fn titles_that_would_be_formulas_are_written_guarded() {
    let dir = scratch("formulas");
    import(
        &dir,
        &[data("formulas.csv").to_str().unwrap(), "--out", "f"],
    );
    let items = read(dir.join("f/items.csv"));
    for guarded in [
        "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\"",
        "'+cmd|' /C calc'!A0",
        "'@SUM(A1:A9)",
        "'-2+3+cmd",
        "'=Team",
        "'@evil",
        "'=SAFE-7",
    ] {
        assert!(items.contains(guarded), "{guarded} in {items}");
    }
    // No cell of any CSV the import wrote starts a formula.
    for file in [
        "items.csv",
        "throughput.csv",
        "balance.csv",
        "cycle_times.csv",
    ] {
        let csv = read(dir.join("f").join(file));
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                assert!(
                    !(cell.starts_with(['=', '+', '@', '\t', '\r'])
                        || cell.starts_with('-') && cell.parse::<f64>().is_err()),
                    "{file}: {cell:?}"
                );
            }
        }
    }
}

#[test]
fn the_page_fits_a_phone() {
    let dir = scratch("phone");
    staggered(&dir, "o", &[]);
    let page = read(dir.join("o/report.html"));
    // Every table scrolls inside its own frame, every chart inside its own, and the page
    // shrinks its tables' text on a narrow screen: nothing makes the page wider than it.
    assert_eq!(
        page.matches("<table>").count(),
        page.matches("<div class=\"scroll\"><table>").count()
    );
    assert_eq!(
        page.matches("<svg").count(),
        page.matches("<div class=\"chart\"><svg").count()
    );
    assert!(page.contains("@media (max-width: 520px)"));
}

#[test]
fn a_suggested_rule_says_what_it_would_take_from_the_other_rules() {
    let dir = scratch("takes-over");
    // Two unmatched tasks labelled `pr`, and a bug labelled `pr` that the built-in rules
    // sort: a `--rule product=label:pr` goes first and would take the bug too.
    std::fs::write(
        dir.join("e.csv"),
        "id,team,type,labels,created,done\n\
         1,web,Task,pr,2027-01-04,2027-01-05\n\
         2,web,Task,pr,2027-01-04,2027-01-06\n\
         3,web,Bug,pr,2027-01-04,2027-01-07\n\
         4,web,Story,,2027-01-04,2027-01-08\n",
    )
    .unwrap();
    let stdout = import(&dir, &["e.csv", "--until", "2027-01-10", "--out", "o"]);
    assert!(
        stdout.contains("--rule product=label:pr (also takes 1 item(s) other rules sort now)"),
        "{stdout}"
    );
    let info = json(dir.join("o/import.json"));
    let suggested = info["unmatched_rules"].as_array().unwrap();
    let label = suggested.iter().find(|r| r["what"] == "label pr").unwrap();
    let task = suggested.iter().find(|r| r["what"] == "type Task").unwrap();
    assert_eq!(
        (&label["items"], &label["takes_over"]),
        (&2.into(), &1.into())
    );
    assert_eq!(
        (&task["items"], &task["takes_over"]),
        (&2.into(), &0.into())
    );
}
