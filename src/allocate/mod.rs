//! The allocator: a linear program over expected values that finds the split of capacity
//! maximising the expected blended OKR score, and the marginal value of capacity
//! (docs/src/explanation/allocator.md).
//!
//! # Formulation
//!
//! Every random quantity is replaced by its mean ([`expected`]). For team j, period t,
//! initiative i (of team j(i), expected work Wᵢ, per-period cap cᵢ = max_engineers · days per
//! engineer · mean availability) and key result k:
//!
//! * **Variables.** xᵢₜ ∈ [0, min(cᵢ, Wᵢ)] days on i in t; pⱼₜ ≥ 0 paydown days; uⱼₜ ≥ 0 idle
//!   days; Dⱼₜ ≥ 0 debt at the end of t (Dⱼ₀ is the expected initial debt); fⱼₜ ≥ 0 debt the
//!   clamp at zero forgives; aₖ ∈ [0, 1] attainment. Progress Fᵢₜ = Σ_{τ≤t} xᵢτ / Wᵢ.
//! * **Capacity** (one row per team and period; its dual is the value of an engineer-day):
//!   Σᵢ xᵢₜ + pⱼₜ + uⱼₜ = Kⱼₜ·(1 − δ̃ⱼₜ(Dⱼ,ₜ₋₁)) − c̄·λⱼ(Dⱼ,ₜ₋₁) − risksⱼₜ + on-done effects,
//!   where K is the expected nominal capacity (headcount after hires, ramp, expected
//!   attrition and events × days × mean availability), δ̃ the drag curve's tangent at a
//!   reference debt D̂ⱼₜ, λ = base_rate·(1 + s·D) the incident rate (already linear) and c̄
//!   the mean incident cost. A finished tech initiative's capacity and incident-rate effects
//!   enter linearly in Fᵢ,ₜ₋₁, scaled at D̂.
//! * **Debt:** Dⱼₜ = (1 + r)·Dⱼ,ₜ₋₁ + a·Σ_{product} xᵢₜ − e·pⱼₜ + Σᵢ debtᵢ·xᵢₜ/Wᵢ + fⱼₜ.
//! * **Guardrails:** product days ≤ (1 − min share)·capacity; tech and paydown days ≤
//!   max share·capacity (capacity = the row above's left side). The simulator lets an unused
//!   product budget spill to tech, so the max guardrail is stricter here than in execution.
//! * **Work and precedence:** Σₜ xᵢₜ ≤ Wᵢ; for i after b: Fᵢₜ ≤ F_b,ₜ₋₁.
//! * **Hard deadlines** (`must_finish`): Fᵢ,deadline ≥ 1.
//! * **Key results:** delivery: target·aₖ ≤ Σᵢ valueᵢₖ·yᵢₖ with yᵢₖ ∈ {0, 1} ≤ Fᵢ,deadline
//!   (only finished work counts); metric: aₖ ≤ 1 −
//!   (level − goal)/(initial − goal) with the level (debt, incident rate, or drag by its
//!   tangent) linear in D at the deadline.
//! * **Objective:** the blended score blend·Σ_product wₖaₖ/Σw + (1 − blend)·Σ_tech wₖaₖ/Σw,
//!   plus 10⁻³·(mean progress over periods) to prefer earlier delivery, minus 10⁻⁹ per
//!   engineer-day of debt to prefer less debt among equal plans.
//!
//! **Linearisation and its error.** Drag is concave in debt, so its tangent lies above the
//! curve: the program never overstates capacity, and the error K·(δ̃(D) − δ(D)) is second
//! order in D − D̂. The program is solved three times (a large one twice), each time
//! re-centring D̂ on the previous solution's debt path, so the error is that of the final
//! plan's deviation from its own path. The solves before the last are of the LP relaxation,
//! by the interior-point solver to 0.1% of the optimum: enough to place the tangent, and
//! cheaper than the integer program (which only the last solve is). The accrual effect of
//! on-done (a product of two decisions) is left out, and precedence on progress lets a
//! dependant start while its dependency is still under way: the plan is a deterministic
//! approximation, which is why `run` checks it under uncertainty.
//!
//! **Guardrails as executed.** The simulator offers product work (1 − share) of capacity and
//! spills what product cannot use to tech. So the max guardrail holds only while a team has
//! product work left: the program is re-solved with it dropped from the period after the
//! previous solution finishes the team's product work.
//!
//! Delivery key results count only finished work: a 0/1 "finished by the deadline" per
//! contributing initiative makes the plan a small mixed-integer program, solved by microlp's
//! branch and bound to within 0.5% of the best score (a vertex: few initiatives in flight at
//! once). Each initiative's work is planned at its 80th percentile
//! ([`expected::PLANNING_QUANTILE`]), a buffer where the work is uncertain.
//!
//! **Marginal values** come from the LP relaxation (finishing counted in proportion to
//! progress) at the same linearisation, where the integer program's answer would jump in
//! steps: per team and period, Clarabel's capacity duals; per team, re-solves with one more
//! engineer-day in every period and with one more engineer (duals are ambiguous where the
//! plan sits on a corner, finite differences are not; programs too large for the simplex sum
//! the duals instead); per binding guardrail, its dual; per hard deadline, the integer
//! program re-solved without it (the whole score it costs).
//!
//! **Large programs** (more than 2,500 work, paydown, idle and debt variables) are solved by
//! Clarabel's interior point instead: microlp's dense factorisation and branch and bound take
//! minutes there. Their work variables are cumulative days
//! Cᵢₜ = Σ_{τ≤t} xᵢτ (days are differences), so progress is one term and the factorisation
//! stays sparse. The 0/1 decisions are rounded: an initiative counts where the relaxation
//! finishes it by the deadline (to within 10⁻⁴ of its work), and the program is re-solved
//! with those decisions fixed (if that asks too much, with only the ones finished outright).
//! With the one rough relaxation that places the tangent, and the last relaxation's duals
//! serving as the marginal values, a large plan takes three interior-point solves, and team
//! values come from summed duals instead of re-solves.
//!
//! An infeasible program is explained by an elastic re-solve that minimises the engineer-days
//! by which deadlines and capacity fall short.

