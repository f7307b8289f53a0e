//! Reactive rules on hand-traced trials: the error budget's freeze and release, the
//! keep-the-lights-on cap's step up after k periods, and their validation errors.

use fulcrum::model::Scenario;
use fulcrum::simulate::{Outcome, PeriodMetric};

use crate::common::trial::{endless, one_trial, series};
use crate::validation::{assert_error, with};

/// The tech share each period ran at: with one endless product initiative and no tech
/// initiative, product work takes exactly (1 − s) of planned capacity.
fn shares(scenario: &Scenario, outcome: &Outcome) -> Vec<f64> {
    let m = |m| series(scenario, outcome, m);
    let (capacity, incidents, risks, product) = (
        m(PeriodMetric::EffectiveCapacity),
        m(PeriodMetric::IncidentDays),
        m(PeriodMetric::RiskDays),
        m(PeriodMetric::ProductDays),
    );
    (0..scenario.periods)
        .map(|t| 1.0 - product[t] / (capacity[t] - incidents[t] - risks[t]))
        .collect()
}

/// A team of capacity 16 without debt or incidents; certain risks of 8 days (half its
/// capacity) strike in periods 2, 3, 5, 6 and 7, one of 2 days (1/8) in period 4.
fn lights_on() -> Scenario {
    let risks: String = [(2, 8), (3, 8), (4, 2), (5, 8), (6, 8), (7, 8)]
        .iter()
        .map(|(t, impact)| {
            format!(
                "[[risks]]\nid = \"r{t}\"\nteam = \"a\"\nlikelihood = 1\n\
                 window = [{t}, {t}]\nimpact = {impact}\n"
            )
        })
        .collect();
    let cap = r#"
[[strategies]]
name = "cap"
rule = "lights_on_cap"
tech_share = 0.25
raised_share = 0.5
unplanned_share = 0.3
periods = 2
"#;
    endless(10, "capacity = 16", &(risks + cap))
}

/// Unplanned shares by period: 0, ½, ½, ⅛, ½, ½, ½, 0, 0, 0. Period t reads periods t−2 and
/// t−1 and steps up when both exceed 0.3: period 4 (2 and 3), 7 (5 and 6) and 8 (6 and 7);
/// period 3 reads 1 and 2 (0 and ½), period 5 reads 3 and 4 (½ and ⅛), period 9 reads 7 and 8
/// (½ and 0): the base share. Periods 1 and 2 have fewer than two periods behind them.
#[test]
fn the_lights_on_cap_steps_up_after_k_periods_above_its_share() {
    let scenario = lights_on();
    let outcome = &one_trial(&scenario, 0)[0];
    let unplanned = series(&scenario, outcome, PeriodMetric::RiskDays);
    assert_eq!(unplanned, [0., 8., 8., 2., 8., 8., 8., 0., 0., 0.]);
    let (base, up) = (0.25, 0.5);
    assert_eq!(
        shares(&scenario, outcome),
        [base, base, base, up, base, base, up, up, base, base]
    );
}

/// A team of capacity 64 with incidents at a constant rate (1.5 per period, no debt, so every
/// strategy sees the same incidents), each costing 1 day; the error budget allows 3 incidents
/// in any 2 periods, as counts (`incidents`), as days (`incident_days`) and in the general
/// form (`reactive`), whose shares must agree.
fn error_budget() -> Scenario {
    let rest = r#"
[incidents]
base_rate = 1.5
cost = 1
[[strategies]]
name = "budget"
rule = "error_budget"
tech_share = 0.25
incidents = 3
window = 2
[[strategies]]
name = "days"
rule = "error_budget"
tech_share = 0.25
incident_days = 3
window = 2
[[strategies]]
name = "general"
rule = "reactive"
tech_share = 0.25
raised_share = 1.0
when = { debt_above = 1e5, error_budget = { incidents = 3, window = 2 } }
"#;
    endless(12, "capacity = 64", rest)
}

