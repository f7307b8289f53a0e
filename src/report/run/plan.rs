//! The optimised strategies in words, for every medium: the policy found, what its simulation
//! promises, and what each priced change is worth ("What would help most").

use std::fmt::Write;

use crate::model::Scenario;
use crate::optimise::effects::{Effects, Shift};
use crate::optimise::prices::{Change, Price};
use crate::optimise::shape::Why;
use crate::pipeline::StrategyPlan;
use crate::simulate::policy::Share;
use crate::simulate::{Results, SummaryMetric};
use crate::words::dates;
use crate::words::numbers;

/// A priced change in words.
pub fn describe(scenario: &Scenario, plan: &StrategyPlan, change: &Change) -> String {
    let g = plan.objective.guardrails;
    match *change {
        Change::Engineer { team } => {
            format!(
                "one more engineer on {} from period 1",
                scenario.teams[team].name
            )
        }
        Change::Hire { team, period } => format!(
            "one more engineer on {}, hired in {}",
            scenario.teams[team].name,
            dates::in_period(scenario, period)
        ),
        Change::MinShare { to } => guardrail("minimum", to, g.min_tech_share, to <= 0.0),
        Change::MaxShare { to } => guardrail("maximum", to, g.max_tech_share, to >= 1.0),
        Change::Deadline { initiative, to } => format!(
            "{} due in {} instead of {}",
            scenario.initiatives[initiative].id,
            dates::in_period(scenario, to),
            dates::period(scenario, to - 1)
        ),
    }
}

/// A guardrail's change in words: `which` (minimum, maximum) tech share `to` instead of `now`,
/// or none at all when `lifted`.
fn guardrail(which: &str, to: f64, now: f64, lifted: bool) -> String {
    match lifted {
        true => format!("no {which} tech share (now {})", numbers::share(now)),
        false => format!(
            "{which} tech share {} instead of {}",
            numbers::share(to),
            numbers::share(now)
        ),
    }
}

/// `+0.031 ± 0.006`, or `within noise (+0.001 ± 0.003)`.
pub fn value(price: &Price) -> String {
    let places = numbers::places_for(price.half_width, 3);
    let text = format!("{:+.places$} ± {:.places$}", price.value, price.half_width);
    if price.within_noise() {
        format!("within noise of zero ({text})")
    } else {
        text
    }
}

/// What a price does in the leader's units, in one line: the key results whose chance moved
/// (its interval excludes 0; at most three, largest first), the deadlines whose P85 finish
/// moved, and final debt — each with its 95% interval, e.g. `checkout-conversion 73% → 81%
/// (+8 pts, 95% +5 to +11); one-click-checkout P85 period 10 → 9 (−1, −2 to 0); final debt
/// P50 1,116 → 1,080 (−36, −70 to −2)`. `None` before the effects are measured.
pub fn effects_line(scenario: &Scenario, effects: &Effects) -> Option<String> {
    let mut parts = Vec::new();
    let mut moved: Vec<(usize, &Shift)> = effects
        .key_results
        .iter()
        .enumerate()
        .filter(|(_, s)| s.low > 0.0 || s.high < 0.0)
        .collect();
    moved.sort_by(|a, b| b.1.change().abs().total_cmp(&a.1.change().abs()));
    for (k, s) in moved.into_iter().take(3) {
        parts.push(format!(
            "{} {} → {} ({} pts, 95% {} to {})",
            scenario.key_results[k].id,
            numbers::percent(s.before),
            numbers::percent(s.after),
            numbers::signed_whole(100.0 * s.change()),
            numbers::signed_whole(100.0 * s.low),
            numbers::signed_whole(100.0 * s.high)
        ));
    }
    for (i, shift) in &effects.finishes {
        let Some(s) = shift.as_ref().filter(|s| s.change() != 0.0) else {
            continue;
        };
        let unit = if s.change().abs() == 1.0 {
            "period"
        } else {
            "periods"
        };
        // Whole periods: an interval narrower than one period is the change itself.
        let interval = if s.low == s.high {
            String::new()
        } else {
            format!(
                ", 95% {} to {}",
                numbers::signed_whole(s.low),
                numbers::signed_whole(s.high)
            )
        };
        parts.push(format!(
            "{} P85 {} → {} ({} {unit}{interval})",
            scenario.initiatives[*i].id,
            dates::in_period(scenario, s.before as usize),
            dates::period(scenario, s.after as usize),
            numbers::signed_whole(s.change()),
        ));
    }
    let debt = &effects.final_debt;
    parts.push(format!(
        "final debt P50 {} → {} ({}, 95% {} to {})",
        numbers::grouped(debt.before, 0),
        numbers::grouped(debt.after, 0),
        numbers::signed_whole(debt.change()),
        numbers::signed_whole(debt.low),
        numbers::signed_whole(debt.high)
    ));
    Some(parts.join("; "))
}

