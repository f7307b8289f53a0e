//! The regression corpus of issue 11: every hostile or mistaken input found there (and by the
//! fuzz campaign) as a file in `tests/data/regressions/`, run through the binary the way a
//! user runs it.
//!
//! Each file says at its top, in comments (`#` in TOML, `//` in JSON), what it checks:
//! `expect: TEXT` (the output must contain TEXT), `not: TEXT` (it must not), and
//! `exit: N` (the exit status; 2, bad input, when not given). Failing files must fail the same
//! way under `run` as under `validate`: at loading, before any work.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::{fulcrum, scratch, text};
use crate::csv_guard::FORMULAS;

/// No message about one file is longer than this, however large or broken the file.
const MAX_OUTPUT: usize = 20_000;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/regressions")
}

/// What a corpus file's header comments ask for.
struct Case {
    file: String,
    exit: i32,
    expect: Vec<String>,
    not: Vec<String>,
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(corpus()).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let comment = if file.ends_with(".json") { "//" } else { "#" };
        let source = text(&std::fs::read(&path).unwrap());
        let mut case = Case {
            file,
            exit: 2,
            expect: Vec::new(),
            not: Vec::new(),
        };
        for line in source.lines().take_while(|l| l.starts_with(comment)) {
            let line = line[comment.len()..].trim_start();
            if let Some(n) = line.strip_prefix("exit: ") {
                case.exit = n.parse().unwrap();
            } else if let Some(t) = line.strip_prefix("expect: ") {
                case.expect.push(t.to_string());
            } else if let Some(t) = line.strip_prefix("not: ") {
                case.not.push(t.to_string());
            }
        }
        assert!(
            !case.expect.is_empty(),
            "{}: say what it checks with `expect:`",
            case.file
        );
        cases.push(case);
    }
    cases.sort_by(|a, b| a.file.cmp(&b.file));
    cases
}

/// Text with its line wrapping undone: words joined by single spaces, without the `│` that
/// marks a wrapped message's continuation.
fn flatten(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_regression_gives_its_message_and_exit_status() {
    let cases = cases();
    assert!(cases.len() >= 25, "{} cases", cases.len());
    let out_dir = scratch("regressions");
    for case in &cases {
        let started = Instant::now();
        let out = fulcrum(&["validate", &case.file], &corpus());
        let elapsed = started.elapsed();
        let output = format!("{}{}", text(&out.stdout), text(&out.stderr));
        let flat = flatten(&output);
        assert_eq!(
            out.status.code(),
            Some(case.exit),
            "{}:\n{output}",
            case.file
        );
        for expected in &case.expect {
            assert!(
                flat.contains(&flatten(expected)),
                "{}: no {expected:?} in\n{output}",
                case.file
            );
        }
        for unwanted in &case.not {
            assert!(
                !flat.contains(&flatten(unwanted)),
                "{}: {unwanted:?} in\n{output}",
                case.file
            );
        }
        assert!(
            output.len() < MAX_OUTPUT,
            "{}: {} bytes",
            case.file,
            output.len()
        );
        assert!(
            elapsed < Duration::from_secs(5),
            "{}: {elapsed:?}",
            case.file
        );
        insta::assert_snapshot!(case.file.clone(), text(&out.stderr));

        // `run` stops at the same place, before planning or simulating anything.
        if case.exit == 2 {
            let target = out_dir.join(&case.file);
            let run = fulcrum(
                &[
                    "run",
                    &case.file,
                    "--trials",
                    "20",
                    "--out",
                    target.to_str().unwrap(),
                ],
                &corpus(),
            );
            assert_eq!(run.status.code(), Some(2), "{}: run", case.file);
            assert_eq!(text(&run.stderr), text(&out.stderr), "{}: run", case.file);
            assert!(!target.exists(), "{}: run wrote results", case.file);
        }
    }
}

/// A file that is not a scenario at all, or too large, is refused after reading at most the
/// limit: `/dev/zero` would otherwise be read forever.
#[test]
fn endless_and_huge_files_are_refused_at_once() {
    let dir = scratch("huge-inputs");
    let huge = dir.join("huge.toml");
    let samples = vec!["5"; 600_000].join(", ");
    std::fs::write(&huge, format!("[scenario]\nperiods = 4\nx = [{samples}]\n")).unwrap();
    let mut files = vec![huge.display().to_string()];
    if Path::new("/dev/zero").exists() {
        files.push("/dev/zero".to_string());
    }
    for file in &files {
        let started = Instant::now();
        let out = fulcrum(&["validate", file], &dir);
        assert!(started.elapsed() < Duration::from_secs(5), "{file}");
        assert_eq!(out.status.code(), Some(2), "{file}");
        let stderr = flatten(&text(&out.stderr));
        assert!(
            stderr.contains(&format!("{file} is larger than 1 MiB")),
            "{stderr}"
        );
        assert!(
            stderr.contains("the most a scenario file may have"),
            "{stderr}"
        );
    }
}

/// The worst case: 100 KB of `=` on one line gave 100,000 errors that each echoed the
/// whole line, and the allocation failed.
#[test]
fn a_line_of_a_hundred_thousand_errors_prints_a_few_and_a_count() {
    let dir = scratch("error-bomb");
    std::fs::write(dir.join("bomb.toml"), "=".repeat(100_000)).unwrap();
    let started = Instant::now();
    let out = fulcrum(&["validate", "bomb.toml"], &dir);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.len() < 2_000, "{} bytes", stderr.len());
    assert!(
        stderr.contains("… 99997 more problems on line 1 of bomb.toml not shown"),
        "{stderr}"
    );
    assert!(stderr.ends_with("100000 errors in bomb.toml\n"), "{stderr}");
    // Many lines with errors: at most 20 are shown, and the rest counted.
    std::fs::write(dir.join("lines.toml"), "=\n".repeat(5_000)).unwrap();
    let stderr = text(&fulcrum(&["validate", "lines.toml"], &dir).stderr);
    assert!(stderr.len() < MAX_OUTPUT, "{} bytes", stderr.len());
    assert_eq!(stderr.matches("  × lines.toml:").count(), 20, "{stderr}");
    assert!(stderr.contains("more problems not shown"), "{stderr}");
}

