//! Outputs of `fulcrum forecast`: `forecast.csv` (per period: P(done by it) and the
//! distribution of items done), a finish-period histogram with its cumulative curve (SVG and
//! PNG), `forecast.json` (what was run) and the terminal summary.

use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::model::Distribution;
use crate::simulate::forecast::{Forecast, ForecastResults, ItemsDone};
use crate::simulate::stats::QUANTILES;

use super::tables::num;
use super::{Destination, OutputDir};

/// The finish percentiles the terminal and the plot report.
pub const PERCENTILES: [(&str, f64); 4] =
    [("P50", 0.5), ("P70", 0.7), ("P85", 0.85), ("P95", 0.95)];

/// `P85` for 0.85, `P97.5` for 0.975.
pub fn percentile_name(q: f64) -> String {
    format!("P{}", num(q * 100.0))
}

/// The forecast's percentiles with their names.
pub fn percentiles(forecast: &Forecast) -> Vec<(String, f64)> {
    forecast
        .percentiles
        .iter()
        .map(|&q| (percentile_name(q), q))
        .collect()
}

/// `forecast.csv`: period, date, p_done_by, items_done_mean, items_done_p5 … items_done_p95.
pub fn table(forecast: &Forecast, results: &ForecastResults) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "period".to_string(),
        "date".into(),
        "p_done_by".into(),
        "items_done_mean".into(),
    ];
    header.extend(
        QUANTILES
            .iter()
            .map(|(name, _)| format!("items_done_{name}")),
    );
    header.extend(
        forecast
            .percentiles
            .iter()
            .map(|&q| format!("items_at_least_{}", num(q * 100.0))),
    );
    w.write_record(&header)?;
    for row in &results.rows {
        let mut record = vec![
            row.period.to_string(),
            date(forecast, row.period),
            num(row.p_done_by),
            num(row.items.mean),
        ];
        record.extend(row.items.quantiles.iter().map(|&q| num(q)));
        record.extend(row.items.at_least.iter().map(|&q| num(q)));
        w.write_record(&record)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

fn date(forecast: &Forecast, period: usize) -> String {
    forecast
        .scenario
        .period_end_date(period)
        .map_or_else(String::new, |d| d.to_string())
}

/// What `forecast.json` records besides the results.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ForecastInfo {
    pub fulcrum_version: String,
    /// The command line's source: `history`, `history-csv FILE` or `scenario FILE`.
    pub source: String,
    pub history: Vec<f64>,
    pub backlog: String,
    pub horizon: Option<usize>,
    pub cap: usize,
    pub period: String,
    pub start: Option<String>,
    pub seed: u64,
    pub trials: u64,
    pub threads: usize,
    pub seconds: f64,
    pub percentiles: Vec<(String, Option<usize>)>,
    pub not_done_within_cap: u64,
    /// At the horizon: for each percentile p, at least how many items are done with
    /// probability p.
    pub items_at_least_by_horizon: Vec<(String, f64)>,
    /// Working days: weekends off (periods of days only) and the holidays.
    pub weekends_off: bool,
    pub holidays: Vec<String>,
    /// The shard folders merged into these results (`fulcrum merge`; none for one run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<String>,
}

/// Writes `forecast.csv`, `forecast.svg`, `forecast.png` and `forecast.json` into `target`,
/// all at once or not at all.
pub fn write(
    target: &Destination,
    forecast: &Forecast,
    results: &ForecastResults,
    info: &ForecastInfo,
) -> Result<()> {
    super::plots::register_fonts();
    let dir = OutputDir::create(target, "forecast")?;
    dir.write("forecast.csv", &table(forecast, results)?)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw(&root, forecast, results)?;
        root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    dir.write("forecast.svg", svg.as_bytes())?;
    let png = dir.staged("forecast.png");
    {
        let root = BitMapBackend::new(&png, SIZE).into_drawing_area();
        draw(&root, forecast, results)?;
        root.present()
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("cannot write {}", png.display()))?;
    }
    let mut json = serde_json::to_vec_pretty(info)?;
    json.push(b'\n');
    dir.write("forecast.json", &json)?;
    dir.commit()
}

const SIZE: (u32, u32) = (900, 900);
const BARS: RGBColor = RGBColor(90, 130, 190);
const CURVE: RGBColor = RGBColor(200, 80, 40);

