//! The distribution notation of scenario files: `5`, `"5 to 10"`, `"20%"`, `"1% to 3%"`,
//! `{ pert = [min, mode, max] }`, `{ triangular = [...] }`, `{ uniform = [min, max] }`,
//! `{ normal = [mean, sd] }`, `{ lognormal = [p5, p95] }`, `{ samples = [...] }`.

use crate::model::{Distribution, DistributionError};

use super::document::{Node, Value};
use super::fields::{Bound, Checker, array, expected, number};
use super::problem::{Problem, did_you_mean};

/// The table forms and how many numbers each takes (`None`: any positive count).
const FORMS: [(&str, Option<usize>, &str); 6] = [
    ("pert", Some(3), "[min, mode, max]"),
    ("triangular", Some(3), "[min, mode, max]"),
    ("uniform", Some(2), "[min, max]"),
    ("normal", Some(2), "[mean, sd]"),
    ("lognormal", Some(2), "[p5, p95]"),
    ("samples", None, "[v1, v2, ...]"),
];

const NOTATION_HELP: &str = "write a number (5), a 90% interval (\"5 to 10\"), a percentage \
    (\"20%\", \"1% to 3%\"), or a table: { pert = [min, mode, max] }, { triangular = [min, \
    mode, max] }, { uniform = [min, max] }, { normal = [mean, sd] }, { lognormal = [p5, p95] }, \
    { samples = [...] }";

/// Reads the distribution written at `node` (the value of `key`), whose written numbers must
/// lie within `bound`.
pub fn distribution(
    ck: &mut Checker,
    node: &Node,
    key: &str,
    bound: Bound,
) -> Option<Distribution> {
    match &node.value {
        Value::Integer(_) | Value::Float(_) => {
            number(ck, node, key, bound).map(Distribution::Constant)
        }
        Value::String(text) => from_text(ck, node, key, text, bound),
        Value::Table(entries) => {
            let [entry] = entries.as_slice() else {
                ck.report(
                    Problem::error(
                        node.span,
                        format!(
                            "`{key}` must be a table with exactly one key, found {}",
                            entries.len()
                        ),
                    )
                    .label("one of pert, triangular, uniform, normal, lognormal, samples")
                    .help(NOTATION_HELP),
                );
                return None;
            };
            let Some(&(form, arity, shape)) = FORMS.iter().find(|(f, _, _)| *f == entry.key) else {
                ck.report(
                    Problem::error(
                        entry.key_span,
                        format!("unknown distribution `{}`", entry.key),
                    )
                    .label("not a distribution")
                    .help(
                        did_you_mean(&entry.key, FORMS.iter().map(|f| f.0))
                            .unwrap_or_else(|| NOTATION_HELP.to_string()),
                    ),
                );
                return None;
            };
            let items = array(ck, &entry.node, form)?;
            if arity.is_some_and(|n| n != items.len()) || items.is_empty() {
                let message = if items.is_empty() {
                    format!("`{form}` needs at least one value")
                } else {
                    format!("`{form}` takes {shape}, found {} numbers", items.len())
                };
                ck.report(
                    Problem::error(entry.node.span, message).label(format!("expected {shape}")),
                );
                return None;
            }
            let values: Option<Vec<f64>> = items
                .iter()
                .map(|n| number(ck, n, form, Bound::Any))
                .collect();
            let v = values?;
            // Bounds apply to the values a draw can take: the ends, the samples, a mean.
            let written: Vec<(usize, f64)> = match form {
                "normal" => vec![(0, v[0])],
                "pert" | "triangular" => vec![(0, v[0]), (2, v[2])],
                _ => v.iter().copied().enumerate().collect(),
            };
            for (i, x) in written {
                if !bound.admits(x) {
                    out_of_bound(ck, &items[i], key, x, bound);
                    return None;
                }
            }
            let built = match form {
                "pert" => Distribution::pert(v[0], v[1], v[2]),
                "triangular" => Distribution::triangular(v[0], v[1], v[2]),
                "uniform" => Distribution::uniform(v[0], v[1]),
                "normal" => Distribution::normal(v[0], v[1]),
                "lognormal" => Distribution::lognormal_interval(v[0], v[1]),
                _ => Distribution::samples(v),
            };
            built.map_err(|e| invalid(ck, &entry.node, key, e)).ok()
        }
        _ => {
            expected(
                ck,
                node,
                key,
                "a number, a string like \"5 to 10\", or a distribution table",
            );
            None
        }
    }
}

