//! Text for the terminal: the scenario summary of `validate` and the tables `run`, `plan`,
//! `sweep` and `forecast` print. Numbers read as in [`crate::report::kit::numbers`]; each table is built
//! once as a [`Table`] and rendered as aligned text here or in another format by
//! [`super::export`].

use std::fmt::Write;
use std::path::Path;

use crate::model::{Distribution, Kind, Measure, Owner, Rule, Scenario, Workforce};
use crate::pipeline::StrategyPlan;
use crate::simulate::forecast::{Forecast, ForecastResults};
use crate::simulate::policy::Share;
use crate::simulate::{PeriodMetric, Results, SummaryMetric};
use crate::whatif::sweep::{self as sw, Point, Vary};

use crate::report::kit::numbers::{self, Unit, amount, counted, grouped, percent};
use crate::report::kit::table::{Align, Table};

/// A distribution as written in a scenario, a constant with thousands separators.
fn spread(d: &Distribution) -> String {
    match d {
        Distribution::Constant(c) if c.abs() >= 1000.0 => grouped(*c, 0),
        d => d.to_string(),
    }
}

/// The one-screen summary `fulcrum validate` prints for a valid scenario: horizon and blend,
/// then one section per table (teams, initiatives of each kind, key results, strategies).
pub fn summary(scenario: &Scenario, file: &Path) -> String {
    let mut out = String::new();
    let s = scenario;
    let unit = Unit::of_scenario(s);
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
        "  horizon: {} of {}{dates}; {}, seed {}",
        counted(s.periods as u64, "period", "periods"),
        s.period_length,
        counted(s.trials, "trial", "trials"),
        s.seed
    );
    let _ = writeln!(
        out,
        "  blend: {:.0}% product, {:.0}% technology",
        s.blend * 100.0,
        (1.0 - s.blend) * 100.0
    );
    let _ = write!(out, "\n{}", teams_table(s).aligned("  "));
    for kind in [Kind::Product, Kind::Tech] {
        let of_kind = s.initiatives.iter().filter(|i| i.kind == kind);
        let effort: f64 = of_kind.clone().map(|i| i.effort.mean()).sum();
        let _ = writeln!(
            out,
            "\n  {} initiatives: {} (expected effort {})",
            kind.as_str(),
            of_kind.count(),
            amount(effort.max(0.0), unit.long())
        );
        out.push_str(&rows(&initiatives_table(s, kind)));
    }
    let _ = writeln!(out, "\n  key results");
    if s.key_results.is_empty() {
        let _ = writeln!(
            out,
            "    none: the blended score is 0; add [[okrs.key_results]]"
        );
    }
    out.push_str(&rows(&key_results_table(s)));
    let _ = writeln!(out, "\n  strategies");
    let mut strategies = Table::new(&[("strategy", Align::Left), ("rule", Align::Left)]);
    for strategy in &s.strategies {
        strategies.push(vec![strategy.name.clone(), rule_text(&strategy.rule, unit)]);
    }
    out.push_str(&rows(&strategies));
    if !s.risks.is_empty() || !s.events.is_empty() {
        let _ = writeln!(
            out,
            "\n  {}, {}",
            counted(s.risks.len() as u64, "risk", "risks"),
            counted(s.events.len() as u64, "capacity event", "capacity events")
        );
    }
    out
}

/// A section's rows, aligned under its title (which names the columns, so no header row).
fn rows(table: &Table) -> String {
    if table.rows.is_empty() {
        return String::new();
    }
    let text = table.aligned("    ");
    text.lines().skip(1).map(|l| format!("{l}\n")).collect()
}

/// Each team's workforce, expected capacity per period (first → last) and debt at start.
fn teams_table(s: &Scenario) -> Table {
    let mut teams = Table::new(&[
        ("teams", Align::Left),
        ("", Align::Left),
        ("capacity/period", Align::Right),
        ("debt at start", Align::Right),
    ]);
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
            Workforce::Throughput(throughput) => {
                format!(
                    "history of {}",
                    counted(throughput.history.len() as u64, "period", "periods")
                )
            }
            Workforce::Capacity(d) => format!("capacity {d}"),
        };
        let team_unit = Unit::of_team(team).short();
        let capacity = if (first - last).abs() < 0.05 {
            format!("{} {team_unit}", grouped(first, 1))
        } else {
            format!("{} → {} {team_unit}", grouped(first, 1), grouped(last, 1))
        };
        teams.push(vec![
            // Indented under the section's title, which heads the column.
            format!("  {}", team.name),
            who,
            capacity,
            format!("{} {team_unit}", spread(&team.debt_initial)),
        ]);
    }
    teams
}

/// The initiatives of one kind: team, effort in the team's unit, deadline and dependencies.
fn initiatives_table(s: &Scenario, kind: Kind) -> Table {
    let mut table = Table::new(&[
        ("initiative", Align::Left),
        ("team", Align::Left),
        ("effort", Align::Left),
        ("", Align::Left),
    ]);
    for i in s.initiatives.iter().filter(|i| i.kind == kind) {
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
        table.push(vec![
            i.id.clone(),
            s.teams[i.team].name.clone(),
            format!(
                "{} {}",
                spread(&i.effort),
                Unit::of_team(&s.teams[i.team]).short()
            ),
            notes.join("; "),
        ]);
    }
    table
}

