//! Scenario files: reading TOML or JSON, `--set` overrides, validation and compilation into
//! the [`model`](crate::model). The only code that knows the file format.

mod compile;
mod distribution;
pub mod document;
mod fields;
pub mod history;
pub mod overrides;
pub mod problem;
pub mod rewrite;
mod template;

use std::path::{Path, PathBuf};

pub use compile::{DEFAULT_BLEND, DEFAULT_SEED, DEFAULT_TRIALS};
pub use problem::{Location, Problem, Problems, Severity, Sources};
pub use template::template;

use crate::model::Scenario;
use document::Node;
use fields::Checker;

/// The two accepted file formats, chosen by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Toml,
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
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Problems),
}

/// A parsed scenario file, before compilation: `--set` applies here.
#[derive(Clone, Debug)]
pub struct Document {
    sources: Sources,
    root: Node,
    default_name: String,
}

impl Document {
    /// Reads and parses a file.
    pub fn read(path: &Path) -> Result<Document, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario");
        Document::parse(&path.display().to_string(), &text, Format::of(path), stem)
    }

    /// Parses text; `file` names it in messages and `default_name` names the scenario when
    /// the file does not.
    pub fn parse(
        file: &str,
        text: &str,
        format: Format,
        default_name: &str,
    ) -> Result<Document, LoadError> {
        let mut sources = Sources::default();
        let id = sources.add(file, text);
        let parsed = match format {
            Format::Toml => document::parse_toml(text, id),
            Format::Json => document::parse_json(text, id),
        };
        match parsed {
            Ok(root) => Ok(Document {
                sources,
                root,
                default_name: default_name.to_string(),
            }),
            Err(items) => Err(LoadError::Invalid(Problems { sources, items })),
        }
    }

    /// Applies `--set path=value` overrides.
    pub fn set(&mut self, assignments: &[String]) -> Result<(), LoadError> {
        overrides::apply_all(&mut self.root, &mut self.sources, assignments)
            .map_err(LoadError::Invalid)
    }

    /// Validates and compiles. Warnings come back with the scenario; any error fails.
    pub fn compile(&self) -> Result<Loaded, LoadError> {
        let mut ck = Checker::default();
        let scenario = compile::compile(&self.root, &self.default_name, &mut ck);
        let mut items = ck.problems;
        items.sort_by_key(|p| p.span.map(|s| (s.source.0, s.start)));
        let problems = Problems {
            sources: self.sources.clone(),
            items,
        };
        match scenario {
            Some(scenario) if !problems.has_errors() => Ok(Loaded {
                scenario,
                warnings: problems,
            }),
            _ => Err(LoadError::Invalid(problems)),
        }
    }
}

/// A compiled scenario and the warnings found on the way.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub scenario: Scenario,
    pub warnings: Problems,
}

impl Loaded {
    /// A stable fingerprint of everything the scenario was read from (the file and each
    /// `--set`): FNV-1a, 64 bits, as 16 hex digits.
    pub fn fingerprint(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for source in self.warnings.sources.iter() {
            for byte in source.text.bytes().chain([0xff]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }
}

/// Reads, overrides and compiles a scenario file.
pub fn load(path: &Path, sets: &[String]) -> Result<Loaded, LoadError> {
    let mut document = Document::read(path)?;
    document.set(sets)?;
    document.compile()
}

/// Compiles scenario text (a test and tooling convenience).
pub fn load_str(file: &str, text: &str, format: Format) -> Result<Loaded, LoadError> {
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario");
    Document::parse(file, text, format, stem)?.compile()
}
