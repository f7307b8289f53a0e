//! Located problems in scenario input: what went wrong, where (file, line, column), and what
//! to do about it; rendered as annotated source snippets.

use std::collections::HashMap;
use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};

use super::excerpt::{Excerpt, printable};

/// One text the scenario was read from: the file itself, or a `--set` argument.
#[derive(Clone, Debug)]
pub struct Source {
    /// Shown in messages: the file path, or `--set <arg>`.
    pub name: String,
    /// The whole text; spans index it in bytes.
    pub text: String,
}

/// The texts a scenario was read from; spans point into them.
#[derive(Clone, Debug, Default)]
pub struct Sources(Vec<Source>);

impl Sources {
    /// Adds a text and returns its id for spans.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> SourceId {
        self.0.push(Source {
            name: name.into(),
            text: text.into(),
        });
        SourceId(self.0.len() - 1)
    }

    /// The text with this id.
    pub fn get(&self, id: SourceId) -> &Source {
        &self.0[id.0]
    }

    /// Every text, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = &Source> {
        self.0.iter()
    }
}

/// Which [`Source`] a span points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SourceId(pub usize);

/// A byte range in one source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// The source it is in.
    pub source: SourceId,
    /// Byte offset of its first byte.
    pub start: usize,
    /// Byte offset just past its last byte.
    pub end: usize,
}

impl Span {
    /// The bytes `start..end` of `source`.
    pub fn new(source: SourceId, start: usize, end: usize) -> Span {
        Span { source, start, end }
    }
}

/// Where a problem is, in human terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The source's name: the file path, or `--set <arg>`.
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Errors stop a run; warnings are printed and the run goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The input cannot be used: the run stops.
    Error,
    /// The input can be used but may not say what was meant: printed, and the run goes on.
    Warning,
}

/// One problem found in the input.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Whether it stops the run.
    pub severity: Severity,
    /// What was found and what was expected.
    pub message: String,
    /// Where it is in the input; `None` when it has no place there (a file too large to read,
    /// a value the file did not write).
    pub span: Option<Span>,
    /// A few words shown under the underlined source.
    pub label: Option<String>,
    /// What to do about it: a suggestion, an example.
    pub help: Option<String>,
}

impl Problem {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            label: None,
            help: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(span, message)
        }
    }

    /// An error with no place in the input.
    pub fn unlocated(message: impl Into<String>) -> Problem {
        Problem {
            span: None,
            ..Problem::error(Span::default(), message)
        }
    }

    /// Adds the words shown under the source.
    pub fn label(mut self, label: impl Into<String>) -> Problem {
        self.label = Some(label.into());
        self
    }

    /// Adds what to do about it.
    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// Adds help only when there is some.
    pub fn maybe_help(mut self, help: Option<String>) -> Problem {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// File, line and column of the problem's start.
    pub fn location(&self, sources: &Sources) -> Option<Location> {
        let span = self.span?;
        let source = sources.get(span.source);
        let mut start = span.start.min(source.text.len());
        while !source.text.is_char_boundary(start) {
            start -= 1;
        }
        let before = &source.text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Some(Location {
            file: source.name.clone(),
            line,
            column: before[line_start..].chars().count() + 1,
        })
    }

    /// The problem as an annotated snippet of its source, in colour when `color` is set.
    pub fn render(&self, sources: &Sources, color: bool) -> String {
        let severity = match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        };
        let mut message = clip(&self.message);
        if let Some(location) = self.location(sources) {
            message = format!("{location}: {message}");
        }
        let mut diagnostic = MietteDiagnostic::new(message).with_severity(severity);
        if let Some(help) = &self.help {
            diagnostic = diagnostic.with_help(clip(help));
        }
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        let mut out = String::new();
        let rendered = match self.span {
            Some(span) => {
                let source = sources.get(span.source);
                let excerpt = Excerpt::around(&source.name, &source.text, span.start, span.end);
                let (offset, len) = excerpt.span();
                let label = self.label.as_deref().map(clip);
                diagnostic = diagnostic.with_label(LabeledSpan::new(label, offset, len));
                let report = miette::Report::new(diagnostic).with_source_code(excerpt);
                handler.render_report(&mut out, report.as_ref())
            }
            None => handler.render_report(&mut out, &diagnostic),
        };
        if rendered.is_err() {
            // Rendering into a String cannot fail; keep the message if it somehow does.
            out = self.message.clone();
        }
        out
    }
}

/// Everything wrong with one input, errors and warnings, in source order.
#[derive(Clone, Debug, Default)]
pub struct Problems {
    /// The texts the problems' spans point into.
    pub sources: Sources,
    /// The problems, errors and warnings together.
    pub items: Vec<Problem>,
}