pub mod expected;
mod explain;
mod program;
mod solve;
mod values;

use std::fmt;

use crate::model::{Kind, Plan, Scenario};
use expected::ExpectedWorld;
use program::{Finishing, Mode, Program, Row, Setting};
use solve::Solved;
use values::Values;

/// Bounds on each team's tech share in every period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Guardrails {
    /// Least fraction of capacity on tech work and paydown, in [0, 1]; 0: no lower bound.
    pub min_tech_share: f64,
    /// Greatest fraction of capacity on tech work and paydown, in [0, 1]; 1: no upper bound.
    /// It holds only while the team has product work left (see the module docs).
    pub max_tech_share: f64,
}

/// Days the plan puts on one initiative (or on debt paydown) in one team and period.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedWork {
    /// Index of the team.
    pub team: usize,
    /// `None`: debt paydown.
    pub initiative: Option<usize>,
    /// 1-based.
    pub period: usize,
    /// Engineer-days planned.
    pub days: f64,
}

/// What a marginal value is the value of.
#[derive(Clone, Debug, PartialEq)]
pub enum Marginal {
    /// One more engineer-day for `team` in `period`.
    Capacity {
        /// Index of the team.
        team: usize,
        /// 1-based.
        period: usize,
    },
    /// One more engineer-day for `team` in every period of the horizon.
    TeamHorizon {
        /// Index of the team.
        team: usize,
    },
    /// One more engineer on `team` for the whole horizon (days per engineer × availability
    /// in every period); the value is per engineer, not per day.
    Engineer {
        /// Index of the team (one with engineers, not a fixed capacity).
        team: usize,
    },
    /// Relaxing a team's tech-share guardrail in a period by one engineer-day.
    Guardrail {
        /// Index of the team.
        team: usize,
        /// 1-based.
        period: usize,
        /// Which guardrail binds.
        bound: Bound,
    },
    /// Dropping an initiative's hard deadline (`must_finish`): the value is the whole score
    /// it costs, not per day.
    Deadline {
        /// Index of the `must_finish` initiative.
        initiative: usize,
    },
}

