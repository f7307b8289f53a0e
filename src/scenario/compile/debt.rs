//! `[debt]` and `[incidents]`: how debt grows and slows teams, and the unplanned work it causes.

use crate::model::{DebtModel, Distribution, IncidentModel};

use super::super::document::Node;
use super::super::fields::Quantity::{Days, Incidents, Interest, Ratio, Sensitivity};
use super::super::fields::{Bound, Checker, Table, number};
use super::super::problem::Problem;
use super::dist_or;

pub(super) const DEBT_FIELDS: &[&str] = &[
    "initial",
    "interest",
    "accrual",
    "paydown_efficiency",
    "drag_max",
    "drag_half",
    "posterior",
];
pub(super) const INCIDENT_FIELDS: &[&str] = &["base_rate", "debt_sensitivity", "cost"];
pub(super) fn read_debt(
    ck: &mut Checker,
    node: Option<&Node>,
) -> (Option<DebtModel>, Distribution) {
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
    let initial = dist_or(ck, &mut t, "initial", Bound::NonNegative(Days), 0.0);
    let interest = dist_or(ck, &mut t, "interest", Bound::Change(Interest), 0.0);
    let accrual = dist_or(ck, &mut t, "accrual", Bound::NonNegative(Ratio), 0.0);
    let paydown_efficiency = dist_or(
        ck,
        &mut t,
        "paydown_efficiency",
        Bound::NonNegative(Ratio),
        1.0,
    );
    let drag_max = t.number(ck, "drag_max", Bound::BelowOne);
    let drag_half = t.number(ck, "drag_half", Bound::Positive(Days));
    // The joint draws are read once the scenario is compiled (`scenario::joint`): only the
    // key's type is checked here.
    t.string(ck, "posterior");
    if t.has("drag_max") && !t.has("drag_half") {
        ck.report(
            Problem::error(t.span(), "[debt] sets `drag_max` but not `drag_half`")
                .label("needs `drag_half`")
                .help(format!(
                    "add `{}`: the debt (engineer-days) at which drag is half of drag_max",
                    ck.format.field("drag_half", "800.0")
                )),
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

pub(super) fn read_incidents(ck: &mut Checker, node: Option<&Node>) -> Option<IncidentModel> {
    let Some(node) = node else {
        return Some(IncidentModel {
            base_rate: Distribution::Constant(0.0),
            debt_sensitivity: 0.0,
            cost: Distribution::Constant(1.0),
        });
    };
    let mut t = Table::new(ck, node, "[incidents]", INCIDENT_FIELDS)?;
    let base_rate = dist_or(ck, &mut t, "base_rate", Bound::NonNegative(Incidents), 0.0);
    let debt_sensitivity = match t.get("debt_sensitivity") {
        None => Some(0.0),
        Some(n) => number(ck, n, "debt_sensitivity", Bound::NonNegative(Sensitivity)),
    };
    let cost = dist_or(ck, &mut t, "cost", Bound::NonNegative(Days), 1.0);
    t.finish(ck);
    Some(IncidentModel {
        base_rate: base_rate?,
        debt_sensitivity: debt_sensitivity?,
        cost: cost?,
    })
}
