//! One period of one strategy (docs/src/explanation/model.md#steps, steps 3–8): drag and boosts,
//! incidents and risks, the tech share, budgets flowing to ready initiatives in order, spill-over,
//! paydown and the debt recursion. The budget arithmetic here is the one every path uses, the
//! forecast's one-item kernel included ([`product_budget`], [`tech_budget`], [`absorb`]).

use crate::model::Kind;
use crate::model::reactive::Past;

use super::super::rng::{Purpose, poisson_quantile, stream};
use super::metrics::{PeriodMetric, Totals};
use super::world::{InitiativeDraws, TeamDraws, TeamWorld};
use super::{Engine, Outcome, Scratch};

/// Work left below this counts as finished (guards against rounding).
pub const DONE_EPSILON: f64 = 1e-9;

/// The product budget of a team-period with `planned` capacity and tech share `share`.
#[inline(always)]
pub fn product_budget(share: f64, planned: f64) -> f64 {
    (1.0 - share) * planned
}

/// The tech budget: the tech share of `planned` plus what product work left of its budget.
#[inline(always)]
pub fn tech_budget(share: f64, planned: f64, product_budget: f64, product_days: f64) -> f64 {
    share * planned + (product_budget - product_days)
}

/// Days an initiative with `remaining` work absorbs: at most its per-period `cap` and what is
/// `left` of the budget, at least 0.
#[inline(always)]
pub fn absorb(remaining: f64, cap: f64, left: f64) -> f64 {
    remaining.min(cap).min(left).max(0.0)
}

/// A strategy's state within a trial.
#[derive(Clone, Debug, Default)]
pub(super) struct State {
    pub debt: Vec<f64>,
    pub accrual_factor: Vec<f64>,
    pub incident_factor: Vec<f64>,
    pub capacity_factor: Vec<f64>,
    pub remaining: Vec<f64>,
    /// Product days each team has worked since the start of the trial (the `product_work`
    /// metric's level).
    pub product_work: Vec<f64>,
    /// Delivered value per key result.
    pub value: Vec<f64>,
    /// Key results' attainment so far (frozen at their deadlines).
    pub attainment: Vec<f64>,
    pub met: Vec<bool>,
    pub totals: Totals,
    pub done: bool,
    /// `past[team * horizon + t - 1]`: what team's period t left for a reactive rule's
    /// triggers; empty unless the strategy's rule reads it.
    pub past: Vec<Past>,
}

/// What one strategy changes as its budgets flow: its state, its outcome, and the initiatives
/// finished in the current team-period.
struct Work<'a> {
    st: &'a mut State,
    outcome: &'a mut Outcome,
    just_finished: &'a mut Vec<usize>,
    contributions: &'a [f64],
}

/// What one team did in one period under one strategy.
struct TeamPeriod {
    drag: f64,
    capacity: f64,
    incidents: u64,
    incident_days: f64,
    risk_days: f64,
    product_days: f64,
    tech_days: f64,
    paydown: f64,
    idle: f64,
}

