//! The investment balance in numbers, for every medium: per team (then all teams) the items
//! finished in its window, their weight, each bucket's share by weight and by count, the tech
//! share both ways, and how much of the work matched a rule, which says whether the tech
//! share can be trusted.

use crate::model::history::{BucketKind, History, TeamHistory, Weight, per_kind, tech_share};
use crate::scenario::import::scenario_file::UNCERTAIN_BELOW;
use crate::words::numbers;

/// One line of the balance: a team, or all teams.
#[derive(Clone, Debug)]
pub(crate) struct BalanceRow {
    /// The team's name, or `all teams`.
    pub name: String,
    /// Items finished in the window.
    pub done: u32,
    /// Their weight.
    pub weight: f64,
    /// Each bucket's share of the weight (buckets in order, unmatched last).
    pub by_weight: Vec<Option<f64>>,
    /// Each bucket's share of the items.
    pub by_count: Vec<Option<f64>>,
    /// Tech ÷ (product + tech), by weight.
    pub tech: Option<f64>,
    /// Tech ÷ (product + tech), by count.
    pub tech_by_count: Option<f64>,
    /// Share of the finished items that matched a rule.
    pub matched: Option<f64>,
}

impl BalanceRow {
    /// Whether too little of the work matched a rule for the tech share to say much.
    pub fn uncertain(&self) -> bool {
        self.matched.is_some_and(|m| m < UNCERTAIN_BELOW)
    }

    /// The tech share by weight as a percentage, `?` after it when uncertain.
    pub fn tech_text(&self) -> String {
        let mark = if self.uncertain() && self.tech.is_some() {
            "?"
        } else {
            ""
        };
        format!("{}{mark}", pct(self.tech))
    }
}

/// `42%`, or `–` for none.
pub(crate) fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |x| format!("{:.0}%", x * 100.0))
}

fn shares<T: Copy + Into<f64>>(per: &[T]) -> Vec<Option<f64>> {
    let total: f64 = per.iter().map(|&x| x.into()).sum();
    per.iter()
        .map(|&x| (total > 0.0).then(|| x.into() / total))
        .collect()
}

fn row(h: &History, name: String, count: &[u32], weight: &[f64]) -> BalanceRow {
    let done: u32 = count.iter().sum();
    let kinds = |per: &[f64]| {
        tech_share(
            per_kind(&h.buckets, per, BucketKind::Product),
            per_kind(&h.buckets, per, BucketKind::Tech),
        )
    };
    let count_f: Vec<f64> = count.iter().map(|&n| f64::from(n)).collect();
    let unmatched = count.last().copied().unwrap_or(0);
    BalanceRow {
        name,
        done,
        weight: weight.iter().sum(),
        by_weight: shares(weight),
        by_count: shares(count),
        tech: kinds(weight),
        tech_by_count: kinds(&count_f),
        matched: (done > 0).then(|| f64::from(done - unmatched) / f64::from(done)),
    }
}

/// The balance of one team over its window.
pub(crate) fn team_row(h: &History, team: &TeamHistory) -> BalanceRow {
    row(
        h,
        team.team.clone(),
        &team.done_per_bucket(),
        &team.weight_per_bucket(),
    )
}

/// Per team (in the history's order), then all teams.
pub(crate) fn balance_rows(h: &History) -> Vec<BalanceRow> {
    let mut rows: Vec<BalanceRow> = h.teams.iter().map(|t| team_row(h, t)).collect();
    let mut count = vec![0u32; h.buckets.len() + 1];
    let mut weight = vec![0.0f64; h.buckets.len() + 1];
    for team in &h.teams {
        for (s, x) in count.iter_mut().zip(team.done_per_bucket()) {
            *s += x;
        }
        for (s, x) in weight.iter_mut().zip(team.weight_per_bucket()) {
            *s += x;
        }
    }
    rows.push(row(h, "all teams".into(), &count, &weight));
    rows
}

/// The headline: the tech share of all teams, by weight and by count, and how much matched,
/// in one sentence.
pub(crate) fn headline(h: &History, all: &BalanceRow) -> String {
    let by = h.weighing.by;
    let mut text = format!(
        "Tech share of planned work: {} by {}",
        pct(all.tech),
        by.unit()
    );
    if by != Weight::Items {
        text.push_str(&format!(", {} by items", pct(all.tech_by_count)));
    }
    match all.matched {
        Some(m) if all.uncertain() => text.push_str(&format!(
            " — uncertain: {:.0}% of the finished items matched no rule, and the share counts \
             only the rest",
            (1.0 - m) * 100.0
        )),
        Some(m) => text.push_str(&format!(
            " ({:.0}% of the finished items matched a rule)",
            m * 100.0
        )),
        None => text.push_str(" (no finished items)"),
    }
    text
}

/// How the balance is weighed, in one sentence: by what, whether by default, and how many
/// items weigh the median for want of their own weight.
pub(crate) fn weighing_in_words(h: &History, default: bool, estimates: &[String]) -> String {
    let w = &h.weighing;
    let why = match (w.by, default) {
        (Weight::Points, true) => format!(
            "the default, since the exports carry estimates: {}; --weight items counts items \
             instead",
            estimates.join(", ")
        ),
        (Weight::Items, true) if estimates.is_empty() => {
            "the default, since the exports carry no estimates; --weight cycle-time weighs \
             items by the days they took"
                .into()
        }
        (Weight::Items, true) => format!(
            "the default, since fewer than half the finished items carry an estimate ({}); \
             --weight points weighs by them",
            estimates.join(", ")
        ),
        _ => format!("as --weight {} asks", w.by.as_str()),
    };
    let mut text = format!("Weighed by {}: {why}.", w.by.unit());
    if w.by != Weight::Items && w.filled() > 0 {
        let what = match w.by {
            Weight::Points => "an estimate",
            _ => "a cycle time",
        };
        text.push_str(&format!(
            " Finished items without {what} weigh the median, {} ({} of {}).",
            numbers::num(w.fill),
            w.filled(),
            w.done
        ));
    }
    text
}
