//! The charts of a calibration, drawn from the shared chart kit: prior against posterior per
//! parameter (interval rows on the prior's own scale) and the posterior predictive check (the
//! observed series against the fan simulated from the posterior).

use std::path::Path;

use anyhow::Result;

use crate::report::kit::charts::{
    FanChart, FanSeries, IntervalChart, IntervalPanels, IntervalRow, LegendItem, Marker,
    PeriodAxis, Plot, SLIDE, Swatch, palette,
};
use crate::whatif::calibrate::Calibration;
use crate::whatif::calibrate::check::Narrowing;

use super::summary::short;

/// The posterior's colour; the prior is drawn in grey ink.
const POSTERIOR: plotters::style::RGBColor = palette::PRODUCT;
/// The observed series' colour.
const OBSERVED: plotters::style::RGBColor = palette::UNPLANNED;

/// Every chart of one team: its parameters, then its predictive check of throughput and of
/// keep-the-lights-on work, over `axis`. `index`: the team's position when several teams
/// share the folder, so that their stems differ.
pub(super) fn team_charts(
    folder: &Path,
    fit: &Calibration,
    axis: &PeriodAxis,
    index: Option<usize>,
) -> Result<Vec<Plot>> {
    let stem = |name: &str| match index {
        Some(k) => format!("plots/team-{}-{name}", k + 1),
        None => format!("plots/{name}"),
    };
    Ok(vec![
        parameters(folder, &stem("parameters"), fit)?,
        predictive(
            folder,
            &stem("check-throughput"),
            fit,
            axis,
            Observed::Throughput,
        )?,
        predictive(folder, &stem("check-ktlo"), fit, axis, Observed::Ktlo)?,
    ])
}

/// Where `x` lies on the prior's 90% interval: 0 at its 5th percentile, 1 at its 95th.
fn on_prior(n: &Narrowing, x: f64) -> f64 {
    let width = n.prior[2] - n.prior[0];
    match width > 0.0 {
        true => (x - n.prior[0]) / width,
        false => 0.5,
    }
}

/// Prior against posterior per parameter, each on its prior's 90% interval so that eleven
/// parameters of different units share one axis; the numbers are in the notes.
fn parameters(folder: &Path, stem: &str, fit: &Calibration) -> Result<Plot> {
    let rows: Vec<IntervalRow> = fit
        .parameters
        .iter()
        .chain(&fit.drag)
        .map(|n| {
            let at = |x: f64| on_prior(n, x);
            let grey = |at: f64, swatch: Swatch| Marker {
                at,
                colour: palette::INK,
                swatch,
                offset: 0.0,
            };
            IntervalRow {
                inner: Some((at(n.posterior[0]), at(n.posterior[2]))),
                point: Some(at(n.posterior[1])),
                markers: vec![
                    grey(0.0, Swatch::Tick),
                    grey(1.0, Swatch::Tick),
                    grey(at(n.prior[1]), Swatch::Dot),
                ],
                note: format!(
                    "{} – {}  ({:.0}% of prior)",
                    short(n.posterior[0]),
                    short(n.posterior[2]),
                    100.0 * n.ratio
                ),
                ..IntervalRow::new(&n.parameter, POSTERIOR)
            }
        })
        .collect();
    let low = rows
        .iter()
        .filter_map(|r| r.inner.map(|i| i.0))
        .fold(-0.05f64, f64::min)
        .max(-1.0);
    let high = rows
        .iter()
        .filter_map(|r| r.inner.map(|i| i.1))
        .fold(1.05f64, f64::max)
        .min(2.0);
    let figure = IntervalPanels {
        title: format!("{}: what the history says about each parameter", fit.team),
        legend: vec![
            LegendItem::new("posterior 90% and median", POSTERIOR, Swatch::Fill),
            LegendItem::new("prior 5th and 95th percentiles", palette::INK, Swatch::Tick),
            LegendItem::new("prior median", palette::INK, Swatch::Dot),
        ],
        panels: vec![IntervalChart {
            title: String::new(),
            x_label: "position on the prior's 90% interval (0: its 5th percentile, 1: its 95th)"
                .into(),
            rows,
            reference: None,
            x_range: Some((low - 0.05, high + 0.05)),
            x_ticks: None,
            label_width: 190,
            note_width: 300,
        }],
        footnote: "Right: the posterior's 90% interval in the parameter's own units, and its \
                   width as a share of the prior's."
            .into(),
    };
    let caption = "Each row is one parameter: the grey ticks mark its prior's 90% interval \
                   and the grey dot its prior median; the blue bar is the posterior's 90% \
                   interval and the ring its median. A bar as wide as the ticks' span means \
                   the history said little about that parameter; a short bar means it pinned \
                   it. The last two rows are the share of capacity lost to debt at the start \
                   and at the end of the history."
        .to_string();
    Plot::draw(folder, stem, &figure.title, caption, SLIDE, &figure)
}

/// Which observed series a predictive check shows.
#[derive(Clone, Copy)]
enum Observed {
    /// Product + tech + keep-the-lights-on work per period.
    Throughput,
    /// Keep-the-lights-on work per period.
    Ktlo,
}

/// The observed series against the 50% and 90% bands of histories simulated from the
/// posterior, each replaying the history's own split.
fn predictive(
    folder: &Path,
    stem: &str,
    fit: &Calibration,
    axis: &PeriodAxis,
    which: Observed,
) -> Result<Plot> {
    let (band, observed, what) = match which {
        Observed::Throughput => (
            &fit.check.total_band,
            fit.observed.total(),
            "throughput (product + tech + keep-the-lights-on)",
        ),
        Observed::Ktlo => (
            &fit.check.ktlo_band,
            fit.observed.ktlo.clone(),
            "keep-the-lights-on work",
        ),
    };
    let column = |k: usize| band.iter().map(|b| b[k]).collect::<Vec<f64>>();
    let simulated = FanSeries {
        name: "simulated from the posterior".into(),
        colour: POSTERIOR,
        p10: column(0),
        p25: column(1),
        p50: column(2),
        p75: column(3),
        p90: column(4),
    };
    let coverage = match which {
        Observed::Throughput => fit.check.total_coverage,
        Observed::Ktlo => fit.check.ktlo_coverage,
    };
    let figure = FanChart {
        title: format!("{}: predictive check of {what}", fit.team),
        y_label: "work finished per period".into(),
        axis: axis.clone(),
        series: vec![simulated, FanSeries::exact("observed", OBSERVED, observed)],
        highlight: Some(0),
        y_range: None,
        references: Vec::new(),
        key: Some("line: simulated median; bands: P25–P75 and P5–P95".into()),
    };
    let caption = format!(
        "The team's observed {what} per period (orange) against the histories simulated from \
         the posterior, each replaying the history's own tech share: {:.0}% of the observed \
         periods lie inside the 90% band, about 90% when the model reproduces the data.",
        100.0 * coverage
    );
    Plot::draw(folder, stem, &figure.title, caption, SLIDE, &figure)
}
