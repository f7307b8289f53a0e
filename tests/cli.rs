//! The binary as a user runs it: exit codes, messages, the template, every example.

mod common;

use std::path::{Path, PathBuf};

use common::{fulcrum, scratch, text};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_example_scenario_validates() {
    let mut count = 0;
    for entry in std::fs::read_dir(repo().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml" || e == "json") {
            let out = fulcrum(&["validate", path.to_str().unwrap()], &repo());
            assert!(
                out.status.success(),
                "{}: {}",
                path.display(),
                text(&out.stderr)
            );
            assert!(text(&out.stdout).contains("✓"), "{}", text(&out.stdout));
            // Examples say what question they answer, in a header comment and in `question`.
            let source = std::fs::read_to_string(&path).unwrap();
            assert!(
                source.starts_with("# Question:"),
                "{} needs a header comment",
                path.display()
            );
            assert!(
                source.contains("\nquestion = "),
                "{} needs a question",
                path.display()
            );
            count += 1;
        }
    }
    assert!(count >= 4, "at least four examples, found {count}");
}

#[test]
fn init_writes_a_template_that_validates() {
    let dir = scratch("init");
    let out = fulcrum(&["init", "my-plan"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.join("my-plan.toml").exists());
    let out = fulcrum(&["validate", "my-plan.toml"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("scenario `my-plan`"));
    // It refuses to overwrite.
    let out = fulcrum(&["init", "my-plan"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("already exists"));
}

#[test]
fn bad_input_exits_with_status_two_and_a_located_message() {
    let dir = scratch("bad-input");
    std::fs::write(
        dir.join("bad.toml"),
        "[scenario]\nname = \"bad\"\nperiods = 4\n\n[[teams]]\nname = \"a\"\nenginers = 3\n",
    )
    .unwrap();
    let out = fulcrum(&["validate", "bad.toml"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.toml:7:1: unknown field `enginers` in team `a`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `engineers`?"), "{stderr}");
    assert!(
        stderr.contains("2 errors and 1 warning in bad.toml"),
        "{stderr}"
    );

    let out = fulcrum(&["run", "missing.toml"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read missing.toml"));

    let out = fulcrum(&["run", "--trials", "lots", "bad.toml"], &dir);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap usage errors are bad input too"
    );
}

#[test]
fn validate_prints_a_one_screen_summary() {
    let out = fulcrum(&["validate", "scenarios/balanced-okrs.toml"], &repo());
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    for expected in [
        "horizon: 13 periods of 2w",
        "checkout",
        "product initiatives: 5",
        "tech initiatives: 4",
        "debt-down",
        "optimised",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in\n{stdout}"
        );
    }
    assert!(stdout.lines().count() < 60, "one screen");
}

/// Every file of a results folder, by relative path (run.json and sweep.json left out: they
/// record timings and threads; so does the marker, which holds their hashes).
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !["run.json", "sweep.json", fulcrum::report::MARKER]
                .iter()
                .any(|f| path.ends_with(f))
            {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_example_runs_and_gives_identical_files_for_any_thread_count() {
    let dir = scratch("examples-run");
    for entry in std::fs::read_dir(repo().join("scenarios")).unwrap() {
        let scenario = entry.unwrap().path();
        let name = scenario.file_stem().unwrap().to_string_lossy().into_owned();
        let mut runs = Vec::new();
        for threads in ["1", "2"] {
            let out = dir.join(format!("{name}-{threads}"));
            let output = fulcrum(
                &[
                    "run",
                    scenario.to_str().unwrap(),
                    "--trials",
                    "300",
                    "--threads",
                    threads,
                    "--out",
                    out.to_str().unwrap(),
                ],
                &dir,
            );
            assert!(output.status.success(), "{name}: {}", text(&output.stderr));
            assert!(text(&output.stdout).contains("blended score"));
            runs.push(outputs(&out));
        }
        let names: Vec<&str> = runs[0].iter().map(|(n, _)| n.as_str()).collect();
        for expected in [
            "summary.csv",
            "periods.csv",
            "report.html",
            "sensitivity.csv",
        ] {
            assert!(
                names.contains(&expected),
                "{name}: no {expected} in {names:?}"
            );
        }
        assert!(
            runs[0] == runs[1],
            "{name}: outputs differ between 1 and 2 threads"
        );
    }
}

#[test]
fn plan_prints_and_writes_the_plan() {
    let dir = scratch("plan");
    let scenario = repo().join("scenarios/balanced-okrs.toml");
    let output = fulcrum(&["plan", scenario.to_str().unwrap()], &dir);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("plan for strategy `optimised`"), "{stdout}");
    assert!(stdout.contains("one more engineer on checkout"), "{stdout}");
    assert!(stdout.contains("simulated over 2000 trials"), "{stdout}");
    let folder = dir.join("output/balanced-okrs-plan");
    let plan = std::fs::read_to_string(folder.join("plan.csv")).unwrap();
    assert!(plan.starts_with("strategy,policy,team,period,date,tech_share\n"));
    assert!(
        plan.lines()
            .any(|l| l.starts_with("optimised,") && l.contains(",checkout,1,"))
    );
    let values = std::fs::read_to_string(folder.join("marginal_values.csv")).unwrap();
    assert!(values.starts_with("strategy,change,what,team,initiative,period,to,value,ci_low"));
    assert!(values.contains("optimised,engineer,one more engineer on checkout from period 1"));
}

#[test]
fn sweep_writes_the_frontier_and_rejects_bad_ranges() {
    let dir = scratch("sweep");
    let scenario = repo().join("scenarios/legacy-platform.toml");
    let output = fulcrum(
        &[
            "sweep",
            scenario.to_str().unwrap(),
            "--vary",
            "strategies.60/40.tech_share=0.2:0.8:4",
            "--trials",
            "200",
        ],
        &dir,
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let folder = dir.join("output/legacy-platform-sweep");
    let frontier = std::fs::read_to_string(folder.join("frontier.csv")).unwrap();
    assert!(
        frontier.starts_with(
            "point,strategies.60/40.tech_share,strategy,metric,mean,p10,p50,p90,knee\n"
        )
    );
    assert!(frontier.contains("4,0.8,60/40,final_debt,"));
    let svg = std::fs::read_to_string(folder.join("plots/frontier.svg")).unwrap();
    assert!(svg.contains("60/40") && svg.contains("final debt"));
    let html = std::fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(html.contains("<svg"));
    // Self-contained: the only URL is the SVG namespace, which is a name, not a fetch.
    let without_namespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for external in ["http://", "https://", "src=", "<script", "<link", "url("] {
        assert!(!without_namespace.contains(external), "{external}");
    }

    for bad in ["okrs.blend=0:1", "okrs.blend=0:x:3", "okrs.blendd=0:1:3"] {
        let output = fulcrum(
            &[
                "sweep",
                scenario.to_str().unwrap(),
                "--vary",
                bad,
                "--trials",
                "10",
            ],
            &dir,
        );
        assert_eq!(
            output.status.code(),
            Some(2),
            "{bad}: {}",
            text(&output.stderr)
        );
    }
    let output = fulcrum(
        &[
            "sweep",
            scenario.to_str().unwrap(),
            "--vary",
            "okrs.blendd=0:1:3",
        ],
        &dir,
    );
    assert!(
        text(&output.stderr).contains("blend"),
        "{}",
        text(&output.stderr)
    );
}
