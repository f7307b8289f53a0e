//! The charts of a run (DESIGN §4), each written as SVG and PNG, and the small building blocks
//! they are made of: a palette, a legend strip, a fan chart, an interval chart (horizontal
//! bars with intervals and markers) and stacked small multiples. New charts (the sweep
//! frontier, the sensitivity tornado) are built from the same blocks and saved with [`save`].
//!
//! Output bytes depend only on the inputs: no timestamps, no hash-map order, fonts embedded.

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::model::{Kind, Scenario};
use crate::pipeline::StrategyPlan;
use crate::simulate::policy::Share;
use crate::simulate::{PeriodMetric, Results, SummaryMetric};

/// Slide size: every chart reads on a 1280×720 slide.
pub const SLIDE: (u32, u32) = (1280, 720);

const FONT: &str = "sans-serif";

/// Colours: the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies.
pub mod palette {
    use plotters::style::RGBColor;

    /// Colours for series (strategies), in order; [`series`] wraps around.
    pub const SERIES: [RGBColor; 8] = [
        RGBColor(0x00, 0x72, 0xB2),
        RGBColor(0xD5, 0x5E, 0x00),
        RGBColor(0x00, 0x9E, 0x73),
        RGBColor(0xCC, 0x79, 0xA7),
        RGBColor(0xE6, 0x9F, 0x00),
        RGBColor(0x56, 0xB4, 0xE9),
        RGBColor(0x59, 0x59, 0x59),
        RGBColor(0x00, 0x00, 0x00),
    ];

    /// The colour of series `i`.
    pub fn series(i: usize) -> RGBColor {
        SERIES[i % SERIES.len()]
    }

    /// Work on product initiatives.
    pub const PRODUCT: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Work on tech initiatives.
    pub const TECH: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Debt paydown.
    pub const PAYDOWN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Unplanned work: incidents and risks that struck.
    pub const UNPLANNED: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Capacity lost to debt drag.
    pub const DRAG: RGBColor = RGBColor(0x80, 0x80, 0x80);
    /// Capacity nobody had work for.
    pub const IDLE: RGBColor = RGBColor(0xD0, 0xD0, 0xD0);
    /// Reference lines, deadlines, text.
    pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
    /// Grid lines.
    pub const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
}

/// Something that can be drawn on any plotters backend (so once as SVG and once as PNG).
pub trait Figure {
    /// Draws the whole figure on `root` (already filled white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static;
}

/// Registers the embedded DejaVu fonts under the name the charts use (once per process).
pub(crate) fn register_fonts() {
    static FONTS: Once = Once::new();
    FONTS.call_once(|| {
        // The embedded fonts are valid TrueType: failure here is a broken build.
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| ())
            .expect("DejaVu Sans is a valid font");
        plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold())
            .map_err(|_| ())
            .expect("DejaVu Sans Bold is a valid font");
    });
}

/// Draws `figure` into `<stem>.svg` and `<stem>.png` (creating the folder) at `size` pixels
/// and returns the SVG text, e.g. for inlining into the HTML report.
pub fn save(stem: &Path, size: (u32, u32), figure: &impl Figure) -> Result<String> {
    register_fonts();
    if let Some(parent) = stem.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        figure.draw(&root)?;
        root.present()?;
    }
    let svg_path = with_extension(stem, "svg");
    std::fs::write(&svg_path, &svg)
        .with_context(|| format!("cannot write {}", svg_path.display()))?;
    let png_path = with_extension(stem, "png");
    {
        let root = BitMapBackend::new(&png_path, size).into_drawing_area();
        root.fill(&WHITE)?;
        figure.draw(&root)?;
        root.present()
            .with_context(|| format!("cannot write {}", png_path.display()))?;
    }
    Ok(svg)
}

fn with_extension(stem: &Path, extension: &str) -> PathBuf {
    let mut name = stem.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

pub(crate) fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&palette::INK)
}

pub(crate) fn bold(size: u32) -> TextStyle<'static> {
    (FONT, size, FontStyle::Bold)
        .into_font()
        .color(&palette::INK)
}

/// Draws `title` at the top of `area` and returns the rest.
pub fn titled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>>
where
    DB::ErrorType: 'static,
{
    area.draw_text(
        title,
        &bold(26).pos(Pos::new(HPos::Left, VPos::Top)),
        (24, 14),
    )?;
    Ok(area.split_vertically(52).1)
}

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Swatch {
    /// A filled square (stacks, bars).
    Fill,
    /// A line over a light band (fan charts).
    Band,
    /// A dot (markers).
    Dot,
    /// A short vertical tick (deadlines, reference lines).
    Tick,
}

/// One legend entry.
#[derive(Clone, Debug)]
pub struct LegendItem {
    pub label: String,
    pub colour: RGBColor,
    pub swatch: Swatch,
}

impl LegendItem {
    pub fn new(label: impl Into<String>, colour: RGBColor, swatch: Swatch) -> LegendItem {
        LegendItem {
            label: label.into(),
            colour,
            swatch,
        }
    }
}

/// Height of one legend row, pixels.
const LEGEND_ROW: i32 = 26;

