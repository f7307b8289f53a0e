//! The answer first: a handful of plain sentences generated from a run's numbers (which
//! strategy scores best and by how much, what it costs the other side, the key results at
//! risk, what would help most), for the top of `report.html` and any other medium.
//!
//! Pure functions of the results: the same run gives the same sentences.

use crate::model::Scenario;
use crate::pipeline::StrategyPlan;
use crate::simulate::{Results, SummaryMetric};

use crate::words::{dates, numbers};

/// Below this chance of being met a key result is "at risk".
pub const AT_RISK: f64 = 0.5;

/// Key results named in the at-risk sentence, at most.
const AT_RISK_NAMED: usize = 3;

/// Priced changes named in the "what would help most" sentence, at most.
const HELP_NAMED: usize = 2;

/// The strategy with the highest mean blended score (ties go to the earlier one).
pub fn best(results: &Results) -> usize {
    ranked(results).first().copied().unwrap_or(0)
}

/// Strategies by mean blended score, best first (ties keep input order).
pub fn ranked(results: &Results) -> Vec<usize> {
    let mut order: Vec<usize> = (0..results.strategies.len()).collect();
    let score = |s: usize| results.summary(s, SummaryMetric::BlendedScore).mean;
    order.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b)));
    order
}

/// Strategy `a` minus strategy `b` on one metric, paired by trial.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gap {
    /// Mean difference.
    pub mean: f64,
    /// 95% confidence interval of the mean difference.
    pub ci95: (f64, f64),
    /// Whether the interval is the paired comparison itself (`b` or `a` is the first
    /// strategy), rather than a conservative bound built from two comparisons with the first.
    pub exact: bool,
}

impl Gap {
    /// Whether the interval holds zero.
    pub fn within_noise(&self) -> bool {
        self.ci95.0 <= 0.0 && self.ci95.1 >= 0.0
    }
}

/// `a − b` on `metric`. The run pairs every strategy with the first; for two others the
/// difference of those paired means is exact and the interval adds their half-widths
/// (sd(X − Y) ≤ sd(X) + sd(Y)), which is conservative.
pub fn gap(results: &Results, a: usize, b: usize, metric: SummaryMetric) -> Gap {
    let versus_first = |s: usize| {
        if s == 0 {
            (0.0, 0.0)
        } else {
            let d = results.paired(s, metric);
            (d.mean, (d.ci95.1 - d.ci95.0) / 2.0)
        }
    };
    let ((ma, ha), (mb, hb)) = (versus_first(a), versus_first(b));
    let (mean, half) = (ma - mb, ha + hb);
    Gap {
        mean,
        ci95: (mean - half, mean + half),
        exact: a == 0 || b == 0,
    }
}

/// How often one strategy's outcome was higher than, equal to or lower than another's, trial
/// by trial (ties reported on their own, not counted as "not higher").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcomes {
    /// Fraction of trials with a higher outcome.
    pub higher: f64,
    /// Fraction of trials with the same outcome (within 1e-9, relative).
    pub equal: f64,
    /// Fraction of trials with a lower outcome.
    pub lower: f64,
    /// Trials counted: the run's first trials, those it keeps for the sensitivity analysis.
    pub trials: u64,
}

