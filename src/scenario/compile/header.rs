//! `[scenario]`: the name, the horizon, the period length, the start date and working-day
//! calendar, trials and seed, and how throughput histories are resampled.

use crate::model::PeriodLength;
use crate::model::throughput::Method;

use super::super::document::{Node, Value};
use super::super::fields::{Checker, Table, array, integer, named, string};
use super::super::problem::Problem;
use super::super::template::check_name;
use super::{DEFAULT_SEED, DEFAULT_TRIALS};

pub(super) const SCENARIO_FIELDS: &[&str] = &[
    "name",
    "question",
    "periods",
    "period",
    "start",
    "trials",
    "seed",
    "holidays",
    "weekends_off",
    "throughput_method",
];
/// What `[scenario]` says.
pub(super) struct Header {
    pub(super) name: String,
    pub(super) question: Option<String>,
    pub(super) periods: usize,
    pub(super) period_length: PeriodLength,
    pub(super) start: Option<crate::model::Date>,
    pub(super) calendar: crate::model::Calendar,
    pub(super) trials: u64,
    pub(super) seed: u64,
    /// How throughput teams' histories are resampled (`throughput_method`).
    pub(super) throughput_method: Method,
}

pub(super) fn read_header(ck: &mut Checker, node: &Node, default_name: &str) -> Option<Header> {
    let mut t = Table::new(ck, node, "[scenario]", SCENARIO_FIELDS)?;
    let name = match t.get("name") {
        Some(n) => string(ck, n, "name").and_then(|s| folder_name(ck, n, s)),
        None => Some(default_name.to_string()),
    };
    let question = t.string(ck, "question").map(str::to_string);
    let period_length = match t.get("period") {
        None => Some(PeriodLength::TWO_WEEKS),
        Some(n) => string(ck, n, "period").and_then(|s| read_period_length(ck, n, s)),
    };
    let periods = t
        .required(ck, "periods", "26")
        .and_then(|n| horizon(ck, n, period_length.unwrap_or(PeriodLength::TWO_WEEKS)));
    let start = t.get("start").and_then(|n| date(ck, n, "start"));
    let holidays: Vec<crate::model::Date> = match t.get("holidays") {
        None => Vec::new(),
        Some(n) => array(ck, n, "holidays")
            .unwrap_or(&[])
            .iter()
            .filter_map(|d| date(ck, d, "holidays"))
            .collect(),
    };
    let weekends_off = t.boolean(ck, "weekends_off");
    let trials = match t.get("trials") {
        None => Some(DEFAULT_TRIALS),
        Some(n) => positive_count(ck, n, "trials"),
    };
    let seed = match t.get("seed") {
        None => Some(DEFAULT_SEED),
        Some(n) => integer(ck, n, "seed").and_then(|s| {
            u64::try_from(s)
                .map_err(|_| ck.error(n.span, format!("`seed` must be at least 0, found {s}")))
                .ok()
        }),
    };
    let throughput_method = match t.get("throughput_method") {
        None => Some(Method::default()),
        Some(n) => named(ck, n, "throughput_method", &Method::ALL, Method::as_str),
    };
    t.finish(ck);
    let period_length = period_length?;
    Some(Header {
        name: name?,
        question,
        periods: periods?,
        period_length,
        start,
        calendar: crate::model::Calendar::for_period(period_length, weekends_off, holidays),
        trials: trials?,
        seed: seed?,
        throughput_method: throughput_method?,
    })
}

/// A date: a TOML date or a `YYYY-MM-DD` string.
fn date(ck: &mut Checker, n: &Node, key: &str) -> Option<crate::model::Date> {
    let text = match &n.value {
        Value::Datetime(s) | Value::String(s) => s.as_str(),
        _ => {
            super::super::fields::expected(ck, n, key, "a date such as 2027-01-04");
            return None;
        }
    };
    text.parse()
        .map_err(|why: String| {
            ck.report(Problem::error(n.span, format!("`{key}`: {why}")).label("not a date"))
        })
        .ok()
}

/// The longest horizon, in years: no roadmap reaches further, and a longer one is almost
/// always a typo (`periods = 2600` for 26) that would make every run long.
pub const MAX_HORIZON_YEARS: f64 = 20.0;

/// The most periods of `length` within [`MAX_HORIZON_YEARS`] (521 of two weeks).
pub fn max_periods(length: PeriodLength) -> usize {
    (MAX_HORIZON_YEARS * length.per_year()).floor() as usize
}

/// `periods`: at least 1, at most [`max_periods`] of the period length.
fn horizon(ck: &mut Checker, node: &Node, length: PeriodLength) -> Option<usize> {
    let p = integer(ck, node, "periods")?;
    if p < 1 {
        ck.report(
            Problem::error(
                node.span,
                format!("`periods` must be at least 1, found {p}"),
            )
            .label("the horizon needs at least one period"),
        );
        return None;
    }
    let max = max_periods(length);
    if p as u64 > max as u64 {
        let years = p as f64 / length.per_year();
        ck.report(
            Problem::error(
                node.span,
                format!(
                    "`periods` is {p}: {p} periods of {length} are {} years, and the horizon may \
                     be at most {MAX_HORIZON_YEARS} years ({max} periods of {length})",
                    super::fields::show(years.round())
                ),
            )
            .label(format!("at most {max}"))
            .help("a horizon this long is usually a typo; plan a shorter one, or use longer periods (\"1mo\", \"1q\")"),
        );
        return None;
    }
    Some(p as usize)
}

/// `period`: a length such as "2w", at most a year long.
fn read_period_length(ck: &mut Checker, node: &Node, text: &str) -> Option<PeriodLength> {
    let help = "write \"1w\", \"2w\", \"1mo\" or \"1q\"";
    match text.parse::<PeriodLength>() {
        Err(why) => {
            ck.report(
                Problem::error(node.span, format!("`period`: {why}"))
                    .label("a period length")
                    .help(help),
            );
            None
        }
        Ok(length) if length.calendar_days() > 366.0 => {
            ck.report(
                Problem::error(
                    node.span,
                    format!("`period` {length} is longer than a year"),
                )
                .label("at most a year")
                .help(help),
            );
            None
        }
        Ok(length) => Some(length),
    }
}

/// A scenario name usable as a folder under `output/` (see [`check_name`]).
fn folder_name(ck: &mut Checker, node: &Node, name: &str) -> Option<String> {
    let Err(why) = check_name(name) else {
        return Some(name.to_string());
    };
    let shown: String = name.chars().take(40).collect();
    let shown = if shown.len() < name.len() {
        format!("{shown}…")
    } else {
        shown
    };
    ck.report(
        Problem::error(
            node.span,
            format!("`name` \"{shown}\" cannot be a folder name"),
        )
        .label("used as output/<name>/")
        .help(format!(
            "{why}: e.g. {}",
            ck.format
                .field("name", &format!("\"{}\"", why.suggestion(name)))
        )),
    );
    None
}

fn positive_count(ck: &mut Checker, node: &Node, key: &str) -> Option<u64> {
    let n = integer(ck, node, key)?;
    if n < 1 {
        ck.error(node.span, format!("`{key}` must be at least 1, found {n}"));
        return None;
    }
    Some(n as u64)
}
