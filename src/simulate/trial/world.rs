//! The world a trial samples, shared by every strategy (common random numbers): each team's and
//! initiative's per-trial constants, risks, and period by period headcount, capacity and the
//! uniforms behind incidents and attrition (docs/src/explanation/model.md#steps, steps 1–2).

use rand::RngExt;

use crate::model::{Distribution, Initiative, Workforce};

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

    /// Each team's debt, rates and attrition hazard for the trial.
    fn draw_teams(&self, trial: u64, scratch: &mut Scratch) {
        let sc = self.scenario;
        let seed = self.seed;
        scratch.teams.clear();
        for (j, team) in sc.teams.iter().enumerate() {
            let mut rng = stream(seed, trial, Purpose::TeamConstants, j, 0);
            let debt = &sc.debt;
            let mut draws = TeamDraws {
                debt: team.debt_initial.sample(&mut rng).max(0.0),
                interest: debt.interest.sample(&mut rng).max(-1.0),
                accrual: debt.accrual.sample(&mut rng).max(0.0),
                efficiency: debt.paydown_efficiency.sample(&mut rng).max(0.0),
                base_rate: sc.incidents.base_rate.sample(&mut rng).max(0.0),
                hazard: 0.0,
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
                    w.nominal = capacity.sample(&mut w.capacity_rng).max(0.0);
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
