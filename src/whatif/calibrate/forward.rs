//! The forward model of a calibration: fulcrum's own trial ([`Engine::run_trial`]), run on a
//! one-team scenario built from θ with the history's tech share replayed as the policy.
//!
//! The team is an item team (`capacity` per period in the history's units, drawn from a normal
//! with mean `throughput` and sd `throughput_cv · throughput`). One product initiative too
//! large to finish absorbs the product budget; there is no tech initiative, so the tech budget
//! pays down debt (DESIGN step 6) and what is left is idle. What the history shows maps onto
//! the trial's period metrics: product items = product days, tech items = paydown + idle days
//! (the tech budget s·A), keep-the-lights-on items = incident days. Incidents, when an export
//! gives them, are the trial's incident count.

use crate::model::{
    Calendar, CapacityChange, DebtModel, Distribution, Event, IncidentModel, Initiative,
    PeriodLength, Rule, Scenario, Strategy, Team, Workforce,
};
use crate::simulate::policy::{Policy, Share};
use crate::simulate::rng::mix;
use crate::simulate::{Engine, PeriodMetric, Recording, Scratch};

use super::prior::Theta;

/// Work too large to finish within any history: the product initiative's effort.
const ENDLESS: f64 = 1e15;

/// One simulated (or observed) history of a team, per period.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Series {
    /// Product work finished.
    pub product: Vec<f64>,
    /// Tech work finished.
    pub tech: Vec<f64>,
    /// Keep-the-lights-on work finished.
    pub ktlo: Vec<f64>,
    /// Incidents opened (empty when not observed).
    pub incidents: Vec<f64>,
}

impl Series {
    /// Periods in the series.
    pub fn periods(&self) -> usize {
        self.product.len()
    }

    /// Product + tech + keep-the-lights-on work, per period.
    pub fn total(&self) -> Vec<f64> {
        (0..self.periods())
            .map(|t| self.product[t] + self.tech[t] + self.ktlo[t])
            .collect()
    }

    /// The first `n` periods.
    pub fn first(&self, n: usize) -> Series {
        let cut = |x: &[f64]| x[..n.min(x.len())].to_vec();
        Series {
            product: cut(&self.product),
            tech: cut(&self.tech),
            ktlo: cut(&self.ktlo),
            incidents: cut(&self.incidents),
        }
    }

    /// The tech share each period replays: tech ÷ (product + tech), or the share of the whole
    /// history in a period with no planned work.
    pub fn tech_shares(&self) -> Vec<f64> {
        let (p, q): (f64, f64) = (self.product.iter().sum(), self.tech.iter().sum());
        let overall = crate::model::history::tech_share(p, q).unwrap_or(0.0);
        (0..self.periods())
            .map(|t| crate::model::history::tech_share(self.product[t], self.tech[t]))
            .map(|s| s.unwrap_or(overall))
            .collect()
    }
}

/// What the forward model needs besides θ: the shares to replay and what is observed.
#[derive(Clone, Debug)]
pub struct Replay {
    /// The tech share of each period of the history.
    pub shares: Vec<f64>,
    /// Whether incidents are observed (and so simulated into [`Series::incidents`]).
    pub incidents: bool,
    /// Each period's capacity relative to θ's `throughput` (a headcount table's; a period
    /// past its end, or every period when empty, at 1).
    pub capacity: Vec<f64>,
}

/// A simulated history and the drag in each of its periods.
#[derive(Clone, Debug, Default)]
pub struct Simulated {
    /// The simulated series.
    pub series: Series,
    /// Share of capacity lost to debt at the end of each period: δ(D) of its debt.
    pub drag: Vec<f64>,
}

impl Simulated {
    /// Share of capacity lost to debt in the last period (0 for an empty history).
    pub fn final_drag(&self) -> f64 {
        self.drag.last().copied().unwrap_or(0.0)
    }
}

/// The one-team scenario of θ (named `team`), over the periods of `replay`.
pub fn scenario(theta: &Theta, team: &str, periods: usize) -> Scenario {
    let period_length = PeriodLength::TWO_WEEKS;
    Scenario {
        name: format!("{team}-calibration"),
        question: None,
        periods,
        period_length,
        start: None,
        calendar: Calendar::for_period(period_length, None, Vec::new()),
        trials: 1,
        seed: 0,
        blend: 1.0,
        key_results: Vec::new(),
        debt: DebtModel {
            interest: Distribution::Constant(theta.interest),
            accrual: Distribution::Constant(theta.accrual),
            paydown_efficiency: Distribution::Constant(theta.paydown_efficiency),
            drag_max: theta.drag_max,
            drag_half: theta.drag_half,
        },
        incidents: IncidentModel {
            base_rate: Distribution::Constant(theta.base_rate),
            debt_sensitivity: theta.debt_sensitivity,
            cost: Distribution::Constant(theta.cost),
        },
        teams: vec![Team {
            name: team.to_string(),
            workforce: Workforce::Capacity(Distribution::Normal {
                mean: theta.throughput,
                sd: (theta.throughput_cv * theta.throughput).max(1e-9),
            }),
            debt_initial: Distribution::Constant(theta.debt_initial),
            joint: None,
        }],
        initiatives: vec![Initiative::product_work(
            "product-work",
            0,
            Distribution::Constant(ENDLESS),
        )],
        risks: Vec::new(),
        events: Vec::new(),
        strategies: vec![Strategy {
            name: "history".into(),
            rule: Rule::FixedShare { tech_share: 0.0 },
        }],
    }
}