/// Strategy `a` against `b` on `metric`: over every trial when one of them is the first
/// strategy (the run pairs every strategy with it), else over the trials the run kept
/// ([`Results::samples`]); `None` when it kept none.
pub fn outcomes(results: &Results, a: usize, b: usize, metric: SummaryMetric) -> Option<Outcomes> {
    if a != b && (a == 0 || b == 0) {
        let d = results.paired(a.max(b), metric);
        let (above, same) = (d.p_positive, d.p_zero);
        let below = (1.0 - above - same).max(0.0);
        let (higher, lower) = if b == 0 {
            (above, below)
        } else {
            (below, above)
        };
        return Some(Outcomes {
            higher,
            equal: same,
            lower,
            trials: results.trials(),
        });
    }
    let trials = &results.samples.trials;
    if trials.is_empty() {
        return None;
    }
    let (mut higher, mut equal) = (0u64, 0u64);
    for trial in trials {
        let (x, y) = (trial.summary(a, metric), trial.summary(b, metric));
        let tolerance = 1e-9 * x.abs().max(y.abs()).max(1.0);
        if (x - y).abs() <= tolerance {
            equal += 1;
        } else if x > y {
            higher += 1;
        }
    }
    let n = trials.len() as u64;
    let share = |k: u64| k as f64 / n as f64;
    Some(Outcomes {
        higher: share(higher),
        equal: share(equal),
        lower: share(n - higher - equal),
        trials: n,
    })
}

/// The recommended split: the best strategy's name, its policy in words clause by clause (one
/// per team, or one for all) and what it buys.
pub struct Split {
    /// The best strategy.
    pub strategy: String,
    /// [`crate::words::policy::clauses`] of its policy.
    pub clauses: Vec<String>,
    /// [`crate::words::policy::buys`]: the sentence that follows the split.
    pub buys: String,
}

impl Split {
    /// `Recommended split (optimised): web 10% tech throughout; platform 60% tech throughout.`
    pub fn sentence(&self) -> String {
        format!(
            "Recommended split ({}): {}.",
            self.strategy,
            self.clauses.join("; ")
        )
    }
}

/// The best strategy's split, where its policy is one of the strategies' (not a sweep's).
pub fn split(
    scenario: &Scenario,
    results: &Results,
    allocations: &[StrategyPlan],
) -> Option<Split> {
    if results.strategies.is_empty() {
        return None;
    }
    let best = best(results);
    let policy = crate::pipeline::policy_of(scenario, allocations, best)?;
    Some(Split {
        strategy: results.strategies[best].clone(),
        clauses: crate::words::policy::clauses(scenario, &policy),
        buys: crate::words::policy::buys(scenario, results, best),
    })
}

/// The summary's sentences, in reading order: the recommended split and what it buys
/// ([`split`]), then [`after_split`].
pub fn sentences(
    scenario: &Scenario,
    results: &Results,
    allocations: &[StrategyPlan],
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(split) = split(scenario, results, allocations) {
        out.push(split.sentence());
        out.push(split.buys);
    }
    out.extend(after_split(scenario, results, allocations));
    out
}

/// The summary's sentences after the split and what it buys: why its shape, the best strategy
/// and its lead, what it costs the other side, the key results (and deadlines) at risk under
/// it, what would help most.
pub fn after_split(
    scenario: &Scenario,
    results: &Results,
    allocations: &[StrategyPlan],
) -> Vec<String> {
    if results.strategies.is_empty() {
        return Vec::new();
    }
    let best = best(results);
    let mut out = Vec::new();
    let planned = allocations
        .iter()
        .find(|p| p.of == crate::pipeline::PlanFor::Strategy(best));
    if let Some(plan) = planned {
        for why in &plan.shape {
            out.push(super::plan::why_line(scenario, plan, why));
        }
    }
    out.push(lead(results, best));
    out.extend(trade_off(results, best));
    out.push(key_results_at_risk(scenario, results, best));
    out.extend(deadlines_at_risk(scenario, results, best));
    out.extend(help(scenario, allocations, best));
    out
}

fn score(results: &Results, s: usize, metric: SummaryMetric) -> f64 {
    results.summary(s, metric).mean
}

fn pct(p: f64) -> String {
    format!("{:.0}%", p * 100.0)
}

