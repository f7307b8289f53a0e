//! A scenario file as a tree of values that remember where they were written.
//!
//! TOML and JSON both parse into this one [`Node`] tree, so validation and `--set` work the
//! same on either format and every message can point at the exact text.

use std::borrow::Cow;

use jsonc_parser::ast::{ObjectPropName, Value as JsonValue};
use toml::de::{DeTable, DeValue};

use super::limits::MAX_ITEMS;
use super::problem::{Problem, SourceId, Span};

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What was written.
    pub value: Value,
    /// Where it was written: in the file, or in a `--set` argument.
    pub span: Span,
}

/// A key of a table and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key, unquoted and unescaped.
    pub key: String,
    /// Where the key was written.
    pub key_span: Span,
    /// The key's value.
    pub node: Node,
}

/// The kinds of values a scenario file can hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A table (a JSON object): its entries, in the order written.
    Table(Vec<Entry>),
    /// An array: its elements, in order.
    Array(Vec<Node>),
    /// A string, unescaped.
    String(String),
    /// A number written without fraction or exponent that fits in an `i64`.
    Integer(i64),
    /// Any other number, including integers beyond `i64`.
    Float(f64),
    /// `true` or `false`.
    Boolean(bool),
    /// A TOML date (or date-time), as written.
    Datetime(String),
    /// JSON `null`.
    Null,
}

impl Value {
    /// What kind of value this is, for "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Table(_) => "a table",
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Null => "null",
        }
    }
}

impl Node {
    /// The entries, when this is a table.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Table(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under `key`, when this is a table that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.node)
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Parses TOML, reporting every syntax error the parser can recover from.
pub fn parse_toml(text: &str, source: SourceId) -> Result<Node, Vec<Problem>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|e| {
                let range = e.span().unwrap_or(0..0);
                let message = e.message().trim().trim_end_matches('.').to_string();
                Problem::error(Span::new(source, range.start, range.end), message)
                    .label("TOML syntax")
            })
            .collect());
    }
    let span = table.span();
    let span = Span::new(source, span.start, span.end);
    let mut problems = Vec::new();
    let root = Node {
        value: toml_table(table.into_inner(), span, &mut problems),
        span,
    };
    if problems.is_empty() {
        Ok(root)
    } else {
        Err(problems)
    }
}

fn toml_table(table: DeTable<'_>, span: Span, problems: &mut Vec<Problem>) -> Value {
    too_many(table.len(), "fields", span, problems);
    let source = span.source;
    Value::Table(
        table
            .into_iter()
            .take(MAX_ITEMS)
            .map(|(key, value)| {
                let key_span = key.span();
                let span = value.span();
                Entry {
                    key: key.into_inner().into_owned(),
                    key_span: Span::new(source, key_span.start, key_span.end),
                    node: toml_node(
                        value.into_inner(),
                        Span::new(source, span.start, span.end),
                        problems,
                    ),
                }
            })
            .collect(),
    )
}

/// Reports an array or table with more than [`MAX_ITEMS`] items (`what`: "values", "fields");
/// only the first [`MAX_ITEMS`] are kept.
fn too_many(len: usize, what: &str, span: Span, problems: &mut Vec<Problem>) {
    if len > MAX_ITEMS {
        let help = if what == "values" {
            format!(
                "keep at most {MAX_ITEMS}: a throughput history needs no more than its most recent \
                 {MAX_ITEMS} periods"
            )
        } else {
            format!("a table may have at most {MAX_ITEMS} fields")
        };
        problems.push(
            Problem::error(
                Span::new(span.source, span.start, span.start + 1),
                format!("{len} {what}, more than the {MAX_ITEMS} one array or table may hold"),
            )
            .label(format!("too many {what}"))
            .help(help),
        );
    }
}

