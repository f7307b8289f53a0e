//! A scenario file's text with `--set` assignments written into it, so a what-if decided
//! interactively can be saved and committed: comments, key order and layout stay as they were.
//!
//! Paths resolve exactly as `--set` resolves them ([`overrides::locate`]); TOML is edited with
//! `toml_edit`, JSON with `jsonc-parser`'s concrete syntax tree.

use jsonc_parser::cst::{CstArray, CstInputValue, CstNode, CstObject, CstRootNode};
use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike};

use super::Format;
use super::document::{Node, Value};
use super::overrides::{self, Step};
use super::problem::{Problem, Problems, Sources};

/// `text` (the file `file`, in `format`) with every assignment of `sets` written into it, in
/// order. Problems are those `--set` reports (a malformed assignment, an unknown element);
/// the result is not validated: compile it to check it.
pub fn rewrite(
    file: &str,
    text: &str,
    format: Format,
    sets: &[String],
) -> Result<String, Problems> {
    let mut sources = Sources::default();
    let id = sources.add(file, text);
    let parsed = match format {
        Format::Toml => super::document::parse_toml(text, id),
        Format::Json => super::document::parse_json(text, id),
    };
    let mut root = parsed.map_err(|items| Problems {
        sources: sources.clone(),
        items,
    })?;
    let mut editor = match format {
        Format::Toml => Editor::Toml(text.parse::<DocumentMut>().map_err(|e| {
            problems(
                &sources,
                format!("cannot edit {file} as TOML: {}", e.message()),
            )
        })?),
        Format::Json => Editor::Json(
            CstRootNode::parse(text, &Default::default())
                .map_err(|e| problems(&sources, format!("cannot edit {file} as JSON: {e}")))?,
        ),
    };
    for set in sets {
        let id = sources.add(format!("--set {set}"), set.clone());
        let located = overrides::parse_assignment(set, id).and_then(|assignment| {
            let steps = overrides::locate(&root, &assignment.path)?;
            let value = assignment.value.clone();
            overrides::apply(&mut root, assignment)?;
            Ok((steps, value))
        });
        let (steps, value) = located.map_err(|p| Problems {
            sources: sources.clone(),
            items: vec![p],
        })?;
        if editor.set(&steps, &value).is_none() {
            return Err(problems(
                &sources,
                format!("cannot write `--set {set}` into {file}; pass it on the command line"),
            ));
        }
    }
    Ok(match editor {
        Editor::Toml(document) => document.to_string(),
        Editor::Json(root) => root.to_string(),
    })
}

/// A field of a scenario file that `--set` can address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The `--set` path, elements of arrays of tables by name or id.
    pub path: String,
    /// The value as `--set` would write it (TOML).
    pub value: String,
}

/// Every field written in `text`, in file order: scalars, distributions and plain arrays
/// (such as `hires` or `window`) as one field each.
pub fn fields(text: &str, format: Format) -> Result<Vec<Field>, Problems> {
    let mut sources = Sources::default();
    let id = sources.add("scenario", text);
    let root = match format {
        Format::Toml => super::document::parse_toml(text, id),
        Format::Json => super::document::parse_json(text, id),
    }
    .map_err(|items| Problems { sources, items })?;
    let mut out = Vec::new();
    collect_fields(&root, "", &mut out);
    Ok(out)
}

/// Keys that make a table one distribution (`{ pert = [...] }`) rather than a section.
const DISTRIBUTION_KEYS: [&str; 6] = [
    "pert",
    "triangular",
    "uniform",
    "normal",
    "lognormal",
    "samples",
];

