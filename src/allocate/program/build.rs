//! The allocation program's constraint families, one method each, in the order of the
//! formulation in [`crate::allocate`]: variables, capacity, guardrails, debt, work and
//! precedence, deadlines, key results, objective. The model's equations come from
//! [`crate::model`] (incident rate, debt owed, drag tangent, blended score), the same ones the
//! simulator runs.

use good_lp::{Expression, ProblemVariables, Variable, variable};

use super::{Finishing, Mode, Program, Row, Setting, Slack, is_large};
use crate::model::{DebtModel, Goal, Kind, Measure, Metric, Owner};

/// Weight of the tie-breaking term that prefers earlier progress, relative to a blended score
/// in [0, 1]: large enough to order otherwise equal plans, too small to trade real score.
const EARLY: f64 = 1e-3;
/// Weight of the tie-breaker that prefers less debt, per engineer-day of debt per period.
const LESS_DEBT: f64 = 1e-9;

/// A program being built: its variables, and the rows added so far.
pub(super) struct Builder<'a> {
    setting: Setting<'a>,
    mode: Mode,
    vars: ProblemVariables,
    /// Cumulative-work variables (large programs), see [`Builder::new`].
    sparse: bool,
    work: Vec<Vec<Variable>>,
    paydown: Vec<Vec<Variable>>,
    idle: Vec<Vec<Variable>>,
    debt: Vec<Vec<Variable>>,
    /// Debt the clamp at zero forgives (the simulator's max(0, ·)).
    forgiven: Vec<Vec<Variable>>,
    attainment: Vec<Variable>,
    rows: Vec<(Row, good_lp::Constraint)>,
    slacks: Vec<(Slack, Variable)>,
    finished: Vec<Expression>,
}

impl<'a> Builder<'a> {
    /// The variables: xᵢₜ (or cumulative Cᵢₜ), pⱼₜ, uⱼₜ, Dⱼₜ, fⱼₜ and aₖ.
    pub(super) fn new(setting: &Setting<'a>, mode: Mode) -> Builder<'a> {
        let Setting {
            scenario, world, ..
        } = *setting;
        let periods = scenario.periods;
        let mut vars = ProblemVariables::new();
        // Small programs hold the days on initiative i in period t as a variable xᵢₜ. Large
        // ones hold the cumulative days Cᵢₜ instead (xᵢₜ = Cᵢₜ − Cᵢ,ₜ₋₁): every row that needs
        // progress then holds one term instead of one per earlier period, which keeps the
        // interior-point solver's factorisation sparse. (The simplex is faster without.)
        let sparse = is_large(scenario);
        let work = world
            .initiatives
            .iter()
            .map(|i| {
                let x = if sparse {
                    variable()
                } else {
                    variable().min(0.0).max(i.cap.min(i.work))
                };
                vars.add_vector(x, periods)
            })
            .collect();
        let mut per_team = || -> Vec<Vec<Variable>> {
            (0..scenario.teams.len())
                .map(|_| vars.add_vector(variable().min(0.0), periods))
                .collect()
        };
        let paydown = per_team();
        let idle = per_team();
        let debt = per_team();
        let forgiven = per_team();
        let attainment = vars.add_vector(variable().min(0.0).max(1.0), scenario.key_results.len());
        Builder {
            setting: *setting,
            mode,
            vars,
            sparse,
            work,
            paydown,
            idle,
            debt,
            forgiven,
            attainment,
            rows: Vec::new(),
            slacks: Vec::new(),
            finished: Vec::new(),
        }
    }

    fn elastic(&self) -> bool {
        matches!(self.mode, Mode::Elastic { .. })
    }

    /// Adds coefficient · xᵢₜ (t from 1) to an expression.
    fn add_days(&self, e: &mut Expression, coefficient: f64, i: usize, t: usize) {
        e.add_mul(coefficient, self.work[i][t - 1]);
        if self.sparse && t > 1 {
            e.add_mul(-coefficient, self.work[i][t - 2]);
        }
    }

    /// Cumulative work of initiative i by the end of period t, as a fraction of its work.
    fn progress(&self, i: usize, t: usize) -> Expression {
        self.days_by(i, t, 1.0 / self.setting.world.initiatives[i].work)
    }

    /// Days worked on initiative i by the end of period t, times `scale`.
    fn days_by(&self, i: usize, t: usize, scale: f64) -> Expression {
        if t == 0 {
            Expression::default()
        } else if self.sparse {
            scale * self.work[i][t - 1]
        } else {
            let mut e = Expression::with_capacity(t);
            for x in &self.work[i][..t] {
                e.add_mul(scale, *x);
            }
            e
        }
    }

    /// Debt at the start of period t (end of t − 1).
    fn debt_before(&self, j: usize, t: usize) -> Expression {
        if t == 1 {
            Expression::from(self.setting.world.teams[j].debt_initial)
        } else {
            Expression::from(self.debt[j][t - 2])
        }
    }

    /// Team j's initiatives.
    fn team_initiatives(&self, j: usize) -> impl Iterator<Item = usize> + '_ {
        let initiatives = &self.setting.scenario.initiatives;
        (0..initiatives.len()).filter(move |&i| initiatives[i].team == j)
    }

