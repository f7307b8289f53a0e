//! The tidy, long-format CSV tables of a run (docs/src/reference/outputs.md): one row per
//! observation, ready for pandas, R or a spreadsheet. Empty cells mean "not applicable" (NA). Every
//! table goes through the one [`CsvWriter`], which guards each cell against being read as a
//! formula.

use anyhow::Result;

use crate::model::{Measure, Scenario};
use crate::pipeline::StrategyPlan;
use crate::simulate::stats::QUANTILES;
use crate::simulate::{PeriodMetric, Results, SummaryMetric};

use crate::report::kit::csv::CsvWriter;
use crate::words::numbers::num;

fn opt_period(t: Option<usize>) -> String {
    t.map_or(String::new(), |t| t.to_string())
}

fn quantile_headers() -> impl Iterator<Item = &'static str> {
    QUANTILES.iter().map(|(name, _)| *name)
}

/// `summary.csv`: strategy, metric, mean, mean_se, p5..p95.
pub fn summary(results: &Results) -> Result<Vec<u8>> {
    let mut header = vec!["strategy", "metric", "mean", "mean_se"];
    header.extend(quantile_headers());
    let mut w = CsvWriter::new(&header)?;
    for (s, name) in results.strategies.iter().enumerate() {
        for metric in SummaryMetric::ALL {
            let d = results.summary(s, metric);
            let mut row = vec![
                String::from(name),
                metric.name().to_string(),
                num(d.mean),
                // No mean (a side without key results) has no standard error either.
                num(if d.mean.is_nan() { f64::NAN } else { d.mean_se }),
            ];
            row.extend(d.quantiles.iter().map(|&q| num(q)));
            w.row(&row)?;
        }
    }
    w.finish()
}

/// Names of the per-period columns: the metrics, then `value:<key result>`.
pub fn period_metric_names(scenario: &Scenario) -> Vec<String> {
    PeriodMetric::ALL
        .iter()
        .map(|m| m.name().to_string())
        .chain(
            scenario
                .key_results
                .iter()
                .map(|kr| format!("value:{}", kr.id)),
        )
        .collect()
}

/// `periods.csv`: strategy, period, date, metric, mean, p5..p95. Value columns of metric key
/// results are left out (they carry no delivered value).
pub fn periods(scenario: &Scenario, results: &Results) -> Result<Vec<u8>> {
    let mut header = vec!["strategy", "period", "date", "metric", "mean"];
    header.extend(quantile_headers());
    let mut w = CsvWriter::new(&header)?;
    let names = period_metric_names(scenario);
    let keep: Vec<usize> = (0..names.len())
        .filter(|&m| {
            m < PeriodMetric::ALL.len()
                || matches!(
                    scenario.key_results[m - PeriodMetric::ALL.len()].measure,
                    Measure::Delivery { .. }
                )
        })
        .collect();
    for (s, strategy) in results.strategies.iter().enumerate() {
        for t in 1..=results.periods() {
            let date = scenario
                .period_end_date(t)
                .map_or(String::new(), |d| d.to_string());
            for &m in &keep {
                let d = results.period(s, t, m);
                let mut row = vec![
                    String::from(strategy),
                    t.to_string(),
                    date.clone(),
                    String::from(&names[m]),
                    num(d.mean),
                ];
                row.extend(d.quantiles.iter().map(|&q| num(q)));
                w.row(&row)?;
            }
        }
    }
    w.finish()
}

/// `initiatives.csv`: strategy, initiative, kind, team, deadline, p_done, p_by_deadline,
/// finish p50/p85/p95 (periods, and dates when the scenario has a start), mean progress.
pub fn initiatives(scenario: &Scenario, results: &Results) -> Result<Vec<u8>> {
    let mut w = CsvWriter::new([
        "strategy",
        "initiative",
        "kind",
        "team",
        "deadline",
        "p_done",
        "p_by_deadline",
        "finish_p50",
        "finish_p85",
        "finish_p95",
        "finish_p50_date",
        "finish_p85_date",
        "finish_p95_date",
        "mean_progress",
    ])?;
    for (s, strategy) in results.strategies.iter().enumerate() {
        for (i, initiative) in scenario.initiatives.iter().enumerate() {
            let st = results.initiative(s, i, initiative.deadline);
            let date = |t: Option<usize>| {
                t.and_then(|t| scenario.period_end_date(t))
                    .map_or(String::new(), |d| d.to_string())
            };
            w.row([
                String::from(strategy),
                String::from(&initiative.id),
                initiative.kind.as_str().to_string(),
                String::from(&scenario.teams[initiative.team].name),
                opt_period(initiative.deadline),
                num(st.p_done),
                st.p_by_deadline.map_or(String::new(), num),
                opt_period(st.finish[0]),
                opt_period(st.finish[1]),
                opt_period(st.finish[2]),
                date(st.finish[0]),
                date(st.finish[1]),
                date(st.finish[2]),
                num(st.mean_progress),
            ])?;
        }
    }
    w.finish()
}