fn from_text(
    ck: &mut Checker,
    node: &Node,
    key: &str,
    text: &str,
    bound: Bound,
) -> Option<Distribution> {
    let parsed = parse_text(text).map_err(|why| {
        ck.report(
            Problem::error(node.span, format!("`{key}`: {why}"))
                .label("not a distribution")
                .help(NOTATION_HELP),
        )
    });
    let (lo, hi) = parsed.ok()?;
    for x in [Some(lo), hi].into_iter().flatten() {
        if !bound.admits(x) {
            out_of_bound(ck, node, key, x, bound);
            return None;
        }
    }
    match hi {
        None => Some(Distribution::Constant(lo)),
        Some(hi) => Distribution::interval(lo, hi)
            .map_err(|e| invalid(ck, node, key, e))
            .ok(),
    }
}

/// `"x"`, `"x%"`, `"lo to hi"` or `"lo% to hi%"` as (lo, Some(hi)) or (x, None).
pub(super) fn parse_text(text: &str) -> Result<(f64, Option<f64>), String> {
    let quoted = format!("\"{text}\" is not a number or an interval");
    let parts: Vec<&str> = text.split(" to ").map(str::trim).collect();
    let numbers: Vec<(f64, bool)> = parts
        .iter()
        .map(|p| parse_number(p).ok_or_else(|| quoted.clone()))
        .collect::<Result<_, _>>()?;
    match numbers.as_slice() {
        [(x, _)] => Ok((*x, None)),
        [(lo, lo_pct), (hi, hi_pct)] if lo_pct == hi_pct => Ok((*lo, Some(*hi))),
        [_, _] => Err(format!(
            "\"{text}\" mixes a percentage with a plain number: write both ends the same way"
        )),
        _ => Err(quoted),
    }
}

/// A number, optionally with a leading sign and a trailing `%` (then divided by 100).
fn parse_number(text: &str) -> Option<(f64, bool)> {
    let (text, percent) = match text.strip_suffix('%') {
        Some(t) => (t.trim_end(), true),
        None => (text, false),
    };
    let text = text.strip_prefix('+').unwrap_or(text);
    if text.is_empty()
        || !text
            .bytes()
            .all(|b| b.is_ascii_digit() || b"-._eE".contains(&b))
    {
        return None;
    }
    let x: f64 = text.replace('_', "").parse().ok()?;
    x.is_finite()
        .then_some((if percent { x / 100.0 } else { x }, percent))
}

fn out_of_bound(ck: &mut Checker, node: &Node, key: &str, x: f64, bound: Bound) {
    ck.report(
        Problem::error(
            node.span,
            format!("`{key}` must be {}, found {x}", bound.describe()),
        )
        .label(format!("out of range: {}", bound.describe())),
    );
}

fn invalid(ck: &mut Checker, node: &Node, key: &str, error: DistributionError) {
    let help = match &error {
        DistributionError::Order { lo, hi } if lo > hi => Some(format!("write \"{hi} to {lo}\"")),
        DistributionError::Order { lo, .. } => {
            Some(format!("a fixed value is written as just {lo}"))
        }
        DistributionError::ModeOutside { .. } => {
            Some("order the numbers as [min, mode, max]".into())
        }
        _ => None,
    };
    ck.report(
        Problem::error(node.span, format!("`{key}`: {error}"))
            .label("invalid distribution")
            .maybe_help(help),
    );
}

#[cfg(test)]
mod tests {
    use super::super::document::parse_toml;
    use super::super::problem::SourceId;
    use super::*;

