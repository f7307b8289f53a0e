//! Reading typed fields out of the located value tree, collecting every problem on the way
//! rather than stopping at the first.

use crate::model::{Date, PeriodLength};

use super::document::{Entry, Node, Value};
use super::problem::{Problem, Span, did_you_mean};
use super::syntax::Format;

/// Collects problems while a scenario is compiled.
#[derive(Debug, Default)]
pub struct Checker {
    pub problems: Vec<Problem>,
    /// The format help examples are written in: the file's own.
    pub format: Format,
}

impl Checker {
    /// A checker whose help examples are written in `format`.
    pub fn new(format: Format) -> Checker {
        Checker {
            problems: Vec::new(),
            format,
        }
    }

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

/// The kinds of quantity a scenario holds, each with the largest magnitude the model
/// represents faithfully: the one table of these limits.
///
/// Why limits at all: the simulator's statistics sum values in fixed point, exact only below
/// about 10⁷, and the allocator's solver loses its footing near 10¹². Each limit is far above
/// any real organisation's figure and leaves room for sums over teams and periods; a number
/// beyond it is a typo or a unit mistake, and is reported where it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// Engineer-days, or a capacity team's own unit: efforts, debt, incident costs, risk
    /// impacts, capacities per period, ceilings and debt levels.
    Days,
    /// Headcount: engineers, hires, event changes, parallelism caps.
    Engineers,
    /// Value towards a delivery key result, and its target.
    Value,
    /// The weight of a key result within its owner's set.
    Weight,
    /// Debt days per day of work: accrual and paydown efficiency.
    Ratio,
    /// Incidents per team and period: base rates and incident-metric levels.
    Incidents,
    /// Growth of the incident rate per engineer-day of debt.
    Sensitivity,
    /// A relative change: scope growth, `on_done` effects, an event's capacity change.
    Change,
    /// Compound interest on debt per period.
    Interest,
    /// Shares, probabilities and fractions: within [0, 1] by their bound already.
    Fraction,
}

impl Quantity {
    /// The largest magnitude accepted.
    pub fn limit(self) -> f64 {
        match self {
            Quantity::Days | Quantity::Value | Quantity::Weight => 1e6,
            Quantity::Engineers | Quantity::Incidents => 1e4,
            Quantity::Ratio | Quantity::Change => 100.0,
            Quantity::Sensitivity | Quantity::Interest | Quantity::Fraction => 1.0,
        }
    }

    /// The limit in words, with its unit.
    pub fn describe_limit(self) -> String {
        match self {
            Quantity::Days => "1,000,000 engineer-days (or units of the team's capacity)".into(),
            Quantity::Engineers => "10,000 engineers".into(),
            Quantity::Value | Quantity::Weight => "1,000,000".into(),
            Quantity::Ratio => "100 debt days per day of work".into(),
            Quantity::Incidents => "10,000 incidents per period".into(),
            Quantity::Sensitivity => "1 per engineer-day of debt".into(),
            Quantity::Change => "+10000%".into(),
            Quantity::Interest => "+100% per period".into(),
            Quantity::Fraction => "1".into(),
        }
    }

    /// What to do about a number beyond the limit.
    pub fn advice(self) -> &'static str {
        match self {
            Quantity::Days => {
                "a million engineer-days is about 4,000 engineer-years: if this is not a typo, \
                 count this team's work in a larger unit (engineer-weeks, or thousands of items)"
            }
            Quantity::Engineers => "split an organisation this large into several teams",
            Quantity::Value => {
                "only a value's ratio to its key result's target matters: express both in \
                 thousands (or millions)"
            }
            Quantity::Weight => "weights are relative: divide every weight by the same number",
            Quantity::Ratio => "it counts debt engineer-days per engineer-day of work",
            Quantity::Incidents => "count incidents per team and period",
            Quantity::Sensitivity => {
                "the incident rate grows by this fraction per engineer-day of debt (e.g. 0.002)"
            }
            Quantity::Change => "a relative change is a percentage: \"+30%\" is 0.3",
            Quantity::Interest => "interest is per period: 1% per period is \"1%\" or 0.01",
            Quantity::Fraction => "write a fraction between 0 and 1, or a percentage",
        }
    }

    /// `x` in this quantity's notation (relative changes as percentages), short for huge
    /// numbers.
    pub fn show(self, x: f64) -> String {
        match self {
            Quantity::Change | Quantity::Interest => format!("{}%", show(x * 100.0)),
            _ => show(x),
        }
    }
}

