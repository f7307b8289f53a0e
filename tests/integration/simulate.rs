//! The simulator against hand-derived answers (zero-variance scenarios, exact equality), against
//! known distributions (tolerances from the Monte Carlo standard error), and its guarantees:
//! thread-count determinism and common random numbers.

use fulcrum::model::Scenario;
use fulcrum::simulate::{self, PeriodMetric, Settings, SummaryMetric};

use crate::common::trial::{at, endless, load, one_trial, policies, series};

/// One strategy, a fixed tech share of `share`.
fn fixed(share: f64) -> String {
    format!("[[strategies]]\nname = \"fixed\"\nrule = \"fixed_share\"\ntech_share = {share}\n")
}

fn run(scenario: &Scenario, trials: u64, seed: u64) -> simulate::Results {
    let names = scenario.strategies.iter().map(|s| s.name.clone()).collect();
    simulate::run(
        scenario,
        policies(scenario),
        names,
        &Settings::for_run(scenario, trials, seed),
        simulate::Trials::all(trials),
    )
}

/// Debt recursion with dyadic numbers, so every step is exact in floating point:
/// D(t+1) = 1.25·D(t) + 0.5·12 − 1·4 = 1.25·D(t) + 2, whose closed form is
/// D(t) = 1.25^t·(D0 + 8) − 8.
#[test]
fn debt_follows_the_closed_form_of_its_recursion() {
    let debt = "[debt]\ninitial = 1024\ninterest = 0.25\naccrual = 0.5\npaydown_efficiency = 1\n";
    let scenario = endless(12, "capacity = 16", &(debt.to_owned() + &fixed(0.25)));
    let outcome = &one_trial(&scenario, 0)[0];
    for t in 1..=12 {
        let closed_form = 1.25f64.powi(t as i32) * (1024.0 + 8.0) - 8.0;
        assert_eq!(
            at(&scenario, outcome, t, PeriodMetric::Debt),
            closed_form,
            "period {t}"
        );
        assert_eq!(at(&scenario, outcome, t, PeriodMetric::ProductDays), 12.0);
        assert_eq!(at(&scenario, outcome, t, PeriodMetric::PaydownDays), 4.0);
    }
}

/// With D = drag_half the drag is drag_max / 2: capacity 40 loses exactly 0.5·800/1600 = 25%.
#[test]
fn drag_reduces_capacity_by_exactly_its_formula() {
    let debt = "[debt]\ninitial = 800\ndrag_max = 0.5\ndrag_half = 800\n";
    let team = "engineers = 5\ndays_per_engineer = 8";
    let scenario = endless(3, team, &(debt.to_owned() + &fixed(0.0)));
    let outcome = &one_trial(&scenario, 0)[0];
    assert_eq!(
        at(&scenario, outcome, 1, PeriodMetric::NominalCapacity),
        40.0
    );
    assert_eq!(at(&scenario, outcome, 1, PeriodMetric::Drag), 0.25);
    assert_eq!(
        at(&scenario, outcome, 1, PeriodMetric::EffectiveCapacity),
        30.0
    );
    // Nothing pays debt down and nothing accrues: the debt, and so the drag, stay.
    assert_eq!(
        at(&scenario, outcome, 3, PeriodMetric::EffectiveCapacity),
        30.0
    );
}

/// Capacity 10, half tech. Period 1: guest (3) done, 2 product days spill to tech: api gets 7.
/// Period 2: the product budget has nothing ready (one-click waits for api) and spills; api
/// takes its last 5 and finishes; 5 days pay debt down. Period 3: one-click starts (5 of 8).
/// Period 4: one-click finishes.
const CHAIN: &str = r#"
[scenario]
periods = 6
[okrs]
blend = 1.0
[[okrs.key_results]]
id = "conversion"
owner = "product"
target = 2
deadline = 4
[debt]
initial = 100
[[teams]]
name = "a"
capacity = 10
[[initiatives]]
id = "one-click"
kind = "product"
team = "a"
effort = 8
after = ["api"]
deadline = 4
contributes = { conversion = 1 }
[[initiatives]]
id = "guest"
kind = "product"
team = "a"
effort = 3
deadline = 1
contributes = { conversion = 1 }
[[initiatives]]
id = "api"
kind = "tech"
team = "a"
effort = 12
deadline = 1
[[strategies]]
name = "50/50"
rule = "fixed_share"
tech_share = 0.5
"#;

