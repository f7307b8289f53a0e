//! Stacked small multiples: layers over periods, one panel per strategy (or one panel), with
//! one shared legend and y scale, and an optional line over the stack (capacity).

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::Figure;
use super::axis::PeriodAxis;
use super::frame::{Heading, LegendItem, Swatch, frame};
use super::style::{DRAWABLE, Mesh, Plot2d, Stroke, line, plot_on, tick};

/// How the layers of a stacked panel are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackStyle {
    /// Opaque stacked areas over periods.
    Area,
    /// Opaque stacked bars, one per period.
    Bars,
}

/// One panel: its title, `layers[layer][t - 1]`, and the line's values per period.
#[derive(Clone, Debug)]
pub struct StackPanel {
    /// Panel title.
    pub name: String,
    /// Layer values, bottom first, per period.
    pub layers: Vec<Vec<f64>>,
    /// The line's values per period (drawn when the figure names a line).
    pub line: Vec<f64>,
}

/// Small multiples of stacked layers over periods.
#[derive(Clone, Debug)]
pub struct StackedPanels {
    /// Figure title.
    pub title: String,
    /// Y axis description.
    pub y_label: String,
    /// X axis.
    pub axis: PeriodAxis,
    /// Layer names and colours, bottom first.
    pub layers: Vec<(String, RGBColor)>,
    /// The line over the stacks, if any: its legend name and colour.
    pub line: Option<(String, RGBColor)>,
    /// The panels.
    pub panels: Vec<StackPanel>,
    /// Areas or bars.
    pub style: StackStyle,
}

impl StackedPanels {
    /// The legend: the layers, then the line.
    pub fn legend_items(&self) -> Vec<LegendItem> {
        let mut items: Vec<LegendItem> = self
            .layers
            .iter()
            .map(|(name, c)| LegendItem::new(name, *c, Swatch::Fill))
            .collect();
        if let Some((name, c)) = &self.line {
            items.push(LegendItem::new(name, *c, Swatch::Line(Stroke::of(1))));
        }
        items
    }

    /// The highest stack or line value over every panel, padded.
    pub fn y_max(&self) -> f64 {
        let stacks = self.panels.iter().flat_map(|p| {
            (0..self.axis.periods).map(move |t| {
                p.layers
                    .iter()
                    .map(|l| l.get(t).copied().unwrap_or(0.0))
                    .sum::<f64>()
            })
        });
        let lines = self.panels.iter().flat_map(|p| p.line.iter().copied());
        let top = stacks
            .chain(lines.filter(|_| self.line.is_some()))
            .fold(0.0f64, f64::max);
        if top > 0.0 && top.is_finite() {
            top.min(DRAWABLE) * 1.06
        } else {
            1.0
        }
    }
}

impl Figure for StackedPanels {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let area = frame(root, &self.title, &self.legend_items())?;
        let n = self.panels.len().max(1);
        let cols = match n {
            1 => 1,
            2 | 4 => 2,
            _ => 3,
        };
        let rows = n.div_ceil(cols);
        let y_max = self.y_max();
        for (cell, panel) in area.split_evenly((rows, cols)).iter().zip(&self.panels) {
            stacked_panel(cell, self, panel, y_max, n == 1)?;
        }
        Ok(())
    }
}

/// Draws one panel of `chart` into `area`.
pub fn stacked_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &StackedPanels,
    panel: &StackPanel,
    y_max: f64,
    large: bool,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let size = if large { 15 } else { 13 };
    let area = Heading::PANEL.draw(area, &panel.name)?;
    let periods = chart.axis.periods.max(1);
    // One period has no area to draw: it is a bar.
    let style = match chart.style {
        StackStyle::Area if periods > 1 => StackStyle::Area,
        _ => StackStyle::Bars,
    };
    let x = match style {
        StackStyle::Area => (1.0, periods as f64),
        StackStyle::Bars => (0.5, periods as f64 + 0.5),
    };
    let labels = if large { (52, 90) } else { (44, 74) };
    let mut ctx = plot_on(&area, x, (0.0, y_max), labels)?;
    let (width, _) = area.dim_in_pixel();
    let description = chart.axis.description();
    Mesh {
        x_desc: &description,
        y_desc: &chart.y_label,
        x_labels: chart.axis.ticks(width.saturating_sub(80)),
        y_labels: if large { 8 } else { 5 },
        x_format: &|x| chart.axis.label(*x),
        y_format: &|y| tick(*y),
        size,
    }
    .draw(&mut ctx)?;
    let colours = chart.layers.iter().map(|(_, colour)| *colour);
    draw_layers(
        &mut ctx,
        panel.layers.iter().zip(colours),
        chart.axis.periods,
        style,
    )?;
    if let Some((_, colour)) = &chart.line {
        let points: Vec<(f64, f64)> = panel
            .line
            .iter()
            .enumerate()
            .map(|(t, &y)| ((t + 1) as f64, y))
            .collect();
        line(&mut ctx, &points, *colour, 3, Stroke::of(1), (0, 0))?;
    }
    Ok(())
}

/// Draws `layers` (values per period, with their colours) stacked bottom first over periods
/// 1 to `periods`, as areas or as bars; negative values count as zero.
pub fn draw_layers<'v, DB: DrawingBackend>(
    ctx: &mut Plot2d<'_, DB>,
    layers: impl Iterator<Item = (&'v Vec<f64>, RGBColor)>,
    periods: usize,
    style: StackStyle,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let mut base = vec![0.0; periods];
    for (values, colour) in layers {
        let top: Vec<f64> = base
            .iter()
            .enumerate()
            .map(|(t, b)| b + values.get(t).copied().unwrap_or(0.0).max(0.0))
            .collect();
        match style {
            StackStyle::Area => {
                let at = |(t, &y): (usize, &f64)| ((t + 1) as f64, y);
                let points: Vec<(f64, f64)> = top
                    .iter()
                    .enumerate()
                    .map(at)
                    .chain(base.iter().enumerate().rev().map(at))
                    .collect();
                ctx.draw_series([Polygon::new(points, colour.filled())])?;
            }
            StackStyle::Bars => {
                ctx.draw_series(
                    base.iter()
                        .zip(&top)
                        .enumerate()
                        .filter(|(_, (b, t))| t > b)
                        .map(|(t, (&b, &y))| {
                            let x = (t + 1) as f64;
                            Rectangle::new([(x - 0.38, b), (x + 0.38, y)], colour.filled())
                        }),
                )?;
            }
        }
        base = top;
    }
    Ok(())
}
