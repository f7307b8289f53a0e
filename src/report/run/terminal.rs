//! What `fulcrum run` and `fulcrum plan` print: the strategy comparison, and for each
//! optimised strategy its plan per period and its key results' chances. Numbers read as in
//! [`crate::words::numbers`]; each table is built once as a [`Table`] and aligned here
//! or rendered in another format by the kit ([`crate::report::kit::markdown`]).

use std::fmt::Write;

use crate::model::{Owner, Scenario};
use crate::pipeline::StrategyPlan;
use crate::simulate::policy::Share;
use crate::simulate::{PeriodMetric, Results, SummaryMetric};

use crate::report::kit::table::{Align, Table};
use crate::words::numbers::{self, Unit, amount, grouped, percent};

/// The strategy comparison `fulcrum run` prints: blended score, its paired difference from the
/// first strategy, P(all product key results met), final debt and incident days; then the
/// report's summary sentences (see [`super::summary`]), one per line.
pub fn run_table(scenario: &Scenario, results: &Results, summary: &[String]) -> String {
    let mut out = run_headline(scenario, results).aligned("");
    if !summary.is_empty() {
        out.push('\n');
    }
    for sentence in summary {
        let _ = writeln!(out, "{sentence}");
    }
    out
}

/// The rows of [`run_table`], for any format.
pub fn run_headline(scenario: &Scenario, results: &Results) -> Table {
    use SummaryMetric as M;
    let unit = Unit::of_scenario(scenario).short();
    let mut table = Table::new(&[
        ("strategy", Align::Left),
        ("blended score [P10–P90]", Align::Right),
        ("vs first (95% CI)", Align::Right),
        ("P(product)", Align::Right),
        ("final debt P50 / P90", Align::Right),
        ("incidents", Align::Right),
    ]);
    let has_product = scenario.has_key_results(Owner::Product);
    for (s, name) in results.strategies.iter().enumerate() {
        let score = results.summary(s, M::BlendedScore);
        let debt = results.summary(s, M::FinalDebt);
        let incidents = results.summary(s, M::IncidentDays);
        let versus = if s == 0 {
            "baseline".to_string()
        } else {
            let d = results.paired(s, M::BlendedScore);
            numbers::signed_with_half_width(d.mean, (d.ci95.1 - d.ci95.0) / 2.0)
        };
        let p_product = if has_product {
            percent(results.summary(s, M::AllProductKrsMet).mean)
        } else {
            "–".to_string()
        };
        table.push(vec![
            name.clone(),
            format!(
                "{:.3} [{:.2}–{:.2}]",
                score.mean,
                score.at(0.10),
                score.at(0.90)
            ),
            versus,
            p_product,
            format!(
                "{} / {} {unit}",
                grouped(debt.at(0.50), 0),
                grouped(debt.at(0.90), 0)
            ),
            amount(incidents.mean, unit),
        ]);
    }
    table
}

/// The initiatives of `scenario` whose median finish under strategy `s` is period `t`.
pub fn finishing(scenario: &Scenario, results: &Results, s: usize, t: usize) -> Vec<String> {
    scenario
        .initiatives
        .iter()
        .enumerate()
        .filter(|(i, initiative)| {
            results.initiative(s, *i, initiative.deadline).finish[0] == Some(t)
        })
        .map(|(_, initiative)| initiative.id.clone())
        .collect()
}

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
    let policy = &plan.found.candidate.policy;
    let _ = writeln!(
        out,
        "  split: {}.\n  {}",
        crate::words::policy::in_words(scenario, policy),
        crate::words::policy::buys(scenario, results, s)
    );
    for why in &plan.shape {
        let _ = writeln!(out, "  {}", super::plan::why_line(scenario, plan, why));
    }
    let _ = writeln!(out, "  {}", super::plan::promise(plan, results, s));
    if let Some(periods) = plan_periods(scenario, plan, run) {
        let scheduled = !matches!(plan.found.candidate.policy.share, Share::DebtCeiling { .. });
        if scheduled {
            let _ = writeln!(
                out,
                "\n  tech share per team, then mean {} per period (all teams):",
                Unit::of_scenario(scenario).long()
            );
        } else {
            let _ = writeln!(
                out,
                "\n  mean {} per period (all teams):",
                Unit::of_scenario(scenario).long()
            );
        }
        out.push_str(&periods.aligned("  "));
    }
    if let Some(krs) = key_result_table(scenario, results, s) {
        out.push('\n');
        out.push_str(&krs.aligned("  "));
    }
    if !plan.prices.is_empty() {
        let trials = plan.prices[0].trials;
        let _ = writeln!(
            out,
            "\n  What would help most (blended score gained; the policy searched again for each \
             change, both on the same {} sampled worlds; ± is the 95% interval):",
            numbers::count(trials)
        );
        for line in super::plan::help_lines(scenario, plan) {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

/// The per-period rows of [`plan_table`]: tech share per team (for a schedule), the days on
/// each kind of work, debt and the initiatives finishing.
pub fn plan_periods(
    scenario: &Scenario,
    plan: &StrategyPlan,
    run: Option<&Results>,
) -> Option<Table> {
    let (results, s) = plan.simulated(run)?;
    let policy = &plan.found.candidate.policy;
    let scheduled = !matches!(policy.share, Share::DebtCeiling { .. });
    let mut columns = vec![("period".to_string(), Align::Left)];
    if scheduled {
        for team in &scenario.teams {
            columns.push((short(&team.name, 12), Align::Right));
        }
    }
    for name in ["product", "tech", "paydown", "debt P50"] {
        columns.push((name.to_string(), Align::Right));
    }
    columns.push(("finishing (P50)".to_string(), Align::Left));
    let mut table = Table {
        columns,
        rows: Vec::new(),
    };
    for t in 1..=scenario.periods {
        let label = scenario
            .period_end_date(t)
            .map_or(format!("{t:>2}"), |d| format!("{t:>2} {d}"));
        let mut row = vec![label];
        if scheduled {
            for j in 0..scenario.teams.len() {
                row.push(format!("{:.0}%", policy.tech_share(j, t, 0.0) * 100.0));
            }
        }
        let mean = |m: PeriodMetric| grouped(results.period(s, t, m as usize).mean, 1);
        row.push(mean(PeriodMetric::ProductDays));
        row.push(mean(PeriodMetric::TechDays));
        row.push(mean(PeriodMetric::PaydownDays));
        row.push(grouped(
            results.period(s, t, PeriodMetric::Debt as usize).at(0.5),
            0,
        ));
        row.push(finishing(scenario, results, s, t).join(", "));
        table.push(row);
    }
    Some(table)
}

/// Each key result's chance under strategy `s` with its 95% interval, and its mean
/// attainment; `None` without key results.
pub fn key_result_table(scenario: &Scenario, results: &Results, s: usize) -> Option<Table> {
    if scenario.key_results.is_empty() {
        return None;
    }
    let mut table = Table::new(&[
        ("key result", Align::Left),
        ("owner", Align::Left),
        ("P(met) [95% interval]", Align::Right),
        ("attainment", Align::Right),
    ]);
    let n = results.trials();
    for (k, kr) in scenario.key_results.iter().enumerate() {
        let stats = results.key_result(s, k);
        let interval = numbers::proportion_ci95(stats.p_met, n);
        table.push(vec![
            kr.id.clone(),
            kr.owner.as_str().to_string(),
            numbers::percent_with_interval(stats.p_met, interval),
            format!("{:.0}%", stats.attainment.mean * 100.0),
        ]);
    }
    Some(table)
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
