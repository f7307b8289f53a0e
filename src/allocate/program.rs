//! The allocation linear program, built with good_lp (the formulation is documented on
//! [`crate::allocate`]).

use good_lp::{Constraint, Expression, ProblemVariables, Variable, variable};

use super::Guardrails;
use super::expected::ExpectedWorld;
use super::solve::Values;
use crate::model::{Goal, Kind, Measure, Metric, Owner, Scenario};

/// Weight of the tie-breaking term that prefers earlier progress, relative to a blended score
/// in [0, 1]: large enough to order otherwise equal plans, too small to trade real score.
const EARLY: f64 = 1e-3;
/// Weight of the tie-breaker that prefers less debt, per engineer-day of debt per period.
const LESS_DEBT: f64 = 1e-9;

/// What a constraint row stands for, so its dual or slack can be reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    /// A team's capacity in a period (rhs in engineer-days).
    Capacity { team: usize, period: usize },
    /// Product days ≤ (1 − min share) · capacity.
    MinShare { team: usize, period: usize },
    /// Tech and paydown days ≤ max share · capacity.
    MaxShare { team: usize, period: usize },
    /// A `must_finish` initiative's hard deadline.
    Deadline { initiative: usize },
    /// Everything else (debt recursion, precedence, key results, total work).
    Structure,
}

/// Which constraints may be violated, at a price, to find out why a plan is infeasible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The plan: every constraint hard, maximise the blended score.
    Plan,
    /// Minimise the engineer-days by which deadlines and capacity fall short; the guardrails
    /// stay hard when `guardrails` is true and are left out otherwise.
    Elastic { guardrails: bool },
}

/// An elastic slack: engineer-days missing to satisfy a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slack {
    Deadline { initiative: usize },
    Capacity { team: usize, period: usize },
}

/// What a program is built from: the scenario, its expected world and guardrails, and where
/// the previous solve leaves the linearisation.
#[derive(Clone, Copy, Debug)]
pub struct Setting<'a> {
    pub scenario: &'a Scenario,
    pub world: &'a ExpectedWorld,
    pub guardrails: &'a Guardrails,
    /// `reference[team][t - 1]`: the debt at the start of period t around which drag and the
    /// multiplicative on-done effects are linearised.
    pub reference: &'a [Vec<f64>],
    /// From period `spill_from[team]` on, the team's product work is done and the max
    /// guardrail is left out.
    pub spill_from: &'a [usize],
    /// `extra_days[team]` adds capacity to every period of a team (to price one more engineer
    /// by re-solving).
    pub extra_days: &'a [f64],
}

/// A built program with handles to its variables.
pub struct Program {
    pub variables: ProblemVariables,
    /// Maximised.
    pub objective: Expression,
    /// The expected blended score (the objective without tie-breakers).
    pub score: Expression,
    pub rows: Vec<(Row, Constraint)>,
    /// Days on initiative i in period t, `work[i][t - 1]`; in large programs the cumulative
    /// days by the end of t (read either with [`Program::days`]).
    pub work: Vec<Vec<Variable>>,
    /// Paydown, idle days and end-of-period debt per team: `[team][t - 1]`.
    pub paydown: Vec<Vec<Variable>>,
    pub idle: Vec<Vec<Variable>>,
    pub debt: Vec<Vec<Variable>>,
    pub attainment: Vec<Variable>,
    /// The progress by its deadline of each contribution to a delivery key result, in the
    /// order of the "finished by the deadline" decisions (see [`Finishing`]).
    pub finished: Vec<Expression>,
    pub slacks: Vec<(Slack, Variable)>,
    /// Whether the program is large: cumulative-work variables keep its matrix sparse, and
    /// it goes to the interior-point solver (see [`is_large`]).
    pub large: bool,
}

/// Whether `scenario`'s program is too large for the simplex: more than
/// [`SIMPLEX_LIMIT`](super::solve::SIMPLEX_LIMIT) work, paydown, idle and debt variables.
pub fn is_large(scenario: &Scenario) -> bool {
    core_variables(scenario) > super::solve::SIMPLEX_LIMIT
}

/// The work, paydown, idle and debt variables of `scenario`'s program: what its size and
/// solve time grow with (counted without building it).
pub fn core_variables(scenario: &Scenario) -> usize {
    let periods = scenario.periods;
    scenario
        .initiatives
        .len()
        .saturating_add(4 * scenario.teams.len())
        .saturating_mul(periods)
}

