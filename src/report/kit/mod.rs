//! What every command's outputs are built from: the one CSV writer with its formula guard
//! ([`csv`]), tables as aligned text ([`table`]) and Markdown ([`markdown`]) (numbers and
//! periods in words are [`crate::words`], which `serve` shares), the HTML page's blocks
//! ([`page`]), the chart blocks ([`charts`]), and the results folder: staged and swapped in whole ([`output`]),
//! locked while a run writes it ([`lock`]), a single new file ([`new_file`]) and a shard's
//! folder ([`shard`]). Nothing here knows a command.

pub mod charts;
pub mod csv;
pub mod lock;
pub mod markdown;
pub mod new_file;
pub mod output;
pub mod page;
pub mod shard;
pub mod table;

/// Why fulcrum will not write a results folder or a new file there: bad input (exit 2), with what is there
/// and how to proceed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);
