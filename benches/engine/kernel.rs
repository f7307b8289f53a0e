//! The fair hand-written kernel `benches/engine.rs` times the engine against: the same model,
//! draws and statistics as `fulcrum run`'s simulation of one scenario, written straight.

use rand::RngExt;
use rayon::prelude::*;

use fulcrum::model::{Measure, Metric, Owner, Scenario, SumOfDraws, Workforce};
use fulcrum::simulate::rng::{Purpose, Stream, binomial_quantile, poisson_quantile, stream};
use fulcrum::simulate::stats::{Moments, PeriodHistogram, Sketch};
use fulcrum::simulate::trial::Totals;
use fulcrum::simulate::trial::world::initiative_work;
use fulcrum::simulate::{self, PeriodMetric, Policy};

use super::{CHUNK, METRICS, SUMMARIES};

/// The scenario compiled for the kernel: flat tables, indices as `u32`.
pub(super) struct Kernel<'a> {
    s: &'a Scenario,
    policies: &'a [Policy],
    seed: u64,
    /// `orders[(p * teams + j) * 2 + kind]`: the initiatives strategy p feeds, in order.
    orders: Vec<Vec<u32>>,
    /// Per initiative: max engineers (∞ without a cap), and its first contribution slot.
    max_engineers: Vec<f64>,
    first_contribution: Vec<usize>,
    /// Per contribution slot: the key result it adds to.
    contribution_kr: Vec<usize>,
    /// `events[j][t - 1]`: engineers and capacity fraction added by events.
    event_engineers: Vec<Vec<f64>>,
    event_fraction: Vec<Vec<f64>>,
    incident_cost: SumOfDraws,
}

/// What the trials record, merged exactly (the engine's statistics, kept directly).
#[derive(Clone)]
pub(super) struct Stats {
    pub(super) trials: u64,
    pub(super) unrepresentable: bool,
    /// The current chunk's period rows, `[trial in chunk][cell]`, added to `periods` cell by
    /// cell at the end of the chunk (so each sketch is brought into cache once per chunk, not
    /// once per trial).
    pub(super) pending: Vec<f64>,
    /// Cells of one trial: strategies × periods × columns.
    pub(super) cells: usize,
    /// `[strategy][period][column]`.
    pub(super) periods: Vec<Sketch>,
    /// `[strategy][summary metric]`.
    pub(super) summary: Vec<Sketch>,
    pub(super) paired: Vec<Sketch>,
    /// `[strategy][initiative]`.
    pub(super) finish: Vec<PeriodHistogram>,
    pub(super) by_deadline: Vec<u64>,
    pub(super) progress: Vec<Moments>,
    /// `[strategy][key result]`.
    pub(super) met: Vec<u64>,
    pub(super) attainment: Vec<Sketch>,
}

impl Stats {
    fn new(s: &Scenario, full: bool) -> Stats {
        let p = s.strategies.len();
        let (width, periods) = if full {
            (METRICS + s.key_results.len(), s.periods)
        } else {
            (0, 0)
        };
        Stats {
            trials: 0,
            unrepresentable: false,
            pending: Vec::new(),
            cells: p * periods * width,
            periods: vec![Sketch::default(); p * periods * width],
            summary: vec![Sketch::default(); p * SUMMARIES],
            paired: vec![Sketch::default(); p * SUMMARIES],
            finish: vec![PeriodHistogram::new(s.periods); p * s.initiatives.len()],
            by_deadline: vec![0; p * s.initiatives.len()],
            progress: vec![Moments::default(); p * s.initiatives.len()],
            met: vec![0; p * s.key_results.len()],
            attainment: vec![Sketch::default(); p * s.key_results.len()],
        }
    }

