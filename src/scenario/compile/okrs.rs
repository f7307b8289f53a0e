//! `[okrs]` and `[[okrs.key_results]]`: the blend and each key result, delivery or metric.

use crate::model::{Goal, Initiative, KeyResult, Measure, Metric, Owner};

use super::super::document::Node;
use super::super::fields::Quantity::{Days, Incidents, Value, Weight};
use super::super::fields::{Bound, Checker, Horizon, Table, number, string};
use super::super::problem::Problem;
use super::super::syntax::Format;
use super::{DEFAULT_BLEND, References};

pub(super) const OKR_FIELDS: &[&str] = &["blend", "key_results"];
pub(super) const KR_FIELDS: &[&str] = &[
    "id",
    "description",
    "owner",
    "target",
    "weight",
    "deadline",
    "metric",
    "below",
    "above",
    "team",
];
pub(super) fn read_okrs(
    ck: &mut Checker,
    okrs: &Node,
    kr_nodes: &[&Node],
    horizon: &Horizon,
    refs: &References,
) -> (Option<f64>, Vec<Option<KeyResult>>) {
    let Some(mut t) = Table::new(ck, okrs, "[okrs]", OKR_FIELDS) else {
        return (None, Vec::new());
    };
    let blend = match t.get("blend") {
        None => Some(DEFAULT_BLEND),
        Some(n) => number(ck, n, "blend", Bound::Fraction),
    };
    t.get("key_results");
    t.finish(ck);
    let krs = kr_nodes
        .iter()
        .map(|n| read_key_result(ck, n, horizon, refs))
        .collect();
    (blend, krs)
}

pub(super) fn read_key_result(
    ck: &mut Checker,
    node: &Node,
    horizon: &Horizon,
    refs: &References,
) -> Option<KeyResult> {
    let label = node
        .get("id")
        .and_then(Node::as_str)
        .map_or("[[okrs.key_results]]".to_string(), |n| {
            format!("key result `{n}`")
        });
    let mut t = Table::new(ck, node, label, KR_FIELDS)?;
    let id = t
        .required(ck, "id", "\"checkout-conversion\"")
        .and_then(|n| string(ck, n, "id"));
    let description = t.string(ck, "description").map(str::to_string);
    let owner = t
        .required(ck, "owner", "\"product\"")
        .and_then(|n| super::fields::named(ck, n, "owner", &Owner::ALL, Owner::as_str));
    let weight = match t.get("weight") {
        None => Some(1.0),
        Some(n) => number(ck, n, "weight", Bound::NonNegative(Weight)),
    };
    let deadline = match t.get("deadline") {
        None => Some(horizon.periods),
        Some(n) => super::fields::period(ck, n, "deadline", horizon),
    };
    let measure = if t.has("metric") {
        read_metric(ck, &mut t, refs)
    } else {
        read_delivery(ck, &mut t)
    };
    t.finish(ck);
    Some(KeyResult {
        id: super::names::nfc(id?),
        description,
        owner: owner?,
        weight: weight?,
        deadline: deadline?,
        measure: measure?,
    })
}

/// Warns about an owner whose key results all weigh 0: its side then counts for nothing in the
/// blended score, as if it had no key results, whatever `blend` says.
pub(super) fn warn_weightless_sides(
    ck: &mut Checker,
    nodes: &[&Node],
    key_results: &[Option<KeyResult>],
) {
    for owner in [Owner::Product, Owner::Technology] {
        let mut of_owner = key_results
            .iter()
            .enumerate()
            .filter_map(|(k, kr)| kr.as_ref().map(|kr| (k, kr)))
            .filter(|(_, kr)| kr.owner == owner)
            .peekable();
        let Some(&(first, _)) = of_owner.peek() else {
            continue;
        };
        if of_owner.all(|(_, kr)| kr.weight == 0.0) {
            let span = nodes[first]
                .get("weight")
                .map_or(nodes[first].span, |n| n.span);
            ck.report(
                Problem::warning(
                    span,
                    format!(
                        "every {} key result has weight 0: that side is left out of the blended score",
                        owner.as_str()
                    ),
                )
                .label("weight 0")
                .help(format!(
                    "give one of them a weight above 0, or set `{}` to leave the side out on purpose",
                    ck.format.field("blend", if owner == Owner::Product { "0.0" } else { "1.0" })
                )),
            );
        }
    }
}