/// A number for a message: as written for ordinary magnitudes, in scientific notation for
/// huge or tiny ones (`1e308` is not printed as 309 digits).
pub fn show(x: f64) -> String {
    if x != 0.0 && !(1e-6..1e9).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// The accepted range of a number: its sign or interval, and the kind of quantity whose
/// magnitude limit applies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// Any finite number (the items of a distribution, checked by the distribution's bound).
    Finite,
    /// Either sign, magnitude within the quantity's limit.
    Any(Quantity),
    NonNegative(Quantity),
    Positive(Quantity),
    /// Within [0, 1].
    Fraction,
    /// Within [0, 1).
    BelowOne,
    /// At least -1 (a relative change cannot remove more than everything), at most the
    /// quantity's limit.
    Change(Quantity),
}

impl Bound {
    /// Whether `x` has the right sign or lies in the right interval (magnitude aside).
    pub fn admits(self, x: f64) -> bool {
        match self {
            Bound::Finite | Bound::Any(_) => true,
            Bound::NonNegative(_) => x >= 0.0,
            Bound::Positive(_) => x > 0.0,
            Bound::Fraction => (0.0..=1.0).contains(&x),
            Bound::BelowOne => (0.0..1.0).contains(&x),
            Bound::Change(_) => x >= -1.0,
        }
    }

    /// The range in words.
    pub fn describe(self) -> &'static str {
        match self {
            Bound::Finite | Bound::Any(_) => "any number",
            Bound::NonNegative(_) => "at least 0",
            Bound::Positive(_) => "greater than 0",
            Bound::Fraction => "between 0 and 1",
            Bound::BelowOne => "at least 0 and below 1",
            Bound::Change(_) => "at least -100%",
        }
    }

    /// The kind of quantity, whose limit caps the magnitude.
    pub fn quantity(self) -> Option<Quantity> {
        match self {
            Bound::Finite => None,
            Bound::Fraction | Bound::BelowOne => Some(Quantity::Fraction),
            Bound::Any(q) | Bound::NonNegative(q) | Bound::Positive(q) | Bound::Change(q) => {
                Some(q)
            }
        }
    }

    /// Reports `x` (written at `node`, the value of `key`) when it is outside the bound or
    /// beyond its quantity's limit; whether it is accepted.
    pub fn check(self, ck: &mut Checker, node: &Node, key: &str, x: f64) -> bool {
        if !self.admits(x) {
            let shown = self.quantity().map_or_else(|| show(x), |q| q.show(x));
            ck.report(
                Problem::error(
                    node.span,
                    format!("`{key}` must be {}, found {shown}", self.describe()),
                )
                .label(format!("out of range: {}", self.describe())),
            );
            return false;
        }
        match self.quantity() {
            Some(q) if x.abs() > q.limit() => {
                ck.report(
                    Problem::error(
                        node.span,
                        format!(
                            "`{key}` is {}: beyond the largest this model represents, {}",
                            q.show(x),
                            q.describe_limit()
                        ),
                    )
                    .label(format!("at most {}", q.describe_limit()))
                    .help(q.advice()),
                );
                false
            }
            _ => true,
        }
    }
}

/// The planning horizon, for reading periods: how many, and their calendar when known.
#[derive(Clone, Debug, PartialEq)]
pub struct Horizon {
    pub periods: usize,
    pub start: Option<Date>,
    /// `None` when `[scenario]` has a mistake: checks that need it are left out.
    pub length: Option<PeriodLength>,
    /// The working days periods of days count (`None`: every day).
    pub calendar: Option<crate::model::Calendar>,
}

