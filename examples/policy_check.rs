//! The optimised strategy held against brute force on a scenario file (issue 32's bars): its
//! policy against every simple rule a user could try within its guardrails, and each price
//! `plan` lists against the change made by hand and searched from scratch.
//!
//! `cargo run --release --example policy_check -- SCENARIO.toml [FRESH_SEED]`
//!
//! With `SPREAD=n` in the environment it measures the search's own spread instead: the policies
//! found from n training seeds, scored on the same fresh trials (a price cannot be closer to
//! re-running the search than re-running the search is to itself).
//!
//! 1. **Rules.** Every fixed share (5% grid), debt ceiling (250, 500, 1000 and ½, 1, 2 × the
//!    mean initial debt; shares on a 10% grid, more above), two-phase schedule (shares on a
//!    10% grid, every switch period) and error-budget rule (budgets of 1 … 2 × the expected
//!    incidents in windows of 2, 4 and 8 periods; base shares on a 10% grid, frozen at the
//!    highest share allowed) is scored with the optimised policy on fresh trials, paired: the
//!    worst difference (optimised − rule) and its 95% interval are printed, and a loss beyond
//!    the interval and a tie (0.001) is flagged.
//! 2. **Prices.** Each change `plan` prices is made to the scenario and the whole search run
//!    again (what re-running `fulcrum run` with the change does); its policy against the
//!    policy found, on the price's evaluation trials, paired. A price outside the brute-force
//!    value's interval (the sum of both half-widths) is flagged, and so is a change whose
//!    brute-force value is within noise of 0 but whose price is listed as a gain.

#[path = "../tests/integration/optimise/rules.rs"]
mod rules;

use fulcrum::model::Scenario;
use fulcrum::optimise::{self, Objective, prices};
use fulcrum::simulate::policy::Policy;
use fulcrum::simulate::scores::{paired, score};
use rules::{Kind, objective, simple_rules};

/// A loss smaller than this is a tie (the bar of tests/integration/optimise.rs).
const TIE: f64 = 0.001;
/// Fresh trials the rules are judged on.
const JUDGED: u64 = 1000;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: policy_check SCENARIO [FRESH_SEED]");
        std::process::exit(2);
    };
    let fresh: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x00f0_0d5e_ed00);
    let scenario = match fulcrum::scenario::load(path.as_ref(), &[]) {
        Ok(loaded) => loaded.scenario,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    let objective = objective(&scenario);
    if let Some(n) = std::env::var("SPREAD")
        .ok()
        .and_then(|n| n.parse::<u64>().ok())
    {
        spread(&scenario, &objective, n, fresh);
        return;
    }
    let found = optimise::optimise(&scenario, &objective, scenario.seed).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    println!("{path}: optimised = {}", found.candidate.label);
    value_of_reacting(&scenario, &found, fresh);
    let flagged = rules(&scenario, &objective, &found.candidate.policy, fresh)
        + prices_against_brute_force(&scenario, &objective, &found);
    println!("{path}: {flagged} flagged");
}

/// The optimised policy against every simple rule, paired on fresh trials; how many lost
/// beyond a tie.
fn rules(scenario: &Scenario, objective: &Objective, optimised: &Policy, fresh: u64) -> usize {
    let rules = simple_rules(scenario, &objective.guardrails, &Kind::ALL);
    let mut policies = vec![optimised.clone()];
    policies.extend(rules.iter().map(|(_, _, p)| p.clone()));
    let scores = score(scenario, &policies, fresh, 0..JUDGED);
    let mut flagged = 0;
    for kind in Kind::ALL {
        let mut worst: Option<(f64, f64, &str, f64)> = None;
        for (k, (_, label, _)) in rules.iter().enumerate().filter(|(_, r)| r.0 == kind) {
            let (mean, half) = paired(scores.blended(0), scores.blended(k + 1));
            if worst.is_none_or(|w| mean + half < w.0 + w.1) {
                worst = Some((mean, half, label, scores.mean(k + 1)));
            }
            if mean + half < -TIE {
                flagged += 1;
            }
        }
        if let Some((mean, half, label, best)) = worst {
            let count = rules.iter().filter(|r| r.0 == kind).count();
            println!(
                "  vs {count:>5} {:<13} closest: {label:<28} {best:.4}; optimised {:.4}, difference {mean:+.4} ± {half:.4}{}",
                format!("{kind:?}"),
                scores.mean(0),
                if mean + half < -TIE { "  LOSES" } else { "" }
            );
        }
    }
    flagged
}

