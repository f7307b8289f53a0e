//! The preamble every figure shares: a title at the top, then a legend strip that wraps to
//! as many rows as it needs, so legends never cover data; and the [`Heading`]s of figures,
//! small multiples and panels.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{Shape, Stroke, bold, text};

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Swatch {
    /// A filled square (stacks, bars).
    Fill,
    /// A line over a light band (fan charts).
    Band,
    /// A line in a series' dash pattern with its marker.
    Line(Stroke),
    /// A dot (markers).
    Dot,
    /// A short vertical tick (deadlines, reference lines).
    Tick,
}

/// One legend entry.
#[derive(Clone, Debug)]
pub struct LegendItem {
    /// The entry's text.
    pub label: String,
    /// The swatch's colour.
    pub colour: RGBColor,
    /// How the swatch is drawn.
    pub swatch: Swatch,
}

impl LegendItem {
    /// An entry.
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

/// A heading drawn in bold at the top of an area, in a strip of its own.
#[derive(Clone, Copy, Debug)]
pub struct Heading {
    /// Bold text size, pixels.
    pub size: u32,
    /// Centred over the area, else from the left.
    pub centred: bool,
    /// Where the text's top (and, unless centred, its left) is, pixels into the area.
    pub at: (i32, i32),
    /// Height of the strip the heading takes, pixels.
    pub height: u32,
}

impl Heading {
    /// A figure's title.
    pub const FIGURE: Heading = Heading {
        size: 26,
        centred: false,
        at: (24, 14),
        height: 52,
    };

    /// A small multiple's name, centred over its panel.
    pub const PANEL: Heading = Heading {
        size: 16,
        centred: true,
        at: (0, 2),
        height: 22,
    };

    /// Draws `text` at the top of `area` and returns the area below the strip.
    pub fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        text: &str,
    ) -> Result<DrawingArea<DB, Shift>>
    where
        DB::ErrorType: 'static,
    {
        let (x, anchor) = if self.centred {
            ((area.dim_in_pixel().0 / 2) as i32, HPos::Center)
        } else {
            (self.at.0, HPos::Left)
        };
        let style = bold(self.size).pos(Pos::new(anchor, VPos::Top));
        area.draw_text(text, &style, (x, self.at.1))?;
        Ok(area.split_vertically(self.height).1)
    }
}

/// Draws `title` at the top of `area` as a figure's title and returns the rest.
pub fn titled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>>
where
    DB::ErrorType: 'static,
{
    Heading::FIGURE.draw(area, title)
}

/// The title, then the legend: the area left for the plot.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    items: &[LegendItem],
) -> Result<DrawingArea<DB, Shift>>
where
    DB::ErrorType: 'static,
{
    legend(&titled(root, title)?, items)
}

/// Draws `items` left to right in a strip at the top of `area`, wrapping to more rows as
/// needed, and returns the area below it.
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
        let swatch = if matches!(item.swatch, Swatch::Line(_)) {
            40
        } else {
            20
        };
        let needed = swatch + 10 + w as i32 + 24;
        if x + needed > width as i32 && x > 24 {
            x = 24;
            y += LEGEND_ROW;
        }
        draw_swatch(area, item, (x, y))?;
        area.draw_text(&item.label, &style, (x + swatch + 8, y))?;
        x += needed;
    }
    Ok(area.split_vertically(y + LEGEND_ROW / 2 + 6).1)
}

/// How many legend rows `items` take at `width` pixels (for sizing figures in advance; 16 px
/// text at about 9 px per character).
pub fn legend_rows(items: &[LegendItem], width: u32) -> u32 {
    let (mut x, mut rows) = (24u32, 1u32);
    for item in items {
        let needed = 30 + 9 * item.label.chars().count() as u32 + 24;
        if x + needed > width && x > 24 {
            x = 24;
            rows += 1;
        }
        x += needed;
    }
    rows
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    item: &LegendItem,
    (x, y): (i32, i32),
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let c = item.colour;
    match item.swatch {
        Swatch::Fill => area.draw(&Rectangle::new([(x, y - 7), (x + 20, y + 7)], c.filled()))?,
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
        Swatch::Line(stroke) => {
            let pieces: Vec<(i32, i32)> = match stroke.dash {
                None => vec![(0, 40)],
                Some((dash, gap)) => {
                    let (dash, step) = (dash.min(16) as i32, (dash + gap).min(24) as i32);
                    (0..40)
                        .step_by(step as usize)
                        .map(|a| (a, (a + dash).min(40)))
                        .collect()
                }
            };
            for (a, b) in pieces {
                area.draw(&PathElement::new(
                    vec![(x + a, y), (x + b, y)],
                    c.stroke_width(3),
                ))?;
            }
            swatch_marker(area, stroke.shape, c, (x + 20, y))?;
        }
        Swatch::Dot => area.draw(&Circle::new((x + 10, y), 6, c.filled()))?,
        Swatch::Tick => area.draw(&PathElement::new(
            vec![(x + 10, y - 9), (x + 10, y + 9)],
            c.stroke_width(3),
        ))?,
    }
    Ok(())
}

fn swatch_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    shape: Shape,
    c: RGBColor,
    (x, y): (i32, i32),
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let r = 5;
    match shape {
        Shape::Circle => area.draw(&Circle::new((x, y), r, c.filled()))?,
        Shape::Ring => {
            area.draw(&Circle::new((x, y), r, WHITE.filled()))?;
            area.draw(&Circle::new((x, y), r, c.stroke_width(2)))?;
        }
        Shape::Square => area.draw(&Rectangle::new(
            [(x - r, y - r), (x + r, y + r)],
            c.filled(),
        ))?,
        Shape::Triangle => area.draw(&Polygon::new(
            vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)],
            c.filled(),
        ))?,
        Shape::Cross => {
            area.draw(&PathElement::new(
                vec![(x - r, y - r), (x + r, y + r)],
                c.stroke_width(3),
            ))?;
            area.draw(&PathElement::new(
                vec![(x - r, y + r), (x + r, y - r)],
                c.stroke_width(3),
            ))?;
        }
    }
    Ok(())
}
