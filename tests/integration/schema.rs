//! `fulcrum schema`: every example scenario, the `init` template and an imported scenario are
//! valid under it, and it rejects the mistakes an editor should flag.

use std::path::Path;

use serde_json::Value;

use crate::common::{fulcrum, scratch, text};

/// The schema `fulcrum schema` prints.
fn schema() -> Value {
    let out = fulcrum(&["schema"], Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the schema is JSON")
}

/// A TOML document as the JSON an editor validates (dates as strings, as taplo reads them).
fn as_json(toml_text: &str) -> Value {
    fn convert(value: toml::Value) -> Value {
        match value {
            toml::Value::String(s) => Value::String(s),
            toml::Value::Integer(i) => Value::from(i),
            toml::Value::Float(f) => Value::from(f),
            toml::Value::Boolean(b) => Value::Bool(b),
            toml::Value::Datetime(d) => Value::String(d.to_string()),
            toml::Value::Array(items) => Value::Array(items.into_iter().map(convert).collect()),
            toml::Value::Table(table) => {
                Value::Object(table.into_iter().map(|(k, v)| (k, convert(v))).collect())
            }
        }
    }
    convert(toml::from_str(toml_text).expect("the scenario is TOML"))
}

/// The schema's complaints about `instance`, one a line.
fn complaints(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_example_the_template_and_an_import_are_valid() {
    let validator = jsonschema::draft7::new(&schema()).expect("the schema is a valid draft 7");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<(String, String)> = std::fs::read_dir(root.join("scenarios"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .map(|path| {
            (
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect();
    assert!(files.len() >= 5);
    let dir = scratch("valid");
    let template = fulcrum(&["init", "--stdout"], &dir);
    files.push(("fulcrum init --stdout".into(), text(&template.stdout)));
    let import = fulcrum(
        &[
            "import",
            &root
                .join("tests/data/import/jira.csv")
                .display()
                .to_string(),
            "--rules",
            &root
                .join("tests/data/import/rules.toml")
                .display()
                .to_string(),
            "--out",
            "imported",
        ],
        &dir,
    );
    assert!(import.status.success(), "{}", text(&import.stderr));
    let imported = std::fs::read_to_string(dir.join("imported/scenario.toml")).unwrap();
    files.push(("an imported scenario".into(), imported));
    for (name, toml_text) in &files {
        let problems = complaints(&validator, &as_json(toml_text));
        assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
    }
}

#[test]
fn misspelt_fields_and_wrong_values_are_rejected() {
    let validator = jsonschema::draft7::new(&schema()).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(root.join("scenarios/balanced-okrs.toml")).unwrap();
    let valid = as_json(&example);
    /// Where the mistake is, and how to make it.
    type Mistake = (&'static str, fn(&mut Value));
    let cases: [Mistake; 5] = [
        ("/teams/0", |s| s["teams"][0]["enginers"] = 6.into()),
        ("/strategies/0/tech_share", |s| {
            s["strategies"][0]["tech_share"] = 1.2.into()
        }),
        ("/scenario", |s| s["scenario"]["trails"] = 100.into()),
        ("/initiatives/0/kind", |s| {
            s["initiatives"][0]["kind"] = "feature".into()
        }),
        ("/initiatives/0/effort", |s| {
            s["initiatives"][0]["effort"] = serde_json::json!({ "pret": [1, 2, 3] })
        }),
    ];
    for (path, mistake) in cases {
        let mut scenario = valid.clone();
        mistake(&mut scenario);
        let problems = complaints(&validator, &scenario);
        assert!(
            problems.iter().any(|p| p.starts_with(path)),
            "the mistake at {path} went unflagged: {problems:?}"
        );
    }
}