impl Horizon {
    /// The last day of period `t`, on the scenario's calendar, when the horizon has a start.
    fn period_end(&self, t: usize) -> Option<Date> {
        let (start, length) = self.start.zip(self.length)?;
        Some(match &self.calendar {
            Some(calendar) => start.period_end_on(length, t, calendar),
            None => start.period_end(length, t),
        })
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
                    .help(format!(
                        "add a line such as `{}`",
                        ck.format.field(key, example)
                    )),
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

    /// A period number of the horizon under `key`, when present and valid.
    pub fn period(&mut self, ck: &mut Checker, key: &str, horizon: &Horizon) -> Option<usize> {
        self.get(key).and_then(|n| period(ck, n, key, horizon))
    }

    /// One of `all` under `key`, written as its `word`, when present and valid.
    pub fn named<T: Copy>(
        &mut self,
        ck: &mut Checker,
        key: &str,
        all: &[T],
        word: fn(T) -> &'static str,
    ) -> Option<T> {
        self.get(key).and_then(|n| named(ck, n, key, all, word))
    }

    /// Reports every key that was never read. A known field left unread was skipped because
    /// of another mistake (an unknown rule, say), which is reported already.
    pub fn finish(self, ck: &mut Checker) {
        for (entry, used) in self.entries.iter().zip(&self.used) {
            if !used && !self.known.contains(&entry.key.as_str()) {
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

/// A finite number within `bound`. A string holding one number of the distribution notation
/// (`"20%"`, `"0.2"`) is read like it, so percentages work in every numeric field.
pub fn number(ck: &mut Checker, node: &Node, key: &str, bound: Bound) -> Option<f64> {
    let x = match &node.value {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        Value::String(text) => match parse_text(text) {
            Ok((x, None)) => x,
            Ok((_, Some(_))) => {
                ck.report(
                    Problem::error(
                        node.span,
                        format!("`{key}` takes a single number, not an interval"),
                    )
                    .label("one number")
                    .help(format!(
                        "write one value, e.g. {}",
                        ck.format.field(key, "0.2")
                    )),
                );
                return None;
            }
            Err(_) => {
                expected(ck, node, key, "a number");
                return None;
            }
        },
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
    bound.check(ck, node, key, x).then_some(x)
}

/// `"x"`, `"x%"`, `"lo to hi"` or `"lo% to hi%"` as (lo, Some(hi)) or (x, None).
pub fn parse_text(text: &str) -> Result<(f64, Option<f64>), String> {
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

/// A period number within the horizon. A date in its place is explained: periods are
/// numbered, and with a start date the message says which period the date falls in.
pub fn period(ck: &mut Checker, node: &Node, key: &str, horizon: &Horizon) -> Option<usize> {
    let periods = horizon.periods;
    if let Some(date) = written_date(node) {
        return date_to_period(ck, node, key, date, horizon);
    }
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

/// The date written at `node`, if it is one (a TOML date, or a string such as "2027-06-30").
fn written_date(node: &Node) -> Option<Date> {
    match &node.value {
        Value::Datetime(text) | Value::String(text) => text.get(..10)?.parse().ok(),
        _ => None,
    }
}

/// The period a date written where a period belongs falls in, on the scenario's calendar
/// (`deadline = 2027-04-01` is the period holding 1 April, judged at that period's end); an
/// error when the scenario has no `start` or the date is outside the horizon.
fn date_to_period(
    ck: &mut Checker,
    node: &Node,
    key: &str,
    date: Date,
    horizon: &Horizon,
) -> Option<usize> {
    let help = match horizon.start {
        None => format!(
            "write the number of the period (1 to {}), or add `start` to [scenario]: it gives \
             period 1 its first day, and dates are then read as the period they fall in",
            horizon.periods
        ),
        Some(start) if date < start => {
            format!("{date} is before period 1, which starts on {start}")
        }
        Some(_) if horizon.length.is_none() => return None,
        Some(_) => {
            if let Some(t) = (1..=horizon.periods)
                .find(|&t| horizon.period_end(t).is_some_and(|end| date <= end))
            {
                return Some(t);
            }
            format!(
                "{date} is after the horizon, which ends on {} (period {})",
                horizon
                    .period_end(horizon.periods)
                    .map_or_else(String::new, |d| d.to_string()),
                horizon.periods
            )
        }
    };
    let message = match horizon.start {
        None => format!("`{key}` is a date, but the scenario has no `start` to count from"),
        Some(_) => format!("`{key}` is a date outside the scenario's periods"),
    };
    ck.report(
        Problem::error(node.span, message)
            .label("a date")
            .help(help),
    );
    None
}

/// One of a closed set of values, each written in the file as its `word`; the error lists
/// them in the order of `all`.
pub fn named<T: Copy>(
    ck: &mut Checker,
    node: &Node,
    key: &str,
    all: &[T],
    word: fn(T) -> &'static str,
) -> Option<T> {
    let words: Vec<&'static str> = all.iter().map(|&value| word(value)).collect();
    let chosen = choice(ck, node, key, &words)?;
    all.iter().copied().find(|&value| word(value) == chosen)
}

/// One of a closed set of words.
pub fn choice(
    ck: &mut Checker,
    node: &Node,
    key: &str,
    choices: &[&'static str],
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
        assert_eq!(
            t.number(&mut ck, "a", Bound::NonNegative(Quantity::Days)),
            None
        );
        assert_eq!(t.number(&mut ck, "b", Bound::Finite), None);
        assert_eq!(t.number(&mut ck, "c", Bound::Finite), None);
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

    #[test]
    fn magnitudes_beyond_their_quantitys_limit_are_rejected() {
        let doc = parse_toml("a = 1e308\nb = 1e6\nc = -20000\n", SourceId(0)).unwrap();
        let mut ck = Checker::default();
        let mut t = Table::new(&mut ck, &doc, "t", &["a", "b", "c"]).unwrap();
        assert_eq!(
            t.number(&mut ck, "a", Bound::NonNegative(Quantity::Engineers)),
            None
        );
        assert_eq!(
            t.number(&mut ck, "b", Bound::NonNegative(Quantity::Days)),
            Some(1e6)
        );
        assert_eq!(
            t.number(&mut ck, "c", Bound::Any(Quantity::Engineers)),
            None
        );
        let messages: Vec<&str> = ck.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`a` is 1e308: beyond the largest this model represents, 10,000 engineers",
                "`c` is -20000: beyond the largest this model represents, 10,000 engineers"
            ]
        );
        assert_eq!(
            ck.problems[0].help.as_deref(),
            Some("split an organisation this large into several teams")
        );
    }

    #[test]
    fn percentages_are_numbers_everywhere() {
        let doc = parse_toml("a = \"20%\"\nb = \"0.3\"\nc = \"1 to 2\"\n", SourceId(0)).unwrap();
        let mut ck = Checker::default();
        let mut t = Table::new(&mut ck, &doc, "t", &["a", "b", "c"]).unwrap();
        assert_eq!(t.number(&mut ck, "a", Bound::Fraction), Some(0.2));
        assert_eq!(t.number(&mut ck, "b", Bound::Fraction), Some(0.3));
        assert_eq!(t.number(&mut ck, "c", Bound::Fraction), None);
        assert_eq!(
            ck.problems[0].message,
            "`c` takes a single number, not an interval"
        );
    }

    #[test]
    fn a_date_for_a_period_is_the_period_it_falls_in() {
        let doc = parse_toml(
            "a = 2027-02-01\nb = \"2027-01-04\"\nc = 2026-12-31\nd = 2030-01-01\ne = 2027-01-17\n",
            SourceId(0),
        )
        .unwrap();
        let mut horizon = Horizon {
            periods: 26,
            start: "2027-01-04".parse().ok(),
            length: Some(PeriodLength::TWO_WEEKS),
            calendar: None,
        };
        let mut ck = Checker::default();
        let read = |ck: &mut Checker, key: &str, horizon: &Horizon| {
            period(ck, doc.get(key).unwrap(), key, horizon)
        };
        // Period 3 runs 2027-02-01 to 2027-02-14; period 1 ends on 2027-01-17.
        assert_eq!(read(&mut ck, "a", &horizon), Some(3));
        assert_eq!(read(&mut ck, "b", &horizon), Some(1));
        assert_eq!(read(&mut ck, "e", &horizon), Some(1));
        assert_eq!(read(&mut ck, "c", &horizon), None);
        assert_eq!(read(&mut ck, "d", &horizon), None);
        horizon.start = None;
        assert_eq!(read(&mut ck, "a", &horizon), None);
        let helps: Vec<&str> = ck
            .problems
            .iter()
            .map(|p| p.help.as_deref().unwrap())
            .collect();
        assert_eq!(
            helps,
            [
                "2026-12-31 is before period 1, which starts on 2027-01-04",
                "2030-01-01 is after the horizon, which ends on 2028-01-02 (period 26)",
                "write the number of the period (1 to 26), or add `start` to [scenario]: it \
                 gives period 1 its first day, and dates are then read as the period they fall in"
            ]
        );
        assert_eq!(
            ck.problems[0].message,
            "`c` is a date outside the scenario's periods"
        );
    }

    #[test]
    fn huge_and_tiny_numbers_are_shown_short() {
        assert_eq!(show(1e308), "1e308");
        assert_eq!(show(2.5), "2.5");
        assert_eq!(show(-1e-9), "-1e-9");
        assert_eq!(
            Quantity::Change.show(1.8446744073709552e17),
            "1.8446744073709552e19%"
        );
    }
}
