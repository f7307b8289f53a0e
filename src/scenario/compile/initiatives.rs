//! `[[initiatives]]`: the work, its size, what it contributes, its dependencies and its
//! `on_done` effects; and the check for dependency cycles.

use crate::model::{Distribution, Initiative, KeyResult, Kind, Measure, OnDone, Team};

use super::super::distribution::distribution;
use super::super::document::{Node, Value};
use super::super::fields::Quantity::{self, Change, Days, Engineers};
use super::super::fields::{Bound, Checker, Horizon, Table, array, number, string};
use super::super::problem::Problem;
use super::teams::measured_in_capacity;
use super::{References, resolve, resolve_name};

pub(super) const INITIATIVE_FIELDS: &[&str] = &[
    "id",
    "description",
    "kind",
    "team",
    "effort",
    "scope_growth",
    "max_engineers",
    "contributes",
    "deadline",
    "must_finish",
    "after",
    "priority",
    "on_done",
];
pub(super) const ON_DONE_FIELDS: &[&str] = &["debt", "accrual", "incident_rate", "capacity"];
pub(super) fn read_initiative(
    ck: &mut Checker,
    node: &Node,
    horizon: &Horizon,
    refs: &References,
    teams: &[Option<Team>],
    key_results: &[Option<KeyResult>],
) -> Option<Initiative> {
    let label = node
        .get("id")
        .and_then(Node::as_str)
        .map_or("[[initiatives]]".to_string(), |n| {
            format!("initiative `{n}`")
        });
    let mut t = Table::new(ck, node, label, INITIATIVE_FIELDS)?;
    let id = t
        .required(ck, "id", "\"one-click-checkout\"")
        .and_then(|n| string(ck, n, "id"));
    let description = t.string(ck, "description").map(str::to_string);
    let kind = t
        .required(ck, "kind", "\"product\"")
        .and_then(|n| super::fields::named(ck, n, "kind", &Kind::ALL, Kind::as_str));
    let team = t
        .required(ck, "team", "\"checkout\"")
        .and_then(|n| refs.team(ck, n, "team"));
    let effort = t
        .required(ck, "effort", "\"40 to 90\"")
        .and_then(|n| distribution(ck, n, "effort", Bound::NonNegative(Days)));
    let scope_growth = match t.get("scope_growth") {
        None => Some(None),
        Some(n) => distribution(ck, n, "scope_growth", Bound::Change(Change)).map(Some),
    };
    let max_engineers = read_max_engineers(ck, &mut t, teams, team);
    let contributes = match t.get("contributes") {
        None => Some(Vec::new()),
        Some(n) => read_contributions(ck, n, refs, key_results),
    };
    let deadline = if t.has("deadline") {
        t.period(ck, "deadline", horizon).map(Some)
    } else {
        Some(None)
    };
    let must_finish = t.boolean(ck, "must_finish").unwrap_or(false);
    let after = read_after(ck, &mut t, refs);
    let priority = t.integer(ck, "priority");
    let on_done = match t.get("on_done") {
        None => Some(OnDone::default()),
        Some(n) => read_on_done(ck, n),
    };
    t.finish(ck);
    Some(Initiative {
        id: super::names::nfc(id?),
        description,
        kind: kind?,
        team: team?,
        effort: effort?,
        scope_growth: scope_growth?,
        max_engineers: max_engineers?,
        contributes: contributes?,
        deadline: deadline?,
        must_finish,
        after: after?,
        priority,
        on_done: on_done?,
    })
}

/// `max_engineers`, refused on a `team` measured in capacity.
fn read_max_engineers(
    ck: &mut Checker,
    t: &mut Table,
    teams: &[Option<Team>],
    team: Option<usize>,
) -> Option<Option<f64>> {
    match t.get("max_engineers") {
        None => Some(None),
        Some(n) => {
            if measured_in_capacity(teams, team) {
                ck.report(
                    Problem::error(
                        n.span,
                        "`max_engineers` needs a team measured in `engineers`",
                    )
                    .label("this initiative's team sets `capacity`")
                    .help(
                        "remove `max_engineers`: a capacity team's work is not split by engineer",
                    ),
                );
                None
            } else {
                number(ck, n, "max_engineers", Bound::Positive(Engineers)).map(Some)
            }
        }
    }
}

