//! Results as one JSON document on stdout (`--json`), for scripts. The shapes below are the
//! schema; `schema` names its version and changes only when a field changes meaning or goes.
//! Probabilities are fractions in [0, 1]; amounts are in the scenario's capacity unit
//! (`unit`); periods are 1-based.

use serde::Serialize;

use crate::model::{Owner, Scenario};
use crate::pipeline::StrategyPlan;
use crate::simulate::{Distributional, PeriodMetric, Results, SummaryMetric};

use crate::words::numbers::{Unit, proportion_ci95};

/// A quantity across trials: its mean with the 95% interval of the mean, and quantiles.
#[derive(Clone, Debug, Serialize)]
pub struct Spread {
    /// Mean over the trials.
    pub mean: f64,
    /// 95% confidence interval of the mean (± 1.96 standard errors).
    pub mean_ci95: [f64; 2],
    /// 5th percentile over the trials.
    pub p5: f64,
    /// 10th percentile over the trials.
    pub p10: f64,
    /// 25th percentile over the trials.
    pub p25: f64,
    /// Median over the trials.
    pub p50: f64,
    /// 75th percentile over the trials.
    pub p75: f64,
    /// 90th percentile over the trials.
    pub p90: f64,
    /// 95th percentile over the trials.
    pub p95: f64,
}

impl From<&Distributional> for Spread {
    fn from(d: &Distributional) -> Spread {
        let q = d.quantiles;
        let half = crate::model::Z95 * d.mean_se;
        Spread {
            mean: d.mean,
            mean_ci95: [d.mean - half, d.mean + half],
            p5: q[0],
            p10: q[1],
            p25: q[2],
            p50: q[3],
            p75: q[4],
            p90: q[5],
            p95: q[6],
        }
    }
}

/// A strategy minus the first, paired by trial.
#[derive(Clone, Debug, Serialize)]
pub struct Versus {
    /// The strategy it is compared with (the first).
    pub baseline: String,
    /// Mean blended-score difference, this strategy minus the baseline, over the trials.
    pub mean: f64,
    /// 95% confidence interval of that mean difference.
    pub ci95: [f64; 2],
    /// Fraction of trials in which this strategy scores higher.
    pub p_higher: f64,
    /// Fraction of trials in which it scores the same (a tie).
    pub p_same: f64,
}

/// A key result under one strategy.
#[derive(Clone, Debug, Serialize)]
pub struct KeyResult {
    /// The key result's `id` in the scenario.
    pub id: String,
    /// `product` or `technology`.
    pub owner: &'static str,
    /// The period it is judged at.
    pub deadline: usize,
    /// Probability it is met, with the 95% (Wald) interval of that estimate.
    pub p_met: f64,
    /// The 95% (Wald) interval of `p_met`, clamped to [0, 1].
    pub p_met_ci95: [f64; 2],
    /// How far it got by its deadline, over the trials: 1 when met, else the fraction of the
    /// delivery target reached or of the gap to the goal closed, in [0, 1].
    pub attainment: Spread,
}

/// One strategy's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct Strategy {
    /// The strategy's name.
    pub name: String,
    /// The blended score, in [0, 1]: the scenario's blend of the product and technology
    /// scores.
    pub blended_score: Spread,
    /// Weighted mean attainment of the product key results, in [0, 1]; all `null` without any.
    pub product_score: Spread,
    /// Weighted mean attainment of the technology key results, in [0, 1]; all `null` without any.
    pub technology_score: Spread,
    /// `null` for the first strategy.
    pub versus_first: Option<Versus>,
    /// Probability that every product (technology) key result is met; `null` without any.
    pub p_all_product_krs_met: Option<f64>,
    /// Probability that every technology key result is met; `null` without any.
    pub p_all_technology_krs_met: Option<f64>,
    /// Each key result of the scenario, in scenario order.
    pub key_results: Vec<KeyResult>,
    /// Outstanding debt at the end of the horizon, summed over teams.
    pub final_debt: Spread,
    /// Days of unplanned incident work over the horizon, summed over teams.
    pub incident_days: Spread,
    /// Days nobody had work for over the horizon, summed over teams.
    pub idle_days: Spread,
}

/// What `fulcrum run --json` prints.
#[derive(Clone, Debug, Serialize)]
pub struct Run {
    /// `fulcrum.run/1`.
    pub schema: &'static str,
    /// The scenario's name.
    pub scenario: String,
    /// Monte Carlo trials simulated.
    pub trials: u64,
    /// Master seed of the trials.
    pub seed: u64,
    /// Planning horizon in periods.
    pub periods: usize,
    /// `engineer-days`, `items` or `units`.
    pub unit: &'static str,
    /// The results folder.
    pub output: String,
    /// The warnings printed on stderr, one line each.
    pub warnings: Vec<String>,
    /// The report's summary in plain sentences (the best strategy, its cost, what is at risk,
    /// what would help most).
    pub summary: Vec<String>,
    /// Each strategy's outcome, in input order.
    pub strategies: Vec<Strategy>,
}

