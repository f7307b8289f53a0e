//! From the located value tree to the compiled [`Scenario`]: every field read, every rule of
//! DESIGN §1 "Validation" checked, every name resolved to an index, all problems collected.

use std::collections::HashSet;

use crate::model::{
    CapacityChange, DebtModel, Distribution, Event, Goal, Hire, IncidentModel, Initiative,
    KeyResult, Kind, Measure, Metric, OnDone, Owner, PeriodLength, Risk, Rule, Scenario, Staff,
    Strategy, Team, Workforce,
};

use super::distribution::distribution;
use super::document::{Node, Value};
use super::fields::{Bound, Checker, Table, array, integer, number, string};
use super::problem::{Problem, Span, did_you_mean};

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
const SCENARIO_FIELDS: &[&str] = &[
    "name",
    "question",
    "periods",
    "period",
    "start",
    "trials",
    "seed",
    "holidays",
    "weekends_off",
];
const OKR_FIELDS: &[&str] = &["blend", "key_results"];
const KR_FIELDS: &[&str] = &[
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
const DEBT_FIELDS: &[&str] = &[
    "initial",
    "interest",
    "accrual",
    "paydown_efficiency",
    "drag_max",
    "drag_half",
];
const INCIDENT_FIELDS: &[&str] = &["base_rate", "debt_sensitivity", "cost"];
const TEAM_FIELDS: &[&str] = &[
    "name",
    "engineers",
    "days_per_engineer",
    "availability",
    "hires",
    "ramp_periods",
    "attrition",
    "debt_initial",
    "capacity",
];
/// Team fields that only make sense for a team measured in engineers.
const STAFF_FIELDS: &[&str] = &[
    "days_per_engineer",
    "availability",
    "hires",
    "ramp_periods",
    "attrition",
];
const HIRE_FIELDS: &[&str] = &["period", "engineers"];
const INITIATIVE_FIELDS: &[&str] = &[
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
const ON_DONE_FIELDS: &[&str] = &["debt", "accrual", "incident_rate", "capacity"];
const RISK_FIELDS: &[&str] = &["id", "team", "likelihood", "window", "impact"];
const EVENT_FIELDS: &[&str] = &["name", "team", "periods", "engineers", "capacity"];
const STRATEGY_FIELDS: &[&str] = &[
    "name",
    "rule",
    "tech_share",
    "ceiling",
    "above",
    "below",
    "min_tech_share",
    "max_tech_share",
];
const RULES: &[&str] = &["fixed_share", "debt_ceiling", "optimised"];

/// Defaults of `[scenario]`.
pub const DEFAULT_TRIALS: u64 = 10_000;
pub const DEFAULT_SEED: u64 = 42;
pub const DEFAULT_BLEND: f64 = 0.5;

/// Compiles a parsed scenario file. `default_name` names the scenario when `[scenario]` does
/// not. Returns `None` when any error was found (all are in `ck`).
pub fn compile(root: &Node, default_name: &str, ck: &mut Checker) -> Option<Scenario> {
    let errors_before = ck.error_count();
    let mut file = Table::new(ck, root, "the scenario file", ROOT_FIELDS)?;

    let header = match file.get("scenario") {
        Some(node) => read_header(ck, node, default_name),
        None => {
            ck.report(
                Problem::error(
                    Span::new(root.span.source, 0, 0),
                    "missing the [scenario] table",
                )
                .label("needs [scenario]")
                .help("start the file with:\n[scenario]\nname = \"my-plan\"\nperiods = 26"),
            );
            None
        }
    };
    // Period checks need the horizon; without a valid one, accept any period so that a single
    // mistake is not reported again on every deadline.
    let periods = header.as_ref().map_or(usize::MAX / 2, |h| h.periods);
    let period_length = header
        .as_ref()
        .map_or(PeriodLength::TWO_WEEKS, |h| h.period_length);

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
        ck.report(
            Problem::error(
                Span::new(root.span.source, 0, 0),
                "the scenario has no teams: add at least one [[teams]]",
            )
            .help("[[teams]]\nname = \"platform\"\nengineers = 6"),
        );
    }
    let teams: Vec<Option<Team>> = team_nodes
        .iter()
        .map(|n| read_team(ck, n, periods, period_length, &default_debt_initial))
        .collect();

    let (blend, key_results) = match kr_node_list {
        Some((okrs, _)) => read_okrs(ck, okrs, &kr_nodes, periods, &refs),
        None => (Some(DEFAULT_BLEND), Vec::new()),
    };

    let initiatives: Vec<Option<Initiative>> = initiative_nodes
        .iter()
        .map(|n| read_initiative(ck, n, periods, &refs, &teams, &key_results))
        .collect();
    let risks: Vec<Option<Risk>> = list(ck, file.get("risks"), "risks")
        .iter()
        .map(|n| read_risk(ck, n, periods, &refs))
        .collect();
    let events: Vec<Option<Event>> = list(ck, file.get("events"), "events")
        .iter()
        .map(|n| read_event(ck, n, periods, &refs, &teams))
        .collect();
    let strategy_nodes = list(ck, file.get("strategies"), "strategies");
    names(ck, &strategy_nodes, "name", "strategy");
    let mut strategies: Vec<Option<Strategy>> = strategy_nodes
        .iter()
        .map(|n| read_strategy(ck, n))
        .collect();
    file.finish(ck);

    check_cycles(ck, &initiative_nodes, &initiative_ids);
    if initiatives.iter().all(Option::is_some) {
        warn_unreached_key_results(ck, &kr_nodes, &key_results, &initiatives);
    }
    if strategies.is_empty() {
        ck.report(
            Problem::warning(
                Span::new(root.span.source, 0, 0),
                "no [[strategies]]: comparing a single \"product-first\" strategy (fixed_share, tech_share = 0)",
            )
            .help("add strategies to compare, e.g.\n[[strategies]]\nname = \"80/20\"\nrule = \"fixed_share\"\ntech_share = 0.2"),
        );
        strategies.push(Some(Strategy {
            name: "product-first".into(),
            rule: Rule::FixedShare { tech_share: 0.0 },
        }));
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
    if let Some(i) = names.iter().position(|n| n == name) {
        return Some(i);
    }
    let help = did_you_mean(name, names.iter().map(String::as_str)).unwrap_or_else(|| {
        if names.is_empty() {
            format!("the scenario defines no {what}")
        } else {
            format!("known {what}s: {}", names.join(", "))
        }
    });
    ck.report(
        Problem::error(span, format!("unknown {what} `{name}`"))
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

/// The `key` field of each table, reporting duplicates; unreadable names become "".
fn names(ck: &mut Checker, nodes: &[&Node], key: &str, what: &str) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::new();
    nodes
        .iter()
        .map(|node| {
            let Some(id) = node.get(key) else {
                return String::new();
            };
            let Some(name) = id.as_str() else {
                return String::new();
            };
            if seen.contains(name) {
                ck.report(
                    Problem::error(id.span, format!("two {what}s are called `{name}`"))
                        .label("already used above")
                        .help(format!(
                            "each {what} needs its own {key}: rename one of them"
                        )),
                );
            } else {
                seen.insert(name.to_string());
            }
            name.to_string()
        })
        .collect()
}

struct Header {
    name: String,
    question: Option<String>,
    periods: usize,
    period_length: PeriodLength,
    start: Option<crate::model::Date>,
    calendar: crate::model::Calendar,
    trials: u64,
    seed: u64,
}

fn read_header(ck: &mut Checker, node: &Node, default_name: &str) -> Option<Header> {
    let mut t = Table::new(ck, node, "[scenario]", SCENARIO_FIELDS)?;
    let name = match t.get("name") {
        Some(n) => string(ck, n, "name").and_then(|s| folder_name(ck, n, s)),
        None => Some(default_name.to_string()),
    };
    let question = t.string(ck, "question").map(str::to_string);
    let periods = t.required(ck, "periods", "26").and_then(|n| {
        let p = integer(ck, n, "periods")?;
        if !(1..=10_000).contains(&p) {
            ck.report(
                Problem::error(
                    n.span,
                    format!("`periods` must be from 1 to 10000, found {p}"),
                )
                .label("the horizon needs at least one period"),
            );
            return None;
        }
        Some(p as usize)
    });
    let period_length = match t.get("period") {
        None => Some(PeriodLength::TWO_WEEKS),
        Some(n) => string(ck, n, "period").and_then(|s| {
            s.parse::<PeriodLength>()
                .map_err(|why| {
                    ck.report(
                        Problem::error(n.span, format!("`period`: {why}"))
                            .label("a period length")
                            .help("write \"1w\", \"2w\", \"1mo\" or \"1q\""),
                    )
                })
                .ok()
        }),
    };
    let start = t.get("start").and_then(|n| date(ck, n, "start"));
    let holidays: Vec<crate::model::Date> = match t.get("holidays") {
        None => Vec::new(),
        Some(n) => array(ck, n, "holidays")
            .unwrap_or(&[])
            .iter()
            .filter_map(|d| date(ck, d, "holidays"))
            .collect(),
    };
    let weekends_off = t.boolean(ck, "weekends_off");
    let trials = match t.get("trials") {
        None => Some(DEFAULT_TRIALS),
        Some(n) => positive_count(ck, n, "trials"),
    };
    let seed = match t.get("seed") {
        None => Some(DEFAULT_SEED),
        Some(n) => integer(ck, n, "seed").and_then(|s| {
            u64::try_from(s)
                .map_err(|_| ck.error(n.span, format!("`seed` must be at least 0, found {s}")))
                .ok()
        }),
    };
    t.finish(ck);
    let period_length = period_length?;
    Some(Header {
        name: name?,
        question,
        periods: periods?,
        period_length,
        start,
        calendar: crate::model::Calendar::for_period(period_length, weekends_off, holidays),
        trials: trials?,
        seed: seed?,
    })
}

/// A date: a TOML date or a `YYYY-MM-DD` string.
fn date(ck: &mut Checker, n: &Node, key: &str) -> Option<crate::model::Date> {
    let text = match &n.value {
        Value::Datetime(s) | Value::String(s) => s.as_str(),
        _ => {
            super::fields::expected(ck, n, key, "a date such as 2027-01-04");
            return None;
        }
    };
    text.parse()
        .map_err(|why: String| {
            ck.report(Problem::error(n.span, format!("`{key}`: {why}")).label("not a date"))
        })
        .ok()
}

/// A scenario name usable as a folder under `output/`.
fn folder_name(ck: &mut Checker, node: &Node, name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Some(name.to_string())
    } else {
        ck.report(
            Problem::error(
                node.span,
                format!("`name` \"{name}\" cannot be a folder name"),
            )
            .label("used as output/<name>/")
            .help("use letters, digits, '-', '_' and '.', e.g. \"checkout-2027\""),
        );
        None
    }
}

fn positive_count(ck: &mut Checker, node: &Node, key: &str) -> Option<u64> {
    let n = integer(ck, node, key)?;
    if n < 1 {
        ck.error(node.span, format!("`{key}` must be at least 1, found {n}"));
        return None;
    }
    Some(n as u64)
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

fn read_debt(ck: &mut Checker, node: Option<&Node>) -> (Option<DebtModel>, Distribution) {
    let zero = Distribution::Constant(0.0);
    let Some(node) = node else {
        let model = DebtModel {
            interest: zero.clone(),
            accrual: zero.clone(),
            paydown_efficiency: Distribution::Constant(1.0),
            drag_max: 0.0,
            drag_half: 1.0,
        };
        return (Some(model), zero);
    };
    let Some(mut t) = Table::new(ck, node, "[debt]", DEBT_FIELDS) else {
        return (None, zero);
    };
    let initial = dist_or(ck, &mut t, "initial", Bound::NonNegative, 0.0);
    let interest = dist_or(ck, &mut t, "interest", Bound::Change, 0.0);
    let accrual = dist_or(ck, &mut t, "accrual", Bound::NonNegative, 0.0);
    let paydown_efficiency = dist_or(ck, &mut t, "paydown_efficiency", Bound::NonNegative, 1.0);
    let drag_max = t.number(ck, "drag_max", Bound::BelowOne);
    let drag_half = t.number(ck, "drag_half", Bound::Positive);
    if t.has("drag_max") && !t.has("drag_half") {
        ck.report(
            Problem::error(t.span(), "[debt] sets `drag_max` but not `drag_half`")
                .label("needs `drag_half`")
                .help("add `drag_half = 800.0`: the debt (engineer-days) at which drag is half of drag_max"),
        );
    }
    t.finish(ck);
    let model = (|| {
        Some(DebtModel {
            interest: interest?,
            accrual: accrual?,
            paydown_efficiency: paydown_efficiency?,
            drag_max: drag_max.unwrap_or(0.0),
            drag_half: drag_half.unwrap_or(1.0),
        })
    })();
    (model, initial.unwrap_or(zero))
}

fn read_incidents(ck: &mut Checker, node: Option<&Node>) -> Option<IncidentModel> {
    let Some(node) = node else {
        return Some(IncidentModel {
            base_rate: Distribution::Constant(0.0),
            debt_sensitivity: 0.0,
            cost: Distribution::Constant(1.0),
        });
    };
    let mut t = Table::new(ck, node, "[incidents]", INCIDENT_FIELDS)?;
    let base_rate = dist_or(ck, &mut t, "base_rate", Bound::NonNegative, 0.0);
    let debt_sensitivity = match t.get("debt_sensitivity") {
        None => Some(0.0),
        Some(n) => number(ck, n, "debt_sensitivity", Bound::NonNegative),
    };
    let cost = dist_or(ck, &mut t, "cost", Bound::NonNegative, 1.0);
    t.finish(ck);
    Some(IncidentModel {
        base_rate: base_rate?,
        debt_sensitivity: debt_sensitivity?,
        cost: cost?,
    })
}

fn read_team(
    ck: &mut Checker,
    node: &Node,
    periods: usize,
    period_length: PeriodLength,
    default_debt_initial: &Distribution,
) -> Option<Team> {
    let label = node
        .get("name")
        .and_then(Node::as_str)
        .map_or("[[teams]]".to_string(), |n| format!("team `{n}`"));
    let mut t = Table::new(ck, node, label, TEAM_FIELDS)?;
    let name = t
        .required(ck, "name", "\"platform\"")
        .and_then(|n| string(ck, n, "name"));
    let debt_initial = match t.get("debt_initial") {
        None => Some(default_debt_initial.clone()),
        Some(n) => distribution(ck, n, "debt_initial", Bound::NonNegative),
    };
    let workforce = match (t.has("engineers"), t.has("capacity")) {
        (true, true) => {
            ck.report(
                Problem::error(t.span(), format!("{} sets both `engineers` and `capacity`", t.what()))
                    .label("one or the other")
                    .help("use `engineers` (capacity = engineers × days × availability) or `capacity` (units per period), not both"),
            );
            t.get("engineers");
            t.get("capacity");
            None
        }
        (false, false) => {
            ck.report(
                Problem::error(
                    t.span(),
                    format!("{} needs `engineers` or `capacity`", t.what()),
                )
                .label("no capacity")
                .help("add `engineers = 6`, or `capacity = \"50 to 70\"` (units per period)"),
            );
            None
        }
        (false, true) => {
            for key in STAFF_FIELDS {
                if let Some(n) = t.get(key) {
                    ck.report(
                        Problem::error(n.span, format!("`{key}` only applies to a team measured in `engineers`"))
                            .label("this team sets `capacity`")
                            .help(format!("remove `{key}`, or describe the team with `engineers` instead of `capacity`")),
                    );
                }
            }
            t.get("capacity")
                .and_then(|n| distribution(ck, n, "capacity", Bound::NonNegative))
                .map(Workforce::Capacity)
        }
        (true, false) => read_staff(ck, &mut t, periods, period_length).map(Workforce::Engineers),
    };
    t.finish(ck);
    Some(Team {
        name: name?.to_string(),
        workforce: workforce?,
        debt_initial: debt_initial?,
    })
}

fn read_staff(
    ck: &mut Checker,
    t: &mut Table,
    periods: usize,
    period_length: PeriodLength,
) -> Option<Staff> {
    let engineers = t.number(ck, "engineers", Bound::NonNegative);
    let days_per_engineer = match t.get("days_per_engineer") {
        None => Some(period_length.default_focus_days()),
        Some(n) => number(ck, n, "days_per_engineer", Bound::Positive),
    };
    let availability = dist_or(ck, t, "availability", Bound::Fraction, 1.0);
    let hires = match t.get("hires") {
        None => Some(Vec::new()),
        Some(n) => array(ck, n, "hires").and_then(|items| {
            items
                .iter()
                .map(|item| {
                    let mut h = Table::new(ck, item, "a hire", HIRE_FIELDS)?;
                    let period = h
                        .required(ck, "period", "8")
                        .and_then(|p| super::fields::period(ck, p, "period", periods));
                    let engineers = h
                        .required(ck, "engineers", "2")
                        .and_then(|e| number(ck, e, "engineers", Bound::Positive));
                    h.finish(ck);
                    Some(Hire {
                        period: period?,
                        engineers: engineers?,
                    })
                })
                .collect::<Vec<_>>()
                .into_iter()
                .collect()
        }),
    };
    let ramp_periods = match t.get("ramp_periods") {
        None => Some(0),
        Some(n) => integer(ck, n, "ramp_periods").and_then(|r| {
            u32::try_from(r)
                .map_err(|_| {
                    ck.error(
                        n.span,
                        format!("`ramp_periods` must be at least 0, found {r}"),
                    )
                })
                .ok()
        }),
    };
    let attrition = dist_or(ck, t, "attrition", Bound::Fraction, 0.0);
    Some(Staff {
        engineers: engineers?,
        days_per_engineer: days_per_engineer?,
        availability: availability?,
        hires: hires?,
        ramp_periods: ramp_periods?,
        attrition: attrition?,
    })
}

fn read_okrs(
    ck: &mut Checker,
    okrs: &Node,
    kr_nodes: &[&Node],
    periods: usize,
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
        .map(|n| read_key_result(ck, n, periods, refs))
        .collect();
    (blend, krs)
}

fn read_key_result(
    ck: &mut Checker,
    node: &Node,
    periods: usize,
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
        .and_then(|n| super::fields::choice(ck, n, "owner", &["product", "technology"]))
        .map(|o| {
            if o == "product" {
                Owner::Product
            } else {
                Owner::Technology
            }
        });
    let weight = match t.get("weight") {
        None => Some(1.0),
        Some(n) => number(ck, n, "weight", Bound::NonNegative),
    };
    let deadline = match t.get("deadline") {
        None => Some(periods),
        Some(n) => super::fields::period(ck, n, "deadline", periods),
    };
    let measure = if t.has("metric") {
        if let Some(n) = t.get("target") {
            ck.report(
                Problem::error(n.span, format!("{} has both `metric` and `target`", t.what()))
                    .label("a metric key result has no target")
                    .help("a metric key result uses `below` or `above`; a delivery key result uses `target`"),
            );
        }
        let metric = t
            .choice(ck, "metric", &["debt", "incidents", "drag"])
            .map(|m| match m {
                "debt" => Metric::Debt,
                "incidents" => Metric::Incidents,
                _ => Metric::Drag,
            });
        let goal = match (t.get("below"), t.get("above")) {
            (Some(n), None) => number(ck, n, "below", Bound::NonNegative).map(Goal::Below),
            (None, Some(n)) => number(ck, n, "above", Bound::NonNegative).map(Goal::Above),
            (Some(_), Some(_)) | (None, None) => {
                ck.report(
                    Problem::error(
                        t.span(),
                        format!("{} needs exactly one of `below` and `above`", t.what()),
                    )
                    .label("the level the metric must reach")
                    .help("e.g. `below = 300.0` for debt"),
                );
                None
            }
        };
        let team = match t.get("team") {
            None => Some(None),
            Some(n) => refs.team(ck, n, "team").map(Some),
        };
        (|| {
            Some(Measure::Metric {
                metric: metric?,
                goal: goal?,
                team: team?,
            })
        })()
    } else {
        for key in ["below", "above", "team"] {
            if let Some(n) = t.get(key) {
                ck.report(
                    Problem::error(n.span, format!("`{key}` only applies to a metric key result"))
                        .label("no `metric` is set")
                        .help("add `metric = \"debt\"` (or \"incidents\", \"drag\"), or remove this field"),
                );
            }
        }
        t.required(ck, "target", "3.0")
            .and_then(|n| number(ck, n, "target", Bound::Positive))
            .map(|target| Measure::Delivery { target })
    };
    t.finish(ck);
    Some(KeyResult {
        id: id?.to_string(),
        description,
        owner: owner?,
        weight: weight?,
        deadline: deadline?,
        measure: measure?,
    })
}

fn read_initiative(
    ck: &mut Checker,
    node: &Node,
    periods: usize,
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
        .and_then(|n| super::fields::choice(ck, n, "kind", &["product", "tech"]))
        .map(|k| {
            if k == "product" {
                Kind::Product
            } else {
                Kind::Tech
            }
        });
    let team = t
        .required(ck, "team", "\"checkout\"")
        .and_then(|n| refs.team(ck, n, "team"));
    let effort = t
        .required(ck, "effort", "\"40 to 90\"")
        .and_then(|n| distribution(ck, n, "effort", Bound::NonNegative));
    let scope_growth = match t.get("scope_growth") {
        None => Some(None),
        Some(n) => distribution(ck, n, "scope_growth", Bound::Change).map(Some),
    };
    let max_engineers = match t.get("max_engineers") {
        None => Some(None),
        Some(n) => {
            let capacity_team = team
                .and_then(|j| teams[j].as_ref())
                .is_some_and(|team| matches!(team.workforce, Workforce::Capacity(_)));
            if capacity_team {
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
                number(ck, n, "max_engineers", Bound::Positive).map(Some)
            }
        }
    };
    let contributes = match t.get("contributes") {
        None => Some(Vec::new()),
        Some(n) => read_contributions(ck, n, refs, key_results),
    };
    let deadline = if t.has("deadline") {
        t.period(ck, "deadline", periods).map(Some)
    } else {
        Some(None)
    };
    let must_finish = t.boolean(ck, "must_finish").unwrap_or(false);
    let after = match t.get("after") {
        None => Some(Vec::new()),
        Some(n) => array(ck, n, "after").and_then(|items| {
            items
                .iter()
                .map(|item| resolve(ck, item, "after", refs.initiatives, "initiative"))
                .collect::<Vec<_>>()
                .into_iter()
                .collect()
        }),
    };
    let priority = t.integer(ck, "priority");
    let on_done = match t.get("on_done") {
        None => Some(OnDone::default()),
        Some(n) => read_on_done(ck, n),
    };
    t.finish(ck);
    Some(Initiative {
        id: id?.to_string(),
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

fn read_contributions(
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
        match distribution(ck, &entry.node, &entry.key, Bound::Any) {
            Some(d) => out.push((k, d)),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn read_on_done(ck: &mut Checker, node: &Node) -> Option<OnDone> {
    let mut t = Table::new(ck, node, "`on_done`", ON_DONE_FIELDS)?;
    let mut read = |key: &str, bound: Bound| match t.get(key) {
        None => Some(None),
        Some(n) => distribution(ck, n, key, bound).map(Some),
    };
    let debt = read("debt", Bound::Any);
    let accrual = read("accrual", Bound::Change);
    let incident_rate = read("incident_rate", Bound::Change);
    let capacity = read("capacity", Bound::Change);
    t.finish(ck);
    Some(OnDone {
        debt: debt?,
        accrual: accrual?,
        incident_rate: incident_rate?,
        capacity: capacity?,
    })
}

fn read_risk(ck: &mut Checker, node: &Node, periods: usize, refs: &References) -> Option<Risk> {
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
        None => Some((1, periods)),
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
            let first = super::fields::period(ck, a, "window", periods)?;
            let last = super::fields::period(ck, b, "window", periods)?;
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
        .and_then(|n| distribution(ck, n, "impact", Bound::NonNegative));
    t.finish(ck);
    Some(Risk {
        id: id?.to_string(),
        team: team?,
        likelihood: likelihood?,
        window: window?,
        impact: impact?,
    })
}

fn read_event(
    ck: &mut Checker,
    node: &Node,
    periods: usize,
    refs: &References,
    teams: &[Option<Team>],
) -> Option<Event> {
    let mut t = Table::new(ck, node, "[[events]]", EVENT_FIELDS)?;
    let name = t.string(ck, "name").map(str::to_string);
    let team = t
        .required(ck, "team", "\"checkout\"")
        .and_then(|n| refs.team(ck, n, "team"));
    let event_periods = t.required(ck, "periods", "[6, 7]").and_then(|n| {
        let items = array(ck, n, "periods")?;
        if items.is_empty() {
            ck.error(n.span, "`periods` lists no period");
            return None;
        }
        items
            .iter()
            .map(|p| super::fields::period(ck, p, "periods", periods))
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Option<Vec<_>>>()
    });
    let change = match (t.get("engineers"), t.get("capacity")) {
        (Some(n), None) => {
            let capacity_team = team
                .and_then(|j| teams[j].as_ref())
                .is_some_and(|team| matches!(team.workforce, Workforce::Capacity(_)));
            if capacity_team {
                ck.report(
                    Problem::error(
                        n.span,
                        "an `engineers` event needs a team measured in `engineers`",
                    )
                    .label("this team sets `capacity`")
                    .help("write the change as `capacity = \"-30%\"`"),
                );
                None
            } else {
                number(ck, n, "engineers", Bound::Any).map(CapacityChange::Engineers)
            }
        }
        (None, Some(n)) => {
            distribution(ck, n, "capacity", Bound::Change).and_then(|d| match d.as_constant() {
                Some(c) => Some(CapacityChange::Fraction(c)),
                None => {
                    ck.report(
                        Problem::error(
                            n.span,
                            "an event's `capacity` change must be a single value, e.g. \"-30%\"",
                        )
                        .label("events are known changes"),
                    );
                    None
                }
            })
        }
        (Some(_), Some(_)) | (None, None) => {
            ck.report(
                Problem::error(
                    t.span(),
                    "an event needs exactly one of `engineers` and `capacity`",
                )
                .label("what changes")
                .help("e.g. `engineers = -2` (two people away) or `capacity = \"-30%\"`"),
            );
            None
        }
    };
    t.finish(ck);
    Some(Event {
        name,
        team: team?,
        periods: event_periods?,
        change: change?,
    })
}

fn read_strategy(ck: &mut Checker, node: &Node) -> Option<Strategy> {
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
            _ => &["min_tech_share", "max_tech_share"],
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
                    .and_then(|n| number(ck, n, "ceiling", Bound::NonNegative));
                Some(Rule::DebtCeiling {
                    ceiling: ceiling?,
                    above: above?,
                    below: below?,
                })
            }
            _ => {
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

/// Reports each dependency cycle once, printed as a → b → a, at the `after` of the
/// initiative that closes it. Works on the written `after` lists, so a cycle is found even when
/// its initiatives have other mistakes.
fn check_cycles(ck: &mut Checker, nodes: &[&Node], ids: &[String]) {
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

/// Warns about delivery key results no initiative contributes to: they can never be met.
fn warn_unreached_key_results(
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
                    "add `contributes = {{ {} = 1.0 }}` to the initiatives that move it",
                    kr.id
                )),
            );
        }
    }
}
