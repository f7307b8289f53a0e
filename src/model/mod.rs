//! The compiled scenario: pure types the allocator and the simulator work on.
//!
//! Names are resolved to dense indices and every uncertain number is a ready-to-sample
//! [`Distribution`]. Nothing here reads files, solves programs or starts threads.
//! Periods are numbered from 1 to [`Scenario::periods`], as in the scenario file.

pub mod calendar;
pub mod distribution;
pub mod history;
pub mod joint;
pub mod plan;
pub mod prior;
pub mod reactive;
pub mod sum;
pub mod throughput;
mod work;

pub use calendar::{Calendar, Date, PeriodLength, PeriodUnit, Weekday};
pub use distribution::{Distribution, DistributionError};
pub use joint::{JointDraws, Parameter};
pub use plan::{Phase, Plan, phases_of};
pub use reactive::{Reactive, ReactiveForm, Trigger};
pub use sum::SumOfDraws;
pub use throughput::Throughput;
pub use work::{CapacityChange, Event, EventChanges, Initiative, Kind, OnDone, Risk};

/// The standard normal's 97.5% quantile: every 95% interval fulcrum prints is an estimate
/// ± `Z95` standard errors (docs/src/explanation/model.md#the-paired-interval).
pub const Z95: f64 = 1.959_963_984_540_054;

/// A quantity the model's linear equations are written over: a number (what the simulator
/// computes) or a linear expression in decision variables (what the allocator constrains).
/// Writing an equation once over `Linear` makes both layers use the same one.
pub trait Linear:
    Clone
    + std::ops::Add<Output = Self>
    + std::ops::Mul<f64, Output = Self>
    + std::ops::Div<f64, Output = Self>
    + From<f64>
{
}

impl<T> Linear for T where
    T: Clone
        + std::ops::Add<Output = T>
        + std::ops::Mul<f64, Output = T>
        + std::ops::Div<f64, Output = T>
        + From<f64>
{
}

/// Half-width of the 95% interval of a mean of `n` values whose sample standard deviation is
/// `sd`: `Z95 · sd / √n` (docs/src/explanation/model.md#the-paired-interval); 0 below two
/// values, which show no spread.
pub fn half_width_95(sd: f64, n: u64) -> f64 {
    if n < 2 {
        return 0.0;
    }
    Z95 * sd / (n as f64).sqrt()
}

/// The 95% interval of a probability estimated as the share `p` of `n` trials: the Wilson
/// score interval, which stays inside [0, 1] and keeps a width at 0% and 100% (a Wald interval
/// collapses there to "[100–100%]", a certainty no finite run has). Wilson (1927),
/// "Probable inference, the law of succession, and statistical inference", JASA 22.
pub fn proportion_ci95(p: f64, n: u64) -> [f64; 2] {
    if !p.is_finite() {
        return [f64::NAN, f64::NAN];
    }
    let z = Z95;
    let n = n.max(1) as f64;
    let z2n = z * z / n;
    let centre = (p + z2n / 2.0) / (1.0 + z2n);
    let half = z * (p * (1.0 - p) / n + z2n / (4.0 * n)).sqrt() / (1.0 + z2n);
    // At 0% and 100% the bound on that side is exactly 0 or 1; rounding would leave 1 − ε.
    let lo = if p <= 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if p >= 1.0 {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    [lo, hi]
}

/// A whole what-if scenario: the organisation, its goals, its debt and the strategies to compare.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Output folder name: results go to `output/<name>/`.
    pub name: String,
    /// The question this scenario answers, shown at the top of the report.
    pub question: Option<String>,
    /// Planning horizon in periods (P).
    pub periods: usize,
    /// Length of one period.
    pub period_length: PeriodLength,
    /// The first day of period 1, when known: outputs then carry dates.
    pub start: Option<Date>,
    /// The working days periods of days are counted in (weekends and holidays off).
    pub calendar: Calendar,
    /// Default number of Monte Carlo trials.
    pub trials: u64,
    /// Default master seed.
    pub seed: u64,
    /// Weight of product leadership's key results in the blended score; technology's is 1 − blend.
    pub blend: f64,
    /// Both owners' key results, in file order (a key result's index is its position here).
    pub key_results: Vec<KeyResult>,
    /// How debt grows, is paid down and slows teams (no debt without a `[debt]` section).
    pub debt: DebtModel,
    /// Unplanned work from incidents (none without an `[incidents]` section).
    pub incidents: IncidentModel,
    /// In file order; a team's index is its position here.
    pub teams: Vec<Team>,
    /// In file order; see [`Scenario::priority_order`] for the order work flows in.
    pub initiatives: Vec<Initiative>,
    /// Discrete risks, in file order.
    pub risks: Vec<Risk>,
    /// Known capacity changes, in file order.
    pub events: Vec<Event>,
    /// The strategies to compare, in file order; the first is the baseline of comparisons.
    pub strategies: Vec<Strategy>,
}

