//! The JSON Schema of the scenario file (`fulcrum schema`), for editors that complete and
//! check what is typed (taplo / Even Better TOML, VS Code). Its properties are the loader's own
//! field tables (`compile::SECTIONS`, the strategy rules, the distribution forms); this module
//! adds what a reader needs per field: its type, bounds, a description and an example. The
//! tests check that every field the loader reads is described here and nothing else is, and
//! that every example loads.
//!
//! Draft 7, which the editors named above read; the loader stays the judge (cross-field rules
//! such as references to team names are only in its messages).

use serde_json::{Map, Value, json};

use super::compile::{SECTIONS, STRATEGY_RULES};
use super::distribution::FORMS;
use super::fields::{Bound, Quantity};

mod fields;

use fields::{FIELDS, Field, Kind};

/// A number as the notation writes it, alone or as an interval (`"20%"`, `"5 to 10"`).
const NUMBER_TEXT: &str = r"[+-]?[0-9._eE-]+\s*%?";

/// The schema of the scenario file, as a JSON value.
pub fn scenario_schema() -> Value {
    let mut root = section("");
    let root_object = root.as_object_mut().expect("a section is an object");
    root_object.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-07/schema#"),
    );
    root_object.insert("title".into(), json!("fulcrum scenario"));
    root_object.insert(
        "description".into(),
        json!(
            "A fulcrum scenario: teams, initiatives, key results, debt, incidents, risks, \
             events and the strategies to compare. `fulcrum init --stdout` prints a commented \
             example; `fulcrum validate FILE` checks a file with located messages."
        ),
    );
    root
}

/// The object schema of the table at `path` (`teams[]`: each element of `teams`).
fn section(path: &str) -> Value {
    let (_, names) = SECTIONS
        .iter()
        .find(|(p, _)| *p == path)
        .unwrap_or_else(|| panic!("the loader reads no table `{path}`"));
    let mut properties = Map::new();
    let mut required = Vec::new();
    for name in *names {
        let field = field(path, name);
        if field.required {
            required.push(json!(name));
        }
        properties.insert((*name).to_string(), property(path, field));
    }
    let mut object = json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    });
    if !required.is_empty() {
        object["required"] = Value::Array(required);
    }
    match path {
        "teams[]" => {
            object["oneOf"] = json!([{ "required": ["engineers"] }, { "required": ["capacity"] }]);
        }
        "strategies[]" => object["allOf"] = strategy_rules(),
        _ => {}
    }
    object
}

/// The documentation of field `name` of the table at `path`.
fn field(path: &str, name: &str) -> &'static Field {
    FIELDS
        .iter()
        .find(|f| f.section == path && f.name == name)
        .unwrap_or_else(|| panic!("`{name}` of `{path}` is not described in schema/fields.rs"))
}

/// One property: its kind's schema with the description and the example.
fn property(path: &str, field: &Field) -> Value {
    let mut schema = kind(path, field);
    let object = schema.as_object_mut().expect("a kind is an object");
    object.insert("description".into(), json!(field.description));
    if let Some(example) = field.example {
        let value: Value = serde_json::from_str(example).expect("examples are JSON");
        object.insert("examples".into(), json!([value]));
    }
    schema
}

fn kind(path: &str, field: &Field) -> Value {
    let child = |name: &str| {
        if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    match field.kind {
        Kind::Text => json!({ "type": "string" }),
        Kind::Name => json!({
            "type": "string",
            "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$",
        }),
        Kind::Integer { min } => json!({ "type": "integer", "minimum": min }),
        Kind::AnyInteger => json!({ "type": "integer" }),
        Kind::Bool => json!({ "type": "boolean" }),
        Kind::Date => date(),
        Kind::Dates => json!({ "type": "array", "items": date() }),
        Kind::PeriodLength => json!({ "type": "string", "pattern": "^[0-9]*(d|w|mo|q)$" }),
        Kind::Period => period(),
        Kind::Periods => json!({
            "type": "array",
            "minItems": 1,
            "items": period(),
        }),
        Kind::Window => json!({
            "type": "array",
            "minItems": 2,
            "maxItems": 2,
            "items": period(),
        }),
        Kind::Choice(words) => json!({ "type": "string", "enum": words }),
        Kind::Names => json!({ "type": "array", "items": { "type": "string" } }),
        Kind::Number(bound) => number(bound),
        Kind::Distribution(bound) => distribution(bound),
        Kind::Contributions => json!({
            "type": "object",
            "additionalProperties": distribution(Bound::Any(Quantity::Value)),
        }),
        Kind::Table => section(&child(field.name)),
        Kind::Tables { at_least } => json!({
            "type": "array",
            "minItems": at_least,
            "items": section(&format!("{}[]", child(field.name))),
        }),
        Kind::Phases => phases(),
        Kind::PhasesByTeam => json!({ "type": "object", "additionalProperties": phases() }),
    }
}

/// `schema` with a description.
fn described(mut schema: Value, description: &str) -> Value {
    schema["description"] = json!(description);
    schema
}

/// A schedule's phases: each its `tech_share` and, but for the last, its `until`.
fn phases() -> Value {
    json!({
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["tech_share"],
            "properties": {
                "until": described(period(), "The phase's last period, or a date in it; left out in the last phase, which runs to the end."),
                "tech_share": described(number(Bound::Fraction), "The tech share throughout the phase, in [0, 1]."),
            },
        },
    })
}

