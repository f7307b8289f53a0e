//! An export's text: its bytes read within the limits of [`limits`] (256 MiB in all; lines of
//! at most 1 MiB unless it is JSON, which tools write on one line, so that `/dev/zero` stops
//! after a megabyte) and decoded as UTF-8 (a byte order mark dropped) or, when it starts with
//! a UTF-16 byte order mark as Excel's "Unicode Text" does, as UTF-16. Anything else is
//! refused at its first byte that is not text, with its line, column and offset and how to
//! re-save the file. Also the line numbers of byte offsets, with `\r\n`, `\n` and a lone `\r`
//! each ending a line, so that Windows, Unix and old Mac files are counted alike.

use std::io::{BufRead, BufReader, Read};

use std::path::Path;

use crate::scenario::limits::{self, Bounded, Exceeded, MAX_HISTORY_BYTES, MAX_HISTORY_LINE_BYTES};

use super::ImportProblem;

/// What to do with a file that is not UTF-8.
const RESAVE: &str = "save it as UTF-8: in Excel, Save As → \"CSV UTF-8 (Comma delimited)\"; \
     in LibreOffice, Save As → Text CSV with \"Edit filter settings\" and the character set \
     Unicode (UTF-8); or convert it with `iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE-utf8.csv`";

/// An export read: its name as messages write it, its text, and the team of items whose
/// rows name none (`team`, else the file's name).
pub(super) struct Opened {
    pub file: String,
    pub text: String,
    pub team: String,
}

/// Reads the export at `path` for [`Opened`].
pub(super) fn open(path: &Path, team: Option<&String>) -> Result<Opened, ImportProblem> {
    let file = super::escaped(path.display().to_string());
    let text = read(path, &file)?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("team");
    let team = team.cloned().unwrap_or_else(|| stem.to_string());
    Ok(Opened { file, text, team })
}

/// Reads and decodes the export at `path` (called `file` in messages).
pub(super) fn read(path: &Path, file: &str) -> Result<String, ImportProblem> {
    let cannot = |e: std::io::Error| ImportProblem::file(file, format!("cannot read: {e}"));
    let handle = std::fs::File::open(path).map_err(cannot)?;
    let size = handle
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    if let Some(size) = size
        && size > MAX_HISTORY_BYTES
    {
        return Err(too_large(file, Some(size)));
    }
    let mut reader = BufReader::new(handle);
    let head = reader.fill_buf().map_err(cannot)?;
    let utf16 = head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]);
    let max_line = if starts_like_json(head) {
        usize::MAX
    } else {
        MAX_HISTORY_LINE_BYTES
    };
    let mut bounded = Bounded::new(reader, MAX_HISTORY_BYTES, max_line);
    let mut bytes = Vec::with_capacity(size.unwrap_or(0) as usize);
    let mut chunk = vec![0; 1 << 16];
    loop {
        let n = match bounded.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(exceeded(file, size, &e, bounded.line()).unwrap_or_else(|| cannot(e)));
            }
        };
        // No text but UTF-16 holds a zero byte: stop at the first, not at the size limit.
        if let Some(at) = chunk[..n].iter().position(|&b| b == 0).filter(|_| !utf16) {
            bytes.extend_from_slice(&chunk[..at]);
            return Err(zero_byte(file, &bytes));
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    decode(file, bytes)
}

/// The error for a limit the reading ran into, if that is what `e` is.
fn exceeded(file: &str, size: Option<u64>, e: &std::io::Error, line: u64) -> Option<ImportProblem> {
    match limits::exceeded(e)? {
        Exceeded::Size(_) => Some(too_large(file, size)),
        Exceeded::Line(limit) => Some(ImportProblem {
            file: file.to_string(),
            line: Some(line as usize),
            column: None,
            message: format!(
                "this line is longer than {}, the most a line of a CSV export may have",
                limits::bytes_in_words(limit as u64)
            ),
            help: Some(
                "is this an export? A CSV export has one item per line (JSON may be on one line)"
                    .into(),
            ),
        }),
    }
}

