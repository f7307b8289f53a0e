//! Limits on what loading reads, so that no input, however large or strange, makes loading
//! slow, memory-hungry or its messages huge. Each limit is far beyond a real file (a scenario
//! is normally under 100 KB; ten years of daily throughput is 3,650 values) and each has its
//! own message.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::problem::{Problem, SourceId, Span};

/// The most bytes a scenario file may have: 1 MiB, ten times a large scenario.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;
/// The most bytes a `--history-csv` file or an export `import` reads may have: 256 MiB, room
/// for an export of a million items with a few columns each. A history CSV is read as a
/// stream: memory holds its dates, not its text.
pub const MAX_HISTORY_BYTES: u64 = 256 << 20;
/// The most bytes one line of a history CSV or a CSV export may have (a row, or one line of a
/// quoted cell). JSON exports are exempt: tools write them on one line.
pub const MAX_HISTORY_LINE_BYTES: usize = 1 << 20;
/// The most bytes one line of a TOML file may have: room for 10,000 samples written on one
/// line. JSON is exempt: tools write it on one line.
pub const MAX_LINE_BYTES: usize = 100_000;
/// The most values one array may hold and the most fields one table may have: 10,000, over
/// 27 years of daily throughput.
pub const MAX_ITEMS: usize = 10_000;
/// The most data rows a history CSV, and the most items an export, may have: a million.
pub const MAX_HISTORY_ROWS: usize = 1_000_000;
/// The most characters of a scenario name: it names folders such as
/// `output/<name>-forecast/`, and file systems allow 255 bytes per name.
pub const MAX_NAME_CHARS: usize = 100;

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The file cannot be opened or read.
    Io(std::io::Error),
    /// The file has more than `limit` bytes (`size` when the file system knows it).
    TooLarge {
        /// The most bytes the file may have.
        limit: u64,
        /// The file's size in bytes; `None` when it is not a regular file (a pipe, a device).
        size: Option<u64>,
    },
}

/// The input files this process reads instead of the file system, by the path that names
/// them, once [`substitute_inputs`] set them: then no other input file is read.
static SUBSTITUTES: OnceLock<HashMap<PathBuf, Vec<u8>>> = OnceLock::new();

/// From now on, input files are read from `files` (path as the command line names it →
/// contents), and any other input path is refused: `fulcrum merge` runs the shards' command
/// line on the copies of its inputs the shards kept, so a forged record cannot make it read
/// a file of this machine (and the paths shown in the results stay the ones the shards were
/// given). Returns false, changing nothing, when inputs were substituted already.
pub fn substitute_inputs(files: HashMap<PathBuf, Vec<u8>>) -> bool {
    SUBSTITUTES.set(files).is_ok()
}

/// Opens the input file `path`, with its size when it is a regular file (or a substitute).
pub fn open_input(path: &Path) -> std::io::Result<(Box<dyn Read>, Option<u64>)> {
    if let Some(files) = SUBSTITUTES.get() {
        return match files.get(path) {
            Some(bytes) => Ok((
                Box::new(std::io::Cursor::new(bytes.clone())),
                Some(bytes.len() as u64),
            )),
            None => Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "merge reads only the input files the shards kept a copy of",
            )),
        };
    }
    let file = std::fs::File::open(path)?;
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    Ok((Box::new(file), size))
}

/// Reads at most `limit` bytes of `path`: a larger file (or an endless one, `/dev/zero`) stops
/// the read at once.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, size) = open_input(path).map_err(ReadError::Io)?;
    if size.is_some_and(|s| s > limit) {
        return Err(ReadError::TooLarge { limit, size });
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit, size });
    }
    Ok(bytes)
}

/// A limit a [`Bounded`] reader ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Exceeded {
    /// More than this many bytes in all.
    #[error("more than {} in all", bytes_in_words(*.0))]
    Size(u64),
    /// A line (its newline not counted) of more than this many bytes.
    #[error("a line longer than {} bytes", .0)]
    Line(usize),
}

/// A reader that fails, with an [`Exceeded`] inside the I/O error, as soon as it has read more
/// than `limit` bytes or a line longer than `max_line`: a stream (an endless one, `/dev/zero`)
/// is never read further, and a parser's buffer never holds more than a line.
pub struct Bounded<R> {
    inner: R,
    left: u64,
    limit: u64,
    line: usize,
    max_line: usize,
    newlines: u64,
}

impl<R> Bounded<R> {
    /// Reads `inner`, failing past `limit` bytes in all or on a line of more than `max_line`.
    pub fn new(inner: R, limit: u64, max_line: usize) -> Bounded<R> {
        Bounded {
            inner,
            left: limit,
            limit,
            line: 0,
            max_line,
            newlines: 0,
        }
    }