/// Why the policy makes one of its sharp moves, in one sentence: the move, and what it buys
/// against the policy with the move flattened, as [`effects_line`] reads it, e.g. `Why
/// checkout at 60% tech (the maximum) in periods 23–26 (through 2027-12-19), not 30%:
/// debt-down 41% → 78% (+37 pts, 95% +33 to +41); final debt P50 310 → 240 (−70, 95% −85
/// to −55).`
pub fn why_line(scenario: &Scenario, plan: &StrategyPlan, why: &Why) -> String {
    let m = &why.moved;
    let g = plan.objective.guardrails;
    let bound = if !m.to_guardrail {
        ""
    } else if m.phase.tech_share >= g.max_tech_share - 1e-9 {
        " (the maximum)"
    } else {
        " (the minimum)"
    };
    let (first, last) = (m.phase.first, m.phase.last);
    let periods = if first == last {
        dates::in_period(scenario, first)
    } else {
        match scenario.period_end_date(last) {
            Some(date) => format!("periods {first}–{last} (through {date})"),
            None => format!("periods {first}–{last}"),
        }
    };
    let e = &why.effects;
    let moved = e.key_results.iter().any(|s| s.low > 0.0 || s.high < 0.0);
    let quiet = if !moved && !scenario.key_results.is_empty() {
        "no key result's chance moves beyond noise; "
    } else {
        ""
    };
    format!(
        "Why {} at {} tech{bound} in {periods}, not {}: {quiet}{}.",
        scenario.teams[m.team].name,
        numbers::share(m.phase.tech_share),
        numbers::share(m.from),
        effects_line(scenario, e).unwrap_or_default()
    )
}

/// The policy's rule in one line.
pub fn rule(plan: &StrategyPlan) -> String {
    match &plan.found.candidate.policy.share {
        Share::DebtCeiling { .. } | Share::Fixed(_) | Share::Reactive(_) => {
            plan.found.candidate.label.clone()
        }
        Share::Schedule(_) => format!(
            "{} (tech share per team and period, table below)",
            plan.found.candidate.label
        ),
    }
}

/// The plan's promise as simulated: the expected blended score with its 95% interval, and
/// the allocator's deterministic figure, labelled as such.
pub fn promise(plan: &StrategyPlan, results: &Results, s: usize) -> String {
    let score = results.summary(s, SummaryMetric::BlendedScore);
    let half = crate::model::Z95 * score.mean_se;
    let mut out = format!(
        "expected blended score {:.3} (95% interval {:.3}–{:.3}), simulated over {}",
        score.mean,
        score.mean - half,
        score.mean + half,
        numbers::counted(results.trials(), "trial", "trials")
    );
    if let Ok(lp) = &plan.found.lp {
        let _ = write!(
            out,
            "; the allocator's deterministic plan, with every quantity at its expectation, \
             would promise {:.3} (not a forecast)",
            lp.expected_score
        );
    }
    out
}

/// The priced changes in words, best first, one per line: those that matter, then those within
/// noise of zero together.
pub fn help_lines(scenario: &Scenario, plan: &StrategyPlan) -> Vec<String> {
    // One precision for the whole list, enough for its narrowest interval: the column aligns.
    let shown = plan.prices.iter().filter(|p| !p.within_noise());
    let places = shown
        .clone()
        .fold(3, |places, p| numbers::places_for(p.half_width, places));
    let mut lines: Vec<String> = Vec::new();
    for p in shown {
        lines.push(format!(
            "{:+.places$} ± {:.places$}  {}",
            p.value,
            p.half_width,
            describe(scenario, plan, &p.change)
        ));
        if let Some(line) = p.effects.as_ref().and_then(|e| effects_line(scenario, e)) {
            lines.push(format!("    → {line}"));
        }
    }
    let quiet: Vec<String> = plan
        .prices
        .iter()
        .filter(|p| p.within_noise())
        .map(|p| describe(scenario, plan, &p.change))
        .collect();
    if !quiet.is_empty() {
        lines.push(format!("within noise of zero: {}", quiet.join("; ")));
    }
    lines
}