/// Which strategy scores best, and by how much against the runner-up.
fn lead(results: &Results, best: usize) -> String {
    use SummaryMetric::BlendedScore as B;
    let name = &results.strategies[best];
    let mean = score(results, best, B);
    let Some(&second) = ranked(results).get(1) else {
        let d = results.summary(best, B);
        return format!(
            "{name} is the only strategy: expected blended score {mean:.3} (80% of trials \
             between {:.2} and {:.2}).",
            d.at(0.10),
            d.at(0.90)
        );
    };
    let runner = &results.strategies[second];
    let g = gap(results, best, second, B);
    let interval = format!(
        "95% CI {:+.3} to {:+.3}{}",
        g.ci95.0,
        g.ci95.1,
        if g.exact {
            ", paired on the same sampled worlds".to_string()
        } else {
            format!(
                ", a conservative bound from both strategies' paired comparisons with {}",
                results.strategies[0]
            )
        }
    );
    let mut text = if g.within_noise() {
        format!(
            "{name} scores highest, expected blended score {mean:.3}, but the runner-up \
             {runner} ({:.3}) is within noise of it: {:+.3} ({interval}).",
            score(results, second, B),
            g.mean
        )
    } else {
        format!(
            "{name} scores best: expected blended score {mean:.3}, {:.3} ahead of the \
             runner-up {runner} ({interval}).",
            g.mean
        )
    };
    if let Some(o) = outcomes(results, best, second, B) {
        let counted = if o.trials < results.trials() {
            format!("the first {} trials", numbers::count(o.trials))
        } else {
            format!("all {} trials", numbers::count(o.trials))
        };
        text.push_str(&format!(
            " Trial by trial it scores higher than {runner} in {}, the same in {} and lower in \
             {} ({counted}).",
            pct(o.higher),
            pct(o.equal),
            pct(o.lower),
        ));
    }
    text
}

/// What the best strategy costs the side it does not favour.
fn trade_off(results: &Results, best: usize) -> Option<String> {
    use SummaryMetric::{ProductScore as P, TechnologyScore as T};
    let name = &results.strategies[best];
    let (p, t) = (score(results, best, P), score(results, best, T));
    // A side without key results has no score: say so once, here, instead of printing NaN.
    let (has_p, has_t) = (!p.is_nan(), !t.is_nan());
    let mut text = match (has_p, has_t) {
        (true, true) => {
            format!("{name}'s product score is {p:.3} and its technology score {t:.3}.")
        }
        (true, false) => format!(
            "{name}'s product score is {p:.3}; its technology score is – (the scenario has no \
             technology key results, so the blended score is the product score)."
        ),
        (false, true) => format!(
            "{name}'s technology score is {t:.3}; its product score is – (the scenario has no \
             product key results, so the blended score is the technology score)."
        ),
        (false, false) => return None,
    };
    let top = |metric| {
        (0..results.strategies.len())
            .max_by(|&a, &b| {
                score(results, a, metric)
                    .total_cmp(&score(results, b, metric))
                    .then(b.cmp(&a))
            })
            .unwrap_or(best)
    };
    let (top_p, top_t) = (top(P), top(T));
    let beats = |other: usize, metric| score(results, other, metric) > score(results, best, metric);
    let gives_up = |top: usize, (side, metric): (&str, _), (other_side, other): (&str, _)| {
        format!(
            "{side}: {} reaches {:.3} there, with {other_side} {:.3}",
            results.strategies[top],
            score(results, top, metric),
            score(results, top, other)
        )
    };
    let mut costs = Vec::new();
    if has_t && beats(top_t, T) {
        costs.push(gives_up(top_t, ("technology", T), ("product", P)));
    }
    if has_p && beats(top_p, P) {
        costs.push(gives_up(top_p, ("product", P), ("technology", T)));
    }
    if results.strategies.len() < 2 {
        return Some(text);
    }
    if costs.is_empty() {
        text.push_str(" No other strategy does better on either side.");
    } else {
        text.push_str(&format!(" It gives up {}.", costs.join("; and ")));
    }
    Some(text)
}