impl Scenario {
    /// Initiative indices in the order budgets flow to them: by `priority` (lower first;
    /// initiatives without one after those with one), then by file order.
    pub fn priority_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.initiatives.len()).collect();
        order.sort_by_key(|&i| (self.initiatives[i].priority.unwrap_or(i64::MAX), i));
        order
    }

    /// The last calendar day of `period` (1-based), when the scenario has a start date.
    pub fn period_end_date(&self, period: usize) -> Option<Date> {
        self.start
            .map(|start| start.period_end_on(self.period_length, period, &self.calendar))
    }

    /// Index of the team called `name`.
    pub fn team_index(&self, name: &str) -> Option<usize> {
        self.teams.iter().position(|t| t.name == name)
    }

    /// Index of the initiative with this id.
    pub fn initiative_index(&self, id: &str) -> Option<usize> {
        self.initiatives.iter().position(|i| i.id == id)
    }

    /// Each team's engineer and capacity changes per period from [`Scenario::events`].
    pub fn event_changes(&self) -> EventChanges {
        let blank = vec![vec![0.0; self.periods]; self.teams.len()];
        let mut changes = EventChanges {
            engineers: blank.clone(),
            fraction: blank,
        };
        for event in &self.events {
            for &t in event
                .periods
                .iter()
                .filter(|&&t| (1..=self.periods).contains(&t))
            {
                match event.change {
                    CapacityChange::Engineers(n) => changes.engineers[event.team][t - 1] += n,
                    CapacityChange::Fraction(f) => changes.fraction[event.team][t - 1] += f,
                }
            }
        }
        changes
    }

    /// Weighted mean attainment of one owner's key results, Σ wₖaₖ / Σ wₖ
    /// (docs/src/explanation/model.md#blended-score), of numbers (the simulator) or of the
    /// allocator's linear expressions; `None` when the owner has none (or their weights sum
    /// to 0).
    pub fn side_score<T: Linear>(
        &self,
        owner: Owner,
        attainment: impl Fn(usize) -> T,
    ) -> Option<T> {
        let (mut weighted, mut weight) = (T::from(0.0), 0.0);
        for (k, kr) in self.key_results_of(owner) {
            weighted = weighted + attainment(k) * kr.weight;
            weight += kr.weight;
        }
        (weight > 0.0).then(|| weighted / weight)
    }

    /// The blended score from each side's score: blend · product + (1 − blend) · technology; a
    /// side without key results leaves the score to the other, and neither scores 0.
    pub fn blend_sides<T: Linear>(&self, product: Option<T>, technology: Option<T>) -> T {
        match (product, technology) {
            (Some(p), Some(t)) => p * self.blend + t * (1.0 - self.blend),
            (Some(p), None) => p,
            (None, Some(t)) => t,
            (None, None) => T::from(0.0),
        }
    }

    /// The blended score of key results' `attainment`
    /// (docs/src/explanation/model.md#blended-score).
    pub fn blended(&self, attainment: &[f64]) -> f64 {
        self.blend_sides(
            self.side_score(Owner::Product, |k| attainment[k]),
            self.side_score(Owner::Technology, |k| attainment[k]),
        )
    }

    /// Whether the owner has key results: a side without any has no score, no chance of
    /// "all met" and prints "–" everywhere (never a NaN, never a vacuous 100%).
    pub fn has_key_results(&self, owner: Owner) -> bool {
        self.key_results_of(owner).next().is_some()
    }

    /// Key results of one owner, as (index, key result).
    pub fn key_results_of(&self, owner: Owner) -> impl Iterator<Item = (usize, &KeyResult)> {
        self.key_results
            .iter()
            .enumerate()
            .filter(move |(_, kr)| kr.owner == owner)
    }
}

