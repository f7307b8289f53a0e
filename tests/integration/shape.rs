//! Why the policy has its shape: a sharp move of a schedule is explained by what it buys
//! against the policy with the move flattened, on the same trials (optimise/shape.rs), in
//! `plan`'s and `run`'s words, `shape.csv` and `plan --json`.

use fulcrum::allocate::Guardrails;
use fulcrum::optimise::{effects, shape};
use fulcrum::pipeline;
use fulcrum::simulate::Settings;
use fulcrum::simulate::policy::{Policy, Share};

use crate::common::trial::load;
use crate::common::{fulcrum, scratch, text};

/// One team: a launch due in period 6 needs about two thirds of its capacity until then, and
/// debt must get from 300 below 150 by period 12. Nothing values product work after the
/// launch, so the plan moves tech to its cap for the second half: the move that pays the debt
/// down.
const LAUNCH_THEN_DEBT: &str = r#"
[scenario]
name = "launch-then-debt"
periods = 12
period = "2w"
trials = 2000
seed = 7
[okrs]
blend = 0.5
[[okrs.key_results]]
id = "launch"
owner = "product"
target = 1
deadline = 6
[[okrs.key_results]]
id = "debt-down"
owner = "technology"
metric = "debt"
below = 150
deadline = 12
[debt]
initial = 300
interest = 0
accrual = "0.1 to 0.2"
paydown_efficiency = "0.8 to 1.0"
drag_max = 0.2
drag_half = 1000
[incidents]
base_rate = 0.5
debt_sensitivity = 0
cost = "1 to 3"
[[teams]]
name = "core"
engineers = 5
days_per_engineer = 10
availability = "0.85 to 0.95"
[[initiatives]]
id = "launch"
kind = "product"
team = "core"
effort = "150 to 200"
deadline = 6
contributes = { launch = 1 }
[[initiatives]]
id = "ongoing"
kind = "product"
team = "core"
effort = 5000
[[strategies]]
name = "optimised"
rule = "optimised"
min_tech_share = 0.1
max_tech_share = 0.6
"#;

const GUARDRAILS: Guardrails = Guardrails {
    min_tech_share: 0.1,
    max_tech_share: 0.6,
};

/// A hand-written schedule, 30% tech until the launch and 60% after: the one move is to the
/// cap, and against 30% throughout it raises debt-down's chance and lowers final debt, while
/// the launch (judged in period 6, before the move) is untouched, on the very same trials.
#[test]
fn a_move_to_the_cap_is_explained_by_the_key_result_it_buys() {
    let scenario = load(LAUNCH_THEN_DEBT);
    let mut shares = vec![0.3; 6];
    shares.extend([0.6; 6]);
    let policy = Policy::by_priority(Share::Schedule(vec![shares]));
    let (seed, trials) = (7, 1000);
    let base = effects::side(&scenario, &policy, (seed, trials));
    let whys = shape::explain(&scenario, &policy, &GUARDRAILS, &base, (seed, trials));
    assert_eq!(whys.len(), 1, "{whys:?}");
    let why = &whys[0];
    assert_eq!((why.moved.phase.first, why.moved.phase.last), (7, 12));
    assert_eq!(why.moved.from, 0.3);
    assert!(why.moved.to_guardrail);
    let [launch, debt_down] = [&why.effects.key_results[0], &why.effects.key_results[1]];
    assert_eq!(launch.change(), 0.0, "the launch is judged before the move");
    assert!(
        debt_down.low > 0.0,
        "the move raises debt-down's chance beyond noise: {debt_down:?}"
    );
    assert!(
        why.effects.final_debt.high < 0.0,
        "{:?}",
        why.effects.final_debt
    );
    // The flattened side is the policy at 30% throughout, simulated on the same trials.
    let flat = Policy::by_priority(Share::Fixed(0.3));
    let same = effects::side(&scenario, &flat, (seed, trials));
    let direct = effects::between(&scenario, &same, &base);
    assert_eq!(direct, why.effects);
}

/// The plan found for the scenario moves to its cap after the launch, and `plan` says why:
/// the line names the move and debt-down's chance rising; `shape.csv` and `plan --json` hold
/// the same move.
#[test]
fn plan_says_why_the_policy_moves_to_its_cap() {
    let scenario = load(LAUNCH_THEN_DEBT);
    let options = pipeline::Options::new(Settings::for_run(&scenario, 2000, 7));
    let plans = pipeline::plan_all(&scenario, &options, &|_| {}).unwrap();
    let plan = &plans[0];
    let first = plan
        .shape
        .first()
        .unwrap_or_else(|| panic!("no sharp move in {:?}", plan.found.candidate.policy.share));
    let at_cap = |share: f64| (share - 0.6).abs() < 1e-6;
    assert!(at_cap(first.moved.phase.tech_share), "{:?}", plan.shape);
    assert!(first.moved.phase.first > 4, "{:?}", first.moved);
    assert!(first.effects.key_results[1].change() > 0.0, "{first:?}");
    assert!(first.effects.final_debt.change() < 0.0, "{first:?}");

    let dir = scratch("shape-plan");
    std::fs::write(dir.join("s.toml"), LAUNCH_THEN_DEBT).unwrap();
    let out = fulcrum(&["plan", "s.toml", "--out", "out"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let why = stdout
        .lines()
        .find(|l| {
            l.trim_start()
                .starts_with("Why core at 60% tech (the maximum)")
        })
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(why.contains("debt-down "), "{why}");
    let csv = std::fs::read_to_string(dir.join("out/shape.csv")).unwrap();
    let mut rows = csv.lines();
    assert!(
        rows.next()
            .unwrap()
            .starts_with("strategy,team,first_period,")
    );
    assert!(rows.next().unwrap().starts_with("optimised,core,"), "{csv}");

    let out = fulcrum(&["plan", "s.toml", "--out", "out2", "--json"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let moved = &json["plans"][0]["shape"][0];
    assert_eq!(moved["team"], "core");
    assert!(at_cap(moved["tech_share"].as_f64().unwrap()), "{moved}");
    assert!(moved["effects"]["key_results"]["debt-down"]["after"].is_number());
}
