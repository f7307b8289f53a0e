//! A CSV export as a table: its header row, then its data rows read one at a time, each with
//! the lines it spans (counted from byte offsets, so `\r\n` files are numbered right). The
//! checks every CSV format shares are made here, so that no row is lost without a word:
//!
//! - a quoted cell still open at the end of the file (a title that starts with a `"` it never
//!   closes would swallow every row after it) is an error at its line;
//! - a row with more non-empty cells than the header has columns, a row that repeats the
//!   header row, and a column the import reads that the header names twice are errors;
//! - rows whose cells the import reads hold line breaks, and rows with a cell (read or not)
//!   holding lines that look like rows, are listed ([`Rows::broken`]): two unbalanced quotes
//!   make one such row of all the rows between them;
//! - a file of more than [`MAX_HISTORY_ROWS`] data rows is refused before any is read.
//!
//! The delimiter is the header row's: a comma, else a tab (Excel's "Unicode Text"), else a
//! semicolon (Excel where the decimal mark is a comma).

use std::cell::Cell;

use jiff::tz::TimeZone;

use crate::model::Date;
use crate::scenario::limits::MAX_HISTORY_ROWS;

use super::source::Lines;
use super::{ImportProblem, dates, quoted_cell};

/// A CSV export: its header row, over its text.
pub(crate) struct Table<'a> {
    /// The file, as messages name it.
    pub(super) file: String,
    text: &'a str,
    delimiter: u8,
    /// The header row's cells, trimmed.
    pub(super) headers: Vec<String>,
}

/// One data row: its cells and its first line.
pub(super) struct Row<'r> {
    /// The line the row starts on, from 1.
    pub(super) line: usize,
    record: &'r csv::StringRecord,
    /// Whether a cell read with [`Row::cell`] holds a line break.
    broken: Cell<bool>,
}

/// What [`Table::rows`] read.
pub(super) struct Rows<T> {
    /// One per data row, in order (blank rows skipped).
    pub(super) items: Vec<T>,
    /// The first and last line of each row one of whose cells read holds a line break.
    pub(super) broken: Vec<(usize, usize)>,
}

fn builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter);
    builder
}

/// The delimiter of the header row: a comma, else a tab, else a semicolon.
fn delimiter(text: &str) -> u8 {
    let header = text.split(['\n', '\r']).next().unwrap_or("");
    [b',', b'\t', b';']
        .into_iter()
        .find(|&d| header.as_bytes().contains(&d))
        .unwrap_or(b',')
}

impl<'a> Table<'a> {
    /// The header row of `text` (a file called `file`), checked.
    pub(super) fn read(file: &str, text: &'a str) -> Result<Table<'a>, ImportProblem> {
        let delimiter = delimiter(text);
        let mut reader = builder(delimiter).from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| ImportProblem::file(file, format!("not readable as CSV: {e}")))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let table = Table {
            file: file.to_string(),
            text,
            delimiter,
            headers,
        };
        if reader.position().byte() as usize >= text.len() {
            table.check_quotes_closed(0, table.headers.len(), &mut Lines::new(text))?;
        }
        if table.headers.iter().all(String::is_empty) {
            return Err(ImportProblem::file(
                file,
                "the file is empty: expected a header row",
            ));
        }
        table.check_row_count()?;
        Ok(table)
    }