/// Which side of the guardrail binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// The minimum tech share: product days ≤ (1 − min share)·capacity.
    Min,
    /// The maximum tech share: tech and paydown days ≤ max share·capacity.
    Max,
}

/// The blended-score value of one more unit of something the plan is short of.
#[derive(Clone, Debug, PartialEq)]
pub struct MarginalValue {
    /// What it is the value of.
    pub of: Marginal,
    /// Change of the expected blended score per engineer-day (for guardrails: the score lost
    /// per engineer-day the guardrail takes; for deadlines and engineers: see [`Marginal`]).
    pub value: f64,
    /// Whether the constraint binds in the optimal plan.
    pub binding: bool,
}

/// The allocator's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Allocation {
    /// What the simulator executes.
    pub plan: Plan,
    /// Every positive planned amount of work.
    pub work: Vec<PlannedWork>,
    /// Expected attainment of each key result under the plan.
    pub key_results: Vec<f64>,
    /// Expected blended score of the plan (the LP's objective without tie-breaking terms).
    pub expected_score: f64,
    /// Planned debt per team at the end of each period: `debt[team][period - 1]`.
    pub debt: Vec<Vec<f64>>,
    /// From the LP relaxation's duals: capacity per team and period, then each binding
    /// guardrail; with [`MarginalValues::All`] then per team (horizon and engineer) and per
    /// hard deadline.
    pub marginal_values: Vec<MarginalValue>,
}

/// Why the hard constraints cannot all hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Infeasibility {
    /// Each line says which constraint falls short and by how much.
    pub lines: Vec<String>,
    /// The `must_finish` initiatives whose deadlines fall short.
    pub deadlines: Vec<usize>,
    /// The optimised strategy whose plan it is, once known.
    pub strategy: Option<usize>,
}

/// Why no plan came out.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// Deadlines or guardrails that cannot all hold.
    #[error("no plan can meet every hard constraint:\n{}", .0.lines.join("\n"))]
    Infeasible(Infeasibility),
    /// The program has no finite optimum (a modelling bug: every objective term is bounded).
    #[error("the plan is unbounded: {0}")]
    Unbounded(String),
    /// The solver failed.
    #[error("the solver failed: {0}")]
    Solver(String),
    /// The program is larger than fulcrum solves ([`MAX_VARIABLES`]): refused before it is
    /// built, rather than let the solver's allocation fail and abort the process.
    #[error(
        "the plan's program would have {variables} variables, more than fulcrum solves \
         ({MAX_VARIABLES})"
    )]
    TooLarge {
        /// Its work, paydown, idle and debt variables.
        variables: usize,
    },
}

impl fmt::Display for Marginal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Marginal::Capacity { team, period } => {
                write!(f, "capacity of team {team} in period {period}")
            }
            Marginal::TeamHorizon { team } => write!(f, "capacity of team {team} over the horizon"),
            Marginal::Engineer { team } => write!(f, "one more engineer on team {team}"),
            Marginal::Guardrail {
                team,
                period,
                bound,
            } => {
                write!(f, "{bound:?} tech share of team {team} in period {period}")
            }
            Marginal::Deadline { initiative } => write!(f, "deadline of initiative {initiative}"),
        }
    }
}

/// Solves of the program, each with the drag tangent re-centred on the previous solve's debt
/// path (see the module docs).
const LINEARISATIONS: usize = 3;
/// Solves of a large program: one re-centring fewer. A rough interior-point solve there costs
/// about a fifth of the plan's time (4 s of 21 s at 34,000 variables), and the search that
/// follows moves the policy by more than the third tangent does: on three generated
/// organisations the optimised policy scored the same on 2,000 trials with two as with three
/// (docs/src/explanation/allocator.md, planning time).
const LARGE_LINEARISATIONS: usize = 2;
/// Duals smaller than this are tie-breaker noise, not a binding constraint.
const BINDING: f64 = 1e-5;
/// Score differences below this are the interior-point solver's inaccuracy, not value.
const SOLVER_NOISE: f64 = 1e-6;
/// Planned amounts below this many engineer-days are left out of [`Allocation::work`].
const NEGLIGIBLE: f64 = 1e-6;

