//! Reading typed fields out of the located value tree, collecting every problem on the way
//! rather than stopping at the first.

use super::document::{Entry, Node, Value};
use super::problem::{Problem, Span, did_you_mean};

/// Collects problems while a scenario is compiled.
#[derive(Debug, Default)]
pub struct Checker {
    pub problems: Vec<Problem>,
}

impl Checker {
    /// Records a problem.
    pub fn report(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Records an error at `span`.
    pub fn error(&mut self, span: Span, message: impl Into<String>) {
        self.report(Problem::error(span, message));
    }

    /// Number of errors so far.
    pub fn error_count(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == super::problem::Severity::Error)
            .count()
    }
}

/// The accepted range of a number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    Any,
    NonNegative,
    Positive,
    /// Within [0, 1].
    Fraction,
    /// Within [0, 1).
    BelowOne,
    /// At least -1 (a relative change cannot remove more than everything).
    Change,
}

impl Bound {
    /// Whether `x` is within the range.
    pub fn admits(self, x: f64) -> bool {
        match self {
            Bound::Any => true,
            Bound::NonNegative => x >= 0.0,
            Bound::Positive => x > 0.0,
            Bound::Fraction => (0.0..=1.0).contains(&x),
            Bound::BelowOne => (0.0..1.0).contains(&x),
            Bound::Change => x >= -1.0,
        }
    }

    /// The range in words.
    pub fn describe(self) -> &'static str {
        match self {
            Bound::Any => "any number",
            Bound::NonNegative => "at least 0",
            Bound::Positive => "greater than 0",
            Bound::Fraction => "between 0 and 1",
            Bound::BelowOne => "at least 0 and below 1",
            Bound::Change => "at least -100%",
        }
    }
}

/// The fields of one table being read. Every key read is marked; [`Table::finish`] reports
/// the keys nobody asked for, with the nearest known field as a suggestion.
pub struct Table<'n> {
    node: &'n Node,
    entries: &'n [Entry],
    what: String,
    known: &'static [&'static str],
    used: Vec<bool>,
}

impl<'n> Table<'n> {
    /// Starts reading `node` as the table described by `what` (e.g. "[scenario]"), whose
    /// fields are `known`; `None` (and an error) when it is not a table.
    pub fn new(
        ck: &mut Checker,
        node: &'n Node,
        what: impl Into<String>,
        known: &'static [&'static str],
    ) -> Option<Table<'n>> {
        let what = what.into();
        let Some(entries) = node.entries() else {
            ck.error(
                node.span,
                format!("{what} must be a table, found {}", node.value.kind()),
            );
            return None;
        };
        Some(Table {
            node,
            entries,
            what,
            known,
            used: vec![false; entries.len()],
        })
    }

    /// Where the table is.
    pub fn span(&self) -> Span {
        self.node.span
    }

    /// What the table is, for messages.
    pub fn what(&self) -> &str {
        &self.what
    }

    /// The value under `key`, if present.
    pub fn get(&mut self, key: &str) -> Option<&'n Node> {
        debug_assert!(self.known.contains(&key), "{key} is not a known field");
        let i = self.entries.iter().position(|e| e.key == key)?;
        self.used[i] = true;
        Some(&self.entries[i].node)
    }

    /// Whether `key` is present (without reading it).
    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|e| e.key == key)
    }

    /// The value under `key`; an error when it is missing.
    pub fn required(&mut self, ck: &mut Checker, key: &str, example: &str) -> Option<&'n Node> {
        let node = self.get(key);
        if node.is_none() {
            ck.report(
                Problem::error(self.node.span, format!("{} is missing `{key}`", self.what))
                    .label(format!("needs `{key}`"))
                    .help(format!("add a line such as `{key} = {example}`")),
            );
        }
        node
    }

    /// A number under `key`, when present and valid.
    pub fn number(&mut self, ck: &mut Checker, key: &str, bound: Bound) -> Option<f64> {
        self.get(key).and_then(|n| number(ck, n, key, bound))
    }

    /// A whole number under `key`, when present and valid.
    pub fn integer(&mut self, ck: &mut Checker, key: &str) -> Option<i64> {
        self.get(key).and_then(|n| integer(ck, n, key))
    }

    /// A string under `key`, when present and valid.
    pub fn string(&mut self, ck: &mut Checker, key: &str) -> Option<&'n str> {
        self.get(key).and_then(|n| string(ck, n, key))
    }

    /// A boolean under `key`, when present and valid.
    pub fn boolean(&mut self, ck: &mut Checker, key: &str) -> Option<bool> {
        let node = self.get(key)?;
        match node.value {
            Value::Boolean(b) => Some(b),
            _ => {
                expected(ck, node, key, "true or false");
                None
            }
        }
    }

    /// A period number (1..=periods) under `key`, when present and valid.
    pub fn period(&mut self, ck: &mut Checker, key: &str, periods: usize) -> Option<usize> {
        self.get(key).and_then(|n| period(ck, n, key, periods))
    }

    /// One of `choices` under `key`, when present and valid.
    pub fn choice(
        &mut self,
        ck: &mut Checker,
        key: &str,
        choices: &'static [&'static str],
    ) -> Option<&'static str> {
        self.get(key).and_then(|n| choice(ck, n, key, choices))
    }

    /// Reports every key that was never read.
    pub fn finish(self, ck: &mut Checker) {
        for (entry, used) in self.entries.iter().zip(&self.used) {
            if !used {
                ck.report(
                    Problem::error(
                        entry.key_span,
                        format!("unknown field `{}` in {}", entry.key, self.what),
                    )
                    .label("not a field here")
                    .help(
                        did_you_mean(&entry.key, self.known.iter().copied()).unwrap_or_else(|| {
                            format!("the fields of {} are: {}", self.what, self.known.join(", "))
                        }),
                    ),
                );
            }
        }
    }
}