    /// Days used and idle in team j's period t: Σᵢ xᵢₜ + pⱼₜ + uⱼₜ.
    fn load(&self, j: usize, t: usize) -> Expression {
        let mut load = Expression::default();
        for i in self.team_initiatives(j) {
            self.add_days(&mut load, 1.0, i, t);
        }
        load.add_mul(1.0, self.paydown[j][t - 1]);
        load.add_mul(1.0, self.idle[j][t - 1]);
        load
    }

    /// Large programs: the bounds 0 ≤ xᵢₜ ≤ min(cap, W) as rows (with the total-work row they
    /// keep Cᵢₜ within [0, W]).
    pub(super) fn work_bounds(&mut self) {
        if !self.sparse {
            return;
        }
        for (i, initiative) in self.setting.world.initiatives.iter().enumerate() {
            for t in 1..=self.setting.scenario.periods {
                let mut x = Expression::default();
                self.add_days(&mut x, 1.0, i, t);
                self.rows.push((Row::Structure, x.clone().geq(0.0)));
                self.rows
                    .push((Row::Structure, x.leq(initiative.cap.min(initiative.work))));
            }
        }
    }

    /// Capacity: used + idle + (drag and incident load growing with debt) − on-done boosts
    /// = K·(1 − δ(D̂) + δ'(D̂)·D̂) − base incident load − risk.
    pub(super) fn capacity(&mut self, j: usize, t: usize) {
        let Setting {
            scenario,
            world,
            reference,
            extra_days,
            ..
        } = self.setting;
        let team = &world.teams[j];
        let incidents = &scenario.incidents;
        let k = team.nominal[t - 1];
        let d_ref = reference[j][t - 1];
        let (drag, slope) = scenario.debt.drag_tangent(d_ref);
        // Expected incident days c̄·λ(D): the rate with its base scaled by the mean cost.
        let incident_cost = team.base_rate * world.incident_cost;
        let mut lhs = self.load(j, t);
        lhs += (k * slope + incidents.rate_slope(incident_cost, 1.0)) * self.debt_before(j, t);
        let incident_rate_at_ref = incidents.rate(team.base_rate, d_ref, world.incident_cost);
        for i in self.team_initiatives(j).collect::<Vec<_>>() {
            let effect = &world.initiatives[i];
            if t > 1 && (effect.capacity != 0.0 || effect.incident_rate != 0.0) {
                let per_progress = -k * (1.0 - drag) * effect.capacity
                    + incident_rate_at_ref * effect.incident_rate;
                lhs += per_progress * self.progress(i, t - 1);
            }
        }
        if self.elastic() {
            let z = self.vars.add(variable().min(0.0));
            self.slacks
                .push((Slack::Capacity { team: j, period: t }, z));
            lhs.add_mul(-1.0, z);
        }
        let rhs = extra_days[j] + k * (1.0 - drag + slope * d_ref)
            - incidents.rate(incident_cost, 0.0, 1.0)
            - team.risk[t - 1];
        self.rows
            .push((Row::Capacity { team: j, period: t }, lhs.eq(rhs)));
    }

    /// Guardrails on the tech share of team j's capacity in period t.
    pub(super) fn guardrails(&mut self, j: usize, t: usize) {
        if matches!(self.mode, Mode::Elastic { guardrails: false }) {
            return;
        }
        let Setting {
            scenario,
            guardrails,
            spill_from,
            ..
        } = self.setting;
        let mut product = Expression::default();
        let mut tech = Expression::from(self.paydown[j][t - 1]);
        for i in self.team_initiatives(j) {
            match scenario.initiatives[i].kind {
                Kind::Product => self.add_days(&mut product, 1.0, i, t),
                Kind::Tech => self.add_days(&mut tech, 1.0, i, t),
            }
        }
        if guardrails.min_tech_share > 0.0 {
            let row = product - (1.0 - guardrails.min_tech_share) * self.load(j, t);
            self.rows
                .push((Row::MinShare { team: j, period: t }, row.leq(0.0)));
        }
        // Once a team's product work is all done, the simulator spills the unused product
        // budget to tech: the max guardrail no longer holds there.
        if guardrails.max_tech_share < 1.0 && t < spill_from[j] {
            let row = tech - guardrails.max_tech_share * self.load(j, t);
            self.rows
                .push((Row::MaxShare { team: j, period: t }, row.leq(0.0)));
        }
    }

