//! Tech shares as the strategies' rules write them: one share (a fraction), and phases of a
//! share each, compiled to a share per team and period. The `schedule` rule and the reactive
//! rules' base shares read them alike.

use crate::model::Rule;

use super::super::document::Node;
use super::super::fields::{Bound, Checker, Horizon, Table, array, number};
use super::super::problem::Problem;

/// The fields of one phase of a schedule.
const PHASE_FIELDS: &[&str] = &["until", "tech_share"];

/// A required share (a fraction) under `key`.
pub(super) fn share(ck: &mut Checker, t: &mut Table, key: &str, example: &str) -> Option<f64> {
    t.required(ck, key, example)
        .and_then(|n| number(ck, n, key, Bound::Fraction))
}

/// A `schedule` rule: `phases` for every team, and `team_phases` for teams that differ, each a
/// list of `{ until, tech_share }` in order (`until`: the phase's last period, or a date in
/// it; the last phase runs to the end and leaves `until` out), compiled to a share per team
/// and period.
pub(super) fn read_schedule(
    ck: &mut Checker,
    t: &mut Table,
    horizon: &Horizon,
    teams: &[String],
) -> Option<Rule> {
    // Without a length `[scenario]` has a mistake (reported): no horizon to lay phases on.
    horizon.length?;
    let everyone = t
        .required(
            ck,
            "phases",
            "[{ until = 6, tech_share = 0.4 }, { tech_share = 0.2 }]",
        )
        .and_then(|n| read_phases(ck, n, "phases", horizon));
    let mut tech_share = vec![everyone.clone(); teams.len()];
    if let Some(node) = t.get("team_phases") {
        let Some(entries) = node.entries() else {
            super::fields::expected(ck, node, "team_phases", "a table of team names");
            return None;
        };
        for entry in entries {
            let team = super::resolve_name(ck, entry.key_span, &entry.key, teams, "team");
            let phases = read_phases(ck, &entry.node, &entry.key, horizon);
            if let (Some(team), Some(phases)) = (team, phases) {
                tech_share[team] = Some(phases);
            }
        }
    }
    Some(Rule::Schedule {
        tech_share: tech_share.into_iter().collect::<Option<_>>()?,
    })
}

/// One list of phases as a share per period of the horizon.
fn read_phases(ck: &mut Checker, node: &Node, key: &str, horizon: &Horizon) -> Option<Vec<f64>> {
    let items = array(ck, node, key)?;
    if items.is_empty() {
        ck.report(
            Problem::error(node.span, format!("`{key}` has no phases"))
                .label("empty")
                .help("give at least one phase, e.g. [{ tech_share = 0.2 }]"),
        );
        return None;
    }
    let mut shares = Vec::with_capacity(horizon.periods.min(10_000));
    for (k, item) in items.iter().enumerate() {
        let mut t = Table::new(
            ck,
            item,
            format!("phase {} of `{key}`", k + 1),
            PHASE_FIELDS,
        )?;
        let share = t
            .required(ck, "tech_share", "0.3")
            .and_then(|n| number(ck, n, "tech_share", Bound::Fraction));
        let last = k + 1 == items.len();
        let until = match t.get("until") {
            Some(n) => super::super::fields::period(ck, n, "until", horizon),
            None if last => Some(horizon.periods),
            None => {
                ck.report(
                    Problem::error(item.span, format!("phase {} of `{key}` has no `until`", k + 1))
                        .label("where does this phase end?")
                        .help("only the last phase leaves out `until` (it runs to the end): add `until = 6` or a date"),
                );
                None
            }
        };
        t.finish(ck);
        let (share, until) = (share?, until?);
        if until <= shares.len() {
            ck.report(
                Problem::error(item.span, format!("phase {} of `{key}` ends at period {until}, not after the phase before it (period {})", k + 1, shares.len()))
                    .label("phases must follow one another")
                    .help("give each phase an `until` later than the one before"),
            );
            return None;
        }
        if last && until < horizon.periods {
            ck.report(
                Problem::error(item.span, format!("the last phase of `{key}` ends at period {until}, before the horizon's end (period {})", horizon.periods))
                    .label("what follows it?")
                    .help("leave out `until` in the last phase: it runs to the end"),
            );
            return None;
        }
        shares.resize(until, share);
    }
    Some(shares)
}