    /// The line being read, from 1: after an [`Exceeded::Line`], the line that is too long.
    pub fn line(&self) -> u64 {
        self.newlines + 1
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(Exceeded::Size(self.limit)));
        }
        self.left -= n as u64;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.line = 0;
                self.newlines += 1;
                continue;
            }
            self.line += 1;
            if self.line > self.max_line {
                return Err(std::io::Error::other(Exceeded::Line(self.max_line)));
            }
        }
        Ok(n)
    }
}

/// The [`Exceeded`] limit inside an I/O error, if that is what it is.
pub fn exceeded(error: &std::io::Error) -> Option<Exceeded> {
    error.get_ref()?.downcast_ref::<Exceeded>().copied()
}

/// `n` bytes in words: "1 MiB", "32 MiB", "100000 bytes".
pub fn bytes_in_words(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// Where the first byte that is not UTF-8 is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadByte {
    /// The byte's value.
    pub byte: u8,
    /// 0-based byte offset in the file.
    pub offset: usize,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Whether the file starts with a UTF-16 byte order mark.
    pub utf16: bool,
}

impl BadByte {
    /// What to do about it.
    pub fn advice(&self) -> &'static str {
        if self.utf16 {
            "the file is UTF-16: save it as UTF-8"
        } else {
            "save the file as UTF-8 (in most editors: Save with Encoding, UTF-8)"
        }
    }
}

/// The bytes as text, or where the first byte is that is not UTF-8 (and the text with that and
/// later bad bytes replaced by U+FFFD, which keeps the offsets of everything before).
pub fn utf8(bytes: Vec<u8>) -> Result<String, (BadByte, String)> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let before = String::from_utf8_lossy(&bytes[..offset]);
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let bad = BadByte {
                byte: bytes[offset],
                offset,
                line,
                column: before[line_start..].chars().count() + 1,
                utf16: bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]),
            };
            Err((bad, String::from_utf8_lossy(&bytes).into_owned()))
        }
    }
}

/// An error at the first line longer than [`MAX_LINE_BYTES`], if any.
pub fn long_line(text: &str, source: SourceId) -> Option<Problem> {
    let mut start = 0;
    for (number, line) in text.split('\n').enumerate() {
        if line.len() > MAX_LINE_BYTES {
            return Some(
                Problem::error(
                    Span::new(source, start, start),
                    format!(
                        "line {} has {} bytes, more than the {MAX_LINE_BYTES} a line may have",
                        number + 1,
                        line.len()
                    ),
                )
                .label("this line is too long")
                .help(
                    "break it up: arrays and inline tables may continue on the next line after \
                     any comma",
                ),
            );
        }
        start += line.len() + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_byte_is_found_with_its_line_and_column() {
        let (bad, lossy) = utf8(b"a = 1\nb\xc3\xa9 = \xff\xfe".to_vec()).unwrap_err();
        assert_eq!(
            bad,
            BadByte {
                byte: 0xff,
                offset: 12,
                line: 2,
                column: 6,
                utf16: false
            }
        );
        assert_eq!(&lossy[..12], "a = 1\nbé = ");
        assert_eq!(utf8(b"ok".to_vec()).unwrap(), "ok");
    }

    #[test]
    fn a_long_line_is_reported_at_its_start() {
        let text = format!("a = 1\nb = \"{}\"\n", "x".repeat(MAX_LINE_BYTES));
        let problem = long_line(&text, SourceId(0)).expect("too long");
        assert_eq!(problem.span.unwrap().start, 6);
        assert!(problem.message.starts_with("line 2 has 100006 bytes"));
        assert!(long_line("a = 1\n", SourceId(0)).is_none());
    }

    #[test]
    fn a_bounded_reader_stops_at_its_limits() {
        let mut out = Vec::new();
        let e = Bounded::new(std::io::repeat(b'a').take(100), 50, 1000)
            .read_to_end(&mut out)
            .unwrap_err();
        assert_eq!(exceeded(&e), Some(Exceeded::Size(50)));
        let e = Bounded::new(std::io::repeat(b'a'), u64::MAX, 10)
            .read_to_end(&mut out)
            .unwrap_err();
        assert_eq!(exceeded(&e), Some(Exceeded::Line(10)));
        let mut out = Vec::new();
        Bounded::new(&b"abc\ndef\n"[..], 8, 3)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"abc\ndef\n");
    }

    #[test]
    fn sizes_read_in_words() {
        assert_eq!(bytes_in_words(MAX_SCENARIO_BYTES), "1 MiB");
        assert_eq!(bytes_in_words(1000), "1000 bytes");
    }
}
