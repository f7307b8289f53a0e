//! From the located value tree to the compiled [`Scenario`]: every field read, every rule of
//! docs/src/reference/validation.md checked, every name resolved to an index, all problems
//! collected.
//!
//! One file per section of the file format; this one reads the file as a whole and resolves
//! references between sections.

mod debt;
mod events;
mod header;
mod initiatives;
pub mod names;
mod okrs;
mod phases;
mod reactive;
mod risks;
mod strategies;
mod teams;

use std::collections::HashMap;

use crate::model::{
    Distribution, Event, Initiative, KeyResult, Risk, Rule, Scenario, Strategy, Team,
};

use crate::model::throughput::per_year;

use super::distribution::distribution;
use super::document::Node;
use super::fields;
use super::fields::{Bound, Checker, Horizon, Table, array, string};
use super::problem::{Problem, Span, did_you_mean, plural};
use debt::{read_debt, read_incidents};
use events::{check_headcount, read_event};
use header::{Header, read_header};
use initiatives::{check_cycles, read_initiative};
use okrs::{read_okrs, warn_unreached_key_results, warn_weightless_sides};
use risks::read_risk;
use strategies::read_strategy;
use teams::{ThroughputReading, read_team};

/// The top-level sections.
pub const ROOT_FIELDS: &[&str] = &[
    "scenario",
    "okrs",
    "debt",
    "incidents",
    "teams",
    "initiatives",
    "risks",
    "events",
    "strategies",
];
/// Every table of the file with the fields its reader accepts, keyed by its path in the schema
/// (`teams[]` is each element of the array `teams`): what `fulcrum schema` is built from.
pub(super) const SECTIONS: [(&str, &[&str]); 16] = [
    ("", ROOT_FIELDS),
    ("scenario", header::SCENARIO_FIELDS),
    ("okrs", okrs::OKR_FIELDS),
    ("okrs.key_results[]", okrs::KR_FIELDS),
    ("debt", debt::DEBT_FIELDS),
    ("incidents", debt::INCIDENT_FIELDS),
    ("teams[]", teams::TEAM_FIELDS),
    ("teams[].hires[]", teams::HIRE_FIELDS),
    ("initiatives[]", initiatives::INITIATIVE_FIELDS),
    ("initiatives[].on_done", initiatives::ON_DONE_FIELDS),
    ("risks[]", risks::RISK_FIELDS),
    ("events[]", events::EVENT_FIELDS),
    ("strategies[]", strategies::STRATEGY_FIELDS),
    ("strategies[].when", reactive::WHEN_FIELDS),
    ("strategies[].when.error_budget", reactive::BUDGET_FIELDS),
    (
        "strategies[].when.unplanned_above",
        reactive::UNPLANNED_FIELDS,
    ),
];
/// The strategy rules, each with its fields (some shared: `tech_share`, `phases`, …).
pub(super) const STRATEGY_RULES: [(&str, &[&str]); 7] = strategies::RULES;
/// Defaults of `[scenario]`.
pub use crate::model::{DEFAULT_SEED, DEFAULT_TRIALS};
/// The default blend of `[okrs]`: product's and technology's key results weigh the same.
pub const DEFAULT_BLEND: f64 = 0.5;

