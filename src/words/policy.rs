//! A policy's split in the leader's words, for every medium (terminal, report, `serve`'s
//! page): each team's tech share by phase in one sentence ("web 10% tech through 2027-03-28
//! (period 6), then 60%"), and what the split buys (each key result's chance, the P85 finish
//! of initiatives with a deadline, final debt). The phases are [`Policy::phases`].

use crate::model::reactive::{Budgeted, Reactive, Trigger};
use crate::model::{Phase, Scenario, phases_of};
use crate::simulate::policy::{Policy, Share};
use crate::simulate::{Results, SummaryMetric};

use super::numbers::{Unit, amount, grouped, percent_with_interval, proportion_ci95, share};

/// Initiatives named in what a split buys, at most (those with a deadline, by deadline).
const DEADLINES_NAMED: usize = 4;

/// The end of period `t` for a sentence: `2027-03-28 (period 6)`, or `period 6` without a
/// start date.
fn when(scenario: &Scenario, t: usize) -> String {
    match scenario.period_end_date(t) {
        Some(date) => format!("{date} (period {t})"),
        None => format!("period {t}"),
    }
}

/// One team's phases in words: `60% tech throughout`, or `10% tech through 2027-03-28
/// (period 6), 30% through 2027-05-09 (period 9), then 60%`.
pub fn phases_in_words(scenario: &Scenario, phases: &[Phase]) -> String {
    let pct = |p: &Phase| share(p.tech_share);
    match phases {
        [] => "–".into(),
        [only] => format!("{} tech throughout", pct(only)),
        [first, middle @ .., last] => {
            let mut parts = vec![format!(
                "{} tech through {}",
                pct(first),
                when(scenario, first.last)
            )];
            for p in middle {
                parts.push(format!("{} through {}", pct(p), when(scenario, p.last)));
            }
            parts.push(format!("then {}", pct(last)));
            parts.join(", ")
        }
    }
}

/// The split in words, one clause per team (one for all when every team has the same phases):
/// `web 10% tech through 2027-03-28 (period 6), then 60%; platform 60% tech throughout`.
pub fn in_words(scenario: &Scenario, policy: &Policy) -> String {
    clauses(scenario, policy).join("; ")
}

/// [`in_words`] clause by clause: one per team, or one for every team when all have the same
/// phases; a debt ceiling, whose share follows the debt rather than the calendar, is one.
pub fn clauses(scenario: &Scenario, policy: &Policy) -> Vec<String> {
    let Some(teams) = policy.phases(scenario) else {
        // A debt ceiling's share follows the debt: its rule is the whole story.
        let rule = match &policy.share {
            Share::DebtCeiling {
                ceiling,
                above,
                below,
            } => format!(
                "{} tech while a team's debt is above {ceiling:.0}, else {}",
                share(*above),
                share(*below)
            ),
            Share::Reactive(rule) => {
                return vec![format!(
                    "by each team's state, not only the calendar: {}",
                    reactive_in_words(scenario, rule)
                )];
            }
            _ => String::new(),
        };
        return vec![format!("by each team's debt, not the calendar: {rule}")];
    };
    let same = teams.windows(2).all(|w| w[0] == w[1]);
    if same && teams.len() > 1 {
        vec![format!(
            "every team {}",
            phases_in_words(scenario, &teams[0])
        )]
    } else {
        scenario
            .teams
            .iter()
            .zip(&teams)
            .map(|(team, phases)| format!("{} {}", team.name, phases_in_words(scenario, phases)))
            .collect()
    }
}

/// A reactive rule in words: `20% tech throughout; 100% while a team's error budget is
/// spent (more than 6 incidents in its last 4 periods)`.
pub fn reactive_in_words(scenario: &Scenario, rule: &Reactive) -> String {
    let n = scenario.periods;
    let teams: Vec<Vec<Phase>> = rule.base.iter().map(|s| phases_of(s, n)).collect();
    let base = if teams.windows(2).all(|w| w[0] == w[1]) {
        teams
            .first()
            .map_or_else(String::new, |p| phases_in_words(scenario, p))
    } else {
        let (lo, hi) = crate::model::share_range(&rule.base);
        format!("{}–{} tech by team and phase", share(lo), share(hi))
    };
    let unit = Unit::of_scenario(scenario).long();
    let when: Vec<String> = rule
        .when
        .iter()
        .map(|w| trigger_in_words(w, unit))
        .collect();
    format!("{base}; {} while {}", share(rule.raised), when.join(" or "))
}

/// One trigger of a reactive rule in words, `unit` the unit of debt and incident days.
fn trigger_in_words(trigger: &Trigger, unit: &str) -> String {
    let periods = |n: usize| {
        if n == 1 {
            "period".to_string()
        } else {
            format!("{n} periods")
        }
    };
    // Budgets are often whole: `6 incidents`, but `2.5 incidents` when written so.
    let number = |x: f64| grouped(x, usize::from(x.fract() != 0.0));
    match *trigger {
        Trigger::DebtAbove(x) => format!("a team's debt is above {}", amount(x, unit)),
        Trigger::ErrorBudget {
            measure,
            allowance,
            window,
        } => {
            let what = match measure {
                Budgeted::Incidents => format!("{} incidents", number(allowance)),
                Budgeted::IncidentDays => format!("{} {unit} of incidents", number(allowance)),
            };
            format!(
                "a team's error budget is spent (more than {what} in its last {})",
                periods(window)
            )
        }
        Trigger::UnplannedAbove {
            share: cap,
            periods: k,
        } => format!(
            "a team's unplanned work has been above {} of its capacity for {} running",
            share(cap),
            if k == 1 {
                "a period".to_string()
            } else {
                format!("{k} periods")
            }
        ),
    }
}

/// What strategy `s` buys, in one sentence: each key result's chance of being met with its
/// 95% interval, the P85 finish of the initiatives with a deadline, and final debt (P50).
pub fn buys(scenario: &Scenario, results: &Results, s: usize) -> String {
    let n = results.trials();
    let mut parts: Vec<String> = scenario
        .key_results
        .iter()
        .enumerate()
        .map(|(k, kr)| {
            let p = results.key_result(s, k).p_met;
            format!(
                "{} met {}",
                kr.id,
                percent_with_interval(p, proportion_ci95(p, n))
            )
        })
        .collect();
    let mut due: Vec<(usize, usize)> = scenario
        .initiatives
        .iter()
        .enumerate()
        .filter_map(|(i, init)| init.deadline.map(|d| (d, i)))
        .collect();
    due.sort_unstable();
    for &(deadline, i) in due.iter().take(DEADLINES_NAMED) {
        let stats = results.initiative(s, i, Some(deadline));
        let p85 = match stats.finish[1] {
            Some(t) => format!("done by {} at P85", when(scenario, t)),
            None => "not done within the horizon at P85".into(),
        };
        parts.push(format!(
            "{}, due {}, {p85}",
            scenario.initiatives[i].id,
            when(scenario, deadline)
        ));
    }
    let debt = results.summary(s, SummaryMetric::FinalDebt).at(0.5);
    parts.push(format!(
        "final debt {} (P50)",
        amount(debt, Unit::of_scenario(scenario).long())
    ));
    format!("It buys: {}.", parts.join("; "))
}