#[test]
fn a_dependency_chain_finishes_as_derived_by_hand_with_spill_over() {
    let scenario = load(CHAIN);
    let outcome = &one_trial(&scenario, 0)[0];
    assert_eq!(outcome.finished, [4, 1, 2], "one-click, guest, api");
    let days = |t, m| at(&scenario, outcome, t, m);
    assert_eq!(days(1, PeriodMetric::ProductDays), 3.0);
    assert_eq!(days(1, PeriodMetric::TechDays), 7.0);
    assert_eq!(days(2, PeriodMetric::TechDays), 5.0);
    assert_eq!(days(2, PeriodMetric::PaydownDays), 5.0);
    assert_eq!(days(3, PeriodMetric::ProductDays), 5.0);
    assert_eq!(days(3, PeriodMetric::PaydownDays), 5.0);
    assert_eq!(days(4, PeriodMetric::ProductDays), 3.0);
    assert_eq!(days(1, PeriodMetric::Debt), 100.0);
    assert_eq!(days(2, PeriodMetric::Debt), 95.0);
    assert_eq!(days(3, PeriodMetric::Debt), 90.0);
}

#[test]
fn deadlines_are_met_or_missed_as_derived_by_hand() {
    let scenario = load(CHAIN);
    let results = run(&scenario, 50, 3);
    let by_deadline: Vec<Option<f64>> = scenario
        .initiatives
        .iter()
        .enumerate()
        .map(|(i, init)| results.initiative(0, i, init.deadline).p_by_deadline)
        .collect();
    assert_eq!(by_deadline, [Some(1.0), Some(1.0), Some(0.0)]);
    let finish = results.initiative(0, 0, Some(4)).finish;
    assert_eq!(finish, [Some(4), Some(4), Some(4)]);
    assert_eq!(results.key_result(0, 0).p_met, 1.0);
    assert_eq!(results.summary(0, SummaryMetric::BlendedScore).mean, 1.0);
    // Move the key result's deadline before one-click can finish: half the value arrives.
    let early = load(&CHAIN.replacen("deadline = 4\n[debt]", "deadline = 3\n[debt]", 1));
    let results = run(&early, 50, 3);
    assert_eq!(results.key_result(0, 0).p_met, 0.0);
    assert_eq!(results.summary(0, SummaryMetric::BlendedScore).mean, 0.5);
}

/// CHAIN's team works 3, 0, 5 and 3 product days in periods 1–4, then none (derived above): a
/// `product_work` key result counts 8 by period 3 and 11 by period 6, and judges them as a
/// metric `above` its level, from an initial level of 0.
#[test]
fn product_work_is_the_product_days_done_by_the_deadline() {
    let krs = r#"
[[okrs.key_results]]
id = "by-three"
owner = "product"
metric = "product_work"
above = 16
deadline = 3
[[okrs.key_results]]
id = "by-six"
owner = "product"
metric = "product_work"
team = "a"
above = 11
[[okrs.key_results]]
id = "by-six-more"
owner = "product"
metric = "product_work"
above = 22
[debt]"#;
    let scenario = load(&CHAIN.replacen("[debt]", krs, 1));
    let outcome = &one_trial(&scenario, 0)[0];
    assert_eq!(
        outcome.finished,
        [4, 1, 2],
        "the key results change no flow"
    );
    // conversion, then 8 of 16, 11 of 11 and 11 of 22.
    assert_eq!(outcome.attainment, [1.0, 0.5, 1.0, 0.5]);
    assert_eq!(outcome.met, [true, false, true, false]);
}

/// An initiative absorbs at most max_engineers · days_per_engineer · availability a period.
#[test]
fn max_engineers_caps_an_initiative_per_period() {
    let scenario = load(
        r#"
[scenario]
periods = 4
[[teams]]
name = "a"
engineers = 6
days_per_engineer = 8
availability = 0.75
[[initiatives]]
id = "narrow"
kind = "product"
team = "a"
effort = 30
max_engineers = 2
[[strategies]]
name = "product"
rule = "fixed_share"
tech_share = 0
"#,
    );
    let outcome = &one_trial(&scenario, 0)[0];
    assert_eq!(at(&scenario, outcome, 1, PeriodMetric::ProductDays), 12.0);
    assert_eq!(at(&scenario, outcome, 2, PeriodMetric::ProductDays), 12.0);
    assert_eq!(at(&scenario, outcome, 3, PeriodMetric::ProductDays), 6.0);
    assert_eq!(outcome.finished, [3]);
}

/// Mean incidents per period equal λ within four standard errors (sd of a Poisson mean:
/// sqrt(λ/n)).
#[test]
fn incidents_have_the_poisson_mean() {
    let scenario = load(
        r#"
[scenario]
periods = 2
[incidents]
base_rate = 2.5
cost = 0.5
[debt]
initial = 0
[[teams]]
name = "a"
capacity = 100
[[strategies]]
name = "s"
rule = "fixed_share"
tech_share = 0
"#,
    );
    let n = 40_000;
    let results = run(&scenario, n, 9);
    let incidents = results.period(0, 1, PeriodMetric::Incidents as usize);
    let se = (2.5 / n as f64).sqrt();
    assert!(
        (incidents.mean - 2.5).abs() < 4.0 * se,
        "mean {}",
        incidents.mean
    );
    let days = results.period(0, 2, PeriodMetric::IncidentDays as usize);
    assert!(
        (days.mean - 1.25).abs() < 4.0 * 0.5 * se,
        "days {}",
        days.mean
    );
}