/// The error for a zero byte after `before`: not text, or UTF-16 without its byte order mark.
fn zero_byte(file: &str, before: &[u8]) -> ImportProblem {
    let text = String::from_utf8_lossy(before);
    let (line, column) = Lines::new(&text).line_and_column(text.len());
    ImportProblem {
        file: file.to_string(),
        line: Some(line),
        column: Some(column),
        message: format!(
            "the byte 0x00 at offset {} is not text: is this a binary file, or UTF-16 without \
             a byte order mark?",
            before.len()
        ),
        help: Some(RESAVE.into()),
    }
}

fn too_large(file: &str, size: Option<u64>) -> ImportProblem {
    let size = size.map_or(String::new(), |s| format!(" ({s} bytes)"));
    ImportProblem {
        help: Some(
            "export a shorter time range, or one project or team per file, and import the files \
             together"
                .into(),
        ),
        ..ImportProblem::file(
            file,
            format!(
                "the file is larger than {}{size}, the most an export may have",
                limits::bytes_in_words(MAX_HISTORY_BYTES)
            ),
        )
    }
}

/// Whether an export's first bytes are those of JSON (GitHub's): `[` or `{` after any byte
/// order mark, white space and, in UTF-16, zero bytes.
pub(super) fn starts_like_json(head: &[u8]) -> bool {
    head.iter()
        .find(|b| {
            !matches!(
                b,
                0xef | 0xbb | 0xbf | 0xff | 0xfe | 0 | b' ' | b'\t' | b'\r' | b'\n'
            )
        })
        .is_some_and(|b| matches!(b, b'[' | b'{'))
}

/// The text of an export's bytes: UTF-8, or UTF-16 after its byte order mark.
pub(super) fn decode(file: &str, bytes: Vec<u8>) -> Result<String, ImportProblem> {
    match bytes.get(..2) {
        Some([0xff, 0xfe]) => return decode_utf16(file, &bytes[2..], u16::from_le_bytes),
        Some([0xfe, 0xff]) => return decode_utf16(file, &bytes[2..], u16::from_be_bytes),
        _ => {}
    }
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let bytes = error.as_bytes();
        let valid = std::str::from_utf8(&bytes[..offset]).expect("valid up to the offset");
        let (line, column) = Lines::new(valid).line_and_column(offset);
        ImportProblem {
            file: file.to_string(),
            line: Some(line),
            column: Some(column),
            message: format!(
                "the byte 0x{:02X} at offset {offset} is not UTF-8 text: the file is in another \
                 encoding, most likely Windows-1252 (what Excel's \"CSV (Comma delimited)\" writes)",
                bytes[offset]
            ),
            help: Some(RESAVE.into()),
        }
    })
}

/// UTF-16 code units (after the byte order mark) as text; an odd byte or an unpaired surrogate
/// is an error at its offset.
fn decode_utf16(
    file: &str,
    body: &[u8],
    unit: fn([u8; 2]) -> u16,
) -> Result<String, ImportProblem> {
    if body.len() % 2 == 1 {
        return Err(ImportProblem::file(
            file,
            format!(
                "the file starts as UTF-16 but has an odd number of bytes ({}): is it cut short?",
                body.len() + 2
            ),
        ));
    }
    let mut text = String::with_capacity(body.len() / 2);
    let mut units = 0;
    let units_of = body.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    for c in char::decode_utf16(units_of) {
        match c {
            Ok(c) => {
                text.push(c);
                units += c.len_utf16();
            }
            Err(bad) => {
                let (line, column) = Lines::new(&text).line_and_column(text.len());
                return Err(ImportProblem {
                    file: file.to_string(),
                    line: Some(line),
                    column: Some(column),
                    message: format!(
                        "the file starts as UTF-16, but the unit 0x{:04X} at offset {} is half \
                         of a character without its other half",
                        bad.unpaired_surrogate(),
                        2 + 2 * units
                    ),
                    help: Some(RESAVE.into()),
                });
            }
        }
    }
    Ok(text)
}

