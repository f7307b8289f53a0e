//! The charts of every run: debt and value over periods (fan charts, the best strategy's
//! bands), where capacity goes (stacked small multiples) and the strategy comparison (here);
//! initiative finish ranges ([`initiatives`]), the optimised plan ([`plan`]) and the
//! sensitivity tornado ([`tornado`](mod@tornado)). Drawn with the kit's chart blocks.

use std::path::Path;

use anyhow::Result;

use crate::model::Scenario;
use crate::pipeline::StrategyPlan;
use crate::report::kit::charts::axis::PeriodAxis;
use crate::report::kit::charts::fan::{FanChart, FanSeries};
use crate::report::kit::charts::frame::{LegendItem, Swatch};
use crate::report::kit::charts::interval::{IntervalChart, IntervalPanels, IntervalRow};
use crate::report::kit::charts::stacked::{StackPanel, StackStyle, StackedPanels};
use crate::report::kit::charts::style::{label_width, palette};
use crate::report::kit::charts::{Plot, SLIDE};
use crate::report::run::summary;
use crate::simulate::{PeriodMetric, Results, SummaryMetric};

pub mod initiatives;
pub mod plan;
pub mod tornado;

pub use tornado::{sensitivity, tornado};

/// Each strategy's P10 … P90 of a per-period metric.
pub fn fan_series(results: &Results, metric: usize) -> Vec<FanSeries> {
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

/// Strategy `s`'s mean of a per-period metric, per period.
pub fn mean_of(results: &Results, s: usize, metric: PeriodMetric) -> Vec<f64> {
    (1..=results.periods())
        .map(|t| results.period(s, t, metric as usize).mean)
        .collect()
}

/// A fan of `metric` per period for every strategy, the best's bands drawn.
fn metric_fan(
    results: &Results,
    metric: PeriodMetric,
    (title, y_label): (&str, &str),
    axis: &PeriodAxis,
) -> FanChart {
    FanChart {
        title: title.into(),
        y_label: y_label.into(),
        axis: axis.clone(),
        series: fan_series(results, metric as usize),
        highlight: Some(summary::best(results)),
        y_range: None,
        references: Vec::new(),
        key: None,
    }
}

/// `plots/debt`: debt outstanding per period.
pub fn debt(folder: &Path, results: &Results, axis: &PeriodAxis) -> Result<Plot> {
    let labels = (
        "Technical debt outstanding, all teams",
        "debt (engineer-days)",
    );
    let chart = metric_fan(results, PeriodMetric::Debt, labels, axis);
    let caption = format!(
        "Debt at the end of each period: each strategy's median trial as a line, and the \
         bands of {} (best mean blended score): the middle half of trials and 80% of trials.",
        results.strategies[summary::best(results)]
    );
    Plot::draw(folder, "plots/debt", &chart.title, caption, SLIDE, &chart)
}

/// `plots/value`: the blended score if judged at each period.
pub fn value(
    folder: &Path,
    scenario: &Scenario,
    results: &Results,
    axis: &PeriodAxis,
) -> Result<Plot> {
    let labels = (
        "Blended OKR score if judged at the end of each period",
        "blended score (0–1)",
    );
    let chart = FanChart {
        y_range: Some((0.0, 1.0)),
        ..metric_fan(results, PeriodMetric::BlendedScore, labels, axis)
    };
    let best = summary::best(results);
    let caption = format!(
        "How value accumulates: the blended score ({:.0}% product, {:.0}% technology key \
         results) each strategy would earn if judged at that period; median lines, and the \
         P25–P75 and P10–P90 bands of {}.",
        scenario.blend * 100.0,
        (1.0 - scenario.blend) * 100.0,
        results.strategies[best]
    );
    Plot::draw(folder, "plots/value", &chart.title, caption, SLIDE, &chart)
}

/// The layers of the capacity stack, bottom first.
pub fn capacity_layers() -> Vec<(String, plotters::style::RGBColor)> {
    vec![
        ("product".into(), palette::PRODUCT),
        ("tech".into(), palette::TECH),
        ("debt paydown".into(), palette::PAYDOWN),
        ("incidents & risks".into(), palette::UNPLANNED),
        ("idle".into(), palette::IDLE),
        ("lost to drag".into(), palette::DRAG),
    ]
}

/// Strategy `s`'s mean days per period in [`capacity_layers`] order (the first `layers`).
pub fn capacity_of(results: &Results, s: usize, layers: usize) -> Vec<Vec<f64>> {
    let m = |metric| mean_of(results, s, metric);
    let sum = |a: Vec<f64>, b: Vec<f64>| a.iter().zip(b).map(|(x, y)| x + y).collect();
    let drag: Vec<f64> = m(PeriodMetric::NominalCapacity)
        .iter()
        .zip(m(PeriodMetric::EffectiveCapacity))
        .map(|(k, c)| (k - c).max(0.0))
        .collect();
    let mut all = vec![
        m(PeriodMetric::ProductDays),
        m(PeriodMetric::TechDays),
        m(PeriodMetric::PaydownDays),
        sum(m(PeriodMetric::IncidentDays), m(PeriodMetric::RiskDays)),
        m(PeriodMetric::IdleDays),
        drag,
    ];
    all.truncate(layers);
    all
}

/// `plots/capacity`: where capacity goes, one panel per strategy.
pub fn capacity(folder: &Path, results: &Results, axis: &PeriodAxis) -> Result<Plot> {
    let layers = capacity_layers();
    let chart = StackedPanels {
        title: "Where capacity goes (mean engineer-days per period)".into(),
        y_label: "engineer-days".into(),
        axis: axis.clone(),
        line: None,
        panels: results
            .strategies
            .iter()
            .enumerate()
            .map(|(s, name)| StackPanel {
                name: name.clone(),
                layers: capacity_of(results, s, layers.len()),
                line: Vec::new(),
            })
            .collect(),
        layers,
        style: StackStyle::Area,
    };
    let caption = "Mean engineer-days per period spent on product work, tech work, debt \
                   paydown and unplanned work, left idle, or lost to debt drag; the stack's \
                   height is nominal capacity."
        .to_string();
    Plot::draw(
        folder,
        "plots/capacity",
        &chart.title,
        caption,
        SLIDE,
        &chart,
    )
}

/// One panel of the comparison: each strategy's mean, P25–P75 and P10–P90 of `metric`.
fn spread_panel(
    results: &Results,
    metric: SummaryMetric,
    (title, x_label): (&str, &str),
    x_range: Option<(f64, f64)>,
) -> IntervalChart {
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
        x_range,
        x_ticks: None,
        label_width: label_width(results.strategies.iter().map(String::as_str)).min(200),
        note_width: 0,
    }
}

