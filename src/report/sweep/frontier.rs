//! The charts of `fulcrum sweep`: the frontier (expected product attainment against final
//! debt, every strategy at every point, on axes fitted to the points, with the Pareto front
//! drawn through the points no other beats on both) and each outcome against the swept
//! parameter.

use std::path::Path;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::kit::charts::frame::{LegendItem, Swatch, frame};
use crate::report::kit::charts::style::{
    Mesh, Plot2d, Stroke, bold, fitted_range, line, marker, palette, plot_on,
};
use crate::report::kit::charts::style::{text, tick};
use crate::report::kit::charts::{Figure, SLIDE, save};
use crate::simulate::SummaryMetric;
use crate::whatif::sweep::{self, Point, Vary};

/// (product score mean, final debt P50) of strategy `s` at each point.
pub fn frontier_of(points: &[Point], s: usize) -> Vec<(f64, f64)> {
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

/// The points of `xy` (more x is better, less y is better) that no other point beats on
/// both, sorted by x: the Pareto front.
pub fn pareto(xy: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let beaten = |&(x, y): &(f64, f64)| {
        xy.iter()
            .any(|&(a, b)| a >= x && b <= y && (a > x || b < y))
    };
    let mut front: Vec<(f64, f64)> = xy.iter().filter(|p| !beaten(p)).copied().collect();
    front.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    front.dedup();
    front
}

/// The frontier chart.
struct Frontier<'a> {
    title: String,
    points: &'a [Point],
}

/// A label box in pixels: left, top, right, bottom.
type Box2 = (i32, i32, i32, i32);

fn overlaps(a: Box2, b: Box2) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Places each label near its point where it covers no other label and no point (tried
/// right, left, above, below); a label with no free place is left out.
fn place_labels(anchors: &[((i32, i32), String)], bounds: Box2) -> Vec<((i32, i32), String)> {
    let mut taken: Vec<Box2> = anchors
        .iter()
        .map(|((x, y), _)| (x - 6, y - 6, x + 6, y + 6))
        .collect();
    let mut placed = Vec::new();
    for ((x, y), label) in anchors {
        let (w, h) = (7 * label.chars().count() as i32 + 4, 16);
        let candidates = [
            (x + 9, y - h - 2),
            (x + 9, y + 3),
            (x - w - 9, y - h - 2),
            (x - w - 9, y + 3),
            (x - w / 2, y - h - 10),
            (x - w / 2, y + 10),
        ];
        let free = candidates
            .into_iter()
            .map(|(l, t)| (l, t, l + w, t + h))
            .find(|b| {
                b.0 >= bounds.0
                    && b.1 >= bounds.1
                    && b.2 <= bounds.2
                    && b.3 <= bounds.3
                    && !taken.iter().any(|o| overlaps(*o, *b))
            });
        if let Some(b) = free {
            taken.push(b);
            placed.push(((b.0 + 2, b.1), label.clone()));
        }
    }
    placed
}

impl Frontier<'_> {
    fn legend(&self) -> Vec<LegendItem> {
        let names = &self.points[0].results.strategies;
        let mut items: Vec<LegendItem> = names
            .iter()
            .enumerate()
            .map(|(s, n)| {
                let stroke = Stroke {
                    dash: None,
                    ..Stroke::of(s)
                };
                LegendItem::new(n.clone(), palette::series(s), Swatch::Line(stroke))
            })
            .collect();
        items.push(LegendItem::new(
            "Pareto front",
            palette::INK,
            Swatch::Line(Stroke::of(1)),
        ));
        items.push(LegendItem::new(
            "bars: final debt P10–P90; ring: knee; labels: swept value",
            palette::GRID,
            Swatch::Fill,
        ));
        items
    }

    fn debt(&self, p: &Point, s: usize, q: usize) -> f64 {
        p.results.summary(s, SummaryMetric::FinalDebt).quantiles[q]
    }
}