/// Two panels: the probability of finishing in each period (bars, percentiles marked), and
/// the probability of being done by each period (the cumulative curve).
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    forecast: &Forecast,
    results: &ForecastResults,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let fail = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("cannot draw: {e}");
    root.fill(&WHITE).map_err(fail)?;
    let hist = &results.finish;
    let trials = hist.total().max(1) as f64;
    let first = (1..=hist.periods())
        .find(|&t| hist.count(t) > 0)
        .unwrap_or(1);
    let last = (1..=hist.periods())
        .rev()
        .find(|&t| hist.count(t) > 0)
        .unwrap_or(1)
        .max(forecast.horizon.unwrap_or(0).min(hist.periods()));
    let first = first.min(forecast.horizon.unwrap_or(first).max(1));
    let (lo, hi) = (first.saturating_sub(1) as f64, last as f64 + 1.0);
    let peak = (first..=last)
        .map(|t| hist.count(t) as f64 / trials)
        .fold(0.0, f64::max)
        .max(1e-9);
    let unit = forecast.scenario.period_length;
    let (top, rest) = root.split_vertically(SIZE.1 / 3 + 20);
    let (bottom, how_many) = rest.split_vertically(SIZE.1 / 3);

    let mut chart = ChartBuilder::on(&top)
        .caption(
            format!(
                "When will it be done? {} trials, periods of {unit}",
                results.trials
            ),
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .build_cartesian_2d(lo..hi, 0.0..peak * 1.2)
        .map_err(fail)?;
    let whole = |x: &f64| x_label(forecast, *x);
    let x_labels = if forecast.scenario.start.is_some() {
        6
    } else {
        10
    };
    chart
        .configure_mesh()
        .x_label_formatter(&whole)
        .x_labels(x_labels)
        .y_desc("P(done in period)")
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(fail)?;
    chart
        .draw_series((first..=last).map(|t| {
            let p = hist.count(t) as f64 / trials;
            Rectangle::new(
                [(t as f64 - 0.45, 0.0), (t as f64 + 0.45, p)],
                BARS.filled(),
            )
        }))
        .map_err(fail)?;
    for (k, (name, q)) in percentiles(forecast).into_iter().enumerate() {
        if let Some(t) = results.percentile(q) {
            let x = t as f64;
            // Staggered so neighbouring percentiles' labels do not overlap.
            let y = peak * (1.12 - 0.07 * k as f64);
            chart
                .draw_series(LineSeries::new([(x, 0.0), (x, y)], BLACK.stroke_width(1)))
                .map_err(fail)?;
            chart
                .draw_series([Text::new(
                    format!(" {name} = {t}"),
                    (x, y),
                    ("sans-serif", 13),
                )])
                .map_err(fail)?;
        }
    }

    let mut chart = ChartBuilder::on(&bottom)
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(lo..hi, 0.0..1.0)
        .map_err(fail)?;
    chart
        .configure_mesh()
        .x_label_formatter(&whole)
        .x_labels(x_labels)
        .x_desc(x_desc(forecast))
        .y_desc("P(done by period)")
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(fail)?;
    chart
        .draw_series(LineSeries::new(
            (first.saturating_sub(1)..=last).map(|t| (t as f64, hist.fraction_by(t))),
            CURVE.stroke_width(2),
        ))
        .map_err(fail)?;
    if let Some((h, p, _)) = &results.at_horizon {
        let x = *h as f64;
        chart
            .draw_series(LineSeries::new([(x, 0.0), (x, 1.0)], BLACK.stroke_width(1)))
            .map_err(fail)?;
        chart
            .draw_series([Text::new(
                format!("horizon {h}: {:.1}%", p * 100.0),
                (x, 0.08),
                ("sans-serif", 13),
            )])
            .map_err(fail)?;
    }
    draw_how_many(&how_many, forecast, results, (lo, hi))
}

/// The x tick label of period `x`: its last day when the start is known, else its number.
fn x_label(forecast: &Forecast, x: f64) -> String {
    let t = x.round();
    if (x - t).abs() > 1e-6 || t < 1.0 {
        return if t < 1.0 {
            String::new()
        } else {
            format!("{x:.0}")
        };
    }
    match forecast.scenario.period_end_date(t as usize) {
        Some(d) => d.to_string(),
        None => format!("{t:.0}"),
    }
}

fn x_desc(forecast: &Forecast) -> String {
    let unit = forecast.scenario.period_length;
    match forecast.scenario.start {
        Some(_) if forecast.scenario.calendar.is_every_day() => {
            format!("end of period (periods of {unit})")
        }
        Some(_) => format!("end of period (periods of {unit}, working days)"),
        None => format!("period ({unit})"),
    }
}

/// The items axis of the "how many" panel: from a little below the smallest value shown
/// (the lines differ by a few items on a large scale) to the largest.
fn items_range(rows: &[&crate::simulate::forecast::PeriodRow]) -> (f64, f64) {
    let values = || {
        rows.iter()
            .flat_map(|r| r.items.at_least.iter().copied())
            .filter(|x| x.is_finite())
    };
    let top = values().fold(1.0, f64::max);
    ((values().fold(top, f64::min) * 0.9).floor().max(0.0), top)
}

