//! The import's terminal summary: what was read, each team's window, how the balance is
//! weighed, the headline tech share (uncertain when too little matched a rule), the balance
//! table by weight with the tech share by count beside it, the rules to paste for the
//! commonest unmatched items, cycle times, incidents, the plan against what happened, and
//! the notes.

use std::borrow::Cow;
use std::fmt::Write;

use crate::model::history::actual::{Drift, DriftSum};
use crate::model::history::incidents::IncidentHistory;
use crate::model::history::{History, Weight, percentile};
use crate::scenario::import::quoted_cell;
use crate::words::numbers::num;

use super::balance::{BalanceRow, balance_rows, headline, pct, weighing_in_words};
use super::{Imported, bucket_name, cycle_times};

/// The most teams the terminal summary lists: those that finished the most items.
const SUMMARY_TEAMS: usize = 40;

/// The terminal summary.
pub fn summary(imported: &Imported) -> String {
    let (h, info) = (imported.history, imported.info);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Imported {} items from {}: {} done, {} open ({} of them reopened), {} cancelled (left out)",
        info.items,
        info.files.join(", "),
        info.done,
        info.open + info.reopened,
        info.reopened,
        info.cancelled
    );
    let _ = writeln!(
        out,
        "History: {} periods of {}, {} to {} (days in {}); buckets by the {}",
        info.periods, info.period, info.first_day, info.last_day, info.time_zone, info.rules
    );
    let _ = writeln!(out, "{}", windows_in_words(h));
    let _ = writeln!(
        out,
        "{}",
        weighing_in_words(h, info.weight_default, &info.estimates)
    );
    let rows = balance_rows(h);
    let _ = writeln!(out, "{}", headline(h, rows.last().expect("all teams")));
    table(&mut out, h, rows);
    unmatched(&mut out, imported);
    let all = cycle_times(imported, None, None);
    if !all.is_empty() {
        let p = |q| percentile(&all, q).unwrap_or(0);
        let _ = writeln!(
            out,
            "\n  cycle time (days, start or creation to done): P50 {}, P85 {}, P95 {} ({} items)",
            p(0.5),
            p(0.85),
            p(0.95),
            all.len()
        );
    }
    if let Some(incidents) = imported.incidents {
        incidents_lines(&mut out, incidents);
    }
    if let Some(plan) = &info.plan {
        let _ = writeln!(out, "\n  plan against actual: {}", plan.words);
    }
    for note in &info.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    out
}

/// How many teams' windows are shorter than the history, in one sentence.
fn windows_in_words(h: &History) -> String {
    let cut_before = h
        .teams
        .iter()
        .filter(|t| t.cut.before > 0 && t.periods() > 0)
        .count();
    let stopped = h.teams.iter().filter(|t| t.stopped()).count();
    let idle = h.teams.iter().filter(|t| t.periods() == 0).count();
    let mut text = format!(
        "Each team's history is its own window, from its first finished item to its last (or \
         to the end, for a team still at work; {} idle periods end a team): ",
        h.gap
    );
    if cut_before + stopped + idle == 0 {
        text.push_str("no team's was cut");
        return text;
    }
    let mut parts = Vec::new();
    if cut_before > 0 {
        parts.push(format!(
            "{cut_before} of {} teams started later than the history",
            h.teams.len()
        ));
    }
    if stopped > 0 {
        parts.push(format!("{stopped} stopped before its end"));
    }
    if idle > 0 {
        parts.push(format!("{idle} finished nothing"));
    }
    text.push_str(&parts.join(", "));
    text.push_str(" (import.json and scenario.toml say what was cut)");
    text
}

/// The balance table: per team (the busiest [`SUMMARY_TEAMS`]) and all teams.
fn table(out: &mut String, h: &History, mut rows: Vec<BalanceRow>) {
    let all_teams = rows.pop().expect("the all-teams row");
    let starts: Vec<String> = h
        .teams
        .iter()
        .map(|t| match t.periods() {
            0 => "–".to_string(),
            _ => h.grid.start(t.period(0)).to_string(),
        })
        .collect();
    let mut listed: Vec<usize> = (0..rows.len()).collect();
    let left_out = rows.len().saturating_sub(SUMMARY_TEAMS);
    if left_out > 0 {
        listed.sort_by_key(|&j| std::cmp::Reverse(rows[j].done));
        listed.truncate(SUMMARY_TEAMS);
        listed.sort_unstable();
    }
    let mut lines: Vec<(String, String, String, &BalanceRow)> = listed
        .iter()
        .map(|&j| {
            (
                quoted_cell(&rows[j].name).into_owned(),
                starts[j].clone(),
                h.teams[j].periods().to_string(),
                &rows[j],
            )
        })
        .collect();
    lines.push(("all teams".into(), String::new(), String::new(), &all_teams));
    let weighed = h.weighing.by != Weight::Items;
    let names: Vec<Cow<str>> = (0..=h.buckets.len())
        .map(|b| quoted_cell(bucket_name(h, b)))
        .collect();
    let width = lines
        .iter()
        .map(|l| l.0.chars().count())
        .max()
        .unwrap_or(4)
        .max(9);
    let _ = write!(
        out,
        "\n  {:<width$} {:<10} {:>7} {:>6}",
        "team", "from", "periods", "done"
    );
    if weighed {
        let _ = write!(out, " {:>8}", h.weighing.by.as_str());
    }
    for n in &names {
        let _ = write!(out, " {:>w$}", n, w = n.chars().count().max(6));
    }
    let _ = write!(out, " {:>10}", "tech share");
    if weighed {
        let _ = write!(out, " {:>8}", "by count");
    }
    out.push('\n');
    for (name, from, periods, row) in &lines {
        let _ = write!(
            out,
            "  {name:<width$} {from:<10} {periods:>7} {:>6}",
            row.done
        );
        if weighed {
            let _ = write!(out, " {:>8}", num(row.weight));
        }
        for (n, x) in names.iter().zip(&row.by_weight) {
            let _ = write!(out, " {:>w$}", pct(*x), w = n.chars().count().max(6));
        }
        let _ = write!(out, " {:>10}", row.tech_text());
        if weighed {
            let _ = write!(out, " {:>8}", pct(row.tech_by_count));
        }
        out.push('\n');
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "  ({SUMMARY_TEAMS} teams that finished the most items shown; {left_out} more in balance.csv)"
        );
    }
    let shares = if weighed {
        format!("of the {} finished", h.weighing.by.unit())
    } else {
        "of the items finished".into()
    };
    let _ = writeln!(
        out,
        "  Shares {shares} in each team's window; tech share = tech ÷ (product + tech).{}",
        if lines.iter().any(|l| l.3.uncertain()) {
            " ?: fewer than 80% of the team's finished items matched a rule"
        } else {
            ""
        }
    );
}