/// Compiles a parsed scenario file. `default_name` names the scenario when `[scenario]` does
/// not. Returns `None` when any error was found (all are in `ck`).
pub fn compile(root: &Node, default_name: &str, ck: &mut Checker) -> Option<Scenario> {
    let errors_before = ck.error_count();
    let mut file = Table::new(ck, root, "the scenario file", ROOT_FIELDS)?;

    let header = header_or_report(ck, root, file.get("scenario"), default_name);
    // Period checks need the horizon; without a valid one, accept any period so that a single
    // mistake is not reported again on every deadline.
    let horizon = Horizon {
        periods: header.as_ref().map_or(usize::MAX / 2, |h| h.periods),
        start: header.as_ref().and_then(|h| h.start),
        length: header.as_ref().map(|h| h.period_length),
        calendar: header.as_ref().map(|h| h.calendar.clone()),
    };

    let team_nodes = list(ck, file.get("teams"), "teams");
    let initiative_nodes = list(ck, file.get("initiatives"), "initiatives");
    let kr_node_list = file.get("okrs").map(|okrs| (okrs, okrs.get("key_results")));
    let kr_nodes = kr_node_list
        .and_then(|(_, krs)| krs)
        .map_or(Vec::new(), |n| list(ck, Some(n), "okrs.key_results"));

    let team_names = names(ck, &team_nodes, "name", "team");
    let initiative_ids = names(ck, &initiative_nodes, "id", "initiative");
    let kr_ids = names(ck, &kr_nodes, "id", "key result");
    let refs = References {
        teams: &team_names,
        initiatives: &initiative_ids,
        key_results: &kr_ids,
    };

    let debt_node = file.get("debt");
    let (debt, default_debt_initial) = read_debt(ck, debt_node);
    let incidents = read_incidents(ck, file.get("incidents"));

    if team_nodes.is_empty() {
        report_no_teams(ck, root);
    }
    let throughput = ThroughputReading {
        method: header
            .as_ref()
            .map_or_else(Default::default, |h| h.throughput_method),
        per_year: header
            .as_ref()
            .map_or(crate::model::PeriodLength::TWO_WEEKS.per_year(), |h| {
                per_year(h.period_length, &h.calendar)
            }),
    };
    let teams: Vec<Option<Team>> = team_nodes
        .iter()
        .map(|n| read_team(ck, n, &horizon, &default_debt_initial, &throughput))
        .collect();

    let (blend, key_results) = match kr_node_list {
        Some((okrs, _)) => read_okrs(ck, okrs, &kr_nodes, &horizon, &refs),
        None => (Some(DEFAULT_BLEND), Vec::new()),
    };

    let initiatives: Vec<Option<Initiative>> = initiative_nodes
        .iter()
        .map(|n| read_initiative(ck, n, &horizon, &refs, &teams, &key_results))
        .collect();
    let risks: Vec<Option<Risk>> = list(ck, file.get("risks"), "risks")
        .iter()
        .map(|n| read_risk(ck, n, &horizon, &refs))
        .collect();
    let event_nodes = list(ck, file.get("events"), "events");
    let events: Vec<Option<Event>> = event_nodes
        .iter()
        .map(|n| read_event(ck, n, &horizon, &refs, &teams))
        .collect();
    let strategy_nodes = list(ck, file.get("strategies"), "strategies");
    names(ck, &strategy_nodes, "name", "strategy");
    let mut strategies: Vec<Option<Strategy>> = strategy_nodes
        .iter()
        .map(|n| read_strategy(ck, n, &horizon, &team_names))
        .collect();
    file.finish(ck);

    check_cycles(ck, &initiative_nodes, &initiative_ids);
    check_headcount(ck, &event_nodes, &events, &teams);
    if initiatives.iter().all(Option::is_some) {
        warn_unreached_key_results(ck, &kr_nodes, &key_results, &initiatives);
    }
    warn_weightless_sides(ck, &kr_nodes, &key_results);
    if strategies.is_empty() {
        strategies.push(Some(product_first(ck, root)));
    }

    if ck.error_count() > errors_before {
        return None;
    }
    let header = header?;
    let key_results: Option<Vec<KeyResult>> = key_results.into_iter().collect();
    Some(Scenario {
        name: header.name,
        question: header.question,
        periods: header.periods,
        period_length: header.period_length,
        start: header.start,
        calendar: header.calendar,
        trials: header.trials,
        seed: header.seed,
        blend: blend?,
        key_results: key_results?,
        debt: debt?,
        incidents: incidents?,
        teams: teams.into_iter().collect::<Option<_>>()?,
        initiatives: initiatives.into_iter().collect::<Option<_>>()?,
        risks: risks.into_iter().collect::<Option<_>>()?,
        events: events.into_iter().collect::<Option<_>>()?,
        strategies: strategies.into_iter().collect::<Option<_>>()?,
    })
}

/// The `[scenario]` table read, or `None` with an error when the file has none.
fn header_or_report(
    ck: &mut Checker,
    root: &Node,
    node: Option<&Node>,
    default_name: &str,
) -> Option<Header> {
    if let Some(node) = node {
        return read_header(ck, node, default_name);
    }
    ck.report(
        Problem::error(
            Span::new(root.span.source, 0, 0),
            "missing the `scenario` table",
        )
        .label("needs [scenario]")
        .help(format!(
            "start the file with:\n{}",
            ck.format
                .section("scenario", &[("name", "\"my-plan\""), ("periods", "26")])
        )),
    );
    None
}

/// The error of a scenario without teams.
fn report_no_teams(ck: &mut Checker, root: &Node) {
    ck.report(
        Problem::error(
            Span::new(root.span.source, 0, 0),
            "the scenario has no teams: add at least one",
        )
        .help(
            ck.format
                .element("teams", &[("name", "\"platform\""), ("engineers", "6")]),
        ),
    );
}

