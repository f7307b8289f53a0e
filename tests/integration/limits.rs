//! Valid input that would take hours, gigabytes or forever is caught with a clear message, and
//! absurd growth never reaches a report.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{example, fulcrum, scratch, text};

fn refused(args: &[&str], expected: &str) {
    // A folder of its own: tests run at once, and each scratch folder is emptied first.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = scratch(&format!("limits-{call}"));
    let output = fulcrum(args, &dir);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert!(!dir.join("out").exists(), "nothing written");
}

#[test]
fn absurd_counts_are_refused_up_front() {
    let s = example("balanced-okrs.toml");
    for (flag, count, said) in [
        ("--trials", "1000000000000", "more than fulcrum runs"),
        ("--threads", "100000", "more than fulcrum starts"),
    ] {
        refused(&["run", &s, flag, count, "--out", "out"], said);
    }
    refused(
        &[
            "sweep",
            &s,
            "--vary",
            "okrs.blend=0:1:1000",
            "--vary",
            "debt.drag_max=0:1:1000",
        ],
        "1000000 points, more than fulcrum sweeps (10000)",
    );
}

#[test]
fn runs_over_the_budget_need_yes() {
    let s = example("balanced-okrs.toml");
    refused(
        &["run", &s, "--trials", "100000000", "--out", "out"],
        "more than the budget of 10 min",
    );
    refused(
        &[
            "forecast",
            "--history",
            "1,2,3",
            "--backlog",
            "100",
            "--trials",
            "900000000",
        ],
        "pass --yes to run it anyway",
    );
    refused(
        &[
            "sweep",
            &s,
            "--vary",
            "okrs.blend=0:1:100",
            "--vary",
            "debt.drag_max=0:0.5:100",
        ],
        "more than the budget of 10 min",
    );
    // A backtest forecasts at every origin: a long history at many trials is hours.
    let history: Vec<String> = (0..2000).map(|t| (3 + t % 5).to_string()).collect();
    refused(
        &[
            "backtest",
            "--history",
            &history.join(","),
            "--trials",
            "10000000",
            "--out",
            "out",
        ],
        "or the methods, or pass --yes to run it anyway",
    );
}

/// Debt doubling every period for a year leaves the statistics' range: the run is refused at
/// the field behind it, and writes nothing.
#[test]
fn unrepresentable_growth_is_refused_at_the_field_behind_it() {
    let dir = scratch("limits-growth");
    let text_of = std::fs::read_to_string(example("legacy-platform.toml")).unwrap();
    let without_plan = &text_of[..text_of.rfind("[[strategies]]").unwrap()];
    std::fs::write(dir.join("long.toml"), without_plan).unwrap();
    let output = fulcrum(
        &[
            "run",
            "long.toml",
            "--set",
            "debt.interest=100%",
            "--trials",
            "20",
            "--out",
            "out",
        ],
        &dir,
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`debt` reached"), "{stderr}");
    assert!(
        stderr.contains("--set debt.interest=100%:1:15"),
        "located at the interest that compounds: {stderr}"
    );
    assert!(!dir.join("out").exists());
}

/// All a child wrote on its piped stderr, as text.
fn stderr_of(child: &mut Child) -> String {
    let mut bytes = Vec::new();
    let pipe = child.stderr.as_mut().expect("stderr piped");
    pipe.read_to_end(&mut bytes).unwrap();
    text(&bytes)
}

/// A million incidents a period once meant a million cost draws each: now a bounded amount of
/// work (the run would take hours if it regressed; it is stopped after a minute).
#[test]
fn any_number_of_incidents_costs_bounded_time() {
    let dir = scratch("limits-incidents");
    let full = std::fs::read_to_string(example("legacy-platform.toml")).unwrap();
    std::fs::write(
        dir.join("noisy.toml"),
        &full[..full.rfind("[[strategies]]").unwrap()],
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fulcrum"))
        .args([
            "run",
            "noisy.toml",
            "--set",
            "incidents.debt_sensitivity=500",
            "--trials",
            "200",
            "--out",
            "out",
        ])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            panic!("a run with a million incidents per period did not finish in a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let stderr = stderr_of(&mut child);
    // Incident load this high may also leave the representable range: either way, an answer.
    let code = child.wait().unwrap().code();
    assert!(code == Some(0) || code == Some(2), "{code:?}: {stderr}");
}

/// `fulcrum validate ... | head -1` ends quietly when the reader goes away.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    let scenarios: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fulcrum"))
        .arg("validate")
        .args(&scenarios)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let stderr = stderr_of(&mut child);
    child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The organisation of `scripts/synthetic-scenario.py TEAMS INITIATIVES PERIODS --chain`: six
/// engineers a team, each team's initiatives one chain of `after`, an `optimised` strategy.
fn chained_organisation(teams: usize, initiatives: usize, periods: usize) -> String {
    let mut s = format!(
        "[scenario]\nname = \"synthetic\"\nperiods = {periods}\nperiod = \"2w\"\n\n[okrs]\n\
         blend = 0.6\n\n[[okrs.key_results]]\nid = \"product-0\"\nowner = \"product\"\n\
         target = {target}\ndeadline = {periods}\n",
        target = initiatives / 2
    );
    for j in 0..teams {
        s += &format!("\n[[teams]]\nname = \"team-{j}\"\nengineers = 6\n");
    }
    let effort = 1.3 * 42.0 * periods as f64 * teams as f64 / initiatives as f64;
    for n in 0..initiatives {
        let (j, i) = (n % teams, n / teams);
        s += &format!(
            "\n[[initiatives]]\nid = \"t{j}-i{i}\"\nkind = \"product\"\nteam = \"team-{j}\"\n\
             effort = {effort:.0}\ncontributes = {{ product-0 = 1.0 }}\n"
        );
        if i > 0 {
            s += &format!("after = [\"t{j}-i{}\"]\n", i - 1);
        }
    }
    s + "\n[[strategies]]\nname = \"optimised\"\nrule = \"optimised\"\n"
}

/// 100 teams × 2,000 chained initiatives × 520 periods made the solver ask for 149 GB and
/// abort the process (exit 134) under `--yes`: now refused before any work, consent or not,
/// with the size and how to shrink it.
#[test]
fn a_plan_beyond_what_the_allocator_solves_is_refused_even_with_yes() {
    let dir = scratch("allocator-too-large");
    std::fs::write(dir.join("big.toml"), chained_organisation(100, 2000, 520)).unwrap();
    for command in ["run", "plan"] {
        let started = Instant::now();
        let output = fulcrum(&[command, "big.toml", "--yes", "--out", "out"], &dir);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            stderr.contains("the allocator's program would have 1248000 variables"),
            "{command}: {stderr}"
        );
        assert!(stderr.contains("fewer periods"), "{command}: {stderr}");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{command}: up front"
        );
        assert!(!dir.join("out").exists());
    }
    // Without --yes, a size the allocator solves but that would take too long is refused by
    // the budget, with its estimate (at 52 periods the plan takes 82 s: not refused).
    std::fs::write(dir.join("long.toml"), chained_organisation(100, 2000, 104)).unwrap();
    let output = fulcrum(&["run", "long.toml", "--out", "out"], &dir);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("249600 allocator variables"), "{stderr}");
    assert!(stderr.contains("pass --yes"), "{stderr}");
}
