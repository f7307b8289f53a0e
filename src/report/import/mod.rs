//! Outputs of `fulcrum import`: the tidy item table, throughput per team, period and bucket,
//! the investment balance and cycle times as CSVs; the balance, throughput and cycle-time
//! charts; a self-contained `report.html`; `import.json`; the scenario; the terminal summary.

use std::borrow::Cow;
use std::fmt::Write;

use anyhow::Result;

use crate::model::history::{
    BucketKind, History, ItemState, WorkItem, per_kind, percentile, tech_share,
};

use super::OutputDir;
use super::charts::Plot;
use super::html::{escape, page_start, strip_xml_prolog};
use super::tables::num;
use crate::scenario::import::quoted_cell;

mod charts;

/// Every text cell of the import's CSVs goes through here, so one place can guard against
/// spreadsheet formula injection.
pub fn text_cell(text: &str) -> Cow<'_, str> {
    Cow::Borrowed(text)
}

/// What was imported, for the outputs.
#[derive(Clone, Debug)]
pub struct Imported<'a> {
    /// Every item read from the exports, each in its bucket (if a rule matched).
    pub items: &'a [WorkItem],
    /// The items counted per team, bucket and period.
    pub history: &'a History,
    /// Per bucket: name, kind, the rules that fill it.
    pub rules: Vec<(String, BucketKind, Vec<String>)>,
    /// What `import.json` records.
    pub info: &'a ImportInfo,
}

/// What `import.json` records.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ImportInfo {
    /// Version of fulcrum that made the import.
    pub fulcrum_version: String,
    /// Each export as `file (format)`.
    pub files: Vec<String>,
    /// Where the bucket rules came from: `rules file FILE`, `built-in rules`, or `--rule flags`
    /// (then the rules file's or the built-in ones).
    pub rules: String,
    /// Length of one period, e.g. `1w`, `2w`, `1d`, `1mo`, `1q`.
    pub period: String,
    /// First day of the first period counted (YYYY-MM-DD).
    pub first_day: String,
    /// Last day of the last period counted (YYYY-MM-DD).
    pub last_day: String,
    /// Complete periods counted.
    pub periods: usize,
    /// The `--timezone` the exports' timestamps were read in, as given.
    pub time_zone: String,
    /// Whether weekends are not working days (periods of days only).
    pub weekends_off: bool,
    /// The holidays not worked (YYYY-MM-DD).
    pub holidays: Vec<String>,
    /// Items read (an item in several files counted once).
    pub items: usize,
    /// Items done.
    pub done: usize,
    /// Items not finished (reopened ones not included).
    pub open: usize,
    /// Items done once, then reopened: counted as open, their earlier done date ignored.
    pub reopened: usize,
    /// Items cancelled, declined or duplicates: neither throughput nor backlog.
    pub cancelled: usize,
    /// Items, cancelled ones aside, that matched no rule: counted in the `unmatched` bucket.
    pub unmatched: usize,
    /// Items met again, in the same file or a later one (same team and id): the later row is
    /// kept.
    pub duplicates: usize,
    /// Pull requests in GitHub exports: left out, since they are not issues.
    pub pull_requests: usize,
    /// Rows whose cells hold line breaks, as `file:first–last` lines: where a quote may have
    /// swallowed rows.
    pub multi_line_rows: Vec<String>,
    /// Done items whose done date is before their start (or creation): left out of cycle
    /// times.
    pub done_before_start: usize,
    /// Whether `scenario.toml` was written (not when `fulcrum validate` would refuse it; the
    /// notes say why).
    pub scenario_written: bool,
    /// Done items outside the history's periods (before it, or in a partial last period).
    pub done_outside: usize,
    /// What the import did with awkward items, in words.
    pub notes: Vec<String>,
}

/// Counts of items per state: done, open, reopened, cancelled.
pub fn state_counts(items: &[WorkItem]) -> [usize; 4] {
    let mut c = [0; 4];
    for i in items {
        c[match i.state {
            ItemState::Done => 0,
            ItemState::Open => 1,
            ItemState::Reopened => 2,
            ItemState::Cancelled => 3,
        }] += 1;
    }
    c
}

fn date(d: Option<crate::model::Date>) -> String {
    d.map_or_else(String::new, |d| d.to_string())
}

fn bucket_name(h: &History, b: usize) -> &str {
    h.buckets.get(b).map_or("unmatched", |b| b.name.as_str())
}