/// How far the allocator prices its plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarginalValues {
    /// Every marginal value: the plan's duals, and per team and per hard deadline a re-solve.
    All,
    /// The plan's duals only (sweeps, which plan at every point).
    DualsOnly,
}

/// The size of an allocation program: what its solve time grows with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgramSize {
    /// Continuous and 0/1 variables.
    pub variables: usize,
    /// 0/1 "finished by the deadline" decisions (rounded from the relaxation in large
    /// programs).
    pub decisions: usize,
    /// Constraint rows, variable bounds left out.
    pub rows: usize,
    /// Whether the program takes the interior-point path (more than 2,500 work, paydown, idle
    /// and debt variables).
    pub large: bool,
}

/// The most work, paydown, idle and debt variables a program may have. Memory grows by about
/// 6 KB a variable up to 125,000 (750 MB, measured), but a program of 1.25 million (100 teams,
/// 2,000 chained initiatives, 520 periods) made Clarabel ask for 149 GB and abort the process:
/// beyond what was measured to work, refuse.
pub const MAX_VARIABLES: usize = 500_000;

/// The work, paydown, idle and debt variables of `scenario`'s program, counted without
/// building it (for up-front estimates: building a huge program is itself the problem).
pub fn core_variables(scenario: &Scenario) -> usize {
    program::core_variables(scenario)
}

/// Whether `scenario`'s program takes the interior-point path (more than
/// [`program::SIMPLEX_LIMIT`] work, paydown, idle and debt variables): a solve of seconds to
/// minutes, not milliseconds.
pub fn is_large(scenario: &Scenario) -> bool {
    program::is_large(scenario)
}

/// The size of `scenario`'s allocation program within `guardrails`.
pub fn program_size(scenario: &Scenario, guardrails: &Guardrails) -> ProgramSize {
    let world = ExpectedWorld::of(scenario);
    let reference = flat_reference(&world, scenario.periods);
    let program = Program::build(
        &Setting {
            scenario,
            world: &world,
            guardrails,
            reference: &reference,
            spill_from: &vec![scenario.periods + 1; scenario.teams.len()],
            extra_days: &vec![0.0; scenario.teams.len()],
        },
        Mode::Plan,
        Finishing::Binary,
    );
    ProgramSize {
        variables: program.variables.len(),
        decisions: program.finished.len(),
        rows: program.rows.len(),
        large: program.large,
    }
}

/// Solves the allocation program of `scenario` within `guardrails`, priced as far as
/// `marginal_values` asks.
pub fn allocate(
    scenario: &Scenario,
    guardrails: &Guardrails,
    marginal_values: MarginalValues,
) -> Result<Allocation, PlanError> {
    let variables = core_variables(scenario);
    if variables > MAX_VARIABLES {
        return Err(PlanError::TooLarge { variables });
    }
    let world = ExpectedWorld::of(scenario);
    let no_extra = vec![0.0; scenario.teams.len()];
    let Linearised {
        solved,
        reference,
        spill_from,
    } = linearised_plan(scenario, &world, guardrails)?;
    let Solved {
        program,
        values,
        relaxed_duals,
    } = solved;
    let setting = Setting {
        scenario,
        world: &world,
        guardrails,
        reference: &reference,
        spill_from: &spill_from,
        extra_days: &no_extra,
    };
    // Marginal values: duals of the LP relaxation at the same linearisation (a large
    // program's plan solved that relaxation already).
    let duals = match relaxed_duals {
        Some(duals) => duals,
        None => {
            let relaxed = Program::build(&setting, Mode::Plan, Finishing::Relaxed);
            solve::interior_with_duals(&relaxed)?.1
        }
    };
    let mut allocation = extract(scenario, &world, guardrails, &program, &values, &duals);
    if marginal_values == MarginalValues::DualsOnly {
        return Ok(allocation);
    }
    let team_values = if program::is_large(scenario) {
        summed_capacity_duals(&world, &duals)
    } else {
        resolved_team_values(&setting)?
    };
    allocation.marginal_values.extend(team_values);
    let deadline_values = deadline_values(&setting, allocation.expected_score)?;
    allocation.marginal_values.extend(deadline_values);
    Ok(allocation)
}

