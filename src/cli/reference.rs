//! `fulcrum help-markdown DIR` (hidden): the book's reference of every command's arguments,
//! one Markdown fragment per command, generated from the same definitions the binary parses,
//! so the book says what `--help` says. A test fails when the checked-in fragments differ.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::CommandFactory;

use super::{Cli, Failure};

/// Where the book keeps the fragments, from the repository's root.
pub const BOOK_FOLDER: &str = "docs/src/reference/cli";

/// Arguments of `fulcrum help-markdown`.
#[derive(clap::Args, Debug)]
pub struct HelpMarkdownArgs {
    /// Folder to write the fragments to: docs/src/reference/cli in the repository.
    out: PathBuf,
}

/// Every command's fragment: the file name (`run.md`) and its Markdown.
pub fn fragments() -> Vec<(String, String)> {
    let mut command = Cli::command();
    command.build();
    command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help")
        .map(|sub| (format!("{}.md", sub.get_name()), fragment(sub)))
        .collect()
}

/// One command's usage, arguments and closing notes, as Markdown.
fn fragment(command: &clap::Command) -> String {
    let name = command.get_name();
    let mut md = format!(
        "<!-- Generated from fulcrum's argument definitions by `fulcrum help-markdown \
         {BOOK_FOLDER}`: edit the doc comments in src/cli/, not this file. -->\n\n"
    );
    let usage = command.clone().render_usage().to_string();
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    let _ = writeln!(md, "```text\n{usage}\n```\n");
    let arguments: Vec<&clap::Arg> = command
        .get_arguments()
        .filter(|arg| !arg.is_hide_set() && !["help", "version"].contains(&arg.get_id().as_str()))
        .collect();
    if !arguments.is_empty() {
        md.push_str("| argument | meaning |\n|---|---|\n");
        for arg in arguments {
            let signature = signature(arg).replace('|', "\\|");
            let _ = writeln!(md, "| `{signature}` | {} |", escape(&meaning(arg)));
        }
        md.push('\n');
    }
    md.push_str("`-h`, `--help` prints this on the terminal");
    if let Some(after) = command.get_after_long_help().or(command.get_after_help()) {
        let _ = write!(
            md,
            ", followed by:\n\n```text\n{}\n```\n",
            after.to_string().trim()
        );
    } else {
        md.push_str(".\n");
    }
    debug_assert!(!name.is_empty());
    md
}

/// How an argument is written: `<SCENARIO>`, `[NAME]`, `-q, --quiet`, `--set <PATH=VALUE>`.
fn signature(arg: &clap::Arg) -> String {
    let names: Vec<String> = arg
        .get_value_names()
        .map(|names| names.iter().map(|n| n.to_string()).collect())
        .unwrap_or_else(|| vec![arg.get_id().as_str().to_uppercase()]);
    let repeated = matches!(arg.get_action(), clap::ArgAction::Append)
        || arg.get_num_args().is_some_and(|n| n.max_values() > 1);
    let dots = if repeated { "..." } else { "" };
    if arg.is_positional() {
        let value = names.join(" ");
        return if arg.is_required_set() {
            format!("<{value}>{dots}")
        } else {
            format!("[{value}]{dots}")
        };
    }
    let mut flags = Vec::new();
    if let Some(short) = arg.get_short() {
        flags.push(format!("-{short}"));
    }
    if let Some(long) = arg.get_long() {
        flags.push(format!("--{long}"));
    }
    let takes_value = arg.get_action().takes_values();
    let value = if takes_value {
        format!(" <{}>", names.join(" "))
    } else {
        String::new()
    };
    format!("{}{value}{dots}", flags.join(", "))
}

/// An argument's help, with its default and possible values as `--help` shows them.
fn meaning(arg: &clap::Arg) -> String {
    let mut text = arg
        .get_long_help()
        .or(arg.get_help())
        .map(|help| help.to_string())
        .unwrap_or_default();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| format!("`{}`", v.to_string_lossy()))
        .collect();
    if !defaults.is_empty() && arg.get_action().takes_values() {
        let _ = write!(text, " [default: {}]", defaults.join(", "));
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| format!("`{}`", v.get_name()))
        .collect();
    if !values.is_empty() && !matches!(arg.get_action(), clap::ArgAction::SetTrue) {
        let _ = write!(text, " [possible values: {}]", values.join(", "));
    }
    if arg.is_required_set() && !arg.is_positional() {
        text.push_str(" [required]");
    }
    text.trim().to_string()
}

/// Help text made safe in a Markdown table cell: `|` escaped, paragraphs on one line, and
/// `<` and `>` outside code spans written as entities (`output/<scenario name>` is not HTML).
fn escape(text: &str) -> String {
    let one_line = text.replace("\n\n", "<br>").replace('\n', " ");
    let mut out = String::new();
    for (index, part) in one_line.split('`').enumerate() {
        if index > 0 {
            out.push('`');
        }
        let part = part.replace('|', "\\|");
        if index % 2 == 0 {
            out.push_str(
                &part
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace("&lt;br&gt;", "<br>"),
            );
        } else {
            out.push_str(&part);
        }
    }
    out
}

pub fn help_markdown(args: &HelpMarkdownArgs) -> Result<(), Failure> {
    write_fragments(&args.out)
        .with_context(|| format!("cannot write to {}", args.out.display()))
        .map_err(Failure::Runtime)
}

/// Writes every fragment into `folder` and removes fragments of commands that no longer
/// exist (only `.md` files: the folder holds nothing else).
fn write_fragments(folder: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    let fragments = fragments();
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        let stale = path.extension().is_some_and(|e| e == "md")
            && !fragments
                .iter()
                .any(|(name, _)| path.file_name().is_some_and(|f| f == name.as_str()));
        if stale {
            std::fs::remove_file(&path)?;
        }
    }
    for (name, markdown) in &fragments {
        std::fs::write(folder.join(name), markdown)?;
    }
    println!(
        "wrote {} fragments to {}",
        fragments.len(),
        folder.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests;
