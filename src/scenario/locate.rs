//! Where a field of the scenario was written: for messages about values the model computes
//! from the file (an absurd debt points at the horizon and the interest behind it).

use super::document::{Node, Value};
use super::problem::Span;

/// One step of a path into the file: a table key, or an element of an array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step<'a> {
    /// The value under this key of a table.
    Key(&'a str),
    /// The element at this index of an array, from 0.
    Index(usize),
}

/// The span of the value at `path` under `root`, if the file (or a `--set`) wrote one.
pub fn span_of(root: &Node, path: &[Step]) -> Option<Span> {
    let mut node = root;
    for step in path {
        node = match (step, &node.value) {
            (Step::Key(key), Value::Table(_)) => node.get(key)?,
            (Step::Index(i), Value::Array(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(node.span)
}
