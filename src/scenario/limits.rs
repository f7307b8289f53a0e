//! Limits on what loading reads, so that no input, however large or strange, makes loading
//! slow, memory-hungry or its messages huge. Each limit is far beyond a real file (a scenario
//! is normally under 100 KB; ten years of daily throughput is 3,650 values) and each has its
//! own message.

use std::io::Read;
use std::path::Path;

use super::problem::{Problem, SourceId, Span};

/// The most bytes a scenario file may have: 1 MiB, ten times a large scenario.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;
/// The most bytes a `--history-csv` file may have: 32 MiB, room for a million finish dates
/// with an id beside each.
pub const MAX_HISTORY_BYTES: u64 = 32 << 20;
/// The most bytes one line may have: room for 10,000 samples written on one line.
pub const MAX_LINE_BYTES: usize = 100_000;
/// The most values one array may hold and the most fields one table may have: 10,000, over
/// 27 years of daily throughput.
pub const MAX_ITEMS: usize = 10_000;
/// The most data rows a history CSV may have: a million finished items.
pub const MAX_HISTORY_ROWS: usize = 1_000_000;
/// The most characters of a scenario name: it names folders such as
/// `output/<name>-forecast/`, and file systems allow 255 bytes per name.
pub const MAX_NAME_CHARS: usize = 100;

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// The file has more than `limit` bytes (`size` when the file system knows it).
    TooLarge {
        limit: u64,
        size: Option<u64>,
    },
}

/// Reads at most `limit` bytes of `path`: a larger file (or an endless one, `/dev/zero`) stops
/// the read at once.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
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

/// `n` bytes in words: "1 MiB", "32 MiB", "100000 bytes".
pub fn bytes_in_words(n: u64) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// Where the first byte that is not UTF-8 is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadByte {
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
    fn sizes_read_in_words() {
        assert_eq!(bytes_in_words(MAX_SCENARIO_BYTES), "1 MiB");
        assert_eq!(bytes_in_words(1000), "1000 bytes");
    }
}