/// Draws `items` left to right in a strip at the top of `area`, wrapping to more rows as
/// needed, and returns the area below it: legends never cover data.
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[LegendItem],
) -> Result<DrawingArea<DB, Shift>>
where
    DB::ErrorType: 'static,
{
    if items.is_empty() {
        return Ok(area.clone());
    }
    let (width, _) = area.dim_in_pixel();
    let style = text(16).pos(Pos::new(HPos::Left, VPos::Center));
    let (mut x, mut y) = (24i32, LEGEND_ROW / 2);
    for item in items {
        let (w, _) = area.estimate_text_size(&item.label, &style)?;
        let needed = 30 + w as i32 + 24;
        if x + needed > width as i32 && x > 24 {
            x = 24;
            y += LEGEND_ROW;
        }
        let c = item.colour;
        match item.swatch {
            Swatch::Fill => {
                area.draw(&Rectangle::new([(x, y - 7), (x + 20, y + 7)], c.filled()))?;
            }
            Swatch::Band => {
                area.draw(&Rectangle::new(
                    [(x, y - 8), (x + 20, y + 8)],
                    c.mix(0.2).filled(),
                ))?;
                area.draw(&PathElement::new(
                    vec![(x, y), (x + 20, y)],
                    c.stroke_width(3),
                ))?;
            }
            Swatch::Dot => {
                area.draw(&Circle::new((x + 10, y), 6, c.filled()))?;
            }
            Swatch::Tick => {
                area.draw(&PathElement::new(
                    vec![(x + 10, y - 9), (x + 10, y + 9)],
                    c.stroke_width(3),
                ))?;
            }
        }
        area.draw_text(&item.label, &style, (x + 28, y))?;
        x += needed;
    }
    Ok(area.split_vertically(y + LEGEND_ROW / 2 + 6).1)
}

/// The x axis of per-period charts: period numbers, or end-of-period dates when the scenario
/// has a start date.
#[derive(Clone, Debug)]
pub struct PeriodAxis {
    pub periods: usize,
    /// `dates[t - 1]`: the last day of period t.
    pub dates: Option<Vec<String>>,
    /// The period length as written in the scenario ("2w").
    pub unit: String,
}

impl PeriodAxis {
    pub fn of(scenario: &Scenario) -> PeriodAxis {
        let dates = scenario.start.map(|_| {
            (1..=scenario.periods)
                .map(|t| {
                    scenario
                        .period_end_date(t)
                        .map_or_else(|| t.to_string(), |d| d.to_string())
                })
                .collect()
        });
        PeriodAxis {
            periods: scenario.periods,
            dates,
            unit: scenario.period_length.to_string(),
        }
    }

    /// Axis title.
    pub fn description(&self) -> String {
        match self.dates {
            Some(_) => format!("end of period (periods of {})", self.unit),
            None => format!("period ({})", self.unit),
        }
    }

    /// Tick label at `x`: blank between whole periods.
    pub fn label(&self, x: f64) -> String {
        let t = x.round();
        if (x - t).abs() > 1e-6 || t < 1.0 || t > self.periods as f64 {
            return String::new();
        }
        let t = t as usize;
        match &self.dates {
            Some(dates) => dates[t - 1].clone(),
            None => t.to_string(),
        }
    }

    /// How many tick labels fit in `width` pixels.
    pub fn ticks(&self, width: u32) -> usize {
        let per = if self.dates.is_some() { 120 } else { 50 };
        ((width / per) as usize).clamp(2, self.periods.max(2))
    }
}

/// Values beyond this are drawn at it: an axis over ±1e300 would make plotters' tick search
/// loop (no run reports such values: the simulator refuses them, see
/// [`crate::simulate::REPRESENTABLE`]; this only keeps a chart from ever hanging).
const DRAWABLE: f64 = 1e15;

/// Lower and upper ends of a value range padded for drawing; starts at 0 for non-negative data.
/// Always finite, with `lo < hi`.
pub(crate) fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(-DRAWABLE, DRAWABLE))
    {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if lo >= 0.0 {
        lo = 0.0;
    }
    let span = hi - lo;
    if span <= 0.0 {
        return (lo - 1.0, hi + 1.0);
    }
    let lo = if lo == 0.0 { 0.0 } else { lo - span * 0.05 };
    (lo, hi + span * 0.06)
}

/// Short number for axis ticks: 1200 → "1,200", 0.25 → "0.25".
pub fn tick(x: f64) -> String {
    if x.abs() >= 1000.0 {
        let n = x.round() as i64;
        let digits = n.abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    } else if x == x.round() {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// One series of a fan chart: quantiles per period (`p10[t - 1]` ...).
#[derive(Clone, Debug)]
pub struct FanSeries {
    pub name: String,
    pub colour: RGBColor,
    pub p10: Vec<f64>,
    pub p25: Vec<f64>,
    pub p50: Vec<f64>,
    pub p75: Vec<f64>,
    pub p90: Vec<f64>,
}

/// A fan chart: for each series a P10–P90 band, a P25–P75 band and a P50 line over periods.
#[derive(Clone, Debug)]
pub struct FanChart {
    pub title: String,
    pub y_label: String,
    pub axis: PeriodAxis,
    pub series: Vec<FanSeries>,
    /// Fixed y range (e.g. 0..1 for scores); `None` fits the data.
    pub y_range: Option<(f64, f64)>,
    /// Horizontal reference lines with labels (targets, ceilings).
    pub references: Vec<(f64, String)>,
    /// What the lines and bands are, last in the legend (`None`: quantiles of trials).
    pub key: Option<String>,
}

impl Figure for FanChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let items: Vec<LegendItem> = self
            .series
            .iter()
            .map(|s| LegendItem::new(&s.name, s.colour, Swatch::Band))
            .chain(std::iter::once(LegendItem::new(
                self.key
                    .as_deref()
                    .unwrap_or("line: P50; bands: P25–P75 and P10–P90"),
                palette::GRID,
                Swatch::Fill,
            )))
            .collect();
        let area = legend(&area, &items)?;
        fan_chart(&area, self)
    }
}

