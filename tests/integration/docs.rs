//! The documentation: the book under `docs/src/` and the README. Every relative link and
//! anchor resolves, every page is in the book's table of contents, and the README's commands
//! run as written and print what the README shows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use crate::common::{fulcrum, scratch, text};

mod book;

use book::{markdown_files, shell_words};

/// The repository's root.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A Markdown file's lines outside fenced code blocks, with their line numbers (from 1).
fn prose_lines(markdown: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for (index, line) in markdown.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            lines.push((index + 1, line));
        }
    }
    lines
}

/// `line` without its inline code spans, which hold text that looks like links but is not.
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    for (index, part) in line.split('`').enumerate() {
        if index % 2 == 0 {
            out.push_str(part);
        }
    }
    out
}

/// The targets of the inline links `[text](target)` in `markdown`, with their line numbers.
fn links(markdown: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in prose_lines(markdown) {
        let line = without_code_spans(line);
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            found.push((number, after[..end].to_string()));
            rest = &after[end..];
        }
    }
    found
}

/// The anchor ids of a page's headings, as mdBook (and GitHub) make them: the heading's text
/// lowercased, spaces made `-`, everything but letters, digits, `-` and `_` dropped, and a
/// repeated id numbered `-1`, `-2`, ….
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for (_, line) in prose_lines(markdown) {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let heading = heading.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        let id: String = heading
            .trim()
            .chars()
            .filter_map(|c| {
                if c.is_alphanumeric() || c == '_' || c == '-' {
                    Some(c.to_lowercase().next().unwrap_or(c))
                } else if c.is_whitespace() {
                    Some('-')
                } else {
                    None
                }
            })
            .collect();
        let count = seen.entry(id.clone()).or_insert(0);
        ids.insert(if *count == 0 {
            id.clone()
        } else {
            format!("{id}-{count}")
        });
        *count += 1;
    }
    ids
}

/// `path` with `.` and `..` resolved, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn every_link_and_anchor_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in markdown_files() {
        let markdown = std::fs::read_to_string(&file).unwrap();
        for (line, target) in links(&markdown) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let resolved = if path.is_empty() {
                file.clone()
            } else {
                normalise(&file.parent().unwrap().join(path))
            };
            let place = format!("{}:{line}: {target}", file.display());
            if !resolved.exists() {
                broken.push(format!("{place}: no such file"));
            } else if !anchor.is_empty() {
                let page = std::fs::read_to_string(&resolved).unwrap_or_default();
                if !anchors(&page).contains(anchor) {
                    broken.push(format!("{place}: no heading with this anchor"));
                }
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} links found: the parser missed them"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The files pages pull in with `{{#include path}}`: fragments, not pages.
fn included() -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    for file in markdown_files() {
        let markdown = std::fs::read_to_string(&file).unwrap();
        for line in markdown.lines() {
            if let Some(path) = line.trim().strip_prefix("{{#include ") {
                let path = path.trim_end_matches("}}").trim();
                files.insert(normalise(&file.parent().unwrap().join(path)));
            }
        }
    }
    files
}

#[test]
fn every_page_is_in_the_table_of_contents() {
    let src = root().join("docs/src");
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    let mut listed: BTreeSet<PathBuf> = links(&summary)
        .into_iter()
        .filter(|(_, target)| !target.is_empty())
        .map(|(_, target)| normalise(&src.join(target)))
        .collect();
    listed.extend(included());
    let unlisted: Vec<String> = markdown_files()
        .into_iter()
        .filter(|file| file.starts_with(&src) && file.file_name().unwrap() != "SUMMARY.md")
        .filter(|file| !listed.contains(file))
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        unlisted.is_empty(),
        "pages missing from docs/src/SUMMARY.md and included by none (mdBook would not build \
         them):\n{}",
        unlisted.join("\n")
    );
}

