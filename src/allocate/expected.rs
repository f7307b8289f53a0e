//! The scenario's expected values: the deterministic world the allocator plans in.
//!
//! Every random quantity is replaced by its mean; attrition by its expected headcount loss;
//! a risk by its likelihood × mean impact spread over its window.

use crate::model::{Distribution, EventChanges, Parameter, Scenario, Workforce};

/// A team's expected world.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamWorld {
    /// Expected nominal capacity K(t), engineer-days: `nominal[t - 1]`.
    pub nominal: Vec<f64>,
    /// Expected unplanned days from risks: `risk[t - 1]`.
    pub risk: Vec<f64>,
    /// Days one engineer gives an initiative per period (days per engineer × availability);
    /// `None` for capacity teams.
    pub per_engineer: Option<f64>,
    /// Expected debt at the start, engineer-days (D₀, at least 0).
    pub debt_initial: f64,
    /// Expected compound growth of debt per period (r, at least −1).
    pub interest: f64,
    /// Expected debt days created per day of product work (a, at least 0).
    pub accrual: f64,
    /// Expected debt days removed per day of paydown (e, at least 0).
    pub efficiency: f64,
    /// Incidents per period at zero debt.
    pub base_rate: f64,
}

impl TeamWorld {
    /// Team `j`'s expected world in `scenario`, with the `events` of its scenario.
    pub(crate) fn of(scenario: &Scenario, j: usize, events: &EventChanges) -> TeamWorld {
        let team = &scenario.teams[j];
        let periods = scenario.periods;
        let mut nominal = vec![0.0; periods];
        let mut per_engineer = None;
        match &team.workforce {
            Workforce::Engineers(staff) => {
                let availability = staff.availability.mean().clamp(0.0, 1.0);
                let days = staff.days_per_engineer * availability;
                per_engineer = Some(days);
                let annual = staff.attrition.mean().clamp(0.0, 1.0);
                let hazard = scenario.period_length.period_hazard(annual);
                let mut people = staff.engineers;
                for t in 1..=periods {
                    let ramping = staff.hire(t, &mut people);
                    let engineers = (people - ramping + events.engineers[j][t - 1]).max(0.0);
                    nominal[t - 1] = engineers * days;
                    // The expected headcount loses its whole engineers' expected leavers.
                    people -= people.max(0.0).floor() * hazard;
                }
            }
            Workforce::Capacity(capacity) => nominal.fill(
                joint_mean(team, Parameter::Throughput)
                    .unwrap_or_else(|| capacity.mean())
                    .max(0.0),
            ),
            Workforce::Throughput(throughput) => nominal.fill(throughput.mean().max(0.0)),
        }
        for (k, fraction) in nominal.iter_mut().zip(&events.fraction[j]) {
            *k *= (1.0 + fraction).max(0.0);
        }
        let mut risk = vec![0.0; periods];
        for r in scenario.risks.iter().filter(|r| r.team == j) {
            let (first, last) = r.window;
            let per_period = r.likelihood * r.impact.mean().max(0.0) / (last - first + 1) as f64;
            for t in first..=last.min(periods) {
                risk[t - 1] += per_period;
            }
        }
        let debt = &scenario.debt;
        let mean = |p: Parameter, d: &Distribution| joint_mean(team, p).unwrap_or_else(|| d.mean());
        TeamWorld {
            nominal,
            risk,
            per_engineer,
            debt_initial: team.debt_initial_mean().max(0.0),
            interest: mean(Parameter::Interest, &debt.interest).max(-1.0),
            accrual: mean(Parameter::Accrual, &debt.accrual).max(0.0),
            efficiency: mean(Parameter::PaydownEfficiency, &debt.paydown_efficiency).max(0.0),
            base_rate: mean(Parameter::BaseRate, &scenario.incidents.base_rate).max(0.0),
        }
    }
}

/// An initiative's expected size, pace and payoff.
#[derive(Clone, Debug, PartialEq)]
pub struct InitiativeWorld {
    /// Planned work: the [`PLANNING_QUANTILE`] of effort × (1 + scope growth), at least
    /// [`MIN_WORK`].
    pub work: f64,
    /// At most this many days per period.
    pub cap: f64,
    /// (key result, expected value) when finished.
    pub contributes: Vec<(usize, f64)>,
    /// Debt days added when finished.
    pub debt: f64,
    /// Relative change of the team's capacity once finished (0: none, at least −1).
    pub capacity: f64,
    /// Relative change of the team's incident rate once finished (0: none, at least −1).
    pub incident_rate: f64,
}

