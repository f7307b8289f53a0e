//! One Monte Carlo trial: sample a world, then run every strategy through it period by period
//! (DESIGN §2). Strategies advance in lock-step so each period's world is drawn once and
//! shared: common random numbers by construction.
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

use rand::RngExt;

use crate::model::{
    Distribution, Initiative, Kind, Measure, Metric, Owner, Scenario, SumOfDraws, Workforce,
};

use super::policy::Policy;
use super::rng::{Purpose, Stream, binomial_quantile, poisson_quantile, stream};

/// Work left below this counts as finished (guards against rounding).
const DONE_EPSILON: f64 = 1e-9;

/// Per-period metrics of one strategy (organisation totals), in `periods.csv` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodMetric {
    /// Outstanding debt at the end of the period, engineer-days.
    Debt,
    /// Fraction of nominal capacity lost to debt (capacity-weighted).
    Drag,
    /// Engineers at work (after ramp-up, attrition and events).
    Engineers,
    /// K: capacity before drag.
    NominalCapacity,
    /// C: capacity after drag and boosts.
    EffectiveCapacity,
    /// Number of incidents.
    Incidents,
    /// Days of unplanned incident work.
    IncidentDays,
    /// Days of unplanned work from risks that struck.
    RiskDays,
    /// Days spent on product initiatives.
    ProductDays,
    /// Days spent on tech initiatives.
    TechDays,
    /// Days spent paying down debt.
    PaydownDays,
    /// Days nobody had work for.
    IdleDays,
    /// The blended score if judged now (key results past their deadline stay as judged).
    BlendedScore,
}

impl PeriodMetric {
    /// Every metric, in output order.
    pub const ALL: [PeriodMetric; 13] = [
        PeriodMetric::Debt,
        PeriodMetric::Drag,
        PeriodMetric::Engineers,
        PeriodMetric::NominalCapacity,
        PeriodMetric::EffectiveCapacity,
        PeriodMetric::Incidents,
        PeriodMetric::IncidentDays,
        PeriodMetric::RiskDays,
        PeriodMetric::ProductDays,
        PeriodMetric::TechDays,
        PeriodMetric::PaydownDays,
        PeriodMetric::IdleDays,
        PeriodMetric::BlendedScore,
    ];

    /// Name in `periods.csv`.
    pub fn name(self) -> &'static str {
        match self {
            PeriodMetric::Debt => "debt",
            PeriodMetric::Drag => "drag",
            PeriodMetric::Engineers => "engineers",
            PeriodMetric::NominalCapacity => "nominal_capacity",
            PeriodMetric::EffectiveCapacity => "effective_capacity",
            PeriodMetric::Incidents => "incidents",
            PeriodMetric::IncidentDays => "incident_days",
            PeriodMetric::RiskDays => "risk_days",
            PeriodMetric::ProductDays => "product_days",
            PeriodMetric::TechDays => "tech_days",
            PeriodMetric::PaydownDays => "paydown_days",
            PeriodMetric::IdleDays => "idle_days",
            PeriodMetric::BlendedScore => "blended_score",
        }
    }
}

/// Whole-trial outcomes of one strategy, in `summary.csv` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SummaryMetric {
    BlendedScore,
    ProductScore,
    TechnologyScore,
    FinalDebt,
    IncidentDays,
    RiskDays,
    ProductDays,
    TechDays,
    PaydownDays,
    IdleDays,
    InitiativesDone,
    AllProductKrsMet,
    AllTechnologyKrsMet,
}

impl SummaryMetric {
    /// Every metric, in output order.
    pub const ALL: [SummaryMetric; 13] = [
        SummaryMetric::BlendedScore,
        SummaryMetric::ProductScore,
        SummaryMetric::TechnologyScore,
        SummaryMetric::FinalDebt,
        SummaryMetric::IncidentDays,
        SummaryMetric::RiskDays,
        SummaryMetric::ProductDays,
        SummaryMetric::TechDays,
        SummaryMetric::PaydownDays,
        SummaryMetric::IdleDays,
        SummaryMetric::InitiativesDone,
        SummaryMetric::AllProductKrsMet,
        SummaryMetric::AllTechnologyKrsMet,
    ];

    /// Name in `summary.csv`.
    pub fn name(self) -> &'static str {
        match self {
            SummaryMetric::BlendedScore => "blended_score",
            SummaryMetric::ProductScore => "product_score",
            SummaryMetric::TechnologyScore => "technology_score",
            SummaryMetric::FinalDebt => "final_debt",
            SummaryMetric::IncidentDays => "incident_days",
            SummaryMetric::RiskDays => "risk_days",
            SummaryMetric::ProductDays => "product_days",
            SummaryMetric::TechDays => "tech_days",
            SummaryMetric::PaydownDays => "paydown_days",
            SummaryMetric::IdleDays => "idle_days",
            SummaryMetric::InitiativesDone => "initiatives_done",
            SummaryMetric::AllProductKrsMet => "all_product_krs_met",
            SummaryMetric::AllTechnologyKrsMet => "all_technology_krs_met",
        }
    }
}

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

