//! `[[strategies]]`: the allocation rules to compare and their fields.

use crate::model::{Rule, Strategy};

use super::super::document::Node;
use super::super::fields::Quantity::Days;
use super::super::fields::{Bound, Checker, Horizon, Table, array, number, string};
use super::super::problem::Problem;
use super::reactive::{read_error_budget, read_lights_on_cap, read_reactive};

pub(super) const STRATEGY_FIELDS: &[&str] = &[
    "name",
    "rule",
    "tech_share",
    "ceiling",
    "above",
    "below",
    "min_tech_share",
    "max_tech_share",
    "deadline_confidence",
    "phases",
    "team_phases",
    "frozen_share",
    "incidents",
    "incident_days",
    "window",
    "raised_share",
    "unplanned_share",
    "periods",
    "when",
];
/// The rules a strategy may name, each with its own fields.
pub(super) const RULES: [(&str, &[&str]); 7] = [
    ("fixed_share", &["tech_share"]),
    ("debt_ceiling", &["ceiling", "above", "below"]),
    (
        "optimised",
        &["min_tech_share", "max_tech_share", "deadline_confidence"],
    ),
    ("schedule", &["phases", "team_phases"]),
    (
        "error_budget",
        &[
            "tech_share",
            "frozen_share",
            "incidents",
            "incident_days",
            "window",
        ],
    ),
    (
        "lights_on_cap",
        &["tech_share", "raised_share", "unplanned_share", "periods"],
    ),
    (
        "reactive",
        &[
            "tech_share",
            "phases",
            "team_phases",
            "when",
            "raised_share",
        ],
    ),
];

/// The fields of one phase of a schedule.
const PHASE_FIELDS: &[&str] = &["until", "tech_share"];

pub(super) fn read_strategy(
    ck: &mut Checker,
    node: &Node,
    horizon: &Horizon,
    teams: &[String],
) -> Option<Strategy> {
    let label = node
        .get("name")
        .and_then(Node::as_str)
        .map_or("[[strategies]]".to_string(), |n| format!("strategy `{n}`"));
    let mut t = Table::new(ck, node, label, STRATEGY_FIELDS)?;
    let name = t
        .required(ck, "name", "\"80/20\"")
        .and_then(|n| string(ck, n, "name"));
    let words = RULES.map(|(word, _)| word);
    let rule = t
        .required(ck, "rule", "\"fixed_share\"")
        .and_then(|n| super::fields::choice(ck, n, "rule", &words))
        .and_then(|rule| {
            refuse_fields_of_other_rules(ck, &mut t, rule);
            match rule {
                "fixed_share" => share(ck, &mut t, "tech_share", "0.2")
                    .map(|tech_share| Rule::FixedShare { tech_share }),
                "debt_ceiling" => read_debt_ceiling(ck, &mut t),
                "schedule" => read_schedule(ck, &mut t, horizon, teams),
                "error_budget" => read_error_budget(ck, &mut t, horizon, teams.len()),
                "lights_on_cap" => read_lights_on_cap(ck, &mut t, horizon, teams.len()),
                "reactive" => read_reactive(ck, &mut t, horizon, teams),
                _ => read_optimised(ck, &mut t),
            }
        });
    t.finish(ck);
    Some(Strategy {
        name: super::names::nfc(name?),
        rule: rule?,
    })
}

/// The fields of `rule`.
fn fields_of(rule: &str) -> &'static [&'static str] {
    RULES
        .iter()
        .find(|(word, _)| *word == rule)
        .map_or(&[], |(_, fields)| fields)
}

/// Reports each field of rules other than `rule` that `rule` does not take too.
fn refuse_fields_of_other_rules(ck: &mut Checker, t: &mut Table, rule: &str) {
    let own = fields_of(rule);
    let foreign = STRATEGY_FIELDS.iter().filter(|key| !own.contains(key));
    for key in foreign {
        let owners: Vec<String> = RULES
            .iter()
            .filter(|(_, fields)| fields.contains(key))
            .map(|(other, _)| format!("\"{other}\""))
            .collect();
        if owners.is_empty() {
            continue;
        }
        if let Some(n) = t.get(key) {
            let owners = match owners.as_slice() {
                [one] => format!("rule {one}"),
                many => format!("rules {}", many.join(", ")),
            };
            ck.report(
                Problem::error(
                    n.span,
                    format!("`{key}` belongs to {owners}, not \"{rule}\""),
                )
                .label("not used by this rule")
                .help(format!(
                    "the fields of \"{rule}\" are: {}",
                    fields_of(rule).join(", ")
                )),
            );
        }
    }
}

/// A required share (a fraction) under `key`.
pub(super) fn share(ck: &mut Checker, t: &mut Table, key: &str, example: &str) -> Option<f64> {
    t.required(ck, key, example)
        .and_then(|n| number(ck, n, key, Bound::Fraction))
}

