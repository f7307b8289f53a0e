//! The distribution notation of scenario files: `5`, `"5 to 10"`, `"20%"`, `"1% to 3%"`,
//! `{ pert = [min, mode, max] }`, `{ triangular = [...] }`, `{ uniform = [min, max] }`,
//! `{ normal = [mean, sd] }`, `{ lognormal = [p5, p95] }`, `{ samples = [...] }`.

use crate::model::{Distribution, DistributionError};

use super::document::{Entry, Node, Value};
use super::fields::{Bound, Checker, array, expected, number, parse_text};
use super::problem::{Problem, did_you_mean};
use super::syntax::Format;

/// The table forms and how many numbers each takes (`None`: any positive count).
pub(super) const FORMS: [(&str, Option<usize>, &str); 6] = [
    ("pert", Some(3), "[min, mode, max]"),
    ("triangular", Some(3), "[min, mode, max]"),
    ("uniform", Some(2), "[min, max]"),
    ("normal", Some(2), "[mean, sd]"),
    ("lognormal", Some(2), "[p5, p95]"),
    ("samples", None, "[v1, v2, ...]"),
];

/// Every way to write a distribution, in the file's format.
fn notation_help(format: Format) -> String {
    let table = |form: &str, shape: &str| format.inline(&[(form, shape)]);
    format!(
        "write a number (5), a 90% interval (\"5 to 10\"), a percentage (\"20%\", \"1% to \
         3%\"), or a table: {}, {}, {}, {}, {}, {}",
        table("pert", "[min, mode, max]"),
        table("triangular", "[min, mode, max]"),
        table("uniform", "[min, max]"),
        table("normal", "[mean, sd]"),
        table("lognormal", "[p5, p95]"),
        table("samples", "[...]"),
    )
}

/// Reads the distribution written at `node` (the value of `key`). Its bounding numbers (the
/// ends, a mean, every sample) must lie within `bound`, and every number written (a mode and a
/// standard deviation too) within the magnitude of `bound`'s quantity.
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
        Value::Table(entries) => from_table(ck, node, entries, key, bound),
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

/// Whether the numbers `v` (of `items`) of distribution `form` under `key` are within
/// `bound`, reporting the first that is not. The bound applies to the values a draw can
/// take: the ends, the samples, a mean; the magnitude limit to every number.
fn within_bounds(
    ck: &mut Checker,
    (form, key): (&str, &str),
    items: &[Node],
    v: &[f64],
    bound: Bound,
) -> bool {
    let bounding = |i: usize| match form {
        "normal" => i == 0,
        "pert" | "triangular" => i != 1,
        _ => true,
    };
    let magnitude = bound.quantity().map_or(Bound::Finite, Bound::Any);
    v.iter().enumerate().all(|(i, &x)| {
        let within = if bounding(i) { bound } else { magnitude };
        within.check(ck, &items[i], key, x)
    })
}