/// Per-trial constants of a team.
#[derive(Clone, Copy, Debug, Default)]
struct TeamDraws {
    debt: f64,
    interest: f64,
    accrual: f64,
    efficiency: f64,
    base_rate: f64,
    /// Per-period probability that an engineer leaves.
    hazard: f64,
}

/// Per-trial values of an initiative.
#[derive(Clone, Copy, Debug, Default)]
struct InitiativeDraws {
    /// Effort × (1 + scope growth).
    work: f64,
    debt: f64,
    accrual_factor: f64,
    incident_factor: f64,
    capacity_factor: f64,
}

/// A team's state of the world in the current period (the same for every strategy).
#[derive(Clone, Debug)]
struct TeamWorld {
    capacity_rng: Stream,
    attrition_rng: Stream,
    incident_rng: Stream,
    /// People on the team (hires included, leavers removed).
    people: f64,
    engineers: f64,
    nominal: f64,
    availability: f64,
    incident_u: f64,
    risk_days: f64,
}

/// A strategy's state within a trial.
#[derive(Clone, Debug, Default)]
struct State {
    debt: Vec<f64>,
    accrual_factor: Vec<f64>,
    incident_factor: Vec<f64>,
    capacity_factor: Vec<f64>,
    remaining: Vec<f64>,
    /// Delivered value per key result.
    value: Vec<f64>,
    /// Key results' attainment so far (frozen at their deadlines).
    attainment: Vec<f64>,
    met: Vec<bool>,
    totals: [f64; 6],
    done: bool,
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
    pub scenario: &'a Scenario,
    pub policies: Vec<Policy>,
    pub seed: u64,
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
    /// Whether trials take the lean path (see [`Engine::is_lean`]).
    lean: bool,
    /// Whether any team can lose engineers (else attrition draws nothing).
    attrition: bool,
    /// The unplanned work of n incidents: n costs summed, in bounded time for any n.
    incident_cost: SumOfDraws,
    /// The lean path's special case of one capacity-history team, one strategy and one
    /// initiative with no cap or dependency: a throughput forecast (see
    /// [`Engine::run_trial_throughput`]).
    throughput: Option<Throughput>,
}

/// The throughput special case compiled: what a period computes from the history value it
/// draws, computed once per history value instead of once per period.
#[derive(Debug)]
struct Throughput {
    /// Per history value: the period's capacity (the value, at least 0) and, when the tech
    /// share is the same in every period, the initiative's budget (`NaN` otherwise, and
    /// unused).
    periods: Vec<(f64, f64)>,
    /// The tech share of every period, unless it follows a plan (then computed per period).
    share: Option<f64>,
    /// The strategy's team debt: constant on the lean path (the initial zero).
    debt: f64,
    /// Whether the initiative is product work (its budget the product budget) or tech.
    product: bool,
    /// The initiative's work when its effort and scope growth are constants: they draw
    /// nothing, so its stream need not be seeded.
    work: Option<f64>,
}

impl Throughput {
    /// `None` unless `scenario` with `policy` is the throughput special case of a lean engine.
    fn new(scenario: &Scenario, policies: &[Policy], lean: bool) -> Option<Throughput> {
        let ([policy], [team], [initiative]) = (
            policies,
            scenario.teams.as_slice(),
            scenario.initiatives.as_slice(),
        ) else {
            return None;
        };
        let Workforce::Capacity(Distribution::Samples(history)) = &team.workforce else {
            return None;
        };
        if !lean || initiative.max_engineers.is_some() || !initiative.after.is_empty() {
            return None;
        }
        // The lean path has a constant zero initial debt that nothing changes: the same value
        // `draw_trial` draws and `reset_states` starts every trial's state with.
        let debt = team.debt_initial.as_constant()?.max(0.0);
        let share = match policy {
            Policy::Planned(_) => None,
            fixed => Some(fixed.tech_share(0, 1, debt).clamp(0.0, 1.0)),
        };
        let product = initiative.kind == Kind::Product;
        let periods = history
            .iter()
            .map(|value| {
                let planned = value.max(0.0);
                (
                    planned,
                    share.map_or(f64::NAN, |s| initiative_budget(product, s, planned)),
                )
            })
            .collect();
        let constant = |d: &Distribution| matches!(d, Distribution::Constant(_));
        let work = (constant(&initiative.effort)
            && initiative.scope_growth.as_ref().is_none_or(constant))
        .then(|| {
            // Constants ignore the stream: any stream gives every trial's work.
            initiative_work(initiative, &mut stream(0, 0, Purpose::Initiative, 0, 0))
        });
        Some(Throughput {
            periods,
            share,
            debt,
            product,
            work,
        })
    }
}