/// The plan, solved [`LINEARISATIONS`] times ([`LARGE_LINEARISATIONS`] if large) with the
/// drag tangent re-centred on the previous solution's debt path and the spill of each team's
/// guardrail from where its product work ends; with the final linearisation point and spill
/// periods.
fn linearised_plan(
    scenario: &Scenario,
    world: &ExpectedWorld,
    guardrails: &Guardrails,
) -> Result<Linearised, PlanError> {
    let mut reference = flat_reference(world, scenario.periods);
    let mut spill_from = vec![scenario.periods + 1; scenario.teams.len()];
    let no_extra = vec![0.0; scenario.teams.len()];
    let mut solved = None;
    let rounds = if program::is_large(scenario) {
        LARGE_LINEARISATIONS
    } else {
        LINEARISATIONS
    };
    for round in 1..=rounds {
        let setting = Setting {
            scenario,
            world,
            guardrails,
            reference: &reference,
            spill_from: &spill_from,
            extra_days: &no_extra,
        };
        // A rough relaxation is enough to re-centre the linearisation; only the last round
        // solves the program with its 0/1 decisions.
        let attempt = if round < rounds {
            let relaxed = Program::build(&setting, Mode::Plan, Finishing::Relaxed);
            solve::rough(&relaxed).map(|values| Solved {
                program: relaxed,
                values,
                relaxed_duals: None,
            })
        } else {
            solve_plan(&setting)
        };
        let plan = match attempt {
            Ok(plan) => plan,
            Err(PlanError::Infeasible(_)) => {
                return Err(PlanError::Infeasible(explain::explain(&setting)));
            }
            Err(other) => return Err(other),
        };
        for (j, team) in plan.program.debt.iter().enumerate() {
            for t in 1..scenario.periods {
                reference[j][t] = plan.values.get(team[t - 1]).max(0.0);
            }
        }
        spill_from = product_done(scenario, world, &plan.program, &plan.values);
        solved = Some(plan);
    }
    Ok(Linearised {
        solved: solved.expect("at least one linearisation"),
        reference,
        spill_from,
    })
}

/// The plan at its last linearisation: the solve, the debt path the drag tangent is centred
/// on (per team and period), and the period from which each team's max guardrail spills.
struct Linearised {
    solved: Solved,
    reference: Vec<Vec<f64>>,
    spill_from: Vec<usize>,
}

/// Team-level values of a large program: a re-solve per team costs as much as the plan, so
/// the capacity duals are summed instead (exact wherever the plan is not on a corner).
fn summed_capacity_duals(world: &ExpectedWorld, duals: &[(Row, f64)]) -> Vec<MarginalValue> {
    let mut out = Vec::new();
    for (j, team) in world.teams.iter().enumerate() {
        let day: f64 = duals
            .iter()
            .filter(|(row, _)| matches!(row, Row::Capacity { team, .. } if *team == j))
            .map(|(_, dual)| dual)
            .sum();
        out.push(marginal(Marginal::TeamHorizon { team: j }, day));
        if let Some(days) = team.per_engineer {
            out.push(marginal(Marginal::Engineer { team: j }, day * days));
        }
    }
    out
}