/// The key results, product's first: what meets each, by when, and its weight.
fn key_results_table(s: &Scenario) -> Table {
    let mut krs = Table::new(&[
        ("key result", Align::Left),
        ("owner", Align::Left),
        ("what", Align::Left),
    ]);
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
                        crate::model::Goal::Below(x) => format!("below {}", grouped_exact(*x)),
                        crate::model::Goal::Above(x) => format!("above {}", grouped_exact(*x)),
                    };
                    let scope = team.map_or(String::new(), |j| format!(" ({})", s.teams[j].name));
                    format!("{}{scope} {side}", metric.as_str())
                }
            };
            krs.push(vec![
                kr.id.clone(),
                owner.as_str().to_string(),
                format!("{what} by period {}, weight {}", kr.deadline, kr.weight),
            ]);
        }
    }
    krs
}

/// A level as written (`0.25`, `1,700`).
fn grouped_exact(x: f64) -> String {
    if x.abs() >= 1000.0 && x == x.round() {
        grouped(x, 0)
    } else {
        format!("{x}")
    }
}

/// A strategy's rule in words.
fn rule_text(rule: &Rule, unit: Unit) -> String {
    match *rule {
        Rule::FixedShare { tech_share } => {
            format!("fixed_share: {:.0}% tech", tech_share * 100.0)
        }
        Rule::DebtCeiling {
            ceiling,
            above,
            below,
        } => format!(
            "debt_ceiling: {:.0}% tech while a team's debt is above {}, else {:.0}%",
            above * 100.0,
            amount(ceiling, unit.long()),
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
        Rule::Schedule { ref tech_share } => {
            let (lo, hi) = crate::model::share_range(tech_share);
            format!(
                "schedule: tech share by team and phase, {:.0}%..{:.0}%",
                lo * 100.0,
                hi * 100.0
            )
        }
    }
}

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
        super::policy::in_words(scenario, policy),
        super::policy::buys(scenario, results, s)
    );
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
        let interval = crate::report::kit::numbers::proportion_ci95(stats.p_met, n);
        table.push(vec![
            kr.id.clone(),
            kr.owner.as_str().to_string(),
            crate::report::kit::numbers::percent_with_interval(stats.p_met, interval),
            format!("{:.0}%", stats.attainment.mean * 100.0),
        ]);
    }
    Some(table)
}

/// The frontier `fulcrum sweep` prints: per point and strategy the blended and product
/// scores, median final debt and mean incident days, with each strategy's knee marked.
pub fn sweep_table(scenario: &Scenario, varies: &[Vary], points: &[Point]) -> String {
    sweep_headline(scenario, varies, points).aligned("")
}

/// The rows of [`sweep_table`], for any format.
pub fn sweep_headline(scenario: &Scenario, varies: &[Vary], points: &[Point]) -> Table {
    use SummaryMetric as M;
    let unit = Unit::of_scenario(scenario).short();
    let knees = crate::report::sweep::knees(points);
    let params: Vec<&str> = varies.iter().map(|v| v.path.as_str()).collect();
    let header = params.join(", ");
    let mut table = Table::new(&[
        (header.as_str(), Align::Left),
        ("strategy", Align::Left),
        ("blended", Align::Right),
        ("product score", Align::Right),
        ("debt P50", Align::Right),
        ("incidents", Align::Right),
        ("", Align::Left),
    ]);
    let mut labelled = None;
    for crate::report::sweep::Row {
        point: n,
        strategy: s,
        reference,
    } in crate::report::sweep::rows(varies, points)
    {
        let point = &points[n];
        let name = &point.results.strategies[s];
        // Each point's value once, on its first row; "every point" once above the references.
        let label = if reference {
            "every point".to_string()
        } else {
            let values: Vec<String> = point.values.iter().map(|&x| sw::format_value(x)).collect();
            values.join(", ")
        };
        let first = labelled.as_ref() != Some(&label);
        let r = &point.results;
        table.push(vec![
            if first { label.clone() } else { String::new() },
            name.clone(),
            format!("{:.3}", r.summary(s, M::BlendedScore).mean),
            percent(r.summary(s, M::ProductScore).mean),
            amount(r.summary(s, M::FinalDebt).at(0.5), unit),
            amount(r.summary(s, M::IncidentDays).mean, unit),
            if knees[s] == Some(n) && !reference {
                "← knee".to_string()
            } else {
                String::new()
            },
        ]);
        labelled = Some(label);
    }
    table
}

/// The forecast's percentiles as a table: the period each is done by and its last day.
pub fn forecast_headline(forecast: &Forecast, results: &ForecastResults) -> Table {
    let mut table = Table::new(&[
        ("chance", Align::Left),
        ("done by period", Align::Right),
        ("ends", Align::Left),
    ]);
    for (name, q) in crate::report::kit::numbers::percentiles(forecast) {
        let (period, ends) = match results.percentile(q) {
            Some(t) => (
                t.to_string(),
                forecast
                    .scenario
                    .period_end_date(t)
                    .map_or_else(String::new, |d| d.to_string()),
            ),
            None => (format!("beyond {}", results.cap), String::new()),
        };
        table.push(vec![name, period, ends]);
    }
    table
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
