//! The reactive rules of `[[strategies]]`: `error_budget`, `lights_on_cap` and the general
//! `reactive`, all compiled to one [`Reactive`] (a base share raised while a trigger holds).

use crate::model::Rule;
use crate::model::reactive::{Budgeted, Reactive, ReactiveForm, Trigger};

use super::super::document::Node;
use super::super::fields::Quantity::{Days, Incidents};
use super::super::fields::{Bound, Checker, Horizon, Table, integer, number};
use super::super::problem::Problem;
use super::phases::{read_schedule, share};

/// The fields of `when`, the triggers of a `reactive` rule.
pub(super) const WHEN_FIELDS: &[&str] = &["debt_above", "error_budget", "unplanned_above"];
/// The fields of an error budget (`error_budget`'s own, or a `when.error_budget` table).
pub(super) const BUDGET_FIELDS: &[&str] = &["incidents", "incident_days", "window"];
/// The fields of `when.unplanned_above`.
pub(super) const UNPLANNED_FIELDS: &[&str] = &["share", "periods"];

/// An `error_budget` or a `lights_on_cap` rule (`form`, one of those two): `tech_share`
/// normally, raised while its one trigger holds. An error budget raises it to `frozen_share`
/// (default 1: feature freeze) while the budget is spent; a lights-on cap to `raised_share`
/// once unplanned work has taken more than `unplanned_share` of capacity for `periods` periods
/// running.
pub(super) fn read_one_trigger(
    ck: &mut Checker,
    t: &mut Table,
    horizon: &Horizon,
    teams: usize,
    form: ReactiveForm,
) -> Option<Rule> {
    let base = share(ck, t, "tech_share", "0.2");
    let (raised, trigger) = if form == ReactiveForm::ErrorBudget {
        let frozen = t.number(ck, "frozen_share", Bound::Fraction).unwrap_or(1.0);
        (Some(frozen), read_budget(ck, t, horizon))
    } else {
        let raised = share(ck, t, "raised_share", "0.5");
        (raised, read_unplanned(ck, t, horizon, "unplanned_share"))
    };
    Some(Rule::Reactive(Reactive {
        form,
        base: vec![vec![base?]; teams],
        when: vec![trigger?],
        raised: raised?,
    }))
}

/// A `reactive` rule: a base of `tech_share` or `phases` (and `team_phases`), `raised_share`
/// while any trigger of `when` holds.
pub(super) fn read_reactive(
    ck: &mut Checker,
    t: &mut Table,
    horizon: &Horizon,
    teams: &[String],
) -> Option<Rule> {
    let base = match (t.has("tech_share"), t.has("phases")) {
        (true, false) => {
            if let Some(n) = t.get("team_phases") {
                ck.report(
                    Problem::error(n.span, "`team_phases` needs `phases`, not `tech_share`")
                        .label("phases of some teams, but no phases for the others")
                        .help("write the base as `phases = [{ tech_share = 0.3 }]` instead of `tech_share`"),
                );
                return None;
            }
            share(ck, t, "tech_share", "0.3").map(|s| vec![vec![s]; teams.len()])
        }
        (false, true) => match read_schedule(ck, t, horizon, teams)? {
            Rule::Schedule { tech_share } => Some(tech_share),
            _ => None,
        },
        (both, _) => {
            let message = if both {
                "a `reactive` rule has `tech_share` and `phases`: its base share is one of them"
            } else {
                "a `reactive` rule needs its base share: `tech_share` or `phases`"
            };
            ck.report(
                Problem::error(t.span(), message)
                    .label("which base share?")
                    .help("write `tech_share = 0.3` (every period) or `phases = [{ until = 6, tech_share = 0.4 }, { tech_share = 0.2 }]`"),
            );
            None
        }
    };
    let raised = share(ck, t, "raised_share", "0.5");
    let when = t
        .required(
            ck,
            "when",
            "{ debt_above = 800, error_budget = { incidents = 6, window = 4 } }",
        )
        .and_then(|n| read_when(ck, n, horizon));
    Some(Rule::Reactive(Reactive {
        form: ReactiveForm::General,
        base: base?,
        when: when?,
        raised: raised?,
    }))
}

