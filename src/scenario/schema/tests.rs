//! The schema and the loader agree: the same fields, every example loads.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::super::compile::SECTIONS;
use super::super::{Format, load_str};
use super::fields::FIELDS;
use super::scenario_schema;

#[test]
fn every_field_the_loader_reads_is_described_and_nothing_else() {
    for (section, names) in SECTIONS {
        let read: BTreeSet<&str> = names.iter().copied().collect();
        let described: BTreeSet<&str> = FIELDS
            .iter()
            .filter(|f| f.section == section)
            .map(|f| f.name)
            .collect();
        assert_eq!(
            read, described,
            "`{section}`: the loader's fields (left) and schema/fields.rs (right) differ"
        );
    }
    for field in FIELDS {
        assert!(
            SECTIONS.iter().any(|(s, _)| *s == field.section),
            "`{}` of `{}`: the loader reads no such table",
            field.name,
            field.section
        );
    }
}

/// A small valid scenario with an element of every table, as JSON.
fn base() -> Value {
    json!({
        "scenario": { "name": "base", "periods": 26, "start": "2027-01-04" },
        "okrs": { "key_results": [
            { "id": "checkout-conversion", "owner": "product", "target": 3 },
            { "id": "debt-down", "owner": "technology", "metric": "debt", "below": 300 }
        ] },
        "debt": { "initial": 400, "drag_max": 0.3, "drag_half": 800 },
        "incidents": { "base_rate": 0.5 },
        "teams": [
            { "name": "checkout", "engineers": 6, "hires": [{ "period": 8, "engineers": 1 }] }
        ],
        "initiatives": [
            { "id": "payments-v2", "kind": "tech", "team": "checkout", "effort": 40 },
            { "id": "one-click-checkout", "kind": "product", "team": "checkout",
              "effort": 50, "deadline": 20, "on_done": {},
              "contributes": { "checkout-conversion": 3 } }
        ],
        "risks": [{ "id": "outage", "team": "checkout", "likelihood": 0.3, "impact": 10 }],
        "events": [{ "team": "checkout", "periods": [6], "capacity": "-20%" }],
        "strategies": [
            { "name": "fixed", "rule": "fixed_share", "tech_share": 0.2 },
            { "name": "ceiling", "rule": "debt_ceiling", "ceiling": 300, "above": 0.5, "below": 0.1 },
            { "name": "optimised", "rule": "optimised" },
            { "name": "phased", "rule": "schedule", "phases": [{ "tech_share": 0.2 }] },
            { "name": "budget", "rule": "error_budget", "tech_share": 0.2, "incidents": 6, "window": 4 },
            { "name": "lights", "rule": "lights_on_cap", "tech_share": 0.2, "raised_share": 0.4,
              "unplanned_share": 0.3, "periods": 2 },
            { "name": "reactive", "rule": "reactive", "tech_share": 0.3, "raised_share": 0.5,
              "when": { "debt_above": 800, "error_budget": { "incidents": 6, "window": 4 },
                        "unplanned_above": { "share": 0.3, "periods": 2 } } }
        ]
    })
}

/// The table of `base` a field of `section` named `name` is tried in, with the fields its
/// example excludes removed (a team's `capacity` excludes `engineers`, …).
fn table_for<'v>(scenario: &'v mut Value, section: &str, name: &str) -> &'v mut Value {
    let (table, excluded): (&mut Value, &[&str]) = match section {
        "" => (scenario, &[]),
        "okrs.key_results[]" => match name {
            "metric" | "below" | "team" => (&mut scenario["okrs"]["key_results"][1], &[]),
            "above" => (&mut scenario["okrs"]["key_results"][1], &["below"]),
            _ => (&mut scenario["okrs"]["key_results"][0], &[]),
        },
        "teams[]" if name == "capacity" => (&mut scenario["teams"][0], &["engineers", "hires"]),
        "teams[]" => (&mut scenario["teams"][0], &[]),
        "teams[].hires[]" => (&mut scenario["teams"][0]["hires"][0], &[]),
        "initiatives[]" => (&mut scenario["initiatives"][1], &[]),
        "initiatives[].on_done" => (&mut scenario["initiatives"][1]["on_done"], &[]),
        "risks[]" => (&mut scenario["risks"][0], &[]),
        "events[]" if name == "engineers" => (&mut scenario["events"][0], &["capacity"]),
        "events[]" => (&mut scenario["events"][0], &[]),
        "strategies[]" => match name {
            "ceiling" | "above" | "below" => (&mut scenario["strategies"][1], &[]),
            "min_tech_share" | "max_tech_share" | "deadline_confidence" => {
                (&mut scenario["strategies"][2], &[])
            }
            "phases" | "team_phases" => (&mut scenario["strategies"][3], &[]),
            "frozen_share" | "incidents" | "window" => (&mut scenario["strategies"][4], &[]),
            "incident_days" => (&mut scenario["strategies"][4], &["incidents"]),
            "raised_share" | "unplanned_share" | "periods" => (&mut scenario["strategies"][5], &[]),
            "when" => (&mut scenario["strategies"][6], &[]),
            _ => (&mut scenario["strategies"][0], &[]),
        },
        "strategies[].when" => (&mut scenario["strategies"][6]["when"], &[]),
        "strategies[].when.error_budget" => (
            &mut scenario["strategies"][6]["when"]["error_budget"],
            if name == "incident_days" {
                &["incidents"]
            } else {
                &[]
            },
        ),
        "strategies[].when.unplanned_above" => (
            &mut scenario["strategies"][6]["when"]["unplanned_above"],
            &[],
        ),
        plain => (&mut scenario[plain], &[]),
    };
    for key in excluded {
        table.as_object_mut().unwrap().remove(*key);
    }
    table
}

#[test]
fn every_example_loads() {
    let loads = |scenario: &Value| {
        load_str("base.json", &scenario.to_string(), Format::Json)
            .map_err(|error| format!("{error:?}"))
    };
    loads(&base()).expect("the base scenario loads");
    let mut tried = 0;
    for field in FIELDS {
        let Some(example) = field.example else {
            continue;
        };
        let mut scenario = base();
        let value: Value = serde_json::from_str(example).expect("examples are JSON");
        table_for(&mut scenario, field.section, field.name)[field.name] = value;
        if let Err(error) = loads(&scenario) {
            panic!(
                "the example of `{}` in `{}`, {example}, does not load: {error}",
                field.name, field.section
            );
        }
        tried += 1;
    }
    assert!(tried > 70, "only {tried} examples");
}

#[test]
fn the_schema_describes_every_property() {
    fn walk(schema: &Value, path: &str, found: &mut usize) {
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                // The rules' `then` branches forbid fields with `false`: no description.
                if property.is_object() {
                    assert!(
                        property.get("description").is_some(),
                        "{path}.{name} has no description"
                    );
                    *found += 1;
                }
                walk(property, &format!("{path}.{name}"), found);
            }
        }
        if let Some(items) = schema.get("items") {
            walk(items, &format!("{path}[]"), found);
        }
    }
    let schema = scenario_schema();
    let mut found = 0;
    walk(&schema, "", &mut found);
    // A schedule phase's `until` and `tech_share` are described inline, not in FIELDS.
    assert_eq!(found, FIELDS.len() + 2);
}