/// The capacity changes of a headcount table as the trial's events: for each relative
/// capacity other than 1, one event scaling the team's nominal capacity in its periods.
fn headcount_events(capacity: &[f64]) -> Vec<Event> {
    let mut levels: Vec<(f64, Vec<usize>)> = Vec::new();
    for (t, &c) in capacity.iter().enumerate().filter(|(_, c)| **c != 1.0) {
        match levels.iter_mut().find(|(level, _)| *level == c) {
            Some((_, periods)) => periods.push(t + 1),
            None => levels.push((c, vec![t + 1])),
        }
    }
    levels
        .into_iter()
        .map(|(level, periods)| Event {
            name: Some("headcount".into()),
            team: 0,
            periods,
            change: CapacityChange::Fraction(level - 1.0),
        })
        .collect()
}

/// The simulation seed of one draw: `(seed, stage, index, attempt)` mixed, so that no two
/// simulations of a calibration share a world and none depends on the thread that ran it.
pub fn simulation_seed(seed: u64, stage: u64, index: u64, attempt: u64) -> u64 {
    mix(mix(mix(mix(seed ^ 0xCA11_B8A7) ^ stage) ^ index) ^ attempt)
}

/// Runs fulcrum's trial on θ with the history's shares replayed; `seed` names its world.
pub fn simulate(theta: &Theta, replay: &Replay, seed: u64, scratch: &mut Scratch) -> Simulated {
    let periods = replay.shares.len();
    let mut scenario = scenario(theta, "team", periods);
    scenario.events = headcount_events(&replay.capacity);
    let policy = Policy::by_priority(Share::Schedule(vec![replay.shares.clone()]));
    let recording = Recording {
        periods: true,
        stop_when_done: false,
        checkpoint: periods,
    };
    let engine = Engine::new(&scenario, vec![policy], seed, recording);
    engine.run_trial(0, scratch);
    let outcome = &scratch.outcomes[0];
    let width = engine.period_width();
    let metric = |t: usize, m: PeriodMetric| outcome.periods[t * width + m as usize];
    let mut series = Series::default();
    let mut drag = Vec::with_capacity(periods);
    for t in 0..periods {
        // The drag the debt left at the end of the period sets (DESIGN's δ(D)), not the
        // period's realised share, which is 0 in a period whose capacity draw was 0.
        drag.push(scenario.debt.drag(metric(t, PeriodMetric::Debt)));
        series.product.push(metric(t, PeriodMetric::ProductDays));
        series
            .tech
            .push(metric(t, PeriodMetric::PaydownDays) + metric(t, PeriodMetric::IdleDays));
        series.ktlo.push(metric(t, PeriodMetric::IncidentDays));
        if replay.incidents {
            series.incidents.push(metric(t, PeriodMetric::Incidents));
        }
    }
    Simulated { series, drag }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theta() -> Theta {
        Theta {
            debt_initial: 100.0,
            interest: 0.01,
            accrual: 0.2,
            paydown_efficiency: 1.0,
            drag_max: 0.5,
            drag_half: 100.0,
            base_rate: 1.0,
            debt_sensitivity: 0.01,
            cost: 1.0,
            throughput: 20.0,
            throughput_cv: 0.1,
        }
    }

    #[test]
    fn the_trial_splits_what_is_left_after_drag_and_incidents_by_the_replayed_share() {
        let replay = Replay {
            shares: vec![0.25; 30],
            incidents: true,
            capacity: Vec::new(),
        };
        let sim = simulate(&theta(), &replay, 3, &mut Scratch::default());
        let s = &sim.series;
        assert_eq!(s.periods(), 30);
        for t in 0..30 {
            let planned = s.product[t] + s.tech[t];
            assert!((s.tech[t] - 0.25 * planned).abs() < 1e-9 * planned.max(1.0));
            assert!(
                (s.ktlo[t] - s.incidents[t]).abs() < 1e-12,
                "cost 1 per incident"
            );
        }
        // Drag at D₀ = drag_half is a quarter: capacity ≈ 20 · 0.75 in the first period.
        assert!((s.total()[0] - 15.0).abs() < 8.0);
        assert!(sim.final_drag() > 0.0 && sim.final_drag() < 0.5);
    }

    #[test]
    fn the_same_seed_gives_the_same_history() {
        let replay = Replay {
            shares: vec![0.1; 20],
            incidents: false,
            capacity: Vec::new(),
        };
        let a = simulate(&theta(), &replay, 9, &mut Scratch::default());
        let b = simulate(&theta(), &replay, 9, &mut Scratch::default());
        assert_eq!(a.series, b.series);
        let c = simulate(&theta(), &replay, 10, &mut Scratch::default());
        assert_ne!(a.series, c.series);
    }
}
