//! `--set path=value`: change one field of a parsed scenario before it is compiled, so an
//! override is validated exactly like the file and its mistakes point at the argument.
//!
//! Paths are dotted keys; arrays of tables are addressed by an element's `name` or `id`
//! (`teams.checkout.engineers`, `strategies.80/20.tech_share`) or by a 0-based index.

use super::document::{Entry, Node, Value};
use super::problem::{Problem, Problems, SourceId, Sources, Span, did_you_mean};

/// One `--set` argument split into its parts.
#[derive(Clone, Debug)]
pub struct Assignment {
    /// Dotted path segments with their spans in the argument.
    pub path: Vec<(String, Span)>,
    /// The new value.
    pub value: Node,
}

/// Parses `path=value`; `source` is the id under which the argument's text was added.
/// The value is read as TOML (`8`, `0.3`, `"x"`, `[1, 2]`, `{ pert = [1, 2, 3] }`); anything
/// that is not TOML is taken as a string, so `debt.accrual=0.2 to 0.4` needs no quotes.
pub fn parse_assignment(text: &str, source: SourceId) -> Result<Assignment, Problem> {
    let Some(eq) = text.find('=') else {
        return Err(Problem::error(
            Span::new(source, 0, text.len()),
            format!("`--set {text}` has no `=`"),
        )
        .label("expected path=value")
        .help("e.g. --set teams.checkout.engineers=8"));
    };
    let mut path = Vec::new();
    let mut offset = 0;
    for segment in text[..eq].split('.') {
        let span = Span::new(source, offset, offset + segment.len());
        offset += segment.len() + 1;
        if segment.trim().is_empty() {
            return Err(Problem::error(span, "empty segment in the path of `--set`")
                .label("expected a field name")
                .help("e.g. --set debt.accrual=\"0.2 to 0.4\""));
        }
        path.push((segment.trim().to_string(), span));
    }
    let raw = &text[eq + 1..];
    let value_span = Span::new(source, eq + 1, text.len());
    const PREFIX: &str = "v = ";
    let parsed = super::document::parse_toml(&format!("{PREFIX}{raw}"), source)
        .ok()
        .filter(|doc| doc.entries().is_some_and(|e| e.len() == 1))
        .and_then(|doc| doc.get("v").cloned());
    let value = match parsed {
        Some(node) => shift(node, eq + 1, PREFIX.len()),
        None => Node {
            value: Value::String(raw.trim().to_string()),
            span: value_span,
        },
    };
    Ok(Assignment { path, value })
}

/// Moves the spans of a node parsed from `v = <raw>` onto the `--set` argument.
fn shift(mut node: Node, value_start: usize, prefix: usize) -> Node {
    fn walk(node: &mut Node, f: &dyn Fn(Span) -> Span) {
        node.span = f(node.span);
        match &mut node.value {
            Value::Table(entries) => {
                for e in entries {
                    e.key_span = f(e.key_span);
                    walk(&mut e.node, f);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|n| walk(n, f)),
            _ => {}
        }
    }
    let f = |s: Span| {
        Span::new(
            s.source,
            (s.start + value_start).saturating_sub(prefix),
            (s.end + value_start).saturating_sub(prefix),
        )
    };
    walk(&mut node, &f);
    node
}

/// One concrete step of a resolved `--set` path: a table key or an array position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A key of a table, created (as an empty table, or as the value when last) if missing;
    /// the span is the path segment that names it.
    Key(String, Span),
    /// An element of an array, by position.
    Index(usize),
}

