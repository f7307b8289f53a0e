//! `[[teams]]`: who does the work (engineers, hires, attrition, or a capacity per period).

use crate::model::{Distribution, Hire, PeriodLength, Staff, Team, Workforce};

use super::super::distribution::distribution;
use super::super::document::Node;
use super::super::fields::{Bound, Checker, Table, array, integer, number, string};
use super::super::problem::Problem;
use super::dist_or;

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
pub(super) fn read_team(
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

pub(super) fn read_staff(
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