/// Draws the plot part of `chart` (no title, no legend) into `area`.
pub fn fan_chart<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, chart: &FanChart) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let periods = chart.axis.periods.max(1);
    let (y0, y1) = chart.y_range.unwrap_or_else(|| {
        padded_range(
            chart
                .series
                .iter()
                .flat_map(|s| s.p10.iter().chain(&s.p90))
                .copied()
                .chain(chart.references.iter().map(|r| r.0)),
        )
    });
    let x_max = if periods == 1 { 1.5 } else { periods as f64 };
    let x_min = if periods == 1 { 0.5 } else { 1.0 };
    let mut ctx = ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(40)
        .margin_bottom(8)
        .x_label_area_size(56)
        .y_label_area_size(90)
        .build_cartesian_2d(x_min..x_max, y0..y1)?;
    let (width, _) = area.dim_in_pixel();
    let x_fmt = |x: &f64| chart.axis.label(*x);
    let y_fmt = |y: &f64| tick(*y);
    ctx.configure_mesh()
        .x_desc(chart.axis.description())
        .y_desc(&chart.y_label)
        .x_labels(chart.axis.ticks(width))
        .y_labels(8)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(text(15))
        .axis_desc_style(text(17))
        .light_line_style(WHITE)
        .bold_line_style(palette::GRID)
        .draw()?;
    let xs: Vec<f64> = (1..=chart.axis.periods).map(|t| t as f64).collect();
    let band = |lo: &[f64], hi: &[f64]| -> Vec<(f64, f64)> {
        xs.iter()
            .zip(hi)
            .map(|(&x, &y)| (x, y))
            .chain(xs.iter().zip(lo).rev().map(|(&x, &y)| (x, y)))
            .collect()
    };
    for s in &chart.series {
        ctx.draw_series(std::iter::once(Polygon::new(
            band(&s.p10, &s.p90),
            s.colour.mix(0.10).filled(),
        )))?;
        ctx.draw_series(std::iter::once(Polygon::new(
            band(&s.p25, &s.p75),
            s.colour.mix(0.20).filled(),
        )))?;
    }
    for (level, label) in &chart.references {
        ctx.draw_series(std::iter::once(PathElement::new(
            vec![(x_min, *level), (x_max, *level)],
            palette::INK.stroke_width(1),
        )))?;
        ctx.draw_series(std::iter::once(Text::new(
            label.clone(),
            (x_min, *level),
            text(14).pos(Pos::new(HPos::Left, VPos::Bottom)),
        )))?;
    }
    for s in &chart.series {
        ctx.draw_series(LineSeries::new(
            xs.iter().zip(&s.p50).map(|(&x, &y)| (x, y)),
            s.colour.stroke_width(3),
        ))?;
    }
    Ok(())
}

/// A marker drawn on an interval row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marker {
    pub at: f64,
    pub colour: RGBColor,
    pub swatch: Swatch,
}

/// One row of an interval chart: a thin whisker over `outer`, a thick bar over `inner`, a dot
/// at `point`, markers, and a note at the right edge.
#[derive(Clone, Debug)]
pub struct IntervalRow {
    pub label: String,
    pub colour: RGBColor,
    pub outer: Option<(f64, f64)>,
    pub inner: Option<(f64, f64)>,
    pub point: Option<f64>,
    pub markers: Vec<Marker>,
    /// Text right of the plot (e.g. "72% by deadline").
    pub note: String,
}

impl IntervalRow {
    pub fn new(label: impl Into<String>, colour: RGBColor) -> IntervalRow {
        IntervalRow {
            label: label.into(),
            colour,
            outer: None,
            inner: None,
            point: None,
            markers: Vec::new(),
            note: String::new(),
        }
    }
}