/// `after`: the initiatives this one waits for, by id.
fn read_after(ck: &mut Checker, t: &mut Table, refs: &References) -> Option<Vec<usize>> {
    match t.get("after") {
        None => Some(Vec::new()),
        Some(n) => array(ck, n, "after").and_then(|items| {
            items
                .iter()
                .map(|item| resolve(ck, item, "after", refs.initiatives, "initiative"))
                .collect::<Vec<_>>()
                .into_iter()
                .collect()
        }),
    }
}

pub(super) fn read_contributions(
    ck: &mut Checker,
    node: &Node,
    refs: &References,
    key_results: &[Option<KeyResult>],
) -> Option<Vec<(usize, Distribution)>> {
    let Some(entries) = node.entries() else {
        super::fields::expected(ck, node, "contributes", "a table of key result = value");
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for entry in entries {
        let Some(k) = resolve_name(
            ck,
            entry.key_span,
            &entry.key,
            refs.key_results,
            "key result",
        ) else {
            ok = false;
            continue;
        };
        if let Some(Some(kr)) = key_results.get(k)
            && matches!(kr.measure, Measure::Metric { .. })
        {
            ck.report(
                Problem::error(entry.key_span, format!("`{}` is a metric key result: initiatives cannot contribute to it", entry.key))
                    .label("measured by the simulated metric")
                    .help("remove it from `contributes`; the initiative's `on_done` effects move the metric"),
            );
            ok = false;
            continue;
        }
        match distribution(ck, &entry.node, &entry.key, Bound::Any(Quantity::Value)) {
            Some(d) => out.push((k, d)),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

pub(super) fn read_on_done(ck: &mut Checker, node: &Node) -> Option<OnDone> {
    let mut t = Table::new(ck, node, "`on_done`", ON_DONE_FIELDS)?;
    let mut read = |key: &str, bound: Bound| match t.get(key) {
        None => Some(None),
        Some(n) => distribution(ck, n, key, bound).map(Some),
    };
    let debt = read("debt", Bound::Any(Days));
    let accrual = read("accrual", Bound::Change(Change));
    let incident_rate = read("incident_rate", Bound::Change(Change));
    let capacity = read("capacity", Bound::Change(Change));
    t.finish(ck);
    Some(OnDone {
        debt: debt?,
        accrual: accrual?,
        incident_rate: incident_rate?,
        capacity: capacity?,
    })
}

/// Reports each dependency cycle once, printed as a → b → a, at the `after` of the
/// initiative that closes it. Works on the written `after` lists, so a cycle is found even when
/// its initiatives have other mistakes.
pub(super) fn check_cycles(ck: &mut Checker, nodes: &[&Node], ids: &[String]) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let deps: Vec<Vec<usize>> = nodes
        .iter()
        .map(|node| match node.get("after").map(|a| &a.value) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|item| item.as_str())
                .filter_map(|name| ids.iter().position(|id| id == name))
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let mut mark = vec![Mark::New; nodes.len()];
    for root in 0..nodes.len() {
        if mark[root] != Mark::New {
            continue;
        }
        // Iterative depth-first search; `path` is the chain of open initiatives.
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = Mark::Open;
        while let Some(&mut (i, ref mut next)) = path.last_mut() {
            let Some(&d) = deps[i].get(*next) else {
                mark[i] = Mark::Done;
                path.pop();
                continue;
            };
            *next += 1;
            match mark[d] {
                Mark::New => {
                    mark[d] = Mark::Open;
                    path.push((d, 0));
                }
                Mark::Open => {
                    let start = path.iter().position(|(p, _)| *p == d).unwrap_or(0);
                    let mut cycle: Vec<&str> = path[start..]
                        .iter()
                        .map(|(p, _)| ids[*p].as_str())
                        .collect();
                    cycle.push(ids[d].as_str());
                    let span = nodes[i].get("after").map_or(nodes[i].span, |n| n.span);
                    ck.report(
                        Problem::error(span, format!("dependency cycle: {}", cycle.join(" → ")))
                            .label("closes the cycle")
                            .help("an initiative cannot wait, directly or not, for itself: remove one of these `after` links"),
                    );
                }
                Mark::Done => {}
            }
        }
    }
}
