//! Reactive rules: a base tech share (per team and period) raised while a state trigger holds
//! for the team. One mechanism serves three rules of the scenario file: `error_budget` (the
//! error-budget policy of Beyer et al., *Site Reliability Engineering*, O'Reilly 2016, ch. 3–4,
//! and the example error-budget policy of Beyer et al., *The Site Reliability Workbook*,
//! O'Reilly 2018: feature work frozen while the budget is spent, released when it recovers),
//! `lights_on_cap` (the tech share steps up when keep-the-lights-on work, incidents and risks,
//! has taken more than a share of capacity for k periods running) and `reactive`, the general
//! form with any of the triggers.
//!
//! Semantics (docs/src/reference/strategies.md#reactive-rules): in period t a team's triggers
//! read its debt at the start of t and what happened in periods 1..t−1, never period t itself;
//! the share is `raised` while any trigger holds, the base share otherwise, decided per team,
//! period and trial; release is immediate once no trigger holds. A rolling window longer than
//! the periods elapsed counts the periods so far.

/// What a team's period left for the triggers of later periods to read.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Past {
    /// Incidents in the period.
    pub incidents: f64,
    /// Engineer-days the period's incidents cost (at most its capacity).
    pub incident_days: f64,
    /// Unplanned work (incident and risk days) as a share of the period's effective capacity
    /// (0 when there was no capacity).
    pub unplanned_share: f64,
}

/// What an error budget counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budgeted {
    /// Incidents.
    Incidents,
    /// Engineer-days spent on incidents.
    IncidentDays,
}

/// A state of one team that raises its tech share while it holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Trigger {
    /// The team's debt at the start of the period exceeds this many engineer-days.
    DebtAbove(f64),
    /// The error budget is spent: the incidents (or incident days) of the last `window`
    /// periods exceed `allowance`.
    ErrorBudget {
        /// What is counted.
        measure: Budgeted,
        /// The budget: at most this much in any `window` periods.
        allowance: f64,
        /// Periods the budget covers, at least 1.
        window: usize,
    },
    /// Unplanned work exceeded `share` of capacity in each of the last `periods` periods.
    UnplannedAbove {
        /// A share of effective capacity, in [0, 1].
        share: f64,
        /// Periods running, at least 1.
        periods: usize,
    },
}

impl Trigger {
    /// Whether the trigger holds for a team whose debt is `debt` at the start of the period
    /// and whose earlier periods are `past` (period 1 first, the one just ended last).
    #[inline]
    pub fn holds(&self, debt: f64, past: &[Past]) -> bool {
        match *self {
            Trigger::DebtAbove(ceiling) => debt > ceiling,
            Trigger::ErrorBudget {
                measure,
                allowance,
                window,
            } => {
                let recent = &past[past.len().saturating_sub(window)..];
                let spent: f64 = recent
                    .iter()
                    .map(|p| match measure {
                        Budgeted::Incidents => p.incidents,
                        Budgeted::IncidentDays => p.incident_days,
                    })
                    .sum();
                spent > allowance
            }
            Trigger::UnplannedAbove { share, periods } => {
                past.len() >= periods
                    && past[past.len() - periods..]
                        .iter()
                        .all(|p| p.unplanned_share > share)
            }
        }
    }
}

/// Which rule of the scenario file a reactive rule was written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReactiveForm {
    /// `error_budget`: one error-budget trigger, feature work frozen by default.
    ErrorBudget,
    /// `lights_on_cap`: one unplanned-work trigger.
    LightsOnCap,
    /// `reactive`: any triggers over a fixed share or phases.
    General,
}

impl ReactiveForm {
    /// The word used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            ReactiveForm::ErrorBudget => "error_budget",
            ReactiveForm::LightsOnCap => "lights_on_cap",
            ReactiveForm::General => "reactive",
        }
    }
}

/// A base share per team and period, raised while any trigger holds for the team.
#[derive(Clone, Debug, PartialEq)]
pub struct Reactive {
    /// The rule it was written as.
    pub form: ReactiveForm,
    /// `base[team][period - 1]`, each in [0, 1]; beyond its last period the last share holds.
    pub base: Vec<Vec<f64>>,
    /// The triggers; any one holding raises the share.
    pub when: Vec<Trigger>,
    /// The tech share while a trigger holds, in [0, 1].
    pub raised: f64,
}

impl Reactive {
    /// The tech share of `team` in `period` (1-based) with start-of-period `debt` and the
    /// team's earlier periods `past`.
    #[inline]
    pub fn share(&self, team: usize, period: usize, debt: f64, past: &[Past]) -> f64 {
        if self.when.iter().any(|w| w.holds(debt, past)) {
            self.raised
        } else {
            super::plan::scheduled(&self.base, team, period)
        }
    }

    /// Whether a trigger reads earlier periods (not only the debt).
    pub fn reads_past(&self) -> bool {
        self.when
            .iter()
            .any(|w| !matches!(w, Trigger::DebtAbove(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incidents(n: &[f64]) -> Vec<Past> {
        n.iter()
            .map(|&incidents| Past {
                incidents,
                incident_days: 2.0 * incidents,
                unplanned_share: incidents / 10.0,
            })
            .collect()
    }

    #[test]
    fn an_error_budget_counts_the_last_window_or_the_periods_so_far() {
        let budget = |measure, allowance| Trigger::ErrorBudget {
            measure,
            allowance,
            window: 3,
        };
        let b = budget(Budgeted::Incidents, 4.0);
        assert!(!b.holds(0.0, &[]));
        // Fewer periods than the window: the periods so far, 5 > 4.
        assert!(b.holds(0.0, &incidents(&[5.0])));
        assert!(
            !b.holds(0.0, &incidents(&[4.0])),
            "at the budget is not over it"
        );
        // The last 3 of 5: 1 + 1 + 2 = 4, the 9 has left the window.
        assert!(!b.holds(0.0, &incidents(&[9.0, 0.0, 1.0, 1.0, 2.0])));
        let days = budget(Budgeted::IncidentDays, 7.0);
        assert!(days.holds(0.0, &incidents(&[9.0, 0.0, 1.0, 1.0, 2.0])));
    }

    #[test]
    fn unplanned_work_must_exceed_its_share_every_period_running() {
        let cap = Trigger::UnplannedAbove {
            share: 0.3,
            periods: 2,
        };
        assert!(!cap.holds(0.0, &incidents(&[5.0])), "one period is not two");
        assert!(cap.holds(0.0, &incidents(&[5.0, 4.0])));
        assert!(
            !cap.holds(0.0, &incidents(&[5.0, 3.0])),
            "0.3 is not above 0.3"
        );
        assert!(!cap.holds(0.0, &incidents(&[5.0, 1.0, 4.0])));
    }

    #[test]
    fn the_share_is_raised_while_any_trigger_holds() {
        let rule = Reactive {
            form: ReactiveForm::General,
            base: vec![vec![0.1, 0.3]],
            when: vec![
                Trigger::DebtAbove(800.0),
                Trigger::UnplannedAbove {
                    share: 0.3,
                    periods: 1,
                },
            ],
            raised: 0.5,
        };
        assert_eq!(rule.share(0, 1, 800.0, &[]), 0.1);
        assert_eq!(rule.share(0, 5, 0.0, &incidents(&[1.0])), 0.3);
        assert_eq!(rule.share(0, 2, 801.0, &[]), 0.5);
        assert_eq!(rule.share(0, 2, 0.0, &incidents(&[4.0])), 0.5);
        assert!(rule.reads_past());
    }
}
