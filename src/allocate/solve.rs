//! Running the program: a simplex solver for the plan (a vertex: crisp, few initiatives in
//! flight), Clarabel for the duals (the marginal values) and for programs too large for the
//! simplex.

use std::collections::HashMap;

use good_lp::constraint::ConstraintReference;
use good_lp::solvers::clarabel::ClarabelProblem;
use good_lp::solvers::{DualValues, ResolutionError, SolutionWithDual};
use good_lp::{Solution, SolverModel, Variable, WithMipGap, clarabel};

use super::PlanError;
use super::program::{Program, Row};

/// Relative optimality gap at which branch and bound may stop (0.5% of the score).
const MIP_GAP: f32 = 0.005;

/// Variable values of a solved program.
#[derive(Debug, Default)]
pub struct Values(HashMap<Variable, f64>);

impl Values {
    /// The value of `v` (0 for a variable the solver never saw).
    pub fn get(&self, v: Variable) -> f64 {
        self.0.get(&v).copied().unwrap_or(0.0)
    }
}

/// Above this many variables microlp's simplex (dense factorisation, branch and bound) takes
/// minutes: larger programs are solved by Clarabel's interior point, their 0/1 decisions by
/// rounding the relaxation (see [`solve`]).
pub const SIMPLEX_LIMIT: usize = 2500;

/// Solves `program`, whatever its size: with the simplex solver up to [`SIMPLEX_LIMIT`]
/// variables; beyond, with the interior-point solver, its 0/1 decisions taken by rounding
/// the relaxation down (`rebuild(Some(decisions))` builds the program with them fixed,
/// `rebuild(None)` the relaxation).
pub fn solve(
    program: Program,
    rebuild: impl Fn(Option<&[f64]>) -> Program,
) -> Result<(Program, Values), PlanError> {
    if program.variables.len() <= SIMPLEX_LIMIT {
        let values = vertex(&program)?;
        return Ok((program, values));
    }
    let relaxed = rebuild(None);
    let values = interior(&relaxed)?;
    // A key result counts an initiative only if the relaxation finishes it by the deadline.
    let decisions: Vec<f64> = relaxed
        .finished
        .iter()
        .map(|&y| {
            if values.get(y) >= 1.0 - 1e-6 {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    let fixed = rebuild(Some(&decisions));
    let values = interior(&fixed)?;
    Ok((fixed, values))
}

/// Solves `program` without 0/1 decisions with the solver suited to its size.
pub fn lp(program: &Program) -> Result<Values, PlanError> {
    if program.variables.len() <= SIMPLEX_LIMIT {
        vertex(program)
    } else {
        interior(program)
    }
}

/// Solves `program` (no integer variables) with Clarabel.
pub fn interior(program: &Program) -> Result<Values, PlanError> {
    let (model, _) = clarabel_model(program);
    let solution = model.solve().map_err(resolution_error)?;
    check_bounded(&solution)?;
    Ok(values_of(program, &solution))
}

/// `program` as a Clarabel model, with a reference to each of its rows in order.
fn clarabel_model(program: &Program) -> (ClarabelProblem, Vec<ConstraintReference>) {
    let mut model = program
        .variables
        .clone()
        .maximise(program.objective.clone())
        .using(clarabel);
    let references = program
        .rows
        .iter()
        .map(|(_, row)| model.add_constraint(row.clone()))
        .collect();
    (model, references)
}

/// The value of every variable of `program` in `solution`.
fn values_of(program: &Program, solution: &impl Solution) -> Values {
    Values(
        program
            .variables
            .iter_variables_with_def()
            .map(|(v, _)| (v, solution.value(v)))
            .collect(),
    )
}

/// Clarabel reports an unbounded program as solved: check its status ourselves.
fn check_bounded(solution: &good_lp::solvers::clarabel::ClarabelSolution) -> Result<(), PlanError> {
    let status = solution.inner().status;
    if matches!(
        status,
        ::clarabel::solver::SolverStatus::DualInfeasible
            | ::clarabel::solver::SolverStatus::AlmostDualInfeasible
    ) {
        return Err(PlanError::Unbounded(
            "the interior-point solver found no finite optimum".into(),
        ));
    }
    Ok(())
}

/// Solves `program` with the simplex solver (microlp, or HiGHS with the `highs` feature).
pub fn vertex(program: &Program) -> Result<Values, PlanError> {
    let problem = program
        .variables
        .clone()
        .maximise(program.objective.clone());
    #[cfg(feature = "highs")]
    let model = problem.using(good_lp::highs);
    #[cfg(not(feature = "highs"))]
    let model = problem.using(good_lp::microlp);
    // Branch and bound stops once the plan is provably within MIP_GAP of the best: the
    // search order is fixed, so the answer is still deterministic.
    let mut model = model
        .with_mip_gap(MIP_GAP)
        .map_err(|e| PlanError::Solver(e.to_string()))?;
    for (_, row) in &program.rows {
        model.add_constraint(row.clone());
    }
    let solution = model.solve().map_err(resolution_error)?;
    Ok(values_of(program, &solution))
}

/// The dual value of every row, solving `program` with Clarabel (an interior-point solver
/// that reports them). Each is the change of the objective per unit of the row's right-hand
/// side.
pub fn duals(program: &Program) -> Result<Vec<(Row, f64)>, PlanError> {
    let (model, references) = clarabel_model(program);
    let mut solution = model.solve().map_err(resolution_error)?;
    check_bounded(&solution)?;
    let dual = solution.compute_dual();
    Ok(program
        .rows
        .iter()
        .zip(references)
        .map(|((row, _), r)| (*row, dual.dual(r)))
        .collect())
}

fn resolution_error(error: ResolutionError) -> PlanError {
    match error {
        ResolutionError::Infeasible => PlanError::Infeasible(Vec::new()),
        ResolutionError::Unbounded => PlanError::Unbounded(
            "the objective can grow without limit; some variable lacks a bound".into(),
        ),
        other => PlanError::Solver(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use good_lp::{Expression, ProblemVariables, variable};

    use super::*;

    /// maximise x subject to x ≥ 0 and nothing else.
    fn unbounded() -> Program {
        let mut variables = ProblemVariables::new();
        let x = variables.add(variable().min(0.0));
        Program {
            variables,
            objective: Expression::from(x),
            score: Expression::from(x),
            rows: vec![(Row::Structure, Expression::from(x).geq(1.0))],
            work: Vec::new(),
            paydown: Vec::new(),
            idle: Vec::new(),
            debt: Vec::new(),
            attainment: Vec::new(),
            finished: Vec::new(),
            slacks: Vec::new(),
        }
    }

    #[test]
    fn an_unbounded_program_is_reported_by_the_simplex() {
        let error = vertex(&unbounded()).unwrap_err();
        assert!(matches!(error, PlanError::Unbounded(_)), "{error:?}");
        assert!(error.to_string().starts_with("the plan is unbounded"));
    }

    #[test]
    fn an_unbounded_program_is_caught_although_clarabel_returns_ok() {
        let error = duals(&unbounded()).unwrap_err();
        assert!(matches!(error, PlanError::Unbounded(_)), "{error:?}");
    }
}
