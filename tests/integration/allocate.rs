//! The allocator against small programs solved by hand, its infeasibility messages, and its
//! promise checked by the simulator: the optimised plan beats or ties fixed shares.

use fulcrum::allocate::{self, Bound, Guardrails, Marginal, PlanError};
use fulcrum::model::{Rule, Scenario};
use fulcrum::pipeline;
use fulcrum::scenario;
use fulcrum::simulate::{Settings, SummaryMetric};

use crate::common::trial::load;

/// One team of one engineer with 10 days a period, no debt, no incidents; `rest` adds key
/// results and initiatives. Horizons beyond 20 years of two-week periods (the longest a
/// scenario may have) are in weeks, with the same 10 days a period from two engineers of 5.
fn tiny(periods: usize, blend: f64, rest: &str) -> Scenario {
    let (period, staff) = if periods > 521 {
        ("1w", "engineers = 2\ndays_per_engineer = 5")
    } else {
        ("2w", "engineers = 1\ndays_per_engineer = 10")
    };
    load(&format!(
        r#"
[scenario]
name = "tiny"
periods = {periods}
period = "{period}"
[okrs]
blend = {blend}
[debt]
initial = 0
interest = 0
accrual = 0
paydown_efficiency = 1
drag_max = 0
drag_half = 1
[incidents]
base_rate = 0
debt_sensitivity = 0
cost = 1
[[teams]]
name = "core"
{staff}
availability = 1
{rest}
"#
    ))
}

const OPEN: Guardrails = Guardrails {
    min_tech_share: 0.0,
    max_tech_share: 1.0,
};

fn days_on(allocation: &allocate::Allocation, initiative: usize) -> f64 {
    allocation
        .work
        .iter()
        .filter(|w| w.initiative == Some(initiative))
        .map(|w| w.days)
        .sum()
}

fn marginal(allocation: &allocate::Allocation, of: &Marginal) -> f64 {
    allocation
        .marginal_values
        .iter()
        .find(|mv| &mv.of == of)
        .map(|mv| mv.value)
        .unwrap_or_else(|| panic!("no marginal value for {of:?}"))
}

/// Two product key results of weights 2 and 1, each met by one 10-day initiative; one period
/// of 10 days can finish only one of them.
const SCARCE: &str = r#"
[[okrs.key_results]]
id = "big"
owner = "product"
target = 1
weight = 2
[[okrs.key_results]]
id = "small"
owner = "product"
target = 1
weight = 1
[[initiatives]]
id = "for-small"
kind = "product"
team = "core"
effort = 10
contributes = { small = 1 }
[[initiatives]]
id = "for-big"
kind = "product"
team = "core"
effort = 10
contributes = { big = 1 }
"#;

#[test]
fn the_scarce_capacity_goes_to_the_heavier_key_result() {
    let scenario = tiny(1, 1.0, SCARCE);
    let allocation = allocate::allocate(&scenario, &OPEN, allocate::MarginalValues::All).unwrap();
    assert!(
        (days_on(&allocation, 1) - 10.0).abs() < 1e-6,
        "{allocation:?}"
    );
    assert!(days_on(&allocation, 0) < 1e-6);
    // Only the weight-2 result of 3 is met.
    assert!((allocation.expected_score - 2.0 / 3.0).abs() < 1e-6);
    assert_eq!(
        allocation.plan.order[0], 1,
        "the plan's order leads with it"
    );
}

#[test]
fn an_engineer_day_is_worth_the_next_key_result_per_day() {
    // With `for-big` done, the next day goes to `for-small`: 1/3 of the score for 10 days.
    let scenario = tiny(1, 1.0, SCARCE);
    let allocation = allocate::allocate(&scenario, &OPEN, allocate::MarginalValues::All).unwrap();
    let day = marginal(&allocation, &Marginal::TeamHorizon { team: 0 });
    assert!((day - 1.0 / 30.0).abs() < 1e-6, "value {day}");
    // The plan sits on a corner (capacity and `for-big`'s work both exhausted): the dual may
    // be anything between the next day's value and the last day's.
    let dual = marginal(&allocation, &Marginal::Capacity { team: 0, period: 1 });
    assert!(
        (1.0 / 30.0 - 1e-4..=2.0 / 30.0 + 1e-4).contains(&dual),
        "dual {dual}"
    );
    // One more engineer = 10 more days: `for-small` gets finished too.
    let engineer = marginal(&allocation, &Marginal::Engineer { team: 0 });
    assert!((engineer - 1.0 / 3.0).abs() < 1e-6, "engineer {engineer}");
}

