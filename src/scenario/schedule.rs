//! A policy written back as a `schedule` strategy (`plan --write-schedule`): the TOML a user
//! pastes into a scenario's `[[strategies]]`, which compiles to the same shares per period.

use std::fmt::Write;

use crate::model::{Phase, Scenario};

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

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}