impl Figure for Frontier<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let strategies = self.points[0].results.strategies.len();
        let area = frame(root, &self.title, &self.legend())?;
        let all: Vec<(f64, f64)> = (0..strategies)
            .flat_map(|s| frontier_of(self.points, s))
            .collect();
        let x = fitted_range(all.iter().map(|p| p.0));
        let y = fitted_range(self.points.iter().flat_map(|p| {
            (0..strategies).flat_map(move |s| [self.debt(p, s, 1), self.debt(p, s, 5)])
        }));
        let mut ctx = plot_on(&area, x, y, (56, 90))?;
        Mesh {
            x_desc: "expected product OKR attainment (mean)",
            y_desc: "final debt, engineer-days (P50, bars P10–P90)",
            x_labels: 10,
            y_labels: 8,
            x_format: &|x| format!("{:.1}%", x * 100.0),
            y_format: &|y| tick(*y),
            size: 15,
        }
        .draw(&mut ctx)?;
        line(
            &mut ctx,
            &pareto(&all),
            palette::INK,
            2,
            Stroke::of(1),
            (0, 0),
        )?;
        for s in 0..strategies {
            self.strategy(&mut ctx, s)?;
        }
        self.labels(&mut ctx, &area, strategies)
    }
}

impl Frontier<'_> {
    /// Strategy `s`: debt bars, points, knee ring.
    fn strategy<DB: DrawingBackend>(&self, ctx: &mut Plot2d<'_, DB>, s: usize) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let colour = palette::series(s);
        let xy = frontier_of(self.points, s);
        for (p, &(x, _)) in self.points.iter().zip(&xy) {
            ctx.draw_series([PathElement::new(
                vec![(x, self.debt(p, s, 1)), (x, self.debt(p, s, 5))],
                colour.mix(0.5).stroke_width(2),
            )])?;
        }
        for &p in &xy {
            marker(ctx, p, colour, Stroke::of(s).shape, 6)?;
        }
        if let Some(k) = knees(self.points)[s] {
            ctx.draw_series([Circle::new(xy[k], 12, colour.stroke_width(3))])?;
            ctx.draw_series([Text::new(
                "knee",
                xy[k],
                bold(14).pos(Pos::new(HPos::Right, VPos::Top)),
            )])?;
        }
        Ok(())
    }

    /// The swept values next to the points of the strategies the sweep moves, where they fit.
    fn labels<DB: DrawingBackend>(
        &self,
        ctx: &mut Plot2d<'_, DB>,
        area: &DrawingArea<DB, Shift>,
        strategies: usize,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let mut anchors = Vec::new();
        for s in 0..strategies {
            let xy = frontier_of(self.points, s);
            if xy.iter().all(|p| *p == xy[0]) {
                continue;
            }
            for (p, &at) in self.points.iter().zip(&xy) {
                let label: Vec<String> = p.values.iter().map(|&v| sweep::format_value(v)).collect();
                anchors.push((ctx.backend_coord(&at), label.join(", ")));
            }
        }
        let (px, py) = ctx.plotting_area().get_pixel_range();
        let base = area.get_base_pixel();
        let bounds = (px.start, py.start, px.end, py.end);
        for ((x, y), label) in place_labels(&anchors, bounds) {
            area.draw_text(
                &label,
                &text(13).pos(Pos::new(HPos::Left, VPos::Top)),
                (x - base.0, y - base.1),
            )?;
        }
        Ok(())
    }
}

/// Writes `plots/frontier`; returns its SVG.
pub fn frontier_plot(folder: &Path, varies: &[Vary], points: &[Point]) -> Result<String> {
    let paths: Vec<&str> = varies.iter().map(|v| v.path.as_str()).collect();
    let figure = Frontier {
        title: format!(
            "Product attainment against final debt across {}",
            paths.join(" × ")
        ),
        points,
    };
    save(&folder.join("plots/frontier"), SLIDE, &figure)
}

/// Each outcome against the swept parameter: one panel per outcome, one line per strategy.
struct Outcomes<'a> {
    title: String,
    varies: &'a [Vary],
    points: &'a [Point],
}

/// The outcomes drawn, with their panel titles.
const OUTCOMES: [(SummaryMetric, &str); 3] = [
    (SummaryMetric::BlendedScore, "blended score (mean)"),
    (SummaryMetric::ProductScore, "product score (mean)"),
    (SummaryMetric::FinalDebt, "final debt P50 (engineer-days)"),
];