/// Each strategy of `results` in the schema.
pub fn strategies(scenario: &Scenario, results: &Results) -> Vec<Strategy> {
    use SummaryMetric as M;
    let has = |owner| scenario.has_key_results(owner);
    let n = results.trials();
    (0..results.strategies.len())
        .map(|s| {
            let spread = |m| Spread::from(&results.summary(s, m));
            let versus_first = (s > 0).then(|| {
                let d = results.paired(s, M::BlendedScore);
                Versus {
                    baseline: results.strategies[0].clone(),
                    mean: d.mean,
                    ci95: [d.ci95.0, d.ci95.1],
                    p_higher: d.p_positive,
                    p_same: d.p_zero,
                }
            });
            let key_results = scenario
                .key_results
                .iter()
                .enumerate()
                .map(|(k, kr)| {
                    let stats = results.key_result(s, k);
                    KeyResult {
                        id: kr.id.clone(),
                        owner: kr.owner.as_str(),
                        deadline: kr.deadline,
                        p_met: stats.p_met,
                        p_met_ci95: proportion_ci95(stats.p_met, n),
                        attainment: Spread::from(&stats.attainment),
                    }
                })
                .collect();
            Strategy {
                name: results.strategies[s].clone(),
                blended_score: spread(M::BlendedScore),
                product_score: spread(M::ProductScore),
                technology_score: spread(M::TechnologyScore),
                versus_first,
                p_all_product_krs_met: has(Owner::Product)
                    .then(|| results.summary(s, M::AllProductKrsMet).mean),
                p_all_technology_krs_met: has(Owner::Technology)
                    .then(|| results.summary(s, M::AllTechnologyKrsMet).mean),
                key_results,
                final_debt: spread(M::FinalDebt),
                incident_days: spread(M::IncidentDays),
                idle_days: spread(M::IdleDays),
            }
        })
        .collect()
}

/// The document of `fulcrum run --json`.
pub fn run(
    scenario: &Scenario,
    results: &Results,
    seed: u64,
    output: &str,
    warnings: Vec<String>,
    summary: Vec<String>,
) -> Run {
    Run {
        schema: "fulcrum.run/1",
        scenario: scenario.name.clone(),
        trials: results.trials(),
        seed,
        periods: scenario.periods,
        unit: Unit::of_scenario(scenario).long(),
        output: output.to_string(),
        warnings,
        summary,
        strategies: strategies(scenario, results),
    }
}

/// One period of an optimised strategy's plan, as simulated.
#[derive(Clone, Debug, Serialize)]
pub struct PlanPeriod {
    /// The period (1-based).
    pub period: usize,
    /// The period's last day, when the scenario has a `start`.
    pub ends: Option<String>,
    /// The tech share per team (in team order; `null` for a debt-ceiling policy, whose share
    /// depends on each trial's debt).
    pub tech_share: Option<Vec<f64>>,
    /// Mean days on product work, tech work and debt paydown (all teams).
    pub product_days: f64,
    /// Mean days on tech initiatives in the period (all teams).
    pub tech_days: f64,
    /// Mean days on debt paydown in the period (all teams).
    pub paydown_days: f64,
    /// Median outstanding debt at the end of the period, summed over teams.
    pub debt_p50: f64,
    /// Initiatives whose median finish is this period.
    pub finishing: Vec<String>,
}

/// A priced change: the blended score it gains, with the half-width of its 95% interval.
#[derive(Clone, Debug, Serialize)]
pub struct Help {
    /// The change, in words.
    pub change: String,
    /// Mean blended score with the change (the policy re-optimised for it) minus without.
    pub gain: f64,
    /// Half-width of the 95% interval of `gain`.
    pub half_width: f64,
    /// Whether the interval holds 0: the gain cannot be told from noise.
    pub within_noise: bool,
    /// What the change does, each measure before and after with the change's 95% interval
    /// (`null` until measured).
    pub effects: Option<HelpEffects>,
}

/// A price's effects, named: the measures of `marginal_values.csv`.
#[derive(Clone, Debug, Serialize)]
pub struct HelpEffects {
    /// In one line, as `plan` prints it.
    pub summary: String,
    /// Each key result's chance of being met, by id.
    pub key_results: std::collections::BTreeMap<String, crate::optimise::effects::Shift>,
    /// Each deadline initiative's P85 finish period, by id (`null`: beyond the horizon).
    pub p85_finish: std::collections::BTreeMap<String, Option<crate::optimise::effects::Shift>>,
    /// Final debt at P50.
    pub final_debt_p50: crate::optimise::effects::Shift,
    /// Mean incident days.
    pub incident_days: crate::optimise::effects::Shift,
    /// Trials each side was simulated on.
    pub trials: u64,
}

impl HelpEffects {
    /// `effects`, named by `scenario`'s ids.
    fn of(scenario: &Scenario, effects: &crate::optimise::effects::Effects) -> HelpEffects {
        HelpEffects {
            summary: super::plan::effects_line(scenario, effects).unwrap_or_default(),
            key_results: scenario
                .key_results
                .iter()
                .map(|kr| kr.id.clone())
                .zip(effects.key_results.iter().cloned())
                .collect(),
            p85_finish: effects
                .finishes
                .iter()
                .map(|(i, s)| (scenario.initiatives[*i].id.clone(), s.clone()))
                .collect(),
            final_debt_p50: effects.final_debt.clone(),
            incident_days: effects.incident_days.clone(),
            trials: effects.trials,
        }
    }
}