/// Horizontal rows with intervals on a shared value axis: strategy comparisons, finish ranges,
/// tornado charts. Rows are drawn top to bottom in the given order.
#[derive(Clone, Debug)]
pub struct IntervalChart {
    /// Panel title (drawn above the panel; empty for none).
    pub title: String,
    pub x_label: String,
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

/// Draws an interval chart into `area`.
pub fn interval_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &IntervalChart,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let area = if chart.title.is_empty() {
        area.clone()
    } else {
        area.draw_text(
            &chart.title,
            &bold(18).pos(Pos::new(HPos::Left, VPos::Top)),
            (16, 4),
        )?;
        area.split_vertically(32).1
    };
    let (width, _) = area.dim_in_pixel();
    let (plot, notes) = area.split_horizontally(width.saturating_sub(chart.note_width));
    let n = chart.rows.len().max(1);
    let (x0, x1) = chart.x_range.unwrap_or_else(|| {
        let values = chart.rows.iter().flat_map(|r| {
            let mut v = Vec::new();
            for (a, b) in r.outer.iter().chain(&r.inner) {
                v.push(*a);
                v.push(*b);
            }
            v.extend(r.point);
            v.extend(r.markers.iter().map(|m| m.at));
            v
        });
        let (lo, hi) = padded_range(values.chain(chart.reference.iter().map(|r| r.0)));
        (lo, hi)
    });
    let mut ctx = ChartBuilder::on(&plot)
        .margin_left(8)
        .margin_right(24)
        .margin_top(4)
        .x_label_area_size(52)
        .y_label_area_size(chart.label_width)
        .build_cartesian_2d(x0..x1, 0.5..(n as f64 + 0.5))?;
    let labels: Vec<&str> = chart.rows.iter().map(|r| r.label.as_str()).collect();
    let y_fmt = |y: &f64| {
        let r = y.round();
        if (y - r).abs() > 1e-6 || r < 1.0 || r > n as f64 {
            return String::new();
        }
        labels
            .get(n - r as usize)
            .map_or(String::new(), |s| s.to_string())
    };
    let x_fmt = |x: &f64| match &chart.x_ticks {
        Some(axis) => axis.label(*x),
        None => tick(*x),
    };
    let (plot_width, plot_height) = plot.dim_in_pixel();
    let row_px = plot_height as f64 / n as f64;
    let label_size = if row_px < 22.0 { 13 } else { 15 };
    let x_ticks = match &chart.x_ticks {
        Some(axis) => axis.ticks(plot_width.saturating_sub(chart.label_width)),
        None => 8,
    };
    ctx.configure_mesh()
        .x_desc(&chart.x_label)
        .x_labels(x_ticks)
        .y_labels(n + 1)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(text(label_size))
        .axis_desc_style(text(17))
        .light_line_style(WHITE)
        .bold_line_style(palette::GRID)
        .draw()?;
    if let Some((at, label)) = &chart.reference {
        ctx.draw_series(std::iter::once(PathElement::new(
            vec![(*at, 0.5), (*at, n as f64 + 0.5)],
            palette::INK.stroke_width(1),
        )))?;
        ctx.draw_series(std::iter::once(Text::new(
            label.clone(),
            (*at, n as f64 + 0.5),
            text(13).pos(Pos::new(HPos::Left, VPos::Top)),
        )))?;
    }
    // Bars keep a readable thickness in pixels whatever the number of rows.
    let half = (9.0 / row_px).min(0.3);
    let tick_half = (14.0 / row_px).min(0.42);
    for (i, row) in chart.rows.iter().enumerate() {
        let y = (n - i) as f64;
        if let Some((a, b)) = row.outer {
            ctx.draw_series(std::iter::once(PathElement::new(
                vec![(a, y), (b, y)],
                row.colour.stroke_width(2),
            )))?;
        }
        if let Some((a, b)) = row.inner {
            ctx.draw_series(std::iter::once(Rectangle::new(
                [(a, y - half), (b, y + half)],
                row.colour.filled(),
            )))?;
        }
        if let Some(p) = row.point {
            ctx.draw_series(std::iter::once(Circle::new(
                (p, y),
                6,
                ShapeStyle::from(&WHITE).filled(),
            )))?;
            ctx.draw_series(std::iter::once(Circle::new(
                (p, y),
                6,
                row.colour.stroke_width(3),
            )))?;
        }
        for m in &row.markers {
            match m.swatch {
                Swatch::Tick => {
                    ctx.draw_series(std::iter::once(PathElement::new(
                        vec![(m.at, y - tick_half), (m.at, y + tick_half)],
                        m.colour.stroke_width(3),
                    )))?;
                }
                _ => {
                    ctx.draw_series(std::iter::once(Circle::new(
                        (m.at, y),
                        5,
                        m.colour.filled(),
                    )))?;
                }
            }
        }
        if chart.note_width > 0 && !row.note.is_empty() {
            let (_, py) = ctx.backend_coord(&(x0, y));
            let base = notes.get_base_pixel();
            notes.draw_text(
                &row.note,
                &text(label_size).pos(Pos::new(HPos::Left, VPos::Center)),
                (4, py - base.1),
            )?;
        }
    }
    Ok(())
}

/// How the layers of a stacked panel are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackStyle {
    /// Opaque stacked areas over periods.
    Area,
    /// Opaque stacked bars, one per period.
    Bars,
}

/// Small multiples of stacked layers over periods, with one shared legend and y scale.
#[derive(Clone, Debug)]
pub struct StackedPanels {
    pub title: String,
    pub y_label: String,
    pub axis: PeriodAxis,
    /// Layer names and colours, bottom first.
    pub layers: Vec<(String, RGBColor)>,
    /// (panel title, `values[layer][t - 1]`).
    pub panels: Vec<(String, Vec<Vec<f64>>)>,
    pub style: StackStyle,
}

impl Figure for StackedPanels {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let items: Vec<LegendItem> = self
            .layers
            .iter()
            .map(|(name, c)| LegendItem::new(name, *c, Swatch::Fill))
            .collect();
        let area = legend(&area, &items)?;
        let n = self.panels.len().max(1);
        let cols = match n {
            1 => 1,
            2 | 4 => 2,
            _ => 3,
        };
        let rows = n.div_ceil(cols);
        let y_max = self
            .panels
            .iter()
            .flat_map(|(_, layers)| {
                (0..self.axis.periods).map(move |t| {
                    layers
                        .iter()
                        .map(|l| l.get(t).copied().unwrap_or(0.0))
                        .sum()
                })
            })
            .fold(0.0f64, f64::max);
        let y_max = if y_max > 0.0 && y_max.is_finite() {
            y_max.min(DRAWABLE) * 1.06
        } else {
            1.0
        };
        for (cell, (name, layers)) in area.split_evenly((rows, cols)).iter().zip(&self.panels) {
            stacked_panel(cell, self, name, layers, y_max, rows == 1 && cols == 1)?;
        }
        Ok(())
    }
}

