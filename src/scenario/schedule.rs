//! A policy written back as a `schedule` strategy (`plan --write-schedule`): the TOML a user
//! pastes into a scenario's `[[strategies]]`, which compiles to the same shares per period;
//! and a schedule's phases as its file writes them, so that each can be changed by `--set`.

use std::fmt::Write;

use crate::model::{Phase, Scenario};

use super::Document;
use super::document::{Node, Value};
use super::fields::{Checker, Horizon};

/// One list of phases as an inline TOML array: `until` is each phase's last period (the
/// date it ends, when the scenario has one, in a comment), left out in the last.
fn phases_toml(scenario: &Scenario, phases: &[Phase], indent: &str) -> String {
    let mut out = String::from("[\n");
    for (k, p) in phases.iter().enumerate() {
        // Every digit: the shortest text that reads back as the same share, so that the
        // schedule simulates exactly as the policy it was written from.
        let share = p.tech_share;
        if k + 1 == phases.len() {
            let _ = writeln!(out, "{indent}  {{ tech_share = {share} }},");
        } else {
            let ends = scenario
                .period_end_date(p.last)
                .map_or(String::new(), |d| format!("  # ends {d}"));
            let _ = writeln!(
                out,
                "{indent}  {{ until = {}, tech_share = {share} }},{ends}",
                p.last
            );
        }
    }
    out.push_str(indent);
    out.push(']');
    out
}

/// `[[strategies]]` named `name` with rule `schedule` and, per team, `teams[j]`'s phases:
/// `phases` are the first team's, `team_phases` every team whose phases differ.
pub fn schedule_strategy(scenario: &Scenario, name: &str, teams: &[Vec<Phase>]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "[[strategies]]");
    let _ = writeln!(out, "name = {}", toml_string(name));
    let _ = writeln!(out, "rule = \"schedule\"");
    let Some(first) = teams.first() else {
        return out;
    };
    let _ = writeln!(out, "phases = {}", phases_toml(scenario, first, ""));
    let differ: Vec<usize> = (1..teams.len()).filter(|&j| teams[j] != *first).collect();
    if !differ.is_empty() {
        let _ = writeln!(out, "[strategies.team_phases]");
        for j in differ {
            let _ = writeln!(
                out,
                "{} = {}",
                toml_string(&scenario.teams[j].name),
                phases_toml(scenario, &teams[j], "")
            );
        }
    }
    out
}

/// One list of a schedule strategy's phases as its file writes them: what `--set` can change
/// one field at a time (`PATH.0.tech_share`, `PATH.0.until`).
#[derive(Clone, Debug, PartialEq)]
pub struct WrittenPhases {
    /// The list's `--set` path: `strategies.NAME.phases` or `strategies.NAME.team_phases.TEAM`.
    pub path: String,
    /// The team it is written for; `None` for `phases`, every team without a list of its own.
    pub team: Option<String>,
    /// Its phases in the order written, each `until` read as the compiler reads it (a date as
    /// the period it falls in).
    pub phases: Vec<Phase>,
}

impl Document {
    /// The lists of phases of schedule strategy `name` as written, `phases` first; empty when
    /// `scenario` (this document, compiled) has no such schedule.
    pub fn written_phases(&self, scenario: &Scenario, name: &str) -> Vec<WrittenPhases> {
        let is_schedule = scenario
            .strategies
            .iter()
            .any(|s| s.name == name && matches!(s.rule, crate::model::Rule::Schedule { .. }));
        let strategy = self.root.get("strategies").and_then(|n| match &n.value {
            Value::Array(items) => items
                .iter()
                .find(|s| s.get("name").and_then(|n| n.as_str()) == Some(name)),
            _ => None,
        });
        let Some(strategy) = strategy.filter(|_| is_schedule) else {
            return Vec::new();
        };
        let horizon = Horizon {
            periods: scenario.periods,
            start: scenario.start,
            length: Some(scenario.period_length),
            calendar: Some(scenario.calendar.clone()),
        };
        let at = format!("strategies.{name}");
        let mut lists: Vec<WrittenPhases> = Vec::new();
        if let Some(phases) = strategy.get("phases").and_then(|n| read_list(n, &horizon)) {
            lists.push(WrittenPhases {
                path: format!("{at}.phases"),
                team: None,
                phases,
            });
        }
        for entry in strategy
            .get("team_phases")
            .and_then(|n| n.entries())
            .unwrap_or_default()
        {
            if let Some(phases) = read_list(&entry.node, &horizon) {
                lists.push(WrittenPhases {
                    path: format!("{at}.team_phases.{}", entry.key),
                    team: Some(entry.key.clone()),
                    phases,
                });
            }
        }
        lists
    }
}

/// A compiled list of phases as written (the compiler has accepted it): each phase from the
/// period after the one before to its `until`, the last to the horizon's end.
fn read_list(node: &Node, horizon: &Horizon) -> Option<Vec<Phase>> {
    let Value::Array(items) = &node.value else {
        return None;
    };
    // The compiler has checked every field: this checker's problems are never read.
    let mut ck = Checker::new(super::Format::Toml);
    let mut phases: Vec<Phase> = Vec::new();
    for (k, item) in items.iter().enumerate() {
        let tech_share = match item.get("tech_share")?.value {
            Value::Integer(x) => x as f64,
            Value::Float(x) => x,
            _ => return None,
        };
        let first = phases.last().map_or(1, |p| p.last + 1);
        let last = match item.get("until") {
            Some(until) => super::fields::period(&mut ck, until, "until", horizon)?,
            None if k + 1 == items.len() => horizon.periods,
            None => return None,
        };
        phases.push(Phase {
            first,
            last,
            tech_share,
        });
    }
    Some(phases)
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}