/// Collects metric `m` of period 1 over `n` trials, exactly.
fn sample_period_one(scenario: &Scenario, n: u64, m: PeriodMetric) -> Vec<f64> {
    (0..n)
        .map(|k| at(scenario, &one_trial(scenario, k)[0], 1, m))
        .collect()
}

/// "50 to 70" is a 90% interval: 5% of draws fall below 50 and 5% above 70, within four
/// binomial standard errors.
#[test]
fn an_interval_puts_five_percent_in_each_tail() {
    let scenario =
        load("[scenario]\nperiods = 1\n[[teams]]\nname = \"a\"\ncapacity = \"50 to 70\"\n");
    let n = 20_000;
    let draws = sample_period_one(&scenario, n, PeriodMetric::NominalCapacity);
    let se = (0.05 * 0.95 / n as f64).sqrt();
    let below = draws.iter().filter(|&&x| x < 50.0).count() as f64 / n as f64;
    let above = draws.iter().filter(|&&x| x > 70.0).count() as f64 / n as f64;
    assert!((below - 0.05).abs() < 4.0 * se, "below {below}");
    assert!((above - 0.05).abs() < 4.0 * se, "above {above}");
}

/// Bootstrapped capacity takes each historical value with equal probability.
#[test]
fn capacity_samples_are_bootstrapped_uniformly() {
    let scenario = load(
        "[scenario]\nperiods = 1\n[[teams]]\nname = \"a\"\ncapacity = { samples = [3, 5, 2, 6] }\n",
    );
    let n = 20_000;
    let draws = sample_period_one(&scenario, n, PeriodMetric::NominalCapacity);
    let se = (0.25 * 0.75 / n as f64).sqrt();
    for value in [3.0, 5.0, 2.0, 6.0] {
        let share = draws.iter().filter(|&&x| x == value).count() as f64 / n as f64;
        assert!((share - 0.25).abs() < 4.0 * se, "{value}: {share}");
    }
    assert!(draws.iter().all(|x| [3.0, 5.0, 2.0, 6.0].contains(x)));
}

const EXAMPLE: &str = include_str!("../../scenarios/balanced-okrs.toml");

/// The example with its optimised strategy replaced by a fixed share (no allocator needed).
fn example_without_plan() -> Scenario {
    let text = EXAMPLE.replace(
        "rule = \"optimised\"\nmin_tech_share = 0.1\nmax_tech_share = 0.6",
        "rule = \"fixed_share\"\ntech_share = 0.45",
    );
    load(&text)
}

#[test]
fn results_are_identical_for_any_thread_count() {
    let scenario = example_without_plan();
    let render = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let results = pool.install(|| run(&scenario, 777, 5));
        [
            fulcrum::report::run::tables::summary(&results).unwrap(),
            fulcrum::report::run::tables::periods(&scenario, &results).unwrap(),
            fulcrum::report::run::tables::initiatives(&scenario, &results).unwrap(),
            fulcrum::report::run::tables::key_results(&scenario, &results).unwrap(),
            fulcrum::report::run::tables::comparison(&results).unwrap(),
        ]
    };
    let one = render(1);
    assert_eq!(one, render(2));
    assert_eq!(one, render(3));
}

#[test]
fn a_cancelled_run_stops_early_and_an_uncancelled_one_matches_run() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let scenario = example_without_plan();
    let names: Vec<String> = scenario.strategies.iter().map(|s| s.name.clone()).collect();
    let settings = Settings::for_run(&scenario, 5000, 5);
    let simulate = |cancelled: &(dyn Fn() -> bool + Sync), done: &AtomicU64| {
        let progress = |n: u64| {
            done.fetch_max(n, Ordering::Relaxed);
        };
        let trials = simulate::Trials::all(5000)
            .reporting(&progress)
            .unless(cancelled);
        simulate::run(
            &scenario,
            policies(&scenario),
            names.clone(),
            &settings,
            trials,
        )
    };
    let done = AtomicU64::new(0);
    let kept = simulate(&|| false, &done);
    assert_eq!(done.load(Ordering::Relaxed), 5000);
    let reference = run(&scenario, 5000, 5);
    assert_eq!(
        fulcrum::report::run::tables::summary(&kept).unwrap(),
        fulcrum::report::run::tables::summary(&reference).unwrap()
    );
    // Cancelled once a few chunks are done: it skips the rest and holds only what it ran.
    let done = AtomicU64::new(0);
    let stale = simulate(&|| done.load(Ordering::Relaxed) >= 256, &done);
    assert_eq!(stale.trials(), done.load(Ordering::Relaxed));
    assert!(
        done.load(Ordering::Relaxed) < 5000,
        "the remaining chunks were skipped"
    );
}