/// Team-level values by re-solving the relaxation (like the duals, so the values agree with
/// each other): a capacity dual is ambiguous where the plan sits on a corner (e.g. a cap and
/// capacity binding at once), a finite difference is not. Only the score is read, so the
/// interior-point solver does: 3x faster than the dense simplex here.
fn resolved_team_values(setting: &Setting) -> Result<Vec<MarginalValue>, PlanError> {
    let relaxed_score = |extra_days: &[f64]| -> Result<f64, PlanError> {
        let with_extra = Setting {
            extra_days,
            ..*setting
        };
        let program = Program::build(&with_extra, Mode::Plan, Finishing::Relaxed);
        Ok(solve::interior(&program)?.eval(&program.score))
    };
    // Differences within the solver's accuracy are no value at all.
    let denoise = |value: f64| {
        if value.abs() < SOLVER_NOISE {
            0.0
        } else {
            value
        }
    };
    let no_extra = vec![0.0; setting.scenario.teams.len()];
    let baseline = relaxed_score(&no_extra)?;
    let mut out = Vec::new();
    for (j, team) in setting.world.teams.iter().enumerate() {
        let mut extra = no_extra.clone();
        extra[j] = 1.0;
        let value = denoise(relaxed_score(&extra)? - baseline);
        out.push(marginal(Marginal::TeamHorizon { team: j }, value));
        if let Some(days) = team.per_engineer {
            extra[j] = days;
            let value = denoise(relaxed_score(&extra)? - baseline);
            out.push(marginal(Marginal::Engineer { team: j }, value));
        }
    }
    Ok(out)
}

/// The cost of each hard deadline: the plan's score without it, less the plan's score.
fn deadline_values(setting: &Setting, score: f64) -> Result<Vec<MarginalValue>, PlanError> {
    let mut out = Vec::new();
    for (i, initiative) in setting.scenario.initiatives.iter().enumerate() {
        if !initiative.must_finish {
            continue;
        }
        let mut free = setting.scenario.clone();
        free.initiatives[i].must_finish = false;
        let plan = solve_plan(&Setting {
            scenario: &free,
            ..*setting
        })?;
        let value = (plan.values.eval(&plan.program.score) - score).max(0.0);
        out.push(MarginalValue {
            of: Marginal::Deadline { initiative: i },
            value,
            binding: value > BINDING,
        });
    }
    Ok(out)
}

/// A marginal value, binding when it is more than [`BINDING`] either way.
fn marginal(of: Marginal, value: f64) -> MarginalValue {
    MarginalValue {
        of,
        value,
        binding: value.abs() > BINDING,
    }
}

/// The first linearisation point: every team's debt stays at its initial level.
fn flat_reference(world: &ExpectedWorld, periods: usize) -> Vec<Vec<f64>> {
    world
        .teams
        .iter()
        .map(|t| vec![t.debt_initial; periods])
        .collect()
}

/// The plan `setting` describes: its program (with 0/1 finishing decisions) and solution.
fn solve_plan(setting: &Setting) -> Result<Solved, PlanError> {
    solve::solve(
        Program::build(setting, Mode::Plan, Finishing::Binary),
        |fixed| {
            let finishing = fixed.map_or(Finishing::Relaxed, Finishing::Fixed);
            Program::build(setting, Mode::Plan, finishing)
        },
    )
}

/// The first period after each team's planned product work is all done (horizon + 1 if
/// never).
fn product_done(
    scenario: &Scenario,
    world: &ExpectedWorld,
    program: &Program,
    values: &Values,
) -> Vec<usize> {
    let never = scenario.periods + 1;
    let mut from = vec![1; scenario.teams.len()];
    for (i, initiative) in scenario.initiatives.iter().enumerate() {
        if initiative.kind != Kind::Product {
            continue;
        }
        let finished = finish_period(program, values, i, world.initiatives[i].work);
        let team = &mut from[initiative.team];
        *team = (*team).max((finished + 1).min(never));
    }
    from
}

/// The period in which the plan has done initiative `i`'s `work` (to within 10⁻⁶ of it), or
/// horizon + 1 if never.
fn finish_period(program: &Program, values: &Values, i: usize, work: f64) -> usize {
    let periods = program.work[i].len();
    let mut done = 0.0;
    for t in 1..=periods {
        done += program.days(values, i, t);
        if done >= work * (1.0 - 1e-6) {
            return t;
        }
    }
    periods + 1
}