#[test]
fn a_min_tech_share_costs_the_difference_in_value_per_day() {
    // Product days are worth 0.8/10 each, tech days 0.2/10; a 50% tech floor moves 5 days.
    let scenario = tiny(
        1,
        0.8,
        r#"
[[okrs.key_results]]
id = "feature"
owner = "product"
target = 1
[[okrs.key_results]]
id = "platform"
owner = "technology"
target = 1
[[initiatives]]
id = "ship"
kind = "product"
team = "core"
effort = 10
contributes = { feature = 1 }
[[initiatives]]
id = "upgrade"
kind = "tech"
team = "core"
effort = 10
contributes = { platform = 1 }
"#,
    );
    let open = allocate::allocate(&scenario, &OPEN, allocate::MarginalValues::All).unwrap();
    assert!((days_on(&open, 0) - 10.0).abs() < 1e-6);
    assert!((open.expected_score - 0.8).abs() < 1e-6);

    let floor = Guardrails {
        min_tech_share: 0.5,
        max_tech_share: 1.0,
    };
    // Half the days cannot finish `ship`: the plan finishes `upgrade` instead.
    let guarded = allocate::allocate(&scenario, &floor, allocate::MarginalValues::All).unwrap();
    assert!(days_on(&guarded, 0) < 1e-6, "{guarded:?}");
    assert!((days_on(&guarded, 1) - 10.0).abs() < 1e-6);
    assert!((guarded.expected_score - 0.2).abs() < 1e-6);
    assert_eq!(guarded.plan.share(0, 1), 1.0);
    // In the relaxation each day moved from product to tech loses 0.08 − 0.02.
    let cost = marginal(
        &guarded,
        &Marginal::Guardrail {
            team: 0,
            period: 1,
            bound: Bound::Min,
        },
    );
    assert!((cost - 0.06).abs() < 1e-4, "cost {cost}");
}

#[test]
fn an_impossible_deadline_is_explained_in_engineer_days() {
    let scenario = tiny(
        2,
        1.0,
        r#"
[[initiatives]]
id = "migration"
kind = "tech"
team = "core"
effort = 100
deadline = 2
must_finish = true
"#,
    );
    let Err(PlanError::Infeasible(why)) =
        allocate::allocate(&scenario, &OPEN, allocate::MarginalValues::All)
    else {
        panic!("a 100-day job cannot fit in 20 days");
    };
    let text = why.lines.join("\n");
    assert!(
        text.contains(
            "`migration` (team core) must finish by period 2 but falls 80.0 engineer-days short"
        ),
        "{text}"
    );
}

#[test]
fn a_guardrail_that_blocks_a_deadline_is_named() {
    // 10 days of tech work due in period 1, but tech may take only half of the 10 days.
    let scenario = tiny(
        1,
        1.0,
        r#"
[[initiatives]]
id = "patch"
kind = "tech"
team = "core"
effort = 10
deadline = 1
must_finish = true
"#,
    );
    let capped = Guardrails {
        min_tech_share: 0.0,
        max_tech_share: 0.5,
    };
    // Without product work the max guardrail would spill; give product something to do.
    let mut scenario = scenario;
    let mut product = scenario.initiatives[0].clone();
    product.id = "feature".into();
    product.kind = fulcrum::model::Kind::Product;
    product.must_finish = false;
    product.deadline = None;
    scenario.initiatives.push(product);
    let Err(PlanError::Infeasible(why)) =
        allocate::allocate(&scenario, &capped, allocate::MarginalValues::All)
    else {
        panic!("the max tech share leaves only 5 days for a 10-day deadline");
    };
    let text = why.lines.join("\n");
    assert!(text.contains("falls 5.0 engineer-days short"), "{text}");
    assert!(
        text.contains("the tech-share guardrails [0, 0.5] account for 5.0"),
        "{text}"
    );
}

