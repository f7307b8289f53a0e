//! What the teams work on and what befalls them: initiatives (product or tech work) and the
//! effects of finishing one, risks that may strike, and known events.

use super::Distribution;

/// Product work (features) or technology work (platform, scalability, upgrades, debt).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Product work, paid from the product budget.
    Product,
    /// Technology work, paid from the tech budget.
    Tech,
}

impl Kind {
    /// Every kind, in the order scenario files list them.
    pub const ALL: [Kind; 2] = [Kind::Product, Kind::Tech];

    /// The word used in scenario files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Product => "product",
            Kind::Tech => "tech",
        }
    }
}

/// A piece of work with an uncertain size.
#[derive(Clone, Debug, PartialEq)]
pub struct Initiative {
    /// Unique; other initiatives' `after` names it in the scenario file.
    pub id: String,
    /// Free text, when given.
    pub description: Option<String>,
    /// Which budget pays for it.
    pub kind: Kind,
    /// Index of the team that does the work (into [`Scenario::teams`]).
    pub team: usize,
    /// Engineer-days (or the team's capacity unit), once per trial, at least 0.
    pub effort: Distribution,
    /// Discovered work: effort × (1 + growth), once per trial.
    pub scope_growth: Option<Distribution>,
    /// Parallelism cap: at most this many engineers' days per period.
    pub max_engineers: Option<f64>,
    /// Value towards delivery key results when finished: (key result index, value per trial).
    pub contributes: Vec<(usize, Distribution)>,
    /// The period by whose end it should finish (1-based), reported as `p_by_deadline`;
    /// `None`: no deadline (a `must_finish` one must then finish within the horizon).
    pub deadline: Option<usize>,
    /// A hard deadline for the allocator.
    pub must_finish: bool,
    /// Initiatives that must finish first (indices); this one starts the period after.
    pub after: Vec<usize>,
    /// Lower first; `None`: after those with one (see [`Scenario::priority_order`]).
    pub priority: Option<i64>,
    /// Effects of finishing it.
    pub on_done: OnDone,
}

impl Initiative {
    /// Product work of `effort` for team `team`, with nothing else: no value towards key
    /// results, no deadline, cap, order or effects (a forecast's backlog, a calibration's
    /// stream of product work).
    pub fn product_work(id: &str, team: usize, effort: Distribution) -> Initiative {
        Initiative {
            id: id.into(),
            description: None,
            kind: Kind::Product,
            team,
            effort,
            scope_growth: None,
            max_engineers: None,
            contributes: Vec::new(),
            deadline: None,
            must_finish: false,
            after: Vec::new(),
            priority: None,
            on_done: OnDone::default(),
        }
    }
}

/// Effects of a finished initiative, from the period after it finishes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OnDone {
    /// Debt days added (negative: removed) once, per trial.
    pub debt: Option<Distribution>,
    /// Relative change of the team's accrual rate, e.g. -0.2, per trial.
    pub accrual: Option<Distribution>,
    /// Relative change of the team's incident rate, per trial.
    pub incident_rate: Option<Distribution>,
    /// Relative change of the team's effective capacity, per trial.
    pub capacity: Option<Distribution>,
}

impl OnDone {
    /// Whether finishing changes anything.
    pub fn is_empty(&self) -> bool {
        self.debt.is_none()
            && self.accrual.is_none()
            && self.incident_rate.is_none()
            && self.capacity.is_none()
    }
}

/// A discrete risk: in each trial it strikes at most once.
#[derive(Clone, Debug, PartialEq)]
pub struct Risk {
    /// Its name.
    pub id: String,
    /// Index of the team it hits (into [`Scenario::teams`]).
    pub team: usize,
    /// Probability it strikes within its window.
    pub likelihood: f64,
    /// First and last period it may strike in (inclusive); uniform within.
    pub window: (usize, usize),
    /// Engineer-days of unplanned work when it strikes (per strike).
    pub impact: Distribution,
}

/// A known capacity change in some periods: leave, on-call, a freeze.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Its label, when given.
    pub name: Option<String>,
    /// Index of the team affected (into [`Scenario::teams`]).
    pub team: usize,
    /// The periods affected (1-based), each listed once.
    pub periods: Vec<usize>,
    /// The change in each of those periods.
    pub change: CapacityChange,
}

/// What an [`Event`] does to its team.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CapacityChange {
    /// Engineers added (negative: away).
    Engineers(f64),
    /// Relative change of nominal capacity, e.g. -0.3.
    Fraction(f64),
}

/// Known capacity changes per team and period, summed over events: `engineers[team][t - 1]`
/// engineers added and `fraction[team][t - 1]` relative change of nominal capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct EventChanges {
    /// `engineers[team][t - 1]`: engineers added (negative: away).
    pub engineers: Vec<Vec<f64>>,
    /// `fraction[team][t - 1]`: relative change of nominal capacity, e.g. -0.3.
    pub fraction: Vec<Vec<f64>>,
}