    /// More than [`MAX_HISTORY_ROWS`] data rows are refused before any is read: counted only
    /// when the file has more line ends than that (a row has at least one).
    fn check_row_count(&self) -> Result<(), ImportProblem> {
        let ends = self
            .text
            .bytes()
            .filter(|&b| b == b'\n' || b == b'\r')
            .count();
        if ends <= MAX_HISTORY_ROWS {
            return Ok(());
        }
        let mut reader = builder(self.delimiter).from_reader(self.text.as_bytes());
        let mut record = csv::ByteRecord::new();
        let mut rows = 0;
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            rows += 1;
            if rows > MAX_HISTORY_ROWS {
                return Err(ImportProblem {
                    help: Some(
                        "export a shorter time range, or one project or team per file".into(),
                    ),
                    ..ImportProblem::file(
                        &self.file,
                        format!(
                            "more than {MAX_HISTORY_ROWS} data rows, the most an export may have"
                        ),
                    )
                });
            }
        }
        Ok(())
    }

    /// Whether the header row has a column called `name` (ignoring case).
    pub(super) fn has(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h.eq_ignore_ascii_case(name))
    }

    /// The index of the column called `name` (ignoring case); an error if the header row
    /// names it twice, since the import could not tell which to read.
    pub(super) fn column(&self, name: &str) -> Result<Option<usize>, ImportProblem> {
        match self.columns(name)[..] {
            [] => Ok(None),
            [only] => Ok(Some(only)),
            [first, second, ..] => Err(ImportProblem {
                file: self.file.clone(),
                line: Some(1),
                column: Some(second + 1),
                message: format!(
                    "columns {} and {} are both called `{}`: the import cannot tell which to read",
                    first + 1,
                    second + 1,
                    quoted_cell(&self.headers[second])
                ),
                help: Some("rename or remove one of them".into()),
            }),
        }
    }

    /// The indices of every column called `name` (Jira repeats `Labels`).
    pub(super) fn columns(&self, name: &str) -> Vec<usize> {
        (0..self.headers.len())
            .filter(|&i| self.headers[i].eq_ignore_ascii_case(name))
            .collect()
    }

    /// Reads every data row, in order, with `read`; blank rows are skipped.
    pub(super) fn rows<T>(
        &self,
        mut read: impl FnMut(&Row) -> Result<T, ImportProblem>,
    ) -> Result<Rows<T>, ImportProblem> {
        let mut reader = builder(self.delimiter).from_reader(self.text.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut lines = Lines::new(self.text);
        let mut rows = Rows {
            items: Vec::new(),
            broken: Vec::new(),
        };
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map(|p| lines.line_of(p.byte() as usize));
                    return Err(ImportProblem {
                        line,
                        ..ImportProblem::file(&self.file, format!("not readable as CSV: {e}"))
                    });
                }
            }
            // A record's position may be before the line ends (and blank lines) that precede
            // it: the csv reader skips those before it starts the record.
            let from = record.position().map_or(0, |p| p.byte() as usize);
            let start = from
                + self.text.as_bytes()[from..]
                    .iter()
                    .take_while(|&&b| b == b'\n' || b == b'\r')
                    .count();
            let line = lines.line_of(start);
            let end = reader.position().byte() as usize;
            if end >= self.text.len() {
                self.check_quotes_closed(start, record.len(), &mut lines)?;
            }
            let content_end = self.text.as_bytes()[..end]
                .iter()
                .rposition(|&b| b != b'\n' && b != b'\r')
                .map_or(start, |i| i.max(start));
            let last_line = lines.line_of(content_end);
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            self.check_cells(line, &record)?;
            let row = Row {
                line,
                record: &record,
                broken: Cell::new(false),
            };
            rows.items.push(read(&row)?);
            if row.broken.get() || self.holds_rows(&record) {
                rows.broken.push((line, last_line));
            }
        }
        Ok(rows)
    }

    /// Whether a cell of `record`, read or not, holds a line that looks like a row of its own
    /// (as many delimiters as a row has): rows swallowed by a stray quote, in a column the
    /// import does not read.
    fn holds_rows(&self, record: &csv::StringRecord) -> bool {
        let delimiters = self.headers.len().saturating_sub(1).max(1);
        let delimiter = char::from(self.delimiter);
        record.iter().any(|cell| {
            cell.contains(['\n', '\r'])
                && cell
                    .split(['\n', '\r'])
                    .skip(1)
                    .any(|line| line.matches(delimiter).count() >= delimiters)
        })
    }

    /// A row that repeats the header row, or has more non-empty cells than the header has
    /// columns, is an error.
    fn check_cells(&self, line: usize, record: &csv::StringRecord) -> Result<(), ImportProblem> {
        let at = |column: usize, message: String, help: &str| ImportProblem {
            file: self.file.clone(),
            line: Some(line),
            column: Some(column),
            message,
            help: Some(help.into()),
        };
        if record
            .iter()
            .map(str::trim)
            .eq(self.headers.iter().map(String::as_str))
        {
            return Err(at(
                1,
                "this row repeats the header row: were two exports joined into one file?".into(),
                "import each export as its own file: `fulcrum import first.csv second.csv`",
            ));
        }
        let extra = (self.headers.len()..record.len()).find(|&c| !record[c].trim().is_empty());
        if let Some(c) = extra {
            return Err(at(
                c + 1,
                format!(
                    "this row has {} cells, but the header row names {} columns",
                    record.len(),
                    self.headers.len()
                ),
                "a cell that holds the delimiter must be in quotes (\"a, b\"); check the quotes \
                 of this row and the one before it",
            ));
        }
        Ok(())
    }

    /// An error if the record starting at byte `start` (with `cells` cells), the file's last,
    /// ends inside a quoted cell: it then swallowed every line after its opening quote.
    fn check_quotes_closed(
        &self,
        start: usize,
        cells: usize,
        lines: &mut Lines,
    ) -> Result<(), ImportProblem> {
        let Some(at) = unclosed_quote(&self.text.as_bytes()[start..], self.delimiter) else {
            return Ok(());
        };
        let line = lines.line_of(start + at);
        let last = lines.line_of(self.text.len());
        Err(ImportProblem {
            file: self.file.clone(),
            line: Some(line),
            column: Some(cells.max(1)),
            message: format!(
                "a quoted cell starts here and is never closed: lines {line} to {last} would be \
                 read as one cell"
            ),
            help: Some(
                "a `\"` inside a cell must be doubled (`\"\"`) and the cell put in quotes: a \
                 title `\"Fix login` is written `\"\"\"Fix login\"` or `Fix login`"
                    .into(),
            ),
        })
    }

    /// The day in column `col` of `row`, or an error naming its line and column.
    pub(super) fn date(
        &self,
        row: &Row,
        col: Option<usize>,
        zone: &TimeZone,
    ) -> Result<Option<Date>, ImportProblem> {
        let Some(c) = col else {
            return Ok(None);
        };
        dates::local_date(row.cell(Some(c)), zone).map_err(|why| ImportProblem {
            file: self.file.clone(),
            line: Some(row.line),
            column: Some(c + 1),
            message: format!("column `{}`: {why}", quoted_cell(&self.headers[c])),
            help: None,
        })
    }

    /// The estimate in column `col` of `row` (story points, or hours when `per_unit` turns
    /// the column's seconds into hours): a number of at least 0; `None` for an empty cell.
    pub(super) fn estimate(
        &self,
        row: &Row,
        col: Option<usize>,
        per_unit: f64,
    ) -> Result<Option<f64>, ImportProblem> {
        let text = row.cell(col);
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x / per_unit)),
            _ => Err(ImportProblem {
                help: Some(
                    "an estimate is a number of at least 0 (3, 0.5), or an empty cell for none"
                        .into(),
                ),
                ..self.problem(
                    row,
                    col,
                    format!(
                        "column `{}`: `{}` is not an estimate",
                        quoted_cell(col.map_or("", |c| &self.headers[c])),
                        quoted_cell(text)
                    ),
                )
            }),
        }
    }

    /// The first of `names` the header row has, as (index, name).
    pub(super) fn first_of(
        &self,
        names: &[&str],
    ) -> Result<Option<(usize, String)>, ImportProblem> {
        for name in names {
            if let Some(c) = self.column(name)? {
                return Ok(Some((c, self.headers[c].clone())));
            }
        }
        Ok(None)
    }

    /// An error at `row`'s cell in column `col`.
    pub(super) fn problem(&self, row: &Row, col: Option<usize>, message: String) -> ImportProblem {
        ImportProblem {
            file: self.file.clone(),
            line: Some(row.line),
            column: col.map(|c| c + 1),
            message,
            help: None,
        }
    }

    /// `file:line` of `row`.
    pub(super) fn source(&self, row: &Row) -> String {
        format!("{}:{}", self.file, row.line)
    }
}