/// How the program treats "finished by the key result's deadline".
#[derive(Clone, Copy, Debug)]
pub enum Finishing<'a> {
    /// 0/1 decisions: a key result counts only finished initiatives (a mixed-integer program).
    Binary,
    /// Fractions in [0, 1]: finished work counts in proportion to progress (the LP
    /// relaxation, whose duals are the marginal values).
    Relaxed,
    /// Fixed 0/1 decisions, in [`Program::finished`] order (an LP again).
    Fixed(&'a [f64]),
}

/// The tangent of the drag curve at `debt`: (δ(debt), dδ/dD(debt)).
pub fn drag_tangent(scenario: &Scenario, debt: f64) -> (f64, f64) {
    let model = &scenario.debt;
    let d = debt.max(0.0);
    let slope = if model.drag_max == 0.0 {
        0.0
    } else {
        model.drag_max * model.drag_half / (d + model.drag_half).powi(2)
    };
    (model.drag(d), slope)
}

impl Program {
    /// Days on initiative `i` in period `t` (from 1) in `values`.
    pub fn days(&self, values: &Values, i: usize, t: usize) -> f64 {
        let x = values.get(self.work[i][t - 1]);
        if self.large && t > 1 {
            x - values.get(self.work[i][t - 2])
        } else {
            x
        }
    }

