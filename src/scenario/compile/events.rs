//! `[[events]]`: known capacity changes in some periods (leave, on-call, a freeze).

use crate::model::{CapacityChange, Event, Team, Workforce};

use super::super::distribution::distribution;
use super::super::document::Node;
use super::super::fields::{Bound, Checker, Table, array, number};
use super::super::problem::Problem;
use super::References;

const EVENT_FIELDS: &[&str] = &["name", "team", "periods", "engineers", "capacity"];
pub(super) fn read_event(
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