/// The triggers of `when`, at least one.
fn read_when(ck: &mut Checker, node: &Node, horizon: &Horizon) -> Option<Vec<Trigger>> {
    let mut t = Table::new(ck, node, "`when`", WHEN_FIELDS)?;
    let mut when = Vec::new();
    let mut ok = true;
    if let Some(n) = t.get("debt_above") {
        match number(ck, n, "debt_above", Bound::NonNegative(Days)) {
            Some(x) => when.push(Trigger::DebtAbove(x)),
            None => ok = false,
        }
    }
    if let Some(n) = t.get("error_budget") {
        let budget = Table::new(ck, n, "`when.error_budget`", BUDGET_FIELDS).and_then(|mut b| {
            let budget = read_budget(ck, &mut b, horizon);
            b.finish(ck);
            budget
        });
        match budget {
            Some(b) => when.push(b),
            None => ok = false,
        }
    }
    if let Some(n) = t.get("unplanned_above") {
        let cap =
            Table::new(ck, n, "`when.unplanned_above`", UNPLANNED_FIELDS).and_then(|mut u| {
                let cap = read_unplanned(ck, &mut u, horizon, "share");
                u.finish(ck);
                cap
            });
        match cap {
            Some(c) => when.push(c),
            None => ok = false,
        }
    }
    let span = t.span();
    t.finish(ck);
    if ok && when.is_empty() {
        ck.report(
            Problem::error(span, "`when` has no trigger")
                .label("raised when?")
                .help(format!("give one or more of: {}", WHEN_FIELDS.join(", "))),
        );
    }
    (ok && !when.is_empty()).then_some(when)
}

/// A cap on unplanned work: its share of capacity (field `share_field`) exceeded for `periods`
/// periods running.
fn read_unplanned(
    ck: &mut Checker,
    t: &mut Table,
    horizon: &Horizon,
    share_field: &str,
) -> Option<Trigger> {
    let share = share(ck, t, share_field, "0.3");
    let periods = t
        .required(ck, "periods", "2")
        .and_then(|n| periods(ck, n, "periods", horizon));
    Some(Trigger::UnplannedAbove {
        share: share?,
        periods: periods?,
    })
}

/// An error budget: `incidents` or `incident_days` (one of them) in `window` periods.
fn read_budget(ck: &mut Checker, t: &mut Table, horizon: &Horizon) -> Option<Trigger> {
    let window = t
        .required(ck, "window", "4")
        .and_then(|n| periods(ck, n, "window", horizon));
    let measure = match (t.get("incidents"), t.get("incident_days")) {
        (Some(n), None) => number(ck, n, "incidents", Bound::NonNegative(Incidents))
            .map(|x| (Budgeted::Incidents, x)),
        (None, Some(n)) => number(ck, n, "incident_days", Bound::NonNegative(Days))
            .map(|x| (Budgeted::IncidentDays, x)),
        (Some(_), Some(days)) => {
            ck.report(
                Problem::error(
                    days.span,
                    "an error budget counts `incidents` or `incident_days`, not both",
                )
                .label("a second budget")
                .help("keep one: `incidents` counts incidents, `incident_days` the days they cost"),
            );
            None
        }
        (None, None) => {
            ck.report(
                Problem::error(
                    t.span(),
                    "an error budget needs its size: `incidents` or `incident_days`",
                )
                .label("which budget?")
                .help("e.g. `incidents = 6, window = 4` (at most 6 incidents in any 4 periods) or `incident_days = 20, window = 4`"),
            );
            None
        }
    };
    let (measure, allowance) = measure?;
    Some(Trigger::ErrorBudget {
        measure,
        allowance,
        window: window?,
    })
}

/// A number of periods from 1 to the horizon's.
fn periods(ck: &mut Checker, node: &Node, key: &str, horizon: &Horizon) -> Option<usize> {
    let n = integer(ck, node, key)?;
    if n < 1 || n as u64 > horizon.periods as u64 {
        ck.report(
            Problem::error(
                node.span,
                format!(
                    "`{key}` must be a number of periods from 1 to {} (the horizon), found {n}",
                    horizon.periods
                ),
            )
            .label("out of range")
            .help("count periods, e.g. 4 for the last four periods"),
        );
        return None;
    }
    Some(n as usize)
}
