//! Reads a `--priors` file of `fulcrum calibrate`: a `[priors]` table whose entries replace
//! coordinates of the default prior, each a normal or a uniform:
//!
//! ```toml
//! [priors]
//! log_accrual = { normal = [-1.9, 0.4] }
//! interest = { uniform = [0.0, 0.01] }
//! ```
//!
//! Which names exist and which ranges they take is the calibration's to check
//! (`whatif::calibrate::prior::Prior::replace`); this reads the file and says where each
//! entry is.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::rules::line_column;
use super::{ImportProblem, escaped};
use crate::model::prior::Marginal;
use crate::scenario::limits::{self, MAX_SCENARIO_BYTES};

/// The file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriorsFile {
    priors: BTreeMap<String, toml::Spanned<Spec>>,
}

/// One entry: exactly one of the families.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    normal: Option<[f64; 2]>,
    uniform: Option<[f64; 2]>,
}

/// One entry read: the coordinate, its marginal, and its line in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct PriorEntry {
    /// The natural coordinate replaced.
    pub name: String,
    /// Its marginal.
    pub marginal: Marginal,
    /// Its line, from 1.
    pub line: usize,
}

const HELP: &str = "a priors file has a [priors] table of coordinates, each \
    { normal = [mean, sd] } or { uniform = [lo, hi] }, e.g. log_accrual = { normal = [-1.9, 0.4] }";

/// Reads a priors file (at most [`MAX_SCENARIO_BYTES`]), UTF-8 or UTF-16 with its byte order
/// mark.
pub fn read(path: &Path) -> Result<Vec<PriorEntry>, ImportProblem> {
    let file = escaped(path.display().to_string());
    let bytes = limits::read_bytes(path, MAX_SCENARIO_BYTES).map_err(|e| {
        let why = match e {
            limits::ReadError::Io(e) => e.to_string(),
            limits::ReadError::TooLarge { limit, .. } => format!(
                "it is larger than {}, the most a priors file may have",
                limits::bytes_in_words(limit)
            ),
        };
        ImportProblem::file(&file, format!("cannot read the priors file: {why}"))
    })?;
    let text = super::source::decode(&file, bytes)?;
    parse(&file, text.strip_prefix('\u{feff}').unwrap_or(&text))
}

/// Parses priors-file text; `file` names it in messages.
pub fn parse(file: &str, text: &str) -> Result<Vec<PriorEntry>, ImportProblem> {
    let problem = |offset: Option<usize>, message: String| {
        let (line, column) = offset.map_or((None, None), |o| line_column(text, o));
        ImportProblem {
            file: file.to_string(),
            line,
            column,
            message,
            help: Some(HELP.into()),
        }
    };
    let parsed: PriorsFile = toml::from_str(text)
        .map_err(|e| problem(e.span().map(|s| s.start), e.message().trim().to_string()))?;
    let mut entries = Vec::new();
    for (name, spec) in parsed.priors {
        let start = spec.span().start;
        let line = line_column(text, start).0.unwrap_or(1);
        let marginal = match (spec.get_ref().normal, spec.get_ref().uniform) {
            (Some([mean, sd]), None) => Marginal::Normal { mean, sd },
            (None, Some([lo, hi])) => Marginal::Uniform { lo, hi },
            _ => {
                return Err(problem(
                    Some(start),
                    format!(
                        "`{name}` needs exactly one of normal = [mean, sd] or uniform = [lo, hi]"
                    ),
                ));
            }
        };
        entries.push(PriorEntry {
            name: escaped(name),
            marginal,
            line,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_read_with_their_lines() {
        let text =
            "[priors]\ninterest = { uniform = [0.0, 0.01] }\nlog_cost = { normal = [0.2, 0.5] }\n";
        let entries = parse("p.toml", text).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "interest");
        assert_eq!(entries[0].line, 2);
        assert_eq!(entries[1].marginal, Marginal::Normal { mean: 0.2, sd: 0.5 });
    }

    #[test]
    fn a_bad_entry_names_its_line() {
        let e = parse(
            "p.toml",
            "[priors]\n\ninterest = { normal = [0.0, 0.01], uniform = [0, 1] }\n",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("exactly one"), "{e}");
        let e = parse("p.toml", "[priors]\ninterest = { beta = [1, 2] }\n").unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}
