//! The import's self-contained `report.html`: the headline, the investment balance by weight
//! and by count, the rules to paste for unmatched work, each team's window, incidents, the
//! plan against what happened, the charts, the buckets and their rules, and the notes. Built
//! to be read on a phone: tables scroll inside their own frame, charts inside theirs, and
//! long words (paths, ids) wrap, so the page itself never runs wider than the screen.

use std::fmt::Write;

use crate::model::history::incidents::IncidentHistory;
use crate::model::history::{History, ItemState, Weight, WorkItem, percentile_f64};
use crate::report::kit::charts::Plot;
use crate::report::kit::page::{escape, figure, page_start};
use crate::words::numbers::num;

use super::balance::{BalanceRow, balance_rows, headline, pct, weighing_in_words};
use super::{Imported, bucket_name};

/// What the import page adds to the shared style: words that would not fit a phone's line
/// (a file's path, an id) break anywhere rather than widen the page.
const STYLE: &str = "<style>p, li, td.text { overflow-wrap: break-word; }\n\
     .date { white-space: nowrap; }\n\
     td.uncertain { color: #b00; }\n\
     @media (max-width: 520px) { table { font-size: 0.82em; } \
     th, td { padding: 0.25em 0.35em; } }</style>\n</head>";

/// The self-contained report page.
pub(super) fn page(imported: &Imported, charts: &[Plot]) -> String {
    let (h, info) = (imported.history, imported.info);
    let mut p = String::new();
    page_start(&mut p, "Where capacity went — fulcrum import");
    let mut p = p.replacen("</head>", STYLE, 1);
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
    let rows = balance_rows(h);
    let _ = writeln!(p, "<div class=\"answer\">");
    let mut sentences = vec![
        headline(h, rows.last().expect("all teams")),
        weighing_in_words(h, info.weight_default, &info.estimates),
    ];
    if let Some(plan) = &info.plan {
        sentences.push(format!("Plan against actual: {}.", plan.words));
    }
    for s in sentences {
        let _ = writeln!(p, "<p>{}</p>", escape(&s));
    }
    let _ = writeln!(p, "</div>");
    balance_table(&mut p, h, &rows);
    unmatched_section(&mut p, imported);
    windows_section(&mut p, h);
    if let Some(incidents) = imported.incidents {
        incidents_section(&mut p, incidents);
    }
    charts_section(&mut p, charts);
    rules_section(&mut p, imported);
    if !info.notes.is_empty() {
        let _ = writeln!(p, "<h2>Notes</h2>\n<ul>");
        for n in &info.notes {
            let _ = writeln!(p, "<li>{}</li>", escape(n));
        }
        let _ = writeln!(p, "</ul>");
    }
    p.push_str("</body>\n</html>\n");
    p
}

/// Opens a table that scrolls sideways inside its own frame on a narrow screen.
fn table_start(p: &mut String, header: &str) {
    let _ = writeln!(p, "<div class=\"scroll\"><table>\n<tr>{header}</tr>");
}

fn table_end(p: &mut String) {
    p.push_str("</table></div>\n");
}

/// Two tables: each team's work and tech share (by weight, and by count when the balance is
/// weighed otherwise), then each bucket's share of it: narrow enough for a phone each.
fn balance_table(p: &mut String, h: &History, rows: &[BalanceRow]) {
    let weighed = h.weighing.by != Weight::Items;
    let _ = writeln!(p, "<h2>Investment balance</h2>");
    let mut header = String::from("<th>team</th><th>done</th>");
    if weighed {
        let _ = write!(header, "<th>{}</th>", escape(h.weighing.by.as_str()));
    }
    header.push_str("<th>tech share</th>");
    if weighed {
        header.push_str("<th>by count</th>");
    }
    header.push_str("<th>matched</th>");
    table_start(p, &header);
    for row in rows {
        let class = if row.uncertain() {
            " class=\"uncertain\""
        } else {
            ""
        };
        let _ = write!(p, "<tr><td>{}</td><td>{}</td>", escape(&row.name), row.done);
        if weighed {
            let _ = write!(p, "<td>{}</td>", num(row.weight));
        }
        let _ = write!(p, "<td{class}>{}</td>", escape(&row.tech_text()));
        if weighed {
            let _ = write!(p, "<td>{}</td>", pct(row.tech_by_count));
        }
        let _ = writeln!(p, "<td{class}>{}</td></tr>", pct(row.matched));
    }
    table_end(p);
    let mut header = String::from("<th>team</th>");
    for b in 0..=h.buckets.len() {
        let _ = write!(header, "<th>{}</th>", escape(bucket_name(h, b)));
    }
    table_start(p, &header);
    for row in rows {
        let _ = write!(p, "<tr><td>{}</td>", escape(&row.name));
        for (w, c) in row.by_weight.iter().zip(&row.by_count) {
            match weighed {
                true => {
                    let _ = write!(
                        p,
                        "<td>{} <span class=\"muted\">({})</span></td>",
                        pct(*w),
                        pct(*c)
                    );
                }
                false => {
                    let _ = write!(p, "<td>{}</td>", pct(*w));
                }
            }
        }
        let _ = writeln!(p, "</tr>");
    }
    table_end(p);
    let by = if weighed {
        format!(
            "Shares of the {} finished in each team's window, by count in brackets.",
            h.weighing.by.unit()
        )
    } else {
        "Shares of the items finished in each team's window.".into()
    };
    let _ = writeln!(
        p,
        "<p class=\"muted\">{by} The tech share is tech ÷ (product + tech): keep-the-lights-on \
         work and unmatched items are outside it. <em>matched</em>: the share of finished items \
         a rule matched; under 80% (in red, with ?) the tech share is uncertain.</p>"
    );
}