impl Engine<'_> {
    /// Advances strategy `s` through period `t`.
    pub(super) fn step(&self, trial: u64, s: usize, t: usize, scratch: &mut Scratch) {
        let sc = self.scenario;
        let Scratch {
            teams,
            initiatives,
            contributions,
            world,
            states,
            outcomes,
            just_finished,
            initial_level,
            ..
        } = scratch;
        let mut work = Work {
            st: &mut states[s],
            outcome: &mut outcomes[s],
            just_finished,
            contributions,
        };
        let mut row = [0.0; PeriodMetric::ALL.len()];
        let mut weighted_drag = 0.0;
        for j in 0..sc.teams.len() {
            let w = &world[j];
            let p = self.team_period(trial, s, j, t, &teams[j], w, initiatives, &mut work);
            work.st.product_work[j] += p.product_days;
            row[PeriodMetric::Debt as usize] += work.st.debt[j];
            weighted_drag += p.drag * w.nominal;
            row[PeriodMetric::Engineers as usize] += w.engineers;
            row[PeriodMetric::NominalCapacity as usize] += w.nominal;
            row[PeriodMetric::EffectiveCapacity as usize] += p.capacity;
            row[PeriodMetric::Incidents as usize] += p.incidents as f64;
            row[PeriodMetric::IncidentDays as usize] += p.incident_days;
            row[PeriodMetric::RiskDays as usize] += p.risk_days;
            row[PeriodMetric::ProductDays as usize] += p.product_days;
            row[PeriodMetric::TechDays as usize] += p.tech_days;
            row[PeriodMetric::PaydownDays as usize] += p.paydown;
            row[PeriodMetric::IdleDays as usize] += p.idle;
        }
        let nominal = row[PeriodMetric::NominalCapacity as usize];
        row[PeriodMetric::Drag as usize] = if nominal > 0.0 {
            weighted_drag / nominal
        } else {
            0.0
        };
        let st = work.st;
        let outcome = work.outcome;
        st.totals.add_period(&row);
        st.done = outcome.finished.iter().all(|&f| f > 0);

        self.judge_key_results(t, st, world, teams, initial_level);
        row[PeriodMetric::BlendedScore as usize] = sc.blended(&st.attainment);
        if self.recording.periods {
            let base = (t - 1) * self.width;
            let cells = &mut outcome.periods[base..base + self.width];
            cells[..row.len()].copy_from_slice(&row);
            cells[row.len()..].copy_from_slice(&st.value);
        }
    }

    /// Team `j`'s period `t` under strategy `s`: capacity after drag, boosts, incidents and
    /// risks; the budgets spent; paydown and the debt recursion.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn team_period(
        &self,
        trial: u64,
        s: usize,
        j: usize,
        t: usize,
        draws: &TeamDraws,
        w: &TeamWorld,
        initiatives: &[InitiativeDraws],
        work: &mut Work,
    ) -> TeamPeriod {
        let sc = self.scenario;
        let debt = work.st.debt[j];
        let drag = draws.drag(debt);
        let capacity = w.nominal * (1.0 - drag) * work.st.capacity_factor[j];

        let (incidents, incident_days) =
            self.incidents(trial, (j, t), draws, w, debt, work.st.incident_factor[j]);
        let incident_days = incident_days.min(capacity);
        let risk_days = w.risk_days.min(capacity - incident_days);
        let planned = capacity - incident_days - risk_days;

        let rule = &self.policies[s].share;
        let keeps_past = rule.reads_past();
        let past = if keeps_past {
            &work.st.past[j * self.horizon..j * self.horizon + t - 1]
        } else {
            &[]
        };
        let share = rule.at(j, t, debt, past).clamp(0.0, 1.0);
        let cap_per_engineer = sc.teams[j].days_per_engineer().unwrap_or(0.0) * w.availability;
        work.just_finished.clear();
        let [product_order, tech_order] = &self.orders[s][j];
        let product_budget = product_budget(share, planned);
        let product_days = self.flow(product_order, product_budget, t, cap_per_engineer, work);
        let tech_budget = tech_budget(share, planned, product_budget, product_days);
        let tech_days = self.flow(tech_order, tech_budget, t, cap_per_engineer, work);
        let leftover = (tech_budget - tech_days).max(0.0);

        let paydown = settle_debt(j, draws, initiatives, (debt, product_days, leftover), work);
        if keeps_past {
            let unplanned = incident_days + risk_days;
            work.st.past[j * self.horizon + t - 1] = Past {
                incidents: incidents as f64,
                incident_days,
                unplanned_share: if capacity > 0.0 {
                    unplanned / capacity
                } else {
                    0.0
                },
            };
        }
        TeamPeriod {
            drag,
            capacity,
            incidents,
            incident_days,
            risk_days,
            product_days,
            tech_days,
            paydown,
            idle: leftover - paydown,
        }
    }

    /// Team `j`'s incidents in period `t` at the start-of-period `debt`, and the days they
    /// cost (before capacity caps them). The i-th incident of a team-period costs the same
    /// under every strategy.
    #[inline(always)]
    fn incidents(
        &self,
        trial: u64,
        (j, t): (usize, usize),
        draws: &TeamDraws,
        w: &TeamWorld,
        debt: f64,
        incident_factor: f64,
    ) -> (u64, f64) {
        let lambda = draws.incident_rate(debt, incident_factor);
        let incidents = if lambda > 0.0 {
            poisson_quantile(w.incident_u, lambda)
        } else {
            0
        };
        let days = if incidents > 0 {
            let mut rng = stream(self.seed, trial, Purpose::IncidentCost, j, t);
            self.incident_cost.sample(incidents, &mut rng) * draws.cost_scale
        } else {
            0.0
        };
        (incidents, days)
    }

    /// Feeds `budget` to the ready initiatives of `order`; returns the days used.
    #[inline(always)]
    fn flow(
        &self,
        order: &[usize],
        budget: f64,
        t: usize,
        cap_per_engineer: f64,
        work: &mut Work,
    ) -> f64 {
        let mut used = 0.0;
        for &i in order {
            if work.outcome.finished[i] != 0 {
                continue;
            }
            let initiative = &self.scenario.initiatives[i];
            let finished = &work.outcome.finished;
            let ready = initiative
                .after
                .iter()
                .all(|&d| finished[d] != 0 && (finished[d] as usize) < t);
            if !ready {
                continue;
            }
            let cap = initiative
                .max_engineers
                .map_or(f64::INFINITY, |m| m * cap_per_engineer);
            let remaining = &mut work.st.remaining[i];
            let take = absorb(*remaining, cap, budget - used);
            *remaining -= take;
            used += take;
            if *remaining <= DONE_EPSILON {
                *remaining = 0.0;
                work.outcome.finished[i] = t as u32;
                work.just_finished.push(i);
                for (slot, (k, _)) in self.contributions[i].iter().zip(&initiative.contributes) {
                    work.st.value[*k] += work.contributions[*slot];
                }
            }
        }
        used
    }
}

