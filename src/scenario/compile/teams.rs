//! `[[teams]]`: who does the work (engineers, hires, attrition, or a capacity per period).

use crate::model::throughput::Method;
use crate::model::{
    Distribution, Hire, PeriodLength, PeriodUnit, Staff, Team, Throughput, Workforce,
};

use super::super::distribution::distribution;
use super::super::document::Node;
use super::super::fields::Quantity::{Days, Engineers};
use super::super::fields::{Bound, Checker, Horizon, Table, array, integer, number, string};
use super::super::problem::Problem;
use super::dist_or;

pub(super) const TEAM_FIELDS: &[&str] = &[
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
pub(super) const HIRE_FIELDS: &[&str] = &["period", "engineers"];

/// How `[scenario]` says throughput histories (`capacity = { samples = [...] }`) are read.
pub(super) struct ThroughputReading {
    /// `throughput_method`.
    pub(super) method: Method,
    /// Periods in a year, on the scenario's calendar.
    pub(super) per_year: f64,
}

pub(super) fn read_team(
    ck: &mut Checker,
    node: &Node,
    horizon: &Horizon,
    default_debt_initial: &Distribution,
    throughput: &ThroughputReading,
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
        Some(n) => distribution(ck, n, "debt_initial", Bound::NonNegative(Days)),
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
                .help(format!(
                    "add `{}`, or `{}` (units per period)",
                    ck.format.field("engineers", "6"),
                    ck.format.field("capacity", "\"50 to 70\"")
                )),
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
                .and_then(|n| distribution(ck, n, "capacity", Bound::NonNegative(Days)))
                .map(|capacity| match capacity {
                    Distribution::Samples(history) => Workforce::Throughput(Throughput::new(
                        history,
                        throughput.method,
                        throughput.per_year,
                    )),
                    other => Workforce::Capacity(other),
                })
        }
        (true, false) => read_staff(ck, &mut t, horizon).map(Workforce::Engineers),
    };
    t.finish(ck);
    Some(Team {
        name: super::names::nfc(name?),
        workforce: workforce?,
        debt_initial: debt_initial?,
        joint: None,
    })
}

/// Whether team `j` (when it is known and was read) is measured in `capacity` rather than
/// engineers: what its `engineers` events and its initiatives' `max_engineers` cannot apply to.
pub(super) fn measured_in_capacity(teams: &[Option<Team>], j: Option<usize>) -> bool {
    j.and_then(|j| teams[j].as_ref())
        .is_some_and(|team| !matches!(team.workforce, Workforce::Engineers(_)))
}

pub(super) fn read_staff(ck: &mut Checker, t: &mut Table, horizon: &Horizon) -> Option<Staff> {
    let engineers = t.number(ck, "engineers", Bound::NonNegative(Engineers));
    let days_per_engineer = match t.get("days_per_engineer") {
        None => Some(
            horizon
                .length
                .unwrap_or(PeriodLength::TWO_WEEKS)
                .default_focus_days(),
        ),
        Some(n) => number(ck, n, "days_per_engineer", Bound::Positive(Days)).and_then(|d| {
            match horizon.length {
                Some(length) => within_the_period(ck, n, d, length),
                None => Some(d),
            }
        }),
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
                        .and_then(|p| super::fields::period(ck, p, "period", horizon));
                    let engineers = h
                        .required(ck, "engineers", "2")
                        .and_then(|e| number(ck, e, "engineers", Bound::Positive(Engineers)));
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

/// `days_per_engineer` no larger than the period's calendar days: one engineer cannot give a
/// two-week period more than 14 days.
fn within_the_period(
    ck: &mut Checker,
    node: &Node,
    days: f64,
    length: PeriodLength,
) -> Option<f64> {
    let longest = f64::from(length.count)
        * match length.unit {
            PeriodUnit::Day => 1.0,
            PeriodUnit::Week => 7.0,
            PeriodUnit::Month => 31.0,
            PeriodUnit::Quarter => 92.0,
        };
    if days <= longest {
        return Some(days);
    }
    ck.report(
        Problem::error(
            node.span,
            format!(
                "`days_per_engineer` is {}, more than the {longest} calendar days of a {length} period",
                super::fields::show(days)
            ),
        )
        .label(format!("at most {longest}"))
        .help(format!(
            "count focus days per engineer and period; the default for {length} is {}",
            length.default_focus_days()
        )),
    );
    None
}
