//! The outputs of `fulcrum sweep`: `frontier.csv`, the frontier chart (product attainment
//! against final debt, one line per strategy, the knee marked) and a self-contained
//! `report.html`.

use std::fmt::Write;
use std::path::Path;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::html::escape;
use super::plots::{
    self, Figure, LegendItem, Swatch, bold, legend, padded_range, palette, text, tick, titled,
};
use super::tables::{num, text_cell};
use super::{Destination, OutputDir};
use crate::simulate::SummaryMetric;
use crate::whatif::sweep::{self, METRICS, Point, Vary};

/// What a sweep report says about its run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SweepInfo {
    pub fulcrum_version: String,
    pub scenario: String,
    pub question: Option<String>,
    pub scenario_file: String,
    pub overrides: Vec<String>,
    pub vary: Vec<String>,
    pub seed: u64,
    pub trials: u64,
    pub points: usize,
    pub strategies: Vec<String>,
    pub seconds_total: f64,
    pub threads: usize,
    /// The shard folders merged into these results (`fulcrum merge`; none for one run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<String>,
}

/// (product score mean, final debt P50) of strategy `s` at each point.
fn frontier_of(points: &[Point], s: usize) -> Vec<(f64, f64)> {
    points
        .iter()
        .map(|p| {
            (
                p.results.summary(s, SummaryMetric::ProductScore).mean,
                p.results.summary(s, SummaryMetric::FinalDebt).quantiles[3],
            )
        })
        .collect()
}

/// The knee point of each strategy's frontier.
pub fn knees(points: &[Point]) -> Vec<Option<usize>> {
    let strategies = points.first().map_or(0, |p| p.results.strategies.len());
    (0..strategies)
        .map(|s| sweep::knee(&frontier_of(points, s)))
        .collect()
}

/// `frontier.csv`: point, each varied parameter, strategy, metric, mean, p10, p50, p90, knee.
pub fn frontier_csv(varies: &[Vary], points: &[Point]) -> Result<Vec<u8>> {
    let knees = knees(points);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point".to_string()];
    header.extend(varies.iter().map(|v| text_cell(&v.path)));
    header.extend(
        ["strategy", "metric", "mean", "p10", "p50", "p90", "knee"]
            .iter()
            .map(|s| s.to_string()),
    );
    w.write_record(&header)?;
    for (n, point) in points.iter().enumerate() {
        for (s, name) in point.results.strategies.iter().enumerate() {
            for metric in METRICS {
                let d = point.results.summary(s, metric);
                let mut row = vec![(n + 1).to_string()];
                row.extend(point.values.iter().map(|&x| sweep::format_value(x)));
                row.extend([
                    text_cell(name),
                    metric.name().to_string(),
                    num(d.mean),
                    num(d.quantiles[1]),
                    num(d.quantiles[3]),
                    num(d.quantiles[5]),
                    if knees[s] == Some(n) { "1" } else { "0" }.to_string(),
                ]);
                w.write_record(&row)?;
            }
        }
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// The frontier chart.
struct Frontier<'a> {
    title: String,
    points: &'a [Point],
}

impl Figure for Frontier<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let names = &self.points[0].results.strategies;
        let area = titled(root, &self.title)?;
        let mut items: Vec<LegendItem> = names
            .iter()
            .enumerate()
            .map(|(s, n)| LegendItem::new(n.clone(), palette::series(s), Swatch::Dot))
            .collect();
        items.push(LegendItem::new(
            "bars: final debt P10–P90; ring: knee",
            palette::GRID,
            Swatch::Tick,
        ));
        let area = legend(&area, &items)?;
        let knees = knees(self.points);
        let debt = |p: &Point, s: usize, q: usize| {
            p.results.summary(s, SummaryMetric::FinalDebt).quantiles[q]
        };
        let (y0, y1) = padded_range(
            self.points
                .iter()
                .flat_map(|p| (0..names.len()).flat_map(move |s| [debt(p, s, 1), debt(p, s, 5)])),
        );
        let mut ctx = ChartBuilder::on(&area)
            .margin_left(16)
            .margin_right(40)
            .margin_bottom(8)
            .x_label_area_size(56)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..1.05, y0..y1)?;
        let y_fmt = |y: &f64| tick(*y);
        let x_fmt = |x: &f64| format!("{:.0}%", x * 100.0);
        ctx.configure_mesh()
            .x_desc("expected product OKR attainment (mean)")
            .y_desc("final debt, engineer-days (P50, bars P10–P90)")
            .x_labels(11)
            .y_labels(8)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style(text(15))
            .axis_desc_style(text(17))
            .light_line_style(WHITE)
            .bold_line_style(palette::GRID)
            .draw()?;
        // Label points with their parameter values on (at most two of) the strategies the
        // sweep moves, to stay legible.
        let moving: Vec<usize> = (0..names.len())
            .filter(|&s| {
                let xy = frontier_of(self.points, s);
                xy.iter().any(|p| *p != xy[0])
            })
            .take(2)
            .collect();
        for (s, knee) in knees.iter().enumerate() {
            let colour = palette::series(s);
            let xy = frontier_of(self.points, s);
            for (p, &(x, _)) in self.points.iter().zip(&xy) {
                ctx.draw_series(std::iter::once(PathElement::new(
                    vec![(x, debt(p, s, 1)), (x, debt(p, s, 5))],
                    colour.mix(0.5).stroke_width(2),
                )))?;
            }
            ctx.draw_series(LineSeries::new(xy.iter().copied(), colour.stroke_width(2)))?;
            ctx.draw_series(
                xy.iter()
                    .map(|&(x, y)| Circle::new((x, y), 5, colour.filled())),
            )?;
            if moving.contains(&s) {
                for (p, &(x, y)) in self.points.iter().zip(&xy) {
                    let label: Vec<String> =
                        p.values.iter().map(|&v| sweep::format_value(v)).collect();
                    ctx.draw_series(std::iter::once(Text::new(
                        label.join(", "),
                        (x, y),
                        text(13).pos(Pos::new(HPos::Left, VPos::Bottom)),
                    )))?;
                }
            }
            if let Some(k) = *knee {
                let (x, y) = xy[k];
                ctx.draw_series(std::iter::once(Circle::new(
                    (x, y),
                    11,
                    colour.stroke_width(3),
                )))?;
                ctx.draw_series(std::iter::once(Text::new(
                    "knee",
                    (x, y),
                    bold(14).pos(Pos::new(HPos::Right, VPos::Top)),
                )))?;
            }
        }
        Ok(())
    }
}

