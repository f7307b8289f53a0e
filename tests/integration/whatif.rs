//! What-if tooling: sweeps move outcomes the way the model says they must, identical
//! strategies differ by exactly zero, and sensitivity finds the input that drives the outcome.

use fulcrum::pipeline;
use fulcrum::scenario::{self, Document, Format};
use fulcrum::simulate::{Settings, SummaryMetric};
use fulcrum::whatif::{sensitivity, sweep};

/// One team with constant everything: outcomes are deterministic functions of the inputs.
const ZERO_VARIANCE: &str = r#"
[scenario]
name = "flat"
periods = 12
[okrs]
blend = 0.5
[[okrs.key_results]]
id = "ship"
owner = "product"
target = 1
[[okrs.key_results]]
id = "debt-down"
owner = "technology"
metric = "debt"
below = 100
[debt]
initial = 300
interest = 0.01
accrual = 0.2
paydown_efficiency = 1
drag_max = 0.3
drag_half = 600
[incidents]
base_rate = 0
debt_sensitivity = 0
cost = 1
[[teams]]
name = "core"
engineers = 4
days_per_engineer = 8
availability = 1
[[initiatives]]
id = "feature"
kind = "product"
team = "core"
effort = 200
contributes = { ship = 1 }
[[strategies]]
name = "split"
rule = "fixed_share"
tech_share = 0.2
"#;

fn document(text: &str) -> Document {
    Document::parse("t.toml", text, Format::Toml, "t").unwrap()
}

#[test]
fn more_tech_share_never_leaves_more_debt() {
    let vary = sweep::Vary::parse("strategies.split.tech_share=0:1:11").unwrap();
    let points = sweep::run(&document(ZERO_VARIANCE), &[], &[vary], 50, 1, &|_| {}).unwrap();
    assert_eq!(points.len(), 11);
    let debt: Vec<f64> = points
        .iter()
        .map(|p| p.results.summary(0, SummaryMetric::FinalDebt).mean)
        .collect();
    for pair in debt.windows(2) {
        assert!(
            pair[1] <= pair[0],
            "final debt rose with the tech share: {debt:?}"
        );
    }
    assert!(debt[10] < debt[0], "the sweep moved nothing: {debt:?}");
    // Zero variance: every trial is the same, so the mean is the value.
    let spread = points[3].results.summary(0, SummaryMetric::FinalDebt);
    assert_eq!(spread.quantiles[0], spread.quantiles[6]);
}

#[test]
fn a_sweep_point_is_exactly_the_run_with_that_value_set() {
    let vary = sweep::Vary::parse("teams.core.engineers=3:5:3").unwrap();
    let points = sweep::run(&document(ZERO_VARIANCE), &[], &[vary], 200, 9, &|_| {}).unwrap();
    let loaded = scenario::load_str(
        "t.toml",
        &ZERO_VARIANCE.replace("engineers = 4", "engineers = 5"),
        Format::Toml,
    )
    .unwrap();
    let settings = Settings::for_run(&loaded.scenario, 200, 9);
    let direct =
        pipeline::run(&loaded.scenario, &pipeline::Options::new(settings), &|_| {}).unwrap();
    for metric in SummaryMetric::ALL {
        assert_eq!(
            points[2].results.summary(0, metric),
            direct.results.summary(0, metric),
            "{metric:?}"
        );
    }
}

#[test]
fn a_sweep_of_an_unknown_path_is_rejected_with_a_suggestion() {
    let vary = sweep::Vary::parse("teams.core.enginers=3:5:3").unwrap();
    let Err(error) = sweep::run(&document(ZERO_VARIANCE), &[], &[vary], 10, 1, &|_| {}) else {
        panic!("an unknown field must not sweep");
    };
    let sweep::SweepError::Invalid { error, .. } = error else {
        panic!("expected a validation error");
    };
    let text = error.to_string() + &format!("{error:?}");
    assert!(text.contains("engineers"), "{text}");
}

#[test]
fn identical_strategies_differ_by_exactly_zero() {
    let noisy = ZERO_VARIANCE
        .replace("effort = 200", "effort = \"100 to 300\"")
        .replace("interest = 0.01", "interest = \"0.5% to 2%\"")
        .replace("availability = 1", "availability = \"0.7 to 0.95\"")
        + "[[strategies]]\nname = \"same\"\nrule = \"fixed_share\"\ntech_share = 0.2\n";
    let scenario = scenario::load_str("t.toml", &noisy, Format::Toml)
        .unwrap()
        .scenario;
    let output = pipeline::run(
        &scenario,
        &pipeline::Options::new(Settings::for_run(&scenario, 3000, 5)),
        &|_| {},
    )
    .unwrap();
    for metric in SummaryMetric::ALL {
        let d = output.results.paired(1, metric);
        assert_eq!(d.mean, 0.0, "{metric:?}");
        assert_eq!(d.ci95, (0.0, 0.0), "{metric:?}");
    }
    // ... while the outcomes themselves do vary.
    let score = output.results.summary(0, SummaryMetric::FinalDebt);
    assert!(score.quantiles[6] > score.quantiles[0]);
}

#[test]
fn sensitivity_finds_the_input_that_drives_the_outcome() {
    // Only the feature's effort and the debt interest are uncertain; the effort spans 10x and
    // decides whether the product key result is met.
    let text = ZERO_VARIANCE
        .replace("effort = 200", "effort = \"60 to 600\"")
        .replace("interest = 0.01", "interest = \"0.9% to 1.1%\"");
    let scenario = scenario::load_str("t.toml", &text, Format::Toml)
        .unwrap()
        .scenario;
    let output = pipeline::run(
        &scenario,
        &pipeline::Options::new(Settings::for_run(&scenario, 2000, 3)),
        &|_| {},
    )
    .unwrap();
    let analyses = sensitivity::analyse(&scenario, output.policies.clone(), 3, 2000);
    let score = analyses
        .iter()
        .find(|a| a.outcome == SummaryMetric::BlendedScore)
        .unwrap();
    let top = &score.drivers[0];
    assert_eq!(top.input, "work · feature");
    // More work, lower score; with n = 2000 a rank correlation's standard error is ~0.02.
    assert!(top.rank_correlation < -0.5, "{top:?}");
    assert!(top.low > top.high);
    // Constant inputs are left out.
    assert!(
        score
            .drivers
            .iter()
            .all(|d| !d.input.starts_with("paydown"))
    );
    // Deterministic for any thread count.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let again = one.install(|| sensitivity::analyse(&scenario, output.policies.clone(), 3, 2000));
    assert_eq!(analyses, again);

    // A run that keeps its first trials gives the same analysis without running them again,
    // on any thread count.
    let keeping = Settings {
        samples: sensitivity::MAX_TRIALS,
        ..Settings::for_run(&scenario, 2000, 3)
    };
    for pool in [
        one,
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap(),
    ] {
        let kept = pool.install(|| {
            pipeline::run(&scenario, &pipeline::Options::new(keeping), &|_| {}).unwrap()
        });
        assert_eq!(kept.results.samples.trials.len(), 2000);
        let from_run = sensitivity::of_samples(&kept.results.samples, kept.policies.len());
        assert_eq!(analyses, from_run);
    }
}