/// Line numbers of byte offsets of a text, counted forward from the last offset asked for,
/// so that numbering every row of a file is linear in its size. `\r\n`, `\n` and a lone `\r`
/// each end a line.
pub(super) struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Lines<'a> {
    /// Counting lines of `text`, from its start.
    pub(super) fn new(text: &'a str) -> Lines<'a> {
        Lines::new_bytes(text.as_bytes())
    }

    /// The line, from 1, of the byte at `offset`; counted again from the start if `offset` is
    /// before the last one asked for. An offset between a `\r` and its `\n` is on the `\r`'s
    /// line.
    pub(super) fn line_of(&mut self, offset: usize) -> usize {
        if offset < self.at {
            *self = Lines::new_bytes(self.text);
        }
        let end = offset.min(self.text.len());
        for i in self.at..end {
            let ends = match self.text[i] {
                b'\n' => true,
                b'\r' => self.text.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            if ends {
                self.line += 1;
                self.line_start = i + 1;
            }
        }
        self.at = end;
        self.line
    }

    /// The line and the column (in characters, from 1) of the byte at `offset`, which must be
    /// on a character boundary.
    pub(super) fn line_and_column(&mut self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let before = &self.text[self.line_start..offset.min(self.text.len())];
        let column = String::from_utf8_lossy(before).chars().count() + 1;
        (line, column)
    }

    fn new_bytes(text: &'a [u8]) -> Lines<'a> {
        Lines {
            text,
            at: 0,
            line: 1,
            line_start: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_at_crlf_lf_and_a_lone_cr() {
        let text = "a\r\nb\nc\rd\r\n\r\ne";
        let mut lines = Lines::new(text);
        let at = |c: char| text.find(c).unwrap();
        assert_eq!(lines.line_of(at('a')), 1);
        assert_eq!(lines.line_of(at('b')), 2);
        assert_eq!(lines.line_of(at('c')), 3);
        assert_eq!(lines.line_of(at('d')), 4);
        assert_eq!(lines.line_of(at('e')), 6);
        // Backwards: counted again.
        assert_eq!(lines.line_and_column(at('b')), (2, 1));
        assert_eq!(Lines::new("x\r\nab").line_and_column(5), (2, 3));
    }

    #[test]
    fn utf8_passes_and_other_encodings_are_located() {
        assert_eq!(decode("f", "id\né".as_bytes().to_vec()).unwrap(), "id\né");
        let e = decode("f", b"id,title\r\n1,Caf\xe9\r\n".to_vec()).unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(6)));
        assert!(e.message.contains("0xE9 at offset 15"), "{}", e.message);
        assert!(e.help.unwrap().contains("CSV UTF-8"));
    }

    #[test]
    fn utf16_with_its_byte_order_mark_is_decoded() {
        let text = "id\tdone\n1\t2027-01-04\n";
        let mut le = vec![0xff, 0xfe];
        let mut be = vec![0xfe, 0xff];
        for u in text.encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        assert_eq!(decode("f", le.clone()).unwrap(), text);
        assert_eq!(decode("f", be).unwrap(), text);
        le.extend([0x00, 0xd8, b'x', 0]); // an unpaired high surrogate
        let e = decode("f", le).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("0xD800 at offset 44"), "{}", e.message);
        let e = decode("f", vec![0xff, 0xfe, b'a']).unwrap_err();
        assert!(e.message.contains("odd number of bytes"), "{}", e.message);
    }

    #[test]
    fn json_is_told_by_its_first_bytes() {
        assert!(starts_like_json(b"\xef\xbb\xbf  [{"));
        assert!(starts_like_json(b"\xff\xfe[\x00"));
        assert!(starts_like_json(b"\xfe\xff\x00{"));
        assert!(!starts_like_json(b"id,done"));
        assert!(!starts_like_json(b"\x00\x00\x00"));
        assert!(!starts_like_json(b""));
    }
}
