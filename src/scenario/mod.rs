//! Scenario files: reading TOML or JSON, `--set` overrides, validation and compilation into
//! the [`model`](crate::model). The only code that knows the file format.

mod compile;
mod distribution;
pub mod document;
mod excerpt;
mod fields;
pub mod history;
pub mod import;
mod joint;
pub mod limits;
mod locate;
pub mod overrides;
pub mod problem;
pub mod rewrite;
pub mod schedule;
pub mod schema;
mod syntax;
mod template;

use std::path::{Path, PathBuf};

pub use compile::{DEFAULT_BLEND, DEFAULT_SEED, DEFAULT_TRIALS};
pub use excerpt::escape_control;
pub use locate::Step;
pub use problem::{Location, Problem, Problems, Severity, Sources};
pub use syntax::Format;
pub use template::{NameError, check_name, name_like, template};

use crate::model::Scenario;
use document::Node;
use fields::Checker;
use problem::SourceId;

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The scenario file cannot be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The scenario file.
        path: PathBuf,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// The input is rejected: the file is too large, not UTF-8 or not valid TOML or JSON, a
    /// `--set` is wrong, or the scenario has errors. Holds every problem found.
    #[error("{0}")]
    Invalid(Problems),
}

/// A parsed scenario file, before compilation: `--set` applies here.
#[derive(Clone, Debug)]
pub struct Document {
    sources: Sources,
    root: Node,
    format: Format,
    default_name: String,
    /// The folder files the scenario names (`[debt] posterior`) are relative to: the scenario
    /// file's; `None` for text read from elsewhere (the current directory).
    base: Option<PathBuf>,
}

impl Document {
    /// Reads and parses a file: at most [`limits::MAX_SCENARIO_BYTES`] of it, which must be
    /// UTF-8. Without a `name`, the scenario is named after the file, made a valid name.
    pub fn read(path: &Path) -> Result<Document, LoadError> {
        let file = path.display().to_string();
        let bytes = match limits::read_bytes(path, limits::MAX_SCENARIO_BYTES) {
            Ok(bytes) => bytes,
            Err(limits::ReadError::Io(source)) => {
                return Err(LoadError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
            Err(limits::ReadError::TooLarge { limit, size }) => {
                let size = size.map_or(String::new(), |s| format!(" ({s} bytes)"));
                return Err(Document::unreadable(
                    &file,
                    "",
                    Problem::unlocated(format!(
                        "{file} is larger than {}{size}, the most a scenario file may have",
                        limits::bytes_in_words(limit)
                    ))
                    .help("is this the scenario file? A scenario is normally well under 100 KB"),
                ));
            }
        };
        let text = match limits::utf8(bytes) {
            Ok(text) => text,
            Err((bad, lossy)) => {
                let help = bad.advice();
                let span =
                    problem::Span::new(SourceId(0), bad.offset, bad.offset + '\u{fffd}'.len_utf8());
                return Err(Document::unreadable(
                    &file,
                    &lossy,
                    Problem::error(
                        span,
                        format!(
                            "the file is not UTF-8 text: byte 0x{:02X} at offset {} (line {}, column {}) does not start a character",
                            bad.byte, bad.offset, bad.line, bad.column
                        ),
                    )
                    .label("not UTF-8")
                    .help(help),
                ));
            }
        };
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario");
        let mut document = Document::parse(&file, &text, Format::of(path), &name_like(stem))?;
        document.base = Some(path.parent().map_or_else(PathBuf::new, Path::to_path_buf));
        Ok(document)
    }

    /// The files the scenario names (`[debt] posterior`), as loading reads them: relative to
    /// the scenario file's folder. Shards keep a copy of each for `fulcrum merge`.
    pub fn named_files(&self) -> Vec<PathBuf> {
        joint::named(&self.root, self.base.as_deref())
            .into_iter()
            .collect()
    }

    /// Resolves the files the scenario names relative to `folder`.
    pub fn relative_to(mut self, folder: &Path) -> Document {
        self.base = Some(folder.to_path_buf());
        self
    }

    /// A file that could not be read as text, with the one problem that says why.
    fn unreadable(file: &str, text: &str, problem: Problem) -> LoadError {
        let mut sources = Sources::default();
        sources.add(file, text);
        LoadError::Invalid(Problems {
            sources,
            items: vec![problem],
        })
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
        // Tools often write JSON on one line, so only TOML lines are limited; either way a
        // message shows only a window of a long line.
        let parsed = match format {
            Format::Toml => match limits::long_line(text, id) {
                Some(problem) => Err(vec![problem]),
                None => document::parse_toml(text, id),
            },
            Format::Json => document::parse_json(text, id),
        };
        match parsed {
            Ok(root) => Ok(Document {
                sources,
                root,
                format,
                default_name: default_name.to_string(),
                base: None,
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
        let mut ck = Checker::new(self.format);
        let mut scenario = compile::compile(&self.root, &self.default_name, &mut ck);
        let mut items = ck.problems;
        let mut sources = self.sources.clone();
        if let Some(scenario) = scenario.as_mut() {
            let base = self.base.as_deref();
            joint::attach(&self.root, scenario, base, &mut sources, &mut items);
        }
        items.sort_by_key(|p| p.span.map(|s| (s.source.0, s.start)));
        let problems = Problems { sources, items };
        match scenario {
            Some(scenario) if !problems.has_errors() => Ok(Loaded {
                scenario,
                warnings: problems,
                root: self.root.clone(),
            }),
            _ => Err(LoadError::Invalid(problems)),
        }
    }
}

/// A compiled scenario and the warnings found on the way.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The compiled scenario.
    pub scenario: Scenario,
    /// The warnings found on the way (never an error), and the sources read: the file and
    /// each `--set`.
    pub warnings: Problems,
    /// The value tree it was compiled from, to locate fields in later messages.
    root: Node,
}

impl Loaded {
    /// Whether the file (or a `--set`) wrote a value at `path`.
    pub fn locates(&self, path: &[Step]) -> bool {
        locate::span_of(&self.root, path).is_some()
    }

    /// An error about the value at `path` (located there when the file or a `--set` wrote it),
    /// with `help` on what to do.
    pub fn error_at(&self, path: &[Step], message: &str, help: &str) -> Problems {
        let problem = match locate::span_of(&self.root, path) {
            Some(span) => Problem::error(span, message),
            None => Problem::unlocated(message),
        };
        Problems {
            sources: self.warnings.sources.clone(),
            items: vec![problem.help(help)],
        }
    }

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
    Document::parse(file, text, format, &name_like(stem))?.compile()
}