/// Whose objective a key result serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// Product leadership.
    Product,
    /// Technology leadership.
    Technology,
}

impl Owner {
    /// Every owner, in the order scenario files list them.
    pub const ALL: [Owner; 2] = [Owner::Product, Owner::Technology];

    /// The word used in scenario files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Product => "product",
            Owner::Technology => "technology",
        }
    }
}

/// A measurable key result of product or technology leadership.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyResult {
    /// Unique; initiatives' `contributes` name it in the scenario file.
    pub id: String,
    /// Free text, when given.
    pub description: Option<String>,
    /// Whose objective it serves.
    pub owner: Owner,
    /// Importance within its owner's set.
    pub weight: f64,
    /// The period by whose end it is judged.
    pub deadline: usize,
    /// What is measured and what it must reach.
    pub measure: Measure,
}

/// How a key result is measured.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// Value delivered by finished initiatives' `contributes` must reach `target`.
    Delivery {
        /// Value to reach (> 0); attainment is value / target, clamped to [0, 1].
        target: f64,
    },
    /// A simulated metric must end up on the right side of `goal`.
    Metric {
        /// The metric judged.
        metric: Metric,
        /// The level it must get below or above by the key result's deadline.
        goal: Goal,
        /// Only this team's metric; `None` means the whole organisation.
        team: Option<usize>,
    },
}

/// A metric the simulator tracks per period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Outstanding debt, engineer-days (summed over teams).
    Debt,
    /// Expected incidents per period, λ (summed over teams).
    Incidents,
    /// Fraction of nominal capacity lost to debt (capacity-weighted over teams).
    Drag,
    /// Product work done since the start of the horizon, engineer-days (or the teams'
    /// capacity units; summed over teams): the days product initiatives absorbed. It values
    /// work beyond the named key results, such as a team's ongoing feature work.
    ProductWork,
}

impl Metric {
    /// Every metric, in the order scenario files list them.
    pub const ALL: [Metric; 4] = [
        Metric::Debt,
        Metric::Incidents,
        Metric::Drag,
        Metric::ProductWork,
    ];

    /// The organisation's level of this metric from each team's level and nominal capacity
    /// (docs/src/explanation/model.md#metric-levels): debt, incidents and product work summed
    /// over the teams, drag their mean weighted by nominal capacity (0 without capacity). Of
    /// numbers (the simulator) or of the allocator's linear expressions.
    pub fn level<T: Linear>(self, teams: impl IntoIterator<Item = (T, f64)>) -> T {
        let (mut weighted, mut weight) = (T::from(0.0), 0.0);
        for (level, nominal) in teams {
            match self {
                Metric::Debt | Metric::Incidents | Metric::ProductWork => {
                    weighted = weighted + level
                }
                Metric::Drag => {
                    weighted = weighted + level * nominal;
                    weight += nominal;
                }
            }
        }
        match self {
            Metric::Debt | Metric::Incidents | Metric::ProductWork => weighted,
            Metric::Drag if weight > 0.0 => weighted / weight,
            Metric::Drag => T::from(0.0),
        }
    }

    /// The word used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Debt => "debt",
            Metric::Incidents => "incidents",
            Metric::Drag => "drag",
            Metric::ProductWork => "product_work",
        }
    }
}

/// Which side of a level a metric must reach.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Goal {
    /// At most this level.
    Below(f64),
    /// At least this level.
    Above(f64),
}

impl Goal {
    /// The level to reach.
    pub fn level(self) -> f64 {
        match self {
            Goal::Below(x) | Goal::Above(x) => x,
        }
    }

    /// Whether `value` meets the goal.
    pub fn is_met(self, value: f64) -> bool {
        match self {
            Goal::Below(x) => value <= x,
            Goal::Above(x) => value >= x,
        }
    }