    /// The debt recursion: D(t) = owed(D(t−1), product, finished debt) − e·paydown + forgiven.
    pub(super) fn debt_recursion(&mut self, j: usize, t: usize) {
        let Setting {
            scenario, world, ..
        } = self.setting;
        let team = &world.teams[j];
        let mut product = Expression::default();
        let mut finished = Expression::default();
        for i in self.team_initiatives(j) {
            let initiative = &world.initiatives[i];
            if scenario.initiatives[i].kind == Kind::Product {
                self.add_days(&mut product, 1.0, i, t);
            }
            if initiative.debt != 0.0 {
                self.add_days(&mut finished, initiative.debt / initiative.work, i, t);
            }
        }
        let owed = DebtModel::owed(
            self.debt_before(j, t),
            team.interest,
            team.accrual,
            product,
            finished,
        );
        let mut recursion = Expression::from(self.debt[j][t - 1]) - owed;
        recursion.add_mul(team.efficiency, self.paydown[j][t - 1]);
        recursion.add_mul(-1.0, self.forgiven[j][t - 1]);
        self.rows.push((Row::Structure, recursion.eq(0.0)));
    }

    /// Initiative i's total work, and precedence: its progress may not run ahead of a
    /// dependency's progress a period earlier.
    pub(super) fn work_and_precedence(&mut self, i: usize) {
        let Setting {
            scenario, world, ..
        } = self.setting;
        let periods = scenario.periods;
        let total: Expression = if self.sparse {
            self.work[i][periods - 1].into()
        } else {
            self.work[i].iter().map(|&x| Expression::from(x)).sum()
        };
        self.rows
            .push((Row::Structure, total.leq(world.initiatives[i].work)));
        for &before in &scenario.initiatives[i].after {
            for t in 1..=periods {
                let row = self.progress(i, t) - self.progress(before, t - 1);
                self.rows.push((Row::Structure, row.leq(0.0)));
            }
        }
    }

    /// A `must_finish` initiative's hard deadline: Fᵢ,deadline ≥ 1.
    pub(super) fn deadline(&mut self, i: usize) {
        let Setting {
            scenario, world, ..
        } = self.setting;
        let initiative = &scenario.initiatives[i];
        if !initiative.must_finish {
            return;
        }
        let deadline = initiative
            .deadline
            .unwrap_or(scenario.periods)
            .min(scenario.periods);
        let mut row = self.progress(i, deadline);
        if self.elastic() {
            let sigma = self.vars.add(variable().min(0.0));
            self.slacks.push((Slack::Deadline { initiative: i }, sigma));
            row.add_mul(1.0 / world.initiatives[i].work, sigma);
        }
        self.rows
            .push((Row::Deadline { initiative: i }, row.geq(1.0)));
    }

    /// Key result k's attainment: a delivery KR counts only finished work, a metric KR the way
    /// from the initial level to the goal.
    pub(super) fn key_result(&mut self, k: usize, finishing: Finishing) {
        let scenario = self.setting.scenario;
        let kr = &scenario.key_results[k];
        let deadline = kr.deadline.min(scenario.periods);
        match kr.measure {
            Measure::Delivery { target } => self.delivery(k, target, deadline, finishing),
            Measure::Metric { metric, goal, team } => {
                self.metric_goal(k, metric, goal, team, deadline)
            }
        }
    }

    /// target·aₖ ≤ Σᵢ valueᵢₖ·yᵢₖ, with a 0/1 "finished by the deadline" yᵢₖ ≤ Fᵢ,deadline per
    /// contributor (or a fixed 0 or 1, a constant, so the interior-point solver sees no empty
    /// interior).
    fn delivery(&mut self, k: usize, target: f64, deadline: usize, finishing: Finishing) {
        let mut value = Expression::default();
        for (i, initiative) in self.setting.world.initiatives.iter().enumerate() {
            for &(to, v) in &initiative.contributes {
                if to != k {
                    continue;
                }
                let by_deadline = self.progress(i, deadline);
                let y = match finishing {
                    Finishing::Binary => Some(self.vars.add(variable().binary())),
                    Finishing::Relaxed => Some(self.vars.add(variable().min(0.0).max(1.0))),
                    Finishing::Fixed(fixed) => {
                        let at = fixed.get(self.finished.len()).copied().unwrap_or(0.0);
                        if at > 0.0 {
                            value += v * at;
                            let row = by_deadline.clone().geq(at);
                            self.rows.push((Row::Structure, row));
                        }
                        None
                    }
                };
                if let Some(y) = y {
                    let row = Expression::from(y) - by_deadline.clone();
                    self.rows.push((Row::Structure, row.leq(0.0)));
                    value.add_mul(v, y);
                }
                self.finished.push(by_deadline);
            }
        }
        self.rows
            .push((Row::Structure, (target * self.attainment[k]).leq(value)));
    }

