//! The world a trial samples, shared by every strategy (common random numbers): each team's and
//! initiative's per-trial constants, risks, and period by period headcount, capacity and the
//! uniforms behind incidents and attrition (docs/src/explanation/model.md#steps, steps 1–2).

use rand::RngExt;

use crate::model::{
    DebtModel, Distribution, IncidentModel, Initiative, JointDraws, Parameter, Workforce,
};

use super::super::rng::{BlockCursor, Purpose, Stream, binomial_quantile, stream};
use super::{Engine, Scratch};

/// Per-trial constants of a team.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct TeamDraws {
    pub debt: f64,
    pub interest: f64,
    pub accrual: f64,
    pub efficiency: f64,
    pub base_rate: f64,
    /// Per-period probability that an engineer leaves.
    pub hazard: f64,
    /// Drag's maximum and half-point (`[debt]`'s unless a joint draw holds them).
    pub drag_max: f64,
    pub drag_half: f64,
    /// Growth of the incident rate per day of debt.
    pub debt_sensitivity: f64,
    /// Factor on every incident's cost: a joint draw's mean cost over `[incidents] cost`'s
    /// (1 without one).
    pub cost_scale: f64,
    /// (a, b): a capacity draw x becomes a + b·x, setting a joint draw's mean capacity (and
    /// coefficient of variation); `None` without one.
    pub capacity_map: Option<(f64, f64)>,
}

impl TeamDraws {
    /// δ: the share of capacity lost to `debt` in this trial.
    #[inline]
    pub fn drag(&self, debt: f64) -> f64 {
        DebtModel::drag_with(self.drag_max, self.drag_half, debt)
    }

    /// λ at `debt` with the incident `multiplier` of finished initiatives, in this trial.
    #[inline]
    pub fn incident_rate(&self, debt: f64, multiplier: f64) -> f64 {
        IncidentModel::rate_with(self.debt_sensitivity, self.base_rate, debt, multiplier)
    }
}

/// Per-trial values of an initiative.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct InitiativeDraws {
    /// Effort × (1 + scope growth).
    pub work: f64,
    pub debt: f64,
    pub accrual_factor: f64,
    pub incident_factor: f64,
    pub capacity_factor: f64,
}

/// A team's state of the world in the current period (the same for every strategy).
#[derive(Clone, Debug)]
pub(super) struct TeamWorld {
    pub capacity_rng: Stream,
    /// Where a throughput team is in its resampled history.
    pub cursor: BlockCursor,
    pub attrition_rng: Stream,
    pub incident_rng: Stream,
    /// People on the team (hires included, leavers removed).
    pub people: f64,
    pub engineers: f64,
    pub nominal: f64,
    pub availability: f64,
    pub incident_u: f64,
    pub risk_days: f64,
}

/// The map a + b·x that gives a `capacity` team's draws x the mean capacity (`throughput`) of
/// row `row` of its joint draws, and their coefficient of variation (`throughput_cv`) when the
/// row holds it and the capacity is normal; `None` when the row holds no `throughput`. The
/// scenario's loader checks that the capacity's mean (and sd) are positive.
fn capacity_map(team: &crate::model::Team, draws: &JointDraws, row: usize) -> Option<(f64, f64)> {
    let throughput = draws.get(Parameter::Throughput, row)?;
    let Workforce::Capacity(capacity) = &team.workforce else {
        return None;
    };
    let mean = capacity.mean();
    let b = match (draws.get(Parameter::ThroughputCv, row), capacity) {
        (Some(cv), Distribution::Normal { sd, .. }) => cv * throughput / sd,
        _ => throughput / mean,
    };
    Some((throughput - b * mean, b))
}

/// An initiative's work in a trial, effort × (1 + scope growth): the first draws of its
/// [`Purpose::Initiative`] stream.
#[inline]
pub fn initiative_work(initiative: &Initiative, rng: &mut Stream) -> f64 {
    let effort = initiative.effort.sample(rng).max(0.0);
    let growth = initiative
        .scope_growth
        .as_ref()
        .map_or(0.0, |g| g.sample(rng));
    effort * (1.0 + growth).max(0.0)
}

