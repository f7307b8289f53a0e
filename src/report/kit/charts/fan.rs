//! Fan charts: quantile bands over periods. With several series only one is highlighted with
//! its P10–P90 and P25–P75 bands; every series' median is a line in its own colour, dash
//! pattern and marker, so five strategies stay readable and coinciding medians stay apart.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Figure;
use super::axis::PeriodAxis;
use super::frame::{LegendItem, Swatch, frame};
use super::style::{Mesh, Plot2d, Stroke, line, padded_range, palette, plot_on, text, tick};

/// One series of a fan chart: quantiles per period (`p10[t - 1]` ...).
#[derive(Clone, Debug)]
pub struct FanSeries {
    /// Legend name.
    pub name: String,
    /// Line and band colour.
    pub colour: RGBColor,
    /// P10 per period.
    pub p10: Vec<f64>,
    /// P25 per period.
    pub p25: Vec<f64>,
    /// P50 per period: the line.
    pub p50: Vec<f64>,
    /// P75 per period.
    pub p75: Vec<f64>,
    /// P90 per period.
    pub p90: Vec<f64>,
}

impl FanSeries {
    /// A series without spread (a plan, a policy): every quantile is `values`.
    pub fn exact(name: impl Into<String>, colour: RGBColor, values: Vec<f64>) -> FanSeries {
        FanSeries {
            name: name.into(),
            colour,
            p10: values.clone(),
            p25: values.clone(),
            p50: values.clone(),
            p75: values.clone(),
            p90: values,
        }
    }
}

/// A fan chart over periods.
#[derive(Clone, Debug)]
pub struct FanChart {
    /// Figure title.
    pub title: String,
    /// Y axis description.
    pub y_label: String,
    /// X axis.
    pub axis: PeriodAxis,
    /// The series, in legend order.
    pub series: Vec<FanSeries>,
    /// The series drawn with its bands (`None`: lines only).
    pub highlight: Option<usize>,
    /// Fixed y range (e.g. 0..1 for scores); `None` fits the data.
    pub y_range: Option<(f64, f64)>,
    /// Horizontal reference lines with labels (targets, ceilings).
    pub references: Vec<(f64, String)>,
    /// What the lines and bands are, last in the legend (`None`: quantiles of trials).
    pub key: Option<String>,
}

impl FanChart {
    /// The legend: every series, then the key to lines and bands.
    pub fn legend_items(&self) -> Vec<LegendItem> {
        let key = match (&self.key, self.highlight) {
            (Some(key), _) => key.clone(),
            (None, Some(h)) => format!(
                "lines: P50; bands: {}'s P25–P75 and P10–P90",
                self.series[h].name
            ),
            (None, None) => "lines: P50".into(),
        };
        self.series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let swatch = if Some(i) == self.highlight {
                    Swatch::Band
                } else {
                    Swatch::Line(Stroke::of(i))
                };
                LegendItem::new(&s.name, s.colour, swatch)
            })
            .chain(std::iter::once(LegendItem::new(
                key,
                palette::GRID,
                Swatch::Fill,
            )))
            .collect()
    }

    fn y_range(&self) -> (f64, f64) {
        self.y_range.unwrap_or_else(|| {
            let spread = |i: usize, s: &FanSeries| -> Vec<f64> {
                if Some(i) == self.highlight {
                    s.p10.iter().chain(&s.p90).copied().collect()
                } else {
                    s.p50.clone()
                }
            };
            padded_range(
                self.series
                    .iter()
                    .enumerate()
                    .flat_map(|(i, s)| spread(i, s))
                    .chain(self.references.iter().map(|r| r.0)),
            )
        })
    }
}

impl Figure for FanChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let area = frame(root, &self.title, &self.legend_items())?;
        fan_chart(&area, self)
    }
}

/// Draws the plot part of `chart` (no title, no legend) into `area`.
pub fn fan_chart<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, chart: &FanChart) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let periods = chart.axis.periods.max(1);
    let x = if periods == 1 {
        (0.5, 1.5)
    } else {
        (1.0, periods as f64)
    };
    let mut ctx = plot_on(area, x, chart.y_range(), (56, 90))?;
    let (width, _) = area.dim_in_pixel();
    let description = chart.axis.description();
    Mesh {
        x_desc: &description,
        y_desc: &chart.y_label,
        x_labels: chart.axis.ticks(width),
        y_labels: 8,
        x_format: &|x| chart.axis.label(*x),
        y_format: &|y| tick(*y),
        size: 15,
    }
    .draw(&mut ctx)?;
    let xs: Vec<f64> = (1..=chart.axis.periods).map(|t| t as f64).collect();
    if let Some(s) = chart.highlight.and_then(|h| chart.series.get(h)) {
        bands(&mut ctx, &xs, s)?;
    }
    references(&mut ctx, x, &chart.references)?;
    medians(&mut ctx, &xs, chart)
}

fn bands<DB: DrawingBackend>(ctx: &mut Plot2d<'_, DB>, xs: &[f64], s: &FanSeries) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let band = |lo: &[f64], hi: &[f64]| -> Vec<(f64, f64)> {
        xs.iter()
            .zip(hi)
            .map(|(&x, &y)| (x, y))
            .chain(xs.iter().zip(lo).rev().map(|(&x, &y)| (x, y)))
            .collect()
    };
    ctx.draw_series([Polygon::new(
        band(&s.p10, &s.p90),
        s.colour.mix(0.14).filled(),
    )])?;
    ctx.draw_series([Polygon::new(
        band(&s.p25, &s.p75),
        s.colour.mix(0.26).filled(),
    )])?;
    Ok(())
}

fn references<DB: DrawingBackend>(
    ctx: &mut Plot2d<'_, DB>,
    (x0, x1): (f64, f64),
    lines: &[(f64, String)],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    for (level, label) in lines {
        ctx.draw_series([PathElement::new(
            vec![(x0, *level), (x1, *level)],
            palette::INK.stroke_width(1),
        )])?;
        ctx.draw_series([Text::new(
            label.clone(),
            (x0, *level),
            text(14).pos(Pos::new(HPos::Left, VPos::Bottom)),
        )])?;
    }
    Ok(())
}

/// Every series' P50 line; the highlighted one last, on top, thickest.
fn medians<DB: DrawingBackend>(ctx: &mut Plot2d<'_, DB>, xs: &[f64], chart: &FanChart) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let n = chart.series.len();
    // Markers every few periods, staggered by series so coinciding lines show each marker.
    let every = (xs.len() / 6).max(n).max(1);
    let order = (0..n)
        .filter(|&i| Some(i) != chart.highlight)
        .chain(chart.highlight);
    for i in order {
        let s = &chart.series[i];
        let points: Vec<(f64, f64)> = xs.iter().zip(&s.p50).map(|(&x, &y)| (x, y)).collect();
        let highlighted = Some(i) == chart.highlight;
        let stroke = if highlighted {
            Stroke {
                dash: None,
                ..Stroke::of(i)
            }
        } else {
            Stroke::of(i)
        };
        let markers = if n > 1 {
            ((i * every / n) % every, every)
        } else {
            (0, 0)
        };
        line(
            ctx,
            &points,
            s.colour,
            if highlighted { 4 } else { 3 },
            stroke,
            markers,
        )?;
    }
    Ok(())
}
