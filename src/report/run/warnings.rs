//! What a run's results say to look at before trusting them, one line each: a team that runs
//! out of work (its capacity then pays down debt or idles, which flatters every score), too
//! few trials for the intervals printed, and a strategy's tech share that is never used.

use crate::model::{Rule, Scenario, Trigger, Workforce};
use crate::simulate::{PeriodMetric, Results, SummaryMetric};

use crate::words::numbers::{count, counted, signed_with_half_width};

/// Below this many trials, intervals and percentiles are rough.
pub const FEW_TRIALS: u64 = 1000;

/// Every warning about a run's results, one line each, without the `warning: ` prefix.
pub fn of_run(scenario: &Scenario, results: &Results) -> Vec<String> {
    let mut out = out_of_work(scenario, results);
    out.extend(too_few_trials(results));
    out.extend(shares_unused(scenario, results));
    out
}

/// Teams whose every initiative is done (at the median, under some strategy) before the
/// horizon ends. A throughput-history team is left out: when it is done is the question a
/// forecast asks of it.
pub fn out_of_work(scenario: &Scenario, results: &Results) -> Vec<String> {
    let mut out = Vec::new();
    for (j, team) in scenario.teams.iter().enumerate() {
        if matches!(team.workforce, Workforce::Throughput(_)) {
            continue;
        }
        // Per strategy, the last median finish of the team's initiatives; `None` when one of
        // them is not done in half the trials (the team has work to the end).
        let runs_out: Vec<(usize, usize)> = (0..results.strategies.len())
            .filter_map(|s| {
                let mut last = 0;
                for (i, initiative) in scenario.initiatives.iter().enumerate() {
                    if initiative.team != j {
                        continue;
                    }
                    last = last.max(results.initiative(s, i, None).finish[0]?);
                }
                (last < scenario.periods).then_some((s, last))
            })
            .collect();
        let Some(&(s, last)) = runs_out.iter().min_by_key(|(_, last)| *last) else {
            continue;
        };
        let when = if last == 0 {
            "has no initiative".to_string()
        } else {
            format!("runs out of work after period {last}")
        };
        let strategies = match runs_out.len() {
            n if n == results.strategies.len() && n > 1 => "every strategy".to_string(),
            1 => format!("under `{}`", results.strategies[s]),
            n => format!(
                "under `{}` and {}",
                results.strategies[s],
                counted(n as u64 - 1, "other strategy", "other strategies")
            ),
        };
        out.push(format!(
            "team `{}` {when} ({strategies}, median trial): its capacity then pays down debt or \
             idles, which flatters the scores; model its ongoing work as an open-ended \
             initiative (`fulcrum init --stdout` shows how)",
            team.name
        ));
    }
    out
}

/// Too few trials overall, and differences from the first strategy within Monte Carlo error.
pub fn too_few_trials(results: &Results) -> Vec<String> {
    let n = results.trials();
    let mut out = Vec::new();
    if n < FEW_TRIALS {
        // The 95% half-width of a probability near 50%, in percentage points.
        let points = crate::model::Z95 * (0.25 / n.max(1) as f64).sqrt() * 100.0;
        out.push(format!(
            "only {}: the P10–P90 ranges and intervals printed are rough (a probability is \
             known to about ±{points:.0} points); use --trials {} or more",
            counted(n, "trial", "trials"),
            FEW_TRIALS * 2
        ));
    }
    let mut close = Vec::new();
    let mut needed: f64 = 0.0;
    for s in 1..results.strategies.len() {
        let d = results.paired(s, SummaryMetric::BlendedScore);
        let half = (d.ci95.1 - d.ci95.0) / 2.0;
        if half > 0.0 && half >= d.mean.abs() {
            close.push(format!(
                "`{}` ({})",
                results.strategies[s],
                signed_with_half_width(d.mean, half)
            ));
            if d.mean != 0.0 {
                needed = needed.max(n as f64 * (half / d.mean.abs()).powi(2) * 1.5);
            }
        }
    }
    if !close.is_empty() {
        let more = if needed > 0.0 && needed <= 1e9 {
            format!(
                "; about --trials {} would tell",
                round_up(needed.max(n as f64 * 2.0))
            )
        } else {
            String::new()
        };
        out.push(format!(
            "at {} the blended score of {} is within Monte Carlo error of `{}`'s{more}",
            counted(n, "trial", "trials"),
            close.join(", "),
            results.strategies[0],
        ));
    }
    out
}

