//! What `fulcrum forecast` prints: the summary (percentiles with their dates, the chance of
//! being done by the horizon and the items done by it) and the percentiles as a [`Table`]
//! for the stdout formats.

use crate::model::Distribution;
use crate::model::throughput::Method;
use crate::simulate::forecast::{Forecast, ForecastResults, ItemsDone};
use crate::simulate::stats::QUANTILES;

use super::{date, percentiles};
use crate::report::kit::table::{Align, Table};
use crate::words::numbers::{self, num};

/// The terminal summary: percentiles (with dates when the start is known), P(done by the
/// horizon) and items done by it.
pub fn summary(forecast: &Forecast, results: &ForecastResults) -> String {
    let mut out = String::new();
    let backlog = backlog_text(forecast);
    let h = forecast.history();
    out.push_str(&format!(
        "Forecast of {backlog} on a history of {} (mean {:.2} per {}), {}\n",
        numbers::counted(h.len() as u64, "period", "periods"),
        h.iter().sum::<f64>() / h.len() as f64,
        forecast.scenario.period_length,
        numbers::counted(results.trials, "trial", "trials"),
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
            numbers::count(results.not_done()),
            numbers::counted(results.trials, "trial", "trials"),
            numbers::counted(results.cap as u64, "period", "periods")
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
    let periods = |k: usize| numbers::counted(k as u64, "period", "periods");
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
                    numbers::counted(outcomes as u64, "outcome", "outcomes")
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

/// The forecast's percentiles as a table: the period each is done by and its last day.
pub fn headline(forecast: &Forecast, results: &ForecastResults) -> Table {
    let mut table = Table::new(&[
        ("chance", Align::Left),
        ("done by period", Align::Right),
        ("ends", Align::Left),
    ]);
    for (name, q) in percentiles(forecast) {
        let (period, ends) = match results.percentile(q) {
            Some(t) => (
                t.to_string(),
                forecast
                    .scenario
                    .period_end_date(t)
                    .map_or_else(String::new, |d| d.to_string()),
            ),
            None => (format!("beyond {}", results.cap), String::new()),
        };
        table.push(vec![name, period, ends]);
    }
    table
}