/// The allocator plans each initiative's work at this quantile of its effort × (1 + scope
/// growth), not at its mean: a plan that finishes exactly on time in expectation misses
/// about half of its deadlines under uncertainty, one planned at the 80th percentile has a
/// buffer where the work is uncertain and none where it is not.
pub const PLANNING_QUANTILE: f64 = 0.8;
/// Draws used to estimate [`PLANNING_QUANTILE`] (a fixed stream: plans are deterministic).
const QUANTILE_DRAWS: usize = 4001;

/// Work below this many days counts as this much, so progress fractions stay finite.
pub const MIN_WORK: f64 = 1e-3;

/// The expected world of a whole scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedWorld {
    /// Each team's expected world: `teams[team]`.
    pub teams: Vec<TeamWorld>,
    /// Each initiative's expected world: `initiatives[initiative]`.
    pub initiatives: Vec<InitiativeWorld>,
    /// Expected cost of one incident, engineer-days.
    pub incident_cost: f64,
}

impl ExpectedWorld {
    /// Replaces every uncertain quantity of `scenario` by its expectation.
    pub fn of(scenario: &Scenario) -> ExpectedWorld {
        let events = scenario.event_changes();
        let teams = (0..scenario.teams.len())
            .map(|j| TeamWorld::of(scenario, j, &events))
            .collect::<Vec<_>>();
        let initiatives = scenario
            .initiatives
            .iter()
            .enumerate()
            .map(|(index, i)| {
                let effect = |d: &Option<crate::model::Distribution>| {
                    d.as_ref().map_or(0.0, |d| d.mean().max(-1.0))
                };
                InitiativeWorld {
                    work: planned_work(index, i).max(MIN_WORK),
                    cap: match (i.max_engineers, teams[i.team].per_engineer) {
                        (Some(m), Some(days)) => m * days,
                        _ => f64::INFINITY,
                    },
                    contributes: i.contributes.iter().map(|(k, v)| (*k, v.mean())).collect(),
                    debt: i.on_done.debt.as_ref().map_or(0.0, |d| d.mean()),
                    capacity: effect(&i.on_done.capacity),
                    incident_rate: effect(&i.on_done.incident_rate),
                }
            })
            .collect();
        ExpectedWorld {
            teams,
            initiatives,
            incident_cost: incident_cost(scenario).max(0.0),
        }
    }
}

/// The mean of `parameter` over a team's joint draws, when it has them and they hold it.
fn joint_mean(team: &crate::model::Team, parameter: Parameter) -> Option<f64> {
    team.joint.as_ref()?.mean(parameter)
}

/// The expected cost of an incident: `[incidents] cost`'s mean, or, when teams' joint draws
/// hold `cost`, the mean of their means (the plan has one incident cost for every team).
fn incident_cost(scenario: &Scenario) -> f64 {
    let means: Vec<f64> = scenario
        .teams
        .iter()
        .filter_map(|t| joint_mean(t, Parameter::Cost))
        .collect();
    if means.is_empty() {
        scenario.incidents.cost.mean()
    } else {
        means.iter().sum::<f64>() / means.len() as f64
    }
}

/// The [`PLANNING_QUANTILE`] of an initiative's work, drawn as the simulator draws it.
fn planned_work(index: usize, initiative: &crate::model::Initiative) -> f64 {
    use rand::SeedableRng;
    if let (Some(effort), None) = (initiative.effort.as_constant(), &initiative.scope_growth) {
        return effort.max(0.0);
    }
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0x005e_ed0f_91a2 ^ index as u64);
    let mut draws: Vec<f64> = (0..QUANTILE_DRAWS)
        .map(|_| {
            let effort = initiative.effort.sample(&mut rng).max(0.0);
            let growth = initiative
                .scope_growth
                .as_ref()
                .map_or(0.0, |g| g.sample(&mut rng));
            effort * (1.0 + growth).max(0.0)
        })
        .collect();
    let at = ((QUANTILE_DRAWS - 1) as f64 * PLANNING_QUANTILE).round() as usize;
    *draws.select_nth_unstable_by(at, f64::total_cmp).1
}