/// Warns about delivery key results no initiative contributes to: they can never be met.
pub(super) fn warn_unreached_key_results(
    ck: &mut Checker,
    nodes: &[&Node],
    key_results: &[Option<KeyResult>],
    initiatives: &[Option<Initiative>],
) {
    for (k, kr) in key_results.iter().enumerate() {
        let Some(kr) = kr else { continue };
        if !matches!(kr.measure, Measure::Delivery { .. }) {
            continue;
        }
        let reached = initiatives
            .iter()
            .flatten()
            .any(|i| i.contributes.iter().any(|(c, _)| *c == k));
        if !reached {
            let span = nodes[k].get("id").map_or(nodes[k].span, |n| n.span);
            ck.report(
                Problem::warning(
                    span,
                    format!("no initiative contributes to key result `{}`", kr.id),
                )
                .label("its attainment will be 0")
                .help(format!(
                    "add `{}` to the initiatives that move it",
                    ck.format.field(
                        "contributes",
                        &ck.format.inline(&[(&kr_key(ck.format, &kr.id), "1.0")])
                    )
                )),
            );
        }
    }
}

/// A key result id as a key of an inline table: bare in TOML when it can be, always quoted in
/// JSON (the inline-table writer quotes JSON keys itself).
fn kr_key(format: Format, id: &str) -> String {
    let bare = id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    match format {
        Format::Toml if !bare => format!("\"{id}\""),
        _ => id.to_string(),
    }
}

/// A metric key result's measure: `metric`, exactly one of `below` and `above`, and an
/// optional `team` (never a `target`).
fn read_metric(ck: &mut Checker, t: &mut Table, refs: &References) -> Option<Measure> {
    if let Some(n) = t.get("target") {
        ck.report(
            Problem::error(
                n.span,
                format!("{} has both `metric` and `target`", t.what()),
            )
            .label("a metric key result has no target")
            .help(
                "a metric key result uses `below` or `above`; a delivery key result uses `target`",
            ),
        );
    }
    let metric = t.named(ck, "metric", &Metric::ALL, Metric::as_str);
    // The level is in the metric's unit: debt and product work in engineer-days, drag a
    // fraction.
    let level = match metric {
        Some(Metric::Incidents) => Bound::NonNegative(Incidents),
        Some(Metric::Drag) => Bound::Fraction,
        Some(Metric::Debt | Metric::ProductWork) | None => Bound::NonNegative(Days),
    };
    let goal = match (t.get("below"), t.get("above")) {
        (Some(n), None) => number(ck, n, "below", level).map(Goal::Below),
        (None, Some(n)) => number(ck, n, "above", level).map(Goal::Above),
        (Some(_), Some(_)) | (None, None) => {
            ck.report(
                Problem::error(
                    t.span(),
                    format!("{} needs exactly one of `below` and `above`", t.what()),
                )
                .label("the level the metric must reach")
                .help(format!(
                    "e.g. `{}` for debt",
                    ck.format.field("below", "300.0")
                )),
            );
            None
        }
    };
    let team = match t.get("team") {
        None => Some(None),
        Some(n) => refs.team(ck, n, "team").map(Some),
    };
    Some(Measure::Metric {
        metric: metric?,
        goal: goal?,
        team: team?,
    })
}

/// A delivery key result's measure: its `target` (never a metric's `below`, `above` or
/// `team`).
fn read_delivery(ck: &mut Checker, t: &mut Table) -> Option<Measure> {
    for key in ["below", "above", "team"] {
        if let Some(n) = t.get(key) {
            ck.report(
                Problem::error(
                    n.span,
                    format!("`{key}` only applies to a metric key result"),
                )
                .label("no `metric` is set")
                .help(format!(
                    "add `{}` (or \"incidents\", \"drag\", \"product_work\"), or remove this field",
                    ck.format.field("metric", "\"debt\"")
                )),
            );
        }
    }
    t.required(ck, "target", "3.0")
        .and_then(|n| number(ck, n, "target", Bound::Positive(Value)))
        .map(|target| Measure::Delivery { target })
}