/// Why the policy makes one of its sharp moves: what it buys against the policy with the
/// move flattened (the phase kept at the previous phase's share).
#[derive(Clone, Debug, Serialize)]
pub struct ShapeMove {
    /// The team that moves.
    pub team: String,
    /// The first period of the phase the move enters.
    pub first_period: usize,
    /// Its last period.
    pub last_period: usize,
    /// Its tech share.
    pub tech_share: f64,
    /// The previous phase's tech share.
    pub from_tech_share: f64,
    /// Whether `tech_share` is a guardrail of the strategy.
    pub to_guardrail: bool,
    /// The move and what it buys, in one sentence (as `plan` prints it).
    pub why: String,
    /// What the move does, each measure flattened (`before`) and as found (`after`), with the
    /// difference's 95% interval.
    pub effects: HelpEffects,
}

/// One optimised strategy's plan.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    /// The optimised strategy's name.
    pub strategy: String,
    /// The policy found, in words.
    pub policy: String,
    /// The policy's blended score as simulated, and the other outcomes.
    pub outcome: Strategy,
    /// Each period of the horizon, in order.
    pub periods: Vec<PlanPeriod>,
    /// What would help most, best first.
    pub help: Vec<Help>,
    /// Why the policy has its shape: its sharpest moves, largest first.
    pub shape: Vec<ShapeMove>,
}

/// What `fulcrum plan --json` prints.
#[derive(Clone, Debug, Serialize)]
pub struct Plans {
    /// `fulcrum.plan/1`.
    pub schema: &'static str,
    /// The scenario's name.
    pub scenario: String,
    /// `engineer-days`, `items` or `units`.
    pub unit: &'static str,
    /// The teams' names, in scenario order (the order of each period's `tech_share`).
    pub teams: Vec<String>,
    /// The results folder.
    pub output: String,
    /// Each optimised strategy's plan, in strategy order.
    pub plans: Vec<Plan>,
}

/// The document of `fulcrum plan --json`.
pub fn plans(scenario: &Scenario, plans: &[StrategyPlan], output: &str) -> Plans {
    Plans {
        schema: "fulcrum.plan/1",
        scenario: scenario.name.clone(),
        unit: Unit::of_scenario(scenario).long(),
        teams: scenario.teams.iter().map(|t| t.name.clone()).collect(),
        output: output.to_string(),
        plans: plans
            .iter()
            .filter_map(|plan| plan_of(scenario, plan))
            .collect(),
    }
}

fn plan_of(scenario: &Scenario, plan: &StrategyPlan) -> Option<Plan> {
    use crate::simulate::policy::Share;
    let (results, s) = plan.simulated(None)?;
    let policy = &plan.found.candidate.policy;
    let scheduled = !matches!(policy.share, Share::DebtCeiling { .. });
    let periods = (1..=scenario.periods)
        .map(|t| {
            let mean = |m: PeriodMetric| results.period(s, t, m as usize).mean;
            PlanPeriod {
                period: t,
                ends: scenario.period_end_date(t).map(|d| d.to_string()),
                tech_share: scheduled.then(|| {
                    (0..scenario.teams.len())
                        .map(|j| policy.tech_share(j, t, 0.0))
                        .collect()
                }),
                product_days: mean(PeriodMetric::ProductDays),
                tech_days: mean(PeriodMetric::TechDays),
                paydown_days: mean(PeriodMetric::PaydownDays),
                debt_p50: results.period(s, t, PeriodMetric::Debt as usize).at(0.5),
                finishing: super::terminal::finishing(scenario, results, s, t),
            }
        })
        .collect();
    let mut outcome = strategies(scenario, results).swap_remove(s);
    outcome.name = plan.of.name(scenario).to_string();
    Some(Plan {
        strategy: plan.of.name(scenario).to_string(),
        policy: super::plan::rule(plan),
        outcome,
        periods,
        help: plan
            .prices
            .iter()
            .map(|p| Help {
                change: super::plan::describe(scenario, plan, &p.change),
                gain: p.value,
                half_width: p.half_width,
                within_noise: p.within_noise(),
                effects: p.effects.as_ref().map(|e| HelpEffects::of(scenario, e)),
            })
            .collect(),
        shape: plan
            .shape
            .iter()
            .map(|why| {
                let m = &why.moved;
                ShapeMove {
                    team: scenario.teams[m.team].name.clone(),
                    first_period: m.phase.first,
                    last_period: m.phase.last,
                    tech_share: m.phase.tech_share,
                    from_tech_share: m.from,
                    to_guardrail: m.to_guardrail,
                    why: super::plan::why_line(scenario, plan, why),
                    effects: HelpEffects::of(scenario, &why.effects),
                }
            })
            .collect(),
    })
}