    fn read(value: &str, bound: Bound) -> (Option<Distribution>, Vec<String>) {
        let doc = parse_toml(&format!("x = {value}\n"), SourceId(0)).unwrap();
        let mut ck = Checker::default();
        let d = distribution(&mut ck, doc.get("x").unwrap(), "x", bound);
        (d, ck.problems.into_iter().map(|p| p.message).collect())
    }

    #[test]
    fn every_notation_compiles() {
        assert_eq!(read("5", Bound::Any).0, Some(Distribution::Constant(5.0)));
        assert_eq!(
            read("\"20%\"", Bound::Any).0,
            Some(Distribution::Constant(0.2))
        );
        assert_eq!(
            read("\"-20%\"", Bound::Any).0,
            Some(Distribution::Constant(-0.2))
        );
        assert_eq!(
            read("\"+3%\"", Bound::Any).0,
            Some(Distribution::Constant(0.03))
        );
        assert_eq!(
            read("\"5 to 10\"", Bound::Any).0,
            Distribution::interval(5.0, 10.0).ok()
        );
        assert_eq!(
            read("\"1% to 3%\"", Bound::Any).0,
            Distribution::interval(0.01, 0.03).ok()
        );
        assert_eq!(
            read("\"-1 to 3\"", Bound::Any).0,
            Distribution::interval(-1.0, 3.0).ok()
        );
        assert_eq!(
            read("{ pert = [1, 2, 4] }", Bound::Any).0,
            Distribution::pert(1.0, 2.0, 4.0).ok()
        );
        assert_eq!(
            read("{ triangular = [1, 2, 4] }", Bound::Any).0,
            Distribution::triangular(1.0, 2.0, 4.0).ok()
        );
        assert_eq!(
            read("{ uniform = [1, 4] }", Bound::Any).0,
            Distribution::uniform(1.0, 4.0).ok()
        );
        assert_eq!(
            read("{ normal = [1, 4] }", Bound::Any).0,
            Distribution::normal(1.0, 4.0).ok()
        );
        assert_eq!(
            read("{ lognormal = [1, 4] }", Bound::Any).0,
            Distribution::lognormal_interval(1.0, 4.0).ok()
        );
        assert_eq!(
            read("{ samples = [3, 5, 2] }", Bound::Any).0,
            Distribution::samples(vec![3.0, 5.0, 2.0]).ok()
        );
    }

    #[test]
    fn mistakes_are_explained() {
        assert_eq!(
            read("\"10 to 5\"", Bound::Any).1,
            ["`x`: the low end 10 must be below the high end 5"]
        );
        assert_eq!(
            read("\"5 to 5\"", Bound::Any).1,
            ["`x`: the low end 5 must be below the high end 5"]
        );
        assert_eq!(
            read("\"1% to 0.03\"", Bound::Any).1,
            [
                "`x`: \"1% to 0.03\" mixes a percentage with a plain number: write both ends the same way"
            ]
        );
        assert_eq!(
            read("\"lots\"", Bound::Any).1,
            ["`x`: \"lots\" is not a number or an interval"]
        );
        assert_eq!(
            read("{ pert = [1, 5, 4] }", Bound::Any).1,
            ["`x`: the mode 5 must lie within [1, 4]"]
        );
        assert_eq!(
            read("{ samples = [] }", Bound::Any).1,
            ["`samples` needs at least one value"]
        );
        assert_eq!(
            read("{ pret = [1, 2, 3] }", Bound::Any).1,
            ["unknown distribution `pret`"]
        );
        assert_eq!(
            read("{ uniform = [1, 2, 3] }", Bound::Any).1,
            ["`uniform` takes [min, max], found 3 numbers"]
        );
        assert_eq!(
            read("\"-5 to 10\"", Bound::NonNegative).1,
            ["`x` must be at least 0, found -5"]
        );
        assert_eq!(
            read("{ samples = [1, -2] }", Bound::NonNegative).1,
            ["`x` must be at least 0, found -2"]
        );
        assert_eq!(read("nan", Bound::Any).1, ["`x` must be a finite number"]);
    }
}