fn kind_name(h: &History, b: usize) -> &str {
    h.buckets.get(b).map_or("", |b| b.kind.as_str())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// `items.csv`: one row per item.
pub fn items_csv(imported: &Imported) -> Result<Vec<u8>> {
    let h = imported.history;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
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
        "source",
    ])?;
    for item in imported.items {
        let b = item.bucket.unwrap_or(h.buckets.len());
        let cycle = item.cycle_time();
        let labels = item.labels.join(";");
        let record: [Cow<str>; 15] = [
            text_cell(&item.id),
            text_cell(&item.team),
            text_cell(bucket_name(h, b)),
            kind_name(h, b).into(),
            item.state.as_str().into(),
            date(item.created).into(),
            date(item.started).into(),
            date(item.done).into(),
            cycle.map_or_else(String::new, |c| c.0.to_string()).into(),
            cycle.map_or("", |c| c.1.as_str()).into(),
            text_cell(&item.item_type),
            text_cell(&labels),
            text_cell(&item.status),
            text_cell(&item.title),
            text_cell(&item.source),
        ];
        w.write_record(record.iter().map(|c| c.as_ref()))?;
    }
    finish(w)
}

/// `throughput.csv`: team, period, start, end, bucket, kind, items, share (of the team's
/// items finished that period).
pub fn throughput_csv(h: &History) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "team", "period", "start", "end", "bucket", "kind", "items", "share",
    ])?;
    for team in &h.teams {
        let total = team.total();
        for t in 1..=h.grid.periods {
            for (b, row) in team.done.iter().enumerate() {
                let n = row[t - 1];
                let share = if total[t - 1] > 0 {
                    num(f64::from(n) / f64::from(total[t - 1]))
                } else {
                    String::new()
                };
                w.write_record([
                    text_cell(&team.team).as_ref(),
                    &t.to_string(),
                    &h.grid.start(t).to_string(),
                    &h.grid.end(t).to_string(),
                    &text_cell(bucket_name(h, b)),
                    kind_name(h, b),
                    &n.to_string(),
                    &share,
                ])?;
            }
        }
    }
    finish(w)
}

/// The tech share of each team: tech ÷ (product + tech) of its finished items.
fn team_tech_share(h: &History, j: usize) -> Option<f64> {
    let per = h.teams[j].done_per_bucket();
    tech_share(
        per_kind(&h.buckets, &per, BucketKind::Product),
        per_kind(&h.buckets, &per, BucketKind::Tech),
    )
}

/// `balance.csv`: per team and bucket over the whole history: done, share of done, open,
/// and the team's tech share.
pub fn balance_csv(h: &History) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "team",
        "bucket",
        "kind",
        "done",
        "share",
        "open",
        "tech_share",
    ])?;
    for (j, team) in h.teams.iter().enumerate() {
        let per = team.done_per_bucket();
        let total: u32 = per.iter().sum();
        let share = team_tech_share(h, j).map_or_else(String::new, num);
        for (b, &n) in per.iter().enumerate() {
            let s = if total > 0 {
                num(f64::from(n) / f64::from(total))
            } else {
                String::new()
            };
            w.write_record([
                text_cell(&team.team).as_ref(),
                &text_cell(bucket_name(h, b)),
                kind_name(h, b),
                &n.to_string(),
                &s,
                &team.open[b].to_string(),
                &share,
            ])?;
        }
    }
    finish(w)
}

/// Sorted cycle times (days) of the done items of `team` (all teams: `None`) in the
/// history's periods.
fn cycle_times(imported: &Imported, team: Option<&str>, bucket: Option<Option<usize>>) -> Vec<i64> {
    let grid = &imported.history.grid;
    let mut v: Vec<i64> = imported
        .items
        .iter()
        .filter(|i| team.is_none_or(|t| i.team == t))
        .filter(|i| bucket.is_none_or(|b| i.bucket == b))
        .filter(|i| i.done.and_then(|d| grid.period_of(d)).is_some())
        .filter_map(|i| i.cycle_time().map(|c| c.0))
        .collect();
    v.sort_unstable();
    v
}

/// Cycle times (days) of the done items in the history's periods, by team (`teams[j]`, the
/// history's order) and bucket (the last: unmatched), in one pass over the items.
fn cycle_times_by_team(imported: &Imported) -> Vec<Vec<Vec<i64>>> {
    let h = imported.history;
    let mut by = vec![vec![Vec::new(); h.buckets.len() + 1]; h.teams.len()];
    for item in imported.items {
        let Ok(j) = h
            .teams
            .binary_search_by(|t| t.team.as_str().cmp(&item.team))
        else {
            continue;
        };
        if item.done.and_then(|d| h.grid.period_of(d)).is_none() {
            continue;
        }
        if let Some((days, _)) = item.cycle_time() {
            by[j][item.bucket.unwrap_or(h.buckets.len()).min(h.buckets.len())].push(days);
        }
    }
    by
}

