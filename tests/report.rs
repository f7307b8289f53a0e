//! The plots and the HTML report of a run: every file is there, PNGs decode at slide size,
//! SVGs carry the series names, the page is self-contained, and the bytes are deterministic.

use std::fs;
use std::path::{Path, PathBuf};

use fulcrum::allocate::{Guardrails, PlanError};
use fulcrum::model::{Plan, Scenario};
use fulcrum::optimise::prices::{Change, Price};
use fulcrum::optimise::{Candidate, Found, Objective};
use fulcrum::pipeline::{self, PlanFor, RunOutput, StrategyPlan};
use fulcrum::report::{self, Environment, RunInfo};
use fulcrum::scenario::{self, Format};
use fulcrum::simulate::Policy;
use fulcrum::simulate::Settings;

const SCENARIO: &str = r#"
[scenario]
name = "report-test"
question = "Does <R&D> \"quality\" pay off?"
periods = 8
period = "2w"
start = 2027-01-04
trials = 200
seed = 3

[okrs]
blend = 0.6

[[okrs.key_results]]
id = "launch"
owner = "product"
target = 2.0
deadline = 6

[[okrs.key_results]]
id = "debt-down"
owner = "technology"
metric = "debt"
below = 150.0
deadline = 8

[debt]
initial = 200.0
interest = "1% to 2%"
accrual = "0.1 to 0.3"
paydown_efficiency = "0.8 to 1.0"
drag_max = 0.4
drag_half = 600.0

[incidents]
base_rate = "0.2 to 0.8"
debt_sensitivity = 0.002
cost = "1 to 3"

[[teams]]
name = "checkout"
engineers = 4
days_per_engineer = 8
availability = "0.8 to 0.95"

[[teams]]
name = "platform"
engineers = 3
days_per_engineer = 8
availability = "0.8 to 0.95"

[[initiatives]]
id = "one-click"
kind = "product"
team = "checkout"
effort = "40 to 80"
contributes = { launch = 1.0 }
deadline = 4

[[initiatives]]
id = "wallets"
kind = "product"
team = "checkout"
effort = "60 to 140"
contributes = { launch = 1.0 }
deadline = 5

[[initiatives]]
id = "ci-speedup"
kind = "tech"
team = "platform"
effort = "20 to 50"
on_done = { debt = -50 }

[[strategies]]
name = "80/20"
rule = "fixed_share"
tech_share = 0.2

[[strategies]]
name = "debt <ceiling>"
rule = "debt_ceiling"
ceiling = 150.0
above = 0.5
below = 0.1
"#;

const CHARTS: [&str; 5] = ["debt", "value", "capacity", "initiatives", "comparison"];

