//! Interval charts: horizontal rows on a shared value axis, each with a whisker, a bar,
//! coloured segments, a dot, markers and a note at the right. Strategy comparisons, finish
//! ranges and tornado charts are made of them.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Figure;
use super::axis::PeriodAxis;
use super::frame::{Heading, LegendItem, Swatch, frame};
use super::style::{Mesh, Plot2d, padded_range, palette, plot_on, text, tick};

/// A marker drawn on an interval row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marker {
    /// Position on the value axis.
    pub at: f64,
    /// Colour.
    pub colour: RGBColor,
    /// Dot or tick.
    pub swatch: Swatch,
    /// Vertical offset within the row, as a fraction of the row's height (−0.5 … 0.5): dots
    /// of different series at the same value stay apart.
    pub offset: f64,
}

/// One row of an interval chart.
#[derive(Clone, Debug)]
pub struct IntervalRow {
    /// Row label, left of the plot.
    pub label: String,
    /// Colour of the whisker, the bar and the dot.
    pub colour: RGBColor,
    /// A thin whisker over this range.
    pub outer: Option<(f64, f64)>,
    /// A thick bar over this range.
    pub inner: Option<(f64, f64)>,
    /// Thick bars in colours of their own (e.g. a tornado's low and high ends).
    pub segments: Vec<(f64, f64, RGBColor)>,
    /// A dot.
    pub point: Option<f64>,
    /// Markers.
    pub markers: Vec<Marker>,
    /// The row goes on past the right edge of the axis: an arrowhead marks it.
    pub beyond: bool,
    /// Text right of the plot (e.g. "72% by deadline").
    pub note: String,
}

impl IntervalRow {
    /// An empty row.
    pub fn new(label: impl Into<String>, colour: RGBColor) -> IntervalRow {
        IntervalRow {
            label: label.into(),
            colour,
            outer: None,
            inner: None,
            segments: Vec::new(),
            point: None,
            markers: Vec::new(),
            beyond: false,
            note: String::new(),
        }
    }

    fn values(&self) -> Vec<f64> {
        let mut v = Vec::new();
        for (a, b) in self.outer.iter().chain(&self.inner) {
            v.extend([*a, *b]);
        }
        v.extend(self.segments.iter().flat_map(|s| [s.0, s.1]));
        v.extend(self.point);
        v.extend(self.markers.iter().map(|m| m.at));
        v
    }
}

/// Rows top to bottom in the given order on one value axis.
#[derive(Clone, Debug)]
pub struct IntervalChart {
    /// Panel title (drawn above the panel; empty for none).
    pub title: String,
    /// Value axis description.
    pub x_label: String,
    /// The rows.
    pub rows: Vec<IntervalRow>,
    /// A vertical reference line (zero difference, a baseline), with its label.
    pub reference: Option<(f64, String)>,
    /// Fixed x range; `None` fits the data.
    pub x_range: Option<(f64, f64)>,
    /// Tick labels for x (e.g. periods as dates); `None`: numbers.
    pub x_ticks: Option<PeriodAxis>,
    /// Width of the row-label column, pixels.
    pub label_width: u32,
    /// Width of the note column, pixels (0: none).
    pub note_width: u32,
}

/// Interval charts side by side under one title and legend, with an optional footnote.
#[derive(Clone, Debug)]
pub struct IntervalPanels {
    /// Figure title.
    pub title: String,
    /// Legend entries.
    pub legend: Vec<LegendItem>,
    /// The panels, left to right.
    pub panels: Vec<IntervalChart>,
    /// A line of text under the panels (empty: none).
    pub footnote: String,
}

impl Figure for IntervalPanels {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let mut area = frame(root, &self.title, &self.legend)?;
        if !self.footnote.is_empty() {
            let (_, h) = area.dim_in_pixel();
            let (top, foot) = area.split_vertically(h.saturating_sub(30));
            foot.draw_text(
                &self.footnote,
                &text(15).pos(Pos::new(HPos::Left, VPos::Center)),
                (24, 14),
            )?;
            area = top;
        }
        let n = self.panels.len().max(1);
        for (cell, panel) in area.split_evenly((1, n)).iter().zip(&self.panels) {
            interval_chart(cell, panel)?;
        }
        Ok(())
    }
}

/// The heading of one panel of interval rows.
const PANEL_HEADING: Heading = Heading {
    size: 18,
    centred: false,
    at: (16, 4),
    height: 32,
};