/// `x` rounded up to two significant digits: 8,123 → 8,200.
fn round_up(x: f64) -> u64 {
    let scale = 10f64.powi((x.log10().floor() as i32 - 1).max(0));
    ((x / scale).ceil() * scale) as u64
}

/// A debt ceiling (or a reactive rule's debt trigger) that the debt never crosses (so one of
/// its shares never applies), and a tech share that finds no tech work and no debt to pay
/// down.
pub fn shares_unused(scenario: &Scenario, results: &Results) -> Vec<String> {
    let mut out = Vec::new();
    let initial: f64 = scenario.teams.iter().map(|t| t.debt_initial_mean()).sum();
    for (s, strategy) in scenario.strategies.iter().enumerate() {
        if s >= results.strategies.len() {
            break;
        }
        let debt = |t: usize, q: f64| results.period(s, t, PeriodMetric::Debt as usize).at(q);
        let periods = results.periods().min(scenario.periods);
        // The organisation's debt at the start of every period at P95: a team's debt is at
        // most the total, so a threshold above it is never crossed.
        let highest = || (1..periods).map(|t| debt(t, 0.95)).fold(initial, f64::max);
        match strategy.rule {
            Rule::DebtCeiling {
                ceiling,
                above,
                below,
            } if periods > 0 && above != below => {
                // No team ever uses `above` when the total stays below the ceiling.
                let highest = highest();
                if highest <= ceiling {
                    out.push(format!(
                        "strategy `{}`: debt stays below its ceiling of {} (P95 {}), so its \
                         `above` share ({:.0}%) is never used: it is a {:.0}% fixed share; \
                         lower `ceiling` to compare a debt ceiling",
                        strategy.name,
                        count(ceiling as u64),
                        count(highest as u64),
                        above * 100.0,
                        below * 100.0
                    ));
                } else if scenario.teams.len() == 1 {
                    let lowest = (1..periods).map(|t| debt(t, 0.05)).fold(initial, f64::min);
                    if lowest > ceiling {
                        out.push(format!(
                            "strategy `{}`: debt stays above its ceiling of {} (P5 {}), so its \
                             `below` share ({:.0}%) is never used: it is a {:.0}% fixed share",
                            strategy.name,
                            count(ceiling as u64),
                            count(lowest as u64),
                            below * 100.0,
                            above * 100.0
                        ));
                    }
                }
            }
            // A reactive rule whose every trigger is a debt threshold the debt never crosses
            // runs as its base share: the same check as a debt ceiling's.
            Rule::Reactive(ref rule) if periods > 0 => {
                let thresholds: Option<Vec<f64>> = rule
                    .when
                    .iter()
                    .map(|w| match *w {
                        Trigger::DebtAbove(x) => Some(x),
                        _ => None,
                    })
                    .collect();
                let lowest = thresholds
                    .filter(|t| !t.is_empty())
                    .map(|t| t.into_iter().fold(f64::INFINITY, f64::min));
                let highest = highest();
                if let Some(threshold) = lowest.filter(|&x| highest <= x) {
                    out.push(format!(
                        "strategy `{}`: debt stays below its trigger of {} (P95 {}), so its \
                         raised share ({:.0}%) is never used: it runs as its base share; lower \
                         `debt_above` to compare a reactive rule",
                        strategy.name,
                        count(threshold as u64),
                        count(highest as u64),
                        rule.raised * 100.0,
                    ));
                }
            }
            Rule::FixedShare { tech_share } if tech_share > 0.0 => {
                let used = results.summary(s, SummaryMetric::TechDays).mean
                    + results.summary(s, SummaryMetric::PaydownDays).mean;
                if used == 0.0 {
                    out.push(format!(
                        "strategy `{}`: its {:.0}% tech share is never used: there is no tech \
                         initiative and no debt to pay down, so that capacity idles",
                        strategy.name,
                        tech_share * 100.0
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_counts_round_up_to_two_digits() {
        assert_eq!(round_up(8123.0), 8200);
        assert_eq!(round_up(40.0), 40);
        assert_eq!(round_up(123_456.0), 130_000);
    }
}
