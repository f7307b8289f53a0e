//! Outputs of `fulcrum forecast`: `forecast.csv` (per period: P(done by it) and the
//! distribution of items done), the charts under `plots/` (drawn in [`chart`]), `report.html`
//! and `forecast.json` (what was run) here; what it prints in [`terminal`] and its `--json`
//! document in [`json`].

pub mod chart;
pub mod json;
pub mod terminal;

use std::fmt::Write;

use anyhow::Result;

use crate::model::throughput::LevelShift;
use crate::simulate::forecast::{Forecast, ForecastResults, Levels};
use crate::simulate::stats::QUANTILES;

use super::kit::output::{Destination, OutputDir};
use crate::report::kit::csv::CsvWriter;
use crate::words::numbers;
use crate::words::numbers::{num, percentile_name};

/// The finish percentiles the terminal and the plot report.
pub const PERCENTILES: [(&str, f64); 4] =
    [("P50", 0.5), ("P70", 0.7), ("P85", 0.85), ("P95", 0.95)];

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
    let mut w = CsvWriter::new(&header)?;
    for row in &results.rows {
        let mut record = vec![
            row.period.to_string(),
            date(forecast, row.period),
            num(row.p_done_by),
            num(row.items.mean),
        ];
        record.extend(row.items.quantiles.iter().map(|&q| num(q)));
        record.extend(row.items.at_least.iter().map(|&q| num(q)));
        w.row(&record)?;
    }
    w.finish()
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
    /// Version of fulcrum that made the forecast.
    pub fulcrum_version: String,
    /// Where the history came from: `history`, `history-csv FILE`, or `scenario FILE` followed
    /// by each `--set PATH=VALUE`.
    pub source: String,
    /// The throughput history bootstrapped: items finished per period, oldest first.
    pub history: Vec<f64>,
    /// How the history was read: `calibrated` or `iid`.
    pub method: String,
    /// The periods resampled: the last `window` of the history.
    pub window: usize,
    /// Consecutive periods drawn together (1: each independently).
    pub block: u32,
    /// The last lasting change of pace found in the history (calibrated method).
    pub level_shift: Option<ShiftInfo>,
    /// The levels of the base forecast each percentile was read at (the percentiles
    /// themselves for `iid`), and how many past outcomes of the history taught them.
    pub calibration: Levels,
    /// The backlog: `--backlog` items as a number, or the ids of a scenario's forecast
    /// initiatives, comma-separated.
    pub backlog: String,
    /// The period "how many by then?" is asked at; `null`: not asked.
    pub horizon: Option<usize>,
    /// Periods each trial runs at most: a backlog not done by then counts as not done.
    pub cap: usize,
    /// Length of one period, e.g. `1w`, `2w`, `1d`, `1mo`, `1q`.
    pub period: String,
    /// First day of period 1 (YYYY-MM-DD); `null` when the forecast has no dates.
    pub start: Option<String>,
    /// Master seed of the trials.
    pub seed: u64,
    /// Monte Carlo trials run.
    pub trials: u64,
    /// Worker threads the forecast used.
    pub threads: usize,
    /// Wall-clock seconds the forecast took, before its files were written.
    pub seconds: f64,
    /// Per percentile (`P85`…): the period by whose end the backlog is done with that chance;
    /// `null` when not within `cap`.
    pub percentiles: Vec<(String, Option<usize>)>,
    /// Trials whose backlog was not done within `cap` periods.
    pub not_done_within_cap: u64,
    /// At the horizon: for each percentile p, at least how many items are done with
    /// probability p.
    pub items_at_least_by_horizon: Vec<(String, f64)>,
    /// Working days: weekends off (periods of days only) and the holidays.
    pub weekends_off: bool,
    /// The holidays not worked (YYYY-MM-DD).
    pub holidays: Vec<String>,
    /// The shard folders merged into these results (`fulcrum merge`; none for one run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<String>,
}

/// A level shift in `backtest.json` and `forecast.json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ShiftInfo {
    /// The first period at the new pace (1-based, in the history as reported).
    pub period: usize,
    /// Mean count per period before it.
    pub before: f64,
    /// Mean count per period from it on.
    pub after: f64,
    /// The CUSUM test's p-value.
    pub p_value: f64,
}

impl ShiftInfo {
    /// The record of `shift` (whose `at` is a 0-based index).
    pub fn of(shift: &LevelShift) -> ShiftInfo {
        ShiftInfo {
            period: shift.at + 1,
            before: shift.before,
            after: shift.after,
            p_value: shift.p_value,
        }
    }
}

/// Writes `forecast.csv`, the charts (`plots/forecast` and `plots/how_many`, SVG and PNG),
/// `report.html` and `forecast.json` into `target`, all at once or not at all.
pub fn write(
    target: &Destination,
    forecast: &Forecast,
    results: &ForecastResults,
    info: &ForecastInfo,
) -> Result<()> {
    let dir = OutputDir::create(target, "forecast")?;
    dir.write("forecast.csv", &table(forecast, results)?)?;
    let plots = chart::write(&dir.staged(""), forecast, results)?;
    dir.write(
        "report.html",
        page(forecast, results, info, &plots).as_bytes(),
    )?;
    let mut json = serde_json::to_vec_pretty(info)?;
    json.push(b'\n');
    dir.write("forecast.json", &json)?;
    dir.commit()
}

/// The forecast's self-contained page: the answer in sentences, the charts, what was run.
fn page(
    forecast: &Forecast,
    results: &ForecastResults,
    info: &ForecastInfo,
    plots: &[crate::report::kit::charts::Plot],
) -> String {
    use crate::report::kit::page::{escape, figure, page_start};
    let mut h = String::new();
    let title = escape(&forecast.scenario.name);
    page_start(&mut h, &format!("{title} — fulcrum forecast"));
    let _ = writeln!(h, "<h1>{title}: forecast</h1>\n<div class=\"answer\">");
    for line in terminal::summary(forecast, results).lines() {
        let _ = writeln!(h, "<p>{}</p>", escape(line.trim()));
    }
    h.push_str("</div>\n");
    for plot in plots {
        figure(&mut h, plot);
    }
    let _ = writeln!(
        h,
        "<p class=\"muted\">{}, seed {}, fulcrum {}; source: {}. Timings are in \
         forecast.json.</p>\n</body>\n</html>",
        numbers::counted(info.trials, "trial", "trials"),
        info.seed,
        escape(&info.fulcrum_version),
        escape(&info.source)
    );
    h
}