/// `key_results.csv`: strategy, key_result, owner, deadline, p_met, attainment mean/p10/p50/p90.
pub fn key_results(scenario: &Scenario, results: &Results) -> Result<Vec<u8>> {
    let mut w = CsvWriter::new([
        "strategy",
        "key_result",
        "owner",
        "deadline",
        "p_met",
        "attainment_mean",
        "attainment_p10",
        "attainment_p50",
        "attainment_p90",
    ])?;
    for (s, strategy) in results.strategies.iter().enumerate() {
        for (k, kr) in scenario.key_results.iter().enumerate() {
            let st = results.key_result(s, k);
            w.row([
                String::from(strategy),
                String::from(&kr.id),
                kr.owner.as_str().to_string(),
                kr.deadline.to_string(),
                num(st.p_met),
                num(st.attainment.mean),
                num(st.attainment.at(0.10)),
                num(st.attainment.at(0.50)),
                num(st.attainment.at(0.90)),
            ])?;
        }
    }
    w.finish()
}

/// `comparison.csv`: each strategy against the first, paired by trial.
pub fn comparison(results: &Results) -> Result<Vec<u8>> {
    let mut w = CsvWriter::new([
        "strategy",
        "baseline",
        "metric",
        "mean_difference",
        "ci95_low",
        "ci95_high",
        "p_higher",
        "p_same",
    ])?;
    let baseline = &results.strategies[0];
    for (s, strategy) in results.strategies.iter().enumerate().skip(1) {
        for metric in SummaryMetric::ALL {
            let d = results.paired(s, metric);
            w.row([
                String::from(strategy),
                String::from(baseline),
                metric.name().to_string(),
                num(d.mean),
                num(d.ci95.0),
                num(d.ci95.1),
                num(d.p_positive),
                num(d.p_zero),
            ])?;
        }
    }
    w.finish()
}

/// `plan.csv`: strategy, policy (in words), team, period, date, tech_share (the policy's, per
/// team and period; empty where it follows the debt).
pub fn plan(scenario: &Scenario, allocations: &[StrategyPlan]) -> Result<Vec<u8>> {
    let mut w = CsvWriter::new(["strategy", "policy", "team", "period", "date", "tech_share"])?;
    for plan in allocations {
        let policy = &plan.found.candidate.policy;
        for (j, team) in scenario.teams.iter().enumerate() {
            for t in 1..=scenario.periods {
                w.row([
                    String::from(plan.of.name(scenario)),
                    String::from(&plan.found.candidate.label),
                    String::from(&team.name),
                    t.to_string(),
                    scenario
                        .period_end_date(t)
                        .map_or(String::new(), |d| d.to_string()),
                    crate::optimise::prices::planned_share(policy, j, t).map_or(String::new(), num),
                ])?;
            }
        }
    }
    w.finish()
}

/// `marginal_values.csv`: strategy, change (engineer, hire, min_share, max_share, deadline),
/// what (in words), team, initiative, period, to, value (mean paired difference of the blended
/// score, re-optimised), ci_low, ci_high, within_noise, trials, policy (re-optimised); then
/// what the change does in the leader's units, each as before, after, change and the change's
/// 95% interval (`_low`, `_high`): `p_met:<key result>` per key result, `p85:<initiative>`
/// per initiative with a deadline (the P85 finish period; empty beyond the horizon),
/// `final_debt_p50` and `incident_days` (the mean).
pub fn marginal_values(scenario: &Scenario, allocations: &[StrategyPlan]) -> Result<Vec<u8>> {
    use crate::optimise::prices::Change;

    let (header, measures) = with_effects(
        scenario,
        &[
            "strategy",
            "change",
            "what",
            "team",
            "initiative",
            "period",
            "to",
            "value",
            "ci_low",
            "ci_high",
            "within_noise",
            "trials",
            "policy",
        ],
    );
    let mut w = CsvWriter::new(header)?;
    for plan in allocations {
        for price in &plan.prices {
            let team = |j: usize| scenario.teams[j].name.clone();
            let none = String::new;
            let (kind, team, initiative, period, to) = match price.change {
                Change::Engineer { team: j } => ("engineer", team(j), none(), "1".into(), none()),
                Change::Hire { team: j, period } => {
                    ("hire", team(j), none(), period.to_string(), none())
                }
                Change::MinShare { to } => ("min_share", none(), none(), none(), num(to)),
                Change::MaxShare { to } => ("max_share", none(), none(), none(), num(to)),
                Change::Deadline { initiative, to } => (
                    "deadline",
                    none(),
                    scenario.initiatives[initiative].id.clone(),
                    none(),
                    to.to_string(),
                ),
            };
            let mut row = vec![
                String::from(plan.of.name(scenario)),
                kind.to_string(),
                String::from(&super::plan::describe(scenario, plan, &price.change)),
                String::from(&team),
                String::from(&initiative),
                period,
                to,
                num(price.value),
                num(price.value - price.half_width),
                num(price.value + price.half_width),
                price.within_noise().to_string(),
                price.trials.to_string(),
                String::from(&price.policy),
            ];
            row.extend(effect_cells(price.effects.as_ref(), measures.len()));
            w.row(row)?;
        }
    }
    w.finish()
}