fn load() -> Scenario {
    match scenario::load_str("report-test.toml", SCENARIO, Format::Toml) {
        Ok(loaded) => loaded.scenario,
        Err(e) => panic!("{e}"),
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fulcrum-report-{name}-{}", std::process::id()));
    fs::remove_dir_all(&dir).ok();
    dir
}

/// A results folder at `dir`, as `--out dir` gives it.
fn to(dir: &std::path::Path) -> report::Destination {
    report::Destination {
        path: dir.to_path_buf(),
        force: false,
    }
}

fn info(scenario: &Scenario, output: &RunOutput) -> RunInfo {
    RunInfo {
        fulcrum_version: "test".into(),
        scenario: scenario.name.clone(),
        scenario_file: "report-test.toml".into(),
        scenario_hash: "0".into(),
        overrides: vec![],
        seed: output.settings.seed,
        trials: output.settings.trials,
        periods: scenario.periods,
        strategies: output.results.strategies.clone(),
        environment: Environment {
            threads: 1,
            seconds_plan: 0.0,
            seconds_simulate: 0.0,
            seconds_sensitivity: 0.0,
            seconds_total: 0.0,
        },
        shards: Vec::new(),
    }
}

fn run(scenario: &Scenario) -> RunOutput {
    let settings = Settings::for_run(scenario, 200, 3);
    pipeline::run(scenario, &pipeline::Options::new(settings), &|_| {})
        .expect("no optimised strategy to plan")
}

/// A plan of the optimised strategy built by hand: a schedule of 20% tech on every team, and
/// two priced changes, one that matters and one within noise.
fn hand_built_plan(scenario: &Scenario) -> StrategyPlan {
    let policy = Policy::of_plan(&Plan {
        tech_share: vec![vec![0.2; scenario.periods]; scenario.teams.len()],
        order: vec![0, 1, 2],
    });
    let candidate = Candidate {
        policy,
        label: "hand-made schedule".into(),
    };
    let price = |team, value, half_width| Price {
        change: Change::Engineer { team },
        value,
        half_width,
        policy: "hand-made schedule".into(),
        trials: 1000,
    };
    StrategyPlan {
        of: PlanFor::Strategy(1),
        objective: Objective {
            guardrails: Guardrails {
                min_tech_share: 0.1,
                max_tech_share: 0.5,
            },
            confidence: 0.85,
        },
        found: Found {
            candidate: candidate.clone(),
            training_score: 0.7,
            finalists: vec![candidate],
            lp: Err(PlanError::Solver("not solved in this test".into())),
            tried: 1,
        },
        prices: vec![price(0, 0.042, 0.004), price(1, 0.001, 0.003)],
        promise: None,
    }
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let word = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (word(16), word(20))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_run_writes_every_chart_as_svg_and_png() {
    let scenario = load();
    let output = run(&scenario);
    let dir = scratch("charts");
    report::write_run(
        &to(&dir),
        &scenario,
        &output,
        &[],
        &info(&scenario, &output),
    )
    .unwrap();
    for chart in CHARTS {
        let svg = read(&dir.join(format!("plots/{chart}.svg")));
        assert!(svg.trim_start().starts_with("<svg"), "{chart}.svg is SVG");
        assert!(
            svg.trim_end().ends_with("</svg>"),
            "{chart}.svg is complete"
        );
        assert_eq!(
            svg.matches("<text").count(),
            svg.matches("</text>").count(),
            "{chart}.svg: balanced text elements"
        );
        assert!(
            svg.contains("80/20"),
            "{chart}.svg names the first strategy"
        );
        assert!(
            svg.contains("debt &lt;ceiling&gt;"),
            "{chart}.svg names the second strategy, escaped"
        );
        let png = fs::read(dir.join(format!("plots/{chart}.png"))).unwrap();
        let (w, h) = png_size(&png);
        assert_eq!(w, 1280, "{chart}.png width");
        assert!((720..=4000).contains(&h), "{chart}.png height {h}");
    }
    assert!(
        !dir.join("plots/plan.svg").exists(),
        "no plan without allocations"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_report_is_one_self_contained_page_with_every_chart_and_table() {
    let scenario = load();
    let output = run(&scenario);
    let dir = scratch("html");
    report::write_run(
        &to(&dir),
        &scenario,
        &output,
        &[],
        &info(&scenario, &output),
    )
    .unwrap();
    let html = read(&dir.join("report.html"));
    for external in ["http://", "https://", "src=", "<script", "<link", "url("] {
        // The SVG namespace is an identifier, not a reference to fetch.
        let hits = html.matches(external).count()
            - html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
                * usize::from(external == "http://");
        assert_eq!(hits, 0, "report.html references {external}");
    }
    assert_eq!(html.matches("<svg").count(), CHARTS.len());
    for chart in CHARTS {
        assert!(html.contains(&format!("id=\"{chart}\"")), "figure {chart}");
    }
    for heading in [
        "Strategies",
        "Key results",
        "Initiatives at risk",
        "Comparison with 80/20",
        "Settings",
    ] {
        assert!(html.contains(heading), "section {heading}");
    }
    // The question and names are escaped, never raw markup.
    assert!(html.contains("Does &lt;R&amp;D&gt; &quot;quality&quot; pay off?"));
    assert!(html.contains("debt &lt;ceiling&gt;"));
    assert!(!html.contains("<R&D>") && !html.contains("<ceiling>"));
    assert!(html.contains("launch") && html.contains("debt-down"));
    assert!(
        !html.contains("What would help most"),
        "no allocations, no marginal values"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_allocation_adds_the_plan_chart_and_marginal_values() {
    let scenario = load();
    let mut output = run(&scenario);
    output.allocations = vec![hand_built_plan(&scenario)];
    let dir = scratch("plan");
    report::write_run(
        &to(&dir),
        &scenario,
        &output,
        &[],
        &info(&scenario, &output),
    )
    .unwrap();
    let svg = read(&dir.join("plots/plan.svg"));
    assert!(svg.contains("checkout") && svg.contains("platform") && svg.contains("tech share"));
    let (w, h) = png_size(&fs::read(dir.join("plots/plan.png")).unwrap());
    assert_eq!((w, h), (1280, 720));
    let html = read(&dir.join("report.html"));
    assert!(html.contains("id=\"plan\""));
    assert!(html.contains("What would help most"));
    assert!(html.contains("one more engineer on checkout from period 1"));
    assert!(html.contains("within noise of zero (+0.001 ± 0.003)"));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_same_run_gives_the_same_bytes() {
    let scenario = load();
    let output = run(&scenario);
    let info = info(&scenario, &output);
    let (a, b) = (scratch("same-a"), scratch("same-b"));
    report::write_run(&to(&a), &scenario, &output, &[], &info).unwrap();
    report::write_run(&to(&b), &scenario, &run(&scenario), &[], &info).unwrap();
    let mut files = vec!["report.html".to_string()];
    for chart in CHARTS {
        files.push(format!("plots/{chart}.svg"));
        files.push(format!("plots/{chart}.png"));
    }
    for file in files {
        assert!(
            fs::read(a.join(&file)).unwrap() == fs::read(b.join(&file)).unwrap(),
            "{file} differs between identical runs"
        );
    }
    fs::remove_dir_all(&a).unwrap();
    fs::remove_dir_all(&b).unwrap();
}

#[test]
fn a_single_strategy_run_has_no_comparison_section() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/throughput-forecast.toml");
    let scenario = scenario::load(&path, &[]).unwrap().scenario;
    let output = run(&scenario);
    let dir = scratch("single");
    report::write_run(
        &to(&dir),
        &scenario,
        &output,
        &[],
        &info(&scenario, &output),
    )
    .unwrap();
    let html = read(&dir.join("report.html"));
    assert!(!html.contains("Comparison with"));
    assert!(html.contains("api-migration"));
    for chart in CHARTS {
        assert!(dir.join(format!("plots/{chart}.png")).exists());
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// Renders the page in headless Chromium when one is installed; skips otherwise.
#[test]
fn the_report_renders_in_a_browser_when_one_is_installed() {
    let Some(browser) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        eprintln!("skipped: no chromium");
        return;
    };
    let scenario = load();
    let output = run(&scenario);
    let dir = scratch("browser");
    report::write_run(
        &to(&dir),
        &scenario,
        &output,
        &[],
        &info(&scenario, &output),
    )
    .unwrap();
    let shot = dir.join("shot.png");
    let status = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
            &format!("file://{}", dir.join("report.html").display()),
        ])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let (w, _) = png_size(&fs::read(&shot).unwrap());
    assert_eq!(w, 1280);
    fs::remove_dir_all(&dir).unwrap();
}