fn stacked_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &StackedPanels,
    name: &str,
    layers: &[Vec<f64>],
    y_max: f64,
    large: bool,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let size = if large { 15 } else { 13 };
    area.draw_text(
        name,
        &bold(16).pos(Pos::new(HPos::Center, VPos::Top)),
        ((area.dim_in_pixel().0 / 2) as i32, 2),
    )?;
    let area = area.split_vertically(22).1;
    let periods = chart.axis.periods.max(1);
    let (x0, x1) = match chart.style {
        StackStyle::Area if periods > 1 => (1.0, periods as f64),
        _ => (0.5, periods as f64 + 0.5),
    };
    let mut ctx = ChartBuilder::on(&area)
        .margin_left(6)
        .margin_right(18)
        .margin_bottom(4)
        .x_label_area_size(if large { 52 } else { 44 })
        .y_label_area_size(if large { 90 } else { 74 })
        .build_cartesian_2d(x0..x1, 0.0..y_max)?;
    let (width, _) = area.dim_in_pixel();
    let x_fmt = |x: &f64| chart.axis.label(*x);
    let y_fmt = |y: &f64| tick(*y);
    ctx.configure_mesh()
        .x_desc(chart.axis.description())
        .y_desc(&chart.y_label)
        .x_labels(chart.axis.ticks(width.saturating_sub(80)))
        .y_labels(if large { 8 } else { 5 })
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(text(size))
        .axis_desc_style(text(size + 1))
        .light_line_style(WHITE)
        .bold_line_style(palette::GRID)
        .draw()?;
    let mut base = vec![0.0; chart.axis.periods];
    for (values, (_, colour)) in layers.iter().zip(&chart.layers) {
        let top: Vec<f64> = base
            .iter()
            .enumerate()
            .map(|(t, b)| b + values.get(t).copied().unwrap_or(0.0).max(0.0))
            .collect();
        match chart.style {
            StackStyle::Area if periods > 1 => {
                let points: Vec<(f64, f64)> = top
                    .iter()
                    .enumerate()
                    .map(|(t, &y)| ((t + 1) as f64, y))
                    .chain(
                        base.iter()
                            .enumerate()
                            .rev()
                            .map(|(t, &y)| ((t + 1) as f64, y)),
                    )
                    .collect();
                ctx.draw_series(std::iter::once(Polygon::new(points, colour.filled())))?;
            }
            _ => {
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

/// Two or more interval charts side by side under one title and legend.
#[derive(Clone, Debug)]
pub struct IntervalPanels {
    pub title: String,
    pub legend: Vec<LegendItem>,
    pub panels: Vec<IntervalChart>,
}

impl Figure for IntervalPanels {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let area = legend(&area, &self.legend)?;
        let n = self.panels.len().max(1);
        for (cell, panel) in area.split_evenly((1, n)).iter().zip(&self.panels) {
            interval_chart(cell, panel)?;
        }
        Ok(())
    }
}

/// A horizontal-bar (tornado) chart of `rows` = (label, low, high): each bar spans the
/// outcome when the input is at its low and at its high value, around `baseline`. Rows are
/// sorted by swing, widest on top. Writes `<stem>.svg` and `<stem>.png`; returns the SVG.
pub fn tornado(
    stem: &Path,
    title: &str,
    x_label: &str,
    baseline: f64,
    rows: &[(String, f64, f64)],
) -> Result<String> {
    let mut sorted: Vec<&(String, f64, f64)> = rows.iter().collect();
    sorted.sort_by(|a, b| (b.2 - b.1).abs().total_cmp(&(a.2 - a.1).abs()));
    let chart = IntervalChart {
        title: String::new(),
        x_label: x_label.to_string(),
        rows: sorted
            .iter()
            .map(|(label, low, high)| {
                let mut row = IntervalRow::new(label.clone(), palette::series(0));
                row.inner = Some((low.min(*high), low.max(*high)));
                row.note = format!("{} … {}", tick(*low), tick(*high));
                row
            })
            .collect(),
        reference: Some((baseline, format!(" baseline {}", tick(baseline)))),
        // Fit the swings, not zero: they are often small next to the baseline.
        x_range: {
            let (lo, hi) = rows
                .iter()
                .flat_map(|r| [r.1, r.2])
                .chain([baseline])
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            let pad = ((hi - lo) * 0.1).max(hi.abs().max(1.0) * 1e-3);
            Some((lo - pad, hi + pad))
        },
        x_ticks: None,
        label_width: label_width(sorted.iter().map(|r| r.0.as_str())),
        note_width: 180,
    };
    let figure = IntervalPanels {
        title: title.to_string(),
        legend: Vec::new(),
        panels: vec![chart],
    };
    let height = (160 + 30 * rows.len() as u32).max(SLIDE.1);
    save(stem, (SLIDE.0, height), &figure)
}

/// A label column wide enough for the longest of `labels` (approximate, 8 px per character).
fn label_width<'a>(labels: impl Iterator<Item = &'a str>) -> u32 {
    let longest = labels.map(|l| l.chars().count()).max().unwrap_or(4) as u32;
    (longest * 8 + 24).clamp(60, 360)
}

/// Inputs shown on the sensitivity tornado.
const TORNADO_ROWS: usize = 12;

/// The sensitivity tornado of the best strategy's blended score: the inputs with the
/// strongest rank correlation, each bar spanning the mean score where the input was in its
/// lowest and its highest tenth.
pub fn sensitivity(
    folder: &Path,
    results: &Results,
    analyses: &[crate::whatif::sensitivity::Sensitivity],
) -> Result<Option<Plot>> {
    let best = best_strategy(results);
    let Some(analysis) = analyses
        .iter()
        .find(|a| a.strategy == best && a.outcome == SummaryMetric::BlendedScore)
    else {
        return Ok(None);
    };
    if analysis.drivers.is_empty() {
        return Ok(None);
    }
    let rows: Vec<(String, f64, f64)> = analysis
        .drivers
        .iter()
        .take(TORNADO_ROWS)
        .map(|d| {
            (
                format!("{} (ρ {:+.2})", d.input, d.rank_correlation),
                d.low,
                d.high,
            )
        })
        .collect();
    let stem = "plots/sensitivity";
    let name = &results.strategies[best];
    let title = format!("What drives the blended score of {name}");
    let svg = tornado(
        &folder.join(stem),
        &title,
        "mean blended score when the input is in its lowest … highest tenth",
        analysis.mean,
        &rows,
    )?;
    Ok(Some(Plot {
        stem: stem.to_string(),
        title,
        caption: format!(
            "The uncertain inputs that move {name}'s blended score most, by rank correlation \
             across trials: each bar spans the mean score in the trials where the input was \
             in its lowest and its highest tenth."
        ),
        svg,
    }))
}

/// Draws a figure at a path stem and size, returning its SVG.
type Render<'a> = &'a dyn Fn(&Path, (u32, u32)) -> Result<String>;

/// One chart of a run, as written.
#[derive(Clone, Debug)]
pub struct Plot {
    /// File stem inside the output folder, e.g. `plots/debt`.
    pub stem: String,
    pub title: String,
    /// One sentence on what the chart shows.
    pub caption: String,
    pub svg: String,
}

/// Mean blended score of each strategy; the index of the best.
fn best_strategy(results: &Results) -> usize {
    (0..results.strategies.len())
        .max_by(|&a, &b| {
            results
                .summary(a, SummaryMetric::BlendedScore)
                .mean
                .total_cmp(&results.summary(b, SummaryMetric::BlendedScore).mean)
                // Ties go to the earlier strategy.
                .then(b.cmp(&a))
        })
        .unwrap_or(0)
}

fn fan_series(results: &Results, metric: usize) -> Vec<FanSeries> {
    let periods = results.periods();
    results
        .strategies
        .iter()
        .enumerate()
        .map(|(s, name)| {
            let q = |p: f64| -> Vec<f64> {
                (1..=periods)
                    .map(|t| results.period(s, t, metric).at(p))
                    .collect()
            };
            FanSeries {
                name: name.clone(),
                colour: palette::series(s),
                p10: q(0.10),
                p25: q(0.25),
                p50: q(0.50),
                p75: q(0.75),
                p90: q(0.90),
            }
        })
        .collect()
}

fn mean_of(results: &Results, s: usize, metric: PeriodMetric) -> Vec<f64> {
    (1..=results.periods())
        .map(|t| results.period(s, t, metric as usize).mean)
        .collect()
}

/// Draws every chart of a run into `<folder>/plots/` and returns them in report order.
pub fn write_all(
    folder: &Path,
    scenario: &Scenario,
    results: &Results,
    allocations: &[StrategyPlan],
) -> Result<Vec<Plot>> {
    let mut plots = Vec::new();
    let axis = PeriodAxis::of(scenario);
    let mut add = |stem: &str,
                   title: &str,
                   caption: String,
                   size: (u32, u32),
                   figure: Render<'_>|
     -> Result<()> {
        let svg = figure(&folder.join(stem), size)?;
        plots.push(Plot {
            stem: stem.to_string(),
            title: title.to_string(),
            caption,
            svg,
        });
        Ok(())
    };

    if results.periods() > 0 {
        let debt = FanChart {
            title: "Technical debt outstanding, all teams".into(),
            y_label: "debt (engineer-days)".into(),
            axis: axis.clone(),
            series: fan_series(results, PeriodMetric::Debt as usize),
            y_range: None,
            references: Vec::new(),
            key: None,
        };
        add(
            "plots/debt",
            &debt.title,
            "Debt at the end of each period under each strategy: the line is the median \
             trial, the darker band the middle half of trials, the light band 80% of trials."
                .into(),
            SLIDE,
            &|stem, size| save(stem, size, &debt),
        )?;

        let score = FanChart {
            title: "Blended OKR score if judged at the end of each period".into(),
            y_label: "blended score (0–1)".into(),
            axis: axis.clone(),
            series: fan_series(results, PeriodMetric::BlendedScore as usize),
            y_range: Some((0.0, 1.0)),
            references: Vec::new(),
            key: None,
        };
        add(
            "plots/value",
            &score.title,
            format!(
                "How value accumulates: the blended score ({:.0}% product, {:.0}% technology \
                 key results) each strategy would earn if judged at that period; median line, \
                 P25–P75 and P10–P90 bands.",
                scenario.blend * 100.0,
                (1.0 - scenario.blend) * 100.0
            ),
            SLIDE,
            &|stem, size| save(stem, size, &score),
        )?;

        let capacity = StackedPanels {
            title: "Where capacity goes (mean engineer-days per period)".into(),
            y_label: "engineer-days".into(),
            axis: axis.clone(),
            layers: vec![
                ("product".into(), palette::PRODUCT),
                ("tech".into(), palette::TECH),
                ("debt paydown".into(), palette::PAYDOWN),
                ("incidents & risks".into(), palette::UNPLANNED),
                ("idle".into(), palette::IDLE),
                ("lost to drag".into(), palette::DRAG),
            ],
            panels: results
                .strategies
                .iter()
                .enumerate()
                .map(|(s, name)| {
                    let m = |metric| mean_of(results, s, metric);
                    let incidents: Vec<f64> = m(PeriodMetric::IncidentDays)
                        .iter()
                        .zip(m(PeriodMetric::RiskDays))
                        .map(|(a, b)| a + b)
                        .collect();
                    let drag: Vec<f64> = m(PeriodMetric::NominalCapacity)
                        .iter()
                        .zip(m(PeriodMetric::EffectiveCapacity))
                        .map(|(k, c)| (k - c).max(0.0))
                        .collect();
                    (
                        name.clone(),
                        vec![
                            m(PeriodMetric::ProductDays),
                            m(PeriodMetric::TechDays),
                            m(PeriodMetric::PaydownDays),
                            incidents,
                            m(PeriodMetric::IdleDays),
                            drag,
                        ],
                    )
                })
                .collect(),
            style: StackStyle::Area,
        };
        add(
            "plots/capacity",
            &capacity.title,
            "Mean engineer-days per period spent on product work, tech work, debt paydown and \
             unplanned work, left idle, or lost to debt drag; the stack's height is nominal \
             capacity."
                .into(),
            SLIDE,
            &|stem, size| save(stem, size, &capacity),
        )?;
    }

    if !scenario.initiatives.is_empty() {
        let (figure, height) = finish_ranges(scenario, results, &axis);
        add(
            "plots/initiatives",
            &figure.title,
            format!(
                "When each initiative finishes under {}: the bar spans the P50 to P85 finish \
                 period, the whisker reaches P95, black ticks are deadlines and dots are the \
                 other strategies' P50; the right column gives the chance of meeting the deadline.",
                results.strategies[best_strategy(results)]
            ),
            (SLIDE.0, height),
            &|stem, size| save(stem, size, &figure),
        )?;
    }

    let comparison = comparison(scenario, results);
    add(
        "plots/comparison",
        &comparison.title,
        "Blended score and final debt of each strategy: the dot is the mean, the bar the middle \
         half of trials, the whisker 80% of trials; with several strategies, the right panel \
         shows each one's paired difference from the first, with its 95% confidence interval."
            .into(),
        SLIDE,
        &|stem, size| save(stem, size, &comparison),
    )?;

    let charted: Vec<&StrategyPlan> = allocations
        .iter()
        .filter(|plan| !matches!(plan.found.candidate.policy.share, Share::DebtCeiling { .. }))
        .collect();
    for (n, plan) in charted.iter().enumerate() {
        let chart = plan_chart(scenario, plan, &axis);
        let stem = if charted.len() == 1 {
            "plots/plan".to_string()
        } else {
            format!("plots/plan-{}", n + 1)
        };
        add(
            &stem,
            &chart.title,
            "The tech share the optimised policy gives each team in each period (the rest of \
             the team's capacity goes to product work first); the dashed lines are the \
             guardrails."
                .into(),
            SLIDE,
            &|stem, size| save(stem, size, &chart),
        )?;
    }
    Ok(plots)
}

/// The initiative finish-range chart and its height in pixels.
fn finish_ranges(
    scenario: &Scenario,
    results: &Results,
    axis: &PeriodAxis,
) -> (IntervalPanels, u32) {
    let best = best_strategy(results);
    let horizon = scenario.periods as f64;
    let beyond = horizon + 0.5;
    let rows: Vec<IntervalRow> = scenario
        .initiatives
        .iter()
        .enumerate()
        .map(|(i, initiative)| {
            let st = results.initiative(best, i, initiative.deadline);
            let at = |t: Option<usize>| t.map_or(beyond, |t| t as f64);
            let label = format!(
                "{} ({}, {})",
                initiative.id,
                scenario.teams[initiative.team].name,
                initiative.kind.as_str()
            );
            let colour = match initiative.kind {
                Kind::Product => palette::PRODUCT,
                Kind::Tech => palette::TECH,
            };
            let mut row = IntervalRow::new(label, colour);
            if st.finish[0].is_some() {
                let (p50, p85) = (at(st.finish[0]), at(st.finish[1]));
                // Finish periods are whole: a P50 equal to P85 still shows as a short block.
                row.inner = Some(if p85 - p50 < 0.3 {
                    (p50 - 0.15, p85 + 0.15)
                } else {
                    (p50, p85)
                });
                row.outer = Some((at(st.finish[0]), at(st.finish[2])));
            }
            for (s, _) in results.strategies.iter().enumerate() {
                if s == best {
                    continue;
                }
                if let Some(t) = results.initiative(s, i, None).finish[0] {
                    row.markers.push(Marker {
                        at: t as f64,
                        colour: palette::series(s),
                        swatch: Swatch::Dot,
                    });
                }
            }
            if let Some(d) = initiative.deadline {
                row.markers.push(Marker {
                    at: d as f64,
                    colour: palette::INK,
                    swatch: Swatch::Tick,
                });
            }
            row.note = match (st.finish[0], st.p_by_deadline) {
                (None, _) => format!("P50 after horizon ({:.0}% done)", st.p_done * 100.0),
                (_, Some(p)) => format!("{:.0}% by deadline", p * 100.0),
                (_, None) => format!("{:.0}% done", st.p_done * 100.0),
            };
            row
        })
        .collect();
    let mut legend = vec![
        LegendItem::new(
            format!("{}: product P50–P85", results.strategies[best]),
            palette::PRODUCT,
            Swatch::Fill,
        ),
        LegendItem::new("tech P50–P85", palette::TECH, Swatch::Fill),
        LegendItem::new("deadline", palette::INK, Swatch::Tick),
    ];
    for (s, name) in results.strategies.iter().enumerate() {
        if s != best {
            legend.push(LegendItem::new(
                format!("{name} P50"),
                palette::series(s),
                Swatch::Dot,
            ));
        }
    }
    let n = rows.len() as u32;
    let chart = IntervalChart {
        title: String::new(),
        x_label: format!("finish, {}", axis.description()),
        label_width: label_width(rows.iter().map(|r| r.label.as_str())),
        rows,
        reference: None,
        x_range: Some((0.5, beyond)),
        x_ticks: Some(axis.clone()),
        note_width: 250,
    };
    let figure = IntervalPanels {
        title: format!(
            "Initiative finish ranges under {} (best mean blended score)",
            results.strategies[best]
        ),
        legend,
        panels: vec![chart],
    };
    let legend_rows = if results.strategies.len() > 3 { 2 } else { 1 };
    let height = (52 + legend_rows * 26 + 6 + 60 + 26 * n).max(SLIDE.1);
    (figure, height)
}

/// The strategy comparison chart.
fn comparison(scenario: &Scenario, results: &Results) -> IntervalPanels {
    let _ = scenario;
    let names = || results.strategies.iter().map(|s| s.as_str());
    let width = label_width(names()).min(200);
    let panel = |metric: SummaryMetric, title: &str, x_label: &str, range| {
        let rows = results
            .strategies
            .iter()
            .enumerate()
            .map(|(s, name)| {
                let d = results.summary(s, metric);
                let mut row = IntervalRow::new(name.clone(), palette::series(s));
                row.outer = Some((d.at(0.10), d.at(0.90)));
                row.inner = Some((d.at(0.25), d.at(0.75)));
                row.point = Some(d.mean);
                row
            })
            .collect();
        IntervalChart {
            title: title.to_string(),
            x_label: x_label.to_string(),
            rows,
            reference: None,
            x_range: range,
            x_ticks: None,
            label_width: width,
            note_width: 0,
        }
    };
    let mut panels = vec![
        panel(
            SummaryMetric::BlendedScore,
            "Blended score",
            "blended score (0–1)",
            Some((0.0, 1.0)),
        ),
        panel(
            SummaryMetric::FinalDebt,
            "Debt at the horizon",
            "debt (engineer-days)",
            None,
        ),
    ];
    if results.strategies.len() > 1 {
        let rows = results
            .strategies
            .iter()
            .enumerate()
            .map(|(s, name)| {
                let mut row = IntervalRow::new(name.clone(), palette::series(s));
                if s == 0 {
                    // The baseline row keeps the rows aligned with the other panels.
                    row.point = Some(0.0);
                } else {
                    let d = results.paired(s, SummaryMetric::BlendedScore);
                    row.inner = Some(d.ci95);
                    row.point = Some(d.mean);
                }
                row
            })
            .collect();
        panels.push(IntervalChart {
            title: format!("Blended score minus {}'s", results.strategies[0]),
            x_label: "paired difference (95% CI)".into(),
            rows,
            reference: Some((0.0, String::new())),
            x_range: None,
            x_ticks: None,
            label_width: width,
            note_width: 0,
        });
    }
    IntervalPanels {
        title: "Strategy comparison".into(),
        legend: vec![LegendItem::new(
            "dot: mean; bar: P25–P75; whisker: P10–P90",
            palette::GRID,
            Swatch::Fill,
        )],
        panels,
    }
}

/// The tech share an optimised policy gives each team in each period, with its guardrails.
pub fn plan_chart(scenario: &Scenario, plan: &StrategyPlan, axis: &PeriodAxis) -> FanChart {
    let policy = &plan.found.candidate.policy;
    let series = scenario
        .teams
        .iter()
        .enumerate()
        .map(|(j, team)| {
            let shares: Vec<f64> = (1..=scenario.periods)
                .map(|t| policy.tech_share(j, t, 0.0) * 100.0)
                .collect();
            FanSeries {
                name: team.name.clone(),
                colour: palette::series(j),
                p10: shares.clone(),
                p25: shares.clone(),
                p50: shares.clone(),
                p75: shares.clone(),
                p90: shares,
            }
        })
        .collect();
    let g = plan.objective.guardrails;
    let mut references = Vec::new();
    if g.min_tech_share > 0.0 {
        references.push((g.min_tech_share * 100.0, "minimum".to_string()));
    }
    if g.max_tech_share < 1.0 {
        references.push((g.max_tech_share * 100.0, "maximum".to_string()));
    }
    FanChart {
        title: format!(
            "Tech share per team under {}: {}",
            plan.of.name(scenario),
            plan.found.candidate.label
        ),
        y_label: "tech share (%)".into(),
        axis: axis.clone(),
        series,
        y_range: Some((0.0, 100.0)),
        references,
        key: Some("the policy's tech share".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Extreme values are drawn at the edge of a finite axis, never looped on.
    #[test]
    fn ranges_stay_finite_for_extreme_values() {
        for values in [
            vec![3.0, 1e308],
            vec![-1e308, 1e308],
            vec![f64::MAX, f64::MAX],
            vec![f64::NAN, f64::INFINITY],
        ] {
            let (lo, hi) = padded_range(values.into_iter());
            assert!(lo.is_finite() && hi.is_finite() && lo < hi, "{lo} {hi}");
            assert!(hi - lo <= 3.0 * DRAWABLE);
        }
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(1200.0), "1,200");
        assert_eq!(tick(-25000.0), "-25,000");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(0.5), "0.5");
        assert_eq!(tick(40.0), "40");
    }

    #[test]
    fn ranges_start_at_zero_for_positive_data() {
        assert_eq!(padded_range([10.0, 100.0].into_iter()).0, 0.0);
        let (lo, hi) = padded_range([-1.0, 1.0].into_iter());
        assert!(lo < -1.0 && hi > 1.0);
        assert_eq!(padded_range(std::iter::empty()), (0.0, 1.0));
    }

    #[test]
    fn a_tornado_is_written_as_svg_and_png() {
        let dir = std::env::temp_dir().join(format!("fulcrum-tornado-{}", std::process::id()));
        let stem = dir.join("tornado");
        let rows = vec![
            ("engineers".to_string(), 0.55, 0.71),
            ("debt interest".to_string(), 0.66, 0.60),
            ("incident cost".to_string(), 0.62, 0.64),
        ];
        let svg = tornado(&stem, "Sensitivity", "blended score", 0.63, &rows).unwrap();
        assert!(svg.contains("engineers") && svg.contains("Sensitivity"));
        let png = std::fs::read(dir.join("tornado.png")).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