fn collect_fields(node: &Node, path: &str, out: &mut Vec<Field>) {
    let join = |segment: &str| {
        if path.is_empty() {
            segment.to_string()
        } else {
            format!("{path}.{segment}")
        }
    };
    match &node.value {
        Value::Table(entries)
            if !(entries.len() == 1 && DISTRIBUTION_KEYS.contains(&entries[0].key.as_str())) =>
        {
            for entry in entries {
                collect_fields(&entry.node, &join(&entry.key), out);
            }
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(|n| named(n).is_some()) => {
            for item in items {
                collect_fields(item, &join(named(item).unwrap_or_default()), out);
            }
        }
        _ => out.push(Field {
            path: path.to_string(),
            value: toml_value(node).to_string(),
        }),
    }
}

/// The name or id an element of an array of tables is addressed by.
fn named(node: &Node) -> Option<&str> {
    node.get("name").or_else(|| node.get("id"))?.as_str()
}

fn problems(sources: &Sources, message: String) -> Problems {
    Problems {
        sources: sources.clone(),
        items: vec![Problem::unlocated(message)],
    }
}

/// The file's text as an editable tree.
enum Editor {
    Toml(DocumentMut),
    Json(CstRootNode),
}

impl Editor {
    /// Writes `value` at `steps`; `None` when the tree does not have the shape `steps` were
    /// located in (not expected: both trees come from the same text).
    fn set(&mut self, steps: &[Step], value: &Node) -> Option<()> {
        match self {
            Editor::Toml(document) => {
                toml_set_in_table(document.as_table_mut(), steps, value, true)
            }
            Editor::Json(root) => json_set_in_object(&root.object_value()?, steps, value),
        }
    }
}

// TOML. A key step walks into a table (a `[section]`, a dotted key or an inline table), an
// index step into an array of tables or an inline array.

fn toml_set_in_table(
    table: &mut dyn TableLike,
    steps: &[Step],
    value: &Node,
    top: bool,
) -> Option<()> {
    let (Step::Key(key, _), rest) = steps.split_first()? else {
        return None;
    };
    if rest.is_empty() {
        let new = toml_value(value);
        match table.get_mut(key) {
            Some(Item::Value(old)) => replace_keeping_decor(old, new),
            Some(other) => *other = Item::Value(new),
            None => {
                table.insert(key, Item::Value(new));
            }
        }
        return Some(());
    }
    if table.get(key).is_none() {
        // New sections at the top of the file get a header; deeper ones are inline.
        let created = if top {
            Item::Table(Table::new())
        } else {
            Item::Value(InlineTable::new().into())
        };
        table.insert(key, created);
    }
    toml_set_in_item(table.get_mut(key)?, rest, value)
}

fn toml_set_in_item(item: &mut Item, steps: &[Step], value: &Node) -> Option<()> {
    match item {
        Item::Table(table) => toml_set_in_table(table, steps, value, false),
        Item::Value(v) => toml_set_in_value(v, steps, value),
        Item::ArrayOfTables(tables) => {
            let (Step::Index(k), rest) = steps.split_first()? else {
                return None;
            };
            let element = tables.get_mut(*k)?;
            if rest.is_empty() {
                let toml_edit::Value::InlineTable(inline) = toml_value(value) else {
                    return None;
                };
                *element = inline.into_table();
                return Some(());
            }
            toml_set_in_table(element, rest, value, false)
        }
        Item::None => None,
    }
}

fn toml_set_in_value(v: &mut toml_edit::Value, steps: &[Step], value: &Node) -> Option<()> {
    match (v, steps.split_first()?) {
        (toml_edit::Value::InlineTable(table), (Step::Key(..), _)) => {
            toml_set_in_table(table, steps, value, false)
        }
        (toml_edit::Value::Array(array), (Step::Index(k), rest)) => {
            let element = array.get_mut(*k)?;
            if rest.is_empty() {
                replace_keeping_decor(element, toml_value(value));
                Some(())
            } else {
                toml_set_in_value(element, rest, value)
            }
        }
        _ => None,
    }
}

/// Replaces a value, keeping the spaces and the comment around it.
fn replace_keeping_decor(old: &mut toml_edit::Value, new: toml_edit::Value) {
    let decor = old.decor().clone();
    *old = new;
    *old.decor_mut() = decor;
}

fn toml_value(node: &Node) -> toml_edit::Value {
    match &node.value {
        Value::String(s) => s.as_str().into(),
        Value::Integer(i) => (*i).into(),
        Value::Float(x) => (*x).into(),
        Value::Boolean(b) => (*b).into(),
        Value::Datetime(d) => match d.parse::<toml_edit::Datetime>() {
            Ok(date) => date.into(),
            Err(_) => d.as_str().into(),
        },
        Value::Array(items) => toml_value_array(items),
        Value::Table(entries) => {
            let mut table = InlineTable::new();
            for entry in entries {
                table.insert(&entry.key, toml_value(&entry.node));
            }
            table.into()
        }
        // Only a JSON file's own fields can be null (`--set` values are TOML, which has no
        // null): listed as the word.
        Value::Null => "null".into(),
    }
}

fn toml_value_array(items: &[Node]) -> toml_edit::Value {
    let mut array = toml_edit::Array::new();
    for item in items {
        array.push(toml_value(item));
    }
    array.into()
}

// JSON.

fn json_set_in_object(object: &CstObject, steps: &[Step], value: &Node) -> Option<()> {
    let (Step::Key(key, _), rest) = steps.split_first()? else {
        return None;
    };
    if rest.is_empty() {
        match object.get(key) {
            Some(property) => property.set_value(json_value(value)),
            None => {
                object.append(key, json_value(value));
            }
        }
        return Some(());
    }
    if object.get(key).is_none() {
        object.append(key, CstInputValue::Object(Vec::new()));
    }
    json_set_in_node(&object.get(key)?.value()?, rest, value)
}

fn json_set_in_node(node: &CstNode, steps: &[Step], value: &Node) -> Option<()> {
    if let Some(object) = node.as_object() {
        return json_set_in_object(&object, steps, value);
    }
    let array: CstArray = node.as_array()?;
    let (Step::Index(k), rest) = steps.split_first()? else {
        return None;
    };
    let element = array.elements().get(*k)?.clone();
    if rest.is_empty() {
        array.insert(*k, json_value(value));
        element.remove();
        return Some(());
    }
    json_set_in_node(&element, rest, value)
}

fn json_value(node: &Node) -> CstInputValue {
    match &node.value {
        Value::String(s) | Value::Datetime(s) => CstInputValue::String(s.clone()),
        Value::Integer(i) => CstInputValue::Number(i.to_string()),
        Value::Float(x) if x.is_finite() => CstInputValue::Number(x.to_string()),
        // JSON has no NaN or infinity; validation refuses the string the file then holds.
        Value::Float(x) => CstInputValue::String(x.to_string()),
        Value::Boolean(b) => CstInputValue::Bool(*b),
        Value::Array(items) => CstInputValue::Array(items.iter().map(json_value).collect()),
        Value::Table(entries) => CstInputValue::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), json_value(&e.node)))
                .collect(),
        ),
        Value::Null => CstInputValue::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"# Question: what if?