/// Which of a team's two orders an initiative of `kind` is fed from.
pub(super) fn kind_slot(kind: Kind) -> usize {
    match kind {
        Kind::Product => 0,
        Kind::Tech => 1,
    }
}

/// The end of team `j`'s period: the debt recursion from the start-of-period `debt` with what
/// finished (its debt added, its `on_done` factors applied for the periods after), and
/// paydown from the `leftover` tech budget, at most what clears the debt. Returns the days
/// paid down.
#[inline(always)]
fn settle_debt(
    j: usize,
    draws: &TeamDraws,
    initiatives: &[InitiativeDraws],
    (debt, product_days, leftover): (f64, f64, f64),
    work: &mut Work,
) -> f64 {
    let st = &mut *work.st;
    let finished_debt: f64 = work
        .just_finished
        .iter()
        .map(|&i| initiatives[i].debt)
        .sum();
    let accrual = draws.accrual * st.accrual_factor[j];
    let owed =
        crate::model::DebtModel::owed(debt, draws.interest, accrual, product_days, finished_debt);
    let paydown = if draws.efficiency > 0.0 {
        leftover.min(owed.max(0.0) / draws.efficiency)
    } else {
        0.0
    };
    st.debt[j] = (owed - draws.efficiency * paydown).max(0.0);
    for &i in work.just_finished.iter() {
        let d = &initiatives[i];
        st.accrual_factor[j] *= d.accrual_factor;
        st.incident_factor[j] *= d.incident_factor;
        st.capacity_factor[j] *= d.capacity_factor;
    }
    paydown
}