/// Reports that `node` (the value of `key`) is not of the expected kind.
pub fn expected(ck: &mut Checker, node: &Node, key: &str, what: &str) {
    ck.report(
        Problem::error(
            node.span,
            format!("`{key}` must be {what}, found {}", node.value.kind()),
        )
        .label(format!("expected {what}")),
    );
}

/// A finite number within `bound`.
pub fn number(ck: &mut Checker, node: &Node, key: &str, bound: Bound) -> Option<f64> {
    let x = match node.value {
        Value::Integer(i) => i as f64,
        Value::Float(f) => f,
        _ => {
            expected(ck, node, key, "a number");
            return None;
        }
    };
    if !x.is_finite() {
        ck.report(
            Problem::error(node.span, format!("`{key}` must be a finite number"))
                .label("not finite"),
        );
        return None;
    }
    if !bound.admits(x) {
        ck.report(
            Problem::error(
                node.span,
                format!("`{key}` must be {}, found {x}", bound.describe()),
            )
            .label(format!("out of range: {}", bound.describe())),
        );
        return None;
    }
    Some(x)
}

/// A whole number.
pub fn integer(ck: &mut Checker, node: &Node, key: &str) -> Option<i64> {
    match node.value {
        Value::Integer(i) => Some(i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => Some(f as i64),
        _ => {
            expected(ck, node, key, "a whole number");
            None
        }
    }
}

/// A string.
pub fn string<'n>(ck: &mut Checker, node: &'n Node, key: &str) -> Option<&'n str> {
    match &node.value {
        Value::String(s) => Some(s),
        _ => {
            expected(ck, node, key, "a string");
            None
        }
    }
}

/// A period number within 1..=periods.
pub fn period(ck: &mut Checker, node: &Node, key: &str, periods: usize) -> Option<usize> {
    let p = integer(ck, node, key)?;
    if p < 1 || p as u64 > periods as u64 {
        ck.report(
            Problem::error(
                node.span,
                format!("`{key}` must be a period from 1 to {periods}, found {p}"),
            )
            .label(format!("outside the horizon 1..={periods}")),
        );
        return None;
    }
    Some(p as usize)
}

/// One of a closed set of words.
pub fn choice(
    ck: &mut Checker,
    node: &Node,
    key: &str,
    choices: &'static [&'static str],
) -> Option<&'static str> {
    let s = string(ck, node, key)?;
    if let Some(c) = choices.iter().find(|c| **c == s) {
        return Some(c);
    }
    let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
    ck.report(
        Problem::error(
            node.span,
            format!(
                "`{key}` must be one of {}, found \"{s}\"",
                quoted.join(", ")
            ),
        )
        .label("unknown value")
        .maybe_help(did_you_mean(s, choices.iter().copied())),
    );
    None
}

/// The elements, when `node` is an array.
pub fn array<'n>(ck: &mut Checker, node: &'n Node, key: &str) -> Option<&'n [Node]> {
    match &node.value {
        Value::Array(items) => Some(items),
        _ => {
            expected(ck, node, key, "an array");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::document::parse_toml;
    use super::super::problem::SourceId;
    use super::*;

    #[test]
    fn unread_fields_are_reported_with_a_suggestion() {
        let doc = parse_toml("enginers = 3\nname = \"a\"\n", SourceId(0)).unwrap();
        let mut ck = Checker::default();
        let mut t = Table::new(&mut ck, &doc, "team", &["name", "engineers"]).unwrap();
        assert_eq!(t.string(&mut ck, "name"), Some("a"));
        t.finish(&mut ck);
        assert_eq!(ck.problems.len(), 1);
        assert_eq!(ck.problems[0].message, "unknown field `enginers` in team");
        assert_eq!(
            ck.problems[0].help.as_deref(),
            Some("did you mean `engineers`?")
        );
    }

    #[test]
    fn numbers_are_checked_against_their_bound() {
        let doc = parse_toml("a = -1\nb = \"x\"\nc = nan\nd = 0.5\n", SourceId(0)).unwrap();
        let mut ck = Checker::default();
        let mut t = Table::new(&mut ck, &doc, "t", &["a", "b", "c", "d"]).unwrap();
        assert_eq!(t.number(&mut ck, "a", Bound::NonNegative), None);
        assert_eq!(t.number(&mut ck, "b", Bound::Any), None);
        assert_eq!(t.number(&mut ck, "c", Bound::Any), None);
        assert_eq!(t.number(&mut ck, "d", Bound::Fraction), Some(0.5));
        let messages: Vec<&str> = ck.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`a` must be at least 0, found -1",
                "`b` must be a number, found a string",
                "`c` must be a finite number"
            ]
        );
    }
}
