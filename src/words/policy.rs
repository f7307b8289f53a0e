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
/// (period 6), 30% through 2027-05-09 (period 9), then 60%`. A run of short phases that
/// move one way (an allocator's plan eases a share period by period) is one ramp:
/// `easing from 58.5% to 46.3% through period 46`, so that a plan of many small steps reads
/// as the few moves it makes (the table per period keeps every step).
pub fn phases_in_words(scenario: &Scenario, phases: &[Phase]) -> String {
    if phases.is_empty() {
        return "–".into();
    }
    let pct = |p: &Phase| share(p.tech_share);
    let segments = segments(phases, scenario.periods);
    let count = segments.len();
    let mut parts = Vec::with_capacity(count);
    for (k, segment) in segments.iter().enumerate() {
        let (is_first, is_last) = (k == 0, k + 1 == count);
        let tech = if is_first { " tech" } else { "" };
        let part = match *segment {
            [only] if count == 1 => format!("{} tech throughout", pct(only)),
            [only] if is_last => format!("then {}", pct(only)),
            [only] => format!("{}{tech} through {}", pct(only), when(scenario, only.last)),
            [from, .., to] => {
                let moving = if to.tech_share < from.tech_share {
                    "easing"
                } else {
                    "rising"
                };
                let ramp = format!("{moving} from {}{tech} to {}", pct(from), pct(to));
                if is_last {
                    format!("then {ramp}")
                } else {
                    format!("{ramp} through {}", when(scenario, to.last))
                }
            }
            // `segments` yields no empty slice.
            [] => continue,
        };
        parts.push(part);
    }
    parts.join(", ")
}

/// Periods a phase may last and still be a step of a ramp: a twentieth of the horizon, at
/// least two (five of 100 periods).
fn ramp_step(periods: usize) -> usize {
    (periods / 20).max(2)
}

/// `phases` cut into what a sentence says: a ramp (at least three short phases, each a step
/// the same way) or a single phase.
pub fn segments(phases: &[Phase], periods: usize) -> Vec<&[Phase]> {
    let short = |p: &Phase| p.last + 1 - p.first <= ramp_step(periods);
    let mut out = Vec::new();
    let mut i = 0;
    while i < phases.len() {
        let mut j = i + 1;
        if short(&phases[i]) {
            let down = |a: &Phase, b: &Phase| b.tech_share < a.tech_share;
            let way = phases.get(i + 1).map(|next| down(&phases[i], next));
            while let (Some(way), Some(next)) = (way, phases.get(j)) {
                if !short(next) || down(&phases[j - 1], next) != way {
                    break;
                }
                j += 1;
            }
        }
        let end = if j - i >= 3 { j } else { i + 1 };
        out.push(&phases[i..end]);
        i = end;
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The template's scenario over `periods` periods, without a start date (periods read as
    /// numbers).
    fn scenario(periods: usize) -> Scenario {
        let text = crate::scenario::template("t", "t.toml");
        let mut s = crate::scenario::load_str("t.toml", &text, crate::scenario::Format::Toml)
            .expect("the template validates")
            .scenario;
        s.periods = periods;
        s.start = None;
        s
    }

    /// Phases from (last period, share in percent) pairs.
    fn phases(steps: &[(usize, f64)]) -> Vec<Phase> {
        let mut first = 1;
        steps
            .iter()
            .map(|&(last, pct)| {
                let p = Phase {
                    first,
                    last,
                    tech_share: pct / 100.0,
                };
                first = last + 1;
                p
            })
            .collect()
    }

    #[test]
    fn a_run_of_short_steps_one_way_reads_as_one_ramp() {
        let s = scenario(100);
        let plan = phases(&[
            (31, 60.0),
            (32, 58.5),
            (33, 56.6),
            (35, 53.0),
            (40, 50.0),
            (65, 45.0),
            (66, 44.0),
            (67, 46.0),
            (68, 48.0),
            (100, 30.0),
        ]);
        assert_eq!(
            phases_in_words(&s, &plan),
            "60% tech through period 31, easing from 58.5% to 50% through period 40, \
             45% through period 65, rising from 44% to 48% through period 68, then 30%"
        );
    }

    #[test]
    fn long_phases_and_short_runs_stay_steps() {
        let s = scenario(100);
        // Each phase longer than five periods (a twentieth of 100): three steps down, not a ramp.
        let long = phases(&[(20, 60.0), (40, 40.0), (60, 20.0), (100, 10.0)]);
        assert_eq!(
            phases_in_words(&s, &long),
            "60% tech through period 20, 40% through period 40, 20% through period 60, then 10%"
        );
        // Two short steps are said as they are; a third makes a ramp, to the horizon.
        let two = phases(&[(10, 60.0), (11, 50.0), (12, 40.0), (100, 30.0)]);
        assert_eq!(
            phases_in_words(&s, &two),
            "60% tech through period 10, 50% through period 11, 40% through period 12, then 30%"
        );
        let tail = phases(&[(95, 60.0), (96, 50.0), (98, 40.0), (100, 30.0)]);
        assert_eq!(
            phases_in_words(&s, &tail),
            "60% tech through period 95, then easing from 50% to 30%"
        );
        assert_eq!(
            phases_in_words(&s, &phases(&[(100, 25.0)])),
            "25% tech throughout"
        );
    }
}
