//! The outputs of `fulcrum sweep`: `frontier.csv`, the frontier and outcome charts (drawn in
//! [`frontier`]) and a self-contained `report.html` (here); what it prints in [`terminal`]
//! and its `--json` document in [`json`].

pub mod frontier;
pub mod json;
pub mod terminal;

use std::fmt::Write;

use anyhow::Result;

use super::kit::output::{Destination, OutputDir};
use crate::report::kit::charts::tick;
use crate::report::kit::csv::CsvWriter;
use crate::report::kit::page;
use crate::report::kit::page::escape;
use crate::simulate::SummaryMetric;
use crate::whatif::sweep::{self, METRICS, Point, Vary};
use crate::words::numbers::num;
use crate::words::numbers::percent;
pub use frontier::{frontier_of, frontier_plot, knees, outcomes_plot};

/// What a sweep report says about its run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SweepInfo {
    /// Version of fulcrum that ran the sweep.
    pub fulcrum_version: String,
    /// The scenario's name.
    pub scenario: String,
    /// The question the scenario answers; `null` when it states none.
    pub question: Option<String>,
    /// Path of the scenario file, as given on the command line.
    pub scenario_file: String,
    /// The `--set PATH=VALUE` overrides applied to the scenario, in the order given.
    pub overrides: Vec<String>,
    /// Each `--vary`, as `path=from:to:steps`.
    pub vary: Vec<String>,
    /// Master seed of every point's trials.
    pub seed: u64,
    /// Monte Carlo trials per point.
    pub trials: u64,
    /// Points swept: every combination of the varied values.
    pub points: usize,
    /// Names of the strategies compared, in input order.
    pub strategies: Vec<String>,
    /// Wall-clock seconds the sweep took, before its files were written.
    pub seconds_total: f64,
    /// Worker threads the sweep used.
    pub threads: usize,
    /// The shard folders merged into these results (`fulcrum merge`; none for one run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<String>,
}

/// `frontier.csv`: point, each varied parameter, strategy, metric, mean, p10, p50, p90, knee.
pub fn frontier_csv(varies: &[Vary], points: &[Point]) -> Result<Vec<u8>> {
    let knees = knees(points);

    let mut header = vec!["point".to_string()];
    header.extend(varies.iter().map(|v| String::from(&v.path)));
    header.extend(
        ["strategy", "metric", "mean", "p10", "p50", "p90", "knee"]
            .iter()
            .map(|s| s.to_string()),
    );
    let mut w = CsvWriter::new(&header)?;
    for (n, point) in points.iter().enumerate() {
        for (s, name) in point.results.strategies.iter().enumerate() {
            for metric in METRICS {
                let d = point.results.summary(s, metric);
                let mut row = vec![(n + 1).to_string()];
                row.extend(point.values.iter().map(|&x| sweep::format_value(x)));
                row.extend([
                    String::from(name),
                    metric.name().to_string(),
                    num(d.mean),
                    num(d.quantiles[1]),
                    num(d.quantiles[3]),
                    num(d.quantiles[5]),
                    if knees[s] == Some(n) { "1" } else { "0" }.to_string(),
                ]);
                w.row(&row)?;
            }
        }
    }
    w.finish()
}

/// Writes every output of a sweep into `target` (atomically).
pub fn write_sweep(
    target: &Destination,
    varies: &[Vary],
    points: &[Point],
    info: &SweepInfo,
) -> Result<()> {
    let dir = OutputDir::create(target, "sweep")?;
    dir.write("frontier.csv", &frontier_csv(varies, points)?)?;
    let svg = frontier_plot(&dir.staged(""), varies, points)?;
    let outcomes = outcomes_plot(&dir.staged(""), varies, points)?;
    dir.write(
        "report.html",
        page(varies, points, info, &[&svg, &outcomes]).as_bytes(),
    )?;
    let mut json = serde_json::to_vec_pretty(info)?;
    json.push(b'\n');
    dir.write("sweep.json", &json)?;
    dir.commit()
}