/// Names that a spreadsheet would run as formulas are written to every CSV as text.
#[test]
fn names_that_look_like_formulas_are_escaped_in_every_csv() {
    let dir = scratch("csv-injection");
    std::fs::write(dir.join("formulas.toml"), FORMULAS).unwrap();
    let out = fulcrum(
        &["run", "formulas.toml", "--trials", "40", "--out", "run"],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let read = |file: &str| std::fs::read_to_string(dir.join("run").join(file)).unwrap();
    let initiatives = read("initiatives.csv");
    assert!(
        initiatives.contains("'=1+1,'=HYPERLINK(1),product,'@team,"),
        "{initiatives}"
    );
    assert!(
        initiatives.contains("'=1+1,'-tech,tech,'@team,"),
        "{initiatives}"
    );
    // "-5" is a number, not a formula: left as it is.
    assert!(
        initiatives.contains("\n-5,'=HYPERLINK(1),"),
        "{initiatives}"
    );
    assert!(read("key_results.csv").contains("'=1+1,'+kr,product,"));
    assert!(read("summary.csv").contains("\n'=1+1,blended_score,"));
    assert!(read("comparison.csv").contains("\n-5,'=1+1,blended_score,"));
    assert!(read("plan.csv").contains("\n-5,fixed tech share 0%,'@team,1,"));
    assert!(
        read("marginal_values.csv")
            .contains("\n-5,engineer,one more engineer on @team from period 1,'@team,")
    );
    assert!(read("periods.csv").contains("\n'=1+1,1,,debt,"));
    // No cell anywhere starts a formula.
    for file in [
        "summary.csv",
        "periods.csv",
        "initiatives.csv",
        "key_results.csv",
        "comparison.csv",
        "plan.csv",
        "marginal_values.csv",
        "sensitivity.csv",
    ] {
        let csv = read(file);
        for cell in csv.lines().flat_map(|l| l.split(',')) {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@'])
                    && (!cell.starts_with('-') || cell.parse::<f64>().is_ok()),
                "{file}: {cell:?}"
            );
        }
    }
    let out = fulcrum(
        &[
            "sweep",
            "formulas.toml",
            "--vary",
            "okrs.blend=0.2:0.8:2",
            "--trials",
            "20",
            "--out",
            "sweep",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let frontier = std::fs::read_to_string(dir.join("sweep/frontier.csv")).unwrap();
    assert!(
        frontier.starts_with("point,okrs.blend,strategy,"),
        "{frontier}"
    );
    assert!(
        frontier.contains("\n1,0.2,'=1+1,blended_score,"),
        "{frontier}"
    );
    assert!(frontier.contains("\n2,0.8,-5,final_debt,"), "{frontier}");
}