/// The budget the lean path's `step` gives a team's only initiative in a period with
/// `planned` capacity and tech share `share`: the product budget for product work; for tech
/// work the tech budget after an empty product order spilled all of its budget over.
#[inline(always)]
fn initiative_budget(product: bool, share: f64, planned: f64) -> f64 {
    let product_budget = (1.0 - share) * planned;
    if product {
        product_budget
    } else {
        share * planned + (product_budget - 0.0)
    }
}

/// One period of a throughput trial, as [`Engine::throughput_periods`] hands it on.
#[derive(Clone, Copy, Debug)]
struct ThroughputPeriod {
    t: usize,
    /// The period's capacity and tech share.
    planned: f64,
    share: f64,
    /// Days the initiative absorbed (0 in the periods after it finished).
    take: f64,
    /// Its work left at the end of the period.
    remaining: f64,
    /// The period it finished in (0: not yet).
    finished: u32,
}

/// What a forecast reads of one throughput trial (see [`Engine::run_throughput_trial`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThroughputTrial {
    /// The initiative's work: effort × (1 + scope growth).
    pub work: f64,
    /// The period it finished in (0: not within the simulated periods).
    pub finished: usize,
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
        let horizon = scenario.periods;
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
        let zero = |d: &Distribution| d.as_constant() == Some(0.0);
        let finite = |d: &Distribution| d.as_constant().is_some_and(f64::is_finite);
        let lean = !recording.periods
            && scenario.key_results.is_empty()
            && scenario.risks.is_empty()
            && scenario.events.is_empty()
            && zero(&scenario.incidents.base_rate)
            && zero(&scenario.debt.accrual)
            && finite(&scenario.debt.interest)
            && finite(&scenario.debt.paydown_efficiency)
            && scenario.teams.iter().all(|t| zero(&t.debt_initial))
            && scenario.initiatives.iter().all(|i| i.on_done.is_empty());
        let throughput = Throughput::new(scenario, &policies, lean);
        Engine {
            incident_cost: SumOfDraws::new(&scenario.incidents.cost),
            throughput,
            scenario,
            policies,
            seed,
            recording,
            horizon,
            orders,
            event_engineers: events.engineers,
            event_capacity: events.fraction,
            contributions,
            width: PeriodMetric::ALL.len() + scenario.key_results.len(),
            lean,
            attrition: scenario.teams.iter().any(|t| match &t.workforce {
                Workforce::Engineers(staff) => !zero(&staff.attrition),
                Workforce::Capacity(_) => false,
            }),
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
    #[inline]
    pub fn run_trial_observed(
        &self,
        trial: u64,
        scratch: &mut Scratch,
        observe: impl FnMut(usize, &Scratch),
    ) {
        if let Some(throughput) = &self.throughput {
            self.run_trial_throughput(throughput, trial, scratch, observe);
        } else if self.lean {
            self.run_trial_with::<false>(trial, scratch, observe);
        } else {
            self.run_trial_with::<true>(trial, scratch, observe);
        }
    }

    /// Whether `run_trial` takes the lean path: the scenario has no debt (none at the start,
    /// none accrued), no incidents, risks, capacity events, key results or `on_done` effects,
    /// and per-period metrics are not recorded. Every skipped term is then exactly 0 (or a
    /// factor exactly 1), so both paths give bit-identical outcomes.
    pub fn is_lean(&self) -> bool {
        self.lean
    }

    /// Forces the full path (for tests that compare the paths).
    #[doc(hidden)]
    pub fn with_full_path(mut self) -> Self {
        self.lean = false;
        self.throughput = None;
        self
    }

    /// Whether trials take the throughput special case of the lean path: one team whose
    /// capacity bootstraps a history, one strategy, one initiative without cap or
    /// dependencies. [`Engine::run_throughput_trial`] is then available.
    pub fn is_throughput(&self) -> bool {
        self.throughput.is_some()
    }

    /// Forces the general lean path over the throughput special case (for tests).
    #[doc(hidden)]
    pub fn with_general_lean_path(mut self) -> Self {
        self.throughput = None;
        self
    }

    /// The lean path for a throughput forecast: one team whose capacity bootstraps a history,
    /// one strategy, one initiative without cap or dependencies. The same draws and the same
    /// floating-point operations as [`Engine::step`]'s lean path in the same order, so the
    /// outcomes are bit-identical; only the loops over teams, strategies and initiatives and
    /// the dispatch on their kinds are gone.
    #[inline]
    fn run_trial_throughput(
        &self,
        throughput: &Throughput,
        trial: u64,
        scratch: &mut Scratch,
        mut observe: impl FnMut(usize, &Scratch),
    ) {
        self.draw_trial(trial, scratch);
        self.reset_states(scratch);
        let work = scratch.initiatives[0].work;
        let mut capacity_rng = scratch.world[0].capacity_rng.clone();
        let periods_run = self.throughput_periods(throughput, &mut capacity_rng, work, |period| {
            let st = &mut scratch.states[0];
            st.remaining[0] = period.remaining;
            scratch.outcomes[0].finished[0] = period.finished;
            // The days `step` totals up, from the same operands in the same order.
            let days = 0.0 + period.take;
            let product_budget = (1.0 - period.share) * period.planned;
            let (product_days, tech_days) = if throughput.product {
                (days, 0.0)
            } else {
                (0.0, days)
            };
            let tech_budget = period.share * period.planned + (product_budget - product_days);
            for (k, days) in [2, 3, 5].into_iter().zip([
                0.0 + product_days,
                0.0 + tech_days,
                0.0 + (tech_budget - tech_days).max(0.0),
            ]) {
                st.totals[k] += days;
            }
            st.done = period.finished > 0;
            if period.t == self.recording.checkpoint {
                self.record_progress(scratch);
            }
            observe(period.t, scratch);
        });
        scratch.world[0].capacity_rng = capacity_rng;
        if self.recording.checkpoint > periods_run {
            self.record_progress(scratch);
        }
        self.finish_trial(periods_run, scratch);
    }

    /// Runs trial `trial` of a throughput engine ([`Engine::is_throughput`]) for a forecast,
    /// calling `observe(t, work_done, done)` at the end of every simulated period t; `None`
    /// for other engines. The same draws and arithmetic as [`Engine::run_trial`], so the same
    /// work done and finish period bit for bit, without the outcomes a forecast does not
    /// read (progress, totals, summary) and without the streams whose draws it does not use
    /// (team constants, attrition and incidents are constants or absent on this path).
    #[inline]
    pub fn run_throughput_trial(
        &self,
        trial: u64,
        mut observe: impl FnMut(usize, f64, bool),
    ) -> Option<ThroughputTrial> {
        let throughput = self.throughput.as_ref()?;
        let work = throughput.work.unwrap_or_else(|| {
            let mut rng = stream(self.seed, trial, Purpose::Initiative, 0, 0);
            initiative_work(&self.scenario.initiatives[0], &mut rng)
        });
        let mut capacity_rng = stream(self.seed, trial, Purpose::Capacity, 0, 0);
        let mut finished = 0;
        self.throughput_periods(
            throughput,
            &mut capacity_rng,
            work,
            #[inline(always)]
            |period| {
                finished = period.finished;
                observe(period.t, work - period.remaining, period.finished > 0);
            },
        );
        Some(ThroughputTrial {
            work,
            finished: finished as usize,
        })
    }

    /// The periods of a throughput trial whose initiative has `work` to do, drawing each
    /// period's capacity from `capacity_rng`; `each` hears every period. The arithmetic of
    /// [`Engine::step`]'s lean path and `flow` for one initiative. Returns the periods run.
    #[inline(always)]
    fn throughput_periods(
        &self,
        throughput: &Throughput,
        capacity_rng: &mut Stream,
        work: f64,
        each: impl FnMut(&ThroughputPeriod),
    ) -> usize {
        let periods = throughput.periods.as_slice();
        let mut draw = || capacity_rng.random_range(0..periods.len());
        // One loop per kind of share, so the common fixed share costs nothing per period.
        match throughput.share {
            Some(share) => self.throughput_loop(work, each, |_| {
                let (planned, budget) = periods[draw()];
                (planned, share, budget)
            }),
            None => self.throughput_loop(work, each, |t| {
                let planned = periods[draw()].0;
                let share = self.policies[0].tech_share(0, t, throughput.debt);
                let share = share.clamp(0.0, 1.0);
                (
                    planned,
                    share,
                    initiative_budget(throughput.product, share, planned),
                )
            }),
        }
    }

    /// [`Engine::throughput_periods`] with `period(t)` drawing period t's capacity and giving
    /// it with the period's tech share and the initiative's budget.
    #[inline(always)]
    fn throughput_loop(
        &self,
        work: f64,
        mut each: impl FnMut(&ThroughputPeriod),
        mut period: impl FnMut(usize) -> (f64, f64, f64),
    ) -> usize {
        let mut remaining = work;
        let mut finished = 0;
        // An exclusive range: `..=` costs a flag check every period.
        for t in 1..self.horizon + 1 {
            let (planned, share, budget) = period(t);
            let take = if finished != 0 {
                0.0
            } else {
                // `flow` for an initiative without cap that nothing used budget on before.
                let take = remaining.min(f64::INFINITY).min(budget - 0.0).max(0.0);
                remaining -= take;
                if remaining <= DONE_EPSILON {
                    remaining = 0.0;
                    finished = t as u32;
                }
                take
            };
            each(&ThroughputPeriod {
                t,
                planned,
                share,
                take,
                remaining,
                finished,
            });
            if self.recording.stop_when_done && finished != 0 {
                return t;
            }
        }
        self.horizon
    }

    #[inline]
    fn run_trial_with<const FULL: bool>(
        &self,
        trial: u64,
        scratch: &mut Scratch,
        mut observe: impl FnMut(usize, &Scratch),
    ) {
        self.draw_trial(trial, scratch);
        self.reset_states(scratch);
        let mut periods_run = self.horizon;
        for t in 1..=self.horizon {
            self.advance_world::<FULL>(trial, t, scratch);
            if FULL && t == 1 {
                self.measure_initial_levels(scratch);
            }
            for s in 0..self.policies.len() {
                self.step::<FULL>(trial, s, t, scratch);
            }
            if t == self.recording.checkpoint {
                self.record_progress(scratch);
            }
            observe(t, scratch);
            if self.recording.stop_when_done && scratch.states.iter().all(|st| st.done) {
                periods_run = t;
                break;
            }
            if FULL || self.attrition {
                self.after_period(t, scratch);
            }
        }
        if self.recording.checkpoint > periods_run {
            self.record_progress(scratch);
        }
        self.finish_trial(periods_run, scratch);
    }

    /// Samples the trial's constants: team rates, initiative sizes and values, risks.
    fn draw_trial(&self, trial: u64, scratch: &mut Scratch) {
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
                draws.hazard = 1.0 - (1.0 - annual).powf(1.0 / sc.period_length.per_year());
            }
            scratch.teams.push(draws);
        }
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
        scratch.world.clear();
        for (j, team) in sc.teams.iter().enumerate() {
            let people = match &team.workforce {
                Workforce::Engineers(staff) => staff.engineers,
                Workforce::Capacity(_) => 0.0,
            };
            scratch.world.push(TeamWorld {
                capacity_rng: stream(seed, trial, Purpose::Capacity, j, 0),
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

    fn reset_states(&self, scratch: &mut Scratch) {
        let sc = self.scenario;
        let strategies = self.policies.len();
        scratch.states.resize_with(strategies, State::default);
        scratch.outcomes.resize_with(strategies, Outcome::default);
        for (st, outcome) in scratch.states.iter_mut().zip(scratch.outcomes.iter_mut()) {
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
            st.remaining.clear();
            st.remaining
                .extend(scratch.initiatives.iter().map(|i| i.work));
            st.value.clear();
            st.value.resize(sc.key_results.len(), 0.0);
            st.attainment.clear();
            st.attainment.resize(sc.key_results.len(), 0.0);
            st.met.clear();
            st.met.resize(sc.key_results.len(), false);
            st.totals = [0.0; 6];
            st.done = sc.initiatives.is_empty();
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

    /// Draws period t's world: headcount, nominal capacity, incident uniforms, risks.
    /// `FULL = false` is the lean path (see [`Engine::is_lean`]): no capacity events,
    /// incidents or risks to draw.
    #[inline(always)]
    fn advance_world<const FULL: bool>(&self, _trial: u64, t: usize, scratch: &mut Scratch) {
        let sc = self.scenario;
        for (j, team) in sc.teams.iter().enumerate() {
            let w = &mut scratch.world[j];
            match &team.workforce {
                Workforce::Engineers(staff) => {
                    let mut ramping = 0.0;
                    for hire in &staff.hires {
                        if hire.period == t {
                            w.people += hire.engineers;
                        }
                        if hire.period <= t && staff.ramp_periods > 0 {
                            let progress =
                                (t - hire.period + 1) as f64 / f64::from(staff.ramp_periods);
                            ramping += hire.engineers * (1.0 - progress.min(1.0));
                        }
                    }
                    let event = self.event_engineers[j].get(t - 1).copied().unwrap_or(0.0);
                    w.engineers = (w.people - ramping + event).max(0.0);
                    w.availability = staff
                        .availability
                        .sample(&mut w.capacity_rng)
                        .clamp(0.0, 1.0);
                    w.nominal = w.engineers * staff.days_per_engineer * w.availability;
                }
                Workforce::Capacity(capacity) => {
                    let draw = match capacity {
                        // The bootstrap inline: the same draw `sample` makes, without its
                        // dispatch (throughput forecasts spend most of their time here).
                        Distribution::Samples(values) if !FULL => {
                            values[w.capacity_rng.random_range(0..values.len())]
                        }
                        other => other.sample(&mut w.capacity_rng),
                    };
                    w.nominal = draw.max(0.0);
                }
            }
            if !FULL {
                continue;
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

    /// Attrition at the end of period t: each engineer leaves with the per-period hazard.
    fn after_period(&self, _t: usize, scratch: &mut Scratch) {
        for (j, w) in scratch.world.iter_mut().enumerate() {
            let hazard = scratch.teams[j].hazard;
            if hazard > 0.0 {
                let whole = w.people.max(0.0).floor() as u32;
                let leavers = binomial_quantile(w.attrition_rng.random::<f64>(), whole, hazard);
                w.people -= f64::from(leavers);
            }
        }
    }

    /// Advances strategy `s` through period `t`. The lean path (`FULL = false`) skips the
    /// terms that are exactly zero without debt, incidents, risks and key results.
    #[inline]
    fn step<const FULL: bool>(&self, trial: u64, s: usize, t: usize, scratch: &mut Scratch) {
        let sc = self.scenario;
        let policy = &self.policies[s];
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
        let st = &mut states[s];
        let outcome = &mut outcomes[s];
        let mut row = [0.0; PeriodMetric::ALL.len()];
        let mut lean_days = [0.0; 3];
        let mut weighted_drag = 0.0;
        for (j, team) in sc.teams.iter().enumerate() {
            let draws = &teams[j];
            let w = &world[j];
            let debt = st.debt[j];
            if !FULL {
                let planned = w.nominal;
                let share = policy.tech_share(j, t, debt).clamp(0.0, 1.0);
                let cap_per_engineer = team.days_per_engineer().unwrap_or(0.0) * w.availability;
                just_finished.clear();
                let [product_order, tech_order] = &self.orders[s][j];
                let product_budget = (1.0 - share) * planned;
                // An empty order absorbs nothing: skipping its flow changes no bit.
                let product_days = if product_order.is_empty() {
                    0.0
                } else {
                    self.flow(
                        product_order,
                        product_budget,
                        t,
                        cap_per_engineer,
                        st,
                        outcome,
                        just_finished,
                        contributions,
                    )
                };
                let tech_budget = share * planned + (product_budget - product_days);
                let tech_days = if tech_order.is_empty() {
                    0.0
                } else {
                    self.flow(
                        tech_order,
                        tech_budget,
                        t,
                        cap_per_engineer,
                        st,
                        outcome,
                        just_finished,
                        contributions,
                    )
                };
                lean_days[0] += product_days;
                lean_days[1] += tech_days;
                lean_days[2] += (tech_budget - tech_days).max(0.0);
                continue;
            }
            let drag = sc.debt.drag(debt);
            let capacity = w.nominal * (1.0 - drag) * st.capacity_factor[j];

            let lambda = draws.base_rate
                * (1.0 + sc.incidents.debt_sensitivity * debt)
                * st.incident_factor[j];
            let incidents = if lambda > 0.0 {
                poisson_quantile(w.incident_u, lambda)
            } else {
                0
            };
            let incident_days = if incidents > 0 {
                // The i-th incident of a team-period costs the same under every strategy.
                let mut rng = stream(self.seed, trial, Purpose::IncidentCost, j, t);
                self.incident_cost.sample(incidents, &mut rng)
            } else {
                0.0
            };
            let incident_days = incident_days.min(capacity);
            let risk_days = w.risk_days.min(capacity - incident_days);
            let planned = capacity - incident_days - risk_days;

            let share = policy.tech_share(j, t, debt).clamp(0.0, 1.0);
            let cap_per_engineer = team.days_per_engineer().unwrap_or(0.0) * w.availability;
            just_finished.clear();
            let order = &self.orders[s][j];
            let product_budget = (1.0 - share) * planned;
            let product_days = self.flow(
                &order[kind_slot(Kind::Product)],
                product_budget,
                t,
                cap_per_engineer,
                st,
                outcome,
                just_finished,
                contributions,
            );
            let tech_budget = share * planned + (product_budget - product_days);
            let tech_days = self.flow(
                &order[kind_slot(Kind::Tech)],
                tech_budget,
                t,
                cap_per_engineer,
                st,
                outcome,
                just_finished,
                contributions,
            );
            let leftover = (tech_budget - tech_days).max(0.0);

            let finished_debt: f64 = just_finished.iter().map(|&i| initiatives[i].debt).sum();
            let owed = debt * (1.0 + draws.interest)
                + draws.accrual * st.accrual_factor[j] * product_days
                + finished_debt;
            let paydown = if draws.efficiency > 0.0 {
                leftover.min(owed.max(0.0) / draws.efficiency)
            } else {
                0.0
            };
            let idle = leftover - paydown;
            st.debt[j] = (owed - draws.efficiency * paydown).max(0.0);
            for &i in just_finished.iter() {
                let d = &initiatives[i];
                st.accrual_factor[j] *= d.accrual_factor;
                st.incident_factor[j] *= d.incident_factor;
                st.capacity_factor[j] *= d.capacity_factor;
            }

            row[PeriodMetric::Debt as usize] += st.debt[j];
            weighted_drag += drag * w.nominal;
            row[PeriodMetric::Engineers as usize] += w.engineers;
            row[PeriodMetric::NominalCapacity as usize] += w.nominal;
            row[PeriodMetric::EffectiveCapacity as usize] += capacity;
            row[PeriodMetric::Incidents as usize] += incidents as f64;
            row[PeriodMetric::IncidentDays as usize] += incident_days;
            row[PeriodMetric::RiskDays as usize] += risk_days;
            row[PeriodMetric::ProductDays as usize] += product_days;
            row[PeriodMetric::TechDays as usize] += tech_days;
            row[PeriodMetric::PaydownDays as usize] += paydown;
            row[PeriodMetric::IdleDays as usize] += idle;
        }
        if !FULL {
            // Product, tech and idle days; the other totals would each add exactly 0.
            for (k, days) in [2, 3, 5].into_iter().zip(lean_days) {
                st.totals[k] += days;
            }
            st.done = outcome.finished.iter().all(|&f| f > 0);
            return;
        }
        let nominal = row[PeriodMetric::NominalCapacity as usize];
        row[PeriodMetric::Drag as usize] = if nominal > 0.0 {
            weighted_drag / nominal
        } else {
            0.0
        };
        for (total, metric) in st.totals.iter_mut().zip([
            PeriodMetric::IncidentDays,
            PeriodMetric::RiskDays,
            PeriodMetric::ProductDays,
            PeriodMetric::TechDays,
            PeriodMetric::PaydownDays,
            PeriodMetric::IdleDays,
        ]) {
            *total += row[metric as usize];
        }
        st.done = outcome.finished.iter().all(|&f| f > 0);

        self.judge_key_results(t, st, world, teams, initial_level);
        row[PeriodMetric::BlendedScore as usize] = blended(sc, &st.attainment);
        if self.recording.periods {
            let base = (t - 1) * self.width;
            let cells = &mut outcome.periods[base..base + self.width];
            cells[..row.len()].copy_from_slice(&row);
            cells[row.len()..].copy_from_slice(&st.value);
        }
    }

    /// Feeds `budget` to the ready initiatives of `order`; returns the days used.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn flow(
        &self,
        order: &[usize],
        budget: f64,
        t: usize,
        cap_per_engineer: f64,
        st: &mut State,
        outcome: &mut Outcome,
        just_finished: &mut Vec<usize>,
        contributions: &[f64],
    ) -> f64 {
        let mut used = 0.0;
        for &i in order {
            if outcome.finished[i] != 0 {
                continue;
            }
            let initiative = &self.scenario.initiatives[i];
            let ready = initiative
                .after
                .iter()
                .all(|&d| outcome.finished[d] != 0 && (outcome.finished[d] as usize) < t);
            if !ready {
                continue;
            }
            let cap = initiative
                .max_engineers
                .map_or(f64::INFINITY, |m| m * cap_per_engineer);
            let take = st.remaining[i].min(cap).min(budget - used).max(0.0);
            st.remaining[i] -= take;
            used += take;
            if st.remaining[i] <= DONE_EPSILON {
                st.remaining[i] = 0.0;
                outcome.finished[i] = t as u32;
                just_finished.push(i);
                for (slot, (k, _)) in self.contributions[i].iter().zip(&initiative.contributes) {
                    st.value[*k] += contributions[*slot];
                }
            }
        }
        used
    }

    /// Level of key result `k`'s metric for this strategy at the end of the current period.
    fn metric_level(
        &self,
        metric: Metric,
        team: Option<usize>,
        st: &State,
        world: &[TeamWorld],
        teams: &[TeamDraws],
    ) -> f64 {
        let sc = self.scenario;
        let in_scope = |j: usize| team.is_none_or(|only| only == j);
        match metric {
            Metric::Debt => (0..sc.teams.len())
                .filter(|&j| in_scope(j))
                .map(|j| st.debt[j])
                .sum(),
            Metric::Incidents => (0..sc.teams.len())
                .filter(|&j| in_scope(j))
                .map(|j| {
                    teams[j].base_rate
                        * (1.0 + sc.incidents.debt_sensitivity * st.debt[j])
                        * st.incident_factor[j]
                })
                .sum(),
            Metric::Drag => {
                let (mut weighted, mut weight) = (0.0, 0.0);
                for j in (0..sc.teams.len()).filter(|&j| in_scope(j)) {
                    weighted += sc.debt.drag(st.debt[j]) * world[j].nominal;
                    weight += world[j].nominal;
                }
                if weight > 0.0 { weighted / weight } else { 0.0 }
            }
        }
    }

    /// Each key result's metric level before any work (from strategy 0: all start equal).
    fn measure_initial_levels(&self, scratch: &mut Scratch) {
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
    fn judge_key_results(
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

    fn record_progress(&self, scratch: &mut Scratch) {
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

    fn finish_trial(&self, periods_run: usize, scratch: &mut Scratch) {
        let sc = self.scenario;
        for (st, outcome) in scratch.states.iter().zip(scratch.outcomes.iter_mut()) {
            outcome.periods_run = periods_run;
            outcome.attainment.clone_from(&st.attainment);
            outcome.met.clone_from(&st.met);
            let side = |owner: Owner| {
                let (mut weighted, mut weight) = (0.0, 0.0);
                let mut all_met = true;
                for (k, kr) in sc.key_results_of(owner) {
                    weighted += kr.weight * st.attainment[k];
                    weight += kr.weight;
                    all_met &= st.met[k];
                }
                let score = if weight > 0.0 {
                    weighted / weight
                } else {
                    f64::NAN
                };
                (score, if all_met { 1.0 } else { 0.0 })
            };
            let (product, product_met) = side(Owner::Product);
            let (technology, technology_met) = side(Owner::Technology);
            let done = outcome.finished.iter().filter(|&&f| f > 0).count() as f64;
            let [incident, risk, product_days, tech_days, paydown, idle] = st.totals;
            outcome.summary.clear();
            outcome.summary.extend([
                blended(sc, &st.attainment),
                product,
                technology,
                st.debt.iter().sum(),
                incident,
                risk,
                product_days,
                tech_days,
                paydown,
                idle,
                done,
                product_met,
                technology_met,
            ]);
        }
    }
}

/// An initiative's work in a trial, effort × (1 + scope growth): the first draws of its
/// [`Purpose::Initiative`] stream.
#[inline]
fn initiative_work(initiative: &Initiative, rng: &mut Stream) -> f64 {
    let effort = initiative.effort.sample(rng).max(0.0);
    let growth = initiative
        .scope_growth
        .as_ref()
        .map_or(0.0, |g| g.sample(rng));
    effort * (1.0 + growth).max(0.0)
}

fn kind_slot(kind: Kind) -> usize {
    match kind {
        Kind::Product => 0,
        Kind::Tech => 1,
    }
}

/// blend · (weighted mean product attainment) + (1 − blend) · (technology's); a side without
/// key results (or with zero total weight) leaves the score to the other side.
pub fn blended(scenario: &Scenario, attainment: &[f64]) -> f64 {
    let side = |owner: Owner| {
        let (mut weighted, mut weight) = (0.0, 0.0);
        for (k, kr) in scenario.key_results_of(owner) {
            weighted += kr.weight * attainment[k];
            weight += kr.weight;
        }
        (weight > 0.0).then(|| weighted / weight)
    };
    match (side(Owner::Product), side(Owner::Technology)) {
        (Some(p), Some(t)) => scenario.blend * p + (1.0 - scenario.blend) * t,
        (Some(p), None) => p,
        (None, Some(t)) => t,
        (None, None) => 0.0,
    }
}

/// The uncertain inputs each trial draws, for sensitivity analysis: what a trial's outcome
/// can be traced back to.
impl Engine<'_> {
    /// Names of the per-trial inputs [`Engine::sampled_inputs`] reports, in its order.
    pub fn sampled_input_names(&self) -> Vec<String> {
        let sc = self.scenario;
        let mut names = Vec::new();
        for team in &sc.teams {
            let t = &team.name;
            names.extend([
                format!("initial debt · {t}"),
                format!("debt interest · {t}"),
                format!("debt accrual · {t}"),
                format!("paydown efficiency · {t}"),
                format!("incident base rate · {t}"),
                format!("attrition · {t}"),
            ]);
        }
        for initiative in &sc.initiatives {
            names.push(format!("work · {}", initiative.id));
            for (k, _) in &initiative.contributes {
                names.push(format!(
                    "value · {} → {}",
                    initiative.id, sc.key_results[*k].id
                ));
            }
            names.push(format!("on-done debt · {}", initiative.id));
        }
        for risk in &sc.risks {
            names.push(format!("risk days · {}", risk.id));
        }
        names
    }

    /// The per-trial inputs the last [`Engine::run_trial`] on `scratch` drew, appended to
    /// `out` in the order of [`Engine::sampled_input_names`].
    pub fn sampled_inputs(&self, scratch: &Scratch, out: &mut Vec<f64>) {
        for team in &scratch.teams {
            out.extend([
                team.debt,
                team.interest,
                team.accrual,
                team.efficiency,
                team.base_rate,
                team.hazard,
            ]);
        }
        for (i, draws) in scratch.initiatives.iter().enumerate() {
            out.push(draws.work);
            out.extend(
                self.contributions[i]
                    .iter()
                    .map(|&slot| scratch.contributions[slot]),
            );
            out.push(draws.debt);
        }
        for &(period, impact) in &scratch.risks {
            out.push(if period > 0 { impact } else { 0.0 });
        }
    }
}
