//! The forecast's kernel for a backlog of one initiative on one team whose capacity bootstraps
//! a throughput history, with nothing else in the world (no debt, incidents, risks, events or
//! key results): the general trial reduces to drawing a history value per period and feeding
//! it to the one initiative, so this does only that, with the trial's own draws and
//! arithmetic ([`step::product_budget`], [`step::tech_budget`], [`step::absorb`]) and the
//! same streams. Held bit for bit to [`Engine::run_trial_observed`] by the tests.

use crate::model::{Distribution, Kind, Scenario};

use super::super::policy::{Policy, Share};
use super::super::rng::{BlockCursor, Purpose, stream};
use super::super::trial::step::{self, DONE_EPSILON};
use super::super::trial::world::initiative_work;

/// One forecast trial's result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BacklogTrial {
    /// The initiative's work: effort × (1 + scope growth).
    pub work: f64,
    /// The period it finished in (0: not within the simulated periods).
    pub finished: usize,
}

/// A one-initiative backlog compiled for the kernel.
#[derive(Debug)]
pub struct Backlog<'a> {
    pub(super) scenario: &'a Scenario,
    policy: &'a Policy,
    pub(super) seed: u64,
    pub(super) stop_when_done: bool,
    /// Per history value: the period's capacity (the value, at least 0) and, when the tech
    /// share is fixed, the initiative's budget (`NaN` otherwise, and unused).
    pub(super) periods: Vec<(f64, f64)>,
    /// The tech share of every period, unless it follows a plan.
    pub(super) share: Option<f64>,
    /// Consecutive history periods drawn together.
    pub(super) block: u32,
    product: bool,
    /// The initiative's work when its effort and scope growth are constants.
    pub(super) work: Option<f64>,
}

impl<'a> Backlog<'a> {
    /// The kernel for `scenario` under `policy`, or `None` unless the scenario is one such
    /// backlog (then the general engine runs it).
    pub fn new(
        scenario: &'a Scenario,
        policy: &'a Policy,
        seed: u64,
        stop_when_done: bool,
    ) -> Option<Backlog<'a>> {
        let ([team], [initiative]) = (scenario.teams.as_slice(), scenario.initiatives.as_slice())
        else {
            return None;
        };
        let crate::model::Workforce::Throughput(throughput) = &team.workforce else {
            return None;
        };
        let history = throughput.sampled();
        let zero = |d: &Distribution| d.as_constant() == Some(0.0);
        let finite = |d: &Distribution| d.as_constant().is_some_and(f64::is_finite);
        // Only then is every other term of the trial exactly 0 (or a factor exactly 1).
        let alone = scenario.key_results.is_empty()
            && scenario.risks.is_empty()
            && scenario.events.is_empty()
            && zero(&scenario.incidents.base_rate)
            && zero(&scenario.debt.accrual)
            && finite(&scenario.debt.interest)
            && finite(&scenario.debt.paydown_efficiency)
            && zero(&team.debt_initial)
            && initiative.on_done.is_empty()
            && initiative.max_engineers.is_none()
            && initiative.after.is_empty();
        if !alone || u32::try_from(history.len()).is_err() {
            return None;
        }
        // A reactive rule's triggers never hold here (no debt, incidents or risks): its base
        // schedule is its share.
        let share = match policy.share {
            Share::Schedule(_) | Share::Reactive(_) => None,
            _ => Some(policy.tech_share(0, 1, 0.0).clamp(0.0, 1.0)),
        };
        let product = initiative.kind == Kind::Product;
        let periods = history
            .iter()
            .map(|value| {
                let planned = value.max(0.0);
                let budget = share.map_or(f64::NAN, |s| budget(product, s, planned));
                (planned, budget)
            })
            .collect();
        let constant = |d: &Distribution| matches!(d, Distribution::Constant(_));
        let work = (constant(&initiative.effort)
            && initiative.scope_growth.as_ref().is_none_or(constant))
        .then(|| initiative_work(initiative, &mut stream(0, 0, Purpose::Initiative, 0, 0)));
        Some(Backlog {
            scenario,
            policy,
            seed,
            stop_when_done,
            periods,
            share,
            block: throughput.block,
            product,
            work,
        })
    }

    /// Runs trial `trial`, calling `observe(t, work_done, done)` at the end of every simulated
    /// period t.
    #[inline]
    pub fn run(&self, trial: u64, mut observe: impl FnMut(usize, f64, bool)) -> BacklogTrial {
        let work = self.work.unwrap_or_else(|| {
            let mut rng = stream(self.seed, trial, Purpose::Initiative, 0, 0);
            initiative_work(&self.scenario.initiatives[0], &mut rng)
        });
        let mut capacity = stream(self.seed, trial, Purpose::Capacity, 0, 0);
        let periods = self.periods.as_slice();
        let len = periods.len() as u32;
        let mut cursor = BlockCursor::default();
        let mut draw = || periods[cursor.next(&mut capacity, len, self.block) as usize];
        // One loop per kind of share, so the common fixed share costs nothing per period.
        let finished = match self.share {
            Some(_) => self.periods_loop(work, &mut observe, |_| draw().1),
            None => self.periods_loop(work, &mut observe, |t| {
                let planned = draw().0;
                let share = self.policy.tech_share(0, t, 0.0).clamp(0.0, 1.0);
                budget(self.product, share, planned)
            }),
        };
        BacklogTrial { work, finished }
    }

    /// The period loop, with `budget(t)` drawing period t's budget for the initiative; returns
    /// the period it finished in (0: never).
    #[inline(always)]
    fn periods_loop(
        &self,
        work: f64,
        observe: &mut impl FnMut(usize, f64, bool),
        mut budget: impl FnMut(usize) -> f64,
    ) -> usize {
        let mut remaining = work;
        let mut finished = 0;
        // An exclusive range: `..=` costs a flag check every period.
        for t in 1..self.scenario.periods + 1 {
            let budget = budget(t);
            if finished == 0 {
                // What `flow` does for an uncapped initiative nothing used budget on before.
                remaining -= step::absorb(remaining, f64::INFINITY, budget - 0.0);
                if remaining <= DONE_EPSILON {
                    remaining = 0.0;
                    finished = t;
                }
            }
            observe(t, work - remaining, finished > 0);
            if self.stop_when_done && finished != 0 {
                break;
            }
        }
        finished
    }
}

/// The initiative's budget in a period with `planned` capacity and tech share `share`: the
/// product budget for product work; for tech work the tech budget after an empty product order
/// spilled all of its budget over.
#[inline(always)]
fn budget(product: bool, share: f64, planned: f64) -> f64 {
    let product_budget = step::product_budget(share, planned);
    if product {
        product_budget
    } else {
        step::tech_budget(share, planned, product_budget, 0.0)
    }
}
