//! One Monte Carlo trial: sample a world, then run every strategy through it period by period
//! (docs/src/explanation/model.md). Strategies advance in lock-step so each period's world is
//! drawn once and shared: common random numbers by construction.
//!
//! Per team j and period t:
//! 1. headcount N = engineers + hires (ramping) − leavers, plus events;
//! 2. nominal capacity K = N · days_per_engineer · availability (or a draw of `capacity`);
//! 3. drag δ = drag_max · D / (D + drag_half); effective capacity C = K · (1 − δ) · boosts;
//! 4. incidents n ~ Poisson(λ), λ = base_rate · (1 + s · D) · multipliers; unplanned work U =
//!    incident costs + risks that strike, at most C;
//! 5. planned capacity A = C − U; tech budget s_j(t) · A, product budget (1 − s_j(t)) · A;
//! 6. budgets flow to ready initiatives in order, each absorbing at most min(remaining,
//!    max_engineers · days_per_engineer · availability); unused product budget spills to tech,
//!    unused tech budget pays down debt;
//! 7. D' = max(0, D · (1 + interest) + accrual · product − efficiency · paydown + Σ debt effects);
//! 8. an initiative finishes when its work reaches its effort: contributions count from t,
//!    `on_done` multipliers from t + 1.
//!
//! The world's draws are in [`world`], one period's step in [`step`], the judging of key
//! results and outcomes in `judge.rs`, the inputs sensitivity reads in `inputs.rs`. There is one
//! path through a trial: a scenario without debt, incidents or key results takes it too, its
//! zero terms costing a few additions (the forecast's one-item kernel,
//! [`super::forecast::Backlog`], reuses [`step`]'s arithmetic where a trial is only that).

mod inputs;
mod judge;
mod metrics;
pub mod step;
pub mod world;

use crate::model::{Scenario, SumOfDraws};

pub use metrics::{PeriodMetric, SummaryMetric, Totals};
use step::{State, kind_slot};
use world::{InitiativeDraws, TeamDraws, TeamWorld};

use super::policy::Policy;

/// What a trial records beyond the whole-trial outcomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recording {
    /// Record every period's metrics (needed for `periods.csv`).
    pub periods: bool,
    /// Stop once every strategy has finished every initiative (throughput forecasts).
    pub stop_when_done: bool,
    /// Period at whose end each initiative's progress is recorded.
    pub checkpoint: usize,
}

/// Everything one strategy did in one trial.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// `periods[(t - 1) * width + m]`: metric m of period t, where the metrics are
    /// [`PeriodMetric::ALL`] followed by the cumulative value of each key result.
    pub periods: Vec<f64>,
    /// Period each initiative finished in (0: not within the simulated periods).
    pub finished: Vec<u32>,
    /// Fraction of each initiative's work done by the checkpoint.
    pub progress: Vec<f64>,
    /// Attainment of each key result, as judged at its deadline.
    pub attainment: Vec<f64>,
    /// Whether each key result was met at its deadline.
    pub met: Vec<bool>,
    /// [`SummaryMetric::ALL`] values.
    pub summary: Vec<f64>,
    /// Periods simulated (less than the horizon when stopped early).
    pub periods_run: usize,
}

/// Buffers reused from trial to trial (one set per worker thread).
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    teams: Vec<TeamDraws>,
    initiatives: Vec<InitiativeDraws>,
    /// Flattened per-initiative contribution values, aligned with `Engine::contributions`.
    contributions: Vec<f64>,
    /// Per risk: the period it strikes in (0: never) and its impact.
    risks: Vec<(usize, f64)>,
    world: Vec<TeamWorld>,
    states: Vec<State>,
    /// Outcome of each strategy for the latest trial.
    pub outcomes: Vec<Outcome>,
    /// Initiatives finished in the current team-period.
    just_finished: Vec<usize>,
    /// Initial level of each key result's metric.
    initial_level: Vec<f64>,
}

impl Scratch {
    /// Work of initiative `i` in the current trial: effort × (1 + scope growth).
    pub fn work(&self, i: usize) -> f64 {
        self.initiatives[i].work
    }

    /// Work strategy `s` has done on initiative `i` so far in the current trial.
    pub fn work_done(&self, s: usize, i: usize) -> f64 {
        self.initiatives[i].work - self.states[s].remaining[i]
    }
}

/// A scenario and its strategies compiled into the flat tables the trial loop runs on.
#[derive(Debug)]
pub struct Engine<'a> {
    /// The scenario simulated.
    pub scenario: &'a Scenario,
    /// One policy per strategy compared, in the order of [`Scratch::outcomes`].
    pub policies: Vec<Policy>,
    /// Master seed every trial's random streams derive from ([`super::rng::stream`]).
    pub seed: u64,
    /// What each trial records beyond its whole-trial outcomes.
    pub recording: Recording,
    /// Periods to simulate.
    horizon: usize,
    /// `orders[s][team][kind]`: initiatives in the order strategy s feeds them.
    orders: Vec<Vec<[Vec<usize>; 2]>>,
    /// Per-period engineer and capacity changes from events: `events[team][t - 1]`.
    event_engineers: Vec<Vec<f64>>,
    event_capacity: Vec<Vec<f64>>,
    /// (key result, contribution distribution index) per initiative: `contributions[i]`.
    contributions: Vec<Vec<usize>>,
    /// Width of a period row in [`Outcome::periods`].
    width: usize,
    /// The unplanned work of n incidents: n costs summed, in bounded time for any n.
    incident_cost: SumOfDraws,
}