/// The sweep's self-contained HTML page.
fn page(varies: &[Vary], points: &[Point], info: &SweepInfo, svgs: &[&str; 2]) -> String {
    let mut h = String::new();
    let title = escape(&info.scenario);
    page::page_start(&mut h, &format!("{title} — fulcrum sweep"));
    let _ = writeln!(h, "<h1>{title}: sweep</h1>");
    if let Some(q) = &info.question {
        let _ = writeln!(h, "<p class=\"question\">{}</p>", escape(q));
    }
    let _ = writeln!(
        h,
        "<p class=\"muted\">{} points ({}), {} trials per point on common random numbers, \
         seed {}, fulcrum {}.</p>",
        info.points,
        escape(&info.vary.join(" × ")),
        info.trials,
        info.seed,
        escape(&info.fulcrum_version)
    );
    let (frontier, outcomes) = (
        page::strip_xml_prolog(svgs[0]),
        page::strip_xml_prolog(svgs[1]),
    );
    let _ = writeln!(
        h,
        "<figure id=\"frontier\"><div class=\"chart\">{frontier}</div><figcaption>Each \
         strategy's expected product attainment against its final debt at every point of the \
         sweep, on axes fitted to the points; the black line is the Pareto front (no other \
         point has both more product attainment and less debt); the ring marks the knee, \
         where more product starts to cost disproportionately more debt.</figcaption></figure>"
    );
    let _ = writeln!(
        h,
        "<figure id=\"outcomes\"><div class=\"chart\">{outcomes}</div><figcaption>Blended \
         score, product score and final debt (P50) of each strategy against the swept \
         parameter.</figcaption></figure>"
    );
    points_table(&mut h, varies, points);
    h.push_str("</body>\n</html>\n");
    h
}

/// One row of a sweep's tables: strategy `strategy` at point `point`, or, for a strategy the
/// sweep does not touch, its one row standing for every point (`reference`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// Index of the point.
    pub point: usize,
    /// Index of the strategy.
    pub strategy: usize,
    /// Whether the row stands for every point (the strategy is not swept).
    pub reference: bool,
}

/// The strategy every swept path belongs to (`strategies.NAME.…`), when there is one; the
/// longest name wins where one name begins another.
pub fn swept_strategy(varies: &[Vary], names: &[String]) -> Option<usize> {
    let owner = |path: &str| {
        (0..names.len())
            .filter(|&s| path.starts_with(&format!("strategies.{}.", names[s])))
            .max_by_key(|&s| names[s].len())
    };
    let first = owner(&varies.first()?.path)?;
    varies
        .iter()
        .all(|v| owner(&v.path) == Some(first))
        .then_some(first)
}

/// The rows a sweep's tables show, in order. When the sweep changes one strategy only, the
/// others give the same numbers at every point (common random numbers, and nothing of theirs
/// changed): that strategy's row at each point, then each other strategy once, as a
/// reference. Otherwise every strategy at every point.
pub fn rows(varies: &[Vary], points: &[Point]) -> Vec<Row> {
    let Some(first) = points.first() else {
        return Vec::new();
    };
    let strategies = first.results.strategies.len();
    let row = |point, strategy, reference| Row {
        point,
        strategy,
        reference,
    };
    match swept_strategy(varies, &first.results.strategies) {
        Some(swept) => (0..points.len())
            .map(|n| row(n, swept, false))
            .chain(
                (0..strategies)
                    .filter(|&s| s != swept)
                    .map(|s| row(0, s, true)),
            )
            .collect(),
        None => (0..points.len())
            .flat_map(|n| (0..strategies).map(move |s| row(n, s, false)))
            .collect(),
    }
}

/// The table of every point and strategy (a strategy the sweep does not change once), the
/// knees marked.
fn points_table(h: &mut String, varies: &[Vary], points: &[Point]) {
    let knees = knees(points);
    h.push_str("<h2>Points</h2>\n<div class=\"scroll\"><table>\n<tr>");
    for v in varies {
        let _ = write!(h, "<th>{}</th>", escape(&v.path));
    }
    h.push_str(
        "<th class=\"text\">strategy</th><th>blended score</th><th>product score</th>\
         <th>technology score</th><th>final debt P50 [P10–P90]</th><th>incident days</th><th></th></tr>\n",
    );
    for Row {
        point: n,
        strategy: s,
        reference,
    } in rows(varies, points)
    {
        let point = &points[n];
        let name = &point.results.strategies[s];
        let r = &point.results;
        let debt = r.summary(s, SummaryMetric::FinalDebt);
        h.push_str("<tr>");
        if reference {
            let _ = write!(h, "<td colspan=\"{}\">every point</td>", point.values.len());
        } else {
            for &x in &point.values {
                let _ = write!(h, "<td>{}</td>", sweep::format_value(x));
            }
        }
        let _ = writeln!(
            h,
            "<td class=\"text\">{}</td><td>{:.3}</td><td>{}</td><td>{}</td>\
             <td>{} [{}–{}]</td><td>{:.0}</td><td>{}</td></tr>",
            escape(name),
            r.summary(s, SummaryMetric::BlendedScore).mean,
            percent(r.summary(s, SummaryMetric::ProductScore).mean),
            percent(r.summary(s, SummaryMetric::TechnologyScore).mean),
            tick(debt.quantiles[3]),
            tick(debt.quantiles[1]),
            tick(debt.quantiles[5]),
            r.summary(s, SummaryMetric::IncidentDays).mean,
            if knees[s] == Some(n) && !reference {
                "knee"
            } else {
                ""
            }
        );
    }
    h.push_str("</table></div>\n");
}