impl Outcomes<'_> {
    /// The x of point `n`: the swept value with one parameter, else the point's number.
    fn x(&self, n: usize) -> f64 {
        match self.varies {
            [_] => self.points[n].values[0],
            _ => (n + 1) as f64,
        }
    }

    fn value(&self, n: usize, s: usize, metric: SummaryMetric) -> f64 {
        let d = self.points[n].results.summary(s, metric);
        match metric {
            SummaryMetric::FinalDebt => d.quantiles[3],
            _ => d.mean,
        }
    }

    fn x_label(&self, x: f64) -> String {
        if let [_] = self.varies {
            return tick(x);
        }
        let n = x.round();
        if (x - n).abs() > 1e-6 || n < 1.0 || n as usize > self.points.len() {
            return String::new();
        }
        let values: Vec<String> = self.points[n as usize - 1]
            .values
            .iter()
            .map(|&v| sweep::format_value(v))
            .collect();
        values.join(", ")
    }

    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        (metric, name): (SummaryMetric, &str),
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let strategies = self.points[0].results.strategies.len();
        let n = self.points.len();
        let x = fitted_range((0..n).map(|i| self.x(i)));
        let y = fitted_range(
            (0..n)
                .flat_map(|i| (0..strategies).map(move |s| (i, s)))
                .map(|(i, s)| self.value(i, s, metric)),
        );
        let mut ctx = plot_on(area, x, y, (56, 80))?;
        let x_desc = self
            .varies
            .iter()
            .map(|v| v.path.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Mesh {
            x_desc: &x_desc,
            y_desc: name,
            x_labels: if self.varies.len() == 1 { 6 } else { n.min(6) },
            y_labels: 6,
            x_format: &|x| self.x_label(*x),
            y_format: &|y| tick(*y),
            size: 14,
        }
        .draw(&mut ctx)?;
        for s in 0..strategies {
            let points: Vec<(f64, f64)> = (0..n)
                .map(|i| (self.x(i), self.value(i, s, metric)))
                .collect();
            line(
                &mut ctx,
                &points,
                palette::series(s),
                3,
                Stroke::of(s),
                (0, 1),
            )?;
        }
        Ok(())
    }
}

impl Figure for Outcomes<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let names = &self.points[0].results.strategies;
        let items: Vec<LegendItem> = names
            .iter()
            .enumerate()
            .map(|(s, n)| {
                LegendItem::new(n.clone(), palette::series(s), Swatch::Line(Stroke::of(s)))
            })
            .collect();
        let area = frame(root, &self.title, &items)?;
        for (cell, outcome) in area.split_evenly((1, OUTCOMES.len())).iter().zip(OUTCOMES) {
            self.panel(cell, outcome)?;
        }
        Ok(())
    }
}

/// Writes `plots/outcomes` (each outcome against the swept parameter); returns its SVG.
pub fn outcomes_plot(folder: &Path, varies: &[Vary], points: &[Point]) -> Result<String> {
    let paths: Vec<&str> = varies.iter().map(|v| v.path.as_str()).collect();
    let figure = Outcomes {
        title: format!("Outcomes against {}", paths.join(" × ")),
        varies,
        points,
    };
    save(&folder.join("plots/outcomes"), SLIDE, &figure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pareto_front_keeps_only_undominated_points_sorted() {
        let xy = [
            (0.5, 100.0),
            (0.9, 300.0),
            (0.7, 150.0),
            (0.6, 200.0),
            (0.9, 250.0),
        ];
        assert_eq!(pareto(&xy), vec![(0.5, 100.0), (0.7, 150.0), (0.9, 250.0)]);
    }

    #[test]
    fn labels_never_overlap() {
        let anchors: Vec<((i32, i32), String)> = (0..8)
            .map(|i| ((100 + 3 * i, 100 + 2 * i), format!("0.{i}")))
            .collect();
        let placed = place_labels(&anchors, (0, 0, 400, 400));
        assert!(!placed.is_empty());
        let boxes: Vec<Box2> = placed
            .iter()
            .map(|((x, y), l)| (*x, *y, x + 7 * l.chars().count() as i32, y + 16))
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(!overlaps(*a, *b), "{a:?} {b:?}");
            }
        }
    }
}