[scenario]
name = "t"
periods = 4   # four sprints

[[teams]]
name = "core"
engineers = 6 # today
hires = [{ period = 2, engineers = 1 }]

[[teams]]
name = "web.app"
engineers = 3

[[strategies]]
name = "80/20"
rule = "fixed_share"
tech_share = 0.2
"#;

    fn toml(sets: &[&str]) -> String {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        rewrite("t.toml", TOML, Format::Toml, &sets).unwrap()
    }

    #[test]
    fn a_toml_value_is_replaced_in_place_with_its_comment() {
        let out = toml(&["teams.core.engineers=8", "strategies.80/20.tech_share=0.35"]);
        assert!(out.contains("engineers = 8 # today\n"), "{out}");
        assert!(out.contains("tech_share = 0.35\n"), "{out}");
        assert!(out.starts_with("# Question: what if?\n"), "{out}");
        assert_eq!(out.lines().count(), TOML.lines().count());
    }

    #[test]
    fn toml_paths_resolve_like_set_dotted_names_indices_and_new_keys() {
        let out = toml(&[
            "teams.web.app.engineers=4",
            "teams.0.hires.0.engineers=2",
            "okrs.blend=0.7",
            "teams.core.availability=0.8 to 0.9",
        ]);
        assert!(out.contains("name = \"web.app\"\nengineers = 4\n"), "{out}");
        assert!(out.contains("{ period = 2, engineers = 2 }"), "{out}");
        assert!(out.contains("[okrs]\nblend = 0.7\n"), "{out}");
        assert!(out.contains("availability = \"0.8 to 0.9\""), "{out}");
    }

    #[test]
    fn an_unknown_element_is_the_set_error() {
        let sets = vec!["teams.cor.engineers=8".to_string()];
        let problems = rewrite("t.toml", TOML, Format::Toml, &sets).unwrap_err();
        let text = problems.render(false);
        assert!(text.contains("no element is called `cor`"), "{text}");
        assert!(text.contains("did you mean `core`?"), "{text}");
    }

    /// The rewritten file compiles to exactly the scenario the file and the `--set`s give.
    #[test]
    fn the_rewritten_example_compiles_to_the_overridden_scenario() {
        let text = include_str!("../../scenarios/balanced-okrs.toml");
        let sets: Vec<String> = [
            "okrs.blend=0.45",
            "teams.checkout.engineers=7",
            "teams.search.hires=[{ period = 3, engineers = 2 }, { period = 9, engineers = 1 }]",
            "strategies.debt-ceiling.ceiling=500",
            "strategies.optimised.max_tech_share=0.5",
            "initiatives.payments-api-v2.effort={ pert = [30, 40, 70] }",
            "initiatives.guest-checkout.on_done.capacity=+2%",
            "incidents.cost=1 to 3",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let compiled = |text: &str, sets: &[String]| {
            let mut document = super::super::Document::parse("b.toml", text, Format::Toml, "b")
                .unwrap_or_else(|e| panic!("{e}"));
            document.set(sets).unwrap_or_else(|e| panic!("{e}"));
            let loaded = document.compile().unwrap_or_else(|e| panic!("{e}"));
            format!("{:?}", loaded.scenario)
        };
        let out = rewrite("b.toml", text, Format::Toml, &sets).unwrap();
        assert_eq!(compiled(&out, &[]), compiled(text, &sets));
        assert_ne!(compiled(text, &[]), compiled(text, &sets));
        assert!(out.contains("# Question:"));
    }

    #[test]
    fn fields_are_listed_by_their_set_paths() {
        let fields = fields(TOML, Format::Toml).unwrap();
        let find = |path: &str| {
            fields
                .iter()
                .find(|f| f.path == path)
                .map(|f| f.value.as_str())
        };
        assert_eq!(find("scenario.periods"), Some("4"));
        assert_eq!(find("teams.core.engineers"), Some("6"));
        assert_eq!(find("teams.web.app.engineers"), Some("3"));
        assert_eq!(
            find("teams.core.hires"),
            Some("[{ period = 2, engineers = 1 }]")
        );
        assert_eq!(find("strategies.80/20.tech_share"), Some("0.2"));
        let json = "{ \"debt\": { \"initial\": { \"pert\": [1, 2, 3] } } }";
        let fields = super::fields(json, Format::Json).unwrap();
        assert_eq!(fields[0].path, "debt.initial");
        assert_eq!(fields[0].value, "{ pert = [1, 2, 3] }");
    }

    #[test]
    fn json_keeps_its_comments() {
        let json = "{\n  // size\n  \"teams\": [{ \"name\": \"core\", \"engineers\": 6 }],\n  \
                    \"okrs\": { \"blend\": 0.5 }\n}\n";
        let sets = vec![
            "teams.core.engineers=7.5".to_string(),
            "okrs.blend=0.25".to_string(),
            "debt.accrual=0.1 to 0.3".to_string(),
        ];
        let out = rewrite("t.json", json, Format::Json, &sets).unwrap();
        assert!(out.contains("// size"), "{out}");
        assert!(out.contains("\"engineers\": 7.5"), "{out}");
        assert!(out.contains("\"blend\": 0.25"), "{out}");
        assert!(out.contains("\"accrual\": \"0.1 to 0.3\""), "{out}");
    }
}
