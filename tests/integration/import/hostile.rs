//! `fulcrum import` on the hostile and careless exports of issue 26 (`tests/data/import/hostile/`,
//! also the seeds of the exports' fuzz target): every one is refused at its line and column,
//! or read with a warning that names the lines, never with rows silently lost; names cannot
//! inject into the scenario or the terminal; the limits hold; and the `--scenario` file is
//! checked before the work and written whole.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::{fulcrum, refuses_each, scratch, text};

use super::{import, json, read};

fn hostile(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import/hostile")
        .join(file)
        .display()
        .to_string()
}

/// Copies the fixture `file` into `dir`, so that messages name it as given.
fn copy_in(dir: &Path, file: &str) {
    std::fs::copy(hostile(file), dir.join(file)).unwrap();
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn every_broken_export_is_refused_at_its_line_and_column() {
    let dir = scratch("hostile-refused");
    let cases: &[(&str, &str)] = &[
        (
            "unclosed-quote.csv",
            "unclosed-quote.csv:6:8: a quoted cell starts here and is never closed: lines 6 to 42 would be read as one cell",
        ),
        (
            "crlf-bad-date.csv",
            "crlf-bad-date.csv:4:7: column `done`: `2027-02-31` is not a date",
        ),
        (
            "windows-1252.csv",
            "windows-1252.csv:5:54: the byte 0xE9 at offset 275 is not UTF-8 text",
        ),
        (
            "done-9999-12-31.csv",
            "done-9999-12-31.csv:8:7: column `done`: 9999-12-31 is outside the years 1970 to 2099",
        ),
        (
            "date-trailing-garbage.csv",
            "date-trailing-garbage.csv:3:7: column `done`: `2027-01-08Tgarbage` is not a date",
        ),
        (
            "date-offset-99.csv",
            "date-offset-99.csv:4:7: column `done`: `2027-02-04T10:00:00+99:00` is not a date",
        ),
        (
            "repeated-header-row.csv",
            "repeated-header-row.csv:7:1: this row repeats the header row",
        ),
        (
            "repeated-column.csv",
            "repeated-column.csv:1:9: columns 7 and 9 are both called `done`",
        ),
        (
            "unquoted-comma.csv",
            "unquoted-comma.csv:7:9: this row has 9 cells, but the header row names 8 columns",
        ),
    ];
    let cases: Vec<(String, &str)> = cases.iter().map(|(f, m)| (hostile(f), *m)).collect();
    let cases: Vec<([&str; 1], &str)> = cases.iter().map(|(f, m)| ([f.as_str()], *m)).collect();
    let cases: Vec<(&[&str], &str)> = cases.iter().map(|(a, m)| (&a[..], *m)).collect();
    refuses_each("import", &cases, &["--out", "out"], &dir);
    assert!(!dir.join("out").exists(), "bad input writes nothing");
    // The advice that goes with them.
    let out = fulcrum(&["import", &hostile("windows-1252.csv")], &dir);
    assert!(text(&out.stderr).contains("CSV UTF-8 (Comma delimited)"));
    let out = fulcrum(&["import", &hostile("unclosed-quote.csv")], &dir);
    assert!(text(&out.stderr).contains("must be doubled"));
}

#[test]
fn unbalanced_quotes_and_repeated_ids_are_warned_with_their_lines() {
    let dir = scratch("hostile-warned");
    copy_in(&dir, "two-unbalanced-quotes.csv");
    copy_in(&dir, "repeated-id.csv");
    let out = fulcrum(&["import", "two-unbalanced-quotes.csv", "--out", "q"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "warning: 1 row(s) hold line breaks inside quoted cells (two-unbalanced-quotes.csv:6–11)"
        ),
        "{stderr}"
    );
    let info = json(dir.join("q/import.json"));
    assert_eq!(info["multi_line_rows"][0], "two-unbalanced-quotes.csv:6–11");
    // 20 rows, of which those on lines 7 to 11 are inside the title of the row on line 6 (the
    // quote opening the title on line 11 closes the one on line 6).
    assert_eq!(info["items"], 15);

    let out = fulcrum(&["import", "repeated-id.csv", "--out", "r"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "warning: 1 id(s) appear twice in one file (P-3 on repeated-id.csv:4 and repeated-id.csv:22): the later row of each is used"
        ),
        "{stderr}"
    );
    let info = json(dir.join("r/import.json"));
    assert_eq!(
        (info["items"].as_u64(), info["duplicates"].as_u64()),
        (Some(29), Some(1))
    );
}

#[test]
fn crlf_and_utf16_files_read_like_their_utf8_lf_twins() {
    let dir = scratch("hostile-line-ends");
    // The same rows with LF, CRLF and CR line ends, a blank line among them, and as Excel's
    // UTF-16 "Unicode Text" (tab-separated).
    let lf = std::fs::read_to_string(hostile("done-before-created.csv")).unwrap();
    let with_blank = lf.replacen("\nP-5,", "\n\nP-5,", 1);
    std::fs::write(dir.join("lf.csv"), &with_blank).unwrap();
    std::fs::write(dir.join("crlf.csv"), with_blank.replace('\n', "\r\n")).unwrap();
    std::fs::write(dir.join("cr.csv"), with_blank.replace('\n', "\r")).unwrap();
    let mut utf16 = vec![0xff, 0xfe];
    for unit in with_blank
        .replace(',', "\t")
        .replace('\n', "\r\n")
        .encode_utf16()
    {
        utf16.extend(unit.to_le_bytes());
    }
    std::fs::write(dir.join("utf16.txt"), utf16).unwrap();
    let mut tables = Vec::new();
    for file in ["lf.csv", "crlf.csv", "cr.csv", "utf16.txt"] {
        let out = format!("out-{file}");
        import(&dir, &[file, "--team", "t", "--out", &out]);
        let items = read(dir.join(out).join("items.csv"));
        tables.push(items.replace(file, "FILE"));
    }
    // P-5 is on line 7, after the blank line, in every one.
    assert!(tables[0].contains(",FILE:7\n"), "{}", tables[0]);
    assert!(tables.iter().all(|t| t == &tables[0]), "{tables:#?}");
}

#[test]
fn names_cannot_inject_into_the_scenario_or_the_terminal() {
    let dir = scratch("hostile-names");
    let out = fulcrum(
        &[
            "import",
            &hostile("team-injection.csv"),
            "--period",
            "1d",
            "--scenario",
            "s.toml",
            "--out",
            "o",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    for (what, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(!bytes.contains(&0x1b), "{what} holds an escape sequence");
    }
    assert!(text(&out.stdout).contains("\\u{1b}[31mred\\u{1b}[0m"));
    for file in files_under(&dir)
        .into_iter()
        .filter(|f| f.extension() != Some("png".as_ref()))
    {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.contains(&0x1b),
            "{} holds an escape sequence",
            file.display()
        );
    }
    let scenario = read(dir.join("s.toml"));
    // The names are in strings and comments, escaped: one strategy, its share the observed one
    // (13 tech of 40 items: the Tech Debt rows, every third).
    assert_eq!(
        scenario
            .lines()
            .filter(|l| l.starts_with("[[strategies]]"))
            .count(),
        1,
        "{scenario}"
    );
    assert!(scenario.contains("tech_share = 0.33\n"), "{scenario}");
    assert!(!scenario.lines().any(|l| l.starts_with("tech_share = 0.99")));
    for line in scenario.lines().filter(|l| l.contains("evil")) {
        assert!(
            line.starts_with('#') || line.starts_with("name = ") || line.starts_with("team = "),
            "{line}"
        );
    }
    let validate = fulcrum(&["validate", "s.toml"], &dir);
    assert!(validate.status.success(), "{}", text(&validate.stderr));
}

#[test]
fn pull_requests_are_left_out_and_counted() {
    let dir = scratch("hostile-prs");
    let stdout = import(
        &dir,
        &[&hostile("github-with-pull-requests.json"), "--out", "o"],
    );
    assert!(
        stdout.contains("note: 20 pull request(s) in the GitHub export(s) are left out"),
        "{stdout}"
    );
    let info = json(dir.join("o/import.json"));
    assert_eq!(
        (info["items"].as_u64(), info["pull_requests"].as_u64()),
        (Some(30), Some(20))
    );
    // Tech: the 8 tech-debt issues closed in the history's complete weeks (of 10), not the
    // 20 dependency bumps besides.
    let balance = read(dir.join("o/balance.csv"));
    assert!(balance.contains(",tech,tech,8,"), "{balance}");
}

#[test]
fn items_done_before_they_started_are_noted() {
    let dir = scratch("hostile-backwards");
    let stdout = import(&dir, &[&hostile("done-before-created.csv"), "--out", "o"]);
    assert!(
        stdout.contains(
            "1 done item(s) finish before they were started or created (the first: P-8, "
        ),
        "{stdout}"
    );
    assert_eq!(json(dir.join("o/import.json"))["done_before_start"], 1);
}

#[test]
fn the_scenario_file_is_checked_before_the_work_and_written_whole() {
    let dir = scratch("hostile-destination");
    let ok = super::data("generic.csv").display().to_string();
    std::fs::write(dir.join("taken.toml"), "keep me").unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &[&ok, "--scenario", "missing/s.toml"],
            "cannot write missing/s.toml: the folder missing does not exist",
        ),
        (&[&ok, "--scenario", "taken.toml"], "taken.toml exists"),
    ];
    refuses_each("import", cases, &["--out", "out"], &dir);
    assert!(!dir.join("out").exists(), "refused before the work");
    assert_eq!(read(dir.join("taken.toml")), "keep me");
    import(&dir, &[&ok, "--scenario", "s.toml", "--out", "o"]);
    assert_eq!(read(dir.join("s.toml")), read(dir.join("o/scenario.toml")));
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn endless_and_huge_inputs_are_refused_at_once() {
    let dir = scratch("hostile-limits");
    let started = Instant::now();
    let out = fulcrum(&["import", "/dev/zero"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("/dev/zero:1:1: the byte 0x00 at offset 0 is not text"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // Text without a line end: refused at its first megabyte.
    std::fs::write(dir.join("one-line.csv"), "x".repeat(3 << 20)).unwrap();
    let cases: &[(&[&str], &str)] = &[(
        &["one-line.csv"],
        "one-line.csv:1: this line is longer than 1 MiB, the most a line of a CSV export may have",
    )];
    refuses_each("import", cases, &[], &dir);
    // One row more than a million: refused before any is read.
    let mut rows = String::from("id,created,done\n");
    for i in 0..1_000_001 {
        rows.push_str(&format!("{i},2027-01-04,\n"));
    }
    std::fs::write(dir.join("rows.csv"), rows).unwrap();
    let started = Instant::now();
    let out = fulcrum(&["import", "rows.csv"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("rows.csv: more than 1000000 data rows"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_history_too_long_is_refused_naming_its_items() {
    let dir = scratch("hostile-long");
    std::fs::write(
        dir.join("long.csv"),
        "id,created,done\nA-1,2027-01-04,2027-01-08\nA-2,2099-12-30,\n",
    )
    .unwrap();
    let cases: &[(&[&str], &str)] = &[(
        &["long.csv", "--period", "1d"],
        "would be 19039 periods of 1d, more than the 10000 a history may have: it starts with the done 2027-01-08 of A-1 (long.csv:2), and it ends with the created 2099-12-30 of A-2 (long.csv:3)",
    )];
    refuses_each("import", cases, &[], &dir);
    // In weeks the same dates fit; the team's window is its one week of work.
    import(&dir, &["long.csv", "--scenario", "s.toml"]);
    let scenario = read(dir.join("s.toml"));
    assert!(scenario.contains("samples = [1] }"), "{scenario}");
    assert!(fulcrum(&["validate", "s.toml"], &dir).status.success());
    // A team at work for 13 years: the scenario looks at most 10 years ahead, and validates.
    let mut rows = String::from("id,created,done\n");
    let start: fulcrum::model::Date = "2027-01-04".parse().unwrap();
    for week in 0..680 {
        let day = start.add_days(7 * week);
        rows.push_str(&format!("W-{week},{day},{day}\n"));
    }
    std::fs::write(dir.join("busy.csv"), rows).unwrap();
    import(&dir, &["busy.csv", "--scenario", "busy.toml"]);
    let scenario = read(dir.join("busy.toml"));
    assert!(scenario.contains("periods = 521 "), "{scenario}");
    assert!(fulcrum(&["validate", "busy.toml"], &dir).status.success());
}

#[test]
fn a_scenario_that_would_not_validate_is_never_written() {
    let dir = scratch("hostile-invalid-scenario");
    // 200 teams with names of 3,000 characters: a scenario of more than 1 MiB.
    let mut rows = String::from("id,team,type,created,done\n");
    for t in 0..200 {
        let team = format!("{t:03}{}", "x".repeat(3_000));
        rows.push_str(&format!("{t}-a,{team},Story,2027-01-04,2027-01-05\n"));
        rows.push_str(&format!("{t}-b,{team},Story,2027-01-04,2027-03-25\n"));
    }
    std::fs::write(dir.join("wide.csv"), rows).unwrap();
    let out = fulcrum(&["import", "wide.csv", "--out", "o"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning: the scenario from these exports would not validate, so it is not written: it would have"),
        "{stderr}"
    );
    assert!(!dir.join("o/scenario.toml").exists());
    assert!(dir.join("o/report.html").exists());
    assert_eq!(json(dir.join("o/import.json"))["scenario_written"], false);
    let cases: &[(&[&str], &str)] = &[(
        &["wide.csv", "--scenario", "s.toml", "--out", "p"],
        "the scenario from these exports would not validate",
    )];
    refuses_each("import", cases, &[], &dir);
    assert!(!dir.join("s.toml").exists() && !dir.join("p").exists());
}

#[test]
fn github_exports_are_read_in_linear_time() {
    let dir = scratch("hostile-github-size");
    let mut issues = Vec::new();
    for k in 0..50_000 {
        issues.push(format!(
            "  {{\n    \"number\": {k},\n    \"title\": \"Issue {k}\",\n    \"labels\": [{{\"name\": \"bug\"}}],\n    \"createdAt\": \"2027-01-04T10:00:00Z\",\n    \"closedAt\": \"2027-0{}-1{}T10:00:00Z\"\n  }}",
            1 + k % 6,
            k % 10
        ));
    }
    std::fs::write(
        dir.join("gh.json"),
        format!("[\n{}\n]\n", issues.join(",\n")),
    )
    .unwrap();
    let started = Instant::now();
    import(&dir, &["gh.json", "--out", "o"]);
    // Quadratic, this took over 300 s; linear, under 1 s.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let items = read(dir.join("o/items.csv"));
    assert!(items.contains(",gh.json:20001\n"), "the lines are right");
}

#[test]
fn messages_quote_a_bounded_part_of_a_cell() {
    // Found by the exports' fuzz campaign: a date cell of half a megabyte was echoed whole.
    let dir = scratch("hostile-long-cell");
    let cell = format!("2027-01-0{}", "x".repeat(500_000));
    std::fs::write(
        dir.join("long-cell.csv"),
        format!("id,created,done\nA-1,2027-01-04,{cell}\n"),
    )
    .unwrap();
    let out = fulcrum(&["import", "long-cell.csv"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.len() < 2_000, "{} bytes", stderr.len());
    assert!(
        stderr.contains(&format!(
            "long-cell.csv:2:3: column `done`: `{}…` is not a date",
            &cell[..60]
        )),
        "{stderr}"
    );
}

#[test]
fn rules_files_are_read_within_limits_and_escaped() {
    let dir = scratch("hostile-rules");
    let ok = super::data("generic.csv").display().to_string();
    let cases: &[(&[&str], &str)] = &[(
        &[&ok, "--rules", "/dev/zero"],
        "/dev/zero: cannot read the rules file: it is larger than 1 MiB",
    )];
    refuses_each("import", cases, &[], &dir);
    std::fs::write(
        dir.join("rules.toml"),
        "[[buckets]]\nname = \"\\u001b[31mroadmap\"\nkind = \"product\"\nanything = true\n",
    )
    .unwrap();
    let out = fulcrum(
        &["import", &ok, "--rules", "rules.toml", "--out", "o"],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!out.stdout.contains(&0x1b) && !out.stderr.contains(&0x1b));
    assert!(
        text(&out.stdout).contains("\\u{1b}[31mroadmap"),
        "{}",
        text(&out.stdout)
    );
    for file in ["balance.csv", "report.html", "scenario.toml", "import.json"] {
        assert!(
            !std::fs::read(dir.join("o").join(file))
                .unwrap()
                .contains(&0x1b),
            "{file}"
        );
    }
}