/// Draws an interval chart into `area`.
pub fn interval_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &IntervalChart,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let area = match chart.title.as_str() {
        "" => area.clone(),
        title => PANEL_HEADING.draw(area, title)?,
    };
    let (width, _) = area.dim_in_pixel();
    let (plot, notes) = area.split_horizontally(width.saturating_sub(chart.note_width));
    let n = chart.rows.len().max(1);
    let x = chart.x_range.unwrap_or_else(|| {
        let values = chart.rows.iter().flat_map(IntervalRow::values);
        padded_range(values.chain(chart.reference.iter().map(|r| r.0)))
    });
    let mut ctx = plot_on(&plot, x, (0.5, n as f64 + 0.5), (52, chart.label_width))?;
    let (plot_width, plot_height) = plot.dim_in_pixel();
    let row_px = plot_height as f64 / n as f64;
    let size = if row_px < 22.0 { 13 } else { 15 };
    let labels: Vec<&str> = chart.rows.iter().map(|r| r.label.as_str()).collect();
    let y_format = |y: &f64| {
        let r = y.round();
        if (y - r).abs() > 1e-6 || r < 1.0 || r > n as f64 {
            return String::new();
        }
        labels
            .get(n - r as usize)
            .map_or(String::new(), |s| s.to_string())
    };
    let x_format = |x: &f64| match &chart.x_ticks {
        Some(axis) => axis.label(*x),
        None => tick(*x),
    };
    Mesh {
        x_desc: &chart.x_label,
        y_desc: "",
        x_labels: match &chart.x_ticks {
            Some(axis) => axis.ticks(plot_width.saturating_sub(chart.label_width)),
            None => 8,
        },
        y_labels: n + 1,
        x_format: &x_format,
        y_format: &y_format,
        size,
    }
    .draw(&mut ctx)?;
    // Every other row on a pale band, so that a row's dots read as that row's.
    let bands = (0..n).filter(|i| i % 2 == 1).map(|i| {
        let y = (n - i) as f64;
        Rectangle::new([(x.0, y - 0.5), (x.1, y + 0.5)], palette::BAND.filled())
    });
    ctx.draw_series(bands)?;
    reference(&mut ctx, chart, n)?;
    for (i, row) in chart.rows.iter().enumerate() {
        let y = (n - i) as f64;
        draw_row(&mut ctx, row, y, row_px, x)?;
        if chart.note_width > 0 && !row.note.is_empty() {
            let (_, py) = ctx.backend_coord(&(x.0, y));
            notes.draw_text(
                &row.note,
                &text(size).pos(Pos::new(HPos::Left, VPos::Center)),
                (4, py - notes.get_base_pixel().1),
            )?;
        }
    }
    Ok(())
}

fn reference<DB: DrawingBackend>(
    ctx: &mut Plot2d<'_, DB>,
    chart: &IntervalChart,
    n: usize,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    if let Some((at, label)) = &chart.reference {
        ctx.draw_series([PathElement::new(
            vec![(*at, 0.5), (*at, n as f64 + 0.5)],
            palette::INK.stroke_width(1),
        )])?;
        ctx.draw_series([Text::new(
            label.clone(),
            (*at, n as f64 + 0.5),
            text(13).pos(Pos::new(HPos::Left, VPos::Top)),
        )])?;
    }
    Ok(())
}

/// One row at height `y`: whisker, bar, segments, dot, markers, arrowhead. Bars keep a
/// readable thickness in pixels whatever the number of rows.
fn draw_row<DB: DrawingBackend>(
    ctx: &mut Plot2d<'_, DB>,
    row: &IntervalRow,
    y: f64,
    row_px: f64,
    (_, x1): (f64, f64),
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let half = (9.0 / row_px).min(0.3);
    if let Some((a, b)) = row.outer {
        ctx.draw_series([PathElement::new(
            vec![(a, y), (b, y)],
            row.colour.stroke_width(2),
        )])?;
    }
    let bars = row
        .inner
        .map(|(a, b)| (a, b, row.colour))
        .into_iter()
        .chain(row.segments.iter().copied());
    for (a, b, colour) in bars {
        ctx.draw_series([Rectangle::new(
            [(a, y - half), (b, y + half)],
            colour.filled(),
        )])?;
    }
    if let Some(p) = row.point {
        ctx.draw_series([Circle::new((p, y), 6, WHITE.filled())])?;
        ctx.draw_series([Circle::new((p, y), 6, row.colour.stroke_width(3))])?;
    }
    for m in &row.markers {
        let at = (m.at, y - m.offset);
        match m.swatch {
            Swatch::Tick => {
                let tick_half = (14.0 / row_px).min(0.42);
                ctx.draw_series([PathElement::new(
                    vec![(m.at, y - tick_half), (m.at, y + tick_half)],
                    m.colour.stroke_width(3),
                )])?;
            }
            _ => {
                ctx.draw_series([Circle::new(at, 4, m.colour.filled())])?;
            }
        }
    }
    if row.beyond {
        let tip = EmptyElement::at((x1, y))
            + Polygon::new(vec![(-12, -8), (0, 0), (-12, 8)], palette::INK.filled());
        ctx.draw_series([tip])?;
    }
    Ok(())
}
