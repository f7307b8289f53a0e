//! The house style every chart shares: fonts, the palette, line styles and markers that tell
//! series apart without colour, the axis mesh, tick labels and value ranges.

use crate::words::numbers;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::model::throughput::LevelShift;

/// The font family the charts name; [`super::register_fonts`] maps it to embedded DejaVu Sans.
pub(crate) const FONT: &str = "sans-serif";

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
    /// The low end of a range (tornado: input in its lowest tenth).
    pub const LOW: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// The high end of a range (tornado: input in its highest tenth).
    pub const HIGH: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Reference lines, deadlines, text.
    pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
    /// Grid lines.
    pub const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
    /// The pale band behind every other row of a chart of rows.
    pub const BAND: RGBColor = RGBColor(0xF3, 0xF3, 0xF3);
}

/// Text in the house font and ink.
pub fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&palette::INK)
}

/// Bold text in the house font and ink.
pub fn bold(size: u32) -> TextStyle<'static> {
    (FONT, size, FontStyle::Bold)
        .into_font()
        .color(&palette::INK)
}

/// How a series' line is drawn, so that lines stay apart where they coincide and without
/// colour: a dash pattern and a marker shape, both chosen by the series' index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stroke {
    /// Dash length and gap in pixels; `None`: solid.
    pub dash: Option<(u32, u32)>,
    /// Marker drawn on the line every few points.
    pub shape: Shape,
}

/// Marker shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A filled circle.
    Circle,
    /// A filled square.
    Square,
    /// A filled triangle.
    Triangle,
    /// A cross.
    Cross,
    /// A hollow circle.
    Ring,
}

impl Stroke {
    /// The stroke of series `i`: solid with circles first, then dashed and dotted patterns
    /// with other markers.
    pub fn of(i: usize) -> Stroke {
        const DASHES: [Option<(u32, u32)>; 5] = [
            None,
            Some((14, 6)),
            Some((4, 5)),
            Some((20, 6)),
            Some((8, 8)),
        ];
        const SHAPES: [Shape; 5] = [
            Shape::Circle,
            Shape::Square,
            Shape::Triangle,
            Shape::Cross,
            Shape::Ring,
        ];
        Stroke {
            dash: DASHES[i % DASHES.len()],
            shape: SHAPES[i % SHAPES.len()],
        }
    }
}

/// A plot of f64 against f64, as every chart here builds it.
pub type Plot2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Marks where the pace of a history changed for good: a vertical line after period
/// `shift.at` (0-based; periods are drawn centred on whole numbers from 1) from 0 to `top`,
/// labelled with the pace before and after, on whichever side of the line has more room
/// within `x_range`.
pub fn pace_change<DB: DrawingBackend>(
    ctx: &mut Plot2d<'_, DB>,
    shift: &LevelShift,
    x_range: (f64, f64),
    top: f64,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let x = shift.at as f64 + 0.5;
    ctx.draw_series([PathElement::new(
        vec![(x, 0.0), (x, top)],
        palette::INK.stroke_width(2),
    )])?;
    let label = format!(
        "pace changed: {} → {} per period",
        tick(shift.before),
        tick(shift.after)
    );
    let (label, side) = if x - x_range.0 > x_range.1 - x {
        (format!("{label} "), HPos::Right)
    } else {
        (format!(" {label}"), HPos::Left)
    };
    ctx.draw_series([Text::new(
        label,
        (x, top * 0.93),
        text(14).pos(Pos::new(side, VPos::Center)),
    )])?;
    Ok(())
}

/// Draws a line through `points` in `stroke`'s dash pattern, with its marker on every
/// `every`-th point starting at `first` (staggered per series, so markers of coinciding lines
/// do not hide each other; 0: no markers).
pub fn line<DB: DrawingBackend>(
    ctx: &mut Plot2d<'_, DB>,
    points: &[(f64, f64)],
    colour: RGBColor,
    width: u32,
    stroke: Stroke,
    (first, every): (usize, usize),
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let style = colour.stroke_width(width);
    match stroke.dash {
        None => {
            ctx.draw_series(LineSeries::new(points.iter().copied(), style))?;
        }
        Some((dash, gap)) => {
            ctx.draw_series(DashedLineSeries::new(
                points.iter().copied(),
                dash,
                gap,
                style,
            ))?;
        }
    }
    if every > 0 {
        for &p in points.iter().skip(first).step_by(every) {
            marker(ctx, p, colour, stroke.shape, 6)?;
        }
    }
    Ok(())
}

/// Draws one marker of `shape` at `p`.
pub fn marker<DB: DrawingBackend>(
    ctx: &mut Plot2d<'_, DB>,
    p: (f64, f64),
    colour: RGBColor,
    shape: Shape,
    r: i32,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let at = EmptyElement::at(p);
    match shape {
        Shape::Circle => ctx.draw_series([at + Circle::new((0, 0), r, colour.filled())])?,
        Shape::Ring => ctx.draw_series([at
            + Circle::new((0, 0), r, WHITE.filled())
            + Circle::new((0, 0), r, colour.stroke_width(2))])?,
        Shape::Square => {
            ctx.draw_series([at + Rectangle::new([(-r, -r), (r, r)], colour.filled())])?
        }
        Shape::Triangle => ctx.draw_series([
            at + Polygon::new(vec![(0, -r - 1), (r + 1, r), (-r - 1, r)], colour.filled())
        ])?,
        Shape::Cross => ctx.draw_series([at
            + PathElement::new(vec![(-r, -r), (r, r)], colour.stroke_width(3))
            + PathElement::new(vec![(-r, r), (r, -r)], colour.stroke_width(3))])?,
    };
    Ok(())
}