/// Each price against the change made by hand and searched from scratch; how many disagree.
fn prices_against_brute_force(
    scenario: &Scenario,
    objective: &Objective,
    found: &optimise::Found,
) -> usize {
    let seed = scenario.seed;
    let changes = prices::changes(scenario, objective, scenario.periods / 4 + 1);
    let priced = prices::price(
        scenario,
        objective,
        found,
        &changes,
        seed,
        prices::EVALUATION_TRIALS,
        &|_| {},
    );
    let mut flagged = 0;
    for price in &priced {
        let (changed, o) = prices::changed(scenario, objective, &price.change);
        let Ok(again) = optimise::optimise(&changed, &o, seed) else {
            println!("  {:?}: the changed scenario has no policy", price.change);
            continue;
        };
        let trials = 0..price.trials;
        let after = score(
            &changed,
            std::slice::from_ref(&again.candidate.policy),
            seed,
            trials.clone(),
        );
        let before = score(
            scenario,
            std::slice::from_ref(&found.candidate.policy),
            seed,
            trials,
        );
        let (brute, brute_half) = paired(after.blended(0), before.blended(0));
        let outside = (price.value - brute).abs() > price.half_width + brute_half + 1e-4;
        let listed_gain = price.value > price.half_width;
        let noop_listed = listed_gain && brute.abs() <= brute_half;
        if outside || noop_listed {
            flagged += 1;
        }
        println!(
            "  {:<40} price {:+.4} ± {:.4}  brute force {:+.4} ± {:.4}{}{}",
            format!("{:?}", price.change),
            price.value,
            price.half_width,
            brute,
            brute_half,
            if outside { "  OUTSIDE" } else { "" },
            if noop_listed { "  NO-OP LISTED" } else { "" }
        );
        if outside {
            println!(
                "      priced with {}\n      searched anew: {}",
                price.policy, again.candidate.label
            );
        }
    }
    flagged
}

/// The policies found from training seeds 1 … n on the same fresh trials: each one's score and
/// its paired difference from the first's.
fn spread(scenario: &Scenario, objective: &Objective, n: u64, fresh: u64) {
    let found: Vec<Policy> = (1..=n)
        .map(|seed| {
            let found = optimise::optimise(scenario, objective, seed).expect("a policy");
            println!("  seed {seed}: {}", found.candidate.label);
            found.candidate.policy
        })
        .collect();
    let scores = score(scenario, &found, fresh, 0..JUDGED);
    for k in 0..found.len() {
        let (mean, half) = paired(scores.blended(k), scores.blended(0));
        println!(
            "  seed {}: {:.4} ({mean:+.4} ± {half:.4} against seed 1)",
            k + 1,
            scores.mean(k)
        );
    }
}

/// What reacting to the state gains: the best closed-loop policy the search refined (a debt
/// ceiling, a reactive rule) against the best open-loop one (a schedule), on fresh trials.
fn value_of_reacting(scenario: &Scenario, found: &optimise::Found, fresh: u64) {
    let of = |closed: bool| -> Vec<Policy> {
        found
            .refined
            .iter()
            .filter(|c| optimise::Kind::of(c).reacts() == closed)
            .map(|c| c.policy.clone())
            .collect()
    };
    let (open, closed) = (of(false), of(true));
    if open.is_empty() || closed.is_empty() {
        println!("  value of reacting: not measured (the search refined one kind only)");
        return;
    }
    let best = |policies: &[Policy]| -> Policy {
        let scores = score(scenario, policies, fresh, 0..JUDGED);
        let k = (0..policies.len())
            .max_by(|&a, &b| scores.mean(a).total_cmp(&scores.mean(b)))
            .unwrap_or(0);
        policies[k].clone()
    };
    let pair = [best(&closed), best(&open)];
    let scores = score(scenario, &pair, fresh ^ 1, 0..JUDGED);
    let (mean, half) = paired(scores.blended(0), scores.blended(1));
    println!(
        "  value of reacting: best closed-loop {:.4} − best open-loop {:.4} = {mean:+.4} ± {half:.4}",
        scores.mean(0),
        scores.mean(1)
    );
}
