//! Helpers shared by the tests that load a scenario text and run the engine directly: one
//! trial with every period recorded, and the metrics read from it.

use fulcrum::model::Scenario;
use fulcrum::scenario::{self, Format};
use fulcrum::simulate::{Engine, Outcome, PeriodMetric, Policy, Recording, Scratch};

/// The scenario of TOML `text`; panics with the loader's message when it is refused.
pub fn load(text: &str) -> Scenario {
    match scenario::load_str("t.toml", text, Format::Toml) {
        Ok(loaded) => loaded.scenario,
        Err(e) => panic!("{e}"),
    }
}

/// A scenario of `periods` periods whose one team `a` (`team`: its capacity lines) has one
/// endless product initiative, so product work takes whatever its budget leaves; `rest` adds
/// the other sections (debt, incidents, risks) and the strategies.
pub fn endless(periods: usize, team: &str, rest: &str) -> Scenario {
    load(&format!(
        "[scenario]\nperiods = {periods}\n[[teams]]\nname = \"a\"\n{team}\n\
         [[initiatives]]\nid = \"endless\"\nkind = \"product\"\nteam = \"a\"\neffort = 1e6\n{rest}"
    ))
}

/// The policies of the scenario's strategies, none of them optimised.
pub fn policies(scenario: &Scenario) -> Vec<Policy> {
    scenario
        .strategies
        .iter()
        .map(|s| Policy::new(s, None).expect("no optimised strategies in these tests"))
        .collect()
}

/// The outcomes of trial `trial` (seed 1), one per strategy, every period recorded.
pub fn one_trial(scenario: &Scenario, trial: u64) -> Vec<Outcome> {
    let recording = Recording {
        periods: true,
        stop_when_done: false,
        checkpoint: scenario.periods,
    };
    let engine = Engine::new(scenario, policies(scenario), 1, recording);
    let mut scratch = Scratch::default();
    engine.run_trial(trial, &mut scratch);
    scratch.outcomes
}

/// Metric `m` of period `t` (1-based) in an outcome.
pub fn at(scenario: &Scenario, outcome: &Outcome, t: usize, m: PeriodMetric) -> f64 {
    let width = PeriodMetric::ALL.len() + scenario.key_results.len();
    outcome.periods[(t - 1) * width + m as usize]
}

/// Metric `m` of every period of `outcome`, in order.
pub fn series(scenario: &Scenario, outcome: &Outcome, m: PeriodMetric) -> Vec<f64> {
    (1..=scenario.periods)
        .map(|t| at(scenario, outcome, t, m))
        .collect()
}