/// The comparison's right panel: each strategy's paired difference from the first.
fn paired_panel(results: &Results) -> IntervalChart {
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
    IntervalChart {
        title: format!("Blended score minus {}'s", results.strategies[0]),
        x_label: "paired difference (95% CI)".into(),
        rows,
        reference: Some((0.0, String::new())),
        x_range: None,
        x_ticks: None,
        label_width: label_width(results.strategies.iter().map(String::as_str)).min(200),
        note_width: 0,
    }
}

/// `plots/comparison`: blended score and final debt per strategy, and paired differences.
pub fn comparison(folder: &Path, results: &Results) -> Result<Plot> {
    let mut panels = vec![
        spread_panel(
            results,
            SummaryMetric::BlendedScore,
            ("Blended score", "blended score (0–1)"),
            Some((0.0, 1.0)),
        ),
        spread_panel(
            results,
            SummaryMetric::FinalDebt,
            ("Debt at the horizon", "debt (engineer-days)"),
            None,
        ),
    ];
    if results.strategies.len() > 1 {
        panels.push(paired_panel(results));
    }
    let figure = IntervalPanels {
        title: "Strategy comparison".into(),
        legend: vec![LegendItem::new(
            "dot: mean; bar: P25–P75; whisker: P10–P90",
            palette::GRID,
            Swatch::Fill,
        )],
        panels,
        footnote: String::new(),
    };
    let caption = "Blended score and final debt of each strategy: the dot is the mean, the bar \
                   the middle half of trials, the whisker 80% of trials; with several \
                   strategies, the right panel shows each one's paired difference from the \
                   first, with its 95% confidence interval."
        .to_string();
    Plot::draw(
        folder,
        "plots/comparison",
        &figure.title,
        caption,
        SLIDE,
        &figure,
    )
}

/// Draws every chart of a run (but the tornado, [`sensitivity`]) into `<folder>/plots/` and
/// returns them in report order.
pub fn write_all(
    folder: &Path,
    scenario: &Scenario,
    results: &Results,
    allocations: &[StrategyPlan],
) -> Result<Vec<Plot>> {
    let axis = PeriodAxis::of(scenario);
    let mut plots = Vec::new();
    if results.periods() > 0 {
        plots.push(debt(folder, results, &axis)?);
        plots.push(value(folder, scenario, results, &axis)?);
        plots.push(capacity(folder, results, &axis)?);
    }
    if !scenario.initiatives.is_empty() {
        plots.push(initiatives::finish_ranges(
            folder, scenario, results, &axis,
        )?);
    }
    plots.push(comparison(folder, results)?);
    plots.extend(plan::charts(folder, scenario, results, allocations, &axis)?);
    Ok(plots)
}