/// The axes and grid of a plot: descriptions, tick counts and formats, at `size` px.
pub struct Mesh<'a> {
    /// X axis description.
    pub x_desc: &'a str,
    /// Y axis description (empty: none).
    pub y_desc: &'a str,
    /// Tick labels wanted on x.
    pub x_labels: usize,
    /// Tick labels wanted on y.
    pub y_labels: usize,
    /// X tick text.
    pub x_format: &'a dyn Fn(&f64) -> String,
    /// Y tick text.
    pub y_format: &'a dyn Fn(&f64) -> String,
    /// Tick label size in pixels; axis descriptions are 2 px larger.
    pub size: u32,
}

impl Mesh<'_> {
    /// Draws the mesh in the house style: light grid, no minor lines, house fonts.
    pub fn draw<DB: DrawingBackend>(&self, ctx: &mut Plot2d<'_, DB>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let mut mesh = ctx.configure_mesh();
        mesh.x_desc(self.x_desc)
            .x_labels(self.x_labels)
            .y_labels(self.y_labels)
            .x_label_formatter(self.x_format)
            .y_label_formatter(self.y_format)
            .label_style(text(self.size))
            .axis_desc_style(text(self.size + 2))
            .light_line_style(WHITE)
            .bold_line_style(palette::GRID);
        if !self.y_desc.is_empty() {
            mesh.y_desc(self.y_desc);
        }
        mesh.draw()?;
        Ok(())
    }
}

/// Builds a plot on `area` over `x` × `y` with the house margins: `label` px for the x tick
/// labels and description, `y_label` px for the y ones.
pub fn plot_on<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: (f64, f64),
    y: (f64, f64),
    (label, y_label): (u32, u32),
) -> Result<Plot2d<'a, DB>>
where
    DB::ErrorType: 'static,
{
    Ok(ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(40)
        .margin_top(8)
        .margin_bottom(8)
        .x_label_area_size(label)
        .y_label_area_size(y_label)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)?)
}

/// Values beyond this are drawn at it: an axis over ±1e300 would make plotters' tick search
/// loop (no run reports such values: the simulator refuses them, see
/// [`crate::simulate::REPRESENTABLE`]; this only keeps a chart from ever hanging).
pub(crate) const DRAWABLE: f64 = 1e15;

/// Lower and upper ends of a value range padded for drawing; starts at 0 for non-negative data.
/// Always finite, with `lo < hi`.
pub fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = finite_span(values);
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let lo = if lo >= 0.0 { 0.0 } else { lo };
    let span = hi - lo;
    if span <= 0.0 {
        return (lo - 1.0, hi + 1.0);
    }
    let lo = if lo == 0.0 { 0.0 } else { lo - span * 0.05 };
    (lo, hi + span * 0.06)
}

/// A range fitted to the data (not from zero), padded by 8% each side. Always finite, with
/// `lo < hi`.
pub fn fitted_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = finite_span(values);
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs().max(lo.abs()).max(1e-3) * 0.01);
    (lo - pad, hi + pad)
}

/// Smallest and largest finite value, clamped to ±[`DRAWABLE`] (infinite when there is none).
fn finite_span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(-DRAWABLE, DRAWABLE))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}

/// Short number for axis ticks: 1200 → "1,200", 0.25 → "0.25".
pub fn tick(x: f64) -> String {
    if x.abs() >= 1000.0 {
        numbers::grouped(x.round(), 0)
    } else if x == x.round() {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A label column wide enough for the longest of `labels` (approximate, 8 px per character).
pub fn label_width<'a>(labels: impl Iterator<Item = &'a str>) -> u32 {
    let longest = labels.map(|l| l.chars().count()).max().unwrap_or(4) as u32;
    (longest * 8 + 24).clamp(60, 360)
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
            for (lo, hi) in [
                padded_range(values.clone().into_iter()),
                fitted_range(values.into_iter()),
            ] {
                assert!(lo.is_finite() && hi.is_finite() && lo < hi, "{lo} {hi}");
                assert!(hi - lo <= 3.0 * DRAWABLE);
            }
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
    fn ranges_start_at_zero_for_positive_data_and_fit_otherwise() {
        assert_eq!(padded_range([10.0, 100.0].into_iter()).0, 0.0);
        let (lo, hi) = padded_range([-1.0, 1.0].into_iter());
        assert!(lo < -1.0 && hi > 1.0);
        assert_eq!(padded_range(std::iter::empty()), (0.0, 1.0));
        let (lo, hi) = fitted_range([0.82, 0.98].into_iter());
        assert!(lo > 0.7 && lo < 0.82 && hi > 0.98 && hi < 1.0, "{lo} {hi}");
    }

    #[test]
    fn strokes_differ_between_neighbouring_series() {
        for i in 0..4 {
            assert_ne!(Stroke::of(i), Stroke::of(i + 1));
        }
    }
}
