//! The binary as a user runs it: exit codes, messages, the template, every example.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fulcrum(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fulcrum"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh empty folder under the target dir.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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
