//! When each initiative finishes under the best strategy: bars clipped to the horizon (an
//! arrowhead where they go on past it), deadlines as ticks and the other strategies' medians
//! as dots, offset per strategy so they never cover each other.
//!
//! Ongoing work is not given a row: an initiative whose smallest possible effort exceeds its
//! team's whole capacity over the horizon (every engineer, hires included, at full
//! availability; a capacity team at its largest draw every period) and that no trial finished
//! under any strategy — the "more roadmap than capacity" initiatives that soak up what is
//! left. The footnote names them.

use std::path::Path;

use anyhow::Result;

use crate::model::{Kind, Scenario, Workforce};
use crate::report::kit::charts::axis::PeriodAxis;
use crate::report::kit::charts::frame::{LegendItem, Swatch, legend_rows};
use crate::report::kit::charts::interval::{IntervalChart, IntervalPanels, IntervalRow, Marker};
use crate::report::kit::charts::style::{label_width, palette};
use crate::report::kit::charts::{Plot, SLIDE};
use crate::report::run::summary;
use crate::simulate::Results;

/// The most work team `j` could do over the horizon (infinite when unbounded).
pub fn horizon_capacity(scenario: &Scenario, j: usize) -> f64 {
    let periods = scenario.periods as f64;
    match &scenario.teams[j].workforce {
        Workforce::Engineers(staff) => {
            let hired: f64 = staff.hires.iter().map(|h| h.engineers.max(0.0)).sum();
            (staff.engineers + hired) * staff.days_per_engineer * periods
        }
        Workforce::Capacity(d) => d.upper_bound() * periods,
        Workforce::Throughput(t) => t.sampled().iter().copied().fold(0.0, f64::max) * periods,
    }
}

/// Whether initiative `i` is ongoing work (see the module docs): it takes no row.
pub fn is_ongoing(scenario: &Scenario, results: &Results, i: usize) -> bool {
    let initiative = &scenario.initiatives[i];
    let never_done =
        (0..results.strategies.len()).all(|s| results.initiative(s, i, None).p_done == 0.0);
    never_done && initiative.effort.lower_bound() > horizon_capacity(scenario, initiative.team)
}

/// The row of initiative `i`: the best strategy's P50–P85 bar and P95 whisker, clipped at
/// `beyond` (just past the horizon), the others' P50 dots and the deadline.
fn row(scenario: &Scenario, results: &Results, best: usize, i: usize, beyond: f64) -> IntervalRow {
    let initiative = &scenario.initiatives[i];
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
            (p50 - 0.15, (p85 + 0.15).min(beyond))
        } else {
            (p50, p85)
        });
        row.outer = Some((p50, at(st.finish[2])));
    }
    row.beyond = st.finish[2].is_none();
    let others: Vec<usize> = (0..results.strategies.len())
        .filter(|&s| s != best)
        .collect();
    for (k, &s) in others.iter().enumerate() {
        if let Some(t) = results.initiative(s, i, None).finish[0] {
            row.markers.push(Marker {
                at: t as f64,
                colour: palette::series(s),
                swatch: Swatch::Dot,
                offset: spread(k, others.len()),
            });
        }
    }
    if let Some(d) = initiative.deadline {
        row.markers.push(Marker {
            at: d as f64,
            colour: palette::INK,
            swatch: Swatch::Tick,
            offset: 0.0,
        });
    }
    row.note = match (st.finish[0], st.p_by_deadline) {
        (None, _) => format!("P50 after horizon ({:.0}% done)", st.p_done * 100.0),
        (_, Some(p)) => format!("{:.0}% by deadline", p * 100.0),
        (_, None) => format!("{:.0}% done", st.p_done * 100.0),
    };
    row
}

/// Offsets for `n` dots in a row, spread over ±0.36 of its height (the row's band is ±0.5,
/// and a dot's radius is a little under 0.1 of it: see [`row_height`]).
fn spread(k: usize, n: usize) -> f64 {
    if n <= 1 {
        0.0
    } else {
        -0.36 + 0.72 * k as f64 / (n - 1) as f64
    }
}

/// Pixels per initiative row: room for the bar and, above and below it, one lane of dots per
/// other strategy, so that every dot sits inside its own row's band.
fn row_height(others: usize) -> u32 {
    28.max(12 + 10 * others as u32)
}

fn legend(results: &Results, best: usize) -> Vec<LegendItem> {
    let mut items = vec![
        LegendItem::new(
            format!("{}: product P50–P85", results.strategies[best]),
            palette::PRODUCT,
            Swatch::Fill,
        ),
        LegendItem::new("tech P50–P85", palette::TECH, Swatch::Fill),
        LegendItem::new(
            "whisker: P95; ▶ beyond the horizon",
            palette::GRID,
            Swatch::Fill,
        ),
        LegendItem::new("deadline", palette::INK, Swatch::Tick),
    ];
    for (s, name) in results.strategies.iter().enumerate() {
        if s != best {
            items.push(LegendItem::new(
                format!("{name} P50"),
                palette::series(s),
                Swatch::Dot,
            ));
        }
    }
    items
}

/// `plots/initiatives`: the finish-range chart.
pub fn finish_ranges(
    folder: &Path,
    scenario: &Scenario,
    results: &Results,
    axis: &PeriodAxis,
) -> Result<Plot> {
    let best = summary::best(results);
    let beyond = scenario.periods as f64 + 0.5;
    let (ongoing, shown): (Vec<usize>, Vec<usize>) =
        (0..scenario.initiatives.len()).partition(|&i| is_ongoing(scenario, results, i));
    let rows: Vec<IntervalRow> = shown
        .iter()
        .map(|&i| row(scenario, results, best, i, beyond))
        .collect();
    let footnote = if ongoing.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = ongoing
            .iter()
            .map(|&i| scenario.initiatives[i].id.as_str())
            .collect();
        format!(
            "Not shown: ongoing work larger than its team's capacity over the horizon ({}).",
            names.join(", ")
        )
    };
    let legend = legend(results, best);
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
    let others = results.strategies.len().saturating_sub(1);
    let height = 52
        + legend_rows(&legend, SLIDE.0) * 26
        + 6
        + 60
        + 30
        + row_height(others) * shown.len() as u32;
    let figure = IntervalPanels {
        title: format!(
            "Initiative finish ranges under {} (best mean blended score)",
            results.strategies[best]
        ),
        legend,
        panels: vec![chart],
        footnote,
    };
    let caption = format!(
        "When each initiative finishes under {}: the bar spans the P50 to P85 finish period, \
         the whisker reaches P95 (an arrowhead: beyond the horizon), black ticks are \
         deadlines and dots are the other strategies' P50; the right column gives the chance \
         of meeting the deadline. Ongoing work larger than its team's capacity over the \
         horizon, which never finishes by design, has no row.",
        results.strategies[best]
    );
    let size = (SLIDE.0, height.max(SLIDE.1));
    Plot::draw(
        folder,
        "plots/initiatives",
        &figure.title,
        caption,
        size,
        &figure,
    )
}
