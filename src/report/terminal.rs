//! Text for the terminal: the scenario summary of `validate` and the tables `run`, `plan`,
//! `sweep` and `forecast` print.

use std::fmt::Write;
use std::path::Path;

use crate::model::{Kind, Measure, Owner, Rule, Scenario, Workforce};
use crate::pipeline::StrategyPlan;
use crate::simulate::policy::Share;
use crate::simulate::{PeriodMetric, Results};

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
                ..
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
/// What `fulcrum plan` prints for one optimised strategy: the policy found, its promise as
/// simulated (from `run`'s results when given, else its own), per period its tech shares, the
/// simulated days and debt and what finishes, the key results' chances, and what would help
/// most.
pub fn plan_table(scenario: &Scenario, plan: &StrategyPlan, run: Option<&Results>) -> String {
    let mut out = String::new();
    let name = plan.of.name(scenario);
    let _ = writeln!(
        out,
        "plan for strategy `{name}`: {}",
        super::plan::rule(plan)
    );
    let Some((results, s)) = plan.simulated(run) else {
        return out;
    };
    let _ = writeln!(out, "  {}", super::plan::promise(plan, results, s));
    let policy = &plan.found.candidate.policy;
    let scheduled = !matches!(policy.share, Share::DebtCeiling { .. });
    let mut header = format!("\n  {:<16}", "period");
    if scheduled {
        for team in &scenario.teams {
            let _ = write!(header, "{:>w$}", short(&team.name, 12), w = 13);
        }
    }
    let _ = write!(
        header,
        "{:>9}{:>8}{:>9}{:>10}  finishing (P50)",
        "product", "tech", "paydown", "debt P50"
    );
    let _ = writeln!(out, "{header}");
    if scheduled {
        let _ = writeln!(out, "  {:<16}(tech share per team)", "");
    }
    for t in 1..=scenario.periods {
        let label = scenario
            .period_end_date(t)
            .map_or(format!("{t:>2}"), |d| format!("{t:>2} {d}"));
        let mut line = format!("  {label:<16}");
        if scheduled {
            for j in 0..scenario.teams.len() {
                let _ = write!(line, "{:>12.0}%", policy.tech_share(j, t, 0.0) * 100.0);
            }
        }
        let mean = |m: PeriodMetric| results.period(s, t, m as usize).mean;
        let finishing: Vec<&str> = scenario
            .initiatives
            .iter()
            .enumerate()
            .filter(|(i, initiative)| {
                results.initiative(s, *i, initiative.deadline).finish[0] == Some(t)
            })
            .map(|(_, initiative)| initiative.id.as_str())
            .collect();
        let _ = writeln!(
            line,
            "{:>9.1}{:>8.1}{:>9.1}{:>10.0}  {}",
            mean(PeriodMetric::ProductDays),
            mean(PeriodMetric::TechDays),
            mean(PeriodMetric::PaydownDays),
            results.period(s, t, PeriodMetric::Debt as usize).at(0.5),
            finishing.join(", ")
        );
        out.push_str(&line);
    }
    if !scenario.key_results.is_empty() {
        let _ = writeln!(
            out,
            "\n  {:<22}{:<12}{:>22}{:>12}",
            "key result", "owner", "P(met) [95% interval]", "attainment"
        );
        let n = results.trials().max(1) as f64;
        for (k, kr) in scenario.key_results.iter().enumerate() {
            let stats = results.key_result(s, k);
            let p = stats.p_met;
            let half = 1.959_963_984_540_054 * (p * (1.0 - p) / n).sqrt();
            let _ = writeln!(
                out,
                "  {:<22}{:<12}{:>8.0}% [{:.0}–{:.0}%]{:>11.0}%",
                kr.id,
                kr.owner.as_str(),
                p * 100.0,
                ((p - half) * 100.0).max(0.0),
                ((p + half) * 100.0).min(100.0),
                stats.attainment.mean * 100.0
            );
        }
    }
    if !plan.prices.is_empty() {
        let trials = plan.prices[0].trials;
        let _ = writeln!(
            out,
            "\n  What would help most (blended score gained; the policy searched again for each \
             change, both on the same {trials} sampled worlds; ± is the 95% interval):"
        );
        for line in super::plan::help_lines(scenario, plan) {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

/// `name`, cut to `width` characters with an ellipsis.
fn short(name: &str, width: usize) -> String {
    if name.chars().count() <= width {
        name.to_string()
    } else {
        let cut: String = name.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}