impl Problems {
    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.items.iter().filter(|p| p.severity == Severity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.items
            .iter()
            .filter(|p| p.severity == Severity::Warning)
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// Every problem rendered, then a one-line count; bounded in size whatever the input.
    /// Of the problems of one line, only the first [`MAX_PER_LINE`] are shown and the rest
    /// counted; of all problems, only the first [`MAX_SHOWN`].
    pub fn render(&self, color: bool) -> String {
        let lines = LineIndex::of(&self.sources);
        let line_of = |p: &Problem| p.span.map(|s| (s.source.0, lines.line(s)));
        let mut on_line: HashMap<(usize, usize), usize> = HashMap::new();
        for key in self.items.iter().filter_map(line_of) {
            *on_line.entry(key).or_default() += 1;
        }
        let mut out = String::new();
        let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
        let (mut shown, mut hidden) = (0, 0);
        for problem in &self.items {
            let key = line_of(problem);
            let nth = key.map_or(1, |k| {
                let n = seen.entry(k).or_default();
                *n += 1;
                *n
            });
            if nth > MAX_PER_LINE {
                continue;
            }
            if shown == MAX_SHOWN {
                hidden += 1;
                continue;
            }
            shown += 1;
            out.push_str(&problem.render(&self.sources, color));
            out.push('\n');
            let total = key.map_or(0, |k| on_line[&k]);
            if nth == MAX_PER_LINE && total > MAX_PER_LINE {
                let (source, line) = key.unwrap_or_default();
                out.push_str(&format!(
                    "  … {} on line {} of {} not shown\n\n",
                    counted(total - MAX_PER_LINE, "more problem"),
                    line,
                    self.sources.get(SourceId(source)).name
                ));
            }
        }
        if hidden > 0 {
            out.push_str(&format!(
                "  … {} not shown: correct these first\n\n",
                counted(hidden, "more problem")
            ));
        }
        let errors = self.errors().count();
        let warnings = self.warnings().count();
        if errors > 0 {
            let file = self
                .sources
                .iter()
                .next()
                .map_or(String::new(), |s| format!(" in {}", s.name));
            out.push_str(&format!(
                "{}{}{file}\n",
                counted(errors, "error"),
                if warnings > 0 {
                    format!(" and {}", counted(warnings, "warning"))
                } else {
                    String::new()
                },
            ));
        }
        out
    }
}

/// Problems of one line shown at most; the rest are counted.
pub const MAX_PER_LINE: usize = 3;
/// Problems shown at most in all.
pub const MAX_SHOWN: usize = 20;
/// Characters of a message or help shown at most.
const MAX_MESSAGE_CHARS: usize = 500;

/// `text`, cut to [`MAX_MESSAGE_CHARS`] (a message may quote a huge key or value), with its
/// control characters made harmless.
fn clip(text: &str) -> String {
    let text = printable(text);
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// The line starts of every source, to find a span's line by binary search rather than by
/// counting from the start of the text for every problem.
struct LineIndex(Vec<Vec<usize>>);

impl LineIndex {
    fn of(sources: &Sources) -> LineIndex {
        LineIndex(
            sources
                .iter()
                .map(|s| {
                    std::iter::once(0)
                        .chain(s.text.match_indices('\n').map(|(i, _)| i + 1))
                        .collect()
                })
                .collect(),
        )
    }

    /// The 1-based line of the span's start.
    fn line(&self, span: Span) -> usize {
        let starts = &self.0[span.source.0];
        starts.partition_point(|&s| s <= span.start)
    }
}

/// `word` for a count of `n`: "1 error", "2 errors".
pub fn counted(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {}", plural(word))
    }
}

/// The plural of a noun of these messages: "strategy" → "strategies", "key result" → "key
/// results".
pub fn plural(word: &str) -> String {
    match word.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
        _ => format!("{word}s"),
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Problems {}

/// The closest of `candidates` to a misspelt `name`, if any is close enough to be a likely typo.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" for the nearest candidate, if any.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    nearest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters_from_one() {
        let mut sources = Sources::default();
        let id = sources.add("s.toml", "a = 1\nbé = 2\n");
        let problem = Problem::error(Span::new(id, 12, 13), "x");
        assert_eq!(
            problem.location(&sources).unwrap().to_string(),
            "s.toml:2:6"
        );
    }

    #[test]
    fn nearest_finds_typos_and_ignores_strangers() {
        let names = ["engineers", "days_per_engineer", "availability"];
        assert_eq!(nearest("enginers", names), Some("engineers"));
        assert_eq!(nearest("availabilty", names), Some("availability"));
        assert_eq!(nearest("zzz", names), None);
    }

    #[test]
    fn render_names_the_file_line_and_column() {
        let mut sources = Sources::default();
        let id = sources.add("s.toml", "a = 1\nb = 2\n");
        let text = Problem::error(Span::new(id, 6, 7), "unknown key `b`")
            .label("here")
            .help("did you mean `a`?")
            .render(&sources, false);
        assert!(text.contains("s.toml:2:1: unknown key `b`"), "{text}");
        assert!(text.contains("did you mean `a`?"), "{text}");
    }
}