impl<'a> Engine<'a> {
    /// Compiles `scenario` with one policy per strategy to compare.
    pub fn new(
        scenario: &'a Scenario,
        policies: Vec<Policy>,
        seed: u64,
        recording: Recording,
    ) -> Engine<'a> {
        let teams = scenario.teams.len();
        let orders = policies
            .iter()
            .map(|policy| {
                let mut by_team = vec![[Vec::new(), Vec::new()]; teams];
                for i in policy.order(scenario) {
                    let initiative = &scenario.initiatives[i];
                    by_team[initiative.team][kind_slot(initiative.kind)].push(i);
                }
                by_team
            })
            .collect();
        let events = scenario.event_changes();
        let mut next = 0;
        let contributions = scenario
            .initiatives
            .iter()
            .map(|i| {
                let slots = (next..next + i.contributes.len()).collect();
                next += i.contributes.len();
                slots
            })
            .collect();
        Engine {
            scenario,
            policies,
            seed,
            recording,
            horizon: scenario.periods,
            orders,
            event_engineers: events.engineers,
            event_capacity: events.fraction,
            contributions,
            width: PeriodMetric::ALL.len() + scenario.key_results.len(),
            incident_cost: SumOfDraws::new(&scenario.incidents.cost),
        }
    }

    /// Width of a period row: [`PeriodMetric::ALL`] then one cumulative value per key result.
    pub fn period_width(&self) -> usize {
        self.width
    }

    /// Runs trial `trial`; the outcomes are in `scratch.outcomes`, one per strategy.
    pub fn run_trial(&self, trial: u64, scratch: &mut Scratch) {
        self.run_trial_observed(trial, scratch, |_, _| {});
    }

    /// [`run_trial`](Self::run_trial), calling `observe(t, scratch)` at the end of every
    /// simulated period t (after every strategy's step, before attrition): a read-only window
    /// for statistics the outcomes do not keep, such as work done per period.
    pub fn run_trial_observed(
        &self,
        trial: u64,
        scratch: &mut Scratch,
        mut observe: impl FnMut(usize, &Scratch),
    ) {
        self.draw_trial(trial, scratch);
        self.reset_states(scratch);
        let mut periods_run = self.horizon;
        for t in 1..=self.horizon {
            self.advance_world(t, scratch);
            if t == 1 {
                self.measure_initial_levels(scratch);
            }
            for s in 0..self.policies.len() {
                self.step(trial, s, t, scratch);
            }
            if t == self.recording.checkpoint {
                self.record_progress(scratch);
            }
            observe(t, scratch);
            if self.recording.stop_when_done && scratch.states.iter().all(|st| st.done) {
                periods_run = t;
                break;
            }
            self.after_period(scratch);
        }
        if self.recording.checkpoint > periods_run {
            self.record_progress(scratch);
        }
        self.finish_trial(periods_run, scratch);
    }

    /// Every strategy's state at the start of a trial.
    fn reset_states(&self, scratch: &mut Scratch) {
        let sc = self.scenario;
        let strategies = self.policies.len();
        scratch.states.resize_with(strategies, State::default);
        scratch.outcomes.resize_with(strategies, Outcome::default);
        let states = scratch.states.iter_mut().zip(scratch.outcomes.iter_mut());
        for ((st, outcome), policy) in states.zip(&self.policies) {
            st.debt.clear();
            st.debt.extend(scratch.teams.iter().map(|t| t.debt));
            for factors in [
                &mut st.accrual_factor,
                &mut st.incident_factor,
                &mut st.capacity_factor,
            ] {
                factors.clear();
                factors.resize(sc.teams.len(), 1.0);
            }
            st.product_work.clear();
            st.product_work.resize(sc.teams.len(), 0.0);
            st.remaining.clear();
            st.remaining
                .extend(scratch.initiatives.iter().map(|i| i.work));
            st.value.clear();
            st.value.resize(sc.key_results.len(), 0.0);
            st.attainment.clear();
            st.attainment.resize(sc.key_results.len(), 0.0);
            st.met.clear();
            st.met.resize(sc.key_results.len(), false);
            st.totals = Totals::default();
            st.done = sc.initiatives.is_empty();
            st.past.clear();
            if policy.share.reads_past() {
                st.past
                    .resize(sc.teams.len() * self.horizon, Default::default());
            }
            outcome.periods.clear();
            if self.recording.periods {
                outcome.periods.resize(self.horizon * self.width, 0.0);
            }
            outcome.finished.clear();
            outcome.finished.resize(sc.initiatives.len(), 0);
            outcome.progress.clear();
            outcome.progress.resize(sc.initiatives.len(), 0.0);
        }
    }
}
