//! `[scenario]`: the name, the horizon, the period length, the start date, trials and seed.

use crate::model::PeriodLength;

use super::super::document::{Node, Value};
use super::super::fields::{Checker, Table, integer, string};
use super::super::problem::Problem;
use super::{DEFAULT_SEED, DEFAULT_TRIALS};

const SCENARIO_FIELDS: &[&str] = &[
    "name", "question", "periods", "period", "start", "trials", "seed",
];
/// What `[scenario]` says.
pub(super) struct Header {
    pub(super) name: String,
    pub(super) question: Option<String>,
    pub(super) periods: usize,
    pub(super) period_length: PeriodLength,
    pub(super) start: Option<crate::model::Date>,
    pub(super) trials: u64,
    pub(super) seed: u64,
}

pub(super) fn read_header(ck: &mut Checker, node: &Node, default_name: &str) -> Option<Header> {
    let mut t = Table::new(ck, node, "[scenario]", SCENARIO_FIELDS)?;
    let name = match t.get("name") {
        Some(n) => string(ck, n, "name").and_then(|s| folder_name(ck, n, s)),
        None => Some(default_name.to_string()),
    };
    let question = t.string(ck, "question").map(str::to_string);
    let periods = t.required(ck, "periods", "26").and_then(|n| {
        let p = integer(ck, n, "periods")?;
        if !(1..=10_000).contains(&p) {
            ck.report(
                Problem::error(
                    n.span,
                    format!("`periods` must be from 1 to 10000, found {p}"),
                )
                .label("the horizon needs at least one period"),
            );
            return None;
        }
        Some(p as usize)
    });
    let period_length = match t.get("period") {
        None => Some(PeriodLength::TWO_WEEKS),
        Some(n) => string(ck, n, "period").and_then(|s| {
            s.parse::<PeriodLength>()
                .map_err(|why| {
                    ck.report(
                        Problem::error(n.span, format!("`period`: {why}"))
                            .label("a period length")
                            .help("write \"1w\", \"2w\", \"1mo\" or \"1q\""),
                    )
                })
                .ok()
        }),
    };
    let start = t.get("start").and_then(|n| {
        let text = match &n.value {
            Value::Datetime(s) | Value::String(s) => s.as_str(),
            _ => {
                super::fields::expected(ck, n, "start", "a date such as 2027-01-04");
                return None;
            }
        };
        text.parse()
            .map_err(|why: String| {
                ck.report(Problem::error(n.span, format!("`start`: {why}")).label("not a date"))
            })
            .ok()
    });
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
    t.finish(ck);
    Some(Header {
        name: name?,
        question,
        periods: periods?,
        period_length: period_length?,
        start,
        trials: trials?,
        seed: seed?,
    })
}

/// A scenario name usable as a folder under `output/`.
fn folder_name(ck: &mut Checker, node: &Node, name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Some(name.to_string())
    } else {
        ck.report(
            Problem::error(
                node.span,
                format!("`name` \"{name}\" cannot be a folder name"),
            )
            .label("used as output/<name>/")
            .help("use letters, digits, '-', '_' and '.', e.g. \"checkout-2027\""),
        );
        None
    }
}

fn positive_count(ck: &mut Checker, node: &Node, key: &str) -> Option<u64> {
    let n = integer(ck, node, key)?;
    if n < 1 {
        ck.error(node.span, format!("`{key}` must be at least 1, found {n}"));
        return None;
    }
    Some(n as u64)
}