    fn merge(mut self, other: Stats) -> Stats {
        self.trials += other.trials;
        self.unrepresentable |= other.unrepresentable;
        for (a, b) in [
            (&mut self.periods, &other.periods),
            (&mut self.summary, &other.summary),
            (&mut self.paired, &other.paired),
            (&mut self.attainment, &other.attainment),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
        }
        let finish = self.finish.iter_mut().zip(&other.finish);
        finish.for_each(|(x, y)| x.merge(y));
        let progress = self.progress.iter_mut().zip(&other.progress);
        progress.for_each(|(x, y)| x.merge(y));
        for (a, b) in [
            (&mut self.by_deadline, &other.by_deadline),
            (&mut self.met, &other.met),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self
    }

    /// Adds the pending rows to the per-period statistics.
    fn flush(&mut self) {
        let cells = self.cells;
        if cells == 0 {
            return;
        }
        for (c, sketch) in self.periods.iter_mut().enumerate() {
            for row in self.pending.chunks_exact(cells) {
                let value = row[c];
                self.unrepresentable |= value.abs() > simulate::REPRESENTABLE;
                sketch.add(value);
            }
        }
        self.pending.clear();
    }
}

/// One trial's draws and every strategy's state, reused from trial to trial.
#[derive(Default)]
struct Buffers {
    // Per team: constants, then this period's world.
    debt0: Vec<f64>,
    interest: Vec<f64>,
    accrual: Vec<f64>,
    efficiency: Vec<f64>,
    base_rate: Vec<f64>,
    hazard: Vec<f64>,
    capacity_rng: Vec<Stream>,
    attrition_rng: Vec<Stream>,
    incident_rng: Vec<Stream>,
    people: Vec<f64>,
    engineers: Vec<f64>,
    nominal: Vec<f64>,
    availability: Vec<f64>,
    incident_u: Vec<f64>,
    risk_days: Vec<f64>,
    // Per initiative.
    work: Vec<f64>,
    done_debt: Vec<f64>,
    done_accrual: Vec<f64>,
    done_incidents: Vec<f64>,
    done_capacity: Vec<f64>,
    contribution: Vec<f64>,
    /// Per risk: the period it strikes (0: never) and its impact.
    risks: Vec<(usize, f64)>,
    /// Per key result: its metric's level before any work.
    initial: Vec<f64>,
    // Per strategy × team, strategy × initiative, strategy × key result.
    debt: Vec<f64>,
    accrual_factor: Vec<f64>,
    incident_factor: Vec<f64>,
    capacity_factor: Vec<f64>,
    /// Product days worked since the start of the trial (the `product_work` metric).
    product_work: Vec<f64>,
    remaining: Vec<f64>,
    finished: Vec<u32>,
    value: Vec<f64>,
    attainment: Vec<f64>,
    met: Vec<bool>,
    totals: Vec<Totals>,
    just_finished: Vec<u32>,
}

fn refill<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
    v.clear();
    v.resize(n, x);
}

/// Refills `v` with `times` copies of `block`: one per strategy.
fn refill_repeated<T: Clone>(v: &mut Vec<T>, block: &[T], times: usize) {
    v.clear();
    for _ in 0..times {
        v.extend_from_slice(block);
    }
}