/// Where `path` lands in `root`: its segments resolved to keys and array positions, with
/// elements of arrays found by name, id or index exactly as [`apply`] finds them. Keys that
/// do not exist yet are steps too ([`apply`] creates them).
pub fn locate(root: &Node, path: &[(String, Span)]) -> Result<Vec<Step>, Problem> {
    let mut steps = Vec::new();
    // `None` once the path has left the existing tree: every further segment is a new key.
    let mut node = Some(root);
    let mut i = 0;
    while i < path.len() {
        let (segment, span) = &path[i];
        let Some(current) = node else {
            steps.push(Step::Key(segment.clone(), *span));
            i += 1;
            continue;
        };
        match &current.value {
            Value::Table(entries) => {
                node = entries.iter().find(|e| &e.key == segment).map(|e| &e.node);
                steps.push(Step::Key(segment.clone(), *span));
                i += 1;
            }
            Value::Array(items) => {
                // Element names may themselves contain dots: match the longest run of segments.
                let names: Vec<Option<String>> = items.iter().map(element_name).collect();
                let found = (i..path.len()).rev().find_map(|j| {
                    let joined: Vec<&str> = path[i..=j].iter().map(|(s, _)| s.as_str()).collect();
                    let joined = joined.join(".");
                    let by_name = names
                        .iter()
                        .position(|n| n.as_deref() == Some(joined.as_str()));
                    let by_index = (i == j)
                        .then(|| joined.parse::<usize>().ok().filter(|k| *k < items.len()))
                        .flatten();
                    by_name.or(by_index).map(|k| (k, j))
                });
                let Some((k, j)) = found else {
                    let known: Vec<&str> = names.iter().flatten().map(String::as_str).collect();
                    return Err(
                        Problem::error(*span, format!("no element is called `{segment}`"))
                            .label("not found")
                            .help(did_you_mean(segment, known.iter().copied()).unwrap_or_else(
                                || {
                                    format!(
                                        "elements here are addressed by name or id: {}",
                                        known.join(", ")
                                    )
                                },
                            )),
                    );
                };
                steps.push(Step::Index(k));
                node = Some(&items[k]);
                i = j + 1;
            }
            other => {
                return Err(Problem::error(
                    *span,
                    format!("cannot look up `{segment}` inside {}", other.kind()),
                )
                .label("the path goes too deep")
                .help("a path ends at the field it sets, e.g. teams.checkout.engineers"));
            }
        }
    }
    Ok(steps)
}

/// Applies an assignment to the document, creating missing tables on the way. Unknown field
/// names are left for compilation to report (with suggestions); unknown array elements are
/// reported here.
pub fn apply(root: &mut Node, assignment: Assignment) -> Result<(), Problem> {
    let steps = locate(root, &assignment.path)?;
    let mut node = root;
    let Some((last, before)) = steps.split_last() else {
        return Ok(());
    };
    for step in before {
        node = match step {
            Step::Key(key, span) => entry(node, key, *span),
            Step::Index(k) => match &mut node.value {
                Value::Array(items) => &mut items[*k],
                _ => unreachable!("locate resolves indices in arrays only"),
            },
        };
    }
    match last {
        Step::Key(key, span) => *entry(node, key, *span) = assignment.value,
        Step::Index(k) => match &mut node.value {
            Value::Array(items) => items[*k] = assignment.value,
            _ => unreachable!("locate resolves indices in arrays only"),
        },
    }
    Ok(())
}

/// The node under `key` in the table `node`, created as an empty table if missing.
fn entry<'a>(node: &'a mut Node, key: &str, span: Span) -> &'a mut Node {
    let Value::Table(entries) = &mut node.value else {
        unreachable!("locate steps into tables by key only")
    };
    let pos = match entries.iter().position(|e| e.key == key) {
        Some(pos) => pos,
        None => {
            entries.push(Entry {
                key: key.to_string(),
                key_span: span,
                node: Node {
                    value: Value::Table(Vec::new()),
                    span,
                },
            });
            entries.len() - 1
        }
    };
    &mut entries[pos].node
}

/// How an array element is addressed: its `name`, else its `id`.
fn element_name(node: &Node) -> Option<String> {
    node.get("name")
        .or_else(|| node.get("id"))
        .and_then(Node::as_str)
        .map(str::to_string)
}

/// Adds each `--set` argument as a source and applies it, collecting every problem.
pub fn apply_all(root: &mut Node, sources: &mut Sources, sets: &[String]) -> Result<(), Problems> {
    let mut problems = Vec::new();
    for text in sets {
        let id = sources.add(format!("--set {text}"), text.clone());
        let result = parse_assignment(text, id).and_then(|a| apply(root, a));
        if let Err(p) = result {
            problems.push(p);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Problems {
            sources: sources.clone(),
            items: problems,
        })
    }
}