    /// Attainment of a metric that started at `initial` and is now `value`: 1 when the goal
    /// is met, else the fraction of the way from `initial` to the level, clamped to [0, 1].
    /// (docs/src/explanation/model.md#attainment).
    pub fn attainment(self, initial: f64, value: f64) -> f64 {
        if self.is_met(value) {
            return 1.0;
        }
        let gap = initial - self.level();
        if gap == 0.0 || self.is_met(initial) {
            return 0.0;
        }
        ((initial - value) / gap).clamp(0.0, 1.0)
    }

    /// The same attainment as the allocator's linear program bounds it, `1 − (distance
    /// still to go) / (way from the start)`, linear in the level: equal to [`Goal::attainment`]
    /// between the start and the goal. A goal met at the start has no way to go; there the
    /// simulator's attainment is a step (1 while met, 0 once not), which a linear program
    /// cannot hold, so the bound falls from 1 at the goal to 0 a tenth of the goal beyond it
    /// (at least 0.001) instead (docs/src/explanation/model.md#attainment).
    pub fn linear_attainment<T: Linear>(self, initial: f64, level: T) -> T {
        let (direction, goal) = match self {
            Goal::Below(x) => (1.0, x),
            Goal::Above(x) => (-1.0, x),
        };
        let way = direction * (initial - goal);
        let scale = if way > 1e-9 {
            way
        } else {
            (goal.abs() * 0.1).max(1e-3)
        };
        T::from(1.0) + (level + T::from(-goal)) * (-direction / scale)
    }
}

/// How debt grows, is paid down and slows teams. Rates are per period.
#[derive(Clone, Debug, PartialEq)]
pub struct DebtModel {
    /// Compound growth of outstanding debt per period (per team, once per trial).
    pub interest: Distribution,
    /// Debt days created per day of product work (per team, once per trial).
    pub accrual: Distribution,
    /// Debt days removed per day of paydown (per team, once per trial).
    pub paydown_efficiency: Distribution,
    /// At most this fraction of capacity is lost to debt.
    pub drag_max: f64,
    /// Debt at which drag reaches `drag_max / 2`.
    pub drag_half: f64,
}

impl DebtModel {
    /// δ = drag_max · D / (D + drag_half).
    #[inline]
    pub fn drag(&self, debt: f64) -> f64 {
        DebtModel::drag_with(self.drag_max, self.drag_half, debt)
    }

    /// δ = drag_max · D / (D + drag_half) for a trial's own `drag_max` and `drag_half` (a
    /// team's joint draw, [`JointDraws`]).
    #[inline]
    pub fn drag_with(drag_max: f64, drag_half: f64, debt: f64) -> f64 {
        if drag_max == 0.0 || debt <= 0.0 {
            0.0
        } else {
            drag_max * debt / (debt + drag_half)
        }
    }

    /// The drag curve's tangent at `debt`: (δ(D), dδ/dD(D)). Drag is concave, so the tangent
    /// lies above the curve (a linearised plan never overstates capacity).
    pub fn drag_tangent(&self, debt: f64) -> (f64, f64) {
        let d = debt.max(0.0);
        let slope = if self.drag_max == 0.0 {
            0.0
        } else {
            self.drag_max * self.drag_half / (d + self.drag_half).powi(2)
        };
        (self.drag(d), slope)
    }

    /// Debt owed at the end of a period before paydown (docs/src/explanation/model.md#debt):
    /// D·(1 + interest) + accrual·(product days) + debt of initiatives finished in it.
    /// The debt after paydown is `owed − efficiency·paydown`, at least 0.
    #[inline]
    pub fn owed<T: Linear>(
        debt: T,
        interest: f64,
        accrual: f64,
        product_days: T,
        finished: T,
    ) -> T {
        debt * (1.0 + interest) + product_days * accrual + finished
    }
}

/// Unplanned work: incidents whose rate grows with debt.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentModel {
    /// Incidents per team per period at zero debt (per team, once per trial).
    pub base_rate: Distribution,
    /// λ = base_rate · (1 + debt_sensitivity · D).
    pub debt_sensitivity: f64,
    /// Engineer-days of unplanned work per incident (per incident).
    pub cost: Distribution,
}