fn toml_node(value: DeValue<'_>, span: Span, problems: &mut Vec<Problem>) -> Node {
    let value = match value {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => {
            // TOML integers are i64 by spec; out-of-range ones become floats and are checked
            // against each field's range downstream.
            let digits = i.as_str().replace('_', "");
            match i64::from_str_radix(&digits, i.radix()) {
                Ok(n) => Value::Integer(n),
                Err(_) => Value::Float(digits.parse().unwrap_or(f64::INFINITY)),
            }
        }
        DeValue::Float(f) => Value::Float(parse_float(f.as_str())),
        DeValue::Boolean(b) => Value::Boolean(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => {
            too_many(items.len(), "values", span, problems);
            Value::Array(
                items
                    .into_iter()
                    .take(MAX_ITEMS)
                    .map(|item| {
                        let s = item.span();
                        let span = Span::new(span.source, s.start, s.end);
                        toml_node(item.into_inner(), span, problems)
                    })
                    .collect(),
            )
        }
        DeValue::Table(table) => toml_table(table, span, problems),
    };
    Node { value, span }
}

fn parse_float(text: &str) -> f64 {
    let text: Cow<str> = if text.contains('_') {
        text.replace('_', "").into()
    } else {
        text.into()
    };
    text.parse().unwrap_or(f64::NAN)
}

/// Parses JSON (comments and trailing commas are tolerated).
pub fn parse_json(text: &str, source: SourceId) -> Result<Node, Vec<Problem>> {
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
        .map_err(|e| {
            let range = e.range();
            vec![
                Problem::error(
                    Span::new(
                        source,
                        range.start,
                        range.end.max(range.start + 1).min(text.len()),
                    ),
                    e.kind().to_string(),
                )
                .label("JSON syntax"),
            ]
        })?;
    let Some(value) = parsed.value else {
        return Err(vec![Problem::error(
            Span::new(source, 0, 0),
            "the file is empty: expected a JSON object",
        )]);
    };
    let mut problems = Vec::new();
    let root = json_node(value, source, &mut problems);
    if problems.is_empty() {
        Ok(root)
    } else {
        Err(problems)
    }
}

fn json_node(value: JsonValue<'_>, source: SourceId, problems: &mut Vec<Problem>) -> Node {
    let span = |r: jsonc_parser::common::Range| Span::new(source, r.start, r.end);
    match value {
        JsonValue::StringLit(s) => Node {
            span: span(s.range),
            value: Value::String(s.value.into_owned()),
        },
        JsonValue::NumberLit(n) => Node {
            span: span(n.range),
            value: match n.value.parse::<i64>() {
                Ok(i) => Value::Integer(i),
                Err(_) => Value::Float(parse_float(n.value)),
            },
        },
        JsonValue::BooleanLit(b) => Node {
            span: span(b.range),
            value: Value::Boolean(b.value),
        },
        JsonValue::NullKeyword(n) => Node {
            span: span(n.range),
            value: Value::Null,
        },
        JsonValue::Array(a) => {
            too_many(a.elements.len(), "values", span(a.range), problems);
            Node {
                span: span(a.range),
                value: Value::Array(
                    a.elements
                        .into_iter()
                        .take(MAX_ITEMS)
                        .map(|v| json_node(v, source, problems))
                        .collect(),
                ),
            }
        }
        JsonValue::Object(o) => {
            too_many(o.properties.len(), "fields", span(o.range), problems);
            let mut entries: Vec<Entry> = Vec::new();
            for p in o.properties.into_iter().take(MAX_ITEMS) {
                let (key, key_range) = match p.name {
                    ObjectPropName::String(s) => (s.value.into_owned(), s.range),
                    ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                };
                // JSON allows a key twice and most readers keep the last; TOML forbids it.
                // Say so, rather than let the second one look like an unknown field.
                if entries.iter().any(|e| e.key == key) {
                    problems.push(
                        Problem::error(span(key_range), format!("duplicate key `{key}`"))
                            .label("already set above in this object")
                            .help("keep one of them: JSON readers differ in which one they use"),
                    );
                    continue;
                }
                entries.push(Entry {
                    key,
                    key_span: span(key_range),
                    node: json_node(p.value, source, problems),
                });
            }
            Node {
                span: span(o.range),
                value: Value::Table(entries),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn toml_values_keep_their_spans() {
        let text = "[scenario]\nname = \"x\"\nperiods = 1_000\n\n[[teams]]\nname = \"a\"\n";
        let doc = parse_toml(text, SourceId(0)).unwrap();
        let periods = doc.get("scenario").unwrap().get("periods").unwrap();
        assert_eq!(periods.value, Value::Integer(1000));
        assert_eq!(text_of(text, periods.span), "1_000");
        let Value::Array(teams) = &doc.get("teams").unwrap().value else {
            panic!("teams is an array");
        };
        assert_eq!(text_of(text, teams[0].get("name").unwrap().span), "\"a\"");
    }

    #[test]
    fn json_values_keep_their_spans() {
        let text = "{\n  \"scenario\": { \"periods\": 12, \"name\": \"x\" }\n}";
        let doc = parse_json(text, SourceId(0)).unwrap();
        let periods = doc.get("scenario").unwrap().get("periods").unwrap();
        assert_eq!(periods.value, Value::Integer(12));
        assert_eq!(text_of(text, periods.span), "12");
    }

    #[test]
    fn a_json_key_given_twice_is_a_duplicate_not_an_unknown_field() {
        let text = "{ \"scenario\": { \"periods\": 4, \"periods\": 5 } }";
        let errors = parse_json(text, SourceId(0)).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "duplicate key `periods`");
        assert_eq!(text_of(text, errors[0].span.unwrap()), "\"periods\"");
        assert_eq!(
            errors[0].span.unwrap().start,
            text.rfind("\"periods\"").unwrap()
        );
    }

    #[test]
    fn arrays_and_tables_hold_at_most_the_item_limit() {
        let values = vec!["1"; MAX_ITEMS + 1].join(", ");
        for errors in [
            parse_toml(&format!("a = [{values}]\n"), SourceId(0)).unwrap_err(),
            parse_json(&format!("{{ \"a\": [{values}] }}"), SourceId(0)).unwrap_err(),
        ] {
            assert_eq!(errors.len(), 1);
            assert_eq!(
                errors[0].message,
                "10001 values, more than the 10000 one array or table may hold"
            );
        }
        let fields: Vec<String> = (0..=MAX_ITEMS).map(|i| format!("k{i} = 1")).collect();
        let errors = parse_toml(&fields.join("\n"), SourceId(0)).unwrap_err();
        assert!(
            errors[0].message.starts_with("10001 fields"),
            "{}",
            errors[0].message
        );
        let values = vec!["1"; MAX_ITEMS].join(", ");
        assert!(parse_toml(&format!("a = [{values}]\n"), SourceId(0)).is_ok());
    }

    #[test]
    fn syntax_errors_are_located() {
        let errors = parse_toml("[scenario]\nname = \n", SourceId(0)).unwrap_err();
        assert!(!errors.is_empty());
        assert!(errors[0].span.unwrap().start >= 11);
        let errors = parse_json("{ \"a\": }", SourceId(0)).unwrap_err();
        assert_eq!(errors.len(), 1);
    }
}
