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

/// Two runs into one folder: the second is refused at once (exit 2, naming the first's
/// process) instead of both running and one replacing the other; the lock of a killed run
/// stops nobody; and the lock leaves no file behind.
#[test]
fn a_second_run_into_the_same_folder_is_refused_while_the_first_runs() {
    let dir = scratch("output-locked");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/balanced-okrs.toml");
    let args = |trials: &str| {
        let scenario = scenario.display().to_string();
        with_out(
            &["run".into(), scenario, "--trials".into(), trials.into()],
            "r",
            &[],
        )
    };
    let mut first = Command::new(env!("CARGO_BIN_EXE_fulcrum"))
        .args(args("400000"))
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lock = dir.join(".r.lock");
    for _ in 0..200 {
        if std::fs::read_to_string(&lock).is_ok_and(|pid| !pid.is_empty()) {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let started = std::time::Instant::now();
    let (code, stderr) = run_in(&dir, &args("50"));
    assert_eq!(code, 2, "{stderr}");
    let says = format!("another fulcrum (process {}) is writing r", first.id());
    assert!(stderr.contains(&says), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "refused before the work"
    );
    first.kill().ok();
    first.wait().unwrap();
    assert!(lock.exists(), "a killed run leaves its lock file");
    let (code, stderr) = run_in(&dir, &args("50"));
    assert_eq!(code, 0, "{stderr}");
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["r"], "the lock file is removed");
}

/// A results folder that cannot be written is refused before the work (exit 2), not after.
#[test]
fn an_unwritable_destination_is_refused_before_the_work() {
    let dir = scratch("output-read-only");
    let scenario = scenario().display().to_string();
    // Root writes into any folder whatever its mode: use one no one can create files in.
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let out = if root {
        "/proc/fulcrum-results".to_string()
    } else {
        let locked = dir.join("locked");
        std::fs::create_dir(&locked).unwrap();
        let mut permissions = std::fs::metadata(&locked).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o555);
        std::fs::set_permissions(&locked, permissions).unwrap();
        locked.join("r").display().to_string()
    };
    for (name, args) in commands() {
        let args = match name {
            // Enough trials that refusing after the work would take far longer.
            "run" => vec![
                "run".into(),
                scenario.clone(),
                "--trials".into(),
                "2000000".into(),
            ],
            _ => args,
        };
        let started = std::time::Instant::now();
        let (code, stderr) = run_in(&dir, &with_out(&args, &out, &["--yes"]));
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains("cannot be written in"), "{name}: {stderr}");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{name}: before the work"
        );
    }
}
