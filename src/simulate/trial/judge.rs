//! Judging a trial: metric levels, key results at their deadlines, each initiative's progress
//! at the checkpoint, and the whole-trial outcomes of every strategy.

use crate::model::{Measure, Metric, Owner};

use super::step::State;
use super::world::{TeamDraws, TeamWorld};
use super::{Engine, Scratch};

impl Engine<'_> {
    /// Level of a metric for this strategy at the end of the current period, over one team or
    /// the whole organisation.
    fn metric_level(
        &self,
        metric: Metric,
        team: Option<usize>,
        st: &State,
        world: &[TeamWorld],
        teams: &[TeamDraws],
    ) -> f64 {
        let sc = self.scenario;
        let in_scope = |j: &usize| team.is_none_or(|only| only == *j);
        metric.level((0..sc.teams.len()).filter(in_scope).map(|j| {
            let level = match metric {
                Metric::Debt => st.debt[j],
                Metric::Incidents => teams[j].incident_rate(st.debt[j], st.incident_factor[j]),
                Metric::Drag => teams[j].drag(st.debt[j]),
                Metric::ProductWork => st.product_work[j],
            };
            (level, world[j].nominal)
        }))
    }

    /// Each key result's metric level before any work (from strategy 0: all start equal).
    pub(super) fn measure_initial_levels(&self, scratch: &mut Scratch) {
        let sc = self.scenario;
        scratch.initial_level.clear();
        for kr in &sc.key_results {
            let level = match kr.measure {
                Measure::Metric { metric, team, .. } => self.metric_level(
                    metric,
                    team,
                    &scratch.states[0],
                    &scratch.world,
                    &scratch.teams,
                ),
                Measure::Delivery { .. } => 0.0,
            };
            scratch.initial_level.push(level);
        }
    }

    /// Updates the attainment of every key result whose deadline has not passed.
    pub(super) fn judge_key_results(
        &self,
        t: usize,
        st: &mut State,
        world: &[TeamWorld],
        teams: &[TeamDraws],
        initial: &[f64],
    ) {
        for (k, kr) in self.scenario.key_results.iter().enumerate() {
            if t > kr.deadline {
                continue;
            }
            let (attainment, met) = match kr.measure {
                Measure::Delivery { target } => {
                    let value = st.value[k];
                    ((value / target).clamp(0.0, 1.0), value >= target)
                }
                Measure::Metric { metric, goal, team } => {
                    let level = self.metric_level(metric, team, st, world, teams);
                    (goal.attainment(initial[k], level), goal.is_met(level))
                }
            };
            st.attainment[k] = attainment;
            st.met[k] = met;
        }
    }

    /// Each initiative's fraction of work done, for every strategy.
    pub(super) fn record_progress(&self, scratch: &mut Scratch) {
        for (st, outcome) in scratch.states.iter().zip(scratch.outcomes.iter_mut()) {
            for (i, progress) in outcome.progress.iter_mut().enumerate() {
                let work = scratch.initiatives[i].work;
                *progress = if work > 0.0 {
                    1.0 - st.remaining[i] / work
                } else if outcome.finished[i] > 0 {
                    1.0
                } else {
                    0.0
                };
            }
        }
    }

    /// The whole-trial outcomes of every strategy ([`super::SummaryMetric::ALL`] order).
    pub(super) fn finish_trial(&self, periods_run: usize, scratch: &mut Scratch) {
        let sc = self.scenario;
        for (st, outcome) in scratch.states.iter().zip(scratch.outcomes.iter_mut()) {
            outcome.periods_run = periods_run;
            outcome.attainment.clone_from(&st.attainment);
            outcome.met.clone_from(&st.met);
            // A side without key results has no "all met": NaN, like its score, so that
            // summary.csv, the JSON and every table agree that there is nothing to meet.
            let all_met = |owner: Owner| {
                if !sc.has_key_results(owner) {
                    return f64::NAN;
                }
                let met = sc.key_results_of(owner).all(|(k, _)| st.met[k]);
                if met { 1.0 } else { 0.0 }
            };
            let score = |owner: Owner| {
                sc.side_score(owner, |k| st.attainment[k])
                    .unwrap_or(f64::NAN)
            };
            let done = outcome.finished.iter().filter(|&&f| f > 0).count() as f64;
            let totals = &st.totals;
            outcome.summary.clear();
            outcome.summary.extend([
                sc.blended(&st.attainment),
                score(Owner::Product),
                score(Owner::Technology),
                st.debt.iter().sum(),
                totals.incident_days,
                totals.risk_days,
                totals.product_days,
                totals.tech_days,
                totals.paydown_days,
                totals.idle_days,
                done,
                all_met(Owner::Product),
                all_met(Owner::Technology),
            ]);
        }
    }
}
