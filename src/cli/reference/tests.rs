//! The book's command reference is what the binary says, every command has its page, and
//! every command the docs show parses.

use std::path::Path;

use clap::Parser;

use super::super::Cli;
use super::{BOOK_FOLDER, fragments};

#[path = "../../../tests/integration/docs/book.rs"]
mod book;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_checked_in_reference_is_what_the_binary_says() {
    let folder = root().join(BOOK_FOLDER);
    let regenerate = format!("cargo run --release -- help-markdown {BOOK_FOLDER}");
    let fragments = fragments();
    assert!(fragments.len() >= 14, "{} commands", fragments.len());
    for (name, generated) in &fragments {
        let checked_in = std::fs::read_to_string(folder.join(name)).unwrap_or_default();
        assert!(
            checked_in == *generated,
            "{BOOK_FOLDER}/{name} differs from what the binary says: run `{regenerate}`"
        );
    }
    let files = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(
        files,
        fragments.len(),
        "stale fragments: run `{regenerate}`"
    );
}

#[test]
fn every_command_has_a_page_with_its_arguments() {
    for (name, _) in fragments() {
        let page = root().join("docs/src/reference/commands").join(&name);
        let text = std::fs::read_to_string(&page)
            .unwrap_or_else(|_| panic!("{} is missing", page.display()));
        let include = format!("{{{{#include ../cli/{name}}}}}");
        assert!(
            text.contains(&include),
            "{} lacks {include}",
            page.display()
        );
    }
}

/// The `fulcrum` command lines of a document's `sh` and `console` blocks (continued lines
/// joined; a comment, pipe or redirection cut off), with their line numbers.
fn commands(markdown: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut block = None;
    let mut pending: Option<(usize, String)> = None;
    for (index, line) in markdown.lines().enumerate() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            block = if block.is_some() {
                None
            } else {
                Some(info.trim().to_string())
            };
            continue;
        }
        if !matches!(block.as_deref(), Some("sh" | "console")) {
            continue;
        }
        let (number, text) = match pending.take() {
            Some((number, start)) => (number, format!("{start} {}", line.trim())),
            None => (index + 1, line.trim().trim_start_matches("$ ").to_string()),
        };
        if let Some(start) = text.strip_suffix('\\') {
            pending = Some((number, start.trim_end().to_string()));
        } else if text.starts_with("fulcrum ") {
            let cut = [" #", " | ", " > ", " >> "]
                .iter()
                .filter_map(|mark| text.find(mark))
                .min()
                .unwrap_or(text.len());
            found.push((number, text[..cut].to_string()));
        }
    }
    found
}

#[test]
fn every_command_in_the_docs_parses() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in book::markdown_files() {
        let markdown = std::fs::read_to_string(&file).unwrap();
        for (line, command) in commands(&markdown) {
            checked += 1;
            if let Err(error) = Cli::try_parse_from(book::shell_words(&command, Path::new("/home")))
            {
                let kind = error.kind();
                // `--help` and `--version` "fail" by printing: they parsed.
                if !matches!(
                    kind,
                    clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
                ) {
                    failures.push(format!("{}:{line}: {command}\n{error}", file.display()));
                }
            }
        }
    }
    assert!(checked >= 40, "only {checked} commands found in the docs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
