//! `[[risks]]`: discrete risks that strike at most once per trial.

use crate::model::Risk;

use super::super::distribution::distribution;
use super::super::document::Node;
use super::super::fields::Quantity::Days;
use super::super::fields::{Bound, Checker, Horizon, Table, array, number, string};
use super::super::problem::Problem;
use super::References;

pub(super) const RISK_FIELDS: &[&str] = &["id", "team", "likelihood", "window", "impact"];
pub(super) fn read_risk(
    ck: &mut Checker,
    node: &Node,
    horizon: &Horizon,
    refs: &References,
) -> Option<Risk> {
    let label = node
        .get("id")
        .and_then(Node::as_str)
        .map_or("[[risks]]".to_string(), |n| format!("risk `{n}`"));
    let mut t = Table::new(ck, node, label, RISK_FIELDS)?;
    let id = t
        .required(ck, "id", "\"pci-audit\"")
        .and_then(|n| string(ck, n, "id"));
    let team = t
        .required(ck, "team", "\"checkout\"")
        .and_then(|n| refs.team(ck, n, "team"));
    let likelihood = t
        .required(ck, "likelihood", "0.3")
        .and_then(|n| number(ck, n, "likelihood", Bound::Fraction));
    let window = match t.get("window") {
        None => Some((1, horizon.periods)),
        Some(n) => array(ck, n, "window").and_then(|items| {
            let [a, b] = items else {
                ck.report(
                    Problem::error(
                        n.span,
                        format!(
                            "`window` takes [first, last], found {} numbers",
                            items.len()
                        ),
                    )
                    .label("expected [first, last]"),
                );
                return None;
            };
            let first = super::fields::period(ck, a, "window", horizon)?;
            let last = super::fields::period(ck, b, "window", horizon)?;
            if first > last {
                ck.report(
                    Problem::error(
                        n.span,
                        format!("`window` starts after it ends: [{first}, {last}]"),
                    )
                    .label("first must not exceed last")
                    .help(format!("write [{last}, {first}]")),
                );
                return None;
            }
            Some((first, last))
        }),
    };
    let impact = t
        .required(ck, "impact", "\"5 to 20\"")
        .and_then(|n| distribution(ck, n, "impact", Bound::NonNegative(Days)));
    t.finish(ck);
    Some(Risk {
        id: id?.to_string(),
        team: team?,
        likelihood: likelihood?,
        window: window?,
        impact: impact?,
    })
}