/// A TOML date, or a string holding one (JSON has no dates).
/// A period: its number, or a date in it (read with the scenario's calendar).
fn period() -> Value {
    json!({ "anyOf": [{ "type": "integer", "minimum": 1 }, date()] })
}

fn date() -> Value {
    json!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}" })
}

/// An end of a range: the number, and whether it is excluded.
type End = Option<(f64, bool)>;

/// The minimum and maximum a bound allows.
fn limits(bound: Bound) -> (End, End) {
    let limit = bound.quantity().map(Quantity::limit);
    match bound {
        Bound::Finite => (None, None),
        Bound::Any(_) => (limit.map(|l| (-l, false)), limit.map(|l| (l, false))),
        Bound::NonNegative(_) => (Some((0.0, false)), limit.map(|l| (l, false))),
        Bound::Positive(_) => (Some((0.0, true)), limit.map(|l| (l, false))),
        Bound::Fraction => (Some((0.0, false)), Some((1.0, false))),
        Bound::BelowOne => (Some((0.0, false)), Some((1.0, true))),
        Bound::Change(_) => (Some((-1.0, false)), limit.map(|l| (l, false))),
    }
}

/// A plain number within `bound`, or a string holding one (`"20%"`).
fn number(bound: Bound) -> Value {
    let mut plain = json!({ "type": "number" });
    let (low, high) = limits(bound);
    if let Some((x, excluded)) = low {
        let key = if excluded {
            "exclusiveMinimum"
        } else {
            "minimum"
        };
        plain[key] = json!(x);
    }
    if let Some((x, excluded)) = high {
        let key = if excluded {
            "exclusiveMaximum"
        } else {
            "maximum"
        };
        plain[key] = json!(x);
    }
    json!({
        "anyOf": [
            plain,
            { "type": "string", "pattern": format!(r"^\s*{NUMBER_TEXT}\s*$") },
        ]
    })
}

/// A distribution: a number, a string of the notation, or a table of one of the forms.
fn distribution(bound: Bound) -> Value {
    let mut forms: Vec<Value> = vec![
        number(bound)["anyOf"][0].clone(),
        json!({
            "type": "string",
            "pattern": format!(r"^\s*{NUMBER_TEXT}(\s+to\s+{NUMBER_TEXT})?\s*$"),
        }),
    ];
    for (form, arity, shape) in FORMS {
        let mut numbers = json!({ "type": "array", "items": { "type": "number" }, "minItems": 1 });
        if let Some(n) = arity {
            numbers["minItems"] = json!(n);
            numbers["maxItems"] = json!(n);
        }
        numbers["description"] = json!(shape);
        forms.push(json!({
            "type": "object",
            "properties": { form: numbers },
            "required": [form],
            "additionalProperties": false,
        }));
    }
    json!({ "anyOf": forms })
}

/// For each strategy rule, the other rules' fields it does not take.
fn strategy_rules() -> Value {
    let rules: Vec<Value> = STRATEGY_RULES
        .iter()
        .map(|(rule, own)| {
            let foreign: Map<String, Value> = STRATEGY_RULES
                .iter()
                .filter(|(other, _)| other != rule)
                .flat_map(|(_, fields)| fields.iter())
                .filter(|f| !own.contains(f))
                .map(|f| ((*f).to_string(), Value::Bool(false)))
                .collect();
            json!({
                "if": { "properties": { "rule": { "const": rule } }, "required": ["rule"] },
                "then": { "properties": foreign },
            })
        })
        .collect();
    Value::Array(rules)
}

#[cfg(test)]
mod tests;