/// A product-work key result is linear in the plan's work: 30 days over three periods, a tech
/// key result met by a 10-day migration (worth 0.5) and product work valued up to 40 days
/// (0.5 at 40). The migration and 20 product days score 0.5 + 0.5·20/40 = 0.75, more than
/// product work alone (0.5·30/40); the simulator, executing the plan in this world without
/// uncertainty, counts the same 20 days.
#[test]
fn the_plans_product_work_is_the_simulators() {
    let scenario = tiny(
        3,
        0.5,
        r#"
[[okrs.key_results]]
id = "features"
owner = "product"
metric = "product_work"
above = 40
[[okrs.key_results]]
id = "platform"
owner = "technology"
target = 1
[[initiatives]]
id = "migrate"
kind = "tech"
team = "core"
effort = 10
contributes = { platform = 1 }
[[initiatives]]
id = "ongoing"
kind = "product"
team = "core"
effort = 1000
"#,
    );
    let allocation =
        allocate::allocate(&scenario, &OPEN, allocate::MarginalValues::DualsOnly).unwrap();
    assert!(
        (allocation.key_results[0] - 0.5).abs() < 1e-6,
        "{allocation:?}"
    );
    assert!((allocation.expected_score - 0.75).abs() < 1e-6);
    assert!((days_on(&allocation, 1) - 20.0).abs() < 1e-6);
    let policy = fulcrum::simulate::Policy::of_plan(&allocation.plan);
    let settings = Settings::for_run(&scenario, 4, 1);
    let results = fulcrum::simulate::run(
        &scenario,
        vec![policy],
        vec!["plan".into()],
        &settings,
        fulcrum::simulate::Trials::all(4),
    );
    let simulated = results.key_result(0, 0).attainment.mean;
    assert!(
        (simulated - allocation.key_results[0]).abs() < 1e-9,
        "simulated {simulated}, planned {}",
        allocation.key_results[0]
    );
    assert_eq!(results.key_result(0, 1).p_met, 1.0, "the migration is done");
}

/// Expected blended score of strategy `a` minus strategy `b`'s, paired on common random
/// numbers: (mean, half-width of the 95% interval).
fn paired(scenario: &Scenario, a: usize, b: usize, trials: u64) -> (f64, f64) {
    let mut two = scenario.clone();
    two.strategies = vec![
        scenario.strategies[b].clone(),
        scenario.strategies[a].clone(),
    ];
    let settings = Settings::for_run(&two, trials, 7);
    let output = pipeline::run(&two, &pipeline::Options::new(settings), &|_| {}).unwrap();
    let d = output.results.paired(1, SummaryMetric::BlendedScore);
    (d.mean, d.ci95.1 - d.mean)
}

#[test]
fn the_optimised_plan_beats_or_ties_fixed_shares_on_every_example() {
    let mut checked = 0;
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        let scenario = scenario::load(&path, &[]).unwrap().scenario;
        let Some(optimised) = scenario
            .strategies
            .iter()
            .position(|s| matches!(s.rule, Rule::Optimised { .. }))
        else {
            continue;
        };
        for (f, fixed) in scenario.strategies.iter().enumerate() {
            if !matches!(fixed.rule, Rule::FixedShare { .. }) {
                continue;
            }
            let (mean, half) = paired(&scenario, optimised, f, 1000);
            // "Ties" allows the difference to sit within its own Monte Carlo error.
            assert!(
                mean >= -half,
                "{}: optimised trails `{}` by {mean:.4} ± {half:.4}",
                path.display(),
                fixed.name
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} comparisons");
}

#[test]
fn large_programs_take_the_interior_point_path_to_the_same_answer() {
    // 700 periods make the program larger than the simplex takes; the key results are still
    // due in period 1, where only one of the two initiatives fits.
    let text = SCARCE
        .replace("weight = 2\n", "weight = 2\ndeadline = 1\n")
        .replace("weight = 1\n", "weight = 1\ndeadline = 1\n");
    let scenario = tiny(700, 1.0, &text);
    let allocation = allocate::allocate(&scenario, &OPEN, allocate::MarginalValues::All).unwrap();
    assert!(
        (allocation.expected_score - 2.0 / 3.0).abs() < 1e-4,
        "{}",
        allocation.expected_score
    );
    let first: f64 = allocation
        .work
        .iter()
        .filter(|w| w.initiative == Some(1) && w.period == 1)
        .map(|w| w.days)
        .sum();
    assert!(
        (first - 10.0).abs() < 1e-3,
        "for-big gets period 1: {first}"
    );
    assert_eq!(allocation.plan.order[0], 1);
}

#[test]
fn large_programs_hold_one_work_variable_per_initiative_and_period() {
    // Two initiatives, one team, two delivery key results: 2 work + 4 team variables per
    // period, 2 attainments and 2 finishing decisions. Large programs hold cumulative work
    // instead of per-period days, not both.
    let count = |periods: usize| {
        let scenario = tiny(periods, 1.0, SCARCE);
        allocate::program_size(&scenario, &OPEN)
    };
    let small = count(100);
    assert!(!small.large);
    assert_eq!(small.variables, 6 * 100 + 2 + 2);
    assert_eq!(small.decisions, 2);
    // 6 · 417 = 2,502 > 2,500: the interior-point path, with the same variables.
    let large = count(417);
    assert!(large.large);
    assert_eq!(large.variables, 6 * 417 + 2 + 2);
    assert!(!count(416).large);
}
