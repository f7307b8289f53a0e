//! The backtest's charts: the first method's forecast ranges against what happened (with the
//! last level shift of the history marked), and how often each percentile was right against
//! how often it was claimed, per method (a reliability diagram).

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::simulate::forecast::backtest::{MethodBacktest, Question};

use super::{Labelled, name};
use crate::report::kit::charts::frame::Heading;
use crate::report::kit::charts::style::{Plot2d, Stroke, line, pace_change};
use crate::report::kit::charts::{self, LegendItem, Mesh, Swatch, legend, palette, tick, titled};

/// Forecast ranges against the truth, one panel per question.
pub(super) struct Ranges<'a> {
    pub(super) b: &'a Labelled<'a>,
}

/// One forecast on the chart: origin, the range's two ends, the median, what happened
/// (`None`: not done within the history) and whether the highest percentile was right.
struct Bar {
    origin: usize,
    range: (f64, f64),
    median: f64,
    actual: Option<f64>,
    hit: bool,
}

impl Ranges<'_> {
    /// The lowest and highest percentiles and their positions.
    fn ends(&self) -> ((f64, usize), (f64, usize)) {
        let qs = &self.b.settings.percentiles;
        let at = |q: f64| qs.iter().position(|&x| x == q).unwrap_or(0);
        let lo = qs.iter().copied().fold(1.0, f64::min);
        let hi = qs.iter().copied().fold(0.0, f64::max);
        ((lo, at(lo)), (hi, at(hi)))
    }

    fn bars(&self, question: Question) -> Vec<Bar> {
        let ((_, lo), (_, hi)) = self.ends();
        let Some(method) = self.b.backtest.methods.first() else {
            return Vec::new();
        };
        method
            .origins
            .iter()
            .filter_map(|o| {
                let s = match question {
                    Question::When => &o.when,
                    Question::HowMany => o.how_many.as_ref()?,
                };
                let (low, high) = (s.statements[lo].as_ref()?, s.statements[hi].as_ref()?);
                // Only forecasts whose highest percentile is settled by the history.
                let hit = high.hit?;
                Some(Bar {
                    origin: o.origin,
                    range: (low.value, high.value),
                    median: s.median?,
                    actual: s.actual,
                    hit,
                })
            })
            .collect()
    }
}

impl charts::Figure for Ranges<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let ((lo, _), (hi, _)) = self.ends();
        let method = self
            .b
            .backtest
            .methods
            .first()
            .map_or("", |m| m.method.as_str());
        let area = titled(
            root,
            &format!("Backtest ({method}): forecast ranges against what happened"),
        )?;
        let items = [
            LegendItem::new(
                format!("forecast {} to {}", name(lo), name(hi)),
                palette::PRODUCT,
                Swatch::Fill,
            ),
            LegendItem::new("forecast P50", palette::INK, Swatch::Band),
            LegendItem::new(
                format!("actual, within {}", name(hi)),
                palette::PAYDOWN,
                Swatch::Dot,
            ),
            LegendItem::new(
                format!("actual, beyond {}", name(hi)),
                palette::UNPLANNED,
                Swatch::Dot,
            ),
        ];
        let area = legend(&area, &items)?;
        let (top, bottom) = area.split_vertically(area.dim_in_pixel().1 / 2);
        for (panel, question, y_label) in [
            (&top, Question::When, "periods after the origin"),
            (&bottom, Question::HowMany, "items done"),
        ] {
            self.panel(
                panel,
                &self.b.question(question),
                y_label,
                &self.bars(question),
            )?;
        }
        Ok(())
    }
}

impl Ranges<'_> {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title: &str,
        y_label: &str,
        bars: &[Bar],
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let mut chars = title.chars();
        let heading: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        let area = QUESTION_HEADING.draw(area, &format!("{heading}?"))?;
        if bars.is_empty() {
            let (w, h) = area.dim_in_pixel();
            area.draw_text(
                "no forecast could be checked: the history after the origins is too short",
                &charts::text(16).pos(Pos::new(HPos::Center, VPos::Center)),
                ((w / 2) as i32, (h / 2) as i32),
            )?;
            return Ok(());
        }
        let ((x0, x1), y1) = extent(bars);
        let mut ctx = plot(&area, x0..x1, 0.0..y1)?;
        let x_fmt = |x: &f64| {
            let t = x.round();
            if (x - t).abs() > 1e-6 || t < 1.0 {
                return String::new();
            }
            match &self.b.dates {
                Some(_) => self.b.date(t as usize),
                None => format!("{t:.0}"),
            }
        };
        let dated = self.b.dates.is_some();
        Mesh {
            x_desc: if dated {
                "forecast made at the end of"
            } else {
                "forecast made after period"
            },
            y_desc: y_label,
            x_labels: if dated { 8 } else { 12 },
            y_labels: 6,
            x_format: &x_fmt,
            y_format: &|y| tick(*y),
            size: 14,
        }
        .draw(&mut ctx)?;
        let half = 0.35f64.min(0.36 * (x1 - x0) / bars.len() as f64);
        if let Some(shift) = self.b.shift.filter(|s| (x0..=x1).contains(&(s.at as f64))) {
            pace_change(&mut ctx, &shift, (x0, x1), y1)?;
        }
        for bar in bars {
            draw_bar(&mut ctx, bar, half, y1)?;
        }
        Ok(())
    }
}