    /// Builds the program `setting` describes, planning (`Mode::Plan`) or explaining
    /// infeasibility (`Mode::Elastic`).
    pub fn build(setting: &Setting, mode: Mode, finishing: Finishing) -> Program {
        let Setting {
            scenario,
            world,
            guardrails,
            reference,
            spill_from,
            extra_days,
        } = *setting;
        let periods = scenario.periods;
        let n_teams = scenario.teams.len();
        let mut vars = ProblemVariables::new();
        // Small programs hold the days on initiative i in period t as a variable xᵢₜ. Large
        // ones hold the cumulative days Cᵢₜ instead (xᵢₜ = Cᵢₜ − Cᵢ,ₜ₋₁): every row that needs
        // progress then holds one term instead of one per earlier period, which keeps the
        // interior-point solver's factorisation sparse. (The simplex is faster without.)
        let sparse = is_large(scenario);
        let work: Vec<Vec<Variable>> = world
            .initiatives
            .iter()
            .map(|i| {
                let x = if sparse {
                    variable()
                } else {
                    variable().min(0.0).max(i.cap.min(i.work))
                };
                vars.add_vector(x, periods)
            })
            .collect();
        // Adds coefficient · xᵢₜ (t from 1) to an expression.
        let add_days = |e: &mut Expression, coefficient: f64, i: usize, t: usize| {
            e.add_mul(coefficient, work[i][t - 1]);
            if sparse && t > 1 {
                e.add_mul(-coefficient, work[i][t - 2]);
            }
        };
        let per_team = |vars: &mut ProblemVariables| -> Vec<Vec<Variable>> {
            (0..n_teams)
                .map(|_| vars.add_vector(variable().min(0.0), periods))
                .collect()
        };
        let paydown = per_team(&mut vars);
        let idle = per_team(&mut vars);
        let debt = per_team(&mut vars);
        // Debt the clamp at zero forgives (the simulator's max(0, ·)).
        let forgiven = per_team(&mut vars);
        let attainment = vars.add_vector(variable().min(0.0).max(1.0), scenario.key_results.len());
        let mut slacks = Vec::new();
        let mut rows = Vec::new();
        let mut finished = Vec::new();

        if sparse {
            // The bounds 0 ≤ xᵢₜ ≤ min(cap, W) as rows (with the total-work row below they
            // keep Cᵢₜ within [0, W]).
            for (i, initiative) in world.initiatives.iter().enumerate() {
                for t in 1..=periods {
                    let mut x = Expression::default();
                    add_days(&mut x, 1.0, i, t);
                    rows.push((Row::Structure, x.clone().geq(0.0)));
                    rows.push((Row::Structure, x.leq(initiative.cap.min(initiative.work))));
                }
            }
        }
        // Cumulative work of initiative i by the end of period t, as a fraction of its work.
        let progress = |i: usize, t: usize| -> Expression {
            let share = 1.0 / world.initiatives[i].work;
            if t == 0 {
                Expression::default()
            } else if sparse {
                share * work[i][t - 1]
            } else {
                let mut e = Expression::with_capacity(t);
                for x in &work[i][..t] {
                    e.add_mul(share, *x);
                }
                e
            }
        };
        // Debt at the start of period t (end of t − 1) as an expression.
        let debt_before = |j: usize, t: usize| -> Expression {
            if t == 1 {
                Expression::from(world.teams[j].debt_initial)
            } else {
                Expression::from(debt[j][t - 2])
            }
        };

        let elastic = matches!(mode, Mode::Elastic { .. });
        let guardrails_on = !matches!(mode, Mode::Elastic { guardrails: false });
        for (j, team) in world.teams.iter().enumerate() {
            let mine: Vec<usize> = (0..scenario.initiatives.len())
                .filter(|&i| scenario.initiatives[i].team == j)
                .collect();
            for t in 1..=periods {
                let k = team.nominal[t - 1];
                let d_ref = reference[j][t - 1];
                let (drag, slope) = drag_tangent(scenario, d_ref);
                let incident_days =
                    team.base_rate * world.incident_cost * scenario.incidents.debt_sensitivity;
                // used + idle + (drag + incident load growing with debt) − on-done boosts
                //   = K·(1 − δ(D̂) + δ'(D̂)·D̂) − base incident load − risk
                let mut used = Expression::default();
                for &i in &mine {
                    add_days(&mut used, 1.0, i, t);
                }
                used.add_mul(1.0, paydown[j][t - 1]);
                let mut load = used.clone();
                load.add_mul(1.0, idle[j][t - 1]);
                let mut lhs = load.clone();
                lhs += (k * slope + incident_days) * debt_before(j, t);
                let incident_rate_at_ref = team.base_rate
                    * (1.0 + scenario.incidents.debt_sensitivity * d_ref)
                    * world.incident_cost;
                for &i in &mine {
                    let effect = &world.initiatives[i];
                    if t > 1 && (effect.capacity != 0.0 || effect.incident_rate != 0.0) {
                        let per_progress = -k * (1.0 - drag) * effect.capacity
                            + incident_rate_at_ref * effect.incident_rate;
                        lhs += per_progress * progress(i, t - 1);
                    }
                }
                if elastic {
                    let z = vars.add(variable().min(0.0));
                    slacks.push((Slack::Capacity { team: j, period: t }, z));
                    lhs.add_mul(-1.0, z);
                }
                let rhs = extra_days[j] + k * (1.0 - drag + slope * d_ref)
                    - team.base_rate * world.incident_cost
                    - team.risk[t - 1];
                rows.push((Row::Capacity { team: j, period: t }, lhs.eq(rhs)));

                // Guardrails on the tech share of this period's capacity.
                if guardrails_on {
                    let mut product = Expression::default();
                    let mut tech = Expression::from(paydown[j][t - 1]);
                    for &i in &mine {
                        match scenario.initiatives[i].kind {
                            Kind::Product => add_days(&mut product, 1.0, i, t),
                            Kind::Tech => add_days(&mut tech, 1.0, i, t),
                        }
                    }
                    if guardrails.min_tech_share > 0.0 {
                        let row = product - (1.0 - guardrails.min_tech_share) * load.clone();
                        rows.push((Row::MinShare { team: j, period: t }, row.leq(0.0)));
                    }
                    // Once a team's product work is all done, the simulator spills the unused
                    // product budget to tech: the max guardrail no longer holds there.
                    if guardrails.max_tech_share < 1.0 && t < spill_from[j] {
                        let row = tech - guardrails.max_tech_share * load.clone();
                        rows.push((Row::MaxShare { team: j, period: t }, row.leq(0.0)));
                    }
                }

                // The debt recursion: D(t) = (1 + r)·D(t−1) + a·product − e·paydown + finished debt.
                let mut recursion = Expression::from(debt[j][t - 1]);
                recursion -= (1.0 + team.interest) * debt_before(j, t);
                recursion.add_mul(team.efficiency, paydown[j][t - 1]);
                recursion.add_mul(-1.0, forgiven[j][t - 1]);
                for &i in &mine {
                    let initiative = &world.initiatives[i];
                    if scenario.initiatives[i].kind == Kind::Product {
                        add_days(&mut recursion, -team.accrual, i, t);
                    }
                    if initiative.debt != 0.0 {
                        add_days(&mut recursion, -initiative.debt / initiative.work, i, t);
                    }
                }
                rows.push((Row::Structure, recursion.eq(0.0)));
            }
        }

        for (i, initiative) in scenario.initiatives.iter().enumerate() {
            let total: Expression = if sparse {
                work[i][periods - 1].into()
            } else {
                work[i].iter().map(|&x| Expression::from(x)).sum()
            };
            rows.push((Row::Structure, total.leq(world.initiatives[i].work)));
            // Precedence: progress may not run ahead of a dependency's progress a period earlier.
            for &before in &initiative.after {
                for t in 1..=periods {
                    let row = progress(i, t) - progress(before, t - 1);
                    rows.push((Row::Structure, row.leq(0.0)));
                }
            }
            if initiative.must_finish {
                let deadline = initiative.deadline.unwrap_or(periods).min(periods);
                let mut row = progress(i, deadline);
                if elastic {
                    let sigma = vars.add(variable().min(0.0));
                    slacks.push((Slack::Deadline { initiative: i }, sigma));
                    row.add_mul(1.0 / world.initiatives[i].work, sigma);
                }
                rows.push((Row::Deadline { initiative: i }, row.geq(1.0)));
            }
        }

        for (k, kr) in scenario.key_results.iter().enumerate() {
            let deadline = kr.deadline.min(periods);
            match kr.measure {
                Measure::Delivery { target } => {
                    // Only finished work counts: a 0/1 "finished by the deadline" per
                    // contributor, at most its progress.
                    let mut value = Expression::default();
                    for (i, initiative) in world.initiatives.iter().enumerate() {
                        for &(to, v) in &initiative.contributes {
                            if to == k {
                                let by_deadline = progress(i, deadline);
                                // y ≤ progress: y a decision, or a fixed 0 or 1 (a constant,
                                // so the interior-point solver sees no empty interior).
                                let y = match finishing {
                                    Finishing::Binary => Some(vars.add(variable().binary())),
                                    Finishing::Relaxed => {
                                        Some(vars.add(variable().min(0.0).max(1.0)))
                                    }
                                    Finishing::Fixed(fixed) => {
                                        let at = fixed.get(finished.len()).copied().unwrap_or(0.0);
                                        if at > 0.0 {
                                            value += v * at;
                                            let row = by_deadline.clone().geq(at);
                                            rows.push((Row::Structure, row));
                                        }
                                        None
                                    }
                                };
                                if let Some(y) = y {
                                    let row = Expression::from(y) - by_deadline.clone();
                                    rows.push((Row::Structure, row.leq(0.0)));
                                    value.add_mul(v, y);
                                }
                                finished.push(by_deadline);
                            }
                        }
                    }
                    rows.push((Row::Structure, (target * attainment[k]).leq(value)));
                }
                Measure::Metric { metric, goal, team } => {
                    let in_scope = |j: usize| team.is_none_or(|only| only == j);
                    let initial = metric_level_at(scenario, world, metric, &in_scope, |j| {
                        (world.teams[j].debt_initial, None)
                    });
                    let level = metric_expression(
                        scenario, world, metric, &in_scope, deadline, &debt, reference, &progress,
                    );
                    // attainment ≤ 1 − (distance still to go) / (distance at the start)
                    let (direction, level_goal) = match goal {
                        Goal::Below(x) => (1.0, x),
                        Goal::Above(x) => (-1.0, x),
                    };
                    let gap = direction * (initial - level_goal);
                    let scale = if gap > 1e-9 {
                        gap
                    } else {
                        (level_goal.abs() * 0.1).max(1e-3)
                    };
                    let row = Expression::from(attainment[k])
                        + (direction / scale) * (level - level_goal);
                    rows.push((Row::Structure, row.leq(1.0)));
                }
            }
        }

        let score = blended_expression(scenario, &attainment);
        let objective = match mode {
            Mode::Plan => {
                let mut objective = score.clone();
                let n = scenario.initiatives.len().max(1) as f64;
                for (i, initiative) in world.initiatives.iter().enumerate() {
                    for t in 1..=periods {
                        let weight = EARLY * (periods + 1 - t) as f64
                            / (periods as f64 * n * initiative.work);
                        add_days(&mut objective, weight, i, t);
                    }
                }
                for j in 0..n_teams {
                    for t in 0..periods {
                        objective.add_mul(-LESS_DEBT, debt[j][t]);
                        objective.add_mul(-LESS_DEBT, forgiven[j][t]);
                    }
                }
                objective
            }
            Mode::Elastic { .. } => {
                // Missing capacity means the debt model itself breaks down: blame it only
                // where no deadline can take the blame.
                let mut objective = Expression::default();
                for &(slack, s) in &slacks {
                    let price = match slack {
                        Slack::Deadline { .. } => 1.0,
                        Slack::Capacity { .. } => 10.0,
                    };
                    objective.add_mul(-price, s);
                }
                objective
            }
        };
        Program {
            variables: vars,
            objective,
            score,
            rows,
            work,
            paydown,
            idle,
            debt,
            attainment,
            finished,
            slacks,
            large: sparse,
        }
    }
}