/// The key results least likely to be met under the best strategy.
fn key_results_at_risk(scenario: &Scenario, results: &Results, best: usize) -> String {
    let name = &results.strategies[best];
    if scenario.key_results.is_empty() {
        return "The scenario has no key results, so every strategy scores 0.".into();
    }
    let mut krs: Vec<(usize, f64)> = (0..scenario.key_results.len())
        .map(|k| (k, results.key_result(best, k).p_met))
        .collect();
    krs.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let describe = |&(k, p): &(usize, f64)| {
        let kr = &scenario.key_results[k];
        format!(
            "{} ({} chance by {})",
            kr.id,
            pct(p),
            dates::in_period(scenario, kr.deadline)
        )
    };
    let risky: Vec<String> = krs
        .iter()
        .filter(|(_, p)| *p < AT_RISK)
        .take(AT_RISK_NAMED)
        .map(describe)
        .collect();
    let more = krs.iter().filter(|(_, p)| *p < AT_RISK).count() - risky.len();
    match (risky.is_empty(), more) {
        (true, _) => format!(
            "Under {name} every key result has at least a {} chance of being met; the least \
             likely is {}.",
            pct(AT_RISK),
            describe(&krs[0])
        ),
        (false, 0) => format!("Key results at risk under {name}: {}.", risky.join(", ")),
        (false, more) => format!(
            "Key results at risk under {name}: {}, and {more} more under {}.",
            risky.join(", "),
            pct(AT_RISK)
        ),
    }
}

/// Initiatives likely to miss their deadline under the best strategy (none: no sentence).
fn deadlines_at_risk(scenario: &Scenario, results: &Results, best: usize) -> Option<String> {
    let mut late: Vec<(usize, f64)> = scenario
        .initiatives
        .iter()
        .enumerate()
        .filter_map(|(i, initiative)| {
            let p = results
                .initiative(best, i, initiative.deadline)
                .p_by_deadline?;
            (p < AT_RISK).then_some((i, p))
        })
        .collect();
    if late.is_empty() {
        return None;
    }
    late.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let named: Vec<String> = late
        .iter()
        .take(AT_RISK_NAMED)
        .map(|&(i, p)| {
            let initiative = &scenario.initiatives[i];
            let due = initiative.deadline.expect("filtered on having a deadline");
            format!(
                "{} ({} chance by {})",
                initiative.id,
                pct(p),
                dates::in_period(scenario, due)
            )
        })
        .collect();
    let more = late.len() - named.len();
    let tail = if more > 0 {
        format!(", and {more} more")
    } else {
        String::new()
    };
    Some(format!(
        "Deadlines likely missed under {}: {}{tail}.",
        results.strategies[best],
        named.join(", ")
    ))
}

/// What would help most: the best priced changes of the best strategy's plan when it is
/// optimised, else of the first optimised strategy with prices.
fn help(scenario: &Scenario, allocations: &[StrategyPlan], best: usize) -> Option<String> {
    use crate::pipeline::PlanFor;
    let plan = allocations
        .iter()
        .find(|p| p.of == PlanFor::Strategy(best) && !p.prices.is_empty())
        .or_else(|| allocations.iter().find(|p| !p.prices.is_empty()))?;
    let name = plan.of.name(scenario);
    let helpful: Vec<String> = plan
        .prices
        .iter()
        .filter(|p| !p.within_noise() && p.value > 0.0)
        .take(HELP_NAMED)
        .map(|p| {
            format!(
                "{}, {:+.3} ± {:.3} blended score",
                super::plan::describe(scenario, plan, &p.change),
                p.value,
                p.half_width
            )
        })
        .collect();
    Some(if helpful.is_empty() {
        format!(
            "None of the changes priced for {name} (more engineers, looser guardrails, later \
             deadlines) raises its blended score beyond noise."
        )
    } else {
        format!(
            "What would help {name} most: {}, each with the policy searched again for the \
             change.",
            helpful.join("; then ")
        )
    })
}