#[test]
fn heading_anchors_follow_mdbook() {
    let ids =
        anchors("# `fulcrum run`\n## Overriding fields: `--set`\n## A b\n## A b\n```\n# not\n```");
    let expected: BTreeSet<String> = ["fulcrum-run", "overriding-fields---set", "a-b", "a-b-1"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(ids, expected);
}

/// A `fulcrum` command the README shows, with the output it shows under it.
struct Shown {
    /// Where it is: `README.md:line`.
    place: String,
    /// The arguments after `fulcrum`, split as a shell would.
    args: Vec<String>,
    /// The output lines shown with it (a console block's lines after the command, or the text
    /// block right after a console block holding only the command); `…` lines elide.
    output: Vec<String>,
}

/// Every `fulcrum` command of the README: each line of a `sh` or `console` block that starts
/// with `fulcrum` (or `$ fulcrum`), and each inline code span that is a whole command (no
/// placeholder in capitals, no `...`, some argument after the command's name).
fn readme_commands(home: &Path) -> Vec<Shown> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut shown: Vec<Shown> = Vec::new();
    let mut block: Option<String> = None;
    // A console block holding only its command, whose output the next block shows.
    let mut output_follows: Option<usize> = None;
    for (index, line) in readme.lines().enumerate() {
        let place = format!("README.md:{}", index + 1);
        if let Some(info) = line.trim_start().strip_prefix("```") {
            match block.take() {
                Some(closed) => {
                    let bare = shown.last().is_some_and(|last| last.output.is_empty());
                    output_follows = (closed == "console" && bare).then(|| shown.len() - 1);
                }
                None => {
                    block = Some(info.trim().to_string());
                    if info.trim() != "text" {
                        output_follows = None;
                    }
                }
            }
            continue;
        }
        match block.as_deref() {
            Some(kind @ ("sh" | "console")) => {
                let command = line.trim().strip_prefix("$ ").unwrap_or(line.trim());
                if let Some(args) = command.strip_prefix("fulcrum ") {
                    let args = args.split(" #").next().unwrap();
                    shown.push(Shown {
                        place,
                        args: shell_words(args, home),
                        output: Vec::new(),
                    });
                } else if kind == "console"
                    && !line.starts_with('$')
                    && let Some(last) = shown.last_mut()
                {
                    last.output.push(line.to_string());
                }
            }
            Some("text") => {
                if let Some(at) = output_follows {
                    shown[at].output.push(line.to_string());
                }
            }
            Some(_) => {}
            None => {
                if !line.trim().is_empty() {
                    output_follows = None;
                }
                for (number, span) in line.split('`').enumerate() {
                    let placeholder =
                        |word: &str| word.len() > 1 && word.chars().all(|c| c.is_ascii_uppercase());
                    let whole = number % 2 == 1
                        && span.starts_with("fulcrum ")
                        && span.split_whitespace().count() > 2
                        && !span.contains("...")
                        && !span.split_whitespace().any(placeholder);
                    if whole {
                        shown.push(Shown {
                            place: place.clone(),
                            args: shell_words(&span["fulcrum ".len()..], home),
                            output: Vec::new(),
                        });
                    }
                }
            }
        }
    }
    shown
}

