//! Text for the terminal: the scenario summary of `validate` and the tables `run`, `plan`,
//! `sweep` and `forecast` print.

use std::fmt::Write;
use std::path::Path;

use crate::allocate::{Allocation, Bound, Marginal, MarginalValue};
use crate::model::{Kind, Measure, Owner, Rule, Scenario, Workforce};

/// The one-screen summary `fulcrum validate` prints for a valid scenario.
pub fn summary(scenario: &Scenario, file: &Path) -> String {
    let mut out = String::new();
    let s = scenario;
    let _ = writeln!(out, "✓ {} — scenario `{}`", file.display(), s.name);
    if let Some(q) = &s.question {
        let _ = writeln!(out, "  question: {q}");
    }
    let dates = match (s.period_end_date(1), s.period_end_date(s.periods)) {
        (Some(_), Some(end)) => format!(
            ", {} to {end}",
            s.start.map(|d| d.to_string()).unwrap_or_default()
        ),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "  horizon: {} periods of {}{dates}; {} trials, seed {}",
        s.periods, s.period_length, s.trials, s.seed
    );
    let _ = writeln!(
        out,
        "  blend: {:.0}% product, {:.0}% technology",
        s.blend * 100.0,
        (1.0 - s.blend) * 100.0
    );

    let _ = writeln!(
        out,
        "\n  teams{:>31}{:>14}",
        "capacity/period", "debt at start"
    );
    let expected = crate::allocate::expected::ExpectedWorld::of(s);
    for (j, team) in s.teams.iter().enumerate() {
        let first = expected.teams[j].nominal[0];
        let last = expected.teams[j].nominal[s.periods - 1];
        let who = match &team.workforce {
            Workforce::Engineers(staff) => {
                let hired: f64 = staff.hires.iter().map(|h| h.engineers).sum();
                if hired > 0.0 {
                    format!("{} eng +{} hired", staff.engineers, hired)
                } else {
                    format!("{} eng", staff.engineers)
                }
            }
            Workforce::Capacity(d) => format!("capacity {d}"),
        };
        let capacity = if (first - last).abs() < 0.05 {
            format!("{first:.1}")
        } else {
            format!("{first:.1} → {last:.1}")
        };
        let _ = writeln!(
            out,
            "    {:<14}{:<18}{:>12}{:>14}",
            team.name,
            who,
            capacity,
            team.debt_initial.to_string()
        );
    }

    for kind in [Kind::Product, Kind::Tech] {
        let of_kind: Vec<_> = s.initiatives.iter().filter(|i| i.kind == kind).collect();
        let effort: f64 = of_kind.iter().map(|i| i.effort.mean()).sum();
        let _ = writeln!(
            out,
            "\n  {} initiatives: {} (expected effort {:.0} days)",
            kind.as_str(),
            of_kind.len(),
            effort.max(0.0)
        );
        for i in of_kind {
            let mut notes = Vec::new();
            if let Some(d) = i.deadline {
                notes.push(format!(
                    "deadline {d}{}",
                    if i.must_finish { " (must)" } else { "" }
                ));
            }
            if !i.after.is_empty() {
                let deps: Vec<&str> = i
                    .after
                    .iter()
                    .map(|&a| s.initiatives[a].id.as_str())
                    .collect();
                notes.push(format!("after {}", deps.join(", ")));
            }
            let _ = writeln!(
                out,
                "    {:<26}{:<12}effort {:<18}{}",
                i.id,
                s.teams[i.team].name,
                i.effort.to_string(),
                notes.join("; ")
            );
        }
    }

    let _ = writeln!(out, "\n  key results");
    if s.key_results.is_empty() {
        let _ = writeln!(
            out,
            "    none: the blended score is 0; add [[okrs.key_results]]"
        );
    }
    for owner in [Owner::Product, Owner::Technology] {
        for (k, kr) in s.key_results_of(owner) {
            let what = match &kr.measure {
                Measure::Delivery { target } => {
                    let reachable: f64 = s
                        .initiatives
                        .iter()
                        .flat_map(|i| i.contributes.iter())
                        .filter(|(c, _)| *c == k)
                        .map(|(_, v)| v.mean())
                        .sum();
                    format!("target {target} (initiatives add up to {reachable:.3})")
                }
                Measure::Metric { metric, goal, team } => {
                    let side = match goal {
                        crate::model::Goal::Below(x) => format!("below {x}"),
                        crate::model::Goal::Above(x) => format!("above {x}"),
                    };
                    let scope = team.map_or(String::new(), |j| format!(" ({})", s.teams[j].name));
                    format!("{}{scope} {side}", metric.as_str())
                }
            };
            let _ = writeln!(
                out,
                "    {:<26}{:<12}{what} by period {}, weight {}",
                kr.id,
                owner.as_str(),
                kr.deadline,
                kr.weight
            );
        }
    }

    let _ = writeln!(out, "\n  strategies");
    for strategy in &s.strategies {
        let rule = match strategy.rule {
            Rule::FixedShare { tech_share } => {
                format!("fixed_share: {:.0}% tech", tech_share * 100.0)
            }
            Rule::DebtCeiling {
                ceiling,
                above,
                below,
            } => format!(
                "debt_ceiling: {:.0}% tech above {ceiling} debt days, else {:.0}%",
                above * 100.0,
                below * 100.0
            ),
            Rule::Optimised {
                min_tech_share,
                max_tech_share,
            } => format!(
                "optimised: the allocator's plan, tech share within {:.0}%..{:.0}%",
                min_tech_share * 100.0,
                max_tech_share * 100.0
            ),
        };
        let _ = writeln!(out, "    {:<26}{rule}", strategy.name);
    }
    if !s.risks.is_empty() || !s.events.is_empty() {
        let _ = writeln!(
            out,
            "\n  {} risks, {} capacity events",
            s.risks.len(),
            s.events.len()
        );
    }
    out
}