/// `shape.csv`: why each optimised policy has its shape. One row per sharp move (largest
/// first, at most three per strategy): strategy, team, first_period, last_period, ends (the
/// last period's last day, with a start date), tech_share, from_tech_share (the previous
/// phase's), to_guardrail, why (in words), trials; then what the move buys against the
/// policy with the move flattened, in the measures of [`marginal_values`] (`_before`: flattened,
/// `_after`: as found).
pub fn shape(scenario: &Scenario, allocations: &[StrategyPlan]) -> Result<Vec<u8>> {
    let (header, measures) = with_effects(
        scenario,
        &[
            "strategy",
            "team",
            "first_period",
            "last_period",
            "ends",
            "tech_share",
            "from_tech_share",
            "to_guardrail",
            "why",
            "trials",
        ],
    );
    let mut w = CsvWriter::new(header)?;
    for plan in allocations {
        for why in &plan.shape {
            let m = &why.moved;
            let ends = scenario
                .period_end_date(m.phase.last)
                .map_or(String::new(), |d| d.to_string());
            let mut row = vec![
                String::from(plan.of.name(scenario)),
                String::from(&scenario.teams[m.team].name),
                m.phase.first.to_string(),
                m.phase.last.to_string(),
                ends,
                num(m.phase.tech_share),
                num(m.from),
                m.to_guardrail.to_string(),
                String::from(&super::plan::why_line(scenario, plan, why)),
                why.effects.trials.to_string(),
            ];
            row.extend(effect_cells(Some(&why.effects), measures.len()));
            w.row(row)?;
        }
    }
    w.finish()
}

/// A header of `leading` columns and then, per measure of [`effect_measures`], its before,
/// after, change and the change's interval; and the measures.
fn with_effects(scenario: &Scenario, leading: &[&str]) -> (Vec<String>, Vec<String>) {
    let measures = effect_measures(scenario);
    let mut header: Vec<String> = leading.iter().map(|c| c.to_string()).collect();
    for measure in &measures {
        for part in ["before", "after", "change", "low", "high"] {
            header.push(format!("{measure}_{part}"));
        }
    }
    (header, measures)
}

/// The names of the measures a price's effects are given in, in column order.
fn effect_measures(scenario: &Scenario) -> Vec<String> {
    let key_results = scenario
        .key_results
        .iter()
        .map(|kr| format!("p_met:{}", kr.id));
    let deadlines = crate::optimise::effects::with_deadlines(scenario)
        .map(|i| format!("p85:{}", scenario.initiatives[i].id));
    key_results
        .chain(deadlines)
        .chain(["final_debt_p50".to_string(), "incident_days".to_string()])
        .collect()
}

/// The cells of [`effect_measures`] for one price: five per measure, empty where unmeasured
/// (or, for a P85, beyond the horizon).
fn effect_cells(
    effects: Option<&crate::optimise::effects::Effects>,
    measures: usize,
) -> Vec<String> {
    let Some(e) = effects else {
        return vec![String::new(); 5 * measures];
    };
    let cells = |s: Option<&crate::optimise::effects::Shift>| match s {
        Some(s) => [s.before, s.after, s.change(), s.low, s.high]
            .map(num)
            .to_vec(),
        None => vec![String::new(); 5],
    };
    let finishes = e.finishes.iter().map(|(_, s)| s.as_ref());
    e.key_results
        .iter()
        .map(Some)
        .chain(finishes)
        .chain([Some(&e.final_debt), Some(&e.incident_days)])
        .flat_map(cells)
        .collect()
}

/// `sensitivity.csv`: strategy, outcome, input, rank_correlation, outcome_low_tenth,
/// outcome_high_tenth (the outcome's mean where the input was in its lowest / highest tenth).
pub fn sensitivity(
    results: &Results,
    analyses: &[crate::whatif::sensitivity::Sensitivity],
) -> Result<Vec<u8>> {
    let mut w = CsvWriter::new([
        "strategy",
        "outcome",
        "input",
        "rank_correlation",
        "outcome_low_tenth",
        "outcome_high_tenth",
    ])?;
    for a in analyses {
        for d in &a.drivers {
            w.row([
                String::from(&results.strategies[a.strategy]),
                a.outcome.name().to_string(),
                String::from(&d.input),
                num(d.rank_correlation),
                num(d.low),
                num(d.high),
            ])?;
        }
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(0.30000000000000004), "0.3");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(-0.0000001), "-1e-7");
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(1234.5678901), "1234.56789");
    }
}
