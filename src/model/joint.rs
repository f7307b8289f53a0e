//! Joint draws of a team's parameters: rows of a posterior (what `fulcrum calibrate` writes to
//! `posterior.csv`), of which each trial takes one whole row, so that the correlations between
//! parameters (interest against accrual, say, which a history often cannot tell apart) are kept.
//! Drawing one row per trial is resampling the posterior's draws: an empirical joint
//! distribution, as in the sampling-importance-resampling of Rubin (1988) and Smith & Gelfand
//! (1992).

use std::sync::Arc;

/// A parameter a joint draw can hold, named as the scenario file and `posterior.csv` name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Parameter {
    /// The team's debt at the start (`debt_initial`).
    DebtInitial,
    /// `[debt] interest`.
    Interest,
    /// `[debt] accrual`.
    Accrual,
    /// `[debt] paydown_efficiency`.
    PaydownEfficiency,
    /// `[debt] drag_max`.
    DragMax,
    /// `[debt] drag_half`.
    DragHalf,
    /// `[incidents] base_rate`.
    BaseRate,
    /// `[incidents] debt_sensitivity`.
    DebtSensitivity,
    /// `[incidents] cost`: the trial's mean cost of an incident.
    Cost,
    /// The trial's mean capacity per period of a `capacity` team.
    Throughput,
    /// The coefficient of variation of a `capacity` team's capacity per period.
    ThroughputCv,
}

impl Parameter {
    /// Every parameter, in the order of `posterior.csv`'s columns.
    pub const ALL: [Parameter; 11] = [
        Parameter::DebtInitial,
        Parameter::Interest,
        Parameter::Accrual,
        Parameter::PaydownEfficiency,
        Parameter::DragMax,
        Parameter::DragHalf,
        Parameter::BaseRate,
        Parameter::DebtSensitivity,
        Parameter::Cost,
        Parameter::Throughput,
        Parameter::ThroughputCv,
    ];

    /// The column's name.
    pub fn name(self) -> &'static str {
        match self {
            Parameter::DebtInitial => "debt_initial",
            Parameter::Interest => "interest",
            Parameter::Accrual => "accrual",
            Parameter::PaydownEfficiency => "paydown_efficiency",
            Parameter::DragMax => "drag_max",
            Parameter::DragHalf => "drag_half",
            Parameter::BaseRate => "base_rate",
            Parameter::DebtSensitivity => "debt_sensitivity",
            Parameter::Cost => "cost",
            Parameter::Throughput => "throughput",
            Parameter::ThroughputCv => "throughput_cv",
        }
    }

    /// The parameter a column name names.
    pub fn named(name: &str) -> Option<Parameter> {
        Parameter::ALL.into_iter().find(|p| p.name() == name)
    }

    fn slot(self) -> usize {
        Parameter::ALL
            .iter()
            .position(|&p| p == self)
            .unwrap_or_default()
    }
}

/// One team's joint draws: a table of rows, one column per parameter it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct JointDraws {
    rows: usize,
    columns: [Option<Arc<[f64]>>; 11],
}

impl JointDraws {
    /// A table from its columns, each with the same number of rows (at least one). `None`
    /// when they disagree or are empty.
    pub fn new(columns: Vec<(Parameter, Vec<f64>)>) -> Option<JointDraws> {
        let rows = columns.first()?.1.len();
        if rows == 0 || columns.iter().any(|(_, c)| c.len() != rows) {
            return None;
        }
        let mut table = JointDraws {
            rows,
            columns: Default::default(),
        };
        for (parameter, column) in columns {
            table.columns[parameter.slot()] = Some(column.into());
        }
        Some(table)
    }

    /// Rows in the table.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Whether the table holds `parameter`.
    pub fn holds(&self, parameter: Parameter) -> bool {
        self.columns[parameter.slot()].is_some()
    }

    /// `parameter` in `row`, when the table holds it.
    #[inline]
    pub fn get(&self, parameter: Parameter, row: usize) -> Option<f64> {
        self.columns[parameter.slot()].as_ref().map(|c| c[row])
    }

    /// The mean of `parameter` over the rows, when the table holds it (the planner's
    /// expected value).
    pub fn mean(&self, parameter: Parameter) -> Option<f64> {
        let column = self.columns[parameter.slot()].as_ref()?;
        Some(column.iter().sum::<f64>() / self.rows as f64)
    }

    /// The row a uniform `u` in [0, 1) picks, each row equally likely.
    #[inline]
    pub fn row(&self, u: f64) -> usize {
        ((u * self.rows as f64) as usize).min(self.rows - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_holds_its_own_values_and_rows_are_equally_likely() {
        let draws = JointDraws::new(vec![
            (Parameter::Interest, vec![0.01, 0.03]),
            (Parameter::Accrual, vec![0.3, 0.1]),
        ])
        .unwrap();
        assert_eq!(draws.rows(), 2);
        assert!(draws.holds(Parameter::Accrual) && !draws.holds(Parameter::Cost));
        assert_eq!(draws.get(Parameter::Accrual, 1), Some(0.1));
        assert_eq!(draws.get(Parameter::Cost, 1), None);
        assert_eq!(
            [0.0, 0.49, 0.5, 0.999_999].map(|u| draws.row(u)),
            [0, 0, 1, 1]
        );
        assert!((draws.mean(Parameter::Interest).unwrap() - 0.02).abs() < 1e-15);
        for p in Parameter::ALL {
            assert_eq!(Parameter::named(p.name()), Some(p));
        }
    }

    #[test]
    fn columns_of_different_lengths_are_refused() {
        assert!(
            JointDraws::new(vec![
                (Parameter::Interest, vec![0.01]),
                (Parameter::Accrual, vec![0.3, 0.1]),
            ])
            .is_none()
        );
        assert!(JointDraws::new(vec![(Parameter::Interest, vec![])]).is_none());
    }
}
