//! `[[events]]`: known capacity changes in some periods (leave, on-call, a freeze).

use std::collections::{BTreeMap, HashSet};

use crate::model::{CapacityChange, Event, Team, Workforce};

use super::super::distribution::distribution;
use super::super::document::Node;
use super::super::fields::Quantity::{Change, Engineers};
use super::super::fields::{Bound, Checker, Horizon, Table, array, number, show};
use super::super::problem::Problem;
use super::References;
use super::teams::measured_in_capacity;

pub(super) const EVENT_FIELDS: &[&str] = &["name", "team", "periods", "engineers", "capacity"];
pub(super) fn read_event(
    ck: &mut Checker,
    node: &Node,
    horizon: &Horizon,
    refs: &References,
    teams: &[Option<Team>],
) -> Option<Event> {
    let mut t = Table::new(ck, node, "[[events]]", EVENT_FIELDS)?;
    let name = t.string(ck, "name").map(str::to_string);
    let team = t
        .required(ck, "team", "\"checkout\"")
        .and_then(|n| refs.team(ck, n, "team"));
    let event_periods = t
        .required(ck, "periods", "[6, 7]")
        .and_then(|n| read_periods(ck, n, horizon));
    let change = read_change(ck, &mut t, teams, team);
    t.finish(ck);
    Some(Event {
        name,
        team: team?,
        periods: event_periods?,
        change: change?,
    })
}

/// What an event changes: exactly one of `engineers` (on a team measured in engineers) and a
/// constant `capacity` fraction.
fn read_change(
    ck: &mut Checker,
    t: &mut Table,
    teams: &[Option<Team>],
    team: Option<usize>,
) -> Option<CapacityChange> {
    match (t.get("engineers"), t.get("capacity")) {
        (Some(n), None) => {
            if measured_in_capacity(teams, team) {
                ck.report(
                    Problem::error(
                        n.span,
                        "an `engineers` event needs a team measured in `engineers`",
                    )
                    .label("this team sets `capacity`")
                    .help(format!(
                        "write the change as `{}`",
                        ck.format.field("capacity", "\"-30%\"")
                    )),
                );
                None
            } else {
                number(ck, n, "engineers", Bound::Any(Engineers)).map(CapacityChange::Engineers)
            }
        }
        (None, Some(n)) => distribution(ck, n, "capacity", Bound::Change(Change)).and_then(|d| {
            match d.as_constant() {
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
            }
        }),
        (Some(_), Some(_)) | (None, None) => {
            ck.report(
                Problem::error(
                    t.span(),
                    "an event needs exactly one of `engineers` and `capacity`",
                )
                .label("what changes")
                .help(format!(
                    "e.g. `{}` (two people away) or `{}`",
                    ck.format.field("engineers", "-2"),
                    ck.format.field("capacity", "\"-30%\"")
                )),
            );
            None
        }
    }
}

/// The periods an event applies to: at least one, each within the horizon and listed once
/// (the same period twice would apply the change twice).
fn read_periods(ck: &mut Checker, node: &Node, horizon: &Horizon) -> Option<Vec<usize>> {
    let items = array(ck, node, "periods")?;
    if items.is_empty() {
        ck.error(node.span, "`periods` lists no period");
        return None;
    }
    let mut seen = HashSet::new();
    let mut periods = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        match super::fields::period(ck, item, "periods", horizon) {
            Some(p) if !seen.insert(p) => {
                ck.report(
                    Problem::error(item.span, format!("period {p} is listed twice"))
                        .label("already listed")
                        .help("list each period once: the change applies to every listed period"),
                );
                return None;
            }
            Some(p) => periods.push(p),
            None => ok = false,
        }
    }
    ok.then_some(periods)
}

/// Reports events that, in some period, take away more engineers than the team has then (its
/// engineers plus the hires who have joined), or together more than all of its capacity: the
/// simulator would find no capacity at all there, and `run` would fail far from the cause.
/// Attrition is left out: it is drawn per trial.
pub(super) fn check_headcount(
    ck: &mut Checker,
    nodes: &[&Node],
    events: &[Option<Event>],
    teams: &[Option<Team>],
) {
    let sums = Sums::of(events);
    let mut reported: HashSet<(usize, usize)> = HashSet::new();
    for (node, event) in nodes.iter().zip(events) {
        let Some(event) = event else { continue };
        let Some(Some(team)) = teams.get(event.team) else {
            continue;
        };
        let found = event
            .periods
            .iter()
            .filter(|&&t| !reported.contains(&(event.team, t)))
            .find_map(|&t| sums.overdrawn(event, team, t).map(|message| (t, message)));
        let Some((t, message)) = found else { continue };
        reported.insert((event.team, t));
        let (key, help) = match event.change {
            CapacityChange::Engineers(_) => (
                "engineers",
                "events can take away at most the whole team: check the sign and size of each, \
                 and the team's `engineers` and `hires`",
            ),
            CapacityChange::Fraction(_) => (
                "capacity",
                "the events of one period add up, and together can take away at most all of it \
                 (-100%)",
            ),
        };
        let span = node.get(key).map_or(node.span, |n| n.span);
        ck.report(
            Problem::error(span, message)
                .label("more than the team has")
                .help(help),
        );
    }
}

/// The events' changes summed per (team, period), for the periods some event touches.
struct Sums {
    engineers: BTreeMap<(usize, usize), f64>,
    fraction: BTreeMap<(usize, usize), f64>,
}

impl Sums {
    fn of(events: &[Option<Event>]) -> Sums {
        let mut sums = Sums {
            engineers: BTreeMap::new(),
            fraction: BTreeMap::new(),
        };
        for event in events.iter().flatten() {
            let (map, x) = match event.change {
                CapacityChange::Engineers(n) => (&mut sums.engineers, n),
                CapacityChange::Fraction(f) => (&mut sums.fraction, f),
            };
            for &t in &event.periods {
                *map.entry((event.team, t)).or_default() += x;
            }
        }
        sums
    }

    /// What is wrong when `event`, with the others, takes more than `team` has in period `t`.
    fn overdrawn(&self, event: &Event, team: &Team, t: usize) -> Option<String> {
        match (event.change, &team.workforce) {
            (CapacityChange::Engineers(n), Workforce::Engineers(staff)) if n < 0.0 => {
                let hired: f64 = staff
                    .hires
                    .iter()
                    .filter(|h| h.period <= t)
                    .map(|h| h.engineers)
                    .sum::<f64>()
                    + 0.0; // an empty sum is -0
                let has = staff.engineers + hired;
                let change = self.engineers[&(event.team, t)];
                (has + change < -1e-9).then(|| {
                    format!(
                        "in period {t}, events take {} engineers from team `{}`, which has {} then \
                         ({} at the start and {} hired by then)",
                        show(-change),
                        team.name,
                        show(has),
                        show(staff.engineers),
                        show(hired)
                    )
                })
            }
            (CapacityChange::Fraction(f), _) if f < 0.0 => {
                let change = self.fraction[&(event.team, t)];
                (change < -1.0 - 1e-9).then(|| {
                    format!(
                        "in period {t}, events change the capacity of team `{}` by {}%, more than \
                         all of it",
                        team.name,
                        show(change * 100.0)
                    )
                })
            }
            _ => None,
        }
    }
}
