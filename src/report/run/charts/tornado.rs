//! Tornado charts: one bar per input from the baseline to the outcome at the input's low end
//! (one colour) and at its high end (another), widest swing on top; the run's sensitivity
//! chart is one.

use std::path::Path;

use anyhow::Result;

use crate::report::kit::charts::frame::{LegendItem, Swatch};
use crate::report::kit::charts::interval::{IntervalChart, IntervalPanels, IntervalRow};
use crate::report::kit::charts::style::{label_width, palette, tick};
use crate::report::kit::charts::{Plot, SLIDE, save};
use crate::report::run::summary;
use crate::simulate::{Results, SummaryMetric};

/// Inputs shown on the sensitivity tornado.
const TORNADO_ROWS: usize = 12;

/// A tornado of `rows` = (label, low, high) around `baseline`: the outcome when the input is
/// at its low and at its high value. Writes `<stem>.svg` and `<stem>.png`; returns the SVG.
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
                let mut row = IntervalRow::new(label.clone(), palette::INK);
                row.segments = vec![
                    (baseline.min(*low), baseline.max(*low), palette::LOW),
                    (baseline.min(*high), baseline.max(*high), palette::HIGH),
                ];
                row.note = format!("{} … {}", tick(*low), tick(*high));
                row
            })
            .collect(),
        reference: Some((baseline, format!(" baseline {}", tick(baseline)))),
        x_range: Some(swing_range(rows, baseline)),
        x_ticks: None,
        label_width: label_width(sorted.iter().map(|r| r.0.as_str())),
        note_width: 180,
    };
    let figure = IntervalPanels {
        title: title.to_string(),
        legend: vec![
            LegendItem::new("input in its lowest tenth", palette::LOW, Swatch::Fill),
            LegendItem::new("input in its highest tenth", palette::HIGH, Swatch::Fill),
            LegendItem::new("right: low … high", palette::GRID, Swatch::Fill),
        ],
        panels: vec![chart],
        footnote: String::new(),
    };
    let height = (160 + 30 * rows.len() as u32).max(SLIDE.1);
    save(stem, (SLIDE.0, height), &figure)
}

/// The swings, not zero: they are often small next to the baseline.
fn swing_range(rows: &[(String, f64, f64)], baseline: f64) -> (f64, f64) {
    let (lo, hi) = rows
        .iter()
        .flat_map(|r| [r.1, r.2])
        .chain([baseline])
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let pad = ((hi - lo) * 0.1).max(hi.abs().max(1.0) * 1e-3);
    (lo - pad, hi + pad)
}

/// The sensitivity tornado of the best strategy's blended score: the inputs with the
/// strongest rank correlation, each bar spanning the mean score where the input was in its
/// lowest and its highest tenth.
pub fn sensitivity(
    folder: &Path,
    results: &Results,
    analyses: &[crate::whatif::sensitivity::Sensitivity],
) -> Result<Option<Plot>> {
    let best = summary::best(results);
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
             across trials: each bar runs from the baseline (the mean score) to the mean score \
             in the trials where the input was in its lowest tenth (orange) and in its highest \
             tenth (blue)."
        ),
        svg,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tornado_is_written_as_svg_and_png_with_both_ends_in_the_legend() {
        let dir = std::env::temp_dir().join(format!("fulcrum-tornado-{}", std::process::id()));
        let stem = dir.join("tornado");
        let rows = vec![
            ("engineers".to_string(), 0.55, 0.71),
            ("debt interest".to_string(), 0.66, 0.60),
            ("incident cost".to_string(), 0.62, 0.64),
        ];
        let svg = tornado(&stem, "Sensitivity", "blended score", 0.63, &rows).unwrap();
        assert!(svg.contains("engineers") && svg.contains("Sensitivity"));
        assert!(svg.contains("lowest tenth") && svg.contains("highest tenth"));
        let png = std::fs::read(dir.join("tornado.png")).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