#[test]
fn identical_strategies_give_identical_rows_on_common_random_numbers() {
    let mut scenario = example_without_plan();
    let copy = fulcrum::model::Strategy {
        name: "80/20 again".into(),
        ..scenario.strategies[0].clone()
    };
    scenario.strategies.push(copy);
    let results = run(&scenario, 500, 8);
    let last = scenario.strategies.len() - 1;
    for metric in SummaryMetric::ALL {
        assert_eq!(
            results.summary(0, metric),
            results.summary(last, metric),
            "{metric:?}"
        );
        let d = results.paired(last, metric);
        assert!(d.mean == 0.0 || d.mean.is_nan(), "{metric:?}");
        assert!(d.ci95.0 == 0.0 || d.ci95.0.is_nan());
    }
    // A different strategy sees the same world: its differences are tighter than the spread.
    let d = results.paired(1, SummaryMetric::FinalDebt);
    let spread = results.summary(0, SummaryMetric::FinalDebt);
    assert!(d.ci95.1 - d.ci95.0 < (spread.at(0.9) - spread.at(0.1)) / 10.0);
}

/// Work never exceeds capacity, debt is never negative, every day is accounted for.
#[test]
fn every_day_of_capacity_is_accounted_for() {
    let scenario = example_without_plan();
    for trial in 0..50 {
        for outcome in one_trial(&scenario, trial) {
            for t in 1..=scenario.periods {
                let m = |m| at(&scenario, &outcome, t, m);
                let used = m(PeriodMetric::IncidentDays)
                    + m(PeriodMetric::RiskDays)
                    + m(PeriodMetric::ProductDays)
                    + m(PeriodMetric::TechDays)
                    + m(PeriodMetric::PaydownDays)
                    + m(PeriodMetric::IdleDays);
                let capacity = m(PeriodMetric::EffectiveCapacity);
                assert!(
                    (used - capacity).abs() < 1e-9 * capacity.max(1.0),
                    "t={t}: {used} vs {capacity}"
                );
                assert!(m(PeriodMetric::Debt) >= 0.0);
                assert!((0.0..1.0).contains(&m(PeriodMetric::Drag)));
                assert!(capacity <= m(PeriodMetric::NominalCapacity) * 1.2);
            }
        }
    }
}

/// Hires ramp in linearly, events add and remove engineers or capacity, a certain risk strikes
/// in its window.
#[test]
fn headcount_events_and_risks_follow_the_scenario() {
    let scenario = load(
        r#"
[scenario]
periods = 6
[[teams]]
name = "a"
engineers = 4
days_per_engineer = 10
hires = [{ period = 3, engineers = 2 }]
ramp_periods = 2
[[risks]]
id = "audit"
team = "a"
likelihood = 1.0
window = [2, 2]
impact = 5
[[events]]
team = "a"
periods = [5]
engineers = -2
[[events]]
team = "a"
periods = [6]
capacity = "-50%"
"#,
    );
    let outcome = &one_trial(&scenario, 0)[0];
    let series = |m| series(&scenario, outcome, m);
    assert_eq!(
        series(PeriodMetric::Engineers),
        [4.0, 4.0, 5.0, 6.0, 4.0, 6.0]
    );
    assert_eq!(
        series(PeriodMetric::NominalCapacity),
        [40.0, 40.0, 50.0, 60.0, 40.0, 30.0]
    );
    assert_eq!(
        series(PeriodMetric::RiskDays),
        [0.0, 5.0, 0.0, 0.0, 0.0, 0.0]
    );
}

/// Attrition thins the team binomially: E[N(t)] = N0 · (1 − h)^(t − 1) with the per-period
/// hazard h = 1 − (1 − annual)^(1 / periods per year); within four standard errors.
#[test]
fn attrition_thins_the_team_at_its_annual_rate() {
    let scenario = load(
        "[scenario]\nperiods = 27\nperiod = \"2w\"\n[[teams]]\nname = \"a\"\nengineers = 20\nattrition = \"50%\"\n",
    );
    let n = 4000;
    let results = run(&scenario, n, 4);
    let per_year = 365.25 / 14.0;
    let h: f64 = 1.0 - 0.5f64.powf(1.0 / per_year);
    // After 26 periods (one year less a day) about half the team is left.
    let expected = 20.0 * (1.0 - h).powi(26);
    let last = results.period(0, 27, PeriodMetric::Engineers as usize);
    let p = (1.0 - h).powi(26);
    let se = (20.0 * p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (last.mean - expected).abs() < 4.0 * se,
        "{} vs {expected}",
        last.mean
    );
}
