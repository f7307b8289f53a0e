//! How `run`, `plan`, `sweep` and `forecast` report on stdout: the table as text or Markdown,
//! or one JSON document (`--json`); `--quiet` leaves out the table, warnings and progress.

use fulcrum::report::kit::markdown;
use fulcrum::report::kit::table::{Format, Table};
use fulcrum::scenario::Problems;

/// The stdout flags of the commands that print results.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ReportFlags {
    /// Print the results as one JSON document on stdout instead of the table (the same as
    /// --format json; schema in the book: docs/src/reference/stdout.md).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// How to print the table on stdout: text (aligned columns), markdown (to paste into a
    /// planning document) or json.
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "text")]
    format: FormatArg,
    /// Print nothing but errors: no table, warnings or progress (with --json, only the JSON).
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
enum FormatArg {
    #[default]
    Text,
    Markdown,
    Json,
}

impl ReportFlags {
    /// The format asked for.
    pub fn format(&self) -> Format {
        match (self.json, self.format) {
            (true, _) | (_, FormatArg::Json) => Format::Json,
            (_, FormatArg::Markdown) => Format::Markdown,
            (_, FormatArg::Text) => Format::Text,
        }
    }

    /// Whether the human-facing text (tables, footers) is printed.
    pub fn prints_text(&self) -> bool {
        !self.quiet && self.format() != Format::Json
    }

    /// Turns progress bars and spinners off for `--quiet`; call once, before any work.
    pub fn apply(&self) {
        if self.quiet {
            super::progress::silence();
        }
    }

    /// Prints the scenario's warnings on stderr, unless `--quiet`.
    pub fn scenario_warnings(&self, warnings: &Problems) {
        if !self.quiet {
            super::print_warnings(warnings);
        }
    }

    /// Prints `lines` on stderr as warnings, one line each, unless `--quiet`.
    pub fn warn(&self, lines: &[String]) {
        if !self.quiet {
            for line in lines {
                eprintln!("warning: {line}");
            }
        }
    }

    /// Prints the closing line (counts, time, the results folder): on stdout under the text
    /// table, on stderr under Markdown (which stays pasteable), not at all for JSON or
    /// `--quiet`.
    pub fn footer(&self, line: &str) {
        if self.quiet {
            return;
        }
        match self.format() {
            Format::Text => println!("{line}"),
            Format::Markdown => eprintln!("{line}"),
            Format::Json => {}
        }
    }

    /// Prints a table in the text format asked for (nothing for JSON or `--quiet`), `text`
    /// being its aligned form.
    pub fn table(&self, table: &Table, text: &str) {
        if self.quiet {
            return;
        }
        match self.format() {
            Format::Text => println!("{text}"),
            Format::Markdown => println!("{}", markdown::table(table)),
            Format::Json => {}
        }
    }

    /// Prints the JSON document when it was asked for (even with `--quiet`).
    pub fn json<T: serde::Serialize>(&self, document: &T) -> Result<(), super::Failure> {
        if self.format() == Format::Json {
            let text = serde_json::to_string_pretty(document)
                .map_err(|e| super::Failure::Runtime(e.into()))?;
            println!("{text}");
        }
        Ok(())
    }
}

/// The scenario's warnings as one line each, for a JSON document.
pub fn warning_lines(warnings: &Problems) -> Vec<String> {
    warnings.warnings().map(|p| p.message.clone()).collect()
}
