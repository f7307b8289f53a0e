//! `[[strategies]]`: the allocation rules to compare and their fields.

use crate::model::{Rule, Strategy};

use super::super::document::Node;
use super::super::fields::Quantity::Days;
use super::super::fields::{Bound, Checker, Table, number, string};
use super::super::problem::Problem;

const STRATEGY_FIELDS: &[&str] = &[
    "name",
    "rule",
    "tech_share",
    "ceiling",
    "above",
    "below",
    "min_tech_share",
    "max_tech_share",
    "deadline_confidence",
];
const RULES: &[&str] = &["fixed_share", "debt_ceiling", "optimised"];

pub(super) fn read_strategy(ck: &mut Checker, node: &Node) -> Option<Strategy> {
    let label = node
        .get("name")
        .and_then(Node::as_str)
        .map_or("[[strategies]]".to_string(), |n| format!("strategy `{n}`"));
    let mut t = Table::new(ck, node, label, STRATEGY_FIELDS)?;
    let name = t
        .required(ck, "name", "\"80/20\"")
        .and_then(|n| string(ck, n, "name"));
    let rule_name = t
        .required(ck, "rule", "\"fixed_share\"")
        .and_then(|n| super::fields::choice(ck, n, "rule", RULES));
    let fields_of = |rule: &str| -> &'static [&'static str] {
        match rule {
            "fixed_share" => &["tech_share"],
            "debt_ceiling" => &["ceiling", "above", "below"],
            _ => &["min_tech_share", "max_tech_share", "deadline_confidence"],
        }
    };
    let rule = rule_name.and_then(|rule| {
        for other in RULES.iter().filter(|r| **r != rule) {
            for key in fields_of(other) {
                if let Some(n) = t.get(key) {
                    ck.report(
                        Problem::error(
                            n.span,
                            format!("`{key}` belongs to rule \"{other}\", not \"{rule}\""),
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
        let mut share = |key: &str, example: &str| {
            t.required(ck, key, example)
                .and_then(|n| number(ck, n, key, Bound::Fraction))
        };
        match rule {
            "fixed_share" => {
                share("tech_share", "0.2").map(|tech_share| Rule::FixedShare { tech_share })
            }
            "debt_ceiling" => {
                let above = share("above", "0.5");
                let below = share("below", "0.1");
                let ceiling = t
                    .required(ck, "ceiling", "600.0")
                    .and_then(|n| number(ck, n, "ceiling", Bound::NonNegative(Days)));
                Some(Rule::DebtCeiling {
                    ceiling: ceiling?,
                    above: above?,
                    below: below?,
                })
            }
            _ => {
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
        }
    });
    t.finish(ck);
    Some(Strategy {
        name: name?.to_string(),
        rule: rule?,
    })
}