/// `cycle_times.csv`: per team (and `all`) and bucket: items, P50, P85, P95, max (days).
pub fn cycle_times_csv(imported: &Imported) -> Result<Vec<u8>> {
    let h = imported.history;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["team", "bucket", "items", "p50", "p85", "p95", "max"])?;
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
            w.write_record([
                text_cell(team).as_ref(),
                &text_cell(name),
                &v.len().to_string(),
                &p(0.5),
                &p(0.85),
                &p(0.95),
                &v.last().map_or_else(String::new, |x| x.to_string()),
            ])?;
        }
    }
    finish(w)
}

/// Writes every output into `target` (atomically) and returns nothing but errors; the
/// scenario when there is one that validates.
pub fn write(
    target: &crate::report::Destination,
    imported: &Imported,
    scenario: Option<&str>,
) -> Result<()> {
    let dir = OutputDir::create(target, "import")?;
    let h = imported.history;
    dir.write("items.csv", &items_csv(imported)?)?;
    dir.write("throughput.csv", &throughput_csv(h)?)?;
    dir.write("balance.csv", &balance_csv(h)?)?;
    dir.write("cycle_times.csv", &cycle_times_csv(imported)?)?;
    let folder = dir.staged("");
    let mut charts = vec![
        charts::balance_chart(&folder, h)?,
        charts::throughput_chart(&folder, h)?,
    ];
    charts.extend(charts::cycle_chart(&folder, imported)?);
    if let Some(scenario) = scenario {
        dir.write("scenario.toml", scenario.as_bytes())?;
    }
    dir.write("report.html", page(imported, &charts).as_bytes())?;
    let mut json = serde_json::to_vec_pretty(imported.info)?;
    json.push(b'\n');
    dir.write("import.json", &json)?;
    dir.commit()
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |x| format!("{:.0}%", x * 100.0))
}

/// One line of the balance table: team, finished items, each bucket's share (buckets in
/// order, unmatched last), the tech share.
type BalanceRow = (String, u32, Vec<Option<f64>>, Option<f64>);

/// Per team (then all teams): finished items, each bucket's share, the tech share.
fn balance_rows(h: &History) -> Vec<BalanceRow> {
    let mut rows = Vec::new();
    let mut sum = vec![0u32; h.buckets.len() + 1];
    for (j, team) in h.teams.iter().enumerate() {
        let per = team.done_per_bucket();
        for (s, x) in sum.iter_mut().zip(&per) {
            *s += x;
        }
        rows.push(shares(team.team.clone(), &per, team_tech_share(h, j)));
    }
    let all = tech_share(
        per_kind(&h.buckets, &sum, BucketKind::Product),
        per_kind(&h.buckets, &sum, BucketKind::Tech),
    );
    rows.push(shares("all teams".into(), &sum, all));
    rows
}

fn shares(name: String, per: &[u32], tech: Option<f64>) -> BalanceRow {
    let total: u32 = per.iter().sum();
    let s = per
        .iter()
        .map(|&n| (total > 0).then(|| f64::from(n) / f64::from(total)))
        .collect();
    (name, total, s, tech)
}

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
    let names: Vec<Cow<str>> = (0..=h.buckets.len())
        .map(|b| quoted_cell(bucket_name(h, b)))
        .collect();
    let mut rows = balance_rows(h);
    let all_teams = rows.pop().expect("the all-teams row");
    let left_out = rows.len().saturating_sub(SUMMARY_TEAMS);
    if left_out > 0 {
        let mut busiest: Vec<usize> = (0..rows.len()).collect();
        busiest.sort_by_key(|&j| std::cmp::Reverse(rows[j].1));
        busiest.truncate(SUMMARY_TEAMS);
        busiest.sort_unstable();
        rows = busiest.into_iter().map(|j| rows[j].clone()).collect();
    }
    rows.push(all_teams);
    let rows: Vec<BalanceRow> = rows
        .into_iter()
        .map(|(name, total, s, tech)| (quoted_cell(&name).into_owned(), total, s, tech))
        .collect();
    let width = rows
        .iter()
        .map(|r| r.0.chars().count())
        .max()
        .unwrap_or(4)
        .max(9);
    let _ = write!(out, "\n  {:<width$} {:>6}", "team", "done");
    for n in &names {
        let _ = write!(out, " {:>w$}", n, w = n.chars().count().max(6));
    }
    let _ = writeln!(out, " {:>10}", "tech share");
    for (name, total, s, tech) in rows {
        let _ = write!(out, "  {name:<width$} {total:>6}");
        for (n, x) in names.iter().zip(&s) {
            let _ = write!(out, " {:>w$}", pct(*x), w = n.chars().count().max(6));
        }
        let _ = writeln!(out, " {:>10}", pct(tech));
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "  ({SUMMARY_TEAMS} teams that finished the most items shown; {left_out} more in balance.csv)"
        );
    }
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
    for note in &info.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    out
}