/// The third panel, "how many by when": per period, at least how many items are done with
/// each of the forecast's probabilities.
fn draw_how_many<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    forecast: &Forecast,
    results: &ForecastResults,
    (lo, hi): (f64, f64),
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let fail = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("cannot draw: {e}");
    let rows: Vec<_> = results
        .rows
        .iter()
        .filter(|r| (r.period as f64) >= lo && (r.period as f64) <= hi)
        .collect();
    let (bottom, top) = items_range(&rows);
    let mut chart = ChartBuilder::on(area)
        .caption(
            "How many by when: at least this many items done",
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(lo..hi, bottom..top * 1.04)
        .map_err(fail)?;
    let label = |x: &f64| x_label(forecast, *x);
    let whole = |y: &f64| format!("{y:.0}");
    chart
        .configure_mesh()
        .x_label_formatter(&label)
        .x_labels(if forecast.scenario.start.is_some() {
            6
        } else {
            10
        })
        .x_desc(x_desc(forecast))
        .y_desc("items done")
        .y_label_formatter(&whole)
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(fail)?;
    for (k, q) in forecast.percentiles.iter().enumerate() {
        let colour = super::plots::palette::series(k);
        chart
            .draw_series(LineSeries::new(
                rows.iter()
                    .filter_map(|r| r.items.at_least.get(k).map(|&n| (r.period as f64, n))),
                colour.stroke_width(2),
            ))
            .map_err(fail)?
            .label(match &results.at_horizon {
                Some((h, _, items)) => format!(
                    "{}% chance: at least {} by period {h}",
                    num(q * 100.0),
                    items.at_least.get(k).map_or_else(String::new, |n| num(*n))
                ),
                None => format!("{}% chance", num(q * 100.0)),
            })
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
    }
    if let Some((h, _, _)) = &results.at_horizon {
        let x = *h as f64;
        chart
            .draw_series(LineSeries::new(
                [(x, bottom), (x, top * 1.04)],
                BLACK.stroke_width(1),
            ))
            .map_err(fail)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(fail)?;
    Ok(())
}

/// The terminal summary: percentiles (with dates when the start is known), P(done by the
/// horizon) and items done by it.
pub fn summary(forecast: &Forecast, results: &ForecastResults) -> String {
    let mut out = String::new();
    let backlog = backlog_text(forecast);
    let h = &forecast.history;
    out.push_str(&format!(
        "Forecast of {backlog} on a history of {} periods (mean {:.2} per {}), {} trials\n",
        h.len(),
        h.iter().sum::<f64>() / h.len() as f64,
        forecast.scenario.period_length,
        results.trials,
    ));
    for (name, q) in percentiles(forecast) {
        let line = match results.percentile(q) {
            Some(t) => {
                let date = date(forecast, t);
                if date.is_empty() {
                    format!("  {name}: done by period {t}\n")
                } else {
                    format!("  {name}: done by period {t} (ends {date})\n")
                }
            }
            None => format!(
                "  {name}: not done within the cap of {} periods\n",
                results.cap
            ),
        };
        out.push_str(&line);
    }
    if let Some((t, p, items)) = &results.at_horizon {
        let date = date(forecast, *t);
        let when = if date.is_empty() {
            format!("period {t}")
        } else {
            format!("period {t} ({date})")
        };
        out.push_str(&format!("  P(done by {when}) = {}\n", percent(*p)));
        out.push_str(&format!(
            "  items done by {when}: {}\n",
            items_text(items, results.bin_width)
        ));
        for (q, n) in forecast.percentiles.iter().zip(&items.at_least) {
            out.push_str(&format!(
                "  {}% chance of at least {} items by {when}\n",
                num(q * 100.0),
                num(*n)
            ));
        }
    }
    if results.not_done() > 0 {
        out.push_str(&format!(
            "  {} of {} trials were not done within the cap of {} periods\n",
            results.not_done(),
            results.trials,
            results.cap
        ));
    }
    for note in &forecast.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
}

fn backlog_text(forecast: &Forecast) -> String {
    let initiatives = &forecast.scenario.initiatives;
    match initiatives.as_slice() {
        [one] => {
            let split = match &one.scope_growth {
                None => String::new(),
                // The forecast's split rate r is a scope growth of r − 1.
                Some(Distribution::Shifted(rate, by)) if *by == -1.0 => {
                    format!("split rate {rate}")
                }
                Some(Distribution::Constant(g)) => format!("split rate {}", num(1.0 + g)),
                Some(growth) => format!("scope growth {growth}"),
            };
            match (one.id == "backlog", split.is_empty()) {
                (true, true) => format!("{} items", one.effort),
                (true, false) => format!("{} items ({split})", one.effort),
                (false, true) => format!("`{}` ({} items)", one.id, one.effort),
                (false, false) => format!("`{}` ({} items, {split})", one.id, one.effort),
            }
        }
        many => format!(
            "{} initiatives of team `{}`",
            many.len(),
            forecast.scenario.teams[0].name
        ),
    }
}

fn percent(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

fn items_text(items: &ItemsDone, width: f64) -> String {
    let mut parts = vec![format!("mean {:.1}", items.mean)];
    for ((name, _), q) in QUANTILES.iter().zip(items.quantiles) {
        parts.push(format!("{} {}", name.to_uppercase(), num(q)));
    }
    let mut text = parts.join(", ");
    if width > 1.0 {
        text.push_str(&format!(" (quantiles in steps of {width} items)"));
    }
    text
}
