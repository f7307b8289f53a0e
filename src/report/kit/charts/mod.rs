//! The chart kit every command's charts are drawn with, each written as SVG and PNG at slide
//! size ([`save`], [`Plot`]).
//!
//! The house style ([`style`]: fonts, palette, strokes, the mesh), the headings and the
//! title-and-legend preamble ([`frame`](mod@frame)), the period axis ([`axis`]), and the three
//! chart shapes several commands draw ([`fan`], [`interval`], [`stacked`]). Each command's
//! own charts live in its folder (`run/charts/`, `sweep/frontier.rs`, `forecast/chart.rs`,
//! `backtest/chart.rs`, `import/charts.rs`, `calibrate/charts.rs`).
//!
//! Output bytes depend only on the inputs: no timestamps, no hash-map order, fonts embedded.

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

pub mod axis;
pub mod fan;
pub mod frame;
pub mod interval;
pub mod stacked;
pub mod style;

pub use axis::PeriodAxis;
pub use fan::{FanChart, FanSeries, fan_chart};
pub use frame::{LegendItem, Swatch, frame, legend, titled};
pub use interval::{IntervalChart, IntervalPanels, IntervalRow, Marker, interval_chart};
pub use stacked::{StackPanel, StackStyle, StackedPanels};
pub use style::{Mesh, Shape, Stroke, bold, label_width, padded_range, palette, text, tick};

/// Slide size: every chart reads on a 1280×720 slide.
pub const SLIDE: (u32, u32) = (1280, 720);

/// Something that can be drawn on any plotters backend (so once as SVG and once as PNG, on
/// two threads at once).
pub trait Figure: Sync {
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
        plotters::style::register_font(style::FONT, FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| ())
            .expect("DejaVu Sans is a valid font");
        plotters::style::register_font(style::FONT, FontStyle::Bold, dejavu::sans::bold())
            .map_err(|_| ())
            .expect("DejaVu Sans Bold is a valid font");
    });
}

/// Draws `figure` into `<stem>.svg` and `<stem>.png` (creating the folder) at `size` pixels
/// and returns the SVG text, e.g. for inlining into the HTML report. The two are drawn side by
/// side on the ambient rayon pool: rasterising and encoding the PNG is most of a chart's time.
pub fn save(stem: &Path, size: (u32, u32), figure: &impl Figure) -> Result<String> {
    register_fonts();
    if let Some(parent) = stem.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let (svg, png) = rayon::join(
        || -> Result<String> {
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
            Ok(svg)
        },
        || -> Result<()> {
            let png_path = with_extension(stem, "png");
            let root = BitMapBackend::new(&png_path, size).into_drawing_area();
            root.fill(&WHITE)?;
            figure.draw(&root)?;
            root.present()
                .with_context(|| format!("cannot write {}", png_path.display()))?;
            Ok(())
        },
    );
    png?;
    svg
}

fn with_extension(stem: &Path, extension: &str) -> PathBuf {
    let mut name = stem.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

/// One chart, as written.
#[derive(Clone, Debug)]
pub struct Plot {
    /// File stem inside the output folder, e.g. `plots/debt`.
    pub stem: String,
    /// The chart's title.
    pub title: String,
    /// One sentence on what the chart shows.
    pub caption: String,
    /// The SVG text, for inlining.
    pub svg: String,
}

impl Plot {
    /// Draws `figure` at `<folder>/<stem>` in `size` and describes it.
    pub fn draw(
        folder: &Path,
        stem: &str,
        title: &str,
        caption: String,
        size: (u32, u32),
        figure: &impl Figure,
    ) -> Result<Plot> {
        Ok(Plot {
            stem: stem.to_string(),
            title: title.to_string(),
            caption,
            svg: save(&folder.join(stem), size, figure)?,
        })
    }
}
