//! Command lines of the docs split into words as a shell would: shared by the docs tests
//! (tests/integration/docs.rs) and the unit test that parses every documented command line
//! (src/cli/reference/tests.rs, which includes this file).

use std::path::Path;

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
