//! The two file formats, and help examples written in the format of the file they help
//! with: a JSON file's messages show JSON, a TOML file's show TOML.

use std::path::Path;

/// The two accepted file formats, chosen by extension.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// TOML: any file not ending in `.json`.
    #[default]
    Toml,
    /// JSON, comments and trailing commas allowed: a file ending in `.json`.
    Json,
}

impl Format {
    /// `.json` files are JSON; everything else is read as TOML.
    pub fn of(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Toml,
        }
    }

    /// One field: `key = value` or `"key": value`. `value` is written as in TOML; numbers,
    /// strings and arrays of them read the same in JSON.
    pub fn field(self, key: &str, value: &str) -> String {
        match self {
            Format::Toml => format!("{key} = {value}"),
            Format::Json => format!("\"{key}\": {value}"),
        }
    }

    /// An inline table of fields: `{ a = 1, b = 2 }` or `{ "a": 1, "b": 2 }`.
    pub fn inline(self, fields: &[(&str, &str)]) -> String {
        let fields: Vec<String> = fields.iter().map(|(k, v)| self.field(k, v)).collect();
        format!("{{ {} }}", fields.join(", "))
    }

    /// A section with its fields, one per line: `[name]` then `key = value` lines, or
    /// `"name": { ... }`.
    pub fn section(self, name: &str, fields: &[(&str, &str)]) -> String {
        match self {
            Format::Toml => self.toml_lines(&format!("[{name}]"), fields),
            Format::Json => format!("\"{name}\": {}", self.inline(fields)),
        }
    }

    /// One element of an array of tables: `[[name]]` then `key = value` lines, or
    /// `"name": [{ ... }]`.
    pub fn element(self, name: &str, fields: &[(&str, &str)]) -> String {
        match self {
            Format::Toml => self.toml_lines(&format!("[[{name}]]"), fields),
            Format::Json => format!("\"{name}\": [{}]", self.inline(fields)),
        }
    }

    fn toml_lines(self, header: &str, fields: &[(&str, &str)]) -> String {
        let mut lines = vec![header.to_string()];
        lines.extend(fields.iter().map(|(k, v)| self.field(k, v)));
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_written_in_the_files_format() {
        let fields = [("name", "\"80/20\""), ("tech_share", "0.2")];
        assert_eq!(
            Format::Toml.element("strategies", &fields),
            "[[strategies]]\nname = \"80/20\"\ntech_share = 0.2"
        );
        assert_eq!(
            Format::Json.element("strategies", &fields),
            "\"strategies\": [{ \"name\": \"80/20\", \"tech_share\": 0.2 }]"
        );
        assert_eq!(
            Format::Json.inline(&[("pert", "[1, 2, 4]")]),
            "{ \"pert\": [1, 2, 4] }"
        );
        assert_eq!(
            Format::Toml.section("scenario", &[("periods", "26")]),
            "[scenario]\nperiods = 26"
        );
    }
}