impl Engine<'_> {
    /// Samples the trial's constants: team rates, initiative sizes and values, risks; and
    /// starts its world.
    pub(super) fn draw_trial(&self, trial: u64, scratch: &mut Scratch) {
        self.draw_teams(trial, scratch);
        self.draw_initiatives(trial, scratch);
        self.draw_risks(trial, scratch);
        self.start_world(trial, scratch);
    }

    /// Each team's debt, rates and attrition hazard for the trial: the one home of a trial's
    /// team parameters. A team with joint draws takes one row of them whole (drawn from its
    /// own stream, the same for every strategy); what the row does not hold is drawn from
    /// the scenario's distributions as without one.
    fn draw_teams(&self, trial: u64, scratch: &mut Scratch) {
        let sc = self.scenario;
        let seed = self.seed;
        scratch.teams.clear();
        for (j, team) in sc.teams.iter().enumerate() {
            let mut rng = stream(seed, trial, Purpose::TeamConstants, j, 0);
            let joint = team.joint.as_ref().map(|draws| {
                let u = stream(seed, trial, Purpose::JointRow, j, 0).random::<f64>();
                (draws, draws.row(u))
            });
            let held = |p: Parameter| joint.and_then(|(draws, row)| draws.get(p, row));
            let mut draw =
                |p: Parameter, d: &Distribution| held(p).unwrap_or_else(|| d.sample(&mut rng));
            let (debt, incidents) = (&sc.debt, &sc.incidents);
            let mut draws = TeamDraws {
                debt: draw(Parameter::DebtInitial, &team.debt_initial).max(0.0),
                interest: draw(Parameter::Interest, &debt.interest).max(-1.0),
                accrual: draw(Parameter::Accrual, &debt.accrual).max(0.0),
                efficiency: draw(Parameter::PaydownEfficiency, &debt.paydown_efficiency).max(0.0),
                base_rate: draw(Parameter::BaseRate, &incidents.base_rate).max(0.0),
                hazard: 0.0,
                drag_max: held(Parameter::DragMax).unwrap_or(debt.drag_max),
                drag_half: held(Parameter::DragHalf).unwrap_or(debt.drag_half),
                debt_sensitivity: held(Parameter::DebtSensitivity)
                    .unwrap_or(incidents.debt_sensitivity),
                cost_scale: held(Parameter::Cost).map_or(1.0, |c| c / incidents.cost.mean()),
                capacity_map: joint.and_then(|(draws, row)| capacity_map(team, draws, row)),
            };
            if let Workforce::Engineers(staff) = &team.workforce {
                let annual = staff.attrition.sample(&mut rng).clamp(0.0, 1.0);
                draws.hazard = sc.period_length.period_hazard(annual);
            }
            scratch.teams.push(draws);
        }
    }

    /// Each initiative's work, contributions and `on_done` effects for the trial.
    fn draw_initiatives(&self, trial: u64, scratch: &mut Scratch) {
        let sc = self.scenario;
        let seed = self.seed;
        scratch.initiatives.clear();
        scratch.contributions.clear();
        for (i, initiative) in sc.initiatives.iter().enumerate() {
            let mut rng = stream(seed, trial, Purpose::Initiative, i, 0);
            let work = initiative_work(initiative, &mut rng);
            for (_, value) in &initiative.contributes {
                scratch.contributions.push(value.sample(&mut rng));
            }
            let on_done = &initiative.on_done;
            let mut factor = |d: &Option<Distribution>| {
                d.as_ref()
                    .map_or(1.0, |d| (1.0 + d.sample(&mut rng)).max(0.0))
            };
            let accrual_factor = factor(&on_done.accrual);
            let incident_factor = factor(&on_done.incident_rate);
            let capacity_factor = factor(&on_done.capacity);
            let debt = on_done.debt.as_ref().map_or(0.0, |d| d.sample(&mut rng));
            scratch.initiatives.push(InitiativeDraws {
                work,
                debt,
                accrual_factor,
                incident_factor,
                capacity_factor,
            });
        }
    }

    /// Whether and when each risk strikes in the trial, and its impact.
    fn draw_risks(&self, trial: u64, scratch: &mut Scratch) {
        let sc = self.scenario;
        let seed = self.seed;
        scratch.risks.clear();
        for (r, risk) in sc.risks.iter().enumerate() {
            let mut rng = stream(seed, trial, Purpose::Risk, r, 0);
            let strikes = rng.random::<f64>() < risk.likelihood;
            let (first, last) = risk.window;
            let period = first + rng.random_range(0..=last - first);
            let impact = risk.impact.sample(&mut rng).max(0.0);
            scratch
                .risks
                .push((if strikes { period } else { 0 }, impact));
        }
    }

    /// Each team's world before period 1: its streams and starting headcount.
    fn start_world(&self, trial: u64, scratch: &mut Scratch) {
        let sc = self.scenario;
        let seed = self.seed;
        scratch.world.clear();
        for (j, team) in sc.teams.iter().enumerate() {
            let people = match &team.workforce {
                Workforce::Engineers(staff) => staff.engineers,
                Workforce::Capacity(_) | Workforce::Throughput(_) => 0.0,
            };
            scratch.world.push(TeamWorld {
                capacity_rng: stream(seed, trial, Purpose::Capacity, j, 0),
                cursor: BlockCursor::default(),
                attrition_rng: stream(seed, trial, Purpose::Attrition, j, 0),
                incident_rng: stream(seed, trial, Purpose::Incidents, j, 0),
                people,
                engineers: 0.0,
                nominal: 0.0,
                availability: 1.0,
                incident_u: 0.0,
                risk_days: 0.0,
            });
        }
    }

    /// Draws period t's world: headcount, nominal capacity, incident uniforms, risks.
    pub(super) fn advance_world(&self, t: usize, scratch: &mut Scratch) {
        let sc = self.scenario;
        for (j, team) in sc.teams.iter().enumerate() {
            let w = &mut scratch.world[j];
            match &team.workforce {
                Workforce::Engineers(staff) => {
                    let ramping = staff.hire(t, &mut w.people);
                    let event = self.event_engineers[j].get(t - 1).copied().unwrap_or(0.0);
                    w.engineers = (w.people - ramping + event).max(0.0);
                    w.availability = staff
                        .availability
                        .sample(&mut w.capacity_rng)
                        .clamp(0.0, 1.0);
                    w.nominal = w.engineers * staff.days_per_engineer * w.availability;
                }
                Workforce::Capacity(capacity) => {
                    let x = capacity.sample(&mut w.capacity_rng);
                    let x = match scratch.teams[j].capacity_map {
                        Some((a, b)) => a + b * x,
                        None => x,
                    };
                    w.nominal = x.max(0.0);
                }
                Workforce::Throughput(throughput) => {
                    let periods = throughput.sampled();
                    let at =
                        w.cursor
                            .next(&mut w.capacity_rng, periods.len() as u32, throughput.block);
                    w.nominal = periods[at as usize].max(0.0);
                }
            }
            let event_fraction = self.event_capacity[j].get(t - 1).copied().unwrap_or(0.0);
            w.nominal *= (1.0 + event_fraction).max(0.0);
            w.incident_u = if scratch.teams[j].base_rate > 0.0 {
                w.incident_rng.random::<f64>()
            } else {
                0.0
            };
            w.risk_days = 0.0;
        }
        for (r, risk) in sc.risks.iter().enumerate() {
            let (period, impact) = scratch.risks[r];
            if period == t {
                scratch.world[risk.team].risk_days += impact;
            }
        }
    }

    /// Attrition at the end of a period: each engineer leaves with the per-period hazard.
    pub(super) fn after_period(&self, scratch: &mut Scratch) {
        for (j, w) in scratch.world.iter_mut().enumerate() {
            let hazard = scratch.teams[j].hazard;
            if hazard > 0.0 {
                let whole = w.people.max(0.0).floor() as u32;
                let leavers = binomial_quantile(w.attrition_rng.random::<f64>(), whole, hazard);
                w.people -= f64::from(leavers);
            }
        }
    }
}
