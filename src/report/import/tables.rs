//! The import's CSVs: the tidy item table, throughput per team, period and bucket over each
//! team's window, the investment balance by weight and by count, cycle times, incidents per
//! team and period, and the plan next to what happened. Every one through the shared
//! [`CsvWriter`], so that no title or name reaches a spreadsheet as a formula.

use anyhow::Result;

use crate::model::history::actual::Drift;
use crate::model::history::incidents::IncidentHistory;
use crate::model::history::{History, percentile, percentile_f64};
use crate::report::kit::csv::CsvWriter;
use crate::words::numbers::num;

use super::balance::team_row;
use super::{Imported, bucket_name, cycle_times_by_team, kind_name};

fn date(d: Option<crate::model::Date>) -> String {
    d.map_or_else(String::new, |d| d.to_string())
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, num)
}

/// `items.csv`: one row per item.
pub(super) fn items_csv(imported: &Imported) -> Result<Vec<u8>> {
    let h = imported.history;
    let mut w = CsvWriter::new([
        "id",
        "team",
        "bucket",
        "kind",
        "state",
        "created",
        "started",
        "done",
        "cycle_time_days",
        "cycle_from",
        "type",
        "labels",
        "status",
        "title",
        "estimate",
        "weight",
        "source",
    ])?;
    for item in imported.items {
        let b = item.bucket.unwrap_or(h.buckets.len());
        let cycle = item.cycle_time();
        let weight = match item.state {
            crate::model::history::ItemState::Done => num(h.weighing.of(item)),
            _ => String::new(),
        };
        w.row([
            item.id.as_str(),
            &item.team,
            bucket_name(h, b),
            kind_name(h, b),
            item.state.as_str(),
            &date(item.created),
            &date(item.started),
            &date(item.done),
            &cycle.map_or_else(String::new, |c| c.0.to_string()),
            cycle.map_or("", |c| c.1.as_str()),
            &item.item_type,
            &item.labels.join(";"),
            &item.status,
            &item.title,
            &opt(item.estimate),
            &weight,
            &item.source,
        ])?;
    }
    w.finish()
}

/// `throughput.csv`: team, period, start, end, bucket, kind, items, weight, share (of the
/// team's items finished that period), over each team's own window.
pub(super) fn throughput_csv(h: &History) -> Result<Vec<u8>> {
    let mut w = CsvWriter::new([
        "team", "period", "start", "end", "bucket", "kind", "items", "weight", "share",
    ])?;
    for team in &h.teams {
        let total = team.total();
        for (k, &all) in total.iter().enumerate() {
            let t = team.period(k);
            for (b, row) in team.done.iter().enumerate() {
                let n = row[k];
                let share = (all > 0).then(|| f64::from(n) / f64::from(all));
                w.row([
                    team.team.as_str(),
                    &t.to_string(),
                    &h.grid.start(t).to_string(),
                    &h.grid.end(t).to_string(),
                    bucket_name(h, b),
                    kind_name(h, b),
                    &n.to_string(),
                    &num(team.weight[b][k]),
                    &opt(share),
                ])?;
            }
        }
    }
    w.finish()
}

/// `balance.csv`: per team and bucket over the team's window: done, share of done, weight,
/// share of weight, open, and the team's tech share by weight and by count.
pub(super) fn balance_csv(h: &History) -> Result<Vec<u8>> {
    let mut w = CsvWriter::new([
        "team",
        "bucket",
        "kind",
        "done",
        "share",
        "weight",
        "weight_share",
        "open",
        "tech_share",
        "tech_share_by_count",
    ])?;
    for team in &h.teams {
        let row = team_row(h, team);
        let per = team.done_per_bucket();
        let weights = team.weight_per_bucket();
        for (b, &n) in per.iter().enumerate() {
            w.row([
                team.team.as_str(),
                bucket_name(h, b),
                kind_name(h, b),
                &n.to_string(),
                &opt(row.by_count[b]),
                &num(weights[b]),
                &opt(row.by_weight[b]),
                &team.open[b].to_string(),
                &opt(row.tech),
                &opt(row.tech_by_count),
            ])?;
        }
    }
    w.finish()
}

/// `cycle_times.csv`: per team (and `all`) and bucket: items, P50, P85, P95, max (days).
pub(super) fn cycle_times_csv(imported: &Imported) -> Result<Vec<u8>> {
    let h = imported.history;
    let mut w = CsvWriter::new(["team", "bucket", "items", "p50", "p85", "p95", "max"])?;
    let by_team = cycle_times_by_team(imported);
    let mut all_teams = vec![Vec::new(); h.buckets.len() + 1];
    let mut rows = Vec::new();
    for (team, buckets) in h.teams.iter().zip(&by_team) {
        rows.push((team.team.as_str(), buckets.clone()));
        for (all, days) in all_teams.iter_mut().zip(buckets) {
            all.extend(days);
        }
    }
    rows.push(("all", all_teams));
    for (team, mut buckets) in rows {
        buckets.iter_mut().for_each(|v| v.sort_unstable());
        let mut every: Vec<i64> = buckets.concat();
        every.sort_unstable();
        let named = std::iter::once(("all", &every))
            .chain((0..buckets.len()).map(|b| (bucket_name(h, b), &buckets[b])));
        for (name, v) in named {
            if v.is_empty() {
                continue;
            }
            let p = |q| percentile(v, q).map_or_else(String::new, |x| x.to_string());
            w.row([
                team,
                name,
                &v.len().to_string(),
                &p(0.5),
                &p(0.85),
                &p(0.95),
                &v.last().map_or_else(String::new, |x| x.to_string()),
            ])?;
        }
    }
    w.finish()
}

/// `incidents.csv`: per team and period of its window: incidents opened, how many of them
/// were resolved, and their hours to resolve (P50, P85, max).
pub(super) fn incidents_csv(incidents: &IncidentHistory) -> Result<Vec<u8>> {
    let mut w = CsvWriter::new([
        "team",
        "period",
        "start",
        "end",
        "opened",
        "resolved",
        "hours_p50",
        "hours_p85",
        "hours_max",
    ])?;
    let grid = &incidents.grid;
    for team in &incidents.teams {
        for (k, (&opened, hours)) in team.opened.iter().zip(&team.resolve_hours).enumerate() {
            let t = team.window.start + k + 1;
            w.row([
                team.team.as_str(),
                &t.to_string(),
                &grid.start(t).to_string(),
                &grid.end(t).to_string(),
                &opened.to_string(),
                &hours.len().to_string(),
                &opt(percentile_f64(hours, 0.5)),
                &opt(percentile_f64(hours, 0.85)),
                &opt(hours.last().copied()),
            ])?;
        }
    }
    w.finish()
}

/// `plan_vs_actual.csv`: per team and planned period: the planned tech share, the one done,
/// their difference, and the product and tech work done (in the import's weight).
pub(super) fn plan_csv(rows: &[Drift]) -> Result<Vec<u8>> {
    let mut w = CsvWriter::new([
        "team", "period", "start", "end", "planned", "actual", "drift", "product", "tech", "items",
    ])?;
    for d in rows {
        let p = &d.planned;
        w.row([
            p.team.as_str(),
            &p.period.to_string(),
            &p.start.to_string(),
            &p.end.to_string(),
            &opt(p.share),
            &opt(d.actual()),
            &opt(d.gap()),
            &num(d.product),
            &num(d.tech),
            &d.items.to_string(),
        ])?;
    }
    w.finish()
}
