//! Everything fulcrum writes: CSV tables, plots, the HTML report and terminal text. The only
//! code that writes files; each run's files appear all at once or not at all.
//!
//! One folder per command holds that command's outputs (its files, terminal tables, JSON
//! document, charts and page): [`run`] (with `plan`), [`sweep`], [`forecast`], [`backtest`],
//! [`import`] and [`calibrate`], and [`validate`]'s summary; all of them are built from one
//! [`kit`]: the CSV writer, tables in text and Markdown, numbers and dates in words, the HTML
//! page's blocks, the chart blocks and the results folder. A new command adds one folder.

pub mod backtest;
pub mod calibrate;
pub mod forecast;
pub mod import;
pub mod kit;
pub mod run;
pub mod sweep;
pub mod validate;

pub use kit::Refusal;
pub use kit::new_file::NewFile;
pub use kit::output::{Destination, MARKER, OutputDir, check};

use std::path::Path;

use anyhow::Result;

/// Writes a file that must not exist yet (fails rather than overwrite), whole or not at all
/// ([`NewFile`]).
pub fn write_new_file(path: &Path, bytes: &[u8]) -> Result<()> {
    NewFile::reserve(path)?.write(bytes)
}
