//! The few lines of a source that a problem's snippet shows, with long lines cut to a window
//! around the problem, so that a message never echoes a whole huge line or file. Line
//! numbers and the `file:line:col` header stay those of the whole source.

use std::borrow::Cow;
use std::fmt::Write;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Characters of one source line shown at most; a longer line is cut around the problem.
pub const WINDOW_CHARS: usize = 200;
/// Lines of a problem's span shown at most; a longer span is shown by its first line.
pub const MAX_SPAN_LINES: usize = 8;
/// Marks where a line was cut.
const CUT: &str = "…";

/// A problem's surroundings: the line before its span, the span's lines and the line after,
/// each at most [`WINDOW_CHARS`] wide.
#[derive(Clone, Debug)]
pub struct Excerpt {
    name: String,
    text: String,
    /// 0-based number of the source line the excerpt starts with.
    first_line: usize,
    /// The span start's column in its source line, in characters (0-based).
    column: usize,
    /// Where the problem is in `text`.
    span: (usize, usize),
}

impl Excerpt {
    /// The excerpt of `text` (called `name`) around the byte range `start..end`.
    pub fn around(name: &str, text: &str, start: usize, end: usize) -> Excerpt {
        let start = floor_boundary(text, start.min(text.len()));
        let mut end = floor_boundary(text, end.clamp(start, text.len()));
        let line_of_start = line_start(text, start);
        let last = if end > start {
            floor_boundary(text, end - 1)
        } else {
            start
        };
        let span_lines = text[line_of_start..last].matches('\n').count() + 1;
        if span_lines > MAX_SPAN_LINES
            || (span_lines > 1 && long_lines(&text[line_of_start..line_end(text, last)]))
        {
            end = line_end(text, start).max(start);
        }
        let first = if line_of_start == 0 {
            0
        } else {
            line_start(text, line_of_start - 1)
        };
        let last = if end > start {
            floor_boundary(text, end - 1)
        } else {
            start
        };
        let after_start = full_line_end(text, last);
        let after_end = if after_start < text.len() {
            full_line_end(text, after_start)
        } else {
            text.len()
        };
        let mut excerpt = String::new();
        let mut span = (0, 0);
        let mut line = first;
        loop {
            let content_end = line_end(text, line);
            let next = full_line_end(text, line).min(after_end);
            let content = &text[line..content_end];
            let terminator = &text[content_end..next];
            let base = excerpt.len();
            if line == line_of_start {
                let (shown, offset, kept) = window(content, start - line);
                excerpt.push_str(&shown);
                let span_start = base + offset;
                span = if end <= content_end {
                    (span_start, (span_start + (end - start)).min(base + kept))
                } else {
                    // Over several lines, all short: nothing of the span was cut.
                    (span_start, span_start + (end - start))
                };
            } else {
                excerpt.push_str(&window(content, 0).0);
            }
            excerpt.push_str(terminator);
            if next == line || (next >= after_end && next > line_of_start) {
                break;
            }
            line = next;
        }
        Excerpt {
            name: name.to_string(),
            first_line: text[..first].matches('\n').count(),
            column: text[line_of_start..start].chars().count(),
            span: (span.0, span.1.max(span.0)),
            text: printable(&excerpt),
        }
    }