impl IncidentModel {
    /// λ = base_rate · (1 + debt_sensitivity · D) · (multipliers of finished initiatives).
    #[inline]
    pub fn rate<T: Linear>(&self, base_rate: f64, debt: T, multiplier: f64) -> T {
        IncidentModel::rate_with(self.debt_sensitivity, base_rate, debt, multiplier)
    }

    /// λ for a trial's own `debt_sensitivity` (a team's joint draw, [`JointDraws`]).
    #[inline]
    pub fn rate_with<T: Linear>(sensitivity: f64, base_rate: f64, debt: T, multiplier: f64) -> T {
        (T::from(1.0) + debt * sensitivity) * base_rate * multiplier
    }

    /// dλ/dD: how much the rate grows per day of debt (λ is linear in D).
    #[inline]
    pub fn rate_slope(&self, base_rate: f64, multiplier: f64) -> f64 {
        base_rate * self.debt_sensitivity * multiplier
    }
}

/// One team: who does the work, and the debt in its code.
#[derive(Clone, Debug, PartialEq)]
pub struct Team {
    /// Unique; initiatives, risks, events and metric key results name it in the scenario file.
    pub name: String,
    /// Where its capacity comes from.
    pub workforce: Workforce,
    /// Outstanding debt at the start, engineer-days (once per trial).
    pub debt_initial: Distribution,
    /// Joint draws of the team's parameters (`[debt] posterior`): each trial takes one row
    /// whole, in place of the parameters' own distributions.
    pub joint: Option<JointDraws>,
}

impl Team {
    /// The expected debt at the start: the mean of the team's joint draws when they hold
    /// it, else of `debt_initial`.
    pub fn debt_initial_mean(&self) -> f64 {
        self.joint
            .as_ref()
            .and_then(|j| j.mean(Parameter::DebtInitial))
            .unwrap_or_else(|| self.debt_initial.mean())
    }

    /// Focus days per engineer per period, for teams measured in engineers.
    pub fn days_per_engineer(&self) -> Option<f64> {
        match &self.workforce {
            Workforce::Engineers(staff) => Some(staff.days_per_engineer),
            Workforce::Capacity(_) | Workforce::Throughput(_) => None,
        }
    }
}

/// Where a team's capacity comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Workforce {
    /// Capacity = engineers × days per engineer × availability.
    Engineers(Staff),
    /// Capacity drawn independently each period, in the team's own unit (engineer-days,
    /// story points, items).
    Capacity(Distribution),
    /// Capacity resampled from the items the team finished per period (a throughput team).
    Throughput(Throughput),
}

/// A team measured in engineers.
#[derive(Clone, Debug, PartialEq)]
pub struct Staff {
    /// Headcount at the start (fractions allowed).
    pub engineers: f64,
    /// Focus days per engineer per period.
    pub days_per_engineer: f64,
    /// Fraction of focus days actually available (per team per period, clamped to [0, 1]).
    pub availability: Distribution,
    /// Engineers who join during the horizon.
    pub hires: Vec<Hire>,
    /// A hire ramps linearly to full capacity over this many periods.
    pub ramp_periods: u32,
    /// Probability per year that an engineer leaves (once per trial, clamped to [0, 1]).
    pub attrition: Distribution,
}

impl Staff {
    /// Period `t`'s hires: adds those joining in `t` to `people`, and returns how many
    /// engineers' worth of all hires so far are still ramping up in `t` (a hire of period p
    /// works at (t − p + 1) / `ramp_periods` of full pace until it reaches full pace).
    pub fn hire(&self, t: usize, people: &mut f64) -> f64 {
        let mut ramping = 0.0;
        for hire in &self.hires {
            if hire.period == t {
                *people += hire.engineers;
            }
            if hire.period <= t && self.ramp_periods > 0 {
                let progress = (t - hire.period + 1) as f64 / f64::from(self.ramp_periods);
                ramping += hire.engineers * (1.0 - progress.min(1.0));
            }
        }
        ramping
    }
}