/// Copies folder `from` into `to`, recursively.
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_folder(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn the_readme_commands_run_as_written_and_print_what_it_shows() {
    let base = scratch("readme");
    let commands = readme_commands(&base.join("home"));
    assert!(
        commands.len() >= 12,
        "only {} commands found",
        commands.len()
    );
    let mut failures = Vec::new();
    for (index, shown) in commands.iter().enumerate() {
        // Each command in a fresh copy of what the README's commands read, so that none
        // depends on another having run (or not run) before it.
        let dir = base.join(index.to_string());
        copy_folder(&root().join("scenarios"), &dir.join("scenarios"));
        copy_folder(
            &root().join("tests/data/import"),
            &dir.join("tests/data/import"),
        );
        std::fs::create_dir_all(dir.join("home")).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_fulcrum"))
            .args(&shown.args)
            .current_dir(&dir)
            .env("HOME", dir.join("home"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = text(&out.stdout);
        let printed: BTreeSet<&str> = stdout.lines().map(str::trim_end).collect();
        let command = format!("{}: fulcrum {}", shown.place, shown.args.join(" "));
        if !out.status.success() {
            failures.push(format!(
                "{command}: {:?}\n{}",
                out.status,
                text(&out.stderr)
            ));
            continue;
        }
        for line in shown.output.iter().filter(|line| !line.contains('…')) {
            if !printed.contains(line.trim_end()) {
                failures.push(format!(
                    "{command}: the README shows\n  {line}\nwhich it does not print; it prints\n{stdout}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn man_writes_a_page_for_every_command_and_replaces_only_its_own() {
    let dir = scratch("man");
    let out = fulcrum(&["man", "--out", "pages"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let commands = [
        "run",
        "plan",
        "sweep",
        "forecast",
        "backtest",
        "import",
        "calibrate",
        "serve",
        "merge",
        "validate",
        "init",
        "completions",
        "man",
        "schema",
        "mcp",
    ];
    let top = std::fs::read_to_string(dir.join("pages/fulcrum.1")).unwrap();
    for command in commands {
        let page = std::fs::read_to_string(dir.join(format!("pages/fulcrum-{command}.1")))
            .unwrap_or_else(|_| panic!("no page for {command}"));
        assert!(page.contains(&format!(".TH fulcrum-{command} 1")), "{page}");
        assert!(top.contains(command), "fulcrum.1 does not list {command}");
    }
    // Writing again replaces fulcrum's own pages; a file of the same name it did not write
    // is never replaced, and nothing is written.
    assert!(fulcrum(&["man", "--out", "pages"], &dir).status.success());
    std::fs::write(dir.join("pages/fulcrum-run.1"), "my notes").unwrap();
    std::fs::remove_file(dir.join("pages/fulcrum-plan.1")).unwrap();
    let refused = fulcrum(&["man", "--out", "pages"], &dir);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("not a man page fulcrum wrote"));
    let notes = std::fs::read_to_string(dir.join("pages/fulcrum-run.1")).unwrap();
    assert_eq!(notes, "my notes");
    assert!(!dir.join("pages/fulcrum-plan.1").exists());
}

/// Every Rust source file of the crate: `src/`, `tests/` and `benches/`.
fn rust_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches"] {
        walk(&root().join(dir), &mut files);
    }
    files.sort();
    files
}

/// The repository paths a comment line cites: words that start with `docs/`, `src/`,
/// `tests/`, `benches/`, `examples/`, `scenarios/`, `scripts/` or `deploy/` and name a file (with an
/// extension), with their `#anchor` when there is one.
fn cited_paths(comment: &str) -> Vec<String> {
    const ROOTS: [&str; 7] = [
        "docs/",
        "src/",
        "tests/",
        "benches/",
        "scenarios/",
        "scripts/",
        "deploy/",
    ];
    comment
        .split(|c: char| c.is_whitespace() || "()`[]'\",;".contains(c))
        .map(|word| word.trim_end_matches(['.', ':']))
        .filter(|word| ROOTS.iter().any(|root| word.starts_with(root)))
        .filter(|word| {
            let path = word.split('#').next().unwrap_or(word);
            path.rsplit('/')
                .next()
                .is_some_and(|name| name.contains('.'))
        })
        .filter(|word| !word.contains('{') && !word.contains('*'))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_file_and_anchor_a_comment_cites_exists() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in rust_files() {
        let source = std::fs::read_to_string(&file).unwrap();
        for (index, line) in source.lines().enumerate() {
            let Some((_, comment)) = line.split_once("//") else {
                continue;
            };
            let place = format!("{}:{}", file.display(), index + 1);
            if comment.contains("DESIGN §") {
                broken.push(format!(
                    "{place}: cites DESIGN.md, which is not in the repository"
                ));
            }
            for cited in cited_paths(comment) {
                checked += 1;
                let (path, anchor) = cited.split_once('#').unwrap_or((&cited, ""));
                let resolved = root().join(path);
                if !resolved.exists() {
                    broken.push(format!("{place}: {cited}: no such file"));
                } else if !anchor.is_empty() {
                    let page = std::fs::read_to_string(&resolved).unwrap_or_default();
                    if !anchors(&page).contains(anchor) {
                        broken.push(format!("{place}: {cited}: no heading with this anchor"));
                    }
                }
            }
        }
    }
    assert!(
        checked >= 10,
        "only {checked} cited paths found: the parser missed them"
    );
    assert!(
        broken.is_empty(),
        "comments citing what is not there:\n{}",
        broken.join("\n")
    );
}