/// The strategy comparison `fulcrum run` prints: blended score, its paired difference from the
/// first strategy, P(all product key results met), final debt and incident days.
pub fn run_table(scenario: &Scenario, results: &crate::simulate::Results) -> String {
    use crate::simulate::SummaryMetric as M;
    let mut out = String::new();
    let width = results
        .strategies
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(
        out,
        "{:<width$}  {:>22}  {:>18}  {:>11}  {:>17}  {:>9}",
        "strategy",
        "blended score [P10–P90]",
        "vs first (95% CI)",
        "P(product)",
        "final debt P50/P90",
        "incidents"
    );
    for (s, name) in results.strategies.iter().enumerate() {
        let score = results.summary(s, M::BlendedScore);
        let debt = results.summary(s, M::FinalDebt);
        let incidents = results.summary(s, M::IncidentDays);
        let product = results.summary(s, M::AllProductKrsMet);
        let versus = if s == 0 {
            "baseline".to_string()
        } else {
            let d = results.paired(s, M::BlendedScore);
            format!("{:+.3} ±{:.3}", d.mean, (d.ci95.1 - d.ci95.0) / 2.0)
        };
        let p_product = if scenario.key_results_of(Owner::Product).next().is_some() {
            format!("{:.0}%", product.mean * 100.0)
        } else {
            "–".to_string()
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:>22}  {:>18}  {:>11}  {:>17}  {:>9}",
            name,
            format!(
                "{:.3} [{:.2}–{:.2}]",
                score.mean,
                score.at(0.10),
                score.at(0.90)
            ),
            versus,
            p_product,
            format!("{:.0} / {:.0}", debt.at(0.50), debt.at(0.90)),
            format!("{:.0} d", incidents.mean),
        );
    }
    out
}

/// What `fulcrum plan` prints: per team and period the planned product / tech / paydown days
/// and the initiatives worked on, the expected key-result attainment and the marginal values.
pub fn plan_table(scenario: &Scenario, strategy: &str, allocation: &Allocation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "plan for strategy `{strategy}`: expected blended score {:.3}",
        allocation.expected_score
    );
    for (j, team) in scenario.teams.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n  team {}{:>9}{:>8}{:>9}{:>7}{:>8}  initiatives (days)",
            team.name, "product", "tech", "paydown", "share", "debt"
        );
        for t in 1..=scenario.periods {
            let (mut product, mut tech, mut paydown) = (0.0, 0.0, 0.0);
            let mut names = Vec::new();
            for w in allocation
                .work
                .iter()
                .filter(|w| w.team == j && w.period == t)
            {
                match w.initiative {
                    None => paydown += w.days,
                    Some(i) => {
                        let initiative = &scenario.initiatives[i];
                        match initiative.kind {
                            Kind::Product => product += w.days,
                            Kind::Tech => tech += w.days,
                        }
                        // Less than half a day (dust an interior-point plan spreads
                        // over many initiatives) would print as "(0)".
                        if w.days >= 0.5 {
                            names.push(format!("{} ({:.0})", initiative.id, w.days));
                        }
                    }
                }
            }
            let label = scenario
                .period_end_date(t)
                .map_or(format!("period {t:>2}"), |d| format!("{t:>2} {d}"));
            let _ = writeln!(
                out,
                "    {:<16}{:>9.1}{:>8.1}{:>9.1}{:>6.0}%{:>8.0}  {}",
                label,
                product,
                tech,
                paydown,
                allocation.plan.share(j, t) * 100.0,
                allocation.debt[j][t - 1].max(0.0), // solver noise would print "-0"
                names.join(", ")
            );
        }
    }
    let _ = writeln!(
        out,
        "\n  key result              owner       expected attainment"
    );
    for (kr, a) in scenario.key_results.iter().zip(&allocation.key_results) {
        let _ = writeln!(
            out,
            "    {:<22}{:<12}{:>8.0}%",
            kr.id,
            kr.owner.as_str(),
            a * 100.0
        );
    }
    let _ = writeln!(
        out,
        "\n  marginal values (change of the expected blended score, 0 to 1)"
    );
    for mv in &allocation.marginal_values {
        let line = match &mv.of {
            Marginal::Engineer { team } => format!(
                "one more engineer on {} for the horizon: {:+.4}",
                scenario.teams[*team].name, mv.value
            ),
            Marginal::TeamHorizon { team } => format!(
                "one more engineer-day on {} in every period: {:+.4}",
                scenario.teams[*team].name, mv.value
            ),
            Marginal::Deadline { initiative } => format!(
                "the hard deadline of {} costs {:.4} of the score",
                scenario.initiatives[*initiative].id, mv.value
            ),
            _ => continue,
        };
        let _ = writeln!(out, "    {line}");
    }
    for (bound, word) in [(Bound::Min, "min"), (Bound::Max, "max")] {
        for (j, team) in scenario.teams.iter().enumerate() {
            let binding: Vec<&MarginalValue> = allocation
                .marginal_values
                .iter()
                .filter(|mv| {
                    mv.binding
                        && matches!(mv.of, Marginal::Guardrail { team: tj, bound: b, .. }
                            if tj == j && b == bound)
                })
                .collect();
            if !binding.is_empty() {
                let cost: f64 = binding.iter().map(|mv| mv.value).sum();
                let _ = writeln!(
                    out,
                    "    {word} tech share binds on {} in {} periods: {:.5} per engineer-day \
                     (summed over those periods)",
                    team.name,
                    binding.len(),
                    cost
                );
            }
        }
    }
    out
}
