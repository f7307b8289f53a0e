//! The plots and the HTML report of a run: every file is there, PNGs decode at slide size,
//! SVGs carry the series names, the page is self-contained, and the bytes are deterministic.

use std::fs;
use std::path::{Path, PathBuf};

use fulcrum::allocate::{Guardrails, PlanError};
use fulcrum::model::{Plan, Scenario};
use fulcrum::optimise::prices::{Change, Price};
use fulcrum::optimise::{Candidate, Found, Objective};
use fulcrum::pipeline::{self, PlanFor, RunOutput, StrategyPlan};
use fulcrum::report;
use fulcrum::report::run::{Environment, RunInfo};
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
            generated_at: String::new(),
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

/// [`run`], with [`hand_built_plan`] as its allocation.
fn run_with_a_plan(scenario: &Scenario) -> RunOutput {
    RunOutput {
        allocations: vec![hand_built_plan(scenario)],
        ..run(scenario)
    }
}

/// The results folder of `output`, written into a fresh scratch folder `name`.
fn written(name: &str, scenario: &Scenario, output: &RunOutput) -> PathBuf {
    let dir = scratch(name);
    report::run::write(&to(&dir), scenario, output, &[], &info(scenario, output)).unwrap();
    dir
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
        before: candidate.policy.clone(),
        after: candidate.policy.clone(),
        effects: None,
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
            finalists: vec![candidate.clone()],
            lp: Err(PlanError::Solver("not solved in this test".into())),
            tried: 1,
            refined: vec![candidate.clone()],
        },
        prices: vec![price(0, 0.042, 0.004), price(1, 0.001, 0.003)],
        shape: Vec::new(),
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
    let dir = written("charts", &scenario, &output);
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
    let dir = written("html", &scenario, &output);
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
    let output = run_with_a_plan(&scenario);
    let dir = written("plan", &scenario, &output);
    let svg = read(&dir.join("plots/plan.svg"));
    assert!(svg.contains("checkout") && svg.contains("platform") && svg.contains("tech share"));
    assert!(
        svg.contains("capacity after drag"),
        "the plan shows capacity"
    );
    let (w, h) = png_size(&fs::read(dir.join("plots/plan.png")).unwrap());
    assert_eq!((w, h), (1280, 1000));
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
    report::run::write(&to(&a), &scenario, &output, &[], &info).unwrap();
    report::run::write(&to(&b), &scenario, &run(&scenario), &[], &info).unwrap();
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
    let dir = written("single", &scenario, &output);
    let html = read(&dir.join("report.html"));
    assert!(!html.contains("Comparison with"));
    assert!(html.contains("api-migration"));
    for chart in CHARTS {
        assert!(dir.join(format!("plots/{chart}.png")).exists());
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// A Chromium binary on the PATH, if any: `FULCRUM_REQUIRE_CHROMIUM=1` (set by `.ci/run`)
/// turns its absence into a failure.
fn browser() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("FULCRUM_REQUIRE_CHROMIUM").is_none(),
            "FULCRUM_REQUIRE_CHROMIUM is set but no Chromium was found"
        );
        eprintln!("skipped: no chromium");
    }
    found
}

/// `text` as an HTML attribute value.
fn attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;")
}

