//! Running the program: a simplex solver for the plan (a vertex: crisp, few initiatives in
//! flight), Clarabel for the duals (the marginal values) and for programs too large for the
//! simplex.

use good_lp::constraint::ConstraintReference;
use good_lp::solvers::clarabel::ClarabelSolution;
use good_lp::solvers::{DualValues, ResolutionError, SolutionWithDual};
use good_lp::{Expression, Solution, SolverModel, WithMipGap, clarabel};

use super::PlanError;
use super::program::{Program, Row};
use super::values::Values;

/// Branch and bound's time grows exponentially with the 0/1 decisions (64 take minutes): beyond
/// this many, the decisions are rounded from the relaxation, as in large programs.
const MAX_BRANCHED: usize = 32;
/// Relative optimality gap at which branch and bound may stop (3% of the optimum: the simulation-based search that follows
/// refines the policy, so a tighter gap buys solve time, not score).
const MIP_GAP: f32 = 0.03;

/// The dual value of each row of a program, in row order.
pub type Duals = Vec<(Row, f64)>;

/// An initiative counts as finished by the relaxation when its progress by the deadline is
/// within this of 1: the interior-point solution is accurate to about 10⁻⁷, and the rounded
/// program then asks for the last 0.01% of the work.
const ROUNDING: f64 = 1e-4;

/// A solved plan: the program, its solution and, for large programs, the duals of the
/// relaxation solved on the way (the marginal values come from that same relaxation).
pub struct Solved {
    pub program: Program,
    pub values: Values,
    pub relaxed_duals: Option<Duals>,
}

/// Solves `program`, whatever its size: small programs with the simplex solver, branch and
/// bound on its 0/1 decisions; large ones (see [`Program::large`]) with the interior-point
/// solver, the 0/1 decisions taken by rounding the relaxation: an initiative counts where the
/// relaxation finishes it by the deadline. `rebuild(Some(decisions))` builds the program with
/// the decisions fixed, `rebuild(None)` the relaxation.
pub fn solve(
    program: Program,
    rebuild: impl Fn(Option<&[f64]>) -> Program,
) -> Result<Solved, PlanError> {
    if !program.large && program.finished.len() <= MAX_BRANCHED {
        match vertex(&program) {
            Ok(values) => {
                return Ok(Solved {
                    program,
                    values,
                    relaxed_duals: None,
                });
            }
            // The dense simplex can fail numerically ("Singular matrix") where the interior
            // point does not: round its relaxation instead.
            Err(PlanError::Solver(_)) => {}
            Err(other) => return Err(other),
        }
    }
    let relaxed = rebuild(None);
    let (values, duals) = interior_with_duals(&relaxed)?;
    let rounded = |tolerance: f64| -> Vec<f64> {
        let finished = |progress: &Expression| values.eval(progress) >= 1.0 - tolerance;
        relaxed
            .finished
            .iter()
            .map(|p| if finished(p) { 1.0 } else { 0.0 })
            .collect()
    };
    // Asking for the last 0.01% can be infeasible where capacity is tight: then count only
    // what the relaxation finishes outright, and at worst nothing (always feasible).
    let mut tried: Vec<Vec<f64>> = Vec::new();
    for decisions in [
        rounded(ROUNDING),
        rounded(1e-9),
        vec![0.0; relaxed.finished.len()],
    ] {
        if tried.contains(&decisions) {
            continue;
        }
        let fixed = rebuild(Some(&decisions));
        match interior(&fixed) {
            Ok(values) => {
                return Ok(Solved {
                    program: fixed,
                    values,
                    relaxed_duals: Some(duals),
                });
            }
            Err(PlanError::Infeasible(_)) => tried.push(decisions),
            Err(other) => return Err(other),
        }
    }
    Err(PlanError::Infeasible(Default::default()))
}

/// Solves `program` without 0/1 decisions with the solver suited to its size.
pub fn lp(program: &Program) -> Result<Values, PlanError> {
    if program.large {
        interior(program)
    } else {
        vertex(program)
    }
}

/// Solves `program` (no integer variables) with Clarabel.
pub fn interior(program: &Program) -> Result<Values, PlanError> {
    let (solution, _) = clarabel_solution(program, Accuracy::Fine)?;
    Ok(values_of(program, &solution))
}

/// Solves a large `program` (no integer variables) to within 0.1% of its optimum: enough to
/// re-centre the linearisation, in a third of the interior-point iterations.
pub fn rough(program: &Program) -> Result<Values, PlanError> {
    let (solution, _) = clarabel_solution(program, Accuracy::Rough)?;
    Ok(values_of(program, &solution))
}

/// How close to the optimum an interior-point solve goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Accuracy {
    /// Where the answer is only a starting point.
    Rough,
    /// The plan and its duals.
    Fine,
}

/// Solves `program` (no integer variables) with Clarabel, with the dual value of every row:
/// the change of the objective per unit of the row's right-hand side.
pub fn interior_with_duals(program: &Program) -> Result<(Values, Duals), PlanError> {
    let (mut solution, references) = clarabel_solution(program, Accuracy::Fine)?;
    let values = values_of(program, &solution);
    let dual = solution.compute_dual();
    let duals = program
        .rows
        .iter()
        .zip(references)
        .map(|((row, _), r)| (*row, dual.dual(r)))
        .collect();
    Ok((values, duals))
}

/// `program` solved by Clarabel, with a reference to each of its rows in order.
fn clarabel_solution(
    program: &Program,
    accuracy: Accuracy,
) -> Result<(ClarabelSolution, Vec<ConstraintReference>), PlanError> {
    let mut model = program
        .variables
        .clone()
        .maximise(program.objective.clone())
        .using(clarabel);
    // Large programs stall near the optimum (degenerate, with long chains of cumulative
    // work): stop at a relative gap of 10⁻⁶ of the score, not good_lp's 10⁻⁸, which takes
    // twice the iterations and changes no decision.
    if program.large || accuracy == Accuracy::Rough {
        let (feasibility, gap) = match accuracy {
            Accuracy::Rough => (1e-6, 1e-3),
            Accuracy::Fine => (1e-7, 1e-6),
        };
        model
            .settings()
            .tol_feas(feasibility)
            .tol_gap_rel(gap)
            .tol_gap_abs(gap);
    }
    let references = program
        .rows
        .iter()
        .map(|(_, row)| model.add_constraint(row.clone()))
        .collect();
    let solution = model.solve().map_err(resolution_error)?;
    check_bounded(&solution)?;
    Ok((solution, references))
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
fn check_bounded(solution: &ClarabelSolution) -> Result<(), PlanError> {
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

fn resolution_error(error: ResolutionError) -> PlanError {
    match error {
        ResolutionError::Infeasible => PlanError::Infeasible(Default::default()),
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
            large: false,
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
        let error = interior_with_duals(&unbounded()).expect_err("unbounded");
        assert!(matches!(error, PlanError::Unbounded(_)), "{error:?}");
    }
}
