//! `[[strategies]]`: the allocation rules to compare and their fields.

use crate::model::reactive::ReactiveForm::{ErrorBudget, LightsOnCap};
use crate::model::{Rule, Strategy};

use super::super::document::Node;
use super::super::fields::Quantity::Days;
use super::super::fields::{Bound, Checker, Horizon, Table, number, string};
use super::super::problem::Problem;
use super::phases::{read_schedule, share};
use super::reactive::{read_one_trigger, read_reactive};

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
                "error_budget" => read_one_trigger(ck, &mut t, horizon, teams.len(), ErrorBudget),
                "lights_on_cap" => read_one_trigger(ck, &mut t, horizon, teams.len(), LightsOnCap),
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