/// Reads the plan, its expectations and its marginal values off a solved program.
fn extract(
    scenario: &Scenario,
    world: &ExpectedWorld,
    guardrails: &Guardrails,
    program: &Program,
    values: &Values,
    duals: &[(Row, f64)],
) -> Allocation {
    let tech_share = (0..scenario.teams.len())
        .map(|j| {
            (1..=scenario.periods)
                .map(|t| executed_share(scenario, guardrails, program, values, j, t))
                .collect()
        })
        .collect();
    let order = finishing_order(scenario, world, program, values);
    let marginal_values = duals
        .iter()
        .filter_map(|&(row, dual)| dual_value(row, dual))
        .collect();
    Allocation {
        plan: Plan { tech_share, order },
        work: planned_work(scenario, program, values),
        key_results: program.attainment.iter().map(|&a| values.get(a)).collect(),
        expected_score: values.eval(&program.score),
        debt: program
            .debt
            .iter()
            .map(|team| team.iter().map(|&d| values.get(d)).collect())
            .collect(),
        marginal_values,
    }
}

/// Every positive amount of planned work: days per team, period and initiative, and paydown.
fn planned_work(scenario: &Scenario, program: &Program, values: &Values) -> Vec<PlannedWork> {
    let mut work = Vec::new();
    for j in 0..scenario.teams.len() {
        for t in 1..=scenario.periods {
            for (i, initiative) in scenario.initiatives.iter().enumerate() {
                let days = program.days(values, i, t);
                if initiative.team == j && days > NEGLIGIBLE {
                    work.push(PlannedWork {
                        team: j,
                        initiative: Some(i),
                        period: t,
                        days,
                    });
                }
            }
            let days = values.get(program.paydown[j][t - 1]);
            if days > NEGLIGIBLE {
                work.push(PlannedWork {
                    team: j,
                    initiative: None,
                    period: t,
                    days,
                });
            }
        }
    }
    work
}

/// The tech share the simulator executes for team j in period t: whatever is not product
/// work, within the guardrails (unused product budget spills to tech there, as idle days do
/// here).
fn executed_share(
    scenario: &Scenario,
    guardrails: &Guardrails,
    program: &Program,
    values: &Values,
    j: usize,
    t: usize,
) -> f64 {
    let mut product = 0.0;
    let mut capacity = values.get(program.paydown[j][t - 1]) + values.get(program.idle[j][t - 1]);
    for (i, initiative) in scenario.initiatives.iter().enumerate() {
        if initiative.team == j {
            let days = program.days(values, i, t);
            capacity += days;
            if initiative.kind == Kind::Product {
                product += days;
            }
        }
    }
    let share = if capacity > NEGLIGIBLE {
        1.0 - product / capacity
    } else {
        guardrails.min_tech_share
    };
    share.clamp(guardrails.min_tech_share, guardrails.max_tech_share)
}

/// The order work flows in: first to what the plan finishes first, then to what it starts
/// first, then by priority.
fn finishing_order(
    scenario: &Scenario,
    world: &ExpectedWorld,
    program: &Program,
    values: &Values,
) -> Vec<usize> {
    let periods = scenario.periods;
    let finish = |i: usize| -> (usize, usize) {
        let start = (1..=periods)
            .find(|&t| program.days(values, i, t) > NEGLIGIBLE)
            .unwrap_or(periods + 1);
        (
            finish_period(program, values, i, world.initiatives[i].work),
            start,
        )
    };
    let priority = scenario.priority_order();
    let mut order = priority.clone();
    order.sort_by_key(|&i| {
        let (end, start) = finish(i);
        (end, start, priority.iter().position(|&p| p == i))
    });
    order
}

/// The marginal value a row's dual gives, if any: capacity per team and period, and each
/// binding guardrail. A deadline's dual is ambiguous (its row and the initiative's total-work
/// row bind together): its cost comes from a re-solve without it instead.
fn dual_value(row: Row, dual: f64) -> Option<MarginalValue> {
    let (of, value) = match row {
        Row::Capacity { team, period } => (Marginal::Capacity { team, period }, dual),
        Row::MinShare { team, period } | Row::MaxShare { team, period } => {
            if dual.abs() <= BINDING {
                return None;
            }
            let bound = if matches!(row, Row::MinShare { .. }) {
                Bound::Min
            } else {
                Bound::Max
            };
            (
                Marginal::Guardrail {
                    team,
                    period,
                    bound,
                },
                dual.abs(),
            )
        }
        Row::Deadline { .. } | Row::Structure => return None,
    };
    Some(marginal(of, value))
}
