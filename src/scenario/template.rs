//! The commented scenario template `fulcrum init` writes (every field, with its meaning and
//! when it is sampled), and the rules for scenario names, which name output folders.

use super::limits::MAX_NAME_CHARS;

const TEMPLATE: &str = include_str!("template.toml");

/// The template for a scenario called `name`, saved as `file`. `name` should pass
/// [`check_name`]: it is written into the template as a TOML string.
pub fn template(name: &str, file: &str) -> String {
    TEMPLATE.replace("{{name}}", name).replace("{{file}}", file)
}

/// Why a scenario name cannot name an output folder.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name is empty.
    #[error("a scenario name cannot be empty")]
    Empty,
    /// The name starts with `.`.
    #[error("a scenario name cannot start with '.' (the folder would be hidden)")]
    Hidden,
    /// The name holds this character, the first not an ASCII letter, digit, `-`, `_` or `.`.
    #[error("a scenario name may use letters, digits, '-', '_' and '.', not {0:?}")]
    Character(char),
    /// The name has more than [`MAX_NAME_CHARS`] characters: this many.
    #[error("a scenario name has at most {MAX_NAME_CHARS} characters, found {0}")]
    TooLong(usize),
}

impl NameError {
    /// A valid name close to the rejected one, as a suggestion.
    pub fn suggestion(&self, name: &str) -> String {
        name_like(name)
    }
}

/// Checks that `name` can name the folders `output/<name>/`, `output/<name>-plan/`, …: at
/// most [`MAX_NAME_CHARS`] ASCII letters, digits, `-`, `_` and `.`, not starting with `.`.
/// `fulcrum init NAME` checks its name with this before writing a template.
pub fn check_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
    {
        return Err(NameError::Character(c));
    }
    if name.starts_with('.') {
        return Err(NameError::Hidden);
    }
    let count = name.chars().count();
    if count > MAX_NAME_CHARS {
        return Err(NameError::TooLong(count));
    }
    Ok(())
}

/// The valid name closest to `text`: other characters become `-` (runs of them one), a
/// leading `.` or `-` is dropped, and the name is cut to [`MAX_NAME_CHARS`]. A file called
/// `my plan.toml` without a `name` becomes scenario `my-plan`.
pub fn name_like(text: &str) -> String {
    let mut name = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || "_.".contains(c) {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_start_matches(['.', '-']);
    let name: String = name.chars().take(MAX_NAME_CHARS).collect();
    let name = name.trim_end_matches('-');
    if name.is_empty() {
        "scenario".to_string()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_mended() {
        assert_eq!(check_name("checkout-2027_v1.2"), Ok(()));
        assert_eq!(check_name("my plan"), Err(NameError::Character(' ')));
        assert_eq!(check_name(".hidden"), Err(NameError::Hidden));
        assert_eq!(check_name(""), Err(NameError::Empty));
        assert_eq!(check_name("../x"), Err(NameError::Character('/')));
        assert_eq!(check_name(&"a".repeat(101)), Err(NameError::TooLong(101)));
        assert_eq!(check_name(&"a".repeat(100)), Ok(()));
        assert_eq!(name_like("my plan"), "my-plan");
        assert_eq!(name_like("../Q3 plan (draft)"), "Q3-plan-draft");
        assert_eq!(name_like("ünïcode"), "n-code");
        assert_eq!(name_like("???"), "scenario");
        assert_eq!(name_like(&"b".repeat(300)).len(), MAX_NAME_CHARS);
        for text in ["my plan", ".x", "a/b", "é", "", "-", &"c".repeat(500)] {
            assert_eq!(check_name(&name_like(text)), Ok(()), "{text:?}");
        }
    }

    #[test]
    fn the_template_of_any_valid_name_is_valid_toml_with_that_name() {
        for name in ["my-plan", "q3.2027", "a_b"] {
            assert_eq!(check_name(name), Ok(()));
            let loaded = super::super::load_str(
                &format!("{name}.toml"),
                &template(name, &format!("{name}.toml")),
                super::super::Format::Toml,
            )
            .expect("the template validates");
            assert_eq!(loaded.scenario.name, name);
        }
    }
}