    /// Where the problem is in the excerpt: (offset, length) for a label.
    pub fn span(&self) -> (usize, usize) {
        (self.span.0, self.span.1 - self.span.0)
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // Without context, miette reads the column of the span start for the header: give the
        // source's, not the excerpt's (they differ where a long line was cut).
        let column = if context_lines_before == 0 && span.offset() == self.span.0 {
            self.column
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

/// `line` cut to at most [`WINDOW_CHARS`] characters around byte `at`; where `at` is in the
/// result, and where the line's kept text ends in it (before a closing cut mark).
fn window(line: &str, at: usize) -> (String, usize, usize) {
    let chars = line.chars().count();
    if chars <= WINDOW_CHARS {
        return (line.to_string(), at, line.len());
    }
    let at_char = line[..at].chars().count();
    let from = at_char
        .saturating_sub(WINDOW_CHARS / 3)
        .min(chars - WINDOW_CHARS);
    let to = from + WINDOW_CHARS;
    let byte = |c: usize| line.char_indices().nth(c).map_or(line.len(), |(b, _)| b);
    let (from_byte, to_byte) = (byte(from), byte(to));
    let mut shown = String::new();
    if from > 0 {
        shown.push_str(CUT);
    }
    let offset = shown.len() + (at - from_byte);
    shown.push_str(&line[from_byte..to_byte]);
    let kept = shown.len();
    if to < chars {
        shown.push_str(CUT);
    }
    (shown, offset, kept)
}

/// `text` with control characters (other than tab and line ends) made visible, byte for byte
/// the same length so that offsets hold: a file must not send escape sequences to a terminal.
/// A carriage return that does not end a line is shown as `?` too: lines are counted at `\n`
/// here, and miette would start a new line at it.
pub fn printable(text: &str) -> String {
    let mut chars = text.chars().peekable();
    let mut out = String::with_capacity(text.len());
    while let Some(c) = chars.next() {
        out.push(match c {
            '\r' if chars.peek() == Some(&'\n') => c,
            '\t' | '\n' => c,
            '\u{0}'..='\u{1f}' | '\u{7f}' => '?',
            '\u{80}'..='\u{9f}' => '¿',
            _ => c,
        });
    }
    out
}

/// `text` with every control character written as an escape (`\n`, `\t`, `\r`, `\u{1b}`),
/// and the bidirectional embeddings, overrides and isolates too: a name read from a file and
/// shown on a terminal, or written into a comment or a table, then neither starts an escape
/// sequence, nor a new line, nor reorders what follows it. Borrowed when nothing needs it.
pub fn escape_control(text: &str) -> Cow<'_, str> {
    let needs =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn long_lines(text: &str) -> bool {
    text.split('\n').any(|l| l.chars().count() > WINDOW_CHARS)
}

/// Start of the line holding byte `at`.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// End of the line holding byte `at`, before its `\n` (and a `\r` before that).
fn line_end(text: &str, at: usize) -> usize {
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    if end > at && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// End of the line holding byte `at`, after its `\n`.
fn full_line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_visibly() {
        assert!(matches!(
            escape_control("café ok"),
            Cow::Borrowed("café ok")
        ));
        assert_eq!(
            escape_control("a\nb\r\tc\u{1b}[31m\u{7f}\u{9b}\u{202e}"),
            "a\\nb\\r\\tc\\u{1b}[31m\\u{7f}\\u{9b}\\u{202e}"
        );
    }

    #[test]
    fn short_lines_are_kept_whole_with_one_line_either_side() {
        let text = "a = 1\nb = 2\nc = 3\nd = 4\n";
        let e = Excerpt::around("f", text, 12, 13);
        assert_eq!(e.text, "b = 2\nc = 3\nd = 4\n");
        assert_eq!(e.first_line, 1);
        assert_eq!(&e.text[e.span.0..e.span.1], "c");
        assert_eq!(e.column, 0);
    }

    #[test]
    fn a_long_line_is_cut_to_a_window_around_the_problem() {
        let line = format!("x = [{}7]", "1, ".repeat(10_000));
        let at = line.find('7').unwrap();
        let text = format!("a = 1\n{line}\nb = 2");
        let e = Excerpt::around("f", &text, 6 + at, 7 + at);
        let shown = e.text.lines().nth(1).unwrap();
        assert!(shown.starts_with(CUT) && shown.chars().count() <= WINDOW_CHARS + 2);
        assert_eq!(&e.text[e.span.0..e.span.1], "7");
        assert_eq!(e.column, at);
        assert_eq!(e.text.lines().last(), Some("b = 2"));
    }

    #[test]
    fn a_span_over_many_lines_is_shown_by_its_first() {
        let text = format!("a = [\n{}]\n", "1,\n".repeat(50));
        let e = Excerpt::around("f", &text, 4, text.len() - 1);
        assert_eq!(e.text.lines().count(), 2);
        assert_eq!(&e.text[e.span.0..e.span.1], "[");
    }

    #[test]
    fn control_characters_are_shown_harmless_and_offsets_kept() {
        let text = "a = \"\u{1b}[31mred\u{9b}\r\"\r\n";
        let e = Excerpt::around("f", text, 4, 5);
        assert_eq!(e.text, "a = \"?[31mred¿?\"\r\n");
        assert_eq!(e.text.len(), text.len());
    }

    #[test]
    fn windows_lines_keep_their_neighbours() {
        let text = "a = 1\r\nb = 2\r\nc = 3\r\n";
        let e = Excerpt::around("f", text, 7, 8);
        assert_eq!(e.text, text);
        assert_eq!(&e.text[e.span.0..e.span.1], "b");
    }

    #[test]
    fn spans_at_the_edges_stay_inside() {
        for (text, start, end) in [("", 0, 0), ("abc", 3, 3), ("é", 1, 2), ("a\n", 5, 9)] {
            let e = Excerpt::around("f", text, start, end);
            assert!(e.span.1 <= e.text.len(), "{text:?}");
        }
    }
}
