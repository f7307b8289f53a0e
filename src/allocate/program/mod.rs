//! The allocation linear program, built with good_lp (the formulation is documented on
//! [`crate::allocate`]): its rows and variables here, the constraint families in [`build`].

mod build;

use good_lp::{Constraint, Expression, ProblemVariables, Variable};

use super::Guardrails;
use super::expected::ExpectedWorld;
use super::values::Values;
use crate::model::Scenario;
use build::Builder;

/// Above this many work, paydown, idle and debt variables microlp's simplex (dense
/// factorisation, branch and bound) takes minutes: larger programs ([`is_large`]) are solved
/// by Clarabel's interior point, their 0/1 decisions by rounding the relaxation (see
/// [`super::solve::solve`]).
pub const SIMPLEX_LIMIT: usize = 2500;

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

/// Whether `scenario`'s program is too large for the simplex: more than [`SIMPLEX_LIMIT`]
/// work, paydown, idle and debt variables.
pub fn is_large(scenario: &Scenario) -> bool {
    core_variables(scenario) > SIMPLEX_LIMIT
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
    /// infeasibility (`Mode::Elastic`): one family of constraints after another, as the module
    /// docs of [`crate::allocate`] list them.
    pub fn build(setting: &Setting, mode: Mode, finishing: Finishing) -> Program {
        let mut b = Builder::new(setting, mode);
        b.work_bounds();
        for j in 0..setting.scenario.teams.len() {
            for t in 1..=setting.scenario.periods {
                b.capacity(j, t);
                b.guardrails(j, t);
                b.debt_recursion(j, t);
            }
        }
        for i in 0..setting.scenario.initiatives.len() {
            b.work_and_precedence(i);
            b.deadline(i);
        }
        for k in 0..setting.scenario.key_results.len() {
            b.key_result(k, finishing);
        }
        b.finish()
    }
}

/// The program states the model's equations through `model/`'s own generic functions: here
/// they are checked to give, on the allocator's linear expressions, the simulator's numbers.
#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use good_lp::{Expression, ProblemVariables, variable};

    use crate::model::{Goal, Metric, Owner};

    /// Three variables set to `values`, as expressions, and the values to evaluate them at.
    fn three(values: [f64; 3]) -> (Vec<Expression>, HashMap<good_lp::Variable, f64>) {
        let mut vars = ProblemVariables::new();
        let v: Vec<_> = (0..3).map(|_| vars.add(variable())).collect();
        let at = v.iter().copied().zip(values).collect();
        (v.into_iter().map(Expression::from).collect(), at)
    }

    #[test]
    fn metric_levels_of_expressions_are_the_simulators_levels() {
        let levels = [120.0, 0.25, 40.5];
        let nominal = [40.0, 0.0, 25.0];
        let (expressions, at) = three(levels);
        for metric in Metric::ALL {
            let number = metric.level(levels.iter().copied().zip(nominal));
            let linear = metric.level(expressions.iter().cloned().zip(nominal));
            assert!((linear.eval_with(&at) - number).abs() < 1e-12, "{metric:?}");
        }
        let none: [(f64, f64); 0] = [];
        assert_eq!(Metric::Drag.level(none), 0.0, "drag without capacity is 0");
    }

    #[test]
    fn side_scores_of_expressions_are_the_simulators_scores() {
        let scenario = crate::scenario::load(
            std::path::Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/scenarios/balanced-okrs.toml"
            )),
            &[],
        )
        .expect("the example loads")
        .scenario;
        let attainment: Vec<f64> = (0..scenario.key_results.len())
            .map(|k| (k as f64 * 0.37).fract())
            .collect();
        let mut vars = ProblemVariables::new();
        let a: Vec<_> = attainment.iter().map(|_| vars.add(variable())).collect();
        let at: HashMap<_, _> = a.iter().copied().zip(attainment.iter().copied()).collect();
        for owner in [Owner::Product, Owner::Technology] {
            let number = scenario.side_score(owner, |k| attainment[k]).unwrap();
            let linear = scenario
                .side_score(owner, |k| Expression::from(a[k]))
                .unwrap();
            assert!((linear.eval_with(&at) - number).abs() < 1e-12, "{owner:?}");
        }
    }

    /// Between the start and the goal the bound is the attainment; a goal met at the start is
    /// a step for the simulator and a ramp over a tenth of the goal for the program.
    #[test]
    fn the_programs_attainment_bound_is_the_simulators_attainment_on_the_way() {
        for (goal, initial) in [(Goal::Below(400.0), 1000.0), (Goal::Above(0.9), 0.5)] {
            for step in 0..=10 {
                let level = initial + (goal.level() - initial) * step as f64 / 10.0;
                let bound = goal.linear_attainment(initial, level);
                assert!((bound - goal.attainment(initial, level)).abs() < 1e-12);
            }
        }
        let met_at_start = Goal::Below(100.0);
        assert_eq!(met_at_start.linear_attainment(80.0, 100.0), 1.0);
        assert!((met_at_start.linear_attainment(80.0, 105.0) - 0.5).abs() < 1e-12);
        assert!(met_at_start.linear_attainment(80.0, 110.0).abs() < 1e-12);
        assert_eq!(
            met_at_start.attainment(80.0, 105.0),
            0.0,
            "the simulator's step"
        );
    }
}