/// Engineers joining at the start of a period.
#[derive(Clone, Debug, PartialEq)]
pub struct Hire {
    /// The period they join at the start of (1-based).
    pub period: usize,
    /// How many join (> 0).
    pub engineers: f64,
}

/// Monte Carlo trials of a scenario that does not say (`[scenario] trials`), and of a
/// forecast without one.
pub const DEFAULT_TRIALS: u64 = 10_000;

/// The master seed of a scenario that does not say (`[scenario] seed`).
pub const DEFAULT_SEED: u64 = 42;

/// The probability with which an optimised strategy's hard deadlines must hold, unless the
/// strategy says otherwise (`deadline_confidence`).
pub const DEFAULT_DEADLINE_CONFIDENCE: f64 = 0.85;

/// A named allocation strategy to compare.
#[derive(Clone, Debug, PartialEq)]
pub struct Strategy {
    /// Unique; shown in every output.
    pub name: String,
    /// How it sets each team's tech share.
    pub rule: Rule,
}

/// How a strategy sets each team's tech share per period.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// The same tech share always.
    FixedShare {
        /// Fraction of every team's planned capacity for tech work, in [0, 1].
        tech_share: f64,
    },
    /// `above` while the team's debt exceeds `ceiling`, else `below`.
    DebtCeiling {
        /// Debt level, engineer-days, compared with the team's debt at the start of each period.
        ceiling: f64,
        /// Tech share, in [0, 1], while the debt exceeds `ceiling`.
        above: f64,
        /// Tech share, in [0, 1], while the debt is at most `ceiling`.
        below: f64,
    },
    /// The policy the simulation finds best, within these guardrails, with every hard
    /// deadline (`must_finish`) on time with probability `deadline_confidence` at least.
    Optimised {
        /// Lowest tech share, in [0, 1], the policy may give a team in a period.
        min_tech_share: f64,
        /// Highest tech share, in [0, 1], the policy may give a team in a period.
        max_tech_share: f64,
        /// Probability, in [0, 1], with which every hard deadline must hold.
        deadline_confidence: f64,
    },
    /// A tech share per team and phase, written by the user (or by `plan --write-schedule`).
    Schedule {
        /// `tech_share[team][period - 1]` for every period of the horizon, each in [0, 1].
        tech_share: Vec<Vec<f64>>,
    },
    /// A base share raised while a team's state triggers it ([`reactive`]).
    Reactive(Reactive),
}

/// The lowest and highest share of a schedule (`tech_share[team][period - 1]`).
pub fn share_range(schedule: &[Vec<f64>]) -> (f64, f64) {
    schedule
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &s| {
            (lo.min(s), hi.max(s))
        })
}

impl Rule {
    /// The word used in scenario files.
    pub fn as_str(&self) -> &'static str {
        match self {
            Rule::FixedShare { .. } => "fixed_share",
            Rule::DebtCeiling { .. } => "debt_ceiling",
            Rule::Optimised { .. } => "optimised",
            Rule::Schedule { .. } => "schedule",
            Rule::Reactive(r) => r.form.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_attainment_is_the_fraction_of_the_way_to_the_level() {
        let goal = Goal::Below(300.0);
        assert_eq!(goal.attainment(400.0, 350.0), 0.5);
        assert_eq!(goal.attainment(400.0, 250.0), 1.0);
        assert_eq!(goal.attainment(400.0, 450.0), 0.0);
        assert_eq!(goal.attainment(200.0, 350.0), 0.0);
        assert_eq!(Goal::Above(10.0).attainment(0.0, 2.5), 0.25);
    }

    #[test]
    fn drag_is_half_its_maximum_at_the_half_point() {
        let debt = DebtModel {
            interest: Distribution::Constant(0.0),
            accrual: Distribution::Constant(0.0),
            paydown_efficiency: Distribution::Constant(1.0),
            drag_max: 0.5,
            drag_half: 800.0,
        };
        assert_eq!(debt.drag(800.0), 0.25);
        assert_eq!(debt.drag(0.0), 0.0);
        assert_eq!(debt.drag(-5.0), 0.0);
    }
}