/// The strategy of a scenario without strategies, with a warning that says so.
fn product_first(ck: &mut Checker, root: &Node) -> Strategy {
    ck.report(
        Problem::warning(
            Span::new(root.span.source, 0, 0),
            "no strategies: comparing a single \"product-first\" strategy (fixed_share, tech_share = 0)",
        )
        .help(format!(
            "add strategies to compare, e.g.\n{}",
            ck.format.element(
                "strategies",
                &[("name", "\"80/20\""), ("rule", "\"fixed_share\""), ("tech_share", "0.2")],
            )
        )),
    );
    Strategy {
        name: "product-first".into(),
        rule: Rule::FixedShare { tech_share: 0.0 },
    }
}

/// The names that references may point at, in file order.
struct References<'a> {
    teams: &'a [String],
    initiatives: &'a [String],
    key_results: &'a [String],
}

impl References<'_> {
    fn team(&self, ck: &mut Checker, node: &Node, key: &str) -> Option<usize> {
        resolve(ck, node, key, self.teams, "team")
    }
}

/// Resolves a reference by name to its index, suggesting the nearest name when unknown.
fn resolve(
    ck: &mut Checker,
    node: &Node,
    key: &str,
    names: &[String],
    what: &str,
) -> Option<usize> {
    let name = string(ck, node, key)?;
    resolve_name(ck, node.span, name, names, what)
}

fn resolve_name(
    ck: &mut Checker,
    span: Span,
    name: &str,
    names: &[String],
    what: &str,
) -> Option<usize> {
    let name = names::nfc(name);
    if let Some(i) = names.iter().position(|n| *n == name) {
        return Some(i);
    }
    let help = did_you_mean(&name, names.iter().map(String::as_str)).unwrap_or_else(|| {
        if names.is_empty() {
            format!("the scenario defines no {}", plural(what))
        } else {
            format!("known {}: {}", plural(what), names.join(", "))
        }
    });
    ck.report(
        Problem::error(span, format!("unknown {what} `{}`", names::shown(&name)))
            .label(format!("no {what} has this name"))
            .help(help),
    );
    None
}

/// The tables of an array-of-tables section (empty when absent).
fn list<'n>(ck: &mut Checker, node: Option<&'n Node>, key: &str) -> Vec<&'n Node> {
    match node {
        None => Vec::new(),
        Some(n) => array(ck, n, key).map_or(Vec::new(), |items| items.iter().collect()),
    }
}

/// The `key` field of each table in NFC ([`names`]), reporting names that hide a character
/// and names used twice (also when written in two encodings); unreadable names become "".
fn names(ck: &mut Checker, nodes: &[&Node], key: &str, what: &str) -> Vec<String> {
    // Each name, as first written.
    let mut seen: HashMap<String, &str> = HashMap::new();
    nodes
        .iter()
        .map(|node| {
            let Some(id) = node.get(key) else {
                return String::new();
            };
            let Some(written) = id.as_str() else {
                return String::new();
            };
            if let Some((at, c, kind)) = names::invisible(written) {
                ck.report(
                    Problem::error(
                        id.span,
                        format!(
                            "the {what} {key} `{}` holds {kind}, U+{:04X}, at character {at}",
                            names::shown(written),
                            c as u32
                        ),
                    )
                    .label("prints as nothing, or moves the terminal")
                    .help(format!(
                        "remove it: names are printed in tables and reports, where it would \
                         make two different {} look alike",
                        plural(what)
                    )),
                );
            }
            let name = names::nfc(written);
            match seen.get(&name) {
                Some(first) => {
                    let encodings = if *first != written {
                        " (the same letters in two Unicode encodings, e.g. `é` as one \
                         character and as `e` with a combining accent: fulcrum reads them as \
                         one name)"
                    } else {
                        ""
                    };
                    ck.report(
                        Problem::error(
                            id.span,
                            format!(
                                "two {} are called `{}`{encodings}",
                                plural(what),
                                names::shown(&name)
                            ),
                        )
                        .label("already used above")
                        .help(format!(
                            "each {what} needs its own {key}: rename one of them"
                        )),
                    );
                }
                None => {
                    seen.insert(name.clone(), written);
                }
            }
            name
        })
        .collect()
}

/// A distribution under `key`, or `default` when absent.
fn dist_or(
    ck: &mut Checker,
    t: &mut Table,
    key: &str,
    bound: Bound,
    default: f64,
) -> Option<Distribution> {
    match t.get(key) {
        None => Some(Distribution::Constant(default)),
        Some(n) => distribution(ck, n, key, bound),
    }
}