/// A `debt_ceiling` rule: its `above` and `below` shares and the `ceiling`.
fn read_debt_ceiling(ck: &mut Checker, t: &mut Table) -> Option<Rule> {
    let above = share(ck, t, "above", "0.5");
    let below = share(ck, t, "below", "0.1");
    let ceiling = t
        .required(ck, "ceiling", "600.0")
        .and_then(|n| number(ck, n, "ceiling", Bound::NonNegative(Days)));
    Some(Rule::DebtCeiling {
        ceiling: ceiling?,
        above: above?,
        below: below?,
    })
}

/// An `optimised` rule: its guardrails (default 0 and 1) and deadline confidence.
fn read_optimised(ck: &mut Checker, t: &mut Table) -> Option<Rule> {
    let confidence = t
        .number(ck, "deadline_confidence", Bound::Fraction)
        .unwrap_or(crate::model::DEFAULT_DEADLINE_CONFIDENCE);
    let min = t.number(ck, "min_tech_share", Bound::Fraction);
    let max = t.number(ck, "max_tech_share", Bound::Fraction);
    let (min, max) = (min.unwrap_or(0.0), max.unwrap_or(1.0));
    if min > max {
        ck.report(
            Problem::error(
                t.span(),
                format!("`min_tech_share` {min} exceeds `max_tech_share` {max}"),
            )
            .label("the guardrails leave no room")
            .help("make min_tech_share ≤ max_tech_share"),
        );
        return None;
    }
    Some(Rule::Optimised {
        min_tech_share: min,
        max_tech_share: max,
        deadline_confidence: confidence,
    })
}

/// A `schedule` rule: `phases` for every team, and `team_phases` for teams that differ, each a
/// list of `{ until, tech_share }` in order (`until`: the phase's last period, or a date in
/// it; the last phase runs to the end and leaves `until` out), compiled to a share per team
/// and period.
pub(super) fn read_schedule(
    ck: &mut Checker,
    t: &mut Table,
    horizon: &Horizon,
    teams: &[String],
) -> Option<Rule> {
    // Without a length `[scenario]` has a mistake (reported): no horizon to lay phases on.
    horizon.length?;
    let everyone = t
        .required(
            ck,
            "phases",
            "[{ until = 6, tech_share = 0.4 }, { tech_share = 0.2 }]",
        )
        .and_then(|n| read_phases(ck, n, "phases", horizon));
    let mut tech_share = vec![everyone.clone(); teams.len()];
    if let Some(node) = t.get("team_phases") {
        let Some(entries) = node.entries() else {
            super::fields::expected(ck, node, "team_phases", "a table of team names");
            return None;
        };
        for entry in entries {
            let team = super::resolve_name(ck, entry.key_span, &entry.key, teams, "team");
            let phases = read_phases(ck, &entry.node, &entry.key, horizon);
            if let (Some(team), Some(phases)) = (team, phases) {
                tech_share[team] = Some(phases);
            }
        }
    }
    Some(Rule::Schedule {
        tech_share: tech_share.into_iter().collect::<Option<_>>()?,
    })
}

/// One list of phases as a share per period of the horizon.
fn read_phases(ck: &mut Checker, node: &Node, key: &str, horizon: &Horizon) -> Option<Vec<f64>> {
    let items = array(ck, node, key)?;
    if items.is_empty() {
        ck.report(
            Problem::error(node.span, format!("`{key}` has no phases"))
                .label("empty")
                .help("give at least one phase, e.g. [{ tech_share = 0.2 }]"),
        );
        return None;
    }
    let mut shares = Vec::with_capacity(horizon.periods.min(10_000));
    for (k, item) in items.iter().enumerate() {
        let mut t = Table::new(
            ck,
            item,
            format!("phase {} of `{key}`", k + 1),
            PHASE_FIELDS,
        )?;
        let share = t
            .required(ck, "tech_share", "0.3")
            .and_then(|n| number(ck, n, "tech_share", Bound::Fraction));
        let last = k + 1 == items.len();
        let until = match t.get("until") {
            Some(n) => super::super::fields::period(ck, n, "until", horizon),
            None if last => Some(horizon.periods),
            None => {
                ck.report(
                    Problem::error(item.span, format!("phase {} of `{key}` has no `until`", k + 1))
                        .label("where does this phase end?")
                        .help("only the last phase leaves out `until` (it runs to the end): add `until = 6` or a date"),
                );
                None
            }
        };
        t.finish(ck);
        let (share, until) = (share?, until?);
        if until <= shares.len() {
            ck.report(
                Problem::error(item.span, format!("phase {} of `{key}` ends at period {until}, not after the phase before it (period {})", k + 1, shares.len()))
                    .label("phases must follow one another")
                    .help("give each phase an `until` later than the one before"),
            );
            return None;
        }
        if last && until < horizon.periods {
            ck.report(
                Problem::error(item.span, format!("the last phase of `{key}` ends at period {until}, before the horizon's end (period {})", horizon.periods))
                    .label("what follows it?")
                    .help("leave out `until` in the last phase: it runs to the end"),
            );
            return None;
        }
        shares.resize(until, share);
    }
    Some(shares)
}
