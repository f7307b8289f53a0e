//! Why a plan is infeasible, in plain words: an elastic re-solve finds the fewest engineer-days
//! by which deadlines and capacity must give, and whether the guardrails account for them.

use super::expected::ExpectedWorld;
use super::program::{Finishing, Mode, Program, Setting, Slack};
use super::{Guardrails, Infeasibility, solve};
use crate::model::Scenario;

/// Why no plan meets every hard constraint, in plain words: an elastic re-solve finds the
/// fewest engineer-days by which deadlines and capacity must give.
pub(super) fn explain(setting: &Setting) -> Infeasibility {
    let Setting {
        scenario,
        world,
        guardrails,
        ..
    } = *setting;
    // Every guardrail in force and no extra capacity, whatever the plan's last solve set.
    let never = vec![scenario.periods + 1; scenario.teams.len()];
    let none = vec![0.0; scenario.teams.len()];
    let elastic = Setting {
        spill_from: &never,
        extra_days: &none,
        ..*setting
    };
    let shortfall = |with_guardrails: bool| -> Option<Vec<(Slack, f64)>> {
        let mode = Mode::Elastic {
            guardrails: with_guardrails,
        };
        let program = Program::build(&elastic, mode, Finishing::Relaxed);
        let values = solve::lp(&program).ok()?;
        Some(
            program
                .slacks
                .iter()
                .map(|&(slack, v)| (slack, values.get(v)))
                .filter(|&(_, days)| days > 1e-4)
                .collect(),
        )
    };
    let Some(slacks) = shortfall(true) else {
        return Infeasibility {
            lines: vec!["the elastic re-solve failed too; please report this scenario".into()],
            ..Infeasibility::default()
        };
    };
    let (mut lines, deadlines) = deadlines_short(scenario, world, &slacks);
    lines.extend(capacity_short(scenario, &slacks));
    let guarded = guardrails.min_tech_share > 0.0 || guardrails.max_tech_share < 1.0;
    // Solved again without the guardrails only when there are some.
    if let Some(without) = guarded.then(|| shortfall(false)).flatten() {
        lines.extend(guardrails_share(guardrails, &slacks, &without));
    }
    if lines.is_empty() {
        lines.push(
            "  - the constraints conflict, but no single deadline or capacity is short".into(),
        );
    }
    Infeasibility {
        lines,
        deadlines,
        strategy: None,
    }
}

/// A line for each deadline that must give, and those initiatives.
fn deadlines_short(
    scenario: &Scenario,
    world: &ExpectedWorld,
    slacks: &[(Slack, f64)],
) -> (Vec<String>, Vec<usize>) {
    let mut lines = Vec::new();
    let mut deadlines = Vec::new();
    for &(slack, days) in slacks {
        if let Slack::Deadline { initiative } = slack {
            deadlines.push(initiative);
            let i = &scenario.initiatives[initiative];
            lines.push(format!(
                "  - `{}` (team {}) must finish by period {} but falls {:.1} engineer-days short \
                 of its planned {:.1} days of work (P80)",
                i.id,
                scenario.teams[i.team].name,
                i.deadline.unwrap_or(scenario.periods),
                days,
                world.initiatives[initiative].work,
            ));
        }
    }
    (lines, deadlines)
}

/// A line for each team whose unplanned work exceeds its capacity, with the periods.
fn capacity_short(scenario: &Scenario, slacks: &[(Slack, f64)]) -> Vec<String> {
    let mut lines = Vec::new();
    for (j, team) in scenario.teams.iter().enumerate() {
        let short: Vec<(usize, f64)> = slacks
            .iter()
            .filter_map(|&(slack, days)| match slack {
                Slack::Capacity { team, period } if team == j => Some((period, days)),
                _ => None,
            })
            .collect();
        if let (Some(first), Some(last)) = (short.first(), short.last()) {
            let total: f64 = short.iter().map(|(_, d)| d).sum();
            let when = if first.0 == last.0 {
                format!("in period {}", first.0)
            } else {
                format!("in periods {}–{}", first.0, last.0)
            };
            lines.push(format!(
                "  - team {}: expected incidents, risks and debt drag exceed its capacity by \
                 {:.1} engineer-days {when}",
                team.name, total
            ));
        }
    }
    lines
}

/// The line saying how much of the shortfall (`with` the guardrails) the guardrails cause,
/// when the shortfall `without` them is smaller.
fn guardrails_share(
    guardrails: &Guardrails,
    with: &[(Slack, f64)],
    without: &[(Slack, f64)],
) -> Option<String> {
    let with: f64 = with.iter().map(|(_, d)| d).sum();
    let without: f64 = without.iter().map(|(_, d)| d).sum();
    (without + 1e-4 < with).then(|| {
        format!(
            "  - the tech-share guardrails [{}, {}] account for {:.1} of those engineer-days: \
             widen them or move the deadlines",
            guardrails.min_tech_share,
            guardrails.max_tech_share,
            with - without
        )
    })
}
