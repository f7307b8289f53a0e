//! Outputs of `fulcrum forecast`: `forecast.csv` (per period: P(done by it) and the
//! distribution of items done), the charts under `plots/` (drawn in
//! [`crate::report::kit::charts::forecast`]), `report.html`, `forecast.json` (what was run) and the
//! terminal summary.

pub mod chart;

use std::fmt::Write;

use anyhow::Result;

use crate::model::Distribution;
use crate::model::throughput::Method;
use crate::simulate::forecast::{Forecast, ForecastResults, ItemsDone, Levels};
use crate::simulate::stats::QUANTILES;

use super::{Destination, OutputDir};
use crate::report::kit::csv::CsvWriter;
use crate::report::kit::numbers::num;

/// The finish percentiles the terminal and the plot report.
pub const PERCENTILES: [(&str, f64); 4] =
    [("P50", 0.5), ("P70", 0.7), ("P85", 0.85), ("P95", 0.95)];

pub use crate::report::kit::numbers::{percentile_name, percentiles};

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
    pub level_shift: Option<super::backtest::ShiftInfo>,
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
    use crate::report::run::html::{escape, figure, page_start};
    let mut h = String::new();
    let title = escape(&forecast.scenario.name);
    page_start(&mut h, &format!("{title} — fulcrum forecast"));
    let _ = writeln!(h, "<h1>{title}: forecast</h1>\n<div class=\"answer\">");
    for line in summary(forecast, results).lines() {
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
        crate::report::kit::numbers::counted(info.trials, "trial", "trials"),
        info.seed,
        escape(&info.fulcrum_version),
        escape(&info.source)
    );
    h
}

/// The terminal summary: percentiles (with dates when the start is known), P(done by the
/// horizon) and items done by it.
pub fn summary(forecast: &Forecast, results: &ForecastResults) -> String {
    let mut out = String::new();
    let backlog = backlog_text(forecast);
    let h = forecast.history();
    out.push_str(&format!(
        "Forecast of {backlog} on a history of {} (mean {:.2} per {}), {}\n",
        crate::report::kit::numbers::counted(h.len() as u64, "period", "periods"),
        h.iter().sum::<f64>() / h.len() as f64,
        forecast.scenario.period_length,
        crate::report::kit::numbers::counted(results.trials, "trial", "trials"),
    ));
    out.push_str(&method_line(forecast));
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
            "  {} of {} were not done within the cap of {}\n",
            crate::report::kit::numbers::count(results.not_done()),
            crate::report::kit::numbers::counted(results.trials, "trial", "trials"),
            crate::report::kit::numbers::counted(results.cap as u64, "period", "periods")
        ));
    }
    for note in &forecast.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
}

/// How the history was read, in one line.
fn method_line(forecast: &Forecast) -> String {
    let tp = &forecast.throughput;
    let n = tp.history.len();
    let used = tp.sampled().len();
    let periods = |k: usize| crate::report::kit::numbers::counted(k as u64, "period", "periods");
    match tp.method {
        Method::Iid => format!(
            "  method iid: every period drawn independently from all {}\n",
            periods(used)
        ),
        Method::Calibrated => {
            let from = if used < n { ", at most a year" } else { "" };
            let levels = &forecast.levels;
            let outcomes = levels.when_outcomes + levels.how_many_outcomes;
            let taught = if outcomes == 0 {
                "no earlier forecast of this history could be checked yet, so its chances are \
                 not corrected"
                    .to_string()
            } else {
                format!(
                    "chances corrected by {} of this history's own earlier forecasts",
                    crate::report::kit::numbers::counted(outcomes as u64, "outcome", "outcomes")
                )
            };
            format!(
                "  method calibrated: the last {} of {}{from}, in blocks of {}; {taught}\n",
                periods(used),
                n,
                periods(tp.block as usize),
            )
        }
    }
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