impl Row<'_> {
    /// The trimmed cell in column `col` ("" when absent).
    pub(super) fn cell(&self, col: Option<usize>) -> &str {
        let cell = col.and_then(|c| self.record.get(c)).map_or("", str::trim);
        if cell.contains(['\n', '\r']) {
            self.broken.set(true);
        }
        cell
    }
}

/// Where the quoted cell that `raw` (one record, to the end of the file) leaves open begins,
/// read as the csv reader reads it: a `"` opens a quoted cell only at the start of a cell, and
/// inside one, `""` is a quote and a lone `"` closes it.
fn unclosed_quote(raw: &[u8], delimiter: u8) -> Option<usize> {
    let mut open = None;
    let mut cell_start = true;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if open.is_some() {
            if b == b'"' {
                if raw.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    open = None;
                    cell_start = false;
                }
            }
        } else if b == b'"' && cell_start {
            open = Some(i);
        } else {
            cell_start = b == delimiter || b == b'\n' || b == b'\r';
        }
        i += 1;
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unclosed_quote_is_found_where_the_csv_reader_opens_it() {
        assert_eq!(unclosed_quote(b"1,\"Fix login,2027\n2,x\n", b','), Some(2));
        assert_eq!(unclosed_quote(b"1,\"a \"\"b\"\" c\",2\n", b','), None);
        // A quote inside an unquoted cell is a character, and after a closed one too.
        assert_eq!(unclosed_quote(b"1,5\" screen,2\n", b','), None);
        assert_eq!(unclosed_quote(b"1,\"a\"b\",2\n", b','), None);
        assert_eq!(unclosed_quote(b"1\t\"x\n", b'\t'), Some(2));
    }

    #[test]
    fn the_delimiter_is_the_header_rows() {
        assert_eq!(delimiter("id,done\n"), b',');
        assert_eq!(delimiter("id\tdone\r\n1,2"), b'\t');
        assert_eq!(delimiter("id;done\n"), b';');
        assert_eq!(delimiter("id\n"), b',');
    }

    fn lines_of(text: &str) -> Vec<(usize, String)> {
        let table = Table::read("t.csv", text).unwrap();
        table
            .rows(|row| Ok((row.line, row.cell(Some(0)).to_string())))
            .unwrap()
            .items
    }

    #[test]
    fn rows_are_numbered_by_their_lines_whatever_the_line_ends() {
        let expected = vec![(2, "a".to_string()), (5, "b".to_string()), (6, "c".into())];
        for end in ["\n", "\r\n", "\r"] {
            let text = ["id,x", "a,1", "", "", "b,2", "c,3", ""].join(end);
            assert_eq!(lines_of(&text), expected, "{end:?}");
        }
        // A quoted cell with line breaks: the next row's line counts them.
        assert_eq!(
            lines_of("id,x\r\na,\"1\r\n2\"\r\nb,3\r\n"),
            vec![(2, "a".into()), (4, "b".into())]
        );
    }

    #[test]
    fn rows_spanning_lines_in_cells_read_are_listed() {
        let table = Table::read("t.csv", "id,x,y\na,\"1\n2\",1\nb,1,\"3\n4\n5\"\n").unwrap();
        let rows = table.rows(|row| Ok(row.cell(Some(1)).len())).unwrap();
        assert_eq!(rows.broken, vec![(2, 3)]);
        let rows = table.rows(|row| Ok(row.cell(Some(2)).len())).unwrap();
        assert_eq!(rows.broken, vec![(4, 6)]);
        // Rows swallowed into a column nobody reads are listed too; a note with a comma is not.
        let text = "id,x,note\na,1,\"Fix\nb,2,x\nc,3,\"\nd,4,\"two\nlines, one comma\"\n";
        let table = Table::read("t.csv", text).unwrap();
        let rows = table.rows(|row| Ok(row.cell(Some(0)).len())).unwrap();
        assert_eq!(rows.items.len(), 2);
        assert_eq!(rows.broken, vec![(2, 4)]);
    }

    #[test]
    fn broken_rows_are_errors_at_their_line() {
        let error = |text: &str| {
            Table::read("t.csv", text)
                .and_then(|t| t.rows(|row| Ok(row.line)))
                .map(|_| ())
                .unwrap_err()
        };
        let e = error("id,title\r\n1,ok\r\n2,\"Fix login\r\n3,x\r\n4,y\r\n");
        assert_eq!((e.line, e.column), (Some(3), Some(2)));
        assert!(e.message.contains("lines 3 to 6"), "{}", e.message);
        let e = error("id,title\n1,a\nid,title\n2,b\n");
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("repeats the header row"));
        let e = error("id,title\n1,a,\n2,b,c\n");
        assert_eq!((e.line, e.column), (Some(3), Some(3)));
        let e = error("id,\"title\n1,a\n");
        assert_eq!(e.line, Some(1));
        let twice = Table::read("t.csv", "id,done,x,DONE\n").unwrap();
        let e = twice.column("done").unwrap_err();
        assert_eq!((e.line, e.column), (Some(1), Some(4)));
        assert_eq!(twice.column("x").unwrap(), Some(2));
    }
}