/// The heading of each question's panel.
const QUESTION_HEADING: Heading = Heading {
    size: 17,
    centred: false,
    at: (24, 2),
    height: 26,
};

/// The x range (one period beyond the first and last origins) and the top of the y range
/// (10% above the highest bar or outcome, at least 1.1) of `bars`.
fn extent(bars: &[Bar]) -> ((f64, f64), f64) {
    let (x0, x1) = bars
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
            (a.min(r.origin as f64), b.max(r.origin as f64))
        });
    let y1 = bars
        .iter()
        .flat_map(|r| [r.range.1, r.range.0, r.actual.unwrap_or(0.0)])
        .fold(1.0, f64::max)
        * 1.1;
    ((x0 - 1.0, x1 + 1.0), y1)
}

/// One forecast: its range as a bar `2 × half` wide, its median as a tick, and what really
/// happened as a dot (a triangle at the top edge, `y1`, when not done within the history).
fn draw_bar<DB: DrawingBackend>(
    ctx: &mut Plot2d<'_, DB>,
    bar: &Bar,
    half: f64,
    y1: f64,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let x = bar.origin as f64;
    let (a, b) = bar.range;
    // Ranges of one value stay visible.
    let pad = y1 * 0.006;
    ctx.draw_series(std::iter::once(Rectangle::new(
        [(x - half, a.min(b) - pad), (x + half, a.max(b) + pad)],
        palette::PRODUCT.mix(0.45).filled(),
    )))?;
    ctx.draw_series(std::iter::once(PathElement::new(
        vec![(x - half, bar.median), (x + half, bar.median)],
        palette::INK.stroke_width(2),
    )))?;
    let colour = if bar.hit {
        palette::PAYDOWN
    } else {
        palette::UNPLANNED
    };
    match bar.actual {
        Some(v) => ctx.draw_series(std::iter::once(Circle::new((x, v), 4, colour.filled())))?,
        None => ctx.draw_series(std::iter::once(TriangleMarker::new(
            (x, y1 * 0.97),
            5,
            colour.filled(),
        )))?,
    };
    Ok(())
}

/// How often each percentile was right against how often it was claimed, per method and
/// question: on the diagonal, a method is right as often as it says.
pub(super) struct Reliability<'a> {
    pub(super) b: &'a Labelled<'a>,
}

impl charts::Figure for Reliability<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(
            root,
            "Calibration: right how often, against the chance claimed",
        )?;
        let methods = &self.b.backtest.methods;
        let mut items = vec![LegendItem::new(
            "right as often as claimed",
            palette::DRAG,
            Swatch::Tick,
        )];
        for (i, m) in methods.iter().enumerate() {
            for q in Question::ALL {
                items.push(LegendItem::new(
                    format!("{}: {}", m.method, question_word(q)),
                    palette::series(i),
                    Swatch::Line(stroke(q)),
                ));
            }
        }
        let area = legend(&area, &items)?;
        let mut ctx = plot(&area, 0.0..1.0, 0.0..1.0)?;
        let percent = |x: &f64| format!("{:.0}%", x * 100.0);
        Mesh {
            x_desc: "chance claimed",
            y_desc: "right this often",
            x_labels: 11,
            y_labels: 11,
            x_format: &percent,
            y_format: &percent,
            size: 14,
        }
        .draw(&mut ctx)?;
        ctx.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (1.0, 1.0)],
            palette::DRAG.stroke_width(2),
        )))?;
        for (i, m) in methods.iter().enumerate() {
            draw_method(&mut ctx, m, palette::series(i))?;
        }
        Ok(())
    }
}

fn question_word(q: Question) -> &'static str {
    match q {
        Question::When => "when",
        Question::HowMany => "how many",
    }
}

/// "When" in solid lines with circles, "how many" dashed with squares.
fn stroke(q: Question) -> Stroke {
    match q {
        Question::When => Stroke::of(0),
        Question::HowMany => Stroke::of(1),
    }
}

/// One method's points, a line per question through its percentiles.
fn draw_method<DB: DrawingBackend>(
    ctx: &mut Plot2d<'_, DB>,
    m: &MethodBacktest,
    colour: RGBColor,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    for q in Question::ALL {
        let points: Vec<(f64, f64)> = m
            .calibration
            .iter()
            .filter(|c| c.question == q)
            .map(|c| (c.claimed, c.observed))
            .collect();
        line(ctx, &points, colour, 3, stroke(q), (0, 1))?;
    }
    Ok(())
}

/// The plotting area of both charts: their margins and label areas, over `x` and `y`.
fn plot<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
) -> Result<Plot2d<'_, DB>>
where
    DB::ErrorType: 'static,
{
    Ok(ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(40)
        .margin_bottom(6)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x, y)?)
}