/// Writes the frontier chart; returns its SVG.
pub fn frontier_plot(folder: &Path, varies: &[Vary], points: &[Point]) -> Result<String> {
    let paths: Vec<&str> = varies.iter().map(|v| v.path.as_str()).collect();
    let figure = Frontier {
        title: format!(
            "Product attainment against final debt across {}",
            paths.join(" × ")
        ),
        points,
    };
    plots::save(&folder.join("plots/frontier"), plots::SLIDE, &figure)
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
    dir.write("report.html", page(varies, points, info, &svg).as_bytes())?;
    let mut json = serde_json::to_vec_pretty(info)?;
    json.push(b'\n');
    dir.write("sweep.json", &json)?;
    dir.commit()
}

/// The sweep's self-contained HTML page.
fn page(varies: &[Vary], points: &[Point], info: &SweepInfo, svg: &str) -> String {
    let mut h = String::new();
    let title = escape(&info.scenario);
    super::html::page_start(&mut h, &format!("{title} — fulcrum sweep"));
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
    let svg = super::html::strip_xml_prolog(svg);
    let _ = writeln!(
        h,
        "<figure>{svg}<figcaption>Each strategy's expected product attainment against its \
         final debt at every point of the sweep; the ring marks the knee, where more product \
         starts to cost disproportionately more debt.</figcaption></figure>"
    );
    let knees = knees(points);
    h.push_str("<h2>Points</h2>\n<table>\n<tr>");
    for v in varies {
        let _ = write!(h, "<th>{}</th>", escape(&v.path));
    }
    h.push_str(
        "<th class=\"text\">strategy</th><th>blended score</th><th>product</th>\
         <th>technology</th><th>final debt P50 [P10–P90]</th><th>incident days</th><th></th></tr>\n",
    );
    for (n, point) in points.iter().enumerate() {
        for (s, name) in point.results.strategies.iter().enumerate() {
            let r = &point.results;
            let debt = r.summary(s, SummaryMetric::FinalDebt);
            h.push_str("<tr>");
            for &x in &point.values {
                let _ = write!(h, "<td>{}</td>", sweep::format_value(x));
            }
            let _ = writeln!(
                h,
                "<td class=\"text\">{}</td><td>{:.3}</td><td>{:.0}%</td><td>{:.0}%</td>\
                 <td>{} [{}–{}]</td><td>{:.0}</td><td>{}</td></tr>",
                escape(name),
                r.summary(s, SummaryMetric::BlendedScore).mean,
                r.summary(s, SummaryMetric::ProductScore).mean * 100.0,
                r.summary(s, SummaryMetric::TechnologyScore).mean * 100.0,
                tick(debt.quantiles[3]),
                tick(debt.quantiles[1]),
                tick(debt.quantiles[5]),
                r.summary(s, SummaryMetric::IncidentDays).mean,
                if knees[s] == Some(n) { "knee" } else { "" }
            );
        }
    }
    h.push_str("</table>\n</body>\n</html>\n");
    h
}

/// The terminal table of a sweep.
pub fn terminal_table(varies: &[Vary], points: &[Point]) -> String {
    let knees = knees(points);
    let mut out = String::new();
    let params: Vec<&str> = varies.iter().map(|v| v.path.as_str()).collect();
    let header = params.join(", ");
    let width = header.chars().count().max(12) + 2;
    let names = points
        .first()
        .map_or(&[][..], |p| &p.results.strategies[..]);
    let name_width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(8)
        .max(8)
        + 2;
    let _ = writeln!(
        out,
        "{:<width$}{:<name_width$}{:>9}{:>9}{:>12}{:>10}",
        header, "strategy", "blended", "product", "debt P50", "incidents"
    );
    for (n, point) in points.iter().enumerate() {
        let label: Vec<String> = point
            .values
            .iter()
            .map(|&x| sweep::format_value(x))
            .collect();
        for (s, name) in point.results.strategies.iter().enumerate() {
            let r = &point.results;
            let _ = writeln!(
                out,
                "{:<width$}{:<name_width$}{:>9.3}{:>8.0}%{:>12}{:>9.0}d{}",
                if s == 0 {
                    label.join(", ")
                } else {
                    String::new()
                },
                name,
                r.summary(s, SummaryMetric::BlendedScore).mean,
                r.summary(s, SummaryMetric::ProductScore).mean * 100.0,
                tick(r.summary(s, SummaryMetric::FinalDebt).quantiles[3]),
                r.summary(s, SummaryMetric::IncidentDays).mean,
                if knees[s] == Some(n) {
                    "  ← knee"
                } else {
                    ""
                }
            );
        }
    }
    out
}