/// A metric's level over the teams in scope, from each team's debt and (optionally) its
/// incident and capacity factors.
fn metric_level_at(
    scenario: &Scenario,
    world: &ExpectedWorld,
    metric: Metric,
    in_scope: &dyn Fn(usize) -> bool,
    debt: impl Fn(usize) -> (f64, Option<f64>),
) -> f64 {
    let s = scenario.incidents.debt_sensitivity;
    let (mut level, mut weight) = (0.0, 0.0);
    for j in (0..world.teams.len()).filter(|&j| in_scope(j)) {
        let (d, _) = debt(j);
        let team = &world.teams[j];
        match metric {
            Metric::Debt => level += d,
            Metric::Incidents => level += team.base_rate * (1.0 + s * d),
            Metric::Drag => {
                level += scenario.debt.drag(d) * team.nominal[0];
                weight += team.nominal[0];
            }
        }
    }
    if metric == Metric::Drag {
        if weight > 0.0 { level / weight } else { 0.0 }
    } else {
        level
    }
}

/// The metric's level at the end of `period`, linear in the plan's variables.
#[allow(clippy::too_many_arguments)]
fn metric_expression(
    scenario: &Scenario,
    world: &ExpectedWorld,
    metric: Metric,
    in_scope: &dyn Fn(usize) -> bool,
    period: usize,
    debt: &[Vec<Variable>],
    reference: &[Vec<f64>],
    progress: &dyn Fn(usize, usize) -> Expression,
) -> Expression {
    let s = scenario.incidents.debt_sensitivity;
    let scope: Vec<usize> = (0..world.teams.len()).filter(|&j| in_scope(j)).collect();
    let total_nominal: f64 = scope
        .iter()
        .map(|&j| world.teams[j].nominal[period - 1])
        .sum();
    let mut level = Expression::default();
    for &j in &scope {
        let team = &world.teams[j];
        let d = debt[j][period - 1];
        match metric {
            Metric::Debt => level.add_mul(1.0, d),
            Metric::Incidents => {
                level += team.base_rate;
                level.add_mul(team.base_rate * s, d);
                let d_ref = reference[j]
                    .get(period)
                    .copied()
                    .unwrap_or(reference[j][period - 1]);
                for (i, initiative) in world.initiatives.iter().enumerate() {
                    if scenario.initiatives[i].team == j && initiative.incident_rate != 0.0 {
                        level += team.base_rate
                            * (1.0 + s * d_ref)
                            * initiative.incident_rate
                            * progress(i, period);
                    }
                }
            }
            Metric::Drag if total_nominal > 0.0 => {
                let d_ref = reference[j]
                    .get(period)
                    .copied()
                    .unwrap_or(reference[j][period - 1]);
                let (drag, slope) = drag_tangent(scenario, d_ref);
                let w = team.nominal[period - 1] / total_nominal;
                level += w * (drag - slope * d_ref);
                level.add_mul(w * slope, d);
            }
            Metric::Drag => {}
        }
    }
    level
}

/// blend · (weighted mean product attainment) + (1 − blend) · (technology's), with the same
/// fallbacks as the simulator's score when one side has no key results.
fn blended_expression(scenario: &Scenario, attainment: &[Variable]) -> Expression {
    let side = |owner: Owner| {
        let total: f64 = scenario
            .key_results_of(owner)
            .map(|(_, kr)| kr.weight)
            .sum();
        (total > 0.0).then(|| {
            let mut e = Expression::default();
            for (k, kr) in scenario.key_results_of(owner) {
                e.add_mul(kr.weight / total, attainment[k]);
            }
            e
        })
    };
    match (side(Owner::Product), side(Owner::Technology)) {
        (Some(p), Some(t)) => scenario.blend * p + (1.0 - scenario.blend) * t,
        (Some(p), None) => p,
        (None, Some(t)) => t,
        (None, None) => Expression::default(),
    }
}
