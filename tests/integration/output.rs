//! The results folder as a careful user and an attacker see it: fulcrum writes only into a
//! folder it may replace, never destroys a user's files, and leaves no debris.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{fulcrum, scratch, text};

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/startup-hiring.toml")
}

/// Every command that writes a results folder, with `--out DIR` appended by the caller.
fn commands() -> Vec<(&'static str, Vec<String>)> {
    let scenario = scenario().display().to_string();
    let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        ("run", args(&["run", &scenario, "--trials", "50"])),
        ("plan", args(&["plan", &scenario])),
        (
            "sweep",
            args(&[
                "sweep",
                &scenario,
                "--vary",
                "okrs.blend=0:1:2",
                "--trials",
                "20",
            ]),
        ),
        (
            "forecast",
            args(&[
                "forecast",
                "--history",
                "3,5,2,6",
                "--backlog",
                "20",
                "--trials",
                "100",
            ]),
        ),
    ]
}

fn with_out(args: &[String], out: &str, extra: &[&str]) -> Vec<String> {
    let mut all = args.to_vec();
    all.extend(["--out".to_string(), out.to_string()]);
    all.extend(extra.iter().map(|s| s.to_string()));
    all
}

fn run_in(dir: &Path, args: &[String]) -> (i32, String) {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = fulcrum(&refs, dir);
    (output.status.code().unwrap_or(-1), text(&output.stderr))
}

#[test]
fn a_folder_of_someone_elses_is_never_replaced_by_any_command() {
    for (name, args) in commands() {
        let dir = scratch(&format!("output-foreign-{name}"));
        std::fs::create_dir(dir.join("docs")).unwrap();
        std::fs::write(dir.join("docs/thesis.txt"), "years of work").unwrap();
        let (code, stderr) = run_in(&dir, &with_out(&args, "docs", &[]));
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(
            stderr.contains("holds files fulcrum did not write (thesis.txt)"),
            "{stderr}"
        );
        let (code, _) = run_in(&dir, &with_out(&args, "docs", &["--force"]));
        assert_eq!(code, 2, "{name}: --force never replaces a foreign folder");
        assert_eq!(
            std::fs::read_to_string(dir.join("docs/thesis.txt")).unwrap(),
            "years of work"
        );
        assert_eq!(std::fs::read_dir(dir.join("docs")).unwrap().count(), 1);
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "{name}: no debris"
        );
    }
}

#[test]
fn paths_that_are_not_a_results_folder_are_refused() {
    let dir = scratch("output-paths");
    std::fs::write(dir.join("file.txt"), "data").unwrap();
    std::fs::create_dir(dir.join("proj")).unwrap();
    std::fs::copy(scenario(), dir.join("proj/scn.toml")).unwrap();
    let here = dir.display().to_string();
    for (name, args) in commands() {
        for (out, expected) in [
            ("file.txt", "is not a folder"),
            ("/dev/null", "is not a folder"),
            (".", "is the current folder"),
            (here.as_str(), "is the current folder"),
            ("/", "is the current folder"),
            ("proj", "did not write (scn.toml)"),
        ] {
            let (code, stderr) = run_in(&dir, &with_out(&args, out, &[]));
            assert_eq!(code, 2, "{name} --out {out}: {stderr}");
            assert!(stderr.contains(expected), "{name} --out {out}: {stderr}");
        }
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("file.txt")).unwrap(),
        "data"
    );
    assert!(dir.join("proj/scn.toml").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let null = std::fs::metadata("/dev/null").unwrap();
        assert!(
            null.file_type().is_char_device(),
            "/dev/null is still a device"
        );
    }
}

#[test]
fn a_scenarios_own_folder_is_refused() {
    let dir = scratch("output-own-folder");
    std::fs::create_dir(dir.join("proj")).unwrap();
    std::fs::copy(scenario(), dir.join("proj/scn.toml")).unwrap();
    let output = fulcrum(
        &["run", "proj/scn.toml", "--trials", "20", "--out", "proj"],
        &dir,
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(dir.join("proj/scn.toml").exists(), "the scenario survives");
}

#[test]
fn an_earlier_result_is_replaced_only_while_it_is_unchanged_or_with_force() {
    for (name, args) in commands() {
        let dir = scratch(&format!("output-replace-{name}"));
        assert_eq!(run_in(&dir, &with_out(&args, "r", &[])).0, 0, "{name}");
        assert!(dir.join("r").join(fulcrum::report::MARKER).exists());
        assert_eq!(
            run_in(&dir, &with_out(&args, "r", &[])).0,
            0,
            "{name}: rerun"
        );

        // The user edits a result file: replacing it needs --force.
        let edited = std::fs::read_dir(dir.join("r"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "csv"))
            .unwrap();
        std::fs::write(&edited, "my edits").unwrap();
        let (code, stderr) = run_in(&dir, &with_out(&args, "r", &[]));
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains("pass --force"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&edited).unwrap(), "my edits");
        assert_eq!(run_in(&dir, &with_out(&args, "r", &["--force"])).0, 0);
        assert_ne!(std::fs::read_to_string(&edited).unwrap(), "my edits");

        // A file of the user's inside the result: never replaced.
        std::fs::write(dir.join("r/notes.txt"), "mine").unwrap();
        let (code, stderr) = run_in(&dir, &with_out(&args, "r", &["--force"]));
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains("did not write (notes.txt)"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(dir.join("r/notes.txt")).unwrap(),
            "mine"
        );

        // An empty folder is fine.
        std::fs::create_dir(dir.join("empty")).unwrap();
        assert_eq!(run_in(&dir, &with_out(&args, "empty", &[])).0, 0, "{name}");
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with('.')),
            "no debris: {names:?}"
        );
    }
}

#[test]
fn a_symbolic_link_is_refused() {
    #[cfg(unix)]
    {
        let dir = scratch("output-symlink");
        std::fs::create_dir(dir.join("real")).unwrap();
        std::os::unix::fs::symlink(dir.join("real"), dir.join("link")).unwrap();
        let (_, args) = &commands()[1];
        let (code, stderr) = run_in(&dir, &with_out(args, "link", &[]));
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("symbolic link"), "{stderr}");
    }
}

/// Killed at any moment, a run leaves either the earlier result or the new one, complete; the
/// next run into the same place removes what the killed one left.
#[test]
fn a_killed_run_never_corrupts_a_result_and_its_debris_is_cleaned() {
    let dir = scratch("output-killed");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/balanced-okrs.toml");
    let args = |trials: &str| {
        vec![
            "run".to_string(),
            scenario.display().to_string(),
            "--trials".into(),
            trials.into(),
            "--out".into(),
            "r".into(),
        ]
    };
    assert_eq!(run_in(&dir, &args("200")).0, 0);
    for delay_ms in (0..12).map(|k| 40 + 35 * k) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fulcrum"))
            .args(args("300"))
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().ok();
        child.wait().unwrap();
        let marker = std::fs::read_to_string(dir.join("r").join(fulcrum::report::MARKER));
        assert!(
            marker.is_ok(),
            "a complete result is in place after a kill at {delay_ms} ms"
        );
        assert!(dir.join("r/report.html").exists());
    }
    assert_eq!(run_in(&dir, &args("100")).0, 0);
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["r"], "debris of killed runs is cleaned");
}