/// The self-contained report page.
fn page(imported: &Imported, charts: &[Plot]) -> String {
    let (h, info) = (imported.history, imported.info);
    let mut p = String::new();
    page_start(&mut p, "Where capacity went — fulcrum import");
    let _ = writeln!(p, "<h1>Where capacity went</h1>");
    let _ = writeln!(
        p,
        "<p class=\"question\">{} items from {}: {} periods of {}, {} to {}.</p>",
        info.items,
        escape(&info.files.join(", ")),
        info.periods,
        escape(&info.period),
        info.first_day,
        info.last_day
    );
    let _ = writeln!(
        p,
        "<p class=\"muted\">{} done, {} open ({} reopened), {} cancelled and left out; {} \
         matched no rule; days in {}.</p>",
        info.done,
        info.open + info.reopened,
        info.reopened,
        info.cancelled,
        info.unmatched,
        escape(&info.time_zone)
    );
    balance_table(&mut p, h);
    charts_section(&mut p, charts);
    rules_section(&mut p, imported);
    unmatched_section(&mut p, imported);
    if !info.notes.is_empty() {
        let _ = writeln!(p, "<h2>Notes</h2>\n<ul>");
        for n in &info.notes {
            let _ = writeln!(p, "<li>{}</li>", escape(n));
        }
        let _ = writeln!(p, "</ul>");
    }
    p.push_str("</body>\n</html>\n");
    // On a phone, a wide table scrolls by itself instead of the whole page.
    p.replace("<table>", "<div style=\"overflow-x:auto\"><table>")
        .replace("</table>", "</table></div>")
}

fn balance_table(p: &mut String, h: &History) {
    let _ = writeln!(
        p,
        "<h2>Investment balance</h2>\n<table>\n<tr><th>team</th><th>done</th>"
    );
    for b in 0..=h.buckets.len() {
        let _ = write!(p, "<th>{}</th>", escape(bucket_name(h, b)));
    }
    let _ = writeln!(p, "<th>tech share</th></tr>");
    for (name, total, s, tech) in balance_rows(h) {
        let _ = write!(p, "<tr><td>{}</td><td>{total}</td>", escape(&name));
        for x in s {
            let _ = write!(p, "<td>{}</td>", pct(x));
        }
        let _ = writeln!(p, "<td>{}</td></tr>", pct(tech));
    }
    let _ = writeln!(
        p,
        "</table>\n<p class=\"muted\">Shares of finished items. The tech share is tech ÷ \
         (product + tech): keep-the-lights-on work and unmatched items are outside it.</p>"
    );
}

fn charts_section(p: &mut String, charts: &[Plot]) {
    let _ = writeln!(p, "<h2>Charts</h2>");
    for c in charts {
        let _ = writeln!(
            p,
            "<figure>\n{}\n<figcaption><strong>{}.</strong> {} <span class=\"muted\">({}.svg, \
             {}.png)</span></figcaption>\n</figure>",
            strip_xml_prolog(&c.svg),
            escape(&c.title),
            escape(&c.caption),
            escape(&c.stem),
            escape(&c.stem)
        );
    }
}

fn rules_section(p: &mut String, imported: &Imported) {
    let _ = writeln!(
        p,
        "<h2>Buckets and rules</h2>\n<p>The first matching rule wins ({}).</p>\n<table>\n<tr><th>bucket</th><th class=\"text\">kind</th><th class=\"text\">rules</th></tr>",
        escape(&imported.info.rules)
    );
    for (name, kind, rules) in &imported.rules {
        let _ = writeln!(
            p,
            "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td></tr>",
            escape(name),
            kind.as_str(),
            escape(&rules.join(", "))
        );
    }
    let _ = writeln!(p, "</table>");
}

/// The first 20 items no rule matched, to write rules for.
fn unmatched_section(p: &mut String, imported: &Imported) {
    let unmatched: Vec<&WorkItem> = imported
        .items
        .iter()
        .filter(|i| i.bucket.is_none() && i.state != ItemState::Cancelled)
        .collect();
    if !unmatched.is_empty() {
        let _ = writeln!(
            p,
            "<h2>Unmatched items</h2>\n<p>{} items matched no rule; they are counted as \
             <em>unmatched</em>, outside the tech share and the scenario's capacity. Add rules \
             for them. The first {}:</p>\n<table>\n<tr><th>id</th><th class=\"text\">type</th>\
             <th class=\"text\">labels</th><th class=\"text\">title</th><th class=\"text\">source</th></tr>",
            unmatched.len(),
            unmatched.len().min(20)
        );
        for i in unmatched.iter().take(20) {
            let _ = writeln!(
                p,
                "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td></tr>",
                escape(&i.id),
                escape(&i.item_type),
                escape(&i.labels.join(", ")),
                escape(&i.title),
                escape(&i.source)
            );
        }
        let _ = writeln!(p, "</table>");
    }
}
