//! How many training and evaluation trials a search spends, from the cost of one trial: a
//! budget of simulated work that does not grow with the organisation. Small scenarios keep
//! every trial count; beyond [`REFERENCE_COST`], the counts shrink in proportion to the cost
//! of a trial (never below their floors), so a plan of a whole organisation costs about what
//! one of [`REFERENCE_COST`] does, times the floors' share. Trial counts depend on the
//! scenario's size only, never on a clock: the search stays deterministic.

use crate::model::Scenario;
use crate::simulate::PeriodMetric;

/// The cost of one trial of one policy below which every trial count is kept: periods ×
/// (teams + initiatives + recorded metrics and key results). The examples are below it
/// (enterprise-portfolio: 26 × 55).
pub const REFERENCE_COST: f64 = 3000.0;

/// The trial counts of one search (and of its prices) for one scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effort {
    /// The share of each nominal trial count spent, in (0, 1].
    pub scale: f64,
}

/// A trial count: its nominal value and the least it shrinks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trials {
    /// What a small scenario spends.
    pub nominal: u64,
    /// What any scenario spends at least.
    pub floor: u64,
}

/// A number of candidates kept: its nominal value and the least it shrinks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kept {
    /// What a small scenario keeps.
    pub nominal: usize,
    /// What any scenario keeps at least.
    pub floor: usize,
}

impl Effort {
    /// The effort for `scenario`: every count kept up to [`REFERENCE_COST`], shrinking as
    /// 1 / cost beyond it.
    pub fn of(scenario: &Scenario) -> Effort {
        Effort {
            scale: (REFERENCE_COST / trial_cost(scenario)).min(1.0),
        }
    }

    /// `trials` at this effort: the nominal count scaled, at least the floor (and never more
    /// than nominal), rounded to a multiple of 32 (the simulator's unit of parallel work).
    pub fn trials(&self, trials: Trials) -> u64 {
        let scaled = (trials.nominal as f64 * self.scale).round() as u64;
        let rounded = scaled.div_ceil(32) * 32;
        rounded.max(trials.floor).min(trials.nominal)
    }

    /// `kept` at this effort: the nominal count scaled and rounded, at least the floor (and
    /// never more than nominal).
    pub fn kept(&self, kept: Kept) -> usize {
        let scaled = (kept.nominal as f64 * self.scale).round() as usize;
        scaled.clamp(kept.floor.min(kept.nominal), kept.nominal)
    }
}

/// Policies × trials one search simulates at full effort (counted on enterprise-portfolio:
/// the grid's race, the finalists, two climbs of three rounds).
const SEARCH_POLICY_TRIALS: f64 = 36_000.0;
/// Policies × trials one priced change simulates at full effort, on average (counted on
/// enterprise-portfolio: an engineer about 3,100, a guardrail removed up to 19,000).
const PRICE_POLICY_TRIALS: f64 = 4_000.0;
/// Policies × trials the reasons for a policy's shape simulate at full effort: each of its
/// three sharpest moves flattened, on a price's 1,000 evaluation trials (a test in
/// [`super::shape`] checks the product).
pub(super) const SHAPE_POLICY_TRIALS: f64 = 3_000.0;
/// The least share of the full effort any size spends: the floors of the trial counts, and
/// the first rounds of the races, which every size runs on [`super::FIRST_TRIALS`] trials
/// (counted on the synthetic 10 × 30 × 100 organisation).
const FLOOR_SHARE: f64 = 0.3;

impl Effort {
    /// Policies × trials a search, `changes` priced changes and the reasons for its shape
    /// simulate at this effort (what an up-front estimate of a plan counts).
    pub fn policy_trials(&self, changes: usize) -> f64 {
        let priced = changes as f64 * PRICE_POLICY_TRIALS + SHAPE_POLICY_TRIALS;
        (SEARCH_POLICY_TRIALS + priced) * self.scale.max(FLOOR_SHARE)
    }
}

/// The cost of one trial of one policy of `scenario`, in units of one team, initiative or
/// recorded value simulated for one period (what the up-front estimate of a run counts).
pub fn trial_cost(scenario: &Scenario) -> f64 {
    let width = PeriodMetric::ALL.len() + scenario.key_results.len();
    let units = scenario.teams.len() + scenario.initiatives.len() + width;
    (scenario.periods * units) as f64
}
