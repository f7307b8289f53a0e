//! The values of a solved program's variables: what the plan is read from.

use std::collections::HashMap;

use good_lp::{Expression, Solution, SolutionStatus, Variable};

/// Variable values of a solved program.
#[derive(Debug, Default)]
pub struct Values(pub(super) HashMap<Variable, f64>);

impl Values {
    /// The value of `v` (0 for a variable the solver never saw).
    pub fn get(&self, v: Variable) -> f64 {
        self.0.get(&v).copied().unwrap_or(0.0)
    }

    /// The value of `expression` at these values.
    pub fn eval(&self, expression: &Expression) -> f64 {
        expression.eval_with(self)
    }
}

impl Solution for Values {
    fn status(&self) -> SolutionStatus {
        SolutionStatus::Optimal
    }

    fn value(&self, variable: Variable) -> f64 {
        self.get(variable)
    }
}