fn from_table(
    ck: &mut Checker,
    node: &Node,
    entries: &[Entry],
    key: &str,
    bound: Bound,
) -> Option<Distribution> {
    let [entry] = entries else {
        ck.report(
            Problem::error(
                node.span,
                format!(
                    "`{key}` must be a table with exactly one key, found {}",
                    entries.len()
                ),
            )
            .label("one of pert, triangular, uniform, normal, lognormal, samples")
            .help(notation_help(ck.format)),
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
                    .unwrap_or_else(|| notation_help(ck.format)),
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
        ck.report(Problem::error(entry.node.span, message).label(format!("expected {shape}")));
        return None;
    }
    let values: Option<Vec<f64>> = items
        .iter()
        .map(|n| number(ck, n, form, Bound::Finite))
        .collect();
    let v = values?;
    if !within_bounds(ck, (form, key), items, &v, bound) {
        return None;
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

fn from_text(
    ck: &mut Checker,
    node: &Node,
    key: &str,
    text: &str,
    bound: Bound,
) -> Option<Distribution> {
    let parsed = parse_text(text).map_err(|why| {
        ck.report(
            Problem::error(node.span, format!("`{key}`: {}", why))
                .label("not a distribution")
                .help(notation_help(ck.format)),
        )
    });
    let (lo, hi) = parsed.ok()?;
    for x in [Some(lo), hi].into_iter().flatten() {
        if !bound.check(ck, node, key, x) {
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

fn invalid(ck: &mut Checker, node: &Node, key: &str, error: DistributionError) {
    let help = match &error {
        DistributionError::Order { lo, hi } if lo > hi => Some(format!("write \"{hi} to {lo}\"")),
        DistributionError::Order { lo, .. } => {
            Some(format!("a fixed value is written as just {lo}"))
        }
        DistributionError::ModeOutside { .. } => {
            Some("order the numbers as [min, mode, max]".into())
        }
        DistributionError::NotPositive(_) => Some(
            "a lognormal never reaches 0: give a positive low end, or write the 90% interval as \
             a string (\"0 to 120\"), which is normal when its low end is 0 or less"
                .into(),
        ),
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
    use super::super::fields::Quantity;
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
        assert_eq!(
            read("5", Bound::Finite).0,
            Some(Distribution::Constant(5.0))
        );
        assert_eq!(
            read("\"20%\"", Bound::Finite).0,
            Some(Distribution::Constant(0.2))
        );
        assert_eq!(
            read("\"-20%\"", Bound::Finite).0,
            Some(Distribution::Constant(-0.2))
        );
        assert_eq!(
            read("\"+3%\"", Bound::Finite).0,
            Some(Distribution::Constant(0.03))
        );
        assert_eq!(
            read("\"5 to 10\"", Bound::Finite).0,
            Distribution::interval(5.0, 10.0).ok()
        );
        assert_eq!(
            read("\"1% to 3%\"", Bound::Finite).0,
            Distribution::interval(0.01, 0.03).ok()
        );
        assert_eq!(
            read("\"-1 to 3\"", Bound::Finite).0,
            Distribution::interval(-1.0, 3.0).ok()
        );
        assert_eq!(
            read("{ pert = [1, 2, 4] }", Bound::Finite).0,
            Distribution::pert(1.0, 2.0, 4.0).ok()
        );
        assert_eq!(
            read("{ triangular = [1, 2, 4] }", Bound::Finite).0,
            Distribution::triangular(1.0, 2.0, 4.0).ok()
        );
        assert_eq!(
            read("{ uniform = [1, 4] }", Bound::Finite).0,
            Distribution::uniform(1.0, 4.0).ok()
        );
        assert_eq!(
            read("{ normal = [1, 4] }", Bound::Finite).0,
            Distribution::normal(1.0, 4.0).ok()
        );
        assert_eq!(
            read("{ lognormal = [1, 4] }", Bound::Finite).0,
            Distribution::lognormal_interval(1.0, 4.0).ok()
        );
        assert_eq!(
            read("{ samples = [3, 5, 2] }", Bound::Finite).0,
            Distribution::samples(vec![3.0, 5.0, 2.0]).ok()
        );
    }

    #[test]
    fn mistakes_are_explained() {
        assert_eq!(
            read("\"10 to 5\"", Bound::Finite).1,
            ["`x`: the low end 10 must be below the high end 5"]
        );
        assert_eq!(
            read("\"5 to 5\"", Bound::Finite).1,
            ["`x`: the low end 5 must be below the high end 5"]
        );
        assert_eq!(
            read("\"1% to 0.03\"", Bound::Finite).1,
            [
                "`x`: \"1% to 0.03\" mixes a percentage with a plain number: write both ends the same way"
            ]
        );
        assert_eq!(
            read("\"lots\"", Bound::Finite).1,
            ["`x`: \"lots\" is not a number or an interval"]
        );
        assert_eq!(
            read("{ pert = [1, 5, 4] }", Bound::Finite).1,
            ["`x`: the mode 5 must lie within [1, 4]"]
        );
        assert_eq!(
            read("{ samples = [] }", Bound::Finite).1,
            ["`samples` needs at least one value"]
        );
        assert_eq!(
            read("{ pret = [1, 2, 3] }", Bound::Finite).1,
            ["unknown distribution `pret`"]
        );
        assert_eq!(
            read("{ uniform = [1, 2, 3] }", Bound::Finite).1,
            ["`uniform` takes [min, max], found 3 numbers"]
        );
        assert_eq!(
            read("\"-5 to 10\"", Bound::NonNegative(Quantity::Days)).1,
            ["`x` must be at least 0, found -5"]
        );
        assert_eq!(
            read("{ samples = [1, -2] }", Bound::NonNegative(Quantity::Days)).1,
            ["`x` must be at least 0, found -2"]
        );
        assert_eq!(
            read("nan", Bound::Finite).1,
            ["`x` must be a finite number"]
        );
    }
}