/// The rules to paste for the commonest unmatched types and labels, then the first 20 items
/// no rule matched.
fn unmatched_section(p: &mut String, imported: &Imported) {
    let unmatched: Vec<&WorkItem> = imported
        .items
        .iter()
        .filter(|i| i.bucket.is_none() && i.state != ItemState::Cancelled)
        .collect();
    if unmatched.is_empty() {
        return;
    }
    let _ = writeln!(
        p,
        "<h2>Unmatched items</h2>\n<p>{} items matched no rule; they are counted as \
         <em>unmatched</em>, outside the tech share and the scenario's capacity. The commonest \
         types and labels among the finished ones, each with a rule to paste (check its \
         bucket):</p>",
        unmatched.len()
    );
    table_start(
        p,
        "<th class=\"text\">what</th><th>items</th><th class=\"text\">rule</th>",
    );
    for r in &imported.info.unmatched_rules {
        let _ = writeln!(
            p,
            "<tr><td class=\"text\">{}</td><td>{}</td><td class=\"text\"><code>{}</code>{}</td></tr>",
            escape(&r.what),
            r.items,
            escape(&r.rule),
            escape(&super::summary::takes_over(r.takes_over))
        );
    }
    table_end(p);
    let _ = writeln!(p, "<p>The first {}:</p>", unmatched.len().min(20));
    table_start(
        p,
        "<th>id</th><th class=\"text\">type</th><th class=\"text\">labels</th>\
         <th class=\"text\">title</th><th class=\"text\">source</th>",
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
    table_end(p);
}

/// Each team's window: its first and last day, and what was cut before and after it.
fn windows_section(p: &mut String, h: &History) {
    let _ = writeln!(
        p,
        "<h2>Each team's history</h2>\n<p>A team's history runs from its first finished item \
         to its last, or to the end for a team still at work: idle periods before and after it \
         are cut, and so are a few straggler items {} idle periods or more away from the rest. \
         The scenario's capacity draws on these windows only.</p>",
        h.gap
    );
    table_start(
        p,
        "<th>team</th><th>window</th><th>periods</th><th>cut before / after</th>\
         <th>stragglers</th>",
    );
    for t in &h.teams {
        let window = match t.periods() {
            0 => "–".to_string(),
            _ => format!(
                "<span class=\"date\">{}</span> to <span class=\"date\">{}</span>",
                h.grid.start(t.period(0)),
                h.grid.end(t.window.end)
            ),
        };
        let _ = writeln!(
            p,
            "<tr><td>{}</td><td>{window}</td><td>{}</td><td>{} / {}</td><td>{}</td></tr>",
            escape(&t.team),
            t.periods(),
            t.cut.before,
            t.cut.after,
            t.cut.items_before + t.cut.items_after
        );
    }
    table_end(p);
}

/// Incidents per team: how many, per period, and the hours they took to resolve.
fn incidents_section(p: &mut String, incidents: &IncidentHistory) {
    let _ = writeln!(
        p,
        "<h2>Incidents</h2>\n<p>Incidents opened in each team's window (a team without work \
         items is counted over the whole history), and the hours to resolve those that were \
         (P50, P85); per period in <code>incidents.csv</code>.</p>"
    );
    table_start(
        p,
        "<th>team</th><th>count</th><th>a period</th><th>resolved</th>\
         <th>P50 h</th><th>P85 h</th>",
    );
    for team in &incidents.teams {
        let hours = team.all_hours();
        let q = |x: f64| {
            percentile_f64(&hours, x).map_or_else(|| "–".into(), |h| num((h * 10.0).round() / 10.0))
        };
        let _ = writeln!(
            p,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&team.team),
            team.count(),
            num((team.per_period() * 100.0).round() / 100.0),
            hours.len(),
            q(0.5),
            q(0.85)
        );
    }
    table_end(p);
}

fn charts_section(p: &mut String, charts: &[Plot]) {
    let _ = writeln!(p, "<h2>Charts</h2>");
    for c in charts {
        figure(p, c);
    }
}

fn rules_section(p: &mut String, imported: &Imported) {
    let _ = writeln!(
        p,
        "<h2>Buckets and rules</h2>\n<p>The first matching rule wins ({}).</p>",
        escape(&imported.info.rules)
    );
    table_start(
        p,
        "<th>bucket</th><th class=\"text\">kind</th><th class=\"text\">rules</th>",
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
    table_end(p);
}
