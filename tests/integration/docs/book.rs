//! The book as the tests read it: its Markdown files, and its command lines split into words
//! as a shell would. Shared by the docs tests (tests/integration/docs.rs) and the unit test
//! that parses every documented command line (src/cli/reference/tests.rs, which includes this
//! file).

use std::path::{Path, PathBuf};

/// Every Markdown file of the book and the README, in path order.
pub fn markdown_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    walk(&root.join("docs/src"), &mut files);
    files.sort();
    files
}

/// `line` split into words as a POSIX shell would, for the quoting the docs use: single and
/// double quotes, and `~/` at the start of a word for the home folder.
pub fn shell_words(line: &str, home: &Path) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, '~') if !in_word => {
                word.push_str(&home.display().to_string());
                in_word = true;
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}