/// Lays `page` out in a frame `width` pixels wide in headless Chromium and returns what the
/// probe measured: the page's scroll width, its client width, the narrowest chart's width,
/// how many tables sit outside a scrolling wrapper and how many charts there are. (The report holds no script; the probe
/// is a page of its own around it, the report in a same-origin `srcdoc` frame.)
fn layout_at(browser: &str, dir: &Path, page: &str, width: u32) -> Vec<f64> {
    let probe = format!(
        "<!DOCTYPE html><html><body style=\"margin:0\">\
         <iframe id=\"f\" style=\"width:{width}px;height:2000px;border:0\" srcdoc=\"{}\"></iframe>\
         <script>\
         const f = document.getElementById('f');\
         function measure() {{\
           const d = f.contentDocument, e = d.documentElement;\
           const charts = [...d.querySelectorAll('figure svg')].map(s => s.getBoundingClientRect().width);\
           const bare = [...d.querySelectorAll('table')].filter(t => !t.closest('.scroll')).length;\
           document.body.setAttribute('data-layout', [e.scrollWidth, e.clientWidth, Math.min(...charts), bare, charts.length].join(' '));\
         }}\
         if (f.contentDocument && f.contentDocument.querySelector('h1')) measure();\
         else f.onload = measure;\
         </script></body></html>",
        attribute(page)
    );
    let path = dir.join(format!("probe-{width}.html"));
    fs::write(&path, probe).unwrap();
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1400,2000",
            "--dump-dom",
            &format!("file://{}", path.display()),
        ])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let Some(start) = dom.find("data-layout=\"") else {
        panic!(
            "the probe measured nothing:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let rest = &dom[start + 13..];
    rest[..rest.find('"').unwrap()]
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect()
}

/// At a phone's width (400 px) the report does not overflow sideways: tables scroll inside
/// their wrapper, charts keep at least 800 px (text at 60% of slide size or more) and scroll
/// inside their frame.
#[test]
fn the_report_fits_a_phone_without_horizontal_overflow() {
    let Some(browser) = browser() else {
        return;
    };
    let scenario = load();
    let output = run_with_a_plan(&scenario);
    let dir = written("phone", &scenario, &output);
    let page = read(&dir.join("report.html"));
    for width in [400, 1400] {
        let m = layout_at(browser, &dir, &page, width);
        let (scroll, client, narrowest, bare) = (m[0], m[1], m[2], m[3]);
        assert_eq!(
            m[4],
            (CHARTS.len() + 1) as f64,
            "charts laid out (with the plan)"
        );
        assert!(
            scroll <= client,
            "at {width} px the page is {scroll} px wide for {client} px"
        );
        assert!(
            narrowest >= 800.0 || narrowest >= client - 40.0,
            "at {width} px a chart is {narrowest} px wide"
        );
        assert_eq!(bare, 0.0, "tables without a scrolling wrapper");
    }
    // The same page before the fix (a table wider than the screen, no wrapper) is caught.
    let wide = page.replacen(
        "<div class=\"scroll\"><table>",
        "<table style=\"min-width:600px\">",
        1,
    );
    let m = layout_at(browser, &dir, &wide, 400);
    assert!(m[0] > m[1] && m[3] > 0.0, "the probe sees overflow: {m:?}");
    fs::remove_dir_all(&dir).unwrap();
}

/// `import`'s page, at a phone's width and a desktop's, overflows neither: its tables scroll
/// inside their wrapper and its charts inside their frame.
#[test]
fn the_import_page_fits_a_phone_and_a_desktop() {
    let Some(browser) = browser() else {
        return;
    };
    let dir = crate::common::scratch("import-page");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/import/jira.csv");
    let output = crate::common::fulcrum(&["import", fixture, "--out", "out"], &dir);
    assert!(
        output.status.success(),
        "{}",
        crate::common::text(&output.stderr)
    );
    let page = read(&dir.join("out/report.html"));
    for width in [400, 1400] {
        let m = layout_at(browser, &dir, &page, width);
        let (scroll, client, narrowest, bare, charts) = (m[0], m[1], m[2], m[3], m[4]);
        assert!(charts > 0.0, "the import page has charts");
        assert!(
            scroll <= client,
            "at {width} px the import page is {scroll} px wide for {client} px"
        );
        assert!(
            narrowest >= 800.0 || narrowest >= client - 40.0,
            "at {width} px a chart is {narrowest} px wide"
        );
        assert_eq!(
            bare, 0.0,
            "tables without a scrolling wrapper at {width} px"
        );
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// Renders the page in headless Chromium when one is installed; skips otherwise.
#[test]
fn the_report_renders_in_a_browser_when_one_is_installed() {
    let Some(browser) = browser() else {
        return;
    };
    let scenario = load();
    let output = run(&scenario);
    let dir = written("browser", &scenario, &output);
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

/// The text of the summary block of `html`.
fn summary_of(html: &str) -> &str {
    let start = html.find("<div class=\"answer\">").expect("a summary");
    &html[start..start + html[start..].find("</div>").unwrap()]
}

#[test]
fn the_report_opens_with_the_answer() {
    use fulcrum::simulate::SummaryMetric;
    let scenario = load();
    let output = run_with_a_plan(&scenario);
    let dir = written("answer", &scenario, &output);
    let html = read(&dir.join("report.html"));
    let results = &output.results;
    let score = |s: usize| results.summary(s, SummaryMetric::BlendedScore).mean;
    let (best, other) = if score(1) > score(0) { (1, 0) } else { (0, 1) };
    let name = |s: usize| {
        results.strategies[s]
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let summary = summary_of(&html);
    assert!(
        summary.contains(&format!("<p>{} scores", name(best))),
        "the first sentence names the best strategy, {}:\n{summary}",
        name(best)
    );
    assert!(summary.contains(&format!("runner-up {}", name(other))));
    let gap = (score(best) - score(other)).abs();
    assert!(summary.contains(&format!("{gap:.3}")), "the lead, {gap:.3}");
    // The least likely key result under the best strategy is named with its dated deadline.
    let p = |k| results.key_result(best, k).p_met;
    let (k, kr) = if p(0) <= p(1) {
        (0, &scenario.key_results[0])
    } else {
        (1, &scenario.key_results[1])
    };
    assert!(
        summary.contains(&format!(
            "{} ({:.0}% chance by period {} (",
            kr.id,
            p(k) * 100.0,
            kr.deadline
        )),
        "{summary}"
    );
    assert!(summary.contains("one more engineer on checkout from period 1, +0.042 ± 0.004"));
    assert!(html.find("Summary").unwrap() < html.find("<h2>Strategies").unwrap());
    fs::remove_dir_all(&dir).unwrap();
}

/// Ties are counted on their own: higher, the same and lower add up to every trial, and
/// "higher" is the paired comparison's share of positive differences.
#[test]
fn ties_are_reported_apart_from_wins() {
    use fulcrum::simulate::SummaryMetric;
    let scenario = load();
    let mut settings = Settings::for_run(&scenario, 200, 3);
    settings.samples = 200;
    let output = pipeline::run(&scenario, &pipeline::Options::new(settings), &|_| {}).unwrap();
    let results = &output.results;
    for metric in [SummaryMetric::BlendedScore, SummaryMetric::InitiativesDone] {
        let o = report::run::summary::outcomes(results, 1, 0, metric).expect("kept trials");
        assert_eq!(o.trials, 200);
        assert!((o.higher + o.equal + o.lower - 1.0).abs() < 1e-12);
        let positive = results.paired(1, metric).p_positive;
        assert!(
            (o.higher - positive).abs() <= 1.0 / 200.0,
            "{metric:?}: higher {} against P(difference > 0) {positive}",
            o.higher
        );
    }
    let dir = written("ties", &scenario, &output);
    let html = read(&dir.join("report.html"));
    assert!(html.contains("<th>higher</th><th>same</th><th>lower</th>"));
    assert!(summary_of(&html).contains("the same in"));
    fs::remove_dir_all(&dir).unwrap();
}

/// Ongoing work (an effort beyond the team's whole capacity over the horizon, never done)
/// takes no row of the initiatives chart; the footnote names it.
#[test]
fn ongoing_work_takes_no_row_of_the_initiatives_chart() {
    let text = format!(
        "{SCENARIO}\n[[initiatives]]\nid = \"checkout-roadmap\"\nkind = \"product\"\n\
         team = \"checkout\"\neffort = 5000\n"
    );
    let scenario = match scenario::load_str("report-test.toml", &text, Format::Toml) {
        Ok(loaded) => loaded.scenario,
        Err(e) => panic!("{e}"),
    };
    let output = run(&scenario);
    let dir = written("ongoing", &scenario, &output);
    let svg = read(&dir.join("plots/initiatives.svg"));
    assert!(svg.contains("one-click (checkout, product)"));
    assert!(
        !svg.contains("checkout-roadmap (checkout"),
        "no row for ongoing work"
    );
    assert!(svg.contains("Not shown") && svg.contains("checkout-roadmap"));
    // Fan charts name every strategy and say whose bands they show.
    let debt = read(&dir.join("plots/debt.svg"));
    assert!(debt.contains("bands:") && debt.contains("P10–P90"));
    fs::remove_dir_all(&dir).unwrap();
}