/// Trial 2 (seed 1) draws the incidents pinned below. Period t reads periods t−2 and t−1:
/// p3 reads 2+2 = 4 > 3, spent: frozen (share 1) from period 3; p4–p8 read 2+2, 2+4, 4+1,
/// 1+4, 4+2, all above 3: still frozen; p9 reads 2+1 = 3, not above the budget: released;
/// p10 reads 1+2 = 3: base; p11 reads 2+2 = 4: frozen again; p12 reads 2+0: released. Periods
/// 1 and 2 read fewer periods (none, then period 1's 2).
#[test]
fn the_error_budget_freezes_feature_work_while_spent_and_releases_when_it_recovers() {
    let scenario = error_budget();
    let outcomes = one_trial(&scenario, 2);
    let incidents = series(&scenario, &outcomes[0], PeriodMetric::Incidents);
    assert_eq!(incidents, [2., 2., 2., 4., 1., 4., 2., 1., 2., 2., 0., 2.]);
    let (base, frozen) = (0.25, 1.0);
    let expected = [
        base, base, frozen, frozen, frozen, frozen, frozen, frozen, base, base, frozen, base,
    ];
    for outcome in &outcomes {
        assert_eq!(
            series(&scenario, outcome, PeriodMetric::Incidents),
            incidents
        );
        assert_eq!(shares(&scenario, outcome), expected);
    }
}

/// A strategy of BASE replaced by `strategy`.
fn strategy(fields: &str) -> String {
    with("rule = \"fixed_share\"\ntech_share = 0.2", fields)
}

#[test]
fn reactive_rules_reject_bad_fields_where_they_are() {
    let text = strategy("rule = \"error_budget\"\ntech_share = 0.2\nwindow = 4");
    let help = assert_error(
        &text,
        "[[strategies]]",
        "an error budget needs its size: `incidents` or `incident_days`",
    );
    assert!(help.unwrap().contains("incidents = 6, window = 4"));
    let text = strategy(
        "rule = \"error_budget\"\ntech_share = 0.2\nwindow = 4\nincidents = 6\nincident_days = 20",
    );
    assert_error(
        &text,
        "20",
        "an error budget counts `incidents` or `incident_days`, not both",
    );
    let text = strategy("rule = \"error_budget\"\ntech_share = 0.2\nincidents = 6\nwindow = 99");
    assert_error(
        &text,
        "99",
        "`window` must be a number of periods from 1 to 10 (the horizon), found 99",
    );
    let text = strategy(
        "rule = \"error_budget\"\ntech_share = 0.2\nincidents = 6\nwindow = 4\nfrozen_share = 1.5",
    );
    assert_error(
        &text,
        "1.5",
        "`frozen_share` must be between 0 and 1, found 1.5",
    );
    let text =
        strategy("rule = \"lights_on_cap\"\ntech_share = 0.2\nraised_share = 0.5\nperiods = 2");
    assert_error(
        &text,
        "[[strategies]]",
        "strategy `s` is missing `unplanned_share`",
    );
    let text = strategy("rule = \"reactive\"\ntech_share = 0.2\nraised_share = 0.5\nwhen = {}");
    assert_error(&text, "{}", "`when` has no trigger");
    let text = strategy(
        "rule = \"reactive\"\ntech_share = 0.2\nraised_share = 0.5\nwhen = { debt_abov = 800 }",
    );
    let help = assert_error(&text, "debt_abov", "unknown field `debt_abov` in `when`");
    assert!(help.unwrap().contains("debt_above"));
    let text = strategy(
        "rule = \"reactive\"\nraised_share = 0.5\nwhen = { unplanned_above = { share = 0.3 } }",
    );
    assert_error(
        &text,
        "[[strategies]]",
        "a `reactive` rule needs its base share: `tech_share` or `phases`",
    );
    assert_error(
        &text,
        "{ share",
        "`when.unplanned_above` is missing `periods`",
    );
    let text = strategy("rule = \"fixed_share\"\ntech_share = 0.2\nraised_share = 0.75");
    assert_error(
        &text,
        "0.75",
        "`raised_share` belongs to rules \"lights_on_cap\", \"reactive\", not \"fixed_share\"",
    );
}