impl<'a> Kernel<'a> {
    pub(super) fn new(s: &'a Scenario, policies: &'a [Policy], seed: u64) -> Kernel<'a> {
        let teams = s.teams.len();
        let mut orders = vec![Vec::new(); policies.len() * teams * 2];
        for (p, policy) in policies.iter().enumerate() {
            for i in policy.order(s) {
                let init = &s.initiatives[i];
                let kind = usize::from(init.kind == fulcrum::model::Kind::Tech);
                orders[(p * teams + init.team) * 2 + kind].push(i as u32);
            }
        }
        let mut first_contribution = Vec::new();
        let mut contribution_kr = Vec::new();
        for init in &s.initiatives {
            first_contribution.push(contribution_kr.len());
            contribution_kr.extend(init.contributes.iter().map(|(k, _)| *k));
        }
        let events = s.event_changes();
        Kernel {
            s,
            policies,
            seed,
            orders,
            max_engineers: s
                .initiatives
                .iter()
                .map(|i| i.max_engineers.unwrap_or(f64::INFINITY))
                .collect(),
            first_contribution,
            contribution_kr,
            event_engineers: events.engineers,
            event_fraction: events.fraction,
            incident_cost: SumOfDraws::new(&s.incidents.cost),
        }
    }

    /// Runs `trials` trials in parallel chunks; `FULL`: every statistic, else finish periods.
    pub(super) fn run<const FULL: bool>(&self, trials: u64) -> Stats {
        (0..trials.div_ceil(CHUNK))
            .into_par_iter()
            .fold(
                || (Stats::new(self.s, FULL), Buffers::default()),
                |(mut stats, mut b), chunk| {
                    for trial in chunk * CHUNK..(chunk * CHUNK + CHUNK).min(trials) {
                        self.trial::<FULL>(trial, &mut b, &mut stats);
                    }
                    stats.flush();
                    (stats, b)
                },
            )
            .map(|(stats, _)| stats)
            .reduce(|| Stats::new(self.s, FULL), Stats::merge)
    }

    fn trial<const FULL: bool>(&self, trial: u64, b: &mut Buffers, stats: &mut Stats) {
        let s = self.s;
        let (teams, inits, krs, strategies) = (
            s.teams.len(),
            s.initiatives.len(),
            s.key_results.len(),
            self.policies.len(),
        );
        self.draw(trial, b);
        refill_repeated(&mut b.debt, &b.debt0, strategies);
        refill(&mut b.accrual_factor, strategies * teams, 1.0);
        refill(&mut b.incident_factor, strategies * teams, 1.0);
        refill(&mut b.capacity_factor, strategies * teams, 1.0);
        refill(&mut b.product_work, strategies * teams, 0.0);
        refill_repeated(&mut b.remaining, &b.work, strategies);
        refill(&mut b.finished, strategies * inits, 0);
        refill(&mut b.value, strategies * krs, 0.0);
        refill(&mut b.attainment, strategies * krs, 0.0);
        refill(&mut b.met, strategies * krs, false);
        refill(&mut b.totals, strategies, Totals::default());
        let width = METRICS + krs;
        let row_start = stats.pending.len();
        stats.pending.resize(row_start + stats.cells, 0.0);
        for t in 1..=s.periods {
            self.advance_world(t, b);
            if FULL && t == 1 {
                b.initial.clear();
                for kr in &s.key_results {
                    b.initial.push(match kr.measure {
                        Measure::Metric { metric, team, .. } => self.level(metric, team, 0, b),
                        Measure::Delivery { .. } => 0.0,
                    });
                }
            }
            for p in 0..strategies {
                let mut row = [0.0; METRICS];
                let mut weighted_drag = 0.0;
                for j in 0..teams {
                    let drag = self.team_period::<FULL>(trial, p, j, t, b, &mut row);
                    weighted_drag += drag * b.nominal[j];
                }
                if !FULL {
                    continue;
                }
                let nominal = row[PeriodMetric::NominalCapacity as usize];
                row[PeriodMetric::Drag as usize] = if nominal > 0.0 {
                    weighted_drag / nominal
                } else {
                    0.0
                };
                b.totals[p].add_period(&row);
                self.judge(t, p, b);
                let attainment = &b.attainment[p * krs..(p + 1) * krs];
                row[PeriodMetric::BlendedScore as usize] = s.blended(attainment);
                let base = row_start + (p * s.periods + t - 1) * width;
                stats.pending[base..base + METRICS].copy_from_slice(&row);
                let values = &b.value[p * krs..(p + 1) * krs];
                stats.pending[base + METRICS..base + width].copy_from_slice(values);
            }
            for j in 0..teams {
                if b.hazard[j] > 0.0 {
                    let whole = b.people[j].max(0.0).floor() as u32;
                    let u = b.attrition_rng[j].random::<f64>();
                    b.people[j] -= f64::from(binomial_quantile(u, whole, b.hazard[j]));
                }
            }
        }
        stats.trials += 1;
        self.record::<FULL>(b, stats);
    }

    /// The trial's constants and the world's streams, drawn as the engine draws them.
    fn draw(&self, trial: u64, b: &mut Buffers) {
        let (s, seed) = (self.s, self.seed);
        for v in [
            &mut b.debt0,
            &mut b.interest,
            &mut b.accrual,
            &mut b.efficiency,
            &mut b.base_rate,
            &mut b.hazard,
            &mut b.people,
        ] {
            v.clear();
        }
        b.capacity_rng.clear();
        b.attrition_rng.clear();
        b.incident_rng.clear();
        for (j, team) in s.teams.iter().enumerate() {
            let mut rng = stream(seed, trial, Purpose::TeamConstants, j, 0);
            b.debt0.push(team.debt_initial.sample(&mut rng).max(0.0));
            b.interest.push(s.debt.interest.sample(&mut rng).max(-1.0));
            b.accrual.push(s.debt.accrual.sample(&mut rng).max(0.0));
            b.efficiency
                .push(s.debt.paydown_efficiency.sample(&mut rng).max(0.0));
            b.base_rate
                .push(s.incidents.base_rate.sample(&mut rng).max(0.0));
            let (hazard, people) = match &team.workforce {
                Workforce::Engineers(staff) => {
                    let annual = staff.attrition.sample(&mut rng).clamp(0.0, 1.0);
                    let per_year = s.period_length.per_year();
                    (1.0 - (1.0 - annual).powf(1.0 / per_year), staff.engineers)
                }
                Workforce::Capacity(_) | Workforce::Throughput(_) => (0.0, 0.0),
            };
            b.hazard.push(hazard);
            b.people.push(people);
            b.capacity_rng
                .push(stream(seed, trial, Purpose::Capacity, j, 0));
            b.attrition_rng
                .push(stream(seed, trial, Purpose::Attrition, j, 0));
            b.incident_rng
                .push(stream(seed, trial, Purpose::Incidents, j, 0));
        }
        for v in [
            &mut b.work,
            &mut b.done_debt,
            &mut b.done_accrual,
            &mut b.done_incidents,
            &mut b.done_capacity,
            &mut b.contribution,
        ] {
            v.clear();
        }
        for (i, init) in s.initiatives.iter().enumerate() {
            let mut rng = stream(seed, trial, Purpose::Initiative, i, 0);
            b.work.push(initiative_work(init, &mut rng));
            for (_, value) in &init.contributes {
                b.contribution.push(value.sample(&mut rng));
            }
            let on_done = &init.on_done;
            for (d, out) in [
                (&on_done.accrual, &mut b.done_accrual),
                (&on_done.incident_rate, &mut b.done_incidents),
                (&on_done.capacity, &mut b.done_capacity),
            ] {
                out.push(
                    d.as_ref()
                        .map_or(1.0, |d| (1.0 + d.sample(&mut rng)).max(0.0)),
                );
            }
            b.done_debt
                .push(on_done.debt.as_ref().map_or(0.0, |d| d.sample(&mut rng)));
        }
        b.risks.clear();
        for (r, risk) in s.risks.iter().enumerate() {
            let mut rng = stream(seed, trial, Purpose::Risk, r, 0);
            let strikes = rng.random::<f64>() < risk.likelihood;
            let (first, last) = risk.window;
            let period = first + rng.random_range(0..=last - first);
            let impact = risk.impact.sample(&mut rng).max(0.0);
            b.risks.push((if strikes { period } else { 0 }, impact));
        }
        let teams = s.teams.len();
        for v in [
            &mut b.engineers,
            &mut b.nominal,
            &mut b.availability,
            &mut b.incident_u,
            &mut b.risk_days,
        ] {
            refill(v, teams, 0.0);
        }
    }

    /// Period t's world: headcount, nominal capacity, the incident uniform, risks striking.
    fn advance_world(&self, t: usize, b: &mut Buffers) {
        let s = self.s;
        for (j, team) in s.teams.iter().enumerate() {
            let mut nominal = match &team.workforce {
                Workforce::Engineers(staff) => {
                    let mut ramping = 0.0;
                    for hire in &staff.hires {
                        if hire.period == t {
                            b.people[j] += hire.engineers;
                        }
                        if hire.period <= t && staff.ramp_periods > 0 {
                            let progress =
                                (t - hire.period + 1) as f64 / f64::from(staff.ramp_periods);
                            ramping += hire.engineers * (1.0 - progress.min(1.0));
                        }
                    }
                    let event = self.event_engineers[j].get(t - 1).copied().unwrap_or(0.0);
                    b.engineers[j] = (b.people[j] - ramping + event).max(0.0);
                    let availability = staff.availability.sample(&mut b.capacity_rng[j]);
                    b.availability[j] = availability.clamp(0.0, 1.0);
                    b.engineers[j] * staff.days_per_engineer * b.availability[j]
                }
                Workforce::Capacity(capacity) => capacity.sample(&mut b.capacity_rng[j]).max(0.0),
                Workforce::Throughput(throughput) => {
                    // The benchmarked scenario has no throughput team; this kernel would draw
                    // one period at a time, as the classic bootstrap does.
                    assert_eq!(throughput.block, 1, "the kernel draws no blocks");
                    let periods = throughput.sampled();
                    periods[b.capacity_rng[j].random_range(0..periods.len())].max(0.0)
                }
            };
            let fraction = self.event_fraction[j].get(t - 1).copied().unwrap_or(0.0);
            nominal *= (1.0 + fraction).max(0.0);
            b.nominal[j] = nominal;
            b.incident_u[j] = if b.base_rate[j] > 0.0 {
                b.incident_rng[j].random::<f64>()
            } else {
                0.0
            };
            b.risk_days[j] = 0.0;
        }
        for (r, risk) in s.risks.iter().enumerate() {
            if b.risks[r].0 == t {
                b.risk_days[risk.team] += b.risks[r].1;
            }
        }
    }

    /// Team j's period t under strategy p; adds its figures to `row`, returns its drag.
    #[inline(always)]
    fn team_period<const FULL: bool>(
        &self,
        trial: u64,
        p: usize,
        j: usize,
        t: usize,
        b: &mut Buffers,
        row: &mut [f64; METRICS],
    ) -> f64 {
        let s = self.s;
        let tj = p * s.teams.len() + j;
        let debt = b.debt[tj];
        let drag = s.debt.drag(debt);
        let capacity = b.nominal[j] * (1.0 - drag) * b.capacity_factor[tj];
        let lambda = s
            .incidents
            .rate(b.base_rate[j], debt, b.incident_factor[tj]);
        let incidents = if lambda > 0.0 {
            poisson_quantile(b.incident_u[j], lambda)
        } else {
            0
        };
        let incident_days = if incidents > 0 {
            let mut rng = stream(self.seed, trial, Purpose::IncidentCost, j, t);
            self.incident_cost.sample(incidents, &mut rng).min(capacity)
        } else {
            0.0_f64.min(capacity)
        };
        let risk_days = b.risk_days[j].min(capacity - incident_days);
        let planned = capacity - incident_days - risk_days;
        let share = self.policies[p].tech_share(j, t, debt).clamp(0.0, 1.0);
        let cap = s.teams[j].days_per_engineer().unwrap_or(0.0) * b.availability[j];
        b.just_finished.clear();
        let order = (p * s.teams.len() + j) * 2;
        let product_budget = (1.0 - share) * planned;
        let product_days = self.flow(&self.orders[order], product_budget, p, t, cap, b);
        b.product_work[tj] += product_days;
        let tech_budget = share * planned + (product_budget - product_days);
        let tech_days = self.flow(&self.orders[order + 1], tech_budget, p, t, cap, b);
        let leftover = (tech_budget - tech_days).max(0.0);
        let finished_debt: f64 = b
            .just_finished
            .iter()
            .map(|&i| b.done_debt[i as usize])
            .sum();
        let accrual = b.accrual[j] * b.accrual_factor[tj];
        let owed = debt * (1.0 + b.interest[j]) + product_days * accrual + finished_debt;
        let efficiency = b.efficiency[j];
        let paydown = if efficiency > 0.0 {
            leftover.min(owed.max(0.0) / efficiency)
        } else {
            0.0
        };
        b.debt[tj] = (owed - efficiency * paydown).max(0.0);
        for &i in &b.just_finished {
            let i = i as usize;
            b.accrual_factor[tj] *= b.done_accrual[i];
            b.incident_factor[tj] *= b.done_incidents[i];
            b.capacity_factor[tj] *= b.done_capacity[i];
        }
        if FULL {
            use PeriodMetric as M;
            row[M::Debt as usize] += b.debt[tj];
            row[M::Engineers as usize] += b.engineers[j];
            row[M::NominalCapacity as usize] += b.nominal[j];
            row[M::EffectiveCapacity as usize] += capacity;
            row[M::Incidents as usize] += incidents as f64;
            row[M::IncidentDays as usize] += incident_days;
            row[M::RiskDays as usize] += risk_days;
            row[M::ProductDays as usize] += product_days;
            row[M::TechDays as usize] += tech_days;
            row[M::PaydownDays as usize] += paydown;
            row[M::IdleDays as usize] += leftover - paydown;
        }
        drag
    }

    /// Feeds `budget` to the ready initiatives of `order` under strategy p; the days used.
    #[inline(always)]
    fn flow(
        &self,
        order: &[u32],
        budget: f64,
        p: usize,
        t: usize,
        cap: f64,
        b: &mut Buffers,
    ) -> f64 {
        let inits = self.s.initiatives.len();
        let krs = self.s.key_results.len();
        let finished = p * inits;
        let mut used = 0.0;
        for &i in order {
            let i = i as usize;
            if b.finished[finished + i] != 0 {
                continue;
            }
            let init = &self.s.initiatives[i];
            let ready = init.after.iter().all(|&d| {
                let f = b.finished[finished + d];
                f != 0 && (f as usize) < t
            });
            if !ready {
                continue;
            }
            let remaining = &mut b.remaining[finished + i];
            let take = remaining
                .min(self.max_engineers[i] * cap)
                .min(budget - used)
                .max(0.0);
            *remaining -= take;
            used += take;
            if *remaining <= 1e-9 {
                *remaining = 0.0;
                b.finished[finished + i] = t as u32;
                b.just_finished.push(i as u32);
                let first = self.first_contribution[i];
                for slot in first..first + init.contributes.len() {
                    b.value[p * krs + self.contribution_kr[slot]] += b.contribution[slot];
                }
            }
        }
        used
    }

    /// A metric's level under strategy p now, over one team or the whole organisation.
    fn level(&self, metric: Metric, team: Option<usize>, p: usize, b: &Buffers) -> f64 {
        let s = self.s;
        let base = p * s.teams.len();
        let scope = (0..s.teams.len()).filter(|&j| team.is_none_or(|only| only == j));
        match metric {
            Metric::Debt => scope.map(|j| b.debt[base + j]).sum(),
            Metric::Incidents => scope
                .map(|j| {
                    s.incidents.rate(
                        b.base_rate[j],
                        b.debt[base + j],
                        b.incident_factor[base + j],
                    )
                })
                .sum(),
            Metric::Drag => {
                let (mut weighted, mut weight) = (0.0, 0.0);
                for j in scope {
                    weighted += s.debt.drag(b.debt[base + j]) * b.nominal[j];
                    weight += b.nominal[j];
                }
                if weight > 0.0 { weighted / weight } else { 0.0 }
            }
            Metric::ProductWork => scope.map(|j| b.product_work[base + j]).sum(),
        }
    }

    /// Judges strategy p's key results whose deadline has not passed.
    fn judge(&self, t: usize, p: usize, b: &mut Buffers) {
        let krs = self.s.key_results.len();
        for (k, kr) in self.s.key_results.iter().enumerate() {
            if t > kr.deadline {
                continue;
            }
            let (attainment, met) = match kr.measure {
                Measure::Delivery { target } => {
                    let value = b.value[p * krs + k];
                    ((value / target).clamp(0.0, 1.0), value >= target)
                }
                Measure::Metric { metric, goal, team } => {
                    let level = self.level(metric, team, p, b);
                    (goal.attainment(b.initial[k], level), goal.is_met(level))
                }
            };
            b.attainment[p * krs + k] = attainment;
            b.met[p * krs + k] = met;
        }
    }

    /// Adds the trial's whole-trial outcomes, finish periods, progress and key results.
    fn record<const FULL: bool>(&self, b: &Buffers, stats: &mut Stats) {
        let s = self.s;
        let (teams, inits, krs) = (s.teams.len(), s.initiatives.len(), s.key_results.len());
        let mut first = [0.0; SUMMARIES];
        for p in 0..self.policies.len() {
            let finished = &b.finished[p * inits..(p + 1) * inits];
            for (i, &f) in finished.iter().enumerate() {
                let slot = p * inits + i;
                stats.finish[slot].add(f as usize);
                if !FULL {
                    continue;
                }
                if f > 0 && s.initiatives[i].deadline.is_some_and(|d| f as usize <= d) {
                    stats.by_deadline[slot] += 1;
                }
                let work = b.work[i];
                stats.progress[slot].add(if work > 0.0 {
                    1.0 - b.remaining[slot] / work
                } else if f > 0 {
                    1.0
                } else {
                    0.0
                });
            }
            if !FULL {
                continue;
            }
            let attainment = &b.attainment[p * krs..(p + 1) * krs];
            let met = &b.met[p * krs..(p + 1) * krs];
            let all_met = |owner: Owner| {
                let all = s.key_results_of(owner).all(|(k, _)| met[k]);
                if all { 1.0 } else { 0.0 }
            };
            let score = |owner: Owner| s.side_score(owner, |k| attainment[k]).unwrap_or(f64::NAN);
            let totals = &b.totals[p];
            let summary = [
                s.blended(attainment),
                score(Owner::Product),
                score(Owner::Technology),
                b.debt[p * teams..(p + 1) * teams].iter().sum(),
                totals.incident_days,
                totals.risk_days,
                totals.product_days,
                totals.tech_days,
                totals.paydown_days,
                totals.idle_days,
                finished.iter().filter(|&&f| f > 0).count() as f64,
                all_met(Owner::Product),
                all_met(Owner::Technology),
            ];
            if p == 0 {
                first = summary;
            }
            for (m, &x) in summary.iter().enumerate() {
                stats.unrepresentable |= x.abs() > simulate::REPRESENTABLE;
                stats.summary[p * SUMMARIES + m].add(x);
                stats.paired[p * SUMMARIES + m].add(x - first[m]);
            }
            for k in 0..krs {
                stats.met[p * krs + k] += u64::from(met[k]);
                stats.attainment[p * krs + k].add(attainment[k]);
            }
        }
    }
}
