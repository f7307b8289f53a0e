//! The recommended split in the leader's words, for every medium: each team's tech share by
//! phase in one sentence ("web 10% tech through 2027-03-28 (period 6), then 60%"), the same
//! as a compact table, and what the split buys (each key result's chance, the P85 finish of
//! initiatives with a deadline, final debt).

use crate::model::{Phase, Rule, Scenario};
use crate::pipeline::{PlanFor, StrategyPlan};
use crate::simulate::policy::{Policy, Share};
use crate::simulate::{Results, SummaryMetric};

use crate::report::kit::numbers::{Unit, amount, percent_with_interval, proportion_ci95};

/// Initiatives named in what a split buys, at most (those with a deadline, by deadline).
const DEADLINES_NAMED: usize = 4;

/// The policy strategy `s` executes: the one found for an optimised strategy, else its rule's.
pub fn of_strategy<'a>(
    scenario: &Scenario,
    allocations: &'a [StrategyPlan],
    s: usize,
) -> Option<std::borrow::Cow<'a, Policy>> {
    use std::borrow::Cow;
    let strategy = scenario.strategies.get(s)?;
    match strategy.rule {
        Rule::Optimised { .. } => allocations
            .iter()
            .find(|p| p.of == PlanFor::Strategy(s))
            .map(|p| Cow::Borrowed(&p.found.candidate.policy)),
        _ => Policy::new(strategy, None).ok().map(Cow::Owned),
    }
}

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
    let share = |p: &Phase| crate::optimise::candidates::percent(p.tech_share);
    match phases {
        [] => "–".into(),
        [only] => format!("{} tech throughout", share(only)),
        [first, middle @ .., last] => {
            let mut parts = vec![format!(
                "{} tech through {}",
                share(first),
                when(scenario, first.last)
            )];
            for p in middle {
                parts.push(format!("{} through {}", share(p), when(scenario, p.last)));
            }
            parts.push(format!("then {}", share(last)));
            parts.join(", ")
        }
    }
}

/// The split in words, one clause per team (one for all when every team has the same phases):
/// `web 10% tech through 2027-03-28 (period 6), then 60%; platform 60% tech throughout`.
pub fn in_words(scenario: &Scenario, policy: &Policy) -> String {
    let Some(teams) = policy.phases(scenario) else {
        // A debt ceiling's share follows the debt: its rule is the whole story.
        return format!(
            "by each team's debt, not the calendar: {}",
            match &policy.share {
                Share::DebtCeiling {
                    ceiling,
                    above,
                    below,
                } => format!(
                    "{} tech while a team's debt is above {ceiling:.0}, else {}",
                    crate::optimise::candidates::percent(*above),
                    crate::optimise::candidates::percent(*below)
                ),
                _ => String::new(),
            }
        );
    };
    let same = teams.windows(2).all(|w| w[0] == w[1]);
    let clauses: Vec<String> = if same && teams.len() > 1 {
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
    };
    clauses.join("; ")
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
