//! The commented scenario template `fulcrum init` writes: every field, with its meaning and
//! when it is sampled.

const TEMPLATE: &str = include_str!("template.toml");

/// The template for a scenario called `name`, saved as `file`.
pub fn template(name: &str, file: &str) -> String {
    TEMPLATE.replace("{{name}}", name).replace("{{file}}", file)
}
