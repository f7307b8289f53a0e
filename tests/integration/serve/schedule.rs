//! The split in words on serve's page, and a `schedule` strategy's sliders: each phase's
//! tech share and switch point, read from the file as written and moved with `--set`.

use fulcrum::serve::shapes::{Answer, Control, ControlKind, Stage, StrategyAnswer};

use super::{answer, app_with, errors};

const SCHEDULE: &str = "tests/data/answer/schedule.toml";

fn strategy<'a>(a: &'a Answer, name: &str) -> &'a StrategyAnswer {
    a.strategies.iter().find(|s| s.name == name).unwrap()
}

fn control(controls: &[Control], path: &str) -> Control {
    controls
        .iter()
        .find(|c| c.path == path)
        .unwrap_or_else(|| panic!("no control {path}"))
        .clone()
}

#[test]
fn the_answer_states_each_strategy_s_split_per_team_and_what_it_buys() {
    let app = app_with(SCHEDULE, 400, 200, 2);
    let a = answer(&app, &[], Stage::Full);
    // Two-week periods from Monday 2027-01-04: period 4 ends 2027-02-28 and 31 March falls in
    // period 7 (2027-03-29 to 2027-04-11), so `until = 2027-03-31` holds through period 7.
    assert_eq!(
        strategy(&a, "phased").split,
        [
            "checkout 40% tech through 2027-04-11 (period 7), then 20%",
            "integrations 10% tech through 2027-02-28 (period 4), then 30%"
        ]
    );
    assert_eq!(
        strategy(&a, "80/20").split,
        ["every team 20% tech throughout"]
    );
    for s in &a.strategies {
        let buys = s.buys.as_deref().unwrap();
        // The key result's chance as the table has it, and the deadline initiative's P85.
        let slot = a.strategies.iter().position(|x| x.name == s.name).unwrap();
        let p = a.key_results[0].by_strategy[slot].unwrap().p_met;
        let chance = fulcrum::words::numbers::percent(p);
        assert!(
            buys.starts_with(&format!("It buys: debt-down met {chance} [")),
            "{buys} (p_met {p})"
        );
        assert!(
            buys.contains("one-click, due 2027-03-28 (period 6), "),
            "{buys}"
        );
        assert!(buys.contains("engineer-days (P50)."), "{buys}");
    }
}

#[test]
fn a_schedule_has_a_slider_per_phase_share_and_switch_point() {
    let app = app_with(SCHEDULE, 400, 200, 2);
    let info = &app.info;
    let group = info
        .groups
        .iter()
        .find(|g| g.title == "Strategy phased")
        .expect("the schedule's group");
    let paths: Vec<&str> = group.controls.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "strategies.phased.phases.0.tech_share",
            "strategies.phased.phases.0.until",
            "strategies.phased.phases.1.tech_share",
            "strategies.phased.team_phases.integrations.0.tech_share",
            "strategies.phased.team_phases.integrations.0.until",
            "strategies.phased.team_phases.integrations.1.tech_share",
        ]
    );
    // The file's values: a date read as the period it falls in, a period as written.
    let until = control(&group.controls, "strategies.phased.phases.0.until");
    assert_eq!(
        (until.kind, until.value.as_u64()),
        (ControlKind::Period, Some(7))
    );
    // A phase before the last ends in period 1 at the earliest, 7 (of 8) at the latest.
    assert_eq!((until.min, until.max, until.step), (1.0, 7.0, 1.0));
    assert_eq!(until.label, "checkout, phase 1: last period");
    let share = control(
        &group.controls,
        "strategies.phased.team_phases.integrations.1.tech_share",
    );
    assert_eq!(
        (share.kind, share.value.as_f64()),
        (ControlKind::Share, Some(0.3))
    );
    assert_eq!(share.label, "integrations, phase 2: tech share");
}

#[test]
fn moving_a_phase_slider_changes_that_strategy_and_its_split_only() {
    let app = app_with(SCHEDULE, 400, 200, 2);
    let file = answer(&app, &[], Stage::Full);
    let moved = answer(
        &app,
        &["strategies.phased.phases.0.tech_share=0.6"],
        Stage::Full,
    );
    let (before, after) = (strategy(&file, "phased"), strategy(&moved, "phased"));
    assert_eq!(
        after.split[0],
        "checkout 60% tech through 2027-04-11 (period 7), then 20%"
    );
    assert_eq!(after.split[1], before.split[1]);
    // More tech work pays more debt down: final debt falls, measured against the file's run
    // on the same trials, beyond its 95% interval.
    let debt = after.versus_file.as_ref().unwrap().final_debt;
    assert!(debt.high < 0.0, "{debt:?}");
    assert_ne!(after.buys, before.buys);
    // The other strategy is the file's, untouched.
    let other = strategy(&moved, "80/20");
    assert_eq!(other.versus_file.as_ref().unwrap().blended.mean, 0.0);
    assert_eq!(other.buys, strategy(&file, "80/20").buys);

    // The switch point moves the phase's end.
    let earlier = answer(&app, &["strategies.phased.phases.0.until=3"], Stage::Full);
    let phased = strategy(&earlier, "phased");
    assert_eq!(
        phased.split[0],
        "checkout 40% tech through 2027-02-14 (period 3), then 20%"
    );
    assert!(phased.versus_file.as_ref().unwrap().final_debt.low > 0.0);
    // Beyond the slider's range the compiler refuses it, pointing at the `--set`.
    let refused = errors(&app, &["strategies.phased.phases.0.until=9"]);
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].0, Some(0));
    assert!(
        refused[0]
            .1
            .contains("`until` must be a period from 1 to 8, found 9"),
        "{}",
        refused[0].1
    );
}