/// The commonest unmatched types and labels, each with a rule to paste.
fn unmatched(out: &mut String, imported: &Imported) {
    let rules = &imported.info.unmatched_rules;
    if rules.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n  Unmatched: the commonest types and labels of the finished items no rule matched, \
         each with a rule to paste (check its bucket):"
    );
    let width = rules
        .iter()
        .map(|r| quoted_cell(&r.what).chars().count())
        .max()
        .unwrap_or(0);
    for r in rules {
        let _ = writeln!(
            out,
            "    {:<width$}  {:>6} items  {}{}",
            quoted_cell(&r.what),
            r.items,
            quoted_cell(&r.rule),
            takes_over(r.takes_over)
        );
    }
}

/// What a suggested rule would also take from the other rules, in words (a flag goes first).
pub(super) fn takes_over(items: usize) -> String {
    match items {
        0 => String::new(),
        n => format!(" (also takes {n} item(s) other rules sort now)"),
    }
}

/// Incidents per team: count, per period, median hours to resolve.
fn incidents_lines(out: &mut String, incidents: &IncidentHistory) {
    let all: u32 = incidents.teams.iter().map(|t| t.count()).sum();
    let _ = writeln!(
        out,
        "\n  incidents: {all} opened in the teams' windows (incidents.csv per team and period)"
    );
    for team in incidents.teams.iter().take(SUMMARY_TEAMS) {
        let median = team.median_hours().map_or_else(
            || "none resolved".into(),
            |m| format!("median {} h to resolve", num(round1(m))),
        );
        let _ = writeln!(
            out,
            "    {}: {} ({} a period), {median}",
            quoted_cell(&team.team),
            team.count(),
            num((team.per_period() * 100.0).round() / 100.0)
        );
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The drift between the plan and what happened, in one sentence, with the sums.
pub(super) fn drift_sentence(h: &History, rows: &[Drift]) -> (String, Option<DriftSum>) {
    let unit = h.weighing.by.unit();
    let Some(sum) = DriftSum::of(rows) else {
        let span = match (rows.first(), rows.last()) {
            (Some(a), Some(b)) => format!(" ({} to {})", a.planned.start, b.planned.end),
            _ => String::new(),
        };
        return (
            format!(
                "nothing to compare: in the plan's periods{span} the exports hold no finished \
                 product or tech work of the plan's teams with a planned share"
            ),
            None,
        );
    };
    let points = |x: f64| (x * 100.0).round().abs();
    let direction = |gap: f64| match points(gap) as i64 {
        0 => "on plan".to_string(),
        n if gap > 0.0 => format!("{n} percentage points over the plan"),
        n => format!("{n} percentage points under the plan"),
    };
    let mut teams: Vec<&str> = rows.iter().map(|d| d.planned.team.as_str()).collect();
    teams.sort_unstable();
    teams.dedup();
    let worst = teams
        .iter()
        .filter_map(|t| DriftSum::of(rows.iter().filter(|d| d.planned.team == *t)).map(|s| (*t, s)))
        .max_by(|a, b| a.1.gap().abs().total_cmp(&b.1.gap().abs()));
    let mut text = format!(
        "over {} team-periods, {:.0}% of the planned work done ({unit}) went to tech against \
         {:.0}% planned: {}",
        sum.rows,
        sum.actual * 100.0,
        sum.planned * 100.0,
        direction(sum.gap())
    );
    if let Some((team, s)) = worst.filter(|_| teams.len() > 1) {
        text.push_str(&format!(
            "; {} drifted most, {:.0}% against {:.0}% ({})",
            quoted_cell(team),
            s.actual * 100.0,
            s.planned * 100.0,
            direction(s.gap())
        ));
    }
    (text, Some(sum))
}