    /// aₖ ≤ 1 − (distance still to go) / (distance at the start), the level linear in D.
    fn metric_goal(
        &mut self,
        k: usize,
        metric: Metric,
        goal: Goal,
        team: Option<usize>,
        deadline: usize,
    ) {
        let Setting {
            scenario, world, ..
        } = self.setting;
        let scope: Vec<usize> = (0..world.teams.len())
            .filter(|&j| team.is_none_or(|only| only == j))
            .collect();
        let initial = metric.level(scope.iter().map(|&j| {
            let (d, team) = (world.teams[j].debt_initial, &world.teams[j]);
            let level = match metric {
                Metric::Debt => d,
                Metric::Incidents => scenario.incidents.rate(team.base_rate, d, 1.0),
                Metric::Drag => scenario.debt.drag(d),
                Metric::ProductWork => 0.0,
            };
            (level, team.nominal[0])
        }));
        let level = self.metric_level(metric, &scope, deadline);
        let bound = goal.linear_attainment(initial, level);
        let row = Expression::from(self.attainment[k]) - bound;
        self.rows.push((Row::Structure, row.leq(0.0)));
    }

    /// The metric's level at the end of `period` over the teams in `scope`, linear in the plan's
    /// variables (drag by its tangent at the reference debt; product work exactly, the days on
    /// product initiatives so far).
    fn metric_level(&self, metric: Metric, scope: &[usize], period: usize) -> Expression {
        let Setting {
            scenario,
            world,
            reference,
            ..
        } = self.setting;
        let teams = scope.iter().map(|&j| {
            let team = &world.teams[j];
            let d = self.debt[j][period - 1];
            let d_ref = reference[j]
                .get(period)
                .copied()
                .unwrap_or(reference[j][period - 1]);
            let mut level = Expression::default();
            match metric {
                Metric::Debt => level.add_mul(1.0, d),
                Metric::Incidents => {
                    level += scenario
                        .incidents
                        .rate(team.base_rate, Expression::from(d), 1.0);
                    for i in self.team_initiatives(j) {
                        let effect = world.initiatives[i].incident_rate;
                        if effect != 0.0 {
                            level += scenario.incidents.rate(team.base_rate, d_ref, 1.0)
                                * effect
                                * self.progress(i, period);
                        }
                    }
                }
                Metric::Drag => {
                    let (drag, slope) = scenario.debt.drag_tangent(d_ref);
                    level += drag - slope * d_ref;
                    level.add_mul(slope, d);
                }
                Metric::ProductWork => {
                    for i in self.team_initiatives(j) {
                        if scenario.initiatives[i].kind == Kind::Product {
                            level += self.days_by(i, period, 1.0);
                        }
                    }
                }
            }
            (level, team.nominal[period - 1])
        });
        metric.level(teams)
    }

    /// The objective, and the program. Planning: the blended score (each side the weighted mean
    /// of its attainments), plus a preference for early progress and against debt; explaining
    /// infeasibility: the fewest missing engineer-days.
    pub(super) fn finish(self) -> Program {
        let Setting {
            scenario, world, ..
        } = self.setting;
        let periods = scenario.periods;
        let side =
            |owner: Owner| scenario.side_score(owner, |k| Expression::from(self.attainment[k]));
        let score = scenario.blend_sides(side(Owner::Product), side(Owner::Technology));
        let objective = match self.mode {
            Mode::Plan => {
                let mut objective = score.clone();
                let n = scenario.initiatives.len().max(1) as f64;
                for (i, initiative) in world.initiatives.iter().enumerate() {
                    for t in 1..=periods {
                        let weight = EARLY * (periods + 1 - t) as f64
                            / (periods as f64 * n * initiative.work);
                        self.add_days(&mut objective, weight, i, t);
                    }
                }
                for (debt, forgiven) in self.debt.iter().zip(&self.forgiven) {
                    for t in 0..periods {
                        objective.add_mul(-LESS_DEBT, debt[t]);
                        objective.add_mul(-LESS_DEBT, forgiven[t]);
                    }
                }
                objective
            }
            Mode::Elastic { .. } => {
                // Missing capacity means the debt model itself breaks down: blame it only
                // where no deadline can take the blame.
                let mut objective = Expression::default();
                for &(slack, s) in &self.slacks {
                    let price = match slack {
                        Slack::Deadline { .. } => 1.0,
                        Slack::Capacity { .. } => 10.0,
                    };
                    objective.add_mul(-price, s);
                }
                objective
            }
        };
        Program {
            variables: self.vars,
            objective,
            score,
            rows: self.rows,
            work: self.work,
            paydown: self.paydown,
            idle: self.idle,
            debt: self.debt,
            attainment: self.attainment,
            finished: self.finished,
            slacks: self.slacks,
            large: self.sparse,
        }
    }
}
