//! What `fulcrum validate` prints for a valid scenario: a one-screen summary of the scenario
//! (horizon and blend, then one section per table), each section built as a [`Table`] and
//! aligned as the other commands' tables are.

use std::fmt::Write;
use std::path::Path;

use crate::model::{Distribution, Kind, Measure, Owner, Parameter, Rule, Scenario, Workforce};

use super::kit::table::{Align, Table};
use crate::words::numbers::{Unit, amount, counted, grouped};

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
    if let Some(line) = joint_line(s) {
        let _ = writeln!(out, "{line}");
    }
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
        strategies.push(vec![
            strategy.name.clone(),
            rule_text(scenario, &strategy.rule, unit),
        ]);
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

/// What the teams' joint draws (`[debt] posterior`) hold, when they have them.
fn joint_line(s: &Scenario) -> Option<String> {
    let draws: Vec<&crate::model::JointDraws> =
        s.teams.iter().filter_map(|t| t.joint.as_ref()).collect();
    let first = draws.first()?;
    let held: Vec<&str> = Parameter::ALL
        .into_iter()
        .filter(|&p| first.holds(p))
        .map(Parameter::name)
        .collect();
    let rows: usize = draws.iter().map(|d| d.rows()).sum();
    Some(format!(
        "  joint draws: {} over {}, each trial takes one per team whole: {}",
        counted(rows as u64, "row", "rows"),
        counted(draws.len() as u64, "team", "teams"),
        held.join(", ")
    ))
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
            match team
                .joint
                .as_ref()
                .and_then(|j| j.mean(Parameter::DebtInitial))
            {
                Some(mean) => format!("{} {team_unit} (mean of draws)", grouped(mean, 1)),
                None => format!("{} {team_unit}", spread(&team.debt_initial)),
            },
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
fn rule_text(scenario: &Scenario, rule: &Rule, unit: Unit) -> String {
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
        Rule::Reactive(ref rule) => format!(
            "{}: {}",
            rule.form.as_str(),
            crate::words::policy::reactive_in_words(scenario, rule)
        ),
    }
}
